# SPDX-License-Identifier: GPL-2.0-only
# ktrim - per-application Linux kernels for VM-isolated containers.
#
#   make              build ./ktrim (and the static guest programs)
#   make check        build + unit tests (plain, then ASan+UBSan) + integration tests
#   make check-unit   unit tests only, plain build
#   make fuzz         every libFuzzer harness for FUZZ_SECONDS (default 60)
#   make demo         the main job, end to end (installs what it needs)
#   make bench        ktrim against its peers (not part of check)
#   make install PREFIX=/usr/local

# The library rules below are generated before `all`; make must not pick one.
.DEFAULT_GOAL := all

PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
DATADIR  ?= $(PREFIX)/share/ktrim
MANDIR   ?= $(PREFIX)/share/man
VERSION  := $(shell cat VERSION 2>/dev/null || echo 0.1.0)

CC       ?= cc
PKGS     := libelf libzstd libkmod yaml-0.1 libcrypto jansson
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CMOCKA_CFLAGS := $(shell pkg-config --cflags cmocka 2>/dev/null)
CMOCKA_LIBS   := $(shell pkg-config --libs cmocka 2>/dev/null)

WARN     := -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wformat=2
CFLAGS   ?= -O2 -g
KT_CFLAGS = -std=gnu11 $(WARN) -D_GNU_SOURCE -DKTRIM_VERSION='"$(VERSION)"' \
            -DKTRIM_DATADIR='"$(DATADIR)"' -I. \
            $(PKG_CFLAGS) -MMD -MP
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

# Components: each is a static library built from the .c files at its top.
COMPONENTS := common kconfig-trim initramfs profiler pipeline
lib_name = $(subst -,_,$(1))

# Kernel-style quiet output; `make V=1` shows the commands.
ifeq ($(V),1)
Q :=
quiet = @true
else
Q := @
quiet = @printf '  %-7s %s\n'
endif

B := build
SAN := build/san
FUZZ := build/fuzz

