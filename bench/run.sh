#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# `make bench`: ktrim against the generic stack, localmodconfig and
# Firecracker's microVM kernel, booted interleaved on one machine in one run.
#
# Usage: bench/run.sh        (make bench [QUICK=1])
# Environment:
#   QUICK=1          skip the peers whose kernel build is not cached (said so
#                    in the table) instead of building them (an hour each here);
#                    ktrim's own build always runs (minutes, with ccache)
#   BENCH_REPS=N     boots per contender, interleaved A B C D A B C D (default 5)
#   BENCH_MINMEM=0   skip the memory bisection (it costs ~9 boots per contender)
#   BENCH_GEN_REPS=N repetitions of the mkinitramfs/dracut timings when
#                    bench/initramfs-speed.sh is absent (default 1)
#   BENCH_EXTRAS=0   skip the components' tool-speed scripts (kconfig-speed.sh,
#                    trim-counts.sh, initramfs-speed.sh)
#   BENCH_RESULTS    output folder (default bench/results)
#   BENCH_WORKLOAD   busybox-httpd (default) or redis; result names of the
#                    latter end in -redis
# Writes RESULTS/DATE-HOST.md, DATE-HOST.csv (one row per boot),
# DATE-HOST-static.csv (sizes, counts, build times) and DATE-HOST.png.
set -euo pipefail
# One compound command: bash reads it whole before running it, so editing
# this file while a long build or run is going does not change what runs.
{
BENCH_NAME=bench
. "$(dirname "$0")/lib.sh"
kernel_cache

reps=${BENCH_REPS:-5}
quick=${QUICK:-0}
minmem=${BENCH_MINMEM:-1}
gen_reps=${BENCH_GEN_REPS:-1}
results=${BENCH_RESULTS:-$bench_dir/results}
workload=${BENCH_WORKLOAD:-busybox-httpd}
case $workload in
busybox-httpd) sfx= workload_what="busybox httpd on 127.0.0.1:80, smoke test busybox wget of / ." ;;
redis) sfx=-redis workload_what="Debian's redis-server on 127.0.0.1:6379, smoke test redis-cli set + get." ;;
*) die "unknown BENCH_WORKLOAD $workload (busybox-httpd, redis)" ;;
esac
stamp=$(date +%Y-%m-%d)-$(hostname -s)$sfx
mkdir -p "$results"
md=$results/$stamp.md
csv=$results/$stamp.csv
scsv=$results/$stamp-static.csv
png=$results/$stamp.png
work=$BENCH_WORK/run$sfx
rm -rf "$work" && mkdir -p "$work"
ktrim_bin=${KTRIM:-$KTRIM_TOP/ktrim}
load_start=$(cut -d' ' -f1-3 /proc/loadavg)

progress "workload rootfs"
eval "$(WORKLOAD=$workload "$bench_dir/rootfs.sh")"

# Contender table: every slot is filled by a setup_* function; a slot that
# cannot run keeps an explanation in C_NOTE and never gets numbers.
order=(generic localmodconfig firecracker firecracker-microvm ktrim-kvm-q35 ktrim-kvm-microvm)
declare -A C_KERNEL C_INITRD C_DISK C_CMD C_MACHINE C_NOTE C_CONFIG C_VMLINUX \
	C_BUILD C_GEN C_CFGSTEP C_WHAT C_INITRD_WHAT
base_cmd="console=ttyS0 quiet panic=-1"

# Sizes and counts of one contender, once per run.
vmlinux_text_data() { size "$1" | awk 'NR == 2 { print $1 + $2 }'; }
count_opts() { grep -c "=$2\$" "$1" || true; }

