# GuildGate — see README.md.
#   make run     build (release) and run the whole stack on http://127.0.0.1:$(PORT)/onboarding
#   make test    the format check, then GuildGateUnitTests and GuildGateEndToEndTests (swift test; the tests start their stack themselves)
#   make format  reformat Sources and Tests as .swift-format says
#   make bench   wrk against nginx → guildgate-web (docs/BENCHMARKS.md)
#   make chaos   the fault runs that take minutes (scripts/chaos; docs/RELIABILITY.md), before each release
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
# The release build is the one deployed (README: Deployment) and measured (make bench): the Swift runtime and
# Foundation linked in, so the server needs no toolchain and only the code a process runs is resident; linked by lld
# with packed relative relocations and no exported symbol table, which the loader would otherwise read and keep
# resident (guildgate-web idle: 34.4 → 26.7 MiB; docs/BENCHMARKS.md).
RELEASE_FLAGS := --static-swift-stdlib -Xswiftc -use-ld=lld -Xlinker -z -Xlinker pack-relative-relocs -Xlinker --no-export-dynamic
# Only the programs (the test support library needs the toolchain's Testing module, which has no static build).
RELEASE_PRODUCTS := guildgate-web guildgate-bot discord-sandbox guildgate-dev
# The local stack's tool (Sources/GuildGateDev), built with the binaries it starts.
DEV := .build/release/guildgate-dev

.PHONY: all deps build release run test bench chaos clean format

all: build

deps:
	@scripts/install-deps

build: deps
	swift build

release: deps
	for product in $(RELEASE_PRODUCTS); do swift build -c release $(RELEASE_FLAGS) --product $$product; done

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

chaos: build
	scripts/chaos/faults-postgres-restarts
	scripts/chaos/ha-bot-failover

# Stopping a stack takes guildgate-dev: built first when there is a stack to stop.
clean: $(if $(wildcard $(RUN_DIR)),release)
	if [[ -d $(RUN_DIR) ]]; then $(DEV) down --dir $(RUN_DIR) --purge; fi
	rm -rf $(RUN_DIR)
