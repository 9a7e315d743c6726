#!/usr/bin/env bash
# Control calls need CAP_NET_ADMIN in the socket's network namespace.
. "$(dirname "$0")/lib.sh"
here=$(dirname "$0")

noadmin=(setpriv --inh-caps=-net_admin --bounding-set=-net_admin)
out=$("${noadmin[@]}" rvsadm -C 2>&1)
rc=$?
expect_eq "rvsadm -C without CAP_NET_ADMIN exits 255, as ipvsadm" 255 "$rc"
expect_eq "and says why" "Permission denied (you must be root)" "$out"
out=$("${noadmin[@]}" rvsadm --set 1 2 3 2>&1)
expect_eq "--set without CAP_NET_ADMIN is refused" "Permission denied (you must be root)" "$out"
expect_eq "and changed nothing" "Timeout (tcp tcpfin udp): 900 120 300" "$(rvsadm -L --timeout)"
# Every set and get option, straight through the socket API.
out=$("${noadmin[@]}" /usr/bin/python3 - <<'PY'
import ctypes, socket, errno
libc = ctypes.CDLL(None, use_errno=True)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
base = 64 + 1024 + 64 + 128
bad = []
for cmd in range(base, base + 11):
    b = ctypes.create_string_buffer(128)
    if libc.setsockopt(s.fileno(), 0, cmd, b, 0) == 0 or ctypes.get_errno() != errno.EPERM:
        bad.append(f"set {cmd}")
for cmd in range(base, base + 6):
    b = ctypes.create_string_buffer(4096)
    n = ctypes.c_uint(4096)
    if libc.getsockopt(s.fileno(), 0, cmd, b, ctypes.byref(n)) == 0 or ctypes.get_errno() != errno.EPERM:
        bad.append(f"get {cmd}")
print(" ".join(bad) or "all EPERM")
PY
)
expect_eq "all 11 set and 6 get options answer EPERM without CAP_NET_ADMIN" "all EPERM" "$out"

# Root of a new user namespace owns its new network namespace: there it may.
if unshare -Urn true 2>/dev/null; then
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups unshare -Urn bash -c 'rvsadm --set 5 6 7 && rvsadm -L --timeout' 2>&1)
	expect_eq "an unprivileged user may manage its own user+net namespace" "Timeout (tcp tcpfin udp): 5 6 7" "$out"
	expect_eq "which does not touch the initial namespace" "Timeout (tcp tcpfin udp): 900 120 300" "$(rvsadm -L --timeout)"
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups unshare -Ur rvsadm -C 2>&1)
	expect_eq "but not the initial namespace from a user namespace" "Permission denied (you must be root)" "$out"
else
	log "note: user namespaces unavailable; skipped the user-namespace checks"
fi
finish
