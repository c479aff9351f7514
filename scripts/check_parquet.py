#!/usr/bin/env python3
"""Parquet/Snappy oracle for EngramAudio's Swift Parquet code (pyarrow + pandas).

Subcommands
  verify FILE EXPECTED.json [FILE EXPECTED.json ...]
                              check that pyarrow and pandas read FILE with the expected column
                              types and identical values, and that the footer statistics
                              (min/max/null_count per row group) match the values.
  write OUTDIR [ROWS]         write Parquet files with pyarrow in several configurations, each
                              with OUTDIR/<name>.json describing the expected contents (or the
                              error a reader must raise).
  snappy-compress DIR         raw Snappy block compression (pyarrow's bundled snappy) of every
                              DIR/*.raw into DIR/*.ref.snappy.
  snappy-decompress DIR       decompress every DIR/*.ours.snappy into DIR/*.back (the expected
                              size is that of the matching DIR/*.raw).

Expectation JSON: {"columns": [{"name", "type", "values"}], "row_groups": int,
"compression": "SNAPPY"|"UNCOMPRESSED"|..., optional "dictionary_columns": [names] (verify:
exactly these columns have a dictionary page and RLE_DICTIONARY data pages in every row group),
optional "expect_error": substring}.
Types: int32, int64, float32, float64, bool, string. float values are IEEE bit patterns
(unsigned ints) so NaN and -0.0 compare exactly. Exit status 0 = OK, 1 = mismatch.
"""
import json
import os
import sys

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

ARROW_TYPES = {
    "int32": pa.int32(), "int64": pa.int64(), "float32": pa.float32(),
    "float64": pa.float64(), "bool": pa.bool_(), "string": pa.string(),
}
NUMPY = {"int32": np.int32, "int64": np.int64, "float32": np.float32, "float64": np.float64, "bool": np.bool_}
BITS = {"float32": np.uint32, "float64": np.uint64}


def type_name(t):
    """Our type name for an Arrow type (narrow integers are read as int32)."""
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return "string"
    for k, v in ARROW_TYPES.items():
        if t == v:
            return k
    if pa.types.is_integer(t):
        return "int32"
    return str(t)


def fail(msg):
    print(f"MISMATCH: {msg}")
    sys.exit(1)


def to_bits(values, typ):
    return np.asarray(values, dtype=NUMPY[typ]).view(BITS[typ]).tolist()


def encode_values(arr, typ):
    """Arrow array or numpy/list -> JSON-safe list (floats as bit patterns)."""
    if isinstance(arr, (pa.Array, pa.ChunkedArray)):
        arr = arr.to_pylist()
    if typ in BITS:
        return to_bits(arr, typ)
    if typ in ("int32", "int64"):
        return [int(v) for v in arr]
    if typ == "bool":
        return [bool(v) for v in arr]
    return [str(v) for v in arr]


def expected_stats(values, typ):
    """(min, max) as pyarrow reports them, or None when no min/max applies."""
    if typ in BITS:
        f = np.asarray(values, dtype=BITS[typ]).view(NUMPY[typ])
        f = f[~np.isnan(f)]
        if f.size == 0:
            return None
        lo, hi = f.min(), f.max()
        return float(lo), float(hi)
    if not values:
        return None
    # Parquet orders strings by unsigned UTF-8 bytes, which equals Python's code-point order.
    return min(values), max(values)


