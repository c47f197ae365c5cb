import { describe, expect, it } from 'vitest';
import { bestSample, parityPoints } from '../../../acquisition/diagnostics/parity.js';
import { InvalidRequestError } from '../../../acquisition/errors.js';

describe('parity', () => {
  it('pairs each row with its held-out prediction', () => {
    expect(parityPoints([{ sampleId: 4, y: 1 }, { sampleId: 9, y: 2 }], { mean: [1.1, 1.8], std: [0.2, 0.3] })).toEqual([
      { sampleId: 4, measured: 1, predicted: 1.1, std: 0.2 },
      { sampleId: 9, measured: 2, predicted: 1.8, std: 0.3 },
    ]);
    expect(() => parityPoints([{ sampleId: 4, y: 1 }], { mean: [1, 2], std: [1, 1] })).toThrow(InvalidRequestError);
  });

  it('picks the best sample by goal', () => {
    const s = [{ value: 3 }, { value: 9 }, { value: 5.5 }];
    expect(bestSample(s, { name: 'y', goal: 'maximize' }).value).toBe(9);
    expect(bestSample(s, { name: 'y', goal: 'minimize' }).value).toBe(3);
    expect(bestSample(s, { name: 'y', goal: 'target', target: 6 }).value).toBe(5.5);
  });
});
