#!/bin/sh
# Child-exploitation team (MDT) meetings through the API and the staff
# pages: scheduling, the agenda with its sealed summary, attendees, per-youth
# outcomes and action items, and a team member who sees the cases on their
# team's agenda and not another.
. "$SRCDIR/tests/integration/lib.sh"
vigil_init
vigil_start

err_code() { json '["error"]["code"]'; }
# count KEY: how many elements the list KEY of the last JSON body holds.
count() { python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))[sys.argv[2]]))' "$WORK/body" "$1"; }
session() {
	api /api/v1/sessions "{\"name\": \"$1\", \"password\": \"$2\"}" >/dev/null
	json '["token"]'
}
# The case that holds the tip just submitted.
case_of() { sqlite3 "$DATA/vigil.db" "select case_id from case_tips where tip_id = '$1'"; }

add_user sup supervisor 'sup-password-1234'
add_user tm team_member 'tm-password-1234'
add_user adv advocate 'adv-password-1234'
"$VIGIL" --data "$DATA" team add --name SafetyNet --kind mdt >/dev/null
"$VIGIL" --data "$DATA" team member --team SafetyNet --user tm --agency Probation >/dev/null
TEAM=$(sqlite3 "$DATA/vigil.db" "select id from teams where name = 'SafetyNet'")

api /api/v1/tips '{"narrative": "A 15-year-old girl is being sold online by an older man, call 555-0142."}' >/dev/null
TIP1=$(json '["id"]')
api /api/v1/tips '{"narrative": "A 16-year-old boy works nights at a massage parlor for no pay."}' >/dev/null
TIP2=$(json '["id"]')
CASE1=$(case_of "$TIP1")
CASE2=$(case_of "$TIP2")
check "each tip opened a case" test -n "$CASE1" -a -n "$CASE2" -a "$CASE1" != "$CASE2"

SUP="Authorization: Bearer $(session sup sup-password-1234)"
TM="Authorization: Bearer $(session tm tm-password-1234)"
ADV="Authorization: Bearer $(session adv adv-password-1234)"

is "scheduling needs manage_meetings" \
	"$(api /api/v1/meetings "{\"team_id\": $TEAM, \"starts\": \"2099-05-04T10:00\", \"title\": \"SafetyNet weekly\"}" -H "$ADV")" 403
is "a supervisor schedules a meeting" \
	"$(api /api/v1/meetings "{\"team_id\": $TEAM, \"starts\": \"2099-05-04T10:00\", \"title\": \"SafetyNet weekly\", \"place\": \"DA office, room 3\"}" -H "$SUP")" 201
M=$(json '["id"]')
is "a bad time is 422" "$(api /api/v1/meetings "{\"team_id\": $TEAM, \"starts\": \"2099-02-30T10:00\", \"title\": \"x\"}" -H "$SUP")" 422
is "an unknown team is 404" "$(api /api/v1/meetings '{"team_id": 999, "starts": "2099-05-04T10:00", "title": "x"}' -H "$SUP")" 404

is "the case goes on the agenda" "$(api "/api/v1/meetings/$M/agenda" \
	"{\"case\": \"$CASE1\", \"background\": \"Ran away from placement in March.\", \"case_status\": \"Active\", \"safety_concerns\": \"Contact with the exploiter by phone.\"}" -H "$SUP")" 201
ITEM=$(json '["id"]')
is "  once only" "$(api "/api/v1/meetings/$M/agenda" "{\"case\": \"$CASE1\"}" -H "$SUP")" 409
is "an unknown case is 404" "$(api "/api/v1/meetings/$M/agenda" '{"case": "0000000000000000"}' -H "$SUP")" 404
check "the summary is sealed in the database" sh -c \
	"! sqlite3 '$DATA/vigil.db' 'select hex(summary) from meeting_agenda' | grep -qi \"\$(printf 'Ran away' | od -An -tx1 | tr -d ' \n')\""

is "an attendee without an account" "$(api "/api/v1/meetings/$M/attendees" '{"name": "Dana Ortiz", "agency": "Public Defender", "present": true}' -H "$SUP")" 201
is "an attendee with an account" "$(api "/api/v1/meetings/$M/attendees" '{"name": "Terry M", "agency": "Probation", "user": "tm", "present": false}' -H "$SUP")" 201
ATT=$(json '["id"]')
is "an attendee naming no account is 422" "$(api "/api/v1/meetings/$M/attendees" '{"name": "X", "user": "nobody"}' -H "$SUP")" 422
is "attendance is recorded" "$(api "/api/v1/meetings/$M/attendance" "{\"attendee\": \"$ATT\", \"present\": true}" -H "$SUP")" 200

is "the outcome is recorded" "$(api "/api/v1/meetings/$M/outcome" \
	"{\"item\": \"$ITEM\", \"safety_status\": \"at_risk\", \"safety_plan\": \"Stay with her aunt; school counsellor daily.\", \"stabilisation\": \"Therapy intake; new phone.\"}" -H "$SUP")" 200
is "a status outside the picklist is 422" "$(api "/api/v1/meetings/$M/outcome" "{\"item\": \"$ITEM\", \"safety_status\": \"fine\"}" -H "$SUP")" 422
is "an action item" "$(api "/api/v1/meetings/$M/actions" \
	"{\"item\": \"$ITEM\", \"text\": \"Refer to survivor mentor programme\", \"owner\": \"Probation\", \"owner_user\": \"tm\", \"due\": \"2000-01-31\"}" -H "$SUP")" 201
