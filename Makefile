# Entry points.  `make test` and `make demo` work on a fresh machine: they
# install what the project needs (Debian packages only), configure, build,
# and run.  Everything else is CMake (build/) and ctest.
BUILD ?= build
CMAKE_FLAGS ?=
JOBS ?= $(shell nproc)

.PHONY: all deps configure build test unit demo clean

all: build

deps:
	./scripts/install-deps.sh

configure: deps
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS)

build: configure
	cmake --build $(BUILD) -j $(JOBS)

# Every test; ends with "N passed, N failed".
test: build
	./scripts/run-tests.sh $(BUILD)

# Only the fast native tests.
unit: build
	./scripts/run-tests.sh $(BUILD) -L unit

demo: build
	./scripts/demo.sh $(BUILD)

clean:
	rm -rf $(BUILD)
