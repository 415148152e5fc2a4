/* test_state.c — the warm-start state, end to end in one process: a report built through the
 * state (recall what an earlier run kept, read only what follows, save) must equal a report of
 * a fresh read of the same tree, after any sequence of appends (whole lines or cut ones),
 * in-place rewrites, truncations, deletions, new files (copies of another's start included), a
 * damaged state file and one from another version. Also: the state is really used, its folder
 * is private, and --no-state leaves it alone. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../src/app/app.h"
#include "../../src/app/state.h"
#include "../core/lines.h"
#include "cachetop/statefile.h"
#include "cachetop/status_digest.h"
#include "source_int.h"

static char root[256];
static char claude[300], codex[300], gemini[300], cache[300];

static void setup(void)
{
	snprintf(root, sizeof root, "/tmp/cachetop-state-XXXXXX");
	cr_assert_not_null(mkdtemp(root));
	snprintf(claude, sizeof claude, "%s/claude", root);
	snprintf(codex, sizeof codex, "%s/codex", root);
	snprintf(gemini, sizeof gemini, "%s/gemini", root); /* a root only once a test makes it */
	snprintf(cache, sizeof cache, "%s/cache", root);
	char p[2048];
	snprintf(p, sizeof p, "mkdir -p %s/projects/-home-dev-api %s/sessions/2025/11/10 %s/cfg", claude, codex, root);
	cr_assert_eq(system(p), 0);
	setenv("XDG_CACHE_HOME", cache, 1);
	snprintf(p, sizeof p, "%s/cfg", root);
	setenv("XDG_CONFIG_HOME", p, 1);
	setenv("XDG_STATE_HOME", p, 1);
	source_test_mark_racy(2000000000LL);
	/* folder listings are kept from the next clock tick on: most runs here recall some */
	source_test_dirs_racy(0);
}

static void teardown(void)
{
	char p[2048];
	snprintf(p, sizeof p, "rm -rf %s", root);
	cr_assert_eq(system(p), 0);
}

/* ---- building a report ------------------------------------------------------------------- */



/* report --json of the tree, through the state or not; *recalled: files the scan recalled */
/* An app over the test's tree at `now`, through the state or not, loaded (for `status`: with
 * its prices left unparsed, as main loads it). */
static void tree_app_for(struct app *a, bool use_state, int64_t now, bool status)
{
	*a = (struct app){0};
	a->prices_lazy = status;
	a->argv0 = CACHETOP_BIN;
	a->since_ms = CT_TIME_NONE;
	a->now_override = now;
	a->no_state = !use_state;
	a->dirs[AGENT_CLAUDE] = malloc(sizeof(char *));
	a->dirs[AGENT_CLAUDE][a->ndirs[AGENT_CLAUDE]++] = strdup(claude);
	a->dirs[AGENT_CODEX] = malloc(sizeof(char *));
	a->dirs[AGENT_CODEX][a->ndirs[AGENT_CODEX]++] = strdup(codex);
	if (access(gemini, F_OK) == 0) {
		a->dirs[AGENT_GEMINI] = malloc(sizeof(char *));
		a->dirs[AGENT_GEMINI][a->ndirs[AGENT_GEMINI]++] = strdup(gemini);
	}
	app_load(a);
}

static void tree_app(struct app *a, bool use_state, int64_t now) { tree_app_for(a, use_state, now, false); }

static uint64_t kept_blocks_used; /* reports whose blocks came kept with the image */
static void report(bool use_state, struct buf *out, uint64_t *recalled)
{
	struct app a;
	tree_app(&a, use_state, T0 + MIN(60 * 24));
	struct source *s = NULL;
	struct blocks kept[AGENT_COUNT];
	bool have_kept = false;
	struct model *m = app_build_model(&a, &s, kept, &have_kept);
	cr_assert_not_null(m);
	struct report_root roots[8];
	struct report_ctx c;
	app_report_ctx(&a, s, roots, 8, &c);
	out->len = 0;
	/* as `report --json` writes it: on the cores, with the blocks kept with an image */
	FILE *f = tmpfile();
	cr_assert_not_null(f);
	cr_assert_eq(app_report_json(m, &c, have_kept ? kept : NULL, fileno(f)), 0);
	kept_blocks_used += have_kept;
	rewind(f);
	char chunk[65536];
	for (size_t n; (n = fread(chunk, 1, sizeof chunk, f)) > 0;)
		buf_append(out, chunk, n);
	fclose(f);
	if (have_kept)
		for (int ag = 0; ag < AGENT_COUNT; ag++)
			blocks_free(&kept[ag]);
	if (recalled)
		*recalled = source_stats(s)->recalled;
	source_free(s);
	model_free(m);
	app_free(&a);
}

static uint64_t check_equal(void)
{
	struct buf fresh = {0}, warm = {0};
	uint64_t recalled = 0;
	report(false, &fresh, NULL);
	report(true, &warm, &recalled);
	cr_assert_eq(warm.len, fresh.len, "warm report differs in length: %zu vs %zu", warm.len, fresh.len);
	cr_assert(memcmp(warm.data, fresh.data, fresh.len) == 0, "warm report differs from a fresh one");
	buf_free(&fresh);
	buf_free(&warm);
	return recalled;
}

/* `status` at `now`, through the state or not, as the command runs it; *hit: from the state's
 * digest (no model built) */
static void status_run(bool use_state, int64_t now, struct buf *out, bool *hit)
{
	struct app a;
	tree_app_for(&a, use_state, now, true);
	struct status_digest d;
	bool from_state = false;
	cr_assert(app_status_digest(&a, &d, &from_state));
	app_status_text(&a, &d, out);
	status_digest_free(&d);
	app_free(&a);
	if (hit)
		*hit = from_state;
}

/* `status` through the state equals `status` of a fresh read, at times inside the tree's
 * 5-hour blocks and after them; counts the runs the state's digest answered. */
static uint64_t status_hits, status_runs;
static void status_equal(void)
{
	const int64_t nows[] = {T0 + MIN(45), T0 + MIN(200), T0 + MIN(60 * 24)};
	for (size_t k = 0; k < sizeof nows / sizeof *nows; k++) {
		struct buf warm = {0}, fresh = {0};
		bool hit = false;
		status_run(true, nows[k], &warm, &hit);
		status_run(false, nows[k], &fresh, NULL);
		cr_assert_str_eq(buf_cstr(&warm), buf_cstr(&fresh), "status through the state (%s) differs from a fresh one",
				 hit ? "its digest" : "a model");
		status_hits += hit;
		status_runs++;
		buf_free(&warm);
		buf_free(&fresh);
	}
}

