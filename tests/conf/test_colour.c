/* test_colour.c — colour strings (names, bright-*, colourN, 0-255, #rrggbb, default) and the
 * downgrade from RGB to 256, 16 and 8 colours. */
#include <criterion/criterion.h>

#include "cachetop/theme.h"

static struct theme_colour parse_ok(const char *s)
{
	struct theme_colour c;
	cr_assert_eq(theme_parse_colour(s, &c), 0, "\"%s\" should parse", s);
	return c;
}

Test(colour, names_and_numbers)
{
	cr_assert_eq(parse_ok("black").index, 0);
	cr_assert_eq(parse_ok("red").index, 1);
	cr_assert_eq(parse_ok("White").index, 7);
	cr_assert_eq(parse_ok("bright-red").index, 9);
	cr_assert_eq(parse_ok("brightblue").index, 12);
	cr_assert_eq(parse_ok("bright_white").index, 15);
	cr_assert_eq(parse_ok("bright-black").index, 8);
	cr_assert_eq(parse_ok("grey").index, 8);
	cr_assert_eq(parse_ok("default").index, -1);
	cr_assert_not(parse_ok("default").is_rgb);
	cr_assert_eq(parse_ok("0").index, 0);
	cr_assert_eq(parse_ok("208").index, 208);
	cr_assert_eq(parse_ok("255").index, 255);
	cr_assert_eq(parse_ok("colour123").index, 123);
	cr_assert_eq(parse_ok("color7").index, 7);
	struct theme_colour c = parse_ok("#ff8700");
	cr_assert(c.is_rgb);
	cr_assert_eq(c.rgb, 0xff8700u);
	cr_assert_eq(c.index, 208, "rgb colours carry their 256-colour approximation");
	cr_assert_eq(parse_ok("#FFFFFF").rgb, 0xffffffu);
}

Test(colour, rejects)
{
	static const char *bad[] = { "", "256", "-1", "1000", "reddish", "bright-", "brightgrey", "#fff",
				     "#ff87000", "#gg0000", "colour", "colour256", "fg=red", " red", "1.5" };
	struct theme_colour c;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_assert_eq(theme_parse_colour(bad[i], &c), -1, "\"%s\" must not parse", bad[i]);
	cr_assert_eq(theme_parse_colour(NULL, &c), -1);
}

static int down(const char *s, int colors)
{
	struct theme_colour c = parse_ok(s);
	return theme_colour_downgrade(&c, colors);
}

Test(colour, downgrade_rgb)
{
	cr_assert_eq(down("#ff0000", 256), 196);
	cr_assert_eq(down("#ff0000", 16), 9);
	cr_assert_eq(down("#ff0000", 8), 1);
	cr_assert_eq(down("#d70000", 16), 1, "a darker red is plain red");
	cr_assert_eq(down("#5f87af", 256), 67, "exact cube entries map to themselves");
	cr_assert_eq(down("#080808", 256), 232, "greys go to the grey ramp");
	cr_assert_eq(down("#eeeeee", 256), 255);
	/* muted (nord) colours keep their hue on 16 colours */
	cr_assert_eq(down("#bf616a", 16), 1);   /* nord red */
	cr_assert_eq(down("#ebcb8b", 16), 11);  /* nord yellow: bright yellow */
	cr_assert_eq(down("#ebcb8b", 8), 3);
	cr_assert_eq(down("#a3be8c", 16), 2);   /* nord green */
	cr_assert_eq(down("#5e81ac", 16), 4);   /* nord blue */
	cr_assert_eq(down("#88c0d0", 16), 6);   /* nord frost: cyan */
	cr_assert_eq(down("#2e3440", 16), 0);   /* near-black */
	cr_assert_eq(down("#808080", 16), 8);
	cr_assert_eq(down("#808080", 8), 7, "grey stays visible on 8 colours");
}

Test(colour, downgrade_index)
{
	cr_assert_eq(down("208", 256), 208);
	cr_assert_eq(down("196", 16), 9);
	cr_assert_eq(down("196", 8), 1);
	cr_assert_eq(down("bright-green", 16), 10);
	cr_assert_eq(down("bright-green", 8), 2);
	cr_assert_eq(down("bright-black", 8), 7);
	cr_assert_eq(down("136", 16), 3, "dark gold is yellow");
	cr_assert_eq(down("232", 16), 0);
	cr_assert_eq(down("255", 16), 15);
	cr_assert_eq(down("default", 256), -1);
	cr_assert_eq(down("default", 8), -1);
	cr_assert_eq(down("red", 2), -1, "no colour on a monochrome terminal");
	cr_assert_eq(down("#123456", 0), -1);
	/* every index lands inside the target palette */
	for (int i = 0; i < 256; i++) {
		struct theme_colour c = { .index = i };
		int d16 = theme_colour_downgrade(&c, 16), d8 = theme_colour_downgrade(&c, 8);
		cr_assert(d16 >= 0 && d16 < 16, "%d -> %d", i, d16);
		cr_assert(d8 >= 0 && d8 < 8, "%d -> %d", i, d8);
		cr_assert_eq(theme_colour_downgrade(&c, 256), i);
	}
}
