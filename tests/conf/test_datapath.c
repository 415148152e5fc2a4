/* test_datapath.c — finding shipped data: the installed layout <exe>/../share/cachetop/<rel>,
 * the source tree when running from a build folder, and refusal of absolute or climbing names. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cachetop/config.h"
#include "conf_test.h"
#include "datapath_private.h"

Test(datapath, build_tree_finds_source_data)
{
	/* this test binary lives in a CMake build folder */
	char *p = conf_data_path(NULL, "themes/default.yaml");
	cr_assert_not_null(p);
	cr_assert_str_eq(p, THEMES_DIR "/default.yaml");
	free(p);
	p = conf_data_path("ignored-when-proc-works", "data/prices.yaml");
	cr_assert_not_null(p);
	cr_assert_str_eq(p, DATA_DIR "/prices.yaml");
	free(p);
	cr_assert_null(conf_data_path(NULL, "themes/no-such.yaml"));
	cr_assert_null(conf_data_path(NULL, "/etc/hostname"), "absolute names are refused");
	cr_assert_null(conf_data_path(NULL, "themes/../CMakeLists.txt"), "climbing names are refused");
	cr_assert_null(conf_data_path(NULL, ""));
	/* folders are data too (samples/ is found this way) */
	p = conf_data_path(NULL, "themes");
	cr_assert_not_null(p, "a data folder is found");
	free(p);
}

Test(datapath, installed_layout_wins)
{
	char *root = ct_tmpdir();
	char bin[600], share[600], themes[600];
	snprintf(bin, sizeof bin, "%s/bin", root);
	snprintf(share, sizeof share, "%s/share", root);
	snprintf(themes, sizeof themes, "%s/share/cachetop/themes", root);
	cr_assert_eq(mkdir(bin, 0700), 0);
	cr_assert_eq(mkdir(share, 0700), 0);
	char cachetop_dir[600];
	snprintf(cachetop_dir, sizeof cachetop_dir, "%s/share/cachetop", root);
	mkdir(cachetop_dir, 0700);
	cr_assert_eq(mkdir(themes, 0700), 0);
	char *f = ct_write(themes, "x.yaml", "name: x\n", 8);
	char *p = conf_data_path_from(strdup(bin), "themes/x.yaml");
	cr_assert_not_null(p);
	char *want = realpath(f, NULL);
	cr_assert_str_eq(p, want);
	free(p);
	free(want);
	/* not installed and not a build folder: nothing */
	cr_assert_null(conf_data_path_from(strdup(bin), "themes/default.yaml"));
	cr_assert_null(conf_data_path_from(NULL, "themes/x.yaml"));
	unlink(f);
	rmdir(themes);
	rmdir(cachetop_dir);
	rmdir(share);
	rmdir(bin);
	rmdir(root);
	free(f);
	free(root);
}
