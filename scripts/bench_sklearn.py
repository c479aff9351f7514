#!/usr/bin/env python3
"""scikit-learn side of `engram bench numerics`: the same k-means / PCA workloads on this machine.

  python3 scripts/bench_sklearn.py [--n 200000] [--d 512] [--k 256] [--iterations 3] [--threads 2] [--init]

Data: n points around k random centres (centres N(0, 2²), noise N(0, 1)), float32, as the Swift
bench generates (different random numbers, same distribution). Lloyd time per iteration is the
difference between max_iter = 1 + iterations and max_iter = 1 (tol = 0, fixed init = first k rows),
like the Swift bench. CPU time is process CPU (all threads).
"""
import argparse
import time

import numpy as np
from sklearn.cluster import KMeans, kmeans_plusplus
from sklearn.decomposition import PCA
from threadpoolctl import threadpool_limits


def timed(fn):
    w0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - w0, time.process_time() - c0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200_000)
    ap.add_argument("--d", type=int, default=512)
    ap.add_argument("--k", type=int, default=256)
    ap.add_argument("--iterations", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--init", action="store_true", help="also time the greedy k-means++ initialisation (slow)")
    a = ap.parse_args()
    rng = np.random.default_rng(7)
    centres = (2 * rng.standard_normal((a.k, a.d))).astype(np.float32)
    x = centres[rng.integers(0, a.k, a.n)] + rng.standard_normal((a.n, a.d), dtype=np.float32)
    init = x[: a.k].copy()
    print(f"scikit-learn {__import__('sklearn').__version__}, numpy {np.__version__}, threads {a.threads}")
    with threadpool_limits(a.threads):
        walls, cpus = [], []
        for max_iter in (1, 1 + a.iterations):
            km = KMeans(n_clusters=a.k, init=init, n_init=1, max_iter=max_iter, tol=0, algorithm="lloyd")
            _, w, c = timed(lambda: km.fit(x))
            walls.append(w); cpus.append(c)
        per = (walls[1] - walls[0]) / a.iterations
        per_cpu = (cpus[1] - cpus[0]) / a.iterations
        flops = 2 * a.n * a.k * a.d
        print(f"k-means Lloyd {a.n}x{a.d} K={a.k}: {per:.3f} s/iteration wall ({flops / per / 1e9:.1f} GFLOP/s), "
              f"{per_cpu:.3f} CPU-s/iteration ({flops / per_cpu / 1e9:.1f} GFLOP per CPU-second); "
              f"fit with 1 iteration {walls[0]:.2f} s")
        km = KMeans(n_clusters=a.k, init=init, n_init=1, max_iter=100, tol=1e-4, algorithm="lloyd")
        _, w, c = timed(lambda: km.fit(x))
        print(f"k-means Lloyd to convergence: {km.n_iter_} iterations, {w:.2f} s wall, {c:.2f} CPU-s, inertia {km.inertia_:.8g}")
        if a.init:
            _, w, c = timed(lambda: kmeans_plusplus(x - x.mean(axis=0), a.k, random_state=0))
            print(f"k-means++ init (greedy, {2 + int(np.log(a.k))} trials): {w:.2f} s wall, {c:.2f} CPU-s")
        p, w, c = timed(lambda: PCA(n_components=8).fit(x))
        print(f"PCA(8) {a.n}x{a.d} (svd_solver auto -> {p._fit_svd_solver}): {w:.2f} s wall, {c:.2f} CPU-s; "
              f"top variance {p.explained_variance_[0]:.4g}")


if __name__ == "__main__":
    main()
