/* cause.c — the cause rule and the causes' names: cause_of() decides why a request is an event
 * from facts the model gathers (predecessor, gap, TTL, model switch, compaction, resume, cold),
 * and every file that asks "is this unexpected?" or "what is it called?" asks here. */
#include <ctype.h>
#include <stdio.h>

#include "cachetop/cause.h"

static const char *const cause_names[CAUSE_COUNT] = {
	"", "first_request", "ttl_expiry", "model_switch", "compaction", "resume_miss",
	"unexplained_miss", "resume_hit"};
static const char *const cause_labels[CAUSE_COUNT] = {
	"", "FIRST REQUEST", "TTL EXPIRY", "MODEL SWITCH", "COMPACTION", "RESUME MISS",
	"UNEXPLAINED MISS", "RESUME HIT"};

const char *cause_name(enum cause c) { return (unsigned)c < CAUSE_COUNT ? cause_names[c] : ""; }
const char *cause_label(enum cause c) { return (unsigned)c < CAUSE_COUNT ? cause_labels[c] : ""; }
bool cause_expected(enum cause c) { return c != CAUSE_RESUME_MISS && c != CAUSE_UNEXPLAINED_MISS; }
bool cause_cold(unsigned c) { return c != CAUSE_NONE && c != CAUSE_RESUME_HIT && c < CAUSE_COUNT; }

void cause_words(enum cause c, char *buf, size_t cap)
{
	if (!cap)
		return;
	if ((unsigned)c >= CAUSE_COUNT) {
		snprintf(buf, cap, "?");
		return;
	}
	const char *s = cause_expected(c) ? cause_names[c] : cause_labels[c];
	size_t i = 0;
	for (; s[i] && i + 1 < cap; i++)
		buf[i] = s[i] == '_' ? ' ' : s[i];
	buf[i] = 0;
}

bool cause_is_cold(uint64_t expected_prefix, uint64_t cache_read, uint64_t min_prefix, double ratio)
{
	return expected_prefix >= min_prefix && (double)cache_read < ratio * (double)expected_prefix;
}

enum cause cause_of(const struct cause_facts *f)
{
	if (f->unobserved)
		return CAUSE_NONE;
	if (!f->has_pred)
		return f->cold ? CAUSE_FIRST_REQUEST : CAUSE_NONE;
	if (f->cold) {
		if (f->gap_s >= f->ttl_s)
			return CAUSE_TTL_EXPIRY;
		if (f->model_switch)
			return CAUSE_MODEL_SWITCH;
		if (f->compaction)
			return CAUSE_COMPACTION;
		if (f->after_resume)
			return CAUSE_RESUME_MISS;
		return CAUSE_UNEXPLAINED_MISS;
	}
	return f->after_resume ? CAUSE_RESUME_HIT : CAUSE_NONE;
}
