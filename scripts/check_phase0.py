#!/usr/bin/env python3
"""Independent check of a Phase 0 run (SPEC §3-§5) with numpy / scikit-learn / scipy.

Reads the latents store (zarr 2), the frames table (pyarrow), the saved conditioning files
(norm stats, models, per-frame labels) and metrics.json, recomputes every metric of every record
from the raw latents with the research pipeline's definitions, and compares (absolute tolerance
--tol, relative for the SSE sums). Also re-derives the assignments from the saved models and
checks the frame table against the store.

Usage: check_phase0.py --config FILE [--tol 1e-4] [--deep]
  --deep: also refit PCA with scikit-learn and compare the subspace, and k-means inertia against
          scikit-learn's KMeans (same n_init) — slow on big runs.
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
from scipy import stats as sstats

FAILURES = []
CHECKED = [0]


def fail(msg):
    FAILURES.append(msg)
    print("MISMATCH:", msg)


def close(name, ours, ref, tol, rel=False):
    CHECKED[0] += 1
    if ours is None or ref is None:
        if ours is not ref:
            fail(f"{name}: ours={ours} ref={ref}")
        return
    if isinstance(ref, float) and math.isnan(ref):
        if not (isinstance(ours, float) and math.isnan(ours)):
            fail(f"{name}: ours={ours} ref=NaN")
        return
    if isinstance(ref, float) and math.isinf(ref):
        if ours != ref:
            fail(f"{name}: ours={ours} ref={ref}")
        return
    scale = max(1.0, abs(ref)) if rel else 1.0
    if not (abs(float(ours) - float(ref)) <= tol * scale):
        fail(f"{name}: ours={ours!r} ref={ref!r} diff={abs(float(ours) - float(ref)):.3g}")


def slice_mask(filt, frames):
    if filt is None:
        return np.ones(len(frames["t"]), dtype=bool)
    if filt == "energy_above_median":
        return frames["is_high_energy"].copy()
    parts = filt.split("_")
    a, b = float(parts[2]), float(parts[3])
    p = frames["pos_frac"].astype(np.float32)
    return (p >= np.float32(a)) & (p <= np.float32(b))


def variance_ratio(z, ids, means=None):
    """Research pipeline's compute_variance_ratio on already-filtered samples (float64)."""
    n = len(z)
    if n == 0:
        return float("nan"), 0.0, 0.0
    total = float(((z - z.mean(axis=0)) ** 2).sum())
    within = 0.0
    for c in np.unique(ids):
        zc = z[ids == c]
        m = zc.mean(axis=0) if means is None else means[c]
        within += float(((zc - m) ** 2).sum())
    if total == 0:
        return (0.0 if within == 0 else float("inf")), within, total
    return within / total, within, total


def entropy(z):
    v = np.maximum(z.var(axis=0), 1e-10)
    return 0.5 * float(np.log(v).sum())


def entropy_reduction(z, ids):
    h = entropy(z)
    ws, tot = 0.0, 0
    for c in np.unique(ids):
        zc = z[ids == c]
        if len(zc) < 2:
            continue
        ws += entropy(zc) * len(zc)
        tot += len(zc)
    hc = ws / tot if tot > 0 else float("nan")
    if math.isnan(h) or math.isnan(hc):
        red = float("nan")
    elif h == 0:
        red = 0.0 if hc == 0 else float("-inf")
    else:
        red = (h - hc) / h
    return red, h, hc