def verify(path, expected_path):
    with open(expected_path) as fh:
        exp = json.load(fh)
    cols = exp["columns"]
    pf = pq.ParquetFile(path)
    md = pf.metadata
    n = len(cols[0]["values"]) if cols else 0
    if md.num_rows != n:
        fail(f"num_rows {md.num_rows} != {n}")
    if "row_groups" in exp and md.num_row_groups != exp["row_groups"]:
        fail(f"row groups {md.num_row_groups} != {exp['row_groups']}")
    table = pq.read_table(path)
    if table.column_names != [c["name"] for c in cols]:
        fail(f"columns {table.column_names} != {[c['name'] for c in cols]}")
    for c in cols:
        t = table.schema.field(c["name"]).type
        if t != ARROW_TYPES[c["type"]]:
            fail(f"column {c['name']}: arrow type {t}, expected {ARROW_TYPES[c['type']]}")
        got = encode_values(table.column(c["name"]), c["type"])
        if got != c["values"]:
            bad = next(i for i, (a, b) in enumerate(zip(got, c["values"])) if a != b) if len(got) == len(c["values"]) else -1
            fail(f"column {c['name']}: values differ (first at row {bad})")
    # pandas: dtypes and values.
    df = pd.read_parquet(path)
    for c in cols:
        dt = df[c["name"]].dtype
        if c["type"] == "string":
            if not (dt == object or str(dt) in ("str", "string")):
                fail(f"pandas dtype of {c['name']} is {dt}, expected object/str")
        elif dt != np.dtype(NUMPY[c["type"]]):
            fail(f"pandas dtype of {c['name']} is {dt}, expected {np.dtype(NUMPY[c['type']])}")
        vals = df[c["name"]].to_numpy()
        if c["type"] in BITS:
            ok = vals.view(BITS[c["type"]]).tolist() == c["values"]
        else:
            ok = encode_values(list(vals), c["type"]) == c["values"]
        if not ok:
            fail(f"pandas values of {c['name']} differ")
    # Footer: compression and statistics per row group.
    start = 0
    for g in range(md.num_row_groups):
        rg = md.row_group(g)
        stop = start + rg.num_rows
        for j, c in enumerate(cols):
            cc = rg.column(j)
            if "compression" in exp and cc.compression != exp["compression"]:
                fail(f"row group {g} column {c['name']}: compression {cc.compression}, expected {exp['compression']}")
            if "dictionary_columns" in exp:
                want_dict = c["name"] in exp["dictionary_columns"]
                is_dict = cc.has_dictionary_page and "RLE_DICTIONARY" in cc.encodings
                if want_dict != is_dict:
                    fail(f"row group {g} column {c['name']}: dictionary encoding {is_dict} ({cc.encodings}), expected {want_dict}")
            st = cc.statistics
            if st is None:
                fail(f"row group {g} column {c['name']}: no statistics")
            if st.null_count != 0:
                fail(f"row group {g} column {c['name']}: null_count {st.null_count}")
            want = expected_stats(c["values"][start:stop], c["type"])
            if want is None:
                if st.has_min_max:
                    fail(f"row group {g} column {c['name']}: unexpected min/max")
                continue
            if not st.has_min_max:
                fail(f"row group {g} column {c['name']}: min/max missing")
            lo, hi = st.min, st.max
            if c["type"] in BITS:
                # Zero extremes are written as -0.0 (min) and +0.0 (max).
                if not (lo == want[0] and hi == want[1]) or (lo == 0 and not np.signbit(lo)) or (hi == 0 and np.signbit(hi)):
                    fail(f"row group {g} column {c['name']}: stats ({lo!r}, {hi!r}) != {want!r}")
            elif (lo, hi) != want:
                fail(f"row group {g} column {c['name']}: stats ({lo!r}, {hi!r}) != {want!r}")
        start = stop
    print(f"OK {path}: {md.num_rows} rows, {md.num_row_groups} row groups, {len(cols)} columns")


