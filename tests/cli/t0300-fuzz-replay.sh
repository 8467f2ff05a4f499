#!/bin/bash
# suite: long (a sample of fault injection, races or fuzzing: make check-long, CI)
# Every fuzz target of tests/fuzz (FUZ-01..07) replayed over its seed corpus
# by its replay program (built by `make check` with the normal compiler, and
# with the sanitizers under SANITIZE=1). The targets abort() when an
# invariant breaks: the shells read back another value than the quoting
# function meant (shquote), a wheel name that leaves its directory is
# accepted or a RECORD does not survive being written back (wheel), a
# restore changes a sentinel outside its target (restore), or unpacking a
# wheel does (zip), leaves a link, special file or unsafe mode in its
# target, or unpacks other files than its manifest lists. The list of
# targets comes from the sources, so a new target without a corpus or a
# replay program fails here. t2203 replays the first three with variants.
. "$(dirname "$0")/lib.sh"

n_targets=0
for src in "$TOP"/tests/fuzz/fuzz_*.c; do
	t=$(basename "$src" .c)
	t=${t#fuzz_}
	bin="$TOP/tests/build/fuzz/replay_$t"
	corpus="$TOP/tests/fuzz/corpus/$t"
	[ -x "$bin" ] || fail "expected the replay program $bin (built by make check)"
	[ -d "$corpus" ] || fail "expected a seed corpus in $corpus"
	n=$(ls "$corpus" | wc -l)
	[ "$n" -ge 10 ] || fail "expected at least 10 seeds for $t, saw $n"
	expect_exit 0 timeout 300 "$bin" "$corpus"
	expect_eq "replayed $n inputs" "$OUT" "the replay of $t"
	n_targets=$((n_targets + 1))
done
[ "$n_targets" -ge 7 ] || fail "expected at least 7 fuzz targets, saw $n_targets"

# Truncated and bit-flipped variants of the wheel, restore and zip seeds (the
# shell-quoting seeds each spawn a shell, so they are replayed as they are).
# For zip, a cut loses the central directory and the swap of "." and "/"
# renames the members (and trades the flag bits 1 and 2).
for t in wheel restore zip; do
	mkdir -p "$TMP/$t"
	for f in "$TOP/tests/fuzz/corpus/$t"/*; do
		b=$(basename "$f")
		size=$(stat -c %s "$f")
		for cut in 2 5 9 17 64 200 513 1025; do
			[ "$cut" -lt "$size" ] && head -c "$cut" "$f" >"$TMP/$t/$b.cut$cut"
		done
		tr '\001\002./' '\002\001/.' <"$f" >"$TMP/$t/$b.swap"
	done
	expect_exit 0 timeout 300 "$TOP/tests/build/fuzz/replay_$t" "$TMP/$t"
done

echo ok
