#!/usr/bin/python3
"""Traffic for the data-path selftests: one process per server or per client action, because
spawning processes is what costs most in the emulated guest.

  rvs_net.py serve NAME LOG [PORT...]   TCP and UDP servers on every PORT, IPv4 and IPv6
  rvs_net.py ACTION [-- ACTION...]       client actions in turn, one output line each:
  rvs_net.py tcp HOST PORT SIZE          one TCP transfer of SIZE random bytes, echoed back
  rvs_net.py udp HOST PORT [COUNT]       COUNT UDP requests on one connected socket
  rvs_net.py many HOST PORT N [WINDOW]   N short TCP connections, WINDOW at a time (default 1,
                                         in turn): who served how many
  rvs_net.py hold HOST PORT K [...]      K long-lived TCP connections driven from stdin
  rvs_net.py icmp HOST PORT              a UDP request that must meet an ICMP port unreachable
  rvs_net.py stream HOST PORT SECONDS    TCP and UDP streams until they break or time runs out

The TCP server greets each connection with "HELLO NAME\\n", echoes what it receives and, at
the client's end of stream, sends "END NAME PEER LEN SHA256\\n" and closes. The UDP server
answers each datagram with "NAME PEER " + the datagram, from the address it was sent to. The
server logs one line per TCP connection and UDP datagram: "tcp|udp NAME PEER LEN SHA256".
Clients print "key=value" words on one line per result; HOST may be an IPv6 address.
"""
import errno
import hashlib
import os
import select
import selectors
import socket
import struct
import sys
import threading
import time

IP_PKTINFO = 8
IP_RECVERR = 11
IPV6_RECVPKTINFO = 49
IPV6_PKTINFO = 50


