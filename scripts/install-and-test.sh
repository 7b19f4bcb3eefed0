#!/usr/bin/env bash
# Install everything the test suite needs, then run it twice:
#   1. the full suite with numba JIT (hypothesis profile "ci");
#   2. a reduced profile with NUMBA_DISABLE_JIT=1, where every kernel runs as plain
#      Python, proving the kernels and their Python semantics agree.
# Usage: bash scripts/install-and-test.sh [extra pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."

# The RTL co-simulation tests need Icarus Verilog (and yosys for area reports).
if ! command -v iverilog >/dev/null 2>&1 || ! command -v yosys >/dev/null 2>&1; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq iverilog yosys >/dev/null
    else
        echo "warning: iverilog/yosys missing and cannot apt-get install them (need root);" \
             "install them to run the RTL tests" >&2
    fi
fi

python -m pip install --quiet --disable-pip-version-check -e ".[test,plot,distributed,nir]"

echo "== full suite (numba JIT) =="
python -m pytest "$@"

echo "== reduced profile with NUMBA_DISABLE_JIT=1 =="
# (the RTL co-simulation does not involve numba, so it runs once, in the first pass)
NUMBA_DISABLE_JIT=1 HYPOTHESIS_PROFILE=nojit python -m pytest -q -m "not slow and not rtl" "$@"
