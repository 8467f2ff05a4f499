#!/bin/bash
# tests/SECURITY-COVERAGE.md, the map from security cases to tests, stays
# true: every prefix has all its rows, numbered from 01 without a gap or a
# repeat; every status is covered, partly or not covered; every test file a
# row names exists; and each file of a `covered` row mentions the row's ID
# in its text, literally or inside a range (ACT-01..ACT-14, SHB-01..05).
# It reads only the repository, so it runs on a clean checkout.
. "$(dirname "$0")/lib.sh"

map="$TOP/tests/SECURITY-COVERAGE.md"
[ -f "$map" ] || fail "expected the coverage map at $map"

# The cases of the security reference, per prefix. A new case there needs a
# row in the map and its count raised here.
declare -A want=([ACT]=19 [CFG]=6 [INS]=5 [DEL]=6 [WHL]=11 [ARC]=11 [CRA]=10 [SHB]=6 [FUZ]=6)

# mentions FILE ID: FILE names ID, or a range of the same prefix holding it.
mentions() {
	local file=$1 id=$2 p=${2%%-*} n=$((10#${2#*-})) r a b
	grep -qF -- "$id" "$file" && return 0
	for r in $(grep -oE -- "$p-[0-9]{2}\.\.($p-)?[0-9]{2}" "$file"); do
		a=${r%%..*}
		b=${r##*..}
		a=$((10#${a#*-}))
		b=$((10#${b#*-}))
		[ "$n" -ge "$a" ] && [ "$n" -le "$b" ] && return 0
	done
	return 1
}

# cell N: the Nth cell of the table row in $line (no cell holds a '|').
cell() {
	printf '%s' "$line" | awk -F'|' -v i="$(($1 + 1))" '{ s = $i; gsub(/^ +| +$/, "", s); print s }'
}

declare -A seen=()
rows=0 covered=0 partly=0 notcov=0
while IFS= read -r line; do
	case $line in "| "[A-Z][A-Z][A-Z]-[0-9][0-9]" |"*) ;; *) continue ;; esac
	rows=$((rows + 1))
	# | ID | case | tests | status |
	id=$(cell 1)
	tests=$(cell 3)
	status=$(cell 4)
	[ -z "${seen[$id]-}" ] || fail "$id: listed twice in the map"
	seen[$id]=1
	[ -n "${want[${id%%-*}]-}" ] || fail "$id: unknown prefix '${id%%-*}'"
	files=$(printf '%s' "$tests" | grep -oE '`[^`]+`' | tr -d '`')
	for f in $files; do
		[ -f "$TOP/$f" ] || fail "$id: the map names '$f', which does not exist"
	done
	case $status in
	covered | "covered "*)
		covered=$((covered + 1))
		[ -n "$files" ] || fail "$id: marked covered but names no test"
		for f in $files; do
			mentions "$TOP/$f" "$id" ||
				fail "$id: marked covered by '$f', but that file does not mention $id"
		done
		;;
	"partly: "?*) partly=$((partly + 1)) ;;
	"not covered: "?*) notcov=$((notcov + 1)) ;;
	*) fail "$id: expected a status of covered, 'partly: why' or 'not covered: why', saw '$status'" ;;
	esac
done <"$map"

for p in "${!want[@]}"; do
	for i in $(seq 1 "${want[$p]}"); do
		id=$(printf '%s-%02d' "$p" "$i")
		[ -n "${seen[$id]-}" ] || fail "$id: missing from the map"
	done
done
total=0
for p in "${!want[@]}"; do total=$((total + want[$p])); done
expect_eq "$total" "$rows" "the number of rows in the map"
echo "security cases: $covered covered, $partly partly, $notcov not covered"
