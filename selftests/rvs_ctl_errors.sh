#!/usr/bin/env bash
# The control ABI end to end: good calls answer, malformed ones get EINVAL / ENOPROTOOPT /
# EAFNOSUPPORT / EFAULT and change nothing (selftests/rvs_ctl.py does the calls).
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
finish
