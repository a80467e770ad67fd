#!/bin/sh
# Cases (docs/cases.md) through the JSON API and the staff pages: a case for
# every submitted tip, the triage queue (crisis first, its filters and
# paging), the case page, status, merge and split with their history,
# persons and locations with errors that name the field, CSRF on every
# form, 404 for an unknown case, the roles of docs/permissions.md, and the
# audit of every read and change.
. "$SRCDIR/tests/integration/lib.sh"
vigil_init
PW='a long password 123'
add_user ana advocate "$PW"
add_user sam supervisor "$PW"
add_user ian analyst "$PW"
add_user val volunteer "$PW"
add_user tom team_member "$PW"
db() { sqlite3 "$DATA/vigil.db" "$1"; }
jq_py() { python3 -c "import json,sys; d=json.load(open('$WORK/body')); $1"; }
"$VIGIL" --data "$DATA" team add --name north >/dev/null
"$VIGIL" --data "$DATA" team member --team north --user ana >/dev/null
vigil_start

CRISIS='Please help, my sister texted me from a motel. The man she is with took her phone and ID and beat her last night, and he is making her see clients tonight. She is scared he will kill her if she tries to leave.'
FARM='A routine tip about a farm that pays late and keeps the workers passports.'
# The oldest tip is routine; the crisis arrives after it and must still come first.
api /api/v1/tips "{\"narrative\": \"$FARM\", \"location\": {\"country\": \"US\", \"region\": \"CA\"}}" >/dev/null
T1=$(json '["id"]')
api /api/v1/tips "{\"narrative\": \"$CRISIS\", \"location\": {\"country\": \"US\", \"region\": \"TX\"}}" >/dev/null
T2=$(json '["id"]')
api /api/v1/tips '{"narrative": "Another farm keeps the workers in a locked trailer and pays them nothing."}' >/dev/null
T3=$(json '["id"]')
api /api/v1/tips '{"narrative": "A fourth tip about a nail salon where the workers sleep in the back."}' >/dev/null
T4=$(json '["id"]')
C1=$(db "select case_id from case_tips where tip_id = '$T1'")
C2=$(db "select case_id from case_tips where tip_id = '$T2'")
C3=$(db "select case_id from case_tips where tip_id = '$T3'")
C4=$(db "select case_id from case_tips where tip_id = '$T4'")
check "every submitted tip opens its own case" test -n "$C1" -a -n "$C2" -a -n "$C3" -a -n "$C4" \
	-a "$C1" != "$C2" -a "$C2" != "$C3" -a "$C3" != "$C4"
is "  recorded as opened by the system" "$(db "select count(*) from case_events where kind = 'opened' and user_id is null")" 4
is "  and audited" "$(db "select count(*) from audit where action = 'case.open'")" 4
is "  waiting since its tip arrived" "$(db "select count(*) from cases c join tips t on t.id = '$T1' where c.id = '$C1' and c.created_at = t.created_at")" 1

token() {
	api /api/v1/sessions "{\"name\": \"$1\", \"password\": \"$PW\"}" >/dev/null
	json '["token"]'
}
ANA="Authorization: Bearer $(token ana)"
SAM="Authorization: Bearer $(token sam)"
IAN="Authorization: Bearer $(token ian)"
VAL="Authorization: Bearer $(token val)"
TOM="Authorization: Bearer $(token tom)"

# The queue through the API.
is "the queue needs a token (401)" "$(req GET /api/v1/cases)" 401
is "the queue is 200 for an advocate" "$(req GET /api/v1/cases -H "$ANA")" 200
is "  with the four open cases" "$(json '["cases"].__len__()')" 4
is "  the crisis first although it arrived later" "$(json '["cases"][0]["id"]')" "$C2"
is "  marked as crisis" "$(json '["cases"][0]["crisis"]')" True
is "  and the routine cases oldest first" "$(jq_py 'print(" ".join(c["id"] for c in d["cases"][1:]))')" \
	"$(db "select group_concat(id, ' ') from (select id from cases where id <> '$C2' order by urgency_rank, created_at, id)")"
