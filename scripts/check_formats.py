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


# ---------------------------------------------------------------- LZ4 / Blosc chunks

def _payloads():
    """Byte strings with different structure: zeros, ramps, smooth floats, noise, text."""
    r = _rng(3)
    t = np.arange(40000, dtype=np.float32)
    return {
        "empty": b"",
        "tiny": b"abc",
        "zeros": bytes(70000),
        "text": (b"the quick brown fox jumps over the lazy dog; " * 700)[:30011],
        "ramp_i4": np.arange(20000, dtype="<i4").tobytes(),
        "smooth_f4": (np.sin(t / 50) * 3).astype("<f4").tobytes(),
        "noise_f4": r.standard_normal(30000).astype("<f4").tobytes(),
        "latent_f4": np.repeat(r.standard_normal((50, 1)), 512, axis=1).astype("<f4").tobytes(),
        "mixed_f8": np.concatenate([np.zeros(3000), r.standard_normal(3001)]).astype("<f8").tobytes(),
        "odd_u1": bytes(r.integers(0, 4, 12345, dtype="u1")),
    }


def make_lz4(out):
    import numcodecs

    os.makedirs(out, exist_ok=True)
    n = 0
    for name, raw in _payloads().items():
        if not raw:
            continue
        enc = numcodecs.LZ4(acceleration=1).encode(raw)
        # numcodecs prefixes the block with its uncompressed size (uint32 LE); store the bare block.
        assert int.from_bytes(enc[:4], "little") == len(raw)
        open(os.path.join(out, name + ".raw"), "wb").write(raw)
        open(os.path.join(out, name + ".lz4"), "wb").write(enc[4:])
        n += 1
    print("OK", n)


def check_lz4(d):
    import numcodecs

    failures = []
    names = sorted(f[:-4] for f in os.listdir(d) if f.endswith(".lz4"))
    for name in names:
        raw = open(os.path.join(d, name + ".raw"), "rb").read()
        block = open(os.path.join(d, name + ".lz4"), "rb").read()
        try:
            dec = bytes(numcodecs.LZ4().decode(len(raw).to_bytes(4, "little") + block))
        except Exception as e:  # noqa: BLE001
            failures.append(f"{name}: reference decoder rejected the block: {e}")
            continue
        if dec != raw:
            failures.append(f"{name}: decoded bytes differ")
    _finish(failures, len(names))


def _blosc_cases():
    """(name, payload, typesize, cname, clevel, shuffle, blocksize) covering the format's branches."""
    p = _payloads()
    cases = []
    for shuffle, sname in ((0, "noshuffle"), (1, "shuffle"), (2, "bitshuffle")):
        for key, ts in (("smooth_f4", 4), ("noise_f4", 4), ("ramp_i4", 4), ("mixed_f8", 8), ("odd_u1", 1), ("text", 1)):
            cases.append((f"{key}_{sname}", p[key], ts, "lz4", 5, shuffle, 0))
        # Several blocks plus a leftover block whose element count is not a multiple of 8.
        cases.append((f"multiblock_{sname}", p["smooth_f4"][: 4 * 9999], 4, "lz4", 5, shuffle, 4096))
        cases.append((f"typesize2_{sname}", p["smooth_f4"][:20002], 2, "lz4", 5, shuffle, 1000))
        cases.append((f"typesize3_{sname}", p["odd_u1"][:9999], 3, "lz4", 5, shuffle, 0))
    cases += [
        ("lz4hc_shuffle", p["smooth_f4"], 4, "lz4hc", 9, 1, 0),
        ("latent_default", p["latent_f4"], 4, "lz4", 5, 1, 0),
        ("clevel0_memcpyed", p["smooth_f4"][:4000], 4, "lz4", 0, 1, 0),
        ("small_memcpyed", p["smooth_f4"][:100], 4, "lz4", 5, 1, 0),
        ("incompressible", p["noise_f4"], 4, "lz4", 9, 0, 0),
        ("zeros_clevel9", p["zeros"], 8, "lz4", 9, 1, 0),
        ("typesize16", p["noise_f4"][:16 * 1000], 16, "lz4", 5, 1, 0),
        ("typesize32_nosplit", p["noise_f4"][:32 * 500], 32, "lz4", 5, 1, 0),
        ("empty", b"", 4, "lz4", 5, 1, 0),
    ]
    return cases


