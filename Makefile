# The README's two commands: `make demo` and `make test`. Both install missing Debian packages
# (scripts/setup-debian.sh), configure and build; nothing is downloaded at build time.
BUILD_DIR  ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS       ?= $(shell nproc)
# Tests mostly wait (whole scenario runs at a time scale, real brokers and sockets): they use about
# a fifth of the CPU, so twice as many run side by side as there are cores.
TEST_JOBS  ?= $(shell echo $$(( $$(nproc) * 2 )))
CMAKE_ARGS ?=

.PHONY: all setup setup-demo setup-bench configure configure-demo build build-demo demo demo-hub test test-unit bench asan fuzz clean

all: build

setup:
	@bash scripts/setup-debian.sh

# Without the packages only the tests need (a browser, third-party clients).
setup-demo:
	@bash scripts/setup-debian.sh demo

# With the baselines the benchmarks compare against (pymodbus, Lua).
setup-bench:
	@bash scripts/setup-debian.sh bench

configure: setup
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_ARGS) >/dev/null

configure-demo: setup-demo
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_ARGS) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j$(JOBS)

# Only what the demo runs: the flexhil binary and the mosquitto plugin (not the test suites).
build-demo: configure-demo
	@cmake --build $(BUILD_DIR) -j$(JOBS) --target flexhil flexhil_iothub flexhil_tls_shim

# The default scenario end to end: hub, PLC, an emulated Flexy running the reference X.509
# publisher, rules and reports (about a minute). The run prints where report.html is.
demo: build-demo
	@$(BUILD_DIR)/harness/flexhil run scenarios/demo.toml

# The impersonated hub alone, with accepted and refused devices.
demo-hub: configure-demo
	@cmake --build $(BUILD_DIR) -j$(JOBS) --target flexhil flexhil_iothub flexhil_tls_shim flexhil-demo-device
	@bash scripts/demo-hub.sh $(BUILD_DIR)

test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j$(TEST_JOBS)

test-unit: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j$(TEST_JOBS) -L unit

# Every benchmark with its defaults (minutes; prints ratios, asserts nothing). Not part of make test.
bench: setup-bench build
	@cmake --build $(BUILD_DIR) -j$(JOBS) --target bench_programs
	@bash bench/run-all.sh $(BUILD_DIR)

# Debug build with AddressSanitizer and UBSan, tests included.
asan:
	@$(MAKE) test BUILD_DIR=build-asan BUILD_TYPE=Debug CMAKE_ARGS=-DFLEXHIL_SANITIZE=ON

# libFuzzer targets (fuzz/README.md), built by clang with ASan and UBSan in build-fuzz, each run
# for FUZZ_SECONDS on its corpus; stops at the first crash and prints the reproducer.
FUZZ_BUILD_DIR ?= build-fuzz
FUZZ_SECONDS   ?= 30
fuzz: setup
	@cmake -S . -B $(FUZZ_BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang \
	  -DCMAKE_CXX_COMPILER=clang++ -DFLEXHIL_FUZZ=ON $(CMAKE_ARGS) >/dev/null
	@cmake --build $(FUZZ_BUILD_DIR) -j$(JOBS) --target fuzz_targets
	@FUZZ_SECONDS=$(FUZZ_SECONDS) bash fuzz/run_fuzz.sh $(FUZZ_BUILD_DIR)

clean:
	rm -rf $(BUILD_DIR) build-asan $(FUZZ_BUILD_DIR)
