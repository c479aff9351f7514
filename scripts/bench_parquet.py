#!/usr/bin/env python3
"""pyarrow side of `engram bench parquet` (same machine, same data).

usage: bench_parquet.py OURS_PLAIN.parquet OURS_DICT.parquet OURS_UNCOMPRESSED.parquet OUTDIR [REPEATS]

OURS_* are the phase0_frames table written by EngramAudio with PLAIN strings and with
dictionary-encoded strings (both Snappy). Loads the table once, then times, best of REPEATS:
  read_ours_plain  pq.read_table(OURS_PLAIN)                  (pyarrow reading our files)
  read_ours_dict   pq.read_table(OURS_DICT)
  encode_plain     pq.write_table(snappy, use_dictionary=False) into memory (BufferOutputStream)
  encode_dict      pq.write_table(snappy, default dictionary) into memory
  write_plain      pq.write_table(snappy, use_dictionary=False) -> OUTDIR/pyarrow_plain.parquet
  read_plain       pq.read_table of that file
  write_dict       pq.write_table(snappy, default dictionary)  -> OUTDIR/pyarrow_dict.parquet
  read_dict        pq.read_table of that file
  pandas_read_dict pd.read_parquet of that file (includes conversion to a DataFrame)
  snappy_compress / snappy_decompress   pa.compress/pa.decompress (reference Snappy) of
                   OURS_UNCOMPRESSED's bytes in 1 MiB blocks (like pages), one thread
Prints one JSON object: seconds per operation, file sizes, pyarrow/pandas versions.
"""
import json
import os
import sys
import time

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq


def best(fn, repeats):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main(argv):
    if len(argv) not in (4, 5):
        print(__doc__)
        sys.exit(2)
    src, src_dict, src_raw, outdir = argv[0], argv[1], argv[2], argv[3]
    repeats = int(argv[4]) if len(argv) == 5 else 3
    os.makedirs(outdir, exist_ok=True)
    plain = os.path.join(outdir, "pyarrow_plain.parquet")
    dictf = os.path.join(outdir, "pyarrow_dict.parquet")
    table = pq.read_table(src)
    res = {"rows": table.num_rows, "pyarrow": pa.__version__, "pandas": pd.__version__, "threads": pa.cpu_count()}
    if not table.equals(pq.read_table(src_dict)):
        sys.exit("our PLAIN and dictionary files hold different tables")
    res["read_ours_plain"] = best(lambda: pq.read_table(src), repeats)
    res["read_ours_dict"] = best(lambda: pq.read_table(src_dict), repeats)
    res["encode_plain"] = best(lambda: pq.write_table(table, pa.BufferOutputStream(), compression="snappy", use_dictionary=False), repeats)
    res["encode_dict"] = best(lambda: pq.write_table(table, pa.BufferOutputStream(), compression="snappy"), repeats)
    res["write_plain"] = best(lambda: pq.write_table(table, plain, compression="snappy", use_dictionary=False), repeats)
    res["read_plain"] = best(lambda: pq.read_table(plain), repeats)
    res["write_dict"] = best(lambda: pq.write_table(table, dictf, compression="snappy"), repeats)
    res["read_dict"] = best(lambda: pq.read_table(dictf), repeats)
    res["pandas_read_dict"] = best(lambda: pd.read_parquet(dictf), repeats)
    raw = open(src_raw, "rb").read()
    blocks = [raw[i:i + (1 << 20)] for i in range(0, len(raw), 1 << 20)]
    packed = [pa.compress(b, codec="snappy", asbytes=True) for b in blocks]
    res["snappy_bytes"] = len(raw)
    res["snappy_compressed_bytes"] = sum(len(p) for p in packed)
    res["snappy_compress"] = best(lambda: [pa.compress(b, codec="snappy", asbytes=True) for b in blocks], repeats)
    res["snappy_decompress"] = best(lambda: [pa.decompress(p, decompressed_size=len(b), codec="snappy", asbytes=True)
                                             for p, b in zip(packed, blocks)], repeats)
    res["size_plain"] = os.path.getsize(plain)
    res["size_dict"] = os.path.getsize(dictf)
    print(json.dumps(res))


if __name__ == "__main__":
    main(sys.argv[1:])
