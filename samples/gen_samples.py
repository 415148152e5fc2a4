#!/usr/bin/env python3
"""gen_samples.py — writes the bundled sample transcript trees (samples/claude, a Claude root, and
samples/codex, a Codex root), their expectations (samples/expected.json) and re-reads what it wrote
to check them. Deterministic: one seeded RNG, no clock, no environment. The expectations come from
the plan below (the figures of seed-measurements.md and the scenario list), and an independent
reader of the written files (a small reference analyzer following design.md) must agree with them.

Run:  python3 samples/gen_samples.py            (writes, checks, prints a summary)
      python3 samples/gen_samples.py --check    (only re-reads and checks the committed tree)
"""
import copy
import datetime as dt
import json
import os
import random
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CLAUDE_ROOT = os.path.join(HERE, "claude")
CODEX_ROOT = os.path.join(HERE, "codex")
GEMINI_ROOT = os.path.join(HERE, "gemini")
EXPECTED = os.path.join(HERE, "expected.json")

rng = random.Random(20261110)

# --------------------------------------------------------------------------------------------
# small helpers

B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def b62(n):
    return "".join(rng.choice(B62) for _ in range(n))


def new_uuid(prefix=None):
    h = "%032x" % rng.getrandbits(128)
    h = h[:12] + "4" + h[13:16] + "89ab"[rng.randrange(4)] + h[17:]
    s = "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:])
    if prefix:
        s = prefix + s[len(prefix):]
    return s


def uuid7(ms):
    """A UUIDv7 for Codex thread/turn ids (time-ordered, like the real ones)."""
    h = "%012x" % ms + "7" + "%03x" % rng.getrandbits(12) + "%x" % (8 | rng.getrandbits(2)) + \
        "%015x" % rng.getrandbits(60)
    return "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:32])


def msg_id():
    return "msg_01" + b62(22)


def req_id():
    return "req_011C" + b62(20)


def tool_id():
    return "toolu_01" + b62(22)


def call_id():
    return "call_" + b62(24)


def ms(y, mo, d, h=0, mi=0, s=0, milli=0):
    return int(dt.datetime(y, mo, d, h, mi, s, milli * 1000, tzinfo=dt.timezone.utc).timestamp() * 1000)