/* ---- the tree ------------------------------------------------------------------------------ */

#define FILES_MAX 24

struct tfile {
	char path[1024];
	bool codex, exists;
	int n;            /* lines written so far (for ids and times) */
	int gen;          /* bumps on rewrite: new ids */
	char pending[8192]; /* the rest of a line cut by the last append */
};

static struct tfile files[FILES_MAX];
/* new files now and then in a folder of their own (property runs) */
static bool new_folders;
static int nfiles;
static unsigned rng = 12345;
static unsigned rnd(unsigned n)
{
	rng = rng * 1103515245u + 12345u;
	return (rng >> 8) % n;
}

/* One line of file i (its k-th), in the agent's own shape. */
static size_t make_line(int i, int k, char *b, size_t cap)
{
	struct tfile *f = &files[i];
	int64_t t = T0 + MIN(i * 7) + (int64_t)k * 30000;
	char sid[64], uuid[64], parent[64], msg[64], req[64];
	snprintf(sid, sizeof sid, "sess-%02d", f->gen % 3 ? i : i / 2); /* some files share a session */
	snprintf(uuid, sizeof uuid, "u-%02d-%d-%d", i, f->gen, k);
	snprintf(parent, sizeof parent, "u-%02d-%d-%d", i, f->gen, k - 1);
	if (f->codex) {
		if (k == 0)
			return (size_t)snprintf(b, cap,
				"{\"timestamp\":\"2025-11-10T09:%02d:00.000Z\",\"type\":\"session_meta\",\"payload\":{\"id\":\"cx-%02d-%d\","
				"\"timestamp\":\"2025-11-10T09:%02d:00.000Z\",\"cwd\":\"/home/dev/web\",\"originator\":\"codex_cli_rs\","
				"\"cli_version\":\"0.46.0\"}}", i % 60, i, f->gen, i % 60);
		if (k == 1)
			return (size_t)snprintf(b, cap,
				"{\"timestamp\":\"2025-11-10T09:%02d:01.000Z\",\"type\":\"turn_context\",\"payload\":{\"cwd\":\"/home/dev/web\","
				"\"model\":\"gpt-5-codex\"}}", i % 60);
		unsigned tot[4] = {(unsigned)(2000 * k), (unsigned)(1500 * k), (unsigned)(100 * k), 0};
		unsigned last[4] = {2000, (unsigned)(k % 4 ? 1500 : 10), 100, 0};
		return codex_tokens(b, cap, t, tot, last);
	}
	switch (rnd(10)) {
	case 0:
		return (size_t)snprintf(b, cap, "{not json %d", k);
	case 1:
		return cl_user(b, cap, sid, uuid, k ? parent : NULL, t, k > 5 ? "2.1.117" : NULL);
	default: {
		snprintf(msg, sizeof msg, "msg_%02d_%d_%d", i, f->gen, k / 2);
		snprintf(req, sizeof req, "req_%02d_%d_%d", i, f->gen, k / 2);
		struct cl c = {.sid = sid, .uuid = uuid, .parent = k ? parent : NULL, .msg = msg, .req = req,
			       .t = t, .in = 3, .c5 = k % 5 ? 200 : 20000, .cr = k % 5 ? 30000 : 100, .out = 40 + (unsigned)k};
		return cl_assistant(b, cap, &c);
	}
	}
}

static void write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		cr_assert_gt(w, 0);
		p += w;
		n -= (size_t)w;
	}
}

/* Append `lines` lines; the last may be cut (its rest comes with the next append). */
static void append(int i, int lines, bool cut)
{
	struct tfile *f = &files[i];
	int fd = open(f->path, O_WRONLY | O_APPEND | O_CREAT, 0644);
	cr_assert_geq(fd, 0);
	if (f->pending[0]) {
		write_all(fd, f->pending, strlen(f->pending));
		f->pending[0] = 0;
	}
	char b[8192];
	for (int j = 0; j < lines; j++) {
		size_t n = make_line(i, f->n++, b, sizeof b - 2);
		b[n++] = '\n';
		if (j == lines - 1 && cut && n > 4) {
			size_t at = 1 + rnd((unsigned)n - 2);
			memcpy(f->pending, b + at, n - at);
			f->pending[n - at] = 0;
			n = at;
		}
		if (rnd(12) == 0)
			write_all(fd, "\n", 1); /* a blank line */
		write_all(fd, b, n);
	}
	close(fd);
	f->exists = true;
}

static void new_file(bool codex_file)
{
	if (nfiles >= FILES_MAX)
		return;
	int i = nfiles++;
	struct tfile *f = &files[i];
	memset(f, 0, sizeof *f);
	f->codex = codex_file;
	if (codex_file && new_folders && i % 4 == 3)
		snprintf(f->path, sizeof f->path, "%s/sessions/2025/11/%02d/rollout-2025-11-10T09-%02d-00-%08d.jsonl", codex,
			 11 + i / 4, i, i);
	else if (codex_file)
		snprintf(f->path, sizeof f->path, "%s/sessions/2025/11/10/rollout-2025-11-10T09-%02d-00-%08d.jsonl", codex, i, i);
	else if (new_folders && i % 5 == 4)
		snprintf(f->path, sizeof f->path, "%s/projects/-home-dev-web%d/%08d-aaaa-bbbb-cccc-%012d.jsonl", claude,
			 i / 5, i, i);
	else
		snprintf(f->path, sizeof f->path, "%s/projects/-home-dev-api/%08d-aaaa-bbbb-cccc-%012d.jsonl", claude, i, i);
	char dir[1100];
	snprintf(dir, sizeof dir, "mkdir -p \"$(dirname '%s')\"", f->path);
	cr_assert_eq(system(dir), 0);
	append(i, 1 + (int)rnd(6), rnd(3) == 0);
}

/* A Claude file that starts with another's lines (a resume), then goes on. */
static void copy_file(void)
{
	int src = -1;
	for (int tries = 0; tries < 8 && src < 0; tries++) {
		int c = (int)rnd((unsigned)nfiles);
		if (files[c].exists && !files[c].codex)
			src = c;
	}
	if (src < 0 || nfiles >= FILES_MAX)
		return;
	int i = nfiles++;
	struct tfile *f = &files[i];
	memset(f, 0, sizeof *f);
	snprintf(f->path, sizeof f->path, "%s/projects/-home-dev-api/%08d-copy-bbbb-cccc-%012d.jsonl", claude, i, i);
	char cmd[4096];
	/* whole lines only */
	snprintf(cmd, sizeof cmd, "head -n %u '%s' > '%s'", 1 + rnd(4), files[src].path, f->path);
	cr_assert_eq(system(cmd), 0);
	f->exists = true;
	f->n = 100;
	append(i, 1 + (int)rnd(3), false);
}

