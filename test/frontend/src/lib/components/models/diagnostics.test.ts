import { describe, expect, it } from 'vitest';
import { diagnosticsOfObjective } from '../../../../../../frontend/src/lib/components/models/diagnostics.js';

describe('diagnostics of one objective', () => {
  const slice = { parameter: 'x', objective: 'a', x: [0, 1], mean: [1, 2], std: [0.1, 0.1], fixed: {} };
  const slice2d = { x: 'x', y: 'z', objective: 'b', xs: [0, 1], ys: [0, 1], mean: [[1, 2], [3, 4]], std: [[0, 0], [0, 0]], fixed: {} };

  it('keeps only the parity points and slices of the objective asked for (a GP record answers for every objective)', () => {
    const answer = {
      model: { id: 3, kind: 'gp' },
      parity: { a: [{ sampleId: 1, measured: 1, predicted: 1.1, std: 0.2 }], b: [{ sampleId: 2, measured: 2, predicted: 1.9, std: 0.1 }] },
      slices: [slice, { ...slice, objective: 'b' }, { ...slice, parameter: 'z' }],
      slices2d: [slice2d],
    };
    const a = diagnosticsOfObjective(answer, 'a');
    expect(a.parity).toEqual([{ sampleId: 1, measured: 1, predicted: 1.1, std: 0.2 }]);
    expect(a.slices.map((s) => `${s.objective}/${s.parameter}`)).toEqual(['a/x', 'a/z']);
    expect(a.slices2d).toEqual([]);
    expect(diagnosticsOfObjective(answer, 'b').slices2d).toEqual([slice2d]);
  });

  it('answers empty lists where the server sent no views of that kind', () => {
    expect(diagnosticsOfObjective({ model: { id: 3, kind: 'gp' }, parity: {}, slices: [] }, 'a')).toEqual({ objective: 'a', parity: [], slices: [], slices2d: [] });
  });
});
