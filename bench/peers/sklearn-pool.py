"""scikit-learn reference loops for bench/pools.bench.ts.

A line protocol on stdin/stdout: each input line is one JSON job
{"id": str, "X": [[...]] (the pool, inputs scaled to the unit cube), "y": [...] (goal-signed: larger is better),
 "initial": [i, j], "budget": int, "strategy": "ei" | "lcb", "restarts": int, "seed": int};
the peer runs the whole campaign (one pick at a time until `budget` candidates are measured, the initial ones
included) and prints one JSON line {"id", "picks": [...], "seconds"}. End of input ends the peer.

The model is the plain reference of issue 13: Matern(nu=2.5) with ARD lengthscales times a constant plus a
WhiteKernel, normalize_y=True, n_restarts_optimizer=restarts (the bounds of bench/peers/sklearn-gp.py). Acquisition
on the unmeasured candidates with the std that gp.predict(return_std=True) returns (it includes the white noise, as
a plain loop has it): expected improvement over the best measured value (xi = 0), and the confidence bound
mu + 1.96 sigma (GP-LCB on the minimization form, scikit-optimize's default kappa).
"""
import json
import sys
import time
import warnings

import numpy as np
from scipy.stats import norm
from sklearn.exceptions import ConvergenceWarning
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel

KAPPA = 1.96


def campaign(job: dict) -> list:
    """The pick order of one reference campaign."""
    X = np.asarray(job["X"], dtype=float)
    y = np.asarray(job["y"], dtype=float)
    picked = [int(i) for i in job["initial"]]
    budget = min(int(job["budget"]), len(X))
    rng = np.random.RandomState(int(job["seed"]))
    d = X.shape[1]
    while len(picked) < budget:
        kernel = ConstantKernel(1.0, (1e-2, 1e2)) * Matern(length_scale=[0.5] * d, length_scale_bounds=(1e-2, 10.0), nu=2.5) \
            + WhiteKernel(1e-2, (1e-6, 10.0))
        gp = GaussianProcessRegressor(kernel=kernel, normalize_y=True, n_restarts_optimizer=job["restarts"], random_state=rng)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            gp.fit(X[picked], y[picked])
        mask = np.ones(len(X), dtype=bool)
        mask[picked] = False
        candidates = np.flatnonzero(mask)
        mu, sigma = gp.predict(X[candidates], return_std=True)
        sigma = np.maximum(sigma, 1e-12)
        if job["strategy"] == "ei":
            improvement = mu - y[picked].max()
            z = improvement / sigma
            score = improvement * norm.cdf(z) + sigma * norm.pdf(z)
        else:
            score = mu + KAPPA * sigma
        picked.append(int(candidates[int(np.argmax(score))]))
    return picked


def main() -> None:
    for line in sys.stdin:
        if not line.strip():
            continue
        job = json.loads(line)
        start = time.perf_counter()
        picks = campaign(job)
        print(json.dumps({"id": job["id"], "picks": picks, "seconds": time.perf_counter() - start}), flush=True)


if __name__ == "__main__":
    main()
