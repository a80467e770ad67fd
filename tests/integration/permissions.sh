#!/bin/sh
# Roles and access end to end: every command of the binary has its row in
# docs/permissions.md; a restricted case's tip is "not found" for an
# advocate who guesses its id and the denial is audited; the second factor
# through `vigil user totp` and the API, with codes computed by liboath;
# setting it up again and removing it in the console.
# (tests/unit/test_access.c checks every route against every role.)
. "$SRCDIR/tests/integration/lib.sh"
vigil_init

DOC="$SRCDIR/docs/permissions.md"

# The commands `vigil --help` lists, and those the doc's table lists.
"$VIGIL" --help 2>&1 | sed -n 's/^  \([a-z][a-z]*\)  .*/\1/p' | sort >"$WORK/cmds"
sed -n '/^## Commands/,$p' "$DOC" | sed -n 's/^| \([a-z][a-z]*\) | .*/\1/p' | grep -vx command | sort >"$WORK/doc_cmds"
check "vigil --help lists commands" test -s "$WORK/cmds"
is "every command has a row in docs/permissions.md, and every row a command" \
	"$(diff "$WORK/cmds" "$WORK/doc_cmds" && echo same)" same

# code SECRET: the current TOTP code, from liboath.
code() {
	python3 - "$1" "${2:-0}" <<'PY'
import base64, ctypes, sys, time
oath = ctypes.CDLL("liboath.so.0")
oath.oath_init()
raw = base64.b32decode(sys.argv[1])
out = ctypes.create_string_buffer(8)
rc = oath.oath_totp_generate(raw, ctypes.c_size_t(len(raw)),
	ctypes.c_long(int(time.time()) + int(sys.argv[2])), 30, ctypes.c_long(0), 6, out)
assert rc == 0, rc
print(out.value.decode())
PY
}

add_user sup supervisor 'supervisor password 1'
add_user adv advocate 'advocate password 1'
add_user vol volunteer 'volunteer password 1'

"$VIGIL" --data "$DATA" user totp --name nobody >/dev/null 2>&1
is "vigil user totp for an unknown user exits 2" "$?" 2
"$VIGIL" --data "$DATA" user totp --name sup >"$WORK/totp" 2>&1
is "vigil user totp --name sup succeeds" "$?" 0
SECRET=$(sed -n 's/^secret //p' "$WORK/totp")
check "it prints a base32 secret" sh -c "echo '$SECRET' | grep -Eqx '[A-Z2-7]{32}'"
check "and the otpauth:// URI" grep -q "^uri otpauth://totp/vigil:sup?secret=$SECRET&issuer=vigil" "$WORK/totp"
check "the secret is not in the database in the clear" sh -c "! grep -rqa '$SECRET' '$DATA'"

vigil_start

session() {
	api /api/v1/sessions "$1" >/dev/null
	json '["token"]'
}

is "the supervisor's API sign-in without a code is 401" \
	"$(api /api/v1/sessions '{"name": "sup", "password": "supervisor password 1"}')" 401
is "  with code code_required" "$(json '["error"]["code"]')" code_required
is "a wrong code is 401" \
	"$(api /api/v1/sessions '{"name": "sup", "password": "supervisor password 1", "code": "12345x"}')" 401
C=$(code "$SECRET")
SUP=$(session "{\"name\": \"sup\", \"password\": \"supervisor password 1\", \"code\": \"$C\"}")
check "the current code from liboath signs in" test -n "$SUP"
is "the same code a second time is refused" \
	"$(api /api/v1/sessions "{\"name\": \"sup\", \"password\": \"supervisor password 1\", \"code\": \"$C\"}")" 401
ADV=$(session '{"name": "adv", "password": "advocate password 1"}')
VOL=$(session '{"name": "vol", "password": "volunteer password 1"}')
check "an advocate without a second factor signs in with the password" test -n "$ADV"

