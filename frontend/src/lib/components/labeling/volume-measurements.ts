// The 3-D measurements of a segmented volume as the volume panel lists them: what each number is, in which unit, which
// class the measurements take as the solid (the phase whose complement is the porosity), and how many slices still
// lack a prediction when the service cannot measure yet.
import type { VolumeMeasurements } from '../../api/types.js';
import { formatValue } from '../../plots/labels.js';

export interface MeasurementRow {
  /** Test id and key of the row. */
  key: 'porosity' | 'specific-surface-area' | 'ligament-size' | 'pore-size';
  name: string;
  value: string;
  /** How it is computed, for the tooltip. */
  how: string;
}

/** The class the measurements treat as the solid: one named "solid" (any case), else the last class; null without classes. */
export function defaultSolidPhase(classes: readonly string[]): string | null {
  return classes.find((name) => name.trim().toLowerCase() === 'solid') ?? classes.at(-1) ?? null;
}

/** A fraction as a percentage to 3 significant digits ("37.5 %"). */
export function percentText(fraction: number): string {
  return `${Number((fraction * 100).toPrecision(3))} %`;
}

/** The four numbers of the panel, lengths in the volume's unit and the surface area per unit; "—" where there is no interface. */
export function measurementRows(measurements: Pick<VolumeMeasurements, 'porosity' | 'specificSurfaceArea' | 'meanLigamentSize' | 'meanPoreSize' | 'unit'>): MeasurementRow[] {
  const unit = measurements.unit;
  const length = (value: number | null) => (value === null || !Number.isFinite(value) ? '—' : formatValue(value, unit));
  return [
    { key: 'porosity', name: 'Porosity', value: percentText(measurements.porosity), how: 'Volume fraction of everything but the solid, each slice weighted by the thickness it stands for' },
    {
      key: 'specific-surface-area',
      name: 'Specific surface area',
      value: formatValue(measurements.specificSurfaceArea, `${unit}⁻¹`),
      how: 'Solid–pore interface area per volume, S_V = 2·P_L (interface crossings per length, averaged over x, y and z)',
    },
    { key: 'ligament-size', name: 'Mean ligament size', value: length(measurements.meanLigamentSize), how: 'Mean chord length of the solid, 4·V_V / S_V' },
    { key: 'pore-size', name: 'Mean pore size', value: length(measurements.meanPoreSize), how: 'Mean chord length of the pores, 4·(1 − V_V) / S_V' },
  ];
}

/** How many slices lack a prediction, from the service's 409 slices_not_predicted (null for any other problem). */
export function missingPredictions(error: { code: string; details: unknown }): { missing: number; slices: number } | null {
  if (error.code !== 'slices_not_predicted' || typeof error.details !== 'object' || error.details === null) return null;
  const { missingSliceIndices, slices } = error.details as { missingSliceIndices?: unknown; slices?: unknown };
  return Array.isArray(missingSliceIndices) && typeof slices === 'number' ? { missing: missingSliceIndices.length, slices } : null;
}
