#!/usr/bin/env python3
"""Reference-side checker for EngramAudio's Formats module (NPY, safetensors, Zarr v2 / Blosc).

Uses the reference implementations (numpy, safetensors, zarr-python 2, numcodecs) to
  make-*  : write files that the Swift readers must decode, plus `expected.json` with the values
  check-* : read files that Swift wrote and verify them against Swift's `expected.json`

Protocol of expected.json: {name: {"dtype": numpy dtype name, "shape": [...], "values": flat list}}
(float values as JSON numbers; NaN/Infinity as Python's json tokens), or {"error": "substring"}
for files the reader must reject. Exit status 0 and "OK <n>" on success, 1 with a message on
mismatch.

Requires: numpy, zarr<3, numcodecs, safetensors.
"""
import json
import os
import sys

import numpy as np


def _values(a):
    a = np.asarray(a)
    if a.dtype == np.bool_:
        return [bool(v) for v in a.ravel()]
    if a.dtype.kind in "iu":
        return [int(v) for v in a.ravel()]
    return [float(v) for v in a.ravel()]


def _entry(a):
    a = np.asarray(a)
    return {"dtype": a.dtype.name, "shape": list(a.shape), "values": _values(a)}


def _dump(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, allow_nan=True)


def _compare(name, got, exp, failures):
    """Compares an array read by the reference tool with an expected.json entry."""
    got = np.asarray(got)
    if got.dtype.name != exp["dtype"]:
        failures.append(f"{name}: dtype {got.dtype.name}, expected {exp['dtype']}")
        return
    if list(got.shape) != list(exp["shape"]):
        failures.append(f"{name}: shape {list(got.shape)}, expected {exp['shape']}")
        return
    want = np.array(exp["values"], dtype=got.dtype).reshape(got.shape) if exp["values"] else np.zeros(got.shape, got.dtype)
    if got.dtype.kind == "f":
        ok = np.array_equal(got, want, equal_nan=True)
    else:
        ok = np.array_equal(got, want)
    if not ok:
        bad = int(np.sum(~((got == want) | (np.isnan(got) & np.isnan(want)) if got.dtype.kind == "f" else (got == want))))
        failures.append(f"{name}: {bad} of {got.size} values differ")


def _finish(failures, n):
    if failures:
        for f in failures:
            print("FAIL", f)
        sys.exit(1)
    print("OK", n)


def _rng(seed=1234):
    return np.random.default_rng(seed)


# ---------------------------------------------------------------- NPY

def make_npy(out):
    os.makedirs(out, exist_ok=True)
    r = _rng(1)
    arrays = {
        "f4_2d": r.standard_normal((7, 5)).astype("<f4"),
        "f8_3d": r.standard_normal((2, 3, 4)).astype("<f8"),
        "i4_1d": r.integers(-2**31, 2**31 - 1, 17, dtype="<i4"),
        "i8_2d": r.integers(-2**62, 2**62, (3, 3), dtype="<i8"),
        "u1_1d": r.integers(0, 256, 11, dtype="u1"),
        "b1_2d": r.integers(0, 2, (4, 4)).astype("?"),
        "f4_scalar": np.array(3.25, dtype="<f4"),
        "f4_empty": np.zeros((0, 8), dtype="<f4"),
        "f4_special": np.array([np.nan, np.inf, -np.inf, -0.0, 1e-45, 3.4028235e38], dtype="<f4"),
        "f2_1d": r.standard_normal(9).astype("<f2"),
    }
    expected = {}
    for name, a in arrays.items():
        np.save(os.path.join(out, name + ".npy"), a)
        expected[name] = _entry(a)
    # Big-endian data is converted to little-endian by the reader.
    be = r.standard_normal((3, 4)).astype(">f4")
    np.save(os.path.join(out, "f4_bigendian.npy"), be)
    expected["f4_bigendian"] = _entry(be.astype("<f4"))
    # Format versions 2.0 and 3.0.
    v2 = r.standard_normal((2, 5)).astype("<f4")
    with open(os.path.join(out, "f4_v2.npy"), "wb") as f:
        np.lib.format.write_array(f, v2, version=(2, 0))
    expected["f4_v2"] = _entry(v2)
    v3 = r.standard_normal((5,)).astype("<f8")
    with open(os.path.join(out, "f8_v3.npy"), "wb") as f:
        np.lib.format.write_array(f, v3, version=(3, 0))
    expected["f8_v3"] = _entry(v3)
    # Must be rejected.
    fo = np.asfortranarray(r.standard_normal((3, 4)).astype("<f4"))
    np.save(os.path.join(out, "f4_fortran.npy"), fo)
    expected["f4_fortran"] = {"error": "Fortran"}
    st = np.zeros(3, dtype=[("a", "<f4"), ("b", "<i4")])
    np.save(os.path.join(out, "structured.npy"), st)
    expected["structured"] = {"error": "structured"}
    _dump(os.path.join(out, "expected.json"), expected)
    print("OK", len(expected))