static void rewrite(int i)
{
	struct tfile *f = &files[i];
	int fd = open(f->path, O_WRONLY | O_TRUNC);
	if (fd < 0)
		return;
	close(fd); /* the same inode, emptied, then written again with new lines */
	f->gen++;
	f->n = 0;
	f->pending[0] = 0;
	append(i, 1 + (int)rnd(8), false);
}

static void truncate_file(int i)
{
	struct stat st;
	if (stat(files[i].path, &st) != 0 || st.st_size < 2)
		return;
	cr_assert_eq(truncate(files[i].path, (off_t)rnd((unsigned)st.st_size)), 0);
	files[i].pending[0] = 0;
}

static char *state_file(void)
{
	char d[1024];
	snprintf(d, sizeof d, "%s/cachetop", cache);
	DIR *dir = opendir(d);
	if (!dir)
		return NULL;
	struct dirent *e;
	char *found = NULL;
	while ((e = readdir(dir)))
		if (strncmp(e->d_name, "state-", 6) == 0 && strlen(e->d_name) == strlen("state-0123456789abcdef.bin") &&
		    strcmp(e->d_name + strlen(e->d_name) - 4, ".bin") == 0) {
			free(found);
			found = malloc(strlen(d) + strlen(e->d_name) + 2);
			sprintf(found, "%s/%s", d, e->d_name);
		}
	closedir(dir);
	return found;
}

static void damage_state(bool other_version)
{
	char *p = state_file();
	if (!p)
		return;
	int fd = open(p, O_RDWR);
	struct stat st;
	if (fd >= 0 && fstat(fd, &st) == 0 && st.st_size > 16) {
		if (other_version) {
			uint32_t v = STATEFILE_VERSION + 1;
			cr_assert_eq(pwrite(fd, &v, 4, 12), 4);
		} else if (rnd(3) == 0) {
			cr_assert_eq(ftruncate(fd, (off_t)rnd((unsigned)st.st_size)), 0);
		} else {
			unsigned char c;
			off_t at = (off_t)rnd((unsigned)st.st_size);
			cr_assert_eq(pread(fd, &c, 1, at), 1);
			c ^= (unsigned char)(1u << rnd(8));
			cr_assert_eq(pwrite(fd, &c, 1, at), 1);
		}
	}
	if (fd >= 0)
		close(fd);
	free(p);
}

static int pick(void)
{
	for (int tries = 0; tries < 16; tries++) {
		int i = (int)rnd((unsigned)nfiles);
		if (files[i].exists)
			return i;
	}
	return -1;
}

/* One random change; `sizes_change`: never a rewrite that could keep a file's size (for runs
 * that trust a stat at once). */
static void step(bool sizes_change)
{
	int i = pick();
	unsigned what = rnd(16);
	if (getenv("STEP_TRACE"))
		fprintf(stderr, "step: %u on %d (%s)\n", what, i, i >= 0 ? files[i].path + strlen(root) : "");
	switch (what) {
	case 0:
		new_file(false);
		break;
	case 1:
		new_file(true);
		break;
	case 2:
		copy_file();
		break;
	case 3:
		if (i >= 0 && !sizes_change)
			rewrite(i);
		break;
	case 4:
		if (i >= 0)
			truncate_file(i);
		break;
	case 5:
		if (i >= 0 && rnd(2) == 0) {
			unlink(files[i].path);
			files[i].exists = false;
		}
		break;
	case 6:
		damage_state(false);
		break;
	case 7:
		damage_state(true);
		break;
	default:
		if (i >= 0)
			append(i, 1 + (int)rnd(4), rnd(4) == 0);
		break;
	}
}

static void property(unsigned seed, int steps, bool sizes_change)
{
	rng = seed;
	nfiles = 0;
	new_folders = true;
	uint64_t dirs0 = source_test_dirs_recalled();
	for (int k = 0; k < 4; k++)
		new_file(k == 3);
	uint64_t recalled = 0;
	for (int s = 0; s < steps; s++) {
		recalled += check_equal();
		if (rnd(3) == 0)
			recalled += check_equal(); /* the tree as the last run saved it */
		if (rnd(4) == 0)
			status_equal(); /* the tree as saved */
		step(sizes_change);
		if (rnd(4) == 0)
			status_equal(); /* changed since the state was saved */
	}
	recalled += check_equal();
	status_equal();
	/* not vacuous: most runs started warm, many from the model's image, and some images were
	 * refused by what the scan found */
	cr_assert_gt(recalled, (uint64_t)steps, "the state was recalled for %llu files over %d steps",
		     (unsigned long long)recalled, steps);
	cr_assert_gt(state_image_loads(), (uint64_t)steps / 16, "images loaded in %llu of %d runs",
		     (unsigned long long)state_image_loads(), steps);
	cr_assert_gt(state_image_refusals(), 0, "no image was ever refused");
	cr_assert_gt(source_test_dirs_recalled(), dirs0, "no folder listing was ever recalled");
	new_folders = false;
}

TestSuite(state, .init = setup, .fini = teardown, .timeout = 240);

Test(state, random_changes_equal_a_fresh_read)
{
	property(1, 150, false);
	/* not vacuous: the scans' records went to the spill file until saved */
	cr_assert_gt(state_spilled_bytes(), 0, "no records were kept on disk until the save");
}

/* More sequences: lines appended on top of the model's image must come where a whole read
 * reads them, which some sequences only reach after many steps. */
Test(state, random_changes_equal_a_fresh_read_more_sequences)
{
	for (unsigned seed = 2; seed < 6; seed++) {
		teardown();
		setup();
		property(seed * 31, 150, seed % 2);
	}
}

