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
# Background processes a test started (servers, clients): killed on exit.
BG_PIDS=()
kill_bg() {
	local p
	for p in "${BG_PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${BG_PIDS[@]}"; do wait "$p" 2>/dev/null; done
	BG_PIDS=()
}
# A scratch directory for one test; removed on exit.
TDIR=$(mktemp -d)
cleanup() {
	kill_bg
	cleanup_ns
	rm -rf "$TDIR"
}
trap cleanup EXIT

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

# ---------------------------------------------------------------------------------------------
# Data-path tests. In the emulated debug guest every program started costs 0.3-1 s, so the
# helpers below start few: topologies are built by one `ip -batch` per namespace, balancers are
# configured by one `-R`, clients do several things per process, and output is parsed by bash.

# A topology is described, then built by topo_apply: topo_ns NAME... queues namespaces (removed
# on exit); ipb NS CMD... queues an ip command to run in NS ("-" for the initial namespace);
# sysctl_in NS PATH=VALUE... queues sysctls (paths under /proc/sys, dots or slashes).
declare -A IPB=() SYSCTL=()
IPB_ROOT=
topo_ns() {
	local n
	for n in "$@"; do
		IPB_ROOT+="netns add $n"$'\n'
		IPB[$n]+="link set lo up"$'\n'
		NETNS+=("$n")
	done
}
ipb() {
	local ns=$1
	shift
	if [ "$ns" = - ]; then IPB_ROOT+="$*"$'\n'; else IPB[$ns]+="$*"$'\n'; fi
}
sysctl_in() {
	local ns=$1 kv k
	shift
	for kv in "$@"; do
		k=${kv%%=*}
		SYSCTL[$ns]+="echo ${kv#*=} >/proc/sys/${k//.//}"$'\n'
	done
}
# topo_apply: builds what was queued; fails (with ip's message) when any command fails.
# serve, net, hold_start, adm, cfg and cfg_rules build what is still queued first (topo_flush),
# so a test may also use these helpers without calling topo_apply itself.
topo_flush() {
	[ -n "$IPB_ROOT" ] || [ ${#IPB[@]} -gt 0 ] || [ ${#SYSCTL[@]} -gt 0 ] || return 0
	checks=$((checks + 1))
	topo_apply || { failures=$((failures + 1)); return 1; }
}
topo_apply() {
	local ns rc=0
	if [ -n "$IPB_ROOT" ]; then ip -b - <<<"$IPB_ROOT" || rc=1; fi
	for ns in "${!IPB[@]}"; do ip -n "$ns" -b - <<<"${IPB[$ns]}" || rc=1; done
	for ns in "${!SYSCTL[@]}"; do ip netns exec "$ns" sh -ec "${SYSCTL[$ns]}" || rc=1; done
	IPB_ROOT= IPB=() SYSCTL=()
	[ $rc = 0 ] || log "FAIL: building the topology"
	return $rc
}

# addrs NS IF ADDR...: addresses on an interface; IPv6 ones without duplicate detection.
addrs() {
	local ns=$1 ifn=$2 a
	shift 2
	for a in "$@"; do
		case $a in
		*:*) ipb "$ns" addr add "$a" dev "$ifn" nodad ;;
		*) ipb "$ns" addr add "$a" dev "$ifn" ;;
		esac
	done
}
# lan NS BR [ADDR...]: a bridge (one L2 segment) in NS, up, with the addresses given.
lan() {
	local ns=$1 br=$2
	shift 2
	ipb "$ns" link add "$br" type bridge mcast_snooping 0
	ipb "$ns" link set "$br" up
	addrs "$ns" "$br" "$@"
}
# lan_port NS_BR BR NS IF [ADDR...]: NS joins bridge BR (in NS_BR) by a veth named IF in NS.
LAN_PORTS=0
lan_port() {
	local nsb=$1 br=$2 ns=$3 ifn=$4 port
	shift 4
	LAN_PORTS=$((LAN_PORTS + 1))
	port=lp$LAN_PORTS
	ipb - link add "$ifn" netns "$ns" type veth peer name "$port" netns "$nsb"
	ipb "$nsb" link set "$port" master "$br" up
	addrs "$ns" "$ifn" "$@"
	ipb "$ns" link set "$ifn" up
}
# vip NS ADDR...: the addresses on a dummy interface "vip0" of NS (a director's VIPs).
vip() {
	local ns=$1
	shift
	ipb "$ns" link add vip0 type dummy
	ipb "$ns" link set vip0 up
	addrs "$ns" vip0 "$@"
}
# real_server_vip NS ADDR...: a DR or tunnel real server: the VIPs on lo, no ARP answers for
# them, no reverse-path filter (on any interface), tunnel devices tunl0 and ip6tnl0 up.
real_server_vip() {
	local ns=$1
	shift
	addrs "$ns" lo "$@"
	ipb "$ns" link set tunl0 up
	ipb "$ns" link set ip6tnl0 up
	sysctl_in "$ns" net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2
	SYSCTL[$ns]+='for f in /proc/sys/net/ipv4/conf/*/rp_filter; do echo 0 >"$f"; done'$'\n'
}
# forwarding NS: a router (IPv4 and IPv6), sending no redirects.
forwarding() {
	sysctl_in "$1" net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
		net.ipv4.conf.all.send_redirects=0
}

