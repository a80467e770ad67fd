#!/bin/sh
# The JSON API v1: public submission and receipt lookup, staff sessions and
# tip reading, and every error status with its JSON error object.
. "$SRCDIR/tests/integration/lib.sh"
vigil_init '[limits]' 'submit_window = 3600' 'submit_max = 40'
vigil_start

err_code() { json '["error"]["code"]'; }

code=$(api /api/v1/tips '{"narrative": "Workers at a farm outside Fresno say the boss holds their passports.", "location": {"country": "US", "region": "CA", "city": "Fresno", "detail": "the packing shed"}, "when": "since March", "danger_now": false, "contact": "555-0123", "language": "en"}')
is "POST /api/v1/tips is 201" "$code" 201
is "the answer is JSON" "$(header Content-Type)" application/json
RECEIPT=$(json '["receipt"]')
ID=$(json '["id"]')
check "the receipt is 25 digits in five groups" sh -c "echo '$RECEIPT' | grep -Eqx '[0-9]{5}( [0-9]{5}){4}'"
check "the id is 16 hex digits" sh -c "echo '$ID' | grep -Eqx '[0-9a-f]{16}'"

is "only the narrative is required" "$(api /api/v1/tips '{"narrative": "Short tip."}')" 201
code=$(api /api/v1/tips '{"location": {"country": "US"}}')
is "a tip without a narrative is 422" "$code" 422
is "  with code invalid" "$(err_code)" invalid
check "  and a message naming the field" sh -c "grep -q narrative '$WORK/body'"
is "an unknown country is 422" "$(api /api/v1/tips '{"narrative": "x", "location": {"country": "XX"}}')" 422
check "  naming location.country" grep -q 'location.country' "$WORK/body"
is "a region that is not a code of the country is 422" "$(api /api/v1/tips '{"narrative": "x", "location": {"country": "US", "region": "Atlantis"}}')" 422
is "a region spelled as US-CA is accepted" "$(api /api/v1/tips '{"narrative": "x", "location": {"country": "US", "region": "US-CA"}}')" 201
is "an unknown member is 422" "$(api /api/v1/tips '{"narrative": "x", "narative": "y"}')" 422
check "  naming it" grep -q 'narative' "$WORK/body"
is "a wrong type is 422" "$(api /api/v1/tips '{"narrative": 42}')" 422
is "danger_now must be a boolean" "$(api /api/v1/tips '{"narrative": "x", "danger_now": "yes"}')" 422
is "malformed JSON is 400" "$(api /api/v1/tips '{"narrative": ')" 400
is "  with code bad_json" "$(err_code)" bad_json
check "  and where it went wrong" grep -q 'line 1' "$WORK/body"
is "a JSON array is 400" "$(api /api/v1/tips '["narrative"]')" 400
is "duplicate keys are 400" "$(api /api/v1/tips '{"narrative": "a", "narrative": "b"}')" 400
printf '{"narrative": "\377\376"}' >"$WORK/badutf8"
is "invalid UTF-8 is 400" "$(req POST /api/v1/tips -H 'Content-Type: application/json' --data-binary "@$WORK/badutf8")" 400
is "a NUL inside a string is 400" "$(api /api/v1/tips '{"narrative": "a\u0000b"}')" 400
is "control characters are 422" "$(api /api/v1/tips '{"narrative": "a\u001bb"}')" 422
is "the wrong content type is 415" "$(req POST /api/v1/tips -H 'Content-Type: text/plain' --data '{"narrative": "x"}')" 415
is "  with code unsupported_media_type" "$(err_code)" unsupported_media_type
python3 -c 'import json; print(json.dumps({"narrative": "a" * 70000}))' >"$WORK/big.json"
is "an oversized body is 413" "$(req POST /api/v1/tips -H 'Content-Type: application/json' --data-binary "@$WORK/big.json")" 413
is "  with code too_large" "$(err_code)" too_large
python3 -c 'import json; print(json.dumps({"narrative": "a" * 20001}))' >"$WORK/long.json"
is "a narrative over its limit is 422" "$(req POST /api/v1/tips -H 'Content-Type: application/json' --data-binary "@$WORK/long.json")" 422
is "an unknown API path is 404 JSON" "$(req GET /api/v1/nothing)" 404
is "  with code not_found" "$(err_code)" not_found
is "a wrong method is 405" "$(req PUT /api/v1/tips)" 405

# Receipts.
is "lookup by receipt is 200" "$(api /api/v1/receipts/lookup "{\"receipt\": \"$RECEIPT\"}")" 200
is "  shows the status" "$(json '["status"]')" new
is "  and no messages yet" "$(json '["messages"]')" "[]"
is "a wrong receipt is 404" "$(api /api/v1/receipts/lookup '{"receipt": "12345 12345 12345 12345 12345"}')" 404
cp "$WORK/body" "$WORK/wrong1"
is "a malformed receipt is the same 404" "$(api /api/v1/receipts/lookup '{"receipt": "abc"}')" 404
check "  with the same body" cmp -s "$WORK/wrong1" "$WORK/body"
is "a missing receipt is 422" "$(api /api/v1/receipts/lookup '{}')" 422
is "the reporter can add a message" "$(api /api/v1/receipts/messages "{\"receipt\": \"$RECEIPT\", \"message\": \"There are six of them.\"}")" 201
is "  which is listed" "$(json '["messages"][0]["body"]')" "There are six of them."
is "  as from the reporter" "$(json '["messages"][0]["author"]')" reporter

