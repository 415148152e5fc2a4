/* test_source.c — the source layer against real temporary trees: discovery and ordering,
 * partial lines, truncation, rewrite, inode change, deletion, roots and folders appearing
 * after the watch started, non-regular files that must never block, huge and CRLF lines, the
 * overflow rescan and the watch-limit polling fallback. A recording sink stands in for the
 * model. */
#include <criterion/criterion.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "cachetop/util.h"
#include "fixture.h"
#include "source_int.h"


TestSuite(source, .init = fx_setup, .fini = fx_teardown, .timeout = 30);

static char *claude_line(int sec, const char *tag)
{
	return pathf("{\"type\":\"assistant\",\"timestamp\":\"2026-01-01T00:00:%02d.000Z\","
		     "\"sessionId\":\"s1\",\"uuid\":\"%s\"}", sec, tag);
}

/* A Claude root with projects/p/<name>. */
static char *claude_file(const char *name)
{
	char *dir = pathf("%s/claude/projects/p", root);
	mkdirs(dir);
	char *p = pathf("%s/%s", dir, name);
	free(dir);
	return p;
}


static void assert_lines(const char *path, const char *want)
{
	char *got = rec_epoch_lines(&rec, path);
	cr_assert_str_eq(got, want);
	free(got);
}

/* ---- roots ------------------------------------------------------------------------------ */

Test(source, roots_from_environment)
{
	setenv("CLAUDE_CONFIG_DIR", "/a/one, /b/two/projects/", 1);
	setenv("CODEX_HOME", "/c/codex/sessions", 1);
	setenv("GEMINI_CLI_HOME", "/g", 1);
	setenv("XDG_DATA_HOME", "/d", 1);
	struct source_roots r = {0};
	source_roots_default(&r, AGENT_COUNT);
	cr_assert_eq(r.n, 5);
	cr_assert_str_eq(r.v[0].path, "/a/one");
	cr_assert_str_eq(r.v[1].path, "/b/two");
	cr_assert_eq(r.v[2].agent, AGENT_CODEX);
	cr_assert_str_eq(r.v[2].path, "/c/codex");
	cr_assert_eq(r.v[3].agent, AGENT_GEMINI);
	cr_assert_str_eq(r.v[3].path, "/g/.gemini"); /* GEMINI_CLI_HOME holds .gemini */
	cr_assert_eq(r.v[4].agent, AGENT_OPENCODE);
	cr_assert_str_eq(r.v[4].path, "/d/opencode");
	cr_assert(!r.v[0].exists);
	source_roots_free(&r);

	unsetenv("CLAUDE_CONFIG_DIR");
	unsetenv("CODEX_HOME");
	unsetenv("GEMINI_CLI_HOME");
	unsetenv("XDG_DATA_HOME");
	setenv("HOME", "/h", 1);
	setenv("XDG_CONFIG_HOME", "/x", 1);
	source_roots_default(&r, AGENT_COUNT);
	cr_assert_eq(r.n, 5);
	cr_assert_str_eq(r.v[0].path, "/x/claude");
	cr_assert_str_eq(r.v[1].path, "/h/.claude");
	cr_assert_str_eq(r.v[2].path, "/h/.codex");
	cr_assert_str_eq(r.v[3].path, "/h/.gemini");
	cr_assert_str_eq(r.v[4].path, "/h/.local/share/opencode");
	source_roots_free(&r);
	/* a root named by its tmp/ folder is taken as the folder holding it */
	source_roots_add(&r, AGENT_GEMINI, "/g/.gemini/tmp/");
	cr_assert_str_eq(r.v[0].path, "/g/.gemini");
	source_roots_free(&r);
	/* a path naming the legacy tree is its data folder */
	source_roots_add(&r, AGENT_OPENCODE, "/o/opencode/storage/");
	cr_assert_str_eq(r.v[0].path, "/o/opencode");
	source_roots_free(&r);
	unsetenv("XDG_CONFIG_HOME");
	source_roots_default(&r, AGENT_CLAUDE);
	cr_assert_eq(r.n, 2);
	cr_assert_str_eq(r.v[0].path, "/h/.config/claude");
	source_roots_free(&r);
}

