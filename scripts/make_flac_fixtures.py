#!/usr/bin/env python3
"""Builds the FLAC decoder fixtures in Tests/Fixtures/flac/ with the reference `flac` tool.

Deterministic signals (numpy, fixed seeds) are written as WAV / raw PCM, encoded by `flac` with many
settings (levels 0-8, block sizes, LPC order 32, exhaustive search, ...), and the expected samples are
stored as raw little-endian int32, interleaved (`<signal>.s32`). `manifest.json` lists every FLAC file
with its signal and parameters. Every file is checked here with `flac -t`, and the MD5 of the expected
samples is compared with the MD5 that `flac` stored in STREAMINFO, so expected == what flac encoded.

Special files: `vb_s16.flac` uses the *variable* block-size strategy (flac 1.4 cannot write one, so it
is built from three separately encoded segments whose frame headers are rewritten to carry sample
numbers, CRCs recomputed), and `id3_m16.flac` has an ID3v2 tag in front of "fLaC".

Usage: scripts/make_flac_fixtures.py  (needs python3 + numpy + flac on PATH)
"""
import hashlib
import json
import os
import re
import struct
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "flac")


# ---------------------------------------------------------------- signals
RES16 = tuple(0.015 + 0.03 * k for k in range(16))  # 32 poles


def ar_noise(rng, n, resonances=(0.02, 0.07, 0.13, 0.21, 0.29, 0.37, 0.43, 0.48), radius=0.985):
    """Speech-like coloured noise: white noise through an all-pole filter with sharp resonances
    (16 poles by default), so high LPC orders pay off."""
    roots = []
    for f in resonances:
        z = radius * np.exp(2j * np.pi * f)
        roots += [z, np.conj(z)]
    a = np.real(np.poly(roots))          # 1 + a1 z^-1 + ...
    e = rng.standard_normal(n)
    p = len(a) - 1
    y = np.zeros(n + p)
    for i in range(n):
        y[p + i] = e[i] - np.dot(a[1:], y[p + i - 1::-1][:p])
    y = y[p:]
    return y / (np.abs(y).max() + 1e-9)


