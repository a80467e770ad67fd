#!/bin/sh
# extract.sh - regenerates po/vigil.pot from the templates and the C sources,
# then merges it into every catalog named in po/LINGUAS.
#
# usage: po/extract.sh          update po/vigil.pot and po/<lang>.po
#        po/extract.sh OUTDIR   write OUTDIR/vigil.pot only (for po/check.sh)
#
# Templates mark text as {{_ Some text}}; the msgid is the text trimmed, with
# each run of white space made one space, as src/web/template.c reads it.
# C sources under src/web, src/site and src/app mark text with _("...") and
# N_("..."); the case picklists' labels are msgids too. A file is rewritten only when its content changed (the POT's
# creation date aside), so running this twice changes nothing.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
outdir=${1:-po}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The templates' messages as a PO file: one entry per msgid, with every
# place it occurs, in order of first appearance. awk reads the list of
# files on its standard input and each file with getline.
find templates -type f -name '*.html' | LC_ALL=C sort >"$tmp/templates.list"
# shellcheck disable=SC2016 # the program is awk's, not the shell's
awk '
function count_nl(t) {
	return gsub(/\n/, "", t)
}
function add(text, where) {
	gsub(/[ \t\r\n]+/, " ", text)
	sub(/^ /, "", text)
	sub(/ $/, "", text)
	if (text == "")
		return
	if (text in refs) {
		refs[text] = refs[text] " " where
		return
	}
	order[++count] = text
	refs[text] = where
}
function flush(   s, line, i, j, rest, text) {
	s = buf
	line = 1
	while ((i = index(s, "{{_")) > 0) {
		line += count_nl(substr(s, 1, i - 1))
		rest = substr(s, i + 3)
		s = rest
		if (substr(rest, 1, 1) !~ /[ \t\r\n]/)
			continue
		j = index(rest, "}}")
		if (j == 0)
			break
		text = substr(rest, 1, j - 1)
		add(text, file ":" line)
		line += count_nl(text)
		s = substr(rest, j + 2)
	}
}
{
	file = $0
	buf = ""
	while ((getline input < file) > 0)
		buf = buf input "\n"
	close(file)
	flush()
}
END {
	print "msgid \"\""
	print "msgstr \"Content-Type: text/plain; charset=UTF-8\\n\""
	for (k = 1; k <= count; k++) {
		m = order[k]
		gsub(/\\/, "&&", m)
		gsub(/"/, "\\\\&", m)
		print ""
		print "#: " refs[order[k]]
		print "msgid \"" m "\""
		print "msgstr \"\""
	}
}
' <"$tmp/templates.list" >"$tmp/templates.po"

# The labels of the case picklists (data/cases/picklists.tsv: field, slug,
# label, htcds), which app/cases.c gives to the pages as msgids.
# shellcheck disable=SC2016 # the program is awk's, not the shell's
awk -F '\t' '
BEGIN {
	print "msgid \"\""
	print "msgstr \"Content-Type: text/plain; charset=UTF-8\\n\""
}
/^#/ || $1 == "field" || NF < 3 { next }
!($3 in seen) {
	seen[$3] = 1
	m = $3
	gsub(/\\/, "&&", m)
	gsub(/"/, "\\\\&", m)
	print ""
	print "#: " FILENAME ":" FNR
	print "msgid \"" m "\""
	print "msgstr \"\""
}
' data/cases/picklists.tsv >"$tmp/picklists.po"

# The C sources' messages, after the templates' and the picklists'.
printf '%s\n' "$tmp/templates.po" "$tmp/picklists.po" >"$tmp/sources.list"
for dir in src/web src/site src/app; do
	if [ -d "$dir" ]; then
		find "$dir" -type f -name '*.c'
	fi
done | LC_ALL=C sort >>"$tmp/sources.list"

xgettext --from-code=UTF-8 --add-comments=TRANSLATORS: -k_ -kN_ \
	--package-name=vigil --msgid-bugs-address="the vigil issue tracker" \
	--copyright-holder="the vigil contributors" \
	-o "$tmp/vigil.pot" -f "$tmp/sources.list"
# The templates' references name them as they are in the tree, not the copy.
sed -i "s|$tmp/||g" "$tmp/vigil.pot"

# Replaces $2 with $1 unless they differ only in the POT creation date.
update() {
	if [ -f "$2" ] &&
	   grep -v '^"POT-Creation-Date:' "$1" >"$tmp/new" &&
	   grep -v '^"POT-Creation-Date:' "$2" >"$tmp/old" &&
	   cmp -s "$tmp/new" "$tmp/old"; then
		return 0
	fi
	cp "$1" "$2"
}

mkdir -p "$outdir"
update "$tmp/vigil.pot" "$outdir/vigil.pot"
[ "$#" -eq 0 ] || exit 0

# Merges the new messages into each catalog and drops obsolete ones; a
# changed msgid comes back fuzzy, for a translator to check.
for lang in $(grep -v '^#' po/LINGUAS); do
	msgmerge --quiet --previous -o "$tmp/$lang.po" "po/$lang.po" po/vigil.pot
	msgattrib --no-obsolete -o "$tmp/$lang.clean.po" "$tmp/$lang.po"
	update "$tmp/$lang.clean.po" "po/$lang.po"
done
