#!/usr/bin/env bash
# End-to-end check of the README's main command: the built-in demo (synthetic corpus + mel encoder)
# through every Phase 0 step. The decision may be PASS (exit 0) or FAIL (exit 1); anything else,
# or a missing output, is an error. Prints the wall time of the run (the build is timed separately).
set -uo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product engram >/dev/null || exit 2
rm -rf outputs/demo
start=$(date +%s)
.build/release/engram phase0 run --config configs/demo.yaml > /tmp/engram-demo-report.txt
rc=$?
end=$(date +%s)
echo "demo: phase0 run exited $rc after $((end - start)) s"
if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then echo "demo: run failed"; exit 1; fi
for f in metrics.json tables.csv decision.json report.txt report.html phase0_frames.parquet latents_index.parquet; do
  [ -s "outputs/demo/$f" ] || { echo "demo: missing outputs/demo/$f"; exit 1; }
done
python3 - <<'PY' || exit 1
import json
d = json.load(open("outputs/demo/decision.json"))
m = json.load(open("outputs/demo/metrics.json"))
assert isinstance(m, list) and len(m) == 27, len(m)
assert d["summary"]["n_conditions_tested"] == 3
print("demo: decision", "PASS" if d["pass"] else "FAIL", "| best:", d["best_condition"], "| records:", len(m))
PY
grep -E "DECISION" /tmp/engram-demo-report.txt
