#!/bin/sh
# Linking and search through the API and the staff pages: two tips that
# write one phone number differently are related, a third is not; entity
# and word search with paging; plates staff add to cases; restricted cases
# hidden from those who may not see them; what the audit log keeps.
. "$SRCDIR/tests/integration/lib.sh"
vigil_init
add_user sam supervisor sam-password-123
add_user ana analyst ana-password-123
add_user adv advocate adv-password-123
add_user vol volunteer vol-password-123
vigil_start
DB="$DATA/vigil.db"

tip() {
	api /api/v1/tips "{\"narrative\": \"$1\", \"location\": {\"country\": \"US\", \"region\": \"$2\"}}" >/dev/null
	json '["id"]'
}
token() {
	api /api/v1/sessions "{\"name\": \"$1\", \"password\": \"$1-password-123\"}" >/dev/null
	json '["token"]'
}

T1=$(tip 'He keeps their passports at the salon. Call (510) 555-0142 for girls.' CA)
T2=$(tip 'The ad says text +1 510 555 0142, they never get paid.' CA)
T3=$(tip 'The farm boss answers 510-555-0199 and nobody may leave.' CA)
check "three tips stored" test -n "$T1" -a -n "$T2" -a -n "$T3"
SAM=$(token sam)
ANA=$(token ana)
ADV=$(token adv)
VOL=$(token vol)

is "related tips of the first tip" "$(req GET "/api/v1/tips/$T1/related" -H "Authorization: Bearer $ANA")" 200
is "  is the second, not the third" "$(json '["related"][0]["id"]') $(json '["related"].__len__()')" "$T2 1"
is "  because of the same phone number" "$(json '["related"][0]["why"][0]["display"]')" "+1 510 555 0142"
is "  and its own entities are listed" "$(json '["entities"][0]["value"]')" "+15105550142"
req GET "/api/v1/tips/$T3/related" -H "Authorization: Bearer $ANA" >/dev/null
is "the third tip has no related tip" "$(json '["related"].__len__()')" 0
is "related of an unknown tip is 404" "$(req GET /api/v1/tips/0123456789abcdef/related -H "Authorization: Bearer $ANA")" 404

is "searching a phone number as written" \
	"$(req GET '/api/v1/search?q=%28510%29%20555-0142' -H "Authorization: Bearer $ANA")" 200
is "  is an entity lookup" "$(json '["mode"]') $(json '["entity_kind"]')" "entity phone"
check "  finding the first tip" sh -c "grep -q '$T1' '$WORK/body'"
check "  and the second" sh -c "grep -q '$T2' '$WORK/body'"
check "  not the third" sh -c "! grep -q '$T3' '$WORK/body'"

is "a word search" "$(req GET '/api/v1/search?q=US-CA&limit=2' -H "Authorization: Bearer $ANA")" 200
is "  gives a full page" "$(json '["mode"]') $(json '["results"].__len__()')" "text 2"
NEXT=$(json '["next"]')
check "  with a cursor" test "$NEXT" -gt 0
FIRST=$(body)
is "the next page" "$(req GET "/api/v1/search?q=US-CA&limit=2&before=$NEXT" -H "Authorization: Bearer $ANA")" 200
is "  has other results" "$(json '["results"].__len__()')" 2
check "  none of the first page's" sh -c "! grep -q \"\$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])[\"results\"][0][\"id\"])' '$FIRST')\" '$WORK/body'"
is "a bad cursor is 400" "$(req GET '/api/v1/search?q=US-CA&before=x' -H "Authorization: Bearer $ANA")" 400
is "an empty query is 400" "$(req GET '/api/v1/search?q=' -H "Authorization: Bearer $ANA")" 400
is "a volunteer may not search" "$(req GET '/api/v1/search?q=US-CA' -H "Authorization: Bearer $VOL")" 403
is "nor without a token" "$(req GET '/api/v1/search?q=US-CA')" 401

C1=$(sqlite3 "$DB" "SELECT case_id FROM case_tips WHERE tip_id = '$T1'")
C3=$(sqlite3 "$DB" "SELECT case_id FROM case_tips WHERE tip_id = '$T3'")
is "staff add a plate to a case" "$(api "/api/v1/cases/$C1/entities" '{"kind": "plate", "value": "7ABC 123"}' -H "Authorization: Bearer $SAM")" 201
is "  the same plate written otherwise to another" "$(api "/api/v1/cases/$C3/entities" '{"kind": "plate", "value": "7abc-123"}' -H "Authorization: Bearer $SAM")" 201
is "  twice is 409" "$(api "/api/v1/cases/$C3/entities" '{"kind": "plate", "value": "7ABC123"}' -H "Authorization: Bearer $SAM")" 409
is "  an unknown kind is 422" "$(api "/api/v1/cases/$C3/entities" '{"kind": "colour", "value": "red"}' -H "Authorization: Bearer $SAM")" 422
is "  a volunteer may not" "$(api "/api/v1/cases/$C3/entities" '{"kind": "name", "value": "Ana"}' -H "Authorization: Bearer $VOL")" 403
check "the plate is stored sealed" sh -c "! sqlite3 '$DB' 'SELECT hex(value) FROM entities' | grep -qi '$(printf 7abc123 | od -An -tx1 | tr -d ' \n')'"
req GET "/api/v1/cases/$C1/related" -H "Authorization: Bearer $ANA" >/dev/null
check "the cases are related by the plate" sh -c "grep -q '\"id\":\"$C3\"' '$WORK/body' && grep -q 'vehicle plate' '$WORK/body'"
is "a plate search" "$(req GET '/api/v1/search?q=plate%3A7ABC%20123' -H "Authorization: Bearer $ANA")" 200
check "  finds both cases" sh -c "grep -q '$C1' '$WORK/body' && grep -q '$C3' '$WORK/body'"