# nat_topology P N: a client, a director and N real servers behind it, in namespaces
#   P_c   client, 10.0.1.2 fd00:1::2 on the client LAN (a bridge in P_sw, where more hosts may
#         join: lan_port P_sw br0 ...), default routes via the director;
#   P_d   director, 10.0.1.1 fd00:1::1 on the client LAN, 10.0.2.1 fd00:2::1 on the server
#         LAN (bridge br1), VIPs 10.0.10.100 and fd00:10::100 on a dummy, forwarding;
#   P_rI  real server I (1..N), 10.0.2.1I fd00:2::1I, default routes via the director.
# Queued: topo_apply builds it (after any additions).
NAT_C4=10.0.1.2 NAT_C6=fd00:1::2 NAT_VIP4=10.0.10.100 NAT_VIP6=fd00:10::100
nat_rip4() { echo "10.0.2.1$1"; }
nat_rip6() { echo "fd00:2::1$1"; }
nat_topology() {
	local p=$1 n=$2 i
	topo_ns "${p}_sw" "${p}_c" "${p}_d"
	lan "${p}_sw" br0
	lan_port "${p}_sw" br0 "${p}_c" eth0 $NAT_C4/24 $NAT_C6/64
	lan_port "${p}_sw" br0 "${p}_d" eth0 10.0.1.1/24 fd00:1::1/64
	lan "${p}_d" br1 10.0.2.1/24 fd00:2::1/64
	vip "${p}_d" $NAT_VIP4/32 $NAT_VIP6/128
	forwarding "${p}_d"
	ipb "${p}_c" route add default via 10.0.1.1
	ipb "${p}_c" route add ::/0 via fd00:1::1
	for ((i = 1; i <= n; i++)); do
		topo_ns "${p}_r$i"
		lan_port "${p}_d" br1 "${p}_r$i" eth0 "10.0.2.1$i/24" "fd00:2::1$i/64"
		ipb "${p}_r$i" route add default via 10.0.2.1
		ipb "${p}_r$i" route add ::/0 via fd00:2::1
	done
}

# Traffic: selftests/rvs_net.py (see its header) in a namespace.
RVS_NET=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/rvs_net.py
# net NS ACTION [-- ACTION...]: rvs_net.py client actions in NS, one process, at most 60 s;
# one output line per action.
net() {
	local ns=$1
	topo_flush
	shift
	timeout 60 ip netns exec "$ns" /usr/bin/python3 -I -S "$RVS_NET" "$@"
}
# serve NS NAME PORT...: rvs_net.py's TCP and UDP servers (IPv4 and IPv6) in NS, in the
# background; they log to $TDIR/NAME.log. serve_wait NAME... waits until they listen.
serve() {
	local ns=$1 name=$2
	topo_flush
	shift 2
	ip netns exec "$ns" /usr/bin/python3 -I -S "$RVS_NET" serve "$name" "$TDIR/$name.log" "$@" &
	BG_PIDS+=($!)
}
serve_wait() {
	local n i line
	for n in "$@"; do
		for ((i = 0; i < 200; i++)); do
			line=
			[ -f "$TDIR/$n.log" ] && read -r line <"$TDIR/$n.log"
			[ "$line" = "ready $n" ] && break
			sleep 0.1
		done
		[ "$line" = "ready $n" ] || log "server $n did not start"
	done
}
# hold_start NS HOST PORT K [HOST PORT K...]: long-lived TCP connections held by one client
# process in the background (one such process at a time); HOLD_OUT: its "held I NAME" lines.
# hold_ping: each connection sends a byte and waits for its echo; HOLD_OUT: "ping I NAME STATUS".
# hold_stop: the connections are closed. (Not in $(...): the client would go with the subshell.)
HOLD_OUT=
HOLD_PID_=
hold_start() {
	local ns=$1 line
	topo_flush
	shift
	HOLD_OUT=
	coproc HOLD { timeout 120 ip netns exec "$ns" /usr/bin/python3 -I -S "$RVS_NET" hold "$@" 2>&1; }
	HOLD_PID_=$HOLD_PID
	BG_PIDS+=("$HOLD_PID_")
	while read -r -t 20 -u "${HOLD[0]}" line; do
		[ "$line" = ready ] && return 0
		HOLD_OUT+="${HOLD_OUT:+$'\n'}$line"
	done
	return 1
}
hold_ping() {
	local line
	HOLD_OUT=
	echo ping >&"${HOLD[1]}"
	while read -r -t 20 -u "${HOLD[0]}" line; do
		[ "$line" = "done" ] && return 0
		HOLD_OUT+="${HOLD_OUT:+$'\n'}$line"
	done
	return 1
}
hold_stop() {
	[ -n "$HOLD_PID_" ] || return 0
	{ echo quit >&"${HOLD[1]}"; } 2>/dev/null
	wait "$HOLD_PID_" 2>/dev/null
	HOLD_PID_=
}
# word KEY LINE: the value of KEY=VALUE in LINE.
word() {
	local w
	for w in $2; do
		[ "${w%%=*}" = "$1" ] && { echo "${w#*=}"; return; }
	done
}
# has_line TEXT ERE: whether a line of TEXT matches ERE (bash's =~, no program started).
has_line() {
	local l
	while IFS= read -r l; do
		[[ $l =~ $2 ]] && return 0
	done <<<"$1"
	return 1
}
# count_lines TEXT ERE: how many lines of TEXT match ERE.
count_lines() {
	local l n=0
	while IFS= read -r l; do
		[[ $l =~ $2 ]] && n=$((n + 1))
	done <<<"$1"
	echo $n
}
# log_block TEXT: TEXT in the log, indented.
log_block() {
	local l
	while IFS= read -r l; do log "  | $l"; done <<<"$1"
}

