#!/usr/bin/env python3
"""pyarrow side of `engram bench parquet` (same machine, same data).

usage: bench_parquet.py SOURCE.parquet OUTDIR [REPEATS]

Loads SOURCE (the phase0_frames table written by EngramAudio) once, then times, best of REPEATS:
  read_ours        pq.read_table(SOURCE)                      (pyarrow reading our file)
  write_plain      pq.write_table(snappy, use_dictionary=False) -> OUTDIR/pyarrow_plain.parquet
  read_plain       pq.read_table of that file
  write_dict       pq.write_table(snappy, default dictionary)  -> OUTDIR/pyarrow_dict.parquet
  read_dict        pq.read_table of that file
  pandas_read_dict pd.read_parquet of that file (includes conversion to a DataFrame)
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
    if len(argv) not in (2, 3):
        print(__doc__)
        sys.exit(2)
    src, outdir = argv[0], argv[1]
    repeats = int(argv[2]) if len(argv) == 3 else 3
    os.makedirs(outdir, exist_ok=True)
    plain = os.path.join(outdir, "pyarrow_plain.parquet")
    dictf = os.path.join(outdir, "pyarrow_dict.parquet")
    table = pq.read_table(src)
    res = {"rows": table.num_rows, "pyarrow": pa.__version__, "pandas": pd.__version__, "threads": pa.cpu_count()}
    res["read_ours"] = best(lambda: pq.read_table(src), repeats)
    res["write_plain"] = best(lambda: pq.write_table(table, plain, compression="snappy", use_dictionary=False), repeats)
    res["read_plain"] = best(lambda: pq.read_table(plain), repeats)
    res["write_dict"] = best(lambda: pq.write_table(table, dictf, compression="snappy"), repeats)
    res["read_dict"] = best(lambda: pq.read_table(dictf), repeats)
    res["pandas_read_dict"] = best(lambda: pd.read_parquet(dictf), repeats)
    res["size_plain"] = os.path.getsize(plain)
    res["size_dict"] = os.path.getsize(dictf)
    print(json.dumps(res))


if __name__ == "__main__":
    main(sys.argv[1:])
