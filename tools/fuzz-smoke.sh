#!/bin/sh
# Runs every libFuzzer target in fuzz/ for a bounded time, each with its
# seed corpus, after replaying the inputs in fuzz/regressions/<target>/
# that once crashed it. Exits non-zero on any crash, sanitizer report,
# leak, timeout or broken contract; the input that did it is kept under
# $FUZZ_BUILD/artifacts/<target>/ and the log in $FUZZ_BUILD/fuzz-<target>.log.
#
#   tools/fuzz-smoke.sh [SECONDS]
#
# SECONDS per target defaults to 6, so that CI's run of all fifteen stays
# near two minutes: the screen and jsonl targets first compile the real
# rules (20 s or more under ASan) and then run their seeds once, whatever
# SECONDS is. `make fuzz` passes FUZZ_SECONDS (60). It installs clang and
# libFuzzer (tools/deps.sh fuzz) and builds the targets with ASan and UBSan
# in $FUZZ_BUILD (build-fuzz), apart from the normal build. New inputs the
# fuzzer finds go to $FUZZ_BUILD/corpus/<target>/, never into the repo's
# seed corpus, so runs grow their own corpus and the repo stays small.
set -eu
cd "$(dirname "$0")/.."
secs=${1:-6}
build=${FUZZ_BUILD:-build-fuzz}

sh tools/deps.sh fuzz
if [ ! -f "$build/build.ninja" ]; then
	CC=clang meson setup "$build" -Dfuzz=true -Db_sanitize=address,undefined \
		-Db_lundef=false >/dev/null
fi
ninja -C "$build" fuzz >/dev/null

# Sanitizer findings end the run at once, with a stack.
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"

# -close_fd_mask=3: the parsers log every rejected input, which would bury
# the report; libFuzzer and the sanitizers keep a descriptor of their own.
opts="-close_fd_mask=3 -timeout=30 -rss_limit_mb=3072"
failed=""
for src in fuzz/fuzz_*.c; do
	t=$(basename "$src" .c)
	t=${t#fuzz_}
	exe=$build/fuzz/fuzz_$t
	work=$build/corpus/$t
	art=$build/artifacts/$t
	log=$build/fuzz-$t.log
	mkdir -p "$work" "$art"
	: >"$log"
	if [ -d "fuzz/regressions/$t" ]; then
		# Each file named on the command line is run once.
		if ! find "fuzz/regressions/$t" -type f -exec "$exe" $opts {} + >>"$log" 2>&1; then
			echo "fuzz: $t: a saved regression input fails again (log $log)"
			tail -n 40 "$log"
			failed="$failed $t"
			continue
		fi
	fi
	if "$exe" $opts -max_total_time="$secs" -print_final_stats=1 \
		-artifact_prefix="$art/" "$work" "fuzz/corpus/$t" >>"$log" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
		echo "fuzz: $t: ok, ${runs:-?} runs in ${secs}s"
	else
		echo "fuzz: $t: FAILED (log $log; the input is in $art/)"
		tail -n 60 "$log"
		failed="$failed $t"
	fi
done
if [ -n "$failed" ]; then
	echo "fuzz: failed:$failed"
	exit 1
fi
