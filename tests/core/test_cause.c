/* test_cause.c — the cause rule on its own: each fact alone gives its cause, the order of
 * precedence when several hold (TTL expiry, model switch, compaction, resume), a warm request
 * after a resume is a resume hit, an unobserved cache is no miss; and the causes' names. */
#include <criterion/criterion.h>
#include <string.h>

#include "cachetop/cause.h"

static struct cause_facts cold_after(double gap, int ttl)
{
	return (struct cause_facts){.has_pred = true, .cold = true, .gap_s = gap, .ttl_s = ttl};
}

Test(cause, each_fact_alone)
{
	struct cause_facts f = {0};
	cr_assert_eq(cause_of(&f), CAUSE_NONE);
	f.cold = true;
	cr_assert_eq(cause_of(&f), CAUSE_FIRST_REQUEST);
	f = cold_after(301, 300);
	cr_assert_eq(cause_of(&f), CAUSE_TTL_EXPIRY);
	f = cold_after(300, 300);
	cr_assert_eq(cause_of(&f), CAUSE_TTL_EXPIRY, "a gap of exactly the TTL has expired");
	f = cold_after(10, 300);
	cr_assert_eq(cause_of(&f), CAUSE_UNEXPLAINED_MISS);
	f.model_switch = true;
	cr_assert_eq(cause_of(&f), CAUSE_MODEL_SWITCH);
	f = cold_after(10, 300);
	f.compaction = true;
	cr_assert_eq(cause_of(&f), CAUSE_COMPACTION);
	f = cold_after(10, 300);
	f.after_resume = true;
	cr_assert_eq(cause_of(&f), CAUSE_RESUME_MISS);
	f.cold = false;
	cr_assert_eq(cause_of(&f), CAUSE_RESUME_HIT);
	f.after_resume = false;
	cr_assert_eq(cause_of(&f), CAUSE_NONE);
}

Test(cause, precedence)
{
	struct cause_facts f = cold_after(400, 300);
	f.model_switch = f.compaction = f.after_resume = true;
	cr_assert_eq(cause_of(&f), CAUSE_TTL_EXPIRY);
	f.gap_s = 10;
	cr_assert_eq(cause_of(&f), CAUSE_MODEL_SWITCH);
	f.model_switch = false;
	cr_assert_eq(cause_of(&f), CAUSE_COMPACTION);
	f.compaction = false;
	cr_assert_eq(cause_of(&f), CAUSE_RESUME_MISS);
	f.unobserved = true;
	cr_assert_eq(cause_of(&f), CAUSE_NONE, "no cache seen yet: nothing to lose");
}

Test(cause, cold_threshold)
{
	cr_assert(cause_is_cold(2000, 999, 1024, 0.5));
	cr_assert(!cause_is_cold(2000, 1000, 1024, 0.5));
	cr_assert(!cause_is_cold(1000, 0, 1024, 0.5), "below the minimum prefix nothing is cold");
}

Test(cause, names_and_expectation)
{
	char b[32];
	int unexpected = 0;
	for (int c = 0; c < CAUSE_COUNT; c++) {
		unexpected += !cause_expected((enum cause)c);
		cause_words((enum cause)c, b, sizeof b);
		cr_assert_eq(strlen(b), strlen(cause_name((enum cause)c)));
	}
	cr_assert_eq(unexpected, 2);
	cause_words(CAUSE_TTL_EXPIRY, b, sizeof b);
	cr_assert_str_eq(b, "ttl expiry");
	cause_words(CAUSE_RESUME_MISS, b, sizeof b);
	cr_assert_str_eq(b, "RESUME MISS");
	cause_words((enum cause)99, b, sizeof b);
	cr_assert_str_eq(b, "?");
	cr_assert(!cause_cold(CAUSE_NONE) && !cause_cold(CAUSE_RESUME_HIT) && cause_cold(CAUSE_TTL_EXPIRY));
	cr_assert(!cause_cold(CAUSE_COUNT));
}
