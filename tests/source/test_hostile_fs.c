/* test_hostile_fs.c — hostile file systems under a root, driven through source_scan (and the
 * watcher where it matters) with a recording sink: directory symlink loops, a directory that
 * cannot be read (EACCES; as root the test drops to an unprivileged euid, since chmod 000 does
 * not stop root), FIFOs next to transcripts, 100,000 files in one folder, and file names holding
 * newlines, escape sequences and invalid UTF-8 — every transcript must arrive exactly once, with
 * its path byte-exact, and nothing may block. */
#include <criterion/criterion.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cachetop/util.h"
#include "fixture.h"


TestSuite(hostile_fs, .init = fx_setup, .fini = fx_teardown, .timeout = 120);


static char *project(const char *name)
{
	char *d = pathf("%s/claude/projects/%s", root, name);
	mkdirs(d);
	return d;
}

static const char LINE[] = "{\"type\":\"user\",\"timestamp\":\"2026-01-01T00:00:01.000Z\",\"uuid\":\"u\"}";

static char *transcript(const char *dir, const char *name)
{
	char *p = pathf("%s/%s", dir, name);
	append_str(p, LINE);
	append_str(p, "\n");
	return p;
}

Test(hostile_fs, directory_symlink_loops, .timeout = 20)
{
	char *d = project("p");
	char *f = transcript(d, "s.jsonl");
	char *up = pathf("%s/up", d), *self = pathf("%s/self", d), *a = pathf("%s/a", d), *b = pathf("%s/b", d);
	cr_assert_eq(symlink("..", up), 0);         /* projects/p/up → projects */
	cr_assert_eq(symlink(".", self), 0);        /* projects/p/self → projects/p */
	cr_assert_eq(symlink(b, a), 0);             /* a → b → a */
	cr_assert_eq(symlink(a, b), 0);
	char *root_link = pathf("%s/claude/projects/p/toroot", root);
	cr_assert_eq(symlink(root, root_link), 0);  /* back to the top of the tree */
	start(true);
	cr_expect_eq(rec_count(&rec, f, R_OPEN), 1, "the transcript is opened once");
	cr_expect_eq(source_stats(src)->lines, 1, "and its line delivered once");
	size_t opens = 0;
	for (size_t i = 0; i < rec.nev; i++)
		opens += rec.ev[i].kind == R_OPEN;
	cr_expect_leq(opens, 1, "no copy reached through a loop");
	/* a line appended later also arrives once */
	append_str(f, LINE);
	append_str(f, "\n");
	pump(src, 150, 3000);
	cr_expect_eq(source_stats(src)->lines, 2);
	free(d), free(f), free(up), free(self), free(a), free(b), free(root_link);
}

/* Drop to an unprivileged euid when root (chmod 000 does not stop root's reads). The tree is
 * made traversable first. Returns false when that is impossible (then the test is skipped). */
static bool drop_privileges(void)
{
	if (geteuid() != 0)
		return true;
	char *dirs[] = {pathf("%s", root), pathf("%s/claude", root), pathf("%s/claude/projects", root)};
	for (size_t i = 0; i < 3; i++) {
		chmod(dirs[i], 0755);
		free(dirs[i]);
	}
	return seteuid(65534) == 0;
}

Test(hostile_fs, unreadable_directory)
{
	char *ok = project("ok");
	char *good = transcript(ok, "good.jsonl");
	char *locked = project("locked");
	char *hidden = transcript(locked, "hidden.jsonl");
	chmod(ok, 0755);
	chmod(locked, 0);
	bool was_root = geteuid() == 0;
	if (!drop_privileges()) {
		chmod(locked, 0755);
		cr_skip("running as root and cannot drop to an unprivileged euid: EACCES cannot be produced");
	}
	/* prove the premise: the folder really is unreadable for this process */
	DIR *probe = opendir(locked);
	cr_assert_null(probe);
	cr_assert_eq(errno, EACCES);
	start(true);
	cr_expect_eq(rec_count(&rec, good, R_OPEN), 1, "the readable project still arrives");
	cr_expect_eq(rec_count(&rec, hidden, R_OPEN), 0);
	cr_expect_eq(source_stats(src)->lines, 1);
	const char *msg = source_take_message(src);
	cr_expect_not_null(msg, "an unreadable folder gets a message");
	if (was_root)
		cr_assert_eq(seteuid(0), 0);
	chmod(locked, 0755);
	free(ok), free(good), free(locked), free(hidden);
}