def sample_columns(rng, n, types=("int32", "int64", "float32", "float64", "bool", "string")):
    """Deterministic sample data, including edge values, NaN, -0.0 and unicode strings."""
    cols = {}
    words = ["", "a", "héllo", "日本語", "🎉 emoji", "tab\tnew\nline", "x" * 40, "Zürich", "speaker-19", "ß"]
    for typ in types:
        if typ == "int32":
            v = rng.integers(-2**31, 2**31, size=n, dtype=np.int64).astype(np.int32)
            if n >= 2:
                v[0], v[1] = np.iinfo(np.int32).min, np.iinfo(np.int32).max
        elif typ == "int64":
            v = rng.integers(-2**63, 2**63 - 1, size=n, dtype=np.int64)
            if n >= 2:
                v[0], v[1] = np.iinfo(np.int64).min, np.iinfo(np.int64).max
        elif typ in ("float32", "float64"):
            v = rng.standard_normal(n).astype(NUMPY[typ]) * 1e3
            specials = [np.nan, -0.0, np.inf, -np.inf, 1e-40]
            for i, s in enumerate(specials[: n // 4]):
                v[3 + i * 7 % max(1, n - 3)] = s
        elif typ == "bool":
            v = rng.random(n) < 0.3
        else:
            v = [words[k] + (str(k * 7 + i % 5) if k % 3 else "") for i, k in enumerate(rng.integers(0, len(words), n))]
        cols[typ] = v
    return cols


def write_case(outdir, name, table, expect_error=None, **kwargs):
    path = os.path.join(outdir, name + ".parquet")
    pq.write_table(table, path, **kwargs)
    md = pq.ParquetFile(path).metadata
    exp = {"columns": [], "row_groups": md.num_row_groups}
    if md.num_row_groups and md.num_columns:
        exp["compression"] = md.row_group(0).column(0).compression
    for f in table.schema:
        typ = type_name(f.type)
        exp["columns"].append({"name": f.name, "type": typ,
                               "values": encode_values(table.column(f.name), typ) if expect_error is None else []})
    if expect_error:
        exp["expect_error"] = expect_error
    with open(os.path.join(outdir, name + ".json"), "w") as fh:
        json.dump(exp, fh, ensure_ascii=False)


def write_cases(outdir, n=700):
    os.makedirs(outdir, exist_ok=True)
    rng = np.random.default_rng(1234)
    cols = sample_columns(rng, n)
    arrays = {
        "c_int32": pa.array(cols["int32"], pa.int32()), "c_int64": pa.array(cols["int64"], pa.int64()),
        "c_float32": pa.array(cols["float32"], pa.float32()), "c_float64": pa.array(cols["float64"], pa.float64()),
        "c_bool": pa.array(cols["bool"], pa.bool_()), "c_string": pa.array(cols["string"], pa.string()),
    }
    table = pa.table(arrays)  # nullable (OPTIONAL) columns without nulls, as pandas writes them
    write_case(outdir, "plain_snappy", table, compression="snappy", use_dictionary=False, row_group_size=n // 2 - 50)
    write_case(outdir, "dictionary_default", table, row_group_size=n // 3)
    write_case(outdir, "plain_uncompressed", table, compression="none", use_dictionary=False)
    write_case(outdir, "dictionary_v2_pages", table, data_page_version="2.0", row_group_size=n // 2 + 50)
    write_case(outdir, "dictionary_v2_uncompressed", table, data_page_version="2.0", compression="none")
    write_case(outdir, "v2_plain_snappy", table, data_page_version="2.0", use_dictionary=False, compression="snappy")
    write_case(outdir, "small_pages_dictionary_fallback", table, data_page_size=512, dictionary_pagesize_limit=256,
               write_batch_size=64, row_group_size=n - n // 4)
    required = pa.table(arrays, schema=pa.schema([pa.field(k, v.type, nullable=False) for k, v in arrays.items()]))
    write_case(outdir, "required_columns", required, compression="snappy")
    narrow = pa.table({"i8": pa.array(rng.integers(-128, 128, 50), pa.int8()),
                       "i16": pa.array(rng.integers(-30000, 30000, 50), pa.int16()),
                       "u16": pa.array(rng.integers(0, 65535, 50), pa.uint16())})
    write_case(outdir, "narrow_integers", narrow)
    empty = pa.table({k: pa.array([], v.type) for k, v in arrays.items()})
    write_case(outdir, "empty", empty)
    # pandas, as the research pipeline writes its tables (df.to_parquet, index=False).
    df = pd.DataFrame({"utterance_id": ["19-198-0001", "19-198-0002", "26-495-0000"], "speaker_id": [19, 19, 26],
                       "n_frames": [120, 88, 301], "duration_sec": [9.6, 7.04, 24.08],
                       "audio_path": ["/d/19/198/19-198-0001.flac", "/d/19/198/19-198-0002.flac", "/d/26/495/26-495-0000.flac"]})
    df.to_parquet(os.path.join(outdir, "pandas_latents_index.parquet"), index=False)
    write_case_from_file(outdir, "pandas_latents_index", pa.Table.from_pandas(df, preserve_index=False))
    # phase0_frames as the pipeline builds it: a list of dicts with numpy float32 energies.
    energy = rng.random(n).astype(np.float32)
    rows = [{"utterance_id": f"{19 + i // 97}-198-{i // 97:04d}", "speaker_id": 19 + i // 97, "t": 11 + i % 97,
             "pos_frac": (11 + i % 97) / 108, "energy": energy[i], "split": "train" if i < n // 2 else "eval"}
            for i in range(n)]
    frames = pd.DataFrame(rows)
    frames["is_high_energy"] = frames["energy"] > np.median(energy)
    frames.to_parquet(os.path.join(outdir, "pandas_phase0_frames.parquet"), index=False)
    write_case_from_file(outdir, "pandas_phase0_frames", pa.Table.from_pandas(frames, preserve_index=False))
    # Cases a reader must reject with a clear error.
    nulls = pa.table({"x": pa.array([1, None, 3], pa.int64())})
    write_case(outdir, "error_nulls", nulls, expect_error="null")
    write_case(outdir, "error_gzip", pa.table({"x": pa.array([1, 2, 3], pa.int64())}), compression="gzip",
               expect_error="unsupported compression GZIP")
    write_case(outdir, "error_delta", pa.table({"x": pa.array(list(range(100)), pa.int64())}), use_dictionary=False,
               column_encoding={"x": "DELTA_BINARY_PACKED"}, expect_error="unsupported encoding DELTA_BINARY_PACKED")
    write_case(outdir, "error_timestamp", pa.table({"ts": pa.array([1, 2], pa.timestamp("us"))}),
               expect_error="unsupported logical type TIMESTAMP")
    write_case(outdir, "error_nested", pa.table({"l": pa.array([[1], [2, 3]], pa.list_(pa.int32()))}),
               expect_error="nested")


def write_case_from_file(outdir, name, table):
    path = os.path.join(outdir, name + ".parquet")
    md = pq.ParquetFile(path).metadata
    exp = {"columns": [], "row_groups": md.num_row_groups, "compression": md.row_group(0).column(0).compression}
    for f in table.schema:
        typ = type_name(f.type)
        exp["columns"].append({"name": f.name, "type": typ, "values": encode_values(table.column(f.name), typ)})
    with open(os.path.join(outdir, name + ".json"), "w") as fh:
        json.dump(exp, fh, ensure_ascii=False)


def main(argv):
    if len(argv) >= 3 and len(argv) % 2 == 1 and argv[0] == "verify":
        for i in range(1, len(argv), 2):
            verify(argv[i], argv[i + 1])
    elif len(argv) in (2, 3) and argv[0] == "write":
        write_cases(argv[1], *(int(a) for a in argv[2:]))
        print(f"wrote cases to {argv[1]}")
    elif len(argv) == 2 and argv[0] == "snappy-compress":
        for name in sorted(os.listdir(argv[1])):
            if name.endswith(".raw"):
                data = open(os.path.join(argv[1], name), "rb").read()
                out = pa.compress(data, codec="snappy", asbytes=True)
                open(os.path.join(argv[1], name[:-4] + ".ref.snappy"), "wb").write(out)
    elif len(argv) == 2 and argv[0] == "snappy-decompress":
        for name in sorted(os.listdir(argv[1])):
            if name.endswith(".ours.snappy"):
                base = os.path.join(argv[1], name[: -len(".ours.snappy")])
                size = os.path.getsize(base + ".raw")
                data = open(os.path.join(argv[1], name), "rb").read()
                out = pa.decompress(data, decompressed_size=size, codec="snappy", asbytes=True)
                open(base + ".back", "wb").write(out)
    else:
        print(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main(sys.argv[1:])