setup_generic() {
	local img=$work/generic-mkinitramfs.img t
	C_WHAT[generic]="Debian $KREL (prebuilt)"
	C_KERNEL[generic]=$KIMAGE
	C_CONFIG[generic]=$KCONFIG
	C_DISK[generic]=$ROOTFS_EXT4
	C_CMD[generic]="$base_cmd root=/dev/vda rw"
	C_MACHINE[generic]=q35
	C_BUILD[generic]="prebuilt"
	C_CFGSTEP[generic]="-"
	# The generic kernel ships compressed only; its ELF comes from the kernel's
	# own extractor so text+data is measured the same way for everyone.
	"$KSRC/scripts/extract-vmlinux" "$KIMAGE" > "$work/generic-vmlinux" 2>/dev/null &&
		C_VMLINUX[generic]=$work/generic-vmlinux
	t=$("$bench_dir/initrd-generic.sh" mkinitramfs "$KREL" "$KMODDIR" "$KCONFIG" "$img" | cut -d, -f3)
	C_INITRD[generic]=$img
	C_INITRD_WHAT[generic]="mkinitramfs (MODULES=most, zstd)"
	C_GEN[generic]=$t
}

# Firecracker and localmodconfig come from bench/peer-kernel.sh's cache.
setup_peer() {
	local name=$1 line dir krel img t
	if [ "$quick" = 1 ]; then
		if ! line=$("$bench_dir/peer-kernel.sh" --check "$name"); then
			C_NOTE[$name]="skipped (QUICK=1): kernel build not cached"
			return 0
		fi
	else
		line=$("$bench_dir/peer-kernel.sh" "$name") || {
			C_NOTE[$name]="not available: kernel build failed (see bench/peer-kernel.sh output)"
			return 0
		}
	fi
	dir=${line#KERNEL_DIR=}
	krel=$(sed -n 's/^kernel_release=//p' "$dir/meta")
	C_KERNEL[$name]=$dir/bzImage
	C_VMLINUX[$name]=$dir/vmlinux
	C_CONFIG[$name]=$dir/.config
	C_BUILD[$name]=$(cat "$dir/build-time")
	C_CFGSTEP[$name]=$(cat "$dir/config-time")
	C_MACHINE[$name]=q35
	case $name in
	firecracker)
		# Built-in only: the workload initramfs is all it needs.
		C_WHAT[$name]="Firecracker 6.1 config ($krel)"
		C_INITRD[$name]=$ROOTFS_CPIO
		C_INITRD_WHAT[$name]="bench workload cpio.zst (no modules)"
		C_GEN[$name]="-"
		C_DISK[$name]=-
		C_CMD[$name]=$base_cmd
		;;
	localmodconfig)
		# Built the way its users run it: modules_install + the distro initramfs.
		img=$work/localmodconfig-mkinitramfs.img
		t=$("$bench_dir/initrd-generic.sh" mkinitramfs "$krel" "$dir/modules/lib/modules/$krel" \
			"$dir/.config" "$img" | cut -d, -f3)
		C_WHAT[$name]="Debian config + localmodconfig ($krel)"
		C_INITRD[$name]=$img
		C_INITRD_WHAT[$name]="mkinitramfs (MODULES=most, zstd)"
		C_GEN[$name]=$t
		C_DISK[$name]=$ROOTFS_EXT4
		C_CMD[$name]="$base_cmd root=/dev/vda rw"
		;;
	esac
}