def iso(t):
    d = dt.datetime.fromtimestamp(t / 1000, tz=dt.timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (t % 1000)


def parse_iso(s):
    d = dt.datetime.strptime(s[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=dt.timezone.utc)
    return int(d.timestamp() * 1000) + int(s[20:23])


def dumps(o):
    return json.dumps(o, ensure_ascii=False, separators=(",", ":"))


def slug_of(cwd):
    return "".join(c if c.isalnum() and c.isascii() else "-" for c in cwd)


WORDS = ("request handler token session cache retry timeout config parser router middleware "
         "schema migration query index user order cart payment invoice webhook queue worker "
         "metrics logger error response status header body client server test fixture mock "
         "account limit window batch stream buffer offset cursor page filter sort").split()


def sentence(n):
    w = [rng.choice(WORDS) for _ in range(n)]
    w[0] = w[0].capitalize()
    return " ".join(w) + "."


def code_file(path, nbytes):
    """Read-tool style numbered source text of about nbytes (Claude Code 2.x uses '→')."""
    out, n, i = [], 0, 1
    lang_ts = path.endswith(".ts")
    while n < nbytes:
        k = rng.randrange(6)
        a, b = rng.choice(WORDS), rng.choice(WORDS)
        if k == 0:
            s = ("export function %s%s(%s: %s): Promise<void> {" % (a, b.capitalize(), a, b.capitalize())
                 if lang_ts else "def %s_%s(%s, %s=None):" % (a, b, a, b))
        elif k == 1:
            s = ("  const %s = await this.%s.get(%s.id);" % (a, b, a) if lang_ts
                 else "    %s = self.%s.get(%s.id)" % (a, b, a))
        elif k == 2:
            s = ("  if (!%s) throw new HttpError(404, '%s not found');" % (a, a) if lang_ts
                 else "    if %s is None:\n        raise NotFound('%s')" % (a, a))
        elif k == 3:
            s = "  // %s" % sentence(rng.randrange(5, 12)) if lang_ts else "    # %s" % sentence(rng.randrange(5, 12))
        elif k == 4:
            s = "  return %s.%s;" % (a, b) if lang_ts else "    return %s.%s" % (a, b)
        else:
            s = ""
        line = "%6d→%s" % (i, s)
        out.append(line)
        n += len(line) + 1
        i += 1
    return "\n".join(out), i - 1


# --------------------------------------------------------------------------------------------
# Claude transcript writer

class CFile:
    def __init__(self, rel):
        self.rel = rel          # relative to the Claude root
        self.lines = []         # dicts, serialised in order

    def add(self, d):
        self.lines.append(d)
        return d


class Conv:
    """One conversation thread writing into a file (main chain or one sub-agent)."""

    def __init__(self, f, session, cwd, version, model, branch="main", sidechain=False, agent_id=None,
                 parent=None):
        self.f, self.session, self.cwd, self.version, self.model = f, session, cwd, version, model
        self.branch, self.sidechain, self.agent_id, self.parent = branch, sidechain, agent_id, parent
        self.old_style = version.startswith("1.")

    def env(self):
        d = {"parentUuid": self.parent, "isSidechain": self.sidechain, "userType": "external",
             "cwd": self.cwd, "sessionId": self.session, "version": self.version, "gitBranch": self.branch}
        if self.agent_id:
            d["agentId"] = self.agent_id
        return d

    def _emit(self, d):
        self.f.add(d)
        if "uuid" in d:
            self.parent = d["uuid"]
        return d

    def user(self, t, content, extra=None, tool_result=None):
        d = self.env()
        d["type"] = "user"
        d["message"] = {"role": "user", "content": content}
        if extra:
            d.update(extra)
        d["uuid"] = new_uuid()
        d["timestamp"] = iso(t)
        if tool_result is not None:
            d["toolUseResult"] = tool_result
        return self._emit(d)

    def system(self, t, subtype, extra):
        d = self.env()
        d["type"] = "system"
        d["subtype"] = subtype
        d.update(extra)
        d["uuid"] = new_uuid()
        d["timestamp"] = iso(t)
        return self._emit(d)

    def response(self, t, r, blocks, stop, model=None, mid=None, rid=None, extra=None):
        """Write one API response as one line per content block. r: the request plan dict."""
        mid = mid or msg_id()
        rid = rid or req_id()
        n = len(blocks)
        lines = []
        off = 0
        for i, b in enumerate(blocks):
            if n == 1 or i == n - 1:
                out = r["out"]
            elif i == 0:
                out = 3
            else:
                out = r["out"] if rng.random() < 0.5 else max(4, r["out"] // 2)
            cc5 = r["cc"] if r.get("tier") == "5m" else 0
            cc1 = r["cc"] - cc5
            usage = {"input_tokens": r["in"], "cache_creation_input_tokens": r["cc"],
                     "cache_read_input_tokens": r["cr"],
                     "cache_creation": {"ephemeral_5m_input_tokens": cc5, "ephemeral_1h_input_tokens": cc1},
                     "output_tokens": out, "service_tier": "standard"}
            d = self.env()
            d["message"] = {"id": mid, "type": "message", "role": "assistant", "model": model or self.model,
                            "content": [b], "stop_reason": stop if i == n - 1 else None,
                            "stop_sequence": None, "usage": usage}
            d["requestId"] = rid
            d["type"] = "assistant"
            d["uuid"] = new_uuid()
            d["timestamp"] = iso(t + off)
            off += rng.randrange(300, 700)
            if extra:
                d.update(extra)
            lines.append(self._emit(d))
        return lines


def text_block(s):
    return {"type": "text", "text": s}


def thinking_block():
    return {"type": "thinking", "thinking": " ".join(sentence(rng.randrange(6, 14)) for _ in range(3)),
            "signature": "Eq" + b62(120)}


def tool_use(name, inp, tid=None):
    return {"type": "tool_use", "id": tid or tool_id(), "name": name, "input": inp}


API_FILES = ["src/auth/middleware.ts", "src/auth/session.ts", "src/routes/orders.ts", "src/routes/cart.ts",
             "src/db/pool.ts", "src/db/migrations/0042_orders_index.sql", "test/auth.test.ts",
             "test/orders.test.ts", "src/lib/retry.ts", "src/lib/cache.ts", "src/config.ts"]


def tool_round(conv, t, cwd, files, big=0):
    """Pick a tool call, return (tool_use block, result writer). big: bytes of a large Read result."""
    k = rng.randrange(5) if not big else 0
    tid = tool_id()
    path = cwd + "/" + rng.choice(files)
    if k == 0:
        content, nl = code_file(path, big or rng.randrange(600, 4000))
        blk = tool_use("Read", {"file_path": path}, tid)
        res = {"type": "text", "file": {"filePath": path, "content": content, "numLines": nl, "startLine": 1,
                                        "totalLines": nl}}
    elif k == 1:
        cmd = rng.choice(["npm test -- --runInBand", "git status --short", "npx tsc --noEmit",
                          "npm run lint", "git diff --stat"])
        out = "\n".join("%s %s" % (rng.choice(["PASS", "ok", "M ", "✓"]), sentence(rng.randrange(3, 8)))
                        for _ in range(rng.randrange(3, 25)))
        content = out
        blk = tool_use("Bash", {"command": cmd, "description": sentence(4)}, tid)
        res = {"stdout": out, "stderr": "", "interrupted": False, "isImage": False}
    elif k == 2:
        names = rng.sample(files, rng.randrange(1, 5))
        content = "Found %d files\n" % len(names) + "\n".join(cwd + "/" + x for x in names)
        blk = tool_use("Grep", {"pattern": rng.choice(WORDS), "path": cwd + "/src",
                                "output_mode": "files_with_matches"}, tid)
        res = {"mode": "files_with_matches", "filenames": [cwd + "/" + x for x in names], "numFiles": len(names)}
    elif k == 3:
        old, new = sentence(5), sentence(6)
        content = ("The file %s has been updated. Here's the result of running `cat -n` on a snippet of the "
                   "edited file:\n%s" % (path, code_file(path, 500)[0]))
        blk = tool_use("Edit", {"file_path": path, "old_string": old, "new_string": new}, tid)
        res = {"filePath": path, "oldString": old, "newString": new, "originalFile": None,
               "structuredPatch": [{"oldStart": 12, "oldLines": 1, "newStart": 12, "newLines": 1,
                                    "lines": ["-" + old, "+" + new]}], "userModified": False, "replaceAll": False}
    else:
        todos = [{"content": sentence(5), "status": rng.choice(["pending", "in_progress", "completed"]),
                  "activeForm": sentence(4)} for _ in range(rng.randrange(2, 6))]
        content = ("Todos have been modified successfully. Ensure that you continue to use the todo list to "
                   "track your progress. Please proceed with the current tasks if applicable")
        blk = tool_use("TodoWrite", {"todos": todos}, tid)
        res = {"oldTodos": [], "newTodos": todos}

    def write(tt):
        conv.user(tt, [{"tool_use_id": tid, "type": "tool_result", "content": content}], tool_result=res)
    return blk, write


PROMPTS = [
    "The auth middleware rejects valid refresh tokens after a deploy. Find out why and fix it.",
    "Tests in test/auth.test.ts are flaky on CI; make them deterministic.",
    "Add an index for the orders list query and a migration for it.",
    "Refactor src/lib/retry.ts so that the backoff is configurable per route.",
    "Why does /v1/cart return 500 when the cart is empty?",
    "Run the whole test suite and fix whatever fails.",
    "Review the session cache for race conditions.",
    "Write tests for the new pagination cursor.",
    "ok, continue",
    "Looks good. Now update the docs and the changelog.",
]


def emit_request(conv, r, cwd, files, nlines=None):
    """Emit one planned request r (dict with t, in, cc, cr, out, kind) into conv, plus what follows
    (tool results). Returns the list of assistant lines written."""
    t = r["t"]
    if r.get("prompt"):
        conv.user(t - rng.randrange(1500, 6000), r["prompt"])
    if r["kind"] == "end":
        n = nlines or 1
        blocks = ([thinking_block()] if n > 1 else []) + [text_block(" ".join(sentence(rng.randrange(6, 16))
                                                                          for _ in range(rng.randrange(2, 7))))]
        blocks = blocks[-n:] if n <= len(blocks) else blocks
        lines = conv.response(t, r, blocks, "end_turn", mid=r.get("mid"), rid=r.get("rid"))
        return lines
    n = nlines or rng.choice([1, 1, 2, 2, 3])
    writers, blocks = [], []
    ntools = 1 if n < 3 else rng.choice([1, 2])
    lead = n - ntools
    if lead >= 2:
        blocks += [thinking_block(), text_block(sentence(rng.randrange(6, 18)))]
    elif lead == 1:
        blocks.append(text_block(sentence(rng.randrange(6, 18))))
    for j in range(ntools):
        blk, w = tool_round(conv, t, cwd, files, big=r.get("big", 0) if j == 0 else 0)
        blocks.append(blk)
        writers.append(w)
    lines = conv.response(t, r, blocks, "tool_use", mid=r.get("mid"), rid=r.get("rid"))
    tt = parse_iso(lines[-1]["timestamp"]) + rng.randrange(150, 1500)
    for w in writers:
        w(tt)
        tt += rng.randrange(5, 60)
    return lines


# --------------------------------------------------------------------------------------------
# The seed workload plan (seed-measurements.md)

SEED_MODEL = "claude-opus-4-6"
SEED_VERSION = "2.1.116"
API_CWD = "/home/dev/src/api"
SID = {
    "c0eb": new_uuid("c0eb34ad"), "b6e0": new_uuid("b6e07fac"), "f3f5": new_uuid("f3f5c819"),
    "e175": new_uuid("e17536e7"), "096d": new_uuid("096d96fa"),
}
SEED_TOTALS = {"cache_read": 60869087, "cache_creation": 2017110, "input": 9923, "output": 446687}

# (gap minutes, cache_creation, cache_read) of the 13 baseline requests, per session
PINS = {
    "c0eb": [(4.8, 840, 78457), (5.8, 3302, 85549), (7.6, 4945, 114763), (3.3, 389, 155492),
             (4.0, 5112, 173721), (5.9, 1283, 240818)],
    "b6e0": [(3.3, 376, 80990), (4.0, 3209, 107456), (3.7, 2123, 159700), (4.3, 2015, 220492)],
    "096d": [(5.7, 264, 82612), (27.4, 1559, 150593), (6.0, 2385, 161823)],
}
# requests per main chain, free requests before each pin, sub-agent sizes
MAIN_N = {"c0eb": 58, "b6e0": 44, "096d": 56}
BEFORE_PIN = {"c0eb": [3, 1, 2, 1, 1, 2], "b6e0": [3, 1, 2, 1], "096d": [2, 2, 1]}
# sub-agents: (session, spawn after main request index, [requests], parallel group)
SUBAGENTS = [("c0eb", 20, 4), ("c0eb", 20, 3), ("c0eb", 40, 3), ("b6e0", 12, 4), ("b6e0", 30, 3),
             ("f3f5", 2, 2), ("096d", 8, 4), ("096d", 25, 3), ("096d", 44, 5)]


def plan_seed(F, mscale, mcorr):
    """Build the seed requests for given tail targets F (dict chain -> final prefix), a scale of the
    per-request write fraction and its correlation with prompt size. Returns (chains, info)."""
    prng = random.Random(4242)
    chains = {}

    def m_draw(P):
        return mscale * prng.lognormvariate(0, 0.7) * (P / 300000.0) ** mcorr

    def ordinary(E, P_target_growth=0):
        return None

    for c in ("c0eb", "b6e0", "096d"):
        reqs = []
        if c == "c0eb":
            first = {"in": 3, "cc": 31207, "cr": 0}
        elif c == "b6e0":
            first = {"in": 3, "cc": 20061, "cr": 0}
        else:
            first = {"in": 3, "cc": 23849, "cr": 16702}
        first.update(kind="end", role="first")
        reqs.append(first)
        E = first["cr"] + first["cc"]
        segs = []  # (count of free requests, target cr at the end or None, pin)
        for (g, cc, cr), k in zip(PINS[c], BEFORE_PIN[c]):
            segs.append((k, cr, (g, cc, cr)))
        used = 1 + sum(k + 1 for k, _, _ in segs)
        segs.append((MAIN_N[c] - used, F[c], None))
        for k, target, pin in segs:
            # k free requests growing from E to `target` (the pin's cache_read, or the final prefix)
            growth = target - E
            ccs = []
            P = E
            for j in range(k):
                P_est = E + growth * (j + 1) / (k + 1)
                m = min(0.2, m_draw(P_est))
                ccs.append(max(60, int(P_est * m)))
            # ccs and extra reads share the growth; scale writes down if they exceed it
            if pin is None:
                # tail: the last request's prefix is the target; writes count towards it
                budget = growth
            else:
                budget = growth
            s = sum(ccs)
            if s > budget * 0.9:
                f = budget * 0.9 / s
                ccs = [max(60, int(x * f)) for x in ccs]
            extra_total = budget - sum(ccs)
            # extra reads (reads beyond the predecessor's prefix) spread over some of the requests
            if pin is None:
                w = [0.5 ** j * (0.5 + prng.random()) for j in range(k)]
            else:
                w = [prng.random() if prng.random() < 0.6 else 0.0 for _ in range(k)]
            if sum(w) == 0:
                w[0] = 1.0
            sw = sum(w)
            extras = [int(extra_total * x / sw) for x in w]
            if pin is None:
                extras[0] += extra_total - sum(extras)
            else:
                extras[-1] += extra_total - sum(extras)
            for j in range(k):
                r = {"in": 0, "cc": ccs[j], "cr": E + extras[j], "kind": "tool", "role": "ord"}
                reqs.append(r)
                E = r["cr"] + r["cc"]
            if pin is not None:
                g, cc, cr = pin
                assert cr >= E, (c, pin, E)
                # the request before a pin carries the remaining extra so that the pin reads exactly
                # its predecessor's prefix (a perfect hit after the idle gap)
                reqs[-1]["cr"] += cr - E
                E = cr
                reqs.append({"in": 0, "cc": cc, "cr": cr, "kind": "tool", "role": "pin", "gap_min": g})
                E = cr + cc
        chains[c] = reqs
        reqs[-1]["kind"] = "end"
    # f3f5: short session after a TTL expiry
    r = [{"in": 3, "cc": 41766, "cr": 0, "kind": "tool", "role": "first"}]
    E = 41766
    for cc in (612, 1877, 402, 955, 318):
        r.append({"in": 0, "cc": cc, "cr": E, "kind": "tool", "role": "ord"})
        E += cc
    r[-1]["kind"] = "end"
    chains["f3f5"] = r
    # e175: the 28.2-minute resume (cold), then one warm request; its last prefix is 40,551
    chains["e175"] = [{"in": 3, "cc": 40260, "cr": 0, "kind": "tool", "role": "first"},
                      {"in": 0, "cc": 291, "cr": 40260, "kind": "end", "role": "ord"}]
    # sub-agents: cold first request, then a perfect chain with small writes
    subs = []
    for i, (sess, after, n) in enumerate(SUBAGENTS):
        S = prng.randrange(9000, 18000)
        rr = [{"in": prng.randrange(3, 9), "cc": S, "cr": 0, "kind": "tool", "role": "first"}]
        E = S
        for j in range(n - 1):
            cc = int(E * prng.uniform(0.01, 0.05))
            rr.append({"in": 0, "cc": cc, "cr": E, "kind": "tool", "role": "ord"})
            E += cc
        rr[-1]["kind"] = "end"
        subs.append(rr)
    chains["subs"] = subs
    return chains


def all_seed_reqs(chains):
    out = []
    for c in ("c0eb", "b6e0", "f3f5", "e175", "096d"):
        out += chains[c]
    for s in chains["subs"]:
        out += s
    return out


def bucket_reqs(chains):
    """Ordinary requests in the <5 min bucket (everything ordinary but the pins at >= 5 min)."""
    res = []
    for r in all_seed_reqs(chains):
        if r["role"] == "ord" or (r["role"] == "pin" and r["gap_min"] < 5):
            res.append(r)
    return res


def hit(r):
    return r["cr"] / (r["in"] + r["cc"] + r["cr"])


def tune_seed(target_miss=0.028):
    """Find the tail size, the write fraction and its correlation with prompt size that give the
    published totals and the ~97.2% mean hit of the <5 min bucket, then fix the totals exactly."""
    base_F = {"c0eb": 560000, "b6e0": 520000, "096d": 640000}

    def build(k, mscale, mcorr):
        return plan_seed({c: int(v * k) for c, v in base_F.items()}, mscale, mcorr)

    def bisect(f, lo, hi, target, n=24):
        for _ in range(n):
            mid = (lo + hi) / 2
            if f(mid) < target:
                lo = mid
            else:
                hi = mid
        return (lo + hi) / 2

    def mean_miss(ch):
        b = bucket_reqs(ch)
        return sum(1 - r["cr"] / (r["cc"] + r["cr"] + 3) for r in b) / len(b)

    def inner(mcorr):
        k = 1.0
        ms_ = 0.02
        for _ in range(4):
            ms_ = bisect(lambda x: mean_miss(build(k, x, mcorr)), 0.001, 0.1, target_miss)
            k = bisect(lambda x: sum(r["cr"] for r in all_seed_reqs(build(x, ms_, mcorr))), 0.3, 3.0,
                       SEED_TOTALS["cache_read"])
        return k, ms_

    def cc_of(mcorr):
        k, ms_ = inner(mcorr)
        return sum(r["cc"] for r in all_seed_reqs(build(k, ms_, mcorr)))

    mcorr = bisect(cc_of, -1.5, 1.5, SEED_TOTALS["cache_creation"], n=14)
    k, ms_ = inner(mcorr)
    ch = build(k, ms_, mcorr)
    # exact fix on the last request of 096d (no successor): its reads and writes
    reqs = all_seed_reqs(ch)
    last = ch["096d"][-1]
    last["cr"] += SEED_TOTALS["cache_read"] - sum(r["cr"] for r in reqs)
    last["cc"] += SEED_TOTALS["cache_creation"] - sum(r["cc"] for r in reqs)
    assert last["cc"] >= 60, last
    return ch


def fill_io(reqs, prng):
    """Input and output tokens: plausible shapes, then exact totals."""
    for r in reqs:
        if r["role"] in ("first", "pin") or r.get("in"):
            # pins keep a tiny uncached input so that their hit matches the published table
            r["in"] = r["in"] or prng.randrange(3, 9)
        else:
            r["in"] = prng.choice([1, 2, 3, 4, 5, 6, 6, 7, 8]) if prng.random() < 0.85 else prng.randrange(20, 260)
        if r["kind"] == "end":
            r["out"] = prng.randrange(600, 5000)
        else:
            r["out"] = prng.randrange(60, 2200) if prng.random() < 0.9 else prng.randrange(5000, 16000)
    # the 4.1-minute resume keeps its published 41.2%: small input there (set above: 3)
    tin = sum(r["in"] for r in reqs)
    tout = sum(r["out"] for r in reqs)
    f = SEED_TOTALS["output"] / tout
    for r in reqs:
        r["out"] = max(1, int(r["out"] * f))
    # residuals on ordinary requests with room
    ords = [r for r in reqs if r["role"] == "ord"]
    d = SEED_TOTALS["input"] - tin
    i = 0
    while d != 0:
        r = ords[i % len(ords)]
        step = max(-(r["in"] - 1), min(d, 150)) if d < 0 else min(d, 150)
        r["in"] += step
        d -= step
        i += 7
    d = SEED_TOTALS["output"] - sum(r["out"] for r in reqs)
    ords[3]["out"] += d
    assert ords[3]["out"] > 0


# --------------------------------------------------------------------------------------------
# expectations collected while writing

EXP = {"events": [], "requests": [], "sessions": {}, "files": []}


def expect_request(r, session, chain, scope, project, agent="claude"):
    EXP["requests"].append({"scope": scope, "project": project, "agent": agent, "session": session,
                            "chain": chain, "t": r["t"], "in": r["in"], "cc": r["cc"], "cr": r["cr"],
                            "out": r["out"], "cause": r.get("cause"), "pred": r.get("pred_t"),
                            "gap_s": r.get("gap_s"), "E": r.get("E"), "ttl_s": r.get("ttl_s"),
                            "pair": r.get("pair"), "model": r.get("model"), "resumed_from": r.get("resumed_from"),
                            "tier": r.get("tier", "1h"), "cc5m": r["cc"] if r.get("tier") == "5m" else 0,
                            "cc1h": 0 if r.get("tier") == "5m" else r["cc"]})


def annotate_chain(reqs, ttl_default=3600):
    """Predecessor facts inside one chain (pred, gap, E) for requests after the first."""
    for a, b in zip(reqs, reqs[1:]):
        b["pred_t"] = a["t"]
        b["gap_s"] = (b["t"] - a["t"]) / 1000.0
        b["E"] = a["cr"] + a["cc"]
        b["ttl_s"] = 300 if a.get("tier") == "5m" else ttl_default


# --------------------------------------------------------------------------------------------
# write the seed workload

def write_seed(files):
    # tune with a nominal input of 3 tokens, then correct the target for the real inputs
    target = 0.028
    for _ in range(3):
        ch = tune_seed(target)
        prng = random.Random(99)
        fill_io(all_seed_reqs(ch), prng)
        b = bucket_reqs(ch)
        mean = sum(hit(r) for r in b) / len(b)
        target += mean - 0.972
    assert abs(mean - 0.972) < 0.0003, mean
    slug = slug_of(API_CWD)
    proj = "projects/" + slug

    # timeline of the main chains
    starts = {"c0eb": ms(2026, 11, 10, 14, 5, 12, 318)}
    sub_by_spawn = {}
    for i, (sess, after, n) in enumerate(SUBAGENTS):
        sub_by_spawn.setdefault((sess, after), []).append(i)

    def time_chain(c, t0):
        reqs = ch[c]
        t = t0
        for i, r in enumerate(reqs):
            if i > 0:
                if r["role"] == "pin":
                    t += int(round(r["gap_min"] * 60000))
                else:
                    t += prng.randrange(4000, 38000)
                    if (c, i - 1) in sub_by_spawn:
                        # the previous request spawned sub-agents; this one waits for them
                        t += 1000 + sum(len(ch["subs"][k]) for k in sub_by_spawn[(c, i - 1)]) * 14000
            r["t"] = t
            r["model"] = SEED_MODEL
        return t

    end = time_chain("c0eb", starts["c0eb"])
    gaps = {"b6e0": 2423.6, "f3f5": 2059.3, "e175": 28.2, "096d": 4.1}
    for c in ("b6e0", "f3f5", "e175", "096d"):
        end = time_chain(c, end + int(round(gaps[c] * 60000)))
    # prompts: first request of each chain and every request after an idle gap
    for c in ("c0eb", "b6e0", "f3f5", "e175", "096d"):
        for i, r in enumerate(ch[c]):
            if i == 0 or r["role"] == "pin" or (i > 0 and ch[c][i - 1]["kind"] == "end"):
                r["prompt"] = rng.choice(PROMPTS)
    # the predecessors of pins and of resumes end a turn (idle user) with a one-line response
    for c in ("c0eb", "b6e0", "f3f5", "e175", "096d"):
        for i, r in enumerate(ch[c]):
            if r["role"] == "pin":
                ch[c][i - 1]["kind"] = "end"
                ch[c][i - 1]["nlines"] = 1
                r["nlines"] = 1
        ch[c][-1]["kind"] = "end"
        ch[c][-1]["nlines"] = 1
        ch[c][0]["nlines"] = 1
    # big tool results: a few reads of tens of KB
    for c, idxs in (("c0eb", (7, 22, 35)), ("b6e0", (9, 27)), ("096d", (15, 33, 47))):
        for i in idxs:
            if ch[c][i]["kind"] == "tool" and ch[c][i]["role"] == "ord":
                ch[c][i]["big"] = rng.randrange(14000, 38000)
                ch[c][i]["nlines"] = 1

    # ---- lineage annotations (expectations)
    order = ["c0eb", "b6e0", "f3f5", "e175", "096d"]
    for c in order:
        annotate_chain(ch[c])
        for r in ch[c][1:]:
            r["pair"] = "baseline"
    causes = {"b6e0": "ttl_expiry", "f3f5": "ttl_expiry", "e175": "resume_miss", "096d": "resume_miss"}
    for prev, c in zip(order, order[1:]):
        a, b = ch[prev][-1], ch[c][0]
        b["pred_t"] = a["t"]
        b["gap_s"] = (b["t"] - a["t"]) / 1000.0
        b["E"] = a["cr"] + a["cc"]
        b["ttl_s"] = 3600
        b["cause"] = causes[c]
        b["pair"] = "resume"
        b["resumed_from"] = SID[prev]
    ch["c0eb"][0]["cause"] = "first_request"

    # ---- write main files
    mains = {}
    for c in order:
        mains[c] = CFile("%s/%s.jsonl" % (proj, SID[c]))
    # c0eb: summary (leafUuid in no file), file-history-snapshot, then the conversation
    f = mains["c0eb"]
    f.add({"type": "summary", "summary": "Auth middleware refresh-token bug", "leafUuid": new_uuid()})
    conv = {c: Conv(mains[c], SID[c], API_CWD, SEED_VERSION, SEED_MODEL) for c in order}
    sub_files = []

    def snapshot(fobj, t):
        m = new_uuid()
        fobj.add({"type": "file-history-snapshot", "messageId": m,
                  "snapshot": {"messageId": m, "trackedFileBackups": {}, "timestamp": iso(t)},
                  "isSnapshotUpdate": False})

    def run_main(c, pre=None):
        cv = conv[c]
        reqs = ch[c]
        for i, r in enumerate(reqs):
            if r.get("prompt"):
                snapshot(cv.f, r["t"] - 6000) if i % 3 == 0 else None
            nl = r.get("nlines")
            if (c, i) in sub_by_spawn:
                nl = 1
                r["kind"] = "tool"
            if c == "c0eb" and i == 18:
                nl = 3   # one response written as several lines, with growing output_tokens
                r["kind"] = "tool"
            lines = emit_request(cv, r, API_CWD, API_FILES, nlines=nl)
            r["lines"] = lines
            if (c, i) in sub_by_spawn:
                spawn_subs(c, i, r)
            if c == "c0eb" and i == 20:
                cv.f.add({"type": "ai-title", "aiTitle": "Fix flaky auth tests", "sessionId": SID[c]})
            if c == "c0eb" and i == 50:
                cv.f.add({"type": "ai-title", "aiTitle": "Auth middleware: refresh tokens and flaky tests",
                          "sessionId": SID[c]})
            if r["kind"] == "end" and i < len(reqs) - 1 and i % 2 == 0:
                cv.system(parse_iso(lines[-1]["timestamp"]) + 40, "turn_duration",
                          {"durationMs": prng.randrange(20000, 400000), "isMeta": False})

    def spawn_subs(c, i, r):
        """The main request r called Task; its sub-agents run now, in their own files."""
        idxs = sub_by_spawn[(c, i)]
        # replace the tool_use of r's last line by Task calls
        tids = []
        last = r["lines"][-1]
        for k in idxs:
            tid = tool_id()
            tids.append(tid)
        last["message"]["content"] = [tool_use("Task", {"description": sentence(4),
                                                        "prompt": " ".join(sentence(12) for _ in range(4)),
                                                        "subagent_type": rng.choice(["Explore", "general-purpose"])},
                                               tids[0])]
        last["message"]["stop_reason"] = "tool_use"
        for extra_tid in tids[1:]:
            last["message"]["content"].append(
                tool_use("Task", {"description": sentence(4), "prompt": sentence(20), "subagent_type": "Explore"},
                         extra_tid))
        # drop the tool_result lines emit_request wrote for the original tool call
        f = conv[c].f
        while f.lines and f.lines[-1].get("type") == "user" and f.lines[-1] is not last:
            f.lines.pop()
        conv[c].parent = last["uuid"]
        t0 = r["t"] + 2500
        ends = []
        for n_k, k in enumerate(idxs):
            agent = "%016x" % rng.getrandbits(64)
            agent = "a" + agent[1:]
            sf = CFile("%s/%s/subagents/agent-%s.jsonl" % (proj, SID[c], agent))
            meta = {"agentType": "Explore", "description": sentence(4), "toolUseId": tids[n_k]}
            files.append(("claude/%s/%s/subagents/agent-%s.meta.json" % (proj, SID[c], agent), dumps(meta) + "\n"))
            sc = Conv(sf, SID[c], API_CWD, SEED_VERSION, SEED_MODEL, sidechain=True, agent_id=agent)
            t = t0 + n_k * 1300
            sc.user(t, " ".join(sentence(10) for _ in range(3)))
            sreqs = ch["subs"][k]
            for j, sr in enumerate(sreqs):
                t += rng.randrange(3000, 9000) if j else 1800
                sr["t"] = t
                sr["model"] = SEED_MODEL
                emit_request(sc, sr, API_CWD, API_FILES, nlines=1 if sr["kind"] == "end" else None)
                t = parse_iso(sc.f.lines[-1]["timestamp"])
            annotate_chain(sreqs)
            sreqs[0]["cause"] = "first_request"
            for sr in sreqs[1:]:
                sr["pair"] = "baseline"
            sub_files.append((sf, c, k, agent))
            ends.append(t)
        tt = max(ends) + 800
        for n_k, tid in enumerate(tids):
            conv[c].user(tt, [{"tool_use_id": tid, "type": "tool_result",
                               "content": [{"type": "text", "text": " ".join(sentence(14) for _ in range(5))}]}],
                         tool_result={"status": "completed", "prompt": sentence(10),
                                      "agentId": sub_files[-len(tids) + n_k][3],
                                      "content": [{"type": "text", "text": sentence(20)}],
                                      "totalDurationMs": tt - t0, "totalTokens": 0, "totalToolUseCount": 3})
            tt += 3
        assert max(ends) < ch[c][i + 1]["t"], "sub-agents must finish before the next main request"

    # c0eb
    snapshot(mains["c0eb"], starts["c0eb"] - 9000)
    run_main("c0eb")
    # b6e0: junction — its first uuid-bearing line points at the last line of c0eb
    f = mains["b6e0"]
    f.add({"type": "summary", "summary": "Orders index migration and retry backoff",
           "leafUuid": None})  # filled below with a uuid of this file
    snapshot(f, ch["b6e0"][0]["t"] - 7000)
    conv["b6e0"].parent = mains["c0eb"].lines[-1]["uuid"]
    run_main("b6e0")
    f.lines[0]["leafUuid"] = f.lines[-1]["uuid"]
    # f3f5: starts with a replayed prefix of b6e0 (byte copies, sessionId changed)
    tail = [d for d in mains["b6e0"].lines if "uuid" in d and d.get("type") in ("user", "assistant")][-9:]
    for d in tail:
        d2 = copy.deepcopy(d)
        d2["sessionId"] = SID["f3f5"]
        mains["f3f5"].add(d2)
    conv["f3f5"].parent = tail[-1]["uuid"]
    run_main("f3f5")
    mains["f3f5"].add({"type": "ai-title", "aiTitle": "Retry backoff per route", "sessionId": SID["f3f5"]})
    # e175: replayed prefix of f3f5 (at least a few assistant lines)
    tail = [d for d in mains["f3f5"].lines if "uuid" in d and d.get("type") in ("user", "assistant")][-12:]
    assert sum(1 for d in tail if d["type"] == "assistant") >= 3
    for d in tail:
        d2 = copy.deepcopy(d)
        d2["sessionId"] = SID["e175"]
        mains["e175"].add(d2)
    conv["e175"].parent = tail[-1]["uuid"]
    run_main("e175")
    assert mains["e175"].lines[-1]["type"] == "assistant"
    # 096d: junction to the last line of e175's file
    snapshot(mains["096d"], ch["096d"][0]["t"] - 5000)
    conv["096d"].parent = mains["e175"].lines[-1]["uuid"]
    run_main("096d")
    mains["096d"].add({"type": "ai-title", "aiTitle": "Cart 500 on empty cart", "sessionId": SID["096d"]})

    for c in order:
        files.append((os.path.join("claude", mains[c].rel), "".join(dumps(d) + "\n" for d in mains[c].lines)))
        for r in ch[c]:
            expect_request(r, SID[c], "main", "seed", API_CWD)
    for sf, c, k, agent in sub_files:
        files.append((os.path.join("claude", sf.rel), "".join(dumps(d) + "\n" for d in sf.lines)))
        for r in ch["subs"][k]:
            expect_request(r, SID[c], "agent-" + agent, "seed", API_CWD)
    # a spilled tool result beside the session (not a transcript)
    files.append(("claude/%s/%s/tool-results/%s.txt" % (proj, SID["096d"], tool_id()), code_file("x.ts", 3000)[0]))
    EXP["sessions"].update({
        SID["c0eb"]: {"title": "Auth middleware: refresh tokens and flaky tests", "resumed_from": None},
        SID["b6e0"]: {"title": "Orders index migration and retry backoff", "resumed_from": SID["c0eb"]},
        SID["f3f5"]: {"title": "Retry backoff per route", "resumed_from": SID["b6e0"]},
        SID["e175"]: {"title": None, "resumed_from": SID["f3f5"]},
        SID["096d"]: {"title": "Cart 500 on empty cart", "resumed_from": SID["e175"]},
    })
    EXP["seed_files"] = 5 + len(sub_files)
    return ch


# --------------------------------------------------------------------------------------------
# Claude: the other scenarios (project "web", 2026-11-15..19)

WEB_CWD = "/home/dev/src/web"
WEB_FILES = ["app/page.tsx", "app/layout.tsx", "components/Cart.tsx", "components/Header.tsx",
             "lib/api.ts", "lib/format.ts", "styles/globals.css", "test/cart.test.tsx", "next.config.ts"]
SONNET = "claude-sonnet-4-5-20250929"
HAIKU = "claude-haiku-4-5-20251001"
SYSTEM_PREFIX = 9846   # tokens of system prompt + tools that stay cached across a miss


def steps(t0, spec, model=SONNET, tier="1h", E0=0):
    """spec: list of (dt_seconds, cc, cr) where cr None = read the whole previous prefix.
    Returns request dicts with times and a perfect chain unless told otherwise."""
    out, t, E = [], t0, E0
    for i, st in enumerate(spec):
        dt_s, cc, cr = st[:3]
        opts = st[3] if len(st) > 3 else {}
        t += int(dt_s * 1000)
        r = {"t": t, "in": opts.get("in", rng.randrange(3, 9)), "cc": cc, "cr": E if cr is None else cr,
             "out": opts.get("out", rng.randrange(80, 1800)), "kind": opts.get("kind", "tool"),
             "tier": opts.get("tier", tier), "model": opts.get("model", model), "role": "ord"}
        out.append(r)
        E = r["cr"] + r["cc"]
    return out


def web_write(files, cf, conv_reqs, scope="web", project=WEB_CWD):
    files.append((os.path.join("claude", cf.rel), "".join(dumps(d) + "\n" for d in cf.lines)))


def write_web(files):
    slug = slug_of(WEB_CWD)
    proj = "projects/" + slug
    scen = EXP.setdefault("scenarios", [])

    def run(conv, reqs, prompts_at=(), after=None):
        for i, r in enumerate(reqs):
            if i == 0 or i in prompts_at or (i > 0 and reqs[i - 1]["kind"] == "end"):
                r["prompt"] = rng.choice(PROMPTS)
            if after and i in after:
                after[i](r)
            emit_request(conv, r, WEB_CWD, WEB_FILES, nlines=1 if r["kind"] == "end" else None)

    def record(reqs, session, chain="main"):
        for r in reqs:
            expect_request(r, session, chain, "web", WEB_CWD)

    # ---- W1: in-file resume, warm (resume_hit)
    A, B = new_uuid(), new_uuid()
    f = CFile("%s/%s.jsonl" % (proj, A))
    ra = steps(ms(2026, 11, 15, 10, 2, 11, 408), [(0, 18420, 0), (9, 1210, None), (14, 2045, None),
                                                  (11, 830, None), (8, 1502, None, {"kind": "end"})])
    rb = steps(ra[-1]["t"], [(180, 960, None), (12, 2210, None), (7, 640, None, {"kind": "end"})],
               E0=ra[-1]["cr"] + ra[-1]["cc"])
    ca = Conv(f, A, WEB_CWD, "2.1.118", SONNET)
    run(ca, ra)
    cb = Conv(f, B, WEB_CWD, "2.1.118", SONNET, parent=ca.parent)
    run(cb, rb)
    annotate_chain(ra)
    annotate_chain(rb)
    ra[0]["cause"] = "first_request"
    for r in ra[1:] + rb[1:]:
        r["pair"] = "baseline"
    rb[0].update(pred_t=ra[-1]["t"], gap_s=(rb[0]["t"] - ra[-1]["t"]) / 1000.0, E=ra[-1]["cr"] + ra[-1]["cc"],
                 ttl_s=3600, cause="resume_hit", pair="resume", resumed_from=A)
    web_write(files, f, None)
    record(ra, A)
    record(rb, B)
    EXP["sessions"][A] = {"title": None, "resumed_from": None}
    EXP["sessions"][B] = {"title": None, "resumed_from": A}
    scen.append({"name": "in-file resume (resume_hit)", "file": "claude/" + f.rel, "sessions": [A, B],
                 "shows": "sessionId changes part way through one file; the first request under the new id, "
                          "3.0 min after the last old one, reads the whole prefix: a warm resume"})

    # ---- W2: version change inside one file, then a cold request at 2 min (resume_miss)
    C = new_uuid()
    f = CFile("%s/%s.jsonl" % (proj, C))
    r1 = steps(ms(2026, 11, 15, 15, 31, 2, 77), [(0, 21377, 0), (10, 3120, None), (7, 1466, None),
                                                 (13, 2803, None, {"kind": "end"})])
    E = r1[-1]["cr"] + r1[-1]["cc"]
    r2 = steps(r1[-1]["t"], [(120, E - SYSTEM_PREFIX + 1104, SYSTEM_PREFIX), (9, 905, None),
                             (6, 1420, None, {"kind": "end"})])
    c1 = Conv(f, C, WEB_CWD, "2.1.118", SONNET)
    run(c1, r1)
    c2 = Conv(f, C, WEB_CWD, "2.1.120", SONNET, parent=c1.parent)
    run(c2, r2)
    allr = r1 + r2
    annotate_chain(allr)
    allr[0]["cause"] = "first_request"
    for r in allr[1:]:
        r["pair"] = "baseline"
    r2[0].update(cause="resume_miss", pair="resume", resumed_from=C)
    web_write(files, f, None)
    record(allr, C)
    EXP["sessions"][C] = {"title": None, "resumed_from": C}
    scen.append({"name": "version change (resume_miss)", "file": "claude/" + f.rel, "sessions": [C],
                 "shows": "same sessionId, version 2.1.118 -> 2.1.120 between two lines (a new process); "
                          "the next request, 2.0 min later, reads only the system prefix"})

    # ---- W3: compaction
    D = new_uuid()
    f = CFile("%s/%s.jsonl" % (proj, D))
    r1 = steps(ms(2026, 11, 16, 9, 12, 40, 901), [(0, 24210, 0), (8, 5530, None), (12, 7204, None),
                                                  (9, 11876, None), (15, 4302, None), (10, 9120, None, {"kind": "end"})])
    c1 = Conv(f, D, WEB_CWD, "2.1.119", SONNET)
    run(c1, r1)
    E = r1[-1]["cr"] + r1[-1]["cc"]
    tcb = r1[-1]["t"] + 52000
    last_uuid = c1.parent
    c1.parent = None
    c1.system(tcb, "compact_boundary", {"content": "Conversation compacted", "isMeta": False, "level": "info",
                                        "logicalParentUuid": last_uuid,
                                        "compactMetadata": {"trigger": "manual", "preTokens": E + 1200}})
    c1.user(tcb + 40, [{"type": "text", "text": "This session is being continued from a previous conversation "
                                                "that ran out of context. The conversation is summarized below:\n"
                        + " ".join(sentence(12) for _ in range(30))}],
            extra={"isCompactSummary": True, "isVisibleInTranscriptOnly": True})
    r2 = steps(tcb + 23000, [(0, 6812, SYSTEM_PREFIX), (9, 1733, None), (11, 918, None, {"kind": "end"})])
    run(c1, r2, prompts_at=(0,))
    allr = r1 + r2
    annotate_chain(allr)
    allr[0]["cause"] = "first_request"
    for r in allr[1:]:
        r["pair"] = "baseline"
    r2[0].update(cause="compaction", pair=None)
    web_write(files, f, None)
    record(allr, D)
    EXP["sessions"][D] = {"title": None, "resumed_from": None}
    scen.append({"name": "compaction", "file": "claude/" + f.rel, "sessions": [D],
                 "shows": "system compact_boundary, then the isCompactSummary user line, then a cold request"})

    # ---- W4: model switch sonnet -> haiku, cold, well under the TTL
    M = new_uuid()
    f = CFile("%s/%s.jsonl" % (proj, M))
    r1 = steps(ms(2026, 11, 16, 14, 40, 5, 310), [(0, 19702, 0), (11, 2204, None), (8, 3391, None),
                                                  (6, 1873, None, {"kind": "end"})])
    c1 = Conv(f, M, WEB_CWD, "2.1.119", SONNET)
    run(c1, r1)
    E = r1[-1]["cr"] + r1[-1]["cc"]
    tsw = r1[-1]["t"] + 30000
    c1.user(tsw, "<command-name>/model</command-name>\n            <command-message>model</command-message>\n"
                 "            <command-args>haiku</command-args>")
    c1.user(tsw + 20, "<local-command-stdout>Set model to \u001b[1mHaiku 4.5\u001b[22m</local-command-stdout>")
    r2 = steps(r1[-1]["t"], [(45, E + 830, 0, {"model": HAIKU}), (9, 1630, None, {"model": HAIKU}),
                             (7, 905, None, {"model": HAIKU, "kind": "end"})])
    c1.model = HAIKU
    run(c1, r2, prompts_at=(0,))
    allr = r1 + r2
    annotate_chain(allr)
    allr[0]["cause"] = "first_request"
    for r in allr[1:]:
        r["pair"] = "baseline"
    r2[0].update(cause="model_switch", pair=None)
    web_write(files, f, None)
    record(allr, M)
    EXP["sessions"][M] = {"title": None, "resumed_from": None}
    scen.append({"name": "model switch", "file": "claude/" + f.rel, "sessions": [M],
                 "shows": "the model changes from %s to %s 45 s after the last request; the first %s "
                          "request reads nothing (caches are per model). The /model output line carries "
                          "an ANSI escape (must be sanitised before display)" % (SONNET, HAIKU, HAIKU)})

    # ---- W5: unexplained miss at 2 min
    U = new_uuid()
    f = CFile("%s/%s.jsonl" % (proj, U))
    r1 = steps(ms(2026, 11, 17, 10, 3, 44, 512), [(0, 20913, 0), (7, 4410, None), (12, 2677, None),
                                                  (9, 6039, None), (8, 1208, None, {"kind": "end"})])
    E = r1[-1]["cr"] + r1[-1]["cc"]
    r2 = steps(r1[-1]["t"], [(120, E - SYSTEM_PREFIX + 760, SYSTEM_PREFIX), (10, 1390, None),
                             (8, 2230, None, {"kind": "end"})])
    c1 = Conv(f, U, WEB_CWD, "2.1.119", SONNET)
    run(c1, r1 + r2)
    allr = r1 + r2
    annotate_chain(allr)
    allr[0]["cause"] = "first_request"
    for r in allr[1:]:
        r["pair"] = "baseline"
    r2[0]["cause"] = "unexplained_miss"
    web_write(files, f, None)
    record(allr, U)
    EXP["sessions"][U] = {"title": None, "resumed_from": None}
    scen.append({"name": "unexplained miss", "file": "claude/" + f.rel, "sessions": [U],
                 "shows": "an ordinary request 2.0 min after its predecessor, same model, no boundary, "
                          "reads only the system prefix"})

    # ---- W6: 5-minute tier: warm after 4 min, ttl_expiry after 6 min
    T = new_uuid()
    f = CFile("%s/%s.jsonl" % (proj, T))
    rr = steps(ms(2026, 11, 17, 16, 20, 9, 5), [(0, 17654, 0), (9, 2130, None), (11, 988, None, {"kind": "end"}),
                                                (240, 1420, None), (8, 2702, None, {"kind": "end"})], tier="5m")
    E = rr[-1]["cr"] + rr[-1]["cc"]
    rr += steps(rr[-1]["t"], [(360, E + 1190, 0), (10, 1301, None), (7, 760, None, {"kind": "end"})], tier="5m")
    c1 = Conv(f, T, WEB_CWD, "2.1.119", SONNET)
    run(c1, rr)
    annotate_chain(rr)
    rr[0]["cause"] = "first_request"
    for r in rr[1:]:
        r["pair"] = "baseline"
    rr[5]["cause"] = "ttl_expiry"
    web_write(files, f, None)
    record(rr, T)
    EXP["sessions"][T] = {"title": None, "resumed_from": None}
    scen.append({"name": "5-minute tier", "file": "claude/" + f.rel, "sessions": [T],
                 "shows": "all writes ephemeral_5m: a warm request after 4.0 min, a cold one after 6.0 min "
                          "(ttl_expiry, TTL 300 s)"})

    # ---- W7: titles and synthetic error lines
    X = new_uuid()
    f = CFile("%s/%s.jsonl" % (proj, X))
    rr = steps(ms(2026, 11, 18, 11, 0, 30, 250), [(0, 16980, 0), (8, 1502, None), (30, 2210, None),
                                                  (9, 904, None, {"kind": "end"})])
    c1 = Conv(f, X, WEB_CWD, "2.1.119", SONNET)
    f.add({"type": "summary", "summary": "Header layout shift", "leafUuid": None})
    run(c1, rr[:2])
    f.add({"type": "ai-title", "aiTitle": "Fix header layout shift", "sessionId": X})
    # an API error written by the client: not a request
    d = c1.env()
    d["message"] = {"id": new_uuid(), "model": "<synthetic>", "role": "assistant", "stop_reason": "stop_sequence",
                    "stop_sequence": "", "type": "message",
                    "usage": {"input_tokens": 0, "output_tokens": 0, "cache_creation_input_tokens": 0,
                              "cache_read_input_tokens": 0, "server_tool_use": {"web_search_requests": 0},
                              "service_tier": None},
                    "content": [{"type": "text", "text": "API Error: 529 {\"type\":\"error\",\"error\":{\"type\":"
                                 "\"overloaded_error\",\"message\":\"Overloaded\"}}"}]}
    d["type"] = "assistant"
    d["uuid"] = new_uuid()
    d["timestamp"] = iso(rr[1]["t"] + 12000)
    d["isApiErrorMessage"] = True
    c1._emit(d)
    f.add({"type": "custom-title", "customTitle": "header-cls-fix", "sessionId": X})
    run(c1, rr[2:])
    f.add({"type": "ai-title", "aiTitle": "Header layout shift and font loading", "sessionId": X})
    f.lines[0]["leafUuid"] = f.lines[-2]["uuid"] if "uuid" in f.lines[-2] else c1.parent
    annotate_chain(rr)
    rr[0]["cause"] = "first_request"
    for r in rr[1:]:
        r["pair"] = "baseline"
    web_write(files, f, None)
    record(rr, X)
    EXP["sessions"][X] = {"title": "header-cls-fix", "resumed_from": None}
    scen.append({"name": "titles and an API error line", "file": "claude/" + f.rel, "sessions": [X],
                 "shows": "summary, ai-title, custom-title, then a later ai-title: the title is the "
                          "custom-title; an isApiErrorMessage line (model <synthetic>, zero usage) is not a request"})

    # ---- W8: v1.0.x session with two interleaved sidechain trees inside the main file
    V = new_uuid()
    f = CFile("%s/%s.jsonl" % (proj, V))
    OLD = "claude-sonnet-4-20250514"
    cm = Conv(f, V, WEB_CWD, "1.0.98", OLD, branch="")
    t0 = ms(2026, 11, 18, 15, 4, 51, 630)
    m1 = steps(t0, [(0, 15210, 0), (6, 1331, None)], model=OLD, tier="5m")
    run(cm, m1[:1])
    m1[1]["prompt"] = None
    tids = [tool_id(), tool_id()]
    cm.response(m1[1]["t"], m1[1], [text_block("I'll split this into two parallel tasks."),
                                    tool_use("Task", {"description": "Audit components", "prompt": sentence(20)}, tids[0]),
                                    tool_use("Task", {"description": "Audit styles", "prompt": sentence(20)}, tids[1])],
                "tool_use")
    main_parent = cm.parent
    # two trees, interleaved in time: X small prefix, Y large prefix
    tx = Conv(f, V, WEB_CWD, "1.0.98", OLD, branch="", sidechain=True, parent=None)
    ty = Conv(f, V, WEB_CWD, "1.0.98", OLD, branch="", sidechain=True, parent=None)
    base = m1[1]["t"] + 2000
    tx.user(base, "Audit the components folder for unused props. " + sentence(12))
    ty.user(base + 150, "Audit the styles for dead selectors. " + sentence(12))
    xr = steps(base + 1500, [(0, 11776, 0), (5, 1204, None), (5, 633, None, {"kind": "end"})], model=OLD, tier="5m")
    yr = steps(base + 3500, [(0, 27540, 0), (5, 2950, None), (5, 1872, None, {"kind": "end"})], model=OLD, tier="5m")
    for a, b in zip(xr, yr):
        emit_request(tx, a, WEB_CWD, WEB_FILES, nlines=1)
        emit_request(ty, b, WEB_CWD, WEB_FILES, nlines=1)
    tt = max(xr[-1]["t"], yr[-1]["t"]) + 1500
    cm.parent = main_parent
    for tid in tids:
        cm.user(tt, [{"tool_use_id": tid, "type": "tool_result", "content": [{"type": "text", "text": sentence(30)}]}],
                tool_result={"content": [{"type": "text", "text": sentence(20)}], "totalDurationMs": 30000,
                             "totalTokens": 0, "totalToolUseCount": 2})
        tt += 4
    m2 = steps(tt + 2500, [(0, 2410, 0), (8, 1107, None, {"kind": "end"})], model=OLD, tier="5m")
    m2[0]["cr"] = m1[1]["cr"] + m1[1]["cc"]
    m2[1]["cr"] = m2[0]["cr"] + m2[0]["cc"]
    run(cm, m2, prompts_at=())
    for chn in (m1 + m2, xr, yr):
        annotate_chain(chn, ttl_default=300)
        chn[0]["cause"] = "first_request"
        for r in chn[1:]:
            r["pair"] = "baseline"
    web_write(files, f, None)
    record(m1 + m2, V)
    record(xr, V, "tree-x")
    record(yr, V, "tree-y")
    EXP["sessions"][V] = {"title": None, "resumed_from": None}
    scen.append({"name": "v1.0.x in-file sidechains", "file": "claude/" + f.rel, "sessions": [V],
                 "shows": "two sub-agent trees (roots: parentUuid null, isSidechain true, no agentId) "
                          "interleaved line by line inside the main file; each tree is its own chain "
                          "(prefixes ~12k and ~28k: chaining them together would invent cold requests)"})

    # ---- W9: 2.0.x layout: projects/<slug>/agent-<id>.jsonl
    G = new_uuid()
    f = CFile("%s/%s.jsonl" % (proj, G))
    agent = "%08x" % rng.getrandbits(32)
    fa = CFile("%s/agent-%s.jsonl" % (proj, agent))
    cm = Conv(f, G, WEB_CWD, "2.0.55", SONNET)
    t0 = ms(2026, 11, 19, 10, 15, 0, 42)
    m1 = steps(t0, [(0, 18830, 0), (7, 1120, None)])
    run(cm, m1)
    ca = Conv(fa, G, WEB_CWD, "2.0.55", SONNET, sidechain=True, agent_id=agent)
    ca.user(m1[-1]["t"] + 1800, "Find every caller of formatPrice. " + sentence(10))
    ar = steps(m1[-1]["t"] + 3200, [(0, 13358, 0), (6, 902, None), (5, 1433, None, {"kind": "end"})])
    for r in ar:
        emit_request(ca, r, WEB_CWD, WEB_FILES, nlines=1)
    m2 = steps(ar[-1]["t"], [(4, 2205, 0), (9, 780, None, {"kind": "end"})])
    m2[0]["cr"] = m1[-1]["cr"] + m1[-1]["cc"]
    m2[1]["cr"] = m2[0]["cr"] + m2[0]["cc"]
    run(cm, m2)
    for chn in (m1 + m2, ar):
        annotate_chain(chn)
        chn[0]["cause"] = "first_request"
        for r in chn[1:]:
            r["pair"] = "baseline"
    web_write(files, f, None)
    web_write(files, fa, None)
    record(m1 + m2, G)
    record(ar, G, "agent-" + agent)
    EXP["sessions"][G] = {"title": None, "resumed_from": None}
    scen.append({"name": "2.0.x agent file", "file": "claude/" + fa.rel, "sessions": [G],
                 "shows": "a sub-agent transcript in the project folder (agent-<id>.jsonl), every line with the "
                          "parent's sessionId, isSidechain and agentId; its first request is cold"})

    # ---- W10: /btw-style sidechain replay of a parent message with a new requestId
    K = new_uuid()
    f = CFile("%s/%s.jsonl" % (proj, K))
    agent = "a" + "%015x" % rng.getrandbits(60)
    fb = CFile("%s/%s/subagents/agent-%s.jsonl" % (proj, K, agent))
    cm = Conv(f, K, WEB_CWD, "2.1.119", SONNET)
    mr = steps(ms(2026, 11, 19, 14, 2, 33, 800), [(0, 20114, 0), (8, 2033, None), (10, 1411, None),
                                                  (9, 3308, None, {"kind": "end"})])
    run(cm, mr)
    parent_line = mr[2]
    # find the assistant line of request 2 to replay it
    src = [d for d in f.lines if d.get("type") == "assistant" and d["timestamp"] == iso(parent_line["t"])][0]
    cb = Conv(fb, K, WEB_CWD, "2.1.119", SONNET, sidechain=True, agent_id=agent)
    tb = mr[-1]["t"] + 20000
    cb.user(tb, "/btw what does formatPrice do with negative values?")
    rep = copy.deepcopy(src)
    rep.update({"isSidechain": True, "agentId": agent, "parentUuid": cb.parent, "uuid": new_uuid(),
                "timestamp": iso(tb + 300)})
    # key order as written by the CLI: agentId after gitBranch
    rep = {k: rep[k] for k in ["parentUuid", "isSidechain", "userType", "cwd", "sessionId", "version", "gitBranch",
                               "agentId", "message", "requestId", "type", "uuid", "timestamp"]}
    rep["requestId"] = req_id()
    cb._emit(rep)
    E = mr[-1]["cr"] + mr[-1]["cc"]
    br = steps(tb + 2500, [(0, 610, E, {"kind": "end"})])
    for r in br:
        emit_request(cb, r, WEB_CWD, WEB_FILES, nlines=1)
    annotate_chain(mr)
    mr[0]["cause"] = "first_request"
    for r in mr[1:]:
        r["pair"] = "baseline"
    web_write(files, f, None)
    web_write(files, fb, None)
    record(mr, K)
    record(br, K, "agent-" + agent)
    EXP["sessions"][K] = {"title": None, "resumed_from": None}
    EXP["btw_duplicate"] = {"file": "claude/" + fb.rel, "message_id": rep["message"]["id"],
                            "parent_request_id": src["requestId"], "sidechain_request_id": rep["requestId"]}
    scen.append({"name": "/btw sidechain replay", "file": "claude/" + fb.rel, "sessions": [K],
                 "shows": "a sidechain line repeats a parent message.id with a new requestId (counts once, "
                          "as the parent's); the side answer itself reads the parent's prefix (warm, no event)"})


# --------------------------------------------------------------------------------------------
# Codex rollouts (samples/codex/sessions/2026/11/..), 2026-11-18..21

LOCAL_OFFSET_MS = 3600 * 1000  # the machine's local time is UTC+1: file names and date folders use it
CODEX_CWD = "/home/dev/src/web"


def floor128(x):
    return x // 128 * 128


class Rollout:
    def __init__(self, thread_id, t_created):
        self.id = thread_id
        self.t_created = t_created
        lt = dt.datetime.fromtimestamp((t_created + LOCAL_OFFSET_MS) / 1000, tz=dt.timezone.utc)
        self.rel = "codex/sessions/%04d/%02d/%02d/rollout-%s-%s.jsonl" % (
            lt.year, lt.month, lt.day, lt.strftime("%Y-%m-%dT%H-%M-%S"), thread_id)
        self.lines = []
        self.total = [0, 0, 0, 0, 0]   # input, cached, output, reasoning, total
        self.prev_info = None

    def add(self, t, typ, payload):
        self.lines.append({"timestamp": iso(t), "type": typ, "payload": payload})
        return self.lines[-1]

    def text(self):
        return "".join(dumps(d) + "\n" for d in self.lines)


def tu(v):
    return {"input_tokens": v[0], "cached_input_tokens": v[1], "output_tokens": v[2],
            "reasoning_output_tokens": v[3], "total_tokens": v[4]}


def rl_current(p, w, reset_p, reset_w):
    return {"limit_id": "codex", "limit_name": None,
            "primary": {"used_percent": p, "window_minutes": 300, "resets_at": reset_p // 1000},
            "secondary": {"used_percent": w, "window_minutes": 10080, "resets_at": reset_w // 1000},
            "credits": {"has_credits": False, "unlimited": False, "balance": None}, "plan_type": None}


def rl_flat(p, w, t, reset_p, reset_w):
    return {"primary_used_percent": p, "secondary_used_percent": w,
            "primary_to_secondary_ratio_percent": round(100.0 * 300 / 10080, 1),
            "primary_window_minutes": 300, "secondary_window_minutes": 10080,
            "primary_reset_after_seconds": (reset_p - t) // 1000, "secondary_reset_after_seconds": (reset_w - t) // 1000}


def rl_relative(p, w, t, reset_p, reset_w):
    return {"primary": {"used_percent": p, "window_minutes": 299, "resets_in_seconds": (reset_p - t) // 1000},
            "secondary": {"used_percent": w, "window_minutes": 10079, "resets_in_seconds": (reset_w - t) // 1000}}


def codex_turn_start(ro, t, model, shape_old=False, rl=None):
    turn = uuid7(t)
    if not shape_old:
        ro.add(t, "event_msg", {"type": "task_started", "turn_id": turn, "model_context_window": 258400,
                                "collaboration_mode_kind": "default"})
    ro.add(t, "response_item", {"type": "message", "role": "user",
                                "content": [{"type": "input_text", "text": rng.choice(PROMPTS)}]})
    ro.add(t, "event_msg", {"type": "user_message", "message": rng.choice(PROMPTS), "images": [],
                            "local_images": [], "text_elements": []})
    if shape_old:
        ro.add(t + 10, "turn_context", {"cwd": CODEX_CWD, "approval_policy": "on-request",
                                        "sandbox_policy": {"mode": "workspace-write", "network_access": False,
                                                           "exclude_tmpdir_env_var": False, "exclude_slash_tmp": False},
                                        "model": model, "effort": "medium", "summary": "auto"})
    else:
        ro.add(t + 10, "turn_context", {
            "turn_id": turn, "cwd": CODEX_CWD, "approval_policy": "on-request",
            "sandbox_policy": {"type": "workspace-write", "writable_roots": [CODEX_CWD], "network_access": False,
                               "exclude_tmpdir_env_var": False, "exclude_slash_tmp": False},
            "model": model, "personality": "pragmatic",
            "collaboration_mode": {"mode": "default", "settings": {"model": model, "reasoning_effort": "high",
                                                                   "developer_instructions": sentence(20)}},
            "effort": "high", "summary": "auto", "user_instructions": sentence(30),
            "truncation_policy": {"mode": "tokens", "limit": 10000}})
    if rl is not None:
        ro.add(t + 900, "event_msg", {"type": "token_count", "info": None, "rate_limits": rl})
    return turn


def codex_request(ro, t, inp, cached, out, reasoning, rl, reemit=None, ctx=258400, last_only=False):
    """One model call: reasoning + a tool call, then its token_count; optionally a re-emission."""
    ro.add(t - 2400, "event_msg", {"type": "agent_reasoning", "text": sentence(8)})
    ro.add(t - 2399, "response_item", {"type": "reasoning", "summary": [{"type": "summary_text", "text": sentence(8)}],
                                       "content": None, "encrypted_content": "gAAAAB" + b62(300)})
    cid = call_id()
    ro.add(t - 5, "response_item", {"type": "function_call", "name": "exec_command",
                                    "arguments": dumps({"cmd": rng.choice(["npm test", "rg formatPrice", "git diff"]),
                                                        "workdir": CODEX_CWD}), "call_id": cid})
    last = [inp, cached, out, reasoning, inp + out]
    ro.total = [a + b for a, b in zip(ro.total, last)]
    info = {"total_token_usage": tu(ro.total), "last_token_usage": tu(last), "model_context_window": ctx}
    if last_only:
        info = {"last_token_usage": tu(last), "model_context_window": ctx}
    ro.add(t, "event_msg", {"type": "token_count", "info": info, "rate_limits": rl})
    ro.add(t + 220, "response_item", {"type": "function_call_output", "call_id": cid,
                                      "output": "\n".join(sentence(6) for _ in range(rng.randrange(2, 30)))})
    if reemit is not None:
        ro.add(t + 1100, "event_msg", {"type": "token_count", "info": copy.deepcopy(info), "rate_limits": reemit})
    ro.prev_info = info
    return {"t": t, "input_tokens": inp, "cached": cached, "out": out}


def codex_growth(prev_input, n, lo=900, hi=4200):
    seq = []
    p = prev_input
    for _ in range(n):
        inp = p + rng.randrange(lo, hi)
        seq.append((inp, floor128(p) if rng.random() < 0.8 else floor128(p) - 128 * rng.randrange(1, 12)))
        p = inp
    return seq


def write_codex(files):
    C = EXP["codex"] = {"requests": [], "files": [], "quota": None}
    model = "gpt-5.3-codex"

    def creq(ro, r, cause=None, pred=None, pair="baseline", model_=model, parent=None, chain=None):
        d = {"thread": ro.id, "file": ro.rel, "t": r["t"], "input_tokens": r["input_tokens"], "cached": r["cached"],
             "out": r["out"], "cause": cause, "pair": pair, "model": model_, "resumed_from": parent}
        if pred is not None:
            d["pred_t"] = pred["t"]
            d["gap_s"] = (r["t"] - pred["t"]) / 1000.0
            d["E"] = pred["input_tokens"]
        else:
            d["pair"] = None
        C["requests"].append(d)
        return d

    # ---- CX1: current shape, re-emissions, info:null, compaction
    t0 = ms(2026, 11, 20, 9, 0, 12, 730)
    tid1 = uuid7(t0)
    ro = Rollout(tid1, t0)
    reset_p = t0 - 40 * 60000 + 5 * 3600000
    reset_w = ms(2026, 11, 24, 6, 0, 0)
    meta1 = {"id": tid1, "timestamp": iso(t0), "cwd": CODEX_CWD, "originator": "codex_cli_rs",
             "cli_version": "0.104.0", "source": "cli", "model_provider": "openai",
             "base_instructions": {"text": "You are Codex, a coding agent. " + " ".join(sentence(14) for _ in range(60))},
             "git": {"commit_hash": "%040x" % rng.getrandbits(160), "branch": "main",
                     "repository_url": "git@example.com:dev/web.git"}}
    ro.add(t0 + 5400, "session_meta", meta1)
    ro.add(t0 + 5402, "response_item", {"type": "message", "role": "developer",
                                        "content": [{"type": "input_text", "text": " ".join(sentence(12) for _ in range(25))}]})
    ro.add(t0 + 5403, "response_item", {"type": "message", "role": "user",
                                        "content": [{"type": "input_text", "text": "<environment_context>\n  <cwd>%s</cwd>\n"
                                                     "  <shell>bash</shell>\n</environment_context>" % CODEX_CWD}]})
    used = [2.0, 1.0]

    def rl():
        return rl_current(round(used[0], 1), round(used[1], 1), reset_p, reset_w)

    t = t0 + 5404
    codex_turn_start(ro, t, model, rl=rl())
    reqs1 = []
    t += 4300
    prev = None
    seq = [(17203, 3456)] + codex_growth(17203, 11)
    for i, (inp, cached) in enumerate(seq):
        t += rng.randrange(3500, 14000)
        re = None
        if i % 5 != 4:
            used[0] += 1.0 if i % 4 == 1 else 0.0
            re = rl()
        r = codex_request(ro, t, inp, cached, rng.randrange(150, 900), rng.randrange(40, 300), rl(), reemit=re)
        reqs1.append(creq(ro, r, cause="first_request" if i == 0 else None, pred=prev))
        prev = r
    ro.add(t + 2000, "event_msg", {"type": "task_complete", "turn_id": uuid7(t), "last_agent_message": sentence(20)})
    # turn 2 after 95 s
    t += 95000
    codex_turn_start(ro, t, model, rl=rl())
    spawn_at = None
    for i, (inp, cached) in enumerate(codex_growth(prev["input_tokens"], 10)):
        t += rng.randrange(3500, 14000)
        re = rl()
        if i % 2 == 0:
            used[0] += 1.0
            used[1] += 0.5 if i % 4 == 0 else 0.0
            re = rl()
        r = codex_request(ro, t, inp, cached, rng.randrange(150, 1200), rng.randrange(40, 400), rl(), reemit=re)
        reqs1.append(creq(ro, r, pred=prev))
        prev = r
        if i == 4:
            spawn_at = (t + 3000, copy.deepcopy(ro.lines), used[:])
    # compaction: zero last usage, compacted, context_compacted, zero again, then the dip
    zero = [0, 0, 0, 0, 0]
    t += 6000
    ro.add(t, "event_msg", {"type": "token_count", "info": {"total_token_usage": tu(ro.total), "last_token_usage": tu(zero),
                                                            "model_context_window": 258400}, "rate_limits": rl()})
    ro.add(t + 20, "compacted", {"message": "",
                                 "replacement_history": [{"type": "message", "role": "user",
                                                          "content": [{"type": "input_text",
                                                                       "text": " ".join(sentence(12) for _ in range(40))}]}]})
    ro.add(t + 39, "event_msg", {"type": "context_compacted"})
    ro.add(t + 2100, "event_msg", {"type": "token_count", "info": {"total_token_usage": tu(ro.total), "last_token_usage": tu(zero),
                                                                   "model_context_window": 258400}, "rate_limits": rl()})
    t += 9000
    r = codex_request(ro, t, 48297, 22912, 390, 128, rl(), reemit=rl())
    reqs1.append(creq(ro, r, cause="compaction", pred=prev, pair=None))
    prev = r
    t += 7000
    r = codex_request(ro, t, 51549, 47488, 612, 201, rl())
    reqs1.append(creq(ro, r, pred=prev))
    prev = r
    for inp, cached in codex_growth(51549, 4):
        t += rng.randrange(3500, 14000)
        used[0] += 0.5
        r = codex_request(ro, t, inp, cached, rng.randrange(150, 900), rng.randrange(40, 300), rl(),
                          reemit=rl() if rng.random() < 0.8 else None)
        reqs1.append(creq(ro, r, pred=prev))
        prev = r
    ro.add(t + 2500, "event_msg", {"type": "task_complete", "turn_id": uuid7(t), "last_agent_message": sentence(20)})
    cx1, cx1_last = ro, prev
    files.append((ro.rel, ro.text()))

    def embed_parent(child, t_fork, parent_lines):
        """Copy the parent's session_meta and token_count events, re-timestamped to the fork instant."""
        k = 0
        for d in parent_lines:
            if d["type"] == "session_meta" or (d["type"] == "event_msg" and d["payload"]["type"] == "token_count") \
                    or (d["type"] == "response_item" and d["payload"].get("type") == "message"):
                child.lines.append({"timestamp": iso(t_fork + k // 8), "type": d["type"],
                                    "payload": copy.deepcopy(d["payload"])})
                k += 1

    # ---- CX3: sub-agent spawned (thread_spawn) in the middle of CX1's second turn
    ts, parent_lines, used3 = spawn_at
    tid3 = uuid7(ts)
    ro = Rollout(tid3, ts)
    ro.add(ts, "session_meta", {"id": tid3, "timestamp": iso(ts), "cwd": CODEX_CWD, "originator": "codex_cli_rs",
                                "cli_version": "0.104.0",
                                "source": {"subagent": {"thread_spawn": {"parent_thread_id": tid1, "depth": 1,
                                                                         "agent_nickname": "scout",
                                                                         "agent_role": "explorer"}}},
                                "thread_source": "subagent", "agent_nickname": "scout", "agent_role": "explorer",
                                "model_provider": "openai"})
    embed_parent(ro, ts, parent_lines)
    ro.total = [0, 0, 0, 0, 0]
    # the inherited totals continue: own events count on top of the parent's cumulative usage
    last_parent = [d for d in parent_lines if d["type"] == "event_msg" and d["payload"]["type"] == "token_count"
                   and d["payload"]["info"]][-1]["payload"]["info"]["total_token_usage"]
    ro.total = [last_parent["input_tokens"], last_parent["cached_input_tokens"], last_parent["output_tokens"],
                last_parent["reasoning_output_tokens"], last_parent["total_tokens"]]
    t = ts + 1500
    codex_turn_start(ro, t, model, rl=rl_current(used3[0], used3[1], reset_p, reset_w))
    prev = None
    for i, (inp, cached) in enumerate([(15870, 2304)] + codex_growth(15870, 2)):
        t += rng.randrange(3000, 8000)
        r = codex_request(ro, t, inp, cached, rng.randrange(100, 700), rng.randrange(30, 200),
                          rl_current(used3[0], used3[1], reset_p, reset_w))
        creq(ro, r, cause="first_request" if i == 0 else None, pred=prev, parent=tid1 if i == 0 else None)
        prev = r
    files.append((ro.rel, ro.text()))
    C["spawn"] = {"thread": tid3, "parent": tid1, "file": ro.rel}

    # ---- CX2: fork of CX1 (forked_from_id), 150 s after CX1's last request
    tf = cx1_last["t"] + 150000
    tid2 = uuid7(tf)
    ro = Rollout(tid2, tf)
    ro.add(tf, "session_meta", {"id": tid2, "forked_from_id": tid1, "timestamp": iso(tf), "cwd": CODEX_CWD,
                                "originator": "codex_cli_rs", "cli_version": "0.104.0", "source": "cli",
                                "model_provider": "openai"})
    embed_parent(ro, tf, cx1.lines)
    ro.total = cx1.total[:]
    t = tf + 800
    codex_turn_start(ro, t, model, rl=rl())
    prev = cx1_last
    first_in = cx1_last["input_tokens"] + 1540
    seq = [(first_in, floor128(int(first_in * 0.54)))] + codex_growth(first_in, 3)
    for i, (inp, cached) in enumerate(seq):
        t += rng.randrange(30000, 40000) if i == 0 else rng.randrange(4000, 12000)
        used[0] += 0.5
        r = codex_request(ro, t, inp, cached, rng.randrange(150, 900), rng.randrange(40, 300), rl(),
                          reemit=rl() if i % 2 else None)
        creq(ro, r, cause="resume_hit" if i == 0 else None, pred=prev,
             pair="resume" if i == 0 else "baseline", parent=tid1 if i == 0 else None)
        prev = r
    files.append((ro.rel, ro.text()))
    C["fork"] = {"thread": tid2, "parent": tid1, "file": ro.rel}
    lastrl = [d for d in ro.lines if d["type"] == "event_msg" and d["payload"]["type"] == "token_count"][-1]
    C["quota"] = {"percent": lastrl["payload"]["rate_limits"]["primary"]["used_percent"], "window_minutes": 300,
                  "resets_at": iso(reset_p), "weekly_percent": lastrl["payload"]["rate_limits"]["secondary"]["used_percent"],
                  "weekly_resets_at": iso(reset_w), "observed_at": lastrl["timestamp"]}

    # ---- CX4: flat rate_limits (0.39-era), a 7-minute gap gives a cold request (ttl_expiry)
    t0 = ms(2026, 11, 18, 8, 31, 5, 118)
    tid4 = str(new_uuid())
    ro = Rollout(tid4, t0)
    ro.add(t0 + 3100, "session_meta", {"id": tid4, "timestamp": iso(t0), "instructions": None, "cwd": CODEX_CWD,
                                       "originator": "codex_cli_rs", "cli_version": "0.39.0",
                                       "git": {"commit_hash": "%040x" % rng.getrandbits(160), "branch": "main",
                                               "repository_url": "git@example.com:dev/web.git"}})
    rp4, rw4 = t0 + 3 * 3600000, ms(2026, 11, 22, 0, 0, 0)
    t = t0 + 3200
    codex_turn_start(ro, t, "gpt-5-codex", shape_old=True)
    prev = None
    p4 = [6.0, 2.0]
    for i, (inp, cached) in enumerate([(11749, 6528)] + codex_growth(11749, 3)):
        t += rng.randrange(3000, 9000)
        p4[0] += 1.0
        r = codex_request(ro, t, inp, cached, rng.randrange(100, 800), rng.randrange(30, 200),
                          rl_flat(p4[0], p4[1], t, rp4, rw4))
        creq(ro, r, pred=prev, model_="gpt-5-codex")
        prev = r
    t += 420000
    codex_turn_start(ro, t - 9000, "gpt-5-codex", shape_old=True)
    seq = [(prev["input_tokens"] + 2210, 0)] + codex_growth(prev["input_tokens"] + 2210, 3)
    for i, (inp, cached) in enumerate(seq):
        if i:
            t += rng.randrange(3000, 9000)
        p4[0] += 1.0
        r = codex_request(ro, t, inp, cached, rng.randrange(100, 800), rng.randrange(30, 200),
                          rl_flat(p4[0], p4[1], t, rp4, rw4))
        creq(ro, r, cause="ttl_expiry" if i == 0 else None, pred=prev, model_="gpt-5-codex")
        prev = r
    files.append((ro.rel, ro.text()))
    C["flat"] = {"thread": tid4, "file": ro.rel}

    # ---- CX5: nested rate_limits with a relative reset (0.5x-era), a warm request after 3 min
    t0 = ms(2026, 11, 19, 13, 10, 44, 2)
    tid5 = str(new_uuid())
    ro = Rollout(tid5, t0)
    ro.add(t0 + 2800, "session_meta", {"id": tid5, "timestamp": iso(t0), "cwd": CODEX_CWD, "originator": "codex_cli_rs",
                                       "cli_version": "0.50.0", "instructions": None, "source": "cli",
                                       "model_provider": "openai"})
    rp5, rw5 = t0 + 4 * 3600000 + 48 * 60000, ms(2026, 11, 22, 0, 0, 0)
    t = t0 + 2900
    codex_turn_start(ro, t, "gpt-5-codex", shape_old=True)
    prev = None
    p5 = [3.0, 4.0]
    seq = [(11749, 6400)] + codex_growth(11749, 3)
    for i, (inp, cached) in enumerate(seq):
        t += rng.randrange(3000, 9000)
        p5[0] += 1.0
        r = codex_request(ro, t, inp, cached, rng.randrange(100, 800), rng.randrange(30, 200),
                          rl_relative(p5[0], p5[1], t, rp5, rw5), reemit=rl_relative(p5[0], p5[1], t + 1100, rp5, rw5))
        creq(ro, r, pred=prev, model_="gpt-5-codex")
        prev = r
    t += 180000
    codex_turn_start(ro, t - 6000, "gpt-5-codex", shape_old=True, rl=rl_relative(p5[0], p5[1], t - 5000, rp5, rw5))
    for i, (inp, cached) in enumerate(codex_growth(prev["input_tokens"], 3)):
        if i:
            t += rng.randrange(3000, 9000)
        p5[0] += 1.0
        r = codex_request(ro, t, inp, cached, rng.randrange(100, 800), rng.randrange(30, 200),
                          rl_relative(p5[0], p5[1], t, rp5, rw5))
        creq(ro, r, pred=prev, model_="gpt-5-codex")
        prev = r
    files.append((ro.rel, ro.text()))
    C["relative"] = {"thread": tid5, "file": ro.rel}


# --------------------------------------------------------------------------------------------
# Gemini CLI (a root holding tmp/): transcript-formats.md E4

GEMINI_CWD = "/home/dev/src/cli"
GEMINI_SLUG = "cli"
GEMINI_HASH = __import__("hashlib").sha256(GEMINI_CWD.encode()).hexdigest()
# USD per million (input, cached input, output): data/prices.yaml's Gemini rows
GEMINI_PRICES = {"gemini-2.5-pro": (1.25, 0.125, 10.0), "gemini-2.5-flash": (0.30, 0.03, 2.50)}


class GRec:
    """One recording, written the way Gemini CLI's ChatRecordingService writes it (JSONL)."""

    def __init__(self, rel, sid, t, kind="main", directories=None):
        self.rel, self.sid, self.lines, self.view = rel, sid, [], []
        h = {"sessionId": sid, "projectHash": GEMINI_HASH, "startTime": iso(t), "lastUpdated": iso(t), "kind": kind}
        if directories:
            h["directories"] = directories
        self.lines.append(h)

    def put(self, d):
        self.lines.append(d)
        for i, v in enumerate(self.view):
            if "id" in d and v["id"] == d["id"]:
                self.view[i] = d
                return d
        if "id" in d:
            self.view.append(d)
        return d

    def user(self, t, text):
        self.put({"id": new_uuid(), "timestamp": iso(t), "type": "user", "content": [{"text": text}]})
        self.lines.append({"$set": {"lastUpdated": iso(t)}})
        return self.view[-1]

    def text(self):
        return "".join(dumps(d) + "\n" for d in self.lines)


def gem_tokens(inp, cached, out, thoughts):
    return {"input": inp, "output": out, "cached": cached, "thoughts": thoughts, "tool": 0,
            "total": inp + out + thoughts}


def write_gemini(files):
    G = EXP["gemini"] = {"requests": [], "sessions": {}}
    g = random.Random(20261119)   # content only: the other trees' generator state is untouched
    root = "gemini/tmp/%s/chats" % GEMINI_SLUG

    def greq(rec, d, model, session, chain, cause, pred, after=None, compaction=False):
        tk = d["tokens"]
        r = {"t": parse_iso(d["timestamp"]), "session": session, "chain": chain, "model": model,
             "in": tk["input"] - tk["cached"], "cr": tk["cached"], "cc": 0, "cc5m": 0, "cc1h": 0,
             "out": tk["output"] + tk.get("thoughts", 0), "raw_input": tk["input"], "cause": cause,
             "file": rec.rel, "resumed_from": after, "compaction": compaction}
        if pred is not None:
            r["gap_s"] = (r["t"] - pred["t"]) / 1000.0
            r["E"] = pred["raw_input"]
            r["ttl_s"] = 300
            r["pair"] = ("resume" if after else None if compaction else "baseline") if pred["model"] == model else None
        else:
            r["pair"] = None
        G["requests"].append(r)
        return r

    def turn(rec, t, model, inp, cached, out, thoughts=0, null_first=False, tools=False, named=True):
        """A model turn: maybe first with tokens null, then with its usage; maybe again with tool calls."""
        d = {"id": new_uuid(), "timestamp": iso(t), "type": "gemini", "content": sentence(g.randrange(6, 20)),
             "thoughts": [{"subject": "Plan", "description": sentence(8), "timestamp": iso(t - 1500)}]}
        if null_first:
            rec.put(dict(d, tokens=None, **({"model": model} if named else {})))
        d["tokens"] = gem_tokens(inp, cached, out, thoughts)
        if named:
            d["model"] = model
        rec.put(dict(d))
        if tools:
            d = dict(d, toolCalls=[{"id": "read_file-%d" % g.randrange(10 ** 12), "name": "read_file",
                                    "args": {"absolute_path": GEMINI_CWD + "/src/http.ts"}, "status": "success",
                                    "timestamp": iso(t + 900), "result": [{"functionResponse": {
                                        "name": "read_file", "response": {"output": code_file("x.ts", 900)}}}],
                                    "displayName": "ReadFile", "description": "", "renderOutputAsMarkdown": True}])
            rec.put(d)
        return d

    # --- G2: written by Gemini CLI 0.38 (one JSON document, rewritten whole); its project
    # folder was a sha256 until 0.29, and the upgrade copied the folder: the same document
    # exists under both names. Resumed the next day by 0.61 as a .jsonl that repeats it.
    sid2 = new_uuid()
    t0 = ms(2026, 11, 18, 16, 0, 0, 0)
    name2 = "session-2026-11-18T16-00-%s" % sid2[:8]
    legacy = GRec(None, sid2, t0)
    flash = "gemini-2.5-flash"
    prev = None
    t = t0 + 5000
    legacy.user(t, "Add retries with backoff to the HTTP client")
    plan2 = [(14200, 0, 420, 180), (16900, 14080, 300, 0), (19400, 16896, 520, 64), (21000, 19200, 380, 0),
             (22800, 20992, 610, 0)]
    for i, (inp, cached, out, th) in enumerate(plan2):
        t += 7000 if i == 0 else g.randrange(40000, 90000)
        if i == 2:
            legacy.user(t - 9000, "Also cap the total wait at 30 seconds")
        d = turn(legacy, t, flash, inp, cached, out, th, tools=i % 2 == 0)
        prev = greq(legacy, d, flash, sid2, "main", "first_request" if i == 0 else None, prev)
    doc = {"sessionId": sid2, "projectHash": GEMINI_HASH, "startTime": iso(t0), "lastUpdated": iso(t + 2000),
           "messages": legacy.view, "summary": "Add retry to the HTTP client"}
    doc_text = json.dumps(doc, indent=2, ensure_ascii=False)
    for folder in (GEMINI_SLUG, GEMINI_HASH):
        files.append(("gemini/tmp/%s/chats/%s.json" % (folder, name2), doc_text))
    cont = GRec(root + "/" + name2 + ".jsonl", sid2, t0)
    cont.lines[0]["lastUpdated"] = doc["lastUpdated"]
    del cont.lines[0]["kind"]
    for m in legacy.view:
        cont.put(m)
    cont.lines.append({"$set": {"sessionId": sid2}})
    t = ms(2026, 11, 19, 8, 30, 10, 0)
    cont.user(t, "The retry test is flaky, look again")
    for i, (inp, cached, out) in enumerate([(24500, 0, 700), (26100, 24448, 260)]):
        t += 10000 if i == 0 else 40000
        d = turn(cont, t, flash, inp, cached, out, tools=i == 0)
        prev = greq(cont, d, flash, sid2, "main", "ttl_expiry" if i == 0 else None, prev,
                    after=sid2 if i == 0 else None)
    files.append((cont.rel, cont.text()))
    G["sessions"][sid2] = {"title": doc["summary"], "files": 3, "legacy": name2 + ".json"}

    # --- G1: a JSONL session (0.61) with a sub-agent, a rewind, an idle TTL expiry, an
    # unexplained miss, and a resume in place 2.5 minutes after the process ended.
    sid1 = new_uuid()
    t0 = ms(2026, 11, 19, 9, 0, 0, 0)
    pro = "gemini-2.5-pro"
    name1 = "session-2026-11-19T09-00-%s" % sid1[:8]
    rec = GRec(root + "/" + name1 + ".jsonl", sid1, t0)
    rec.user(t0 + 4000, "Why does `cli login` hang behind a proxy?")
    prev = None
    t = t0 + 11000
    d = turn(rec, t, pro, 18400, 0, 610, 230, null_first=True)
    prev = greq(rec, d, pro, sid1, "main", "first_request", prev)
    t += 29000
    d = turn(rec, t, pro, 20950, 18304, 140, 0, null_first=True, tools=True)
    prev = greq(rec, d, pro, sid1, "main", None, prev)
    t += 40000
    d = turn(rec, t, pro, 23800, 20864, 980, 410, tools=True)
    g3 = greq(rec, d, pro, sid1, "main", None, prev)
    # the same turn written again later with other counts: the last version is the bill
    d = dict(d, tokens=gem_tokens(23800, 20864, 1040, 410))
    rec.put(d)
    g3["out"] = 1040 + 410
    prev = g3
    # a sub-agent investigates, in its own recording under the session's folder
    agent = "codebase_investigator-%s" % b62(6).lower()
    sub = GRec(root + "/" + sid1 + "/" + agent + ".jsonl", agent, t + 10000, kind="subagent",
               directories=[GEMINI_CWD])
    st, sprev = t + 14000, None
    for i, (inp, cached, out) in enumerate([(9100, 0, 350), (11800, 9088, 210), (14400, 11776, 520)]):
        d = turn(sub, st, flash, inp, cached, out, tools=i < 2)
        sprev = greq(sub, d, flash, sid1, agent, "first_request" if i == 0 else None, sprev)
        st += 18000
    files.append((sub.rel, sub.text()))
    t = ms(2026, 11, 19, 9, 3, 0, 0)
    rec.user(t, "Try it with HTTPS_PROXY set")
    t += 10000
    d = turn(rec, t, pro, 27300, 23808, 720, named=False)  # no model: the previous one
    prev = greq(rec, d, pro, sid1, "main", None, prev)
    t = ms(2026, 11, 19, 9, 5, 0, 0)
    u3 = rec.user(t, "Rewrite the whole agent setup instead")
    t += 9000
    d = turn(rec, t, pro, 31000, 27136, 800, tools=True)
    prev = greq(rec, d, pro, sid1, "main", None, prev)
    rec.lines.append({"$rewindTo": u3["id"]})
    rec.view = rec.view[:[m["id"] for m in rec.view].index(u3["id"])]
    t = ms(2026, 11, 19, 9, 6, 10, 0)
    rec.user(t, "No, just pass the agent to fetch")
    t += 8000
    d = turn(rec, t, pro, 28600, 11264, 500)
    prev = greq(rec, d, pro, sid1, "main", "compaction", prev, compaction=True)
    t += 42000
    d = turn(rec, t, pro, 30100, 28544, 330, tools=True)
    prev = greq(rec, d, pro, sid1, "main", None, prev)
    t = ms(2026, 11, 19, 9, 47, 30, 0)   # back from a 40-minute break
    rec.user(t, "Now add a test for it")
    t += 11000
    d = turn(rec, t, pro, 32800, 0, 900, 120)
    prev = greq(rec, d, pro, sid1, "main", "ttl_expiry", prev)
    t += 39000
    d = turn(rec, t, pro, 34900, 32768, 410, tools=True)
    prev = greq(rec, d, pro, sid1, "main", None, prev)
    t = ms(2026, 11, 19, 9, 50, 0, 0)
    rec.user(t, "Run the suite")
    t += 12000
    d = turn(rec, t, pro, 37400, 8192, 300)
    prev = greq(rec, d, pro, sid1, "main", "unexplained_miss", prev)
    t += 48000
    d = turn(rec, t, pro, 39100, 37376, 280)
    prev = greq(rec, d, pro, sid1, "main", None, prev)
    rec.lines.append({"id": new_uuid(), "timestamp": iso(t + 20000), "type": "info", "content": "Session ended."})
    # `gemini --resume` 2.5 minutes later: a start-up recording of the same session with no
    # turns stays behind; the session goes on in its own file
    tr = ms(2026, 11, 19, 9, 54, 0, 0)
    orphan = GRec(root + "/session-2026-11-19T09-54-%s.jsonl" % sid1[:8], sid1, tr)
    orphan.lines.append({"$set": {"lastUpdated": iso(tr)}})
    files.append((orphan.rel, orphan.text()))
    rec.lines.append({"$set": {"sessionId": sid1}})
    rec.lines.append({"$set": {"messages": [m for m in rec.view], "lastUpdated": iso(tr + 1000)}})
    t = tr + 20000
    rec.user(t, "Where were we? Finish the test")
    t += 11000
    d = turn(rec, t, pro, 41500, 4096, 650, 90)
    prev = greq(rec, d, pro, sid1, "main", "resume_miss", prev, after=sid1)
    t += 39000
    d = turn(rec, t, pro, 43600, 41472, 240, tools=True)
    prev = greq(rec, d, pro, sid1, "main", None, prev)
    rec.lines.append({"$set": {"summary": "Proxy support for cli login"}})
    files.append((rec.rel, rec.text()))
    G["sessions"][sid1] = {"title": "Proxy support for cli login", "files": 3, "subagent": agent}
    # what else Gemini CLI keeps under tmp/: none of it is a recording
    files.append(("gemini/tmp/%s/.project_root" % GEMINI_SLUG, GEMINI_CWD))
    files.append(("gemini/projects.json", json.dumps({"projects": {GEMINI_CWD: GEMINI_SLUG}}, indent=2)))
    files.append(("gemini/tmp/%s/logs/session-%s.jsonl" % (GEMINI_SLUG, sid1),
                  "".join(dumps({"timestamp": iso(t0 + k * 1000), "type": "console", "content": "log %d" % k,
                                 "tokens": {"input": 9, "output": 9, "cached": 0}, "id": "x%d" % k}) + "\n"
                          for k in range(3))))
    for r in G["requests"]:
        rate = GEMINI_PRICES[r["model"]]
        r["cost_usd"] = (r["in"] * rate[0] + r["cr"] * rate[1] + r["out"] * rate[2]) / 1e6
        if r["cause"] in ("resume_miss", "unexplained_miss"):
            r["wasted_tokens"] = min(r["in"], max(0, r["E"] - r["cr"]))
            r["wasted_usd"] = r["wasted_tokens"] * (rate[0] - rate[1]) / 1e6
# opencode: a data folder (samples/opencode) as opencode >= 1.2 keeps it: a SQLite database
# (opencode.db, WAL mode) and the storage/ JSON tree opencode <= 1.1 wrote and the one-time
# import left in place. A database and its WAL are not byte-reproducible (the WAL header holds
# random salts; the file header names the SQLite version that wrote it), so what is committed is
# the deterministic part: the legacy tree and opencode.sql, the statements that build the
# database. `--opencode-db DIR` (and the tests) build the data folder from them: the statements
# above the WAL marker are checkpointed into opencode.db, those below stay in opencode.db-wal
# (the files are copied while the writer still has the database open, as a backup taken while
# opencode runs would be).

OPENCODE_ROOT = os.path.join(HERE, "opencode")
OC_WAL_MARK = "-- cachetop: the statements below stay in the WAL"
OC_CLI = "/home/dev/src/cli"
OC_VERSION = "1.18.33"
ocrng = random.Random(20261119)   # its own: the Claude and Codex trees stay as they were

OC_SCHEMA = """CREATE TABLE project (id text PRIMARY KEY, worktree text NOT NULL, vcs text, name text,
  time_created integer NOT NULL, time_updated integer NOT NULL, time_initialized integer, sandboxes text NOT NULL);
CREATE TABLE session (id text PRIMARY KEY, project_id text NOT NULL REFERENCES project(id) ON DELETE cascade,
  workspace_id text, parent_id text, slug text NOT NULL, directory text NOT NULL, path text, title text NOT NULL,
  version text NOT NULL, share_url text, summary_additions integer, summary_deletions integer,
  summary_files integer, summary_diffs text, cost real DEFAULT 0 NOT NULL, tokens_input integer DEFAULT 0 NOT NULL,
  tokens_output integer DEFAULT 0 NOT NULL, tokens_reasoning integer DEFAULT 0 NOT NULL,
  tokens_cache_read integer DEFAULT 0 NOT NULL, tokens_cache_write integer DEFAULT 0 NOT NULL, revert text,
  permission text, goal text, agent text, model text, time_created integer NOT NULL,
  time_updated integer NOT NULL, time_compacting integer, time_archived integer);
CREATE INDEX session_project_idx ON session (project_id);
CREATE INDEX session_parent_idx ON session (parent_id);
CREATE TABLE message (id text PRIMARY KEY, session_id text NOT NULL REFERENCES session(id) ON DELETE cascade,
  time_created integer NOT NULL, time_updated integer NOT NULL, data text NOT NULL);
CREATE INDEX message_session_time_created_id_idx ON message (session_id, time_created, id);
CREATE TABLE part (id text PRIMARY KEY, message_id text NOT NULL REFERENCES message(id) ON DELETE cascade,
  session_id text NOT NULL, time_created integer NOT NULL, time_updated integer NOT NULL, data text NOT NULL);
CREATE INDEX part_message_id_id_idx ON part (message_id, id);
CREATE INDEX part_session_idx ON part (session_id);
"""


def oc_id(prefix, t, n=[0]):
    """opencode's ids: a prefix, 12 hex digits that grow with time, 14 random base62 ones."""
    n[0] += 1
    return "%s_%012x%s" % (prefix, (t * 0x1000 + n[0]) & 0xFFFFFFFFFFFF, "".join(ocrng.choice(B62) for _ in range(14)))


def sql_str(v):
    if v is None:
        return "NULL"
    if isinstance(v, int):
        return str(v)
    return "'" + str(v).replace("'", "''") + "'"


def sql_insert(table, row):
    return "INSERT INTO %s (%s) VALUES (%s);" % (table, ", ".join(row), ", ".join(sql_str(v) for v in row.values()))


def oc_plan():
    """The opencode sample: sessions, their messages (with the expected causes) and where each row
    lives (database, WAL, legacy tree)."""
    S = []

    def session(title, t, cwd, model, provider, parent=None, version=OC_VERSION, where="db", project="p"):
        d = {"id": oc_id("ses", t), "title": title, "t": t, "cwd": cwd, "model": model, "provider": provider,
             "parent": parent and parent["id"], "version": version, "where": where, "msgs": [], "project": project}
        S.append(d)
        return d

    def user(ss, t, where=None, parts=()):
        ss["msgs"].append({"id": oc_id("msg", t), "role": "user", "t": t, "where": where or ss["where"], "parts": parts})

    def reply(ss, t, inp, cw, cr, out, reasoning=0, where=None, summary=False, error=None, model=None,
              done=None, pending_first=False, finish="stop", parts=(), cause=None):
        ss["msgs"].append({"id": oc_id("msg", t), "role": "assistant", "t": t, "where": where or ss["where"],
                           "cause": cause,
                           "tokens": (inp, out, reasoning, cr, cw), "summary": summary, "error": error,
                           "model": model or ss["model"], "provider": ss["provider"],
                           "done": done if done is not None else t + 1500 + out * 12, "pending_first": pending_first,
                           "finish": finish, "parts": parts})

    sonnet, haiku = "claude-sonnet-4-5", "claude-haiku-4-5"
    t0 = ms(2026, 11, 19, 9, 0, 0)
    a = session("Retry the flaky HTTP calls", t0, OC_CLI, sonnet, "anthropic")
    user(a, t0)
    reply(a, t0 + 2000, 12, 17840, 0, 420, finish="tool-calls", cause="first_request")
    reply(a, t0 + 21000, 6, 1310, 17840, 610, finish="tool-calls")
    reply(a, t0 + 48000, 6, 2905, 19150, 380, reasoning=120, finish="tool-calls", done=t0 + 95000,
          parts=("task",))
    c = session("Find where the client retries (@explore subagent)", t0 + 50000, OC_CLI, haiku, "anthropic", parent=a)
    user(c, t0 + 50000)
    reply(c, t0 + 51000, 9, 11200, 0, 300, finish="tool-calls", cause="first_request")
    reply(c, t0 + 63000, 5, 2400, 11200, 520, finish="tool-calls")
    reply(c, t0 + 80000, 5, 950, 13600, 880)
    reply(a, t0 + 96000, 8, 3100, 22055, 700)
    user(a, t0 + 400000)
    reply(a, t0 + 520000, 10, 25300, 0, 650, finish="tool-calls", cause="ttl_expiry")  # 7 min idle
    reply(a, t0 + 547000, 6, 1000, 25300, 300)
    user(a, t0 + 600000)
    reply(a, t0 + 602000, 0, 0, 0, 0, error={"name": "MessageAbortedError",
                                             "data": {"message": "The operation was aborted."}}, done=t0 + 605000)
    user(a, t0 + 640000, parts=("shell",))                               # `!git status`
    reply(a, t0 + 640500, 0, 0, 0, 0, done=t0 + 641000, parts=("bash",))
    user(a, t0 + 700000, where="wal", parts=("compaction",))             # /compact
    reply(a, t0 + 701000, 4, 900, 26300, 1900, summary=True, where="wal")
    reply(a, t0 + 760000, 7, 3400, 11050, 500, where="wal", finish="tool-calls", cause="compaction")
    reply(a, t0 + 790000, 6, 800, 14450, 420, where="wal", pending_first=True)      # written twice

    t1 = ms(2026, 11, 19, 14, 0, 0)
    b = session("Explain the retry budget", t1, OC_CLI, "gpt-5.1-codex", "openai")
    user(b, t1)
    reply(b, t1 + 1000, 14200, 0, 0, 900, reasoning=300, cause="first_request")
    reply(b, t1 + 40000, 1150, 0, 13952, 450, reasoning=120)
    reply(b, t1 + 460000, 16400, 0, 0, 300, cause="ttl_expiry")        # 7 min idle
    reply(b, t1 + 480000, 600, 0, 16256, 200)

    t2 = ms(2026, 2, 10, 10, 0, 0)
    d = session("Add request logging", t2, API_CWD, sonnet, "anthropic", version="1.1.20", where="both",
                project="q")
    user(d, t2)
    reply(d, t2 + 2000, 10, 15500, 0, 300, finish="tool-calls", cause="first_request")
    reply(d, t2 + 30000, 5, 700, 15500, 410, finish="tool-calls")
    reply(d, t2 + 55000, 5, 1200, 16200, 350)

    t3 = ms(2026, 1, 28, 16, 0, 0)
    e = session("Bump the linter", t3, API_CWD, sonnet, "anthropic", version="1.1.8", where="json", project="q")
    user(e, t3)
    reply(e, t3 + 3000, 8, 14900, 0, 260, finish="tool-calls", cause="first_request")
    reply(e, t3 + 200000, 6, 500, 14900, 330)
    return S


def oc_message_data(ss, m, legacy):
    """A message's stored JSON (the data column; a legacy file also holds its id and sessionID)."""
    d = {}
    if legacy:
        d["id"] = m["id"]
        d["sessionID"] = ss["id"]
    if m["role"] == "user":
        d.update({"role": "user", "time": {"created": m["t"]}, "agent": "build",
                  "model": {"providerID": ss["provider"], "modelID": ss["model"]}})
        if "compaction" not in m["parts"]:
            d["summary"] = {"diffs": []}
        return d
    inp, out, reasoning, cr, cw = m["tokens"]
    prev = [x for x in ss["msgs"] if x["role"] == "user" and x["t"] <= m["t"]]
    d.update({"role": "assistant", "time": {"created": m["t"]}, "parentID": prev[-1]["id"] if prev else None,
              "modelID": m["model"], "providerID": m["provider"], "mode": "build", "agent": "build",
              "path": {"cwd": ss["cwd"], "root": ss["cwd"]}, "cost": 0,
              "tokens": {"input": inp, "output": out, "reasoning": reasoning, "cache": {"read": cr, "write": cw}}})
    if m["summary"]:
        d["summary"] = True
    if m["error"]:
        d["error"] = m["error"]
    d["time"]["completed"] = m["done"]
    if inp or out or cr or cw:
        d["finish"] = m["finish"]
    return d


def write_opencode(files):
    S = oc_plan()
    db_stmts, wal_stmts = [], []
    projects = {"p": (OC_CLI, ms(2026, 1, 5, 12, 0, 0)), "q": (API_CWD, ms(2025, 12, 1, 9, 0, 0))}
    pid = {k: "%040x" % ocrng.getrandbits(160) for k in sorted(projects)}
    for k in sorted(projects):
        cwd, t = projects[k]
        db_stmts.append(sql_insert("project", {"id": pid[k], "worktree": cwd, "vcs": "git", "name": None,
                                                "time_created": t, "time_updated": t, "time_initialized": t,
                                                "sandboxes": "[]"}))
    for ss in S:
        last = max([m.get("done", m["t"]) for m in ss["msgs"]] + [ss["t"]])
        if ss["where"] in ("db", "both"):
            model = dumps({"id": ss["model"], "providerID": ss["provider"]})
            db_stmts.append(sql_insert("session", {
                "id": ss["id"], "project_id": pid[ss["project"]], "parent_id": ss["parent"],
                "slug": ss["title"].split(" (@")[0].lower().replace(" ", "-"), "directory": ss["cwd"],
                "title": ss["title"], "version": ss["version"], "summary_diffs": "[]",
                "agent": "explore" if ss["parent"] else "build", "model": model,
                "time_created": ss["t"], "time_updated": last}))
        for m in ss["msgs"]:
            if ss["where"] not in ("db", "both"):
                continue
            out = wal_stmts if m["where"] == "wal" else db_stmts
            data = oc_message_data(ss, m, False)
            updated = m.get("done", m["t"])
            if m.get("pending_first"):
                # written when the reply starts (no tokens, not complete), then completed
                first = dict(data, tokens={"input": 0, "output": 0, "reasoning": 0, "cache": {"read": 0, "write": 0}})
                first["time"] = {"created": m["t"]}
                first.pop("finish", None)
                out.append(sql_insert("message", {"id": m["id"], "session_id": ss["id"], "time_created": m["t"],
                                                  "time_updated": m["t"], "data": dumps(first)}))
                out.append("UPDATE message SET data = %s, time_updated = %d WHERE id = %s;" % (
                    sql_str(dumps(data)), updated, sql_str(m["id"])))
            else:
                out.append(sql_insert("message", {"id": m["id"], "session_id": ss["id"], "time_created": m["t"],
                                                  "time_updated": updated, "data": dumps(data)}))
            for kind in m["parts"] + (("step-finish",) if m["role"] == "assistant" and m["tokens"][0] else ()):
                part = {"type": kind}
                if kind == "step-finish":
                    inp, o, r, cr, cw = m["tokens"]
                    part.update({"reason": m["finish"], "cost": 0, "tokens": {
                        "input": inp, "output": o, "reasoning": r, "cache": {"read": cr, "write": cw}}})
                out.append(sql_insert("part", {"id": oc_id("prt", m["t"]), "message_id": m["id"],
                                               "session_id": ss["id"], "time_created": m["t"],
                                               "time_updated": updated, "data": dumps(part)}))
        if ss["where"] in ("json", "both"):
            sd = {"id": ss["id"], "slug": ss["title"].lower().replace(" ", "-"), "version": ss["version"],
                  "projectID": pid[ss["project"]], "directory": ss["cwd"], "title": ss["title"],
                  "time": {"created": ss["t"], "updated": last}}
            files.append(("opencode/storage/session/%s/%s.json" % (pid[ss["project"]], ss["id"]),
                          json.dumps(sd, indent=2, ensure_ascii=False)))
            for m in ss["msgs"]:
                files.append(("opencode/storage/message/%s/%s.json" % (ss["id"], m["id"]),
                              json.dumps(oc_message_data(ss, m, True), indent=2, ensure_ascii=False)))
    sql = ["-- opencode.sql: the sample opencode database, as statements (written by gen_samples.py).",
           "-- Build it with `python3 samples/gen_samples.py --opencode-db DIR`.",
           "PRAGMA journal_mode = WAL;", OC_SCHEMA.rstrip(), "BEGIN;"] + db_stmts + ["COMMIT;", OC_WAL_MARK, "BEGIN;"] + \
        wal_stmts + ["COMMIT;"]
    files.append(("opencode/opencode.sql", "\n".join(sql) + "\n"))
    EXP["opencode_plan"] = S


def oc_build(dest, sql_text, storage_src):
    """Build an opencode data folder at dest from opencode.sql (and copy the legacy tree)."""
    import sqlite3
    import tempfile
    head, tail = sql_text.split(OC_WAL_MARK + "\n")
    os.makedirs(dest, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "opencode.db")
        c = sqlite3.connect(db, isolation_level=None)
        c.execute("PRAGMA wal_autocheckpoint = 0")
        c.executescript(head)
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        c.executescript(tail)
        # copied while the writer has it open: the last rows are in the WAL only
        for name in ("opencode.db", "opencode.db-wal"):
            shutil.copyfile(os.path.join(tmp, name), os.path.join(dest, name))
        c.close()
    if os.path.isdir(storage_src):
        shutil.copytree(storage_src, os.path.join(dest, "storage"), dirs_exist_ok=True)


def oc_expected(S):
    """What report --json must say of the built data folder, from the plan (the causes are the
    plan's own, written beside each reply; the tokens are normalised as E5 says)."""
    by_id = {ss["id"]: ss for ss in S}

    def top(ss):
        while ss["parent"]:
            ss = by_id[ss["parent"]]
        return ss

    reqs, synthetic, lines, dup = [], 0, 0, 0
    for ss in S:
        lines += (ss["where"] in ("db", "both")) + (ss["where"] in ("json", "both"))
        dup += ss["where"] == "both"
        for m in ss["msgs"]:
            lines += (ss["where"] in ("db", "both")) + (ss["where"] in ("json", "both"))
            dup += ss["where"] == "both"
            if m["role"] != "assistant":
                continue
            inp, out, reasoning, cr, cw = m["tokens"]
            if not (inp or out or reasoning or cr or cw):
                synthetic += 1
                continue
            anth = m["provider"] == "anthropic"
            r = {"id": m["id"], "t": m["t"], "session": top(ss)["id"], "chain": ss["id"], "sub": ss["parent"] is not None,
                 "model": m["model"], "in": inp + (0 if anth else cw), "cc": cw if anth else 0, "cr": cr,
                 "out": out + reasoning, "cause": m["cause"], "where": m["where"], "ttl_s": 300,
                 "anthropic": anth, "summary": m["summary"]}
            r["cc5m"], r["cc1h"] = r["cc"], 0
            reqs.append(r)
    # gaps, expected prefixes and pairs follow from each chain's order; the request after a
    # compaction summary is no baseline
    chains = {}
    for r in sorted(reqs, key=lambda r: (r["t"], r["id"])):
        ch = chains.setdefault(r["chain"], [])
        r["pair"] = None
        if ch:
            p = ch[-1]
            r["gap_s"] = (r["t"] - p["t"]) / 1000.0
            r["E"] = p["cr"] + p["cc"] if r["anthropic"] else p["in"] + p["cr"]
            if p["model"] == r["model"] and not (not r["sub"] and p["summary"]):
                r["pair"] = "baseline"
        ch.append(r)
    return {"requests": reqs, "synthetic": synthetic, "lines": lines, "duplicates": dup}


def analyze_opencode(root, default_ttl=300, openai_ttl=300):
    """Re-read a built opencode data folder (E5 of transcript-formats.md): one request per assistant
    message with tokens, the database first, sub-agent sessions in their parent's."""
    import sqlite3
    db = os.path.join(root, "opencode.db")
    c = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    sessions, recs = {}, []
    for sid, parent, d, title, tc in c.execute("SELECT id, parent_id, directory, title, time_created FROM session"):
        sessions[sid] = {"parent": parent, "cwd": d, "title": title, "src": "db"}
    for mid, sid, tc, data in c.execute("SELECT id, session_id, time_created, data FROM message"):
        recs.append((tc, mid, 0, sid, json.loads(data)))
    wal_rows = c.execute("SELECT count(*) FROM message").fetchone()[0]
    c.close()
    lines = len(sessions) + len(recs)
    dup = 0
    st = os.path.join(root, "storage")
    for dp, _, fns in os.walk(os.path.join(st, "session")):
        for fn in fns:
            sid = fn[:-5]
            d = json.load(open(os.path.join(dp, fn), encoding="utf-8"))
            lines += 1
            if sid in sessions:
                dup += 1
                continue
            sessions[sid] = {"parent": d.get("parentID"), "cwd": d.get("directory"), "title": d.get("title"),
                             "src": "json"}
    db_ids = {r[1] for r in recs}
    for dp, _, fns in os.walk(os.path.join(st, "message")):
        for fn in fns:
            d = json.load(open(os.path.join(dp, fn), encoding="utf-8"))
            lines += 1
            if fn[:-5] in db_ids:
                dup += 1
                continue
            recs.append((d["time"]["created"], fn[:-5], 1, os.path.basename(dp), d))
    recs.sort(key=lambda r: (r[0], r[1], r[2]))

    def top(sid):
        while sessions.get(sid, {}).get("parent"):
            sid = sessions[sid]["parent"]
        return sid

    reqs, synthetic, chains, comp = [], 0, {}, {}
    for t, mid, src, sid, d in recs:
        if d.get("role") != "assistant":
            continue
        tk = d["tokens"]
        raw = (tk["input"], tk["cache"]["read"], tk["cache"]["write"], tk["output"] + tk["reasoning"])
        if not any(raw):
            synthetic += 1
            continue
        anth = d["providerID"] == "anthropic" or "claude" in d["modelID"]
        r = {"id": mid, "t": t, "session": top(sid), "chain": sid, "sub": top(sid) != sid, "model": d["modelID"],
             "anthropic": anth, "cr": raw[1], "out": raw[3], "summary": bool(d.get("summary"))}
        if anth:
            r["in"], r["cc"] = raw[0], raw[2]
        else:
            r["in"], r["cc"] = raw[0] + raw[2], 0
        r["cc5m"], r["cc1h"] = (r["cc"], 0) if default_ttl < 3600 else (0, r["cc"])
        ch = chains.setdefault(sid, [])
        pred = ch[-1] if ch else None
        after_comp = not r["sub"] and comp.pop(sid, False)
        ttl = (default_ttl if anth else openai_ttl)
        x = {"in": r["in"], "cc": r["cc"], "cr": r["cr"], "model": r["model"]}
        if pred:
            x["E"] = r["E"] = (pred["cr"] + pred["cc"]) if anth else (pred["in"] + pred["cc"] + pred["cr"])
            x["gap_s"] = r["gap_s"] = (t - pred["t"]) / 1000.0
        r["ttl_s"] = ttl
        r["cause"] = classify(x, pred and {"model": pred["model"]}, ttl, False, after_comp)
        r["pair"] = "baseline" if pred and pred["model"] == r["model"] and not after_comp else None
        if r["summary"] and not r["sub"]:
            comp[sid] = True
        ch.append(r)
        reqs.append(r)
    return {"requests": reqs, "synthetic": synthetic, "duplicates": dup, "lines": lines, "sessions": sessions,
            "messages_in_db": wal_rows}


# --------------------------------------------------------------------------------------------
# Reference analyzer: re-reads the written trees following design.md (independent of the plan)

BUCKETS = [("<5m", 0, 300), ("5-15m", 300, 900), ("15-30m", 900, 1800), ("30-60m", 1800, 3600),
           (">=60m", 3600, float("inf"))]


def bucket_of(g):
    for name, lo, hi in BUCKETS:
        if lo <= g < hi:
            return name


def classify(r, pred, ttl, after_resume, compaction, cold_min=1024, ratio=0.5):
    P = r["in"] + r["cc"] + r["cr"]
    if pred is None:
        return "first_request" if P >= cold_min and r["cr"] < ratio * P else None
    E = r["E"]
    cold = E >= cold_min and r["cr"] < ratio * E
    if not cold:
        return "resume_hit" if after_resume else None
    if r["gap_s"] >= ttl:
        return "ttl_expiry"
    if r["model"] != pred["model"]:
        return "model_switch"
    if compaction:
        return "compaction"
    if after_resume:
        return "resume_miss"
    return "unexplained_miss"


def analyze_claude(root):
    paths = []
    for dp, _, fns in os.walk(os.path.join(root, "projects")):
        for fn in fns:
            if fn.endswith(".jsonl"):
                paths.append(os.path.join(dp, fn))
    parsed, span = {}, {}
    for p in paths:
        ls = [json.loads(x) for x in open(p, encoding="utf-8").read().splitlines() if x.strip()]
        parsed[p] = ls
        ts = [parse_iso(d["timestamp"]) for d in ls if "timestamp" in d]
        span[p] = (min(ts), max(ts))
    order = sorted(paths, key=lambda p: (span[p][0], span[p][1], p))
    uuid_owner, seen_key, seen_mid = {}, {}, {}
    reqs, boundary, dup_lines, synthetic = [], {}, 0, 0
    pending = {}   # session -> {"resume": from-session, "compaction": bool}
    for p in order:
        ls = parsed[p]
        agent_file = os.path.basename(p).startswith("agent-")
        # file-start continuation (replayed prefix or junction)
        ub = [d for d in ls if "uuid" in d and d.get("type") in ("user", "assistant", "system", "attachment")]
        if ub and not agent_file and not ub[0].get("isSidechain"):
            first = ub[0]
            src = None
            if first["uuid"] in uuid_owner:
                for d in ub:
                    if d["uuid"] in uuid_owner:
                        src = uuid_owner[d["uuid"]][1]
                    else:
                        break
                newsid = next((d["sessionId"] for d in ub if d["uuid"] not in uuid_owner), None)
            elif first.get("parentUuid") in uuid_owner:
                src = uuid_owner[first["parentUuid"]][1]
                newsid = first["sessionId"]
            if src and newsid and newsid != src:
                pending.setdefault(newsid, {})["resume"] = src
        prev_sid, prev_ver = None, None
        tree_root = {}
        for d in ls:
            u = d.get("uuid")
            if d.get("type") in ("user", "assistant", "system") and not d.get("isSidechain"):
                sid, ver = d.get("sessionId"), d.get("version")
                if prev_sid and sid != prev_sid:
                    pending.setdefault(sid, {})["resume"] = prev_sid
                elif prev_sid and ver != prev_ver:
                    pending.setdefault(sid, {})["resume"] = sid
                prev_sid, prev_ver = sid, ver
                if d.get("type") == "system" and d.get("subtype") == "compact_boundary":
                    pending.setdefault(sid, {})["compaction"] = True
            if d.get("isSidechain") and u:
                par = d.get("parentUuid")
                tree_root[u] = tree_root.get(par, u) if par else u
            if u and u not in uuid_owner:
                uuid_owner[u] = (p, d.get("sessionId"))
            if d.get("type") != "assistant":
                continue
            m = d["message"]
            if d.get("isApiErrorMessage") or m.get("model") == "<synthetic>":
                synthetic += 1
                continue
            us = m.get("usage")
            if not us:
                continue
            key = (m.get("id"), d.get("requestId"))
            if key in seen_key:
                reqs[seen_key[key]]["out"] = max(reqs[seen_key[key]]["out"], us["output_tokens"])
                dup_lines += 1
                continue
            if m.get("id") in seen_mid and (d.get("isSidechain") or reqs[seen_mid[m["id"]]]["sidechain"]):
                dup_lines += 1
                continue
            sid = d["sessionId"]
            if d.get("isSidechain"):
                chain = ("agent", d["agentId"]) if d.get("agentId") else ("tree", p, tree_root.get(u, u))
            else:
                chain = ("main", sid)
            cc5 = us.get("cache_creation", {}).get("ephemeral_5m_input_tokens", 0)
            cc1 = us.get("cache_creation", {}).get("ephemeral_1h_input_tokens", 0)
            r = {"t": parse_iso(d["timestamp"]), "session": sid, "chain": chain, "model": m["model"],
                 "in": us["input_tokens"], "cc": us["cache_creation_input_tokens"], "cr": us["cache_read_input_tokens"],
                 "cc5m": cc5, "cc1h": cc1, "out": us["output_tokens"], "sidechain": bool(d.get("isSidechain")),
                 "file": p, "cwd": d.get("cwd"), "after_resume": None, "compaction": False}
            if chain[0] == "main" and sid in pending:
                r["after_resume"] = pending[sid].pop("resume", None)
                r["compaction"] = pending[sid].pop("compaction", False)
            seen_key[key] = len(reqs)
            seen_mid.setdefault(m.get("id"), len(reqs))
            reqs.append(r)
    # chains and lineage
    by_chain = {}
    for r in reqs:
        by_chain.setdefault(r["chain"], []).append(r)
    for ch in by_chain.values():
        ch.sort(key=lambda r: r["t"])
    lineage_tier = {}

    def tier_ttl(pred, default):
        if pred["cc1h"] > 0:
            return 3600
        if pred["cc5m"] > 0:
            return 300
        return default

    # process main chains in time order of their first request so that predecessors exist
    events = []
    for r in sorted(reqs, key=lambda r: r["t"]):
        ch = by_chain[r["chain"]]
        i = ch.index(r)
        pred = ch[i - 1] if i > 0 else None
        if r["after_resume"] and r["after_resume"] != r["session"]:
            cands = [x for x in by_chain.get(("main", r["after_resume"]), []) if x["t"] < r["t"]]
            pred = cands[-1] if cands else None
        r["pred"] = pred
        if pred:
            r["gap_s"] = (r["t"] - pred["t"]) / 1000.0
            r["E"] = pred["cr"] + pred["cc"]
            lin = r["chain"] if r["chain"][0] != "main" else "L"
            r["ttl_s"] = tier_ttl(pred, pred.get("ttl_s", 300))
        r["cause"] = classify(r, pred, r.get("ttl_s", 300), bool(r["after_resume"]), r["compaction"])
        if r["cause"]:
            events.append(r)
        r["pair"] = None
        if pred is not None:
            if r["after_resume"]:
                r["pair"] = "resume" if r["model"] == pred["model"] else None
            elif r["model"] == pred["model"] and not r["compaction"]:
                r["pair"] = "baseline"
    return {"requests": reqs, "events": events, "duplicate_lines": dup_lines, "synthetic": synthetic,
            "files": len(paths)}


def analyze_codex(root):
    paths = []
    for dp, _, fns in os.walk(os.path.join(root, "sessions")):
        for fn in fns:
            if fn.endswith(".jsonl"):
                paths.append(os.path.join(dp, fn))
    parsed = {p: [json.loads(x) for x in open(p, encoding="utf-8").read().splitlines() if x.strip()] for p in paths}
    order = sorted(paths, key=lambda p: (parse_iso(parsed[p][0]["timestamp"]), p))
    seen_info, reqs, rl_latest, reemitted = set(), [], None, 0
    for p in order:
        ls = parsed[p]
        meta = next(d["payload"] for d in ls if d["type"] == "session_meta")
        tid = meta["id"]
        src = meta.get("source")
        spawn = isinstance(src, dict) and "subagent" in src
        parent = meta.get("forked_from_id") or (src["subagent"]["thread_spawn"]["parent_thread_id"] if spawn else None)
        prev_info, model, comp = None, "gpt-5", False
        for d in ls:
            pl = d["payload"]
            if d["type"] == "turn_context":
                model = pl.get("model", model)
            elif d["type"] == "compacted" or (d["type"] == "event_msg" and pl.get("type") == "context_compacted"):
                comp = True
            elif d["type"] == "event_msg" and pl.get("type") == "token_count":
                if pl.get("rate_limits") and (rl_latest is None or parse_iso(d["timestamp"]) >= rl_latest[0]):
                    rl_latest = (parse_iso(d["timestamp"]), pl["rate_limits"], d["timestamp"])
                info = pl.get("info")
                if info is None:
                    continue
                s = dumps(info)
                if s == prev_info:
                    reemitted += 1
                    continue
                prev_info = s
                if parent and s in seen_info:
                    continue
                seen_info.add(s)
                last = info["last_token_usage"]
                if not any(last.values()):
                    continue
                reqs.append({"thread": tid, "t": parse_iso(d["timestamp"]), "input_tokens": last["input_tokens"],
                             "cached": last["cached_input_tokens"], "out": last["output_tokens"], "model": model,
                             "compaction": comp, "parent": parent, "spawn": spawn, "file": p})
                comp = False
    by = {}
    for r in reqs:
        by.setdefault(r["thread"], []).append(r)
    events = []
    for r in sorted(reqs, key=lambda r: r["t"]):
        ch = by[r["thread"]]
        i = ch.index(r)
        pred, after = (ch[i - 1] if i else None), False
        if i == 0 and r["parent"] and not r["spawn"]:
            c = [x for x in by.get(r["parent"], []) if x["t"] < r["t"]]
            pred, after = (c[-1] if c else None), True
        x = {"in": r["input_tokens"] - r["cached"], "cc": 0, "cr": r["cached"], "model": r["model"]}
        if pred:
            x["E"] = pred["input_tokens"]
            x["gap_s"] = r["gap_s"] = (r["t"] - pred["t"]) / 1000.0
            r["E"] = pred["input_tokens"]
        r["cause"] = classify(x, pred and {"model": pred["model"]}, 300, after, r["compaction"])
        r["pair"] = None
        if pred:
            r["pair"] = "resume" if after else ("baseline" if not r["compaction"] and pred["model"] == r["model"] else None)
        if r["cause"]:
            events.append(r)
    return {"requests": reqs, "events": events, "reemitted": reemitted, "quota": rl_latest, "files": len(paths)}


def analyze_gemini(root):
    """Gemini CLI recordings, read as E4 says: tmp/<id>/chats/*.json{,l} and one folder below; one
    request per (recording, message id) with tokens, its last version; sessions by sessionId."""
    tmp, found = os.path.join(root, "tmp"), []
    for pid in sorted(os.listdir(tmp)):
        chats = os.path.join(tmp, pid, "chats")
        if not os.path.isdir(chats):
            continue
        for fn in sorted(os.listdir(chats)):
            p = os.path.join(chats, fn)
            if os.path.isdir(p):
                found += [(os.path.join(p, x), pid, fn) for x in sorted(os.listdir(p)) if x.endswith(".jsonl")]
            elif fn.endswith(".jsonl") or fn.endswith(".json"):
                found.append((p, pid, None))
    parsed = {}
    for p, pid, parent in found:
        text = open(p, encoding="utf-8").read()
        if p.endswith(".json"):
            d = json.loads(text)
            ls = [{k: v for k, v in d.items() if k != "messages"}] + d.get("messages", [])
        else:
            ls = [json.loads(x) for x in text.splitlines() if x.strip()]
        parsed[p] = ls
    def span(p):
        ts = [parse_iso(d["timestamp"]) for d in parsed[p] if "timestamp" in d]
        start = next((parse_iso(d["startTime"]) for d in parsed[p][:1] if "startTime" in d), min(ts, default=0))
        return (start, max(ts, default=start), p)
    order = sorted((x for x in found), key=lambda x: span(x[0]))
    keys, reqs, pending, last_model, dups, owners = {}, [], {}, {}, 0, {}
    for p, pid, parent in order:
        cur, resuming = None, False
        def new_request(d, cur):
            nonlocal resuming
            tk = d["tokens"]
            k = (cur, d["id"])
            model = d.get("model") or last_model.get(cur)
            if k in keys:
                r = keys[k]
                r.update({"in": tk["input"] - tk["cached"], "cr": tk["cached"], "raw_input": tk["input"],
                          "out": tk["output"] + tk.get("thoughts", 0)})
                if d.get("model"):
                    r["model"] = d["model"]
                return 1
            session = parent or cur
            r = {"t": parse_iso(d["timestamp"]), "session": session, "chain": cur if parent else "main",
                 "model": model, "in": tk["input"] - tk["cached"], "cr": tk["cached"], "raw_input": tk["input"],
                 "out": tk["output"] + tk.get("thoughts", 0), "file": p, "after": None, "compaction": False}
            if not parent:
                pd = pending.pop(session, {})
                r["after"], r["compaction"] = pd.get("resume"), pd.get("compaction", False)
            resuming = False
            keys[k] = r
            reqs.append(r)
            return 0
        for d in parsed[p]:
            if "$rewindTo" in d:
                if not parent:
                    pending.setdefault(cur, {})["compaction"] = True
            elif "id" in d:
                if d.get("model"):
                    last_model[cur] = d["model"]
                if d.get("type") == "gemini" and isinstance(d.get("tokens"), dict):
                    dups += new_request(d, cur)
            elif "$set" in d:
                st = d["$set"]
                if "sessionId" in st and not parent:
                    if st["sessionId"] == cur:
                        pending.setdefault(cur, {})["resume"] = cur
                        resuming = True
                    else:
                        pending.setdefault(st["sessionId"], {})["resume"] = cur
                        cur = st["sessionId"]
                if "messages" in st:
                    if not resuming and not parent:
                        pending.setdefault(cur, {})["compaction"] = True
                    for m in st["messages"]:
                        if m.get("type") == "gemini" and isinstance(m.get("tokens"), dict):
                            dups += new_request(m, cur)
            elif "sessionId" in d:
                cur = d["sessionId"]
                # a session going on in a file other than its first: a resume
                if not parent and any(r["session"] == cur and r["chain"] == "main" for r in reqs) and \
                        owners.get(cur) != p:
                    pending.setdefault(cur, {})["resume"] = cur
                owners.setdefault(cur, p)
    by, events, seen_cache = {}, [], set()
    for r in reqs:
        by.setdefault((r["session"], r["chain"]), []).append(r)
    for r in sorted(reqs, key=lambda r: r["t"]):
        ch = by[(r["session"], r["chain"])]
        i = ch.index(r)
        pred = ch[i - 1] if i else None
        x = {"in": r["in"], "cc": 0, "cr": r["cr"], "model": r["model"]}
        if pred:
            x["E"] = r["E"] = pred["raw_input"]
            x["gap_s"] = r["gap_s"] = (r["t"] - pred["t"]) / 1000.0
        if pred and r["session"] not in seen_cache and not r["cr"]:
            r["cause"] = None   # the cache was never read in this session: nothing to miss
        else:
            r["cause"] = classify(x, pred and {"model": pred["model"]}, 300, bool(r["after"]), r["compaction"])
        if r["cr"]:
            seen_cache.add(r["session"])
        r["pair"] = None
        if pred and pred["model"] == r["model"]:
            r["pair"] = "resume" if r["after"] else None if r["compaction"] else "baseline"
        if r["cause"]:
            events.append(r)
    return {"requests": reqs, "events": events, "duplicate_lines": dups, "files": len(found)}


def pairs_of(items):
    """items: (pair, gap_s, hit). Returns the five buckets with means and delta in pp."""
    out = []
    for name, lo, hi in BUCKETS:
        b = [h for p, g, h in items if p == "baseline" and lo <= g < hi]
        t = [h for p, g, h in items if p == "resume" and lo <= g < hi]
        bm = sum(b) / len(b) if b else None
        tm = sum(t) / len(t) if t else None
        out.append({"gap_bucket": name, "baseline_requests": len(b), "baseline_hit_rate": bm,
                    "resume_requests": len(t), "resume_hit_rate": tm,
                    "delta_pp": (tm - bm) * 100 if bm is not None and tm is not None else None})
    return out


def totals_of(rs):
    t = {"requests": len(rs), "input_tokens": sum(r["in"] for r in rs), "output_tokens": sum(r["out"] for r in rs),
         "cache_creation_tokens": sum(r["cc"] for r in rs), "cache_creation_5m_tokens": sum(r["cc5m"] for r in rs),
         "cache_creation_1h_tokens": sum(r["cc1h"] for r in rs), "cache_read_tokens": sum(r["cr"] for r in rs)}
    P = t["input_tokens"] + t["cache_creation_tokens"] + t["cache_read_tokens"]
    t["hit_rate"] = t["cache_read_tokens"] / P if P else None
    return t


# --------------------------------------------------------------------------------------------
# expectations, checks, README

def plan_hit(r):
    P = r["in"] + r["cc"] + r["cr"]
    return r["cr"] / P if P else None


def build_expected():
    reqs = EXP["requests"]
    seed = [r for r in reqs if r["scope"] == "seed"]
    web = [r for r in reqs if r["scope"] == "web"]

    def ev(r, agent="claude"):
        e = {"at": iso(r["t"]), "session": r["session"], "chain": r["chain"], "kind": r["cause"],
             "expected": r["cause"] not in ("resume_miss", "unexplained_miss"),
             "gap_s": r.get("gap_s"), "gap_min": round(r["gap_s"] / 60, 1) if r.get("gap_s") is not None else None,
             "ttl_s": r.get("ttl_s"), "hit_rate": round(plan_hit(r), 6),
             "expected_prefix_tokens": r.get("E"), "input_tokens": r["in"], "cache_read_tokens": r["cr"],
             "cache_creation_tokens": r["cc"], "model": r["model"], "resumed_from": r.get("resumed_from")}
        if r["cause"] in ("resume_miss", "unexplained_miss"):
            e["wasted_tokens"] = min(r["cc"], max(0, r["E"] - r["cr"]))
        return e

    def pairs(rs):
        return pairs_of([(r["pair"], r.get("gap_s") or 0, plan_hit(r)) for r in rs if r.get("pair")])

    cx = EXP["codex"]["requests"]
    for r in cx:
        r["in"], r["cr"], r["cc"], r["cc5m"], r["cc1h"] = r["input_tokens"] - r["cached"], r["cached"], 0, 0, 0

    def cev(r):
        return {"at": iso(r["t"]), "session": r["thread"], "kind": r["cause"],
                "expected": r["cause"] not in ("resume_miss", "unexplained_miss"), "gap_s": r.get("gap_s"),
                "ttl_s": 300 if r.get("gap_s") is not None else None,
                "hit_rate": round(r["cached"] / r["input_tokens"], 6), "expected_prefix_tokens": r.get("E"),
                "input_tokens_raw": r["input_tokens"], "cache_read_tokens": r["cached"], "cache_creation_tokens": 0,
                "model": r["model"], "resumed_from": r.get("resumed_from")}

    seed_t = totals_of(seed)
    out = {
        "about": "Expectations for the trees written by samples/gen_samples.py. Hit rate = cache_read / "
                 "(input + cache_creation + cache_read) (Codex: cached / input_tokens). Times UTC. gap_s is "
                 "measured between the first lines of the two responses. Derived from the generator's plan, "
                 "and checked against an independent re-read of the files.",
        "claude_root": "claude", "codex_root": "codex",
        "seed": {
            "project": API_CWD, "model": SEED_MODEL, "version": SEED_VERSION, "files": EXP["seed_files"],
            "sessions_oldest_first": [SID[c] for c in ("c0eb", "b6e0", "f3f5", "e175", "096d")],
            "totals": seed_t,
            "creation_output_ratio": round(seed_t["cache_creation_tokens"] / seed_t["output_tokens"], 4),
            "events": [ev(r) for r in sorted(seed, key=lambda r: r["t"]) if r["cause"]],
            "baseline_pins": [{"at": iso(r["t"]), "session": r["session"], "gap_s": r["gap_s"],
                               "gap_min": round(r["gap_s"] / 60, 1), "cache_creation_tokens": r["cc"],
                               "cache_read_tokens": r["cr"], "hit_rate": round(plan_hit(r), 6)}
                              for r in sorted(seed, key=lambda r: r["t"]) if r.get("gap_s") and r["gap_s"] >= 190
                              and r["pair"] == "baseline"],
            "pairs": pairs(seed),
        },
        "claude": {
            "files": None, "totals": totals_of(seed + web),
            "synthetic_lines": 1,
            "events": [ev(r) for r in sorted(seed + web, key=lambda r: r["t"]) if r["cause"]],
            "pairs": pairs(seed + web),
            "sessions": EXP["sessions"],
            "btw_duplicate": EXP["btw_duplicate"],
        },
        "web_scenarios": EXP["scenarios"],
        "codex": {
            "files": 5, "totals": totals_of(cx),
            "events": [cev(r) for r in sorted(cx, key=lambda r: r["t"]) if r["cause"]],
            "pairs": pairs(cx), "quota": EXP["codex"]["quota"],
            "fork": EXP["codex"]["fork"], "spawn": EXP["codex"]["spawn"], "flat_rate_limits": EXP["codex"]["flat"],
            "relative_rate_limits": EXP["codex"]["relative"],
            "requests_per_thread": {},
        },
        "all": {"pairs": pairs(seed + web + cx), "totals": totals_of(seed + web + cx)},
        "opencode": oc_expected_json(),
    }
    for r in cx:
        d = out["codex"]["requests_per_thread"]
        d[r["thread"]] = d.get(r["thread"], 0) + 1
    gm = EXP["gemini"]["requests"]

    def gev(r):
        e = {"at": iso(r["t"]), "session": r["session"], "chain": r["chain"], "kind": r["cause"],
             "expected": r["cause"] not in ("resume_miss", "unexplained_miss"), "gap_s": r.get("gap_s"),
             "ttl_s": 300 if r.get("gap_s") is not None else None, "hit_rate": round(plan_hit(r), 6),
             "expected_prefix_tokens": r.get("E"), "input_tokens_raw": r["raw_input"],
             "cache_read_tokens": r["cr"], "cache_creation_tokens": 0, "model": r["model"],
             "resumed_from": r["resumed_from"]}
        if r["cause"] in ("resume_miss", "unexplained_miss"):
            e["wasted_tokens"], e["wasted_usd"] = r["wasted_tokens"], round(r["wasted_usd"], 9)
        return e

    gt = totals_of(gm)
    gt["cost_usd"] = round(sum(r["cost_usd"] for r in gm), 9)
    sessions = {}
    for sid, meta in EXP["gemini"]["sessions"].items():
        rs = [r for r in gm if r["session"] == sid]
        st = totals_of(rs)
        st.update({"cost_usd": round(sum(r["cost_usd"] for r in rs), 9), "title": meta["title"],
                   "project": GEMINI_SLUG, "files": meta["files"],
                   "subagent_requests": sum(1 for r in rs if r["chain"] != "main")})
        sessions[sid] = st
    out["gemini_root"] = "gemini"
    out["gemini"] = {"files": 6, "project": GEMINI_CWD, "project_folders": [GEMINI_SLUG, GEMINI_HASH],
                     "prices": {k: {"input": v[0], "cached": v[1], "output": v[2]} for k, v in GEMINI_PRICES.items()},
                     "totals": gt, "duplicate_lines": None,
                     "events": [gev(r) for r in sorted(gm, key=lambda r: r["t"]) if r["cause"]],
                     "pairs": pairs(gm), "sessions": sessions}
    out["all_agents"] = {"pairs": pairs(seed + web + cx + gm), "totals": totals_of(seed + web + cx + gm)}
    return out


def oc_expected_json():
    """The "opencode" part of expected.json (a data folder built from samples/opencode)."""
    S = EXP["opencode_plan"]
    X = oc_expected(S)
    reqs = X["requests"]
    by_id = {ss["id"]: ss for ss in S}

    def oev(r):
        return {"at": iso(r["t"]), "session": r["session"], "chain": r["chain"], "kind": r["cause"],
                "expected": r["cause"] not in ("resume_miss", "unexplained_miss"), "gap_s": r.get("gap_s"),
                "ttl_s": r["ttl_s"], "hit_rate": round(plan_hit(r), 6), "expected_prefix_tokens": r.get("E"),
                "input_tokens": r["in"], "cache_read_tokens": r["cr"], "cache_creation_tokens": r["cc"],
                "model": r["model"], "subagent": r["sub"], "in_wal_only": r["where"] == "wal", "resumed_from": None}

    sessions = {}
    for ss in S:
        if ss["parent"]:
            continue
        rs = [r for r in reqs if r["session"] == ss["id"]]
        sessions[ss["id"]] = {
            "title": ss["title"], "project": ss["cwd"], "version": ss["version"],
            "stored": {"db": "database", "json": "legacy JSON only", "both": "database and legacy JSON"}[ss["where"]],
            "files": (["opencode.db"] if ss["where"] in ("db", "both") else ["storage"]),
            "requests": len(rs), "subagent_requests": sum(1 for r in rs if r["sub"]),
            "subagent_sessions": sorted(x["id"] for x in S if x["parent"] == ss["id"])}
    return {
        "root": "a data folder built with `python3 samples/gen_samples.py --opencode-db DIR`",
        "totals": totals_of(reqs),
        "synthetic_lines": X["synthetic"], "duplicate_lines_dropped": X["duplicates"], "lines": X["lines"],
        "events": [oev(r) for r in sorted(reqs, key=lambda r: (r["t"], r["id"])) if r["cause"]],
        "pairs": pairs_of([(r["pair"], r.get("gap_s") or 0, plan_hit(r)) for r in reqs if r.get("pair")]),
        "sessions": sessions,
        "wal_only_requests": sum(1 for r in reqs if r["where"] == "wal"),
        "subagent_titles": {x["id"]: x["title"] for x in S if x["parent"]},
        "not_requests": {m["id"]: ("aborted" if m["error"] else "shell command") for ss in S for m in ss["msgs"]
                         if m["role"] == "assistant" and not any(m["tokens"])},
    }


def oc_check(exp):
    """Build the data folder from the written files, re-read it, compare with the plan."""
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        oc_build(tmp, open(os.path.join(OPENCODE_ROOT, "opencode.sql"), encoding="utf-8").read(),
                 os.path.join(OPENCODE_ROOT, "storage"))
        assert os.path.getsize(os.path.join(tmp, "opencode.db-wal")) > 0
        # the rows below the marker are in the WAL only: the database file alone lacks them
        import sqlite3
        only = os.path.join(tmp, "main-only")
        os.makedirs(only)
        shutil.copyfile(os.path.join(tmp, "opencode.db"), os.path.join(only, "opencode.db"))
        c = sqlite3.connect("file:%s?mode=ro&immutable=1" % os.path.join(only, "opencode.db"), uri=True)
        in_main = c.execute("SELECT count(*) FROM message").fetchone()[0]
        c.close()
        A = analyze_opencode(tmp)
    X = oc_expected(EXP["opencode_plan"])
    want = {r["id"]: r for r in X["requests"]}
    got = {r["id"]: r for r in A["requests"]}
    assert set(want) == set(got), sorted(set(want) ^ set(got))
    for k, w in want.items():
        g = got[k]
        for f in ("in", "cc", "cr", "out", "cc5m", "cc1h", "model", "session", "cause", "pair", "t"):
            assert w[f] == g[f], (k, f, w[f], g[f])
        if "E" in w:
            assert (w["E"], w["gap_s"]) == (g["E"], g["gap_s"]), (k, w["E"], g["E"])
    assert (A["synthetic"], A["duplicates"], A["lines"]) == (X["synthetic"], X["duplicates"], X["lines"]), \
        (A["synthetic"], A["duplicates"], A["lines"], X)
    wal = sum(1 for ss in EXP["opencode_plan"] for m in ss["msgs"] if m["where"] == "wal")
    assert A["messages_in_db"] - in_main == wal, (A["messages_in_db"], in_main, wal)
    e = exp["opencode"]
    kinds = {}
    for ev in e["events"]:
        kinds[ev["kind"]] = kinds.get(ev["kind"], 0) + 1
    return ["opencode: %d requests (%d in the WAL only, %d sub-agent), %d not requests, %d legacy copies dropped, "
            "%d records; events: %s" % (e["totals"]["requests"], e["wal_only_requests"],
                                         sum(x["subagent_requests"] for x in e["sessions"].values()),
                                         e["synthetic_lines"], e["duplicate_lines_dropped"], e["lines"],
                                         ", ".join("%s %d" % kv for kv in sorted(kinds.items())))]


def same_pairs(a, b):
    for x, y in zip(a, b):
        for k in x:
            if isinstance(x[k], float) or isinstance(y[k], float):
                if x[k] is None or y[k] is None or abs(x[k] - y[k]) > 1e-9:
                    return False
            elif x[k] != y[k]:
                return False
    return len(a) == len(b)


def check(exp):
    """Re-read the written trees and assert they give the expectations; returns printable lines."""
    msgs = []
    A = analyze_claude(CLAUDE_ROOT)
    B = analyze_codex(CODEX_ROOT)
    plan = {(r["session"], r["t"]): r for r in EXP["requests"]}
    got = {(r["session"], r["t"]): r for r in A["requests"]}
    assert set(plan) == set(got), ("request sets differ", len(plan), len(got),
                                   sorted(set(plan) ^ set(got))[:5])
    for k, p in plan.items():
        g = got[k]
        for f in ("in", "cc", "cr", "out", "cc5m", "cc1h", "model"):
            assert p[f] == g[f], (k, f, p[f], g[f])
        assert p["cause"] == g["cause"], (k, "cause", p["cause"], g["cause"], p.get("gap_s"), g.get("gap_s"))
        assert p.get("pair") == g.get("pair"), (k, "pair", p.get("pair"), g.get("pair"))
        if p.get("gap_s") is not None:
            assert abs(p["gap_s"] - g["gap_s"]) < 1e-6 and p["E"] == g["E"], (k, p["gap_s"], g.get("gap_s"))
    seed = [r for r in A["requests"] if r["cwd"] == API_CWD]
    st = totals_of(seed)
    assert len({r["file"] for r in seed}) == 14 == exp["seed"]["files"]
    assert st["requests"] == 197
    assert (st["cache_read_tokens"], st["cache_creation_tokens"], st["input_tokens"], st["output_tokens"]) == \
        (60869087, 2017110, 9923, 446687), st
    assert st["cache_creation_5m_tokens"] == 0
    ratio = st["cache_creation_tokens"] / st["output_tokens"]
    assert round(ratio, 2) == 4.52
    ev = [(r["session"][:8], r["cause"], round(r.get("gap_s", 0) / 60, 1), r["cc"], r["cr"])
          for r in sorted(seed, key=lambda r: r["t"]) if r["cause"] and r["cause"] != "first_request"]
    assert ev == [("b6e07fac", "ttl_expiry", 2423.6, 20061, 0), ("f3f5c819", "ttl_expiry", 2059.3, 41766, 0),
                  ("e17536e7", "resume_miss", 28.2, 40260, 0), ("096d96fa", "resume_miss", 4.1, 23849, 16702)], ev
    firsts = [r for r in seed if r["cause"] == "first_request"]
    assert len(firsts) == 10 and sum(1 for r in firsts if r["sidechain"]) == 9
    pins = sorted((round(r["gap_s"] / 60, 1), r["cc"], r["cr"]) for r in seed
                  if r["pair"] == "baseline" and r["gap_s"] >= 180)
    want = sorted((g, cc, cr) for v in PINS.values() for g, cc, cr in v)
    assert pins == want, (pins, want)
    sp = pairs_of([(r["pair"], r["gap_s"], r["cr"] / (r["in"] + r["cc"] + r["cr"])) for r in seed if r["pair"]])
    b5, b15, b30 = sp[0], sp[1], sp[2]
    assert round(b5["baseline_hit_rate"] * 100, 1) == 97.2, b5
    assert round(b5["resume_hit_rate"] * 100, 1) == 41.2 and b5["resume_requests"] == 1
    assert round(b5["delta_pp"]) == -56
    assert b30["baseline_requests"] == 1 and round(b30["baseline_hit_rate"] * 100, 1) == 99.0
    assert b30["resume_requests"] == 1 and b30["resume_hit_rate"] == 0.0 and round(b30["delta_pp"]) == -99
    assert b15["baseline_requests"] == 5 and b15["resume_requests"] == 0
    assert same_pairs(sp, exp["seed"]["pairs"]), (sp, exp["seed"]["pairs"])
    # no ordinary seed request is cold; the titles-free facts of the tree
    ct = totals_of(A["requests"])
    assert ct == {k: exp["claude"]["totals"][k] for k in ct}, (ct, exp["claude"]["totals"])
    assert A["synthetic"] == 1
    # codex
    cplan = {(r["thread"], r["t"]): r for r in EXP["codex"]["requests"]}
    cgot = {(r["thread"], r["t"]): r for r in B["requests"]}
    assert set(cplan) == set(cgot), (len(cplan), len(cgot))
    for k, p in cplan.items():
        g = cgot[k]
        assert (p["input_tokens"], p["cached"], p["out"], p["cause"], p["pair"]) == \
            (g["input_tokens"], g["cached"], g["out"], g["cause"], g["pair"]), (k, p, g)
    q = B["quota"]
    assert q[2] == exp["codex"]["quota"]["observed_at"] and q[1]["primary"]["used_percent"] == exp["codex"]["quota"]["percent"]
    # running totals in every rollout are the running sum of last_token_usage (replays excluded)
    for dp, _, fns in os.walk(os.path.join(CODEX_ROOT, "sessions")):
        for fn in fns:
            ls = [json.loads(x) for x in open(os.path.join(dp, fn))]
            prev = None
            for d in ls:
                pl = d["payload"]
                if d["type"] == "event_msg" and pl.get("type") == "token_count" and pl.get("info"):
                    tot, last = pl["info"]["total_token_usage"], pl["info"]["last_token_usage"]
                    assert tot["total_tokens"] == tot["input_tokens"] + tot["output_tokens"]
                    if prev is not None and tot != prev:
                        for f in ("input_tokens", "cached_input_tokens", "output_tokens"):
                            assert tot[f] == prev[f] + last[f] or tot[f] == last[f] + prev[f], (fn, f)
                    prev = tot
    cx1 = [os.path.join(dp, fn) for dp, _, fns in os.walk(os.path.join(CODEX_ROOT, "sessions")) for fn in fns
           if fn.endswith(exp["codex"]["fork"]["parent"] + ".jsonl")][0]
    tcs = [l for l in open(cx1) if '"type":"token_count"' in l and '"info":null' not in l]
    dups = sum(1 for a, b in zip(tcs, tcs[1:]) if json.loads(a)["payload"]["info"] == json.loads(b)["payload"]["info"])
    pct = dups / len(tcs)
    assert 0.3 <= pct <= 0.6, pct
    # gemini: the plan against an independent re-read
    Gm = analyze_gemini(GEMINI_ROOT)
    gplan = {(r["chain"], r["t"]): r for r in EXP["gemini"]["requests"]}
    ggot = {(r["chain"], r["t"]): r for r in Gm["requests"]}
    assert set(gplan) == set(ggot), (len(gplan), len(ggot), sorted(set(gplan) ^ set(ggot))[:4])
    for k, p in gplan.items():
        g = ggot[k]
        for f in ("session", "in", "cr", "out", "model", "cause", "pair"):
            assert p[f] == g.get(f), (k, f, p[f], g.get(f))
        if p.get("gap_s") is not None:
            assert abs(p["gap_s"] - g["gap_s"]) < 1e-6 and p["E"] == g["E"], (k, p["gap_s"], g.get("gap_s"))
    assert Gm["files"] == exp["gemini"]["files"], Gm["files"]
    exp["gemini"]["duplicate_lines"] = Gm["duplicate_lines"]
    gk = {}
    for e in Gm["events"]:
        gk[e["cause"]] = gk.get(e["cause"], 0) + 1
    msgs.append("gemini: %d recordings, %d requests, %d duplicate records, events: %s" % (
        Gm["files"], len(Gm["requests"]), Gm["duplicate_lines"], ", ".join("%s %d" % kv for kv in sorted(gk.items()))))
    size = sum(os.path.getsize(os.path.join(dp, fn)) for root in (CLAUDE_ROOT, CODEX_ROOT)
               for dp, _, fns in os.walk(root) for fn in fns)
    assert size < 3.2e6, size
    msgs.append("seed: %d files, %d requests, cache_read %d, cache_creation %d (5m %d), input %d, output %d, "
                "creation/output %.4f" % (len({r['file'] for r in seed}), st["requests"], st["cache_read_tokens"],
                                           st["cache_creation_tokens"], st["cache_creation_5m_tokens"],
                                           st["input_tokens"], st["output_tokens"], ratio))
    for e in ev:
        msgs.append("seed event: %s %-12s gap %8.1f min  cc %6d  cr %6d" % e)
    for b in sp:
        msgs.append("seed pairs %-6s baseline n=%3d %s  resume n=%d %s  delta %s" % (
            b["gap_bucket"], b["baseline_requests"],
            "%.2f%%" % (b["baseline_hit_rate"] * 100) if b["baseline_hit_rate"] is not None else "  -   ",
            b["resume_requests"], "%.2f%%" % (b["resume_hit_rate"] * 100) if b["resume_hit_rate"] is not None else "-",
            "%.1f pp" % b["delta_pp"] if b["delta_pp"] is not None else "-"))
    msgs.append("claude (all): %d files, %d requests, %d duplicate lines dropped, %d synthetic, %d events" % (
        A["files"], len(A["requests"]), A["duplicate_lines"], A["synthetic"], len(A["events"])))
    kinds = {}
    for e in A["events"]:
        kinds[e["cause"]] = kinds.get(e["cause"], 0) + 1
    msgs.append("claude events by kind: " + ", ".join("%s %d" % kv for kv in sorted(kinds.items())))
    kinds = {}
    for e in B["events"]:
        kinds[e["cause"]] = kinds.get(e["cause"], 0) + 1
    msgs.append("codex: %d files, %d requests, %d re-emitted token_count lines skipped; CX1 re-emits %d/%d (%.0f%%); "
                "events: %s" % (B["files"], len(B["requests"]), B["reemitted"], dups, len(tcs), pct * 100,
                                ", ".join("%s %d" % kv for kv in sorted(kinds.items()))))
    msgs.append("codex quota: %s%% of the 5 h window at %s (latest reading)" % (q[1]["primary"]["used_percent"], q[2]))
    msgs.append("tree size: %d bytes" % size)
    exp["claude"]["files"] = A["files"]
    exp["claude"]["duplicate_lines"] = A["duplicate_lines"]
    msgs += oc_check(exp)
    return msgs


def fmt_pct(x):
    return "—" if x is None else "%.1f%%" % (x * 100)


def readme(exp):
    s = exp["seed"]
    L = []
    w = L.append
    w("# Sample transcripts")
    w("")
    w("Written by `gen_samples.py` (python3, stdlib only, deterministic). Do not edit the trees by hand:")
    w("change the generator and run `python3 samples/gen_samples.py`. It writes the trees,")
    w("`expected.json` and this file, then re-reads the trees with a small reference analyzer that follows")
    w("design.md and checks it against the plan. `python3 samples/gen_samples.py --check` writes nothing: it")
    w("verifies that the committed files are byte-identical to what the generator produces, then runs the checks.")
    w("")
    w("- `claude/` is a Claude root (it holds `projects/`): `cachetop --claude-dir samples/claude`.")
    w("- `codex/` is a Codex root (it holds `sessions/`): `cachetop --codex-dir samples/codex`.")
    w("- `gemini/` is a Gemini CLI root (it holds `tmp/`): `cachetop --gemini-dir samples/gemini`.")
    w("- `opencode/` is the deterministic part of an opencode data folder (section 6): build the folder with")
    w("  `python3 samples/gen_samples.py --opencode-db DIR`, then `cachetop --opencode-dir DIR`.")
    w("- `cachetop replay samples/` plays the Claude, Codex and Gemini trees as if live.")
    w("")
    w("Conventions. Hit rate `h = cache_read / (input + cache_creation + cache_read)` (Codex: `cached / input_tokens`).")
    w("All times are UTC. A gap is measured from the first line of the predecessor's response to the first")
    w("line of the request (the predecessors of idle gaps are one-line responses, so first = last line).")
    w("`E` is the expected prefix (the predecessor's `cache_read + cache_creation`; Codex: its `input_tokens`).")
    w("Everything in this file is also in `expected.json` (machine-readable, same numbers).")
    w("")
    w("## 1. The seed workload (project `%s`, 2026-11-10..13)" % s["project"])
    w("")
    w("Reproduces seed-measurements.md. Claude Code `%s`, model `%s` throughout (no model switch), every" % (s["version"], s["model"]))
    w("cache write 1-hour (`ephemeral_5m_input_tokens` 0 everywhere). %d transcript files: 5 sessions and 9" % s["files"])
    w("sub-agent transcripts in the 2.1.x layout (`<session>/subagents/agent-<id>.jsonl`, each with a `.meta.json`")
    w("beside it; also one `tool-results/*.txt`, not a transcript).")
    w("")
    t = s["totals"]
    w("| | expected |")
    w("|---|---|")
    w("| unique requests `(message.id, requestId)` | %d |" % t["requests"])
    w("| cache_read | %s |" % format(t["cache_read_tokens"], ","))
    w("| cache_creation (all 1 h) | %s |" % format(t["cache_creation_tokens"], ","))
    w("| input | %s |" % format(t["input_tokens"], ","))
    w("| output | %s |" % format(t["output_tokens"], ","))
    w("| cache_creation / output | %.2f× |" % s["creation_output_ratio"])
    w("| session hit rate (Σ read / Σ P) | %.2f%% |" % (t["hit_rate"] * 100))
    w("")
    w("Lineage, oldest first (`resumed_from`):")
    w("")
    w("| session | file shape | first request after the boundary |")
    w("|---|---|---|")
    shapes = {"b6e07fac": "junction: first uuid line's parentUuid = last line of c0eb34ad's file",
              "f3f5c819": "replayed prefix: starts with 9 byte copies of b6e07fac's last lines (sessionId changed)",
              "e17536e7": "replayed prefix: starts with 12 byte copies of f3f5c819's last lines (sessionId changed)",
              "096d96fa": "junction: first uuid line's parentUuid = last line of e17536e7's file"}
    w("| `%s` | new session | first_request (cold) |" % s["sessions_oldest_first"][0])
    for e in s["events"]:
        if e["kind"] == "first_request":
            continue
        w("| `%s` | %s | **%s** at %s: gap %.1f min, E %s, cc %s, cr %s, hit %.1f%%%s |" % (
            e["session"], shapes[e["session"][:8]], e["kind"], e["at"], e["gap_min"], format(e["expected_prefix_tokens"], ","),
            format(e["cache_creation_tokens"], ","), format(e["cache_read_tokens"], ","), e["hit_rate"] * 100,
            ", wasted %s" % format(e["wasted_tokens"], ",") if "wasted_tokens" in e else ""))
    w("")
    w("Events of the seed (every cold request): the 4 above, plus 10 `first_request`: the first request of")
    w("c0eb34ad and the first request of each of the 9 sub-agent transcripts. No other request is cold: every")
    w("ordinary request reads at least half its predecessor's prefix. The 13 baseline requests of")
    w("seed-measurements.md appear exactly, each after an idle gap of that many minutes:")
    w("")
    w("| at | session | gap | cache_creation | cache_read | hit |")
    w("|---|---|---|---|---|---|")
    for p in sorted(s["baseline_pins"], key=lambda p: p["gap_s"]):
        w("| %s | %s | %.1f min | %s | %s | %.1f%% |" % (p["at"], p["session"][:8], p["gap_min"],
                                                       format(p["cache_creation_tokens"], ","),
                                                       format(p["cache_read_tokens"], ","), p["hit_rate"] * 100))
    w("")
    w("All other requests are seconds apart (sub-agent runs: under two minutes). TTL-matched pairs of the seed")
    w("(baseline: ordinary requests with a predecessor in the same chain, sub-agent chains included; test: the")
    w("first request after a resume boundary):")
    w("")
    w("| gap bucket | baseline n | baseline mean hit | resume n | resume mean hit | delta |")
    w("|---|---|---|---|---|---|")
    for b in s["pairs"]:
        w("| %s | %d | %s | %d | %s | %s |" % (b["gap_bucket"], b["baseline_requests"], fmt_pct(b["baseline_hit_rate"]),
                                              b["resume_requests"], fmt_pct(b["resume_hit_rate"]),
                                              "—" if b["delta_pp"] is None else "%.1f pp" % b["delta_pp"]))
    w("")
    w("Also in the seed: in c0eb34ad a response written as 3 lines (same message.id/requestId, identical cache")
    w("fields, output_tokens 3 → final, stop_reason null until the last) and many 2–3 line responses, user")
    w("tool_result lines (some Read results of 14–38 KB), a `summary` line whose leafUuid is in no file, a")
    w("`file-history-snapshot` line, two `ai-title` lines (the last wins), `system` turn_duration lines.")
    w("Titles: c0eb34ad \"%s\", b6e07fac \"%s\" (summary only), f3f5c819 \"%s\", e17536e7 none,"
      % (exp["claude"]["sessions"][s["sessions_oldest_first"][0]]["title"],
         exp["claude"]["sessions"][s["sessions_oldest_first"][1]]["title"],
         exp["claude"]["sessions"][s["sessions_oldest_first"][2]]["title"]))
    w("096d96fa \"%s\"." % exp["claude"]["sessions"][s["sessions_oldest_first"][4]]["title"])
    w("")
    w("A note on the numbers: the published totals (60.9 M reads, 2.0 M writes, 197 requests, a 97.2% mean hit")
    w("inside sessions, resumes at 20–41 k-token prefixes) cannot all hold in a strict chain where each request")
    w("reads exactly its predecessor's prefix (contexts could not grow fast enough for the writes allowed). So in")
    w("the seed some ordinary requests read more than their predecessor's prefix (contexts grow to ~0.9 M tokens,")
    w("within the model's 1 M window). No rule depends on this: a request is cold only when it reads less than")
    w("half of `E`.")
    w("")
    w("## 2. Other Claude scenarios (project `%s`, 2026-11-15..19)" % WEB_CWD)
    w("")
    for sc in exp["web_scenarios"]:
        w("- **%s** — `%s`: %s." % (sc["name"], sc["file"], sc["shows"]))
    w("")
    w("Events of these scenarios (and of the seed), oldest first, are in `expected.json` → `claude.events`;")
    w("the notable ones:")
    w("")
    w("| at | session | kind | gap | TTL | E | cc | cr | hit |")
    w("|---|---|---|---|---|---|---|---|---|")
    for e in exp["claude"]["events"]:
        if e["session"] in s["sessions_oldest_first"] or e["kind"] == "first_request":
            continue
        w("| %s | %s | %s | %.1f min | %d s | %s | %s | %s | %.1f%% |" % (
            e["at"], e["session"][:8], e["kind"], e["gap_s"] / 60, e["ttl_s"], format(e["expected_prefix_tokens"], ","),
            format(e["cache_creation_tokens"], ","), format(e["cache_read_tokens"], ","), e["hit_rate"] * 100))
    w("")
    n_first = sum(1 for e in exp["claude"]["events"] if e["kind"] == "first_request")
    w("Plus %d cold `first_request` events over the whole Claude tree (each new session, each sub-agent chain," % n_first)
    w("including the two interleaved v1.0.x trees and the 2.0.x agent file; the /btw side answer is warm).")
    w("The in-file resume's `resume_hit` and the version change's `resume_miss` are first-requests-after-resume")
    w("(pair test side); compaction and model switch requests are in neither side of the pairs.")
    w("Session titles: the custom-title wins over ai-title and summary (`header-cls-fix`).")
    w("Whole Claude tree: %d requests, %d files, %d assistant lines dropped as duplicates (multi-line responses," % (
        exp["claude"]["totals"]["requests"], exp["claude"]["files"], exp["claude"]["duplicate_lines"]))
    w("replayed prefixes and the /btw replay), 1 synthetic error line (not a request).")
    w("")
    w("## 3. Codex (`codex/sessions/2026/11/..`, 2026-11-18..20)")
    w("")
    w("File names and date folders are local time (UTC+1), as Codex writes them; line timestamps are UTC.")
    w("")
    cx = exp["codex"]
    w("- `%s` (0.104.0, gpt-5.3-codex): session_meta, turn_context, token_count events of which about half" % cx["fork"]["parent"])
    w("  re-emit the previous `info` byte for byte (some with fresher rate_limits), an `info:null` token_count at")
    w("  each turn start, a cold first request (17,203 / 3,456 cached), a compaction (`compacted` + event")
    w("  `context_compacted`, with all-zero `last_token_usage` token_counts around it: not requests) and the dip")
    w("  after it (48,297 / 22,912, then 51,549 / 47,488). Current rate_limits shape (300 / 10080, resets_at).")
    w("- `%s`: a fork (`forked_from_id`), embedding the parent's session_meta and token_count events" % cx["fork"]["file"])
    w("  re-timestamped to the fork instant (replays, not requests), then its own requests; its first request")
    w("  reads 54%% of its input, ≥ half of the parent's last prompt: `resume_hit` (a fork is read as a resume")
    w("  boundary of the parent's lineage; a reader that treats forks as new sessions sees no event there, since")
    w("  it is not cold either way).")
    w("- `%s`: a sub-agent (`source.subagent.thread_spawn.parent_thread_id`), same embedding, own" % cx["spawn"]["file"])
    w("  chain: its first request (15,870 / 2,304) is a cold `first_request`.")
    w("- `%s` (0.39.0): FLAT rate_limits (`primary_used_percent`, …, `primary_reset_after_seconds`)," % cx["flat_rate_limits"]["file"])
    w("  a first request at 11,749 / 6,528 (55.6%, not cold: prefix shared across threads) and a 7-minute idle")
    w("  gap followed by a request that reads nothing: `ttl_expiry` (TTL 300 s).")
    w("- `%s` (0.50.0): nested rate_limits with `window_minutes` 299 / 10079 and `resets_in_seconds`;" % cx["relative_rate_limits"]["file"])
    w("  a first request at 11,749 / 6,400 (54.5%, not cold) and a warm request after a 3-minute gap.")
    w("")
    w("| at | thread | kind | gap | E | input | cached | hit |")
    w("|---|---|---|---|---|---|---|---|")
    for e in cx["events"]:
        w("| %s | %s | %s | %s | %s | %s | %s | %.1f%% |" % (
            e["at"], e["session"][:8], e["kind"], "—" if e["gap_s"] is None else "%.1f min" % (e["gap_s"] / 60),
            "—" if e["expected_prefix_tokens"] is None else format(e["expected_prefix_tokens"], ","),
            format(e["input_tokens_raw"], ","), format(e["cache_read_tokens"], ","), e["hit_rate"] * 100))
    w("")
    ct = cx["totals"]
    w("Codex totals (normalised: input = input_tokens − cached): %d requests, input %s, cache_read %s, output %s." % (
        ct["requests"], format(ct["input_tokens"], ","), format(ct["cache_read_tokens"], ","), format(ct["output_tokens"], ",")))
    q = cx["quota"]
    w("Official 5-hour gauge (latest token_count of any file, observed %s): %.1f%% of 300 min, resets %s;" % (
        q["observed_at"], q["percent"], q["resets_at"]))
    w("weekly %.1f%%, resets %s." % (q["weekly_percent"], q["weekly_resets_at"]))
    w("")
    w("## 4. Pairs over everything")
    w("")
    w("`report --json` computes pairs over all sessions it reads. With both roots:")
    w("")
    w("| gap bucket | baseline n | baseline mean hit | resume n | resume mean hit | delta |")
    w("|---|---|---|---|---|---|")
    for b in exp["all"]["pairs"]:
        w("| %s | %d | %s | %d | %s | %s |" % (b["gap_bucket"], b["baseline_requests"], fmt_pct(b["baseline_hit_rate"]),
                                              b["resume_requests"], fmt_pct(b["resume_hit_rate"]),
                                              "—" if b["delta_pp"] is None else "%.1f pp" % b["delta_pp"]))
    w("")
    w("Claude root only: `expected.json` → `claude.pairs`; Codex only: `codex.pairs`. With the Gemini root")
    w("too: `all_agents`.")
    w("")
    gm = exp["gemini"]
    w("## 5. Gemini CLI (`gemini/tmp/%s/`, project `%s`, 2026-11-18..19)" % (GEMINI_SLUG, gm["project"]))
    w("")
    w("Written as Gemini CLI's chat recorder writes (transcript-formats.md E4): a model turn first with")
    w("`tokens: null` and again with its usage, again with its tool calls; `$set` metadata lines; thoughts billed")
    w("as output (`output` + `thoughts`); `input` includes `cached` (normalised input = input − cached).")
    w("")
    s1, s2 = [k for k in gm["sessions"] if gm["sessions"][k]["subagent_requests"]][0], \
        [k for k in gm["sessions"] if not gm["sessions"][k]["subagent_requests"]][0]
    w("- `%s` (\"%s\"): written by 0.38 as one pretty-printed JSON document," % (
        s2[:8], gm["sessions"][s2]["title"]))
    w("  under the project's old sha256 folder and copied by the 0.29 upgrade into `%s/`: the same file" % GEMINI_SLUG)
    w("  twice, counted once. Resumed the next day by 0.61 as `<same name>.jsonl`, which repeats every")
    w("  message with the same ids, then `$set {sessionId}` and two new turns; the first, 16.4 h after")
    w("  the last, is a `ttl_expiry`.")
    w("- `%s` (\"%s\", JSONL): a turn written again with other counts (the last" % (
        s1[:8], gm["sessions"][s1]["title"]))
    w("  version bills), a turn without `model` (the previous one applies), a sub-agent recording")
    w("  `%s/<agent>.jsonl` (3 requests, its own chain, counted in this session), a `$rewindTo` (the" % s1[:8])
    w("  cut turn stays billed; the smaller read after it is a `compaction`), a 40-minute break")
    w("  (`ttl_expiry`), an `unexplained_miss`, and `gemini --resume` 2.5 minutes after the process")
    w("  ended: a start-up recording of the same session with no turns stays beside it (adds nothing),")
    w("  the session goes on in its own file after `$set {sessionId}` and a checkpoint, and its first")
    w("  request reads 4,096 of a 39,100-token prefix: `resume_miss`.")
    w("- `tmp/%s/logs/session-*.jsonl` is an activity log (not a recording, not read); `.project_root` and" % GEMINI_SLUG)
    w("  `projects.json` as Gemini CLI keeps them.")
    w("")
    w("Gemini caches implicitly: no write premium, so a miss costs the input price of what should have been")
    w("read (minus the cached price): TTL 300 s. Prices: data/prices.yaml's Gemini rows.")
    w("")
    w("| at | session | kind | gap | E | input | cached | hit |")
    w("|---|---|---|---|---|---|---|---|")
    for e in gm["events"]:
        w("| %s | %s | %s | %s | %s | %s | %s | %.1f%% |" % (
            e["at"], e["session"][:8] + ("" if e["chain"] == "main" else " (sub-agent)"), e["kind"],
            "—" if e["gap_s"] is None else "%.1f min" % (e["gap_s"] / 60),
            "—" if e["expected_prefix_tokens"] is None else format(e["expected_prefix_tokens"], ","),
            format(e["input_tokens_raw"], ","), format(e["cache_read_tokens"], ","), e["hit_rate"] * 100))
    w("")
    gt = gm["totals"]
    w("Gemini totals: %d requests (%d duplicate records dropped), input %s, cache_read %s, output %s, $%.4f." % (
        gt["requests"], gm["duplicate_lines"], format(gt["input_tokens"], ","), format(gt["cache_read_tokens"], ","),
        format(gt["output_tokens"], ","), gt["cost_usd"]))
    w("")
    oc = exp["opencode"]
    w("## 6. opencode (`opencode/`, 2026-01..11)")
    w("")
    w("opencode ≥ 1.2 keeps its sessions in SQLite (`opencode.db`, WAL mode); ≤ 1.1 wrote a `storage/` tree of")
    w("JSON files, which the one-time import left in place. A database and its WAL are not byte-reproducible")
    w("(random WAL salts; the header names the SQLite version that wrote it), so the committed part is")
    w("`opencode/storage/` and `opencode/opencode.sql`, the statements that build the database:")
    w("`gen_samples.py --opencode-db DIR` (and the tests, with libsqlite3) run those above the line")
    w("`%s`, checkpoint them into `opencode.db`, run the rest, and copy the database and its" % OC_WAL_MARK)
    w("`-wal` while the writer is still open — so the last %d requests (the compaction among them) are in" % oc["wal_only_requests"])
    w("`opencode.db-wal`")
    w("only, as in a backup taken while opencode runs. `cachetop --opencode-dir samples/opencode` reads the")
    w("legacy tree alone.")
    w("")
    w("| session | stored | title | requests | of which sub-agent |")
    w("|---|---|---|---|---|")
    for sid, x in oc["sessions"].items():
        w("| `%s` | %s | %s | %d | %d |" % (sid, x["stored"], x["title"], x["requests"], x["subagent_requests"]))
    w("")
    w("- The first session (Claude Sonnet 4.5 through the `anthropic` provider) runs a task sub-agent: a child")
    w("  session (`parent_id`, title `%s`, Claude Haiku 4.5), counted in its parent's" % list(oc["subagent_titles"].values())[0])
    w("  session as a sub-agent chain; its step that called the task completes after the sub-agent's replies. A")
    w("  7-minute idle gap (TTL expiry at the default 300 s: opencode does not say which tier it wrote), an")
    w("  aborted reply and a `!` shell command (all-zero tokens: not requests), then, in the WAL only, `/compact`:")
    w("  the summary reply (`summary: true`, warm) and the cold request after it (`compaction`), and a reply")
    w("  written twice (started without tokens, then completed).")
    w("- The second (gpt-5.1-codex through `openai`): OpenAI's rules (no write premium; E = the predecessor's")
    w("  prompt), a TTL expiry after 7 minutes.")
    w("- The third was imported: its rows are in the database and its files in `storage/` (%d legacy copies," %
      oc["duplicate_lines_dropped"])
    w("  session and messages, dropped: the database counts). The fourth exists only as JSON (never imported).")
    w("- `part` rows (step-finish parts repeating the tokens) are in the database and are not read.")
    w("")
    w("| at | session | kind | gap | E | input | cc | cr | hit |")
    w("|---|---|---|---|---|---|---|---|---|")
    for e in oc["events"]:
        w("| %s | %s%s | %s | %s | %s | %s | %s | %s | %.1f%% |" % (
            e["at"], e["session"][:12], " (sub-agent)" if e["subagent"] else "", e["kind"],
            "—" if e["gap_s"] is None else "%.1f min" % (e["gap_s"] / 60),
            "—" if e["expected_prefix_tokens"] is None else format(e["expected_prefix_tokens"], ","),
            format(e["input_tokens"], ","), format(e["cache_creation_tokens"], ","),
            format(e["cache_read_tokens"], ","), e["hit_rate"] * 100))
    w("")
    t = oc["totals"]
    w("Totals: %d requests, input %s, cache writes %s (all at the 5-minute tier), cache reads %s, output %s" % (
        t["requests"], format(t["input_tokens"], ","), format(t["cache_creation_tokens"], ","),
        format(t["cache_read_tokens"], ","), format(t["output_tokens"], ",")))
    w("(reasoning included), from %d records (database rows and legacy files); %d replies are not requests." % (
        oc["lines"], oc["synthetic_lines"]))
    w("")
    return "\n".join(L)


def main():
    check_only = "--check" in sys.argv[1:]
    if "--opencode-db" in sys.argv[1:]:
        # build the sample opencode data folder (database, WAL, legacy tree) at DIR
        dest = sys.argv[sys.argv.index("--opencode-db") + 1]
        oc_build(dest, open(os.path.join(OPENCODE_ROOT, "opencode.sql"), encoding="utf-8").read(),
                 os.path.join(OPENCODE_ROOT, "storage"))
        print("opencode data folder written to %s" % dest)
        return
    files = []
    write_seed(files)
    write_web(files)
    write_codex(files)
    write_gemini(files)
    write_opencode(files)
    exp = build_expected()
    if check_only:
        # the committed tree must be exactly what this generator writes
        want = {os.path.normpath(rel): text for rel, text in files}
        have = {}
        for root in (CLAUDE_ROOT, CODEX_ROOT, GEMINI_ROOT, OPENCODE_ROOT):
            for dp, _, fns in os.walk(root):
                for fn in fns:
                    p = os.path.join(dp, fn)
                    have[os.path.relpath(p, HERE)] = open(p, encoding="utf-8").read()
        assert set(want) == set(have), sorted(set(want) ^ set(have))[:5]
        bad = [k for k in want if want[k] != have[k]]
        assert not bad, ("files differ from the generator's output", bad[:5])
    else:
        for d in (CLAUDE_ROOT, CODEX_ROOT, GEMINI_ROOT, OPENCODE_ROOT):
            if os.path.isdir(d):
                shutil.rmtree(d)
        for rel, text in files:
            p = os.path.join(HERE, rel)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
    msgs = check(exp)
    exp_text = json.dumps(exp, indent=1, ensure_ascii=False) + "\n"
    readme_text = readme(exp)
    if check_only:
        assert open(EXPECTED, encoding="utf-8").read() == exp_text, "expected.json is stale"
        assert open(os.path.join(HERE, "README.md"), encoding="utf-8").read() == readme_text, "README.md is stale"
    else:
        with open(EXPECTED, "w", encoding="utf-8") as fh:
            fh.write(exp_text)
        with open(os.path.join(HERE, "README.md"), "w", encoding="utf-8") as fh:
            fh.write(readme_text)
    for m in msgs:
        print(m)
    print("OK" + (" (committed tree matches the generator)" if check_only else ""))


if __name__ == "__main__":
    main()