Test(state, random_changes_equal_a_fresh_read_when_stats_are_trusted)
{
	/* every stat counts at once, so the unchanged files skip even the window reads; and the
	 * saved folders' and files' stats go on a thread however few, racing the walk that uses
	 * them (a folder it reaches first it stats itself) */
	source_test_mark_racy(0);
	state_test_stat_thread_min(0);
	uint64_t same0 = state_unchanged_models(), loads0 = state_image_loads(), seen0 = source_test_dirs_seen();
	uint64_t kept0 = source_test_kept_unchanged();
	property(7, 150, true);
	state_test_stat_thread_min(256);
	cr_assert_gt(source_test_dirs_seen(), seen0, "no listing went by a folder stat taken on the thread");
	cr_assert_gt(source_test_kept_unchanged(), kept0, "no unchanged tree was told from its kept listings alone");
	/* not vacuous: the image stood for an unchanged tree whole in some runs, and in others
	 * the scan read on top of it */
	cr_assert_gt(state_unchanged_models(), same0, "no run found the tree unchanged and took the image whole");
	cr_assert_gt(kept_blocks_used, 0, "no report used the blocks kept with the image");
	cr_assert_gt(state_image_loads() - loads0, state_unchanged_models() - same0,
		     "every image load was an unchanged tree's");
	/* and the status digest answered some runs (and a fresh read the others) */
	cr_assert_gt(status_hits, 0, "status never came from the state's digest (%llu runs)", (unsigned long long)status_runs);
	cr_assert_lt(status_hits, status_runs, "status always came from the digest");
}

/* ---- specific cases ------------------------------------------------------------------------ */

static void base_tree(void)
{
	rng = 99;
	nfiles = 0;
	for (int k = 0; k < 5; k++)
		new_file(k >= 3);
	for (int k = 0; k < 5; k++)
		append(k, 20, false);
}

Test(state, appended_rewritten_and_deleted_files)
{
	base_tree();
	check_equal();
	uint64_t rec = check_equal();
	cr_assert_eq(rec, 5, "every file recalled on an unchanged tree (%llu)", (unsigned long long)rec);
	append(0, 3, false);
	rewrite(1);
	unlink(files[2].path);
	files[2].exists = false;
	rec = check_equal();
	cr_assert_geq(rec, 3);
}

/* ---- folder listings ------------------------------------------------------------------------ */

/* Stamp every folder of the tree with mtime `at` (seconds since the epoch). */
static void stamp_folders(long at)
{
	char cmd[2048];
	snprintf(cmd, sizeof cmd, "find %s %s -type d -exec touch -m -d @%ld {} +", claude, codex, at);
	cr_assert_eq(system(cmd), 0);
}

/* The files of the tree under `dir` are gone (moved or deleted with it). */
static void forget_under(const char *dir)
{
	for (int i = 0; i < nfiles; i++)
		if (strncmp(files[i].path, dir, strlen(dir)) == 0)
			files[i].exists = false;
}

/* A listing taken before its folder's clock moved past the folder's last change is never kept
 * (a file made just after it, within the same tick, could leave the folder's stat as it was);
 * one taken after is, and files made in the same second as it are seen. */
Test(state, a_file_made_within_the_listings_tick_is_seen)
{
	base_tree();
	/* every folder changed, by its stamp, a minute from now: no listing is after it */
	stamp_folders((long)time(NULL) + 60);
	uint64_t d0 = source_test_dirs_recalled();
	check_equal();
	check_equal();
	cr_assert_eq(source_test_dirs_recalled(), d0, "a listing within its folder's tick was kept");
	new_file(false);
	check_equal();
	/* stamped in the past: listings taken from the next tick on are kept and used */
	stamp_folders((long)time(NULL) - 60);
	usleep(50 * 1000);
	check_equal();
	check_equal();
	cr_assert_gt(source_test_dirs_recalled(), d0, "no listing was kept once its folder's tick was past");
	/* new files in a listed folder right after each listing (the same second, often the same
	 * tick): every one is seen */
	for (int k = 0; k < 6; k++) {
		new_file(k % 3 == 2);
		check_equal();
	}
}

/* The unchanged check told from the kept listings alone (no folder listed): a transcript made
 * later in a kept folder (the folder's stat is all that tells) and one appended to (its own
 * stat) each reach `status` and the report, with the stats on a thread or not. */
Test(state, a_change_under_kept_listings_reaches_status)
{
	for (int threaded = 0; threaded < 2; threaded++) {
		teardown();
		setup();
		state_test_stat_thread_min(threaded ? 0 : 256);
		source_test_mark_racy(0);
		base_tree();
		/* archived Codex sessions: one the sessions/ copy shadows, one of its own */
		char cmd[4096];
		snprintf(cmd, sizeof cmd,
			 "mkdir -p %s/archived_sessions/2025/11/10 && cp '%s' %s/archived_sessions/2025/11/10/ && "
			 "cp '%s' %s/archived_sessions/2025/11/10/rollout-2025-11-10T09-59-00-99999999.jsonl",
			 codex, files[3].path, codex, files[4].path, codex);
		cr_assert_eq(system(cmd), 0);
		check_equal();
		usleep(50 * 1000);
		check_equal(); /* the listings are kept, the image written */
		uint64_t k0 = source_test_kept_unchanged();
		status_equal();
		cr_assert_gt(source_test_kept_unchanged(), k0, "an unchanged tree went through the full walk");
		cr_assert_gt(status_hits, 0, "status did not come from the digest");
		char before[4096], after[4096];
		struct buf b = {0};
		bool hit;
		status_run(true, T0 + MIN(45), &b, &hit);
		snprintf(before, sizeof before, "%s", buf_cstr(&b));
		new_file(false); /* into -home-dev-api, a kept folder */
		status_equal();
		b.len = 0;
		status_run(true, T0 + MIN(45), &b, &hit);
		snprintf(after, sizeof after, "%s", buf_cstr(&b));
		cr_assert_str_neq(before, after, "the new transcript did not change the status line: no test");
		check_equal();
		usleep(50 * 1000);
		check_equal();
		append(0, 3, false);
		status_equal();
		check_equal();
		buf_free(&b);
	}
	state_test_stat_thread_min(256);
}

/* A folder replaced by another of the same name (moved away, or deleted: its inode may come
 * back), a file renamed and one deleted inside a listed folder: each seen as a fresh listing
 * sees it. */
Test(state, a_folder_replaced_by_another_of_the_same_name)
{
	base_tree();
	check_equal();
	usleep(50 * 1000);
	check_equal(); /* the listings are kept */
	uint64_t d0 = source_test_dirs_recalled();
	check_equal();
	cr_assert_gt(source_test_dirs_recalled(), d0, "no listing was recalled");
	char dir[600], cmd[2048];
	snprintf(dir, sizeof dir, "%s/projects/-home-dev-api", claude);
	snprintf(cmd, sizeof cmd, "mv %s %s/old-api && mkdir %s", dir, root, dir);
	cr_assert_eq(system(cmd), 0);
	forget_under(dir);
	new_file(false);
	new_file(false);
	check_equal();
	usleep(50 * 1000);
	check_equal();
	snprintf(cmd, sizeof cmd, "rm -rf %s && mkdir %s", dir, dir);
	cr_assert_eq(system(cmd), 0);
	forget_under(dir);
	new_file(false);
	check_equal();
	usleep(50 * 1000);
	check_equal();
	/* renamed, then deleted, inside the folder */
	int i = nfiles - 1;
	snprintf(cmd, sizeof cmd, "mv %s %s/renamed-0000-aaaa-bbbb-cccc.jsonl", files[i].path, dir);
	cr_assert_eq(system(cmd), 0);
	snprintf(files[i].path, sizeof files[i].path, "%s/renamed-0000-aaaa-bbbb-cccc.jsonl", dir);
	check_equal();
	unlink(files[i].path);
	files[i].exists = false;
	check_equal();
}

