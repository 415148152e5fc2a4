#!/usr/bin/env python3
"""layout_check.py — the source tree's layout rules: no circle of calls between files and no
circle of includes between headers. The call graph is read from the object files (nm): file A
depends on file B when A references a symbol B defines (a function pointer in a table counts).
A strongly connected component of more than one file is a circle and fails the check; files
over 600 lines are listed (not failed) so a file holding two jobs is seen.

usage: layout_check.py ROOT BUILD OBJLIST [NM]
  ROOT     the project's source folder (holds include/ and src/)
  BUILD    the build folder the objects live under
  OBJLIST  a file naming one object file per line (written by CMake from $<TARGET_OBJECTS>)
"""
import collections
import os
import re
import subprocess
import sys

LONG_LINES = 600


DEFINED = set('TDBRCGSVWI')
REFERENCED = set('Uwv')


def object_key(obj, build):
    """src/core/model.c for BUILD/src/core/CMakeFiles/cachetop_core.dir/model.c.o: files are
    keyed by folder and name (two files may share a name)."""
    obj = os.path.abspath(obj)
    head, sep, tail = obj.partition('/CMakeFiles/')
    if not sep:
        return os.path.relpath(obj, build)
    rel_dir = os.path.relpath(head, os.path.abspath(build))
    src = tail.split('.dir/', 1)[1] if '.dir/' in tail else tail
    if src.endswith('.o'):
        src = src[:-2]
    return os.path.normpath(os.path.join(rel_dir, src))


def symbol_graph(objs, build, nm):
    defs = {}
    refs = collections.defaultdict(set)
    # one nm over all objects; -A names the object on each line ("obj:value type name", and C
    # symbols hold no colon, so the last one ends the object's path)
    out = subprocess.run([nm, '-A'] + objs, capture_output=True, text=True, check=True).stdout
    keys = {o: object_key(o, build) for o in objs}
    for o in objs:
        refs[keys[o]]  # every file is a node, even one that references nothing
    for line in out.splitlines():
        obj, sep, rest = line.rpartition(':')
        if not sep or obj not in keys:
            continue
        f = keys[obj]
        p = rest.split()
        if len(p) == 3 and p[1] in DEFINED:
            defs[p[2]] = f
        elif len(p) == 2 and p[0] in REFERENCED:
            refs[f].add(p[1])
    g = {f: set() for f in refs}
    for f, syms in refs.items():
        for s in syms:
            d = defs.get(s)
            if d and d != f:
                g[f].add(d)
    return g


INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.M)


def header_graph(root):
    """Headers under include/ and src/, each to the project headers it includes."""
    heads = []
    for top in ('include', 'src'):
        for d, _, files in os.walk(os.path.join(root, top)):
            heads += [os.path.join(d, f) for f in files if f.endswith('.h')]
    g = {}
    for h in heads:
        key = os.path.relpath(h, root)
        g[key] = set()
        with open(h, encoding='utf-8', errors='replace') as fh:
            text = fh.read()
        for inc in INCLUDE.findall(text):
            for cand in (os.path.join(os.path.dirname(h), inc), os.path.join(root, 'include', inc)):
                if os.path.isfile(cand):
                    g[key].add(os.path.relpath(os.path.normpath(cand), root))
                    break
    return g


def circles(g):
    """Strongly connected components of more than one node (Tarjan, iterative)."""
    index, low, on, stack, out = {}, {}, set(), [], []
    counter = 0
    for start in sorted(g):
        if start in index:
            continue
        work = [(start, iter(sorted(g[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on.add(start)
        while work:
            v, it = work[-1]
            advanced = False
            for w in it:
                if w not in g:
                    continue
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(g[w]))))
                    advanced = True
                    break
                if w in on:
                    low[v] = min(low[v], index[w])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1:
                    out.append(sorted(comp))
    return out


def show(kind, comp, g):
    print(f'{kind} circle of {len(comp)} files:')
    members = set(comp)
    for a in comp:
        print(f'  {a} -> {", ".join(sorted(b for b in g[a] if b in members))}')


def main():
    if len(sys.argv) < 4:
        print(__doc__)
        return 2
    root, build, objlist = sys.argv[1:4]
    nm = sys.argv[4] if len(sys.argv) > 4 and sys.argv[4] else 'nm'
    with open(objlist, encoding='utf-8') as fh:
        objs = [l.strip() for l in fh if l.strip()]
    if not objs:
        print('no object files listed')
        return 1
    bad = 0

    calls = symbol_graph(objs, build, nm)
    print(f'{len(calls)} object files, '
          f'{sum(len(v) for v in calls.values())} file-to-file references')
    for comp in circles(calls):
        show('call', comp, calls)
        bad += 1

    heads = header_graph(root)
    print(f'{len(heads)} headers')
    for comp in circles(heads):
        show('include', comp, heads)
        bad += 1

    for top in ('include', 'src'):
        for d, _, files in sorted(os.walk(os.path.join(root, top))):
            for f in sorted(files):
                if f.endswith(('.c', '.h')):
                    p = os.path.join(d, f)
                    with open(p, encoding='utf-8', errors='replace') as fh:
                        n = sum(1 for _ in fh)
                    if n > LONG_LINES:
                        print(f'note: {os.path.relpath(p, root)} has {n} lines (over {LONG_LINES})')

    if bad:
        print(f'FAIL: {bad} circle(s)')
        return 1
    print('no circles')
    return 0


if __name__ == '__main__':
    sys.exit(main())
