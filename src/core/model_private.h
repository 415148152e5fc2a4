/* model_private.h — the model's inside, shared by its pieces (model.c: the store;
 * model_order.c: reading order and lineage marks; model_classify.c: a request against its
 * predecessor; model_requests.c: storing requests and their totals), by agent_ops.c (the
 * dispatch to each agent's rules) and by each agent's own model_<name>.c, which decides what its
 * records mean and calls these. Not a public header. */
#ifndef CACHETOP_MODEL_PRIVATE_H
#define CACHETOP_MODEL_PRIVATE_H

#include "cachetop/model.h"
#include "cachetop/quota.h"
#include "u64map.h"

#define MODEL_NO_SESSION (-1)

/* The session named id (created for `agent` when new: MODEL_NEW_SESSION into *changed). */
int32_t model_session_get(struct model *m, const char *id, enum agent agent, unsigned *changed);
struct session *model_session_mut(struct model *m, int32_t si);
struct model_file *model_file_mut(struct model *m, uint32_t fi);
struct model_stats *model_stats_mut(struct model *m);
void model_session_add_file(struct model *m, int32_t si, uint32_t fi);
void model_session_title(struct model *m, int32_t si, enum title_rank rank, const char *title);
/* The model-name table index of name ("" or NULL: 0, unknown). */
uint16_t model_name_index(struct model *m, const char *name);
/* Store a new request (index model_request_count() before the call) and classify it. */
unsigned model_request_add(struct model *m, int32_t si, uint32_t file, int64_t t, uint16_t model,
			   const struct usage *u, bool sidechain, uint32_t chain_key);
/* A later version of request ri (an agent writes a record again with the same id): its tokens and
 * model replace the earlier ones in every total and in its event's figures; its cause, decided
 * when it arrived, stays. Returns MODEL_UPDATED when anything changed. */
unsigned model_request_update(struct model *m, uint32_t ri, const struct usage *u, uint16_t model);
/* A resume boundary read in file fi on session si from session `from` (si itself: a new
 * process): it applies to the next main-chain request of si read in that file. */
void model_boundary(struct model *m, uint32_t fi, int32_t si, int32_t from);
/* The conversation of si was rewritten (compacted, rewound) in file fi: the next main-chain
 * request of si read in that file may read less. */
void model_compaction(struct model *m, uint32_t fi, int32_t si);
/* Something already told (an event's project) was wrong for the whole tree: only a fresh read
 * tells it right (model_order_broken). */
void model_told_wrong(struct model *m);
/* File fi holds a copy of request ri: a whole-tree read would count it in the file sorting
 * first, so one met in a later-sorting file first breaks the reading order (model.h). */
void model_copy_seen(struct model *m, uint32_t fi, uint32_t ri);
/* A file's name up to its first dot: the session name of a file whose records name none. */
void model_file_stem(const struct model *m, uint32_t fi, char *out, size_t cap);
/* A 64-bit hash as a nonzero 32-bit sub-agent chain key (0 is the main chain). */
uint32_t model_chain_key(uint64_t h);

/* ---- the model's inside, known to its pieces and the agents' model_<name>.c ----------- */

#define NO_SESSION (-1)
#define MAX_MODELS 65535
#define CHUNK_BITS 16
#define CHUNK (1u << CHUNK_BITS)
#define REQ(m, i) (&(m)->chunks[(size_t)(i) >> CHUNK_BITS][(size_t)(i) & (CHUNK - 1)])
#define REQ_FILE(m, i) ((m)->fchunks[(size_t)(i) >> CHUNK_BITS][(size_t)(i) & (CHUNK - 1)])

struct chain {
	uint32_t key;      /* sub-agent id hash, folded to 32 bits (unique within a session) */
	uint32_t last;     /* last request + 1 */
	int ttl_s;
};