is "  without a next page" "$(json '.get("next")')" None
is "the list read is audited" "$(db "select count(*) from audit where action = 'case.list' and user_id = (select id from users where name = 'ana')")" 1
is "a volunteer may not list cases (403)" "$(req GET /api/v1/cases -H "$VAL")" 403
is "a team member may not list cases (403)" "$(req GET /api/v1/cases -H "$TOM")" 403

# Paging.
is "a page of one" "$(req GET '/api/v1/cases?limit=1' -H "$ANA")" 200
is "  holds the crisis case" "$(json '["cases"][0]["id"]')" "$C2"
NEXT=$(json '["next"]')
req GET "/api/v1/cases?limit=1&after=$NEXT" -H "$ANA" >/dev/null
SECOND=$(json '["cases"][0]["id"]')
check "  the next page holds another case" test -n "$SECOND" -a "$SECOND" != "$C2"
SEEN="$C2 $SECOND"
while NEXT=$(json '.get("next") or ""') && [ -n "$NEXT" ]; do
	req GET "/api/v1/cases?limit=1&after=$NEXT" -H "$ANA" >/dev/null
	SEEN="$SEEN $(json '["cases"][0]["id"]')"
done
is "  and the pages together hold every case once" "$(printf '%s\n' "$SEEN" | tr ' ' '\n' | sort -u | wc -l)" 4
is "a malformed cursor is 400" "$(req GET '/api/v1/cases?after=x' -H "$ANA")" 400
is "a limit out of range is 400" "$(req GET '/api/v1/cases?limit=0' -H "$ANA")" 400
is "an unknown status filter is 400" "$(req GET '/api/v1/cases?status=lost' -H "$ANA")" 400
is "a filter value that is no slug or code is 400" "$(req GET '/api/v1/cases?region=%3Cb%3E' -H "$ANA")" 400
is "a signed assignee id is 400" "$(req GET '/api/v1/cases?assignee=%2B2' -H "$ANA")" 400

# Filters.
req GET '/api/v1/cases?region=CA' -H "$ANA" >/dev/null
is "the region filter" "$(jq_py 'print(" ".join(c["id"] for c in d["cases"]))')" "$C1"
req GET "/api/v1/cases/$C2" -H "$ANA" >/dev/null
KIND=$(json '["kinds"].split(",")[0]')
TYPO=$(json '["typology"].split(",")[0]')
check "the crisis case has a kind and a typology" test -n "$KIND" -a -n "$TYPO"
req GET "/api/v1/cases?kind=$KIND" -H "$ANA" >/dev/null
is "the kind filter keeps only cases of that kind" \
	"$(jq_py "print(all('$KIND' in c['kinds'].split(',') for c in d['cases']) and '$C2' in [c['id'] for c in d['cases']])")" True
req GET "/api/v1/cases?typology=$TYPO" -H "$ANA" >/dev/null
is "the typology filter likewise" \
	"$(jq_py "print(all('$TYPO' in c['typology'].split(',') for c in d['cases']) and '$C2' in [c['id'] for c in d['cases']])")" True
req GET '/api/v1/cases?typology=no_such_slug' -H "$ANA" >/dev/null
is "  and a typology no case has lists none" "$(json '["cases"].__len__()')" 0
is "assigning a case (work, engineer B)" "$(api "/api/v1/cases/$C3/assignment" '{"user": "ana", "team": "north"}' -H "$SAM")" 200
ANA_ID=$(db "select id from users where name = 'ana'")
NORTH_ID=$(db "select id from teams where name = 'north'")
req GET "/api/v1/cases?assignee=$ANA_ID" -H "$ANA" >/dev/null
is "the assignee filter: a user" "$(jq_py 'print(" ".join(c["id"] for c in d["cases"]))')" "$C3"
req GET "/api/v1/cases?team=$NORTH_ID" -H "$ANA" >/dev/null
is "the assignee filter: a team" "$(jq_py 'print(" ".join(c["id"] for c in d["cases"]))')" "$C3"
req GET '/api/v1/cases?assignee=none' -H "$ANA" >/dev/null
is "the assignee filter: nobody" "$(json '["cases"].__len__()')" 3
is "a malformed assignee is 400" "$(req GET '/api/v1/cases?assignee=ana' -H "$ANA")" 400