ACT=$(json '["id"]')
is "an action on another meeting's item is 404" "$(api /api/v1/meetings/0000000000000000/actions "{\"item\": \"$ITEM\", \"text\": \"x\"}" -H "$SUP")" 404

is "GET the meeting" "$(req GET "/api/v1/meetings/$M" -H "$SUP")" 200
is "  the summary opened" "$(json '["agenda"][0]["background"]')" "Ran away from placement in March."
is "  the safety status" "$(json '["agenda"][0]["safety_status"]')" at_risk
is "  the safety plan" "$(json '["agenda"][0]["safety_plan"]')" "Stay with her aunt; school counsellor daily."
is "  two attendees" "$(count attendees)" 2
is "  the second now present" "$(json '["attendees"][1]["present"]')" True
is "  the action's owner account" "$(json '["agenda"][0]["actions"][0]["owner_user"]')" tm
is "  overdue while not done" "$(json '["agenda"][0]["actions"][0]["overdue"]')" True
is "the action is done" "$(api "/api/v1/meetings/$M/action-done" "{\"action\": \"$ACT\", \"done\": true}" -H "$SUP")" 200
req GET "/api/v1/meetings/$M" -H "$SUP" >/dev/null
is "  and shows so" "$(json '["agenda"][0]["actions"][0]["done"]')" True
is "the upcoming list holds it" "$(req GET /api/v1/meetings -H "$SUP"; json '["meetings"][0]["id"]')" "200$M"

# The team member: their team's meeting and its agenda case, nothing else.
is "the team member lists the meeting" "$(req GET /api/v1/meetings -H "$TM"; json '["meetings"][0]["id"]')" "200$M"
is "  and reads it" "$(req GET "/api/v1/meetings/$M" -H "$TM")" 200
is "  the agenda case is visible" "$(json '["agenda"][0]["case_id"]')" "$CASE1"
is "  may not change it" "$(api "/api/v1/meetings/$M/outcome" "{\"item\": \"$ITEM\", \"safety_status\": \"safe\"}" -H "$TM")" 403
api /api/v1/meetings "{\"team_id\": $TEAM, \"starts\": \"2099-06-01T10:00\", \"title\": \"Other\"}" -H "$SUP" >/dev/null
"$VIGIL" --data "$DATA" team add --name Staff >/dev/null
OTHER_TEAM=$(sqlite3 "$DATA/vigil.db" "select id from teams where name = 'Staff'")
api /api/v1/meetings "{\"team_id\": $OTHER_TEAM, \"starts\": \"2099-06-02T10:00\", \"title\": \"Not theirs\"}" -H "$SUP" >/dev/null
M2=$(json '["id"]')
is "  another team's meeting is 404" "$(req GET "/api/v1/meetings/$M2" -H "$TM")" 404
api "/api/v1/meetings/$M2/agenda" "{\"case\": \"$CASE2\"}" -H "$SUP" >/dev/null
req GET /api/v1/meetings -H "$TM" >/dev/null
check "  their list leaves it out" sh -c "! grep -q '$M2' '$WORK/body'"
req GET "/api/v1/meetings/$M" -H "$ADV" >/dev/null
is "an advocate reads the meeting's agenda" "$(count agenda)" 1

# The staff pages.
staff_login sup sup-password-1234 >/dev/null
is "GET /staff/meetings" "$(req GET /staff/meetings -b "$WORK/jar.sup")" 200
check "  lists the meeting" grep -q "/staff/meetings/$M" "$WORK/body"
is "GET /staff/meetings/{id}" "$(req GET "/staff/meetings/$M" -b "$WORK/jar.sup")" 200
check "  shows the safety plan" grep -q "Stay with her aunt" "$WORK/body"
check "  and the attendee" grep -q "Dana Ortiz" "$WORK/body"
CSRF=$(page_csrf)
is "a form puts a case on the agenda" "$(form "/staff/meetings/$M/agenda" -b "$WORK/jar.sup" \
	--data-urlencode "csrf=$CSRF" --data-urlencode "case=$CASE2" --data-urlencode "background=Seen at a bus station.")" 303
is "a form without the csrf token is 403" "$(form "/staff/meetings/$M/agenda" -b "$WORK/jar.sup" --data-urlencode "case=$CASE2")" 403
req GET "/staff/meetings/$M" -b "$WORK/jar.sup" >/dev/null
check "  the second youth is on the page" grep -q "Seen at a bus station." "$WORK/body"
is "the case page" "$(req GET "/staff/cases/$CASE1" -b "$WORK/jar.sup")" 200
check "  lists the meeting whose agenda held it" grep -q "/staff/meetings/$M\"" "$WORK/body"
staff_login tm tm-password-1234 >/dev/null
req GET "/staff/meetings/$M" -b "$WORK/jar.tm" >/dev/null
check "the team member's page has no edit forms" sh -c "! grep -q 'action=\"/staff/meetings/$M/outcome\"' '$WORK/body'"
is "the advocate may not schedule through the form" "$(staff_login adv adv-password-1234 >/dev/null; req GET /staff/meetings -b "$WORK/jar.adv" >/dev/null; form /staff/meetings -b "$WORK/jar.adv" --data-urlencode "csrf=$(page_csrf)" --data-urlencode "team=$TEAM" --data-urlencode "starts=2099-01-01T10:00" --data-urlencode "title=x")" 403

N=$(sqlite3 "$DATA/vigil.db" "select count(*) from audit where action like 'meeting.%'")
check "reads and changes are audited ($N entries)" test "$N" -ge 15
check "the audit chain holds" sh -c "'$VIGIL' --data '$DATA' audit verify >/dev/null"

vigil_stop
done_testing