sqlite3 "$DB" "UPDATE cases SET restricted = 1 WHERE id = '$(sqlite3 "$DB" "SELECT case_id FROM case_tips WHERE tip_id = '$T2'")'"
req GET "/api/v1/search?q=%2B1%20510%20555%200142" -H "Authorization: Bearer $ADV" >/dev/null
check "an advocate's search leaves out a tip of a restricted case" sh -c "grep -q '$T1' '$WORK/body' && ! grep -q '$T2' '$WORK/body'"
req GET "/api/v1/tips/$T1/related" -H "Authorization: Bearer $ADV" >/dev/null
is "  and so do the related tips" "$(json '["related"].__len__()')" 0
req GET "/api/v1/search?q=%2B1%20510%20555%200142" -H "Authorization: Bearer $SAM" >/dev/null
check "a supervisor's search finds it" sh -c "grep -q '$T2' '$WORK/body'"

is "the supervisor signs in" "$(staff_login sam sam-password-123)" 303
JAR="$WORK/jar.sam"
is "the tip page" "$(req GET "/staff/tips/$T1" -b "$JAR")" 200
check "  shows the related tip" grep -q "href=\"/staff/tips/$T2\"" "$WORK/body"
check "  and why" grep -q 'same phone number +1 510 555 0142' "$WORK/body"
is "the search page" "$(req GET '/staff/search?q=510.555.0142' -b "$JAR")" 200
check "  lists both tips" sh -c "grep -q 'href=\"/staff/tips/$T1\"' '$WORK/body' && grep -q 'href=\"/staff/tips/$T2\"' '$WORK/body'"
is "the search page in Spanish" "$(req GET '/staff/search?q=US-CA&limit=2&lang=es' -b "$JAR")" 200
check "  is translated" grep -q 'Buscar' "$WORK/body"
check "  has a next-page form carrying the query" grep -q 'name="before"' "$WORK/body"
is "the case page" "$(req GET "/staff/cases/$C1" -b "$JAR")" 200
check "  shows the related case" grep -q "href=\"/staff/cases/$C3\"" "$WORK/body"
check "  because of the plate" grep -q 'same vehicle plate 7abc123' "$WORK/body"
check "  and has the form to add one" grep -q "action=\"/staff/cases/$C1/entities\"" "$WORK/body"
CSRF=$(page_csrf)
is "adding a name on the case page without CSRF is 403" \
	"$(form "/staff/cases/$C1/entities" -b "$JAR" --data-urlencode kind=name --data-urlencode 'value=Ana Díaz')" 403
is "  with it redirects to the case" \
	"$(form "/staff/cases/$C1/entities" -b "$JAR" --data-urlencode kind=name --data-urlencode 'value=Ana Díaz' --data-urlencode "csrf=$CSRF")" 303
req GET "/staff/cases/$C1" -b "$JAR" >/dev/null
check "  where the name is listed, folded" grep -q 'ana diaz' "$WORK/body"

check "searches are audited" sh -c "[ \$(sqlite3 '$DB' \"SELECT count(*) FROM audit WHERE action = 'search'\") -ge 5 ]"
check "  entity searches by kind only" sh -c "sqlite3 '$DB' \"SELECT detail FROM audit WHERE action = 'search'\" | grep -qx 'entity phone'"
check "  never with the number" sh -c "! sqlite3 '$DB' 'SELECT detail FROM audit' | grep -Eq '555[- .]?01'"
# The plate as written, not any "7abc": the audit keeps case ids of sixteen
# random hex digits, which hold "7abc" in about one run in two thousand.
check "  nor the plate" sh -c "! sqlite3 '$DB' 'SELECT detail FROM audit' | grep -qiE '7abc[ -]?123'"
check "the audit chain holds" sh -c "'$VIGIL' --data '$DATA' audit verify >/dev/null"

vigil_stop
is "the server stopped cleanly" "$SERVER_STATUS" 0
check "no number, plate or name is in the clear in any database file" \
	sh -c "! cat '$DB'* | grep -aEq '5550142|555-0142|7abc123|7ABC 123|ana diaz|Ana D'"
N=$(sqlite3 "$DB" "SELECT count(*) FROM entities WHERE source = 'screening'")
sqlite3 "$DB" "DELETE FROM entities WHERE source = 'screening'; DELETE FROM entity_scans"
vigil_start
is "a restart indexes the tips stored before entities were kept" \
	"$(sqlite3 "$DB" "SELECT count(*) FROM entities WHERE source = 'screening'")" "$N"
SAM=$(token sam)
req GET "/api/v1/tips/$T1/related" -H "Authorization: Bearer $SAM" >/dev/null
is "  and the tips are related again" "$(json '["related"][0]["id"]')" "$T2"
vigil_stop
vigil_start
is "another restart indexes nothing twice" \
	"$(sqlite3 "$DB" "SELECT count(*) FROM entities WHERE source = 'screening'")" "$N"
vigil_stop
done_testing
