#!/usr/bin/env bash
# `make bench`, inside the guest (tools/guest.sh): rvs against ip_vs, and both against plain IP
# forwarding through the same director (no balancer: the ceiling), on one NAT topology
# (tools/topology.sh: client - director - one real server; TCP). A benchmark, not a test: it
# prints figures and asserts nothing about them. It fails only when traffic did not flow, or
# did not go through the balancer a figure is for.
#
#   tools/bench.sh [-r ROUNDS] [-t SECONDS] [-p PARALLEL]
#
# A round runs plain, rvs and ip_vs in turn; there are ROUNDS rounds (default 3) and the table
# gives the medians. Each run measures:
# - new TCP connections per second: PARALLEL client processes (default 2) each open short
#   connections in turn for SECONDS (default 3) against a server that answers and closes;
# - one iperf3 TCP stream for SECONDS: Gbit/s, and packets per second as the director's
#   client-side interface counts them (rx + tx; a GSO/GRO packet counts once);
# and, for the balancers, bytes per connection entry: the object size of the slab cache
# (rvs_conn, ip_vs_conn). Only the balancer of a run is loaded: rvs.ko is unloaded for the
# plain and ip_vs runs, ip_vs for the plain and rvs runs. Each balancer run is checked
# through the balancer's own counters (ADM -Ln --stats). Before each run a fixed shell loop is
# timed ("probe"): on a shared machine it shows when the guest itself ran slower.
here=$(dirname "$0")
# shellcheck source=selftests/lib.sh
. "$here/../selftests/lib.sh"
# shellcheck source=tools/topology.sh
. "$here/topology.sh"

ROUNDS=3 SECS=3 PAR=2
while getopts r:t:p: o; do
	case $o in
	r) ROUNDS=$OPTARG ;;
	t) SECS=$OPTARG ;;
	p) PAR=$OPTARG ;;
	*) echo "usage: tools/bench.sh [-r ROUNDS] [-t SECONDS] [-p PARALLEL]" >&2; exit 2 ;;
	esac
done

P=bench                        # namespaces bench_c, bench_d, bench_r1
RIP=$(nat_rip4 1)
VIP=$NAT_VIP4
CPORT=8080                     # the connection server's port (VIP:80 -> RIP:8080)
IPORT=5201                     # iperf3's (VIP:5201 -> RIP:5201)
RESULTS=$TDIR/results          # "MODE METRIC VALUE" lines, one per run and metric
BAD=0                          # runs whose traffic did not flow or was not balanced

die() {
	echo "bench: $*" >&2
	exit 1
}
note() { echo "  note: $*"; }

# loaded MODULE: whether MODULE is loaded (no process: /proc/modules read by the shell).
loaded() {
	local m rest
	while read -r m rest; do [ "$m" = "$1" ] && return 0; done </proc/modules
	return 1
}
# use_balancer none|rvs|ipvs: only that balancer loaded (or none). If rvs.ko cannot be
# unloaded, it stays loaded with no service (it then passes every packet) and the table says so.
RVS_STAYS=
use_balancer() {
	if [ "$1" != rvs ] && loaded rvs && [ -z "$RVS_STAYS" ]; then
		rmmod rvs || { RVS_STAYS=1; note "rmmod rvs failed: rvs.ko stays loaded, with no service, for the plain and ip_vs runs"; }
	fi
	if [ "$1" != ipvs ] && loaded ip_vs; then
		modprobe -r ip_vs_rr ip_vs || note "modprobe -r ip_vs failed: ip_vs stays loaded, with no service"
	fi
	case $1 in
	rvs) loaded rvs || insmod "$RVS_KO" || die "insmod $RVS_KO failed" ;;
	ipvs) loaded ip_vs_rr || modprobe -a ip_vs ip_vs_rr || die "modprobe ip_vs ip_vs_rr failed" ;;
	esac
}

# Counters of the director's client-side interface: read by the shell from /proc/PID/net/dev
# of a process that lives in the director's namespace (a `sleep`), so sampling costs nothing.
DEV_PKTS=0
dev_packets() { # -> DEV_PKTS: eth0's rx + tx packets
	local line f
	while read -r line; do
		read -ra f <<<"${line/:/ }" # name, 8 rx fields (bytes, packets, ...), 8 tx fields
		[ "${f[0]}" = eth0 ] && { DEV_PKTS=$((f[2] + f[10])); return 0; }
	done <"/proc/$DIRECTOR_PID/net/dev"
	return 1
}