# ktrim's slot: the artifacts `ktrim build` writes to OUTDIR/TARGET/. Until
# that command exists the row says so; it never gets numbers from elsewhere.
# The flow is the user's: make the example's rootfs, `ktrim profile` it on the
# generic kernel, `ktrim build` both targets from that profile. OUTDIR is kept
# in the bench cache so ktrim's own "rebuild only on change" applies.
ktrim_build_available() {
	[ -x "$ktrim_bin" ] && "$ktrim_bin" --help 2>/dev/null | grep -qE '^ +build( |$)'
}
ktrim_out=$BENCH_CACHE/ktrim-out$sfx
ktrim_prepared=
prepare_ktrim() { # once for both targets; sets KTRIM_NOTE on failure
	[ -n "$ktrim_prepared" ] && return 0
	ktrim_prepared=1 KTRIM_NOTE=
	local proj=$KTRIM_TOP/recipes/workloads/$workload/ktrim.yaml s
	if ! ktrim_build_available; then
		KTRIM_NOTE="not available: ktrim build not implemented"; return 0
	fi
	[ -f "$proj" ] || { KTRIM_NOTE="not available: no $proj"; return 0; }
	mkdir -p "$ktrim_out"
	# A second workload starts from copies of the first one's kernel build
	# folders; objtool is rebuilt there (absolute paths in its deps) and with
	# it every object, but ccache serves what the two configs share.
	if [ -n "$sfx" ] && [ ! -d "$ktrim_out/.build" ] && [ -d "$BENCH_CACHE/ktrim-out/.build" ]; then
		cp -a "$BENCH_CACHE/ktrim-out/.build" "$ktrim_out/.build"
	fi
	[ -d "$(dirname "$proj")/rootfs" ] || "$(dirname "$proj")/make-rootfs.sh" >&2
	progress "ktrim profile -f $proj"
	s=$(now)
	if ! "$ktrim_bin" profile -f "$proj" -o "$ktrim_out/$workload.profile.yaml" \
		--workdir "$work/profile.work" >"$work/ktrim-profile.log" 2>&1; then
		KTRIM_NOTE="not available: ktrim profile failed (log $work/ktrim-profile.log)"; return 0
	fi
	since "$s" > "$work/ktrim-profile-time"
	# The same terms as the peers' builds: nice, two jobs, ccache (ktrim build
	# uses it when installed). Certification is the bench's own boots here.
	progress "ktrim build -o $ktrim_out --target kvm-q35 --target kvm-microvm -j 2 --no-certify"
	s=$(now)
	if ! nice -n "${NICE:-15}" "$ktrim_bin" build -f "$proj" --profile "$ktrim_out/$workload.profile.yaml" \
		-o "$ktrim_out" --target kvm-q35 --target kvm-microvm -j 2 --no-certify \
		>"$work/ktrim-build.log" 2>&1; then
		KTRIM_NOTE="not available: ktrim build failed (log $work/ktrim-build.log)"; return 0
	fi
	# A run that skipped both kernel builds (nothing changed) keeps the time
	# of the run that built them.
	if [ "$(grep -c 'build skipped' "$work/ktrim-build.log")" -lt 2 ] || [ ! -s "$ktrim_out/.built" ]; then
		since "$s" > "$ktrim_out/.built"
	fi
}
setup_ktrim_artifacts() {
	local name=$1 target=$2 dir
	prepare_ktrim
	[ -n "$KTRIM_NOTE" ] && { C_NOTE[$name]=$KTRIM_NOTE; return 0; }
	dir=$ktrim_out/$target
	if [ -f "$dir/bzImage" ]; then C_KERNEL[$name]=$dir/bzImage
	elif [ -f "$dir/vmlinux" ]; then C_KERNEL[$name]=$dir/vmlinux
	else C_NOTE[$name]="not available: no kernel in $dir"; return 0
	fi
	# q35 ships a bzImage only; its ELF stays in ktrim's build folder.
	if [ -f "$dir/vmlinux" ]; then C_VMLINUX[$name]=$dir/vmlinux
	elif [ -f "$ktrim_out/.build/$target/vmlinux" ]; then C_VMLINUX[$name]=$ktrim_out/.build/$target/vmlinux
	fi
	[ -f "$dir/initramfs.cpio.zst" ] || { C_NOTE[$name]="not available: no $dir/initramfs.cpio.zst"; return 0; }
	[ -f "$dir/.config" ] || { C_NOTE[$name]="not available: no $dir/.config"; return 0; }
	C_WHAT[$name]="ktrim build: target $target"
	# The shipped image runs until stopped; the bench boots it with the
	# project's overlay (smoke test, then power-off), as certification
	# does, zero-padded to 4 bytes between the segments.
	local proj=$KTRIM_TOP/recipes/workloads/$workload/ktrim.yaml
	"$ktrim_bin" initramfs --project "$proj" --overlay -o "$work/$name-overlay.cpio" || {
		C_NOTE[$name]="not available: ktrim initramfs --overlay failed"; return 0; }
	cp "$dir/initramfs.cpio.zst" "$work/$name-boot.cpio"
	truncate -s %4 "$work/$name-boot.cpio"
	cat "$work/$name-overlay.cpio" >>"$work/$name-boot.cpio"
	C_INITRD[$name]=$work/$name-boot.cpio
	C_INITRD_WHAT[$name]="ktrim initramfs"
	C_CONFIG[$name]=$dir/.config
	C_BUILD[$name]="$(cat "$ktrim_out/.built") (whole ktrim build; last run)"
	C_CFGSTEP[$name]="-"
	C_GEN[$name]="-"
	C_DISK[$name]=-
	C_CMD[$name]=$base_cmd
	case $target in kvm-microvm) C_MACHINE[$name]=microvm ;; *) C_MACHINE[$name]=q35 ;; esac
}

