#!/bin/bash
# Shell completions (templates/completions.sh, from the option tables that
# `venv --dump-options` prints; installed by make install): every command and
# every long option of every command's table is completed, the tables are what
# each --help shows, and completed values are ones the command accepts; tried
# in real bash (the completion function with COMP_WORDS), zsh (compadd
# captured) and fish (complete -C): `venv cr<TAB>`, `venv check --for<TAB>`,
# `--format <TAB>`.
. "$(dirname "$0")/lib.sh"
out="$TMP/comp"
sh "$TOP/templates/completions.sh" "$VENV" "$out" || fail "templates/completions.sh failed"

cmds=$("$VENV" --help | sed -n '/^commands:/,/^$/p' | sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p')
expect_eq "$cmds" "$("$VENV" --dump-options | awk -F '\t' '$1 == "command" { print $2 }')" \
	"the commands of --help and of --dump-options"
# The long options of a command's table.
longs() { "$VENV" --dump-options | awk -F '\t' -v c="$1" '$1 == "option" && $2 == c && $4 != "-" { print $4 }'; }
# ... are the options its --help shows, short ones included.
for c in $cmds; do
	[ "$c" = help ] && continue
	want=$("$VENV" --dump-options | awk -F '\t' -v c="$c" '$1 == "option" && $2 == c { print $3, $4 }')
	got=$("$VENV" "$c" --help | sed -n '/^options:/,/^$/p' |
		sed -n 's/^  \(-[a-zA-Z]\)\{0,1\}\(, \)\{0,1\}\(--[a-z][a-z-]*\).*/\1 \3/p' | sed 's/^ /- /')
	expect_eq "$want" "$got" "the options of 'venv $c --help' (vs --dump-options)"
done

# bash: run the function as readline would.
bash_complete() { # WORDS... (the last one is being completed)
	bash --norc --noprofile -c '
		. "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		_venv; printf "%s\n" "${COMPREPLY[@]}"' bash "$out/venv.bash" "$@"
}
expect_eq "create" "$(bash_complete venv cr)" "bash: venv cr<TAB>"
expect_eq "--format" "$(bash_complete venv check --for)" "bash: venv check --for<TAB>"
expect_eq "$(printf 'text\njson\njson-lines\nsarif')" "$(bash_complete venv check --format '')" "bash: --format <TAB>"
expect_eq "$(printf 'text\njson')" "$(bash_complete venv repair --format '')" "bash: repair --format <TAB>"
expect_eq "$(printf 'text\njson\njson-lines\nsarif')" "$(bash_complete venv check -f '')" "bash: check -f <TAB>"
expect_eq "$(printf 'copy\nhardlink\nauto')" "$(bash_complete venv create --link-mode '')" "bash: --link-mode <TAB>"
expect_eq "" "$(bash_complete venv check --select V)" "bash: --select <TAB> offers nothing"
# Positional arguments: directories, but restore's ARCHIVE is a file.
mkdir -p "$TMP/pos/adir" && touch "$TMP/pos/a.tar.zst"
expect_eq "$(printf 'a.tar.zst\nadir')" "$(cd "$TMP/pos" && bash_complete venv restore a | sort)" "bash: venv restore a<TAB>"
expect_eq "adir" "$(cd "$TMP/pos" && bash_complete venv check a)" "bash: venv check a<TAB>"
expect_eq "$(printf 'check\ncreate\nhelp\nlist\nrepair\nrestore')" "$(bash_complete venv help '')" "bash: venv help <TAB>"
for c in $cmds; do
	[ "$c" = help ] && continue
	got=$(bash_complete venv "$c" -- | sort)
	want=$(longs "$c" | sort)
	expect_eq "$want" "$got" "bash: the options of venv $c"
done

# fish: its own completer.
if command -v fish >/dev/null; then
	fish_complete() { fish --no-config -c "source '$out/venv.fish'; complete -C '$1'" | cut -f1; }
	expect_eq "create" "$(fish_complete 'venv cr')" "fish: venv cr<TAB>"
	expect_eq "--format" "$(fish_complete 'venv check --for')" "fish: venv check --for<TAB>"
	expect_eq "$(printf 'json\njson-lines\nsarif\ntext')" "$(fish_complete 'venv check --format ' | sort)" "fish: --format <TAB>"
	expect_eq "$(printf 'a.tar.zst\nadir/')" "$(cd "$TMP/pos" && fish_complete 'venv restore a' | sort)" "fish: venv restore a<TAB>"
	expect_eq "adir/" "$(cd "$TMP/pos" && fish_complete 'venv check a')" "fish: venv check a<TAB>"
	expect_eq "$(printf -- '--help\n--version')" "$(fish_complete 'venv --' | sort)" "fish: venv --<TAB>"
	for c in $cmds; do
		[ "$c" = help ] && continue
		got=$(fish_complete "venv $c --" | sort)
		expect_eq "$(longs "$c" | sort)" "$got" "fish: the options of venv $c"
	done
else
	echo "fish not installed: fish not tried"
fi

# zsh: the function with compadd captured (what compsys would be handed).
if command -v zsh >/dev/null; then
	zsh_complete() { # WORDS... (the last one is being completed)
		zsh -f -c '
			compadd() {
				local a arrays=0
				for a in "$@"; do
					case $a in
					-a) arrays=1 ;;
					--) ;;
					-[a-zA-Z]) ;;
					*) if (( arrays )); then print -rl -- ${(P)a}; else print -r -- $a; fi ;;
					esac
				done
			}
			_files() { print -r -- "_files $*"; }
			src=$1; shift
			words=("$@"); CURRENT=$#
			. $src' zsh "$out/_venv" "$@"
	}
	got=$(zsh_complete venv cr | grep '^cr' || :)
	expect_eq "create" "$got" "zsh: venv cr<TAB>"
	expect_match "(^|$(printf '\n'))--format($|$(printf '\n'))" "$(zsh_complete venv check --for)" "zsh: venv check --for<TAB>"
	expect_eq "$(printf 'text\njson\njson-lines\nsarif')" "$(zsh_complete venv check --format '')" "zsh: --format <TAB>"
	expect_eq "_files " "$(zsh_complete venv restore a)" "zsh: venv restore a<TAB> (file names)"
	expect_eq "_files -/" "$(zsh_complete venv check a)" "zsh: venv check a<TAB> (directories)"
else
	echo "zsh not installed: zsh not tried"
fi

# Every completed value is accepted by the command.
for v in text json json-lines sarif; do expect_exit 0 "$VENV" check --format "$v" --explain VNV401; done
for v in auto always never; do expect_exit 0 "$VENV" check --color "$v" --explain VNV401; done
mkdir -p "$TMP/e"
for v in error warning info; do
	"$VENV" check --severity "$v" "$TMP/e" >"$TMP/sev.out" 2>&1
	grep -q 'VNV001' "$TMP/sev.out" || fail "expected --severity $v to be accepted, saw: $(cat "$TMP/sev.out")"
done
expect_exit 0 "$VENV" create -q --without-pip --link-mode copy "$TMP/lm" 2>/dev/null ||
	fail "expected --link-mode copy to be accepted"
echo ok