def make_blosc(out):
    from numcodecs import Blosc

    os.makedirs(out, exist_ok=True)
    Blosc.use_threads = False
    n = 0
    for name, raw, ts, cname, clevel, shuffle, bs in _blosc_cases():
        enc = Blosc(cname=cname, clevel=clevel, shuffle=shuffle, blocksize=bs).encode(np.frombuffer(raw, dtype=f"V{ts}") if raw and len(raw) % ts == 0 else raw)
        open(os.path.join(out, name + ".raw"), "wb").write(raw)
        open(os.path.join(out, name + ".blosc"), "wb").write(bytes(enc))
        n += 1
    # Codecs the reader must reject with a clear message.
    for cname in ("blosclz", "zstd", "zlib"):
        enc = Blosc(cname=cname, clevel=5, shuffle=1).encode(np.frombuffer(_payloads()["ramp_i4"], "<i4"))
        open(os.path.join(out, "unsupported_" + cname + ".blosc"), "wb").write(bytes(enc))
    print("OK", n)


def check_blosc(d):
    import struct

    from numcodecs import blosc

    failures = []
    names = sorted(f[:-6] for f in os.listdir(d) if f.endswith(".blosc"))
    for name in names:
        raw = open(os.path.join(d, name + ".raw"), "rb").read()
        chunk = open(os.path.join(d, name + ".blosc"), "rb").read()
        nbytes, blocksize, cbytes = struct.unpack("<iii", chunk[4:16])
        if cbytes != len(chunk) or nbytes != len(raw):
            failures.append(f"{name}: header sizes nbytes={nbytes} cbytes={cbytes}, chunk {len(chunk)} raw {len(raw)}")
            continue
        if nbytes == 0:
            continue  # c-blosc cannot decompress a zero-length chunk; the header check suffices
        try:
            dec = bytes(blosc.decompress(chunk))
        except Exception as e:  # noqa: BLE001
            failures.append(f"{name}: reference decoder rejected the chunk: {e}")
            continue
        if dec != raw:
            failures.append(f"{name}: decoded bytes differ")
    _finish(failures, len(names))


# ---------------------------------------------------------------- Zarr v2

def _key(path):
    return path.replace("/", "__")


def _save_latents_like_pipeline(store_path, utt_id, latents, energy, timestamps, speaker_id):
    """Writes one utterance group the way the research pipeline does (zarr-python 2 defaults)."""
    import zarr

    store = zarr.open(str(store_path), mode="a")
    grp = store.create_group(utt_id, overwrite=True)
    grp.array("x", latents, dtype="float32")
    grp.array("energy", energy, dtype="float32")
    grp.array("timestamps", timestamps, dtype="float32")
    grp.attrs["speaker_id"] = speaker_id
    grp.attrs["n_frames"] = latents.shape[0]
    grp.attrs["latent_dim"] = latents.shape[1]


def _latent_utterances(seed, n, dim, frames):
    r = _rng(seed)
    out = []
    for i in range(n):
        t = frames[i % len(frames)]
        # Smooth trajectories like codec latents (compressible after byte shuffle) plus noise.
        x = np.cumsum(r.standard_normal((t, dim)) * 0.1, axis=0).astype("<f4")
        energy = np.abs(r.standard_normal(t)).astype("<f4")
        ts = (np.arange(t) / 12.5).astype("<f4")
        out.append((f"{19 + i}-198-{i:04d}", x, energy, ts, 19 + i))
    return out


