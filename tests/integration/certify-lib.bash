# SPDX-License-Identifier: GPL-2.0-only
# Reading a ktrim certificate ($cert) in the build-and-certify tests (46, 47, 70, 71, 75, 76).

# check NAME RESULT WHERE: the check NAME has RESULT, run WHERE
check() {
	awk -v n="  - name: $1" -v r="    result: $2" -v w="    where: $3" '
		$0 == n || $0 == "  - name: \"" substr(n, 11) "\"" { on = 1; next }
		on && /^  - name:/ { on = 0 }
		on && $0 == r { rr = 1 } on && $0 == w { ww = 1 }
		END { exit !(rr && ww) }' "$cert" || fail "${cert##*/}: check '$1' is not $2 on $3"
	echo "ok: ${cert##*/}: $1 $2 on $3"
}

# boot_checks_pass WHERE: every check of the certification boot passed on
# WHERE, the host-side smoke test and the power button included.
boot_checks_pass() {
	local c
	for c in "boot to init" "workload ready" "smoke test" "host smoke test" \
		"power-button stop" "clean power-off"; do
		check "$c" pass "$1"
	done
}

# The sha256 recorded under a top-level key (kernel, initramfs, overlay).
cert_sha() { awk -v k="$1:" '$0 == k { on = 1; next } /^[a-z]/ { on = 0 }
	on && $1 == "sha256:" { gsub(/"/, "", $2); print $2 }' "$cert"; }

# A measurement's value (power-on-to-ready-ms, min-memory-mb, ...).
cert_field() { sed -n "s/^ *$1: \"\{0,1\}\([^\"]*\)\"\{0,1\}\$/\1/p" "$cert" | head -n 1; }

# profile_workload DIR: `ktrim profile` of DIR/ktrim.yaml into DIR/profile.yaml
# (work files in DIR/profile.work, its output in DIR/profile.out).
profile_workload() {
	"$KTRIM" profile -f "$1/ktrim.yaml" -o "$1/profile.yaml" --workdir "$1/profile.work" \
		>"$1/profile.out" 2>&1 || { tail -20 "$1/profile.out"; fail "ktrim profile failed"; }
}

# build_certified DIR PROFILE: `ktrim build` for kvm-q35 into DIR/out (no
# memory bisection, no analysis boot), certified with every boot check
# passed on TCG; sets $d (the target's folder) and $cert.
build_certified() {
	"$KTRIM" build -f "$1/ktrim.yaml" --profile "$2" --target kvm-q35 --no-bisect \
		--no-analyze -o "$1/out" >"$1/build.log" 2>&1 ||
		{ tail -30 "$1/build.log"; fail "ktrim build failed"; }
	d=$1/out/kvm-q35
	cert=$d/certificate.yaml
	grep -q '^verdict: certified$' "$cert" || { cat "$cert"; fail "not certified"; }
	boot_checks_pass tcg
}