Test(state, the_folder_is_private_and_no_state_leaves_it_alone)
{
	base_tree();
	struct buf b = {0};
	report(false, &b, NULL);
	char d[1024];
	snprintf(d, sizeof d, "%s/cachetop", cache);
	struct stat st;
	cr_assert_neq(stat(d, &st), 0, "--no-state wrote a state");
	report(true, &b, NULL);
	cr_assert_eq(stat(d, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0700);
	char *p = state_file();
	cr_assert_not_null(p);
	cr_assert_eq(stat(p, &st), 0);
	cr_assert_eq(st.st_mode & 0077, 0, "the state file is private");
	free(p);
	buf_free(&b);
}

Test(state, a_state_inside_a_root_is_never_written)
{
	base_tree();
	char c[1024];
	snprintf(c, sizeof c, "%s/projects/cache", claude);
	setenv("XDG_CACHE_HOME", c, 1);
	struct buf b = {0};
	report(true, &b, NULL);
	report(true, &b, NULL);
	struct stat st;
	cr_assert_neq(stat(c, &st), 0, "a folder was made under a transcript root");
	/* and through a symlink that leads there */
	char link[512];
	snprintf(link, sizeof link, "%s/cache-link", root);
	snprintf(c, sizeof c, "%s/projects", claude);
	cr_assert_eq(symlink(c, link), 0);
	snprintf(c, sizeof c, "%s/deeper/cache", link);
	setenv("XDG_CACHE_HOME", c, 1);
	report(true, &b, NULL);
	snprintf(c, sizeof c, "%s/projects/deeper", claude);
	cr_assert_neq(stat(c, &st), 0, "a folder was made under a transcript root through a link");
	buf_free(&b);
}

Test(state, a_damaged_record_is_read_again_not_trusted)
{
	source_test_dirs_racy(3600 * 1000000000LL); /* no folder listings between records and image */
	base_tree();
	check_equal();
	char *p = state_file();
	cr_assert_not_null(p);
	/* damage the last byte of the records (the model's image, after them, is dropped first: it
	 * would stand in for them): the meta hash holds, the records' does not */
	int fd = open(p, O_RDWR);
	struct stat st;
	cr_assert_eq(fstat(fd, &st), 0);
	uint64_t image = 0, dirs = 0;
	cr_assert_eq(pread(fd, &image, 8, 64), 8); /* the header's image length */
	cr_assert_eq(pread(fd, &dirs, 8, 72), 8);  /* the header's folder listings' length */
	cr_assert_eq(dirs, 0);
	cr_assert_gt(image, 0, "no model image was saved");
	uint64_t zero = 0, len;
	cr_assert_eq(pread(fd, &len, 8, 40), 8); /* the header's file length */
	len -= image;
	cr_assert_eq(pwrite(fd, &zero, 8, 64), 8);
	cr_assert_eq(pwrite(fd, &len, 8, 40), 8);
	cr_assert_eq(ftruncate(fd, (off_t)len), 0);
	/* the records' last byte: before the up to 7 zero bytes that aligned the image (a record
	 * that ends in zeros is still damaged by flipping one of them) */
	unsigned char c;
	off_t at = (off_t)len - 1;
	for (int k = 0; k < 7; k++, at--) {
		cr_assert_eq(pread(fd, &c, 1, at), 1);
		if (c)
			break;
	}
	cr_assert_eq(pread(fd, &c, 1, at), 1);
	c ^= 0x40;
	cr_assert_eq(pwrite(fd, &c, 1, at), 1);
	close(fd);
	free(p);
	uint64_t rec = check_equal();
	cr_assert_eq(rec, 4, "the file with the damaged records was read whole (%llu recalled)", (unsigned long long)rec);
}

/* The state file is mapped while read; cut short under a reader by something other than cachetop
 * (which only ever renames whole files), the reader ends with a message naming it, not a crash. */
Test(state, a_state_file_cut_short_under_a_reader_ends_with_a_message)
{
	base_tree();
	check_equal();
	char *p = state_file();
	cr_assert_not_null(p);
	char errpath[400];
	snprintf(errpath, sizeof errpath, "%s/child.err", root);
	fflush(NULL);
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		int fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, STDERR_FILENO);
		state_test_map_min(1); /* map every range, however small */
		struct app a;
		tree_app(&a, true, T0 + MIN(60 * 24));
		struct state *st = state_open(&a);
		if (!st || !state_loaded(st))
			_exit(10);
		if (truncate(p, 0) != 0)
			_exit(11);
		struct model *m = model_new(&a.mopts);
		struct line_sink sink;
		state_sink(st, m, &sink); /* reads the table: past the end now */
		_exit(12);
	}
	int ws = 0;
	cr_assert_eq(waitpid(pid, &ws, 0), pid);
	cr_assert(WIFEXITED(ws), "the reader was killed by signal %d", WIFSIGNALED(ws) ? WTERMSIG(ws) : 0);
	cr_assert_eq(WEXITSTATUS(ws), 3, "the reader's exit status: %d", WEXITSTATUS(ws));
	char msg[1024] = "";
	FILE *f = fopen(errpath, "r");
	cr_assert_not_null(f);
	size_t got = fread(msg, 1, sizeof msg - 1, f);
	msg[got] = '\0';
	fclose(f);
	cr_assert(strstr(msg, "was cut short") && strstr(msg, p), "the message: %s", msg);
	free(p);
	/* and the next run reads the tree whole, equal to a fresh read */
	check_equal();
}

/* The model's image stands in for the records when no file changed, and when files only grew;
 * a damaged one is refused (the records serve) and written again at once. */
