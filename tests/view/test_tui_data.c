/* test_tui_data.c — what the dashboard derives from the model between frames, brought up to date
 * as lines arrive instead of recomputed from the whole history: every event's evidence words,
 * updated for the new events only (and what they change: earlier misses whose read recurs, a
 * ledger's session), equal evidence_compute's over the same model after every line, with and
 * without Claude Code's ledgers, whatever order the files' lines arrive in. No terminal: the
 * screen state is made but never started. */
#include <criterion/criterion.h>
#include <stdint.h>

#include "../../src/view/tui_private.h"
#include "../core/fixture.h"
#include "cachetop/ledger.h"
#include "cachetop/statusline.h"

#define EV_DIR TEST_DATA "/evidence/claude/projects/"
static const char *const files[] = {
	EV_DIR "-home-dev-api/aaaaaaaa-1111-4111-8111-000000000001.jsonl",
	EV_DIR "-home-dev-api/bbbbbbbb-2222-4222-8222-000000000002.jsonl",
	EV_DIR "-home-dev-web/cccccccc-3333-4333-8333-000000000003.jsonl",
	EV_DIR "-home-dev-cli/dddddddd-4444-4444-8444-000000000004.jsonl",
};
enum { NF = 4 };

struct lines {
	char **v;
	size_t n, next;
};

static void read_lines(const char *path, struct lines *l)
{
	FILE *f = fopen(path, "rb");
	cr_assert_not_null(f, "fixture %s", path);
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	*l = (struct lines){0};
	while ((n = getline(&line, &cap, f)) > 0) {
		l->v = realloc(l->v, (l->n + 1) * sizeof *l->v);
		if (line[n - 1] == '\n')
			line[n - 1] = 0;
		l->v[l->n++] = strdup(line);
	}
	free(line);
	fclose(f);
}

static void same_evidence(struct tui *t, const struct model *m, const struct ledger_set *ls, size_t step)
{
	const struct evidence_set *kept = tui_evidence(t);
	struct evidence_set ref;
	evidence_compute(m, ls, &ref);
	cr_assert_eq(kept->n, ref.n, "step %zu: %zu events kept, %zu in the model", step, kept->n, ref.n);
	for (size_t i = 0; i < ref.n; i++) {
		cr_assert_eq(kept->ev[i].words, ref.ev[i].words, "step %zu, event %zu: words %#x vs %#x", step, i,
			     kept->ev[i].words, ref.ev[i].words);
		cr_assert_eq(kept->ev[i].ledger, ref.ev[i].ledger, "step %zu, event %zu: ledger", step, i);
		cr_assert_eq(kept->ev[i].floor_tokens, ref.ev[i].floor_tokens, "step %zu, event %zu", step, i);
		cr_assert_str_eq(kept->ev[i].ledger_causes, ref.ev[i].ledger_causes, "step %zu, event %zu", step, i);
	}
	evidence_free(&ref);
}

static size_t words_seen;

static void run(uint64_t seed, const struct ledger_set *ls)
{
	struct lines l[NF];
	for (int k = 0; k < NF; k++)
		read_lines(files[k], &l[k]);
	struct model_opts o;
	model_opts_default(&o);
	struct model *m = model_new(&o);
	uint32_t ids[NF];
	for (int k = 0; k < NF; k++)
		ids[k] = model_file_add(m, AGENT_CLAUDE, files[k], false);
	struct tui_opts to = {.ledgers = ls, .no_color = true};
	struct tui *t = tui_new(&to, m);
	uint64_t x = seed;
	size_t left = 0, step = 0;
	for (int k = 0; k < NF; k++)
		left += l[k].n;
	while (left) {
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		int k = (int)((x >> 33) % NF);
		if (l[k].next == l[k].n)
			continue;
		const char *line = l[k].v[l[k].next++];
		model_feed(m, ids[k], line, strlen(line));
		left--;
		same_evidence(t, m, ls, step++);
	}
	const struct evidence_set *e = tui_evidence(t);
	for (size_t i = 0; i < e->n; i++)
		words_seen |= e->ev[i].words;
	tui_free(t);
	model_free(m);
	for (int k = 0; k < NF; k++) {
		for (size_t i = 0; i < l[k].n; i++)
			free(l[k].v[i]);
		free(l[k].v);
	}
}

Test(tui_data, evidence_kept_equals_computed_without_ledgers)
{
	words_seen = 0;
	for (uint64_t seed = 1; seed <= 8; seed++)
		run(seed, NULL);
	cr_assert(words_seen & EV_MESSAGES_REWRITTEN, "the fixture's recurring read is found");
}

Test(tui_data, evidence_kept_equals_computed_with_ledgers)
{
	FILE *f = fopen(TEST_DATA "/evidence/statusline.jsonl", "rb");
	cr_assert_not_null(f);
	char buf[1 << 16];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	struct ledger_set ls = {0};
	struct official_reading latest;
	statusline_state_fold(buf, n, &latest, &ls);
	cr_assert_gt(ls.n, 0);
	words_seen = 0;
	for (uint64_t seed = 11; seed <= 18; seed++)
		run(seed, &ls);
	cr_assert(words_seen & EV_AGENT_REPORTED, "the ledger's counted miss is found");
	ledger_set_free(&ls);
}
