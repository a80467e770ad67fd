#!/bin/sh
# Abuse: slow-loris clients, oversized headers and URLs and too many
# connections are cut off by the server's limits (docs/configuration.md);
# the global submission limit answers 429 with the hotline numbers, in
# English and Spanish; wrong receipts are slowed, and a right one still
# opens its report afterwards. The hostile clients are abuse_client.py.
. "$SRCDIR/tests/integration/lib.sh"
vigil_init '[server]' 'connection_timeout = 2' 'connection_max = 16' \
	'[limits]' 'submit_window = 3600' 'submit_max = 3' \
	'[receipts]' 'window = 3600' 'free_failures = 2' 'max_delay_ms = 800'
vigil_start
HOSTPORT=${BASE#http://}
HOST=${HOSTPORT%:*}
PORT=${HOSTPORT##*:}
hostile() { python3 "$SRCDIR/tests/integration/abuse_client.py" "$1" "$HOST" "$PORT" "${2:-0}"; }

# Slow-loris.
is "a client that sends half a request byte by byte and stalls is cut off" "$(hostile stall 10)" closed
is "while 12 clients trickle requests a byte at a time, others are served" "$(hostile trickle 12)" 200
# A flood of idle connections: the server accepts at most connection_max;
# the rest wait unaccepted in the kernel's queue, costing it nothing.
python3 "$SRCDIR/tests/integration/abuse_client.py" flood "$HOST" "$PORT" 40 "$WORK" >"$WORK/flood" &
FLOOD=$!
while [ ! -e "$WORK/ready" ]; do sleep 0.05; done
sleep 0.5
held=$(ss -tnpH state established "( sport = :$PORT )" | grep -c "pid=$SERVER_PID,")
check "40 idle connections: the server holds at most connection_max (16): $held" test "$held" -le 16
check "  and does hold some" test "$held" -ge 1
touch "$WORK/release"
wait $FLOOD
is "  once they go, the server answers again" "$(cat "$WORK/flood")" 200

# Oversized requests.
oversized() {
	case $2 in
	414|431) ok "$1 ($2)" ;;
	*) not_ok "$1"; diag "got: $2" ;;
	esac
}
oversized "a 40 KiB header is refused" "$(hostile header 40000)"
oversized "a 40 KiB URL is refused" "$(hostile url 40000)"
oversized "3000 headers are refused" "$(hostile headers 3000)"
is "a request of a normal size is served" "$(hostile header 2000)" 200
is "the server still serves pages" "$(req GET /)" 200

# The global submission limit.
for i in 1 2 3; do api /api/v1/tips "{\"narrative\": \"limit $i\"}" >/dev/null; done
RECEIPT=$(json '["receipt"]')
is "past submit_max the API answers 429" "$(api /api/v1/tips '{"narrative": "over"}')" 429
is "  with code rate_limited" "$(json '["error"]["code"]')" rate_limited
is "  and Retry-After" "$(header Retry-After)" 60
is "the report form answers 429" "$(form /report --data 'narrative=over+the+limit')" 429
check "  with a clear page" grep -q 'Too many requests right now' "$WORK/body"
check "  that shows the hotline numbers" grep -q 'href="tel:+18883737888"' "$WORK/body"
check "  and the emergency number" grep -q 'href="tel:911"' "$WORK/body"
is "the Spanish report form answers 429" "$(form '/report?lang=es' --data 'narrative=demasiados')" 429
check "  in Spanish" grep -q 'Hay demasiadas solicitudes' "$WORK/body"
check "  with the hotline numbers" grep -q 'href="tel:+18883737888"' "$WORK/body"
is "  with Retry-After" "$(header Retry-After)" 60
is "nothing past the limit was stored" "$(sqlite3 "$DATA/vigil.db" 'select count(*) from tips')" 3
is "the rest of the site is unaffected" "$(req GET /help)" 200

# Receipt guessing: past free_failures (2), each wrong lookup waits longer
# (100, 200, 400, 800 ms, then 800); after six failures the next waits
# 800 ms. Only a lower bound is checked, never an upper one.
lookup_time() {
	curl -s -o "$WORK/body" -w '%{http_code} %{time_total}' -H 'Content-Type: application/json' \
		--data "{\"receipt\": \"$1\"}" "$BASE/api/v1/receipts/lookup"
}
for i in 1 2 3 4 5 6; do lookup_time "1111$i 11111 11111 11111 11111" >"$WORK/t.$i"; done
lookup_time "22222 22222 22222 22222 22222" >"$WORK/t.7"
is "a wrong receipt is not found" "$(cut -d' ' -f1 "$WORK/t.7")" 404
check "  and after 6 failures the next one is slowed (>= 0.7 s: $(cut -d' ' -f2 "$WORK/t.7") s)" \
	python3 -c "import sys; sys.exit(float(sys.argv[1]) < 0.7)" "$(cut -d' ' -f2 "$WORK/t.7")"
check "  the failures are counted in the store" \
	test "$(sqlite3 "$DATA/vigil.db" "select coalesce(sum(count), 0) from throttle where name = 'receipt'")" -ge 7
is "the right receipt still opens its report" "$(api /api/v1/receipts/lookup "{\"receipt\": \"$RECEIPT\"}")" 200
is "  and on the public page" "$(form /check --data-urlencode "receipt=$RECEIPT")" 200

done_testing
