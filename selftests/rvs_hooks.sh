#!/usr/bin/env bash
# rvs's hooks sit where the seed put ip_vs's, for IPv4 and IPv6, in every namespace.
. "$(dirname "$0")/lib.sh"

want=$(cat <<'W' | sort
ip forward 99
ip forward 100
ip input 100
ip postrouting 99
ip6 forward 99
ip6 forward 100
ip6 input 100
ip6 postrouting 99
W
)
expect_eq "hooks in the initial namespace" "$want" "$(rvs_hooks)"
nft list hooks | grep -B3 '\[rvs\]' | sed 's/^/  /'

new_ns rvs_hooks_a
expect_eq "hooks in a namespace created after loading" "$want" "$(rvs_hooks rvs_hooks_a)"

rmmod rvs
expect_eq "no hook after rmmod (initial namespace)" "" "$(rvs_hooks)"
expect_eq "no hook after rmmod (other namespace)" "" "$(rvs_hooks rvs_hooks_a)"

insmod "$RVS_KO"
expect_eq "hooks again in an existing namespace after reloading" "$want" "$(rvs_hooks rvs_hooks_a)"

# ip_vs on the same kernel, for reference: with a service, its hooks at its own priorities.
if modprobe ip_vs 2>/dev/null; then
	ipvsadm -A -t 10.9.9.9:80 -s rr
	log "ip_vs hooks for comparison:"
	nft list hooks | grep '\[ip_vs\]' | sed 's/^/  /'
	check "ip_vs and rvs are loaded side by side" bash -c "nft list hooks | grep -q '\[ip_vs\]'"
	ipvsadm -C
	modprobe -r ip_vs_rr ip_vs 2>/dev/null
fi
finish