Test(state, the_model_image_is_used_and_a_damaged_one_refused)
{
	base_tree();
	check_equal();
	uint64_t loads = state_image_loads();
	check_equal();
	cr_assert_eq(state_image_loads(), loads + 1, "an unchanged tree did not start from the image");
	/* the file that sorts last grew (Claude file i starts at minute 7i, Codex file i at minute
	 * i): read on top of the image */
	append(2, 2, false);
	check_equal();
	cr_assert_eq(state_image_loads(), loads + 2, "a tree whose last file grew did not start from it");
	cr_assert_eq(state_image_refusals(), 0, "the image was refused when the last file grew");
	/* a byte in the middle of the image */
	char *p = state_file();
	int fd = open(p, O_RDWR);
	struct stat st;
	cr_assert_eq(fstat(fd, &st), 0);
	uint64_t image = 0;
	cr_assert_eq(pread(fd, &image, 8, 64), 8);
	cr_assert_gt(image, 100);
	off_t at = st.st_size - (off_t)image / 2;
	unsigned char c;
	cr_assert_eq(pread(fd, &c, 1, at), 1);
	c ^= 0x10;
	cr_assert_eq(pwrite(fd, &c, 1, at), 1);
	close(fd);
	free(p);
	uint64_t rec = check_equal();
	cr_assert_eq(state_image_loads(), loads + 2, "a damaged image was loaded");
	cr_assert_eq(rec, 5, "the records did not serve instead (%llu recalled)", (unsigned long long)rec);
	check_equal();
	cr_assert_eq(state_image_loads(), loads + 3, "the damaged image was not written again");
	/* an earlier file grew: in a whole read its lines come before the later files', so the
	 * records serve (the image is not even read: a stat of each file tells) */
	uint64_t loaded = state_image_loads();
	append(4, 2, false);
	check_equal();
	cr_assert_eq(state_image_loads(), loaded, "the image was read although an earlier file grew");
	cr_assert_eq(state_image_refusals(), 0);
	/* a deleted file: the image cannot vouch for the tree, the records can; a new image at once */
	unlink(files[1].path);
	files[1].exists = false;
	check_equal();
	cr_assert_eq(state_image_loads(), loaded, "the image was read although a file is gone");
	check_equal();
	cr_assert_eq(state_image_loads(), loaded + 1, "no new image after the deletion");
	/* a new file sorting after all: read on top of the image */
	new_file(false);
	append(nfiles - 1, 3, false);
	check_equal();
	check_equal();
	cr_assert_eq(state_image_refusals(), 0, "a new file sorting last was refused");
	cr_assert_eq(state_image_loads(), loaded + 3);
	/* a new file sorting first (a copy of an old file's start, as a resume writes): the
	 * image is read, then refused by the scan */
	copy_file();
	check_equal();
	cr_assert_eq(state_image_refusals(), 1, "a new file sorting first was not refused");
}

/* Gemini CLI: its JSONL recordings (a line may hold many records) are recalled like any
 * transcript; its legacy whole-file documents never are (read whole, as on every change). */
Test(state, gemini_recordings_recalled_documents_read_whole)
{
	base_tree();
	char cmd[2048];
	snprintf(cmd, sizeof cmd, "cp -r '%s/gemini' '%s'", SAMPLES_DIR, gemini);
	cr_assert_eq(system(cmd), 0);
	check_equal();
	uint64_t rec = check_equal();
	/* base_tree's 5, and the samples' 4 JSONL recordings (one a subagent's); not the .json ones */
	cr_assert_eq(rec, 9, "recalled %llu files", (unsigned long long)rec);
	char p[1024];
	snprintf(p, sizeof p, "%s/tmp/cli/chats/session-2026-11-19T09-00-76e2978d.jsonl", gemini);
	FILE *f = fopen(p, "a");
	cr_assert_not_null(f);
	fputs("{\"id\":\"appended-1\",\"timestamp\":\"2026-11-19T09:58:00.000Z\",\"type\":\"gemini\","
	      "\"content\":\"x\",\"tokens\":{\"input\":45000,\"output\":300,\"cached\":43000,\"thoughts\":20,"
	      "\"tool\":0,\"total\":45320},\"model\":\"gemini-2.5-pro\"}\n"
	      "{\"$set\":{\"summary\":\"Appended\"}}\n", f);
	fclose(f);
	rec = check_equal();
	cr_assert_eq(rec, 9, "the appended recording is recalled, then read on (%llu)", (unsigned long long)rec);
}

/* statusline builds a model of one transcript: the records kept of it, then the rest */
static void one_file_model(const char *path, bool use_state, struct buf *out)
{
	struct app a;
	tree_app(&a, true, T0 + MIN(60 * 24));
	struct model *m = model_new(&a.mopts);
	uint32_t f = model_file_add(m, AGENT_CLAUDE, path, false);
	uint64_t from = 0;
	if (use_state) {
		struct state *st = state_open(&a);
		from = state_recall_file(st, m, f, path);
		state_close(st);
		cr_assert_gt(from, 0, "nothing recalled for %s", path);
	}
	struct line_sink sink;
	app_model_sink(m, &sink);
	cr_assert_eq(source_read_file(AGENT_CLAUDE, path, from, &sink, f), 0);
	struct report_ctx c = {.now = a.now_override};
	out->len = 0;
	report_json(m, &c, out);
	model_free(m);
	app_free(&a);
}

Test(state, one_transcript_from_its_kept_records)
{
	base_tree();
	check_equal(); /* writes the state */
	append(0, 4, true); /* and a cut line after it */
	struct buf fresh = {0}, warm = {0};
	one_file_model(files[0].path, false, &fresh);
	one_file_model(files[0].path, true, &warm);
	cr_assert_str_eq(warm.data, fresh.data);
	buf_free(&fresh);
	buf_free(&warm);
}

/* ---- followed live ------------------------------------------------------------------------ */

/* The report of the live model, with the same context as report() */
static void live_report(struct live *l, struct buf *out)
{
	struct report_root roots[8];
	struct report_ctx c;
	app_report_ctx(l->a, l->s, roots, 8, &c);
	out->len = 0;
	report_json(l->m, &c, out);
}

static void live_start(struct app *a, struct live *l, bool use_state)
{
	*a = (struct app){0};
	a->argv0 = CACHETOP_BIN;
	a->since_ms = CT_TIME_NONE;
	a->now_override = T0 + MIN(60 * 24);
	a->dirs[AGENT_CLAUDE] = malloc(sizeof(char *));
	a->dirs[AGENT_CLAUDE][a->ndirs[AGENT_CLAUDE]++] = strdup(claude);
	a->dirs[AGENT_CODEX] = malloc(sizeof(char *));
	a->dirs[AGENT_CODEX][a->ndirs[AGENT_CODEX]++] = strdup(codex);
	a->no_state = !use_state;
	app_load(a);
	char err[256];
	cr_assert_eq(live_open(l, a, NULL, err, sizeof err), 0);
}

