#!/bin/bash
# The fuzz targets of tests/fuzz (pyvenv.cfg, shebang and activation-script
# parsers, FUZ-01..03) replayed over their seed corpus without libFuzzer:
# the replay programs are built by `make check` with the normal compiler.
# Every input must be processed without a crash or a broken invariant
# (the targets abort() on those), each within a few seconds.
. "$(dirname "$0")/lib.sh"

for t in cfg shebang actscan; do
	bin="$TOP/tests/build/fuzz/replay_$t"
	corpus="$TOP/tests/fuzz/corpus/$t"
	[ -x "$bin" ] || skip "$bin is not built (run make check)"
	[ -d "$corpus" ] || fail "expected a seed corpus in $corpus"
	n=$(ls "$corpus" | wc -l)
	[ "$n" -ge 10 ] || fail "expected at least 10 seeds for $t, saw $n"
	expect_exit 0 timeout 60 "$bin" "$corpus"
	expect_eq "replayed $n inputs" "$OUT" "the replay of $t"
	# Generated variants of every seed: truncated at every length up to 512
	# bytes, and with bytes flipped, so the replay is more than the seeds.
	mkdir -p "$TMP/$t"
	for f in "$corpus"/*; do
		b=$(basename "$f")
		size=$(stat -c %s "$f")
		for cut in 1 2 3 7 16 64 127 128 129 255 256 257 511; do
			[ "$cut" -lt "$size" ] && head -c "$cut" "$f" >"$TMP/$t/$b.cut$cut"
		done
		tr 'a-z"'"'"'$' 'b-za"'"'"'$' <"$f" >"$TMP/$t/$b.rot"
		tr '\n' '\000' <"$f" >"$TMP/$t/$b.nul"
	done
	expect_exit 0 timeout 120 "$bin" "$TMP/$t"
done
echo ok
