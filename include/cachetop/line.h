/* line.h — one transcript line parsed into a typed record: the only type that crosses from the
 * line parsers to the model. The parsers are pure (no state between lines); everything that
 * needs memory of earlier lines (dedup, lineage, re-emission) lives in the model. */
#ifndef CACHETOP_LINE_H
#define CACHETOP_LINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cachetop/agent.h"
#include "cachetop/util.h"

/* Kinds are named by what the record means; which agents write which is in each agent's parser.
 * Their numeric values are packed into the warm-start state: append, never renumber. */
enum line_kind {
	LINE_SKIP = 0,      /* valid, but nothing cachetop uses (or prefiltered away) */
	LINE_MALFORMED,     /* not a JSON object, or lacks what its type needs */
	LINE_ENTRY,         /* a conversation entry carrying uuid/sessionId; maybe usage */
	LINE_TITLE,         /* a custom, generated or summary title */
	LINE_SESSION_META,  /* a session's metadata line (id, cwd, parent) */
	LINE_TURN_CONTEXT,  /* a turn's context (its model) */
	LINE_TOKEN_COUNT,   /* cumulative and last token counts, with rate limits */
	LINE_COMPACTED,     /* the conversation was compacted */
	LINE_RECORD_HEADER, /* a recording's metadata: the JSONL first line, or a legacy file's top */
	LINE_RECORD_SET,    /* {"$set": {…}}: sessionId, summary, a checkpoint of messages */
	LINE_RECORD_MESSAGE,/* a message record (user, model reply, info…): one version of it */
	LINE_RECORD_REWIND, /* {"$rewindTo": id}: the conversation was cut back (the bill stays) */
	LINE_DB_SESSION,    /* a session read from a database row or a legacy JSON file */
	LINE_DB_MESSAGE,    /* a message from the same: its id, session and, for replies, tokens */
	LINE_KIND_COUNT
};

/* Why a line was skipped or malformed, for counted skips and messages. */
enum line_problem {
	LP_NONE = 0,
	LP_NOT_JSON,       /* not a well-formed JSON object */
	LP_BAD_NUMBER,     /* a token count negative, fractional, huge or not a number */
	LP_MISSING_FIELD,  /* a field the line type needs is absent */
	LP_BAD_TIME,       /* timestamp missing or unparseable where one is needed */
};

/* Token kinds, normalised across agents (report-schema.md):
 * input = uncached input; cache_read; cache_creation = cc5m + cc1h (explicit write tiers only);
 * output. */
struct usage {
	uint64_t input, cache_creation, cc5m, cc1h, cache_read, output;
};

/* A token count line's raw five numbers (a TokenUsage), cumulative or last. */
struct raw_tokens {
	uint64_t input, cached, output, reasoning, total;
};

struct rl_window {
	bool present;
	double used_percent;     /* 0..100 */
	int64_t window_minutes;  /* -1 when unknown */
	int64_t resets_at_ms;    /* CT_TIME_NONE when unknown */
};

/* A rate-limit snapshot in any of the three historical shapes, normalised: resets as absolute
 * times (relative "resets_in_seconds"/"reset_after_seconds" added to the line's timestamp).
 * `individual` is the nested individual_limit window some builds add (a spend control). */
struct rate_limits {
	bool present;
	struct rl_window primary, secondary, individual;
};

/* An attachment line that changes the tool or MCP set between two requests
 * (transcript-formats.md E2): how many names it adds and removes, and the MCP servers it lists
 * as pending (or needing auth) and failed. */
enum tools_kind { TOOLS_NONE = 0, TOOLS_DEFERRED = 1, TOOLS_MCP_INSTRUCTIONS = 2 };
struct tools_delta {
	uint8_t kind;            /* enum tools_kind */
	bool mcp;                /* MCP instructions, mcp__ tool names or MCP servers involved */
	uint16_t added, removed, pending, failed;
};

#define LINE_ID_MAX 96
#define LINE_MODEL_MAX 128
#define LINE_TEXT_MAX 512
#define LINE_PATH_MAX 4096
#define LINE_VERSION_MAX 24
#define LINE_LIMIT_MAX 64

enum title_rank { TITLE_NONE = 0, TITLE_SUMMARY = 1, TITLE_AI = 2, TITLE_CUSTOM = 3 };

struct line {
	enum line_kind kind;
	enum line_problem problem;
	int64_t ts;                      /* CT_TIME_NONE when the line has none */

