#!/usr/bin/env bash
# Builds the libFuzzer harness (scripts/fuzz/FuzzHarness.swift + the sources of EngramCore, Formats
# and AudioIO in one module, with -sanitize=fuzzer,address) and fuzzes one reader for a while.
#   scripts/fuzz/run-libfuzzer.sh TARGET [SECONDS]     TARGET: flac wav npy safetensors zarr parquet gzip tar
# Work folder: .build-fuzz/ (corpus/<target>, crashes/<target>). Prints libFuzzer's final stats.
# Run by hand (not in CI): Linux only, needs swiftc with libFuzzer (the swift.org toolchains have it).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
TARGET="${1:?target}"
SECONDS_TO_RUN="${2:-120}"
OUT="$ROOT/.build-fuzz"
BIN="$OUT/engram-fuzz"
mkdir -p "$OUT/stub" "$OUT/corpus/$TARGET" "$OUT/crashes/$TARGET"

# The readers only: no YAML config (Yams), no corpus scanning.
sources=$(find "$ROOT/Sources/EngramCore" "$ROOT/Sources/Formats" "$ROOT/Sources/AudioIO" -name '*.swift' \
  -not -path '*/Config/*' -not -path '*/Corpus/*' -not -path '*/DemoCorpus/*' | sort)
newest=$(ls -t $sources "$ROOT/scripts/fuzz/FuzzHarness.swift" | head -1)
if [ ! -x "$BIN" ] || [ "$newest" -nt "$BIN" ]; then
  echo "building $BIN" >&2
  # Everything is compiled into one module; an empty module named EngramCore satisfies `import EngramCore`.
  : > "$OUT/stub/EngramCore.swift"
  swiftc -emit-module -parse-as-library -module-name EngramCore "$OUT/stub/EngramCore.swift" -o "$OUT/stub/EngramCore.swiftmodule"
  swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name EngramFuzz -I "$OUT/stub" \
    "$ROOT/scripts/fuzz/FuzzHarness.swift" $sources -o "$BIN" 2> "$OUT/build.log" || { tail -30 "$OUT/build.log"; exit 1; }
fi

# Seeds: fixtures for FLAC and Parquet, Python-made archives for gzip/tar, the harness's own writers for the rest.
SEEDS="$OUT/corpus/$TARGET"
case "$TARGET" in
  flac) find "$ROOT/Tests/Fixtures/flac" "$ROOT/Tests/Fixtures/corpus" -name '*.flac' -size -40k -exec cp {} "$SEEDS/" \; ;;
  parquet) find "$ROOT/Tests/Fixtures/parquet" -name '*.parquet' -size -64k -exec cp {} "$SEEDS/" \; ;;
  gzip) python3 "$ROOT/scripts/archive_oracle.py" gzip "$OUT/gz-cases" && for f in "$OUT"/gz-cases/*.gz; do [ "$(stat -c %s "$f")" -lt 65536 ] && cp "$f" "$SEEDS/"; done ;;
  tar) python3 "$ROOT/scripts/archive_oracle.py" tar "$OUT/tar-cases" && python3 -c "import gzip,sys; [open(sys.argv[2]+'/'+n+'.tar','wb').write(gzip.decompress(open(sys.argv[1]+'/'+n+'.tar.gz','rb').read())) for n in ('ustar','gnu','pax')]" "$OUT/tar-cases" "$SEEDS" ;;
esac
export ENGRAM_FUZZ_TARGET="$TARGET" ENGRAM_FUZZ_SEEDS="$SEEDS"
cd "$OUT/crashes/$TARGET"
"$BIN" -max_total_time="$SECONDS_TO_RUN" -max_len=262144 -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 "$SEEDS" 2>&1 | tail -25
