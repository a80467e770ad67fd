# The two commands in the README. Both install what is missing first.
BUILD ?= build
DATA ?= var
LISTEN ?= 127.0.0.1:8080

.PHONY: all deps build run test test-asan clean

all: build

deps:
	@sh tools/deps.sh

$(BUILD)/build.ninja:
	meson setup $(BUILD)

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

run: build
	@test -f $(DATA)/vigil.db || ./$(BUILD)/vigil --data $(DATA) init
	./$(BUILD)/vigil --data $(DATA) serve --listen $(LISTEN)

test: build
	@sh tests/run $(BUILD)

# The whole suite again on an AddressSanitizer + UndefinedBehaviorSanitizer
# build (LeakSanitizer included); any report fails the run.
test-asan: deps
	test -f build-asan/build.ninja || meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false
	ninja -C build-asan
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		sh tests/run build-asan

clean:
	rm -rf $(BUILD) build-asan

# Fuzzing (SECURITY.md, "Fuzzing"): every libFuzzer target in fuzz/, built
# by clang with ASan and UBSan in $(FUZZ_BUILD), runs FUZZ_SECONDS with its
# seed corpus. Installs clang and libFuzzer first (tools/deps.sh fuzz).
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60

.PHONY: fuzz
fuzz:
	@FUZZ_BUILD=$(FUZZ_BUILD) sh tools/fuzz-smoke.sh $(FUZZ_SECONDS)
