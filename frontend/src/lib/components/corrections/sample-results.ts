// Samples with their results for the samples table: which rows to show, and which results still count.
import type { Result, Sample } from '../../api/types.js';
import { isSupersededResult } from '../images/derived-values.js';

/** One sample and the results shown under it (measurement order). */
export interface SampleResults {
  sample: Sample;
  results: Result[];
}

/** Whether a result was withdrawn. */
export function isRetractedResult(result: Pick<Result, 'retractedAt'>): boolean {
  return result.retractedAt !== undefined && result.retractedAt !== null;
}

/**
 * Results that still count (what models and charts use): neither they nor their sample retracted, and not
 * superseded by a newer segmentation model's derived result.
 */
export function activeResults(results: Result[], samples: Sample[]): Result[] {
  const retractedSamples = new Set(samples.filter((s) => s.status === 'retracted').map((s) => s.id));
  return results.filter((r) => !isRetractedResult(r) && !isSupersededResult(r) && !retractedSamples.has(r.sampleId));
}

/** How many samples and results are retracted (the count on the "Show retracted" toggle). */
export function countRetracted(samples: Sample[], results: Result[]): number {
  return samples.filter((s) => s.status === 'retracted').length + results.filter(isRetractedResult).length;
}

/**
 * Samples in the given order, each with its results by measurement time (then id); retracted samples and results
 * are left out unless `showRetracted`; superseded derived results always (their newer model's result is shown).
 */
export function groupSampleResults(samples: Sample[], results: Result[], showRetracted: boolean): SampleResults[] {
  const bySample = new Map<number, Result[]>();
  for (const result of results) {
    if ((!showRetracted && isRetractedResult(result)) || isSupersededResult(result)) continue;
    const list = bySample.get(result.sampleId) ?? [];
    list.push(result);
    bySample.set(result.sampleId, list);
  }
  for (const list of bySample.values()) list.sort((a, b) => (a.createdAt ?? '').localeCompare(b.createdAt ?? '') || a.id - b.id);
  return samples.filter((sample) => showRetracted || sample.status !== 'retracted').map((sample) => ({ sample, results: bySample.get(sample.id) ?? [] }));
}
