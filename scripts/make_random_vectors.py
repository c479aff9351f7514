#!/usr/bin/env python3
"""Test vectors for PythonRandom (Sources/EngramCore/Random) from CPython's own `random.Random`.

Writes Tests/Fixtures/random/vectors.json. Run with the machine's python3 (no packages needed):
    python3 scripts/make_random_vectors.py

For each integer seed: the state after seeding (`getstate()`), raw 32-bit outputs, `getrandbits(k)`
sequences, `_randbelow(n)` draws, `random()` floats (as IEEE-754 bit patterns), and `shuffle`
permutations of range(n). Long permutations are stored as their first/last 32 entries plus an
FNV-1a-64 checksum of the whole permutation written as decimal lines ("i\\n" per entry).
64-bit values are strings so JSON readers keep every bit.
"""
import json
import random
import struct
import sys
from pathlib import Path

SEEDS = [0, 1, 42, 2**32 + 5, -7, 2**100 + 12345, 123456789123456789123456789]
BITS = [1, 5, 31, 32, 33, 53, 64]
BELOW = [1, 2, 3, 7, 100, 251, 1000, 2**31 - 1, 2**31, 2**32 + 1, 2**53 + 1, 2**62 + 3]
SHUFFLE_LENGTHS = [0, 1, 2, 5, 10, 51, 251, 2267, 22673]
FULL_LIMIT = 251


def fnv1a64_lines(values):
    h = 0xCBF29CE484222325
    for b in "".join(f"{v}\n" for v in values).encode():
        h ^= b
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return str(h)


def key_words(seed):
    n = abs(seed)
    words = []
    while True:
        words.append(n & 0xFFFFFFFF)
        n >>= 32
        if n == 0:
            return words


def vectors_for(seed):
    v = {"seed": str(seed), "key": key_words(seed)}
    state = random.Random(seed).getstate()[1]
    v["state"] = list(state[:624])
    v["state_index"] = state[624]

    r = random.Random(seed)
    v["uint32"] = [r.getrandbits(32) for _ in range(1300)]  # crosses two twists

    v["getrandbits"] = {}
    for k in BITS:
        r = random.Random(seed)
        v["getrandbits"][str(k)] = [str(r.getrandbits(k)) for _ in range(20)]

    v["randbelow"] = {}
    for n in BELOW:
        r = random.Random(seed)
        v["randbelow"][str(n)] = [str(r._randbelow(n)) for _ in range(20)]

    r = random.Random(seed)
    v["random_bits"] = [str(struct.unpack("<Q", struct.pack("<d", r.random()))[0]) for _ in range(20)]

    v["shuffle"] = {}
    for n in SHUFFLE_LENGTHS:
        r = random.Random(seed)
        x = list(range(n))
        r.shuffle(x)
        entry = {"head": x[:32], "tail": x[-32:] if n > 32 else x, "fnv1a64": fnv1a64_lines(x)}
        if n <= FULL_LIMIT:
            entry["full"] = x
        # The generator's position afterwards: the next raw output.
        entry["next_uint32"] = r.getrandbits(32)
        v["shuffle"][str(n)] = entry
    return v


def main():
    out = Path(__file__).resolve().parent.parent / "Tests/Fixtures/random/vectors.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    doc = {
        "generator": f"CPython {sys.version.split()[0]} random.Random",
        "seeds": [vectors_for(s) for s in SEEDS],
    }
    out.write_text(json.dumps(doc, separators=(",", ":")) + "\n")
    print(f"wrote {out} ({out.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
