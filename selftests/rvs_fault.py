#!/usr/bin/python3
"""Fail each allocation of rvs's module init, then of a namespace's creation, in turn.

For N = 1, 2, ... the N-th slab allocation made by this thread fails (/proc/thread-self/fail-nth,
with failslab told to fail GFP_KERNEL requests too; page allocations are left alone, since a
failed vmalloc prints an allocation-failure stack dump the harness would take for a report);
the call is then finit_module(rvs.ko) or unshare(CLONE_NEWNET). Each must either succeed or
fail cleanly; the shell test checks that a failed load leaves nothing behind, and the harness
checks the kernel log and kmemleak. Stops when an N is no longer reached (the call made fewer
allocations). Prints one line per outcome class; exit 1 on an unexpected result.
"""
import ctypes
import os
import sys

libc = ctypes.CDLL(None, use_errno=True)
SYS_init_module = 175
SYS_delete_module = 176
CLONE_NEWNET = 0x40000000


_nth_fd = None


def arm(n):
    """Makes this process's n-th allocation from now fail (0: none). The control file is
    opened once per process, because opening it allocates too."""
    global _nth_fd
    if _nth_fd is None or _nth_fd[0] != os.getpid():
        _nth_fd = (os.getpid(), os.open("/proc/thread-self/fail-nth", os.O_RDWR))
    os.pwrite(_nth_fd[1], str(n).encode(), 0)


def left():
    """How many allocations were still to go before the armed failure."""
    return int(os.pread(_nth_fd[1], 32, 0).decode().strip() or 0)


def loaded():
    with open("/proc/modules") as f:
        return any(l.startswith("rvs ") for l in f)


def load(image, n):
    """init_module(image) with allocation n failing (0: none). Loading from memory keeps the
    file read (9p here) out of the count. Returns (errno or 0, allocations made or reached)."""
    big = 1 << 30
    arm(n or big)
    r = libc.syscall(SYS_init_module, image, len(image), b"")
    err = ctypes.get_errno() if r != 0 else 0
    rest = left()
    arm(0)
    return err, (big - rest if n == 0 else rest == 0)


def unload():
    if libc.syscall(SYS_delete_module, b"rvs", os.O_NONBLOCK) != 0:
        raise RuntimeError(f"rmmod: {os.strerror(ctypes.get_errno())}")


def load_loop(ko, check):
    """rvs's init runs at the end of load_module, so its allocations are the last of a load:
    fail each of the last 150, and every 20th of the rest (the kernel's own loading)."""
    with open(ko, "rb") as f:
        image = f.read()
    err, total = load(image, 0)
    if err:
        print(f"FAIL: a plain load failed: {os.strerror(err)}")
        return 1
    unload()
    ns = sorted(set(range(max(1, total - 150), total + 1)) | set(range(1, total, 20)))
    outcomes = {}
    for n in ns:
        err, _ = load(image, n)
        key = os.strerror(err) if err else "loaded"
        outcomes[key] = outcomes.get(key, 0) + 1
        if not err:
            unload()
        elif loaded():
            print(f"FAIL: n={n}: the load failed ({os.strerror(err)}) but rvs is loaded")
            return 1
        elif os.system(check) != 0:
            print(f"FAIL: n={n}: a failed load ({os.strerror(err)}) left something behind")
            return 1
    print(f"ok: module load ({total} allocations) with {len(ns)} of them failing in turn: {outcomes}")
    return 0 if len(outcomes) > 1 else 1


def unshare_child(n):
    """Forks a child that unshares its network namespace with allocation n failing (0: none).

    Returns (created, allocations made when n == 0 else whether n was reached)."""
    big = 1 << 30
    r_fd, w_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r_fd)
        arm(n or big)
        r = libc.unshare(CLONE_NEWNET)
        rest = left()
        arm(0)
        ok = r != 0 or os.path.exists("/proc/net/rvs")
        os.write(w_fd, f"{int(r == 0)} {big - rest if n == 0 else int(rest == 0)} {int(ok)}".encode())
        os._exit(0)
    os.close(w_fd)
    data = os.read(r_fd, 100).decode().split()
    os.close(r_fd)
    os.waitpid(pid, 0)
    created, count, ok = (int(x) for x in data)
    if not ok:
        raise RuntimeError(f"n={n}: a new namespace has no /proc/net/rvs")
    return created == 1, count


def netns_loop():
    """rvs's pernet operations run last in a new namespace (they were registered last), so the
    last allocations of the sequence are rvs's: fail each of the last 200, and every 100th of
    the rest."""
    _, total = unshare_child(0)
    ns = sorted(set(range(max(1, total - 200), total + 1)) | set(range(1, total, 100)))
    outcomes = {}
    try:
        for n in ns:
            created, _ = unshare_child(n)
            key = "created" if created else "failed"
            outcomes[key] = outcomes.get(key, 0) + 1
    except RuntimeError as e:
        print(f"FAIL: {e}")
        return 1
    print(f"ok: namespace creation ({total} allocations) with {len(ns)} of them failing in turn: {outcomes}")
    return 0 if outcomes.get("failed") else 1


def main():
    ko, check, what = sys.argv[1], sys.argv[2], sys.argv[3]
    for name, value in (("ignore-gfp-wait", "N"), ("verbose", "0"), ("task-filter", "N")):
        with open(f"/sys/kernel/debug/failslab/{name}", "w") as f:
            f.write(value)
    return load_loop(ko, check) if what == "load" else netns_loop()


if __name__ == "__main__":
    sys.exit(main())