def check_npy(d):
    expected = json.load(open(os.path.join(d, "expected.json")))
    failures = []
    for name, exp in expected.items():
        if "error" in exp:
            continue
        a = np.load(os.path.join(d, name + ".npy"), allow_pickle=False)
        if a.dtype.byteorder == ">":
            failures.append(f"{name}: big-endian dtype written")
        _compare(name, a, exp, failures)
    _finish(failures, len(expected))


# ---------------------------------------------------------------- safetensors

def make_safetensors(out):
    from safetensors import TensorSpec, serialize_file
    from safetensors.numpy import save_file

    os.makedirs(out, exist_ok=True)
    r = _rng(2)
    expected = {}
    tensors = {
        "encoder.weight": r.standard_normal((6, 4)).astype("<f4"),
        "encoder.bias": r.standard_normal((4,)).astype("<f4"),
        "half": r.standard_normal((3, 5)).astype("<f2"),
        "double": r.standard_normal((2, 2, 2)).astype("<f8"),
        "ids": r.integers(-2**40, 2**40, (5,), dtype="<i8"),
        "scalar": np.array(1.5, dtype="<f4"),
        "empty": np.zeros((0, 3), dtype="<f4"),
    }
    save_file(tensors, os.path.join(out, "model.safetensors"), metadata={"format": "pt", "note": "check_formats"})
    expected["model"] = {name: _entry(a) for name, a in tensors.items()}
    expected["model"]["__metadata__"] = {"format": "pt", "note": "check_formats"}
    # BF16 through the reference serializer: float32 values exactly representable in bfloat16,
    # stored as the upper 16 bits of their float32 pattern.
    f = (r.standard_normal(12).astype("<f4").view("<u4") & np.uint32(0xFFFF0000)).view("<f4")
    bits = (f.view("<u4") >> 16).astype("<u2")
    serialize_file({"bf": TensorSpec(dtype="bfloat16", shape=(3, 4), data_ptr=bits.ctypes.data, data_len=bits.nbytes)},
                   os.path.join(out, "bf16.safetensors"), metadata=None)
    e = _entry(f.reshape(3, 4))
    e["dtype"] = "bfloat16"
    expected["bf16"] = {"bf": e}
    _dump(os.path.join(out, "expected.json"), expected)
    print("OK", len(expected))


def check_safetensors(d):
    from safetensors import deserialize, safe_open

    expected = json.load(open(os.path.join(d, "expected.json")))
    failures = []
    n = 0
    for fname, tensors in expected.items():
        path = os.path.join(d, fname + ".safetensors")
        with safe_open(path, framework="numpy") as f:
            meta = f.metadata() or {}
            want_meta = tensors.get("__metadata__", {})
            if meta != want_meta:
                failures.append(f"{fname}: metadata {meta}, expected {want_meta}")
            keys = set(f.keys())
            want_keys = set(k for k in tensors if k != "__metadata__")
            if keys != want_keys:
                failures.append(f"{fname}: tensors {sorted(keys)}, expected {sorted(want_keys)}")
                continue
        raw = dict(deserialize(open(path, "rb").read()))
        for name in sorted(want_keys):
            exp = tensors[name]
            spec = raw[name]
            if exp["dtype"] == "bfloat16":
                if spec["dtype"] != "BF16":
                    failures.append(f"{fname}/{name}: dtype {spec['dtype']}, expected BF16")
                    continue
                a = (np.frombuffer(bytes(spec["data"]), "<u2").astype("<u4") << 16).view("<f4").reshape(spec["shape"])
                exp = dict(exp, dtype="float32")
            else:
                from safetensors.numpy import _getdtype
                a = np.frombuffer(bytes(spec["data"]), dtype=np.dtype(_getdtype(spec["dtype"])).newbyteorder("<")).reshape(spec["shape"])
                with safe_open(path, framework="numpy") as f:
                    b = f.get_tensor(name)
                if not np.array_equal(a, b, equal_nan=a.dtype.kind == "f"):
                    failures.append(f"{fname}/{name}: safe_open and deserialize disagree")
            _compare(f"{fname}/{name}", a, exp, failures)
            n += 1
    _finish(failures, n)


COMMANDS = {
    "make-npy": make_npy,
    "check-npy": check_npy,
    "make-safetensors": make_safetensors,
    "check-safetensors": check_safetensors,
}


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in COMMANDS:
        print("usage: check_formats.py {" + "|".join(COMMANDS) + "} DIR [args...]", file=sys.stderr)
        sys.exit(2)
    COMMANDS[sys.argv[1]](*sys.argv[2:])


if __name__ == "__main__":
    main()