/* ---- scan ------------------------------------------------------------------------------- */

Test(source, scan_orders_oldest_first_and_marks_subagents)
{
	char *late = claude_file("late.jsonl");
	char *early = claude_file("early.jsonl");
	char *l1 = claude_line(30, "a"), *l2 = claude_line(10, "b"), *l3 = claude_line(50, "c");
	append_str(late, l1);
	append_str(late, "\n");
	append_str(early, l2);
	append_str(early, "\n");
	append_str(early, l3);
	append_str(early, "\n");
	char *subdir = pathf("%s/claude/projects/p/s1/subagents", root);
	mkdirs(subdir);
	char *sub = pathf("%s/agent-x.jsonl", subdir);
	append_str(sub, l3);
	append_str(sub, "\n");
	char *old = pathf("%s/claude/projects/p/agent-y.jsonl", root);
	append_str(old, l1);
	append_str(old, "\n");
	/* Codex: sessions/ wins over archived_sessions/ for the same relative path */
	char *cs = pathf("%s/codex/sessions/2026/01/01", root);
	char *ca = pathf("%s/codex/archived_sessions/2026/01/01", root);
	mkdirs(cs);
	mkdirs(ca);
	char *f1 = pathf("%s/rollout-a.jsonl", cs), *f2 = pathf("%s/rollout-a.jsonl", ca);
	char *f3 = pathf("%s/rollout-b.jsonl", ca);
	append_str(f1, "{\"timestamp\":\"2026-01-01T00:00:20.000Z\",\"type\":\"x\"}\n");
	append_str(f2, "{\"timestamp\":\"2026-01-01T00:00:20.000Z\",\"type\":\"x\"}\n");
	append_str(f3, "{\"timestamp\":\"2026-01-01T00:00:40.000Z\",\"type\":\"x\"}\n");
	start(false);
	cr_assert_eq(rec.nf, 6);
	cr_assert_str_eq(rec.f[0].path, early);
	cr_assert_str_eq(rec.f[1].path, f1);
	cr_assert_eq(rec.f[1].agent, AGENT_CODEX);
	/* late and agent-y tie on first and last timestamp: the path decides */
	cr_assert_str_eq(rec.f[2].path, old);
	cr_assert_str_eq(rec.f[3].path, late);
	cr_assert_str_eq(rec.f[4].path, f3);
	cr_assert_str_eq(rec.f[5].path, sub);
	cr_assert(rec.f[5].subagent);
	cr_assert(rec.f[2].subagent);
	cr_assert(!rec.f[0].subagent);
	cr_assert_eq(rec_handle(&rec, f2), -1, "archived copy of a sessions/ path must be skipped");
	cr_assert_eq(source_stats(src)->lines, 7);
	const struct source_roots *r = source_get_roots(src);
	cr_assert(r->v[0].exists);
	cr_assert_eq(r->v[0].files, 4);
	cr_assert_eq(r->v[1].files, 2);
	free(late), free(early), free(l1), free(l2), free(l3), free(subdir), free(sub), free(old);
	free(cs), free(ca), free(f1), free(f2), free(f3);
}

Test(source, ties_on_first_timestamp_go_by_last)
{
	char *a = claude_file("a.jsonl"), *b = claude_file("b.jsonl");
	char *l1 = claude_line(10, "x"), *l2 = claude_line(20, "y"), *l3 = claude_line(40, "z");
	/* a (the copy) starts like b but ends later: b goes first despite its name */
	append_str(a, l1), append_str(a, "\n"), append_str(a, l3), append_str(a, "\n");
	append_str(b, l1), append_str(b, "\n"), append_str(b, l2), append_str(b, "\n");
	start(false);
	cr_assert_eq(rec.nf, 2);
	cr_assert_str_eq(rec.f[0].path, b);
	cr_assert_str_eq(rec.f[1].path, a);
	free(a), free(b), free(l1), free(l2), free(l3);
}

/* ---- tailing ---------------------------------------------------------------------------- */

