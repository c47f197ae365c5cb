"""scikit-learn peer for bench/gp-speed.bench.ts.

A line protocol on stdin/stdout, so that the benchmark can time sklearn's predictions in turn with its own:
the first line is a JSON job {"X": [[...]], "y": [...], "restarts": int, "pool": [[...]], "chunk": int}; the peer
fits and prints one JSON line (fit seconds, wall and CPU, the fitted kernel, the log marginal likelihood). Each
further line "predict" predicts mean and std for the pool in chunks and prints one JSON line (wall and CPU seconds and
checksums of the predictions). End of input ends the peer. Matern(nu=2.5) with ARD lengthscales times a constant,
plus a WhiteKernel, normalize_y=True: the same model and bounds as twinlab's fitGaussianProcess.
"""
import json
import sys
import time

import numpy as np
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel


def predict(gp: GaussianProcessRegressor, pool: np.ndarray, chunk: int) -> dict:
    """Timed mean and latent std for the pool, chunk rows at a time."""
    start, cpu_start = time.perf_counter(), time.process_time()
    means, stds = [], []
    for i in range(0, len(pool), chunk):
        m, s = gp.predict(pool[i:i + chunk], return_std=True)
        means.append(m)
        stds.append(s)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    # predict(return_std=True) includes the WhiteKernel noise; twinlab reports the latent f, so remove it.
    noise = gp.kernel_.k2.noise_level * gp._y_train_std ** 2
    std = np.sqrt(np.maximum(np.concatenate(stds) ** 2 - noise, 0.0))
    return {
        "predictSeconds": seconds,
        "predictCpuSeconds": cpu,
        "meanChecksum": float(np.concatenate(means).sum()),
        "stdChecksum": float(std.sum()),  # latent std, noise removed
    }


def main() -> None:
    job = json.loads(sys.stdin.readline())
    X = np.asarray(job["X"], dtype=float)
    y = np.asarray(job["y"], dtype=float)
    pool = np.asarray(job["pool"], dtype=float)
    d = X.shape[1]
    kernel = ConstantKernel(1.0, (1e-2, 1e2)) * Matern(length_scale=[0.5] * d, length_scale_bounds=(1e-2, 10.0), nu=2.5) \
        + WhiteKernel(1e-2, (1e-6, 10.0))
    gp = GaussianProcessRegressor(kernel=kernel, normalize_y=True, n_restarts_optimizer=job["restarts"], random_state=0)
    start, cpu_start = time.perf_counter(), time.process_time()
    gp.fit(X, y)
    fit_seconds, fit_cpu = time.perf_counter() - start, time.process_time() - cpu_start
    print(json.dumps({
        "fitSeconds": fit_seconds,
        "fitCpuSeconds": fit_cpu,
        "kernel": str(gp.kernel_),
        "logMarginalLikelihood": float(gp.log_marginal_likelihood_value_),
    }), flush=True)
    for line in sys.stdin:
        if line.strip() == "predict":
            print(json.dumps(predict(gp, pool, job["chunk"])), flush=True)


if __name__ == "__main__":
    main()
