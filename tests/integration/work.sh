#!/bin/sh
# The daily work on cases (docs/work.md): `vigil team`, automatic tasks from
# the screen, notes, tasks and assignment through the API and the staff
# pages, overdue tasks marked with text, "my tasks", team management, roles
# and object-level access, the audit, and `vigil purge` (the purged content
# gone from the database files).
. "$SRCDIR/tests/integration/lib.sh"
vigil_init
PW='a long password 123'
add_user ana advocate "$PW"
add_user sam supervisor "$PW"
add_user ben advocate "$PW"
add_user val volunteer "$PW"
# The server may be writing: wait for its lock rather than fail.
db() { sqlite3 -cmd '.timeout 5000' "$DATA/vigil.db" "$1"; }

# Teams from the command line.
check "vigil team add makes a team" sh -c "'$VIGIL' --data '$DATA' team add --name north >/dev/null"
"$VIGIL" --data "$DATA" team add --name north >/dev/null 2>"$WORK/err"
is "a taken team name is bad usage (2)" "$?" 2
check "  and says so" grep -q 'taken' "$WORK/err"
check "vigil team member adds ben" sh -c "'$VIGIL' --data '$DATA' team member --team north --user ben >/dev/null"
"$VIGIL" --data "$DATA" team member --team north --user nobody >/dev/null 2>"$WORK/err"
is "an unknown user is bad usage (2)" "$?" 2
"$VIGIL" --data "$DATA" team add >/dev/null 2>&1
is "team add without --name is bad usage (2)" "$?" 2
is "vigil team list shows the team and its member" "$("$VIGIL" --data "$DATA" team list)" "$(printf 'north\tstaff\tben')"
is "the team changes are audited" "$(db "select count(*) from audit where action in ('team_add', 'team_member_add')")" 2

vigil_start

CRISIS='Please help, my sister texted me from a motel. The man she is with took her phone and ID and beat her last night, and he is making her see clients tonight. She is scared he will kill her if she tries to leave.'
MINOR='My neighbor says her daughter is 15 and a man posts her online and takes her to hotels to see men for money. She is still in school.'
api /api/v1/tips "{\"narrative\": \"$CRISIS\"}" >/dev/null
T1=$(json '["id"]')
api /api/v1/tips "{\"narrative\": \"$MINOR\"}" >/dev/null
T2=$(json '["id"]')
api /api/v1/tips '{"narrative": "A routine tip about a farm that pays late."}' >/dev/null
T3=$(json '["id"]')
C1=$(db "select case_id from case_tips where tip_id = '$T1'")
C2=$(db "select case_id from case_tips where tip_id = '$T2'")
C3=$(db "select case_id from case_tips where tip_id = '$T3'")
check "each tip has its case" test -n "$C1" -a -n "$C2" -a -n "$C3"

token() {
	api /api/v1/sessions "{\"name\": \"$1\", \"password\": \"$PW\"}" >/dev/null
	json '["token"]'
}
ANA="Authorization: Bearer $(token ana)"
SAM="Authorization: Bearer $(token sam)"
BEN="Authorization: Bearer $(token ben)"
VAL="Authorization: Bearer $(token val)"

# Automatic tasks.
is "the crisis case's tasks are 200" "$(req GET "/api/v1/cases/$C1/tasks" -H "$ANA")" 200
is "  one automatic task" "$(json '["tasks"].__len__()')" 1
is "  to respond to the crisis" "$(json '["tasks"][0]["kind"]')" crisis_response
CREATED=$(db "select created_at from tips where id = '$T1'")
is "  due 24 hours after the tip arrived" "$(json '["tasks"][0]["due_at"]')" "$((CREATED + 86400))"
is "  not overdue yet" "$(json '["tasks"][0]["overdue"]')" False
req GET "/api/v1/cases/$C2/tasks" -H "$ANA" >/dev/null
is "the minor's case has a referral task to the child-exploitation team" "$(json '["tasks"][0]["kind"]')" cse_referral
req GET "/api/v1/cases/$C3/tasks" -H "$ANA" >/dev/null
is "the routine case has none" "$(json '["tasks"].__len__()')" 0
is "the automatic tasks are audited" "$(db "select count(*) from audit where action = 'task_auto'")" 2

