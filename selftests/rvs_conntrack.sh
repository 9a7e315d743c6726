#!/usr/bin/env bash
# With conntrack active and a masquerade rule on every interface of the director, what the
# balancer handled is not NATed again (rvs: its POST_ROUTING hook's job): the real server still
# sees the client's address and the client's connection to the VIP works. Traffic the balancer
# does not handle is masqueraded, which proves the rule is live. ip_vs: the same.
. "$(dirname "$0")/lib.sh"

for m in nf_conntrack nf_nat nft_masq nft_chain_nat; do modprobe "$m" 2>/dev/null; done
nat_topology ct 1
topo_apply || finish
if ! ip netns exec ct_d nft -f - <<'NFT'
table ip rvs_test {
	chain post {
		type nat hook postrouting priority srcnat;
		masquerade
	}
}
NFT
then
	log "nft masquerade unavailable: skip"
	exit "$KSFT_SKIP"
fi
serve ct_r1 rs1 8080
serve_wait rs1
rip=$(nat_rip4 1)

out=$(net ct_c tcp "$rip" 8080 4096)
log "  forwarded: $out"
check "control: forwarded traffic is masqueraded (the server sees the director)" \
	grep -q "peer=10.0.2.1 .*server_sha=ok echo=ok" <<<"$out"

scenario() {
	local out
	cfg ct_d -A -t "$NAT_VIP4:80" -s rr
	cfg ct_d -a -t "$NAT_VIP4:80" -r "$rip:8080" -m
	out=$(net ct_c tcp "$NAT_VIP4" 80 65536)
	log "  $ADM: $out"
	check "$ADM: NAT transfer through a masquerading director" \
		grep -q "server_sha=ok echo=ok" <<<"$out"
	check "$ADM: the real server sees the client, not the director" \
		grep -q "peer=$NAT_C4 " <<<"$out"
	lb_stats ct_d
	local conns=${STATS[TCP $NAT_VIP4:80]:-0}
	check "$ADM: the connection went through the balancer's service" [ "${conns%% *}" -ge 1 ]
	cfg ct_d -C
}
lb_both scenario
finish
