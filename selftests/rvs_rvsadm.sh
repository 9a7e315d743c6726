#!/usr/bin/env bash
# rvsadm as ipvsadm users know it, compared with Debian's ipvsadm on ip_vs where both can.
. "$(dirname "$0")/lib.sh"

out=$(rvsadm -v)
check "rvsadm -v names its version and the module's" grep -qx 'rvsadm v0.1.0 .* (rvs.ko v0.1.0)' <<<"$out"
log "  $out"

expect_eq "rvsadm -Ln on an empty table" \
"rvs version 0.1.0 (size=4096)
Prot LocalAddress:Port Scheduler Flags
  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn" "$(rvsadm -Ln)"
expect_eq "rvsadm with no arguments lists" "$(rvsadm -Ln)" "$(rvsadm)"
expect_eq "rvsadm -Ln --stats header" \
"rvs version 0.1.0 (size=4096)
Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes
  -> RemoteAddress:Port" "$(rvsadm -Ln --stats)"
expect_eq "rvsadm -Lnc on no connections" \
"IPVS connection entries
pro expire state       source             virtual            destination" "$(rvsadm -Lnc)"
expect_eq "rvsadm -Sn on an empty table" "" "$(rvsadm -Sn)"
check "rvsadm -C" rvsadm -C
check "rvsadm -Z" rvsadm -Z

# Usage errors: exit 2 with ipvsadm's message.
out=$(rvsadm -a -t 10.0.0.1:80 2>&1); rc=$?
expect_eq "-a without -r exits 2" 2 "$rc"
expect_eq "-a without -r says what is missing" "You need to supply the 'real-server' option for the 'add-server' command" "$out"
out=$(rvsadm -D -t 10.0.0.1:80 -s rr 2>&1); rc=$?
expect_eq "-s with -D is illegal" "2 Illegal 'scheduler' option with the 'delete-service' command" "$rc $out"
out=$(rvsadm -A -t 10.0.0.1:80 -w 70000 2>&1); rc=$?
expect_eq "a weight outside 0..65535" "2 illegal weight specified" "$rc $out"
out=$(rvsadm -A -t nonsense:: 2>&1); rc=$?
expect_eq "a bad address" 2 "$rc"

# A service, saved as ipvsadm saves it (the text is checked against ipvsadm's below).
out=$(rvsadm -A -t 10.0.0.1:80 -s rr 2>&1); rc=$?
expect_eq "rvsadm -A -t 10.0.0.1:80 -s rr" "0 " "$rc $out"
expect_eq "rvsadm -Sn shows it" "-A -t 10.0.0.1:80 -s rr" "$(rvsadm -Sn)"
check "rvsadm -C" rvsadm -C
expect_eq "rvsadm -Sn after -C" "" "$(rvsadm -Sn)"
# What rvs.ko does not do fails clearly, naming what is missing.
out=$(rvsadm --start-daemon master 2>&1); rc=$?
expect_eq "--start-daemon fails clearly" "255 rvs.ko does not support connection sync daemons yet" "$rc $out"

# The same commands on ip_vs with Debian's ipvsadm: same messages and exit codes.
if ! modprobe ip_vs 2>/dev/null; then
	log "ip_vs unavailable: no comparison"
	finish
fi
same() { # DESCRIPTION ARGS...: ipvsadm and rvsadm print the same and exit the same
	local what=$1 a b ra rb
	shift
	a=$(ipvsadm "$@" 2>&1); ra=$?
	b=$(rvsadm "$@" 2>&1); rb=$?
	expect_eq "$what (like ipvsadm)" "$ra $a" "$rb $b"
}
same "-D of a missing service" -D -t 10.0.0.1:80
same "-E of a missing service" -E -t 10.0.0.1:80 -s rr
same "-d from a missing service" -d -t 10.0.0.1:80 -r 10.0.0.2
same "-e in a missing service" -e -t 10.0.0.1:80 -r 10.0.0.2 -w 3
same "-a to a missing service" -a -t 10.0.0.1:80 -r 10.0.0.2 -m
same "-Z of a missing service" -Z -t 10.0.0.1:80
same "-L of a missing service" -Ln -t 10.0.0.1:80
same "--stop-daemon with none running" --stop-daemon master
same "-L --timeout" -L --timeout
same "--set" --set 100 20 30
same "-L --timeout after --set" -L --timeout
same "-C" -C
same "-Sn on an empty table" -Sn
same "-L --daemon with none running" -L --daemon
same "usage: -a without -r" -a -t 10.0.0.1:80
same "usage: illegal option" -D -t 10.0.0.1:80 -s rr
expect_eq "-Ln body" "$(ipvsadm -Ln | tail -n +2)" "$(rvsadm -Ln | tail -n +2)"
same "-A of a service" -A -t 10.0.0.1:80 -s rr
same "-Sn of that service" -Sn
same "-C of that service" -C

# A table made with ipvsadm and saved with ipvsadm -Sn restores into rvs with rvsadm -R, which
# saves it back the same.
out=$(ipvsadm -R 2>&1 <<EOF
-A -t 10.0.0.1:80 -s wrr
-a -t 10.0.0.1:80 -r 10.0.1.1:8080 -m -w 3
-a -t 10.0.0.1:80 -r 10.0.1.2:8080 -m -w 1 -x 100 -y 50
-A -u 10.0.0.1:53 -s lc
-a -u 10.0.0.1:53 -r 10.0.1.1:53 -g
-A -t 10.0.0.2:443 -s wlc
-a -t 10.0.0.2:443 -r 10.0.1.3:443 -i -w 2
-a -t 10.0.0.2:443 -r 10.0.1.4:443 -i -w 0
-A -t [fd00::1]:80 -s rr
-a -t [fd00::1]:80 -r [fd00:1::1]:8080 -m
-a -t [fd00::1]:80 -r [fd00:1::2]:80 -g -w 5
-A -u [fd00::1]:53 -s wrr
-a -u [fd00::1]:53 -r [fd00:1::1]:53 -i
EOF
); rc=$?
expect_eq "ipvsadm -R of the reference table" "0 " "$rc $out"
saved=$(ipvsadm -Sn)
log "$(sed 's/^/  | /' <<<"$saved")"
out=$(rvsadm -R 2>&1 <<<"$saved"); rc=$?
expect_eq "rvsadm -R of ipvsadm -Sn's output" "0 " "$rc $out"
expect_eq "rvsadm -Sn gives back what ipvsadm -Sn saved" "$saved" "$(rvsadm -Sn)"
expect_eq "-Ln body of the restored table" "$(ipvsadm -Ln | tail -n +2)" "$(rvsadm -Ln | tail -n +2)"
ipvsadm -C
rvsadm -C
ipvsadm --set 900 120 300
rvsadm --set 900 120 300
modprobe -r ip_vs 2>/dev/null
finish
