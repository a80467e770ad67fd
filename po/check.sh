#!/bin/sh
# check.sh - the 'po' test (TAP): every catalog in po/LINGUAS compiles with
# msgfmt --check, has no fuzzy or untranslated entries and translates every
# msgid of vigil.pot; and vigil.pot is not stale: extracting again from the
# templates and C sources gives the same set of msgids.
#
# usage: po/check.sh [SOURCE-ROOT]
set -u

top=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$top" || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
langs=$(grep -v '^#' po/LINGUAS)
n=0

# Prints one TAP line for a check; $1 is its name, the rest its command,
# whose output is shown as diagnostics when it fails.
check() {
	name=$1
	shift
	n=$((n + 1))
	if "$@" >"$tmp/out" 2>&1; then
		echo "ok $n - $name"
	else
		echo "not ok $n - $name"
		sed 's/^/# /' "$tmp/out"
	fi
}

# Fails when msgattrib selects any entry with the given option.
none_selected() {
	msgattrib --no-obsolete "$1" "$2" >"$tmp/selected" || return 1
	if grep -q '^msgid' "$tmp/selected"; then
		grep '^msgid' "$tmp/selected"
		return 1
	fi
}

# shellcheck disable=SC2086 # one argument per language
set -- $langs
echo "1..$(($# * 4 + 1))"
for lang in $langs; do
	check "$lang.po compiles with msgfmt --check" \
		msgfmt --check -o /dev/null "po/$lang.po"
	check "$lang.po has no fuzzy entries" none_selected --only-fuzzy "po/$lang.po"
	check "$lang.po has no untranslated entries" \
		none_selected --untranslated "po/$lang.po"
	check "$lang.po translates every msgid of vigil.pot" \
		msgcmp "po/$lang.po" po/vigil.pot
done

stale() {
	sh po/extract.sh "$tmp/fresh" &&
	msgcmp --use-untranslated "$tmp/fresh/vigil.pot" po/vigil.pot &&
	msgcmp --use-untranslated po/vigil.pot "$tmp/fresh/vigil.pot"
}
check "vigil.pot is up to date (else run po/extract.sh)" stale
