# The README's two commands: `make demo` and `make test`. Both install missing Debian packages
# (scripts/setup-debian.sh), configure and build; nothing is downloaded at build time.
BUILD_DIR  ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS       ?= $(shell nproc)
CMAKE_ARGS ?=

.PHONY: all setup configure build demo demo-hub test test-unit asan fuzz clean

all: build

setup:
	@bash scripts/setup-debian.sh

configure: setup
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_ARGS) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j$(JOBS)

# The default scenario end to end: hub, PLC, an emulated Flexy running the reference X.509
# publisher, rules and reports (about a minute). The run prints where report.html is.
demo: build
	@$(BUILD_DIR)/harness/flexhil run scenarios/demo.toml

# The impersonated hub alone, with accepted and refused devices.
demo-hub: build
	@bash scripts/demo-hub.sh $(BUILD_DIR)

test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j$(JOBS)

test-unit: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j$(JOBS) -L unit

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
