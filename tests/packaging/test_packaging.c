/* test_packaging.c — the man page, `cachetop --help` and both shell completions name the same
 * sub-commands and options (the list below is the command line as designed); the man page
 * formats without groff warnings; the bash completion loads, registers itself and completes
 * options, directories and installed theme names. */
#include <criterion/criterion.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef PACKAGING_DIR
#error "PACKAGING_DIR must name the packaging/ directory"
#endif
#define MAN_PAGE PACKAGING_DIR "/cachetop.1"
#define BASH_COMPLETION PACKAGING_DIR "/completions/cachetop.bash"
#define ZSH_COMPLETION PACKAGING_DIR "/completions/_cachetop"
#define ZSH_COMPLETION_DIR PACKAGING_DIR "/completions"

static const char *const expected_options[] = {
	/* report */ "--json", "--csv", "--openmetrics",
	/* watch */ "--jsonl", "--backfill", "--final-report",
	/* replay */ "--speed",
	/* common */ "--claude-dir", "--codex-dir", "--gemini-dir", "--opencode-dir", "--config", "--theme", "--no-color", "--ascii",
	"--bell", "--since", "--now", "--no-state", "--max-frames", "--help", "--version",
};
#define NOPTS (sizeof expected_options / sizeof expected_options[0])
static const char *const expected_commands[] = { "report", "watch", "replay", "statusline", "status" };
#define NCMDS (sizeof expected_commands / sizeof expected_commands[0])

/* A small set of strings. */
struct strset {
	char *v[256];
	size_t n;
};

static void set_add(struct strset *s, const char *p, size_t n)
{
	for (size_t i = 0; i < s->n; i++)
		if (strlen(s->v[i]) == n && memcmp(s->v[i], p, n) == 0)
			return;
	cr_assert_lt(s->n, 256);
	s->v[s->n] = strndup(p, n);
	s->n++;
}

static bool set_has(const struct strset *s, const char *p)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i], p) == 0)
			return true;
	return false;
}

static void set_free(struct strset *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	s->n = 0;
}

/* Equal to expected_options, naming what is missing or extra. */
static void assert_options(const struct strset *s, const char *what)
{
	for (size_t i = 0; i < NOPTS; i++)
		cr_expect(set_has(s, expected_options[i]), "%s does not name %s", what, expected_options[i]);
	for (size_t i = 0; i < s->n; i++) {
		bool known = false;
		for (size_t j = 0; j < NOPTS; j++)
			known |= strcmp(s->v[i], expected_options[j]) == 0;
		cr_expect(known, "%s names %s, which the test's list does not have", what, s->v[i]);
	}
}

/* Everything a stream holds, NUL-terminated. */
static char *read_all(FILE *f)
{
	char *data = NULL;
	size_t len = 0, cap = 0, n;
	char chunk[4096];
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (len + n + 1 > cap) {
			cap = (len + n + 1) * 2;
			data = realloc(data, cap);
			cr_assert_not_null(data);
		}
		memcpy(data + len, chunk, n);
		len += n;
	}
	if (!data)
		data = calloc(1, 1);
	data[len] = 0;
	return data;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	cr_assert_not_null(f, "cannot open %s: %s", path, strerror(errno));
	char *data = read_all(f);
	fclose(f);
	return data;
}