define component_rules
$(1)_SRCS := $$(wildcard $(1)/*.c)
$(1)_OBJS := $$(patsubst %.c,$(B)/%.o,$$($(1)_SRCS))
$(1)_SAN_OBJS := $$(patsubst %.c,$(SAN)/%.o,$$($(1)_SRCS))
$(B)/lib$(call lib_name,$(1)).a: $$($(1)_OBJS)
	@mkdir -p $$(@D)
	$$(quiet) AR $$@
	$$(Q)rm -f $$@ && ar rcs $$@ $$^
$(SAN)/lib$(call lib_name,$(1)).a: $$($(1)_SAN_OBJS)
	@mkdir -p $$(@D)
	$$(quiet) AR $$@
	$$(Q)rm -f $$@ && ar rcs $$@ $$^
$(FUZZ)/lib$(call lib_name,$(1)).a: $$(patsubst %.c,$(FUZZ)/%.o,$$($(1)_SRCS))
	@mkdir -p $$(@D)
	$$(quiet) AR $$@
	$$(Q)rm -f $$@ && ar rcs $$@ $$^
endef
$(foreach c,$(COMPONENTS),$(eval $(call component_rules,$(c))))

# Link order: users before what they use.
LIB_ORDER := pipeline profiler initramfs kconfig-trim common
LIBS     := $(foreach c,$(LIB_ORDER),$(B)/lib$(call lib_name,$(c)).a)
SAN_LIBS := $(foreach c,$(LIB_ORDER),$(SAN)/lib$(call lib_name,$(c)).a)

CLI_SRCS := $(wildcard cli/*.c)
CLI_OBJS := $(patsubst %.c,$(B)/%.o,$(CLI_SRCS))
CLI_SAN_OBJS := $(patsubst %.c,$(SAN)/%.o,$(CLI_SRCS))

# Guest programs: static, musl when available.
MUSL_GCC := $(shell command -v musl-gcc 2>/dev/null)
GUEST_CC := $(if $(MUSL_GCC),musl-gcc,$(CC))
# No unwind tables: nothing unwinds a static C init, and .eh_frame was 4 KB of its 100.
GUEST_CFLAGS := -std=gnu11 $(WARN) -D_GNU_SOURCE -Os -static -ffunction-sections -fdata-sections \
                -fno-asynchronous-unwind-tables -fno-unwind-tables -Wl,--gc-sections -s -I.
# A guest program exists once its folder has sources.
GUESTS := $(if $(wildcard initramfs/init/*.c),$(B)/guest/ktrim-init) \
          $(if $(wildcard profiler/agent/*.c),$(B)/guest/ktrim-agent)
# arm64 guests, cross-built when Debian's cross compiler is there: musl for
# arm64 (musl-dev:arm64, its gcc specs file) when installed, else glibc static.
A64_CC := $(shell command -v aarch64-linux-gnu-gcc 2>/dev/null)
A64_MUSL_SPECS := $(wildcard /usr/lib/aarch64-linux-musl/musl-gcc.specs)
# Segments aligned to 4 KB, not ld's 64 KB default: 24 KB less padding in the
# init; the arm64 kernels ktrim makes and profiles on use 4 KB pages.
A64_GUEST_CC := $(A64_CC)$(if $(A64_MUSL_SPECS), -specs $(A64_MUSL_SPECS)) -Wl,-z,max-page-size=4096
A64_GUESTS := $(if $(A64_CC),$(patsubst $(B)/guest/%,$(B)/guest/arm64/%,$(GUESTS)))

all: ktrim $(GUESTS) $(A64_GUESTS)

ktrim: $(CLI_OBJS) $(LIBS)
	$(quiet) LD $@
	$(Q)$(CC) $(CFLAGS) -o $@ $(CLI_OBJS) $(LIBS) $(PKG_LIBS) $(LDFLAGS)

$(B)/ktrim-san: $(CLI_SAN_OBJS) $(SAN_LIBS)
	$(quiet) LD $@
	$(Q)$(CC) $(CFLAGS) $(SAN_FLAGS) -o $@ $(CLI_SAN_OBJS) $(SAN_LIBS) $(PKG_LIBS) $(LDFLAGS)

$(B)/%.o: %.c
	@mkdir -p $(@D)
	$(quiet) CC $<
	$(Q)$(CC) $(KT_CFLAGS) $(CFLAGS) -c -o $@ $<

$(SAN)/%.o: %.c
	@mkdir -p $(@D)
	$(quiet) CC-SAN $<
	$(Q)$(CC) $(KT_CFLAGS) $(CFLAGS) $(SAN_FLAGS) -c -o $@ $<

$(B)/guest/ktrim-init $(B)/guest/arm64/ktrim-init: $(wildcard initramfs/init/*.c initramfs/init/*.h)
	@mkdir -p $(@D)
	$(quiet) GUEST $@
	$(Q)$(if $(findstring /arm64/,$@),$(A64_GUEST_CC),$(GUEST_CC)) $(GUEST_CFLAGS) -o $@ $(filter %.c,$^)

# The agent is the guest runtime (the init's sources but its main) plus the tracer.
GUEST_RUNTIME := $(filter-out initramfs/init/main.c,$(wildcard initramfs/init/*.c))
$(B)/guest/ktrim-agent $(B)/guest/arm64/ktrim-agent: $(wildcard profiler/agent/*.c profiler/agent/*.h) \
			$(GUEST_RUNTIME) $(wildcard initramfs/init/*.h)
	@mkdir -p $(@D)
	$(quiet) GUEST $@
	$(Q)$(if $(findstring /arm64/,$@),$(A64_GUEST_CC),$(GUEST_CC)) $(GUEST_CFLAGS) -o $@ $(filter %.c,$^)

# ---- fuzzing -----------------------------------------------------------
# libFuzzer harnesses (tests/fuzz/fuzz-NAME.c, seeds in tests/fuzz/NAME/),
# built with clang against the components rebuilt with coverage and
# ASan+UBSan. The fuzzing-build macro keeps any harness from starting a
# program (common/run.c).
FUZZ_CC := clang
# clang also flags vsnprintf(fmt, ap) inside printf-like wrappers
FUZZ_WARN := -Wno-format-nonliteral
FUZZ_FLAGS := -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
              -fno-sanitize-recover=all -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
FUZZ_LIBS := $(foreach c,$(LIB_ORDER),$(FUZZ)/lib$(call lib_name,$(c)).a)
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz-*.c)
FUZZ_BINS := $(patsubst tests/fuzz/fuzz-%.c,$(FUZZ)/bin/%,$(FUZZ_SRCS))
FUZZ_SECONDS ?= 60
FUZZ_CHECK_SECONDS ?= 5

$(FUZZ)/%.o: %.c
	@mkdir -p $(@D)
	$(quiet) CC-FUZZ $<
	$(Q)$(FUZZ_CC) $(KT_CFLAGS) $(FUZZ_WARN) -O1 -g $(FUZZ_FLAGS) -c -o $@ $<

# The spec harness holds the guest init's parser too (no other guest code).
$(FUZZ)/bin/spec: $(FUZZ)/initramfs/init/spec.o
$(FUZZ)/bin/%: tests/fuzz/fuzz-%.c tests/fuzz/fuzz.h $(FUZZ_LIBS)
	@mkdir -p $(@D)
	$(quiet) FUZZ $@
	$(Q)$(FUZZ_CC) $(KT_CFLAGS) $(FUZZ_WARN) -DKT_SRCDIR='"$(CURDIR)"' -O1 -g \
		$(subst fuzzer-no-link,fuzzer,$(FUZZ_FLAGS)) -o $@ $< \
		$(filter %.o,$^) $(FUZZ_LIBS) $(PKG_LIBS)

fuzz-build: $(FUZZ_BINS)

# Each harness for FUZZ_SECONDS, its corpus growing in the cache
# (seeded from tests/fuzz/NAME), crash artifacts in build/fuzz/crashes.
fuzz: fuzz-build
	@tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_BINS)

# make check: a few seconds each, so a crash of a known kind fails CI.
check-fuzz: fuzz-build
	@tests/fuzz/run.sh $(FUZZ_CHECK_SECONDS) $(FUZZ_BINS)

# ---- tests -------------------------------------------------------------
UNIT_SRCS := $(wildcard tests/unit/test-*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRCS))
UNIT_SAN_BINS := $(patsubst tests/unit/%.c,$(SAN)/tests/%,$(UNIT_SRCS))
TEST_CFLAGS = $(CMOCKA_CFLAGS) -DKT_FIXTURES='"$(CURDIR)/tests/fixtures"' \
              -DKT_SRCDIR='"$(CURDIR)"'

$(B)/tests/%: tests/unit/%.c $(LIBS)
	@mkdir -p $(@D)
	$(quiet) TEST $@
	$(Q)$(CC) $(KT_CFLAGS) $(TEST_CFLAGS) $(CFLAGS) -o $@ $< $(LIBS) $(PKG_LIBS) $(CMOCKA_LIBS)

$(SAN)/tests/%: tests/unit/%.c $(SAN_LIBS)
	@mkdir -p $(@D)
	$(quiet) TEST $@
	$(Q)$(CC) $(KT_CFLAGS) $(TEST_CFLAGS) $(CFLAGS) $(SAN_FLAGS) -o $@ $< $(SAN_LIBS) $(PKG_LIBS) $(CMOCKA_LIBS)

deps:
	@ci/deps.sh

check-unit: all $(UNIT_BINS)
	@tests/run-unit.sh $(UNIT_BINS)

check-san: $(UNIT_SAN_BINS) $(B)/ktrim-san
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 tests/run-unit.sh $(UNIT_SAN_BINS)

check-integration: all
	@tests/run-integration.sh

# The kernel cache comes first so unit tests see real .ko files too.
check: deps
	@$(MAKE) --no-print-directory all
	@ci/kernel-cache.sh >/dev/null
	@KTRIM_KERNEL=6.12 ci/kernel-cache.sh >/dev/null
	@KTRIM_ARCH=arm64 ci/kernel-cache.sh >/dev/null
	@$(MAKE) --no-print-directory check-unit
	@$(MAKE) --no-print-directory check-san
	@$(MAKE) --no-print-directory check-fuzz
	@$(MAKE) --no-print-directory check-integration

demo: deps
	@$(MAKE) --no-print-directory all
	@ci/demo.sh

bench: deps
	@$(MAKE) --no-print-directory all
	@bench/run.sh
	@# The tool-speed rows do not depend on the workload: once is enough.
	@BENCH_WORKLOAD=redis BENCH_EXTRAS=$${BENCH_EXTRAS:-0} bench/run.sh

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/guest $(DESTDIR)$(MANDIR)/man1
	install -m 0755 ktrim $(DESTDIR)$(BINDIR)/ktrim
	$(if $(strip $(GUESTS)),install -m 0755 $(GUESTS) $(DESTDIR)$(DATADIR)/guest/)
	$(if $(strip $(A64_GUESTS)),install -d $(DESTDIR)$(DATADIR)/guest/arm64 && \
		install -m 0755 $(A64_GUESTS) $(DESTDIR)$(DATADIR)/guest/arm64/)
	cp -R recipes $(DESTDIR)$(DATADIR)/
	install -m 0644 cli/ktrim.1 $(DESTDIR)$(MANDIR)/man1/ktrim.1

clean:
	rm -rf build ktrim

.PHONY: all deps check check-unit check-san check-fuzz check-integration demo bench install clean \
        fuzz fuzz-build
# Only the compiler's dependency files: tests leave directories named *.d in build/itest.
-include $(shell find build -name '*.d' -type f -not -path 'build/itest/*' 2>/dev/null)