progress "contenders"
setup_generic
setup_peer localmodconfig
setup_peer firecracker
# The same Firecracker kernel on its home machine model: QEMU microvm
# (virtio-mmio), direct PVH boot of the uncompressed vmlinux.
if [ -n "${C_NOTE[firecracker]:-}" ]; then
	C_NOTE[firecracker-microvm]=${C_NOTE[firecracker]}
else
	fm=firecracker-microvm
	C_KERNEL[$fm]=${C_VMLINUX[firecracker]} C_VMLINUX[$fm]=${C_VMLINUX[firecracker]}
	C_CONFIG[$fm]=${C_CONFIG[firecracker]} C_BUILD[$fm]=${C_BUILD[firecracker]}
	C_CFGSTEP[$fm]=${C_CFGSTEP[firecracker]} C_INITRD[$fm]=${C_INITRD[firecracker]}
	C_INITRD_WHAT[$fm]=${C_INITRD_WHAT[firecracker]} C_GEN[$fm]=${C_GEN[firecracker]}
	C_DISK[$fm]=${C_DISK[firecracker]} C_CMD[$fm]=${C_CMD[firecracker]}
	C_WHAT[firecracker-microvm]="${C_WHAT[firecracker]}: vmlinux (PVH) on microvm"
	C_MACHINE[firecracker-microvm]=microvm
fi
setup_ktrim_artifacts ktrim-kvm-q35 kvm-q35
setup_ktrim_artifacts ktrim-kvm-microvm kvm-microvm
avail=()
for c in "${order[@]}"; do
	if [ -n "${C_NOTE[$c]:-}" ]; then progress "$c: ${C_NOTE[$c]}"; else avail+=("$c"); fi
done

# KVM: only where a probe shows it works (it hangs on some hosts). The probe
# boots the generic kernel without a root: a working KVM panics and exits fast.
kvm=no
if [ -e /dev/kvm ]; then
	if timeout --kill-after=2 20 qemu-system-x86_64 -accel kvm -M q35 -m 256 -nodefaults \
		-display none -no-reboot -serial null -kernel "$KIMAGE" \
		-append "console=ttyS0 panic=-1 root=/dev/nonexistent" </dev/null >/dev/null 2>&1; then
		kvm=yes
	fi
fi
accels=(tcg)
[ $kvm = yes ] && accels+=(kvm)
progress "KVM probe: $kvm (boots run under: ${accels[*]})"