/* Run a shell command; its standard output (and error when merge) goes to *out. */
static int run(const char *cmd, char **out)
{
	FILE *p = popen(cmd, "r");
	cr_assert_not_null(p, "popen %s", cmd);
	char *data = read_all(p);
	int st = pclose(p);
	*out = data;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static bool have(const char *prog)
{
	char cmd[256], *out;
	snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", prog);
	int rc = run(cmd, &out);
	free(out);
	return rc == 0;
}

/* Long options in text: "--" (or roff's "\-\-") then [a-z0-9-]+ starting with a letter. */
static void collect_options(const char *text, struct strset *s)
{
	for (const char *p = text; *p; p++) {
		const char *q;
		if (p[0] == '-' && p[1] == '-' && (p == text || (p[-1] != '-' && p[-1] != '\\')))
			q = p + 2;
		else if (strncmp(p, "\\-\\-", 4) == 0)
			q = p + 4;
		else
			continue;
		if (!islower((unsigned char)*q))
			continue;
		char name[64] = "--";
		size_t n = 2;
		while (n < sizeof name - 1) {
			if (islower((unsigned char)*q) || isdigit((unsigned char)*q))
				name[n++] = *q++;
			else if (q[0] == '\\' && q[1] == '-')
				name[n++] = '-', q += 2;
			else if (q[0] == '-' && (islower((unsigned char)q[1])))
				name[n++] = *q++;
			else
				break;
		}
		set_add(s, name, n);
		p = q - 1;
	}
}

/* The text of a man page section, from ".SH NAME" to the next ".SH". */
static char *man_section(const char *page, const char *title)
{
	char head[64];
	snprintf(head, sizeof head, "\n.SH %s\n", title);
	const char *b = strstr(page, head);
	cr_assert_not_null(b, "the man page has no %s section", title);
	b += strlen(head);
	const char *e = strstr(b, "\n.SH ");
	return strndup(b, e ? (size_t)(e - b) : strlen(b));
}

static bool has_word(const char *text, const char *w)
{
	size_t n = strlen(w);
	for (const char *p = strstr(text, w); p; p = strstr(p + 1, w)) {
		bool left = p == text || !(isalnum((unsigned char)p[-1]) || p[-1] == '_' || p[-1] == '-');
		bool right = !(isalnum((unsigned char)p[n]) || p[n] == '_' || p[n] == '-');
		if (left && right)
			return true;
	}
	return false;
}

Test(manpage, options_section_matches_the_command_line)
{
	char *page = slurp(MAN_PAGE);
	char *opts = man_section(page, "OPTIONS");
	struct strset s = { 0 };
	collect_options(opts, &s);
	assert_options(&s, "OPTIONS of cachetop.1");
	set_free(&s);

	/* The synopsis names nothing the OPTIONS section does not describe. */
	char *syn = man_section(page, "SYNOPSIS");
	collect_options(syn, &s);
	cr_expect_gt(s.n, 5);
	for (size_t i = 0; i < s.n; i++) {
		bool known = false;
		for (size_t j = 0; j < NOPTS; j++)
			known |= strcmp(s.v[i], expected_options[j]) == 0;
		cr_expect(known, "SYNOPSIS names %s", s.v[i]);
	}
	set_free(&s);
	free(syn);
	free(opts);
	free(page);
}

Test(manpage, documents_every_command_and_required_section)
{
	char *page = slurp(MAN_PAGE);
	char *cmds = man_section(page, "COMMANDS");
	for (size_t i = 0; i < NCMDS; i++) {
		char tag[64];
		snprintf(tag, sizeof tag, "\n.TP\n.B %s\n", expected_commands[i]);
		char tagi[64];
		snprintf(tagi, sizeof tagi, "\n.TP\n.BI %s ", expected_commands[i]);
		cr_expect(strstr(cmds, tag) || strstr(cmds, tagi), "COMMANDS has no entry for %s",
			  expected_commands[i]);
	}
	static const char *const sections[] = { "NAME", "SYNOPSIS", "DESCRIPTION", "KEYS", "FILES",
						"ENVIRONMENT", "EXIT STATUS", "EXAMPLES" };
	for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++)
		free(man_section(page, sections[i]));
	char *env = man_section(page, "ENVIRONMENT");
	static const char *const vars[] = { "CLAUDE_CONFIG_DIR", "CODEX_HOME", "GEMINI_CLI_HOME", "XDG_CONFIG_HOME",
					    "XDG_STATE_HOME", "NO_COLOR" };
	for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
		cr_expect(strstr(env, vars[i]), "ENVIRONMENT lacks %s", vars[i]);
	char *ex = man_section(page, "EXAMPLES");
	cr_expect(strstr(ex, "#(cachetop status)"));
	cr_expect(strstr(ex, "{\"statusLine\":{\"type\":\"command\",\"command\":\"cachetop statusline\"}}"));
	cr_expect(strstr(ex, "select(.expected==false)"));
	cr_expect(strstr(ex, "\\-\\-openmetrics /var/lib/prometheus/node\\-exporter/cachetop.prom"));
	free(ex);
	free(env);
	free(cmds);
	free(page);
}

Test(manpage, formats_without_warnings)
{
	if (!have("groff"))
		cr_skip_test("groff is not installed");
	char *out;
	int rc = run("groff -man -Tutf8 -ww -z '" MAN_PAGE "' 2>&1", &out);
	cr_expect_eq(rc, 0);
	cr_expect_str_empty(out, "groff warns:\n%s", out);
	free(out);
	/* And it renders: the rendered NAME line is there. */
	rc = run("groff -man -Tutf8 '" MAN_PAGE "' 2>/dev/null", &out);
	cr_expect_eq(rc, 0);
	cr_expect(strstr(out, "cachetop - live dashboard") != NULL, "rendered page lacks its NAME line");
	free(out);
}

