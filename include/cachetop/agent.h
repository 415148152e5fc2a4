/* agent.h — the agents cachetop reads, as one table: an agent is one row (its names, where its
 * transcripts live, its TTL and cache economics) plus its own parse_<name>.c / model_<name>.c,
 * which its row in core's agent_ops.c names. Code outside an agent's module asks the table,
 * never the name. */
#ifndef CACHETOP_AGENT_H
#define CACHETOP_AGENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum agent { AGENT_CLAUDE = 0, AGENT_CODEX = 1, AGENT_GEMINI = 2, AGENT_OPENCODE = 3, AGENT_COUNT = 4 };

struct model_opts;

/* What a path below one of an agent's transcript folders is, by its rule (agent_transcript_kind). */
enum transcript_kind {
	TRANSCRIPT_NONE = 0,    /* not a transcript: a folder, a log, tool output… */
	TRANSCRIPT_LINES,       /* appended lines (JSONL): tailed */
	TRANSCRIPT_SUBAGENT,    /* the same, a sub-agent's (attributed to its parent session) */
	TRANSCRIPT_WHOLE,       /* one document rewritten whole: read whole on every change */
};

/* Which official limits an agent's account reports, and where from. */
enum agent_limits {
	AGENT_LIMITS_NONE = 0,
	AGENT_LIMITS_STATUSLINE, /* given to the statusline command (rate_limits) and its ledger */
	AGENT_LIMITS_TRANSCRIPT, /* written into the transcripts themselves (limit families) */
};

struct agent_desc {
	enum agent id;
	const char *name;       /* "claude": the JSON "agent" value, the filter, the config stem */
	const char *label;      /* "Claude Code": for people */
	const char *option;     /* "--claude-dir": the command-line option naming its roots */
	const char *option_help;/* "a Claude root (holds projects/)": the option's --help words */
	const char *dirs_key;   /* "claude_dirs": the config key naming its roots */
	const char *root_sub;   /* "/projects": the transcript folder under a root (a path naming it
				 * is taken as its root) */
	const char *root_sub2;  /* a second such folder holding older copies, or NULL: a file there
				 * is read only when root_sub holds none at the same relative path */
	/* default roots: $env (a comma list when env_list) joined with env_join (when not NULL);
	 * else $XDG_CONFIG_HOME/xdg_sub (or ~/.config/xdg_sub) when xdg_sub; and ~/home_sub */
	const char *env;
	bool env_list;
	const char *env_join;
	const char *xdg_sub;
	const char *home_sub;
	const char *data_sub;   /* $XDG_DATA_HOME/data_sub (or ~/.local/share/data_sub) when set */
	/* Cache economics. Implicit caching (OpenAI, Google): no write tiers, writes not billed
	 * extra, a cold request costs the input price, and the prefix a request should find is its
	 * predecessor's whole prompt. Explicit (Anthropic): the prefix is what was read + written,
	 * and the TTL comes from the write tier. */
	bool implicit_cache;
	bool tier_unknown;      /* explicit caching whose write tier is never said (opencode): the
				 * configured TTL stands for it */
	bool cache_seen_first;  /* until a session has read from the cache once, reading nothing is no
				 * miss (many Gemini accounts never get implicit hits) */
	const char *ttl_key;    /* config key of the assumed TTL when implicit, else NULL; the
				 * value is model_opts.ttl_s[id] */
	int ttl_default;        /* its default, seconds (when ttl_key) */
	/* a row whose requests choose their cache rules one by one (REQ_OPENAI_RULES): the
	 * implicit-cache agent whose assumed TTL a request under OpenAI's rules takes */
	enum agent openai_rules_ttl;
	bool tag_in_list;       /* the session list names the agent after the project */
	bool header_always;     /* the header counts it even with no sessions */
	enum agent_limits limits;
	const char *account_limit_id; /* limits from the transcripts: the limit_id of the account's own
				       * family (a reading naming none is the account's too), NULL else */
	/* its parser and model rules: its row in agent_ops.c */
};

extern const struct agent_desc agent_table[AGENT_COUNT];

/* The row of agent a; a value outside the table is a programming error and aborts with a message
 * (nothing is read as some other agent's by default). */
const struct agent_desc *agent_get(enum agent a);

/* The agent called name ("claude"), or AGENT_COUNT when none is. */
enum agent agent_by_name(const char *name);

static inline const char *agent_name(enum agent a) { return agent_get(a)->name; }

/* Whether agent a's official limits come from kind k (the statusline's readings and ledger, or
 * the transcripts' limit families). */
static inline bool agent_limits_from(enum agent a, enum agent_limits k) { return agent_get(a)->limits == k; }

/* The agent whose official limits come from kind k (AGENT_COUNT: none). */
enum agent agent_limits_owner(enum agent_limits k);

/* The width of a column of agent names: the longest name of the agents present, and never
 * narrower than 6, the width it has always had. */
int agent_names_width(const bool present[AGENT_COUNT]);

/* Agent a's transcript path rule (its row in agent_ops.c; pure): what the file `rel`, a path
 * below root_sub (or root_sub2), is. */
enum transcript_kind agent_transcript_kind(enum agent a, const char *rel);
/* Whether the folder `rel` below it can hold transcripts (is listed and watched). */
bool agent_transcript_dir(enum agent a, const char *rel);
/* Whether agent a's roots hold transcript files at all (false: a database, which the source's
 * database reader reads). */
bool agent_has_transcripts(enum agent a);
/* The first (last, when `last`) timestamp held at the start (end) of a transcript of agent a,
 * which orders the start-up scan: 0 and *ms, or -1. */
int agent_peek_ts(enum agent a, bool last, const char *buf, size_t n, int64_t *ms);
/* The rule of an agent whose transcripts are the files named *.jsonl anywhere below its folder,
 * with no sub-agent files (agent_paths.c); by the last component of rel alone. */
enum transcript_kind transcript_kind_jsonl(const char *rel);

/* The TTL assumed for an implicit-cache agent, from opts; 0 for an explicit one. */
int agent_ttl(enum agent a, const struct model_opts *opts);
/* The TTL assumed for one request of agent a: the agent's own when its caching is implicit,
 * else (a request under OpenAI's rules in an explicit agent) its row's openai_rules_ttl's. */
int agent_request_ttl(enum agent a, const struct model_opts *opts);

#endif
