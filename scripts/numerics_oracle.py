#!/usr/bin/env python3
"""Reference values for the Numerics tests, computed with numpy, scipy and scikit-learn.

Inputs are raw little-endian files (float32 `.f32` or float64 `.f64`, row-major); the answer is
one JSON object on stdout.

  numerics_oracle.py pca X.f32 N D K
      -> {"components": [[..]*D]*K, "explained_variance": [..], "mean": [..]}
         (sklearn PCA, svd_solver="full": exact SVD of the centred data)
  numerics_oracle.py kmeans X.f32 N D K N_INIT SEED
      -> {"inertia": float, "labels": [..], "centers": [[..]]}   (sklearn KMeans, lloyd, k-means++)
  numerics_oracle.py kmeans_from X.f32 N D K MAX_ITER C1.f32 [C2.f32 ...]
      -> {"runs": [{"inertia", "labels", "centers", "n_iter"} per Ci]}
         (sklearn KMeans from initial centres Ci [K, D], n_init=1, lloyd)
  numerics_oracle.py percentile Q1,Q2,... V1.f64 [V2.f64 ...]
      -> {"values": [[np.percentile(Vi, q) for q] per Vi]}        (method="linear", numpy's default)
  numerics_oracle.py tquantile P1,P2,... DF1,DF2,...
      -> {"values": [[t.ppf(p, df) for p] for df]}                  (scipy.stats.t)
"""
import json
import sys

import numpy as np


def load(path, dtype, shape):
    a = np.fromfile(path, dtype=np.dtype(dtype).newbyteorder("<"))
    return a.reshape(shape)


def main(argv):
    cmd = argv[1]
    if cmd == "pca":
        from sklearn.decomposition import PCA
        path, n, d, k = argv[2], int(argv[3]), int(argv[4]), int(argv[5])
        x = load(path, np.float32, (n, d)).astype(np.float64)
        p = PCA(n_components=k, svd_solver="full").fit(x)
        out = {"components": p.components_.tolist(), "explained_variance": p.explained_variance_.tolist(),
               "mean": p.mean_.tolist()}
    elif cmd == "kmeans":
        from sklearn.cluster import KMeans
        path, n, d, k, n_init, seed = argv[2], int(argv[3]), int(argv[4]), int(argv[5]), int(argv[6]), int(argv[7])
        x = load(path, np.float32, (n, d))
        km = KMeans(n_clusters=k, init="k-means++", n_init=n_init, max_iter=100, tol=1e-4,
                    random_state=seed, algorithm="lloyd").fit(x)
        # inertia recomputed in float64 from sklearn's labels and centres (sklearn accumulates in float32)
        c = km.cluster_centers_.astype(np.float64)
        inertia = float(((x.astype(np.float64) - c[km.labels_]) ** 2).sum())
        out = {"inertia": inertia, "sklearn_inertia": float(km.inertia_), "labels": km.labels_.tolist(),
               "centers": km.cluster_centers_.tolist(), "n_iter": int(km.n_iter_)}
    elif cmd == "kmeans_from":
        from sklearn.cluster import KMeans
        path, n, d, k, max_iter = argv[2], int(argv[3]), int(argv[4]), int(argv[5]), int(argv[6])
        x = load(path, np.float32, (n, d))
        runs = []
        for cpath in argv[7:]:
            init = load(cpath, np.float32, (k, d))
            km = KMeans(n_clusters=k, init=init, n_init=1, max_iter=max_iter, tol=1e-4, algorithm="lloyd").fit(x)
            runs.append({"inertia": float(km.inertia_), "labels": km.labels_.tolist(),
                         "centers": km.cluster_centers_.tolist(), "n_iter": int(km.n_iter_)})
        out = {"runs": runs}
    elif cmd == "percentile":
        qs = [float(q) for q in argv[2].split(",")]
        out = {"values": [[float(np.percentile(np.fromfile(p, dtype="<f8"), q)) for q in qs] for p in argv[3:]]}
    elif cmd == "tquantile":
        from scipy.stats import t
        ps = [float(p) for p in argv[2].split(",")]
        dfs = [float(d) for d in argv[3].split(",")]
        out = {"values": [[float(t.ppf(p, df)) for p in ps] for df in dfs]}
    else:
        raise SystemExit(f"unknown command {cmd}")
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main(sys.argv)
