#!/bin/sh
# Durability: while clients submit tips, the server is killed with SIGKILL,
# 20 times over (DURABILITY_CYCLES), each restart recovering what the last
# kill left. Afterwards every tip whose receipt reached a client must be
# there, and the database must pass `PRAGMA integrity_check`.
. "$SRCDIR/tests/integration/lib.sh"
vigil_init
CYCLES=${DURABILITY_CYCLES:-20}
CLIENTS=4

# client CYCLE.N: submits tips until the server goes away, recording the id
# and receipt of each only once the whole 201 answer has arrived.
client() {
	n=0
	while :; do
		n=$((n + 1))
		out=$(curl -s --max-time 10 -w '\n%{http_code}' -H 'Content-Type: application/json' \
			--data "{\"narrative\": \"durability client $1 tip $n\"}" "$BASE/api/v1/tips") || break
		[ "$(printf '%s' "$out" | tail -n 1)" = 201 ] || break
		printf '%s\n' "$out" | head -n 1 |
			sed -n 's/.*"receipt":"\([0-9 ]*\)","id":"\([0-9a-f]*\)".*/\2 \1/p' >>"$WORK/acked.${1%.*}"
	done
}

cycle=1
while [ $cycle -le "$CYCLES" ]; do
	: >"$WORK/acked.$cycle"
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
cat "$WORK"/acked.* >"$WORK/acked"
total=$(wc -l <"$WORK/acked")
idle=0
for c in $(seq 1 "$CYCLES"); do
	[ -s "$WORK/acked.$c" ] || idle=$((idle + 1))
done
is "every one of the $CYCLES kills came while tips were being acknowledged ($total in all)" "$idle" 0
# Every acknowledged id is in the table; the receipts most at risk, the last
# each client saw acknowledged before a kill, also open through the API.
cut -d' ' -f1 "$WORK/acked" | sort >"$WORK/acked.ids"
sqlite3 "$DATA/vigil.db" 'select id from tips' | sort >"$WORK/stored.ids"
lost=$(comm -23 "$WORK/acked.ids" "$WORK/stored.ids" | wc -l)
is "every acknowledged tip survived $CYCLES kill -9 cycles" "$lost" 0
missing=0
checked=0
for c in $(seq 1 "$CYCLES"); do
	tail -n "$CLIENTS" "$WORK/acked.$c" | cut -d' ' -f2- >"$WORK/last"
	while read -r r; do
		checked=$((checked + 1))
		code=$(api /api/v1/receipts/lookup "{\"receipt\": \"$r\"}")
		[ "$code" = 200 ] || { missing=$((missing + 1)); diag "receipt $r: $code"; }
	done <"$WORK/last"
done
is "the last receipts acknowledged before each kill open ($checked)" "$missing" 0
vigil_stop TERM
is "the database is intact" "$(sqlite3 "$DATA/vigil.db" 'pragma integrity_check')" ok
is "it holds every acknowledged tip, and at most the ones cut off in flight more" \
	"$(comm -13 "$WORK/acked.ids" "$WORK/stored.ids" | wc -l | awk -v k="$CYCLES" -v n="$CLIENTS" '{ print ($1 <= k * n) }')" 1

done_testing
