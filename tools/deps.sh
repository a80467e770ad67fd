#!/bin/sh
# Installs the Debian packages vigil needs to build, run and test, and the
# locales gettext needs for per-request languages. Does nothing when all is
# already there, so `make run` and `make test` can call it every time.
set -eu

pkgs="build-essential meson ninja-build pkg-config gettext locales iso-codes
libmicrohttpd-dev libjansson-dev libsqlite3-dev libsodium-dev libinih-dev
libutf8proc-dev libcmocka-dev curl sqlite3 python3
libicu-dev libvectorscan-dev libxxhash-dev e2fsprogs iproute2 liboath-dev
chromium nodejs npm"

# The browser tests (tests/browser) drive Debian's chromium from node; npm
# installs their pinned packages (playwright-core, axe-core), never a browser.

# Fuzzing needs a second compiler, so only `make fuzz` and
# tools/fuzz-smoke.sh ask for it (`sh tools/deps.sh fuzz`): clang, and the
# libFuzzer runtime that Debian 12 ships apart from it (clang only
# recommends libclang-rt-14-dev). `make test` does not install them.
fuzz_pkgs="clang libclang-rt-14-dev"
if [ "${1:-}" = fuzz ]; then
	pkgs="$pkgs $fuzz_pkgs"
fi

missing=""
for p in $pkgs; do
	# NodeSource's nodejs package brings its own npm and conflicts with
	# Debian's: an npm that is already there is enough.
	if [ "$p" = npm ] && command -v npm >/dev/null; then continue; fi
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done

as_root() {
	if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

if [ -n "$missing" ]; then
	echo "deps: installing$missing"
	as_root apt-get update -qq
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
fi

# gettext only switches language for a locale that exists.
need_locales=""
for l in en_US.UTF-8 es_ES.UTF-8; do
	norm=$(echo "$l" | sed 's/UTF-8/utf8/')
	locale -a 2>/dev/null | grep -qx "$norm" || need_locales="$need_locales $l"
done
if [ -n "$need_locales" ]; then
	echo "deps: generating locales$need_locales"
	for l in $need_locales; do
		as_root sed -i "s/^# *\($l UTF-8\)/\1/" /etc/locale.gen
		grep -q "^$l UTF-8" /etc/locale.gen || echo "$l UTF-8" | as_root tee -a /etc/locale.gen >/dev/null
	done
	as_root locale-gen >/dev/null
fi