/* A dashboard's life with the state — it starts from it, tails, rebuilds when lines came out
 * of order (recalling from the state), saves and follows its own file, meets a damaged or
 * foreign state — against the same life without it: at every step both models report the
 * same, and a start from what it saved equals a fresh read of the final tree. (Whether the
 * live model equals a fresh read at every step is the live path's own matter, tested with it.) */
static void live_property(unsigned seed, int steps)
{
	rng = seed;
	nfiles = 0;
	new_folders = true;
	for (int k = 0; k < 4; k++)
		new_file(k == 3);
	check_equal(); /* a state to start from */
	struct app a, b;
	struct live with, without;
	live_start(&a, &with, true);
	live_start(&b, &without, false);
	cr_assert_not_null(with.st);
	cr_assert_gt(source_stats(with.s)->recalled, 0, "the live start did not use the state");
	struct buf x = {0}, y = {0};
	for (int s = 0; s < steps; s++) {
		step(false);
		if (rnd(4) == 0)
			damage_state(rnd(2));
		/* read every change now (the watches would, a little later) */
		source_rescan(with.s);
		source_rescan(without.s);
		live_process(&with, 1000 * (int64_t)(s + 1));
		live_process(&without, 1000 * (int64_t)(s + 1));
		if (rnd(3) == 0)
			state_save(with.st, with.s, true); /* and follow the file written */
		live_report(&with, &x);
		live_report(&without, &y);
		if (getenv("STATE_TRACE") && (x.len != y.len || memcmp(x.data, y.data, y.len))) {
			FILE *f1 = fopen("/tmp/st-live.json", "w"), *f2 = fopen("/tmp/st-fresh.json", "w");
			fwrite(x.data, 1, x.len, f1);
			fwrite(y.data, 1, y.len, f2);
			fclose(f1);
			fclose(f2);
			fprintf(stderr, "rebuilds %llu %llu\n", (unsigned long long)with.rebuilds, (unsigned long long)without.rebuilds);
		}
		cr_assert_eq(x.len, y.len, "step %d: the live model with the state differs", s);
		cr_assert(memcmp(x.data, y.data, y.len) == 0, "step %d: the live model with the state differs", s);
	}
	live_close(&with); /* saves */
	live_close(&without);
	check_equal();
	buf_free(&x);
	buf_free(&y);
	app_free(&a);
	app_free(&b);
}

Test(state, followed_live_with_saves_as_without_the_state)
{
	live_property(3, 120);
}

/* ---- through the program, on the bundled samples (Claude, Codex, Gemini with its whole JSON
 * documents) ---------------------------------------------------------------------------------- */

static void run_report(const char *tree, bool use_state, struct buf *out)
{
	char cmd[4096];
	snprintf(cmd, sizeof cmd,
		 "'%s' report --json --now 2026-11-21T00:00:00Z --claude-dir '%s/claude' --codex-dir '%s/codex' "
		 "--gemini-dir '%s/gemini'%s",
		 CACHETOP_BIN, tree, tree, tree, use_state ? "" : " --no-state");
	FILE *p = popen(cmd, "r");
	cr_assert_not_null(p);
	char chunk[65536];
	size_t n;
	out->len = 0;
	while ((n = fread(chunk, 1, sizeof chunk, p)) > 0)
		buf_append(out, chunk, n);
	cr_assert_eq(pclose(p), 0, "%s", cmd);
}

static void samples_equal(const char *tree)
{
	struct buf fresh = {0}, warm = {0};
	run_report(tree, false, &fresh);
	for (int k = 0; k < 2; k++) { /* the run that writes, then one that starts from it */
		run_report(tree, true, &warm);
		cr_assert_eq(warm.len, fresh.len, "run %d differs from a full read", k);
		cr_assert(memcmp(warm.data, fresh.data, fresh.len) == 0, "run %d differs from a full read", k);
	}
	buf_free(&fresh);
	buf_free(&warm);
}

Test(state, the_samples_through_the_program)
{
	char tree[1024], cmd[4096];
	snprintf(tree, sizeof tree, "%s/samples", root);
	snprintf(cmd, sizeof cmd, "cp -r '%s' '%s'", SAMPLES_DIR, tree);
	cr_assert_eq(system(cmd), 0);
	samples_equal(tree);
	/* a line appended to each kind of transcript, and a legacy Gemini document rewritten */
	snprintf(cmd, sizeof cmd,
		 "cd '%s' && for f in $(find claude codex gemini -name '*.jsonl' | sort | head -n 40); do "
		 "tail -n 1 \"$f\" >> \"$f\"; done && "
		 "for f in $(find gemini -name '*.json' ! -name projects.json); do "
		 "sed -i 's/\"sessionId\"/\"sessionId\" /' \"$f\"; done",
		 tree);
	cr_assert_eq(system(cmd), 0);
	samples_equal(tree);
}

static ino_t state_ino(void)
{
	char *p = state_file();
	struct stat st;
	ino_t ino = p && stat(p, &st) == 0 ? st.st_ino : 0;
	free(p);
	return ino;
}

/* A dashboard that starts and quits with nothing new leaves the state as it is: the folders it
 * lists again to watch them are the listings the state keeps (it wrote the whole file again at
 * every quit before). */
Test(state, a_dashboard_with_nothing_new_writes_nothing)
{
	source_test_mark_racy(0); /* every mark trusted at once: no settling to save */
	base_tree();
	/* a listing taken in the clock tick of its folder's last change is not kept (setup): one
	 * taken that fast by check_equal would be kept only by the dashboard's start, which then
	 * has something new to save */
	usleep(50 * 1000);
	check_equal(); /* a state to start from, its listings trusted */
	ino_t before = state_ino();
	cr_assert_neq(before, 0);
	struct app a;
	struct live l;
	live_start(&a, &l, true);
	char err[256];
	cr_assert_eq(source_watch(l.s, err, sizeof err), 0);
	live_close(&l);
	app_free(&a);
	cr_assert_eq(state_ino(), before, "the state was written again with nothing new");
}

Test(state, marks_too_close_to_a_write_are_saved_again_once_settled)
{
	source_test_mark_racy(300 * 1000000LL);
	/* (folder listings are written once they can be trusted too: here, never, so that only the
	 * marks decide) */
	source_test_dirs_racy(3600 * 1000000000LL);
	base_tree();
	struct buf b = {0};
	report(true, &b, NULL); /* read right after the writes: marks checked by content next time */
	ino_t first = state_ino();
	cr_assert_neq(first, 0);
	report(true, &b, NULL);
	cr_assert_eq(state_ino(), first, "nothing changed, nothing settled: no write");
	usleep(400 * 1000);
	report(true, &b, NULL); /* now trusted by their stat: worth a write */
	ino_t settled = state_ino();
	cr_assert_neq(settled, first);
	report(true, &b, NULL);
	cr_assert_eq(state_ino(), settled, "settled marks are not written again");
	buf_free(&b);
}

