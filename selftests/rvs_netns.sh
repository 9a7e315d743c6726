#!/usr/bin/env bash
# Each namespace has its own rvs state: /proc/net/rvs*, sysctls and settings.
. "$(dirname "$0")/lib.sh"

new_ns ns_a
new_ns ns_b
for n in ns_a ns_b; do
	check "$n has /proc/net/rvs" ip netns exec "$n" test -e /proc/net/rvs
	check "$n has /proc/sys/net/ipv4/rvs" ip netns exec "$n" test -d /proc/sys/net/ipv4/rvs
done

ip netns exec ns_a rvsadm --set 11 22 33
expect_eq "ns_a keeps its own timeouts" "Timeout (tcp tcpfin udp): 11 22 33" "$(ip netns exec ns_a rvsadm -L --timeout)"
expect_eq "ns_b is untouched" "Timeout (tcp tcpfin udp): 900 120 300" "$(ip netns exec ns_b rvsadm -L --timeout)"
expect_eq "the initial namespace is untouched" "Timeout (tcp tcpfin udp): 900 120 300" "$(rvsadm -L --timeout)"

ip netns exec ns_a sysctl -qw net.ipv4.rvs.debug_level=1
expect_eq "ns_a's sysctl changed" 1 "$(ip netns exec ns_a sysctl -n net.ipv4.rvs.debug_level)"
expect_eq "ns_b's sysctl did not" 0 "$(ip netns exec ns_b sysctl -n net.ipv4.rvs.debug_level)"
check "debug_level refuses 2" bash -c "! ip netns exec ns_a sysctl -qw net.ipv4.rvs.debug_level=2 2>/dev/null"
dmesg -c >/dev/null
ip netns exec ns_a rvsadm -C
check "debug_level=1 logs control commands" bash -c "dmesg | grep -q 'rvs: set 1283 (0 bytes): 0'"

# A namespace's files disappear with it, and the others' stay.
ip netns del ns_a
NETNS=(ns_b)
check "ns_b still reads its /proc/net/rvs" ip netns exec ns_b head -1 /proc/net/rvs
# Namespaces come and go under load of readers.
churned=0
for i in $(seq 1 10); do
	ip netns add churn$i &&
		ip netns exec churn$i grep -q '^rvs version' /proc/net/rvs &&
		ip netns del churn$i && churned=$((churned + 1))
done
expect_eq "10 namespaces created, read and deleted" 10 "$churned"
finish
