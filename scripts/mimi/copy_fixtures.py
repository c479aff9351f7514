#!/usr/bin/env python3
"""Copies the subset of the Mimi parity fixtures that the Swift tests use into Tests/Fixtures/mimi.

The full fixture set (~20 MB) is written by make_fixtures.py (needs torch 2.9.1, moshi 0.2.13,
transformers 4.57.6; see the README next to this script) and checked by check_numpy.py (numpy
only). This script keeps the test copy small (~3.7 MB): whole files where a test needs them, and two
time slices of full-architecture activations (written under new names so check_numpy.py, which
checks the files listed in fixtures.json, skips them).

Run: python3 scripts/mimi/copy_fixtures.py [--src DIR] [--dst DIR]
Needs numpy.
"""

import argparse
import os
import shutil

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))

WHOLE = [
    "fixtures.json",
    "full/input.npy",            # [1,1,307200]; tiny caseA/caseB inputs are its first 76800/75566 samples
    "full/latent.npy",
    "full/latent_projected.npy",
    "tiny/mimi_tiny_moshi.safetensors",
    "tiny/hf/model.safetensors",
    "tiny/hf/config.json",
]
for case in ("caseA", "caseB"):
    WHOLE += [f"tiny/{case}_{n}.npy" for n in ("latent", "latent_projected", "after_seanet", "after_transformer",
                                                "transformer_layer0", "latent_streaming_1920")]
WHOLE += [f"tiny/caseA_seanet_layer{i:02d}.npy" for i in (9, 10, 12, 14)]

# (source, destination, time slice) — slices of [1, C, T] arrays along T.
SLICES = [
    ("full/after_seanet.npy", "full/after_seanet_steps000-080.npy", slice(0, 80)),
    ("full/after_transformer.npy", "full/after_transformer_steps240-320.npy", slice(240, 320)),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--src", default="/work/shared/fixtures/mimi")
    ap.add_argument("--dst", default=os.path.join(REPO, "Tests", "Fixtures", "mimi"))
    a = ap.parse_args()
    for rel in WHOLE:
        os.makedirs(os.path.dirname(os.path.join(a.dst, rel)), exist_ok=True)
        shutil.copyfile(os.path.join(a.src, rel), os.path.join(a.dst, rel))
    for src, dst, sl in SLICES:
        arr = np.load(os.path.join(a.src, src))
        np.save(os.path.join(a.dst, dst), np.ascontiguousarray(arr[:, :, sl]).astype("<f4"))
    total = sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(a.dst) for f in fs)
    print(f"copied into {a.dst}: {total / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
