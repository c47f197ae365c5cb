import { describe, expect, it } from 'vitest';
import { crossFittedCalibration } from '../../../acquisition/validation/calibration.js';
import { chooseSurrogate, SURROGATE_CHOICE_MARGIN } from '../../../acquisition/validation/choice.js';
import { crossValidationFolds, trainingRows } from '../../../acquisition/validation/folds.js';
import { crossValidateGaussianProcess } from '../../../acquisition/validation/gp-cross-validation.js';
import { pairedComparison, pointLogDensities, predictiveScores } from '../../../acquisition/validation/metrics.js';
import type { NetworkEvidence, PredictiveScores } from '../../../acquisition/validation/types.js';

const scores = (n: number, folds: number, r2: number): PredictiveScores => ({
  n, folds, logDensity: 0, rmse: 1, r2, coverage1Sigma: 0.68, coverage2Sigma: 0.95, meanStd: 1,
});

/** A network's evidence: its gain over the GP (nats per result) ± standard error, on n results in 5 folds. */
function network(modelId: number, meanDifference: number, standardError: number, extra: Partial<NetworkEvidence> = {}): NetworkEvidence {
  return {
    kind: 'deep-ensemble', modelId, scores: scores(412, 5, 0.8), gp: scores(412, 5, 0.7),
    difference: { n: 412, meanDifference, standardError }, flags: [], usable: true, ...extra,
  };
}

