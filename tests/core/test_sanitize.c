/* test_sanitize.c — terminal safety of transcript text: ESC sequences, C0/C1 controls (C1 as
 * UTF-8 U+0080–U+009F), DEL, bidi overrides and isolates, zero-width characters, BOM, invalid
 * UTF-8 (stray bytes, overlongs, UTF-8-encoded surrogates, > U+10FFFF, truncated sequences),
 * truncation at a character boundary, and ASCII mode. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "cachetop/sanitize.h"

#define FFFD "\xef\xbf\xbd"

static const char *san(const char *s, size_t n, bool utf8)
{
	static char out[512];
	size_t len = sanitize_text(s, n, out, sizeof out, utf8);
	cr_assert_eq(len, strlen(out));
	return out;
}
#define S(lit) san(lit, sizeof(lit) - 1, true)
#define A(lit) san(lit, sizeof(lit) - 1, false)

/* No byte of the output may be a control a terminal acts on. */
static void assert_inert(const char *out)
{
	for (const unsigned char *p = (const unsigned char *)out; *p; p++) {
		cr_assert(*p >= 0x20 && *p != 0x7f, "control byte 0x%02x survived in \"%s\"", *p, out);
		if (p[0] == 0xc2)
			cr_assert(p[1] >= 0xa0, "C1 control U+00%02X survived", p[1]);
	}
}

Test(sanitize, plain_text_unchanged)
{
	cr_expect_str_eq(S("Refactor the parser: café, 日本語, 🙂"), "Refactor the parser: café, 日本語, 🙂");
	cr_expect_str_eq(S(""), "");
}

Test(sanitize, escape_sequences_lose_their_escape)
{
	const char *o = S("a\x1b[31mred\x1b[0m\x1b]0;title\x07z");
	assert_inert(o);
	cr_expect_eq(strchr(o, 0x1b), NULL);
	cr_expect_str_eq(o, "a[31mred[0m]0;titlez");
	o = S("\x1b" "c\x1bP1$r\x1b\\");  /* reset, DCS */
	assert_inert(o);
}

Test(sanitize, c0_controls_and_del)
{
	cr_expect_str_eq(S("a\x01\x02\x08\x0b\x0c\x7f" "b"), "ab");
	cr_expect_str_eq(S("tab\there\nnew\rline"), "tab here new line", "layout controls become spaces");
	const char nul[] = {'x', 0, 'y'};
	cr_expect_str_eq(san(nul, 3, true), "xy", "NUL inside the span is dropped, not a terminator");
}

Test(sanitize, c1_controls_as_utf8)
{
	/* U+0080..U+009F encoded in UTF-8 (C2 80..C2 9F): CSI is U+009B */
	cr_expect_str_eq(S("a\xc2\x9b" "31mb"), "a31mb");
	cr_expect_str_eq(S("\xc2\x80\xc2\x85\xc2\x8d\xc2\x9f"), "");
	cr_expect_str_eq(S("\xc2\xa0"), "\xc2\xa0", "U+00A0 is printable");
	/* raw C1 bytes are not UTF-8 at all */
	const char *o = S("a\x9b" "b");
	cr_expect_str_eq(o, "a" FFFD "b");
}

Test(sanitize, bidi_and_invisible_format_characters)
{
	cr_expect_str_eq(S("abc\xe2\x80\xae" "fdp.exe"), "abcfdp.exe", "U+202E RLO");
	cr_expect_str_eq(S("\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad" "x"), "x", "U+202A..202D");
	cr_expect_str_eq(S("\xe2\x81\xa6" "a\xe2\x81\xa7" "b\xe2\x81\xa8" "c\xe2\x81\xa9"), "abc",
			 "isolates U+2066..2069");
	cr_expect_str_eq(S("a\xe2\x80\x8b" "b\xe2\x80\x8d" "c\xe2\x80\x8c" "d"), "abcd", "ZWSP, ZWJ, ZWNJ");
	cr_expect_str_eq(S("\xe2\x80\x8e\xe2\x80\x8f" "x"), "x", "LRM, RLM");
	cr_expect_str_eq(S("\xef\xbb\xbf" "start"), "start", "BOM");
	cr_expect_str_eq(S("a\xef\xbb\xbf" "b"), "ab", "ZWNBSP inside text");
	cr_expect_str_eq(S("\xd8\x9c" "x"), "x", "U+061C ALM");
	cr_expect_str_eq(S("\xf3\xa0\x80\x81" "x"), "x", "tag characters");
}

