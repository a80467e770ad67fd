#!/bin/sh
# `vigil ads import` and the staff console's networks: ads clustered into
# networks, the networks stored, one turned into a lead (a case with no
# tip) whose phones relate it to a tip that writes one of them another
# way; importing again changes nothing twice; /staff/ads lists the
# networks ranked, opens a lead with its CSRF token, and is only for
# analysts, supervisors and admins. Fixture ads are synthetic; their
# numbers are fictional (555-01xx).
. "$SRCDIR/tests/integration/lib.sh"
vigil_init
add_user sam supervisor sam-password-123
add_user ana analyst ana-password-123
add_user adv advocate adv-password-123
add_user vol volunteer vol-password-123
add_user tim team_member tim-password-123
DB="$DATA/vigil.db"
sql() { python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$DB" "$1"; }
# line_field FILE NETWORK KEY: a key of the import's line for NETWORK.
line_field() { python3 -c 'import json,sys; print([d for d in map(json.loads, open(sys.argv[1])) if d["network"]==sys.argv[2]][0][sys.argv[3]])' "$1" "$2" "$3"; }

A='my name is %s and i am a sweet latina girl visiting %s this week. real pics no games, incall and outcall available all night, %s roses an hour. hot friendly fun and discreet, call me for a %s time: %s'
row() { # id city name town price word phone day
	text=$(printf "$A" "$3" "$4" "$5" "$6" "$7")
	printf '{"id": "%s", "posted_at": "2026-05-0%sT10:00:00Z", "city": "%s", "region": "CA", "title": "sweet latina in %s", "text": "%s"}\n' "$1" "$8" "$2" "$2" "$text"
}
{
	row a1 Oakland lola oakland 150 relaxing '(510) 555-0142' 1
	row a2 Fresno mia fresno 200 soothing '510.555.0142' 2
	row a3 Oakland nina oakland 180 relaxing '510 555 0177' 3
	echo '{"id": "loner", "text": "selling a used bicycle, blue, good tires, call 510 555 0199"}'
	echo '{"id": "young", "text": "fresh new girl just 16 years old, text 510 555 0155 now. young and sweet"}'
	echo '{"id": "young2", "text": "fresh new girl just 16 years old, text 510 555 0155 now! young and so sweet"}'
} >"$WORK/ads.jsonl"

"$VIGIL" --data "$DATA" ads cluster --networks <"$WORK/ads.jsonl" >"$WORK/nets.jsonl" 2>/dev/null
is "two networks clustered" "$(wc -l <"$WORK/nets.jsonl" | tr -d ' ')" 2
A_NET=$(python3 -c 'import json,sys; print([d["network"] for d in map(json.loads, open(sys.argv[1])) if "a1" in d["ads"]][0])' "$WORK/nets.jsonl")
Y_NET=$(python3 -c 'import json,sys; print([d["network"] for d in map(json.loads, open(sys.argv[1])) if "young" in d["ads"]][0])' "$WORK/nets.jsonl")

"$VIGIL" --data "$DATA" ads import --networks "$A_NET" <"$WORK/nets.jsonl" >"$WORK/imp1" 2>"$WORK/err"
is "import exits 0" "$?" 0
is "  one line per network" "$(wc -l <"$WORK/imp1" | tr -d ' ')" 2
is "  both stored as new" "$(line_field "$WORK/imp1" "$A_NET" stored) $(line_field "$WORK/imp1" "$Y_NET" stored)" "new new"
is "  the chosen network's lead opened" "$(line_field "$WORK/imp1" "$A_NET" lead)" opened
is "  the other has none" "$(line_field "$WORK/imp1" "$Y_NET" case)" None
CASE=$(line_field "$WORK/imp1" "$A_NET" case)
NET_ID=$(line_field "$WORK/imp1" "$A_NET" id)
Y_ID=$(line_field "$WORK/imp1" "$Y_NET" id)
is "  the lead is a case with no tip" "$(sql "SELECT count(*) || ':' || ntips FROM cases WHERE id = '$CASE'")" "1:0"
is "  holding the network's two phones" "$(sql "SELECT count(*) FROM entities WHERE case_id = '$CASE' AND kind = 'phone'")" 2
is "  audited" "$(sql "SELECT count(*) FROM audit WHERE action = 'ads.lead' AND object = '$CASE'")" 1

"$VIGIL" --data "$DATA" ads import --networks "$A_NET" <"$WORK/nets.jsonl" >"$WORK/imp2" 2>&1
is "importing again exits 0" "$?" 0
is "  updates the stored networks" "$(line_field "$WORK/imp2" "$A_NET" stored) $(line_field "$WORK/imp2" "$A_NET" id)" "updated $NET_ID"
is "  and finds the lead it has" "$(line_field "$WORK/imp2" "$A_NET" lead) $(line_field "$WORK/imp2" "$A_NET" case)" "existing $CASE"
is "  no second network or case" "$(sql 'SELECT count(*) FROM ad_networks') $(sql 'SELECT count(*) FROM cases')" "2 1"

{ echo 'not json'; head -n 1 "$WORK/nets.jsonl"; } | "$VIGIL" --data "$DATA" ads import --networks n99 >/dev/null 2>"$WORK/err"
is "a malformed line and an unknown name exit 2" "$?" 2
check "  the line is named" grep -q '^vigil: line 1: malformed JSON' "$WORK/err"
check "  and the name" grep -q 'network n99 is not in the input' "$WORK/err"
"$VIGIL" --data "$DATA" ads cluster <"$WORK/ads.jsonl" 2>/dev/null | "$VIGIL" --data "$DATA" ads import >/dev/null 2>"$WORK/err"
is "cluster lines are refused" "$?" 2
check "  saying what to read" grep -q 'not a network of vigil ads cluster --networks' "$WORK/err"

vigil_start
token() {
	api /api/v1/sessions "{\"name\": \"$1\", \"password\": \"$1-password-123\"}" >/dev/null
	json '["token"]'
}
SAM=$(token sam)
ANA=$(token ana)
ADV=$(token adv)
VOL=$(token vol)
TIM=$(token tim)

api /api/v1/tips '{"narrative": "He moves the girls between motels and answers 510 555 0177 at night.", "location": {"country": "US", "region": "CA"}}' >/dev/null
TIP=$(json '["id"]')
check "a tip with one of the lead's numbers" test -n "$TIP"
is "the lead is in the case queue" "$(req GET '/api/v1/cases?limit=50' -H "Authorization: Bearer $SAM")" 200
check "  listed" grep -q "\"$CASE\"" "$WORK/body"
is "the tip's related" "$(req GET "/api/v1/tips/$TIP/related" -H "Authorization: Bearer $ANA")" 200
is "  is the lead" "$(json '["related"][0]["kind"]') $(json '["related"][0]["id"]')" "case $CASE"
is "  because of the same phone number" "$(json '["related"][0]["why"][0]["display"]')" "+1 510 555 0177"

is "the networks through the API" "$(req GET /api/v1/ads/networks -H "Authorization: Bearer $ANA")" 200
is "  ranked: the stated age under 18 first" "$(json '["networks"][0]["id"]') $(json '["networks"].__len__()')" "$Y_ID 2"
is "  with the lead" "$(json '["networks"][1]["case_id"]')" "$CASE"
is "a volunteer may not list them" "$(req GET /api/v1/ads/networks -H "Authorization: Bearer $VOL")" 403
is "nor a team member" "$(req GET /api/v1/ads/networks -H "Authorization: Bearer $TIM")" 403
is "nor an advocate" "$(req GET /api/v1/ads/networks -H "Authorization: Bearer $ADV")" 403
is "nor anyone without a token" "$(req GET /api/v1/ads/networks)" 401
is "a lead the network has, through the API" "$(req POST "/api/v1/ads/networks/$NET_ID/lead" -H "Authorization: Bearer $ANA")" 200
is "  is the same case" "$(json '["case"]') $(json '["created"]')" "$CASE False"
is "an unknown network is 404" "$(req POST /api/v1/ads/networks/0123456789abcdef/lead -H "Authorization: Bearer $ANA")" 404
is "a volunteer may not open a lead" "$(req POST "/api/v1/ads/networks/$Y_ID/lead" -H "Authorization: Bearer $VOL")" 403

is "the analyst signs in" "$(staff_login ana ana-password-123)" 303
JAR="$WORK/jar.ana"
is "the staff page of networks" "$(req GET /staff/ads -b "$JAR")" 200
check "  lists the network with its lead" grep -q "href=\"/staff/cases/$CASE\"" "$WORK/body"
check "  and its numbers" grep -q '+15105550142' "$WORK/body"
check "  the other with a button to open its lead" grep -q "action=\"/staff/ads/$Y_ID/lead\"" "$WORK/body"
check "  says why a network ranks first" grep -q 'stated age under 18 in 2 of 2 ads' "$WORK/body"
check "  and no script of its own" sh -c "! grep -v 'src=\"/static/exit.js\"' '$WORK/body' | grep -qi '<script'"
CSRF=$(page_csrf)
is "opening a lead without the CSRF token is refused" "$(form "/staff/ads/$Y_ID/lead" -b "$JAR")" 403
is "  no case opened" "$(sql 'SELECT count(*) FROM cases')" 2
is "opening a lead with it" "$(form "/staff/ads/$Y_ID/lead" -b "$JAR" --data-urlencode "csrf=$CSRF")" 303
Y_CASE=$(sql "SELECT case_id FROM ad_networks WHERE id = '$Y_ID'")
is "  goes to the new case" "$(header Location)" "/staff/cases/$Y_CASE"
is "  audited as the analyst's" "$(sql "SELECT count(*) FROM audit a JOIN users u ON u.id = a.user_id WHERE a.action = 'ads.lead' AND a.object = '$Y_CASE' AND u.name = 'ana'")" 1
is "opening it again" "$(form "/staff/ads/$Y_ID/lead" -b "$JAR" --data-urlencode "csrf=$CSRF")" 303
is "  goes to the same case" "$(header Location) $(sql 'SELECT count(*) FROM cases')" "/staff/cases/$Y_CASE 3"
is "the lead's case page" "$(req GET "/staff/cases/$CASE" -b "$JAR")" 200
check "  shows the related tip" grep -q "href=\"/staff/tips/$TIP\"" "$WORK/body"
check "  and its history names the network" grep -q "ads network $NET_ID" "$WORK/body"
is "the tip's page" "$(req GET "/staff/tips/$TIP" -b "$JAR")" 200
check "  shows the lead as related" grep -q "href=\"/staff/cases/$CASE\"" "$WORK/body"
check "  because of the same phone number" grep -q 'same phone number +1 510 555 0177' "$WORK/body"
is "the page in Spanish" "$(req GET '/staff/ads?lang=es' -b "$JAR")" 200
check "  is translated" grep -q 'Redes de anuncios' "$WORK/body"
is "a bad top is 400" "$(req GET '/staff/ads?top=0' -b "$JAR")" 400

is "the advocate signs in" "$(staff_login adv adv-password-123)" 303
is "  and may not see the networks" "$(req GET /staff/ads -b "$WORK/jar.adv")" 403
is "the supervisor signs in" "$(staff_login sam sam-password-123)" 303
is "  and may" "$(req GET /staff/ads -b "$WORK/jar.sam")" 200
check "listing is audited" test "$(sql "SELECT count(*) FROM audit WHERE action = 'ads.list'")" -ge 3
# The summaries are sealed: random bytes, searched for a whole phone number rather than "555".
check "no network summary is in the clear" test "$(sql "SELECT count(*) FROM ad_networks WHERE instr(summary, '5105550142') > 0 OR instr(summary, '5105550177') > 0")" = 0

vigil_stop
is "the server stopped cleanly" "$SERVER_STATUS" 0
check "  with no sanitizer report" sh -c "! grep -q 'Sanitizer\\|runtime error' '$WORK/server.err'"
done_testing