Test(hostile_fs, fifo_named_like_a_transcript_does_not_block, .timeout = 10)
{
	char *d = project("p");
	char *fifo = pathf("%s/waiting.jsonl", d);
	cr_assert_eq(mkfifo(fifo, 0644), 0);
	/* a writer-less FIFO blocks open(O_RDONLY) forever; the scan must not */
	char *f = transcript(d, "after.jsonl");
	start(false);
	cr_expect_eq(rec_count(&rec, f, R_OPEN), 1);
	cr_expect_eq(rec_count(&rec, fifo, R_OPEN), 0);
	cr_expect_geq(source_stats(src)->skipped_files, 1);
	free(d), free(fifo), free(f);
}

Test(hostile_fs, names_with_newlines_escapes_and_invalid_utf8, .timeout = 20)
{
	char *d = project("we\nird\x1b[31m\xff");
	static const char *const names[] = {
		"new\nline.jsonl", "esc\x1b]0;pwned\x07.jsonl", "bad\xff\xfe utf8.jsonl", "rlo\xe2\x80\xae"
		"lnosj.jsonl", "tab\tand\r cr.jsonl", "-dash.jsonl", " space .jsonl", "\\back\\slash.jsonl"};
	size_t n = sizeof names / sizeof names[0];
	char *paths[16];
	for (size_t i = 0; i < n; i++)
		paths[i] = transcript(d, names[i]);
	start(true);
	for (size_t i = 0; i < n; i++) {
		cr_expect_eq(rec_count(&rec, paths[i], R_OPEN), 1, "file %zu not delivered once", i);
		char *got = rec_epoch_lines(&rec, paths[i]);
		cr_expect_eq(strlen(got), sizeof LINE, "file %zu", i);
		cr_expect_eq(strncmp(got, LINE, sizeof LINE - 1), 0, "file %zu: %s", i, got);
		free(got);
	}
	cr_expect_eq(source_stats(src)->lines, n);
	/* one created while watching */
	char *late = transcript(d, "late\n\xc0\xaf.jsonl");
	pump(src, 150, 3000);
	cr_expect_eq(rec_count(&rec, late, R_OPEN), 1);
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(d), free(late);
}

Test(hostile_fs, hundred_thousand_files_in_one_folder, .timeout = 300)
{
	char *d = project("many");
	const int N = 100000;
	int64_t t0 = mono_ms();
	char name[64];
	for (int i = 0; i < N; i++) {
		snprintf(name, sizeof name, "%s/f%06d.jsonl", d, i);
		int fd = open(name, O_WRONLY | O_CREAT | O_EXCL, 0644);
		cr_assert_geq(fd, 0);
		cr_assert_eq(write(fd, LINE, sizeof LINE - 1), (ssize_t)(sizeof LINE - 1));
		cr_assert_eq(write(fd, "\n", 1), 1);
		close(fd);
	}
	int64_t t1 = mono_ms();
	start(false);
	int64_t t2 = mono_ms();
	cr_expect_eq(rec.nf, (size_t)N);
	cr_expect_eq(source_stats(src)->lines, (uint64_t)N);
	cr_expect_eq(source_stats(src)->files, (uint64_t)N);
	cr_expect_eq(source_stats(src)->skipped_files, 0);
	cr_log_info("100,000 files: created in %lld ms, scanned in %lld ms", (long long)(t1 - t0),
		    (long long)(t2 - t1));
	fprintf(stderr, "hostile_fs: 100,000 files scanned in %lld ms\n", (long long)(t2 - t1));
	free(d);
}
