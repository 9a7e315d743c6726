# rvs: top-level Makefile. `make check` runs every test; `make run` the demo; `make bench` the
# benchmark. See README.md.
#
# When invoked by Kbuild (KERNELRELEASE set) the Kbuild file describes the module instead.
ifneq ($(KERNELRELEASE),)
include $(src)/Kbuild
else

SHELL := /bin/bash
TOP := $(CURDIR)
FLAVOUR ?= debug
KMAKE_FLAGS = LLVM=-19 RUSTC=/usr/bin/rustc BINDGEN=$$RVS_BINDGEN
ENV := . $(TOP)/tools/env.sh
CARGO_TARGET_DIR ?= $(TOP)/target
export CARGO_TARGET_DIR

.PHONY: all setup kernel module rvsadm host-test selftests check run guest bench clean

all: module rvsadm

# Install Debian packages, bindgen and virtme-ng (idempotent; needs root for apt-get).
setup:
	@$(TOP)/tools/setup.sh

# Build (or reuse from the cache) the kernel the guest boots.
kernel: setup
	@$(TOP)/tools/kernel.sh $(FLAVOUR) >/dev/null

module: kernel
	@$(ENV); kdir=$$($(TOP)/tools/kernel.sh $(FLAVOUR)) && \
	  $(MAKE) -s -C $$kdir M=$(TOP) $(KMAKE_FLAGS) modules
	@echo "module: $(TOP)/rvs.ko"

rvsadm:
	@cd $(TOP)/tools/rvsadm && cargo build -q --release
	@echo "rvsadm: $(CARGO_TARGET_DIR)/release/rvsadm"

host-test:
	@cd $(TOP)/rust/rvs_core && cargo test -q
	@cd $(TOP)/tools/rvsadm && cargo test -q

# Selftests only (builds what they need). T=name runs one selftest.
selftests: module rvsadm
	@$(TOP)/selftests/run.sh $(T)

check: setup
	@$(TOP)/tools/check.sh

run: module rvsadm
	@$(TOP)/tools/guest.sh $(TOP)/tools/demo.sh

# The benchmark (tools/bench.sh: plain forwarding, rvs and ip_vs; see README.md), on the
# non-debug kernel unless FLAVOUR is given (make bench FLAVOUR=debug). Its rvs.ko is built for
# that kernel from a copy of the module's sources in $(BENCH_DIR), so ./rvs.ko (the debug
# kernel's, for the selftests) stays as it is. BENCH_ARGS go to tools/bench.sh (-r ROUNDS
# -t SECONDS -p PARALLEL).
BENCH_FLAVOUR = $(if $(filter command line environment,$(origin FLAVOUR)),$(FLAVOUR),base)
BENCH_DIR = $(CARGO_TARGET_DIR)/module-$(BENCH_FLAVOUR)
# (The kernel's directory goes through a file: `make -n bench` runs the $(MAKE) line, and must
# not build a kernel from it.)
bench: setup rvsadm
	@mkdir -p $(BENCH_DIR) && $(TOP)/tools/kernel.sh $(BENCH_FLAVOUR) >$(BENCH_DIR)/.kdir
	@rsync -a --delete --exclude-from=$(TOP)/.gitignore $(TOP)/Kbuild $(TOP)/rust $(TOP)/include $(BENCH_DIR)/
	@$(ENV); kdir=$$(cat $(BENCH_DIR)/.kdir) && $(MAKE) -s -C $$kdir M=$(BENCH_DIR) $(KMAKE_FLAGS) modules
	@RVS_FLAVOUR=$(BENCH_FLAVOUR) RVS_KO=$(BENCH_DIR)/rvs.ko $(TOP)/tools/guest.sh $(TOP)/tools/bench.sh $(BENCH_ARGS)

# Run any command in a guest with rvs loaded: make guest CMD='rvsadm -Ln'
guest: module rvsadm
	@$(TOP)/tools/guest.sh $(CMD)

clean:
	@$(ENV); kdir=$$($(TOP)/tools/kernel.sh $(FLAVOUR) 2>/dev/null) && \
	  $(MAKE) -s -C $$kdir M=$(TOP) $(KMAKE_FLAGS) clean || true
	rm -rf $(CARGO_TARGET_DIR)

endif