def family(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def peer_ip(addr):
    ip = addr[0]
    return ip[7:] if ip.startswith("::ffff:") else ip


def out(*words):
    print(" ".join(str(w) for w in words), flush=True)


# ---------------------------------------------------------------------------------------------
# Server

class Server:
    def __init__(self, name, log):
        self.name = name
        self.log = open(log, "a", buffering=1)
        self.lock = threading.Lock()

    def note(self, line):
        with self.lock:
            self.log.write(line + "\n")
            self.log.flush()

    def tcp_conn(self, c, addr):
        peer = peer_ip(addr)
        h = hashlib.sha256()
        n = 0
        try:
            c.settimeout(60)
            c.sendall(b"HELLO %s\n" % self.name.encode())
            while True:
                b = c.recv(65536)
                if not b:
                    break
                h.update(b)
                n += len(b)
                c.sendall(b)
            self.note(f"tcp {self.name} {peer} {n} {h.hexdigest()}")
            c.sendall(f"END {self.name} {peer} {n} {h.hexdigest()}\n".encode())
        except OSError as e:
            self.note(f"tcp {self.name} {peer} {n} error={errno.errorcode.get(e.errno, e)}")
        finally:
            c.close()

    def tcp(self, s):
        while True:
            c, addr = s.accept()
            threading.Thread(target=self.tcp_conn, args=(c, addr), daemon=True).start()

    def udp(self, s, af):
        while True:
            data, anc, _, addr = s.recvmsg(65536, 256)
            peer = peer_ip(addr)
            cmsg = []
            for level, kind, value in anc:
                if af == socket.AF_INET and level == socket.IPPROTO_IP and kind == IP_PKTINFO:
                    # Answer from the address the request went to (the VIP under DR or tunnel).
                    _, _, dst = struct.unpack("=i4s4s", value[:12])
                    cmsg = [(socket.IPPROTO_IP, IP_PKTINFO, struct.pack("=i4s4s", 0, dst, b"\0" * 4))]
                elif af == socket.AF_INET6 and level == socket.IPPROTO_IPV6 and kind == IPV6_PKTINFO:
                    dst = value[:16]
                    cmsg = [(socket.IPPROTO_IPV6, IPV6_PKTINFO, struct.pack("=16si", dst, 0))]
            self.note(f"udp {self.name} {peer} {len(data)} {hashlib.sha256(data).hexdigest()}")
            try:
                s.sendmsg([f"{self.name} {peer} ".encode() + data], cmsg, 0, addr)
            except OSError as e:
                self.note(f"udp {self.name} {peer} sendmsg error={errno.errorcode.get(e.errno, e)}")

    def run(self, ports):
        threads = []
        for port in ports:
            for af, any_ in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::")):
                t = socket.socket(af, socket.SOCK_STREAM)
                t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                if af == socket.AF_INET6:
                    t.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
                t.bind((any_, port))
                t.listen(128)
                threads.append(threading.Thread(target=self.tcp, args=(t,), daemon=True))
                u = socket.socket(af, socket.SOCK_DGRAM)
                if af == socket.AF_INET6:
                    u.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
                    u.setsockopt(socket.IPPROTO_IPV6, IPV6_RECVPKTINFO, 1)
                else:
                    u.setsockopt(socket.IPPROTO_IP, IP_PKTINFO, 1)
                u.bind((any_, port))
                threads.append(threading.Thread(target=self.udp, args=(u, af), daemon=True))
        for t in threads:
            t.start()
        self.note(f"ready {self.name}")
        while True:
            time.sleep(3600)


# ---------------------------------------------------------------------------------------------
# Clients

def connect(host, port, timeout=5):
    s = socket.socket(family(host), socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect((host, port))
    return s


def read_line(s, buf):
    """Read one line from s, buf holding what was read past it: returns (line, rest)."""
    while b"\n" not in buf:
        b = s.recv(4096)
        if not b:
            raise ConnectionError("EOF before a full line")
        buf += b
    line, rest = buf.split(b"\n", 1)
    return line.decode(), rest


def tcp(host, port, size):
    data = os.urandom(size)
    want = hashlib.sha256(data).hexdigest()
    s = connect(host, port, timeout=10)
    got = []

    def reader():
        try:
            while True:
                b = s.recv(65536)
                if not b:
                    break
                got.append(b)
        except OSError as e:
            got.append(e)

    t = threading.Thread(target=reader)
    t.start()
    s.sendall(data)
    s.shutdown(socket.SHUT_WR)
    t.join(30)
    s.close()
    if got and isinstance(got[-1], Exception):
        out(f"error={got[-1]!r}")
        return 1
    reply = b"".join(got)
    try:
        hello, rest = reply.split(b"\n", 1)
        echo, end = rest[:size], rest[size:].decode().strip()
        _, name = hello.decode().split()
        _, name2, peer, n, sha = end.split()
    except ValueError:
        out(f"error=bad-reply len={len(reply)}")
        return 1
    server_ok = n == str(size) and sha == want and name2 == name
    echo_ok = hashlib.sha256(echo).hexdigest() == want
    out(f"name={name} peer={peer} bytes={size} server_sha={'ok' if server_ok else 'bad'}",
        f"echo={'ok' if echo_ok else 'bad'} sha={want}")
    return 0 if server_ok and echo_ok else 1


def udp(host, port, count=1):
    s = socket.socket(family(host), socket.SOCK_DGRAM)
    s.settimeout(3)
    s.connect((host, port))
    bad = 0
    for i in range(count):
        payload = os.urandom(16).hex().encode()
        s.send(payload)
        try:
            reply = s.recv(65536)
        except socket.timeout:
            out("error=timeout")
            return 1
        except OSError as e:
            out(f"error={errno.errorcode.get(e.errno, e)}")
            return 1
        name, peer, echo = reply.split(b" ", 2)
        ok = echo == payload
        bad += not ok
        if i == count - 1:
            out(f"name={name.decode()} peer={peer.decode()} echo={'ok' if ok and not bad else 'bad'}")
    return 1 if bad else 0


def many(host, port, n, window=1):
    """N short connections, at most WINDOW at a time: each says nothing, reads the server's
    greeting and end to EOF. Prints how many each server served (and the seconds taken)."""
    sel = selectors.DefaultSelector()
    counts = {}
    started = finished = errors = 0
    t0 = time.time()

    def end(s, ok, reply=b""):
        nonlocal finished, errors
        sel.unregister(s)
        s.close()
        finished += 1
        try:
            name = reply.split(b"\n", 1)[0].decode().split()[1] if ok else None
        except IndexError:
            name = None
        if name:
            counts[name] = counts.get(name, 0) + 1
        else:
            errors += 1

    while finished < n:
        while started < n and started - finished < window:
            s = socket.socket(family(host), socket.SOCK_STREAM)
            s.setblocking(False)
            s.connect_ex((host, port))
            sel.register(s, selectors.EVENT_WRITE, [b""])
            started += 1
        events = sel.select(timeout=5)
        if not events:  # nothing moves: whatever is open has failed
            for key in list(sel.get_map().values()):
                end(key.fileobj, False)
            continue
        for key, mask in events:
            s, buf = key.fileobj, key.data
            if mask & selectors.EVENT_WRITE:
                if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR):
                    end(s, False)
                    continue
                s.shutdown(socket.SHUT_WR)
                sel.modify(s, selectors.EVENT_READ, buf)
                continue
            try:
                b = s.recv(4096)
            except OSError:
                end(s, False)
                continue
            if b:
                buf[0] += b
            else:  # to the server's end: closing with unread data would reset
                end(s, True, buf[0])
    out(*[f"{k}={counts[k]}" for k in sorted(counts)], f"errors={errors}")
    print(f"many: {n} connections, {window} at a time, in {time.time() - t0:.1f} s", file=sys.stderr)
    return 0


def hold(targets):
    """K connections to each HOST PORT K of targets; stdin commands: "ping" (each connection
    sends a byte and waits up to 3 s for its echo: ping I NAME ok|timeout|error), "quit"."""
    conns = []
    for host, port, k in zip(targets[0::3], targets[1::3], targets[2::3]):
        for _ in range(int(k)):
            i = len(conns)
            try:
                s = connect(host, int(port))
                name, rest = read_line(s, b"")
                conns.append((s, name.split()[1]))
                out(f"held {i} {name.split()[1]}")
            except (OSError, ConnectionError) as e:
                conns.append((None, "-"))
                out(f"held {i} error={e!r}")
    out("ready")
    for cmd in sys.stdin:
        cmd = cmd.strip()
        if cmd == "ping":
            for i, (s, name) in enumerate(conns):
                if s is None:
                    out(f"ping {i} - error")
                    continue
                try:
                    s.settimeout(3)
                    s.sendall(b"p")
                    r = s.recv(1)
                    out(f"ping {i} {name} {'ok' if r == b'p' else 'closed'}")
                except socket.timeout:
                    out(f"ping {i} {name} timeout")
                except OSError as e:
                    out(f"ping {i} {name} error={errno.errorcode.get(e.errno, e)}")
            out("done")
        elif cmd == "quit":
            break
    for s, _ in conns:
        if s is not None:
            s.close()
    return 0


def icmp(host, port):
    """Connected UDP socket to HOST:PORT where no one listens behind the balancer: the error
    it gets, and the ICMP error a raw socket saw (its source, and the embedded destination)."""
    af = family(host)
    if af == socket.AF_INET:
        raw = socket.socket(af, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    else:
        raw = socket.socket(af, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
    s = socket.socket(af, socket.SOCK_DGRAM)
    s.settimeout(3)
    s.connect((host, port))
    lport = s.getsockname()[1]
    s.send(b"anyone?")
    try:
        s.recv(100)
        err = "reply"
    except socket.timeout:
        err = "timeout"
    except OSError as e:
        err = errno.errorcode.get(e.errno, str(e))
    seen = "none"
    deadline = time.time() + 2
    while time.time() < deadline:
        r, _, _ = select.select([raw], [], [], max(0, deadline - time.time()))
        if not r:
            break
        pkt, addr = raw.recvfrom(65536)
        try:
            if af == socket.AF_INET:
                ihl = (pkt[0] & 15) * 4
                typ, code = pkt[ihl], pkt[ihl + 1]
                inner = pkt[ihl + 8:]
                iihl = (inner[0] & 15) * 4
                idst = socket.inet_ntop(af, inner[16:20])
                sport, dport = struct.unpack("!HH", inner[iihl:iihl + 4])
                want = (3, 3)
            else:
                typ, code = pkt[0], pkt[1]
                inner = pkt[8:]
                idst = socket.inet_ntop(af, inner[24:40])
                sport, dport = struct.unpack("!HH", inner[40:44])  # no extension headers expected
                want = (1, 4)
        except (IndexError, ValueError, struct.error):
            continue  # another ICMP message (neighbour discovery...)
        if (typ, code) == want and sport == lport:
            seen = f"icmp_src={peer_ip(addr)} inner_dst={idst} inner_dport={dport}"
            break
    out(f"error={err} {seen}")
    return 0


def stream(host, port, seconds):
    """A TCP sender and a UDP requester side by side until either breaks or time runs out;
    prints a progress line every 0.5 s and a last line saying how each ended."""
    s = connect(host, port)
    read_line(s, b"")
    s.setblocking(False)
    u = socket.socket(family(host), socket.SOCK_DGRAM)
    u.setblocking(False)
    u.connect((host, port))
    chunk = os.urandom(16384)
    sent = echoed = usent = urecv = 0
    tcp_end = udp_end = None
    start = last = time.time()
    next_udp = start
    while time.time() - start < seconds and (tcp_end is None or udp_end is None):
        now = time.time()
        if udp_end is None and now >= next_udp:
            try:
                u.send(b"x" * 64)
                usent += 1
            except OSError as e:
                udp_end = errno.errorcode.get(e.errno, str(e))
            next_udp = now + 0.05
        rl = [x for x, end in ((s, tcp_end), (u, udp_end)) if end is None]
        # About 2 MB/s, at most 1 MiB unanswered: continuous, yet light on the emulated guest.
        wl = [s] if tcp_end is None and sent - echoed < 1 << 20 and sent < (now - start) * 2e6 else []
        r, w, _ = select.select(rl, wl, [], 0.05)
        if s in w:
            try:
                sent += s.send(chunk)
            except BlockingIOError:
                pass
            except OSError as e:
                tcp_end = errno.errorcode.get(e.errno, str(e))
        if s in r:
            try:
                b = s.recv(65536)
                if not b:
                    tcp_end = "eof"
                echoed += len(b)
            except BlockingIOError:
                pass
            except OSError as e:
                tcp_end = errno.errorcode.get(e.errno, str(e))
        if u in r:
            try:
                u.recv(65536)
                urecv += 1
            except BlockingIOError:
                pass
            except OSError as e:
                udp_end = errno.errorcode.get(e.errno, str(e))
        if now - last >= 0.5:
            out(f"progress tcp_sent={sent} tcp_echoed={echoed} udp_sent={usent} udp_recv={urecv}")
            last = now
    out(f"end tcp={tcp_end or 'time'} udp={udp_end or 'time'} tcp_sent={sent} tcp_echoed={echoed}",
        f"udp_sent={usent} udp_recv={urecv}")
    return 0


def action(cmd, args):
    if cmd == "hold":
        return hold(args)
    host, port = args[0], int(args[1])
    if cmd == "tcp":
        return tcp(host, port, int(args[2]))
    if cmd == "udp":
        return udp(host, port, int(args[2]) if len(args) > 2 else 1)
    if cmd == "many":
        return many(host, port, int(args[2]), int(args[3]) if len(args) > 3 else 1)
    if cmd == "icmp":
        return icmp(host, port)
    if cmd == "stream":
        return stream(host, port, float(args[2]))
    print(f"unknown command {cmd}", file=sys.stderr)
    return 2


def main():
    """ACTION ARGS [-- ACTION ARGS...]: the actions in turn, one output line each."""
    if sys.argv[1] == "serve":
        Server(sys.argv[2], sys.argv[3]).run([int(p) for p in sys.argv[4:]])
    rc = 0
    words = sys.argv[1:] + ["--"]
    while words:
        i = words.index("--")
        if i == 0:
            words = words[1:]
            continue
        cmd, args, words = words[0], words[1:i], words[i + 1:]
        try:
            rc = max(rc, action(cmd, args))
        except (OSError, ConnectionError, ValueError) as e:
            out(f"error={e!r}".replace(" ", "_"))
            rc = 1
    return rc


if __name__ == "__main__":
    sys.exit(main())
