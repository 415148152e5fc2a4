/* test_evidence.c — the evidence words (design.md "Evidence, not guesses"), one rule each, on the
 * fixture tree tests/data/evidence (lines in the shapes Claude Code writes, attachment lines
 * included): a recurring 21,460-token read (messages_rewritten), a resume by an updated Claude
 * Code (agent_updated), three MCP tools gone (tools_changed), a 5-minute write in a 1-hour
 * session (ttl_downgraded), Claude Code's own ledger (agent_reported, and where it disagrees).
 * Each word is also shown absent where its rule does not hold, and the words of one event alone
 * equal those of the whole set, whatever order the project's files were read in. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cachetop/evidence.h"
#include "cachetop/ledger.h"
#include "cachetop/model.h"
#include "cachetop/statusline.h"
#include "cachetop/timefmt.h"
#include "cachetop/util.h"
#include "fixture.h"

#define EV_DIR TEST_DATA "/evidence/claude/projects/"
static const char *const FILE_A = EV_DIR "-home-dev-api/aaaaaaaa-1111-4111-8111-000000000001.jsonl";
static const char *const FILE_B = EV_DIR "-home-dev-api/bbbbbbbb-2222-4222-8222-000000000002.jsonl";
static const char *const FILE_C = EV_DIR "-home-dev-web/cccccccc-3333-4333-8333-000000000003.jsonl";
static const char *const FILE_D = EV_DIR "-home-dev-cli/dddddddd-4444-4444-8444-000000000004.jsonl";

static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	cr_assert_not_null(f, "fixture %s", path);
	fseek(f, 0, SEEK_END);
	long len = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *b = xmalloc((size_t)len + 1);
	cr_assert_eq(fread(b, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	b[len] = 0;
	*n = (size_t)len;
	return b;
}

static struct model *load(const char *const *files) { return fixture_load(AGENT_CLAUDE, files); }

static struct model *load_all(void)
{
	const char *files[] = {FILE_A, FILE_B, FILE_C, FILE_D, NULL};
	return load(files);
}

/* The whole fixture tree and its words, without ledgers (most tests read only these). */
static struct model *fm;
static struct evidence_set fes;
static void all_words(void)
{
	fm = load_all();
	evidence_compute(fm, NULL, &fes);
}
static void all_done(void)
{
	evidence_free(&fes);
	model_free(fm);
}

/* The event of the request at this time (one per fixture time). */
static size_t evenfixture_at(const struct model *m, const char *hms)
{
	int64_t t = fixture_at(hms);
	for (size_t i = 0; i < model_event_count(m); i++)
		if (model_request(m, model_event(m, i)->request)->t == t)
			return i;
	cr_assert_fail("no event at %s", hms);
	return 0;
}

static void ledgers_of_fixture(struct ledger_set *ls)
{
	size_t n;
	char *b = slurp(TEST_DATA "/evidence/statusline.jsonl", &n);
	struct official_reading latest;
	memset(ls, 0, sizeof *ls);
	statusline_state_fold(b, n, &latest, ls);
	free(b);
}

Test(evidence, messages_rewritten_a_recurring_read, .init = all_words, .fini = all_done)
{
	const struct model *m = fm;
	const struct evidence_set *e_s = &fes;
	size_t e1 = evenfixture_at(m, "10:05:02"), e2 = evenfixture_at(m, "10:20:03");
	cr_expect_eq(model_event(m, e1)->cause, CAUSE_UNEXPLAINED_MISS);
	cr_expect(e_s->ev[e1].words & EV_MESSAGES_REWRITTEN, "21,460 read again 15 minutes later");
	cr_expect(e_s->ev[e2].words & EV_MESSAGES_REWRITTEN);
	cr_expect_eq(e_s->ev[e1].floor_tokens, 21460);
	cr_expect_eq(e_s->ev[e2].floor_tokens, 21470);
	/* the other cold requests read nothing that recurs */
	for (size_t i = 0; i < e_s->n; i++)
		if (i != e1 && i != e2)
			cr_expect_not(e_s->ev[i].words & EV_MESSAGES_REWRITTEN, "event %zu", i);
	cr_expect(evidence_same_floor(21460, 21674), "within 1 %% of the larger");
	cr_expect_not(evidence_same_floor(21460, 21700), "1.1 %% apart is another prefix");
}