# Staff sessions and tips.
add_user ana advocate 'ana-password-1234'
add_user vol volunteer 'vol-password-1234'
is "listing tips needs a token" "$(req GET /api/v1/tips)" 401
is "  with code unauthorized" "$(err_code)" unauthorized
is "a made-up token is 401" "$(req GET /api/v1/tips -H 'Authorization: Bearer abcdefghijklmnopqrstuvwxyzabcdefghijklmnopq')" 401
is "a wrong password is 401" "$(api /api/v1/sessions '{"name": "ana", "password": "wrong-password-1234"}')" 401
is "an unknown user is 401" "$(api /api/v1/sessions '{"name": "nobody", "password": "wrong-password-1234"}')" 401
is "the one-time admin password cannot open an API session" "$(api /api/v1/sessions "{\"name\": \"admin\", \"password\": \"$ADMIN_PW\"}")" 403
is "a session for the advocate is 201" "$(api /api/v1/sessions '{"name": "ana", "password": "ana-password-1234"}')" 201
TOKEN=$(json '["token"]')
AUTH="Authorization: Bearer $TOKEN"
is "GET /api/v1/tips?status=new is 200" "$(req GET '/api/v1/tips?status=new' -H "$AUTH")" 200
check "  lists the tip" grep -q "\"$ID\"" "$WORK/body"
check "  without its narrative" sh -c "! grep -q 'passports' '$WORK/body'"
is "  newest first" "$(python3 -c 'import json,sys; t=json.load(open(sys.argv[1]))["tips"]; print(t==sorted(t,key=lambda x:x["created_at"],reverse=True))' "$WORK/body")" True
is "GET /api/v1/tips?status=closed lists none" "$(req GET '/api/v1/tips?status=closed' -H "$AUTH"; json '["tips"]')" "200[]"
is "a bad status filter is 400" "$(req GET '/api/v1/tips?status=done' -H "$AUTH")" 400
is "a bad limit is 400" "$(req GET '/api/v1/tips?limit=0' -H "$AUTH")" 400
is "GET /api/v1/tips/{id} is 200" "$(req GET "/api/v1/tips/$ID" -H "$AUTH")" 200
is "  with the narrative" "$(json '["narrative"]')" "Workers at a farm outside Fresno say the boss holds their passports."
is "  the contact" "$(json '["contact"]')" "555-0123"
is "  the place" "$(json '["details"]["place"]')" "the packing shed"
is "  the region" "$(json '["location"]["region"]')" "CA"
is "  and the reporter's message" "$(json '["messages"][0]["body"]')" "There are six of them."
is "an unknown tip is 404" "$(req GET /api/v1/tips/0000000000000000 -H "$AUTH")" 404
api /api/v1/sessions '{"name": "vol", "password": "vol-password-1234"}' >/dev/null
is "a volunteer may not list tips (403)" "$(req GET /api/v1/tips -H "Authorization: Bearer $(json '["token"]')")" 403
is "  with code forbidden" "$(err_code)" forbidden
check "reading tips was audited" sh -c "[ \$(sqlite3 '$DATA/vigil.db' \"select count(*) from audit where action in ('list_tips','view_tip')\") -ge 3 ]"

# The global submission limit answers 429 and stores nothing more.
n=$(sqlite3 "$DATA/vigil.db" 'select count(*) from tips')
i=$n
code=201
while [ "$code" = 201 ] && [ $i -lt 60 ]; do
	code=$(api /api/v1/tips '{"narrative": "load"}')
	i=$((i + 1))
done
is "past the submission limit the API answers 429" "$code" 429
is "  with code rate_limited" "$(err_code)" rate_limited
is "  after exactly submit_max tips" "$(sqlite3 "$DATA/vigil.db" 'select count(*) from tips')" 40
code=$(form /report --data 'narrative=over+the+limit')
is "the form answers 429 too" "$code" 429
check "  with a page that still shows the hotline" grep -q '888' "$WORK/body"

# Password guessing: after 10 failed sign-ins for one name in 15 minutes,
# that name is locked for the window, even with the right password; other
# names are not.
i=0
while [ $i -lt 10 ]; do
	api /api/v1/sessions '{"name": "ana", "password": "guess-password-1234"}' >/dev/null
	i=$((i + 1))
done
is "after 10 failed sign-ins the name gets 429" "$(api /api/v1/sessions '{"name": "ana", "password": "guess-password-1234"}')" 429
is "  even with the right password" "$(api /api/v1/sessions '{"name": "ana", "password": "ana-password-1234"}')" 429
is "  while another name still signs in" "$(api /api/v1/sessions '{"name": "vol", "password": "vol-password-1234"}')" 201

done_testing
