import { describe, expect, it } from 'vitest';
import type { Campaign, SampleStatus, SuggestionItem, SuggestionRun } from '../../../../../../frontend/src/lib/api/types.js';
import {
  headingWithUnit, openBatches, outcomeUnit, paramText, percent, predictionText, reasonLines, reasonShort, reasonText,
} from '../../../../../../frontend/src/lib/components/experiments/board.js';

const item = (sampleId: number): SuggestionItem => ({ sampleId, params: { x: sampleId }, mean: { y: 1 }, std: { y: 0.1 }, score: 1, strategy: 'expected-improvement' });
const run = (id: number, sampleIds: number[]): SuggestionRun => ({ id, strategy: 'expected-improvement', seed: id, modelId: 7, surrogates: {}, settings: {}, items: sampleIds.map(item), createdAt: null });

describe('open batches from stored runs', () => {
  const statusOf = new Map<number, SampleStatus>([[1, 'pending'], [2, 'running'], [3, 'measured'], [4, 'pending'], [5, 'failed']]);

  it('keeps each run’s pending and running items with their rank in the run, newest run first, and drops closed runs', () => {
    const batches = openBatches([run(20, [4, 5]), run(10, [1, 2, 3]), run(5, [3])], statusOf);
    expect(batches.map((b) => [b.suggestionId, b.items.map((e) => [e.item.sampleId, e.rank])])).toEqual([
      [20, [[4, 1]]],
      [10, [[1, 1], [2, 2]]],
    ]);
  });

  it('shows a sample suggested again on its newest run only; items shown on the page stay until measured through it', () => {
    expect(openBatches([run(20, [1]), run(10, [1, 2])], statusOf).map((b) => b.items.map((e) => e.item.sampleId))).toEqual([[1], [2]]);
    const shown = new Set([3]);
    expect(openBatches([run(10, [1, 3])], statusOf, shown).map((b) => b.items.map((e) => e.item.sampleId))).toEqual([[1, 3]]);
    expect(openBatches([run(10, [1, 3])], statusOf, shown, new Set([3])).map((b) => b.items.map((e) => e.item.sampleId))).toEqual([[1]]);
    // An unknown sample (released, retracted or gone) is not open.
    expect(openBatches([run(10, [99])], statusOf)).toEqual([]);
  });
});

describe('units and reasons on the board', () => {
  const campaign: Pick<Campaign, 'objectives' | 'imageMeasurements' | 'parameters'> = {
    parameters: [{ name: 'T', type: 'continuous', min: 0, max: 100, unit: '°C' }, { name: 'solvent', type: 'categorical', choices: ['DMF'] }],
    objectives: [{ name: 'pore', goal: 'target', target: 30, tolerance: 3, unit: 'nm' }, { name: 'strength', goal: 'maximize', unit: 'MPa' }, { name: 'order', goal: 'maximize' }],
    imageMeasurements: [{ name: 'porosity', quantity: 'area-fraction', class: 'pore', unit: 'fraction' }],
  };

  it('finds units of objectives and image measurements, and writes headings and values with them', () => {
    expect(outcomeUnit(campaign, 'pore')).toBe('nm');
    expect(outcomeUnit(campaign, 'porosity')).toBe('fraction');
    expect(outcomeUnit(campaign, 'order')).toBeUndefined();
    expect(headingWithUnit('T', '°C')).toBe('T [°C]');
    expect(headingWithUnit('order', undefined)).toBe('order');
    expect(predictionText(29.456, 1.234, 'nm')).toBe('29.5 ± 1.2 nm');
    expect(predictionText(undefined, 1, 'nm')).toBe('—');
    expect(paramText(26.54321, 'wt%')).toBe('26.54 wt%');
    expect(paramText('DMF', 'wt%')).toBe('DMF');
  });

  it('phrases each reason kind in the outcome’s unit, with honest ends of the percentage', () => {
    expect(reasonText({ outcome: 'pore', kind: 'target-band', lower: 0.4, upper: 0.6, probability: 0.7213 }, undefined)).toBe('P(in 0.4–0.6 target) = 72 %');
    expect(reasonText({ outcome: 'pore', kind: 'target-band', lower: 27, upper: 33, probability: 0.999 }, 'nm')).toBe('P(in 27–33 nm target) > 99 %');
    expect(reasonText({ outcome: 's', kind: 'improvement', goal: 'maximize', best: 12.1, expectedImprovement: 1.2999, probability: 0.4 }, 'MPa')).toBe(
      'expected +1.3 MPa over the best so far (12.1 MPa); P(better) = 40 %',
    );
    expect(reasonText({ outcome: 'r', kind: 'improvement', goal: 'minimize', best: 2.1, expectedImprovement: 0.4, probability: 0.003 }, 'nm')).toBe(
      'expected 0.4 nm lower than the best so far (2.1 nm); P(better) < 1 %',
    );
    expect(reasonText({ outcome: 'rej', kind: 'constraint', op: '>=', value: 0.9, probability: 0.85 }, undefined)).toBe('P(≥ 0.9) = 85 %');
    expect(reasonText({ outcome: 't', kind: 'target-distance', target: 30, expectedDistance: 2.05 }, 'nm')).toBe('expected 2.05 nm from the 30 nm target');
    expect(percent(Number.NaN)).toBe('—');
    // The table's few words (its heading names the outcome and unit).
    expect(reasonShort({ outcome: 'pore', kind: 'target-band', lower: 27, upper: 33, probability: 0.95 })).toBe('P(in target) 95 %');
    expect(reasonShort({ outcome: 's', kind: 'improvement', goal: 'maximize', best: 12.1, expectedImprovement: 39.31, probability: 0.16 })).toBe('+39.3 vs best, P 16 %');
    expect(reasonShort({ outcome: 'r', kind: 'improvement', goal: 'minimize', best: 2, expectedImprovement: 0.2, probability: 0.5 })).toBe('−0.2 vs best, P 50 %');
    expect(reasonShort({ outcome: 'rej', kind: 'constraint', op: '<=', value: 5, probability: 0.999 })).toBe('P(≤ 5) > 99 %');
    expect(reasonShort({ outcome: 't', kind: 'target-distance', target: 30, expectedDistance: 2.05 })).toBe('2.05 from target');
  });

  it('gives one line per stored reason with its outcome, and none for runs recorded before reasons', () => {
    const lines = reasonLines({ reasons: [{ outcome: 'strength', kind: 'improvement', goal: 'maximize', best: 10, expectedImprovement: 0.5, probability: 0.3 }] }, campaign);
    expect(lines).toEqual([{ outcome: 'strength', text: 'expected +0.5 MPa over the best so far (10 MPa); P(better) = 30 %', title: expect.stringContaining('Expected improvement') }]);
    expect(reasonLines({}, campaign)).toEqual([]);
  });
});