Test(sanitize, invalid_utf8)
{
	cr_expect_str_eq(S("a\xff" "b"), "a" FFFD "b");
	cr_expect_str_eq(S("a\x80" "b"), "a" FFFD "b", "stray continuation byte");
	cr_expect_str_eq(S("\xc3" "x"), FFFD "x", "lead byte without continuation");
	cr_expect_str_eq(S("end\xe2\x82"), "end" FFFD FFFD, "truncated at the end");
	cr_expect_str_eq(S("\xc0\xaf"), FFFD FFFD, "overlong '/'");
	cr_expect_str_eq(S("\xc1\x9b"), FFFD FFFD, "overlong ESC-ish");
	cr_expect_str_eq(S("\xe0\x80\xaf"), FFFD FFFD FFFD, "3-byte overlong");
	cr_expect_str_eq(S("\xf0\x80\x80\xaf"), FFFD FFFD FFFD FFFD, "4-byte overlong");
	cr_expect_str_eq(S("\xed\xa0\x80"), FFFD FFFD FFFD, "UTF-8 encoded high surrogate U+D800");
	cr_expect_str_eq(S("\xed\xbf\xbf"), FFFD FFFD FFFD, "UTF-8 encoded low surrogate U+DFFF");
	cr_expect_str_eq(S("\xf4\x90\x80\x80"), FFFD FFFD FFFD FFFD, "beyond U+10FFFF");
	cr_expect_str_eq(S("\xf8\x88\x80\x80\x80"), FFFD FFFD FFFD FFFD FFFD, "5-byte form");
	/* an overlong encoding of ESC must not decode to ESC */
	const char *o = S("\xc0\x9b[31m");
	assert_inert(o);
	cr_expect_eq(strchr(o, 0x1b), NULL);
}

Test(sanitize, truncation_at_character_boundary)
{
	char out[6];
	/* "aé€" is 1+2+3 = 6 bytes: with cap 6 only 5 fit, so the euro sign goes whole */
	size_t n = sanitize_text("a\xc3\xa9\xe2\x82\xac", 6, out, sizeof out, true);
	cr_expect_eq(n, 3);
	cr_expect_str_eq(out, "a\xc3\xa9");
	char small[3];
	n = sanitize_text("\xf0\x9f\x99\x82", 4, small, sizeof small, true);
	cr_expect_eq(n, 0);
	cr_expect_str_eq(small, "");
	n = sanitize_text("abc", 3, small, sizeof small, true);
	cr_expect_eq(n, 2);
	cr_expect_str_eq(small, "ab");
	/* an invalid byte's replacement is not split either */
	char four[4];
	n = sanitize_text("x\xff", 2, four, sizeof four, true);
	cr_expect_str_eq(four, "x");
	cr_expect_eq(n, 1);
	char none[1] = {'q'};
	cr_expect_eq(sanitize_text("abc", 3, none, 0, true), 0);
	cr_expect_eq(none[0], 'q', "cap 0 writes nothing");
}

Test(sanitize, ascii_mode)
{
	cr_expect_str_eq(A("caf\xc3\xa9 \xf0\x9f\x99\x82!"), "caf? ?!");
	cr_expect_str_eq(A("a\xff" "b"), "a?b");
	cr_expect_str_eq(A("a\x1b[1mb"), "a[1mb");
	cr_expect_str_eq(A("x\xe2\x80\xae" "y"), "xy", "invisible characters are dropped, not '?'");
	cr_expect_str_eq(A("\xc2\x9b" "z"), "z");
	const char *o = A("\xed\xa0\x80\xc0\xaf");
	for (const char *p = o; *p; p++)
		cr_expect(*p >= 0x20 && *p < 0x7f);
}

Test(sanitize, dup)
{
	char *d = sanitize_dup("\x1b[2Jhello\xe2\x80\xae\xff", true);
	cr_expect_str_eq(d, "[2Jhello" FFFD);
	free(d);
	/* worst case growth: every byte invalid → 3 bytes each */
	char in[65];
	memset(in, 0xff, 64);
	in[64] = 0;
	d = sanitize_dup(in, true);
	cr_expect_eq(strlen(d), 64 * 3);
	free(d);
}
