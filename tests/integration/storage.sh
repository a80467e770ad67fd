#!/bin/sh
# What is kept on disk: sealed narratives, contacts and messages; no client
# address or user agent anywhere; owner-only files; tampering detected; and
# a clean stop on SIGTERM that finishes the request in flight.
. "$SRCDIR/tests/integration/lib.sh"
vigil_init '[receipts]' 'free_failures = 1' 'max_delay_ms = 3000'
vigil_start

MARK="PLAINTEXT-MARKER-$$-narrative"
CMARK="contact-marker-$$@example.invalid"
MMARK="MESSAGE-MARKER-$$"
UA="VigilTestAgent/9.9 (marker-$$)"
code=$(api /api/v1/tips "{\"narrative\": \"$MARK\", \"contact\": \"$CMARK\", \"location\": {\"detail\": \"DETAIL-$MARK\"}}" -A "$UA")
is "a tip is stored" "$code" 201
RECEIPT=$(json '["receipt"]')
ID=$(json '["id"]')
api /api/v1/receipts/messages "{\"receipt\": \"$RECEIPT\", \"message\": \"$MMARK\"}" -A "$UA" >/dev/null
form /report --data-urlencode "narrative=form-$MARK" -A "$UA" >/dev/null
req GET / -A "$UA" >/dev/null

# Look in every file of the data directory, WAL and shared memory included,
# while the server still runs (nothing checkpointed away yet).
check "the narrative is nowhere in plain text" sh -c "! grep -rqa '$MARK' '$DATA'"
check "the contact is nowhere in plain text" sh -c "! grep -rqa '$CMARK' '$DATA'"
check "the message is nowhere in plain text" sh -c "! grep -rqa '$MMARK' '$DATA'"
# vigil.conf names the listen address; every other file is data.
check "no client address is stored anywhere" sh -c "! grep -rqa --exclude=vigil.conf '127.0.0.1' '$DATA'"
check "no user agent is stored anywhere" sh -c "! grep -rqa 'VigilTestAgent' '$DATA'"
check "the server log holds no client address" sh -c "! grep -q '127.0.0.1' '$WORK/server.err'"
check "the server log holds no user agent" sh -c "! grep -q 'VigilTestAgent' '$WORK/server.err'"
is "the key file is owner-only" "$(stat -c %a "$DATA/keys/master.key")" 600
is "the key directory is owner-only" "$(stat -c %a "$DATA/keys")" 700
is "the database is owner-only" "$(stat -c %a "$DATA/vigil.db")" 600
is "the data directory is owner-only" "$(stat -c %a "$DATA")" 700
check "the database holds no key material" sh -c "! grep -qa \"\$(cat '$DATA/keys/master.key')\" '$DATA/vigil.db'"

# Tampering: a flipped byte, and a sealed value moved to another row, fail.
add_user ana advocate ana-password-1234
api /api/v1/sessions '{"name": "ana", "password": "ana-password-1234"}' >/dev/null
AUTH="Authorization: Bearer $(json '["token"]')"
api /api/v1/tips '{"narrative": "another tip"}' >/dev/null
OTHER=$(json '["id"]')
is "an intact tip opens" "$(req GET "/api/v1/tips/$OTHER" -H "$AUTH")" 200
sqlite3 "$DATA/vigil.db" "update tips set narrative = (select narrative from tips where id = '$ID') where id = '$OTHER'"
is "a narrative moved to another row does not open" "$(req GET "/api/v1/tips/$OTHER" -H "$AUTH")" 500
check "  and is not shown" sh -c "! grep -q '$MARK' '$WORK/body'"
sqlite3 "$DATA/vigil.db" "update tips set narrative = substr(narrative, 1, 30) || x'00' || substr(narrative, 32) where id = '$ID'"
is "a narrative with a changed byte does not open" "$(req GET "/api/v1/tips/$ID" -H "$AUTH")" 500

# SIGTERM lets a request in flight finish. Failed receipt lookups past
# free_failures are delayed, which gives a request that is still running.
for i in 1 2 3 4; do api /api/v1/receipts/lookup '{"receipt": "1"}' >/dev/null; done
curl -s -o "$WORK/slow" -w '%{http_code}' -H 'Content-Type: application/json' \
	--data '{"receipt": "2"}' "$BASE/api/v1/receipts/lookup" >"$WORK/slow.code" &
CURL=$!
sleep 0.3
vigil_stop TERM
wait $CURL
is "the request in flight was answered" "$(cat "$WORK/slow.code")" 404
is "the server exited cleanly on SIGTERM" "$SERVER_STATUS" 0
check "and said it stopped" grep -q 'stopped' "$WORK/server.err"

done_testing
