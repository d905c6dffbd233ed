# Entry points.  `make test` and `make demo` work on a fresh machine: they
# install what the project needs (Debian packages only), configure, build,
# and run.  Everything else is CMake (build/) and ctest.
BUILD ?= build
# The build matrix beside BUILD (gcc, RelWithDebInfo), one directory each:
# gcc Release (-O3, as a distribution packages it), and clang-19 with
# ASan+UBSan, which also builds the libFuzzer targets (they need clang).
RELEASE_BUILD ?= $(BUILD)-release
FUZZ_BUILD ?= $(BUILD)-fuzz
CMAKE_FLAGS ?=
JOBS ?= $(shell nproc)

.PHONY: all deps configure build release-build fuzz-build fuzz-long test \
	unit matrix demo deb clean

all: build

deps:
	./scripts/install-deps.sh

configure: deps
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS)

build: configure
	cmake --build $(BUILD) -j $(JOBS)

release-build: deps
	cmake -S . -B $(RELEASE_BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS)
	cmake --build $(RELEASE_BUILD) -j $(JOBS)

fuzz-build: deps
	cmake -S . -B $(FUZZ_BUILD) -DHUP_FUZZ=ON -DHUP_SANITIZE=ON \
		-DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 \
		$(CMAKE_FLAGS)
	cmake --build $(FUZZ_BUILD) -j $(JOBS)

MATRIX_ARGS = --release $(RELEASE_BUILD) --sanitize $(FUZZ_BUILD)

# Every test of BUILD and the matrix's (fuzz targets for a short fixed
# time); ends with "N passed, N failed".
# The matrix's builds are made beside BUILD's tests, by run-tests.sh
# (--make), so the nested tests start after one build instead of three.
test: build
	./scripts/run-tests.sh --make "release-build fuzz-build" $(MATRIX_ARGS) $(BUILD)

# Only the matrix: the native tests of the Release and sanitizer builds,
# and the fuzz targets.
matrix: release-build fuzz-build
	./scripts/run-tests.sh $(MATRIX_ARGS)

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

# Debian packages of BUILD into $(BUILD)/deb (docs/packaging.md).
deb: build
	./scripts/make-deb.sh -b $(BUILD) -o $(BUILD)/deb

clean:
	rm -rf $(BUILD) $(RELEASE_BUILD) $(FUZZ_BUILD)
