import { describe, expect, it } from 'vitest';
import { aModel } from '../../../../support/wire-fixtures.js';
import type { ModelVersion, ObjectiveSurrogateView, PredictiveScores, SurrogateCandidateView } from '../../../../../../frontend/src/lib/api/types.js';
import {
  batchModelsText, candidateStatus, comparisonGroups, deciderName, diagnosticsChoices, evidenceSize, flagText, formatFixed, formatDifference, formatNats, formatNumber, formatPercent,
  modelTitle, rankedByBadges, reasonInWords,
} from '../../../../../../frontend/src/lib/components/models/surrogates.js';

function scores(logDensity: number, overrides: Partial<PredictiveScores> = {}): PredictiveScores {
  return { n: 40, folds: 5, logDensity, rmse: 1.2, r2: 0.8, coverage1Sigma: 0.7, coverage2Sigma: 0.95, meanStd: 1.1, ...overrides };
}

function candidate(modelId: number, overrides: Partial<SurrogateCandidateView> = {}): SurrogateCandidateView {
  return {
    kind: 'deep-ensemble', modelId, scores: scores(-1.2), gp: scores(-1.5), difference: { n: 40, meanDifference: 0.3, standardError: 0.05 },
    flags: [], usable: true, createdAt: '2026-12-07T08:00:00.000Z', ...overrides,
  };
}

describe('names of surrogate models', () => {
  it('names a network by kind and id and the GP as fitted at each suggestion', () => {
    expect(deciderName({ kind: 'deep-ensemble', modelId: 12 })).toBe('Deep ensemble #12');
    expect(deciderName({ kind: 'surgeon', modelId: 3 })).toBe('Surgeon ensemble #3');
    expect(deciderName({ kind: 'gp', modelId: 7 })).toBe('Gaussian process (fitted at each suggestion)');
    expect(modelTitle('gp', 7)).toBe('Gaussian process #7');
    expect(modelTitle('gp', null)).toBe('Gaussian process');
  });

  it('words the reason of a choice for the page: no "GP:" prefix, GP spelled out, a full sentence', () => {
    expect(reasonInWords('GP: no trained network yet')).toBe('No network has been trained for this objective yet.');
    expect(reasonInWords('GP: Deep ensemble #4 is not clearly better (+0.02 ± 0.05 nats)')).toBe('Deep ensemble #4 is not clearly better (+0.02 ± 0.05 nats)');
    expect(reasonInWords('Deep ensemble #4 predicts held-out results better than the GP: +0.3')).toBe('Deep ensemble #4 predicts held-out results better than the Gaussian process: +0.3.');
  });

  it('badges only the outcomes a network ranked, naming the outcome when there are several objectives', () => {
    const surrogates = { flux: { kind: 'deep-ensemble' as const, modelId: 12 }, rejection: { kind: 'gp' as const, modelId: 4 } };
    expect(rankedByBadges(surrogates, 1)).toEqual([{ outcome: 'flux', text: 'ranked by deep ensemble #12' }]);
    expect(rankedByBadges(surrogates, 2)).toEqual([{ outcome: 'flux', text: 'flux ranked by deep ensemble #12' }]);
    expect(rankedByBadges(undefined, 2)).toEqual([]);
    expect(rankedByBadges({ rejection: { kind: 'gp', modelId: null } }, 2)).toEqual([]);
  });
});

describe('the models behind a suggested batch', () => {
  it('names the GP record and each network that ranked an outcome, once', () => {
    const item = { surrogates: { thickness: { kind: 'deep-ensemble' as const, modelId: 2 }, roughness: { kind: 'gp' as const, modelId: 4 } } };
    expect(batchModelsText([item, item], 4)).toBe('Gaussian process #4, deep ensemble #2');
    expect(batchModelsText([{ surrogates: { thickness: { kind: 'surgeon', modelId: 7 } } }], 4)).toBe('surgeon ensemble #7');
  });

  it('falls back to the model id for runs that do not say, and says when there was no model', () => {
    expect(batchModelsText([{}], 4)).toBe('model #4');
    expect(batchModelsText([{ surrogates: {} }], null)).toBe('no model yet');
  });
});

