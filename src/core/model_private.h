/* model_private.h — the part of the model's inside that an agent's own module in src/core (so
 * far model_gemini.c) may use: sessions, request storage and classification, lineage
 * boundaries and counters stay in model.c; an agent module decides what its records mean and
 * calls these. Not a public header. */
#ifndef CACHETOP_MODEL_PRIVATE_H
#define CACHETOP_MODEL_PRIVATE_H

#include "cachetop/model.h"

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
/* A later version of request ri (Gemini writes a record again with the same id): its tokens and
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

/* model_gemini.c: Gemini records; its per-file state, freed and reset with the model's. */
struct gemini_state;
unsigned gemini_apply(struct model *m, struct gemini_state **st, uint32_t file, const struct line *ln);
void gemini_file_reset(struct gemini_state *st, uint32_t file);
void gemini_state_free(struct gemini_state *st);

#endif
