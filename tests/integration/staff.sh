#!/bin/sh
# The staff console: sign-in with the one-time password, sessions, CSRF,
# the queue, a tip, status changes, replies the reporter reads, the audit.
. "$SRCDIR/tests/integration/lib.sh"
# An hour, not the default half hour, so that the idle check below shows
# the setting is read. The check moves a session's last_seen back in the
# database instead of sleeping, so no step races the clock on a busy machine.
vigil_init '[server]' 'idle_timeout = 3600'
vigil_start

XSS='<script>alert(1)</script>"'"'"'><img src=x onerror=alert(2)>'
form /report --data-urlencode "narrative=First tip. $XSS" --data-urlencode "city=$XSS" \
	--data-urlencode danger_now=yes >/dev/null
RECEIPT=$(grep -Eo '[0-9]{5} [0-9]{5} [0-9]{5} [0-9]{5} [0-9]{5}' "$WORK/body" | head -n 1)
form /report --data-urlencode 'narrative=Second tip.' >/dev/null

is "the queue without a session redirects to sign-in" "$(req GET /staff)" 303
is "  to /staff/login" "$(header Location)" /staff/login
req GET /staff/login -c "$WORK/jar" >/dev/null
check "the sign-in page sets a nonce cookie" sh -c "grep -qi '^set-cookie: vigil_login=.*HttpOnly; SameSite=Strict' '$WORK/headers'"
CSRF=$(page_csrf)
check "the sign-in form carries a CSRF token" test -n "$CSRF"
is "signing in without the CSRF token is 403" \
	"$(form /staff/login -b "$WORK/jar" --data-urlencode name=admin --data-urlencode "password=$ADMIN_PW")" 403
is "signing in with another token is 403" \
	"$(form /staff/login -b "$WORK/jar" --data-urlencode name=admin --data-urlencode "password=$ADMIN_PW" --data-urlencode csrf=AAAA)" 403
is "a wrong password is 401" \
	"$(form /staff/login -b "$WORK/jar" --data-urlencode name=admin --data-urlencode password=wrong-wrong-wrong --data-urlencode "csrf=$CSRF")" 401
check "  and says so" grep -qi 'wrong name or password' "$WORK/body"

is "the one-time password signs in" "$(staff_login admin "$ADMIN_PW")" 303
is "  and must be changed first" "$(header Location)" /staff/password
check "the session cookie is HttpOnly and SameSite=Strict" \
	sh -c "grep -i '^set-cookie: vigil_session=' '$WORK/headers' | grep -q 'HttpOnly; SameSite=Strict'"
check "  without Secure when not behind TLS" sh -c "! grep -i '^set-cookie: vigil_session=' '$WORK/headers' | grep -q Secure"
JAR="$WORK/jar.admin"
is "the queue waits for the new password" "$(req GET /staff -b "$JAR")" 303
req GET /staff/password -b "$JAR" >/dev/null
CSRF=$(page_csrf)
is "mismatched new passwords are refused" "$(form /staff/password -b "$JAR" --data-urlencode "current=$ADMIN_PW" \
	--data-urlencode password=new-admin-password-1 --data-urlencode confirm=other-password-123 --data-urlencode "csrf=$CSRF")" 422
is "a password change without CSRF is 403" "$(form /staff/password -b "$JAR" --data-urlencode "current=$ADMIN_PW" \
	--data-urlencode password=new-admin-password-1 --data-urlencode confirm=new-admin-password-1)" 403
is "the password is changed" "$(form /staff/password -b "$JAR" --data-urlencode "current=$ADMIN_PW" \
	--data-urlencode password=new-admin-password-1 --data-urlencode confirm=new-admin-password-1 --data-urlencode "csrf=$CSRF")" 303
is "the one-time password no longer works" "$(staff_login admin "$ADMIN_PW")" 401
is "the new one does" "$(staff_login admin new-admin-password-1)" 303
is "  straight to the queue" "$(header Location)" /staff

is "the queue is 200" "$(req GET /staff -b "$JAR")" 200
check "  lists both tips" sh -c "[ \$(grep -o 'href=\"/staff/tips/[0-9a-f]*\"' '$WORK/body' | sort -u | wc -l) -eq 2 ]"
check "  newest first" sh -c "grep -n 'Second tip' '$WORK/body' | cut -d: -f1 > '$WORK/a'; grep -n 'First tip' '$WORK/body' | cut -d: -f1 > '$WORK/b'; [ \$(cat '$WORK/a') -lt \$(cat '$WORK/b') ]"
check "  with the XSS payload inert" sh -c "! grep -q '<script>alert' '$WORK/body' && ! grep -q '<img src=x' '$WORK/body'"
TIP=$(grep -o 'href="/staff/tips/[0-9a-f]*"' "$WORK/body" | tail -n 1 | sed 's/.*tips\/\([0-9a-f]*\)"/\1/')
req GET '/staff?status=closed' -b "$JAR" >/dev/null
check "filtering by closed lists none" sh -c "! grep -q 'href=\"/staff/tips/' '$WORK/body'"
is "an unknown status filter is 400" "$(req GET '/staff?status=bogus' -b "$JAR")" 400

