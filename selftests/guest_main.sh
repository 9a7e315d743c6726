#!/usr/bin/env bash
# KTAP harness, run inside the guest by selftests/run.sh. Each rvs_*.sh test runs with a fresh
# rvs.ko loaded; after each, the kernel log is scanned for reports, and after all of them
# (with rvs.ko unloaded) kmemleak is scanned. Exit status: 0 when everything passed.
here=$(cd "$(dirname "$0")" && pwd)
only=${1:-}
out=${RVS_OUT:-/tmp}
tests=()
for t in "$here"/rvs_*.sh; do
	name=$(basename "$t" .sh)
	[ -z "$only" ] || [[ " $only " == *" $name "* ]] || continue
	tests+=("$t")
done
if [ ${#tests[@]} = 0 ]; then
	echo "no selftest named '$only'" >&2
	exit 2
fi

# Real reports only: a clean debug boot prints banners with these words too, and a failed
# allocation (fault injection) prints a bare stack dump that is no bug: every report has a header.
report_re='BUG:|WARNING:|KASAN:|UBSAN:|INFO:|possible circular locking|possible recursive locking|suspicious RCU usage|inconsistent lock state|Oops|general protection fault|kernel BUG|Kernel panic|unreferenced object'

echo "TAP version 13"
echo "1..$((${#tests[@]} + 1))"
pass=0
fail=0
n=0
dmesg -c >/dev/null
# Whatever the boot itself left unreferenced is not ours to report: mark it seen.
if [ -w /sys/kernel/debug/kmemleak ]; then
	echo scan >/sys/kernel/debug/kmemleak
	echo clear >/sys/kernel/debug/kmemleak
fi
: >"$out/dmesg.log"
for t in "${tests[@]}"; do
	n=$((n + 1))
	name=$(basename "$t" .sh)
	lsmod | grep -q '^rvs ' || insmod "$RVS_KO"
	log=$out/$name.log
	timeout 600 bash "$t" >"$log" 2>&1
	rc=$?
	lsmod | grep -q '^rvs ' && rmmod rvs
	klog=$(dmesg -c)
	printf '%s\n' "$klog" >>"$out/dmesg.log"
	sed 's/^/# /' "$log"
	bad=$(printf '%s\n' "$klog" | grep -E "$report_re" | head -5)
	if [ -n "$bad" ]; then
		echo "# kernel reports during $name:"
		printf '%s\n' "$klog" | grep -E -A20 "$report_re" | head -60 | sed 's/^/# /'
		echo "not ok $n $name # kernel report: $(printf '%s' "$bad" | head -1)"
		fail=$((fail + 1))
	elif [ $rc = 4 ]; then
		echo "ok $n $name # SKIP"
		pass=$((pass + 1))
	elif [ $rc = 0 ]; then
		echo "ok $n $name"
		pass=$((pass + 1))
	else
		echo "not ok $n $name # exit $rc"
		fail=$((fail + 1))
	fi
done

# kmemleak: objects must be at least 5 s old before a scan reports them.
n=$((n + 1))
if [ -w /sys/kernel/debug/kmemleak ]; then
	sleep 6
	echo scan >/sys/kernel/debug/kmemleak
	sleep 1
	echo scan >/sys/kernel/debug/kmemleak
	cat /sys/kernel/debug/kmemleak >"$out/kmemleak.log"
	# Known kernel leak, not rvs's: when fault injection fails kobject_init_and_add in
	# sysfs_slab_add (mm/slub.c), SLUB returns without kobject_put and the name leaks.
	leaks=$(awk -v RS='unreferenced object' 'NR > 1 && !/sysfs_slab_add/ { printf "unreferenced object%s", $0 }' "$out/kmemleak.log")
	known=$(grep -c '^unreferenced object' "$out/kmemleak.log")
	[ "$known" = 0 ] || echo "# kmemleak: $known object(s) reported, of which those from sysfs_slab_add's error path are the kernel's own"
	if [ -n "$leaks" ]; then
		printf '%s\n' "$leaks" | head -40 | sed 's/^/# /'
		echo "not ok $n kmemleak # unreferenced objects after the tests"
		fail=$((fail + 1))
	else
		echo "ok $n kmemleak"
		pass=$((pass + 1))
	fi
else
	echo "not ok $n kmemleak # /sys/kernel/debug/kmemleak missing: not a debug kernel?"
	fail=$((fail + 1))
fi
echo "# selftests: $pass passed, $fail failed"
[ $fail = 0 ]
