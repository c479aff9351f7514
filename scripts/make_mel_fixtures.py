#!/usr/bin/env python3
"""Writes Tests/Fixtures/mel/: torchaudio's MelSpectrogram as a second reference for MelEncoder.

Needs torch + torchaudio (not installed in CI; outputs are committed):
    /tmp/ta/bin/python scripts/make_mel_fixtures.py

MelEncoder's frame t is the periodic-Hann-windowed 2*hop-point DFT of samples
[t*hop - hop//2, t*hop - hop//2 + 2*hop) of the zero-extended waveform. torchaudio computes the
same with center=False on the waveform preceded by hop//2 zeros and followed by enough zeros,
with norm="slaney", mel_scale="slaney", power 2, f_min 0, f_max sr/2; then ln(x + 1e-5).
"""
import json
import os

import numpy as np
import torch
import torchaudio

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Fixtures", "mel")
SR, HOP, BANDS = 24000, 1920, 64


def reference(x):
    n = len(x)
    frames = -(-n // HOP)
    lead = HOP // 2
    padded = np.zeros(lead + frames * HOP + HOP - lead, dtype=np.float32)   # exactly `frames` windows
    padded[lead:lead + n] = x
    mel = torchaudio.transforms.MelSpectrogram(
        sample_rate=SR, n_fft=2 * HOP, win_length=2 * HOP, hop_length=HOP, f_min=0.0, f_max=SR / 2,
        n_mels=BANDS, window_fn=torch.hann_window, power=2.0, normalized=False, center=False,
        norm="slaney", mel_scale="slaney").double()
    m = mel(torch.from_numpy(padded).double()[None])[0].numpy()    # [bands, frames]
    assert m.shape == (BANDS, frames), m.shape
    return np.log(m.T + 1e-5)


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.RandomState(7)
    t = np.arange(5 * HOP + 333) / SR
    signals = {
        "noise": (0.3 * rng.standard_normal(len(t))).astype(np.float32),
        "chirp": (0.5 * np.sin(2 * np.pi * (100 * t + 2000 * t ** 2)) * np.hanning(len(t))).astype(np.float32),
        "short": (0.2 * rng.uniform(-1, 1, 700)).astype(np.float32),
    }
    cases = []
    for name, x in signals.items():
        y = reference(x.astype(np.float64))
        x.astype("<f4").tofile(os.path.join(OUT, f"{name}_x.f32"))
        y.astype("<f4").tofile(os.path.join(OUT, f"{name}_logmel.f32"))
        cases.append({"name": name, "n": len(x), "frames": y.shape[0], "input": f"{name}_x.f32",
                      "logmel": f"{name}_logmel.f32"})
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump({"generator": "scripts/make_mel_fixtures.py", "torch": torch.__version__,
                   "torchaudio": torchaudio.__version__, "sample_rate": SR, "frame_size": HOP, "bands": BANDS,
                   "format": "raw little-endian float32; logmel is [frames, bands] row-major", "cases": cases},
                  f, indent=1)


if __name__ == "__main__":
    main()
