# SPDX-License-Identifier: GPL-2.0-only
# Parity of `ktrim olddefconfig` with the kernel's own `make olddefconfig`
# on one tree, for the tests 20 (Debian's 6.1) and 21 (Debian's 6.12).
#
# What the kernel's make produces (the inputs it generates: tinyconfig,
# randconfigs ...; and its olddefconfig of every input) is cached under
# the kernel cache by a hash of everything it depends on: the tree's
# Kconfig files, scripts/kconfig, the top Makefile, the compilers and
# linkers its probes run, PATH. A changed tree or toolchain makes a new
# cache directory; a warm run starts no make at all.
#
#   kp_init NAME KSRC           set up $kp_work and the cache for KSRC
#   kp_file NAME FILE           an input copied from FILE
#   kp_make NAME [VAR=VAL...] TARGET
#                               an input made by `make TARGET` (ARCH=,
#                               KCONFIG_SEED=, CROSS_COMPILE= among VARs)
#   kp_partial_rand NAME SEED   a randconfig with about half its lines
#                               dropped (seeded, reproducible)
#   kp_every3 NAME FROM         FROM's input with every third line dropped
#   kp_run                      compare every input; prints one line each
#                               and a summary; exit status 1 on a difference

kp_config_lines() { grep -E '^(CONFIG_[A-Za-z0-9_]+=|# CONFIG_[A-Za-z0-9_]+ is not set$)' "$1" | LC_ALL=C sort; }