# One case through the API.
is "a case is 200" "$(req GET "/api/v1/cases/$C2" -H "$IAN")" 200
is "  with its tip" "$(json '["tip_list"][0]["tip_id"]')" "$T2"
is "  its history" "$(json '["events"][0]["kind"]')" opened
is "  its place" "$(json '["region"]')" TX
is "  and the read is audited with the case id" "$(db "select count(*) from audit where action = 'case.read' and object = '$C2' and user_id = (select id from users where name = 'ian')")" 1
is "an unknown case is 404" "$(req GET /api/v1/cases/ffffffffffffffff -H "$ANA")" 404
is "  with the error code" "$(json '["error"]["code"]')" not_found
is "a malformed case id is 404" "$(req GET /api/v1/cases/nothex -H "$ANA")" 404
is "a volunteer may not read a case (403)" "$(req GET "/api/v1/cases/$C2" -H "$VAL")" 403
is "a team member may not read a case off every agenda (404)" "$(req GET "/api/v1/cases/$C2" -H "$TOM")" 404

# Status.
is "an analyst may not change the status (403)" "$(api "/api/v1/cases/$C1/status" '{"status": "closed"}' -H "$IAN")" 403
is "an unknown status is 422" "$(api "/api/v1/cases/$C1/status" '{"status": "done"}' -H "$ANA")" 422
is "closing a case" "$(api "/api/v1/cases/$C1/status" '{"status": "closed"}' -H "$ANA")" 200
is "  answers the new status" "$(json '["status"]')" closed
is "  sets closed_at" "$(db "select closed_at is not null from cases where id = '$C1'")" 1
is "  records the change" "$(db "select detail from case_events where case_id = '$C1' and kind = 'status'")" 'active->closed'
is "  is audited" "$(db "select detail from audit where action = 'case.status' and object = '$C1'")" status=closed
req GET /api/v1/cases -H "$ANA" >/dev/null
is "  and leaves the open queue" "$(jq_py "print('$C1' in [c['id'] for c in d['cases']])")" False
req GET '/api/v1/cases?status=closed' -H "$ANA" >/dev/null
is "  for the closed one" "$(jq_py 'print(" ".join(c["id"] for c in d["cases"]))')" "$C1"
is "reopening it" "$(api "/api/v1/cases/$C1/status" '{"status": "follow_up"}' -H "$ANA")" 200
is "  clears closed_at" "$(db "select closed_at is null from cases where id = '$C1'")" 1
is "a status change of an unknown case is 404" "$(api /api/v1/cases/ffffffffffffffff/status '{"status": "closed"}' -H "$ANA")" 404

