// How outcome values are shown when some come from image analysis: "value ± std unit", marked with the segmentation
// model that derived them, and set aside ("not used") where a measured value of the same sample and outcome takes
// precedence — the rule the server applies when it fits (issue 11: both stay listed, only the measured one is used).
import type { IMAGE_ANALYSIS_SOURCE } from '../../../../../backend/domain/types.js';
import type { Campaign, Result } from '../../api/types.js';
import { formatParamValue } from '../experiments/explain.js';

/** The `source` of results twinlab derives from images (the server's constant, checked against its type). */
export const IMAGE_ANALYSIS: typeof IMAGE_ANALYSIS_SOURCE = 'image-analysis';

type ResultFields = Pick<Result, 'id' | 'source' | 'outcomes' | 'std' | 'modelId' | 'supersededAt'>;

/** Whether twinlab derived the result from the sample's images (rather than a person or an instrument). */
export function isDerivedResult(result: Pick<Result, 'source'>): boolean {
  return result.source === IMAGE_ANALYSIS;
}

/** Whether a newer segmentation model's result replaced this one (kept for the record, never fitted). */
export function isSupersededResult(result: Pick<Result, 'supersededAt'>): boolean {
  return result.supersededAt !== undefined && result.supersededAt !== null;
}

/** Digits after the decimal point that show a std to two significant digits (0 for a std of 10 or more). */
function decimalsForStd(std: number): number {
  return Math.min(20, Math.max(0, 1 - Math.floor(Math.log10(std))));
}

/**
 * "31.2 ± 2.1 nm": the std to two significant digits and the value to the same decimal place (the usual way to quote
 * a measurement); without a usable std (absent, zero, not finite) the value alone to 4 significant digits. The unit,
 * when given, follows.
 */
export function formatValueWithStd(value: number, std?: number | null, unit?: string | null): string {
  const suffix = unit ? ` ${unit}` : '';
  if (std === undefined || std === null || !Number.isFinite(std) || std <= 0 || !Number.isFinite(value)) return `${formatParamValue(value)}${suffix}`;
  const decimals = decimalsForStd(std);
  return `${value.toFixed(decimals)} ± ${std.toFixed(decimals)}${suffix}`;
}

/**
 * "from images (model #3)": the badge of a derived value; a derived result without a model comes from the experts'
 * image-level labels (ratings, image classes), "from images (expert labels)".
 */
export function derivedBadgeText(result: Pick<Result, 'modelId'>): string {
  return result.modelId !== null ? `from images (model #${result.modelId})` : 'from images (expert labels)';
}

/** The badge's tooltip: where the value and its ± come from, and what takes precedence over it. */
export function derivedBadgeTitle(result: Pick<Result, 'modelId'>): string {
  const origin =
    result.modelId !== null
      ? `Measured by twinlab on this sample’s images with segmentation model #${result.modelId}: the mean over the images, ± its uncertainty (spread over the images and over the model’s ensemble members). A newer model’s result replaces it.`
      : 'Derived from the experts’ image-level labels of this sample’s images: the mean over the images, ± its uncertainty.';
  return `${origin} A measured value of the same outcome takes precedence.`;
}

/** The sentence beside a derived value that a measured value overrides. */
export function setAsideNote(text: string): string {
  return `image analysis: ${text}, not used: measured value takes precedence`;
}

/** One outcome value of one result as a table cell or board entry shows it. */
export interface OutcomeValue {
  resultId: number;
  /** "31.2 ± 2.1" (derived, with the std) or "12.5". */
  text: string;
  derived: boolean;
  modelId: number | null;
  /** false: a measured value of the same sample and outcome takes precedence over this derived one. */
  used: boolean;
}

/**
 * The outcome of one result among `sampleResults` (the sample's results that count: not retracted, not superseded):
 * null when the result has no value for it. A derived value is not used when another, non-derived result of the
 * same sample has a value for the outcome.
 */
export function outcomeValueOf(result: ResultFields, outcome: string, sampleResults: readonly ResultFields[], unit?: string | null): OutcomeValue | null {
  const value = result.outcomes[outcome];
  if (typeof value !== 'number') return null;
  const derived = isDerivedResult(result);
  const used = !derived || !sampleResults.some((other) => other.id !== result.id && !isDerivedResult(other) && typeof other.outcomes[outcome] === 'number');
  return {
    resultId: result.id,
    text: derived ? formatValueWithStd(value, result.std?.[outcome], unit) : formatParamValue(value) + (unit ? ` ${unit}` : ''),
    derived,
    modelId: result.modelId,
    used,
  };
}

/** What a sample has for one outcome: the value used (the newest), how many values count, and a derived value set aside. */
export interface SampleOutcome {
  outcome: string;
  unit: string | null;
  used: OutcomeValue;
  /** How many of the sample's results have a value used for this outcome (replicates). */
  count: number;
  setAside: OutcomeValue | null;
}

/**
 * For each outcome with a value, the value a sample's results give it: the newest used value (results in
 * measurement order), and the newest derived value a measured one overrides.
 */
export function sampleOutcomes(sampleResults: readonly ResultFields[], outcomes: readonly { name: string; unit?: string | null }[]): SampleOutcome[] {
  const out: SampleOutcome[] = [];
  for (const { name, unit } of outcomes) {
    const values = sampleResults.map((result) => outcomeValueOf(result, name, sampleResults, unit)).filter((value): value is OutcomeValue => value !== null);
    const used = values.filter((value) => value.used);
    const setAside = values.filter((value) => !value.used);
    if (used.length === 0) continue;
    out.push({ outcome: name, unit: unit ?? null, used: used[used.length - 1], count: used.length, setAside: setAside.at(-1) ?? null });
  }
  return out;
}

/** The outcomes a campaign shows per sample, with their units: objectives, then image measurements that are not objectives. */
export function outcomeColumns(campaign: Pick<Campaign, 'objectives' | 'imageMeasurements'>): { name: string; unit: string | null; measured: boolean }[] {
  const measurements = campaign.imageMeasurements ?? [];
  const measurementUnit = new Map(measurements.map((m) => [m.name, m.unit ?? null]));
  const columns = campaign.objectives.map((objective) => ({
    name: objective.name,
    unit: objective.unit ?? measurementUnit.get(objective.name) ?? null,
    measured: measurementUnit.has(objective.name),
  }));
  const named = new Set(columns.map((column) => column.name));
  for (const measurement of measurements) if (!named.has(measurement.name)) columns.push({ name: measurement.name, unit: measurement.unit ?? null, measured: true });
  return columns;
}

/**
 * The values that count, as the server fits them: each result with only the outcomes it is used for (a derived value
 * is dropped where another, non-derived result of the same sample has that outcome); results left with none are
 * dropped. Expects results that count otherwise (not retracted, not superseded).
 */
export function withPrecedence<T extends ResultFields & { sampleId: number }>(results: readonly T[]): T[] {
  const measuredBySample = new Map<number, Set<string>>();
  for (const result of results) {
    if (isDerivedResult(result)) continue;
    const names = measuredBySample.get(result.sampleId) ?? new Set<string>();
    for (const name of Object.keys(result.outcomes)) names.add(name);
    measuredBySample.set(result.sampleId, names);
  }
  const out: T[] = [];
  for (const result of results) {
    const measured = measuredBySample.get(result.sampleId);
    if (!isDerivedResult(result) || !measured) {
      out.push(result);
      continue;
    }
    const outcomes = Object.fromEntries(Object.entries(result.outcomes).filter(([name]) => !measured.has(name)));
    if (Object.keys(outcomes).length > 0) out.push({ ...result, outcomes });
  }
  return out;
}