def make_zarr(out):
    """Arrays covering dtypes, compressors, shuffles, chunkings, fill values; plus latents stores."""
    import zarr
    from numcodecs import LZ4, Blosc

    os.makedirs(os.path.join(out, "expected"), exist_ok=True)
    r = _rng(4)
    root = zarr.open(os.path.join(out, "arrays.zarr"), mode="w")
    root.attrs["title"] = "check_formats"
    g = root.create_group("g")
    g.attrs["nested"] = {"a": [1, 2.5, "x"], "nan": float("nan")}
    smooth = np.cumsum(r.standard_normal((37, 23)), axis=0).astype("<f4")
    specs = {
        # name: (data, chunks, compressor or "default", extra kwargs)
        "default_f4": (smooth, (10, 7), "default", {}),
        "bitshuffle_f4": (smooth, (16, 23), Blosc(cname="lz4", clevel=5, shuffle=Blosc.BITSHUFFLE), {}),
        "noshuffle_f4": (smooth, (37, 5), Blosc(cname="lz4", clevel=5, shuffle=Blosc.NOSHUFFLE), {}),
        "lz4hc_f4": (smooth, (9, 9), Blosc(cname="lz4hc", clevel=9, shuffle=Blosc.SHUFFLE), {}),
        "uncompressed_f4": (smooth, (8, 23), None, {}),
        "numcodecs_lz4_f4": (smooth, (20, 20), LZ4(), {}),
        "slash_f4": (smooth, (10, 10), "default", {"dimension_separator": "/"}),
        "f8_3d": (r.standard_normal((5, 6, 7)), (2, 4, 3), "default", {}),
        "i4": (r.integers(-2**31, 2**31 - 1, (50,), dtype="<i4"), (16,), "default", {}),
        "i8": (r.integers(-2**62, 2**62, (9, 4), dtype="<i8"), (4, 4), "default", {}),
        "b1": (r.integers(0, 2, (33,)).astype("|b1"), (10,), "default", {}),
        "u1": (r.integers(0, 256, (12, 12), dtype="|u1"), (5, 12), "default", {}),
        "bigendian_f4": (smooth.astype(">f4"), (10, 23), "default", {}),
        "scalar_f8": (np.array(2.75), (), "default", {}),
        "empty_f4": (np.zeros((0, 5), "<f4"), (4, 5), "default", {}),
        "onechunk_big": (np.cumsum(r.standard_normal((300, 512)) * 0.1, axis=0).astype("<f4"), (300, 512), "default", {}),
    }
    expected = {"arrays": {}, "attrs": {"": {"title": "check_formats"}, "g": {"nested": {"a": [1, 2.5, "x"], "nan": None}}}, "groups": ["g"]}
    for name, (data, chunks, comp, kw) in specs.items():
        kwargs = dict(kw)
        if comp != "default":
            kwargs["compressor"] = comp
        a = g.create_dataset(name, shape=data.shape, chunks=chunks, dtype=data.dtype, **kwargs)
        a[...] = data
        np.save(os.path.join(out, "expected", _key("g/" + name) + ".npy"), np.asarray(data).astype(data.dtype.newbyteorder("<")))
        expected["arrays"]["g/" + name] = {"dtype": data.dtype.newbyteorder("<").name, "shape": list(data.shape)}
    # Fill values: NaN with only some chunks written; integer fill; a never-written array.
    a = g.create_dataset("nanfill_f4", shape=(10, 6), chunks=(4, 4), dtype="<f4", fill_value=np.nan)
    a[0:4, 0:4] = 1.5
    a[8:10, 4:6] = -2.0
    want = np.full((10, 6), np.nan, "<f4"); want[0:4, 0:4] = 1.5; want[8:10, 4:6] = -2.0
    a2 = g.create_dataset("intfill_i4", shape=(7,), chunks=(3,), dtype="<i4", fill_value=-7)
    a2[0:3] = [1, 2, 3]
    want2 = np.array([1, 2, 3, -7, -7, -7, -7], "<i4")
    a3 = g.create_dataset("unwritten_f8", shape=(3, 3), chunks=(2, 2), dtype="<f8", fill_value=0.5)
    want3 = np.full((3, 3), 0.5)
    a4 = g.create_dataset("inffill_f4", shape=(5,), chunks=(2,), dtype="<f4", fill_value=-np.inf)
    a4[0:2] = [1, 2]
    want4 = np.array([1, 2, -np.inf, -np.inf, -np.inf], "<f4")
    for name, w in (("nanfill_f4", want), ("intfill_i4", want2), ("unwritten_f8", want3), ("inffill_f4", want4)):
        np.save(os.path.join(out, "expected", _key("g/" + name) + ".npy"), w)
        expected["arrays"]["g/" + name] = {"dtype": w.dtype.name, "shape": list(w.shape)}

    # Latents stores exactly as the research pipeline writes them (plain and consolidated).
    utts = _latent_utterances(5, 4, 512, [3, 40, 251, 700])
    for store_name in ("latents.zarr", "latents_consolidated.zarr"):
        for utt_id, x, e, ts, spk in utts:
            _save_latents_like_pipeline(os.path.join(out, store_name), utt_id, x, e, ts, spk)
    zarr.consolidate_metadata(os.path.join(out, "latents_consolidated.zarr"))
    expected["latents"] = {}
    for utt_id, x, e, ts, spk in utts:
        expected["latents"][utt_id] = {"speaker_id": spk, "n_frames": x.shape[0], "latent_dim": x.shape[1]}
        for nm, arr in (("x", x), ("energy", e), ("timestamps", ts)):
            np.save(os.path.join(out, "expected", _key(f"latents/{utt_id}/{nm}") + ".npy"), arr)
    _dump(os.path.join(out, "expected.json"), expected)
    print("OK", len(expected["arrays"]) + len(expected["latents"]))


