#!/usr/bin/python3
"""Direct socket-option calls against rvs: the ABI's answers to good and malformed input.

Run by rvs_ctl_errors.sh in the guest. Prints one line per check; exits 1 on any failure.
  rvs_ctl.py [CONN_TAB_SIZE]   rvs's answers, with no service and with services
  rvs_ctl.py --compare-ipvs    the same mistakes on ip_vs (its own socket options) and on rvs
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


def service(af=2, proto=6, addr=b"\x0a\x00\x00\x01", port=80, sched=b"rr", fwmark=0, netmask=0):
    """struct rvs_service_user (72 bytes)."""
    return struct.pack("=HHHH16sIIII16s16s", af, proto, socket.htons(port), 0,
                       addr.ljust(16, b"\0"), fwmark, 0, 0, netmask, sched.ljust(16, b"\0"), b"\0" * 16)


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

    # With services: each mistake answers its errno and leaves the table as it was.
    errors_with_services(Rvs())
    rvs_only_errors(Rvs())
    return 1 if failures else 0


# ---------------------------------------------------------------------------------------------
# Errors once services exist, on rvs and (for comparison) on ip_vs through its own socket
# options (include/uapi/linux/ip_vs.h: IPv4 only, 44-byte service and 24-byte dest structs).

V4 = lambda a: socket.inet_pton(socket.AF_INET, a)
V6 = lambda a: socket.inet_pton(socket.AF_INET6, a)
CMDS = ("ADD", "EDIT", "DEL", "FLUSH", "ADDDEST", "DELDEST", "EDITDEST", "ZERO")


class Rvs:
    name = "rvs"
    cmd = dict(zip(CMDS, (SET_ADD, SET_EDIT, SET_DEL, SET_FLUSH, SET_ADDDEST, BASE + 5, BASE + 6, SET_ZERO)))

    def __init__(self):
        self.s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)

    def svc(self, addr="10.0.0.1", port=80, proto=6, sched=b"rr", af=None):
        # The netmask ipvsadm passes: all ones for IPv4, a prefix length of 128 for IPv6.
        if ":" in addr:
            a, mask = V6(addr), 128
        else:
            a, mask = V4(addr), 0xFFFFFFFF
        return service(af=af or (10 if ":" in addr else 2), proto=proto, addr=a, port=port, sched=sched,
                       netmask=mask)

    def dest(self, addr="10.0.0.2", port=80, weight=1, u=0, l=0, af=0):
        a = V6(addr) if ":" in addr else V4(addr)
        return struct.pack("=HH16sIiIIBBHHHI", af, socket.htons(port), a.ljust(16, b"\0"),
                           0, weight, u, l, 0, 0, 0, 0, 0, 0)

    def set(self, cmd, buf):
        return set_(self.s, self.cmd[cmd], buf)

    def listing(self):
        """GET_SERVICES and GET_DESTS of every service, as bytes."""
        e, b = get(self.s, GET_INFO, b"\0" * 16)
        if e:
            return errno.errorcode.get(e, str(e))
        n = struct.unpack("=IIII", b)[2]
        e, b = get(self.s, GET_SERVICES, struct.pack("=II", n, 0) + b"\0" * (160 * n))
        if e:
            return errno.errorcode.get(e, str(e))
        raw, words = [b], [f"{n} services"]
        for i in range(n):
            entry = b[8 + 160 * i: 8 + 160 * (i + 1)]
            nd = struct.unpack("=I", entry[72:76])[0]
            e, d = get(self.s, GET_DESTS, entry[:72] + struct.pack("=II", nd, 0) + b"\0" * (144 * nd))
            raw.append(d if not e else e)
            words.append(f"{nd} dests")
        return ", ".join(words), raw


class IpVs:
    name = "ip_vs"
    B = 64 + 1024 + 64
    cmd = dict(zip(CMDS, (B + 2, B + 3, B + 4, B + 5, B + 7, B + 8, B + 9, B + 15)))

    def __init__(self):
        self.s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)

    def svc(self, addr="10.0.0.1", port=80, proto=6, sched=b"rr", af=None):
        return struct.pack("=H2x4sH2xI16sIII", proto, V4(addr), socket.htons(port), 0,
                           sched.ljust(16, b"\0"), 0, 0, 0xFFFFFFFF)

    def dest(self, addr="10.0.0.2", port=80, weight=1, u=0, l=0, af=0):
        return struct.pack("=4sH2xIiII", V4(addr), socket.htons(port), 0, weight, u, l)

    def set(self, cmd, buf):
        return set_(self.s, self.cmd[cmd], buf)

    def listing(self):
        e, b = get(self.s, self.B + 1, b"\0" * 12)
        if e:
            return errno.errorcode.get(e, str(e))
        n = struct.unpack("=III", b)[2]
        e, b = get(self.s, self.B + 2, struct.pack("=I4x", n) + b"\0" * (104 * n))
        if e:
            return errno.errorcode.get(e, str(e))
        raw, words = [b], [f"{n} services"]
        for i in range(n):
            entry = b[8 + 104 * i: 8 + 104 * (i + 1)]
            nd = struct.unpack("=I", entry[44:48])[0]
            hdr = entry[:16] + struct.pack("=I4x", nd)  # protocol, addr, port, fwmark
            e, d = get(self.s, self.B + 4, hdr + b"\0" * (96 * nd))
            raw.append(d if not e else e)
            words.append(f"{nd} dests")
        return ", ".join(words), raw


def mistakes(api):
    """(what, command, argument, errno) of the mistakes both rvs and ip_vs can be asked, with
    service 10.0.0.1:80 TCP (rr) and its real server 10.0.0.2:80 in place."""
    A, D = api.svc(), api.dest()
    other = api.svc(port=81)
    D3 = lambda **k: api.dest(addr="10.0.0.3", **k)
    return [
        ("ADD of an existing service", "ADD", A, errno.EEXIST),
        ("EDIT of a missing service", "EDIT", other, errno.ESRCH),
        ("DEL of a missing service", "DEL", other, errno.ESRCH),
        ("EDIT of the service under another protocol", "EDIT", api.svc(proto=17), errno.ESRCH),
        ("ADD with an unknown scheduler", "ADD", api.svc(port=82, sched=b"nosuch"), errno.ENOENT),
        ("EDIT to an unknown scheduler", "EDIT", api.svc(sched=b"nosuch"), errno.ENOENT),
        ("ADDDEST to a missing service", "ADDDEST", other + D, errno.ESRCH),
        ("ADDDEST of an existing real server", "ADDDEST", A + D, errno.EEXIST),
        ("DELDEST of a missing real server", "DELDEST", A + D3(), errno.ENOENT),
        ("EDITDEST of a missing real server", "EDITDEST", A + D3(), errno.ENOENT),
        ("DELDEST from a missing service", "DELDEST", other + D, errno.ESRCH),
        ("ADDDEST with weight -1", "ADDDEST", A + D3(weight=-1), errno.ERANGE),
        ("EDITDEST to weight -1", "EDITDEST", A + api.dest(weight=-1), errno.ERANGE),
        ("ADDDEST with l_threshold > u_threshold", "ADDDEST", A + D3(u=10, l=20), errno.ERANGE),
        ("EDITDEST to l_threshold > u_threshold", "EDITDEST", A + api.dest(u=10, l=20), errno.ERANGE),
        ("ADD one byte short", "ADD", A[:-1], errno.EINVAL),
        ("ADDDEST one byte long", "ADDDEST", A + D + b"\0", errno.EINVAL),
        ("EDITDEST of the service alone", "EDITDEST", A, errno.EINVAL),
        ("ZERO of a missing service", "ZERO", other, errno.ESRCH),
    ]


def errors_with_services(api):
    """Runs mistakes() on api; returns the errnos it got, in order."""
    A, D = api.svc(), api.dest()
    check(f"{api.name}: ADD 10.0.0.1:80 TCP rr", 0, api.set("ADD", A))
    check(f"{api.name}: ADDDEST 10.0.0.2:80", 0, api.set("ADDDEST", A + D))
    base = api.listing()
    check(f"{api.name}: the listing has the service and its real server", "1 services, 1 dests",
          shape(base))
    got = []
    for what, cmd, buf, want in mistakes(api):
        e = api.set(cmd, buf)
        got.append(e)
        check(f"{api.name}: {what}", want, e)
        same_listing(f"{api.name}: after {what}, the listing", base, api.listing())
    check(f"{api.name}: EDITDEST to weight 3 (a good call)", 0, api.set("EDITDEST", A + api.dest(weight=3)))
    check(f"{api.name}: DELDEST", 0, api.set("DELDEST", A + D))
    check(f"{api.name}: DEL", 0, api.set("DEL", A))
    check(f"{api.name}: DEL again", errno.ESRCH, api.set("DEL", A))
    check(f"{api.name}: FLUSH", 0, api.set("FLUSH", b""))
    return got


def shape(listing):
    """What a listing holds ("N services, M dests, ..."), or the errno that refused it."""
    return listing if isinstance(listing, str) else listing[0]


def same_listing(what, want, got):
    global failures
    if want == got:
        print(f"ok: {what} is unchanged")
    else:
        failures += 1
        print(f"FAIL: {what} changed: was {shape(want)}, is {shape(got)}")


def rvs_only_errors(api):
    """What ip_vs's socket options cannot be asked: families, IPv6 services."""
    A, D = api.svc(), api.dest()
    check("rvs: ADD 10.0.0.1:80 TCP rr", 0, api.set("ADD", A))
    check("rvs: ADDDEST 10.0.0.2:80", 0, api.set("ADDDEST", A + D))
    S6, D6 = api.svc(addr="fd00::1"), api.dest(addr="fd00::2")
    check("rvs: ADD [fd00::1]:80 TCP rr", 0, api.set("ADD", S6))
    check("rvs: ADDDEST [fd00::2]:80", 0, api.set("ADDDEST", S6 + D6))
    base = api.listing()
    check("rvs: the listing has both services", "2 services, 1 dests, 1 dests", shape(base))
    for what, cmd, buf, want in [
        ("ADD with an unknown family", "ADD", api.svc(port=82, af=7), errno.EAFNOSUPPORT),
        ("ADDDEST of a real server of an unknown family", "ADDDEST", A + api.dest(addr="10.0.0.3", af=7),
         errno.EAFNOSUPPORT),
        ("ADD of an existing IPv6 service", "ADD", S6, errno.EEXIST),
        ("EDIT of a missing IPv6 service", "EDIT", api.svc(addr="fd00::9"), errno.ESRCH),
        ("DEL of a missing IPv6 service", "DEL", api.svc(addr="fd00::9"), errno.ESRCH),
        ("ADD of an IPv6 service with an unknown scheduler", "ADD", api.svc(addr="fd00::3", sched=b"nosuch"),
         errno.ENOENT),
        ("ADDDEST of an existing IPv6 real server", "ADDDEST", S6 + D6, errno.EEXIST),
        ("ADDDEST to a missing IPv6 service", "ADDDEST", api.svc(addr="fd00::9") + D6, errno.ESRCH),
        ("DELDEST of a missing IPv6 real server", "DELDEST", S6 + api.dest(addr="fd00::3"), errno.ENOENT),
        ("EDITDEST of a missing IPv6 real server", "EDITDEST", S6 + api.dest(addr="fd00::3"), errno.ENOENT),
        ("ADDDEST of an IPv6 real server with weight -1", "ADDDEST", S6 + api.dest(addr="fd00::3", weight=-1),
         errno.ERANGE),
        ("ADDDEST of an IPv6 real server with l_threshold > u_threshold", "ADDDEST",
         S6 + api.dest(addr="fd00::3", u=1, l=2), errno.ERANGE),
        ("ADD of an IPv6 service one byte long", "ADD", S6 + b"\0", errno.EINVAL),
    ]:
        check(f"rvs: {what}", want, api.set(cmd, buf))
        same_listing(f"rvs: after {what}, the listing", base, api.listing())
    check("rvs: FLUSH", 0, api.set("FLUSH", b""))
    check("rvs: no service after FLUSH", "0 services", shape(api.listing()))


def compare_ipvs():
    """The mistakes on ip_vs and on rvs: the same errnos, in the same order."""
    a = errors_with_services(IpVs())
    b = errors_with_services(Rvs())
    check("rvs answers every mistake with ip_vs's errno", [errno.errorcode.get(e, e) for e in a],
          [errno.errorcode.get(e, e) for e in b])
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(compare_ipvs() if sys.argv[1:] == ["--compare-ipvs"] else main())