describe('chooseSurrogate (auto)', () => {
  it('keeps the GP without a trained network', () => {
    expect(chooseSurrogate('auto', [])).toEqual({ kind: 'gp', modelId: null, reason: 'GP: no trained network yet' });
  });

  it('picks a network that predicts held-out results clearly better, and says by how much on what evidence', () => {
    expect(chooseSurrogate('auto', [network(12, 0.31, 0.06)])).toEqual({
      kind: 'deep-ensemble', modelId: 12,
      reason: 'deep ensemble #12 predicts held-out results better than the GP: +0.31 ± 0.06 nats per result over 412 results (5 folds)',
    });
    const loo = network(4, 0.5, 0.1, { scores: scores(13, 13, 0.5) });
    expect(chooseSurrogate('auto', [loo]).reason).toContain('over 13 results (leave-one-out)');
  });

  it('needs both 2 standard errors and the margin', () => {
    // 0.1 < 2 × 0.06: within noise.
    expect(chooseSurrogate('auto', [network(12, 0.1, 0.06)])).toEqual({
      kind: 'gp', modelId: null, reason: 'GP: deep ensemble #12 is not clearly better (+0.10 ± 0.06 nats per result)',
    });
    // Many results make the error tiny, but 0.04 nats per result is below the margin.
    expect(chooseSurrogate('auto', [network(12, SURROGATE_CHOICE_MARGIN - 0.01, 0.001)]).kind).toBe('gp');
    expect(chooseSurrogate('auto', [network(12, SURROGATE_CHOICE_MARGIN, 0.01)]).kind).toBe('deep-ensemble');
    expect(chooseSurrogate('auto', [network(12, -0.2, 0.05)]).reason).toBe('GP: deep ensemble #12 is not clearly better (−0.20 ± 0.05 nats per result)');
  });

  it('never picks a network flagged worse than the mean, whatever its log density', () => {
    const flagged = network(7, 0.9, 0.05, { flags: ['worse-than-mean'], scores: scores(13, 13, -0.34) });
    expect(chooseSurrogate('auto', [flagged])).toEqual({
      kind: 'gp', modelId: null, reason: 'GP: deep ensemble #7 predicts worse than the mean (held-out R² −0.34)',
    });
  });

  it('never picks a network it cannot use now, and says why', () => {
    const stale = network(3, 0.9, 0.05, { usable: false, whyNot: 'trained on results since corrected' });
    expect(chooseSurrogate('auto', [stale])).toEqual({
      kind: 'gp', modelId: null, reason: 'GP: deep ensemble #3 cannot be used now (trained on results since corrected)',
    });
  });

  it('among several clearly better networks picks the largest gain', () => {
    const choice = chooseSurrogate('auto', [
      network(20, 0.2, 0.02),
      network(19, 0.4, 0.05, { kind: 'surgeon' }),
      network(18, 0.9, 0.05, { usable: false, whyNot: 'older design space' }),
    ]);
    expect(choice.kind).toBe('surgeon');
    expect(choice.modelId).toBe(19);
    expect(choice.reason).toMatch(/^Surgeon ensemble #19 predicts held-out results better than the GP: \+0\.40 ± 0\.05/);
  });
});

describe('chooseSurrogate (forced)', () => {
  it('gp: the GP', () => {
    expect(chooseSurrogate('gp', [network(12, 0.9, 0.01)])).toMatchObject({ kind: 'gp', modelId: null });
  });

  it('a network kind: the newest usable network of that kind, even when it is not better', () => {
    const candidates = [
      network(30, 0.9, 0.01, { kind: 'surgeon' }),
      network(29, 0.5, 0.01, { usable: false, whyNot: 'older design space' }),
      network(28, -0.1, 0.05, { flags: ['worse-than-mean'], scores: scores(13, 13, -1.01) }),
      network(27, 0.3, 0.05),
    ];
    const choice = chooseSurrogate('deep-ensemble', candidates);
    expect(choice).toMatchObject({ kind: 'deep-ensemble', modelId: 28 });
    expect(choice.reason).toBe(
      "deep ensemble #28: the campaign's surrogate setting asks for a deep ensemble; against the GP it scores −0.10 ± 0.05 nats per result over 13 results (leave-one-out); note that it predicts worse than the mean (held-out R² −1.01)",
    );
  });

  it('a network kind without a usable model of it: the GP, saying why', () => {
    expect(chooseSurrogate('surgeon', [network(5, 0.9, 0.01)])).toEqual({
      kind: 'gp', modelId: null, reason: "GP: the campaign's surrogate setting asks for a Surgeon ensemble, but no Surgeon ensemble is trained yet",
    });
    expect(chooseSurrogate('deep-ensemble', [network(5, 0.9, 0.01, { usable: false, whyNot: 'older design space' })])).toEqual({
      kind: 'gp', modelId: null, reason: "GP: the campaign's surrogate setting asks for a deep ensemble, but deep ensemble #5 cannot be used now (older design space)",
    });
  });
});

describe('the held-out evidence end to end', () => {
  it('keeps the GP on a smooth 1-D function with 15 points against a model that predicts the mean', () => {
    const X = Array.from({ length: 15 }, (_, i) => [i / 14]);
    const y = X.map(([x]) => Math.sin(4 * x) + 0.5 * x);
    const folds = crossValidationFolds(15, { folds: 5, seed: 0 });
    const gp = crossValidateGaussianProcess(X, y, folds, { seed: 0 });
    // The "network": each fold predicts its training rows' mean with their std, then calibrated by cross-fitting.
    const mean = new Float64Array(15), std = new Float64Array(15);
    for (const heldOut of folds) {
      const train = trainingRows(15, heldOut).map((i) => y[i]);
      const m = train.reduce((a, b) => a + b, 0) / train.length;
      const sd = Math.sqrt(train.reduce((a, b) => a + (b - m) ** 2, 0) / train.length);
      for (const i of heldOut) [mean[i], std[i]] = [m, sd];
    }
    const { calibrated } = crossFittedCalibration(y, { mean, std }, folds);
    const difference = pairedComparison(pointLogDensities(y, calibrated), pointLogDensities(y, gp));
    expect(difference.meanDifference).toBeLessThan(-1);
    const evidence = network(1, difference.meanDifference, difference.standardError, {
      scores: predictiveScores(y, calibrated, folds.length), gp: predictiveScores(y, gp, folds.length), difference,
    });
    expect(chooseSurrogate('auto', [evidence])).toMatchObject({ kind: 'gp', modelId: null });
  });
});
