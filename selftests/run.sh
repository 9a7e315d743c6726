#!/usr/bin/env bash
# Run the selftests in one guest on the project's (debug) kernel, KTAP on stdout.
#   selftests/run.sh ["NAME..."]   NAMEs: tests to run, e.g. "rvs_hooks rvs_netns" (default: all)
# The guest's kernel log lands in selftests/out/dmesg.log.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$top/selftests/out"
RVS_NO_LOAD=1 "$top/tools/guest.sh" bash "$top/selftests/guest_main.sh" "${1:-}" |
	tee "$top/selftests/out/ktap.log"
