#!/usr/bin/env bash
# Load and unload rvs 20 times; each time everything rvs creates exists while loaded and is gone
# after rmmod. A bad load-time parameter fails the load and leaves nothing behind.
. "$(dirname "$0")/lib.sh"

present() {
	[ -e /proc/net/rvs ] && [ -e /proc/net/rvs_stats ] && [ -e /proc/net/rvs_conn ] &&
		[ -d /proc/sys/net/ipv4/rvs ] && grep -q '^rvs_conn ' /proc/slabinfo &&
		[ -n "$(rvs_hooks)" ]
}
absent() {
	[ ! -e /proc/net/rvs ] && [ ! -e /proc/net/rvs_stats ] && [ ! -e /proc/net/rvs_conn ] &&
		[ ! -e /proc/sys/net/ipv4/rvs ] && ! grep -q '^rvs_conn ' /proc/slabinfo &&
		[ -z "$(rvs_hooks)" ]
}

unload_rvs
ok_cycles=0
for i in $(seq 1 20); do
	insmod "$RVS_KO" || break
	present || { log "cycle $i: something is missing while loaded"; break; }
	rmmod rvs || break
	absent || { log "cycle $i: something is left after rmmod"; break; }
	ok_cycles=$i
done
expect_eq "20 load/unload cycles, everything present then gone" 20 "$ok_cycles"

# conn_tab_bits sizes the table; the size shows in /proc and the sysctl.
insmod "$RVS_KO" conn_tab_bits=10
expect_eq "conn_tab_bits=10 gives 1024 buckets (/proc)" "rvs version 0.1.0 (size=1024)" "$(head -1 /proc/net/rvs)"
expect_eq "conn_tab_bits=10 gives 1024 buckets (sysctl)" 1024 "$(cat /proc/sys/net/ipv4/rvs/conn_tab_size)"
rmmod rvs

for bits in 7 21 -1; do
	out=$(insmod "$RVS_KO" conn_tab_bits=$bits 2>&1)
	rc=$?
	check "conn_tab_bits=$bits is refused" [ $rc != 0 ]
	check "conn_tab_bits=$bits: insmod says Invalid argument" grep -q 'Invalid' <<<"$out"
	check "conn_tab_bits=$bits leaves nothing behind" absent
	check "conn_tab_bits=$bits is explained in the kernel log" \
		bash -c "dmesg | tail -5 | grep -q 'conn_tab_bits=$bits is outside 8..=20'"
done
finish
