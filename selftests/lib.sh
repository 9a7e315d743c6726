#!/usr/bin/env bash
# Helpers for rvs selftests; sourced. Tests exit 0 (pass), 1 (fail) or 4 (skip).
set -u
KSFT_SKIP=4
RVS_KO=${RVS_KO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/rvs.ko}
failures=0
checks=0

log() { echo "$*"; }
# check DESCRIPTION CMD...: run CMD, count a failure when it fails.
check() {
	local what=$1
	shift
	checks=$((checks + 1))
	if "$@"; then
		log "ok: $what"
	else
		log "FAIL: $what"
		failures=$((failures + 1))
	fi
}
# expect_eq DESCRIPTION EXPECTED ACTUAL
expect_eq() {
	checks=$((checks + 1))
	if [ "$2" = "$3" ]; then
		log "ok: $1"
	else
		log "FAIL: $1"
		log "  expected: $(printf '%q' "$2")"
		log "  actual:   $(printf '%q' "$3")"
		failures=$((failures + 1))
	fi
}
finish() {
	log "$checks checks, $failures failed"
	[ "$failures" = 0 ] && [ "$checks" -gt 0 ]
	exit $?
}
rvs_loaded() { lsmod | grep -q '^rvs '; }
load_rvs() { rvs_loaded || insmod "$RVS_KO" "$@"; }
unload_rvs() { ! rvs_loaded || rmmod rvs; }

# Namespaces named for one test; removed on exit.
NETNS=()
new_ns() {
	ip netns add "$1"
	ip -n "$1" link set lo up
	NETNS+=("$1")
}
cleanup_ns() {
	local n
	for n in "${NETNS[@]}"; do ip netns del "$n" 2>/dev/null; done
	NETNS=()
}
trap cleanup_ns EXIT

# veth NS1 IF1 ADDR1 NS2 IF2 ADDR2: a link between two namespaces, IPv4/24 and IPv6/64.
veth() {
	ip link add "$2" netns "$1" type veth peer name "$5" netns "$4"
	ip -n "$1" addr add "$3" dev "$2"
	ip -n "$4" addr add "$6" dev "$5"
	ip -n "$1" link set "$2" up
	ip -n "$4" link set "$5" up
}

# The rvs hooks `nft list hooks` shows, as "family hook priority" lines.
rvs_hooks() {
	local ns=${1:-}
	local cmd=(nft list hooks)
	[ -n "$ns" ] && cmd=(ip netns exec "$ns" nft list hooks)
	"${cmd[@]}" | awk '
		/^family / { fam = $2 }
		/^\thook / { hook = $2 }
		/\[rvs\]/ { p = $1; sub(/^\+/, "", p); printf "%s %s %d\n", fam, hook, p }' | sort
}
