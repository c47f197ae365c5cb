import { describe, expect, it } from 'vitest';
import type { ModelVersion } from '../../../../../../frontend/src/lib/api/types.js';
import { mergeDiagnostics, modelsOfNewestJob } from '../../../../../../frontend/src/lib/components/models/diagnostics.js';

describe('model diagnostics selection', () => {
  it('takes every model of the newest job, or the newest model alone without a job', () => {
    const models: ModelVersion[] = [
      { id: 9, kind: 'deep-ensemble', objective: 'b', jobId: 4 },
      { id: 8, kind: 'deep-ensemble', objective: 'a', jobId: 4 },
      { id: 7, kind: 'deep-ensemble', objective: 'a', jobId: 3 },
    ];
    expect(modelsOfNewestJob(models).map((m) => m.id)).toEqual([9, 8]);
    expect(modelsOfNewestJob([{ id: 5, kind: 'gp', jobId: null }, ...models]).map((m) => m.id)).toEqual([5]);
    expect(modelsOfNewestJob([])).toEqual([]);
  });

  it('merges parity by objective and concatenates slices, skipping missing answers', () => {
    const slice = { parameter: 'x', objective: 'a', x: [0, 1], mean: [1, 2], std: [0.1, 0.1] };
    const merged = mergeDiagnostics([
      { parity: { a: [{ measured: 1, predicted: 1.1, std: 0.2 }] }, slices: [slice] },
      null,
      { parity: { b: [{ measured: 2, predicted: 1.9 }] }, slices: [{ ...slice, objective: 'b' }] },
    ]);
    expect(Object.keys(merged!.parity!)).toEqual(['a', 'b']);
    expect(merged!.slices!.map((s) => s.objective)).toEqual(['a', 'b']);
    expect(merged!.slices2d).toEqual([]);
    expect(mergeDiagnostics([null])).toBeNull();
  });
});
