#!/usr/bin/env python3
"""PyTorch/moshi peer for `engram bench mimi`: times moshi's Mimi encoder path on the same work.

The work is `encode_to_latent(x, quantize=False)` followed by the two quantizer projections, the
projected latent that EngramAudio computes. It runs on `--seconds` of 24 kHz audio with
`--threads` torch threads and reports wall time, real-time factor, GFLOP/s (2.69 GMAC per second
of audio, the same count the Swift bench uses) and process CPU time. Weights are moshi's random
initialisation, since speed does not depend on the values.

Needs torch and moshi, which CI does not install:
  python3 -m venv /tmp/torchenv && /tmp/torchenv/bin/pip install torch==2.9.1 moshi==0.2.13
  /tmp/torchenv/bin/python scripts/mimi/bench_moshi.py --seconds 10 --threads 2
"""

import argparse
import math
import time

import numpy as np
import torch


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    from moshi.models import loaders
    model = loaders.get_mimi(None, device="cpu").eval()
    n = int(a.seconds * 24000)
    t = np.arange(n) / 24000.0
    wave = ((0.6 + 0.4 * np.sin(2 * math.pi * 0.5 * t)) * (0.25 * np.sin(2 * math.pi * 220 * t))
            + 0.2 * np.sin(2 * math.pi * (80 * t + 400 * t * t))).astype(np.float32)
    x = torch.from_numpy(wave).view(1, 1, -1)
    q = model.quantizer

    def run():
        with torch.inference_mode():
            e = model.encode_to_latent(x, quantize=False)
            y = q.rvq_first.output_proj(q.rvq_first.input_proj(e)) + q.rvq_rest.output_proj(q.rvq_rest.input_proj(e))
        return y

    macs = 2.69e9 * a.seconds
    run()  # warm-up
    best = math.inf
    for r in range(a.repeats):
        c0, t0 = time.process_time(), time.perf_counter()
        y = run()
        el, cpu = time.perf_counter() - t0, time.process_time() - c0
        best = min(best, el)
        print(f"run {r + 1}: {el:.3f} s  RTF {el / a.seconds:.4f}  {2 * macs / el / 1e9:.1f} GFLOP/s  "
              f"(CPU time {cpu:.3f} s: {2 * macs / cpu / 1e9:.1f} GFLOP/s per busy core)")
    print(f"moshi {__import__('moshi').__version__} / torch {torch.__version__}, {a.threads} thread(s): "
          f"best RTF {best / a.seconds:.4f}; latent shape {tuple(y.shape)}")


if __name__ == "__main__":
    main()
