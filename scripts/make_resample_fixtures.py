#!/usr/bin/env python3
"""Writes Tests/Fixtures/resample/: torchaudio resampling references for AudioIOTests.

Needs torch + torchaudio (CPU is enough; not installed in CI — the outputs are committed):
    python3 -m venv /tmp/ta && /tmp/ta/bin/pip install torch torchaudio numpy
    /tmp/ta/bin/python scripts/make_resample_fixtures.py

For each case: the input waveform, `torchaudio.transforms.Resample(from, to)(x)` (the research
pipeline's call: kernel built in float64, cast to float32) and `torchaudio.functional.resample`
(kernel built in float32), as raw little-endian float32 `.f32` files, plus the transform's kernel
[new, 1, 2*width + orig] for the rate pairs whose kernel is small. `manifest.json` lists them.
"""
import json
import math
import os
import sys

import numpy as np
import torch
import torchaudio

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Fixtures", "resample")

RATES = [(16000, 24000), (24000, 16000), (44100, 24000), (22050, 24000), (48000, 24000), (8000, 24000),
         (16000, 22050)]
LENGTHS = [1, 2, 7, 160, 1001, 1999]
LONG = [(16000, 24000, 8000)]           # half a second of 16 kHz audio
MAX_KERNEL_TAPS = 20000


def signal(kind, n, rate, seed):
    rng = np.random.RandomState(seed)
    t = np.arange(n) / rate
    if kind == "noise":
        return rng.uniform(-1, 1, n).astype(np.float32)
    if kind == "tones":   # a low tone, a tone near the output band edge, a little noise
        x = 0.5 * np.sin(2 * np.pi * 440 * t + 0.3) + 0.25 * np.sin(2 * np.pi * 0.45 * min(rate, 24000) * t)
        return (x + 0.01 * rng.standard_normal(n)).astype(np.float32)
    raise ValueError(kind)


def write(name, arr):
    arr = np.ascontiguousarray(arr, dtype="<f4")
    arr.tofile(os.path.join(OUT, name))
    return name


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        os.remove(os.path.join(OUT, f))
    torch.set_num_threads(1)
    cases, kernels = [], []
    seed = 0
    plan = [(a, b, n, kind) for a, b in RATES for n in LENGTHS for kind in ("noise", "tones")]
    plan += [(a, b, n, kind) for a, b, n in LONG for kind in ("noise", "tones")]
    for a, b, n, kind in plan:
        seed += 1
        x = signal(kind, n, a, seed)
        xt = torch.from_numpy(x)[None]
        y_tr = torchaudio.transforms.Resample(a, b)(xt)[0].numpy()
        y_fn = torchaudio.functional.resample(xt, a, b)[0].numpy()
        stem = f"{a}_{b}_{kind}_{n}"
        cases.append({
            "from": a, "to": b, "signal": kind, "n_in": n, "n_out": int(y_tr.shape[0]),
            "input": write(stem + "_x.f32", x),
            "transforms_resample": write(stem + "_tr.f32", y_tr),
            "functional_resample": write(stem + "_fn.f32", y_fn),
            "max_abs_diff_functional_vs_transforms": float(np.max(np.abs(y_tr - y_fn))) if n else 0.0,
        })
    for a, b in RATES:
        r = torchaudio.transforms.Resample(a, b)
        k = r.kernel.numpy()
        if k.size > MAX_KERNEL_TAPS:
            continue
        g = math.gcd(a, b)
        kernels.append({"from": a, "to": b, "orig": a // g, "new": b // g, "width": int(r.width),
                        "shape": list(k.shape), "file": write(f"kernel_{a}_{b}.f32", k)})
    manifest = {
        "generator": "scripts/make_resample_fixtures.py",
        "torch": torch.__version__, "torchaudio": torchaudio.__version__, "numpy": np.__version__,
        "defaults": {"resampling_method": "sinc_interp_hann", "lowpass_filter_width": 6, "rolloff": 0.99},
        "format": "raw little-endian float32",
        "cases": cases, "kernels": kernels,
    }
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT))
    print(f"{len(cases)} cases, {len(kernels)} kernels, {total / 1e6:.2f} MB in {os.path.normpath(OUT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