struct session_priv {
	struct chain *chains;
	uint32_t nchains, capchains;
	/* the latest time at which its main conversation was looked into by time (a resume's
	 * predecessor, a sub-agent's starting TTL): a main request at or before it that arrives
	 * later would have changed that answer */
	int64_t looked_up_at;
	uint32_t project_file;  /* the file its project (cwd) was taken from */
	bool cache_seen;        /* a request of it read from the cache (implicit caching is on) */
	bool oc_compacted;      /* a compaction summary record since its last main request */
};

struct file_state {
	int32_t cur_session;    /* session of the last non-replayed line */
	int32_t first_session;
	int32_t replay_owner;   /* session owning the last replayed line, or -1 */
	bool first_new_done;
	uint64_t last_version;
	uint32_t chain_key;     /* sub-agent files: their chain */
	/* A resume boundary or a compaction seen in this file applies to the next main-chain
	 * request of that session in this same file: a file's own order is the same however the
	 * files interleave, so the answer does not depend on it. */
	int32_t pending_session, pending_from;
	int32_t compaction_session;
	/* the (file, session) pair of its last recorded uuid, interned (see uuids) */
	int32_t pair_session;
	uint32_t pair;
	/* pending title (a summary before any session line) */
	enum title_rank title_rank;
	char *title;
	/* the last turn context's model, and the last cumulative token count (LINE_TOKEN_COUNT) */
	uint16_t model;
	bool have_prev_total;
	struct raw_tokens prev_total;
	struct line *scratch;   /* reused parse buffer */
};

/* What the model tells its aggregates (blocks_live.c) */
struct model_agg;
struct model_agg_hooks {
	/* request ri's block time, tokens, price or waste is about to change */
	void (*touch)(struct model_agg *g, const struct model *m, uint32_t ri);
	void (*free)(struct model_agg *g);
};

struct model {
	struct model_opts opts;
	bool sealed; /* loaded for reading only (model_image_load_sealed): no line-taking maps */
	size_t lent_chunks; /* its first request chunks lie in an image it does not own (model_image.h) */
	void (*keep_release)(void *ctx); /* model_keep: called when it is freed */
	void (*keep_rest)(void *ctx);    /* and on model_rest */
	void *keep_ctx;
	const struct price_table *prices;
	/* sessions */
	struct session *sessions;
	struct session_priv *spriv;
	size_t nsessions, capsessions;
	struct u64map session_ids;      /* hash(id) → index */
	/* requests, in chunks: no doubling slack, and pointers into a chunk stay valid */
	struct request **chunks;
	uint32_t **fchunks;             /* the file of each request, chunked alike */
	size_t nreqs, nchunks;
	struct cache_event *events;
	size_t nevents, capevents;
	struct u64map req_keys;         /* an entry's (msg,req) / a token count's tuple → request index */
	struct u64map msg_ids;          /* an entry's message.id → first request index */
	struct u64map uuids;            /* an entry's uuid → index into pairs */
	struct u64map side_roots;       /* an old sidechain's root uuid → chain key */
	struct u64map dangling;         /* junction parents not seen yet → the file that named them */
	bool order_broken;              /* see model_order_broken */
	/* files that share lines and start at the same time: which one counts depends on which
	 * ends first, which can change while both grow (first, second: the order assumed) */
	struct { uint32_t first, second; } *ties;
	size_t nties, capties;
	struct { uint32_t file, session; } *pairs; /* the (file, session) that first wrote a uuid */
	size_t npairs, cappairs;
	/* files */
	struct model_file *files;
	struct file_state *fstate;
	size_t nfiles, capfiles;
	/* model names */
	char **model_names;
	const struct price **model_prices;
	size_t nmodels, capmodels;
	struct u64map model_ids;
	struct u64map file_paths;       /* hash(path) → file index: a re-created file keeps its index */
	struct model_stats stats;
	struct totals totals;
	struct account_limits account;  /* the transcript-limits agent's account family, newest reading */
	struct limit_families limits;   /* every limit family it reported (the account's is also `account`) */
	struct evidence_log *evlog;     /* versions and tool changes, for the evidence words */
	struct line scratch;
	/* each agent's own module's state (its model_<name>.c owns the type, makes it when
	 * needed and frees it through its row's state_free); NULL when it keeps none */
	void *agent_state[AGENT_COUNT];
	uint64_t generation;            /* bumped by every change (model_generation) */
	unsigned changes;               /* MODEL_* since model_take_changes */
	uint64_t event_edits;           /* events whose figures changed after they were made */
	/* blocks_live.c's aggregates (NULL until model_settle) and what the model must tell them,
	 * installed with them: the aggregates read the model, so the model reaches them only
	 * through these (no circle of calls) */
	struct model_agg *agg;
	const struct model_agg_hooks *agg_hooks;
};

