#!/usr/bin/python3
"""Direct socket-option calls against rvs: the ABI's answers to good and malformed input.

Run by rvs_ctl_errors.sh in the guest. Prints one line per check; exits 1 on any failure.
"""
import ctypes
import errno
import socket
import struct
import sys

BASE = 64 + 1024 + 64 + 128
SET_ADD, SET_EDIT, SET_DEL, SET_FLUSH, SET_ADDDEST = BASE, BASE + 1, BASE + 2, BASE + 3, BASE + 4
SET_TIMEOUT, SET_STARTDAEMON, SET_STOPDAEMON, SET_ZERO = BASE + 7, BASE + 8, BASE + 9, BASE + 10
GET_INFO, GET_SERVICES, GET_SERVICE, GET_DESTS, GET_TIMEOUT, GET_DAEMON = range(BASE, BASE + 6)

libc = ctypes.CDLL(None, use_errno=True)
failures = 0


def set_(s, cmd, buf):
    b = ctypes.create_string_buffer(bytes(buf), len(buf) or 1)
    r = libc.setsockopt(s.fileno(), socket.IPPROTO_IP, cmd, b, len(buf))
    return 0 if r == 0 else ctypes.get_errno()


def get(s, cmd, buf):
    b = ctypes.create_string_buffer(bytes(buf), max(len(buf), 1))
    n = ctypes.c_uint(len(buf))
    r = libc.getsockopt(s.fileno(), socket.IPPROTO_IP, cmd, b, ctypes.byref(n))
    return (0 if r == 0 else ctypes.get_errno()), b.raw[: n.value]


def check(what, want, got):
    global failures
    ok = want == got
    if not ok:
        failures += 1
    name = lambda e: errno.errorcode.get(e, str(e)) if isinstance(e, int) and e else e
    print(f"{'ok' if ok else 'FAIL'}: {what}: want {name(want)}, got {name(got)}")


def service(af=2, proto=6, addr=b"\x0a\x00\x00\x01", port=80, sched=b"rr", fwmark=0):
    """struct rvs_service_user (72 bytes)."""
    return struct.pack("=HHHH16sIIII16s16s", af, proto, socket.htons(port), 0,
                       addr.ljust(16, b"\0"), fwmark, 0, 0, 0, sched.ljust(16, b"\0"), b"\0" * 16)


def dest():
    """struct rvs_dest_user (48 bytes)."""
    return struct.pack("=HH16sIiIIBBHHHI", 2, socket.htons(80), b"\x0a\x00\x00\x02".ljust(16, b"\0"),
                       0, 1, 0, 0, 0, 0, 0, 0, 0, 0)


def timeouts(s):
    e, b = get(s, GET_TIMEOUT, b"\0" * 12)
    return struct.unpack("=iii", b) if e == 0 else e