def speaker_stats(z, ids, spk):
    per = {}
    for s in np.unique(spk):
        m = spk == s
        if m.sum() < 50:
            continue
        vr, _, _ = variance_ratio(z[m], ids[m])
        er, _, _ = entropy_reduction(z[m], ids[m])
        per[int(s)] = (int(m.sum()), vr, er, len(np.unique(ids[m])))
    vals = [v[1] for v in per.values() if not math.isnan(v[1])]
    if vals:
        mean, std, mn, mx = float(np.mean(vals)), float(np.std(vals)), float(np.min(vals)), float(np.max(vals))
    else:
        mean = std = mn = mx = float("nan")
    lo = hi = float("nan")
    if len(vals) >= 2:
        lo, hi = sstats.t.interval(0.95, len(vals) - 1, loc=np.mean(vals), scale=sstats.sem(vals))
        lo, hi = float(lo), float(hi)
    return per, mean, std, lo, hi, mn, mx


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", required=True)
    ap.add_argument("--tol", type=float, default=1e-4)
    ap.add_argument("--deep", action="store_true")
    args = ap.parse_args()
    cfg = yaml.safe_load(open(args.config))
    out = cfg["output"]
    W = cfg.get("context", {}).get("window_size", 8)
    lags = cfg.get("context", {}).get("lags", [1, 2, 4])
    seed = cfg.get("seed", 42)
    min_size = cfg.get("clustering", {}).get("min_cluster_size", 100)
    slices = {s["name"]: s.get("filter") for s in cfg.get("slices", [
        {"name": "all", "filter": None}, {"name": "high_energy", "filter": "energy_above_median"},
        {"name": "utterance_medial", "filter": "pos_frac_0.17_0.83"}])}
    cond_dir = out["conditioning_dir"]

    # Frames table.
    tab = pq.read_table(out["frames_index"]).to_pydict()
    frames = {k: np.asarray(v) for k, v in tab.items()}
    n = len(frames["t"])
    utt = frames["utterance_id"]
    is_train = frames["split"] == "train"

    # Latents; Δx of every frame; frame-table checks against the store.
    store = zarr.open(out["latents_dir"], mode="r")
    max_lag = max(lags)
    first_valid = max(W - 1 + max_lag, 1)
    order_utts = list(dict.fromkeys(utt.tolist()))
    lat = {}
    dx = None
    train_energy = []
    row = 0
    for u in order_utts:
        x = np.asarray(store[u]["x"][:], dtype=np.float32)
        e = np.asarray(store[u]["energy"][:], dtype=np.float32)
        lat[u] = x
        ts = frames["t"][utt == u]
        T = x.shape[0]
        if not np.array_equal(ts, np.arange(first_valid, T)):
            fail(f"frames of {u}: t values are not [{first_valid}, {T})")
        if frames["split"][utt == u][0] == "train":
            train_energy.append(e)
        if dx is None:
            dx = np.zeros((n, x.shape[1]), dtype=np.float32)
        idx = np.nonzero(utt == u)[0]
        dx[idx] = x[ts] - x[ts - 1]
        close(f"pos_frac {u}", float(np.abs(frames["pos_frac"][idx] - ts / T).max()), 0.0, 1e-12)
        close(f"energy {u}", float(np.abs(frames["energy"][idx] - e[ts]).max()), 0.0, 0.0)
    med = np.median(np.concatenate(train_energy))
    if not np.array_equal(frames["is_high_energy"], frames["energy"] > med):
        fail("is_high_energy differs from energy > median(train energies)")

    # Normalisation.
    ns = json.load(open(os.path.join(cond_dir, f"norm_stats_lag{lags[0]}.json")))
    mu = np.asarray(ns["mu"], dtype=np.float32)
    sigma = np.asarray(ns["sigma"], dtype=np.float32)
    d_tr = dx[is_train].astype(np.float64)
    close("norm mu", float(np.abs(mu - d_tr.mean(axis=0)).max()), 0.0, 1e-5 * max(1.0, float(np.abs(d_tr).max())))
    close("norm sigma", float(np.abs(sigma - np.maximum(d_tr.std(axis=0), 1e-6)).max()), 0.0,
          1e-5 * max(1.0, float(d_tr.std(axis=0).max())))
    close("norm n_samples", ns["n_samples"], int(is_train.sum()), 0)
    for L in lags:
        o = json.load(open(os.path.join(cond_dir, f"norm_stats_lag{L}.json")))
        if o != ns:
            fail(f"norm_stats_lag{L}.json differs from lag {lags[0]} (same frames, same Δx)")
    z = ((dx - mu) / sigma).astype(np.float64)
    spk = frames["speaker_id"]

    val_path = os.path.join(out["splits_dir"], "train_utt_ids_val.txt")
    val_utts = set(l.strip() for l in open(val_path) if l.strip()) if os.path.exists(val_path) else set()
    is_val = is_train & np.isin(utt, list(val_utts))
    is_fit = is_train & ~is_val

    metrics = json.load(open(out["metrics_file"]))
    conds = {c["name"]: c for c in cfg["clustering"]["conditions"]}
    cache = {}
    for r in metrics:
        name, L, sl = r["condition"], r["lag"], r["slice"]
        c = conds[name]
        K = 4 ** c["pca_dim"] if c["type"] == "pca_quartile" else c["k"]
        key = (name, L)
        if key not in cache:
            labels = np.load(os.path.join(cond_dir, f"{name}_lag{L}_labels.npy"))
            if labels.shape != (n,):
                fail(f"{name} lag {L}: labels shape {labels.shape}")
            check_assignments(name, c, L, W, labels, lat, frames, utt, cond_dir, holdout=False)
            counts = np.bincount(labels[is_train], minlength=K)
            eff = counts >= min_size
            tr_inc = is_train & eff[labels]
            means = np.zeros((K, z.shape[1]))
            for cid in np.nonzero(eff)[0]:
                means[cid] = z[tr_inc & (labels == cid)].mean(axis=0)
            rnd = {}
            for split, s in (("train", seed + 1000), ("eval", seed + 2000)):
                m = is_train if split == "train" else ~is_train
                ids = labels[m].copy()
                np.random.default_rng(s).shuffle(ids)
                inc = eff[ids]
                rnd[split] = variance_ratio(z[m][inc], ids[inc])[0]
            h = None
            if os.path.exists(os.path.join(cond_dir, f"{name}_lag{L}_holdout_labels.npy")):
                hl = np.load(os.path.join(cond_dir, f"{name}_lag{L}_holdout_labels.npy"))
                check_assignments(name, c, L, W, hl, lat, frames, utt, cond_dir, holdout=True)
                hcounts = np.bincount(hl[is_fit], minlength=K)
                heff = hcounts >= min_size
                fmeans = np.zeros((K, z.shape[1]))
                for cid in np.nonzero(heff)[0]:
                    fmeans[cid] = z[is_fit & (hl == cid)].mean(axis=0)
                h = (hl, heff, fmeans, int(is_fit.sum()))
            cache[key] = (labels, counts, eff, means, rnd, h)
            if args.deep:
                deep_checks(name, c, L, W, lat, frames, utt, is_train, cond_dir, cfg)
        labels, counts, eff, means, rnd, h = cache[key]
        where = f"{name} lag {L} {sl}"
        close(f"{where} n_effective_clusters", r["n_effective_clusters"], int(eff.sum()), 0)
        close(f"{where} n_clusters", r["n_clusters"], K, 0)
        cs = r["cluster_stats"]
        close(f"{where} excluded_mass_train", cs["excluded_mass_train"], 1 - counts[eff].sum() / counts.sum(), args.tol)
        close(f"{where} min_cluster_size", cs["min_cluster_size"], int(counts.min()), 0)
        close(f"{where} max_cluster_size", cs["max_cluster_size"], int(counts.max()), 0)
        close(f"{where} random train", r["random_baseline_variance_ratio"], rnd["train"], args.tol)
        close(f"{where} random eval", r["random_baseline_eval_variance_ratio"], rnd["eval"], args.tol)
        smask = slice_mask(slices[sl], frames)
        vr = {}
        for split in ("train", "eval"):
            m = (is_train if split == "train" else ~is_train) & smask
            inc = m & eff[labels]
            zi, li = z[inc], labels[inc]
            got = r[split]
            w = f"{where} {split}"
            v, within, total = variance_ratio(zi, li)
            vr[split] = v
            close(f"{w} variance_ratio", got["variance_ratio"], v, args.tol)
            close(f"{w} sse_within", got["sse_within"], within, args.tol, rel=True)
            close(f"{w} sse_total", got["sse_total"], total, args.tol, rel=True)
            close(f"{w} variance_ratio_train_means", got["variance_ratio_train_means"], variance_ratio(zi, li, means)[0], args.tol)
            er, hh, hc = entropy_reduction(zi, li)
            close(f"{w} entropy_reduction", got["entropy_reduction"], er, args.tol)
            close(f"{w} entropy_unconditional", got["entropy_unconditional"], hh, args.tol, rel=True)
            close(f"{w} entropy_conditional", got["entropy_conditional"], hc, args.tol, rel=True)
            close(f"{w} entropy_reduction_nats", got["entropy_reduction_nats"], (hh - hc) / z.shape[1], args.tol)
            close(f"{w} entropy_reduction_bits", got["entropy_reduction_bits"], (hh - hc) / z.shape[1] / math.log(2), args.tol)
            close(f"{w} n_samples", got["n_samples"], int(inc.sum()), 0)
            close(f"{w} n_samples_total", got["n_samples_total"], int(m.sum()), 0)
            close(f"{w} excluded_mass", got["excluded_mass"], 1 - inc.sum() / m.sum() if m.sum() else 0.0, args.tol)
            per, mean, std, lo, hi, mn, mx = speaker_stats(zi, li, spk[inc])
            close(f"{w} n_speakers", got["n_speakers"], len(per), 0)
            for key2, ref in (("speaker_mean", mean), ("speaker_std", std), ("speaker_ci_lower", lo),
                              ("speaker_ci_upper", hi), ("speaker_min", mn), ("speaker_max", mx)):
                close(f"{w} {key2}", got[key2], ref, args.tol)
            ours_per = {p["speaker_id"]: p for p in got["per_speaker"]}
            if set(ours_per) != set(per):
                fail(f"{w}: per-speaker ids differ")
            for s, (cnt, v2, er2, used) in per.items():
                if s in ours_per:
                    close(f"{w} speaker {s} n", ours_per[s]["n_samples"], cnt, 0)
                    close(f"{w} speaker {s} vr", ours_per[s]["variance_ratio"], v2, args.tol)
                    close(f"{w} speaker {s} er", ours_per[s]["entropy_reduction"], er2, args.tol)
                    close(f"{w} speaker {s} clusters", ours_per[s]["n_clusters_used"], used, 0)
            # Per-slice random baseline.
            ids = labels[m].copy()
            np.random.default_rng(seed + (1000 if split == "train" else 2000)).shuffle(ids)
            keyr = "random_baseline_variance_ratio_slice" if split == "train" else "random_baseline_eval_variance_ratio_slice"
            close(f"{w} {keyr}", r[keyr], variance_ratio(z[m][eff[ids]], ids[eff[ids]])[0], args.tol)
        deg = vr["eval"] - vr["train"]
        close(f"{where} degradation_abs", r["cross_speaker_degradation_absolute"], deg, args.tol)
        close(f"{where} degradation", r["cross_speaker_degradation"], deg / vr["train"] if vr["train"] > 0 else 0.0, args.tol)
        if h is not None:
            hl, heff, fmeans, nfit = h
            hr = r.get("holdout")
            if hr is None:
                fail(f"{where}: holdout labels exist but the record has no holdout")
                continue
            m = is_val & smask
            inc = m & heff[hl]
            close(f"{where} holdout variance_ratio", hr["variance_ratio"], variance_ratio(z[inc], hl[inc])[0], args.tol)
            close(f"{where} holdout fit means", hr["variance_ratio_fit_means"], variance_ratio(z[inc], hl[inc], fmeans)[0], args.tol)
            close(f"{where} holdout n_samples", hr["n_samples"], int(inc.sum()), 0)
            close(f"{where} holdout n_samples_total", hr["n_samples_total"], int(m.sum()), 0)
            close(f"{where} holdout n_effective", hr["n_effective_clusters"], int(heff.sum()), 0)
            close(f"{where} holdout n_fit", hr["n_fit_samples"], nfit, 0)

    print(f"checked {len(metrics)} records, {CHECKED[0]} values; {len(FAILURES)} mismatches")
    return 1 if FAILURES else 0


