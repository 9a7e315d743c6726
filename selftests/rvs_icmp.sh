#!/usr/bin/env bash
# ICMP errors through the balancer, on ip_vs (the reference) then on rvs.
# NAT: UDP to a real-server port where no one listens: the server's port unreachable reaches the
# client translated (from the VIP, about the VIP's port), so the client's connected socket gets
# ECONNREFUSED; IPv4 and IPv6 (a raw socket in the client sees the ICMP's addresses).
# Tunnel and path MTU: a TCP upload through an IPv4 tunnel service with 1500-byte links all
# along: full-size DF segments plus the 20-byte outer header exceed the director's MTU, the
# client gets fragmentation-needed (MTU 1480), learns the path MTU and the transfer completes.
. "$(dirname "$0")/lib.sh"

nat_topology ic 1
# A tunnel real server on the client's LAN, answering the client directly.
topo_ns ic_t
lan_port ic_sw br0 ic_t eth0 10.0.1.11/24
real_server_vip ic_t $NAT_VIP4/32
topo_apply || finish
serve ic_t rst 82
serve_wait rst

icmp() {
	local d=ic_d a c vip rip out line want conns
	cfg_rules $d "-A -u $NAT_VIP4:81 -s rr
-a -u $NAT_VIP4:81 -r $(nat_rip4 1):9 -m
-A -u [$NAT_VIP6]:81 -s rr
-a -u [$NAT_VIP6]:81 -r [$(nat_rip6 1)]:9 -m
-A -t $NAT_VIP4:82 -s rr
-a -t $NAT_VIP4:82 -r 10.0.1.11:82 -i" || return
	ip -n ic_c route flush cache
	check "tunnel: the client knows no path MTU before" bash -c "! ip -n ic_c route get $NAT_VIP4 | grep -q mtu"

	out=$(net ic_c icmp $NAT_VIP4 81 -- icmp $NAT_VIP6 81 -- tcp $NAT_VIP4 82 262144)
	log_block "$out"
	conns=$(lb_file $d _conn)
	for a in 4 6; do
		[ $a = 4 ] && vip=$NAT_VIP4 c=$NAT_C4 rip=$(nat_rip4 1) || vip=$NAT_VIP6 c=$NAT_C6 rip=$(nat_rip6 1)
		read -r line
		want="error=ECONNREFUSED icmp_src=$vip inner_dst=$vip inner_dport=81"
		expect_eq "IPv$a: the port unreachable reaches the client, from the VIP, about VIP:81" "$want" "$line"
		observe "IPv$a port unreachable at the client" "$line"
		check "IPv$a: ${LB_PROC}_conn has the UDP entry client -> VIP:81 -> RIP:9" \
			has_line "$conns" "$(conn_re UDP $c $vip 81 $rip 9 UDP)"
	done <<<"$out"

	line=${out##*$'\n'}
	check "tunnel: 256 KiB reach the server intact" [ "$(word server_sha "$line")" = ok ]
	check "tunnel: the echo comes back intact" [ "$(word echo "$line")" = ok ]
	out=$(ip -n ic_c route get $NAT_VIP4)
	log_block "$out"
	[[ $out =~ mtu\ [0-9]+ ]] && out=${BASH_REMATCH[0]} || out="no mtu"
	expect_eq "tunnel: the client learnt the path MTU, 1500 - 20" "mtu 1480" "$out"
	observe "tunnel: path MTU learnt by the client" "$out"
	lb_stats $d
	expect_eq "tunnel: the service counted the connection" 1 "$(set -- ${STATS[TCP $NAT_VIP4:82]:-x}; echo $1)"
	ip -n ic_c route flush cache
	cfg $d -C
}

lb_both icmp
finish
