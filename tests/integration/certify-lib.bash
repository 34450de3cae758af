# SPDX-License-Identifier: GPL-2.0-only
# Reading a ktrim certificate ($cert) in the build-and-certify tests (70, 71, 75, 76).

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
