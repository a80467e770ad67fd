#!/bin/sh
# Screening: `vigil screen` as a command (JSON Lines in and out, errors by
# line number), and in the server: every tip screened when stored, the queue
# in triage order, the evidence marked in the tip view and given by the API.
. "$SRCDIR/tests/integration/lib.sh"

CRISIS='Please help, my sister texted me from a motel on International Blvd. She says the man she is with took her phone and ID and beat her last night, and he is making her see clients tonight. She is scared he will kill her if she tries to leave. Her number is (510) 555-0142.'
LIKELY='There is a massage place on Foothill Blvd open until 2 am. The women live in the back rooms and never leave; a man drives them from a house in a van every morning. Men come and go all night and I heard one customer talk about paying for extras. One of the women told me the boss keeps their passports.'
ADULT='I am an escort and I work for myself. I set my own rates, keep all my money, and choose my clients. A customer keeps reporting me, so I am writing to say nobody controls me.'

# The command.
printf '%s\n' "{\"id\": \"a\", \"text\": \"$CRISIS\", \"country\": \"US\", \"region\": \"CA\"}" \
	'not json' \
	"{\"id\": 2, \"text\": \"$ADULT\"}" \
	'{"id": "no-text"}' \
	"{\"id\": \"c\", \"text\": \"$LIKELY\"}" >"$WORK/in.jsonl"
"$VIGIL" --data "$WORK/none" screen <"$WORK/in.jsonl" >"$WORK/out.jsonl" 2>"$WORK/err"
is "malformed lines make the exit status 2" "$?" 2
is "the other lines are screened, in order" "$(python3 -c 'import json,sys; print(" ".join(str(json.loads(l)["id"]) for l in open(sys.argv[1])))' "$WORK/out.jsonl")" "a 2 c"
check "the malformed JSON is named by its line number" grep -q 'line 2: malformed JSON' "$WORK/err"
check "a line without text is named by its line number" grep -q 'line 4: .*"text"' "$WORK/err"
first() { python3 -c 'import json,sys; d=json.loads(open(sys.argv[1]).readline()); print(eval("d"+sys.argv[2]))' "$WORK/out.jsonl" "$1"; }
is "the crisis tip is crisis" "$(first '["urgency"]')" crisis
is "  and likely trafficking" "$(first '["status"]')" likely
is "  of the sex kind" "$(first '["kinds"]')" "['sex']"
is "  with the phone in E.164" "$(first '["entities"]["phones"]')" "['+15105550142']"
is "  its country carried through" "$(first '["country"]')" US
is "  and its region" "$(first '["region"]')" CA
check "  with evidence quoted from the original text" python3 - "$WORK/out.jsonl" "$CRISIS" <<'PY'
import json, sys
d = json.loads(open(sys.argv[1]).readline())
text = sys.argv[2].encode()
assert d["indicators"], "no indicators"
for i in d["indicators"]:
    a, b = i["span"]
    assert text[a:b].decode() == i["quote"], (i, text[a:b])
PY
is "the adult who works for herself is not trafficking" \
	"$(sed -n 2p "$WORK/out.jsonl" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')" not_indicated
"$VIGIL" --data "$WORK/none" screen --text "$LIKELY" >"$WORK/one.json"
is "--text screens one text" "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["status"])' "$WORK/one.json")" likely
"$VIGIL" --data "$WORK/none" screen --framework nonsense </dev/null 2>"$WORK/err"
is "an unknown framework is bad usage" "$?" 2
mkdir -p "$WORK/badrules/indicators"
printf 'slug\tname\tkind\thtcds\tsource\n' >"$WORK/badrules/typology.tsv"
printf 'id\tcategory\tlang\tweight\tpattern\tsource\nx\tnot.a.category\ten\t1\tfoo\tme\n' >"$WORK/badrules/indicators/en.tsv"
"$VIGIL" --data "$WORK/none" screen --rules "$WORK/badrules" </dev/null 2>"$WORK/err"
is "bad rules are bad input" "$?" 2
check "  named by file and line" grep -q 'en.tsv:2' "$WORK/err"
"$VIGIL" --data "$WORK/none" screen --rules "$WORK/nowhere" </dev/null 2>"$WORK/err"
is "a missing rules folder is a runtime failure" "$?" 1

# The server.
vigil_init
vigil_start
api /api/v1/tips "{\"narrative\": \"$ADULT\"}" >/dev/null
api /api/v1/tips "{\"narrative\": \"$CRISIS\", \"location\": {\"country\": \"US\"}}" >/dev/null
CRISIS_ID=$(json '["id"]')
api /api/v1/tips "{\"narrative\": \"$LIKELY\"}" >/dev/null
is "every stored tip is screened" "$(sqlite3 "$DATA/vigil.db" 'select count(*) from tips where screened_at is not null')" 3
check "the screening is sealed, not stored in plain text" sh -c "! grep -rqa 'kill her' '$DATA'"