Test(source, partial_line_waits_for_newline)
{
	char *f = claude_file("s.jsonl");
	append_str(f, "{\"one\":1}\n{\"tw");
	start(true);
	assert_lines(f, "{\"one\":1}\n");
	append_str(f, "o\":2");
	pump(src, 150, 3000);
	assert_lines(f, "{\"one\":1}\n");
	append_str(f, "}\n{\"three\":3}\n");
	pump(src, 150, 3000);
	assert_lines(f, "{\"one\":1}\n{\"two\":2}\n{\"three\":3}\n");
	cr_assert_eq(rec_count(&rec, f, R_LINE), 3);
	free(f);
}

Test(source, crlf_lines_and_blank_lines)
{
	char *f = claude_file("s.jsonl");
	append_str(f, "{\"a\":1}\r\n\r\n\n{\"b\":2}\r\n");
	start(false);
	assert_lines(f, "{\"a\":1}\r\n{\"b\":2}\r\n");
	free(f);
}

Test(source, truncation_resets_and_rereads)
{
	char *f = claude_file("s.jsonl");
	append_str(f, "{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n");
	start(true);
	write_file(f, "{\"d\":4}\n", 8, false); /* O_TRUNC, same inode */
	pump(src, 150, 3000);
	cr_assert_eq(rec_count(&rec, f, R_RESET), 1);
	cr_assert_eq(rec_count(&rec, f, R_GONE), 0);
	assert_lines(f, "{\"d\":4}\n");
	cr_assert_eq(source_stats(src)->resets, 1);
	free(f);
}

Test(source, rewrite_in_place_longer_is_noticed)
{
	char *f = claude_file("s.jsonl");
	append_str(f, "{\"a\":1}\n");
	start(false);
	/* Rewritten (same inode) with different, longer content before anyone looked. */
	write_file(f, "{\"x\":9}\n{\"y\":8}\n", 16, false);
	source_rescan(src);
	cr_assert_eq(rec_count(&rec, f, R_RESET), 1);
	assert_lines(f, "{\"x\":9}\n{\"y\":8}\n");
	free(f);
}

Test(source, rename_over_is_a_new_file)
{
	char *f = claude_file("s.jsonl");
	append_str(f, "{\"a\":1}\n");
	start(true);
	char *tmp = pathf("%s.tmp", f);
	write_file(tmp, "{\"n\":1}\n{\"n\":2}\n", 16, false);
	cr_assert_eq(rename(tmp, f), 0);
	pump(src, 150, 3000);
	cr_assert_eq(rec_count(&rec, f, R_OPEN), 2);
	cr_assert_eq(rec_count(&rec, f, R_GONE), 1);
	cr_assert_eq(rec_handle(&rec, tmp), -1, "the .tmp name is not a transcript");
	assert_lines(f, "{\"n\":1}\n{\"n\":2}\n");
	/* the old handle got gone before the new one opened */
	int h = rec_handle(&rec, f);
	size_t gone_at = 0, open_at = 0;
	for (size_t i = 0; i < rec.nev; i++) {
		if (rec.ev[i].kind == R_GONE && rec.ev[i].file == 0)
			gone_at = i;
		if (rec.ev[i].kind == R_OPEN && rec.ev[i].file == (uint32_t)h)
			open_at = i;
	}
	cr_assert_lt(gone_at, open_at);
	free(tmp);
	free(f);
}

Test(source, deletion_is_gone)
{
	char *f = claude_file("s.jsonl");
	append_str(f, "{\"a\":1}\n");
	start(true);
	cr_assert_eq(unlink(f), 0);
	pump(src, 150, 3000);
	cr_assert_eq(rec_count(&rec, f, R_GONE), 1);
	cr_assert_eq(source_stats(src)->gone, 1);
	cr_assert_eq(source_get_roots(src)->v[0].files, 0);
	/* re-created: a new handle, read from the start */
	append_str(f, "{\"b\":2}\n");
	pump(src, 150, 3000);
	cr_assert_eq(rec_count(&rec, f, R_OPEN), 2);
	assert_lines(f, "{\"b\":2}\n");
	free(f);
}