# The boots, interleaved so slow drifts of the host hit every contender alike.
echo "rep,$("$bench_dir/boot.sh" --header)" > "$work/boots.csv"
for r in $(seq 1 "$reps"); do
	for a in "${accels[@]}"; do
		for c in "${avail[@]}"; do
			progress "rep $r/$reps, $a: $c"
			row=$("$bench_dir/boot.sh" --label "$c" --machine "${C_MACHINE[$c]}" --accel "$a" \
				--console "$work/console-$c-$a-$r.log" "${C_KERNEL[$c]}" "${C_INITRD[$c]}" \
				"${C_DISK[$c]}" "${C_CMD[$c]}" 512) || true
			echo "$r,$row" >> "$work/boots.csv"
		done
	done
done

# Memory bisection, once per contender. A probe passes or fails on guest
# behaviour alone (guest time counts instructions), so the bisections run side
# by side, one per CPU; only the timed boots above need the host to themselves.
declare -A C_MINMEM
for c in "${avail[@]}"; do
	if [ "$minmem" = 1 ]; then
		while [ "$(jobs -rp | wc -l)" -ge "$(nproc)" ]; do wait -n || true; done
		progress "min memory: $c"
		"$bench_dir/min-mem.sh" --machine "${C_MACHINE[$c]}" "${C_KERNEL[$c]}" \
			"${C_INITRD[$c]}" "${C_DISK[$c]}" "${C_CMD[$c]}" 2>>"$work/min-mem-$c.log" |
			sed -n 's/^min_mem_mb=//p' > "$work/min-mem-$c" &
	else
		C_MINMEM[$c]="not measured (BENCH_MINMEM=0)"
	fi
done
wait
if [ "$minmem" = 1 ]; then
	for c in "${avail[@]}"; do C_MINMEM[$c]=$(cat "$work/min-mem-$c"); done
fi

# Tool speed: distro initramfs generators on the generic kernel, same run.
# bench/initramfs-speed.sh times them interleaved with `ktrim initramfs`; this
# standalone timing is only the fallback when that script is absent.
: > "$work/gen.csv"
if [ ! -x "$bench_dir/initramfs-speed.sh" ]; then
	progress "mkinitramfs and dracut generation ($gen_reps each)"
	for _ in $(seq 1 "$gen_reps"); do
		"$bench_dir/initrd-generic.sh" mkinitramfs "$KREL" "$KMODDIR" "$KCONFIG" "$work/gen-mkinitramfs.img" >> "$work/gen.csv"
		"$bench_dir/initrd-generic.sh" dracut "$KREL" "$KMODDIR" "$KCONFIG" "$work/gen-dracut.img" >> "$work/gen.csv"
	done
fi

# ---- statistics -----------------------------------------------------------
# Columns of boots.csv by name (boot.sh owns the header).
col() { head -n 1 "$work/boots.csv" | tr , '\n' | grep -nx "$1" | cut -d: -f1; }
C_INIT=$(col boot_to_init_us) C_RINIT=$(col init_start_us) C_READY=$(col workload_ready_us)
C_OFF=$(col poweroff_us) C_WALL=$(col host_wall_s) C_STATUS=$(col status) C_SMOKE=$(col smoke)
C_PREADY=$(col power_on_ready_us)
C_ACCEL=$(col accel)
ACC=tcg-icount # the accelerator the statistics below look at
# median and range of one column for one label, over the boots that reached
# power-off.
boot_stat() { # label col -> "median min max n"
	awk -F, -v l="$1" -v c="$2" -v st="$C_STATUS" -v ac="$C_ACCEL" -v acc="$ACC" \
		'NR > 1 && $2 == l && $ac == acc && $st == "ok" && $c != "" { print $c }' "$work/boots.csv" |
		sort -g | awk '{ v[NR] = $1 } END {
			if (NR == 0) { print "- - - 0"; exit }
			m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			print m, v[1], v[NR], NR }'
}
ms() { [ "$1" = - ] && { echo -; return; }; awk -v x="$1" 'BEGIN { printf "%.1f", x / 1000 }'; }
cell_ms() { # label col -> "median (min-max)" in ms
	local s; read -r -a s <<< "$(boot_stat "$1" "$2")"
	[ "${s[3]}" = 0 ] && { echo "-"; return; }
	echo "$(ms "${s[0]}") ($(ms "${s[1]}")–$(ms "${s[2]}"))"
}
cell_s() {
	local s; read -r -a s <<< "$(boot_stat "$1" "$2")"
	[ "${s[3]}" = 0 ] && { echo "-"; return; }
	printf '%.1f (%.1f–%.1f)' "${s[0]}" "${s[1]}" "${s[2]}"
}
median() { local s; read -r -a s <<< "$(boot_stat "$1" "$2")"; echo "${s[0]}"; }
ratio() { # generic_value contender_value -> "Nx" (how many times faster/smaller)
	awk -v g="$1" -v c="$2" 'BEGIN { if (g == "-" || c == "-" || g == "" || c == "" || c == 0) print "-"; else printf "%.2fx", g / c }'
}
okcount() {
	awk -F, -v l="$1" -v st="$C_STATUS" -v sm="$C_SMOKE" -v ac="$C_ACCEL" -v acc="$ACC" \
		'NR > 1 && $2 == l && $ac == acc { n++; if ($st == "ok" && $sm == "pass") p++ } END { printf "%d/%d", p, n }' "$work/boots.csv"
}
mb() { case $1 in [0-9]*|'<='*|'>'*) echo "$1 MB" ;; *) echo "$1" ;; esac; }
fsize() { [ -n "${1:-}" ] && [ -f "$1" ] && stat -c %s "$1" || echo -; }

