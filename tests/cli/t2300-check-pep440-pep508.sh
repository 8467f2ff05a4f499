#!/bin/bash
# PEP 440 versions and specifiers, PEP 508 requirements and markers
# (common/pep440.c, common/pep508.c) answer a corpus of about 10,000
# queries (tests/data/pep-corpus.txt: the specification's examples, the
# normalisation, ordering and specifier tables of packaging, hostile
# requirement strings, markers under three environments) exactly as
# packaging does: tests/helpers/pep-eval.py asks the packaging that a real
# pip vendors (22 or later: no LegacyVersion), tests/build/helpers/pep-eval
# asks our code, and every answer must be the same.
. "$(dirname "$0")/lib.sh"

helper="$TOP/tests/build/helpers/pep-eval"
corpus="$TOP/tests/data/pep-corpus.txt"
[ -x "$helper" ] || skip "$helper is not built (make test-programs)"

ref=""
for py in $(find_pythons | sort -r); do
	v=$("$py" -I -c 'import pip._vendor.packaging as p; print(p.__version__.split(".")[0])' 2>/dev/null) || continue
	if [ "${v:-0}" -ge 22 ]; then
		ref=$py
		break
	fi
done
[ -n "$ref" ] || skip "no interpreter here whose pip vendors packaging 22 or later"

expect_exit 0 "$helper" <"$corpus"
printf '%s\n' "$OUT" >"$TMP/ours"
expect_exit 0 "$ref" -I "$TOP/tests/helpers/pep-eval.py" <"$corpus"
printf '%s\n' "$OUT" >"$TMP/ref"
grep -v '^#' "$corpus" | grep -v '^E' >"$TMP/queries"
n=$(wc -l <"$TMP/queries")
[ "$n" -ge 9000 ] || fail "expected at least 9000 queries in the corpus, saw $n"
expect_eq "$n" "$(wc -l <"$TMP/ref")" "the number of packaging's answers"
if ! cmp -s "$TMP/ours" "$TMP/ref"; then
	paste -d '|' "$TMP/queries" "$TMP/ours" "$TMP/ref" | awk -F'|' '$2 != $3' | head -20 >&2
	fail "our answers differ from packaging's (query|ours|packaging above)"
fi
# Both sides must say something about each kind of answer (the test can fail).
for want in INVALID ERROR 1.0rc1 'name@ https://h/x.whl ; os_name == "posix"'; do
	grep -qxF "$want" "$TMP/ours" || fail "expected an answer '$want' in the corpus"
done
exit 0
