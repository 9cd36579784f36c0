# GuildGate — see README.md.
#   make run     build (release) and run the whole stack on http://127.0.0.1:$(PORT)/onboarding
#   make test    the format check, then unit + end-to-end tests (swift test; the harness starts scripts/stack itself)
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

.PHONY: all deps build release run test bench clean format

all: build

deps:
	@scripts/install-deps

build: deps
	swift build

release: deps
	swift build -c release

run: release
	scripts/stack run --dir $(RUN_DIR) --bin .build/release --http-port $(PORT) --threads $(THREADS) $(ENV_FILE_ARG)

test: deps
	swift format lint --strict --recursive Sources Tests
	swift build --build-tests
	swift test

format:
	swift format format --in-place --recursive Sources Tests

bench: release
	scripts/bench

clean:
	scripts/stack down --dir $(RUN_DIR) --purge
	rm -rf $(RUN_DIR)
