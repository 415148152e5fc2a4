#!/usr/bin/env python3
"""live_bench.py — measures `cachetop watch --jsonl` on a large synthetic Claude tree: the time
to scan it and have every folder under watch, the latency from write() of a transcript line to
the matching event line on cachetop's stdout (p50/p99/max), and the CPU it uses while idle.
Builds nothing: pass the cachetop binary. Prints its figures; exits 1 if a target is missed.

usage: live_bench.py CACHETOP [--files 5000] [--lines 1000] [--idle 60] [--keep]
targets: write->event p99 < 50 ms; idle CPU < 0.5 % of one core.
"""
import argparse
import json
import os
import random
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + ".%03dZ" % int((t % 1) * 1000)


def assistant_line(session, t, cold=True, sidechain=False, agent_id=None):
    """One Claude assistant line; cold=True makes it a first request that rebuilds its cache."""
    u = str(uuid.uuid4())
    rec = {
        "parentUuid": None, "isSidechain": sidechain, "userType": "external",
        "cwd": "/home/bench/project", "sessionId": session, "version": "2.1.0",
        "message": {
            "id": "msg_" + u.replace("-", ""), "type": "message", "role": "assistant",
            "model": "claude-sonnet-4-20250514", "content": [{"type": "text", "text": "ok"}],
            "usage": {
                "input_tokens": 3,
                "cache_creation_input_tokens": 24000 if cold else 200,
                "cache_read_input_tokens": 0 if cold else 24000,
                "cache_creation": {"ephemeral_5m_input_tokens": 24000 if cold else 200,
                                   "ephemeral_1h_input_tokens": 0},
                "output_tokens": 12},
        },
        "requestId": "req_" + u.replace("-", "")[:24], "type": "assistant", "uuid": u,
        "timestamp": iso(t),
    }
    if agent_id:
        rec["agentId"] = agent_id
    return json.dumps(rec, separators=(",", ":")) + "\n"


def user_line(session, t):
    rec = {"parentUuid": None, "isSidechain": False, "type": "user", "sessionId": session,
           "cwd": "/home/bench/project", "uuid": str(uuid.uuid4()), "timestamp": iso(t),
           "message": {"role": "user", "content": "hello " + "x" * random.randint(10, 400)}}
    return json.dumps(rec, separators=(",", ":")) + "\n"


def make_tree(root, nfiles):
    """nfiles transcripts: 100 project folders, a third of the files as 2.1-style sub-agents
    (<session>/subagents/agent-*.jsonl). Returns (paths, number of folders to watch)."""
    projects = os.path.join(root, "projects")
    os.makedirs(projects)
    base = time.time() - 86400 * 3
    paths = []
    for i in range(nfiles):
        slug = "-home-bench-p%03d" % (i % 100)
        sess = str(uuid.UUID(int=random.getrandbits(128)))
        if i % 3 == 2:
            d = os.path.join(projects, slug, sess, "subagents")
            name = "agent-%08x.jsonl" % random.getrandbits(32)
        else:
            d = os.path.join(projects, slug)
            name = sess + ".jsonl"
        os.makedirs(d, exist_ok=True)
        t = base + i * 30
        with open(os.path.join(d, name), "w") as f:
            f.write(user_line(sess, t))
            f.write(assistant_line(sess, t + 2, cold=True))
            for k in range(random.randint(0, 4)):
                f.write(assistant_line(sess, t + 10 + k * 20, cold=False))
        paths.append(os.path.join(d, name))
    ndirs = sum(1 for _ in os.walk(projects))
    return paths, ndirs


def inotify_watches(pid):
    """Watches held by the process, from /proc/<pid>/fdinfo of its inotify descriptor."""
    total = 0
    fddir = "/proc/%d/fd" % pid
    try:
        fds = os.listdir(fddir)
    except OSError:
        return -1
    for fd in fds:
        try:
            if os.readlink(os.path.join(fddir, fd)) != "anon_inode:inotify":
                continue
            with open("/proc/%d/fdinfo/%s" % (pid, fd)) as f:
                total += sum(1 for line in f if line.startswith("inotify wd:"))
        except OSError:
            pass
    return total


def cpu_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


class Reader:
    """Line reader over the child's stdout pipe with a timeout."""

    def __init__(self, fd):
        self.fd = fd
        self.buf = b""

    def wait_for(self, needle, timeout):
        end = time.monotonic() + timeout
        while True:
            while b"\n" in self.buf:
                line, self.buf = self.buf.split(b"\n", 1)
                if needle in line:
                    return time.perf_counter(), line
            left = end - time.monotonic()
            if left <= 0:
                return None, None
            r, _, _ = select.select([self.fd], [], [], left)
            if r:
                chunk = os.read(self.fd, 65536)
                if not chunk:
                    return None, None
                self.buf += chunk


