# Everyday commands. The test command is ./scripts/test.sh (see
# scripts/README.md): it needs root, because it installs and starts real
# PostgreSQL, MariaDB and PgBouncer servers for the integration tests.

GO ?= go

.PHONY: test build fuzz bench lint

test:
	./scripts/test.sh

build:
	$(GO) build ./...
	CGO_ENABLED=0 $(GO) build -o bin/dbguard ./cmd/dbguard

# Every fuzz target, one at a time, FUZZTIME each (default 30s).
fuzz:
	./scripts/fuzz.sh

# Benchmarks that need servers skip here; run them against real ones with
#   ./scripts/test.sh --exec go test -run '^$$' -bench . ./...
bench:
	@if [ -x scripts/bench.sh ]; then ./scripts/bench.sh; \
	else $(GO) test -run '^$$' -bench . ./...; fi

lint:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then \
		echo "gofmt would change these files (run gofmt -w):"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
