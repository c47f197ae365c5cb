"""scikit-learn peer for bench/gp-speed.bench.ts.

Reads one JSON job from stdin: {"X": [[...]], "y": [...], "restarts": int, "pool": [[...]], "chunk": int,
"repeats": int (optional, default 1)} and prints one JSON line: fit and predict seconds (wall and CPU; prediction
is repeated and the fastest wall time is reported with its CPU time, all wall times listed), the fitted kernel,
the log marginal likelihood and a checksum of the predictions. Matern(nu=2.5) with ARD lengthscales times a constant,
plus a WhiteKernel, normalize_y=True: the same model and bounds as twinlab's fitGaussianProcess.
"""
import json
import sys
import time

import numpy as np
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel


def main() -> None:
    job = json.load(sys.stdin)
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
    chunk = job["chunk"]
    predict_times = []
    for _ in range(max(1, int(job.get("repeats", 1)))):
        start, cpu_start = time.perf_counter(), time.process_time()
        means, stds = [], []
        for i in range(0, len(pool), chunk):
            m, s = gp.predict(pool[i:i + chunk], return_std=True)
            means.append(m)
            stds.append(s)
        predict_times.append((time.perf_counter() - start, time.process_time() - cpu_start))
    predict_seconds, predict_cpu = min(predict_times)
    mean = np.concatenate(means)
    # predict(return_std=True) includes the WhiteKernel noise; twinlab reports the latent f, so remove it.
    noise = gp.kernel_.k2.noise_level * gp._y_train_std ** 2
    std = np.sqrt(np.maximum(np.concatenate(stds) ** 2 - noise, 0.0))
    print(json.dumps({
        "fitSeconds": fit_seconds,
        "predictSeconds": predict_seconds,
        "fitCpuSeconds": fit_cpu,
        "predictCpuSeconds": predict_cpu,
        "predictSecondsAll": [t for t, _ in predict_times],
        "kernel": str(gp.kernel_),
        "logMarginalLikelihood": float(gp.log_marginal_likelihood_value_),
        "meanChecksum": float(mean.sum()),
        "stdChecksum": float(std.sum()),  # latent std, noise removed
    }))


if __name__ == "__main__":
    main()
