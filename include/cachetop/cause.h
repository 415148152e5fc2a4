/* cause.h — why a request is an event (design.md, "What a cold request is called"): the causes,
 * their names, which of them are unexpected, and the rule that picks one from the facts about a
 * request. The only place these are decided; everything else asks. */
#ifndef CACHETOP_CAUSE_H
#define CACHETOP_CAUSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum cause {
	CAUSE_NONE = 0,          /* warm, ordinary: not an event */
	CAUSE_FIRST_REQUEST,
	CAUSE_TTL_EXPIRY,
	CAUSE_MODEL_SWITCH,
	CAUSE_COMPACTION,
	CAUSE_RESUME_MISS,
	CAUSE_UNEXPLAINED_MISS,
	CAUSE_RESUME_HIT,        /* warm first request after a resume boundary */
	CAUSE_COUNT
};
const char *cause_name(enum cause c);      /* "resume_miss", … ("" for CAUSE_NONE) */
const char *cause_label(enum cause c);     /* "RESUME MISS", … for screens */
/* "resume miss" in words; upper case ("RESUME MISS") when unexpected, so it stands out */
void cause_words(enum cause c, char *buf, size_t cap);
bool cause_expected(enum cause c);         /* false exactly for resume_miss and unexplained_miss */
/* A cold request's cause: every event but a resume hit (values outside the enum: false). */
bool cause_cold(unsigned c);

/* Cold: the request read less than ratio × the prefix it should have found (when that prefix
 * is at least min_prefix tokens). */
bool cause_is_cold(uint64_t expected_prefix, uint64_t cache_read, uint64_t min_prefix, double ratio);

/* What is known about a request when it arrives. */
struct cause_facts {
	bool has_pred;       /* a predecessor in its lineage */
	bool cold;           /* cause_is_cold against that predecessor (or its own prompt) */
	bool unobserved;     /* its agent's cache was never seen to work in this session yet */
	double gap_s;        /* seconds since the predecessor */
	int ttl_s;           /* the cache lifetime in force */
	bool model_switch;   /* the predecessor used another model */
	bool compaction;     /* the conversation was compacted or rewound just before */
	bool after_resume;   /* the first request after a resume boundary */
};

/* The cause of a request: first match of TTL expiry, model switch, compaction, resume, else
 * unexplained for a cold one; resume hit for a warm one after a resume; else none. Pure. */
enum cause cause_of(const struct cause_facts *f);

#endif