Test(help, names_the_same_commands_and_options)
{
	char *out;
	int rc = run("'" CACHETOP_BIN "' --help 2>&1", &out);
	cr_assert_eq(rc, 0, "cachetop --help exited %d:\n%s", rc, out);
	struct strset s = { 0 };
	collect_options(out, &s);
	assert_options(&s, "cachetop --help");
	for (size_t i = 0; i < NCMDS; i++)
		cr_expect(has_word(out, expected_commands[i]), "cachetop --help does not name %s",
			  expected_commands[i]);
	set_free(&s);
	free(out);
}

Test(completion, bash_file_parses_and_registers)
{
	char *out;
	int rc = run("bash -n '" BASH_COMPLETION "' 2>&1", &out);
	cr_expect_eq(rc, 0, "bash -n: %s", out);
	free(out);
	rc = run("bash --norc --noprofile -c \"source '" BASH_COMPLETION "' && complete -p cachetop\" 2>&1",
		 &out);
	cr_expect_eq(rc, 0);
	cr_expect_str_eq(out, "complete -F _cachetop cachetop\n");
	free(out);
}

/* Run cmd (it must succeed) and add each non-empty line of its output to s. */
static void run_lines(const char *cmd, struct strset *s)
{
	char *out;
	int rc = run(cmd, &out);
	cr_assert_eq(rc, 0, "%s exited %d: %s", cmd, rc, out);
	for (char *line = out, *nl; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		if (!nl)
			nl = line + strlen(line);
		if (nl > line)
			set_add(s, line, (size_t)(nl - line));
		if (!*nl)
			break;
	}
	free(out);
}

static void complete(const char *words, struct strset *s)
{
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "bash --norc --noprofile '%s' '%s' %s", PACKAGING_TESTS_DIR "/complete.bash",
		 BASH_COMPLETION, words);
	run_lines(cmd, s);
}

Test(completion, bash_offers_every_command_and_option)
{
	struct strset s = { 0 };
	complete("cachetop ''", &s);
	for (size_t i = 0; i < NCMDS; i++)
		cr_expect(set_has(&s, expected_commands[i]), "no completion for %s", expected_commands[i]);
	cr_expect_eq(s.n, NCMDS);
	set_free(&s);

	/* Over all sub-commands, the options are exactly the command line's. */
	complete("cachetop --", &s);
	complete("cachetop report --", &s);
	complete("cachetop watch --", &s);
	complete("cachetop replay --", &s);
	complete("cachetop status --", &s);
	complete("cachetop statusline --", &s);
	assert_options(&s, "the bash completion");
	set_free(&s);

	/* Per sub-command: report's formats are not offered to watch, and the reverse. */
	complete("cachetop watch --", &s);
	cr_expect(set_has(&s, "--backfill"));
	cr_expect(!set_has(&s, "--csv"));
	set_free(&s);
	complete("cachetop report --j", &s);
	cr_expect(set_has(&s, "--json") && set_has(&s, "--jsonl") == false && s.n == 1);
	set_free(&s);
}

Test(completion, bash_completes_directories_and_installed_themes)
{
	char tmpl[] = "/tmp/cachetop-compl-XXXXXX";
	char *dir = mkdtemp(tmpl);
	cr_assert_not_null(dir);
	char path[512], cmd[2048], *out;
	/* A fake installation: <prefix>/bin/cachetop and <prefix>/share/cachetop/themes. */
	snprintf(cmd, sizeof cmd,
		 "mkdir -p '%s/bin' '%s/share/cachetop/themes' '%s/roots/claude-a' '%s/empty' && "
		 "printf '#!/bin/sh\\n' > '%s/bin/cachetop' && chmod +x '%s/bin/cachetop' && "
		 "touch '%s/share/cachetop/themes/solarized-test.yaml' '%s/share/cachetop/themes/nord-test.yaml' "
		 "'%s/roots/claude-file'",
		 dir, dir, dir, dir, dir, dir, dir, dir, dir);
	cr_assert_eq(system(cmd), 0);

	struct strset s = { 0 };
	snprintf(path, sizeof path,
		 "bash --norc --noprofile -c 'PATH=\"%s/bin:$PATH\" XDG_DATA_HOME=\"%s/empty\" "
		 "XDG_DATA_DIRS=\"%s/empty\" \"$0\" \"$@\"' ",
		 dir, dir, dir);
	snprintf(cmd, sizeof cmd, "%s '%s' '%s' cachetop --theme ''", path,
		 PACKAGING_TESTS_DIR "/complete.bash", BASH_COMPLETION);
	int rc = run(cmd, &out);
	cr_assert_eq(rc, 0, "%s: %s", cmd, out);
	cr_expect(strstr(out, "solarized-test\n"), "installed theme not offered:\n%s", out);
	cr_expect(strstr(out, "nord-test\n"), "installed theme not offered:\n%s", out);
	cr_expect(strstr(out, "mono\n"), "built-in mono not offered:\n%s", out);
	free(out);
	snprintf(cmd, sizeof cmd, "%s '%s' '%s' cachetop --theme sol", path,
		 PACKAGING_TESTS_DIR "/complete.bash", BASH_COMPLETION);
	rc = run(cmd, &out);
	cr_expect_eq(rc, 0);
	cr_expect_str_eq(out, "solarized-test\n");
	free(out);

	/* --claude-dir offers directories only. */
	snprintf(cmd, sizeof cmd, "'%s' '%s' cachetop --claude-dir '%s/roots/'",
		 PACKAGING_TESTS_DIR "/complete.bash", BASH_COMPLETION, dir);
	rc = run(cmd, &out);
	cr_expect_eq(rc, 0);
	snprintf(path, sizeof path, "%s/roots/claude-a\n", dir);
	cr_expect_str_eq(out, path);
	free(out);
	set_free(&s);

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	cr_expect_eq(system(cmd), 0);
}

