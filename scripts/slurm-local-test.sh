#!/usr/bin/env bash
# A real Slurm check of `engram slurm phase0`, on this machine only (loopback):
#   1. installs Debian's slurmctld, slurmd, slurm-client and munge when missing (needs root + apt);
#   2. starts munged, slurmctld and slurmd with a private slurm.conf (one node, 127.0.0.1,
#      ports 16817/16818, state and logs under $WORK) — the system's /etc/slurm is not touched;
#   3. runs the demo config (configs/demo.yaml, mel encoder) twice on one synthesised corpus:
#      a) as a user would on a cluster: `engram slurm phase0 --shards $SHARDS`, then submit.sh
#         (splits here, a latents array job of $SHARDS tasks, the dependent analysis job);
#      b) in one process: splits → latents → frames → fit → evaluate → report;
#   4. waits for the jobs and compares: metrics.json must be byte-identical (and so must the
#      latents store and index), the array tasks must all have COMPLETED.
# Stops only the daemons it started. Not run by CI (it installs system packages and starts daemons).
#
# Usage: scripts/slurm-local-test.sh            (env: SHARDS=3, WORK=/tmp/engram-slurm-test,
#                                                ENGRAM=<engram binary>, default .build/release/engram)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SHARDS="${SHARDS:-3}"
WORK="${WORK:-/tmp/engram-slurm-test}"
ENGRAM="${ENGRAM:-$ROOT/.build/release/engram}"
PORT_CTLD=16817
PORT_D=16818

say() { printf '[slurm-local-test] %s\n' "$*" >&2; }

# 1. Packages.
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
  say "installing slurmctld slurmd slurm-client munge from Debian"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends slurmctld slurmd slurm-client munge >/dev/null
fi
if [ ! -x "$ENGRAM" ]; then
  say "building engram (release)"
  (cd "$ROOT" && swift build -c release >/dev/null)
fi

rm -rf "$WORK"
mkdir -p "$WORK"/{state,spool,log,run}
NODE=engramnode
HOST="$(hostname -s)"
CPUS="$(nproc)"
MEM_MB="$(awk '/MemTotal/ {print int($2 / 1024 * 0.8)}' /proc/meminfo)"

