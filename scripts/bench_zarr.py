#!/usr/bin/env python3
"""zarr-python 2 side of `engram bench formats`: the research pipeline's way of writing and
reading a latents store (one group per utterance: x [T, D], energy [T], timestamps [T] float32,
attributes speaker_id / n_frames / latent_dim; zarr-python 2 defaults, Blosc LZ4 byte shuffle).

  bench_zarr.py write STORE --utterances N --frames T --dim D   # writes a fresh store
  bench_zarr.py read STORE                                       # lists and reads every group

Prints one JSON line: {"op", "n", "bytes", "seconds", "list_seconds", "cpu_seconds", "mb_per_s"}
(cpu_seconds: process CPU time, all threads, robust on a shared machine).
Requires numpy and zarr<3.
"""
import argparse
import json
import os
import shutil
import time

import numpy as np
import zarr


def write(args):
    if os.path.exists(args.store):
        shutil.rmtree(args.store)
    rng = np.random.default_rng(0)
    # A pool of distinct utterances, cycled (generation is not timed).
    pool = []
    for _ in range(8):
        x = np.cumsum(rng.standard_normal((args.frames, args.dim)) * 0.1, axis=0).astype(np.float32)
        pool.append((x, np.abs(rng.standard_normal(args.frames)).astype(np.float32),
                     (np.arange(args.frames) / 12.5).astype(np.float32)))
    nbytes = 0
    t0, c0 = time.perf_counter(), time.process_time()
    for i in range(args.utterances):
        x, energy, ts = pool[i % len(pool)]
        # Exactly the research pipeline's save_latents_zarr.
        store = zarr.open(args.store, mode="a")
        grp = store.create_group(f"{1000 + i}-{i % 97}-{i:06d}", overwrite=True)
        grp.array("x", x, dtype="float32")
        grp.array("energy", energy, dtype="float32")
        grp.array("timestamps", ts, dtype="float32")
        grp.attrs["speaker_id"] = 1000 + i
        grp.attrs["n_frames"] = x.shape[0]
        grp.attrs["latent_dim"] = x.shape[1]
        nbytes += x.nbytes + energy.nbytes + ts.nbytes
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(json.dumps({"op": "write", "n": args.utterances, "bytes": nbytes, "seconds": dt, "list_seconds": 0.0, "cpu_seconds": cpu,
                      "mb_per_s": nbytes / dt / 1e6}))


def read(args):
    t0, c0 = time.perf_counter(), time.process_time()
    store = zarr.open(args.store, mode="r")
    ids = sorted(store.group_keys())
    t_list = time.perf_counter() - t0
    nbytes = 0
    checksum = 0.0
    for utt in ids:
        grp = store[utt]
        x = np.array(grp["x"])
        energy = np.array(grp["energy"])
        ts = np.array(grp["timestamps"])
        _ = (grp.attrs["speaker_id"], grp.attrs["n_frames"], grp.attrs["latent_dim"])
        nbytes += x.nbytes + energy.nbytes + ts.nbytes
        checksum += float(x[0, 0]) if x.size else 0.0
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(json.dumps({"op": "read", "n": len(ids), "bytes": nbytes, "seconds": dt, "list_seconds": t_list, "cpu_seconds": cpu,
                      "mb_per_s": nbytes / dt / 1e6, "checksum": checksum}))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("op", choices=["write", "read"])
    p.add_argument("store")
    p.add_argument("--utterances", type=int, default=2000)
    p.add_argument("--frames", type=int, default=250)
    p.add_argument("--dim", type=int, default=512)
    args = p.parse_args()
    write(args) if args.op == "write" else read(args)


if __name__ == "__main__":
    main()
