#!/usr/bin/env python3
"""Independent check of the report's plot data (numpy / scikit-learn).

Recomputes, from the raw latents (zarr 2), the frames table (pyarrow), the saved labels, distances,
PCA and norm stats, everything the evaluate step wrote for the plots:
  - {name}_lag{L}_plot_data.json: cluster sizes, effective flags, within-cluster variance per dim,
    VR vs kept fraction of the most confident assignments (train and eval), the 2-D PCA of the
    effective clusters' mean normalised Δx (scikit-learn PCA; coordinates up to sign);
  - k_sweep_lag{L}.json: every VR of every model from its saved labels (SPEC §5 definitions), the
    quartile sweep's labels re-derived from the saved PCA (bins on the leading p coordinates), and
    the configured model's labels being the main fit's.

Usage: check_plots.py --config FILE [--tol 1e-6]
Exit status 0 when everything agrees, 1 otherwise.
"""
import argparse
import json
import math
import os
import sys

import numpy as np
import pyarrow.parquet as pq
import yaml
import zarr
from sklearn.decomposition import PCA

FAILURES = []
CHECKED = [0]


def fail(msg):
    FAILURES.append(msg)
    print("MISMATCH:", msg)


def close(name, ours, ref, tol):
    CHECKED[0] += 1
    if isinstance(ref, float) and math.isnan(ref):
        if not (isinstance(ours, float) and math.isnan(ours)):
            fail(f"{name}: ours={ours} ref=NaN")
        return
    if not abs(float(ours) - float(ref)) <= tol * max(1.0, abs(float(ref))):
        fail(f"{name}: ours={ours!r} ref={ref!r}")