/* the store's functions the agent modules call (model.c, model_order.c, model_requests.c) */
uint32_t mdl_fold32(uint64_t h);
int32_t mdl_session_get(struct model *m, const char *id, enum agent agent, unsigned *changed);
void mdl_session_touch(struct model *m, int32_t si, uint32_t file, const struct line *ln);
void mdl_session_title(struct session *s, enum title_rank rank, const char *title);
void mdl_session_add_file(struct session *s, uint32_t file);
uint16_t mdl_intern(struct model *m, const char *name);
unsigned mdl_add_request(struct model *m, int32_t si, uint32_t file, int64_t t, uint16_t model,
			    const struct usage *u, bool sidechain, uint32_t chain_key);
/* The same, with REQ_* flags set before it is classified (an agent's per-request rules). */
unsigned mdl_add_request_flags(struct model *m, int32_t si, uint32_t file, int64_t t, uint16_t model,
			       const struct usage *u, bool sidechain, uint32_t chain_key, uint8_t flags);
unsigned mdl_update_output(struct model *m, uint32_t ri, uint64_t output, int64_t at);
void mdl_boundary(struct model *m, uint32_t fi, int32_t si, int32_t from);
void mdl_order_check(struct model *m, uint32_t file, uint32_t owner);

/* OpenAI and Google cache prompts implicitly: no write tiers, writes not billed extra, and the
 * prefix a request should find is its predecessor's whole prompt. */
static inline bool mdl_implicit_cache(enum agent a) { return agent_get(a)->implicit_cache; }
static inline int mdl_implicit_ttl(const struct model *m, enum agent a) { return agent_ttl(a, &m->opts); }

/* Whether any agent's module holds state of its own (which no image carries). */
/* Anything that feeds a model or writes its image first: a sealed model (read-only, without its
 * line-taking maps) fed would dedup against nothing and count twice, so it stops here. */
static inline void mdl_unsealed(const struct model *m)
{
	if (m->sealed)
		ct_fatal("internal error: a model loaded for reading only was given more to hold");
}
static inline bool mdl_agent_state_any(const struct model *m)
{
	for (int a = 0; a < AGENT_COUNT; a++)
		if (m->agent_state[a])
			return true;
	return false;
}

/* model.c: the store's part of the model's life. A file seen again by path (*again) keeps its
 * index and is to be reset (model_file_reset); mdl_file_reset returns false for no such file.
 * The agents' own state is reset and freed by agent_ops.c around these. */
void mdl_free(struct model *m);
uint32_t mdl_file_add(struct model *m, enum agent agent, const char *path, bool subagent, bool *again);
bool mdl_file_reset(struct model *m, uint32_t file);

/* model_order.c: the reading order of a whole tree (source_scan): first timestamp, then the one
 * that ended first, then the path. */
bool mdl_file_before(const struct model *m, uint32_t a, uint32_t b);

/* model_classify.c: classify request ri (already stored) against its predecessor and update
 * lineage state; the waste (or rebuild) of a cold request r expecting `expected` tokens. */
unsigned mdl_classify(struct model *m, uint32_t ri, uint32_t file, uint32_t chain_key);
void mdl_miss_cost(const struct model *m, const struct request *r, bool oai, uint64_t expected,
		   uint64_t *tokens, double *usd);

#endif
