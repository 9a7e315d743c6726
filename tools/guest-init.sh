#!/usr/bin/env bash
# Runs inside the guest (see tools/guest.sh): load rvs.ko, put rvsadm on PATH, run the command.
top=$(cd "$(dirname "$0")/.." && pwd)
# The settings are the first line of the command file.
eval "$(head -n 1 "$1")"
export RVS_TOP=$top
export RVS_KO=${RVS_KO:-$top/rvs.ko}
export PATH=$top/target/release:$PATH
mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug 2>/dev/null
ip link set lo up
if [ "${RVS_NO_LOAD:-0}" != 1 ]; then
	# shellcheck disable=SC2086
	insmod "$RVS_KO" ${RVS_INSMOD_ARGS:-} || { echo "guest: insmod $RVS_KO failed" >&2; exit 1; }
fi
bash "$1"