# probe: PROBE_MS, the milliseconds a fixed shell loop takes: the guest's speed just before a
# run. The machine may be shared (other guests, builds): runs whose probes differ much were
# not measured on an equally fast CPU.
PROBE_MS=0
probe() {
	local i t=${EPOCHREALTIME/./}
	for ((i = 0; i < 20000; i++)); do :; done
	PROBE_MS=$(((${EPOCHREALTIME/./} - t) / 1000))
	echo "$PROBE_MS" >>"$TDIR/probes"
}

# The connection-rate client: PAR processes (forked by one python3), each opening connections
# to HOST:PORT in turn for SECS and reading the answer up to the server's close (_socket: see
# tools/topology.sh).
# Prints "rate=CONNS_PER_S conns=N errors=E".
CONN_PY='
import _socket as S, os, sys, time
host, port, secs, par = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
def worker(w):
    ok = err = 0
    t0 = time.monotonic()
    end = t0 + secs
    while time.monotonic() < end:
        s = S.socket(S.AF_INET, S.SOCK_STREAM)
        try:
            s.settimeout(1)
            s.connect((host, port))
            while s.recv(100):
                pass
            ok += 1
        except OSError:
            err += 1
        finally:
            s.close()
    os.write(w, f"{ok} {err} {time.monotonic() - t0}\n".encode())
pipes = []
for _ in range(par):
    r, w = os.pipe()
    if os.fork() == 0:
        os.close(r)
        worker(w)
        os._exit(0)
    os.close(w)
    pipes.append(r)
ok = err = 0
rate = 0.0
for r in pipes:
    a, b, t = os.read(r, 100).split()
    ok, err, rate = ok + int(a), err + int(b), rate + int(a) / float(t)
    os.wait()
print(f"rate={rate:.0f} conns={ok} errors={err}")
'

# lb_config: the services of the balancer in use (ADM), from one ADM -R.
lb_config() {
	printf '%s\n' "-A -t $VIP:80 -s rr" "-a -t $VIP:80 -r $RIP:$CPORT -m" \
		"-A -t $VIP:$IPORT -s rr" "-a -t $VIP:$IPORT -r $RIP:$IPORT -m" |
		ip netns exec ${P}_d "$ADM" -R
}

