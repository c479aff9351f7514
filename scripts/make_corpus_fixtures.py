#!/usr/bin/env python3
"""Small FLAC files for the corpus-reader tests, encoded by the reference `flac` tool.

Writes Tests/Fixtures/corpus/<name>.flac (16 kHz mono 16-bit) with known sample counts, and
Tests/Fixtures/corpus/expected.json ({name: samples}). Needs the `flac` command (apt install flac).
    python3 scripts/make_corpus_fixtures.py
"""
import json
import math
import subprocess
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "Tests/Fixtures/corpus"
# name -> (samples, flac options)
FILES = {
    "short_1s": (16000, ["--blocksize=4096"]),
    "long_3p5s": (56000, ["--blocksize=4096"]),
    "odd_12345": (12345, ["--blocksize=1152"]),
    "tiny_100": (100, ["--blocksize=4096"]),
}


def pcm(n, f0):
    out = bytearray()
    for i in range(n):
        v = int(3000 * math.sin(2 * math.pi * f0 * i / 16000) + 800 * math.sin(2 * math.pi * 3.1 * f0 * i / 16000))
        out += int(v).to_bytes(2, "little", signed=True)
    return bytes(out)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    expected = {}
    for k, (name, (n, opts)) in enumerate(FILES.items()):
        dst = OUT / f"{name}.flac"
        subprocess.run(["flac", "--silent", "--force", "--force-raw-format", "--endian=little", "--sign=signed",
                        "--channels=1", "--bps=16", "--sample-rate=16000", *opts, "-o", str(dst), "-"],
                       input=pcm(n, 110 + 40 * k), check=True)
        expected[name] = n
    (OUT / "expected.json").write_text(json.dumps(expected, indent=1) + "\n")
    for f in sorted(OUT.glob("*.flac")):
        print(f.name, f.stat().st_size)


if __name__ == "__main__":
    main()