	/* entry envelope */
	char session_id[LINE_ID_MAX];    /* "" when absent */
	uint64_t uuid, parent_uuid;      /* hashes; 0 when absent/null */
	uint64_t version;                /* hash of "version"; 0 when absent */
	char version_str[LINE_VERSION_MAX]; /* its text, for "updated 2.1.116 → 2.1.117" */
	struct tools_delta tools;        /* attachment lines; kind 0 otherwise */
	uint64_t agent_id;               /* hash of "agentId"; 0 when absent */
	bool sidechain;
	bool compact_boundary;           /* system/compact_boundary */
	char cwd[LINE_PATH_MAX];         /* "" when absent */

	/* entry usage (assistant lines with message.usage) */
	bool has_usage;
	bool synthetic;                  /* isApiErrorMessage or model "<synthetic>": not a request */
	uint64_t msg_id, req_id;         /* hashes; 0 when absent */
	char model[LINE_MODEL_MAX];
	struct usage usage;

	/* Titles (LINE_TITLE) */
	enum title_rank title_rank;
	char title[LINE_TEXT_MAX];
	uint64_t leaf_uuid;              /* summary.leafUuid */

	/* LINE_SESSION_META: session_id, cwd above, plus */
	char parent_id[LINE_ID_MAX];     /* forked_from_id / parent_thread_id / thread_spawn parent */
	bool subagent;                   /* source.subagent (thread_spawn) */

	/* LINE_TURN_CONTEXT: model above */

	/* LINE_RECORD_*: HEADER and SET use session_id, title (summary) and, for SET,
	 * compact_boundary (a checkpoint of messages follows); HEADER sets subagent for a
	 * sub-agent's recording. MESSAGE uses msg_id (hash of its id), model and, for a reply with
	 * tokens, has_usage and usage already normalised (input = input − cached, cache_read =
	 * cached, output = output + thoughts). */

	/* LINE_TOKEN_COUNT */
	bool has_info, has_total, has_last;
	struct raw_tokens total, last;
	struct rate_limits rl;
	char limit_id[LINE_LIMIT_MAX];   /* rate_limits.limit_id ("" absent: the account's) */
	char limit_name[LINE_LIMIT_MAX]; /* rate_limits.limit_name ("" absent or null) */

	/* LINE_DB_*: a record the database reader built from a row or a legacy storage/ file.
	 * Sessions: session_id, parent_id, cwd (directory), title, ts (time_created). Messages:
	 * msg_id (hash of its id), session_id, ts (time_created), cwd (path.cwd), and for an
	 * assistant reply has_usage, model (modelID), compact_boundary (summary: true) and usage as
	 * reported (input excludes the cache; cache_creation = the cache writes, not yet split by
	 * tier; output includes reasoning). */
	bool legacy;                     /* from the <= 1.1 storage/ JSON tree, not the database */
	bool openai_rules;               /* not an Anthropic model: no write premium (OpenAI's rules) */
};

/* Only blanks (spaces, tabs, a '\r'): not a line of the transcript (a trailing newline, CRLF
 * pairs). */
static inline bool line_blank(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r'))
		i++;
	return i == n;
}

/* Parse one line (no trailing newline; a trailing '\r' is tolerated) of the given agent's
 * format into *out (its row's parser). Never fails: problems come back as LINE_MALFORMED with
 * out->problem set. Thread-safe; keeps no state. */
void line_parse(enum agent agent, const char *s, size_t n, struct line *out);

/* Every record a physical line holds, in order, each through emit (out is reused between
 * calls). Most agents: the line itself, as line_parse. An agent whose records embed others (a
 * whole-file document's messages, a checkpoint's messages): the record, then each one it
 * embeds — so one delivered unit may be many records. */
typedef void (*line_emit_fn)(void *ctx, const struct line *ln);
void line_parse_each(enum agent agent, const char *s, size_t n, struct line *out, line_emit_fn emit, void *ctx);

/* A compact copy of a parsed line (only the fields its kind uses), so lines can be parsed on
 * worker threads and applied to the model in order on one thread. */
void line_pack(const struct line *ln, struct buf *out);
/* Read one packed line at p (n bytes available) into *out; returns bytes consumed, 0 on error. */
size_t line_unpack(const char *p, size_t n, struct line *out);

/* The first timestamp found in a buffer holding the start of a transcript (any line type).
 * Used to read files oldest-first so that the copy that counts is the original. Returns 0 and
 * sets *ms, or -1 when no complete line in the buffer has a timestamp. */
int line_peek_first_ts(const char *buf, size_t n, int64_t *ms);
/* The last timestamp in a buffer holding the end of a transcript. */
int line_peek_last_ts(const char *buf, size_t n, int64_t *ms);

#endif
