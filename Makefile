# The two commands in the README. Both install what is missing first.
BUILD ?= build
DATA ?= var
LISTEN ?= 127.0.0.1:8080

.PHONY: all deps build run test clean

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

clean:
	rm -rf $(BUILD)