kp_init() {
	kp_name=$1 kp_ksrc=$2
	kp_work=$KTRIM_WORK/kconfig-parity-$kp_name
	rm -rf "$kp_work"
	mkdir -p "$kp_work/in" "$kp_work/obj"
	kp_inputs=()
	declare -gA kp_arch kp_env
	local key
	key=$(
		cd "$kp_ksrc"
		find . -name 'Kconfig*' -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum
		sha256sum Makefile scripts/kconfig/*.[chly] scripts/Kconfig.include scripts/*.sh 2>/dev/null
		for tool in gcc ld aarch64-linux-gnu-gcc aarch64-linux-gnu-ld; do
			command -v "$tool" && "$tool" --version 2>/dev/null | head -n 1
		done
		echo "PATH=$PATH"
	)
	kp_key=$(printf '%s' "$key" | sha256sum | cut -c1-16)
	kp_cache=${KTRIM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ktrim}/kconfig-parity/$kp_name-$kp_key
	mkdir -p "$kp_cache"
	kp_made=0 kp_hits=0
	echo "tree $kp_ksrc, reference cache $kp_cache"
}

# make in the scratch object tree; the variables go on make's command line
kp_kmake() {
	nice -n 10 make -s -C "$kp_ksrc" O="$kp_work/obj" "$@" >"$kp_work/make.log" 2>&1 ||
		{ echo "FAIL: make $*"; tail -20 "$kp_work/make.log"; exit 1; }
}

# the ARCH= (if any) among VAR=VAL words
kp_arch_of() {
	local w
	for w in "$@"; do
		case $w in ARCH=*) echo "${w#ARCH=}" ;; esac
	done
}

kp_add() { # NAME FILE [VAR=VAL...]: FILE becomes input NAME for the tree
	local name=$1 file=$2
	shift 2
	cp "$file" "$kp_work/in/$name"
	kp_inputs+=("$name")
	kp_arch[$name]=$(kp_arch_of "$@")
	kp_env[$name]="$*"
}

kp_file() { kp_add "$1" "$2"; }

# the output of `make [VAR=VAL...] TARGET` into $kp_out (a cache file)
kp_made_file() {
	local target vars
	target=${*: -1}
	vars=("${@:1:$#-1}")
	kp_out=$kp_cache/made-$(printf '%s|' "${vars[@]}" "$target" | sha256sum | cut -c1-16)
	if [ ! -s "$kp_out" ]; then
		kp_kmake "${vars[@]}" "$target"
		cp "$kp_work/obj/.config" "$kp_out.tmp" && mv "$kp_out.tmp" "$kp_out"
		kp_made=$((kp_made + 1))
	else
		kp_hits=$((kp_hits + 1))
	fi
}

kp_make() { # NAME [VAR=VAL...] TARGET
	local name=$1
	shift
	kp_made_file "$@"
	kp_add "$name" "$kp_out" "${@:1:$#-1}"
}

# NAME SEED: a randconfig (KCONFIG_SEED=SEED) with about half its lines
# dropped, at random with the same seed
kp_partial_rand() {
	kp_made_file "KCONFIG_SEED=$2" randconfig
	awk -v seed="$2" 'BEGIN { srand(seed) } rand() < 0.5' "$kp_out" >"$kp_work/sparse.tmp"
	kp_add "$1" "$kp_work/sparse.tmp"
}

kp_every3() { # NAME FROM: FROM's input with every third line dropped
	awk 'NR % 3' "$kp_work/in/$2" >"$kp_work/sparse.tmp"
	kp_add "$1" "$kp_work/sparse.tmp" ${kp_env[$2]}
}

# make olddefconfig of input NAME into $kp_work/NAME.make, from the cache
# when the same input was resolved before
kp_reference() {
	local name=$1 vars ref
	read -r -a vars <<<"${kp_env[$name]}"
	ref=$kp_cache/olddefconfig-$( (cat "$kp_work/in/$name"; printf '%s|' "${vars[@]}") |
		sha256sum | cut -c1-16)
	if [ ! -s "$ref" ]; then
		cp "$kp_work/in/$name" "$kp_work/obj/.config"
		kp_kmake "${vars[@]}" olddefconfig
		cp "$kp_work/obj/.config" "$ref.tmp" && mv "$ref.tmp" "$ref"
		kp_made=$((kp_made + 1))
	else
		kp_hits=$((kp_hits + 1))
	fi
	cp "$ref" "$kp_work/$name.make"
}

kp_run() {
	local name n fail=0 same=0 total=0 arch args
	echo "checking: ktrim olddefconfig == make olddefconfig (CONFIG_ line sets and bytes)"
	for name in "${kp_inputs[@]}"; do
		total=$((total + 1))
		kp_reference "$name"
		arch=${kp_arch[$name]}
		args=()
		[ -n "$arch" ] && args=(--arch "$arch")
		if ! env ${kp_env[$name]} "$KTRIM" -q olddefconfig --ksrc "$kp_ksrc" "${args[@]}" \
			-o "$kp_work/$name.ktrim" "$kp_work/in/$name" 2>"$kp_work/$name.ktrim.log"; then
			echo "FAIL $name: ktrim olddefconfig failed"
			tail -5 "$kp_work/$name.ktrim.log"
			fail=1
			continue
		fi
		n=$(kp_config_lines "$kp_work/$name.make" | wc -l)
		if ! diff <(kp_config_lines "$kp_work/$name.make") <(kp_config_lines "$kp_work/$name.ktrim") \
			>"$kp_work/$name.diff"; then
			echo "FAIL $name: CONFIG_ lines differ ($(grep -c '^[<>]' "$kp_work/$name.diff") lines; see $kp_work/$name.diff)"
			head -10 "$kp_work/$name.diff"
			fail=1
		elif cmp -s "$kp_work/$name.make" "$kp_work/$name.ktrim"; then
			echo "ok   $name: $n CONFIG_ lines equal, byte-identical"
			same=$((same + 1))
		else
			echo "FAIL $name: $n CONFIG_ lines equal, but files differ in comments/layout"
			diff "$kp_work/$name.make" "$kp_work/$name.ktrim" | head -10
			fail=1
		fi
	done
	echo "parity ($kp_name): $same of $total inputs byte-identical; make ran $kp_made times, $kp_hits results from the cache"
	return $fail
}
