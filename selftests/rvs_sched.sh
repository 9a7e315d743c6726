#!/usr/bin/env bash
# Schedulers and real-server changes, on ip_vs (the reference) then on rvs: a NAT TCP service
# before three real servers that answer with their names, and one client process opening
# connections in turn. wrr 1:2:3 and rr shares; lc sends new connections to the idle server;
# weight 0 takes no new connections yet keeps its established one; a deleted real server takes
# no new connections and its established connection does what it does on ip_vs (there, with
# expire_nodest_conn=0, the director drops its packets).
# Each case has its own service port (80..84, all to RIP:8080), so no state carries over.
. "$(dirname "$0")/lib.sh"

VIP=$NAT_VIP4
R=("" "$(nat_rip4 1)" "$(nat_rip4 2)" "$(nat_rip4 3)")
nat_topology sc 3
topo_apply || finish
serve sc_r1 rs1 8080
serve sc_r2 rs2 8080
serve sc_r3 rs3 8080
serve_wait rs1 rs2 rs3

# within WANT GOT: |GOT - WANT| <= WANT / 10
within() {
	local d=$(($2 - $1))
	[ $((d < 0 ? -d : d)) -le $(($1 / 10)) ]
}
# dest_conns PORT: the Conns of each real server of VIP:PORT (from lb_stats), "rs1 rs2 rs3".
dest_conns() {
	local port=$1 i out=()
	for i in 1 2 3; do
		set -- ${STATS[TCP $VIP:$port -> ${R[$i]}:8080]:-0}
		out+=("$1")
	done
	echo "${out[*]}"
}

sched() {
	local d=sc_d out line i c held=()

	cfg_rules $d "-A -t $VIP:80 -s wrr
-a -t $VIP:80 -r ${R[1]}:8080 -m -w 1
-a -t $VIP:80 -r ${R[2]}:8080 -m -w 2
-a -t $VIP:80 -r ${R[3]}:8080 -m -w 3
-A -t $VIP:81 -s rr
-a -t $VIP:81 -r ${R[1]}:8080 -m
-a -t $VIP:81 -r ${R[2]}:8080 -m
-a -t $VIP:81 -r ${R[3]}:8080 -m
-A -t $VIP:82 -s lc
-a -t $VIP:82 -r ${R[1]}:8080 -m
-A -t $VIP:83 -s rr
-a -t $VIP:83 -r ${R[1]}:8080 -m
-a -t $VIP:83 -r ${R[2]}:8080 -m
-A -t $VIP:84 -s rr
-a -t $VIP:84 -r ${R[1]}:8080 -m
-a -t $VIP:84 -r ${R[2]}:8080 -m" || return

	# wrr, weights 1, 2, 3: 300 connections in shares of 1/6, 2/6, 3/6; rr: equal shares.
	# 8 connections at a time: they are scheduled in the order they come, all the same.
	out=$(net sc_c many $VIP 80 300 8 -- many $VIP 81 60 8)
	log_block "$out"
	{ read -r line; read -r out; } <<<"$out"
	expect_eq "wrr: every connection answered" 0 "$(word errors "$line")"
	for i in 1 2 3; do
		c=$(word rs$i "$line")
		check "wrr: rs$i (weight $i) served ${c:-0} of 300, within 10% of $((50 * i))" within $((50 * i)) "${c:-0}"
	done
	observe "wrr 1:2:3 shares of 300" "$line"
	expect_eq "rr: 20 of 60 connections each" "rs1=20 rs2=20 rs3=20 errors=0" "$out"
	lb_stats $d
	expect_eq "wrr: the service counted 300 connections" 300 "$(set -- ${STATS[TCP $VIP:80]:-x}; echo $1)"
	expect_eq "wrr: each real server's Conns is what the client saw" \
		"$(word rs1 "$line") $(word rs2 "$line") $(word rs3 "$line")" "$(dest_conns 80)"
	expect_eq "rr: each real server's Conns is what the client saw" "20 20 20" "$(dest_conns 81)"

	# lc: rs1 holds 3 connections; rs2, added then, takes the next 10.
	# Weight 0 and deletion: one held connection on each of rs1 and rs2 first.
	hold_start sc_c $VIP 82 3 $VIP 83 2 $VIP 84 2
	log_block "$HOLD_OUT"
	held=($(while read -r _ _ c; do echo "$c"; done <<<"$HOLD_OUT"))
	expect_eq "held: 3 on rs1 (lc, the only server), then one on each server twice (rr)" \
		"rs1 rs1 rs1 rs1 rs2 rs1 rs2" "${held[*]:0:3} $(sorted "${held[@]:3:2}") $(sorted "${held[@]:5:2}")"
	out=$(adm $d -Ln -t $VIP:82)
	check "lc: rs1 shows 3 active connections" has_line "$out" "^  -> ${R[1]}:8080 +Masq +1 +3 +0 *\$"
	cfg_rules $d "-a -t $VIP:82 -r ${R[2]}:8080 -m
-e -t $VIP:83 -r ${R[1]}:8080 -m -w 0
-d -t $VIP:84 -r ${R[1]}:8080" || { hold_stop; return; }
	out=$(net sc_c many $VIP 82 10 -- many $VIP 83 10 -- many $VIP 84 10)
	log_block "$out"
	expect_eq "lc: new connections go to the idle server; weight 0 and deleted: none to rs1" \
		"rs2=10 errors=0
rs2=10 errors=0
rs2=10 errors=0" "$out"
	observe "10 new connections each to lc, weight 0 and deleted" "${out//$'\n'/, }"
	hold_ping
	log_block "$HOLD_OUT"
	out=$(while read -r _ i c st; do echo -n "$c:$st "; done <<<"$HOLD_OUT")
	set -- $out
	expect_eq "lc: the held connections answer" "rs1:ok rs1:ok rs1:ok" "$1 $2 $3"
	expect_eq "weight 0: both established connections still answer" "rs1:ok rs2:ok" "$(sorted $4 $5)"
	check "delete: the remaining server's established connection answers" \
		[ "$6" = rs2:ok -o "$7" = rs2:ok ]
	observe "delete: the established connections" "$(sorted $6 $7)"
	hold_stop
	cfg $d -C
}

lb_both sched
finish
