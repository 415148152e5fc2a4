/* roots.c — where transcripts live: the roots named on the command line or in the config, and
 * each agent's default roots from the environment (its table row says which variables and
 * folders). A path naming an agent's transcript folder itself is taken as its root. */
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "source_int.h"

static const char *roots_home(void)
{
	const char *h = getenv("HOME");
	if (h && *h)
		return h;
	struct passwd *pw = getpwuid(getuid());
	return pw && pw->pw_dir ? pw->pw_dir : NULL;
}

static bool roots_ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);
	return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

void source_roots_add(struct source_roots *r, enum agent agent, const char *path)
{
	if (!path || !*path)
		return;
	size_t n = strlen(path);
	while (n > 1 && path[n - 1] == '/')
		n--;
	/* A path naming the transcript folder itself is taken as its root. */
	const struct agent_desc *ad = agent_get(agent);
	const char *sub = ad->root_sub, *sub2 = ad->root_sub2;
	if (roots_ends_with(path, n, sub) && n > strlen(sub))
		n -= strlen(sub);
	else if (sub2 && roots_ends_with(path, n, sub2) && n > strlen(sub2))
		n -= strlen(sub2);
	char *p = xstrndup(path, n);
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].agent == agent && strcmp(r->v[i].path, p) == 0) {
			free(p);
			return;
		}
	ct_grow((void **)&r->v, &r->cap, r->n + 1, sizeof r->v[0]);
	struct source_root *nr = &r->v[r->n++];
	memset(nr, 0, sizeof *nr);
	nr->agent = agent;
	nr->path = p;
	nr->exists = source_is_dir(p);
}

static void discover_add_joined(struct source_roots *r, enum agent agent, const char *a,
				const char *b)
{
	struct buf p = {0};
	buf_printf(&p, "%s/%s", a, b);
	source_roots_add(r, agent, buf_cstr(&p));
	buf_free(&p);
}

void source_roots_default(struct source_roots *r, enum agent which)
{
	const char *home = roots_home();
	for (int a = 0; a < AGENT_COUNT; a++) {
		if (which != AGENT_COUNT && which != (enum agent)a)
			continue;
		const struct agent_desc *ad = &agent_table[a];
		const char *env = ad->env ? getenv(ad->env) : NULL;
		if (env && *env && ad->env_list) {
			char *list = xstrdup(env);
			char *save = NULL;
			for (char *tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
				while (*tok == ' ' || *tok == '\t')
					tok++;
				size_t n = strlen(tok);
				while (n && (tok[n - 1] == ' ' || tok[n - 1] == '\t'))
					tok[--n] = 0;
				source_roots_add(r, (enum agent)a, tok);
			}
			free(list);
		} else if (env && *env) {
			if (ad->env_join)
				discover_add_joined(r, (enum agent)a, env, ad->env_join);
			else
				source_roots_add(r, (enum agent)a, env);
		} else {
			if (ad->xdg_sub) {
				const char *xdg = getenv("XDG_CONFIG_HOME");
				if (xdg && *xdg)
					discover_add_joined(r, (enum agent)a, xdg, ad->xdg_sub);
				else if (home) {
					struct buf p = {0};
					buf_printf(&p, ".config/%s", ad->xdg_sub);
					discover_add_joined(r, (enum agent)a, home, buf_cstr(&p));
					buf_free(&p);
				}
			}
			if (home && ad->home_sub)
				discover_add_joined(r, (enum agent)a, home, ad->home_sub);
			if (ad->data_sub) {
				char *d = source_data_default_dir(ad->data_sub);
				if (d)
					source_roots_add(r, (enum agent)a, d);
				free(d);
			}
		}
	}
}

char *source_data_default_dir(const char *sub)
{
	const char *xdg = getenv("XDG_DATA_HOME");
	const char *home = roots_home();
	struct buf p = {0};
	if (xdg && *xdg)
		buf_printf(&p, "%s/%s", xdg, sub);
	else if (home)
		buf_printf(&p, "%s/.local/share/%s", home, sub);
	return p.data;
}

char *source_agent_data_dir(enum agent a)
{
	const char *sub = agent_get(a)->data_sub;
	return sub ? source_data_default_dir(sub) : NULL;
}

void source_roots_free(struct source_roots *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->v[i].path);
	free(r->v);
	memset(r, 0, sizeof *r);
}
