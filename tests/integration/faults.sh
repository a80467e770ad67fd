#!/bin/sh
# Faults: a full disk and a read-only database. The server answers 503 with
# a clear message (the report form says the tip was NOT stored and shows the
# hotline numbers), keeps answering reads, and recovers by itself when space
# returns or the file becomes writable again. Nothing acknowledged is lost.
#
# The data directory lives on a small ext4 file system in a loop device, so
# filling it fills only it; `chattr +i` makes the database and its WAL
# refuse writes even to root, on descriptors the server already holds. Both
# need root; without it the test skips and says why.
. "$SRCDIR/tests/integration/lib.sh"

skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}

[ "$(id -u)" = 0 ] || skip_all "needs root to mount a small file system"
for tool in mkfs.ext4 chattr mount umount; do
	command -v "$tool" >/dev/null || skip_all "$tool is not installed (tools/deps.sh installs e2fsprogs)"
done
MNT="$WORK/mnt"
mkdir -p "$MNT"
truncate -s 16M "$WORK/fs.img"
mkfs.ext4 -q -m 0 "$WORK/fs.img" || skip_all "mkfs.ext4 failed"
mount -o loop "$WORK/fs.img" "$MNT" 2>"$WORK/mount.err" ||
	skip_all "cannot mount a loop device here: $(head -n 1 "$WORK/mount.err")"

faults_cleanup() {
	vigil_stop
	chattr -i "$MNT"/data/vigil.db* 2>/dev/null
	umount "$MNT" 2>/dev/null
	rm -rf "$WORK"
}
trap faults_cleanup EXIT

DATA="$MNT/data"
vigil_init
vigil_start
: >"$WORK/receipts"

# submit TEXT: posts a tip through the API; on 201 records the receipt.
submit() {
	code=$(api /api/v1/tips "{\"narrative\": \"$1\"}")
	[ "$code" = 201 ] && json '["receipt"]' >>"$WORK/receipts"
	echo "$code"
}

is "a tip is stored before any fault" "$(submit 'before the faults')" 201
FIRST=$(head -n 1 "$WORK/receipts")

# refused NAME: the API, the form (English and Spanish) and reading, while
# the database cannot be written.
refused() {
	code=$(submit "during $1")
	i=0
	# The WAL may still have room from earlier frames; a few more fill it.
	while [ "$code" = 201 ] && [ $i -lt 50 ]; do
		code=$(submit "during $1 $i")
		i=$((i + 1))
	done
	is "$1: the API answers 503" "$code" 503
	is "$1:   with code unavailable" "$(json '["error"]["code"]')" unavailable
	check "$1:   saying the tip was NOT stored" grep -q 'NOT stored' "$WORK/body"
	is "$1:   and when to retry" "$(header Retry-After)" 60
	is "$1: the report form answers 503" \
		"$(form /report --data-urlencode "narrative=form during $1")" 503
	check "$1:   saying the report was NOT saved" grep -q 'NOT saved' "$WORK/body"
	check "$1:   with the hotline numbers" grep -q 'href="tel:+18883737888"' "$WORK/body"
	is "$1: the Spanish form answers 503" \
		"$(form '/report?lang=es' --data-urlencode "narrative=es during $1")" 503
	check "$1:   in Spanish" grep -q 'NO se ha guardado' "$WORK/body"
	check "$1:   with the hotline numbers" grep -q 'href="tel:+18883737888"' "$WORK/body"
	is "$1: an acknowledged tip can still be read" \
		"$(api /api/v1/receipts/lookup "{\"receipt\": \"$FIRST\"}")" 200
}

# Disk full: a file takes every free block.
dd if=/dev/zero of="$MNT/filler" bs=64k 2>/dev/null
refused "disk full"
rm -f "$MNT/filler"
is "space returned: tips are stored again, same server" "$(submit 'after the disk was full')" 201
check "  the server never stopped" kill -0 "$SERVER_PID"

# Read-only: the database and its WAL refuse writes.
chattr +i "$DATA/vigil.db" "$DATA/vigil.db-wal"
refused "read-only"
chattr -i "$DATA/vigil.db" "$DATA/vigil.db-wal"
is "writable again: tips are stored again, same server" "$(submit 'after read-only')" 201
check "  the server never stopped" kill -0 "$SERVER_PID"

missing=0
while read -r r; do
	code=$(api /api/v1/receipts/lookup "{\"receipt\": \"$r\"}")
	[ "$code" = 200 ] || { missing=$((missing + 1)); diag "receipt $r: $code"; }
done <"$WORK/receipts"
is "every acknowledged tip is there ($(wc -l <"$WORK/receipts"))" "$missing" 0
vigil_stop TERM
is "the server stops cleanly" "$SERVER_STATUS" 0
is "the database is intact" "$(sqlite3 "$DATA/vigil.db" 'pragma integrity_check')" ok
is "it holds exactly the acknowledged tips, nothing half-stored" \
	"$(sqlite3 "$DATA/vigil.db" 'select count(*) from tips')" "$(wc -l <"$WORK/receipts" | tr -d ' ')"

done_testing
