# bench/lib.sh - shell functions the benchmark scripts share. Sourced (".")
# from the repository root after setting bench_name (the prefix of every
# message) and, for start_server, build (the build directory).

die() {
	echo "$bench_name: $*" >&2
	exit 1
}

as_root() {
	if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# Installs the Debian packages named that are not installed yet, as
# tools/deps.sh does: a benchmark must run on a fresh machine too.
need_pkgs() {
	missing=""
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
			missing="$missing $p"
	done
	if [ -n "$missing" ]; then
		echo "$bench_name: installing$missing"
		as_root apt-get update -qq
		as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
	fi
}

# start_server DIR [LINE...]: initialises a fresh data directory DIR,
# appends each LINE to its vigil.conf, and starts the server on an
# ephemeral loopback port; sets pid and url.
start_server() {
	dir=$1
	shift
	"$build/vigil" --data "$dir" init >"$dir.init.log" 2>&1 ||
		die "vigil init failed: $(cat "$dir.init.log")"
	printf '\n' >>"$dir/vigil.conf"
	for line in "$@"; do
		printf '%s\n' "$line" >>"$dir/vigil.conf"
	done
	# Created here, not by the background job's redirection, which may lag.
	: >"$dir.serve.out"
	"$build/vigil" --data "$dir" serve --listen 127.0.0.1:0 \
		>"$dir.serve.out" 2>"$dir.serve.err" &
	pid=$!
	# Whatever fails from here on, the server does not outlive the script.
	trap 'kill -TERM $pid 2>/dev/null' EXIT
	i=0
	url=""
	while [ -z "$url" ]; do
		url=$(sed -n 's/^listening on \(http:[^ ]*\)$/\1/p' "$dir.serve.out")
		[ -n "$url" ] && break
		kill -0 "$pid" 2>/dev/null ||
			die "the server exited: $(cat "$dir.serve.err")"
		i=$((i + 1))
		[ $i -le 100 ] || die "the server did not start listening in 10 s"
		sleep 0.1
	done
}

# Stops the server with SIGTERM and insists that it exits cleanly.
stop_server() {
	trap - EXIT
	kill -TERM "$pid"
	i=0
	while kill -0 "$pid" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 100 ]; then
			kill -KILL "$pid"
			die "the server did not stop within 10 s of SIGTERM"
		fi
		sleep 0.1
	done
	status=0
	wait "$pid" || status=$?
	[ $status -eq 0 ] || die "the server exited with status $status: $(tail -3 "$dir.serve.err")"
}
