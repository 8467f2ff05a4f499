#!/bin/bash
# make install honours PREFIX and DESTDIR; the installed header, library and
# pkg-config file are enough to build a program against libvenv.
. "$(dirname "$0")/lib.sh"
command -v pkg-config >/dev/null || skip "pkg-config is not installed"

make -s -C "$TOP" install DESTDIR="$TMP/stage" PREFIX=/usr >/dev/null || fail "make install DESTDIR failed"
for f in usr/bin/venv usr/lib/libvenv.a usr/include/venv/venv.h usr/lib/pkgconfig/libvenv.pc \
	usr/share/man/man1/venv.1 usr/share/man/man1/venv-create.1 \
	usr/share/bash-completion/completions/venv usr/share/zsh/site-functions/_venv \
	usr/share/fish/vendor_completions.d/venv.fish; do
	[ -e "$TMP/stage/$f" ] || fail "expected $f under DESTDIR, saw: $(cd "$TMP/stage" && find . -type f)"
done
grep -q '^prefix=/usr$' "$TMP/stage/usr/lib/pkgconfig/libvenv.pc" || fail "expected prefix=/usr in libvenv.pc"

make -s -C "$TOP" install PREFIX="$TMP/prefix" >/dev/null || fail "make install PREFIX failed"
"$TMP/prefix/bin/venv" --version | grep -q '^venv ' || fail "expected the installed venv to run"
# A consumer includes <venv/venv.h>; the C library's <error.h> is still its own
# (libvenv's error.h once hid it: pkg-config gave -I.../include/venv).
cat >"$TMP/prog.c" <<'C'
#include <error.h>
#include <stdio.h>
#include <venv/venv.h>
int main(void)
{
	struct vbuf b = VBUF_INIT(64);
	if (venv_py_repr(&b, "it's") < 0)
		error(1, 0, "venv_py_repr: %s", venv_error_last());
	printf("%s %s %u\n", VENV_VERSION_STRING, b.buf, error_message_count);
	vbuf_release(&b);
	return 0;
}
C
export PKG_CONFIG_PATH="$TMP/prefix/lib/pkgconfig"
# A library built with SANITIZE=1 needs the sanitizer runtimes in the program too.
san=""
nm "$TMP/prefix/lib/libvenv.a" 2>/dev/null | grep -q __asan_ && san="-fsanitize=address,undefined"
cc $san -o "$TMP/prog" "$TMP/prog.c" $(pkg-config --cflags libvenv) $(pkg-config --libs libvenv) -lpthread ||
	fail "expected a program to build against the installed libvenv"
expect_match "^[0-9.]+ \"it's\" 0$" "$("$TMP/prog")" "the program's output"
[ ! -e "$TMP/prefix/include/error.h" ] || fail "a header was installed straight into include/"
expect_eq "-I$TMP/prefix/include" "$(pkg-config --cflags-only-I libvenv | sed 's/ *$//' | tr ' ' '\n' | grep -F "$TMP/prefix" | head -n 1)" \
	"libvenv's include directory (the parent of venv/)"

make -s -C "$TOP" check-headers >/dev/null || fail "expected every public header to compile alone"

# A vbuf append's result must be looked at (VENV_MUST_CHECK): dropping it
# does not compile under -Werror, for a consumer as for DEVELOPER=1 builds.
for body in 'return vbuf_adds(b, "x");' 'vbuf_adds(b, "x"); return 0;'; do
	printf '#include <venv/vbuf.h>\nint f(struct vbuf *b);\nint f(struct vbuf *b) { %s }\n' \
		"$body" >"$TMP/append.c"
	if cc -std=c11 -Wall -Werror -I"$TMP/prefix/include" -c -o "$TMP/append.o" "$TMP/append.c" 2>/dev/null; then
		got=compiles
	else
		got=refused
	fi
	case $body in
	return*) expect_eq compiles "$got" "an append whose result is returned" ;;
	*) expect_eq refused "$got" "an append whose result is dropped" ;;
	esac
done

# The README's set-up for one user: PREFIX=$HOME/.local puts venv on a PATH
# that has ~/.local/bin, and man finds the pages from there (man-db maps each
# PATH entry's bin to ../share/man); make uninstall takes all of it away.
make -s -C "$TOP" install PREFIX="$HOME/.local" >/dev/null || fail "make install PREFIX=\$HOME/.local failed"
expect_eq "$HOME/.local/bin/venv" "$(PATH="$HOME/.local/bin:$PATH" command -v venv)" "the venv on PATH"
if command -v man >/dev/null && man -w man >/dev/null 2>&1; then
	for p in venv venv-create venv-check venv-repair venv-restore; do
		got=$(env -u MANPATH PATH="$HOME/.local/bin:$PATH" man -w "$p" 2>&1)
		expect_eq "$HOME/.local/share/man/man1/$p.1" "$got" "man -w $p"
	done
fi
make -s -C "$TOP" uninstall PREFIX="$HOME/.local" >/dev/null || fail "make uninstall failed"
left=$(find "$HOME/.local" -type f)
[ -z "$left" ] || fail "expected make uninstall to remove every installed file, left: $left"
echo ok
