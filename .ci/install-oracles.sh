#!/usr/bin/env bash
# Installs the test oracles (reference tools we check our numbers against). Idempotent.
set -euo pipefail
need_apt=()
command -v flac >/dev/null 2>&1 || need_apt+=(flac)
if [ ${#need_apt[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
python3 - <<'PY' || python3 -m pip install -q --disable-pip-version-check \
  "numpy" "scipy" "scikit-learn" "zarr<3" "numcodecs" "safetensors" "pyarrow" "pandas" "pyyaml"
import numpy, scipy, sklearn, zarr, numcodecs, safetensors, pyarrow, pandas, yaml
assert zarr.__version__.startswith("2."), zarr.__version__
PY
