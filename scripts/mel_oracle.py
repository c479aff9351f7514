#!/usr/bin/env python3
"""Reference log-mel spectrogram for MelEncoder tests (numpy only, float64 throughout).

    python3 scripts/mel_oracle.py IN.f32 OUT.f32 --sample-rate 24000 --frame-size 1920 --bands 64

IN: raw little-endian float32 waveform. OUT: raw little-endian float32 [T, bands] row-major.
Definition (see Sources/Encoders/Mel/MelEncoder.swift): T = ceil(n / hop); frame t is the
periodic-Hann-windowed DFT (length 2*hop) of samples [t*hop - hop//2, t*hop - hop//2 + 2*hop)
of the zero-extended waveform; Slaney mel scale and Slaney (area) normalisation from 0 Hz to
sr/2; value ln(mel power + 1e-5).
"""
import argparse

import numpy as np


def slaney_hz_to_mel(f):
    f = np.asarray(f, dtype=np.float64)
    lin = 3.0 * f / 200.0
    logpart = 15.0 + np.log(np.maximum(f, 1e-12) / 1000.0) * 27.0 / np.log(6.4)
    return np.where(f >= 1000.0, logpart, lin)


def slaney_mel_to_hz(m):
    m = np.asarray(m, dtype=np.float64)
    lin = 200.0 * m / 3.0
    logpart = 1000.0 * np.exp((m - 15.0) * np.log(6.4) / 27.0)
    return np.where(m >= 15.0, logpart, lin)


def mel_filterbank(sr, n_fft, bands):
    freqs = np.arange(n_fft // 2 + 1) * sr / n_fft
    edges = slaney_mel_to_hz(np.linspace(slaney_hz_to_mel(0.0), slaney_hz_to_mel(sr / 2.0), bands + 2))
    widths = np.diff(edges)
    ramps = edges[:, None] - freqs[None, :]
    lower = -ramps[:-2] / widths[:-1, None]
    upper = ramps[2:] / widths[1:, None]
    fb = np.maximum(0.0, np.minimum(lower, upper))
    return fb * (2.0 / (edges[2:] - edges[:-2]))[:, None]


def log_mel(x, sr, hop, bands):
    n = len(x)
    frames = -(-n // hop)
    n_fft = 2 * hop
    lead = hop // 2
    padded = np.zeros(lead + frames * hop + n_fft, dtype=np.float64)
    padded[lead:lead + n] = x
    idx = np.arange(frames)[:, None] * hop + np.arange(n_fft)[None, :]
    window = 0.5 - 0.5 * np.cos(2.0 * np.pi * np.arange(n_fft) / n_fft)
    spec = np.fft.rfft(padded[idx] * window[None, :], axis=1)
    power = spec.real ** 2 + spec.imag ** 2
    mel = power @ mel_filterbank(sr, n_fft, bands).T
    return np.log(mel + 1e-5)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("--sample-rate", type=int, default=24000)
    ap.add_argument("--frame-size", type=int, default=1920)
    ap.add_argument("--bands", type=int, default=64)
    a = ap.parse_args()
    x = np.fromfile(a.input, dtype="<f4").astype(np.float64)
    y = log_mel(x, a.sample_rate, a.frame_size, a.bands)
    y.astype("<f4").tofile(a.output)


if __name__ == "__main__":
    main()
