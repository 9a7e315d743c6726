#!/usr/bin/env bash
# `make run`, inside the guest (tools/guest.sh: rvs.ko loaded, rvsadm on PATH): rvs balancing
# TCP. A client, a director running rvs and three real servers, each in its own network
# namespace (tools/topology.sh); a NAT (-m) TCP service with wrr weights 1, 2, 3; 120 new
# connections from one client process; who answered them, and rvs's own account of it.
# Exits non-zero when the traffic does not flow through rvs.
here=$(dirname "$0")
# shellcheck source=selftests/lib.sh
. "$here/../selftests/lib.sh"
# shellcheck source=tools/topology.sh
. "$here/topology.sh"

P=demo            # namespaces demo_c (client), demo_d (director), demo_r1..3 (real servers)
N=120             # connections the client opens
PORT=80           # the virtual service's port; the real servers listen on 8080
VIP=$NAT_VIP4

die() {
	echo "demo: $*" >&2
	exit 1
}
# d CMD...: a command on the director, echoed as it runs.
d() {
	echo "  ${P}_d# $*"
	ip netns exec ${P}_d "$@"
}

echo "### rvsadm --version"
rvsadm --version
echo
echo "### hooks rvs registered (nft list hooks): LOCAL_IN 100, FORWARD 99 (ICMP) and 100, POST_ROUTING 99 = NF_IP_PRI_NAT_SRC - 1"
nft list hooks | awk '/^family /{fam=$2} /^\thook /{hook=$2} /\[rvs\]/{printf "  %-4s %-12s %s %s\n", fam, hook, $1, $2}'
echo

echo "### topology: one network namespace per host"
fast_nat_topology $P 3 || die "could not build the topology"
# The servers start (seconds each in the emulated guest) while rvs is configured.
name_servers_start ${P}_r1:rs1 ${P}_r2:rs2 ${P}_r3:rs3 8080 || die "could not start the real servers"
echo "  ${P}_c   client        $NAT_C4, default route via the director"
echo "  ${P}_d   director      10.0.1.1 (to the client), 10.0.2.1 (to the servers), VIP $VIP on dummy vip0, ip_forward=1"
for i in 1 2 3; do
	echo "  ${P}_r$i  real server   10.0.2.1$i:8080, answers each connection with \"rs$i\", default route via the director"
done
echo

echo "### a NAT TCP service, wrr, weights 1, 2, 3"
d rvsadm -A -t "$VIP:$PORT" -s wrr || die "rvsadm -A failed"
for i in 1 2 3; do
	d rvsadm -a -t "$VIP:$PORT" -r 10.0.2.1$i:8080 -m -w $i || die "rvsadm -a failed"
done
echo
echo "### rvsadm -Ln"
ip netns exec ${P}_d rvsadm -Ln
echo
name_servers_wait || die "the real servers did not start"

# One python3 process opens the connections in turn (spawning processes is slow in the
# emulated guest; _socket: see tools/topology.sh) and reads each server's name up to its
# close. It stops early when the first 3 attempts all fail.
# Prints "rsI=COUNT ... errors=E seconds=S [last=ERROR]".
client='
import _socket as S, sys, time
host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
counts, errors, last, t0 = {}, 0, "", time.monotonic()
for _ in range(n):
    s = S.socket(S.AF_INET, S.SOCK_STREAM)
    try:
        s.settimeout(2)
        s.connect((host, port))
        reply = b""
        while True:
            b = s.recv(100)
            if not b:
                break
            reply += b
        name = reply.decode().strip()
        if not name:
            raise ConnectionError("empty answer")
        counts[name] = counts.get(name, 0) + 1
    except (OSError, UnicodeDecodeError) as e:
        errors += 1
        last = type(e).__name__
        if errors >= 3 and not counts:
            break
    finally:
        s.close()
words = [f"{k}={counts[k]}" for k in sorted(counts)]
words += [f"errors={errors}", f"seconds={time.monotonic() - t0:.1f}"]
print(" ".join(words + ([f"last={last}"] if last else [])))
'
echo "### $N new TCP connections from ${P}_c to $VIP:$PORT (one python3 client, in turn)"
res=$(timeout 60 ip netns exec ${P}_c /usr/bin/python3 -S -c "$client" "$VIP" $PORT $N)
# The client's words, without a process each (even a fork costs most of a second here).
declare -A got=()
for w in $res; do got[${w%%=*}]=${w#*=}; done
answered=0
for i in 1 2 3; do
	printf '  rs%d (weight %d): %3d\n' $i $i "${got[rs$i]:-0}"
	answered=$((answered + ${got[rs$i]:-0}))
done
echo "  answered $answered of $N in ${got[seconds]:-?} s; failed: ${got[errors]:-?}${got[last]:+ (last error: ${got[last]})}"
echo
echo "### rvsadm -Ln --stats"
ip netns exec ${P}_d rvsadm -Ln --stats
echo
mapfile -t lines < <(ip netns exec ${P}_d rvsadm -Lnc)
echo "### rvsadm -Lnc (the first lines of $((${#lines[@]} - 2)) connection entries)"
printf '%s\n' "${lines[@]:0:8}"

[ "$answered" -gt 0 ] || die "no connection through the VIP was answered: traffic does not flow through rvs"
[ "$answered" = $N ] || die "only $answered of $N connections through the VIP were answered"
exit 0
