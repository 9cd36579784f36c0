# GuildGate — see README.md.
#   make run     build (release) and run the whole stack on http://127.0.0.1:$(PORT)/onboarding
#   make test    the format check, then GuildGateUnitTests and GuildGateEndToEndTests (swift test; the tests start their stack themselves)
#   make format  reformat Sources and Tests as .swift-format says
#   make bench   wrk against nginx → guildgate-web (docs/BENCHMARKS.md)
#   make build   debug build;  make release   release build
#   make clean   stop the `make run` stack and delete var/ (not .build/)
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

# Swift lives in /opt/swift on the project's machines; use whatever is on PATH first.
ifeq ($(shell command -v swift 2>/dev/null),)
  export PATH := /opt/swift/usr/bin:$(PATH)
endif

PORT ?= 8080
THREADS ?= 16
RUN_DIR := var
ENV_FILE_ARG := $(if $(wildcard .env),--env-file .env)
# The local stack's tool (Sources/GuildGateDev), built with the binaries it starts.
DEV := .build/release/guildgate-dev

.PHONY: all deps build release run test bench clean format

all: build

deps:
	@scripts/install-deps

build: deps
	swift build

release: deps
	swift build -c release

run: release
	$(DEV) run --dir $(RUN_DIR) --http-port $(PORT) --threads $(THREADS) $(ENV_FILE_ARG)

test: deps
	swift format lint --strict --recursive Sources Tests
	swift build --build-tests
	swift test

format:
	swift format format --in-place --recursive Sources Tests

bench: release
	scripts/bench

# Stopping a stack takes guildgate-dev: built first when there is a stack to stop.
clean: $(if $(wildcard $(RUN_DIR)),release)
	if [[ -d $(RUN_DIR) ]]; then $(DEV) down --dir $(RUN_DIR) --purge; fi
	rm -rf $(RUN_DIR)
