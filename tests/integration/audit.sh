#!/bin/sh
# The audit log is a hash chain: `vigil audit verify` passes on an honest
# log and names the first entry that was edited, deleted or inserted.
. "$SRCDIR/tests/integration/lib.sh"
vigil_init
vigil_start
add_user ana advocate ana-password-1234
api /api/v1/tips '{"narrative": "A tip to look at."}' >/dev/null
ID=$(json '["id"]')
api /api/v1/sessions '{"name": "ana", "password": "ana-password-1234"}' >/dev/null
AUTH="Authorization: Bearer $(json '["token"]')"
for i in 1 2 3; do req GET "/api/v1/tips/$ID" -H "$AUTH" >/dev/null; done
vigil_stop

verify() { "$VIGIL" --data "$DATA" audit verify "$@" >"$WORK/out" 2>"$WORK/err"; }
N=$(sqlite3 "$DATA/vigil.db" 'select count(*) from audit')
check "the log has entries ($N)" test "$N" -ge 5
verify
is "an honest log verifies" "$?" 0
check "  and says how many entries hold" grep -q "ok: $N entries hold" "$WORK/out"
HEAD=$(sed -n 's/^head //p' "$WORK/out")
check "  and prints its head" sh -c "echo '$HEAD' | grep -Eq '^$N:[0-9a-f]{64}\$'"
verify --expect "$HEAD"
is "the recorded head is found" "$?" 0
verify --expect "nonsense"
is "a malformed --expect is bad usage" "$?" 2

cp "$DATA/vigil.db" "$WORK/clean.db"
restore() { cp "$WORK/clean.db" "$DATA/vigil.db"; rm -f "$DATA/vigil.db-wal" "$DATA/vigil.db-shm"; }

sqlite3 "$DATA/vigil.db" "update audit set detail = 'edited' where id = 3"
verify
is "an edited entry is detected" "$?" 1
check "  and named" grep -q 'entry 3 does not hold: its content does not match' "$WORK/err"
restore
sqlite3 "$DATA/vigil.db" "update audit set at = at + 1 where id = 2"
verify
is "a changed time is detected" "$?" 1
restore
sqlite3 "$DATA/vigil.db" "delete from audit where id = 3"
verify
is "a deleted entry is detected" "$?" 1
check "  where it was" grep -q 'entry 3 does not hold' "$WORK/err"
restore
sqlite3 "$DATA/vigil.db" "delete from audit where id = 3; update audit set id = id - 1 where id > 3"
verify
is "a deleted entry with the ids closed up is detected" "$?" 1
check "  at the entry after it" grep -q 'entry 3 does not hold: it does not follow' "$WORK/err"
restore
sqlite3 "$DATA/vigil.db" "update audit set hash = null, prev = null where id = $N"
verify
is "an entry stripped of its hash is detected" "$?" 1
restore
sqlite3 "$DATA/vigil.db" "delete from audit where id = $N"
verify
is "removing the last entry leaves a chain that holds" "$?" 0
verify --expect "$HEAD"
is "  but not the recorded head" "$?" 1
check "  which is said" grep -q 'removed from the end' "$WORK/err"
restore
verify
is "the restored log verifies again" "$?" 0

done_testing