# Persons and locations.
P='{"case_role": "potential_victim", "age": "14-17", "gender": "female", "nationality": "MX", "control_methods": ["threats", "withholds_documents"], "exploitation": "sexual", "name": "Rosa <b>M</b>", "notes": "Seen at the motel."}'
is "adding a person" "$(api "/api/v1/cases/$C2/persons" "$P" -H "$ANA")" 201
PID=$(json '["id"]')
check "  sealed: the name is not in the database" sh -c "! sqlite3 '$DATA/vigil.db' \"select count(*) from persons where instr(name, 'Rosa') > 0 or instr(notes, 'motel') > 0\" | grep -q '^[1-9]'"
req GET "/api/v1/cases/$C2" -H "$ANA" >/dev/null
is "  and reads back unsealed" "$(json '["persons"][0]["name"]')" 'Rosa <b>M</b>'
is "  with its age range" "$(json '["persons"][0]["age"]')" 14-17
is "  and its methods of control" "$(json '["persons"][0]["control_methods"]')" threats,withholds_documents
is "  recorded in the history" "$(db "select count(*) from case_events where case_id = '$C2' and kind = 'person_added'")" 1
is "  and audited" "$(db "select detail from audit where action = 'case.person.add' and object = '$C2'")" "$PID"
is "a bad person is 422" "$(api "/api/v1/cases/$C2/persons" '{"case_role": "boss", "age": "old", "gender": "x", "control_methods": ["threats", "magic"]}' -H "$ANA")" 422
is "  naming every wrong field" "$(jq_py 'print(",".join(f["field"] for f in d["error"]["fields"]))')" 'case_role,age,gender,control_methods'
is "  and nothing is stored" "$(db "select count(*) from persons where case_id = '$C2'")" 1
is "a person needs a role" "$(api "/api/v1/cases/$C2/persons" '{"age": "30"}' -H "$ANA")" 422
is "  named as case_role" "$(json '["error"]["fields"][0]["field"]')" case_role
P2='{"case_role": "suspected_exploiter", "age": "40", "process_roles": ["recruiter"], "name": "Big J"}'
is "editing a person" "$(api "/api/v1/persons/$PID" "$P2" -H "$ANA")" 200
req GET "/api/v1/cases/$C2" -H "$ANA" >/dev/null
is "  changes every field" "$(jq_py 'p=d["persons"][0]; print(p["case_role"], p["age"], p["name"], repr(p["control_methods"]), repr(p["notes"]))')" "suspected_exploiter 40 Big J '' ''"
is "  recorded in the history" "$(db "select detail from case_events where case_id = '$C2' and kind = 'person_changed'")" "$PID"
is "  and audited" "$(db "select detail from audit where action = 'case.person.change' and object = '$C2'")" "$PID"
is "editing with a bad value is 422" "$(api "/api/v1/persons/$PID" '{"case_role": "other", "nationality": "XX"}' -H "$ANA")" 422
is "  naming the field" "$(json '["error"]["fields"][0]["field"]')" nationality
is "editing an unknown person is 404" "$(api /api/v1/persons/ffffffffffffffff "$P2" -H "$ANA")" 404
is "an analyst may not edit a person (403)" "$(api "/api/v1/persons/$PID" "$P2" -H "$IAN")" 403
is "an analyst may not add a person (403)" "$(api "/api/v1/cases/$C2/persons" "$P" -H "$IAN")" 403
is "adding a location" "$(api "/api/v1/cases/$C2/locations" '{"kind": "exploitation", "country": "US", "region": "TX", "city": "Houston", "address": "12 Main St"}' -H "$ANA")" 201
LID=$(json '["id"]')
req GET "/api/v1/cases/$C2" -H "$ANA" >/dev/null
is "  reads back with its address" "$(json '["locations"][0]["address"]')" '12 Main St'
check "  sealed in the database" sh -c "! sqlite3 '$DATA/vigil.db' \"select count(*) from locations where instr(address, 'Main') > 0\" | grep -q '^[1-9]'"
is "  recorded in the history" "$(db "select detail from case_events where case_id = '$C2' and kind = 'location_added'")" "$LID"
is "  and audited" "$(db "select detail from audit where action = 'case.location.add' and object = '$C2'")" "$LID"
is "a region without a country is 422" "$(api "/api/v1/cases/$C2/locations" '{"region": "TX"}' -H "$ANA")" 422
is "  naming the field" "$(json '["error"]["fields"][0]["field"]')" region
is "an unknown kind of place is 422" "$(api "/api/v1/cases/$C2/locations" '{"kind": "moon"}' -H "$ANA")" 422
is "  naming the field" "$(json '["error"]["fields"][0]["field"]')" kind
is "an unknown member is 422" "$(api "/api/v1/cases/$C2/locations" '{"kind": "other", "town": "Houston"}' -H "$ANA")" 422
is "  and says which" "$(json '["error"]["message"]')" 'unknown member town'
is "a member of the wrong type is 422" "$(api "/api/v1/cases/$C1/status" '{"status": 3}' -H "$ANA")" 422
is "  and says which" "$(json '["error"]["message"]')" 'status must be a string'
is "  and changes nothing" "$(db "select status from cases where id = '$C1'")" follow_up
is "a location on an unknown case is 404" "$(api /api/v1/cases/ffffffffffffffff/locations '{"kind": "other"}' -H "$ANA")" 404

