/* test_agent_paths.c — each agent's transcript path rule, asked through the agent table as the
 * source asks it: which files below a transcript folder are transcripts, which are sub-agents',
 * which are documents read whole, which folders are worth listing, and each agent's traps
 * (Claude's subagents/ and agent-*.jsonl, Codex's archived_sessions/ copy, Gemini's chats/ forms
 * and activity logs, opencode's database). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "cachetop/agent.h"

static enum transcript_kind kind(enum agent a, const char *rel)
{
	const struct agent_desc *d = agent_get(a);
	cr_assert_not_null(d->transcript_kind, "%s has no path rule", d->name);
	return d->transcript_kind(rel);
}

static bool dir_listed(enum agent a, const char *rel)
{
	const struct agent_desc *d = agent_get(a);
	return !d->transcript_dir || d->transcript_dir(rel);
}

Test(agent_paths, claude_main_and_subagents)
{
	cr_expect_eq(kind(AGENT_CLAUDE, "-home-u-app/6f1c2a9e.jsonl"), TRANSCRIPT_LINES);
	/* 2.0: agent-<id>.jsonl beside the session; 2.1: <session>/subagents/agent-<id>.jsonl */
	cr_expect_eq(kind(AGENT_CLAUDE, "-home-u-app/agent-1a2b.jsonl"), TRANSCRIPT_SUBAGENT);
	cr_expect_eq(kind(AGENT_CLAUDE, "-home-u-app/6f1c2a9e/subagents/agent-1a2b.jsonl"), TRANSCRIPT_SUBAGENT);
	cr_expect_eq(kind(AGENT_CLAUDE, "-home-u-app/6f1c2a9e/subagents/workflows/w1/x.jsonl"), TRANSCRIPT_SUBAGENT);
	cr_expect_eq(kind(AGENT_CLAUDE, "-home-u-app/6f1c2a9e/subagents/journal.jsonl"), TRANSCRIPT_SUBAGENT);
	/* a project folder called subagents, right below projects/ */
	cr_expect_eq(kind(AGENT_CLAUDE, "subagents/x.jsonl"), TRANSCRIPT_SUBAGENT);
	/* a folder whose name only contains the word is no sub-agent folder */
	cr_expect_eq(kind(AGENT_CLAUDE, "-home-u-mysubagents/x.jsonl"), TRANSCRIPT_LINES);
	cr_expect_eq(kind(AGENT_CLAUDE, "-home-u-app/6f1c2a9e/subagents/agent-1a2b.meta.json"), TRANSCRIPT_NONE);
	cr_expect_eq(kind(AGENT_CLAUDE, "-home-u-app/notes.txt"), TRANSCRIPT_NONE);
	cr_expect_eq(kind(AGENT_CLAUDE, "-home-u-app/.jsonl"), TRANSCRIPT_NONE, "a bare extension names no file");
	cr_expect_eq(kind(AGENT_CLAUDE, "-home-u-app/x.jsonl.bak"), TRANSCRIPT_NONE);
	cr_expect_eq(kind(AGENT_CLAUDE, ""), TRANSCRIPT_NONE);
	cr_expect(dir_listed(AGENT_CLAUDE, "-home-u-app/6f1c2a9e/subagents"));
}

Test(agent_paths, codex_sessions_and_archive)
{
	const struct agent_desc *d = agent_get(AGENT_CODEX);
	cr_expect_eq(kind(AGENT_CODEX, "2026/11/20/rollout-2026-11-20T09-00-00-0199.jsonl"), TRANSCRIPT_LINES);
	/* archived_sessions/ keeps flat copies: the same rule, below the second folder */
	cr_assert_not_null(d->root_sub2);
	cr_expect_str_eq(d->root_sub2, "/archived_sessions");
	cr_expect_eq(kind(AGENT_CODEX, "rollout-2026-11-20T09-00-00-0199.jsonl"), TRANSCRIPT_LINES);
	/* sub-agents are marked inside the file, never by the path */
	cr_expect_eq(kind(AGENT_CODEX, "2026/11/20/subagents/agent-x.jsonl"), TRANSCRIPT_LINES);
	cr_expect_eq(kind(AGENT_CODEX, "2026/11/20/rollout.json"), TRANSCRIPT_NONE);
	cr_expect(dir_listed(AGENT_CODEX, "2026/11"));
}

