#!/usr/bin/env bash
# NAT (-m) for TCP and UDP over IPv4 and IPv6, run on ip_vs (the reference) then on rvs in one
# topology: a client, a director (VIPs on a dummy, forwarding) and two real servers on their own
# subnet routed through the director. VIP:80 is served by RIP:8080: byte-verified transfers both
# ways, the servers see the client's own address, the replies come from the VIP (connected
# sockets), and the balancer's connection table, -Lnc and --stats show it did the work.
. "$(dirname "$0")/lib.sh"

C4=$NAT_C4 C6=$NAT_C6 VIP4=$NAT_VIP4 VIP6=$NAT_VIP6
nat_topology nat 2
topo_apply || finish
serve nat_r1 rs1 8080
serve nat_r2 rs2 8080
serve_wait rs1 rs2

nat() {
	local d=nat_d p a c vip out line conns st
	cfg_rules $d "$(for p in -t -u; do
		for vip in $VIP4 "[$VIP6]"; do echo "-A $p $vip:80 -s rr"; done
		for a in 1 2; do
			echo "-a $p $VIP4:80 -r $(nat_rip4 $a):8080 -m"
			echo "-a $p [$VIP6]:80 -r [$(nat_rip6 $a)]:8080 -m"
		done
	done)" || return
	out=$(lb_file $d)
	check "$LB_PROC lists the IPv4 TCP service" has_line "$out" "^TCP  $(hexaddr $VIP4):0050 rr"
	check "$LB_PROC lists the IPv6 UDP service" has_line "$out" "^UDP  \[$(hexaddr $VIP6)\]:0050 rr"
	expect_eq "$LB_PROC lists the IPv4 real servers as Masq to port 8080, weight 1" 4 \
		"$(count_lines "$out" "^  -> 0A00020[BC]:1F90 +Masq +1 ")"

	out=$(net nat_c tcp $VIP4 80 262144 -- udp $VIP4 80 3 -- tcp $VIP6 80 262144 -- udp $VIP6 80 3)
	log_block "$out"
	for a in 4 6; do
		[ $a = 4 ] && c=$C4 || c=$C6
		read -r line
		check "TCP IPv$a: 256 KiB reach a server intact (its sha256)" [ "$(word server_sha "$line")" = ok ]
		check "TCP IPv$a: the server's echo comes back intact" [ "$(word echo "$line")" = ok ]
		expect_eq "TCP IPv$a: the server sees the client's address" $c "$(word peer "$line")"
		check "TCP IPv$a: the server logged the transfer, from the client, with the same sha256" \
			has_line "$(<"$TDIR/$(word name "$line").log")" "^tcp $(word name "$line") $c 262144 $(word sha "$line")\$"
		observe "TCP IPv$a transfer" "peer=$(word peer "$line") server_sha=$(word server_sha "$line") echo=$(word echo "$line")"
		read -r line
		check "UDP IPv$a: 3 answers from VIP:80 (a connected socket), echoing the request" [ "$(word echo "$line")" = ok ]
		expect_eq "UDP IPv$a: the server sees the client's address" $c "$(word peer "$line")"
		observe "UDP IPv$a exchange" "peer=$(word peer "$line") echo=$(word echo "$line")"
	done <<<"$out"

	# A connection held open: ESTABLISHED; the finished transfer: TIME_WAIT; UDP: UDP.
	hold_start nat_c $VIP4 80 1 $VIP6 80 1
	log_block "$HOLD_OUT"
	conns=$(lb_file $d _conn)
	log_block "$conns"
	for a in 4 6; do
		[ $a = 4 ] && vip=$VIP4 c=$C4 || vip=$VIP6 c=$C6
		st="$(conn_states "$conns" TCP $c $vip 80 '*' 8080) / $(conn_states "$conns" UDP $c $vip 80 '*' 8080)"
		expect_eq "${LB_PROC}_conn: IPv$a client -> VIP:80 -> RIP:8080: TCP held and finished / UDP" \
			"ESTABLISHED TIME_WAIT / UDP" "$st"
		observe "IPv$a connection states" "$st"
	done
	out=$(adm $d -Lnc)
	log_block "$out"
	check "$ADM -Lnc: the held IPv4 connection, ESTABLISHED" \
		has_line "$out" "^TCP +[0-9]+:[0-9]+ +ESTABLISHED +$C4:[0-9]+ +$VIP4:80 +10\.0\.2\.1[12]:8080\$"
	check "$ADM -Lnc: the IPv4 UDP entry" \
		has_line "$out" "^UDP +[0-9]+:[0-9]+ +UDP +$C4:[0-9]+ +$VIP4:80 +10\.0\.2\.1[12]:8080\$"
	check "$ADM -Lnc: the held IPv6 connection, ESTABLISHED" \
		has_line "$out" "^TCP +[0-9]+:[0-9]+ +ESTABLISHED +\[$C6\]:[0-9]+ +\[$VIP6\]:80 +\[fd00:2::1[12]\]:8080\$"
	hold_ping
	log_block "$HOLD_OUT"
	expect_eq "the held connections answer" 2 "$(count_lines "$HOLD_OUT" ' ok$')"
	hold_stop

	lb_stats $d
	for p in TCP UDP; do
		for a in $VIP4:80 "[$VIP6]:80"; do
			log "  $ADM -Ln --stats $p $a: ${STATS[$p $a]:-}"
			set -- ${STATS[$p $a]:-} x x x x x
			check "--stats $p $a: Conns, InPkts and OutPkts moved" test "$1" -gt 0 -a "$2" -gt 0 -a "$3" -gt 0
		done
	done
	set -- ${STATS[TCP $VIP4:80]:-} x x x x x
	check "--stats: the IPv4 TCP service counted 2 connections and over 256 KiB each way" \
		test "$1" = 2 -a "$4" -gt 262144 -a "$5" -gt 262144
	out=$(lb_file $d _stats)
	log_block "$out"
	{ read -r; read -r; read -r c _; } <<<"$out"
	expect_eq "${LB_PROC}_stats: 6 connections in all" 6 "$((16#${c:-0}))"
	cfg $d -C
}

lb_both nat
finish