def check_zarr(d):
    """Verifies arrays Swift wrote: values, dtypes, shapes, chunks, compressor; attributes."""
    import zarr

    expected = json.load(open(os.path.join(d, "expected.json")))
    failures = []
    path = os.path.join(d, "arrays.zarr")
    opened = [("plain", zarr.open(path, mode="r"))]
    if os.path.exists(os.path.join(path, ".zmetadata")):
        opened.append(("consolidated", zarr.open_consolidated(path, mode="r")))
    n = 0
    for how, root in opened:
        for name, exp in expected["arrays"].items():
            a = root[name]
            want = np.load(os.path.join(d, "expected", _key(name) + ".npy"))
            if a.dtype.byteorder == ">":
                failures.append(f"{how} {name}: big-endian dtype")
            if list(a.chunks) != exp["chunks"]:
                failures.append(f"{how} {name}: chunks {a.chunks}, expected {exp['chunks']}")
            comp = a.compressor.get_config() if a.compressor is not None else None
            if comp != exp["compressor"]:
                failures.append(f"{how} {name}: compressor {comp}, expected {exp['compressor']}")
            if a.dtype.name != exp["dtype"] or list(a.shape) != exp["shape"]:
                failures.append(f"{how} {name}: {a.dtype.name} {list(a.shape)}, expected {exp['dtype']} {exp['shape']}")
                continue
            got = a[...]
            if not np.array_equal(got, want, equal_nan=got.dtype.kind == "f"):
                failures.append(f"{how} {name}: values differ")
            n += 1
        for p, attrs in expected.get("attrs", {}).items():
            got = dict(root[p].attrs) if p else dict(root.attrs)
            if json.dumps(got, sort_keys=True) != json.dumps(attrs, sort_keys=True):
                failures.append(f"{how} attrs of '{p}': {got}, expected {attrs}")
        if sorted(root.group_keys()) != sorted(expected.get("groups", [])):
            failures.append(f"{how} groups {sorted(root.group_keys())}, expected {expected.get('groups')}")
    _finish(failures, n)


def check_latents(d):
    """Reads a Swift-written latents store with the research pipeline's access pattern."""
    import zarr

    expected = json.load(open(os.path.join(d, "expected.json")))
    failures = []
    path = os.path.join(d, "latents.zarr")
    store = zarr.open(path, mode="r")
    ids = sorted(store.keys())
    if ids != sorted(expected["latents"]):
        failures.append(f"utterance ids {ids}, expected {sorted(expected['latents'])}")
    for utt_id, attrs in expected["latents"].items():
        grp = store[utt_id]
        if dict(grp.attrs) != attrs:
            failures.append(f"{utt_id}: attrs {dict(grp.attrs)}, expected {attrs}")
        if sorted(grp.array_keys()) != ["energy", "timestamps", "x"]:
            failures.append(f"{utt_id}: arrays {sorted(grp.array_keys())}")
        for nm in ("x", "energy", "timestamps"):
            a = grp[nm]
            want = np.load(os.path.join(d, "expected", _key(f"latents/{utt_id}/{nm}") + ".npy"))
            got = np.array(a)
            if a.dtype != np.float32 or got.shape != want.shape or not np.array_equal(got, want):
                failures.append(f"{utt_id}/{nm}: {a.dtype} {got.shape} differs from expected {want.shape}")
            comp = a.compressor.get_config() if a.compressor is not None else None
            if expected.get("compressor", "unset") != "unset" and comp != expected["compressor"]:
                failures.append(f"{utt_id}/{nm}: compressor {comp}, expected {expected['compressor']}")
    if os.path.exists(os.path.join(path, ".zmetadata")):
        c = zarr.open_consolidated(path, mode="r")
        if sorted(c.keys()) != ids:
            failures.append("consolidated metadata lists different groups")
        for utt_id in ids:
            if not np.array_equal(np.array(c[utt_id]["x"]), np.array(store[utt_id]["x"])):
                failures.append(f"{utt_id}: consolidated read differs")
    _finish(failures, len(expected["latents"]))


COMMANDS = {
    "make-npy": make_npy,
    "check-npy": check_npy,
    "make-safetensors": make_safetensors,
    "check-safetensors": check_safetensors,
    "make-lz4": make_lz4,
    "check-lz4": check_lz4,
    "make-blosc": make_blosc,
    "check-blosc": check_blosc,
    "make-zarr": make_zarr,
    "check-zarr": check_zarr,
    "check-latents": check_latents,
}


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in COMMANDS:
        print("usage: check_formats.py {" + "|".join(COMMANDS) + "} DIR [args...]", file=sys.stderr)
        sys.exit(2)
    COMMANDS[sys.argv[1]](*sys.argv[2:])


if __name__ == "__main__":
    main()