# ---- static figures -------------------------------------------------------
echo "label,what,options_y,options_m,kernel_bytes,vmlinux_text_data,initramfs_bytes,initramfs_gen_s,kernel_build_s,config_step_s,min_mem_mb" > "$work/static.csv"
for c in "${avail[@]}"; do
	vtd=-
	[ -n "${C_VMLINUX[$c]:-}" ] && vtd=$(vmlinux_text_data "${C_VMLINUX[$c]}")
	# Free-text fields must not split the CSV row.
	echo "$c,${C_WHAT[$c]//,/;},$(count_opts "${C_CONFIG[$c]}" y),$(count_opts "${C_CONFIG[$c]}" m),$(fsize "${C_KERNEL[$c]}"),$vtd,$(fsize "${C_INITRD[$c]}"),${C_GEN[$c]},${C_BUILD[$c]},${C_CFGSTEP[$c]},${C_MINMEM[$c]}" >> "$work/static.csv"
done
sfield() { awk -F, -v l="$1" -v c="$2" '$1 == l { print $c }' "$work/static.csv"; }

# ---- chart ------------------------------------------------------------------
progress "chart"
{
	echo "# label kernel_to_init init_to_rootinit rootinit_to_ready ready_to_poweroff (ms, medians)"
	for c in "${avail[@]}"; do
		bi=$(median "$c" "$C_INIT"); is=$(median "$c" "$C_RINIT"); wr=$(median "$c" "$C_READY"); po=$(median "$c" "$C_OFF")
		[ "$bi" = - ] && continue
		awk -v l="$c" -v a="$bi" -v b="$is" -v r="$wr" -v p="$po" 'BEGIN {
			if (b == "-") b = a; if (r == "-") r = b; if (p == "-") p = r
			printf "%s %.1f %.1f %.1f %.1f\n", l, a / 1000, (b - a) / 1000, (r - b) / 1000, (p - r) / 1000 }'
	done
} > "$work/chart.dat"
if command -v gnuplot >/dev/null && [ "$(grep -vc '^#' "$work/chart.dat")" -gt 0 ]; then
	gnuplot <<-GP
	set terminal pngcairo size 1100,600 noenhanced
	set output "$work/chart.png"
	set title "Boot timeline, median of $reps boots (guest ms, QEMU TCG -icount shift=0)"
	set style data histograms
	set style histogram rowstacked
	set style fill solid 0.8 border -1
	set boxwidth 0.6
	set ylabel "guest time since kernel start (ms)"
	set key below horizontal
	set xtics rotate by -25
	set grid ytics
	plot "$work/chart.dat" using 2:xtic(1) title "kernel to first init", \
	     "" using 3 title "first init to workload init", \
	     "" using 4 title "workload init to ready", \
	     "" using 5 title "ready to power-off"
	GP
