#!/usr/bin/env bash
# Every allocation of module init and of a namespace's creation is made to fail in turn: init
# undoes every earlier step (nothing of rvs remains after a failed load), namespace creation
# fails cleanly or yields a namespace with its rvs state, and the kernel log and kmemleak stay
# clean (checked by the harness).
. "$(dirname "$0")/lib.sh"
here=$(dirname "$0")

if [ ! -w /proc/thread-self/fail-nth ] || [ ! -d /sys/kernel/debug/failslab ]; then
	log "this kernel has no fault injection (CONFIG_FAULT_INJECTION, CONFIG_FAILSLAB)"
	exit "$KSFT_SKIP"
fi
absent='[ ! -e /proc/net/rvs ] && [ ! -e /proc/sys/net/ipv4/rvs ] && ! grep -q "^rvs_conn " /proc/slabinfo && [ -z "$(nft list hooks 2>/dev/null | grep "\[rvs\]")" ]'

unload_rvs
check "module init unwinds after any failed allocation" /usr/bin/python3 -u "$here/rvs_fault.py" "$RVS_KO" "bash -c '$absent'" load
check "after the storm rvs loads normally" insmod "$RVS_KO"
check "namespace creation with rvs loaded survives any failed allocation" \
	/usr/bin/python3 -u "$here/rvs_fault.py" "$RVS_KO" true netns
check "and rvs still answers" rvsadm -Ln
finish
