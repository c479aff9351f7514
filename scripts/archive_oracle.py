#!/usr/bin/env python3
"""Reference archives for the gzip/DEFLATE/tar tests, made with Python's zlib, gzip and tarfile.

usage: archive_oracle.py gzip OUTDIR   -> OUTDIR/<case>.gz + OUTDIR/<case>.raw for many stream kinds
       archive_oracle.py tar OUTDIR    -> OUTDIR/<format>.tar.gz (ustar, gnu, pax) + OUTDIR/<format>.json
                                          listing {path: [kind, size, sha256]} of what extraction must give
       archive_oracle.py evil OUTDIR   -> archives a safe extractor must refuse (../, absolute path)
Stdlib only; deterministic (seeded).
"""
import gzip
import hashlib
import io
import json
import os
import random
import sys
import tarfile
import zlib


def gzip_cases(out):
    rnd = random.Random(5)
    text = (" ".join(rnd.choice(["speech", "latent", "frame", "codec", "mimi", "cluster", "the", "a"]) for _ in range(40000))).encode()
    noise = bytes(rnd.getrandbits(8) for _ in range(150000))
    runs = b"".join(bytes([rnd.getrandbits(8)]) * rnd.randint(1, 400) for _ in range(3000))
    cases = {}
    for level in (0, 1, 6, 9):
        cases[f"text_l{level}"] = (text, level, zlib.Z_DEFAULT_STRATEGY)
    cases["noise_l6"] = (noise, 6, zlib.Z_DEFAULT_STRATEGY)
    cases["runs_l9"] = (runs, 9, zlib.Z_DEFAULT_STRATEGY)
    cases["text_fixed"] = (text, 6, zlib.Z_FIXED)
    cases["text_huffman_only"] = (text, 6, zlib.Z_HUFFMAN_ONLY)
    cases["runs_rle"] = (runs, 6, zlib.Z_RLE)
    cases["empty"] = (b"", 6, zlib.Z_DEFAULT_STRATEGY)
    cases["one_byte"] = (b"x", 9, zlib.Z_DEFAULT_STRATEGY)
    cases["big_stored"] = (noise * 3, 0, zlib.Z_DEFAULT_STRATEGY)
    for name, (data, level, strategy) in cases.items():
        c = zlib.compressobj(level, zlib.DEFLATED, 31, 9, strategy)  # wbits 31: gzip framing
        gz = c.compress(data) + c.flush()
        write(out, name, gz, data)
    # Two members concatenated; a header with FEXTRA, FNAME, FCOMMENT and FHCRC.
    write(out, "two_members", gzip.compress(text[:5000], mtime=0) + gzip.compress(noise[:7000], mtime=0), text[:5000] + noise[:7000])
    body = zlib.compressobj(6, zlib.DEFLATED, -15)
    deflated = body.compress(runs[:20000]) + body.flush()
    head = bytes([0x1F, 0x8B, 8, 0x04 | 0x08 | 0x10 | 0x02, 0, 0, 0, 0, 0, 3])
    head += (5).to_bytes(2, "little") + b"EXTRA" + b"name.bin\0" + b"a comment\0"
    head += (zlib.crc32(head) & 0xFFFF).to_bytes(2, "little")
    trailer = (zlib.crc32(runs[:20000]) & 0xFFFFFFFF).to_bytes(4, "little") + (20000).to_bytes(4, "little")
    write(out, "all_header_fields", head + deflated + trailer, runs[:20000])


def write(out, name, gz, raw):
    with open(os.path.join(out, name + ".gz"), "wb") as f:
        f.write(gz)
    with open(os.path.join(out, name + ".raw"), "wb") as f:
        f.write(raw)


def add(tf, name, data=None, kind="file", link=None):
    ti = tarfile.TarInfo(name)
    ti.mtime = 1_600_000_000
    ti.mode = 0o644
    if kind == "dir":
        ti.type = tarfile.DIRTYPE
        ti.mode = 0o755
        tf.addfile(ti)
    elif kind == "symlink":
        ti.type = tarfile.SYMTYPE
        ti.linkname = link
        tf.addfile(ti)
    else:
        ti.size = len(data)
        tf.addfile(ti, io.BytesIO(data))


def tar_cases(out):
    rnd = random.Random(9)
    long_dir = "LibriSpeech/train-clean-100/" + "/".join(["d" * 40] * 3)  # > 100 characters
    members = [
        ("LibriSpeech", None, "dir"),
        ("LibriSpeech/SPEAKERS.TXT", b"; comment\n19 | F | train-clean-100 | 25.19 | Kara\n", "file"),
        ("LibriSpeech/train-clean-100", None, "dir"),
        ("LibriSpeech/train-clean-100/19/198/19-198.trans.txt", b"19-198-0000 NORTHANGER ABBEY\n", "file"),
        ("LibriSpeech/train-clean-100/19/198/19-198-0000.flac", bytes(rnd.getrandbits(8) for _ in range(70000)), "file"),
        ("LibriSpeech/train-clean-100/19/198/empty.txt", b"", "file"),
        ("LibriSpeech/train-clean-100/19/198/exactly512.bin", bytes(rnd.getrandbits(8) for _ in range(512)), "file"),
        (long_dir + "/file_with_a_long_path_" + "x" * 60 + ".txt", b"long path\n", "file"),
        ("LibriSpeech/link", None, "symlink"),
    ]
    for fmt_name, fmt in (("ustar", tarfile.USTAR_FORMAT), ("gnu", tarfile.GNU_FORMAT), ("pax", tarfile.PAX_FORMAT)):
        ms = list(members)
        if fmt == tarfile.PAX_FORMAT:
            ms.append(("LibriSpeech/ünïcode_名前.txt", "utf-8 name\n".encode(), "file"))
        if fmt == tarfile.USTAR_FORMAT:
            ms = [m for m in ms if len(m[0]) <= 255]  # ustar: prefix (155) + name (100)
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w", format=fmt) as tf:
            for name, data, kind in ms:
                add(tf, name, data, kind, link="SPEAKERS.TXT")
        with open(os.path.join(out, fmt_name + ".tar.gz"), "wb") as f:
            f.write(gzip.compress(buf.getvalue(), compresslevel=6, mtime=0))
        listing = {}
        for name, data, kind in ms:
            if kind == "file":
                listing[name] = ["file", len(data), hashlib.sha256(data).hexdigest()]
            elif kind == "dir":
                listing[name] = ["dir", 0, ""]
        with open(os.path.join(out, fmt_name + ".json"), "w") as f:
            json.dump(listing, f)


def evil_cases(out):
    for name, member in (("dotdot", "LibriSpeech/../../escaped.txt"), ("absolute", "/tmp/escaped.txt")):
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tf:
            add(tf, "LibriSpeech/ok.txt", b"fine\n")
            add(tf, member, b"should never be written\n")
        with open(os.path.join(out, name + ".tar.gz"), "wb") as f:
            f.write(gzip.compress(buf.getvalue(), mtime=0))


if __name__ == "__main__":
    what, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    {"gzip": gzip_cases, "tar": tar_cases, "evil": evil_cases}[what](out)
