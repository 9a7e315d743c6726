#!/usr/bin/env bash
# Direct routing (-g) and IP-in-IP tunnelling (-i) for TCP and UDP over IPv4 and IPv6, run on
# ip_vs (the reference) then on rvs, in upstream ipvs.sh's shape: client, director and two real
# servers on one L2 segment (a bridge), so the real servers answer the client directly. The real
# servers hold the VIPs on lo (arp_ignore=1, arp_announce=2, rp_filter=0; an IPv6 address on
# lo answers no neighbour solicitation) and decapsulate on tunl0 / ip6tnl0 (IPv6 in IPv6).
# The director's IPv4 VIP is on a dummy; its IPv6 VIP on its LAN interface (neighbour discovery
# answers only for the receiving interface's addresses), deprecated so that it is never the
# source of the director's own packets (a tunnel's outer source must not be the VIP, which is
# local to the real servers). VIP:80 is direct routing, VIP:81 the tunnel; the servers listen
# on both.
. "$(dirname "$0")/lib.sh"

C4=10.0.0.2 C6=fd00::2
VIP4=10.0.0.100 VIP6=fd00::100
R4=(10.0.0.11 10.0.0.12) R6=(fd00::11 fd00::12)

topo_ns dt_sw dt_c dt_d dt_r1 dt_r2
lan dt_sw br0
lan_port dt_sw br0 dt_c eth0 $C4/24 $C6/64
lan_port dt_sw br0 dt_d eth0 10.0.0.1/24 fd00::1/64
ipb dt_d addr add $VIP6/128 dev eth0 nodad preferred_lft 0
vip dt_d $VIP4/32
forwarding dt_d
for i in 0 1; do
	lan_port dt_sw br0 dt_r$((i + 1)) eth0 ${R4[$i]}/24 ${R6[$i]}/64
	real_server_vip dt_r$((i + 1)) $VIP4/32 $VIP6/128
done
topo_apply || finish
serve dt_r1 rs1 80 81
serve dt_r2 rs2 80 81
serve_wait rs1 rs2

# tunnel_rx: packets the real servers' tunnel devices received, "IPv4 IPv6" summed.
tunnel_rx() {
	local a b c d
	{ read -r a; read -r b; } < <(ip netns exec dt_r1 cat /sys/class/net/tunl0/statistics/rx_packets \
		/sys/class/net/ip6tnl0/statistics/rx_packets)
	{ read -r c; read -r d; } < <(ip netns exec dt_r2 cat /sys/class/net/tunl0/statistics/rx_packets \
		/sys/class/net/ip6tnl0/statistics/rx_packets)
	echo $((a + c)) $((b + d))
}

dr_tun() {
	local d=dt_d p i a c vip port method out line conns st rx0 rx1 acts=()
	cfg_rules $d "$(for p in -t -u; do
		for vip in $VIP4 "[$VIP6]"; do echo "-A $p $vip:80 -s rr"; echo "-A $p $vip:81 -s rr"; done
		for i in 0 1; do
			echo "-a $p $VIP4:80 -r ${R4[$i]}:80 -g"
			echo "-a $p $VIP4:81 -r ${R4[$i]}:81 -i"
			echo "-a $p [$VIP6]:80 -r [${R6[$i]}]:80 -g"
			echo "-a $p [$VIP6]:81 -r [${R6[$i]}]:81 -i"
		done
	done)" || return
	out=$(lb_file $d)
	expect_eq "$LB_PROC lists the real servers as Route and Tunnel" "8 8" \
		"$(count_lines "$out" ' Route ') $(count_lines "$out" ' Tunnel ')"
	rx0=$(tunnel_rx)

	for port in 80 81; do
		for vip in $VIP4 $VIP6; do
			acts+=(tcp $vip $port 262144 -- udp $vip $port 3 --)
		done
	done
	out=$(net dt_c "${acts[@]}")
	log_block "$out"
	for port in 80 81; do
		[ $port = 80 ] && method="direct routing" || method=tunnel
		for a in 4 6; do
			[ $a = 4 ] && c=$C4 || c=$C6
			read -r line
			check "$method TCP IPv$a: 256 KiB reach a server intact" [ "$(word server_sha "$line")" = ok ]
			check "$method TCP IPv$a: the echo comes back intact" [ "$(word echo "$line")" = ok ]
			expect_eq "$method TCP IPv$a: the server sees the client's address" $c "$(word peer "$line")"
			observe "$method TCP IPv$a transfer" "peer=$(word peer "$line") server_sha=$(word server_sha "$line") echo=$(word echo "$line")"
			read -r line
			check "$method UDP IPv$a: 3 answers from VIP:$port, echoing the request" [ "$(word echo "$line")" = ok ]
			expect_eq "$method UDP IPv$a: the server sees the client's address" $c "$(word peer "$line")"
			observe "$method UDP IPv$a exchange" "peer=$(word peer "$line") echo=$(word echo "$line")"
		done
	done <<<"$out"

	rx1=$(tunnel_rx)
	log "  packets the real servers' tunl0 and ip6tnl0 received: before $rx0, after $rx1"
	set -- $rx0 $rx1
	check "the tunnel service's IPv4 packets arrived encapsulated (tunl0)" [ $(($3 - $1)) -ge 10 ]
	check "the tunnel service's IPv6 packets arrived encapsulated (ip6tnl0)" [ $(($4 - $2)) -ge 10 ]

	conns=$(lb_file $d _conn)
	log_block "$conns"
	for port in 80 81; do
		for a in 4 6; do
			[ $a = 4 ] && vip=$VIP4 c=$C4 || vip=$VIP6 c=$C6
			st="$(conn_states "$conns" TCP $c $vip $port '*' $port) / $(conn_states "$conns" UDP $c $vip $port '*' $port)"
			check "${LB_PROC}_conn: IPv$a client -> VIP:$port -> RIP:$port, TCP and UDP" \
				[ "${st#* / }" = UDP -a "${st% / *}" != "" ]
			observe "IPv$a port $port connection states (TCP / UDP)" "$st"
		done
	done
	lb_stats $d
	for p in TCP UDP; do
		for vip in $VIP4 "[$VIP6]"; do
			for port in 80 81; do
				log "  $ADM -Ln --stats $p $vip:$port: ${STATS[$p $vip:$port]:-}"
				set -- ${STATS[$p $vip:$port]:-} x x x x x
				check "--stats $p $vip:$port: Conns and InPkts moved" test "$1" -gt 0 -a "$2" -gt 0
				check "--stats $p $vip:$port: (almost) no OutPkts: the servers answer the client directly" \
					test "$3" -lt 10
			done
		done
	done
	cfg $d -C
}

lb_both dr_tun
finish