def contexts(lat, frames, utt, L, W, mode):
    out = []
    for u in dict.fromkeys(utt.tolist()):
        x = lat[u]
        for t in frames["t"][utt == u]:
            w = x[t - L - W + 1: t - L + 1]
            out.append(w.mean(axis=0) if mode == "mean" else w.reshape(-1))
    return np.asarray(out, dtype=np.float32)


def check_assignments(name, c, L, W, labels, lat, frames, utt, cond_dir, holdout):
    """Re-derives the ids from the saved models (nearest centroid / quartile bins)."""
    suffix = "_holdout" if holdout else ""
    base = os.path.join(cond_dir, f"{name}_lag{L}{suffix}_")
    if c["type"] == "mean_pool_vq":
        feats = contexts(lat, frames, utt, L, W, "mean").astype(np.float64)
    else:
        mean = np.load(base + "pca_mean.npy").astype(np.float64)
        comp = np.load(base + "pca_components.npy").astype(np.float64)
        feats = (contexts(lat, frames, utt, L, W, "flat").astype(np.float64) - mean) @ comp.T
    bad = np.zeros(len(labels), dtype=bool)
    if c["type"] == "pca_quartile":
        edges = np.load(base + "quartile_edges.npy")
        f32 = feats.astype(np.float32)
        ids = np.zeros(len(f32), dtype=np.int64)
        for d in range(edges.shape[0]):
            ids += np.digitize(f32[:, d], edges[d]) * 4 ** d
        # A point (within float32 rounding) on an edge may fall on either side of it.
        gap = np.abs(feats[:, :, None] - edges[None, :, :].astype(np.float64)).min(axis=(1, 2))
        bad = (ids != labels) & (gap > 1e-5 * max(1.0, float(np.abs(feats).max())))
    else:
        cent = np.load(base + "centroids.npy").astype(np.float64)
        d2 = (feats ** 2).sum(1)[:, None] - 2 * feats @ cent.T + (cent ** 2).sum(1)[None, :]
        ids = d2.argmin(axis=1)
        # A near-tie between two centroids may go either way in float32.
        excess = d2[np.arange(len(labels)), labels] - d2.min(axis=1)
        bad = (ids != labels) & (excess > 1e-4 * max(1.0, float(d2.min(axis=1).mean())))
    CHECKED[0] += 1
    if bad.any():
        fail(f"{name} lag {L}{suffix}: {int(bad.sum())} of {len(labels)} ids differ from the saved model beyond float32 ties")


