import { describe, expect, it } from 'vitest';
import { ACQUISITION_STRATEGIES } from '../../../../../../acquisition/suggest/registry.js';
import { aCampaign } from '../../../../support/wire-fixtures.js';
import { explainSuggestion, formatMeanStd, formatParamValue, strategyLabel, strategyTitle } from '../../../../../../frontend/src/lib/components/experiments/explain.js';

const campaign = aCampaign({ name: 'c', objectives: [{ name: 'flux', goal: 'maximize' }] });

describe('suggestion explanations', () => {
  it('formats mean ± std to 3 and 2 significant digits', () => {
    expect(formatMeanStd(12.3456, 0.04321)).toBe('12.3 ± 0.043');
    expect(formatMeanStd(undefined, 1)).toBe('—');
    expect(formatMeanStd(5, undefined)).toBe('5');
  });

  it('states rank, strategy (in plain words) and score; the per-objective reasons are the engine’s (board.ts)', () => {
    const item = { score: 0.51234, strategy: 'expected-improvement' };
    expect(explainSuggestion(item, 1)).toBe('Ranked #1 by expected improvement (score 0.512).');
    expect(explainSuggestion(item, 3)).toBe('Ranked #3 by expected improvement (score 0.512).');
    expect(explainSuggestion({ score: 0.72, strategy: 'ehvi' }, 1)).toBe('Ranked #1 by expected trade-off improvement (score 0.72).');
  });

  it('names strategies in plain words, with the code and what it ranks by in the tooltip; an unknown one as its code', () => {
    expect(strategyLabel('ehvi')).toBe('expected trade-off improvement');
    expect(strategyTitle('ehvi')).toMatch(/^Expected hypervolume improvement \(EHVI\): .*Pareto front.* Strategy code: ehvi\.$/);
    // Every strategy the engine knows has a plain name.
    for (const name of Object.keys(ACQUISITION_STRATEGIES)) expect(strategyLabel(name), name).not.toBe(name);
    expect(strategyLabel('some-new-strategy')).toBe('some-new-strategy');
    expect(strategyTitle('some-new-strategy')).toBe('Strategy code: some-new-strategy.');
  });

  it('explains picks made without a model as space-filling', () => {
    const item = { score: 0.7, strategy: 'space-filling' };
    expect(explainSuggestion(item, 1, false)).toBe(
      'Ranked #1 by space-filling design (score 0.7). No model is trained yet, so this point was chosen to cover the design space far from earlier experiments.',
    );
  });

  it('shortens numeric parameter values for display only', () => {
    expect(formatParamValue(20.105333938263357)).toBe('20.11');
    expect(formatParamValue(3)).toBe('3');
    expect(formatParamValue('PES')).toBe('PES');
  });
});