Test(evidence, messages_rewritten_needs_a_second_request_of_the_project)
{
	/* session A alone keeps both reads; without A, nothing in the project recurs */
	const char *files[] = {FILE_B, FILE_C, FILE_D, NULL};
	struct model *m = load(files);
	struct evidence_set es;
	evidence_compute(m, NULL, &es);
	for (size_t i = 0; i < es.n; i++)
		cr_expect_not(es.ev[i].words & EV_MESSAGES_REWRITTEN);
	evidence_free(&es);
	model_free(m);
}

Test(evidence, agent_updated_across_a_resume, .init = all_words, .fini = all_done)
{
	const struct model *m = fm;
	const struct evidence_set *e_s = &fes;
	size_t e = evenfixture_at(m, "10:25:04");
	cr_expect_eq(model_event(m, e)->cause, CAUSE_RESUME_MISS);
	cr_assert(e_s->ev[e].words & EV_AGENT_UPDATED);
	cr_expect_str_eq(e_s->ev[e].version_from, "2.1.116");
	cr_expect_str_eq(e_s->ev[e].version_to, "2.1.117");
	cr_expect_not(e_s->ev[evenfixture_at(m, "10:20:03")].words & EV_AGENT_UPDATED, "same version on both sides");
	cr_expect_not(e_s->ev[evenfixture_at(m, "10:32:05")].words & EV_AGENT_UPDATED);
}

Test(evidence, tools_changed_between_the_pair, .init = all_words, .fini = all_done)
{
	const struct model *m = fm;
	const struct evidence_set *e_s = &fes;
	size_t e = evenfixture_at(m, "10:32:05");
	cr_expect_eq(model_event(m, e)->cause, CAUSE_UNEXPLAINED_MISS);
	cr_assert(e_s->ev[e].words & EV_TOOLS_CHANGED);
	cr_expect_eq(e_s->ev[e].tools.removed, 3);
	cr_expect_eq(e_s->ev[e].tools.added, 0);
	cr_expect(e_s->ev[e].tools.mcp, "mcp__ names");
	/* A's tool list came before its first request: no predecessor, nothing changed between */
	cr_expect_not(e_s->ev[evenfixture_at(m, "10:05:02")].words & EV_TOOLS_CHANGED);
	cr_expect_not(e_s->ev[evenfixture_at(m, "10:00:06")].words & EV_TOOLS_CHANGED);
}

Test(evidence, ttl_downgraded_after_one_hour_writes, .init = all_words, .fini = all_done)
{
	const struct model *m = fm;
	const struct evidence_set *e_s = &fes;
	size_t e1 = evenfixture_at(m, "11:02:00"), e2 = evenfixture_at(m, "11:10:00");
	cr_expect(e_s->ev[e1].words & EV_TTL_DOWNGRADED, "it wrote 5m after 1h writes");
	cr_expect_eq(model_event(m, e2)->cause, CAUSE_TTL_EXPIRY, "8 minutes after a 5-minute write");
	cr_expect(e_s->ev[e2].words & EV_TTL_DOWNGRADED, "its predecessor wrote 5m");
	cr_expect_not(e_s->ev[evenfixture_at(m, "11:00:05")].words & EV_TTL_DOWNGRADED, "nothing written before it");
	cr_expect_not(e_s->ev[evenfixture_at(m, "10:05:02")].words & EV_TTL_DOWNGRADED, "1-hour writes throughout");
}