api /api/v1/tips '{"narrative": "A girl of 15 is kept in a motel off the highway and sold online. The number in the ad is 510-555-0142."}' >/dev/null
TIP=$(json '["id"]')
is "the advocate reads the tip" "$(req GET "/api/v1/tips/$TIP" -H "Authorization: Bearer $ADV")" 200
is "a volunteer may not read tips" "$(req GET "/api/v1/tips/$TIP" -H "Authorization: Bearer $VOL")" 403

CASE=$(sqlite3 "$DATA/vigil.db" "SELECT case_id FROM case_tips WHERE tip_id = '$TIP'")
check "the tip has a case" test -n "$CASE"
is "the advocate may not restrict it" "$(api "/api/v1/cases/$CASE/access" '{"action": "restrict"}' -H "Authorization: Bearer $ADV")" 403
is "the supervisor restricts it" "$(api "/api/v1/cases/$CASE/access" '{"action": "restrict"}' -H "Authorization: Bearer $SUP")" 200
is "  and it says so" "$(json '["restricted"]')" True

is "now the advocate gets 404 for the tip" "$(req GET "/api/v1/tips/$TIP" -H "Authorization: Bearer $ADV")" 404
cp "$WORK/body" "$WORK/hidden"
req GET /api/v1/tips/00000000deadbeef -H "Authorization: Bearer $ADV" >/dev/null
is "  the same answer as for a tip that does not exist" "$(cat "$WORK/hidden")" "$(body)"
req GET /api/v1/tips -H "Authorization: Bearer $ADV" >/dev/null
check "  and the tip list leaves it out" sh -c "! grep -q '$TIP' '$WORK/body'"
is "the supervisor still reads it" "$(req GET "/api/v1/tips/$TIP" -H "Authorization: Bearer $SUP")" 200
is "the denial is in the audit log" \
	"$(sqlite3 "$DATA/vigil.db" "SELECT count(*) FROM audit WHERE action = 'access.denied' AND object = '$TIP'")" 1

is "the supervisor names the advocate" "$(api "/api/v1/cases/$CASE/access" '{"action": "grant_user", "name": "adv"}' -H "Authorization: Bearer $SUP")" 200
is "and the advocate reads the tip again" "$(req GET "/api/v1/tips/$TIP" -H "Authorization: Bearer $ADV")" 200
GRANT=$(req GET "/api/v1/cases/$CASE/access" -H "Authorization: Bearer $SUP" >/dev/null; json '["grants"][0]["id"]')
is "the grant can be revoked" "$(api "/api/v1/cases/$CASE/access" "{\"action\": \"revoke\", \"grant\": $GRANT}" -H "Authorization: Bearer $SUP")" 200
is "and the tip is hidden again" "$(req GET "/api/v1/tips/$TIP" -H "Authorization: Bearer $ADV")" 404
# Search leaves the hidden tip and case out, silently.
is "the supervisor's search finds the tip" "$(req GET '/api/v1/search?q=510-555-0142' -H "Authorization: Bearer $SUP")" 200
check "  with its id" grep -q "$TIP" "$WORK/body"
DENIED=$(sqlite3 "$DATA/vigil.db" "SELECT count(*) FROM audit WHERE action = 'access.denied'")
is "the advocate's search answers" "$(req GET '/api/v1/search?q=510-555-0142' -H "Authorization: Bearer $ADV")" 200
check "  without the tip or its case" sh -c "! grep -q -e '$TIP' -e '$CASE' '$WORK/body'"
req GET /api/v1/cases -H "Authorization: Bearer $ADV" >/dev/null
check "the advocate's case list leaves the case out" sh -c "! grep -q '$CASE' '$WORK/body'"
is "  and listing is no denial in the audit log" \
	"$(sqlite3 "$DATA/vigil.db" "SELECT count(*) FROM audit WHERE action = 'access.denied'")" "$DENIED"
is "each change is audited" \
	"$(sqlite3 "$DATA/vigil.db" "SELECT group_concat(action) FROM audit WHERE object = '$CASE' AND action IN ('case.restrict', 'case.grant', 'case.revoke')")" \
	"case.restrict,case.grant,case.revoke"