Test(source, huge_single_line, .timeout = 60)
{
	char *f = claude_file("big.jsonl");
	size_t n = 20u << 20;
	char *big = xmalloc(n + 1);
	for (size_t i = 0; i < n; i++)
		big[i] = (char)('a' + i % 26);
	big[0] = '{';
	big[n - 1] = '}';
	big[n] = '\n';
	write_file(f, "{\"s\":0}\n", 8, false);
	start(true);
	/* appended live in uneven pieces, the source reading between them */
	size_t off = 0, step = 3u << 20;
	while (off < n + 1) {
		size_t k = off + step > n + 1 ? n + 1 - off : step;
		write_file(f, big + off, k, true);
		off += k;
		pump(src, 30, 2000);
	}
	pump(src, 150, 5000);
	cr_assert_eq(rec_count(&rec, f, R_LINE), 2);
	const struct rev *last = NULL;
	for (size_t i = 0; i < rec.nev; i++)
		if (rec.ev[i].kind == R_LINE)
			last = &rec.ev[i];
	cr_assert_eq(last->n, n);
	cr_assert_eq(memcmp(last->data, big, n), 0);
	free(big);
	free(f);
}

/* ---- non-regular files ------------------------------------------------------------------ */

Test(source, fifo_socket_symlink_dir_never_block, .timeout = 10)
{
	char *dir = pathf("%s/claude/projects/p", root);
	mkdirs(dir);
	char *fifo = pathf("%s/fifo.jsonl", dir);
	cr_assert_eq(mkfifo(fifo, 0644), 0);
	char *sock = pathf("%s/sock.jsonl", dir);
	int sfd = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", sock);
	cr_assert_eq(bind(sfd, (struct sockaddr *)&sa, sizeof sa), 0);
	char *dangling = pathf("%s/dangling.jsonl", dir);
	cr_assert_eq(symlink("/nonexistent/target.jsonl", dangling), 0);
	char *loop = pathf("%s/loop.jsonl", dir);
	cr_assert_eq(symlink(loop, loop), 0);
	char *dirj = pathf("%s/folder.jsonl", dir);
	mkdirs(dirj);
	char *good = pathf("%s/good.jsonl", dir);
	append_str(good, "{\"ok\":1}\n");
	char *link = pathf("%s/link.jsonl", dir);
	cr_assert_eq(symlink(good, link), 0);
	start(true);
	cr_assert_eq(source_stats(src)->skipped_files, 5);
	cr_assert_eq(rec.nf, 2, "good and the symlink to it");
	const char *msg = source_take_message(src);
	cr_assert_not_null(msg);
	cr_assert(strstr(msg, "not a regular file"), "%s", msg);
	/* a FIFO created while watching */
	char *fifo2 = pathf("%s/fifo2.jsonl", dir);
	cr_assert_eq(mkfifo(fifo2, 0644), 0);
	pump(src, 150, 3000);
	cr_assert_eq(source_stats(src)->skipped_files, 6);
	/* and a full rescan counts nothing twice */
	source_rescan(src);
	cr_assert_eq(source_stats(src)->skipped_files, 6);
	close(sfd);
	free(dir), free(fifo), free(sock), free(dangling), free(loop), free(dirj), free(good);
	free(link), free(fifo2);
}

Test(source, unreadable_file_is_counted_once)
{
	char *f = claude_file("s.jsonl");
	append_str(f, "{\"a\":1}\n");
	chmod(f, 0);
	bool was_root = geteuid() == 0;
	if (was_root) {
		/* root reads everything: look as an ordinary user (each test runs in its own
		 * process) */
		char *dirs[] = {root, pathf("%s/claude", root), pathf("%s/claude/projects", root),
				pathf("%s/claude/projects/p", root)};
		for (size_t i = 0; i < 4; i++)
			chmod(dirs[i], 0755);
		for (size_t i = 1; i < 4; i++)
			free(dirs[i]);
		cr_assert_eq(seteuid(65534), 0);
	}
	start(false);
	cr_assert_eq(source_stats(src)->skipped_files, 1);
	cr_assert_eq(rec.nf, 0);
	const char *msg = source_take_message(src);
	cr_assert_not_null(msg);
	cr_assert(strstr(msg, "cannot read"), "%s", msg);
	source_rescan(src);
	cr_assert_eq(source_stats(src)->skipped_files, 1, "counted once");
	cr_assert_null(source_take_message(src), "said once");
	if (was_root)
		cr_assert_eq(seteuid(0), 0);
	free(f);
}

