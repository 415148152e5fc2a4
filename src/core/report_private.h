/* report_private.h — what the report's files share (report.c, report_jw.c, report_text.c):
 * the JSON pieces and the order the report lists sessions and events in. Not a public header. */
#ifndef CACHETOP_REPORT_PRIVATE_H
#define CACHETOP_REPORT_PRIVATE_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "cachetop/model.h"
#include "cachetop/util.h"

/* ---- json-c values under the report's number rules (report_jw.c) ---- */
struct json_object *jtime(int64_t ms);
struct json_object *jnum(double v);
struct json_object *jround(double v, int decimals);
struct json_object *jrate(double v);
struct json_object *jusd(double v);
struct json_object *ju64(uint64_t v);
void jadd(struct json_object *o, const char *k, struct json_object *v);
struct json_object *jtext(const char *s);

/* ---- the streaming writer (report_jw.c) ---- */
struct jw {
	struct buf *b;
	bool more; /* a member is already written in this object */
};
void jw_key(struct jw *w, const char *k);
void jw_null(struct jw *w, const char *k);
void jw_str(struct jw *w, const char *k, const char *v);
void jput_text(struct buf *b, const char *v);
void jw_text(struct jw *w, const char *k, const char *v);
void jw_u64(struct jw *w, const char *k, uint64_t v);
void jw_int(struct jw *w, const char *k, int v);
void jw_bool(struct jw *w, const char *k, bool v);
void jw_fixed(struct jw *w, const char *k, double v, int decimals);
void jw_rate(struct jw *w, const char *k, double v);
void jw_usd(struct jw *w, const char *k, double v);
void jw_time(struct jw *w, const char *k, int64_t ms);
void jw_count(struct jw *w, const char *k, int64_t v);

/* ---- what the report lists, in its order (report.c) ---- */
/* a session's id (NULL for none) */
const char *rep_sid(const struct model *m, int32_t i);
uint32_t *rep_sorted_sessions(const struct model *m, size_t *n);
uint32_t *rep_sorted_events(const struct model *m, size_t *n);
/* agent a has a session with requests */
bool rep_agent_present(const struct model *m, enum agent a);

#endif
