#!/usr/bin/env bash
# `make run`, inside the guest: rvs loaded, its hooks, and rvsadm talking to it.
set -e
echo "### rvsadm --version"
rvsadm --version
echo
echo "### hooks rvs registered (nft list hooks): LOCAL_IN 100, FORWARD 99 (ICMP) and 100, POST_ROUTING 99 = NF_IP_PRI_NAT_SRC - 1"
nft list hooks | awk '/^family /{fam=$2} /^\thook /{hook=$2} /\[rvs\]/{printf "  %-4s %-12s %s %s\n", fam, hook, $1, $2}'
echo
echo "### rvsadm -Ln"
rvsadm -Ln
echo
echo "### /proc/net/rvs_stats"
cat /proc/net/rvs_stats
echo
echo "### rvsadm -L --timeout; /proc/sys/net/ipv4/rvs"
rvsadm -L --timeout
grep -H . /proc/sys/net/ipv4/rvs/*