# run ROUND MODE: one run (plain, rvs or ipvs); its figures go to $RESULTS.
run() {
	local round=$1 mode=$2 target=$VIP port=80 out w rate conns errs p0 p1 json gbit pps stats c1 c2 tag=
	case $mode in
	plain) use_balancer none; target=$RIP port=$CPORT ;;
	rvs) use_balancer rvs; lb_use rvs ;;
	ipvs) use_balancer ipvs; lb_use ipvs ;;
	esac
	if [ "$mode" != plain ]; then
		lb_config || die "$ADM -R failed"
		# rvs's connection entries exist while it is loaded: its slab cache's object size.
		slab_bytes "$mode"
	fi
	probe
	out=$(timeout $((SECS * 3 + 30)) ip netns exec ${P}_c /usr/bin/python3 -S -c "$CONN_PY" "$target" $port "$SECS" "$PAR")
	local -A got=() # the client's words, without a process each
	for w in $out; do got[${w%%=*}]=${w#*=}; done
	rate=${got[rate]:-0} conns=${got[conns]:-0} errs=${got[errors]:-?}
	dev_packets
	p0=$DEV_PKTS
	json=$(timeout $((SECS + 30)) ip netns exec ${P}_c iperf3 -c "$target" -p $IPORT -t "$SECS" -J --connect-timeout 3000)
	dev_packets
	p1=$DEV_PKTS
	# Gbit/s and packets/s over the stream's own duration.
	read -r gbit pps < <(jq -r --argjson d $((p1 - p0)) 'if .error then "0 0" else .end.sum_received |
		"\(.bits_per_second / 1e9) \(if .seconds > 0 then $d / .seconds | floor else 0 end)" end' <<<"$json" 2>/dev/null)
	# Did it flow, and through the balancer meant?
	if [ "${conns:-0}" = 0 ] || [ "${pps:-0}" = 0 ]; then
		tag=" !! traffic did not flow"
		BAD=$((BAD + 1))
	fi
	if [ "$mode" != plain ]; then
		stats=$(ip netns exec ${P}_d "$ADM" -Ln --stats --exact)
		read -r c1 c2 < <(awk -v a="$VIP:80" -v b="$VIP:$IPORT" '$1 == "TCP" && $2 == a { x = $3 }
			$1 == "TCP" && $2 == b { y = $3 } END { print x + 0, y + 0 }' <<<"$stats")
		tag+=" | $ADM counted ${c1:-0} conns on VIP:80, ${c2:-0} on VIP:$IPORT"
		if [ "${c1:-0}" -lt "${conns:-0}" ] || [ "${c2:-0}" = 0 ]; then
			tag+=" !! not all through $LB"
			BAD=$((BAD + 1))
		fi
		ip netns exec ${P}_d "$ADM" -C
	fi
	printf '  round %d %-5s probe %4d ms  %7s conn/s (%s conns, %s failed)  %6.3f Gbit/s  %8s pkt/s%s\n' \
		"$round" "$mode" "$PROBE_MS" "${rate:-0}" "${conns:-0}" "${errs:-?}" "${gbit:-0}" "${pps:-0}" "$tag"
	printf '%s\n' "$mode conn ${rate:-0}" "$mode gbit ${gbit:-0}" "$mode pps ${pps:-0}" >>"$RESULTS"
}

# slab_bytes rvs|ipvs: the balancer's connection-entry slab cache: object size (and the bytes
# each object takes in its slab, metadata and alignment included). Once per balancer.
declare -A SLAB_SEEN=()
slab_bytes() {
	local cache=rvs_conn d obj slab aliases=0
	[ "$1" = ipvs ] && cache=ip_vs_conn
	[ -n "${SLAB_SEEN[$1]+set}" ] && return
	SLAB_SEEN[$1]=1
	d=/sys/kernel/slab/$cache
	if [ -r "$d/object_size" ]; then
		read -r obj <"$d/object_size"
		read -r slab <"$d/slab_size"
		read -r aliases <"$d/aliases"
	elif [ -r /proc/slabinfo ]; then
		read -r obj slab < <(awk -v c="$cache" '$1 == c { print $4, $4 }' /proc/slabinfo)
	fi
	if [ -z "$obj" ]; then
		echo "$1 entry n/a" >>"$RESULTS"
		SLAB_NOTE+="  $cache: no /sys/kernel/slab nor /proc/slabinfo in this kernel (SLUB_TINY?)"$'\n'
		return
	fi
	echo "$1 entry $obj" >>"$RESULTS"
	SLAB_NOTE+="  $cache: object_size $obj bytes, $slab bytes per object in its slab"
	[ "$aliases" -gt 0 ] && SLAB_NOTE+=" (cache merged with $aliases other(s): the largest object size counts)"
	SLAB_NOTE+=$'\n'
}
SLAB_NOTE=

# ---------------------------------------------------------------------------------------------
t0=$EPOCHREALTIME
case ${RVS_FLAVOUR:-} in
debug) kern="debug flavour (KASAN, lockdep, kmemleak...: far slower than a production kernel)" ;;
base) kern="base flavour (no debug options)" ;;
*) kern="flavour unknown (RVS_FLAVOUR unset)" ;;
esac
[ "${RVS_FLAVOUR:-}" = base ] && [ -e /proc/lockdep ] && kern+=", yet lockdep is on"
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
if [ "${RVS_GUEST_KVM:-0}" = 1 ]; then virt="KVM"; else virt="software-emulated CPU (TCG): figures far below the host's"; fi
echo "### rvs benchmark: plain forwarding, rvs and ip_vs on one NAT topology (TCP)"
echo "  kernel $(uname -r), $kern"
echo "  $(nproc) vCPUs, $cpu, $virt"
echo "  $ROUNDS rounds of plain, rvs, ip_vs; $SECS s per measurement; $PAR connection clients in parallel"
echo "  client $NAT_C4 -> director (VIP $VIP:80 and :$IPORT, NAT) -> real server $RIP:$CPORT and :$IPORT"
echo "  plain: the client talks to $RIP directly, routed by the same director, no balancer loaded"
echo