/* ---- followed live, against a fresh read ----------------------------------------------------- */

/* The live model (no state) after every random change — appends with cut lines, rewrites,
 * truncations, deletions, new and copied files — reports what a fresh read of the tree reports. */
static void live_fresh_property(unsigned seed, int steps)
{
	rng = seed;
	nfiles = 0;
	new_folders = true;
	for (int k = 0; k < 4; k++)
		new_file(k == 3);
	struct app a;
	struct live l;
	live_start(&a, &l, false);
	struct buf x = {0}, y = {0};
	for (int s = 0; s < steps; s++) {
		step(false);
		source_rescan(l.s);
		live_process(&l, 1000 * (int64_t)(s + 1));
		live_report(&l, &x);
		report(false, &y, NULL);
		if (getenv("STATE_TRACE") && (x.len != y.len || memcmp(x.data, y.data, y.len))) {
			char cmd[600];
			snprintf(cmd, sizeof cmd, "rm -rf /tmp/lf-tree; cp -a '%s' /tmp/lf-tree", root);
			if (system(cmd) != 0)
				fprintf(stderr, "copy failed\n");
			FILE *f1 = fopen("/tmp/lf-live.json", "w"), *f2 = fopen("/tmp/lf-fresh.json", "w");
			fwrite(x.data, 1, x.len, f1);
			fwrite(y.data, 1, y.len, f2);
			fclose(f1);
			fclose(f2);
			fprintf(stderr, "rebuilds %llu broken %d\n", (unsigned long long)l.rebuilds, model_order_broken(l.m));
		}
		if (getenv("STEP_TRACE"))
			fprintf(stderr, "  rebuilds %llu\n", (unsigned long long)l.rebuilds);
		cr_assert_eq(x.len, y.len, "seed %u step %d: the live model differs from a fresh read", seed, s);
		cr_assert(memcmp(x.data, y.data, y.len) == 0, "seed %u step %d: the live model differs from a fresh read", seed, s);
	}
	live_close(&l);
	buf_free(&x);
	buf_free(&y);
	app_free(&a);
}

Test(state, followed_live_equals_a_fresh_read)
{
	/* LIVE_SEEDS=N runs more seeds by hand */
	unsigned seeds = getenv("LIVE_SEEDS") ? (unsigned)atoi(getenv("LIVE_SEEDS")) : 6;
	for (unsigned seed = 1; seed <= seeds; seed++)
		live_fresh_property(seed, 120);
}

/* A live model keeps its history where it lies in a private copy of the image (a file of its
 * own, mapped): the state file damaged under it (live_property's steps) never reaches it. And
 * with every range of the state file mapped, however small, every report after changes starts
 * from a model whose dedup ids lie in the state file's mapped image. */
Test(state, live_models_from_a_private_image_and_reports_from_a_mapped_one)
{
	uint64_t priv = state_private_images();
	live_property(5, 120);
	cr_assert_gt(state_private_images(), priv, "no live model took its image as a private copy");
	state_test_map_min(1);
	property(13, 150, false);
	state_test_map_min(64u * 1024);
}

/* A resume's file (a copy of sess-05's first lines, then its own) is there first; the original
 * is written after it. A whole-tree read takes the original first (the same start, it ends
 * first): the live model must read the tree again rather than keep the copy's ownership. */
Test(state, an_original_written_after_its_copy)
{
	rng = 7;
	nfiles = 0;
	/* the copy (a resume of sess-05 continuing in its own file) exists first */
	char b[8192];
	int i = 11;
	struct tfile *f = &files[i];
	memset(f, 0, sizeof *f);
	snprintf(f->path, sizeof f->path, "%s/projects/-home-dev-api/%08d-copy-bbbb-cccc-%012d.jsonl", claude, i, i);
	char cmd[2048];
	snprintf(cmd, sizeof cmd, "mkdir -p %s/projects/-home-dev-api", claude);
	cr_assert_eq(system(cmd), 0);
	FILE *o = fopen(f->path, "w");
	struct cl c0 = {.sid = "sess-05", .uuid = "u-10-0-0", .parent = NULL, .msg = "msg_10_0_0", .req = "req_10_0_0",
			.t = T0 + MIN(70), .in = 3, .c5 = 200, .cr = 30000, .out = 40};
	struct cl c1 = c0;
	c1.uuid = "u-10-0-1";
	c1.parent = "u-10-0-0";
	c1.t += 30000;
	struct cl c2 = c0;
	c2.uuid = "u-11-0-100";
	c2.parent = "u-11-0-99";
	c2.msg = "msg_11_0_50";
	c2.req = "req_11_0_50";
	c2.t = T0 + MIN(127);
	size_t n;
	n = cl_assistant(b, sizeof b, &c0); fwrite(b, 1, n, o); fputc('\n', o);
	n = cl_assistant(b, sizeof b, &c1); fwrite(b, 1, n, o); fputc('\n', o);
	n = cl_assistant(b, sizeof b, &c2); fwrite(b, 1, n, o); fputc('\n', o);
	fclose(o);
	struct app a;
	struct live l;
	live_start(&a, &l, false);
	struct buf x = {0}, y = {0};
	/* then the original is written */
	snprintf(cmd, sizeof cmd, "%s/projects/-home-dev-api/%08d-aaaa-bbbb-cccc-%012d.jsonl", claude, 10, 10);
	o = fopen(cmd, "w");
	n = cl_assistant(b, sizeof b, &c0); fwrite(b, 1, n, o); fputc('\n', o);
	n = cl_assistant(b, sizeof b, &c1); fwrite(b, 1, n, o); fputc('\n', o);
	fclose(o);
	source_rescan(l.s);
	live_process(&l, 1000);
	live_report(&l, &x);
	report(false, &y, NULL);
	cr_assert_eq(l.rebuilds, 1);
	cr_assert_eq(x.len, y.len);
	cr_assert(memcmp(x.data, y.data, y.len) == 0);
	cr_assert_not_null(strstr(y.data, "\"resumed_from\":\"sess-05\""), "the fresh read sees the resume");
	live_close(&l);
	buf_free(&x);
	buf_free(&y);
	app_free(&a);
}