add_user ana advocate ana-password-1234
staff_login ana ana-password-1234 >/dev/null
req GET /staff -b "$WORK/jar.ana" >/dev/null
FIRST=$(grep -o 'href="/staff/tips/[0-9a-f]*"' "$WORK/body" | head -n 1 | sed 's/.*tips\/\([0-9a-f]*\)"/\1/')
is "the crisis tip leads the queue although it is not the newest" "$FIRST" "$CRISIS_ID"
check "the queue shows its urgency" grep -q 'Crisis: respond within 24 hours' "$WORK/body"
check "  and its assessment" grep -q 'Likely trafficking' "$WORK/body"
req GET "/staff/tips/$CRISIS_ID" -b "$WORK/jar.ana" >/dev/null
check "the tip view marks the evidence in the narrative" grep -q '<mark title="[a-z_.]*[^"]*">' "$WORK/body"
check "  and names the phone found" grep -q '+15105550142' "$WORK/body"
api /api/v1/sessions '{"name": "ana", "password": "ana-password-1234"}' >/dev/null
AUTH="Authorization: Bearer $(json '["token"]')"
req GET /api/v1/tips -H "$AUTH" >/dev/null
check "the API lists each tip's screening summary" python3 -c '
import json,sys
tips = json.load(open(sys.argv[1]))["tips"]
assert all(t["screening"]["urgency"] in ("crisis","priority","routine") for t in tips)' "$WORK/body"
req GET "/api/v1/tips/$CRISIS_ID" -H "$AUTH" >/dev/null
is "the API gives the whole result" "$(json '["screening"]["urgency"]')" crisis
check "  with its evidence" python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["screening"]["indicators"]' "$WORK/body"

# Referrals: suggested by the rules, recorded with consent or a reason.
req GET "/staff/tips/$CRISIS_ID" -b "$WORK/jar.ana" >/dev/null
CSRF=$(page_csrf)
check "the crisis tip suggests the emergency number first" sh -c "grep -o 'name=\"entry\" value=\"[a-z0-9-]*\"' '$WORK/body' | head -n 1 | grep -q 'us-911'"
check "  and the national hotline" grep -q 'name="entry" value="us-nhth"' "$WORK/body"
refer() { form "/staff/tips/$CRISIS_ID/referrals" -b "$WORK/jar.ana" --data-urlencode "csrf=$CSRF" "$@"; }
is "a referral with consent is recorded" "$(refer --data entry=us-nhth --data rule=x --data consent=yes)" 200
check "  and listed as made" grep -q 'with consent' "$WORK/body"
is "a referral without consent and no reason is refused" "$(refer --data entry=us-dhs-hsi --data consent=no)" 422
is "a referral without consent but with a reason is recorded" \
	"$(refer --data entry=us-dhs-hsi --data consent=no --data-urlencode 'override=OVERRIDE-MARKER she cannot be reached and is in danger')" 200
check "  the reason is shown to staff" grep -q 'OVERRIDE-MARKER' "$WORK/body"
check "  and sealed in the database" sh -c "! grep -rqa 'OVERRIDE-MARKER' '$DATA'"
is "a referral to a line not in the directory is refused" "$(refer --data entry=xx-nowhere --data consent=yes)" 422
is "a referral without the consent question answered is refused" "$(refer --data entry=us-nhth)" 422
is "a referral without CSRF is refused" "$(form "/staff/tips/$CRISIS_ID/referrals" -b "$WORK/jar.ana" --data entry=us-nhth --data consent=yes)" 403
REF=$(sqlite3 "$DATA/vigil.db" "select id from referrals where entry_id='us-nhth'")
is "an outcome is recorded" "$(form "/staff/tips/$CRISIS_ID/referral-outcome" -b "$WORK/jar.ana" --data-urlencode "csrf=$CSRF" --data "referral=$REF" --data outcome=accepted)" 200
is "  in the database" "$(sqlite3 "$DATA/vigil.db" "select outcome from referrals where id='$REF'")" accepted
is "an unknown outcome is refused" "$(form "/staff/tips/$CRISIS_ID/referral-outcome" -b "$WORK/jar.ana" --data-urlencode "csrf=$CSRF" --data "referral=$REF" --data outcome=lost)" 422
is "referrals and outcomes are audited" "$(sqlite3 "$DATA/vigil.db" "select count(*) from audit where action in ('referral','referral_outcome') and object='$CRISIS_ID'")" 3
req GET "/api/v1/tips/$CRISIS_ID" -H "$AUTH" >/dev/null
is "the API lists the suggestions" "$(json '["referrals"]["suggested"][0]["id"]')" us-911
is "  and the referrals made" "$(json '["referrals"]["made"][0]["outcome"]')" accepted

# Tips stored unscreened (before screening existed) are screened at the next start.
vigil_stop
sqlite3 "$DATA/vigil.db" 'update tips set screened_at = null, urgency = "", screen_status = "", screening = null'
vigil_start
is "unscreened tips are screened when the server starts" "$(sqlite3 "$DATA/vigil.db" 'select count(*) from tips where screened_at is not null')" 3

done_testing
