#!/usr/bin/env bash
# rmmod rvs while a TCP transfer and a UDP stream run through an rvs NAT service: the module
# goes (no BUG, WARNING or other report in the kernel log), /proc/net/rvs* with it, and the
# streams simply stop being balanced. rvs only; the harness loads rvs.ko again afterwards.
. "$(dirname "$0")/lib.sh"

nat_topology rl 2
topo_apply || finish
serve rl_r1 rs1 8080
serve rl_r2 rs2 8080
serve_wait rs1 rs2
lb_use rvs

live() {
	local d=rl_d i out line pid
	# An IPv6 service too, so both families' state goes with the module.
	cfg_rules $d "-A -t $NAT_VIP4:80 -s rr
-a -t $NAT_VIP4:80 -r $(nat_rip4 1):8080 -m
-a -t $NAT_VIP4:80 -r $(nat_rip4 2):8080 -m
-A -u $NAT_VIP4:80 -s rr
-a -u $NAT_VIP4:80 -r $(nat_rip4 1):8080 -m
-a -u $NAT_VIP4:80 -r $(nat_rip4 2):8080 -m
-A -t [$NAT_VIP6]:80 -s wlc
-a -t [$NAT_VIP6]:80 -r [$(nat_rip6 1)]:8080 -m" || return

	net rl_c tcp $NAT_VIP6 80 65536 -- stream $NAT_VIP4 80 30 >"$TDIR/stream" &
	pid=$!
	BG_PIDS+=($pid)
	for ((i = 0; i < 150; i++)); do
		out=
		[ -f "$TDIR/stream" ] && while read -r line; do out=$line; done <"$TDIR/stream"
		[[ $out == progress* ]] && [ "$(word tcp_echoed "$out")" -gt 65536 ] &&
			[ "$(word udp_recv "$out")" -gt 2 ] && break
		sleep 0.2
	done
	log_block "$(<"$TDIR/stream")"
	read -r line <"$TDIR/stream"
	check "an IPv6 transfer through the IPv6 service first" [ "$(word echo "$line")" = ok ]
	check "the TCP stream flows through the service" [ "$(word tcp_echoed "$out")" -gt 65536 ]
	check "the UDP stream flows through the service" [ "$(word udp_recv "$out")" -gt 2 ]
	out=$(lb_file $d _conn)
	log_block "$out"
	check "rvs_conn: the TCP stream, ESTABLISHED" has_line "$out" "$(conn_re TCP $NAT_C4 $NAT_VIP4 80 '*' 8080 ESTABLISHED)"
	check "rvs_conn: the UDP stream" has_line "$out" "$(conn_re UDP $NAT_C4 $NAT_VIP4 80 '*' 8080 UDP)"

	out=$(rmmod rvs 2>&1)
	expect_eq "rmmod rvs in the middle of the streams succeeds" "0 " "$? $out"
	check "rvs is no longer loaded" bash -c "! lsmod | grep -q '^rvs '"
	check "/proc/net/rvs and rvs_conn are gone (director's namespace)" \
		ip netns exec $d bash -c '! test -e /proc/net/rvs -o -e /proc/net/rvs_conn'
	check "/proc/net/rvs_stats is gone (initial namespace)" test ! -e /proc/net/rvs_stats
	check "rvsadm says rvs is not there" bash -c "! ip netns exec $d rvsadm -Ln >/dev/null 2>&1"
	for ((i = 0; i < 50; i++)); do
		kill -0 $pid 2>/dev/null || break
		sleep 0.1
	done
	kill $pid 2>/dev/null
	wait $pid 2>/dev/null
	out=
	while read -r line; do out=$line; done <"$TDIR/stream"
	log "  after rmmod: $out"
	# The stream breaks: a reset from the director's own stack, or (seen under load in CI) an
	# end of stream; either way nothing carries it to the real server any more.
	case $(word tcp "$out") in ECONNRESET | eof) ended=yes ;; *) ended=no ;; esac
	check "after rmmod the TCP stream is no longer balanced: it ends (reset or eof)" [ $ended = yes ]
	out=$(dmesg | grep -E 'BUG:|WARNING:|KASAN:|UBSAN:|Oops|general protection fault|suspicious RCU usage|possible (circular|recursive) locking|inconsistent lock state')
	expect_eq "no kernel report" "" "$out"
}

live
finish