fast_nat_topology $P 1 || die "could not build the topology"
# More client ports than the default 28232: a run may open tens of thousands of connections.
ip netns exec ${P}_c sysctl -qw net.ipv4.ip_local_port_range="1024 65535"
name_servers_start ${P}_r1:rs1 $CPORT || die "could not start the server"
ip netns exec ${P}_r1 iperf3 -s -p $IPORT >/dev/null 2>&1 &
BG_PIDS+=($!)
ip netns exec ${P}_d sleep 1000000 &
DIRECTOR_PID=$!
BG_PIDS+=($!)
name_servers_wait || die "the connection server did not start"
# The sleep must be in the director's namespace by now: its view has vip0.
grep -q vip0 "/proc/$DIRECTOR_PID/net/dev" || die "no process in the director's namespace to read counters from"

# A warm-up, not measured: neighbours resolved, programs and their libraries in the page cache.
timeout 30 ip netns exec ${P}_c /usr/bin/python3 -S -c "$CONN_PY" "$RIP" $CPORT 0.5 1 >/dev/null
timeout 30 ip netns exec ${P}_c iperf3 -c "$RIP" -p $IPORT -t 1 --connect-timeout 3000 >/dev/null

echo "### runs"
for ((r = 1; r <= ROUNDS; r++)); do
	for mode in plain rvs ipvs; do run $r $mode; done
done
use_balancer none
echo

# The table: medians over the rounds, ratios rvs/ip_vs and rvs/plain.
echo "### results (medians of $ROUNDS rounds; kernel: ${RVS_FLAVOUR:-unknown} flavour)"
awk '
	function median(k,    n, i, j, t, v) {
		n = split(vals[k], v, " ")
		if (n == 0 || v[1] == "n/a") return ""
		for (i = 2; i <= n; i++) { t = v[i]; for (j = i - 1; j >= 1 && v[j] + 0 > t + 0; j--) v[j + 1] = v[j]; v[j + 1] = t }
		return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
	}
	function cell(x, fmt) { return x == "" ? "-" : sprintf(fmt, x) }
	function ratio(a, b) { return (a == "" || b == "" || b + 0 == 0) ? "-" : sprintf("%.2f", a / b) }
	{ vals[$1 " " $2] = vals[$1 " " $2] (vals[$1 " " $2] == "" ? "" : " ") $3 }
	END {
		printf "  %-34s %10s %10s %10s %10s %10s\n", "", "plain", "rvs", "ip_vs", "rvs/ip_vs", "rvs/plain"
		split("conn gbit pps entry", m, " ")
		name["conn"] = "new TCP connections/s"; fmt["conn"] = "%.0f"
		name["gbit"] = "iperf3 TCP stream, Gbit/s"; fmt["gbit"] = "%.3f"
		name["pps"] = "packets/s through the director"; fmt["pps"] = "%.0f"
		name["entry"] = "bytes per connection entry"; fmt["entry"] = "%.0f"
		for (i = 1; i <= 4; i++) {
			k = m[i]; p = median("plain " k); r = median("rvs " k); v = median("ipvs " k)
			printf "  %-34s %10s %10s %10s %10s %10s\n", name[k], cell(p, fmt[k]), cell(r, fmt[k]), cell(v, fmt[k]), ratio(r, v), ratio(r, p)
		}
	}' "$RESULTS"
printf '%s' "$SLAB_NOTE"
awk '{ if (NR == 1 || $1 < lo) lo = $1; if ($1 > hi) hi = $1 }
	END { if (lo > 0) printf "  speed probe (a fixed shell loop before each run): %d..%d ms%s\n", lo, hi,
		(hi > lo * 1.3 ? ": the guest did not run equally fast in every run (load on the host?): noisy figures" : "") }' "$TDIR/probes"
[ -n "$RVS_STAYS" ] && echo "  (rvs.ko could not be unloaded: it stayed loaded, with no service, in the plain and ip_vs runs)"
echo "  took $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }') s"
[ $BAD = 0 ] || die "$BAD run(s) did not flow or did not go through their balancer (see !! above)"
exit 0