# Merge and split.
is "an analyst may not merge (403)" "$(api "/api/v1/cases/$C4/merge" "{\"into\": \"$C2\"}" -H "$IAN")" 403
is "merging into an unknown case is 404" "$(api "/api/v1/cases/$C4/merge" '{"into": "ffffffffffffffff"}' -H "$ANA")" 404
is "merging a case into itself is 422" "$(api "/api/v1/cases/$C4/merge" "{\"into\": \"$C4\"}" -H "$ANA")" 422
is "merging into an id that only starts with a case's id is 404" "$(api "/api/v1/cases/$C4/merge" "{\"into\": \"${C2}0\"}" -H "$ANA")" 404
is "a note on C4 (work, engineer B)" "$(api "/api/v1/cases/$C4/notes" '{"body": "Called back."}' -H "$ANA")" 201
NOTE=$(json '["id"]')
is "merging C4 into C2" "$(api "/api/v1/cases/$C4/merge" "{\"into\": \"$C2\"}" -H "$ANA")" 200
is "  moves the tip" "$(db "select case_id from case_tips where tip_id = '$T4'")" "$C2"
is "  keeps C4 as merged into C2" "$(db "select status || ' ' || merged_into from cases where id = '$C4'")" "merged $C2"
is "  records merged_from on C2" "$(db "select other_case from case_events where case_id = '$C2' and kind = 'merged_from'")" "$C4"
is "  and merged_into on C4" "$(db "select other_case from case_events where case_id = '$C4' and kind = 'merged_into'")" "$C2"
is "  is audited" "$(db "select count(*) from audit where action = 'case.merge' and object = '$C4'")" 1
is "  moves C4's note to C2" "$(db "select case_id from notes where id = '$NOTE'")" "$C2"
is "  and C2 counts two tips" "$(db "select ntips from cases where id = '$C2'")" 2
is "merging a merged case again is 422" "$(api "/api/v1/cases/$C4/merge" "{\"into\": \"$C3\"}" -H "$ANA")" 422
# A merged case takes no new work: 409 naming the case it was merged into.
is "a note on the merged case is 409" "$(api "/api/v1/cases/$C4/notes" '{"body": "Late news."}' -H "$ANA")" 409
is "  with the code merged" "$(json '["error"]["code"]')" merged
is "  naming the case it was merged into" "$(json '["error"]["merged_into"]')" "$C2"
check "  also in the message" grep -q "merged into case $C2" "$WORK/body"
is "  and nothing is stored" "$(db "select count(*) from notes where case_id = '$C4'")" 0
is "a task on the merged case is 409" "$(api "/api/v1/cases/$C4/tasks" '{"title": "Call back"}' -H "$ANA")" 409
is "  and nothing is stored" "$(db "select count(*) from tasks where case_id = '$C4' and kind = 'manual'")" 0
is "a person on the merged case is 409" "$(api "/api/v1/cases/$C4/persons" '{"case_role": "potential_victim"}' -H "$ANA")" 409
is "  naming the case it was merged into" "$(json '["error"]["merged_into"]')" "$C2"
is "a location on the merged case is 409" "$(api "/api/v1/cases/$C4/locations" '{"country": "US"}' -H "$ANA")" 409
is "an entity on the merged case is 409" "$(api "/api/v1/cases/$C4/entities" '{"kind": "phone", "value": "(510) 555-0177"}' -H "$ANA")" 409
is "  and nothing is stored" "$(db "select count(*) from entities where case_id = '$C4'")" 0
is "the case merged into takes the note" "$(api "/api/v1/cases/$C2/notes" '{"body": "Late news."}' -H "$ANA")" 201
is "a split without tips is 422" "$(api "/api/v1/cases/$C2/split" '{"tips": []}' -H "$ANA")" 422
is "a split of every tip is 422" "$(api "/api/v1/cases/$C2/split" "{\"tips\": [\"$T2\", \"$T4\"]}" -H "$ANA")" 422
is "a split of a tip of another case is 422" "$(api "/api/v1/cases/$C2/split" "{\"tips\": [\"$T3\"]}" -H "$ANA")" 422
is "splitting T4 out again" "$(api "/api/v1/cases/$C2/split" "{\"tips\": [\"$T4\"]}" -H "$ANA")" 201
C5=$(json '["id"]')
is "  moves it to a new case" "$(db "select case_id from case_tips where tip_id = '$T4'")" "$C5"
is "  which has waited since that tip arrived" "$(db "select c.created_at = t.created_at from cases c, tips t where c.id = '$C5' and t.id = '$T4'")" 1
is "  records split_to on C2" "$(db "select other_case || ' ' || detail from case_events where case_id = '$C2' and kind = 'split_to'")" "$C5 1"
is "  and split_from on the new case" "$(db "select other_case from case_events where case_id = '$C5' and kind = 'split_from'")" "$C2"
is "  and is audited" "$(db "select count(*) from audit where action = 'case.split' and object = '$C2'")" 1
is "  C2 counts one tip again" "$(db "select ntips from cases where id = '$C2'")" 1

