#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Run each cmocka unit-test binary given; cmocka prints its own summary per
# binary. Exit non-zero when any binary fails.
set -u
failed=0
for t in "$@"; do
	echo "== $t"
	if ! "$t"; then
		echo "FAILED: $t"
		failed=$((failed + 1))
	fi
done
echo "unit: $(( $# - failed )) passed, $failed failed"
[ "$failed" -eq 0 ]