describe('numbers of the comparison table', () => {
  it('formats log densities to hundredths, differences with sign and standard error, coverage as percent', () => {
    expect(formatNats(-1.23456)).toBe('−1.23');
    expect(formatNumber(-0.3412)).toBe('−0.341');
    expect(formatDifference(0.214, 0.051)).toBe('+0.21 ± 0.05');
    expect(formatDifference(-0.5, 0.1)).toBe('−0.50 ± 0.10');
    expect(formatDifference(0, null)).toBe('±0.00');
    expect(formatPercent(0.683)).toBe('68 %');
    expect(formatNumber(0.123456)).toBe('0.123');
    expect(formatFixed(1.11e-16)).toBe('0.00');
    expect(formatFixed(-1e-9)).toBe('0.00');
    expect(formatFixed(-3)).toBe('−3.00');
  });

  it('says how the held-out scores were measured', () => {
    expect(evidenceSize({ n: 12, folds: 12 })).toBe('12 results · leave-one-out');
    expect(evidenceSize({ n: 400, folds: 5 })).toBe('400 results · 5 folds');
  });

  it('shows a dash for values that arrive as null (NaN over JSON) or are missing', () => {
    expect(formatNumber(null)).toBe('—');
    expect(formatNats(undefined)).toBe('—');
    expect(formatPercent(Number.NaN)).toBe('—');
    expect(formatDifference(null, 0.1)).toBe('—');
  });
});

describe('verdicts', () => {
  const chosen = { kind: 'deep-ensemble' as const, modelId: 12 };

  it('says which candidate ranks suggestions, and why the others do not', () => {
    expect(candidateStatus(candidate(12), chosen)).toEqual({ tone: 'chosen', text: 'ranks suggestions' });
    expect(candidateStatus(candidate(11), chosen)).toEqual({ tone: 'ok', text: 'usable, not better by the margin' });
    expect(candidateStatus(candidate(10, { flags: ['worse-than-mean'] }), chosen).text).toBe('worse than predicting the mean (held-out R² < 0)');
    expect(candidateStatus(candidate(9, { usable: false, whyNot: '3 of its results were corrected' }), chosen)).toEqual({ tone: 'warn', text: 'not usable: 3 of its results were corrected' });
    // A network of another kind with the same id is not the chosen one.
    expect(candidateStatus(candidate(12, { kind: 'surgeon' }), chosen).tone).toBe('ok');
  });

  it('words an unknown flag from its name', () => {
    expect(flagText('too-few-rows')).toBe('too few rows');
  });
});

describe('comparison groups', () => {
  it('puts networks compared on the same folds under one GP row and others under their own', () => {
    const sameJob = [candidate(12), candidate(13, { kind: 'surgeon' })];
    const older = candidate(8, { gp: scores(-1.9, { n: 20 }) });
    const groups = comparisonGroups([...sameJob, older]);
    expect(groups.map((group) => group.networks.map((n) => n.modelId))).toEqual([[12, 13], [8]]);
    expect(groups.map((group) => group.gp.logDensity)).toEqual([-1.5, -1.9]);
  });
});

describe('diagnostics choices', () => {
  const models: ModelVersion[] = [
    aModel({ id: 14, kind: 'deep-ensemble', objective: 'rejection' }),
    aModel({ id: 13, kind: 'surgeon', objective: 'flux' }),
    aModel({ id: 12, kind: 'deep-ensemble', objective: 'flux' }),
    aModel({ id: 9, kind: 'gp', objective: null }),
    aModel({ id: 5, kind: 'gp', objective: null }),
  ];

  it('offers the model that ranks the objective first, then the GP and the other networks of that objective, newest first', () => {
    const view: ObjectiveSurrogateView = { objective: 'flux', chosen: { kind: 'deep-ensemble', modelId: 12 }, reason: 'better', candidates: [candidate(12)] };
    const choices = diagnosticsChoices('flux', view, models);
    expect(choices.map((c) => [c.kind, c.modelId, c.decides])).toEqual([
      ['deep-ensemble', 12, true],
      ['gp', 9, false],
      ['surgeon', 13, false],
    ]);
    expect(choices[0].label).toBe('Deep ensemble #12');
  });

  it('uses the GP record the report names, and the newest GP record when it names none', () => {
    const gpView: ObjectiveSurrogateView = { objective: 'rejection', chosen: { kind: 'gp', modelId: 5 }, reason: 'no better network', candidates: [] };
    expect(diagnosticsChoices('rejection', gpView, models).map((c) => [c.kind, c.modelId, c.decides])).toEqual([
      ['gp', 5, true],
      ['deep-ensemble', 14, false],
    ]);
    const noRecord: ObjectiveSurrogateView = { ...gpView, chosen: { kind: 'gp', modelId: null } };
    expect(diagnosticsChoices('rejection', noRecord, models)[0]).toMatchObject({ kind: 'gp', modelId: 9, decides: true, label: 'Gaussian process #9' });
  });

  it('without a report, lists the GP record and the networks with none marked as deciding', () => {
    const choices = diagnosticsChoices('flux', undefined, models);
    expect(choices.map((c) => c.modelId)).toEqual([9, 13, 12]);
    expect(choices.some((c) => c.decides)).toBe(false);
    expect(diagnosticsChoices('flux', undefined, [])).toEqual([]);
  });
});
