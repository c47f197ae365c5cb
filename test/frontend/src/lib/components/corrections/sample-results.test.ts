import { describe, expect, it } from 'vitest';
import type { Result, Sample } from '../../../../../../frontend/src/lib/api/types.js';
import { activeResults, countRetracted, groupSampleResults } from '../../../../../../frontend/src/lib/components/corrections/sample-results.js';
import { aSample } from '../../../../support/wire-fixtures.js';

const sample = (id: number, status: Sample['status'] = 'measured'): Sample => aSample({ id, params: { x: id }, status });

function result(id: number, sampleId: number, createdAt: string, retractedAt: string | null = null): Result {
  return { id, campaignId: 1, sampleId, outcomes: { y: id }, idempotencyKey: null, source: 'test', createdAt, retractedAt, retractionReason: retractedAt ? 'bad' : null, corrections: 0, std: null, modelId: null, supersededAt: null };
}

const samples = [sample(1), sample(2, 'retracted'), sample(3, 'candidate')];
const results = [result(12, 1, '2026-01-02T00:00:00Z'), result(11, 1, '2026-01-01T00:00:00Z', '2026-01-05T00:00:00Z'), result(13, 2, '2026-01-03T00:00:00Z', '2026-01-04T00:00:00Z'), result(14, 1, '2026-01-02T00:00:00Z')];

describe('samples with their results', () => {
  it('hides retracted samples and results unless asked, keeping the sample order and measurement order', () => {
    const hidden = groupSampleResults(samples, results, false);
    expect(hidden.map((g) => [g.sample.id, g.results.map((r) => r.id)])).toEqual([
      [1, [12, 14]],
      [3, []],
    ]);
    const shown = groupSampleResults(samples, results, true);
    expect(shown.map((g) => [g.sample.id, g.results.map((r) => r.id)])).toEqual([
      [1, [11, 12, 14]],
      [2, [13]],
      [3, []],
    ]);
  });

  it('counts retracted samples and results for the toggle', () => {
    expect(countRetracted(samples, results)).toBe(3);
  });

  it('keeps for charts only results that are active and whose sample is not retracted', () => {
    const withActiveResultOfRetractedSample = [...results, result(15, 2, '2026-01-06T00:00:00Z')];
    expect(activeResults(withActiveResultOfRetractedSample, samples).map((r) => r.id)).toEqual([12, 14]);
  });

  it('leaves out derived results a newer model superseded, from the table and from the charts', () => {
    const superseded: Result = { ...result(16, 1, '2026-01-01T12:00:00Z'), source: 'image-analysis', std: { y: 1 }, modelId: 2, supersededAt: '2026-01-03T00:00:00Z' };
    const newer: Result = { ...result(17, 1, '2026-01-03T00:00:00Z'), source: 'image-analysis', std: { y: 1 }, modelId: 5 };
    const all = [...results, superseded, newer];
    expect(groupSampleResults(samples, all, true)[0].results.map((r) => r.id)).toEqual([11, 12, 14, 17]);
    expect(activeResults(all, samples).map((r) => r.id)).toEqual([12, 14, 17]);
  });
});