fi

# ---- report -----------------------------------------------------------------
progress "report"
partial=""
for c in "${order[@]}"; do [ -n "${C_NOTE[$c]:-}" ] && partial="yes"; done
extra() { # bench/NAME.sh from the components: TITLE NAME; markdown on stdout
	local f=$bench_dir/$2
	echo; echo "### $1 (bench/$2)"; echo
	if [ "${BENCH_EXTRAS:-1}" = 0 ]; then
		echo "skipped (BENCH_EXTRAS=0)"
	elif [ -x "$f" ]; then
		progress "bench/$2"
		local rc=0
		"$f" >"$work/$2.out" 2>>"$work/$2.log" || rc=$?
		# Plain text output keeps its lines in a code block.
		if grep -qE '^(\||#)' "$work/$2.out"; then cat "$work/$2.out"
		else echo '```'; cat "$work/$2.out"; echo '```'
		fi
		[ $rc = 0 ] || echo "(bench/$2 failed with status $rc: see $work/$2.log)"
	else
		echo "not present yet"
	fi
}
{
	echo "# ktrim bench: $stamp ($workload)"
	echo
	echo "Host: $(hostname -s), $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)), load at start $load_start."
	echo "Accelerator: **QEMU TCG, -icount shift=0,sleep=off** ($(qemu-system-x86_64 --version | head -n 1)); KVM probe (20 s timeout): $kvm."
	echo "Guest times are the guest kernel's own clock under icount (1 instruction = 1 ns), so they are"
	echo "deterministic but inflated against real hardware; ratios against generic, measured in this run, lead."
	echo "Machine: q35 (microvm for kvm-microvm), -cpu max, 1 vCPU, 512 MB, virtio-blk + virtio-net; $reps boot(s) per"
	echo "contender, interleaved. Workload: $workload_what"
	[ -n "$partial" ] && { echo; echo "**Partial run:** some contenders could not run (see notes); do not quote as a full result."; }
	for ACC in tcg-icount $([ $kvm = yes ] && echo kvm); do
		acc_label="QEMU TCG, -icount shift=0,sleep=off"
		[ $ACC = kvm ] && acc_label="KVM"
		g_ready=$(median generic "$C_READY"); g_init=$(median generic "$C_INIT"); g_wall=$(median generic "$C_WALL")
		echo
		echo "## Against generic, $acc_label (same run; \"Nx\": generic's figure / the contender's)"
		echo
		g_pready=$(median generic "$C_PREADY")
		echo "| contender | boot to init | boot to workload ready | power-on to ready | host wall to power-off | kernel image | initramfs | min memory (TCG) | smoke passed |"
		echo "|---|---|---|---|---|---|---|---|---|"
		for c in "${order[@]}"; do
			if [ -n "${C_NOTE[$c]:-}" ]; then
				echo "| $c | ${C_NOTE[$c]} | | | | | | | |"; continue
			fi
			echo "| $c | $(ratio "$g_init" "$(median "$c" "$C_INIT")") faster | $(ratio "$g_ready" "$(median "$c" "$C_READY")") faster | $(ratio "$g_pready" "$(median "$c" "$C_PREADY")") faster | $(ratio "$g_wall" "$(median "$c" "$C_WALL")") faster | $(ratio "$(sfield generic 5)" "$(sfield "$c" 5)") smaller | $(ratio "$(sfield generic 7)" "$(sfield "$c" 7)") smaller | $(mb "${C_MINMEM[$c]}") | $(okcount "$c") |"
		done
		echo
		echo "## Boot times, $acc_label (guest ms, median (min–max); host wall s)"
		echo
		echo "| contender | boot to init | workload init | workload ready | power-off | power-on to ready | host wall (s) |"
		echo "|---|---|---|---|---|---|---|"
		for c in "${avail[@]}"; do
			echo "| $c | $(cell_ms "$c" "$C_INIT") | $(cell_ms "$c" "$C_RINIT") | $(cell_ms "$c" "$C_READY") | $(cell_ms "$c" "$C_OFF") | $(cell_ms "$c" "$C_PREADY") | $(cell_s "$c" "$C_WALL") |"
		done
	done
	ACC=tcg-icount
	echo
	echo "boot to init: the kernel's printk timestamp of its first \"Run ... as init process\" (the"
	echo "initramfs /init where there is one; where \`quiet\` hides it and nothing dumps the log, as"
	echo "with ktrim's init, that init's init-start record, a few ms later); workload init: the rootfs"
	echo "init's first timeline line. The kernel's clock can stand still during boot (QEMU microvm"
	echo "under TCG: no timer interrupt advances it while the local APIC timer is calibrated), so"
	echo "power-on to ready counts from vCPU reset with the TSC each timeline record carries, scaled"
	echo "by the cycles per us between the first and the last record; it includes firmware"
	echo "(SeaBIOS on q35, qboot on microvm) and kernel decompression."
	echo
	echo "## Kernels and initramfs"
	echo
	echo "| contender | what | =y | =m | kernel image (bytes) | vmlinux text+data | initramfs (bytes) | initramfs generation (s) | kernel build (s) | config step (s) | min memory (MB) |"
	echo "|---|---|---|---|---|---|---|---|---|---|---|"
	tail -n +2 "$work/static.csv" | while IFS=, read -r l w y m k v i g b cs mm; do
		echo "| $l | $w | $y | $m | $k | $v | $i (${C_INITRD_WHAT[$l]}) | $g | $b | $cs | $mm |"
	done
	echo
	echo "Kernel builds: bench/peer-kernel.sh, \`nice -n 15 make -j2\` with ccache, out of tree from"
	echo "Debian's linux-source-6.1, on a host shared with other work: build times are wall times"
	echo "of that run (ccache may have been warm). config step: \`make olddefconfig\` (firecracker)"
	echo "or \`make localmodconfig\` (localmodconfig)."
	echo
	echo "## Tool speed"
	echo
	echo "Generation of each contender's own initramfs is in the table above. Tool rows from the"
	echo "components follow; they run after the boots, on the same host, in the same run."
	if [ -s "$work/gen.csv" ]; then
		echo
		echo "| tool | kernel | seconds | image bytes |"
		echo "|---|---|---|---|"
		while IFS=, read -r tool krel t sz; do echo "| $tool | $krel | $t | $sz |"; done < "$work/gen.csv"
	fi
	extra "Kconfig engine: ktrim olddefconfig against make olddefconfig" kconfig-speed.sh
	extra "Trimmed configs: option counts, ktrim config against make localmodconfig" trim-counts.sh
	extra "Initramfs: ktrim initramfs against mkinitramfs and dracut" initramfs-speed.sh
	extra "arm64: Debian's arm64 generic kernel against ktrim's kvm-virt-arm64 (TCG virt)" arm64.sh
	echo
	echo "Raw rows: $(basename "$csv") (boots), $(basename "$scsv") (static figures)."
	[ -f "$work/chart.png" ] && { echo; echo "![boot timelines]($(basename "$png"))"; }
} > "$work/report.md"

cp "$work/boots.csv" "$csv.tmp" && mv "$csv.tmp" "$csv"
cp "$work/static.csv" "$scsv.tmp" && mv "$scsv.tmp" "$scsv"
[ -f "$work/chart.png" ] && { cp "$work/chart.png" "$png.tmp" && mv "$png.tmp" "$png"; }
cp "$work/report.md" "$md.tmp" && mv "$md.tmp" "$md"
progress "wrote $md"
cat "$md"
exit
}