def make_mono(rng, n, bits, wasted_seg=True, resonances=None):
    """A signal with silence (CONSTANT), a block of multiples of 8 (wasted bits), tones, coloured noise
    and a full-scale white-noise burst (VERBATIM / Rice2 / escape candidates)."""
    full = 2 ** (bits - 1) - 1
    t = np.arange(n)
    x = 0.5 * ar_noise(rng, n, *([resonances] if resonances else [])) + 0.3 * np.sin(2 * np.pi * 0.013 * t) * np.exp(-t / n)
    x = np.round(x * full * 0.8).astype(np.int64)
    q = n // 8
    x[q:2 * q] = 0                                             # digital silence
    if wasted_seg:
        x[2 * q:3 * q] = (x[2 * q:3 * q] >> 3) << 3           # 3 wasted bits
    h = q // 2
    x[3 * q:3 * q + h] = np.round(full * 0.6 * np.sin(0.05 * np.arange(h)))   # smooth tones: fixed order 3
    x[3 * q + h:4 * q] = np.round(full * 0.6 * np.sin(0.12 * np.arange(q - h)))  # and fixed order 4
    x[5 * q:5 * q + q // 2] = rng.integers(-full - 1, full + 1, q // 2)   # full-scale noise burst
    x[6 * q:6 * q + 50] = full                                 # clipping run
    x[6 * q + 50:6 * q + 100] = -full - 1
    return np.clip(x, -full - 1, full)


def make_stereo(rng, n, bits):
    """Correlated left/right (mid/side wins), an identical-channel stretch, and independent noise."""
    full = 2 ** (bits - 1) - 1
    left = make_mono(rng, n, bits)
    right = np.round(0.85 * left + 0.05 * full * ar_noise(rng, n)).astype(np.int64)
    q = n // 6
    right[q:2 * q] = left[q:2 * q]
    right[3 * q:4 * q] = rng.integers(-full // 4, full // 4, q)
    right[4 * q:4 * q + 200] = -left[4 * q:4 * q + 200] // 2
    right = np.clip(right, -full - 1, full)
    return np.stack([left, right], axis=1)


# ---------------------------------------------------------------- writers
def write_wav(path, data, rate, bits):
    """PCM WAV; bits other than 8/16/24/32 use WAVE_FORMAT_EXTENSIBLE with valid bits < container."""
    T, C = data.shape
    container = {8: 8, 12: 16, 16: 16, 20: 24, 24: 24, 32: 32}[bits]
    v = data.astype(np.int64) << (container - bits)
    if container == 8:
        raw = (v + 128).astype(np.uint8).tobytes()
    elif container == 16:
        raw = v.astype("<i2").tobytes()
    elif container == 24:
        raw = v.astype("<i4").view(np.uint8).reshape(-1, 4)[:, :3].tobytes()
    else:
        raw = v.astype("<i4").tobytes()
    ba = C * container // 8
    if bits == container and C <= 2:
        fmt = struct.pack("<HHIIHH", 1, C, rate, rate * ba, ba, container)
    else:
        guid = bytes.fromhex("0100000000001000800000aa00389b71")
        mask = (1 << C) - 1
        fmt = struct.pack("<HHIIHHHHI", 0xFFFE, C, rate, rate * ba, ba, container, 22, bits, mask) + guid
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(raw)) + raw
    with open(path, "wb") as f:
        f.write(b"RIFF" + struct.pack("<I", len(body)) + body)


def md5_of(data, bits):
    """The FLAC STREAMINFO MD5: interleaved little-endian signed samples, ceil(bits/8) bytes each."""
    nb = (bits + 7) // 8
    b = data.astype("<i8").reshape(-1).view(np.uint8).reshape(-1, 8)[:, :nb]
    return hashlib.md5(b.tobytes()).hexdigest()


# ---------------------------------------------------------------- FLAC stream surgery (variable blocks)
CRC8 = []
for i in range(256):
    c = i
    for _ in range(8):
        c = ((c << 1) ^ 0x07) & 0xFF if c & 0x80 else (c << 1) & 0xFF
    CRC8.append(c)
CRC16 = []
for i in range(256):
    c = i << 8
    for _ in range(8):
        c = ((c << 1) ^ 0x8005) & 0xFFFF if c & 0x8000 else (c << 1) & 0xFFFF
    CRC16.append(c)


def crc8(b):
    c = 0
    for x in b:
        c = CRC8[c ^ x]
    return c


def crc16(b):
    c = 0
    for x in b:
        c = ((c << 8) & 0xFFFF) ^ CRC16[(c >> 8) ^ x]
    return c


def utf8_number(v):
    if v < 0x80:
        return bytes([v])
    for n in range(2, 8):
        if v < (1 << (5 * n + 1)) or n == 7:
            break
    out = []
    for _ in range(n - 1):
        out.append(0x80 | (v & 0x3F))
        v >>= 6
    lead = {2: 0xC0, 3: 0xE0, 4: 0xF0, 5: 0xF8, 6: 0xFC, 7: 0xFE}[n]
    return bytes([lead | v]) + bytes(reversed(out))


def parse_header_len(b, s):
    """Length of the frame header at s (through CRC-8) or None if it is not a valid header."""
    if s + 6 > len(b) or b[s] != 0xFF or (b[s + 1] & 0xFE) != 0xF8:
        return None
    bs, sr = b[s + 2] >> 4, b[s + 2] & 15
    i = s + 4
    lead = b[i]
    extra = 0
    while extra < 7 and lead & (0x80 >> extra):
        extra += 1
    extra = max(extra - 1, 0) if lead & 0x80 else 0
    i += 1 + extra
    i += {6: 1, 7: 2}.get(bs, 0)
    i += {12: 1, 13: 2, 14: 2}.get(sr, 0)
    if i >= len(b) or crc8(b[s:i]) != b[i]:
        return None
    return i + 1 - s


def split_frames(b):
    """(metadata bytes, [frame bytes]) — frame ends found by header validity + whole-frame CRC-16 == 0."""
    off = 4
    while True:
        last, length = b[off] & 0x80, int.from_bytes(b[off + 1:off + 4], "big")
        off += 4 + length
        if last:
            break
    frames, s = [], off
    while s < len(b):
        e = s + parse_header_len(b, s)
        while True:
            e += 1
            if e == len(b) or (parse_header_len(b, e) and crc16(b[s:e]) == 0):
                break
        assert crc16(b[s:e]) == 0
        frames.append(b[s:e])
        s = e
    return b[:off], frames


def frame_block_size(f):
    bs = f[2] >> 4
    i = 4
    lead = f[i]
    n = 0
    while n < 7 and lead & (0x80 >> n):
        n += 1
    i += 1 + (n - 1 if n else 0)
    if bs == 1:
        return 192
    if 2 <= bs <= 5:
        return 576 << (bs - 2)
    if bs == 6:
        return f[i] + 1
    if bs == 7:
        return (f[i] << 8 | f[i + 1]) + 1
    return 256 << (bs - 8)


def to_variable(f, first_sample):
    """Rewrites a fixed-strategy frame to the variable strategy starting at sample `first_sample`."""
    i = 4
    lead = f[i]
    n = 0
    while n < 7 and lead & (0x80 >> n):
        n += 1
    end_num = i + 1 + (n - 1 if n else 0)
    hlen = parse_header_len(f, 0)
    head = bytearray(f[:4]) + utf8_number(first_sample) + f[end_num:hlen - 1]
    head[1] |= 1
    head += bytes([crc8(head)])
    body = head + f[hlen:-2]
    c = crc16(body)
    return bytes(body) + bytes([c >> 8, c & 0xFF])


def build_variable(segments_flac, data, bits, rate, out_path):
    frames, sizes, first = [], [], 0
    meta0 = None
    for path in segments_flac:
        b = open(path, "rb").read()
        meta, fr = split_frames(b)
        meta0 = meta0 or meta
        for f in fr:
            bsz = frame_block_size(f)
            nf = to_variable(f, first)
            frames.append(nf)
            sizes.append(bsz)
            first += bsz
    assert first == data.shape[0]
    # New STREAMINFO: min/max block size (excluding last), frame sizes, total samples, MD5.
    minbs = min(sizes[:-1]) if len(sizes) > 1 else sizes[0]
    info = bytearray(meta0[8:8 + 34])
    info[0:2] = minbs.to_bytes(2, "big")
    info[2:4] = max(sizes).to_bytes(2, "big")
    info[4:7] = min(len(f) for f in frames).to_bytes(3, "big")
    info[7:10] = max(len(f) for f in frames).to_bytes(3, "big")
    packed = int.from_bytes(info[10:18], "big")
    packed = (packed & ~((1 << 36) - 1)) | first
    info[10:18] = packed.to_bytes(8, "big")
    info[18:34] = bytes.fromhex(md5_of(data, bits))
    stream = b"fLaC" + bytes([0x80, 0, 0, 34]) + bytes(info) + b"".join(frames)
    open(out_path, "wb").write(stream)


# ---------------------------------------------------------------- main
def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{r.stderr}")
    return r


def streaminfo_md5(path):
    b = open(path, "rb").read()
    off = 0
    if b[:3] == b"ID3":
        off = 10 + sum((b[6 + k] & 0x7F) << (7 * (3 - k)) for k in range(4))
    return b[off + 26:off + 42].hex()


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        if f.endswith((".flac", ".s32", ".json")):
            os.remove(os.path.join(OUT, f))
    rng = np.random.default_rng(20240611)
    signals = {
        # name: (data [T, C], rate, bits)
        "m16": (make_mono(rng, 6000, 16, resonances=RES16)[:, None], 16000, 16),
        "s16": (make_stereo(rng, 6000, 16), 44100, 16),
        "m8": (make_mono(rng, 3000, 8)[:, None], 8000, 8),
        "s8": (make_stereo(rng, 3000, 8), 22050, 8),
        "m24": (make_mono(rng, 5000, 24, resonances=RES16)[:, None], 48000, 24),
        "s24": (make_stereo(rng, 4000, 24), 96000, 24),
        "m12": (make_mono(rng, 3000, 12)[:, None], 12000, 12),
        "s20": (make_stereo(rng, 3000, 20), 11025, 20),
        "m32": (make_mono(rng, 2000, 32, wasted_seg=False)[:, None], 65540, 32),
        "c3": (np.stack([make_mono(rng, 2000, 16) for _ in range(3)], axis=1), 16000, 16),
        "short": (make_mono(rng, 16, 16)[:10, None], 16000, 16),
        "empty": (np.zeros((0, 1), dtype=np.int64), 16000, 16),
    }
    levels = [[f"-{k}"] for k in range(9)]
    blocks = [["-5", "-b", str(b)] for b in (16, 100, 192, 576, 1000, 1152, 4096)]
    plans = {
        "m16": levels + blocks + [["-8", "-e", "--lax", "-l", "32"], ["-8", "-e", "-p"], ["-5", "-r", "0"],
                                  ["-5", "-r", "8"], ["-5", "-A", "tukey(0.5)"]],
        "s16": levels + [["-5", "-b", str(b)] for b in (192, 576, 1152)] +
               [["-5", "-M"], ["-8", "-e", "--lax", "-l", "32"], ["-8", "-e", "-p"], ["-5", "--no-mid-side"]],
        "m8": [["-0"], ["-5"], ["-8"], ["-5", "-b", "192"]],
        "s8": [["-0"], ["-5"], ["-8"], ["-5", "-b", "192"]],
        "m24": [["-0"], ["-5"], ["-8"], ["-5", "-b", "1152"], ["-8", "-e", "--lax", "-l", "32"]],
        "s24": [["-0"], ["-5"], ["-8"], ["-5", "-b", "576"], ["-8", "-e", "--lax", "-l", "32"]],
        "m12": [["-0"], ["-5"], ["-8"]],
        "s20": [["-0"], ["-5"], ["-8"]],
        "m32": [["-5"], ["-8"]],
        "c3": [["-5"]],
        "short": [["-5"]],
        "empty": [["-5"]],
    }
    manifest = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, (data, rate, bits) in signals.items():
            data = data.astype(np.int64)
            data.astype("<i4").tofile(os.path.join(OUT, f"{name}.s32"))
            wav = os.path.join(tmp, f"{name}.wav")
            write_wav(wav, data, rate, bits)
            for opts in plans[name]:
                tag = "".join(o.strip("-").replace("(", "").replace(")", "").replace(".", "") for o in opts)
                fname = f"{name}_{tag}.flac"
                path = os.path.join(OUT, fname)
                if data.shape[0] == 0:  # flac rejects an empty WAV data chunk; raw input works
                    raw = os.path.join(tmp, "empty.raw")
                    open(raw, "wb").close()
                    src = ["--force-raw-format", "--endian=little", "--sign=signed", f"--channels={data.shape[1]}",
                           f"--bps={bits}", f"--sample-rate={rate}", raw]
                else:
                    src = [wav]
                run(["flac", "-f", "-s", "--no-padding", *opts, *src, "-o", path])
                manifest.append({"file": fname, "signal": name, "channels": data.shape[1], "sampleRate": rate,
                                 "bitsPerSample": bits, "frames": data.shape[0], "options": " ".join(opts)})
        # Variable block size: three segments encoded with different block sizes, re-framed.
        data, rate, bits = signals["s16"]
        cuts = [0, 1000, 1000 + 2304, 6000]
        segs = []
        for k, bsz in enumerate((1152, 576, 4096)):
            seg = data[cuts[k]:cuts[k + 1]]
            wav = os.path.join(tmp, f"seg{k}.wav")
            write_wav(wav, seg, rate, bits)
            out = os.path.join(tmp, f"seg{k}.flac")
            run(["flac", "-f", "-s", "--no-padding", "--no-seektable", "-5", "-b", str(bsz), wav, "-o", out])
            segs.append(out)
        build_variable(segs, data, bits, rate, os.path.join(OUT, "vb_s16.flac"))
        manifest.append({"file": "vb_s16.flac", "signal": "s16", "channels": 2, "sampleRate": rate,
                         "bitsPerSample": bits, "frames": data.shape[0], "options": "variable block size"})
        # ID3v2 tag in front, plus PADDING and a tag in the metadata.
        wav = os.path.join(tmp, "m16.wav")
        plain = os.path.join(tmp, "id3.flac")
        run(["flac", "-f", "-s", "-5", "-P", "100", "-T", "TITLE=fixture", os.path.join(tmp, "m16.wav"), "-o", plain])
        frame = b"TIT2" + (9).to_bytes(4, "big") + b"\x00\x00" + b"\x00fixture"
        id3 = b"ID3\x03\x00\x00" + bytes([0, 0, 0, len(frame) + 20]) + frame + bytes(20)
        open(os.path.join(OUT, "id3_m16.flac"), "wb").write(id3 + open(plain, "rb").read())
        manifest.append({"file": "id3_m16.flac", "signal": "m16", "channels": 1, "sampleRate": 16000,
                         "bitsPerSample": 16, "frames": 6000, "options": "ID3v2 prefix, padding, tags"})
    # Check every file with the reference decoder and the expected samples' MD5.
    for m in manifest:
        path = os.path.join(OUT, m["file"])
        run(["flac", "-t", "-s", path])
        data = np.fromfile(os.path.join(OUT, m["signal"] + ".s32"), dtype="<i4").reshape(-1, m["channels"])
        want = md5_of(data, m["bitsPerSample"])
        got = streaminfo_md5(path)
        if m["frames"] > 0 and want != got:
            sys.exit(f"{m['file']}: MD5 {got} != expected samples' MD5 {want}")
        m["md5"] = got
    # What the fixtures exercise, according to flac's own analysis mode (`flac -a`).
    features = {}
    with tempfile.TemporaryDirectory() as tmp:
        for m in manifest:
            ana = os.path.join(tmp, "a.txt")
            run(["flac", "-f", "-s", "-a", "-o", ana, os.path.join(OUT, m["file"])])
            text = open(ana).read()
            for key in re.findall(r"channel_assignment=[A-Z_]+|residual_type=RICE2?|type=(?:CONSTANT|VERBATIM|FIXED|LPC)\torder=\d+"
                                  r"|type=(?:CONSTANT|VERBATIM)|wasted_bits=[1-9]\d*", text):
                key = key.replace("\t", " ")
                features[key] = features.get(key, 0) + 1
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump({"generator": "scripts/make_flac_fixtures.py", "flac": run(["flac", "--version"]).stdout.strip(),
                   "features": dict(sorted(features.items())), "files": manifest}, f, indent=1)
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT))
    print(f"{len(manifest)} FLAC fixtures, {total / 1e6:.2f} MB in {OUT}")


if __name__ == "__main__":
    main()
