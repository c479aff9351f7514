#!/usr/bin/env python3
"""scikit-learn doing the work of `engram phase0 fit` + `evaluate` on one of our stores (side by side).

Reads our latents store (zarr 2), frames table (pyarrow), splits and config, then does the same fits
and assignments with scikit-learn's defaults for the same settings, and the evaluate step's metrics
with vectorised numpy:

  per lag, for the full fit (all train frames) and the hold-out fit (train_utt_train frames):
    mean_pool_vq  KMeans(k, n_init, max_iter, init="k-means++", algorithm="lloyd") on the [n, D] window
                  means, predict() of every frame
    pca_vq        PCA(pca_dim) (svd_solver "auto") on the [n, W*D] flat contexts, transform of every frame,
                  KMeans(k, ...) on the projections, predict()
    pca_quartile  np.percentile edges per PCA coordinate, digitize
  k-sweep at the plot lag (refits with n_init 3 on at most k_sweep_max_samples evenly spaced rows,
  quartile sweep p = 1..pca_dim);
  evaluate: normalised dx, per condition x lag x slice x split the pooled VR, entropy, per-speaker VR,
  random baselines and hold-out VR from one-hot group sums (scipy.sparse products).

Prints wall / CPU seconds per piece and in total. It does not check results (check_phase0.py does);
it measures what the same work costs with scikit-learn on this machine.

  python3 scripts/bench_sklearn_phase0.py --config DIR/phase0.yaml [--threads 2] [--lags 1,2,4]
                                          [--no-sweep] [--no-evaluate]
"""
import argparse
import os
import time

import numpy as np
import pyarrow.parquet as pq
import scipy.sparse as sp
import yaml
import zarr
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from threadpoolctl import threadpool_limits

TIMES = []


class timed:
    def __init__(self, name):
        self.name = name

    def __enter__(self):
        self.w, self.c = time.perf_counter(), time.process_time()

    def __exit__(self, *a):
        w, c = time.perf_counter() - self.w, time.process_time() - self.c
        TIMES.append((self.name, w, c))
        print(f"{self.name}: {w:.1f} s wall, {c:.1f} CPU-s", flush=True)


def kmeans(x, k, n_init, max_iter, seed):
    return KMeans(n_clusters=k, init="k-means++", n_init=n_init, max_iter=max_iter, tol=1e-4,
                  algorithm="lloyd", random_state=seed).fit(x)


def group_sums(z, ids, n_groups):
    """Counts, sums [G, D] and sums of squares [G, D] of z's rows grouped by ids (ids < 0 dropped)."""
    keep = ids >= 0
    zk, ik = z[keep], ids[keep]
    m = sp.csr_matrix((np.ones(len(ik)), (ik, np.arange(len(ik)))), shape=(n_groups, len(ik)))
    return np.asarray(m.sum(axis=1)).ravel(), m @ zk, m @ (zk * zk)