def vr(z, ids, means=None):
    """Pooled VR on already-filtered samples; `means` maps id -> fixed mean (else own means)."""
    if len(z) == 0:
        return float("nan")
    total = float(((z - z.mean(axis=0)) ** 2).sum())
    within = 0.0
    for c in np.unique(ids):
        zc = z[ids == c]
        m = zc.mean(axis=0) if means is None else means[c]
        within += float(((zc - m) ** 2).sum())
    if total == 0:
        return 0.0 if within == 0 else float("inf")
    return within / total


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", required=True)
    ap.add_argument("--tol", type=float, default=1e-6)
    args = ap.parse_args()
    cfg = yaml.safe_load(open(args.config))
    out = cfg["output"]
    cond_dir = out["conditioning_dir"]
    W = cfg.get("context", {}).get("window_size", 8)
    lags = cfg.get("context", {}).get("lags", [1, 2, 4])
    L = 1 if 1 in lags else min(lags)
    min_size = cfg.get("clustering", {}).get("min_cluster_size", 100)
    conditions = cfg["clustering"]["conditions"]

    tab = pq.read_table(out["frames_index"]).to_pydict()
    utt = np.asarray(tab["utterance_id"])
    t = np.asarray(tab["t"])
    n = len(t)
    is_train = np.asarray(tab["split"]) == "train"
    store = zarr.open(out["latents_dir"], mode="r")
    lat = {u: np.asarray(store[u]["x"][:], dtype=np.float32) for u in dict.fromkeys(utt.tolist())}
    D = next(iter(lat.values())).shape[1]
    dx = np.zeros((n, D), dtype=np.float32)
    for u, x in lat.items():
        idx = np.nonzero(utt == u)[0]
        dx[idx] = x[t[idx]] - x[t[idx] - 1]
    ns = json.load(open(os.path.join(cond_dir, f"norm_stats_lag{L}.json")))
    z = ((dx - np.asarray(ns["mu"], dtype=np.float32)) / np.asarray(ns["sigma"], dtype=np.float32)).astype(np.float64)
    val_path = os.path.join(out["splits_dir"], "train_utt_ids_val.txt")
    val_utts = set(l.strip() for l in open(val_path) if l.strip()) if os.path.exists(val_path) else set()
    is_val = is_train & np.isin(utt, list(val_utts))
    is_fit = is_train & ~is_val
    frame_index = np.arange(n)

    def n_ids(c):
        return 4 ** c["pca_dim"] if c["type"] == "pca_quartile" else c["k"]

    # Plot data.
    for c in conditions:
        name = c["name"]
        K = n_ids(c)
        pd = json.load(open(os.path.join(cond_dir, f"{name}_lag{L}_plot_data.json")))
        labels = np.load(os.path.join(cond_dir, f"{name}_lag{L}_labels.npy")).astype(np.int64)
        sizes = np.bincount(labels[is_train], minlength=K)
        ids = np.nonzero(sizes)[0]
        if pd["cluster_ids"] != ids.tolist() or pd["cluster_sizes"] != sizes[ids].tolist():
            fail(f"{name}: cluster ids/sizes differ")
        if pd["effective"] != (sizes[ids] >= min_size).tolist():
            fail(f"{name}: effective flags differ")
        for j, cid in enumerate(ids):
            zc = z[is_train & (labels == cid)]
            close(f"{name} within variance id {cid}", pd["within_variance"][j], float(((zc - zc.mean(axis=0)) ** 2).mean()), args.tol)
        eff = sizes >= min_size
        conf = pd.get("confidence")
        dist_path = os.path.join(cond_dir, f"{name}_lag{L}_distances.npy")
        if conf is None:
            fail(f"{name}: no confidence curves")
        else:
            dist = np.load(dist_path)
            for split, mask in (("train", is_train), ("eval", ~is_train)):
                inc = np.nonzero(mask & eff[labels])[0]
                order = inc[np.lexsort((frame_index[inc], dist[inc]))]
                for b, f in enumerate(conf["fractions"]):
                    kept = order[: int(math.floor(f * len(order) + 0.5))]
                    CHECKED[0] += 1
                    if conf[split]["n_samples"][b] != len(kept):
                        fail(f"{name} {split} f={f}: n_samples {conf[split]['n_samples'][b]} != {len(kept)}")
                    close(f"{name} {split} VR at kept fraction {f}", conf[split]["variance_ratio"][b], vr(z[kept], labels[kept]), args.tol)
        eff_ids = np.nonzero(eff)[0]
        if len(eff_ids) >= 3:
            means = np.stack([z[is_train & (labels == cid)].mean(axis=0) for cid in eff_ids]).astype(np.float32)
            p = PCA(n_components=2).fit(means.astype(np.float64))
            proj = p.transform(means.astype(np.float64))
            mp = pd["mean_pca"]
            if mp["ids"] != eff_ids.tolist():
                fail(f"{name}: mean PCA ids differ")
            for k, key in enumerate(("pc1", "pc2")):
                close(f"{name} mean PCA explained ratio {k}", mp["explained_variance_ratio"][k], float(p.explained_variance_ratio_[k]), 1e-4)
                ours = np.asarray(mp[key])
                ref = proj[:, k] * (1 if float(ours @ proj[:, k]) >= 0 else -1)
                close(f"{name} mean PCA {key} coordinates", float(np.abs(ours - ref).max()), 0.0, 1e-3 * max(1.0, float(np.abs(ref).max())))

    # K sweep.
    sweep_path = os.path.join(cond_dir, f"k_sweep_lag{L}.json")
    manifest_path = os.path.join(cond_dir, f"k_sweep_models_lag{L}.json")
    if cfg.get("metrics", {}).get("k_sweep", [8, 16, 32, 64, 128, 256]):
        sweep = json.load(open(sweep_path))
        manifest = json.load(open(manifest_path))
        for cs, cm in zip(sweep["conditions"], manifest["conditions"]):
            name = cs["condition"]
            c = next(x for x in conditions if x["name"] == name)
            for pt, m in zip(cs["points"], cm["models"]):
                K = pt["k"]
                where = f"k-sweep {name} K={K}"
                lab = np.load(os.path.join(cond_dir, m["labels"])).astype(np.int64)
                if pt["from_main_fit"] and m["labels"] != f"{name}_lag{L}_labels.npy":
                    fail(f"{where}: configured model does not use the main labels")
                sizes = np.bincount(lab[is_train], minlength=K)
                eff = sizes >= min_size
                CHECKED[0] += 1
                if pt["n_effective_clusters"] != int(eff.sum()):
                    fail(f"{where}: n_effective {pt['n_effective_clusters']} != {int(eff.sum())}")
                close(f"{where} excluded mass", pt["excluded_mass_train"], 1 - sizes[eff].sum() / is_train.sum(), 1e-12)
                tr = is_train & eff[lab]
                ev = ~is_train & eff[lab]
                close(f"{where} train VR", pt["train_variance_ratio"], vr(z[tr], lab[tr]), args.tol)
                close(f"{where} eval VR", pt["eval_variance_ratio"], vr(z[ev], lab[ev]), args.tol)
                train_means = {cid: z[tr & (lab == cid)].mean(axis=0) for cid in np.nonzero(eff)[0]}
                close(f"{where} eval VR (train means)", pt["eval_variance_ratio_train_means"], vr(z[ev], lab[ev], train_means), args.tol)
                if m.get("holdout_labels"):
                    hl = np.load(os.path.join(cond_dir, m["holdout_labels"])).astype(np.int64)
                    hs = np.bincount(hl[is_fit], minlength=K)
                    he = hs >= min_size
                    va = is_val & he[hl]
                    fit_means = {cid: z[is_fit & he[hl] & (hl == cid)].mean(axis=0) for cid in np.nonzero(he)[0]}
                    close(f"{where} hold-out VR", pt["holdout_variance_ratio"], vr(z[va], hl[va]), args.tol)
                    close(f"{where} hold-out VR (fit means)", pt["holdout_variance_ratio_fit_means"], vr(z[va], hl[va], fit_means), args.tol)
                if c["type"] == "pca_quartile" and not pt["from_main_fit"]:
                    # Bins on the first q coordinates of the condition's PCA, percentiles of the train frames.
                    q = pt["pca_dim"]
                    mean = np.load(os.path.join(cond_dir, f"{name}_lag{L}_pca_mean.npy"))
                    comps = np.load(os.path.join(cond_dir, f"{name}_lag{L}_pca_components.npy"))[:q]
                    flat = np.stack([lat[u][ti - L - W + 1: ti - L + 1].reshape(-1) for u, ti in zip(utt, t)])
                    proj = ((flat - mean) @ comps.T).astype(np.float32)
                    edges = np.percentile(proj[is_train].astype(np.float64), [25, 50, 75], axis=0).T.astype(np.float32)
                    ref = sum(np.digitize(proj[:, d], edges[d]) * 4 ** d for d in range(q))
                    agree = float((ref == lab).mean())
                    close(f"{where} quartile labels agree with numpy", agree, 1.0, 1e-3)

    print(f"{CHECKED[0]} values checked, {len(FAILURES)} mismatches")
    sys.exit(1 if FAILURES else 0)


if __name__ == "__main__":
    main()