is "the tip page is 200" "$(req GET "/staff/tips/$TIP" -b "$JAR")" 200
check "  shows the narrative" grep -q 'First tip.' "$WORK/body"
check "  with the payload escaped" grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' "$WORK/body"
check "  and nothing of it live" sh -c "! grep -q '<script>alert' '$WORK/body' && ! grep -q '<img src=x' '$WORK/body' && ! grep -q 'onerror=alert(2)>' '$WORK/body'"
CSRF=$(page_csrf)
is "an unknown tip is 404" "$(req GET /staff/tips/ffffffffffffffff -b "$JAR")" 404

is "a status change without CSRF is 403" "$(form "/staff/tips/$TIP/status" -b "$JAR" --data status=in_review)" 403
is "a status change with a wrong CSRF is 403" "$(form "/staff/tips/$TIP/status" -b "$JAR" --data status=in_review --data csrf=x)" 403
is "the status changes to in review" "$(form "/staff/tips/$TIP/status" -b "$JAR" --data status=in_review --data-urlencode "csrf=$CSRF")" 200
is "  as the database shows" "$(sqlite3 "$DATA/vigil.db" "select status from tips where id='$TIP'")" in_review
is "an unknown status is 422" "$(form "/staff/tips/$TIP/status" -b "$JAR" --data status=done --data-urlencode "csrf=$CSRF")" 422
is "a reply is sent" "$(form "/staff/tips/$TIP/reply" -b "$JAR" --data-urlencode 'message=Is she there tonight?' --data-urlencode "csrf=$CSRF")" 200
check "  and shown on the tip" grep -q 'Is she there tonight?' "$WORK/body"
form /check --data-urlencode "receipt=$RECEIPT" >/dev/null
check "the reporter reads the reply" grep -q 'Is she there tonight?' "$WORK/body"
check "  and the new status" grep -q 'Being reviewed' "$WORK/body"
form /check/add --data-urlencode "receipt=$RECEIPT" --data-urlencode 'message=Yes, room 12.' >/dev/null
req GET "/staff/tips/$TIP" -b "$JAR" >/dev/null
check "staff read the reporter's answer" grep -q 'Yes, room 12.' "$WORK/body"

# Roles: a volunteer has no access to tips; an analyst reads but cannot change.
add_user vera volunteer 'vera-password-1234'
add_user alan analyst 'alan-password-1234'
staff_login vera vera-password-1234 >/dev/null
is "a volunteer cannot open the queue" "$(req GET /staff -b "$WORK/jar.vera")" 403
is "  nor a tip" "$(req GET "/staff/tips/$TIP" -b "$WORK/jar.vera")" 403
staff_login alan alan-password-1234 >/dev/null
is "an analyst can read a tip" "$(req GET "/staff/tips/$TIP" -b "$WORK/jar.alan")" 200
ACSRF=$(page_csrf)
is "  but not change its status" "$(form "/staff/tips/$TIP/status" -b "$WORK/jar.alan" --data status=closed --data-urlencode "csrf=$ACSRF")" 403

# Logout, and the idle timeout.
req GET /staff -b "$JAR" >/dev/null
CSRF=$(page_csrf)
is "logout without CSRF is 403" "$(form /staff/logout -b "$JAR")" 403
is "logout is a redirect" "$(form /staff/logout -b "$JAR" --data-urlencode "csrf=$CSRF")" 303
is "the old session no longer opens the queue" "$(req GET /staff -b "$JAR")" 303
# idle BACK: moves the last activity of alan's sessions BACK seconds into the past.
idle() { sqlite3 "$DATA/vigil.db" "UPDATE sessions SET last_seen = last_seen - $1 WHERE user_id = (SELECT id FROM users WHERE name = 'alan')"; }
staff_login alan alan-password-1234 >/dev/null
idle 3000
is "a session idle for longer than the default but within idle_timeout stays" "$(req GET /staff -b "$WORK/jar.alan")" 200
idle 3700
alan_sessions() { sqlite3 "$DATA/vigil.db" "SELECT count(*) FROM sessions WHERE user_id = (SELECT id FROM users WHERE name = 'alan')"; }
BEFORE=$(alan_sessions)
is "an idle session expires" "$(req GET /staff -b "$WORK/jar.alan")" 303
is "  to the sign-in page saying so" "$(header Location)" "/staff/login?expired=1"
is "  and is gone from the database" "$(alan_sessions)" $((BEFORE - 1))

count() { sqlite3 "$DATA/vigil.db" "select count(*) from audit where action='$1'"; }
check "sign-ins are audited" test "$(count login)" -ge 4
check "failed sign-ins are audited" test "$(count login_failed)" -ge 2
check "views are audited" test "$(count view_tip)" -ge 3
is "the status change is audited with its tip" "$(sqlite3 "$DATA/vigil.db" "select object||' '||detail from audit where action='set_status'")" "$TIP in_review"
is "the reply is audited" "$(count reply)" 1
is "the logout is audited" "$(count logout)" 1

done_testing
