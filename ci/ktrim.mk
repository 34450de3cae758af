# SPDX-License-Identifier: GPL-2.0-only
# ktrim for kernel CI: include this from your Makefile.
#
#   include /path/to/ktrim/ci/ktrim.mk
#
# Variables (set before or on the command line):
#   KSRC            kernel source tree (required)
#   O               build directory for the kernel (default: ktrim-build)
#   KTRIM_PROJECT   project file (default: ktrim.yaml)
#   KTRIM_PROFILE   profile (default: ktrim.profile.yaml)
#   KTRIM_TARGETS   target recipes, space separated (default: kvm-q35); the
#                   first one decides the kernel's format and machine
#   KTRIM           the ktrim binary (default: the one beside this file)
#   KTRIM_KERNEL_FLAGS   extra `ktrim kernel` options (e.g. -j 8, --rebuild)
#   KTRIM_CERTIFY_FLAGS  extra `ktrim certify` options (e.g. --no-bisect,
#                   --allow-partial)
#
# Goals:
#   ktrim-config     $(O)/.config and $(O)/ktrim-report.yaml from the profile
#   ktrim-kernel     the kernel, built by the kernel's own make in $(O)
#                    (through `ktrim kernel`; its log is $(O)/kernel-build.log)
#   ktrim-initramfs  $(O)/ktrim-initramfs.cpio.zst with the workload
#   ktrim-certify    $(O)/ktrim-certificate.yaml (boots it under QEMU)
#   ktrim-all        all of the above

KTRIM_MK_DIR  := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))..)

# A project file may say ${KSRC}; a KSRC the including Makefile sets is a
# plain make variable, which ktrim would not see unless exported.
export KSRC

KTRIM         ?= $(KTRIM_MK_DIR)/ktrim
KTRIM_PROJECT ?= ktrim.yaml
KTRIM_PROFILE ?= ktrim.profile.yaml
KTRIM_TARGETS ?= kvm-q35
O             ?= ktrim-build

# Everything about the target comes from ktrim itself (`ktrim target-info`),
# so this file and `ktrim build` cannot disagree about goals or paths.
ktrim_target  := $(firstword $(KTRIM_TARGETS))
ktrim_recipes := $(foreach t,$(KTRIM_TARGETS),--recipe $(t))
ktrim_profile  = $(if $(wildcard $(KTRIM_PROFILE)),--profile $(KTRIM_PROFILE))
ktrim_info     = $(shell $(KTRIM) target-info $(ktrim_target) --field $(1))
ktrim_image    = $(O)/$(call ktrim_info,built-path)

ktrim-check-vars:
	@test -n "$(KSRC)" || { echo "ktrim.mk: set KSRC to the kernel source tree" >&2; exit 2; }
	@$(KTRIM) target-info $(ktrim_target) --field name >/dev/null

ktrim-config: ktrim-check-vars
	@mkdir -p $(O)
	$(KTRIM) config --ksrc $(KSRC) $(ktrim_profile) $(ktrim_recipes) \
		$(if $(KTRIM_PROJECT),--project $(KTRIM_PROJECT)) \
		-o $(O)/.config --report $(O)/ktrim-report.yaml

# `ktrim kernel` runs the kernel's own make (olddefconfig, then the target's
# goal) in $(O), with the configuration's identity in the kernel's banner so
# that ktrim-certify can tell the kernel was built from $(O)/.config.
ktrim-kernel: ktrim-config
	$(KTRIM) kernel --ksrc $(KSRC) --config $(O)/.config -O $(O) --target $(ktrim_target) \
		$(KTRIM_KERNEL_FLAGS)

ktrim-initramfs: ktrim-check-vars
	@mkdir -p $(O)
	$(KTRIM) initramfs --project $(KTRIM_PROJECT) \
		-o $(O)/ktrim-initramfs.cpio.zst

ktrim-certify: ktrim-kernel ktrim-initramfs
	$(KTRIM) certify --kernel $(ktrim_image) --initramfs $(O)/ktrim-initramfs.cpio.zst \
		--config $(O)/.config --target $(ktrim_target) -o $(O)/ktrim-certificate.yaml \
		--project $(KTRIM_PROJECT) \
		$(KTRIM_CERTIFY_FLAGS)

ktrim-all: ktrim-certify

.PHONY: ktrim-check-vars ktrim-config ktrim-kernel ktrim-initramfs ktrim-certify ktrim-all
