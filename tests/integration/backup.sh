#!/bin/sh
# vigil backup and vigil restore: a backup taken while clients submit tips,
# restored into a fresh data directory, holds every record of every table
# as the backup file does, every tip acknowledged before it began, and only
# sealed text. A restore refuses a running server's database, a damaged
# file and one from a newer vigil.
. "$SRCDIR/tests/integration/lib.sh"
vigil_init
vigil_start

MARK="BACKUP-NARRATIVE-MARKER-$$"
MMARK="BACKUP-MESSAGE-MARKER-$$"
code=$(api /api/v1/tips "{\"narrative\": \"$MARK\", \"contact\": \"555-0142\"}")
is "a tip is stored" "$code" 201
RECEIPT=$(json '["receipt"]')
ID=$(json '["id"]')
api /api/v1/receipts/messages "{\"receipt\": \"$RECEIPT\", \"message\": \"$MMARK\"}" >/dev/null
add_user ana advocate ana-password-1234
api /api/v1/sessions '{"name": "ana", "password": "ana-password-1234"}' >/dev/null
AUTH="Authorization: Bearer $(json '["token"]')"
is "staff read the tip (audited)" "$(req GET "/api/v1/tips/$ID" -H "$AUTH")" 200

# Load: clients submit tips until told to stop, recording acknowledged receipts.
client() {
	n=0
	while [ ! -e "$WORK/stop" ]; do
		n=$((n + 1))
		out=$(curl -s --max-time 10 -w '\n%{http_code}' -H 'Content-Type: application/json' \
			--data "{\"narrative\": \"backup load $1 tip $n\"}" "$BASE/api/v1/tips") || continue
		[ "$(printf '%s' "$out" | tail -n 1)" = 201 ] || continue
		printf '%s\n' "$out" | head -n 1 | sed -n 's/.*"receipt":"\([0-9 ]*\)".*/\1/p' >>"$WORK/receipts.$1"
	done
}
: >"$WORK/receipts.1"
: >"$WORK/receipts.2"
client 1 &
C1=$!
client 2 &
C2=$!
while [ "$(cat "$WORK/receipts.1" "$WORK/receipts.2" | wc -l)" -lt 10 ]; do sleep 0.1; done
cat "$WORK/receipts.1" "$WORK/receipts.2" >"$WORK/before"
"$VIGIL" --data "$DATA" backup "$WORK/backup.db" >"$WORK/backup.out" 2>"$WORK/backup.err"
is "vigil backup succeeds while clients submit tips" "$?" 0
# The clients go on being served: wait (on a condition, not a time) for a
# tip acknowledged after the backup; then stop them.
before=$(wc -l <"$WORK/before")
i=0
while [ "$(cat "$WORK/receipts.1" "$WORK/receipts.2" | wc -l)" -le "$before" ] && [ $i -lt 1200 ]; do
	sleep 0.1
	i=$((i + 1))
done
during=$(cat "$WORK/receipts.1" "$WORK/receipts.2" | wc -l)
touch "$WORK/stop"
wait $C1 $C2
check "  the clients went on being served ($during tips)" test "$during" -gt "$before"
check "  and it says the key file is not in the backup" grep -q 'key file.*not in the backup' "$WORK/backup.out"
is "the backup is owner-only" "$(stat -c %a "$WORK/backup.db")" 600
check "the backup is one file, with no WAL beside it" test ! -e "$WORK/backup.db-wal"
is "the backup is intact" "$(sqlite3 "$WORK/backup.db" 'pragma integrity_check')" ok
check "the narrative is not in the backup in plain text" sh -c "! grep -qa '$MARK' '$WORK/backup.db'"
check "nor the message" sh -c "! grep -qa '$MMARK' '$WORK/backup.db'"
check "nor the contact" sh -c "! grep -qa '555-0142' '$WORK/backup.db'"
check "the key is not in the backup" \
	sh -c "! grep -qa \"\$(cat '$DATA/keys/master.key')\" '$WORK/backup.db'"
"$VIGIL" --data "$DATA" backup "$WORK/backup.db" 2>"$WORK/err"
is "a backup never overwrites a file (exit 2)" "$?" 2

