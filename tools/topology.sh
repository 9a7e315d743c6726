# shellcheck shell=bash
# The demo's and the benchmark's network, in the guest; sourced after selftests/lib.sh (whose
# namespace list, background-process list, scratch directory and cleanup on exit it uses).
#
# The same hosts and addresses as lib.sh's nat_topology, IPv4 only and built by a handful of
# processes: in the software-emulated debug guest every process costs about half a second
# (a python3 start several seconds), so nat_topology's ~50 `ip` commands and rvs_net.py's
# servers would take most of a minute.

# fast_nat_topology P N: a client, a director and N real servers, in namespaces
#   P_c   client, $NAT_C4 (10.0.1.2/24), default route via the director;
#   P_d   director, 10.0.1.1/24 on eth0 (to the client), 10.0.2.1/24 on bridge br1 (the
#         server LAN), VIP $NAT_VIP4 (10.0.10.100) on dummy vip0, net.ipv4.ip_forward=1;
#   P_rI  real server I (1..N), $(nat_rip4 I) (10.0.2.1I/24) on eth0, a port of br1,
#         default route via the director.
# (No $(...) here: in the emulated guest even a fork of the shell costs most of a second.)
fast_nat_topology() {
	local p=$1 n=$2 i
	NETNS+=("${p}_c" "${p}_d")
	for ((i = 1; i <= n; i++)); do NETNS+=("${p}_r$i"); done
	# Namespaces and links, from the initial namespace.
	local cmds="netns add ${p}_c"$'\n'"netns add ${p}_d"$'\n' ports=
	for ((i = 1; i <= n; i++)); do cmds+="netns add ${p}_r$i"$'\n'; done
	cmds+="link add eth0 netns ${p}_c type veth peer name eth0 netns ${p}_d"$'\n'
	for ((i = 1; i <= n; i++)); do cmds+="link add eth0 netns ${p}_r$i type veth peer name lp$i netns ${p}_d"$'\n'; done
	ip -batch - <<<"$cmds" || return
	# Each namespace's own configuration, one `ip -batch` each.
	for ((i = 1; i <= n; i++)); do ports+="link set lp$i master br1 up"$'\n'; done
	ip -n "${p}_d" -batch - <<-EOF || return
		link set lo up
		addr add 10.0.1.1/24 dev eth0
		link set eth0 up
		link add br1 type bridge mcast_snooping 0
		addr add 10.0.2.1/24 dev br1
		link set br1 up
		$ports
		link add vip0 type dummy
		addr add $NAT_VIP4/32 dev vip0
		link set vip0 up
	EOF
	ip -n "${p}_c" -batch - <<-EOF || return
		link set lo up
		addr add $NAT_C4/24 dev eth0
		link set eth0 up
		route add default via 10.0.1.1
	EOF
	for ((i = 1; i <= n; i++)); do
		ip -n "${p}_r$i" -batch - <<-EOF || return
			link set lo up
			addr add 10.0.2.1$i/24 dev eth0
			link set eth0 up
			route add default via 10.0.2.1
		EOF
	done
	ip netns exec "${p}_d" sysctl -qw net.ipv4.ip_forward=1
}

# A TCP server in one small python3 process: on PORT, it answers every connection with its
# NAME and a newline, and closes it. Says "ready NAME" on stdout once it listens.
# It uses _socket, the C module under `socket`: importing `socket` (enum, selectors, ...)
# would triple python3's start-up, seconds in the emulated guest. So do the clients.
NAME_SERVER_PY='
import _socket as S, sys
name, port = sys.argv[1], int(sys.argv[2])
s = S.socket(S.AF_INET, S.SOCK_STREAM)
s.setsockopt(S.SOL_SOCKET, S.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", port))
s.listen(1024)
print("ready", name, flush=True)
hello = name.encode() + b"\n"
while True:
    c = S.socket(fileno=s._accept()[0])
    try:
        c.sendall(hello)
    except OSError:
        pass
    c.close()
'
# name_servers_start NS:NAME... PORT: a name server in each NS, in the background (they go with
# the script: lib.sh's BG_PIDS). name_servers_wait: returns once all of them listen, fails
# after 60 s. In between, the script may do other work while the servers start.
NS_FD=
NS_STARTING=0
name_servers_start() {
	local port=${*: -1} fifo=$TDIR/ready a
	mkfifo "$fifo" || return
	exec {NS_FD}<>"$fifo"
	for a in "${@:1:$#-1}"; do
		ip netns exec "${a%%:*}" /usr/bin/python3 -S -c "$NAME_SERVER_PY" "${a#*:}" "$port" >&$NS_FD &
		BG_PIDS+=($!)
		NS_STARTING=$((NS_STARTING + 1))
	done
}
name_servers_wait() {
	local line
	# No polling: the servers' "ready" lines come through the fifo.
	while [ $NS_STARTING -gt 0 ] && read -r -t 60 -u "$NS_FD" line; do
		[ "${line%% *}" = ready ] && NS_STARTING=$((NS_STARTING - 1))
	done
	exec {NS_FD}>&-
	[ $NS_STARTING = 0 ]
}

# del_netns: lib.sh's namespaces removed by one `ip -batch` (its cleanup does one `ip` each).
del_netns() {
	[ ${#NETNS[@]} -gt 0 ] || return 0
	printf 'netns del %s\n' "${NETNS[@]}" | ip -force -batch - 2>/dev/null
	NETNS=()
}
# lib.sh's cleanup on exit, with the namespaces removed in one go.
trap 'kill_bg; del_netns; cleanup' EXIT