def pct(v, p):
    v = sorted(v)
    k = min(len(v) - 1, max(0, int(round(p / 100.0 * len(v) + 0.5)) - 1))
    return v[k]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("cachetop")
    ap.add_argument("--files", type=int, default=5000)
    ap.add_argument("--lines", type=int, default=1000)
    ap.add_argument("--idle", type=float, default=60.0)
    ap.add_argument("--keep", action="store_true", help="keep the temporary tree")
    ap.add_argument("--tree", help="an existing Claude root (e.g. the 1 GB corpus's claude/) "
                    "to copy and follow instead of generating --files small ones")
    args = ap.parse_args()
    random.seed(12345)

    tmp = tempfile.mkdtemp(prefix="cachetop-bench-")
    root = os.path.join(tmp, "claude")
    t0 = time.perf_counter()
    if args.tree:
        # a copy, so the corpus (and its manifest's totals) stays as it was
        shutil.copytree(args.tree, root)
        paths, ndirs = [], 0
        for d, sub, files in os.walk(os.path.join(root, "projects")):
            ndirs += 1
            paths += [os.path.join(d, f) for f in files if f.endswith(".jsonl")]
    else:
        paths, ndirs = make_tree(root, args.files)
    size = sum(os.path.getsize(p) for p in paths)
    print("tree: %d files, %d folders, %.1f MB (written in %.1f s)"
          % (len(paths), ndirs, size / 1e6, time.perf_counter() - t0))

    env = dict(os.environ)
    env.pop("CLAUDE_CONFIG_DIR", None)
    env["CODEX_HOME"] = os.path.join(tmp, "no-codex")
    start = time.perf_counter()
    proc = subprocess.Popen([args.cachetop, "watch", "--jsonl", "--claude-dir", root],
                            stdout=subprocess.PIPE, stderr=open(os.path.join(tmp, "stderr"), "w"),
                            env=env)
    failed = False
    try:
        # Set-up: scan + every folder under watch (+ the ancestor watch for the missing Codex
        # root), read from the kernel's own list of the process's watches.
        ready = None
        while time.perf_counter() - start < 120:
            n = inotify_watches(proc.pid)
            if n >= ndirs:
                ready = time.perf_counter() - start
                break
            if proc.poll() is not None:
                break
            time.sleep(0.002)
        if ready is None:
            print("FAIL: watches never reached %d (saw %d)" % (ndirs, inotify_watches(proc.pid)))
            return 1
        # The watches are in place; cachetop then re-reads what changed meanwhile. A probe
        # line shows when it is really following the files.
        reader = Reader(proc.stdout.fileno())
        with open(random.choice(paths), "a") as f:
            f.write(assistant_line("bench-probe", time.time(), cold=True))
        t1, _ = reader.wait_for(b'"session":"bench-probe"', 30.0)
        if t1 is None:
            print("FAIL: the probe event never came")
            return 1
        print("set-up: %d folders watched after %.0f ms, following (probe event seen) after "
              "%.0f ms; RSS %.1f MB" % (ndirs, ready * 1000, (t1 - start) * 1000,
                                       rss_kb(proc.pid) / 1024))
        lat = []
        missing = 0
        for i in range(args.lines):
            sess = "bench-%06d" % i
            now = time.time()
            kind = i % 3
            if kind == 0:
                # a new sub-agent chain: its first request is cold
                d = os.path.join(root, "projects", "-home-bench-p%03d" % (i % 100),
                                 "live-%04d" % (i // 3), "subagents")
                os.makedirs(d, exist_ok=True)
                target = os.path.join(d, "agent-%06d.jsonl" % i)
                data = assistant_line(sess, now, cold=True, sidechain=True, agent_id="a%06d" % i)
            else:
                # a cold request appended to an existing transcript
                target = random.choice(paths)
                data = assistant_line(sess, now, cold=True)
            fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            w0 = time.perf_counter()
            os.write(fd, data.encode())
            os.close(fd)
            t1, _ = reader.wait_for(('"session":"%s"' % sess).encode(), 5.0)
            if t1 is None:
                missing += 1
            else:
                lat.append((t1 - w0) * 1000)
        if lat:
            print("write → event line: n=%d p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms,"
                  " missing %d" % (len(lat), pct(lat, 50), pct(lat, 90), pct(lat, 99), max(lat),
                                   missing))
        if missing or not lat or pct(lat, 99) >= 50:
            print("FAIL: latency target (p99 < 50 ms, none missing)")
            failed = True

        time.sleep(1.0)  # let the last reads settle
        hz = os.sysconf("SC_CLK_TCK")
        c0, w0 = cpu_ticks(proc.pid), time.monotonic()
        time.sleep(args.idle)
        c1, w1 = cpu_ticks(proc.pid), time.monotonic()
        idle = (c1 - c0) / hz / (w1 - w0) * 100
        print("idle CPU over %.0f s: %d ticks (%d Hz) = %.3f %% of one core; RSS %.1f MB"
              % (w1 - w0, c1 - c0, hz, idle, rss_kb(proc.pid) / 1024))
        if idle >= 0.5:
            print("FAIL: idle CPU target (< 0.5 %)")
            failed = True

        proc.send_signal(signal.SIGTERM)
        rc = proc.wait(10)
        print("SIGTERM → exit status %d" % rc)
        if rc != 0:
            failed = True
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        with open(os.path.join(tmp, "stderr")) as f:
            err = f.read().strip()
        if err:
            print("cachetop stderr: " + err[:2000])
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print("tree kept in " + tmp)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