# Notes.
NOTE='Called the sister back; she is at a friend'"'"'s place. <b>bold</b>'
is "a note through the API is 201" "$(api "/api/v1/cases/$C1/notes" "$(python3 -c 'import json,sys; print(json.dumps({"body": sys.argv[1]}))' "$NOTE")" -H "$ANA")" 201
NOTE_ID=$(json '["id"]')
req GET "/api/v1/cases/$C1/notes" -H "$ANA" >/dev/null
is "  and reads back" "$(json '["notes"][0]["body"]')" "$NOTE"
is "  with its author" "$(json '["notes"][0]["author"]')" ana
is "an empty note is 422" "$(api "/api/v1/cases/$C1/notes" '{"body": "  "}' -H "$ANA")" 422
is "an unknown member is 422" "$(api "/api/v1/cases/$C1/notes" '{"text": "x"}' -H "$ANA")" 422
is "a note on a case that does not exist is 404" "$(api /api/v1/cases/ffffffffffffffff/notes '{"body": "x"}' -H "$ANA")" 404
is "a volunteer may not read notes (403)" "$(req GET "/api/v1/cases/$C1/notes" -H "$VAL")" 403
is "notes need a token (401)" "$(req GET "/api/v1/cases/$C1/notes")" 401
check "the note is sealed in the database" sh -c "! sqlite3 '$DATA/vigil.db' \"select count(*) from notes where instr(body, 'sister') > 0\" | grep -q '^[1-9]'"

# Tasks.
PAST=$(($(date +%s) - 3600))
is "a task with a past due time is 201" "$(api "/api/v1/cases/$C1/tasks" "{\"title\": \"Find a shelter bed\", \"due_at\": $PAST, \"owner_user\": \"ana\"}" -H "$ANA")" 201
TASK=$(json '["id"]')
req GET "/api/v1/cases/$C1/tasks" -H "$ANA" >/dev/null
is "  and is listed first, overdue" "$(json '["tasks"][0]["id"]') $(json '["tasks"][0]["overdue"]')" "$TASK True"
is "  owned by ana" "$(json '["tasks"][0]["owner_user"]')" ana
is "a task for an unknown owner is 422" "$(api "/api/v1/cases/$C1/tasks" '{"title": "x", "owner_user": "zed"}' -H "$ANA")" 422
is "a due time that is not a number is 422" "$(api "/api/v1/cases/$C1/tasks" '{"title": "x", "due_at": "soon"}' -H "$ANA")" 422
is "marking it done is 200" "$(api "/api/v1/cases/$C1/task-done" "{\"task\": \"$TASK\", \"done\": true}" -H "$ANA")" 200
req GET "/api/v1/cases/$C1/tasks" -H "$ANA" >/dev/null
is "  and it is no longer overdue" "$(python3 -c 'import json,sys; t=[t for t in json.load(open(sys.argv[1]))["tasks"] if t["id"]==sys.argv[2]][0]; print(t["done"], t["overdue"])' "$WORK/body" "$TASK")" "True False"
is "reopening it is 200" "$(api "/api/v1/cases/$C1/task-done" "{\"task\": \"$TASK\", \"done\": false}" -H "$ANA")" 200
is "a task of another case is 404" "$(api "/api/v1/cases/$C2/task-done" "{\"task\": \"$TASK\", \"done\": true}" -H "$ANA")" 404

# Assignment.
is "an advocate may not assign (403)" "$(api "/api/v1/cases/$C1/assignment" '{"user": "ana"}' -H "$ANA")" 403
is "a supervisor assigns the case to team north" "$(api "/api/v1/cases/$C1/assignment" '{"team": "north"}' -H "$SAM")" 200
is "  which reads back" "$(json '["team"]') $(json '["user"]')" "north None"
is "assigning to an unknown team is 422" "$(api "/api/v1/cases/$C1/assignment" '{"team": "south"}' -H "$SAM")" 422
is "the assignment is in the case's history" "$(db "select count(*) from case_events where case_id = '$C1' and kind = 'assigned'")" 1
req GET /api/v1/tasks -H "$BEN" >/dev/null
is "ben's tasks hold the crisis task of his team's case" "$(json '["tasks"][0]["kind"]') $(json '["tasks"][0]["case_id"]')" "crisis_response $C1"

