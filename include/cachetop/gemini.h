/* gemini.h — what the layers outside the Gemini parser need to know of Gemini CLI's files
 * (transcript-formats.md E4), stated once: which paths under a root's tmp/ are recordings (and
 * of which form), the project folder and the parent session a path names, and the timestamps
 * that order a recording in the start-up scan (pure functions of strings and buffers); and the
 * entry points the agent table names. */
#ifndef CACHETOP_GEMINI_H
#define CACHETOP_GEMINI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cachetop/agent.h"
#include "cachetop/line.h"

struct model;

enum gemini_path {
	GEMINI_PATH_NONE = 0,
	GEMINI_PATH_MAIN,     /* tmp/<id>/chats/<name>.jsonl: append-only JSONL (≥ 0.39) */
	GEMINI_PATH_LEGACY,   /* tmp/<id>/chats/<name>.json: one JSON document, rewritten whole */
	GEMINI_PATH_SUBAGENT, /* tmp/<id>/chats/<parent sessionId>/<agentId>.jsonl */
};

/* rel: a path relative to a root's tmp/ folder. Anything else under tmp/ (activity logs named
 * session-*.jsonl, tool output, checkpoints) is GEMINI_PATH_NONE. */
enum gemini_path gemini_path_kind(const char *rel);
/* A folder (relative to tmp/, "" for tmp/ itself) that can hold recordings: tmp/, tmp/<id>/,
 * tmp/<id>/chats/, tmp/<id>/chats/<dir>/. Nothing else under tmp/ needs listing or watching. */
bool gemini_dir_wanted(const char *rel);
/* The same judgement for an absolute path, from its last components (…/tmp/<id>/chats/…). */
enum gemini_path gemini_path_kind_abs(const char *path);
/* The <id> folder of a recording path (a slug of the project folder's name, or the sha256 of
 * its path before 0.29), and a sub-agent recording's parent session id; "" when the path
 * has none. */
void gemini_path_project(const char *path, char *out, size_t cap);
void gemini_path_parent(const char *path, char *out, size_t cap);
/* True for a 64-hex-digit folder name: the pre-0.29 sha256 id, which names no project. */
bool gemini_id_is_hash(const char *id);

/* The first time of a recording held at the start of buf: its header's (or legacy document's)
 * startTime, else the first message timestamp. 0 and *ms, or -1. */
int gemini_peek_first_ts(const char *buf, size_t n, int64_t *ms);
/* The last message time in the end of a recording (either form). 0 and *ms, or -1. */
int gemini_peek_last_ts(const char *buf, size_t n, int64_t *ms);

/* The parser, path rule and model rules the agent table's code row (core's agent_ops.c) names.
 * One record (a JSONL line); the messages it may embed are not read (parse_gemini.c). */
void line_parse_gemini(const char *s, size_t n, struct line *out);
/* line_parse_each's part: the record, then each message it embeds — a legacy whole-file
 * document's `messages`, a `$set` checkpoint's `messages`. */
void line_parse_each_gemini(const char *s, size_t n, struct line *out, line_emit_fn emit, void *ctx);
/* gemini_path_kind as the table's transcript kinds (gemini_files.c). */
enum transcript_kind gemini_transcript_kind(const char *rel);
/* What one record means for Gemini CLI's sessions and requests (model_gemini.c); its per-file
 * state, reset when a file is read again from byte 0 and freed with the model. */
unsigned model_apply_gemini(struct model *m, uint32_t file, const struct line *ln);
void model_gemini_file_reset(struct model *m, uint32_t file);
void model_gemini_free(struct model *m);

#endif