# The staff pages.
is "ana signs in" "$(staff_login ana "$PW")" 303
JAR="$WORK/jar.ana"
is "the case queue page is 200" "$(req GET /staff/cases -b "$JAR")" 200
check "  lists the crisis case first" sh -c "grep -o 'href=\"/staff/cases/[0-9a-f]*\"' '$WORK/body' | head -n 1 | grep -q '$C2'"
check "  offers the assignee as a list of users" grep -q "<option value=\"$ANA_ID\">ana</option>" "$WORK/body"
check "  and of teams" grep -q "<option value=\"team:$NORTH_ID\">north</option>" "$WORK/body"
req GET "/staff/cases?assignee=$ANA_ID" -b "$JAR" >/dev/null
check "the page's assignee filter shows the assigned case" grep -q "/staff/cases/$C3\"" "$WORK/body"
check "  and not the others" sh -c "! grep -q '/staff/cases/$C2\"' '$WORK/body'"
check "  with the user selected" grep -q "<option value=\"$ANA_ID\" selected>ana</option>" "$WORK/body"
req GET "/staff/cases?assignee=team:$NORTH_ID" -b "$JAR" >/dev/null
check "the page's team filter shows the assigned case" grep -q "/staff/cases/$C3\"" "$WORK/body"
req GET '/staff/cases?region=CA&status=all' -b "$JAR" >/dev/null
check "the page's region filter" grep -q "/staff/cases/$C1\"" "$WORK/body"
check "  leaves out other regions" sh -c "! grep -q '/staff/cases/$C2\"' '$WORK/body'"
is "a bad filter on the page is 400" "$(req GET '/staff/cases?status=lost' -b "$JAR")" 400
is "the case page is 200" "$(req GET "/staff/cases/$C2" -b "$JAR")" 200
check "  shows its tip" grep -q "/staff/tips/$T2" "$WORK/body"
check "  its person (escaped)" grep -q 'Big J' "$WORK/body"
check "  its location" grep -q '12 Main St' "$WORK/body"
check "  and its history" grep -q "split_to" "$WORK/body"
CSRF=$(page_csrf)
is "an unknown case page is 404" "$(req GET /staff/cases/ffffffffffffffff -b "$JAR")" 404
is "a status form without the CSRF token is 403" "$(form "/staff/cases/$C2/status" -b "$JAR" --data-urlencode 'status=follow_up')" 403
is "  and changes nothing" "$(db "select status from cases where id = '$C2'")" active
is "a merge form without the CSRF token is 403" "$(form "/staff/cases/$C5/merge" -b "$JAR" --data-urlencode "into=$C2")" 403
is "a split form without the CSRF token is 403" "$(form "/staff/cases/$C2/split" -b "$JAR" --data-urlencode "tip[]=$T2")" 403
is "a person form without the CSRF token is 403" "$(form "/staff/cases/$C2/persons" -b "$JAR" --data-urlencode 'case_role=other')" 403
is "a person edit form without the CSRF token is 403" "$(form "/staff/persons/$PID" -b "$JAR" --data-urlencode 'case_role=other')" 403
is "a location form without the CSRF token is 403" "$(form "/staff/cases/$C2/locations" -b "$JAR" --data-urlencode 'kind=other')" 403
is "the status form" "$(form "/staff/cases/$C2/status" -b "$JAR" --data-urlencode 'status=follow_up' --data-urlencode "csrf=$CSRF")" 303
is "  goes back to the case" "$(header Location)" "/staff/cases/$C2?done=status"
is "  and changes the status" "$(db "select status from cases where id = '$C2'")" follow_up
is "the person form" "$(form "/staff/cases/$C2/persons" -b "$JAR" --data-urlencode 'case_role=potential_victim' --data-urlencode 'control_methods[]=threats' --data-urlencode 'control_methods[]=debt_bondage' --data-urlencode 'name=Lina' --data-urlencode "csrf=$CSRF")" 303
is "  stores both methods of control" "$(db "select control_methods from persons where case_id = '$C2' order by created_at desc, rowid desc limit 1")" threats,debt_bondage
req GET "/staff/cases/$C2" -b "$JAR" >/dev/null
check "  and the case page shows their labels" grep -q 'Methods of control: Threats, Debt bondage' "$WORK/body"
req GET "/staff/cases/$C2" -b "$JAR" -H 'Accept-Language: es' >/dev/null
check "  in Spanish for a Spanish browser" grep -q 'Métodos de control: Amenazas, Servidumbre por deudas' "$WORK/body"
check "  with the forms' choices in Spanish too" grep -q '<option value="potential_victim">Posible víctima</option>' "$WORK/body"
is "a person form with a bad age is 422" "$(form "/staff/cases/$C2/persons" -b "$JAR" --data-urlencode 'case_role=other' --data-urlencode 'age=very old' --data-urlencode "csrf=$CSRF")" 422
check "  naming the field on the page" grep -q 'age: Give an age' "$WORK/body"
is "the person edit page is 200" "$(req GET "/staff/persons/$PID" -b "$JAR")" 200
check "  with the name filled in" grep -q 'value="Big J"' "$WORK/body"
is "  and opening it is audited" "$(db "select detail from audit where action = 'case.person.read' and object = '$C2'")" "$PID"
is "the person edit form" "$(form "/staff/persons/$PID" -b "$JAR" --data-urlencode 'case_role=suspected_exploiter' --data-urlencode 'name=Big Jim' --data-urlencode "csrf=$CSRF")" 303
req GET "/api/v1/cases/$C2" -H "$ANA" >/dev/null
is "  changes the person" "$(json '["persons"][0]["name"]')" 'Big Jim'
is "a person edit form with a bad value is 422" "$(form "/staff/persons/$PID" -b "$JAR" --data-urlencode 'case_role=nobody' --data-urlencode "csrf=$CSRF")" 422
check "  naming the field on the page" grep -q 'case_role: ' "$WORK/body"
is "the person edit page of an unknown person is 404" "$(req GET /staff/persons/ffffffffffffffff -b "$JAR")" 404
is "the location form" "$(form "/staff/cases/$C2/locations" -b "$JAR" --data-urlencode 'kind=transit' --data-urlencode 'country=MX' --data-urlencode 'city=Tijuana' --data-urlencode "csrf=$CSRF")" 303
is "  stores the location" "$(db "select count(*) from locations where case_id = '$C2' and city = 'Tijuana'")" 1
is "a location form with a bad country is 422" "$(form "/staff/cases/$C2/locations" -b "$JAR" --data-urlencode 'country=ZZ' --data-urlencode "csrf=$CSRF")" 422
check "  naming the field on the page" grep -q 'country: ' "$WORK/body"
is "the merge form" "$(form "/staff/cases/$C5/merge" -b "$JAR" --data-urlencode "into=$C2" --data-urlencode "csrf=$CSRF")" 303
is "  goes to the case merged into" "$(header Location)" "/staff/cases/$C2?done=merged"
is "  and merges" "$(db "select status from cases where id = '$C5'")" merged
req GET "/staff/cases/$C5" -b "$JAR" >/dev/null
check "the merged case's page links to the case it was merged into" grep -q "merged into.*/staff/cases/$C2" "$WORK/body"
is "a note form on the merged case is 409" "$(form "/staff/cases/$C5/notes" -b "$JAR" --data-urlencode 'note=Late news.' --data-urlencode "csrf=$CSRF")" 409
check "  on a page that links to the case it was merged into" grep -q "href=\"/staff/cases/$C2\"" "$WORK/body"
is "  and nothing is stored" "$(db "select count(*) from notes where case_id = '$C5'")" 0
is "the split form" "$(form "/staff/cases/$C2/split" -b "$JAR" --data-urlencode "tip[]=$T4" --data-urlencode "csrf=$CSRF")" 303
C6=$(header Location | sed 's,.*/,,; s,?.*,,')
is "  moves the tip to the new case it goes to" "$(db "select case_id from case_tips where tip_id = '$T4'")" "$C6"
is "a merge form into an unknown case is 404" "$(form "/staff/cases/$C6/merge" -b "$JAR" --data-urlencode 'into=ffffffffffffffff' --data-urlencode "csrf=$CSRF")" 404
is "a status form on an unknown case is 404" "$(form /staff/cases/ffffffffffffffff/status -b "$JAR" --data-urlencode 'status=closed' --data-urlencode "csrf=$CSRF")" 404

