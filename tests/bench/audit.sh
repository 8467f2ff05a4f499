#!/bin/bash
# venv check as an audit (issue 13), against the Python tools that do the
# same work, on one environment with many distributions built here offline
# (tests/bench/mkdists.py: BENCH_AUDIT_DISTS, default 300, with
# BENCH_AUDIT_MB, default 256, of files, as a numpy-sized site-packages and
# then some):
#  - integrity: `venv check --verify-hashes` (default -j, and -j 1) against
#    a Python script that verifies every RECORD hash as pip computes them
#    (tests/helpers/record-verify.py: importlib.metadata + hashlib, which
#    uses the same OpenSSL SHA-256); the throughput is of a warm page cache;
#  - dependencies: `venv check` (its dependency rules alone, and every rule)
#    against `pip check` run by the environment's python.
# Goal in the issue: at least 20 times faster than each, and at least
# 1 GB/s hashed. BENCH_SLOW_RUNS (default 5) runs for the Python tools.
. "$(dirname "$0")/lib.sh"
py=$(bench_python)
ndists=${BENCH_AUDIT_DISTS:-300}
mb=${BENCH_AUDIT_MB:-256}
slow_runs=${BENCH_SLOW_RUNS:-5}
export HOME="$BTMP/home" PIP_NO_INDEX=1 PIP_NO_CACHE_DIR=1
unset PIP_FIND_LINKS
mkdir -p "$HOME"

env="$BTMP/audit"
"$VENV" create -q -p "$py" "$env" 2>/dev/null && [ -x "$env/bin/pip" ] ||
	{ rm -rf "$env"; "$py" -m venv "$env" || exit 1; }
site=$(echo "$env"/lib/python3.*/site-packages)
read -r nfiles nbytes < <("$py" -I "$TOP/tests/bench/mkdists.py" "$site" "$ndists" "$mb") || exit 1
verify="$py -I $TOP/tests/helpers/record-verify.py $site"
# Both must find the environment clean, and warm the page cache.
$verify >/dev/null || { echo "bench: the Python verifier found problems" >&2; exit 1; }
"$env/bin/python" -m pip check >/dev/null || { echo "bench: pip check found problems" >&2; exit 1; }
"$VENV" check -q --verify-hashes "$env" >/dev/null || { echo "bench: venv check found problems" >&2; exit 1; }
"$VENV" check -q --verify-hashes "$env" >/dev/null
echo "audit: $py; $ndists distributions and pip, $nfiles files, $((nbytes / 1048576)) MiB" \
	"in site-packages (warm cache; $RUNS runs, $slow_runs for Python, median)"

save=$RUNS
RUNS=$slow_runs
pyver=$(median_ms "$verify")
pipchk=$(median_ms "$env/bin/python -m pip check")
RUNS=$save
hash=$(median_ms "$VENV check -q --verify-hashes $env")
hash1=$(median_ms "$VENV check -q --verify-hashes -j 1 $env")
deps=$(median_ms "$VENV check -q --select VNV606,VNV607 $env")
all=$(median_ms "$VENV check -q $env")

# CPU time (user + system), median of 3: on a loaded machine the wall-clock
# figures above mostly measure the wait for a processor.
cpu_ms() {
	local i
	for i in 1 2 3; do
		/usr/bin/time -f '%U %S' -o "$BTMP/cpu" "$@" >/dev/null 2>&1
		awk '{ printf "%.0f\n", ($1 + $2) * 1000 }' "$BTMP/cpu"
	done | sort -n | sed -n 2p
}
cpu_py=$(cpu_ms $verify)
cpu_hash=$(cpu_ms "$VENV" check -q --verify-hashes "$env")
cpu_pip=$(cpu_ms "$env/bin/python" -m pip check)
cpu_deps=$(cpu_ms "$VENV" check -q --select VNV606,VNV607 "$env")

echo " integrity (sha256 of every RECORD file):"
row "Python RECORD verifier (hashlib)" "$pyver" "$pyver"
row "venv check --verify-hashes (default -j)" "$hash" "$pyver"
row "venv check --verify-hashes -j 1" "$hash1" "$pyver"
echo " dependencies:"
row "pip check" "$pipchk" "$pipchk"
row "venv check --select VNV606,VNV607" "$deps" "$pipchk"
row "venv check (every rule, sizes, no hashes)" "$all" "$pipchk"
echo " CPU time (user + system, median of 3): Python verifier $cpu_py ms, venv check --verify-hashes" \
	"$cpu_hash ms ($(awk -v a="$cpu_py" -v b="$cpu_hash" 'BEGIN { printf "%.1f", a / b }')x);" \
	"pip check $cpu_pip ms, venv check --select VNV606,VNV607 $cpu_deps ms" \
	"($(awk -v a="$cpu_pip" -v b="$cpu_deps" 'BEGIN { printf "%.1f", a / (b ? b : 1) }')x)"
awk -v b="$nbytes" -v t="$hash" -v t1="$hash1" -v p="$pyver" -v pc="$pipchk" -v d="$deps" 'BEGIN {
	printf "  hashed: %.2f GB/s (-j 1: %.2f GB/s; Python: %.2f GB/s)\n", b / t / 1e6, b / t1 / 1e6, b / p / 1e6
	printf "  goal: >= 20x the Python verifier (%.1fx: %s), >= 20x pip check (%.1fx: %s), >= 1 GB/s (%s)\n",
		p / t, (p / t >= 20 ? "met" : "NOT met"), pc / d, (pc / d >= 20 ? "met" : "NOT met"),
		(b / t / 1e6 >= 1 ? "met" : "NOT met") }'