Test(completion, zsh_file_parses_and_names_every_option)
{
	char *text = slurp(ZSH_COMPLETION);
	cr_expect(strncmp(text, "#compdef cachetop\n", 18) == 0, "first line must be #compdef cachetop");
	struct strset s = { 0 };
	collect_options(text, &s);
	assert_options(&s, "the zsh completion");
	for (size_t i = 0; i < NCMDS; i++) {
		char want[64];
		snprintf(want, sizeof want, "'%s:", expected_commands[i]);
		cr_expect(strstr(text, want), "zsh completion lacks the %s command", expected_commands[i]);
	}
	set_free(&s);
	free(text);
	if (!have("zsh"))
		cr_skip_test("zsh is not installed");
	char *out;
	int rc = run("zsh -n '" ZSH_COMPLETION "' 2>&1", &out);
	cr_expect_eq(rc, 0, "zsh -n: %s", out);
	free(out);
}

/* zsh, driven on a pseudo-terminal: the candidates for one command line, optionally with an
 * environment prefix ("PATH=… "). */
static void zcomplete(const char *env, const char *line, struct strset *s)
{
	char cmd[2048];
	snprintf(cmd, sizeof cmd, "%s zsh -f '%s' '%s' '%s'", env ? env : "",
		 PACKAGING_TESTS_DIR "/complete.zsh", ZSH_COMPLETION_DIR, line);
	run_lines(cmd, s);
}

Test(completion, zsh_offers_every_command_option_and_installed_theme, .timeout = 120)
{
	if (!have("zsh"))
		cr_skip_test("zsh is not installed");
	struct strset s = { 0 };
	zcomplete(NULL, "cachetop ", &s);
	for (size_t i = 0; i < NCMDS; i++)
		cr_expect(set_has(&s, expected_commands[i]), "zsh: no completion for %s", expected_commands[i]);
	set_free(&s);

	zcomplete(NULL, "cachetop --", &s);
	zcomplete(NULL, "cachetop report --", &s);
	zcomplete(NULL, "cachetop watch --", &s);
	zcomplete(NULL, "cachetop replay --", &s);
	assert_options(&s, "the zsh completion (offered)");
	set_free(&s);

	zcomplete(NULL, "cachetop watch --", &s);
	cr_expect(set_has(&s, "--backfill") && !set_has(&s, "--csv"));
	set_free(&s);

	char tmpl[] = "/tmp/cachetop-zcompl-XXXXXX";
	char *dir = mkdtemp(tmpl);
	cr_assert_not_null(dir);
	char cmd[2048], env[1024];
	snprintf(cmd, sizeof cmd,
		 "mkdir -p '%s/bin' '%s/share/cachetop/themes' '%s/empty' && "
		 "printf '#!/bin/sh\\n' > '%s/bin/cachetop' && chmod +x '%s/bin/cachetop' && "
		 "touch '%s/share/cachetop/themes/solarized-test.yaml'",
		 dir, dir, dir, dir, dir, dir);
	cr_assert_eq(system(cmd), 0);
	snprintf(env, sizeof env, "cd '%s/empty' && PATH='%s/bin':\"$PATH\" XDG_DATA_HOME='%s/empty' "
		 "XDG_DATA_DIRS='%s/empty'", dir, dir, dir, dir);
	zcomplete(env, "cachetop --theme ", &s);
	cr_expect(set_has(&s, "solarized-test"), "zsh: the installed theme is not offered");
	cr_expect(set_has(&s, "mono"), "zsh: the built-in mono is not offered");
	set_free(&s);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	cr_expect_eq(system(cmd), 0);
}