# Roles on the pages.
is "ian (analyst) signs in" "$(staff_login ian "$PW")" 303
is "  reads the case page" "$(req GET "/staff/cases/$C2" -b "$WORK/jar.ian")" 200
check "  without the forms to change it" sh -c "! grep -q 'action=\"/staff/cases/$C2/status\"' '$WORK/body'"
ICSRF=$(page_csrf)
is "  may not change the status (403)" "$(form "/staff/cases/$C2/status" -b "$WORK/jar.ian" --data-urlencode 'status=closed' --data-urlencode "csrf=$ICSRF")" 403
is "  nor split (403)" "$(form "/staff/cases/$C2/split" -b "$WORK/jar.ian" --data-urlencode "tip[]=$T2" --data-urlencode "csrf=$ICSRF")" 403
is "val (volunteer) signs in" "$(staff_login val "$PW")" 303
is "  may not see the queue (403)" "$(req GET /staff/cases -b "$WORK/jar.val")" 403
is "  nor a case (403)" "$(req GET "/staff/cases/$C2" -b "$WORK/jar.val")" 403

# A restricted case is hidden from those not granted, as if it did not exist.
db "update cases set restricted = 1 where id = '$C3'"
req GET /api/v1/cases -H "$IAN" >/dev/null
is "a restricted case is not in an analyst's queue" "$(jq_py "print('$C3' in [c['id'] for c in d['cases']])")" False
is "  and its page is 404 for them" "$(req GET "/api/v1/cases/$C3" -H "$IAN")" 404
req GET /api/v1/cases -H "$SAM" >/dev/null
is "  but a supervisor sees it" "$(jq_py "print('$C3' in [c['id'] for c in d['cases']])")" True
is "an advocate not granted it may not merge into it: 404, as if it did not exist" "$(api "/api/v1/cases/$C6/merge" "{\"into\": \"$C3\"}" -H "$ANA")" 404
is "  and nothing is merged" "$(db "select status from cases where id = '$C6'")" active
is "  nor may they split it (404)" "$(api "/api/v1/cases/$C3/split" "{\"tips\": [\"$T3\"]}" -H "$ANA")" 404
is "  and the attempt is audited as denied" "$(db "select count(*) > 0 from audit where action = 'access.denied' and object = '$C3'")" 1
is "  nor its page through the form (404)" "$(req GET "/staff/cases/$C3" -b "$JAR")" 404

# Every change above is audited with the acting user.
is "no case change is audited without a user" "$(db "select count(*) from audit where action like 'case.%' and action <> 'case.open' and user_id is null")" 0
check "the audit chain verifies" sh -c "'$VIGIL' --data '$DATA' audit verify >/dev/null"
vigil_stop
# Under the sanitizers a leak or an error shows in the exit status.
is "the server stopped cleanly" "$SERVER_STATUS" 0
check "  with nothing reported on stderr" sh -c "! grep -q -e 'runtime error' -e 'Sanitizer' '$WORK/server.err'"

done_testing