/* ---- folders and roots appearing -------------------------------------------------------- */

Test(source, root_created_after_watch)
{
	start(true); /* neither root exists yet */
	cr_assert(!source_get_roots(src)->v[0].exists);
	char *dir = pathf("%s/claude/projects/-home-me", root);
	mkdirs(dir);
	char *f = pathf("%s/s.jsonl", dir);
	append_str(f, "{\"a\":1}\n");
	pump(src, 200, 3000);
	append_str(f, "{\"b\":2}\n");
	pump(src, 200, 3000);
	assert_lines(f, "{\"a\":1}\n{\"b\":2}\n");
	cr_assert(source_get_roots(src)->v[0].exists);
	/* Codex day folders appear under a sessions/ that appears later too */
	char *day = pathf("%s/codex/sessions/2026/02/03", root);
	mkdirs(day);
	char *r = pathf("%s/rollout-x.jsonl", day);
	append_str(r, "{\"c\":3}\n");
	pump(src, 200, 3000);
	assert_lines(r, "{\"c\":3}\n");
	cr_assert_eq(rec.f[rec_handle(&rec, r)].agent, AGENT_CODEX);
	free(dir), free(f), free(day), free(r);
}

Test(source, folder_arriving_with_files_inside)
{
	char *proj = pathf("%s/claude/projects", root);
	mkdirs(proj);
	start(true);
	/* built elsewhere, then moved in whole: no event ever names the files */
	char *outside = pathf("%s/staging/-p/s1/subagents", root);
	mkdirs(outside);
	char *f = pathf("%s/agent-1.jsonl", outside);
	append_str(f, "{\"a\":1}\n");
	char *from = pathf("%s/staging/-p", root), *to = pathf("%s/-p", proj);
	cr_assert_eq(rename(from, to), 0);
	pump(src, 200, 3000);
	char *in = pathf("%s/-p/s1/subagents/agent-1.jsonl", proj);
	assert_lines(in, "{\"a\":1}\n");
	cr_assert(rec.f[rec_handle(&rec, in)].subagent);
	/* and the moved-in folders are watched: an append is seen */
	append_str(in, "{\"b\":2}\n");
	pump(src, 200, 3000);
	assert_lines(in, "{\"a\":1}\n{\"b\":2}\n");
	/* mkdir + immediate write, as agents do */
	char *d2 = pathf("%s/-q/s2/subagents", proj);
	mkdirs(d2);
	char *f2 = pathf("%s/agent-2.jsonl", d2);
	append_str(f2, "{\"c\":3}\n");
	pump(src, 200, 3000);
	assert_lines(f2, "{\"c\":3}\n");
	/* a folder moved out: its files are gone */
	char *out = pathf("%s/away", root);
	cr_assert_eq(rename(to, out), 0);
	pump(src, 200, 3000);
	cr_assert_eq(rec_count(&rec, in, R_GONE), 1);
	free(proj), free(outside), free(f), free(from), free(to), free(in), free(d2), free(f2);
	free(out);
}

/* ---- overflow and limits ---------------------------------------------------------------- */