is "the queue filter 'me or my teams' is 200 for ben" "$(req GET '/api/v1/cases?assignee=me&status=all' -H "$BEN")" 200
is "  and lists only his team's case" "$(python3 -c 'import json,sys; print(" ".join(c["id"] for c in json.load(open(sys.argv[1]))["cases"]))' "$WORK/body")" "$C1"
req GET '/api/v1/cases?assignee=me&status=all' -H "$ANA" >/dev/null
is "  and none for ana, who has no case and no team" "$(json '["cases"].__len__()')" 0
is "a team through the API (201)" "$(api /api/v1/teams '{"name": "south", "kind": "mdt"}' -H "$SAM")" 201
is "  and a member (200)" "$(api /api/v1/teams/members '{"team": "south", "user": "ana", "agency": "Probation"}' -H "$SAM")" 200
is "  twice is 409" "$(api /api/v1/teams/members '{"team": "south", "user": "ana"}' -H "$SAM")" 409
req GET /api/v1/teams -H "$SAM" >/dev/null
is "  listed with the agency" "$(python3 -c 'import json,sys; t=[t for t in json.load(open(sys.argv[1]))["teams"] if t["name"]=="south"][0]; print(t["kind"], t["members"][0]["name"], t["members"][0]["agency"])' "$WORK/body")" "mdt ana Probation"
is "  removed again (200)" "$(api /api/v1/teams/members '{"team": "south", "user": "ana", "action": "remove"}' -H "$SAM")" 200
is "an advocate may not create teams (403)" "$(api /api/v1/teams '{"name": "west"}' -H "$ANA")" 403

# The staff pages.
is "sam signs in" "$(staff_login sam "$PW")" 303
JAR="$WORK/jar.sam"
is "the case's work page is 200" "$(req GET "/staff/cases/$C1/work" -b "$JAR")" 200
check "  shows the automatic task" grep -q 'Respond within 24 hours' "$WORK/body"
check "  the note, escaped" grep -q 'friend&#39;s place. &lt;b&gt;bold&lt;/b&gt;' "$WORK/body"
check "  the overdue task in red with the word too" sh -c "grep -q 'class=\"task task-overdue\"' '$WORK/body' && grep -q '>Overdue<' '$WORK/body'"
check "  and the assignment" grep -q '<option value="north" selected>' "$WORK/body"
CSRF=$(page_csrf)
is "a note without the CSRF token is 403" "$(form "/staff/cases/$C1/notes" -b "$JAR" --data-urlencode 'note=x')" 403
is "a note through the form is saved (303)" "$(form "/staff/cases/$C1/notes" -b "$JAR" --data-urlencode 'note=Second note from the form' --data-urlencode "csrf=$CSRF")" 303
is "  back to the work page" "$(header Location)" "/staff/cases/$C1/work"
req GET "/staff/cases/$C1/work" -b "$JAR" >/dev/null
check "  where it shows" grep -q 'Second note from the form' "$WORK/body"
is "a task through the form (303)" "$(form "/staff/cases/$C3/tasks" -b "$JAR" --data-urlencode 'title=Check the farm' --data-urlencode 'due=2020-01-02T10:00' --data-urlencode 'owner_user=sam' --data-urlencode "csrf=$CSRF")" 303
is "a malformed due time is 422" "$(form "/staff/cases/$C3/tasks" -b "$JAR" --data-urlencode 'title=x' --data-urlencode 'due=tomorrow' --data-urlencode "csrf=$CSRF")" 422
is "assigning through the form (303)" "$(form "/staff/cases/$C3/assign" -b "$JAR" --data-urlencode 'user=sam' --data-urlencode 'team=' --data-urlencode "csrf=$CSRF")" 303
is "my tasks is 200" "$(req GET /staff/tasks -b "$JAR")" 200
check "  with the overdue farm task marked" sh -c "grep -q 'Check the farm' '$WORK/body' && grep -q 'task-overdue' '$WORK/body'"
check "  and a link to its case" grep -q "href=\"/staff/cases/$C3\"" "$WORK/body"
is "the case page is 200" "$(req GET "/staff/cases/$C1" -b "$JAR")" 200
check "  with the work section, its tasks and notes" sh -c "grep -q 'Assignment, tasks and notes' '$WORK/body' && grep -q 'Respond within 24 hours' '$WORK/body' && grep -q 'Second note from the form' '$WORK/body'"
is "a note from the case page (303)" "$(form "/staff/cases/$C1/notes" -b "$JAR" --data-urlencode 'note=Third' --data-urlencode 'back=case' --data-urlencode "csrf=$CSRF")" 303
is "  goes back to the case page" "$(header Location)" "/staff/cases/$C1"
req GET '/staff/cases?status=all' -b "$JAR" >/dev/null
check "the case queue marks the case with an overdue task, with text" grep -q 'badge-overdue">Overdue tasks: 1<' "$WORK/body"
is "a case that does not exist is 404" "$(req GET /staff/cases/ffffffffffffffff/work -b "$JAR")" 404
is "the teams page is 200 for a supervisor" "$(req GET /staff/teams -b "$JAR")" 200
check "  listing north and ben" sh -c "grep -q 'north' '$WORK/body' && grep -q 'ben (advocate)' '$WORK/body'"
is "a team through the form" "$(form /staff/teams -b "$JAR" --data-urlencode 'name=Alameda MDT' --data-urlencode 'kind=mdt' --data-urlencode "csrf=$CSRF")" 200
is "  and a member" "$(form /staff/teams/members -b "$JAR" --data-urlencode 'team=Alameda MDT' --data-urlencode 'user=ana' --data-urlencode 'agency=Probation' --data-urlencode 'action=add' --data-urlencode "csrf=$CSRF")" 200
check "  shown with the agency" grep -q 'ana (advocate) · Probation' "$WORK/body"
is "the same team again is 409" "$(form /staff/teams -b "$JAR" --data-urlencode 'name=north' --data-urlencode "csrf=$CSRF")" 409
is "ana signs in" "$(staff_login ana "$PW")" 303
is "an advocate may not manage teams (403)" "$(req GET /staff/teams -b "$WORK/jar.ana")" 403
is "  nor assign through the form (403)" "$(form "/staff/cases/$C1/assign" -b "$WORK/jar.ana" --data-urlencode 'user=ana' --data-urlencode "csrf=$(req GET /staff/tasks -b "$WORK/jar.ana" >/dev/null; page_csrf)")" 403
is "reads of the work are audited" "$(db "select count(*) > 0 from audit where action = 'view_case_work' and object = '$C1'")" 1

