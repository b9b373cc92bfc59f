#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# 085-units: the systemd units are sandboxed: systemd-analyze security gives each service an exposure of 2.0 or lower.

load helpers

setup() {
	mllpd_setup
	command -v systemd-analyze >/dev/null || skip "systemd-analyze not installed (Debian package systemd)"
}

@test "units: every service's exposure (systemd-analyze security --offline=true) is 2.0 or lower" {
	local u line level n=0
	for u in "$MLLPD_ROOT"/units/*.service; do
		line=$(systemd-analyze security --offline=true "$u" 2>&1 | grep 'Overall exposure level') ||
			fail "no exposure level for $u"
		[[ $line =~ exposure\ level\ for\ [^:]+:\ ([0-9]+\.[0-9]) ]] || fail "cannot read: $line"
		level=${BASH_REMATCH[1]}
		echo "# ${u##*/}: $level"
		awk -v l="$level" 'BEGIN { exit !(l <= 2.0) }' || fail "${u##*/}: exposure $level is above 2.0"
		n=$((n + 1))
	done
	((n >= 3)) || fail "expected at least 3 services in units/, found $n"
}