Test(source, overflow_rescan_loses_and_doubles_nothing)
{
	char *a = claude_file("a.jsonl"), *b = claude_file("b.jsonl");
	append_str(a, "{\"a\":1}\n");
	start(true);
	/* changes whose events we pretend were lost */
	append_str(a, "{\"a\":2}\n{\"a\":3");
	append_str(b, "{\"b\":1}\n");
	char *nd = pathf("%s/claude/projects/new/sub", root);
	mkdirs(nd);
	char *c = pathf("%s/c.jsonl", nd);
	append_str(c, "{\"c\":1}\n");
	source_rescan(src);
	assert_lines(a, "{\"a\":1}\n{\"a\":2}\n");
	assert_lines(b, "{\"b\":1}\n");
	assert_lines(c, "{\"c\":1}\n");
	/* the queued events now arrive too: nothing doubles */
	pump(src, 150, 3000);
	append_str(a, "}\n");
	append_str(c, "{\"c\":2}\n"); /* the new folder got its watch during the rescan */
	pump(src, 150, 3000);
	assert_lines(a, "{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n");
	assert_lines(c, "{\"c\":1}\n{\"c\":2}\n");
	cr_assert_eq(rec_count(&rec, a, R_LINE), 3);
	cr_assert_eq(rec_count(&rec, a, R_OPEN), 1);
	cr_assert_eq(rec_count(&rec, c, R_OPEN), 1);
	cr_assert_eq(source_stats(src)->rescans, 1);
	free(a), free(b), free(nd), free(c);
}

Test(source, watch_limit_falls_back_to_polling)
{
	char *a = claude_file("a.jsonl");
	append_str(a, "{\"a\":1}\n");
	char *c = pathf("%s/claude", root), *x = pathf("%s/codex", root);
	source_roots_add(&roots, AGENT_CLAUDE, c);
	source_roots_add(&roots, AGENT_CODEX, x);
	src = source_new(&roots, &sink);
	source_test_watch_limit(src, 1); /* projects/ gets the only watch */
	cr_assert_eq(source_scan(src, NULL, 0), 0);
	cr_assert_eq(source_watch(src, NULL, 0), 0);
	const struct source_stats *st = source_stats(src);
	cr_assert(st->watch_limit_hit);
	cr_assert_eq(st->watches, 1);
	cr_assert_eq(st->unwatched_dirs, 1, "projects/p");
	const char *msg = source_take_message(src);
	cr_assert_not_null(msg);
	cr_assert(strstr(msg, "watch limit"), "%s", msg);
	cr_assert_null(source_take_message(src), "said once");
	int64_t t0 = 1000000;
	cr_assert_geq(source_timeout_ms(src, t0), 0);
	cr_assert_leq(source_timeout_ms(src, t0), 2000);
	source_process(src, t0); /* arms the poll timer */
	append_str(a, "{\"a\":2}\n");
	char *d = pathf("%s/claude/projects/p/deeper", root);
	mkdirs(d);
	char *b = pathf("%s/b.jsonl", d);
	append_str(b, "{\"b\":1}\n");
	source_process(src, t0 + 100);
	assert_lines(a, "{\"a\":1}\n"); /* not yet: p/ is polled */
	source_process(src, t0 + 2100);
	assert_lines(a, "{\"a\":1}\n{\"a\":2}\n");
	assert_lines(b, "{\"b\":1}\n");
	unlink(a);
	source_process(src, t0 + 4200);
	cr_assert_eq(rec_count(&rec, a, R_GONE), 1);
	cr_assert_null(source_take_message(src));
	free(a), free(c), free(x), free(d), free(b);
}

Test(source, idle_source_has_no_timeout)
{
	char *proj = pathf("%s/claude/projects", root);
	char *ses = pathf("%s/codex/sessions", root);
	char *arc = pathf("%s/codex/archived_sessions", root);
	mkdirs(proj), mkdirs(ses), mkdirs(arc);
	start(true);
	cr_assert_geq(source_fd(src), 0, "the inotify fd was found");
	cr_assert_eq(source_timeout_ms(src, 1000), -1, "nothing to poll: sleep until an event");
	free(proj), free(ses), free(arc);
}

/* ---- replay -------------------------------------------------------------------------------- */

/* The file at `path` holds exactly `want`. */
static void assert_file(const char *path, const char *want)
{
	FILE *f = fopen(path, "re");
	cr_assert(f, "%s missing", path);
	char got[4096];
	size_t n = fread(got, 1, sizeof got - 1, f);
	got[n] = 0;
	fclose(f);
	cr_assert_str_eq(got, want, "%s", path);
}

