import { describe, expect, it } from 'vitest';
import { defaultSolidPhase, measurementRows, missingPredictions, percentText } from '../../../../../../frontend/src/lib/components/labeling/volume-measurements.js';
import { ApiError } from '../../../../../../frontend/src/lib/api/errors.js';

describe('volume measurements as the panel lists them', () => {
  it('takes the class named solid (any case) as the solid, else the last class', () => {
    expect(defaultSolidPhase(['pore', 'Solid', 'crack'])).toBe('Solid');
    expect(defaultSolidPhase(['background', 'gold'])).toBe('gold');
    expect(defaultSolidPhase([])).toBeNull();
  });

  it('gives porosity in percent, the surface area per unit and the chord lengths in the unit, "—" without an interface', () => {
    const rows = measurementRows({ porosity: 0.6234, specificSurfaceArea: 0.04123, meanLigamentSize: 36.6, meanPoreSize: 60.48, unit: 'nm' });
    expect(rows.map((row) => [row.key, row.value])).toEqual([
      ['porosity', '62.3 %'],
      ['specific-surface-area', '0.04123 nm⁻¹'],
      ['ligament-size', '36.6 nm'],
      ['pore-size', '60.48 nm'],
    ]);
    const solidOnly = measurementRows({ porosity: 0, specificSurfaceArea: 0, meanLigamentSize: null, meanPoreSize: null, unit: 'px' });
    expect(solidOnly.map((row) => row.value)).toEqual(['0 %', '0 px⁻¹', '—', '—']);
    expect(percentText(1)).toBe('100 %');
  });

  it('reads how many slices lack a prediction from the 409 slices_not_predicted, and nothing from other refusals', () => {
    const notPredicted = new ApiError(409, 'slices_not_predicted', '3 of 12 slices have no segmentation yet', { missingSliceIndices: [0, 4, 11], slices: 12 });
    expect(missingPredictions(notPredicted)).toEqual({ missing: 3, slices: 12 });
    expect(missingPredictions(new ApiError(409, 'phase_not_in_model', 'wait'))).toBeNull();
    expect(missingPredictions(new ApiError(409, 'slices_not_predicted', 'no details'))).toBeNull();
  });
});
