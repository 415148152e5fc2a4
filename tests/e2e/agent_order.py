#!/usr/bin/env python3
"""agent_order.py — writes a transcript tree line by line in the order the agents write it, while
`cachetop watch --jsonl --backfill` follows it, then checks that what the live path said equals a
fresh `report --json` over the final tree.

The order: files interleave in time; each file's own lines keep their order; a line is written
at its own timestamp, except that a resume's or fork's copied prefix (lines whose identity — the
Claude `uuid`, else the line's bytes — also stands in another file) is written when its file is
born, i.e. at the time of the file's first line of its own. Ties go to the file born first.

usage: agent_order.py CACHETOP SRC_TREE [--pace MS] [--settle S] [--keep DIR]
  SRC_TREE holds claude/ (a Claude root) and/or codex/ (a Codex root) and/or gemini/.
Exit 0 when the live events (after any retractions) equal the report's events and the live
final report (printed by watch at exit with --final-report) equals the fresh report.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime

ROOTS = (("claude", "--claude-dir"), ("codex", "--codex-dir"), ("gemini", "--gemini-dir"))


def parse_ts(s):
    try:
        return datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
    except (ValueError, AttributeError):
        return None


def line_identity(raw):
    try:
        o = json.loads(raw)
    except ValueError:
        return raw, None
    if not isinstance(o, dict):
        return raw, None
    ts = parse_ts(o.get("timestamp")) if isinstance(o.get("timestamp"), str) else None
    u = o.get("uuid")
    if isinstance(u, str) and u:
        return "uuid:" + u, ts
    return raw, ts


def plan(src):
    """Every transcript line of the tree with the time an agent would write it."""
    files = []
    for top, _ in ROOTS:
        base = os.path.join(src, top)
        for dirpath, _, names in os.walk(base):
            for n in sorted(names):
                if n.endswith(".jsonl"):
                    files.append(os.path.relpath(os.path.join(dirpath, n), src))
    files.sort()
    lines = {}
    where = {}
    for f in files:
        with open(os.path.join(src, f), "rb") as fh:
            data = fh.read()
        raw = data.split(b"\n")
        if raw and raw[-1] == b"":
            raw.pop()
        lines[f] = []
        for r in raw:
            ident, ts = line_identity(r.decode("utf-8", "replace"))
            lines[f].append((r, ident, ts))
            where.setdefault(ident, set()).add(f)
    order = []
    births = {}
    for f in files:
        ls = lines[f]
        # the file's birth: its first line of its own (not also in another file)
        own = [ts for (_, ident, ts) in ls if ts is not None and len(where[ident]) == 1]
        any_ts = [ts for (_, _, ts) in ls if ts is not None]
        if own:
            birth = own[0]
        elif any_ts:
            birth = max(any_ts)   # nothing of its own: a pure copy, born when written last
        else:
            birth = 0.0
        births[f] = birth
    for f in files:
        t = births[f]
        for i, (r, ident, ts) in enumerate(lines[f]):
            if ts is not None and ts > t:
                t = ts   # a copied line older than the file's birth is written at its birth
            order.append((t, births[f], f, i, r))
    order.sort(key=lambda x: (x[0], x[1], x[2], x[3]))
    return files, order


def copy_other_files(src, dst):
    """Everything that is not a transcript (meta.json, tool results) is there from the start."""
    for dirpath, _, names in os.walk(src):
        rel = os.path.relpath(dirpath, src)
        os.makedirs(os.path.join(dst, rel), exist_ok=True)
        for n in names:
            if not n.endswith(".jsonl") and not n.endswith(".py") and not n.endswith(".md") and n != "expected.json":
                shutil.copy2(os.path.join(dirpath, n), os.path.join(dst, rel, n))


def canon_events(evs):
    out = []
    for e in evs:
        e = dict(e)
        e.pop("observed_at", None)
        out.append(json.dumps(e, sort_keys=True))
    out.sort()
    return out


def apply_stream(path):
    """The live event list: events printed, less those retracted afterwards."""
    live = []
    retracts = 0
    with open(path) as fh:
        for line in fh:
            line = line.strip()
            if not line:
                continue
            o = json.loads(line)
            k = o.get("kind")
            if k == "quota":
                continue
            if k == "retract":
                retracts += 1
                ev = o.get("event")
                key = json.dumps({kk: vv for kk, vv in ev.items() if kk != "observed_at"}, sort_keys=True)
                for i in range(len(live) - 1, -1, -1):
                    if json.dumps({kk: vv for kk, vv in live[i].items() if kk != "observed_at"}, sort_keys=True) == key:
                        del live[i]
                        break
                else:
                    raise SystemExit("a retraction names an event that was never printed: " + line)
                continue
            live.append(o)
    return live, retracts


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        print(__doc__)
        return 2
    exe, src = args[0], args[1]
    pace = 0.0
    settle = 1.5
    keep = None
    i = 2
    while i < len(args):
        if args[i] == "--pace":
            pace = float(args[i + 1]) / 1000.0
            i += 2
        elif args[i] == "--settle":
            settle = float(args[i + 1])
            i += 2
        elif args[i] == "--keep":
            keep = args[i + 1]
            i += 2
        else:
            print("unknown argument " + args[i])
            return 2
    files, order = plan(src)
    tmp = keep or tempfile.mkdtemp(prefix="cachetop-order.")
    dst = os.path.join(tmp, "tree")
    shutil.rmtree(dst, ignore_errors=True)
    os.makedirs(dst)
    copy_other_files(src, dst)
    roots = []
    for top, opt in ROOTS:
        if os.path.isdir(os.path.join(src, top)):
            roots += [opt, os.path.join(dst, top)]
    env = dict(os.environ)
    env["XDG_STATE_HOME"] = os.path.join(tmp, "state")
    env["XDG_CONFIG_HOME"] = os.path.join(tmp, "config")
    env["XDG_CACHE_HOME"] = os.path.join(tmp, "cache")
    out_path = os.path.join(tmp, "watch.jsonl")
    final_path = os.path.join(tmp, "live-final.json")
    now = "2026-12-01T00:00:00Z"
    with open(out_path, "w") as out:
        w = subprocess.Popen([exe, "watch", "--jsonl", "--backfill", "--now", now,
                              "--final-report", final_path] + roots,
                             stdout=out, stderr=subprocess.PIPE, env=env)
        time.sleep(0.5)
        fds = {}
        t0 = time.time()
        for (_, _, f, _, r) in order:
            fd = fds.get(f)
            if fd is None:
                os.makedirs(os.path.dirname(os.path.join(dst, f)), exist_ok=True)
                fd = os.open(os.path.join(dst, f), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
                fds[f] = fd
            os.write(fd, r + b"\n")
            if pace:
                time.sleep(pace)
        for fd in fds.values():
            os.close(fd)
        wrote = time.time() - t0
        time.sleep(settle)
        w.send_signal(signal.SIGTERM)
        _, err = w.communicate(timeout=30)
    if keep:
        with open(os.path.join(tmp, "watch.err"), "wb") as fh:
            fh.write(err)
    if w.returncode != 0:
        print("watch exited %d: %s" % (w.returncode, err.decode(errors="replace")))
        return 1
    live, retracts = apply_stream(out_path)
    rep = subprocess.run([exe, "report", "--json", "--now", now] + roots, env=env,
                         stdout=subprocess.PIPE, check=True).stdout
    report = json.loads(rep)
    want = canon_events(report["events"])
    got = canon_events(live)
    ok = True
    if want != got:
        ok = False
        sw, sg = set(want), set(got)
        print("live events differ from the report's: %d live, %d in the report" % (len(got), len(want)))
        for e in sorted(sw - sg)[:20]:
            print("  only in the report: " + e)
        for e in sorted(sg - sw)[:20]:
            print("  only live:          " + e)
    with open(final_path) as fh:
        final = json.load(fh)
    for k in ("generated_at",):
        final.pop(k, None)
        report.pop(k, None)
    if final != report:
        ok = False
        for k in report:
            if final.get(k) != report.get(k):
                print("final live state differs from a fresh scan in '%s'" % k)
    nlines = len(order)
    print("%s: %d files, %d lines written in agent order in %.2f s (pace %g ms); %d events, %d retracted; %s"
          % (src, len(files), nlines, wrote, pace * 1000, len(want), retracts, "equal" if ok else "DIFFERENT"))
    if not keep:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
