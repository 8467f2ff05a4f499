#!/bin/sh
# Install what venv needs to build and to run its tests.
# Debian and Ubuntu: run as root (or with sudo). Elsewhere, install the
# equivalents by hand: a C11 compiler, make, pkg-config, libarchive, OpenSSL (libcrypto), PCRE2
# (8-bit), Jansson, Check, and for the tests bash, zsh, dash, ksh, fish,
# tcsh, csh, strace, shellcheck, nushell (npm package "nushell"), and the
# Python interpreters you want to test against.
set -eu
if ! command -v apt-get >/dev/null 2>&1; then
	echo "venv: this script knows apt-get only; install the packages listed in" >&2
	echo "      tests/install-deps.sh by hand" >&2
	exit 1
fi
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
PKGS="build-essential pkg-config libarchive-dev libpcre2-dev libjansson-dev libssl-dev check \
bash zsh dash ksh fish tcsh csh strace shellcheck zstd python3 python3.11-venv \
python3-virtualenv pipx python3-poetry python3-pdm tox clang libclang-rt-14-dev cppcheck clang-tidy hyperfine"
missing=
for p in $PKGS; do
	dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing
fi
# nushell ships as an npm package with a prebuilt binary. npm comes with
# Node.js (Debian's npm package conflicts with NodeSource's nodejs, so it is
# not installed from apt here).
if ! command -v nu >/dev/null 2>&1; then
	if command -v npm >/dev/null 2>&1; then
		$SUDO npm install -g nushell >/dev/null 2>&1 ||
			echo "venv: warning: could not install nushell with npm; its tests will be skipped" >&2
	else
		echo "venv: warning: npm not found: install Node.js and run 'npm install -g nushell'" >&2
	fi
fi
echo "dependencies installed"