def deep_checks(name, c, L, W, lat, frames, utt, is_train, cond_dir, cfg):
    from sklearn.cluster import KMeans
    from sklearn.decomposition import PCA
    base = os.path.join(cond_dir, f"{name}_lag{L}_")
    if c["type"] == "mean_pool_vq":
        X = contexts(lat, frames, utt, L, W, "mean")[is_train]
    else:
        flat = contexts(lat, frames, utt, L, W, "flat")[is_train]
        p = PCA(n_components=c["pca_dim"], svd_solver="full").fit(flat)
        comp = np.load(base + "pca_components.npy").astype(np.float64)
        cos = np.abs((comp * p.components_).sum(axis=1))
        ev = p.explained_variance_
        for q in range(c["pca_dim"]):
            gap_ok = q == len(ev) - 1 or ev[q] - ev[q + 1] > 1e-3 * ev[0]
            if gap_ok and (q == 0 or ev[q - 1] - ev[q] > 1e-3 * ev[0]):
                CHECKED[0] += 1
                if cos[q] < 0.999:
                    fail(f"{name} lag {L}: PCA component {q} |cos| {cos[q]:.5f} vs scikit-learn")
        mean = np.load(base + "pca_mean.npy").astype(np.float64)
        X = ((flat - mean) @ comp.T).astype(np.float32)
    if c["type"] == "pca_quartile":
        edges = np.load(base + "quartile_edges.npy")
        ref = np.percentile(X, [25, 50, 75], axis=0).T.astype(np.float32)
        CHECKED[0] += 1
        if np.abs(edges - ref).max() > 1e-4 * max(1.0, float(np.abs(ref).max())):
            fail(f"{name} lag {L}: quartile edges differ from np.percentile by {np.abs(edges - ref).max()}")
        return
    model = json.load(open(base + "model.json"))
    km = KMeans(n_clusters=c["k"], init="k-means++", n_init=cfg["clustering"].get("n_init", 10),
                max_iter=cfg["clustering"].get("max_iter", 100), random_state=cfg.get("seed", 42)).fit(X)
    CHECKED[0] += 1
    ratio = model["inertia"] / km.inertia_
    print(f"{name} lag {L}: inertia ours/sklearn = {ratio:.5f}")
    if ratio > 1.02:
        fail(f"{name} lag {L}: k-means inertia {model['inertia']} is > 2% above scikit-learn's {km.inertia_}")


if __name__ == "__main__":
    sys.exit(main())
