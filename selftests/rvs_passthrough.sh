#!/usr/bin/env bash
# With rvs loaded and no service, traffic through a director namespace is unchanged: ping
# and TCP transfers, IPv4 and IPv6, forwarded through it and delivered to it, byte for byte.
. "$(dirname "$0")/lib.sh"

new_ns pt_client
new_ns pt_dir
new_ns pt_server
veth pt_client c0 10.0.1.2/24 pt_dir d0 10.0.1.1/24
veth pt_dir d1 10.0.2.1/24 pt_server s0 10.0.2.2/24
ip -n pt_client addr add fd00:1::2/64 dev c0 nodad
ip -n pt_dir addr add fd00:1::1/64 dev d0 nodad
ip -n pt_dir addr add fd00:2::1/64 dev d1 nodad
ip -n pt_server addr add fd00:2::2/64 dev s0 nodad
ip -n pt_client route add default via 10.0.1.1
ip -n pt_server route add default via 10.0.2.1
ip -n pt_client -6 route add default via fd00:1::1
ip -n pt_server -6 route add default via fd00:2::1
ip netns exec pt_dir sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1

check "rvs hooks are in the director's path" [ "$(rvs_hooks pt_dir | wc -l)" = 8 ]
check "ping forwarded (IPv4)" ip netns exec pt_client ping -c 2 -W 2 10.0.2.2
check "ping forwarded (IPv6)" ip netns exec pt_client ping -6 -c 2 -W 2 fd00:2::2
check "ping to the director (IPv4)" ip netns exec pt_client ping -c 1 -W 2 10.0.1.1

data=$(mktemp)
head -c 1048576 /dev/urandom >"$data"
want=$(sha256sum <"$data" | cut -d' ' -f1)

transfer() { # NS_SERVER TCP|TCP6 ADDR PORT
	local got rx pid
	rx=$(mktemp)
	ip netns exec "$1" socat -u "$2-LISTEN:$4,bind=$3,reuseaddr" "OPEN:$rx,creat,trunc" &
	pid=$!
	sleep 0.5
	ip netns exec pt_client socat -u "OPEN:$data" "$2:$3:$4,connect-timeout=5,retry=40,interval=0.5"
	wait $pid
	got=$(sha256sum <"$rx" | cut -d' ' -f1)
	rm -f "$rx"
	[ "$got" = "$want" ]
}
check "1 MiB over TCP forwarded (IPv4), same bytes" transfer pt_server TCP 10.0.2.2 5001
check "1 MiB over TCP forwarded (IPv6), same bytes" transfer pt_server TCP6 '[fd00:2::2]' 5002
check "1 MiB over TCP to the director (IPv4), same bytes" transfer pt_dir TCP 10.0.1.1 5003
check "1 MiB over TCP to the director (IPv6), same bytes" transfer pt_dir TCP6 '[fd00:1::1]' 5004
rm -f "$data"
finish
