#!/usr/bin/env bash
# Phase 0 at LibriSpeech train-clean-100 scale: writes a synthetic latents store (engram synth-latents,
# streamed), sets the default workload (configs/phase0.yaml's conditions, lags, slices, n_init 10,
# max_iter 100, hold-out, k_sweep; 200 train / 51 eval speakers), then runs frames → fit → evaluate →
# report, each under /usr/bin/time -v, and prints per-step wall time, peak RSS and the load average.
#
#   scripts/bench-phase0-scale.sh [--utterances 114] [--dir /tmp/phase0-scale] [--engram BIN] [--keep]
#                                 [--process markov|walk] [--reuse] [--kmeans-max-samples N]
#
# --utterances 114 (per speaker, 251 speakers × 159 frames × 512 dims) ≈ 4.55 M frames, 9.3 GB of
# latents: the scale of train-clean-100. --utterances 13 ≈ 0.52 M frames (the side-by-side size).
# --reuse keeps an existing store in DIR. --kmeans-max-samples N sets clustering.kmeans_max_samples
# (NOT SPEC: k-means on N evenly spaced fit rows; default 0 = the exact default workload). The k-means trace (one line per initialisation: seeding and
# Lloyd seconds, iterations, share of distance rows skipped) goes to DIR/kmeans-trace.log.
# Build first: swift build -c release (or ENGRAM_TARGET_CPU=haswell swift build -c release --build-path .build-haswell).
set -euo pipefail
utterances=114; dir=/tmp/phase0-scale; engram=""; keep=0; process=markov; reuse=0; kmcap=0
while [ $# -gt 0 ]; do
  case "$1" in
    --utterances) utterances=$2; shift 2;;
    --dir) dir=$2; shift 2;;
    --engram) engram=$2; shift 2;;
    --process) process=$2; shift 2;;
    --keep) keep=1; shift;;
    --reuse) reuse=1; shift;;
    --kmeans-max-samples) kmcap=$2; shift 2;;
    *) echo "unknown option $1" >&2; exit 2;;
  esac
done
root=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "$engram" ]; then
  for b in "$root/.build-haswell/release/engram" "$root/.build/release/engram"; do [ -x "$b" ] && { engram=$b; break; }; done
fi
[ -x "$engram" ] || { echo "no engram binary (build with swift build -c release)" >&2; exit 2; }
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
cfg="$dir/phase0.yaml"
summary="$dir/bench-summary.txt"

step() {  # name, command...
  local name=$1; shift
  local log="$dir/$name.log"
  local load0; load0=$(cut -d' ' -f1-3 /proc/loadavg)
  ENGRAM_KMEANS_TRACE=1 /usr/bin/time -v "$@" >"$log" 2>&1 || { echo "$name failed (see $log)" >&2; tail -5 "$log" >&2; exit 1; }
  local wall rss
  wall=$(grep "Elapsed (wall clock)" "$log" | awk '{print $NF}')
  rss=$(grep "Maximum resident set size" "$log" | awk '{printf "%.2f", $NF / 1048576}')
  local line
  line=$(printf "%-9s wall %9s  peak RSS %6s GB  load before %s, after %s" "$name" "$wall" "$rss" "$load0" "$(cut -d' ' -f1-3 /proc/loadavg)")
  echo "$line" | tee -a "$summary"
  grep "^k-means " "$log" >> "$dir/kmeans-trace.log" || true
}

mkdir -p "$dir"
: > "$summary"; : > "$dir/kmeans-trace.log"
echo "engram: $engram; store: $dir; $(nproc) cores; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)" | tee -a "$summary"
if [ $reuse = 0 ] || [ ! -f "$cfg" ]; then
  step synth "$engram" synth-latents --out "$dir" --speakers 251 --train-speakers 200 --utterances "$utterances" \
    --frames 159 --dim 512 --process "$process" --regimes 16 --noise 1 --drift 0.5 --stay 0.8
  # The default workload: min_cluster_size 100 and the default k_sweep (synth writes neither scaled).
fi
python3 - "$cfg" "$kmcap" <<'PY'
import re, sys
p, cap = sys.argv[1], int(sys.argv[2])
s = open(p).read()
s = re.sub(r"min_cluster_size: \d+", "min_cluster_size: 100", s)
s = re.sub(r"\n  kmeans_max_samples: \d+", "", s)
if cap > 0:
    s = s.replace("  max_iter: 100\n", f"  max_iter: 100\n  kmeans_max_samples: {cap}\n")
open(p, "w").write(s)
PY
step frames   "$engram" phase0 frames   --config "$cfg" --force
step fit      "$engram" phase0 fit      --config "$cfg" --force
step evaluate "$engram" phase0 evaluate --config "$cfg" --force
step report   "$engram" phase0 report   --config "$cfg" || true
grep -h -E "^fit|^evaluate" "$dir/fit.log" "$dir/evaluate.log" | grep -v "^fit lag .*effective" > "$dir/step-details.txt" || true
echo "details: $dir/step-details.txt, k-means trace: $dir/kmeans-trace.log" | tee -a "$summary"
if [ $keep = 0 ]; then rm -rf "$dir/latents.zarr"; echo "(store deleted; --keep keeps it)"; fi