Test(agent_paths, gemini_chats_forms_and_logs)
{
	static const char sid[] = "5d2c1e0a-1111-2222-3333-444455556666";
	char p[256];
	cr_expect_eq(kind(AGENT_GEMINI, "api/chats/session-2026-11-20T10-00-5d2c1e0a.jsonl"), TRANSCRIPT_LINES);
	cr_expect_eq(kind(AGENT_GEMINI, "api/chats/session-2026-11-20T10-00-5d2c1e0a.json"), TRANSCRIPT_WHOLE);
	snprintf(p, sizeof p, "api/chats/%s/investigator-1.jsonl", sid);
	cr_expect_eq(kind(AGENT_GEMINI, p), TRANSCRIPT_SUBAGENT);
	/* a sub-agent's folder holds JSONL only, one level deep */
	snprintf(p, sizeof p, "api/chats/%s/x.json", sid);
	cr_expect_eq(kind(AGENT_GEMINI, p), TRANSCRIPT_NONE);
	snprintf(p, sizeof p, "api/chats/%s/deeper/x.jsonl", sid);
	cr_expect_eq(kind(AGENT_GEMINI, p), TRANSCRIPT_NONE);
	/* activity logs are session-*.jsonl too, outside chats/ */
	cr_expect_eq(kind(AGENT_GEMINI, "api/logs/session-2026-11-20.jsonl"), TRANSCRIPT_NONE);
	cr_expect_eq(kind(AGENT_GEMINI, "api/session-x.jsonl"), TRANSCRIPT_NONE);
	cr_expect_eq(kind(AGENT_GEMINI, "api/chats/x.json.tmp-123"), TRANSCRIPT_NONE, "a write in progress");
	cr_expect(dir_listed(AGENT_GEMINI, ""));
	cr_expect(dir_listed(AGENT_GEMINI, "api/chats"));
	cr_expect(!dir_listed(AGENT_GEMINI, "api/logs"), "only folders that can hold recordings are watched");
	/* its legacy document starts with startTime; the generic peek would find nothing */
	static const char doc[] = "{\n  \"sessionId\": \"s\",\n  \"projectHash\": \"h\",\n"
				  "  \"startTime\": \"2026-11-20T10:00:00.000Z\",\n  \"messages\": [";
	int64_t ms = 0;
	cr_assert_not_null(agent_get(AGENT_GEMINI)->peek_first_ts);
	cr_expect_eq(agent_get(AGENT_GEMINI)->peek_first_ts(doc, strlen(doc), &ms), 0);
	cr_expect_eq(ms, 1795168800000LL);
}

Test(agent_paths, every_row_says_where_its_transcripts_are)
{
	for (int a = 0; a < AGENT_COUNT; a++) {
		const struct agent_desc *d = agent_get((enum agent)a);
		/* a root with no transcript files goes to the database reader: only opencode's */
		cr_expect_eq(d->transcript_kind == NULL, a == AGENT_OPENCODE, "%s", d->name);
		cr_expect(d->root_sub[0] == '/' && (!d->root_sub2 || d->root_sub2[0] == '/'), "%s", d->name);
	}
	cr_expect_eq(transcript_kind_jsonl("a/b/c.jsonl"), TRANSCRIPT_LINES);
	cr_expect_eq(transcript_kind_jsonl("c.jsonl"), TRANSCRIPT_LINES);
	cr_expect_eq(transcript_kind_jsonl("a/.jsonl"), TRANSCRIPT_NONE);
	cr_expect_eq(transcript_kind_jsonl("a.jsonl/b"), TRANSCRIPT_NONE);
}
