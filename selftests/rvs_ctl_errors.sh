#!/usr/bin/env bash
# The control ABI end to end: good calls answer, malformed ones get EINVAL / ENOPROTOOPT /
# EAFNOSUPPORT / EFAULT and change nothing (selftests/rvs_ctl.py does the calls). With services
# in place, each mistake (duplicate, missing service or real server, unknown scheduler, weight,
# thresholds, family, length) gets ip_vs's errno and leaves the listing as it was; the same
# mistakes through ipvsadm and rvsadm print the same message and exit the same.
. "$(dirname "$0")/lib.sh"
here=$(dirname "$0")
check "control calls with the default table" /usr/bin/python3 "$here/rvs_ctl.py" 4096
rmmod rvs
insmod "$RVS_KO" conn_tab_bits=16
check "control calls with conn_tab_bits=16" /usr/bin/python3 "$here/rvs_ctl.py" 65536
rmmod rvs
out=$(/usr/bin/python3 "$here/rvs_ctl.py" 2>&1)
check "without rvs.ko every call says ENOPROTOOPT" grep -q "GET_INFO answers: want 0, got ENOPROTOOPT" <<<"$out"
insmod "$RVS_KO"

if ! lb_ipvs; then
	log "ip_vs unavailable: no comparison"
	finish
fi
check "the same mistakes on ip_vs and rvs get the same errnos" /usr/bin/python3 "$here/rvs_ctl.py" --compare-ipvs

# same DESCRIPTION ARGS...: ipvsadm (on ip_vs) and rvsadm (on rvs) print the same, exit the same.
same() {
	local what=$1 a b ra rb
	shift
	a=$(ipvsadm "$@" 2>&1); ra=$?
	b=$(rvsadm "$@" 2>&1); rb=$?
	expect_eq "$what (like ipvsadm)" "$ra $a" "$rb $b"
}
table="-A -t 10.0.0.1:80 -s rr
-a -t 10.0.0.1:80 -r 10.0.0.2:80 -m
-A -t [fd00::1]:80 -s wrr
-a -t [fd00::1]:80 -r [fd00::2]:80 -m"
out=$(ipvsadm -R 2>&1 <<<"$table"); rc=$?
expect_eq "ipvsadm -R of two services" "0 " "$rc $out"
out=$(rvsadm -R 2>&1 <<<"$table"); rc=$?
expect_eq "rvsadm -R of two services" "0 " "$rc $out"
saved_ipvs=$(ipvsadm -Sn)
saved_rvs=$(rvsadm -Sn)
expect_eq "rvsadm -Sn as ipvsadm -Sn" "$saved_ipvs" "$saved_rvs"
same "a duplicate service" -A -t 10.0.0.1:80 -s rr
same "a duplicate IPv6 service" -A -t '[fd00::1]:80' -s rr
same "editing a missing service" -E -t 10.0.0.9:80 -s rr
same "deleting a missing service" -D -t 10.0.0.9:80
same "deleting a missing IPv6 service" -D -t '[fd00::9]:80'
same "an unknown scheduler" -A -t 10.0.0.3:80 -s nosuch
same "editing to an unknown scheduler" -E -t 10.0.0.1:80 -s nosuch
same "a real server for a missing service" -a -t 10.0.0.9:80 -r 10.0.0.2:80 -m
same "a duplicate real server" -a -t 10.0.0.1:80 -r 10.0.0.2:80 -m
same "a duplicate IPv6 real server" -a -t '[fd00::1]:80' -r '[fd00::2]:80' -m
same "deleting a missing real server" -d -t 10.0.0.1:80 -r 10.0.0.3:80
same "editing a missing real server" -e -t 10.0.0.1:80 -r 10.0.0.3:80 -w 2
same "deleting a missing IPv6 real server" -d -t '[fd00::1]:80' -r '[fd00::3]:80'
same "a lower threshold above the upper" -a -t 10.0.0.1:80 -r 10.0.0.3:80 -x 10 -y 20
same "editing to a lower threshold above the upper" -e -t 10.0.0.1:80 -r 10.0.0.2:80 -m -x 10 -y 20
same "a negative weight" -a -t 10.0.0.1:80 -r 10.0.0.3:80 -w -1
expect_eq "after the mistakes, ipvsadm -Sn is unchanged" "$saved_ipvs" "$(ipvsadm -Sn)"
expect_eq "after the mistakes, rvsadm -Sn is unchanged" "$saved_rvs" "$(rvsadm -Sn)"
ipvsadm -C
rvsadm -C
finish
