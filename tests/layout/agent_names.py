#!/usr/bin/env python3
"""agent_names.py — an agent is its own files and one row of the table: its name appears, in code
or comments, only in files whose name holds it (parse_<name>.c, model_<name>.c, <name>_*.c …),
in the agent table, and in the config table that names its keys. Any other file under src/ or
include/ that says an agent's name fails the check (the names are read from the table's
`.name = "…"` rows, matched whole-word and case-blind; a word joined by a hyphen is another
thing's id — a model's "claude-opus-4-8", "gpt-5-codex", or an option's "--codex-dir" — not the
agent's name; Markdown is documentation, not read).

usage: agent_names.py ROOT
  ROOT  the project's source folder (holds include/ and src/)
"""
import os
import re
import sys

# the table (data, code, the enum) and the config keys' table; paths relative to ROOT
ALLOWED = {
    'include/cachetop/agent.h',
    'src/core/agents.c',
    'src/core/agent_ops.c',
    'src/conf/config_table.c',
}


def agent_names(root):
    with open(os.path.join(root, 'src/core/agents.c'), encoding='utf-8') as f:
        names = re.findall(r'\.name\s*=\s*"([a-z0-9_]+)"', f.read())
    if not names:
        sys.exit('agent_names: no `.name = "…"` rows in src/core/agents.c')
    return names


def files(root):
    for top in ('src', 'include'):
        for d, _, fs in os.walk(os.path.join(root, top)):
            for name in sorted(fs):
                if not name.endswith('.md'):
                    p = os.path.join(d, name)
                    yield os.path.relpath(p, root), p


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    root = sys.argv[1]
    names = agent_names(root)
    # whole word: "claude" in "claude_dirs" or "Claude's" counts, in "claudette" or
    # "claude-opus-4-8" not
    pats = {n: re.compile(r'(?<![a-z0-9-])' + re.escape(n) + r'(?![a-z0-9-])', re.I) for n in names}
    stray = {n: [] for n in names}
    said = {n: 0 for n in names}
    for rel, path in files(root):
        try:
            with open(path, encoding='utf-8', errors='replace') as f:
                text = f.read()
        except OSError as e:
            sys.exit('agent_names: %s: %s' % (rel, e))
        for n, pat in pats.items():
            if not pat.search(text):
                continue
            said[n] += 1
            if n in os.path.basename(rel).lower() or rel in ALLOWED:
                continue
            lines = [i + 1 for i, l in enumerate(text.splitlines()) if pat.search(l)]
            stray[n].append('%s:%s' % (rel, ','.join(map(str, lines[:8])) + (',…' if len(lines) > 8 else '')))
    bad = 0
    for n in names:
        print('%-10s in %2d files; outside its own files and the tables: %d' % (n, said[n], len(stray[n])))
        for s in stray[n]:
            print('    ' + s)
        bad += len(stray[n])
    if bad:
        print('agent_names: %d file(s) name an agent outside its own files and the tables' % bad)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
