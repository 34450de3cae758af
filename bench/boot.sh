#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Boot one kernel under QEMU TCG with a deterministic guest clock
# (-icount shift=0,sleep=off), or under KVM, capture the serial console and
# print one CSV row.
#
# Usage: bench/boot.sh [options] KERNEL INITRD [DISK] [CMDLINE] [MEM_MB]
#   INITRD, DISK  a file, or "-" for none; DISK is attached as virtio-blk
#                 (snapshot=on: the image is never written)
#   CMDLINE       default "console=ttyS0 root=/dev/vda rw quiet panic=-1"
#   MEM_MB        default 512
# Options:
#   --label NAME      first CSV column (default: kernel file name)
#   --console FILE    keep the console log there (default: a temp file, removed)
#   --machine M       q35 (default), microvm, or virt (arm64: qemu-system-aarch64,
#                     Cortex-A57 under TCG, console ttyAMA0)
#   --accel A         tcg (default; with -icount shift=0,sleep=off) or kvm
#                     (only after a probe showed KVM works: it hangs on some hosts)
#   --timeout SEC     host wall limit (default 300)
#   --header          print the CSV header line first (alone: only the header)
# CSV: label,machine,accel,mem_mb,status,smoke,boot_to_init_us,init_start_us,
#      modules_loaded_us,workload_exec_us,workload_ready_us,smoke_done_us,
#      poweroff_us,host_wall_s,power_on_first_us,power_on_ready_us
# Guest times are the kernel's CLOCK_BOOTTIME in microseconds: boot_to_init from
# the kernel's "Run ... as init process" printk timestamp (the first one: with
# an initramfs that is its /init), the rest from `ktrim-timeline:` lines.
# power_on_*: from vCPU reset (the TSC in the records) to the first timeline
# record and to workload-ready; they include firmware and decompression.
# status: ok (powered off after the poweroff event), timeout, exit=N, or
# no-poweroff. smoke: pass (`smoke-done status=0`), fail (other status) or none.
# Missing values are empty.
# Exit 0 when status is ok and smoke is not fail, 1 otherwise.
set -euo pipefail
BENCH_NAME=boot
. "$(dirname "$0")/lib.sh"

label='' console='' machine=q35 accel=tcg timeout=300 header=0
usage() { sed -n '/^# Usage:/,/^# Guest times/p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
	case $1 in
	--label) label=$2; shift 2 ;;
	--console) console=$2; shift 2 ;;
	--machine) machine=$2; shift 2 ;;
	--accel) accel=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--header) header=1; shift ;;
	-h|--help) usage ;;
	-*) echo "boot.sh: unknown option $1" >&2; usage ;;
	*) break ;;
	esac
done
csv_header="label,machine,accel,mem_mb,status,smoke,boot_to_init_us,init_start_us,modules_loaded_us,workload_exec_us,workload_ready_us,smoke_done_us,poweroff_us,host_wall_s,power_on_first_us,power_on_ready_us"
[ $header = 1 ] && [ $# = 0 ] && { echo "$csv_header"; exit 0; }
[ $# -ge 2 ] && [ $# -le 5 ] || usage
kernel=$1 initrd=$2 disk=${3:--}
cmdline=${4:-console=ttyS0 root=/dev/vda rw quiet panic=-1}
mem=${5:-512}
label=${label:-$(basename "$kernel")}
[ -f "$kernel" ] || die "no kernel $kernel"

[ $header = 1 ] && echo "$csv_header"

keep=1
if [ -z "$console" ]; then
	console=$(mktemp /tmp/ktrim-bench-console.XXXXXX)
	keep=0
fi
: > "$console"

# The same machine models and CPU as ktrim's own VM launcher (profiler/vm.c),
# so bench and `ktrim certify` figures describe the same guest.
qemu=qemu-system-x86_64 tcg_cpu=max
[ "$machine" = virt ] && qemu=qemu-system-aarch64 tcg_cpu=cortex-a57
case $accel in
tcg) args=(-accel tcg -icount shift=0,sleep=off -cpu "$tcg_cpu") acc_name=tcg-icount ;;
kvm) args=(-accel kvm -cpu host) acc_name=kvm ;;
*) die "unknown accelerator $accel (tcg, kvm)" ;;
esac
args+=(-smp 1 -m "$mem" -nodefaults -no-user-config -display none -no-reboot -serial "file:$console" -kernel "$kernel" -append "$cmdline")
[ "$initrd" != - ] && args+=(-initrd "$initrd")
case $machine in
q35)
	args+=(-M q35 -netdev user,id=n0 -device virtio-net-pci,netdev=n0)
	[ "$disk" != - ] && args+=(-drive "file=$disk,if=none,id=d0,format=raw,snapshot=on"
		-device virtio-blk-pci,drive=d0)
	;;
