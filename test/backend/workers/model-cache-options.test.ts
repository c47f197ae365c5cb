import { describe, expect, it } from 'vitest';
import { DIMENSION_SCALED_PRIORS, fitGaussianProcess } from '../../../acquisition/models/gp/index.js';
import { createRandom } from '../../../acquisition/sampling/random.js';
import { ModelCache } from '../../../backend/workers/model-cache.js';

const rng = createRandom(9);
const X = Array.from({ length: 20 }, () => [rng.uniform(), rng.uniform()]);
const y = X.map(([a, b]) => Math.sin(5 * a) + b * b);

describe('ModelCache base options', () => {
  it('passes its base fit options (priors) to cold fits: the same model as a direct fit with them', () => {
    const cache = new ModelCache(undefined, undefined, { fit: { priors: DIMENSION_SCALED_PRIORS } });
    const cached = cache.fit(X, y);
    const direct = fitGaussianProcess(X, y, { seed: 0, priors: DIMENSION_SCALED_PRIORS });
    expect(cached.hyperparameters).toEqual(direct.hyperparameters);
    expect(cached.fitSummary!.logPrior).toBeLessThan(0);
  });

  it('warm-starts refits with no restarts by default, or with restartsOnRefit of them, keeping the priors', () => {
    const plain = new ModelCache(undefined, undefined, { fit: { priors: DIMENSION_SCALED_PRIORS } });
    plain.fit(X.slice(0, 18), y.slice(0, 18));
    const refit = plain.fit(X, y);
    expect(plain.stats.warmStarts).toBe(1);
    expect(refit.fitSummary!.starts).toBe(1);
    expect(refit.fitSummary!.logPrior).toBeLessThan(0);
    const restarting = new ModelCache(undefined, undefined, { fit: { priors: DIMENSION_SCALED_PRIORS }, restartsOnRefit: 2 });
    restarting.fit(X.slice(0, 18), y.slice(0, 18));
    expect(restarting.fit(X, y).fitSummary!.starts).toBe(3);
  });
});
