#!/usr/bin/env python3
"""pyarrow side of `engram bench parquet` (same machine, same data).

usage: bench_parquet.py OURS_PLAIN.parquet OURS_DICT.parquet OUTDIR [REPEATS]

OURS_* are the phase0_frames table written by EngramAudio with PLAIN strings and with
dictionary-encoded strings (both Snappy). Loads the table once, then times, best of REPEATS:
  read_ours_plain  pq.read_table(OURS_PLAIN)                  (pyarrow reading our files)
  read_ours_dict   pq.read_table(OURS_DICT)
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
    if len(argv) not in (3, 4):
        print(__doc__)
        sys.exit(2)
    src, src_dict, outdir = argv[0], argv[1], argv[2]
    repeats = int(argv[3]) if len(argv) == 4 else 3
    os.makedirs(outdir, exist_ok=True)
    plain = os.path.join(outdir, "pyarrow_plain.parquet")
    dictf = os.path.join(outdir, "pyarrow_dict.parquet")
    table = pq.read_table(src)
    res = {"rows": table.num_rows, "pyarrow": pa.__version__, "pandas": pd.__version__, "threads": pa.cpu_count()}
    if not table.equals(pq.read_table(src_dict)):
        sys.exit("our PLAIN and dictionary files hold different tables")
    res["read_ours_plain"] = best(lambda: pq.read_table(src), repeats)
    res["read_ours_dict"] = best(lambda: pq.read_table(src_dict), repeats)
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
