# rvs: top-level Makefile. `make check` runs every test; `make run` the demo. See README.md.
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

# Run any command in a guest with rvs loaded: make guest CMD='rvsadm -Ln'
guest: module rvsadm
	@$(TOP)/tools/guest.sh $(CMD)

clean:
	@$(ENV); kdir=$$($(TOP)/tools/kernel.sh $(FLAVOUR) 2>/dev/null) && \
	  $(MAKE) -s -C $$kdir M=$(TOP) $(KMAKE_FLAGS) clean || true
	rm -rf $(CARGO_TARGET_DIR)

endif
