# lkvm: a lightweight KVM virtual machine monitor.
#
#   make                      build ./lkvm for this machine
#   make ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-
#                             cross-build ./lkvm-arm64 (dynamic, with libslirp)
#   make ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- STATIC=1
#                             cross-build a static ./lkvm-arm64-static (no libslirp)
#   make STATIC=1             a static ./lkvm-static for this machine (no libslirp)
#   make check                build and run every test (unit, local KVM, e2e)
#   make guest                build the default guest (Debian kernel + initramfs)
#   make demo                 boot the default guest to a self-check
#   make bench                start-up, boot, net and disk against peer VMMs (bench/run)

HOST_ARCH := $(shell uname -m | sed -e 's/aarch64/arm64/')
ARCH ?= $(HOST_ARCH)
CROSS_COMPILE ?=
STATIC ?= 0
SANITIZE ?= 0
V ?= 0
ifeq ($(V),1)
Q :=
else
Q := @
endif

CC := $(CROSS_COMPILE)gcc
PKG_CONFIG ?= pkg-config
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo 0.1)

# Arch-neutral code of the arm64 machine: built on every host, so that the unit
# tests (which run on the build machine) cover the device tree and the Image parser.
NEUTRAL_SRCS := $(wildcard fdt/*.c) arm64/image.c
ARCH_CFLAGS :=
ARCH_LDFLAGS :=
ARCH_LDLIBS :=

ifeq ($(ARCH),x86_64)
ARCH_DIR := x86
ARCH_SRCS := $(wildcard x86/*.c) $(wildcard acpi/*.c) \
	devices/uart8250.c devices/rtc_cmos.c
GUEST_ARCH := x86_64
else ifeq ($(ARCH),arm64)
ARCH_DIR := arm64
ARCH_SRCS := $(filter-out $(NEUTRAL_SRCS),$(wildcard arm64/*.c)) devices/pl011.c devices/pl031.c
GUEST_ARCH := arm64
ARCH_LDLIBS := -lfdt
ifneq ($(CROSS_COMPILE),)
# libfdt-dev is not multi-arch: scripts/arm64-sysroot unpacks the :arm64 one here.
# Linked in statically, so that a dynamic lkvm-arm64 does not need it at run time.
ARM64_SYSROOT ?= $(or $(LKVM_CACHE),$(HOME)/.cache/lkvm)/sysroot-arm64
ARCH_CFLAGS := -isystem $(ARM64_SYSROOT)/usr/include
ARCH_LDFLAGS := -L$(ARM64_SYSROOT)/usr/lib/aarch64-linux-gnu
ARCH_LDLIBS := -l:libfdt.a
endif
else
$(error ARCH=$(ARCH) is not supported; use x86_64 or arm64)
endif

# A cross build is lkvm-ARCH; STATIC=1 adds -static (its own objects, as the
# flags differ): all can exist side by side.
ifeq ($(ARCH),$(HOST_ARCH))
BIN_NAME := lkvm
else
BIN_NAME := lkvm-$(ARCH)
endif
ifeq ($(STATIC),1)
BIN := $(BIN_NAME)-static
BUILD := build/$(ARCH)-static
else
BIN := $(BIN_NAME)
BUILD := build/$(ARCH)
endif
CFLAGS ?= -O2 -g
LKVM_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -Wno-missing-field-initializers \
	-D_GNU_SOURCE -I$(ARCH_DIR) -MMD -MP \
	-DLKVM_VERSION='"$(VERSION)"' -DLKVM_ARCH='"$(GUEST_ARCH)"' \
	-DLKVM_GUEST_DIR='"$(CURDIR)/guest/out"' $(ARCH_CFLAGS)
# liburing ships a .pc file, libaio does not; both are multi-arch in Debian.
# json-c (the control protocol) is multi-arch too, with a static library.
JSON_LIBS := $(or $(shell $(PKG_CONFIG) --libs json-c 2>/dev/null),-ljson-c)
# libseccomp (the threads' allow-lists, core/seccomp.c): multi-arch too, with a
# static library; a cross build links the :ARCH one by name, like liburing.
ifeq ($(CROSS_COMPILE),)
SECCOMP_LIBS := $(or $(shell $(PKG_CONFIG) --libs libseccomp 2>/dev/null),-lseccomp)
else
SECCOMP_LIBS := -lseccomp
endif
DEP_LIBS := $(JSON_LIBS) $(SECCOMP_LIBS) -luring -laio
LKVM_LDFLAGS := $(ARCH_LDFLAGS)
ifeq ($(STATIC),1)
LKVM_LDFLAGS += -static
LDLIBS := $(ARCH_LDLIBS) $(DEP_LIBS) -lpthread
else
# Even the default build links these four from their static libraries, which
# Debian ships for every architecture: each shared library costs the dynamic
# loader time at every start (about 1.6 ms of lkvm's 11.7 ms from exec to
# exit, bench/startup.py) and some resident pages. libc stays shared.
LDLIBS := $(ARCH_LDLIBS) -Wl,-Bstatic $(DEP_LIBS) -Wl,-Bdynamic -lpthread
endif
ifeq ($(SANITIZE),1)
LKVM_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer
LKVM_LDFLAGS += -fsanitize=address,undefined
endif
# User-mode networking needs libslirp, which Debian ships only as a shared
# library: a static build goes without it (-n mode=user then says so). It
# is not linked: virtio/net_slirp.c loads it (and glib) with dlopen when a VM
# asks for it, so only its header is needed here. A cross build takes
# libslirp-dev:ARCH (multi-arch) without the build machine's pkg-config,
# whose paths are its own architecture's.
LKVM_SLIRP ?= $(if $(filter 1,$(STATIC)),0,1)
ifeq ($(LKVM_SLIRP),1)
LKVM_CFLAGS += -DLKVM_SLIRP
ifeq ($(CROSS_COMPILE),)
$(BUILD)/virtio/net_slirp.o: LKVM_CFLAGS += $(shell $(PKG_CONFIG) --cflags slirp)
else
$(BUILD)/virtio/net_slirp.o: LKVM_CFLAGS += -I/usr/include/slirp
endif
endif
ALL_CFLAGS = $(CFLAGS) $(LKVM_CFLAGS)
ALL_LDFLAGS = $(LDFLAGS) $(LKVM_LDFLAGS)

CORE_SRCS := $(wildcard core/*.c) $(wildcard virtio/*.c) $(wildcard pci/*.c)
ifneq ($(LKVM_SLIRP),1)
CORE_SRCS := $(filter-out virtio/net_slirp.c,$(CORE_SRCS))
endif
LIB_SRCS := $(CORE_SRCS) $(ARCH_SRCS) $(NEUTRAL_SRCS)
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o)
LIB := $(BUILD)/liblkvm.a

all: $(BIN)

$(BIN): $(BUILD)/vmm.o $(LIB)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS)

# vmm.c prints the version: rebuild it when `git describe` says another one.
VERSION_STAMP := $(BUILD)/version.stamp
$(shell mkdir -p $(BUILD) && [ "$$(cat $(VERSION_STAMP) 2>/dev/null)" = '$(VERSION)' ] || \
	echo '$(VERSION)' >$(VERSION_STAMP))
$(BUILD)/vmm.o: $(VERSION_STAMP)

$(LIB): $(LIB_OBJS)
	@rm -f $@
	$(Q)$(CROSS_COMPILE)ar rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

# Tests: each tests/{unit,local}/test_*.c is its own Check program.
CHECK_CFLAGS := $(shell $(PKG_CONFIG) --cflags check 2>/dev/null)
CHECK_LIBS := $(shell $(PKG_CONFIG) --libs check 2>/dev/null)
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
ifneq ($(ARCH),x86_64)
UNIT_SRCS := $(filter-out tests/unit/test_acpi.c tests/unit/test_x86_%.c,$(UNIT_SRCS))
endif
LOCAL_SRCS := $(wildcard tests/local/test_*.c)
TEST_BINS := $(UNIT_SRCS:%.c=$(BUILD)/%) $(LOCAL_SRCS:%.c=$(BUILD)/%) \
	$(BUILD)/tests/unit/fdt_dump
# The device tree tests link libfdt on every host; ./lkvm only on arm64.
TEST_LDLIBS := -lfdt
ifeq ($(ARCH),x86_64)
TEST_BINS += $(BUILD)/tests/unit/acpi_dump
endif

$(BUILD)/tests/%: tests/%.c $(LIB)
	@mkdir -p $(dir $@)
	@echo "  TEST    $@"
	$(Q)$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -I. $(ALL_LDFLAGS) -o $@ $< $(LIB) $(CHECK_LIBS) $(TEST_LDLIBS) $(LDLIBS)

tests: $(TEST_BINS)

# --- hostile tests and fuzzing (tests/hostile/, tests/fuzz/) ---------------
# Hostile: each tests/hostile/test_*.c is a Check program linked with the
# rig they share (a VM whose x86 guest runs scripts of MMIO and port I/O).
ifeq ($(ARCH),x86_64)
HOSTILE_SRCS := $(wildcard tests/hostile/test_*.c)
endif
HOSTILE_RIG := $(filter-out tests/hostile/test_%.c,$(wildcard tests/hostile/*.c))
HOSTILE_BINS := $(HOSTILE_SRCS:%.c=$(BUILD)/%)

$(BUILD)/tests/hostile/%: tests/hostile/%.c $(HOSTILE_RIG) tests/hostile/rig.h $(LIB)
	@mkdir -p $(dir $@)
	@echo "  TEST    $@"
	$(Q)$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -I. $(ALL_LDFLAGS) -o $@ $< $(HOSTILE_RIG) \
		$(LIB) $(CHECK_LIBS) $(TEST_LDLIBS) $(LDLIBS)

tests: $(HOSTILE_BINS)

# Fuzzing: each tests/fuzz/fuzz_*.c is a libFuzzer target, built by clang with
# ASan and UBSan into build/fuzz/ from lkvm's sources compiled again there (the
# gcc build is left alone). `make fuzz` runs tests/fuzz/run: build, then each
# target for FUZZ_SECONDS (default 30) on its corpus.
FUZZ_CC ?= clang
FUZZ_DIR := build/fuzz
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer
FUZZ_CFLAGS := -O1 -g $(FUZZ_SAN) $(filter-out -Werror,$(LKVM_CFLAGS)) -I.
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
ifneq ($(ARCH),x86_64)
FUZZ_SRCS := $(filter-out tests/fuzz/fuzz_acpi.c tests/fuzz/fuzz_bzimage.c,$(FUZZ_SRCS))
endif
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=$(FUZZ_DIR)/%)
FUZZ_OBJS := $(LIB_SRCS:%.c=$(FUZZ_DIR)/obj/%.o)

$(FUZZ_DIR)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $<"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_DIR)/obj/virtio/net_slirp.o: FUZZ_CFLAGS += $(shell $(PKG_CONFIG) --cflags slirp 2>/dev/null)

$(FUZZ_DIR)/liblkvm.a: $(FUZZ_OBJS)
	@rm -f $@
	$(Q)ar rcs $@ $^

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FUZZ_DIR)/liblkvm.a
	@echo "  FUZZLD  $@"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_DIR)/liblkvm.a \
		-lfdt $(LDLIBS)

fuzz-build: $(FUZZ_BINS)

fuzz:
	tests/fuzz/run

.PHONY: fuzz fuzz-build
-include $(shell find $(FUZZ_DIR) -name '*.d' 2>/dev/null)
# --- end of hostile tests and fuzzing ----------------------------------------

check: $(BIN) tests
	tests/run --build $(BUILD)

check-fast: $(BIN) tests
	tests/run --build $(BUILD) --no-e2e

guest:
	guest/build.sh $(GUEST_ARCH)

demo: $(BIN) guest
	scripts/demo

# Benchmarks against the KVM floor and peer VMMs (bench/run --local: this machine only).
bench: $(BIN)
	bench/run
.PHONY: bench

clean:
	rm -rf build lkvm lkvm-*

.PHONY: all tests check check-fast guest demo clean

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
