import { describe, expect, it } from 'vitest';
import type { Campaign } from '../../../../../../frontend/src/lib/api/types.js';
import { explainSuggestion, formatMeanStd, formatParamValue } from '../../../../../../frontend/src/lib/components/experiments/explain.js';

const campaign: Campaign = { id: 1, name: 'c', parameters: [], objectives: [{ name: 'flux', goal: 'maximize' }] };

describe('suggestion explanations', () => {
  it('formats mean ± std to 3 and 2 significant digits', () => {
    expect(formatMeanStd(12.3456, 0.04321)).toBe('12.3 ± 0.043');
    expect(formatMeanStd(undefined, 1)).toBe('—');
    expect(formatMeanStd(5, undefined)).toBe('5');
  });

  it('calls a high relative std exploration and a low one exploitation', () => {
    const base = { params: {}, score: 0.51234, strategy: 'expected-improvement' };
    expect(explainSuggestion({ ...base, mean: { flux: 10 }, std: { flux: 5 } }, campaign, 0)).toBe(
      'Ranked #1 by expected-improvement (score 0.512). The model is unsure here (±5): measuring it teaches the model most.',
    );
    expect(explainSuggestion({ ...base, mean: { flux: 10 }, std: { flux: 0.5 } }, campaign, 1)).toContain('expects a good flux');
  });

  it('explains picks made without a model as space-filling', () => {
    const item = { params: {}, score: 0.7, strategy: 'space-filling', mean: { flux: 1 }, std: { flux: 0.1 } };
    expect(explainSuggestion(item, campaign, 0, false)).toBe(
      'Ranked #1 by space-filling (score 0.7). No model is trained yet, so this point was chosen to cover the design space far from earlier experiments.',
    );
  });

  it('shortens numeric parameter values for display only', () => {
    expect(formatParamValue(20.105333938263357)).toBe('20.11');
    expect(formatParamValue(3)).toBe('3');
    expect(formatParamValue('PES')).toBe('PES');
  });
});