def main():
    s4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 4096

    e, b = get(s4, GET_INFO, b"\0" * 16)
    check("GET_INFO answers", 0, e)
    check("GET_INFO: version, table size, services", (0x000100, size, 0), struct.unpack("=IIII", b)[:3])
    e, b = get(s6, GET_INFO, b"\0" * 16)
    check("GET_INFO answers on an AF_INET6 socket too", (0, size), (e, struct.unpack("=IIII", b)[1] if not e else None))
    check("GET_INFO with a short buffer", errno.EINVAL, get(s4, GET_INFO, b"\0" * 15)[0])
    e, b = get(s4, GET_SERVICES, struct.pack("=II", 0, 0))
    check("GET_SERVICES on an empty table", (0, 0), (e, struct.unpack("=II", b)[0] if not e else None))
    check("GET_SERVICES whose length disagrees with num_services", errno.EINVAL,
          get(s4, GET_SERVICES, struct.pack("=II", 3, 0))[0])
    check("GET_SERVICES with an absurd num_services", errno.EINVAL,
          get(s4, GET_SERVICES, struct.pack("=II", 0xFFFFFFFF, 0))[0])
    check("GET_SERVICE of a service that does not exist", errno.ESRCH,
          get(s4, GET_SERVICE, service() + b"\0" * 88)[0])
    e, b = get(s4, GET_DAEMON, b"\0" * 48)
    check("GET_DAEMON: no daemon runs", (0, (0, 0)),
          (e, (struct.unpack("=i", b[:4])[0], struct.unpack("=i", b[24:28])[0]) if not e else None))

    # Unknown options: outside rvs's range netfilter says ENOPROTOOPT.
    check("set option below the range", errno.ENOPROTOOPT, set_(s4, BASE - 1, b"\0" * 4))
    check("set option above the range", errno.ENOPROTOOPT, set_(s4, SET_ZERO + 1, b"\0" * 4))
    check("get option above the range", errno.ENOPROTOOPT, get(s4, GET_DAEMON + 1, b"\0" * 16)[0])

    before = timeouts(s4)
    # Lengths.
    check("ADD with a short buffer", errno.EINVAL, set_(s4, SET_ADD, service()[:-1]))
    check("ADD with a long buffer", errno.EINVAL, set_(s4, SET_ADD, service() + b"\0"))
    check("ADD with no buffer", errno.EINVAL, set_(s4, SET_ADD, b""))
    check("ADD with a huge length", errno.EINVAL, set_(s4, SET_ADD, b"\0" * 4096))
    check("FLUSH with an argument", errno.EINVAL, set_(s4, SET_FLUSH, b"\0"))
    check("ADDDEST with only a service", errno.EINVAL, set_(s4, SET_ADDDEST, service()))
    check("TIMEOUT with 8 bytes", errno.EINVAL, set_(s4, SET_TIMEOUT, b"\0" * 8))
    # Values.
    check("ADD with an unknown family", errno.EAFNOSUPPORT, set_(s4, SET_ADD, service(af=7)))
    check("ADD with protocol ICMP (ip_vs says EFAULT)", errno.EFAULT, set_(s4, SET_ADD, service(proto=1)))
    check("ADD with an unterminated scheduler name", errno.EINVAL, set_(s4, SET_ADD, service(sched=b"x" * 16)))
    check("ADD with bytes past an IPv4 address", errno.EINVAL,
          set_(s4, SET_ADD, service(addr=b"\x0a\x00\x00\x01\x01")))
    check("TIMEOUT with a negative value", errno.EINVAL, set_(s4, SET_TIMEOUT, struct.pack("=iii", -1, 0, 0)))
    check("TIMEOUT beyond 31 days", errno.EINVAL, set_(s4, SET_TIMEOUT, struct.pack("=iii", 0, 0, 2678401)))
    check("STARTDAEMON with state 3", errno.EINVAL,
          set_(s4, SET_STARTDAEMON, struct.pack("=i16si", 3, b"eth0", 0)))
    check("rejected calls changed nothing", before, timeouts(s4))

    # What the module does not do yet, it says so.
    check("ADD (services are not built yet)", errno.EOPNOTSUPP, set_(s4, SET_ADD, service()))
    check("ADD of an IPv6 service is accepted as far as validation goes", errno.EOPNOTSUPP,
          set_(s6, SET_ADD, service(af=10, addr=bytes.fromhex("20010db8" + "00" * 11 + "01"))))
    check("EDIT of a missing service", errno.ESRCH, set_(s4, SET_EDIT, service()))
    check("DEL of a missing service", errno.ESRCH, set_(s4, SET_DEL, service()))
    check("ADDDEST to a missing service", errno.ESRCH, set_(s4, SET_ADDDEST, service() + dest()))
    check("ZERO of everything", 0, set_(s4, SET_ZERO, b"\0" * 72))
    check("ZERO of a missing service", errno.ESRCH, set_(s4, SET_ZERO, service()))
    check("STOPDAEMON when none runs", errno.ESRCH, set_(s4, SET_STOPDAEMON, struct.pack("=i16si", 1, b"eth0", 0)))
    check("FLUSH", 0, set_(s4, SET_FLUSH, b""))
    check("TIMEOUT 0 0 40 changes only UDP", 0, set_(s4, SET_TIMEOUT, struct.pack("=iii", 0, 0, 40)))
    check("timeouts after TIMEOUT", (before[0], before[1], 40), timeouts(s4))
    set_(s4, SET_TIMEOUT, struct.pack("=iii", *before))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