check "the audit chain holds" sh -c "\"$VIGIL\" --data \"$DATA\" audit verify >/dev/null"

# The web sign-in asks for the code.
is "the supervisor's password sign-in" "$(staff_login sup 'supervisor password 1')" 303
req GET /staff -b "$WORK/jar.sup" >/dev/null
is "the console waits for the code" "$(header Location)" /staff/login/code
req GET /staff/login/code -b "$WORK/jar.sup" >/dev/null
CSRF=$(page_csrf)
is "the code page takes the next code" \
	"$(form /staff/login/code -b "$WORK/jar.sup" --data-urlencode "csrf=$CSRF" --data-urlencode "code=$(code "$SECRET" 30)")" 303
is "  and opens the console" "$(req GET /staff -b "$WORK/jar.sup")" 200

# Setting up again in the console keeps the key in force until the new one
# is confirmed: sign-in goes on asking for a code meanwhile.
cp "$WORK/jar.sup" "$WORK/jar.console"
req GET /staff/totp -b "$WORK/jar.console" >/dev/null
CSRF=$(page_csrf)
is "the supervisor sets up a new key" "$(form /staff/totp -b "$WORK/jar.console" --data-urlencode "csrf=$CSRF")" 200
NEW=$(sed -n 's/.*<code id="totp-secret">\([A-Z2-7]*\)<.*/\1/p' "$WORK/body")
check "  and is shown it" sh -c "echo '$NEW' | grep -Eqx '[A-Z2-7]{32}'"
check "  a new one" test "$NEW" != "$SECRET"
is "a new sign-in with the password" "$(staff_login sup 'supervisor password 1')" 303
req GET /staff -b "$WORK/jar.sup" >/dev/null
is "  still waits for a code while the new key is unconfirmed" "$(header Location)" /staff/login/code
is "the API still wants a code too" \
	"$(api /api/v1/sessions '{"name": "sup", "password": "supervisor password 1"}')" 401
is "  code_required" "$(json '["error"]["code"]')" code_required
is "a code from the new key confirms it" "$(form /staff/totp/confirm -b "$WORK/jar.console" \
	--data-urlencode "csrf=$CSRF" --data-urlencode "code=$(code "$NEW")")" 200

# Removing one's own second factor takes a current code and the CSRF token.
is "removing it without CSRF is 403" "$(form /staff/totp/remove -b "$WORK/jar.console" \
	--data-urlencode "code=$(code "$NEW" 30)")" 403
is "removing it with a wrong code is 422" "$(form /staff/totp/remove -b "$WORK/jar.console" \
	--data-urlencode "csrf=$CSRF" --data-urlencode code=12345x)" 422
is "  and it stays" "$(sqlite3 "$DATA/vigil.db" "SELECT count(*) FROM user_totp WHERE secret IS NOT NULL")" 1
is "with the next code it is removed" "$(form /staff/totp/remove -b "$WORK/jar.console" \
	--data-urlencode "csrf=$CSRF" --data-urlencode "code=$(code "$NEW" 30)")" 200
is "  as the database shows" "$(sqlite3 "$DATA/vigil.db" "SELECT count(*) FROM user_totp")" 0
is "  and the audit log" \
	"$(sqlite3 "$DATA/vigil.db" "SELECT group_concat(action) FROM (SELECT action FROM audit WHERE action LIKE 'totp.%' AND detail IS NOT 'cli' ORDER BY id)")" \
	"totp.enrol,totp.confirm,totp.remove_failed,totp.remove"
is "the password alone signs in again" "$(staff_login sup 'supervisor password 1')" 303
is "  to the console" "$(req GET /staff -b "$WORK/jar.sup")" 200
check "the audit chain still holds" sh -c "\"$VIGIL\" --data \"$DATA\" audit verify >/dev/null"

done_testing