Test(evidence, agent_reported_and_disagreements)
{
	struct model *m = load_all();
	struct ledger_set ls;
	ledgers_of_fixture(&ls);
	cr_assert_eq(ls.n, 1);
	struct evidence_set es;
	evidence_compute(m, &ls, &es);
	size_t e1 = evenfixture_at(m, "10:05:02"), e2 = evenfixture_at(m, "10:20:03");
	cr_expect(es.ev[e1].words & EV_AGENT_REPORTED);
	cr_expect_eq(es.ev[e1].ledger, LEDGER_COUNTED);
	cr_expect_str_eq(es.ev[e1].ledger_causes, "messages_rewritten");
	cr_expect_not(es.ev[e2].words & EV_AGENT_REPORTED);
	cr_expect_eq(es.ev[e2].ledger, LEDGER_NOT_COUNTED, "its ledger timed both its misses, not this one");
	cr_expect_eq(es.ev[evenfixture_at(m, "10:32:05")].ledger, LEDGER_UNKNOWN, "no ledger for that session");

	struct ledger_compare c;
	int32_t si = model_session_find(m, "aaaaaaaa-1111-4111-8111-000000000001");
	evidence_ledger_compare(m, ledger_set_find(&ls, "aaaaaaaa-1111-4111-8111-000000000001"), (uint32_t)si, &es, &c);
	cr_expect(c.present);
	cr_expect_eq(c.requests, 7);
	cr_expect_eq(c.cold, 3);
	cr_expect_eq(c.comparable, 2, "a first request is no miss for Claude Code");
	cr_expect_eq(c.counted, 1);
	cr_expect_eq(c.ours_only, 1);
	cr_expect_eq(c.ours_only_at, fixture_at("10:20:03"));
	cr_expect_eq(c.theirs_only, 1, "it counted 10:06:00, a request cachetop saw warm");
	cr_expect_eq(c.theirs_only_at, fixture_at("10:06:00"));

	/* without its ledger, nothing is reported */
	struct evidence_set none;
	evidence_compute(m, NULL, &none);
	for (size_t i = 0; i < none.n; i++) {
		cr_expect_not(none.ev[i].words & EV_AGENT_REPORTED);
		cr_expect_eq(none.ev[i].ledger, LEDGER_UNKNOWN);
	}
	evidence_free(&none);
	evidence_free(&es);
	ledger_set_free(&ls);
	model_free(m);
}

Test(evidence, one_event_alone_equals_the_set)
{
	struct model *m = load_all();
	struct ledger_set ls;
	ledgers_of_fixture(&ls);
	struct evidence_set es;
	evidence_compute(m, &ls, &es);
	cr_assert_gt(es.n, 8);
	for (size_t i = 0; i < es.n; i++) {
		struct event_evidence one;
		evidence_of_event(m, &ls, i, &one);
		cr_expect_eq(one.words, es.ev[i].words, "event %zu", i);
		cr_expect_eq(one.ledger, es.ev[i].ledger, "event %zu", i);
		cr_expect_eq(one.floor_tokens, es.ev[i].floor_tokens, "event %zu", i);
		cr_expect_str_eq(one.ledger_causes, es.ev[i].ledger_causes);
	}
	evidence_free(&es);
	ledger_set_free(&ls);
	model_free(m);
}

/* Words by the request's time, so models fed in different orders can be compared. */
static unsigned words_at(const struct model *m, const struct evidence_set *es, const char *hms)
{
	return es->ev[evenfixture_at(m, hms)].words;
}

Test(evidence, independent_of_reading_order)
{
	const char *a[] = {FILE_A, FILE_B, FILE_C, FILE_D, NULL};
	const char *b[] = {FILE_D, FILE_C, FILE_A, FILE_B, NULL};
	struct model *ma = load(a), *mb = load(b);
	struct evidence_set ea, eb;
	evidence_compute(ma, NULL, &ea);
	evidence_compute(mb, NULL, &eb);
	cr_assert_eq(ea.n, eb.n);
	const char *times[] = {"10:05:02", "10:20:03", "10:25:04", "10:32:05", "11:02:00", "11:10:00"};
	for (size_t i = 0; i < sizeof times / sizeof times[0]; i++)
		cr_expect_eq(words_at(ma, &ea, times[i]), words_at(mb, &eb, times[i]), "at %s", times[i]);
	evidence_free(&ea);
	evidence_free(&eb);
	model_free(ma);
	model_free(mb);
}

Test(evidence, replayed_attachments_are_not_changes)
{
	/* a resumed file that copies A's lines (its tool list among them) is not a tool change */
	struct model_opts o;
	model_opts_default(&o);
	struct model *m = model_new(&o);
	fixture_feed(m, AGENT_CLAUDE, FILE_A);
	/* the replayed prefix, then B's own lines, in one file */
	uint32_t f = model_file_add(m, AGENT_CLAUDE, "/copy/bbbbbbbb-2222-4222-8222-000000000002.jsonl", false);
	fixture_feed_into(m, f, FILE_A);
	fixture_feed_into(m, f, FILE_B);
	struct evidence_set es;
	evidence_compute(m, NULL, &es);
	size_t e = evenfixture_at(m, "10:25:04");
	cr_expect_eq(model_event(m, e)->cause, CAUSE_RESUME_MISS);
	cr_expect_not(es.ev[e].words & EV_TOOLS_CHANGED);
	cr_expect(es.ev[e].words & EV_AGENT_UPDATED);
	evidence_free(&es);
	model_free(m);
}