# Retention. The crisis case was closed 400 days ago; the routine one 10.
NARR=$(db "select hex(narrative) from tips where id = '$T1'")
BODY=$(db "select hex(body) from notes where id = '$NOTE_ID'")
db "update cases set status = 'closed', closed_at = strftime('%s', 'now') - 400 * 86400 where id = '$C1'"
db "update cases set status = 'closed_referred', closed_at = strftime('%s', 'now') - 10 * 86400 where id = '$C3'"
OUT=$("$VIGIL" --data "$DATA" purge)
is "vigil purge exits 0" "$?" 0
check "  and purges one case with its tip, notes and tasks" sh -c "printf '%s' '$OUT' | grep -q '^purged 1 cases: 1 tips, 0 messages, 0 referrals, 0 persons, 0 locations, 3 notes, 2 tasks'"
is "the case is gone" "$(db "select count(*) from cases where id = '$C1'")" 0
is "  its tip" "$(db "select count(*) from tips where id = '$T1'")" 0
is "  its notes and tasks" "$(db "select (select count(*) from notes where case_id = '$C1') + (select count(*) from tasks where case_id = '$C1')")" 0
is "the case closed 10 days ago stays" "$(db "select count(*) from cases where id = '$C3'")" 1
is "the purge is audited with counts, without content" "$(db "select detail from audit where action = 'case_purge' and object = '$C1'" | cut -d' ' -f1)" tips=1
check "the sealed narrative and note are gone from the database files" python3 - "$DATA" "$NARR" "$BODY" <<'PY'
import glob, sys
data = b"".join(open(f, "rb").read() for f in glob.glob(sys.argv[1] + "/vigil.db*"))
sys.exit(1 if any(bytes.fromhex(h) in data for h in sys.argv[2:]) else 0)
PY
check "the audit chain still holds" sh -c "'$VIGIL' --data '$DATA' audit verify >/dev/null"
is "purge --days 0 takes the recent one" "$("$VIGIL" --data "$DATA" purge --days 0 | cut -d: -f1)" "purged 1 cases"
"$VIGIL" --data "$DATA" purge --days -1 >/dev/null 2>&1
is "purge --days -1 is bad usage (2)" "$?" 2

# The server purges at start (and daily).
vigil_stop
db "update cases set status = 'closed', closed_at = strftime('%s', 'now') - 400 * 86400 where id = '$C2'"
vigil_start
i=0
# Generous: a sanitizer build on a busy machine starts slowly.
while [ "$(db "select count(*) from cases where id = '$C2'")" != 0 ] && [ $i -lt 1200 ]; do
	sleep 0.05
	i=$((i + 1))
done
is "the server purged the old closed case at start" "$(db "select count(*) from cases where id = '$C2'")" 0

done_testing
