# Entry points.  `make test` and `make demo` work on a fresh machine: they
# install what the project needs (Debian packages only), configure, build,
# and run.  Everything else is CMake (build/) and ctest.
BUILD ?= build
# libFuzzer targets need clang: a second build directory.
FUZZ_BUILD ?= $(BUILD)-fuzz
CMAKE_FLAGS ?=
JOBS ?= $(shell nproc)

.PHONY: all deps configure build fuzz-build fuzz-long test unit demo clean

all: build

deps:
	./scripts/install-deps.sh

configure: deps
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS)

build: configure
	cmake --build $(BUILD) -j $(JOBS)

fuzz-build: deps
	cmake -S . -B $(FUZZ_BUILD) -DHUP_FUZZ=ON -DCMAKE_C_COMPILER=clang-19 \
		-DCMAKE_CXX_COMPILER=clang++-19
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target hup_fuzz

# Every test (fuzz targets for a short fixed time); ends with
# "N passed, N failed".
test: build fuzz-build
	./scripts/run-tests.sh $(BUILD) $(FUZZ_BUILD)

# Long libFuzzer runs on demand, each target in turn, with a kept corpus in
# $(FUZZ_BUILD)/fuzz-corpus (docs/fuzzing.md).  Limits per target:
# FUZZ_RUNS=N executions and/or FUZZ_SECONDS=N (default 600 s);
# FUZZ_TARGETS picks targets (default: all); `scripts/fuzz-long.sh --help`.
FUZZ_TARGETS ?=
fuzz-long: fuzz-build
	FUZZ_BUILD=$(FUZZ_BUILD) ./scripts/fuzz-long.sh $(FUZZ_TARGETS)

# Only the fast native tests.
unit: build
	./scripts/run-tests.sh $(BUILD) -L unit

demo: build
	./scripts/demo.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(FUZZ_BUILD)