# The balancer under test. Each data-path scenario is a function that drives "the balancer":
# lb_both runs it first on ip_vs with ipvsadm (the reference), then on rvs with rvsadm.
# RVS_SELFTEST_ONLY=ipvs|rvs runs one half only (while developing).
# In a scenario: ADM is the admin tool, LB_PROC the prefix of its /proc/net files (ip_vs|rvs),
# LB names the balancer (ipvs|rvs).
lb_use() {
	LB=$1
	case $1 in
	ipvs) ADM=ipvsadm LB_PROC=ip_vs ;;
	rvs) ADM=rvsadm LB_PROC=rvs ;;
	esac
}
lb_use rvs
lb_ipvs() {
	modprobe -a ip_vs ip_vs_rr ip_vs_wrr ip_vs_lc ip_vs_wlc 2>/dev/null
}
lb_both() {
	local only=${RVS_SELFTEST_ONLY:-} t0
	if [ "$only" != rvs ]; then
		t0=$SECONDS
		if lb_ipvs; then
			log "# modprobe of ip_vs and its schedulers: $((SECONDS - t0)) s"
			lb_use ipvs
			log "# $1 on ip_vs (the reference), with ipvsadm (at ${SECONDS} s)"
			t0=$SECONDS
			"$@"
			log "# $1 on ip_vs took $((SECONDS - t0)) s"
		else
			log "# ip_vs unavailable (modprobe failed): $1 runs on rvs with no reference"
		fi
	fi
	if [ "$only" != ipvs ]; then
		lb_use rvs
		log "# $1 on rvs, with rvsadm (at ${SECONDS} s)"
		t0=$SECONDS
		"$@"
		log "# $1 on rvs took $((SECONDS - t0)) s"
	fi
}
# adm NS ARGS...: the balancer's admin tool in NS.
adm() {
	local ns=$1
	topo_flush
	shift
	ip netns exec "$ns" "$ADM" "$@"
}
# cfg NS ARGS...: a configuration command that must succeed (a check); its output on failure.
cfg() {
	local ns=$1 out
	shift
	checks=$((checks + 1))
	if out=$(adm "$ns" "$@" 2>&1); then
		log "ok: $ADM $*"
	else
		log "FAIL: $ADM $*: $out"
		failures=$((failures + 1))
		return 1
	fi
}
# cfg_rules NS RULES: RULES (ipvsadm's arguments, one command a line) restored by ADM -R in
# NS; a check that fails with the tool's message.
cfg_rules() {
	local out
	topo_flush
	checks=$((checks + 1))
	if out=$(ip netns exec "$1" "$ADM" -R 2>&1 <<<"$2"); then
		log "ok: $ADM -R of $(count_lines "$2" .) rules"
	else
		log "FAIL: $ADM -R: $out"
		log_block "$2"
		failures=$((failures + 1))
		return 1
	fi
}
# observe KEY VALUE: on ip_vs, what the reference did; on rvs, the same is expected.
declare -A LB_REF=()
observe() {
	if [ "$LB" = ipvs ]; then
		LB_REF[$1]=$2
		log "  ip_vs: $1: $2"
	elif [ -n "${LB_REF[$1]+set}" ]; then
		expect_eq "rvs as ip_vs: $1" "${LB_REF[$1]}" "$2"
	else
		log "  rvs: $1: $2 (no ip_vs reference)"
	fi
}
# lb_file NS NAME: /proc/net/<ip_vs|rvs><NAME> as NS sees it (NAME: "", _conn, _stats).
lb_file() {
	ip netns exec "$1" cat "/proc/net/$LB_PROC${2:-}"
}
# lb_stats NS: STATS["PROTO VADDR:PORT"] and STATS["PROTO VADDR:PORT -> RADDR:PORT"] =
# "Conns InPkts OutPkts InBytes OutBytes" from ADM -Ln --stats --exact.
# ip_vs shows the counters its estimator last summed from the per-CPU ones, every 2 s: there,
# the table is read again 2.2 s later until two readings agree.
declare -A STATS=()
lb_stats() {
	local p a c i o ib ob svc='' text prev='' n
	for ((n = 0; n < 5; n++)); do
		text=$(adm "$1" -Ln --stats --exact)
		[ "$LB" != ipvs ] || [ "$text" = "$prev" ] && break
		prev=$text
		sleep 2.2
	done
	STATS=()
	while read -r p a c i o ib ob; do
		case $p in
		TCP | UDP | SCTP) svc="$p $a" STATS[$svc]="$c $i $o $ib $ob" ;;
		"->") [ -n "$svc" ] && STATS[$svc -> $a]="$c $i $o $ib $ob" ;;
		esac
	done <<<"$text"
}
# hexaddr ADDR: an address as /proc/net/ip_vs* print it (IPv4 %08X, IPv6 %pI6 in full).
hexaddr() {
	case $1 in
	*:*)
		local head=${1%%::*} tail='' g out=() n i
		[[ $1 == *::* ]] && tail=${1#*::}
		local -a h t
		IFS=: read -ra h <<<"$head"
		IFS=: read -ra t <<<"$tail"
		[[ $1 == *::* ]] || t=()
		n=$((8 - ${#h[@]} - ${#t[@]}))
		for g in "${h[@]}"; do printf -v g %04x "0x$g"; out+=("$g"); done
		for ((i = 0; i < n; i++)); do out+=(0000); done
		for g in "${t[@]}"; do printf -v g %04x "0x$g"; out+=("$g"); done
		(IFS=:; echo "${out[*]}")
		;;
	*)
		local a b c d
		IFS=. read -r a b c d <<<"$1"
		printf '%02X%02X%02X%02X\n' "$a" "$b" "$c" "$d"
		;;
	esac
}
# conn_re PROTO CADDR VADDR VPORT DADDR DPORT STATE: an ERE for that line of /proc/net/*_conn
# (any client port; DADDR "*": any; STATE "*": any state).
conn_re() {
	local st d='[0-9A-Fa-f:]+'
	st=$(printf '%-11s ' "$7")
	[ "$7" = "*" ] && st='[A-Z_0-9]+ +'
	[ "$5" = "*" ] || d=$(hexaddr "$5")
	printf '^%-3s %s [0-9A-F]{4} %s %04X %s %04X %s' "$1" "$(hexaddr "$2")" "$(hexaddr "$3")" "$4" \
		"$d" "$6" "$st"
}
# conn_states TEXT PROTO CADDR VADDR VPORT DADDR DPORT: the states of the matching lines of a
# conn file, sorted, space-separated.
conn_states() {
	local text=$1 re l s out=()
	shift
	re=$(conn_re "$@" '*')
	while IFS= read -r l; do
		[[ $l =~ $re ]] || continue
		read -r _ _ _ _ _ _ _ s _ <<<"$l"
		[[ " ${out[*]} " == *" $s "* ]] || out+=("$s")
	done <<<"$text"
	sorted "${out[@]}"
}
# sorted WORD...: the words sorted, space-separated (a few words; no program started).
sorted() {
	local -a a=("$@")
	local i j t
	for ((i = 1; i < ${#a[@]}; i++)); do
		for ((j = i; j > 0; j--)); do
			[[ ${a[j - 1]} > ${a[j]} ]] || break
			t=${a[j]} a[j]=${a[j - 1]} a[j - 1]=$t
		done
	done
	echo "${a[*]}"
}