# 2. Daemons. munge: reuse a running munged, else start one (as the munge user) with the package's key.
STARTED_PIDS=()
cleanup() {
  for pid in "${STARTED_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${STARTED_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

if ! munge -n </dev/null >/dev/null 2>&1; then
  [ -s /etc/munge/munge.key ] || mungekey --create --keyfile=/etc/munge/munge.key
  chown munge:munge /etc/munge/munge.key && chmod 0400 /etc/munge/munge.key
  mkdir -p /run/munge /var/log/munge /var/lib/munge && chown munge:munge /run/munge /var/log/munge /var/lib/munge
  rm -f /run/munge/munged.pid
  runuser -u munge -- /usr/sbin/munged --pid-file=/run/munge/munged.pid
  for _ in $(seq 50); do [ -s /run/munge/munged.pid ] && break; sleep 0.1; done
  STARTED_PIDS+=("$(cat /run/munge/munged.pid)")
fi
munge -n </dev/null | unmunge >/dev/null || { say "munge does not work"; exit 1; }

export SLURM_CONF="$WORK/slurm.conf"
cat > "$SLURM_CONF" <<EOF
ClusterName=engramlocal
SlurmctldHost=$HOST(127.0.0.1)
SlurmctldPort=$PORT_CTLD
SlurmdPort=$PORT_D
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$WORK/state
SlurmdSpoolDir=$WORK/spool/%n
SlurmctldPidFile=$WORK/run/slurmctld.pid
SlurmdPidFile=$WORK/run/slurmd-%n.pid
SlurmctldLogFile=$WORK/log/slurmctld.log
SlurmdLogFile=$WORK/log/slurmd-%n.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
NodeName=$NODE NodeHostname=$HOST NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$MEM_MB State=UNKNOWN
PartitionName=local Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
EOF
slurmctld -D -c -f "$SLURM_CONF" >"$WORK/log/slurmctld.stdout" 2>&1 &
STARTED_PIDS+=("$!")
slurmd -D -f "$SLURM_CONF" -N "$NODE" >"$WORK/log/slurmd.stdout" 2>&1 &
STARTED_PIDS+=("$!")
for _ in $(seq 60); do
  state="$(sinfo -h -n "$NODE" -o %T 2>/dev/null || true)"
  [ "$state" = "idle" ] && break
  sleep 1
done
say "node $NODE: $(sinfo -h -n "$NODE" -o '%T %c CPUs' 2>&1)"
[ "$(sinfo -h -n "$NODE" -o %T)" = "idle" ] || { say "slurmd did not come up; see $WORK/log"; tail -20 "$WORK"/log/*; exit 1; }

# 3. Configs: the demo config with its outputs in $WORK/slurm and $WORK/single, one shared corpus.
mk_config() {  # $1 = output folder name
  sed -e "s#\./outputs/demo/LibriSpeech#$WORK/LibriSpeech#" -e "s#\./outputs/demo/#$WORK/$1/#" \
    "$ROOT/configs/demo.yaml" > "$WORK/$1.yaml"
}
mk_config slurm
mk_config single
cd "$WORK"

t0=$(date +%s)
"$ENGRAM" slurm phase0 --config "$WORK/slurm.yaml" --shards "$SHARDS" --partition local --time 30:00 --cpus 1 \
  --analysis-cpus "$CPUS" --out "$WORK/jobs"
bash "$WORK/jobs/submit.sh"
read -r ARRAY ANALYSIS < "$WORK/jobs/job_ids.txt"
say "waiting for array job $ARRAY and analysis job $ANALYSIS"
while squeue -h -j "$ARRAY,$ANALYSIS" 2>/dev/null | grep -q .; do sleep 2; done
t1=$(date +%s)
say "Slurm run finished in $((t1 - t0)) s"

# Job states from slurmctld (no accounting database: read them from the job logs and scontrol's memory).
fail=0
for f in "$WORK"/jobs/logs/latents-*.out "$WORK"/jobs/logs/analysis-*.out; do
  say "---- $(basename "$f")"; tail -4 "$f" >&2
done
n_logs=$(ls "$WORK"/jobs/logs/latents-*.out | wc -l)
[ "$n_logs" -eq "$SHARDS" ] || { say "expected $SHARDS latents task logs, found $n_logs"; fail=1; }
grep -l "^error:" "$WORK"/jobs/logs/*.out >&2 && { say "a job reported an error"; fail=1; }
[ -s "$WORK/slurm/metrics.json" ] || { say "the Slurm run wrote no metrics.json"; fail=1; }

# 4. The single-process run, then the comparison.
CFG="$WORK/single.yaml"
"$ENGRAM" phase0 splits --config "$CFG" >/dev/null
"$ENGRAM" phase0 latents --config "$CFG" >/dev/null
"$ENGRAM" phase0 frames --config "$CFG" >/dev/null
"$ENGRAM" phase0 fit --config "$CFG" >/dev/null
"$ENGRAM" phase0 evaluate --config "$CFG" >/dev/null
"$ENGRAM" phase0 report --config "$CFG" >/dev/null || [ $? -eq 1 ]
t2=$(date +%s)
say "single-process run finished in $((t2 - t1)) s"

if cmp "$WORK/slurm/metrics.json" "$WORK/single/metrics.json"; then
  say "metrics.json identical ($(wc -c < "$WORK/single/metrics.json") bytes, sha256 $(sha256sum "$WORK/single/metrics.json" | cut -c1-16)…)"
else
  say "metrics.json DIFFERS"; fail=1
fi
if diff -r "$WORK/slurm/latents.zarr" "$WORK/single/latents.zarr" >/dev/null && cmp -s "$WORK/slurm/latents_index.parquet" "$WORK/single/latents_index.parquet"; then
  say "latents store and index identical ($(ls "$WORK/single/latents.zarr" | wc -l) utterance groups)"
else
  say "latents store or index DIFFERS"; fail=1
fi
for f in decision.json tables.csv; do
  cmp -s "$WORK/slurm/$f" "$WORK/single/$f" && say "$f identical" || { say "$f DIFFERS"; fail=1; }
done
[ "$fail" -eq 0 ] && say "PASS" || say "FAIL"
exit "$fail"