/* Which recorded files are transcripts (written line by line on the clock), which are documents
 * written whole at their start, and which are copied at once, is each agent's rule in the table,
 * judged below its transcript folder. */
Test(source, replay_judges_recorded_files_by_the_agent_table)
{
	char *rec_dir = pathf("%s/recording", root);
	char *proj = pathf("%s/claude/projects/p", rec_dir);
	char *chats = pathf("%s/gemini/tmp/p/chats", rec_dir);
	mkdirs(proj);
	mkdirs(chats);
	const char *l1 = "{\"type\":\"user\",\"timestamp\":\"2026-01-01T00:00:01.000Z\",\"sessionId\":\"s\",\"uuid\":\"a\"}\n";
	const char *l2 = "{\"type\":\"user\",\"timestamp\":\"2026-01-01T00:00:05.000Z\",\"sessionId\":\"s\",\"uuid\":\"b\"}\n";
	char *tr = pathf("%s/s.jsonl", proj);
	write_file(tr, l1, strlen(l1), false);
	append_str(tr, l2);
	/* a *.jsonl outside projects/: no transcript the source reads, so copied as it is */
	char *note = pathf("%s/claude/notes.jsonl", rec_dir);
	append_str(note, l2);
	/* a legacy recording: one document over many lines, rewritten whole, dated by startTime */
	const char *doc = "{\n \"sessionId\": \"g\",\n \"startTime\": \"2026-01-01T00:00:03.000Z\",\n"
			  " \"messages\": []\n}\n";
	char *legacy = pathf("%s/session-x.json", chats);
	append_str(legacy, doc);

	struct source_roots rr = {0};
	char err[256] = "";
	struct replay *r = replay_open(rec_dir, &rr, err, sizeof err);
	cr_assert(r, "%s", err);
	const char *tclaude = NULL, *tgemini = NULL;
	for (size_t i = 0; i < rr.n; i++) {
		if (rr.v[i].agent == AGENT_CLAUDE)
			tclaude = rr.v[i].path;
		if (rr.v[i].agent == AGENT_GEMINI)
			tgemini = rr.v[i].path;
	}
	cr_assert(tclaude && tgemini);
	char *out_note = pathf("%s/notes.jsonl", tclaude);
	char *out_tr = pathf("%s/projects/p/s.jsonl", tclaude);
	char *out_doc = pathf("%s/tmp/p/chats/session-x.json", tgemini);
	assert_file(out_note, l2); /* copied before any line is due */
	cr_assert(access(out_tr, F_OK) != 0, "a transcript is written line by line, not copied");
	cr_assert(access(out_doc, F_OK) != 0, "a document is written at its time, not copied");
	const int64_t t0 = 1767225600000; /* 2026-01-01T00:00:00Z */
	cr_assert_eq(replay_next_at(r), t0 + 1000);
	cr_assert_eq(replay_write_until(r, t0 + 1000), 1);
	cr_assert_eq(replay_next_at(r), t0 + 3000, "the document is due at its startTime");
	cr_assert_eq(replay_write_until(r, t0 + 3000), 1, "the document is one write, not a line each");
	assert_file(out_doc, doc);
	cr_assert_eq(replay_write_until(r, t0 + 5000), 1);
	cr_assert_eq(replay_next_at(r), INT64_MAX);
	char *both = pathf("%s%s", l1, l2);
	assert_file(out_tr, both);
	replay_close(r);
	source_roots_free(&rr);

	/* nothing to play: the message names the folders of the agents that keep transcripts */
	char *empty = pathf("%s/nothing", root);
	mkdirs(empty);
	cr_assert_null(replay_open(empty, &rr, err, sizeof err));
	char *want = pathf("replay: no transcripts under %s/claude, %s/codex or %s/gemini", empty, empty, empty);
	cr_assert_str_eq(err, want);
	source_roots_free(&rr);
	free(want), free(empty), free(both), free(out_note), free(out_tr), free(out_doc);
	free(rec_dir), free(proj), free(chats), free(tr), free(note), free(legacy);
}