microvm)
	args+=(-M microvm,x-option-roms=off,isa-serial=on,rtc=on -netdev user,id=n0 -device virtio-net-device,netdev=n0)
	[ "$disk" != - ] && args+=(-drive "file=$disk,if=none,id=d0,format=raw,snapshot=on"
		-device virtio-blk-device,drive=d0)
	;;
virt)
	args+=(-M virt -netdev user,id=n0 -device virtio-net-pci,netdev=n0)
	[ "$disk" != - ] && args+=(-drive "file=$disk,if=none,id=d0,format=raw,snapshot=on"
		-device virtio-blk-pci,drive=d0)
	;;
*) die "unknown machine $machine (q35, microvm, virt)" ;;
esac

s=$(now)
rc=0
timeout --kill-after=5 "$timeout" "$qemu" "${args[@]}" </dev/null >"$console.qemu" 2>&1 || rc=$?
wall=$(since "$s")

# The console may carry CRs and interleaved kmsg copies; take first occurrences.
ev() {
	sed -n "s/^.*ktrim-timeline: $1 \([0-9][0-9]*\).*/\1/p" "$console" | head -n 1
}
run_init=$(sed -n 's/^.*\[ *\([0-9][0-9]*\.[0-9]*\)\] Run [^ ]* as init process.*/\1/p' "$console" | head -n 1)
boot_to_init=
[ -n "$run_init" ] && boot_to_init=$(printf '%.0f' "$(echo "$run_init * 1000000" | bc)")
# `quiet` hides that line where nothing dumps the kernel log afterwards (ktrim's
# init does not). Then the first init's own init-start record stands in: it
# comes a few ms after the kernel's exec, so it never flatters the contender.
if [ -z "$boot_to_init" ] && grep -q 'ktrim-init: ' "$console"; then
	boot_to_init=$(ev init-start)
fi
poweroff=$(ev poweroff)
# Both the bench rootfs init and ktrim's init report the smoke test this way.
smoke_status=$(sed -n 's/^.*ktrim-timeline: smoke-done [0-9][0-9]* status=\([0-9-]*\).*/\1/p' "$console" | head -n 1)
case $smoke_status in
'') smoke=none ;;
0) smoke=pass ;;
*) smoke=fail ;;
esac

# Power-on figures from the TSC each record carries (cycles since vCPU reset,
# covering firmware and decompression, and running where the kernel's clock
# stood still): scaled by the cycles per us between the first and last record.
read -r power_on_first power_on_ready < <(sed -n 's/^.*\(ktrim-timeline: .*\)$/\1/p' "$console" | tr -d '\r' | awk '
	{ t = ""; for (i = 4; i <= NF; i++) if ($i ~ /^tsc=/) t = substr($i, 5) + 0 }
	t == "" { next }
	!n++ { fu = $3; ft = t }
	{ lu = $3; lt = t }
	$2 == "workload-ready" && rt == "" { rt = t }
	END {
		if (n < 2 || lu - fu < 1000 || lt <= ft) { print "- -"; exit }
		r = (lt - ft) / (lu - fu)
		printf "%.0f %s\n", ft / r, rt == "" ? "-" : sprintf("%.0f", rt / r)
	}')
[ "$power_on_first" = - ] && power_on_first=
[ "$power_on_ready" = - ] && power_on_ready=

if [ $rc = 124 ] || [ $rc = 137 ]; then status=timeout
elif [ $rc != 0 ]; then status=exit=$rc
elif [ -z "$poweroff" ]; then status=no-poweroff
else status=ok
fi
echo "$label,$machine,$acc_name,$mem,$status,$smoke,$boot_to_init,$(ev init-start),$(ev modules-loaded),$(ev workload-exec),$(ev workload-ready),$(ev smoke-done),$poweroff,$wall,$power_on_first,$power_on_ready"
if [ $status != ok ] && [ $keep = 1 ]; then
	progress "$label: $status, console: $console, qemu: $console.qemu"
fi
[ $keep = 0 ] && rm -f "$console" "$console.qemu"
[ $keep = 1 ] && [ ! -s "$console.qemu" ] && rm -f "$console.qemu"
[ $status = ok ] && [ $smoke != fail ]