# A restore refuses what it must not do, and changes nothing then.
"$VIGIL" --data "$DATA" restore "$WORK/backup.db" 2>"$WORK/err"
is "restore refuses the database of a running server (exit 1)" "$?" 1
check "  and says a server is running" grep -q 'server is running' "$WORK/err"
cp "$WORK/backup.db" "$WORK/damaged.db"
size=$(stat -c %s "$WORK/damaged.db")
dd if=/dev/urandom of="$WORK/damaged.db" bs=1024 seek=$((size / 2048)) count=8 conv=notrunc 2>/dev/null
"$VIGIL" --data "$WORK/other" restore "$WORK/damaged.db" 2>"$WORK/err"
is "restore refuses a damaged backup (exit 2)" "$?" 2
check "  and says so" grep -q 'damaged' "$WORK/err"
check "  creating no database" test ! -e "$WORK/other/vigil.db"
cp "$WORK/backup.db" "$WORK/newer.db"
sqlite3 "$WORK/newer.db" "insert into schema_migrations (version, name, applied_at) values (9999, '9999_future.sql', 0)"
"$VIGIL" --data "$WORK/other" restore "$WORK/newer.db" 2>"$WORK/err"
is "restore refuses a backup from a newer vigil (exit 2)" "$?" 2
check "  and says so" grep -q 'newer vigil' "$WORK/err"

# Restore into a fresh data directory; the key is copied apart, as docs/cli.md says.
FRESH="$WORK/fresh"
"$VIGIL" --data "$FRESH" restore "$WORK/backup.db" >"$WORK/restore.out" 2>"$WORK/err"
is "restore into a fresh data directory succeeds" "$?" 0
check "  and warns that the key file is missing" grep -q 'key file.*missing' "$WORK/restore.out"
is "  the directory is owner-only" "$(stat -c %a "$FRESH")" 700

# Every record of every table, blobs as hex, one per line, sorted (some
# tables have no rowid); a query that fails fails the test.
dump() {
	for t in $(sqlite3 "$1" "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name"); do
		echo "== $t"
		sqlite3 -bail -cmd '.mode quote' "$1" "select * from \"$t\"" >"$WORK/rows" ||
			echo "FAILED to read $t"
		sort "$WORK/rows"
	done
}
dump "$WORK/backup.db" >"$WORK/dump.backup"
dump "$FRESH/vigil.db" >"$WORK/dump.fresh"
tables=$(grep -c '^== ' "$WORK/dump.backup")
check "the restored database holds every record of all $tables tables, byte for byte" \
	cmp -s "$WORK/dump.backup" "$WORK/dump.fresh"
check "  every table was read" sh -c "! grep -q '^FAILED' '$WORK/dump.backup' '$WORK/dump.fresh'"
check "  and they are many ($(wc -l <"$WORK/dump.backup") lines)" test "$(wc -l <"$WORK/dump.backup")" -gt 30
# The source only grew since: every record in the backup is there, unchanged
# (the throttle counts failures per window, which the load does not touch).
# The search index's own tables (search_fts_*) are left out: FTS5 rewrites
# its segments as rows are added, so they change without anything being lost.
dump_rows() {
	dump "$1" | awk '/^== / { skip = ($2 ~ /^search_fts_/) } !skip'
}
dump_rows "$DATA/vigil.db" | sort >"$WORK/dump.source"
dump_rows "$WORK/backup.db" | sort | comm -23 - "$WORK/dump.source" >"$WORK/lost"
is "every record in the backup is in the live database unchanged" "$(wc -l <"$WORK/lost" | tr -d ' ')" 0
is "the restored database is intact" "$(sqlite3 "$FRESH/vigil.db" 'pragma integrity_check')" ok

vigil_stop
mkdir -m 700 "$FRESH/keys"
cp -p "$DATA/keys/master.key" "$FRESH/keys/"
DATA="$FRESH"
vigil_start
missing=0
while read -r r; do
	code=$(api /api/v1/receipts/lookup "{\"receipt\": \"$r\"}")
	[ "$code" = 200 ] || { missing=$((missing + 1)); diag "receipt $r: $code"; }
done <"$WORK/before"
is "every tip acknowledged before the backup began is restored ($(wc -l <"$WORK/before"))" "$missing" 0
api /api/v1/sessions '{"name": "ana", "password": "ana-password-1234"}' >/dev/null
AUTH="Authorization: Bearer $(json '["token"]')"
is "the restored staff account signs in and reads the tip" "$(req GET "/api/v1/tips/$ID" -H "$AUTH")" 200
is "  its sealed narrative opens with the copied key" "$(json '["narrative"]')" "$MARK"
"$VIGIL" --data "$FRESH" audit verify >/dev/null 2>"$WORK/err"
is "the restored audit log's chain holds" "$?" 0

done_testing