def pooled(cnt, s, q, means=None):
    """VR and conditional-entropy terms from group sums."""
    n = cnt.sum()
    if n == 0:
        return float("nan"), float("nan")
    tot_mean = s.sum(axis=0) / n
    total = float((q.sum(axis=0) - n * tot_mean ** 2).sum())
    nz = cnt > 0
    m = s[nz] / cnt[nz, None] if means is None else means[nz]
    within = float((q[nz] - 2 * m * s[nz] + cnt[nz, None] * m ** 2).sum())
    var = np.maximum((q[cnt > 1] / cnt[cnt > 1, None]) - (s[cnt > 1] / cnt[cnt > 1, None]) ** 2, 1e-10)
    h_cond = float((0.5 * np.log(var).sum(axis=1) * cnt[cnt > 1]).sum() / max(cnt[cnt > 1].sum(), 1))
    return within / total if total > 0 else float("nan"), h_cond


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--lags", default=None, help="comma-separated subset of the config's lags")
    ap.add_argument("--no-sweep", action="store_true")
    ap.add_argument("--no-evaluate", action="store_true")
    a = ap.parse_args()
    cfg = yaml.safe_load(open(a.config))
    out = cfg["output"]
    W = cfg.get("context", {}).get("window_size", 8)
    lags = cfg.get("context", {}).get("lags", [1, 2, 4])
    run_lags = [int(v) for v in a.lags.split(",")] if a.lags else lags
    cl = cfg.get("clustering", {})
    n_init, max_iter = cl.get("n_init", 10), cl.get("max_iter", 100)
    conds = cl["conditions"]
    min_size = cl.get("min_cluster_size", 100)
    met = cfg.get("metrics", {})
    sweep = met.get("k_sweep", [8, 16, 32, 64, 128, 256])
    cap = met.get("k_sweep_max_samples", 250_000)
    seed = cfg.get("seed", 42)
    slices = cfg.get("slices", [{"name": "all", "filter": None}, {"name": "high_energy", "filter": "energy_above_median"},
                                {"name": "utterance_medial", "filter": "pos_frac_0.17_0.83"}])

    with threadpool_limits(a.threads):
        with timed("load latents + frames"):
            tab = pq.read_table(out["frames_index"]).to_pydict()
            fr = {k: np.asarray(v) for k, v in tab.items()}
            utt = fr["utterance_id"]
            order = list(dict.fromkeys(utt.tolist()))
            store = zarr.open(out["latents_dir"], mode="r")
            xs = [np.asarray(store[u]["x"][:], dtype=np.float32) for u in order]
            offs = np.cumsum([0] + [len(x) for x in xs])
            X = np.concatenate(xs)
            del xs
            uidx = {u: i for i, u in enumerate(order)}
            trow = offs[np.array([uidx[u] for u in utt])] + fr["t"]  # global row of each target
            is_train = fr["split"] == "train"
            val = set(l.strip() for l in open(os.path.join(out["splits_dir"], "train_utt_ids_val.txt")) if l.strip())
            is_val = is_train & np.isin(utt, list(val))
            is_fit = is_train & ~is_val
        n, D = len(trow), X.shape[1]
        print(f"{n} frames ({is_train.sum()} train, {is_fit.sum()} hold-out fit), D={D}, sklearn threads {a.threads}")
        labels = {}

        def mean_feats(rows, L):
            c = np.zeros((len(rows), D), dtype=np.float32)
            for w in range(W):
                c += X[rows - L - W + 1 + w]
            return c / np.float32(W)

        def flat(rows, L):
            return np.concatenate([X[rows - L - W + 1 + w] for w in range(W)], axis=1)

        def transform_all(pca, L):
            outp = np.empty((n, pca.n_components_), dtype=np.float32)
            for b in range(0, n, 65536):
                outp[b:b + 65536] = pca.transform(flat(trow[b:b + 65536], L))
            return outp

        def sample(m):
            idx = np.nonzero(m)[0]
            if cap and len(idx) > cap:
                idx = idx[(np.arange(cap) * len(idx)) // cap]
            return idx

        for L in run_lags:
            allmean = None
            for c in conds:
                for h, mask in ((False, is_train), (True, is_fit)):
                    name = f"lag {L} {c['name']}{' hold-out' if h else ''}"
                    with timed(f"fit {name}"):
                        if c["type"] == "mean_pool_vq":
                            if allmean is None:
                                allmean = mean_feats(trow, L)
                            km = kmeans(allmean[mask], c["k"], n_init, max_iter, seed)
                            labels[(c["name"], L, h)] = km.predict(allmean)
                        else:
                            pca = PCA(n_components=c["pca_dim"]).fit(flat(trow[mask], L))
                            proj = transform_all(pca, L)
                            if c["type"] == "pca_vq":
                                km = kmeans(proj[mask], c["k"], n_init, max_iter, seed)
                                labels[(c["name"], L, h)] = km.predict(proj)
                            else:
                                p = c["pca_dim"]
                                edges = np.percentile(proj[mask], [25, 50, 75], axis=0)
                                ids = np.zeros(n, dtype=np.int64)
                                for j in range(p):
                                    ids = ids * 4 + np.digitize(proj[:, j], edges[:, j], right=True)
                                labels[(c["name"], L, h)] = ids
                                if not a.no_sweep and L == lags[0] and sweep:
                                    for q in range(1, p):
                                        e = edges[:, :q]
                                        ids = np.zeros(n, dtype=np.int64)
                                        for j in range(q):
                                            ids = ids * 4 + np.digitize(proj[:, j], e[:, j], right=True)
                            if c["type"] == "pca_vq" and not a.no_sweep and L == lags[0]:
                                for K in sweep:
                                    if K != c["k"]:
                                        kmeans(proj[sample(mask)], K, min(3, n_init), max_iter, seed).predict(proj)
                    if c["type"] == "mean_pool_vq" and not a.no_sweep and L == lags[0] and sweep:
                        with timed(f"k-sweep {name}"):
                            for K in sweep:
                                if K != c["k"]:
                                    kmeans(allmean[sample(mask)], K, min(3, n_init), max_iter, seed).predict(allmean)
            del allmean

        if not a.no_evaluate:
            with timed("evaluate"):
                dx = X[trow] - X[trow - 1]
                mu, sig = dx[is_train].mean(axis=0), np.maximum(dx[is_train].std(axis=0), 1e-6)
                z = ((dx - mu) / sig).astype(np.float64)
                del dx
                spk = np.unique(fr["speaker_id"], return_inverse=True)[1]
                rng = np.random.default_rng(seed)
                for (name, L, h), lab in labels.items():
                    if h:
                        continue
                    G = int(lab.max()) + 1
                    cnt = np.bincount(lab[is_train], minlength=G)
                    dense = np.where(cnt >= min_size, np.cumsum(cnt >= min_size) - 1, -1)
                    ids = dense[lab]
                    tr = group_sums(z[is_train], ids[is_train], int((cnt >= min_size).sum()))
                    means = tr[1] / np.maximum(tr[0], 1)[:, None]
                    hl = labels.get((name, L, True))
                    for s in slices:
                        f = s.get("filter")
                        m = np.ones(n, bool) if f is None else (fr["is_high_energy"] if f == "energy_above_median" else
                                                                (fr["pos_frac"] >= float(f.split("_")[2])) & (fr["pos_frac"] <= float(f.split("_")[3])))
                        for split in (is_train, ~is_train):
                            sel = m & split
                            g = group_sums(z[sel], ids[sel], len(means))
                            pooled(*g)
                            pooled(*g, means=means)
                            perm = ids[sel].copy()
                            rng.shuffle(perm)
                            pooled(*group_sums(z[sel], perm, len(means)))
                            # per speaker: groups (speaker, cluster)
                            sg = np.where(ids[sel] >= 0, spk[sel] * len(means) + ids[sel], -1)
                            group_sums(z[sel], sg, (spk.max() + 1) * len(means))
                        if hl is not None:
                            sel = m & is_val
                            pooled(*group_sums(z[sel], hl[sel], int(hl.max()) + 1))
    total_w = sum(t[1] for t in TIMES)
    total_c = sum(t[2] for t in TIMES)
    print(f"TOTAL: {total_w:.1f} s wall, {total_c:.1f} CPU-s")


if __name__ == "__main__":
    main()
