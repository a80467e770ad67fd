#!/bin/sh
# Durability: while clients submit tips, the server is killed with SIGKILL.
# After a restart, every tip whose receipt reached a client must be there.
. "$SRCDIR/tests/integration/lib.sh"
vigil_init
CYCLES=${DURABILITY_CYCLES:-5}
CLIENTS=4

# client N: submits tips until the server goes away, recording each receipt
# only once the whole 201 answer has arrived.
client() {
	n=0
	while :; do
		n=$((n + 1))
		out=$(curl -s --max-time 10 -w '\n%{http_code}' -H 'Content-Type: application/json' \
			--data "{\"narrative\": \"durability client $1 tip $n\"}" "$BASE/api/v1/tips") || break
		[ "$(printf '%s' "$out" | tail -n 1)" = 201 ] || break
		printf '%s' "$out" | head -n 1 | sed -n 's/.*"receipt":"\([0-9 ]*\)".*/\1/p' >>"$WORK/receipts"
	done
}

: >"$WORK/receipts"
cycle=1
while [ $cycle -le "$CYCLES" ]; do
	vigil_start
	pids=""
	for c in $(seq 1 $CLIENTS); do
		client "$cycle.$c" &
		pids="$pids $!"
	done
	sleep 1.5
	vigil_stop KILL
	for p in $pids; do wait "$p"; done
	cycle=$((cycle + 1))
done

vigil_start
total=$(wc -l <"$WORK/receipts")
check "tips were acknowledged before the kills ($total)" test "$total" -gt "$CYCLES"
missing=0
while read -r r; do
	code=$(api /api/v1/receipts/lookup "{\"receipt\": \"$r\"}")
	[ "$code" = 200 ] || { missing=$((missing + 1)); [ $missing -le 3 ] && diag "receipt $r: $code $(body)"; }
done <"$WORK/receipts"
is "every acknowledged tip survived $CYCLES kill -9 cycles" "$missing" 0
is "the database is intact" "$(sqlite3 "$DATA/vigil.db" 'pragma integrity_check')" ok
check "the database holds at least the acknowledged tips" \
	test "$(sqlite3 "$DATA/vigil.db" 'select count(*) from tips')" -ge "$total"

done_testing
