# Shared by the integration tests: TAP output, a throwaway data directory,
# and a vigil server on an ephemeral loopback port. Source it, then call
# vigil_init and vigil_start.
set -u

: "${VIGIL:?VIGIL must point at the vigil binary}"
: "${SRCDIR:?SRCDIR must point at the source tree}"

TAP_N=0
TAP_FAILED=0
WORK=$(mktemp -d "${TMPDIR:-/tmp}/vigil-it.XXXXXX")
DATA="$WORK/data"
SERVER_PID=""
BASE=""

cleanup() {
	vigil_stop
	rm -rf "$WORK"
}
trap cleanup EXIT

ok() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $*"; }
not_ok() { TAP_N=$((TAP_N + 1)); TAP_FAILED=$((TAP_FAILED + 1)); echo "not ok $TAP_N - $*"; }
diag() { printf '%s\n' "$@" | sed 's/^/# /'; }

# check DESCRIPTION COMMAND...: one TAP line for whether the command succeeds.
check() {
	desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# is DESCRIPTION GOT WANT
is() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1"; diag "got:  $2" "want: $3"; fi
}

done_testing() {
	echo "1..$TAP_N"
	[ "$TAP_FAILED" -eq 0 ]
}

# vigil_init [CONFIG-LINES]: a fresh data directory; ADMIN_PW holds the
# one-time password. Extra configuration is appended to vigil.conf.
vigil_init() {
	out=$("$VIGIL" --data "$DATA" init) || { echo "Bail out! vigil init failed"; exit 1; }
	ADMIN_PW=$(printf '%s\n' "$out" | sed -n 's/.*one-time password: \([A-Za-z0-9]*\).*/\1/p')
	[ -n "$ADMIN_PW" ] || { echo "Bail out! no admin password in: $out"; exit 1; }
	if [ $# -gt 0 ]; then printf '%s\n' "$@" >>"$DATA/vigil.conf"; fi
}

vigil_start() {
	# Remove the last run's output first: the new server's shell truncates it
	# only once it is scheduled, and the old port must not be read meanwhile.
	rm -f "$WORK/server.out"
	"$VIGIL" --data "$DATA" serve --listen 127.0.0.1:0 >"$WORK/server.out" 2>"$WORK/server.err" &
	SERVER_PID=$!
	i=0
	while ! grep -q '^listening on ' "$WORK/server.out" 2>/dev/null; do
		i=$((i + 1))
		# Generous: a slow, busy machine or a sanitizer build starts slowly.
		if [ $i -gt 2400 ] || ! kill -0 "$SERVER_PID" 2>/dev/null; then
			echo "Bail out! server did not start"; cat "$WORK/server.err" >&2; exit 1
		fi
		sleep 0.05
	done
	BASE=$(sed -n 's/^listening on //p' "$WORK/server.out" | head -n 1)
}

# vigil_stop [SIGNAL]: stops the server (TERM by default) and waits; the
# server's exit status is left in SERVER_STATUS.
vigil_stop() {
	SERVER_STATUS=""
	[ -n "$SERVER_PID" ] || return 0
	kill "-${1:-TERM}" "$SERVER_PID" 2>/dev/null
	wait "$SERVER_PID" 2>/dev/null
	SERVER_STATUS=$?
	SERVER_PID=""
}

# req METHOD PATH [curl args...]: the body goes to $WORK/body, the headers
# to $WORK/headers; prints the status code.
req() {
	method=$1
	path=$2
	shift 2
	curl -s -o "$WORK/body" -D "$WORK/headers" -w '%{http_code}' -X "$method" \
		--max-time 30 "$@" "$BASE$path"
}

body() { cat "$WORK/body"; }
header() { grep -i "^$1:" "$WORK/headers" | head -n 1 | cut -d' ' -f2- | tr -d '\r'; }
json() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval("d"+sys.argv[2]))' "$WORK/body" "$1"; }

# A form post as a browser on this site sends it.
form() {
	path=$1
	shift
	req POST "$path" -H 'Content-Type: application/x-www-form-urlencoded' "$@"
}

api() {
	path=$1
	body=$2
	shift 2
	req POST "$path" -H 'Content-Type: application/json' --data-binary "$body" "$@"
}

# add_user NAME ROLE PASSWORD
add_user() {
	printf '%s\n' "$3" | "$VIGIL" --data "$DATA" user add --name "$1" --role "$2" >/dev/null
}

# staff_login NAME PASSWORD: signs in through the form with a cookie jar in
# $WORK/jar.NAME; prints the final status.
staff_login() {
	jar="$WORK/jar.$1"
	rm -f "$jar"
	req GET /staff/login -c "$jar" >/dev/null
	csrf=$(sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$WORK/body" | head -n 1)
	form /staff/login -b "$jar" -c "$jar" --data-urlencode "name=$1" \
		--data-urlencode "password=$2" --data-urlencode "csrf=$csrf"
}

# The csrf token in the last page fetched.
page_csrf() { sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$WORK/body" | head -n 1; }
