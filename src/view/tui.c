/* tui.c — the dashboard's state machine (main list ↔ one session's detail, help overlay, filter
 * typing) and its life cycle: locale and UTF-8 decision, theme choice and cycling, curses start
 * and restore on every exit path (q, signals via the app, fatal errors via the registered hook,
 * Ctrl-Z), resize by TIOCGWINSZ + resizeterm, and the one draw per loop iteration. */
#include "tui_private.h"

#include <dirent.h>
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cachetop/config.h"
#include "cachetop/util.h"

static struct tui *fatal_tui; /* the fatal hook has no argument */

static void tui_fatal_hook(void)
{
	if (fatal_tui)
		tui_stop(fatal_tui);
}

static void load_theme(struct tui *t, const char *name)
{
	theme_builtin(&t->theme, "default");
	if (!name || !strcmp(name, "default"))
		return;
	if (!strcmp(name, "mono")) {
		theme_builtin(&t->theme, "mono");
		return;
	}
	struct conf_err err = {0};
	char path[4096];
	if (strchr(name, '/') || !t->o.themes_dir)
		snprintf(path, sizeof path, "%s", name);
	else
		snprintf(path, sizeof path, "%s/%s.yaml", t->o.themes_dir, name);
	if (theme_load(&t->theme, path, &err) != 0)
		snprintf(t->message, sizeof t->message, "theme: %s", err.msg);
}

static void list_themes(struct tui *t)
{
	const char *builtin[] = {"default", "mono"};
	for (size_t i = 0; i < 2; i++) {
		t->themes = xrealloc(t->themes, (t->nthemes + 1) * sizeof *t->themes);
		t->themes[t->nthemes++] = xstrdup(builtin[i]);
	}
	DIR *d = t->o.themes_dir ? opendir(t->o.themes_dir) : NULL;
	struct dirent *e;
	while (d && (e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (n < 6 || strcmp(e->d_name + n - 5, ".yaml"))
			continue;
		char name[256];
		snprintf(name, sizeof name, "%.*s", (int)(n - 5), e->d_name);
		bool dup = false;
		for (size_t i = 0; i < t->nthemes; i++)
			dup |= !strcmp(t->themes[i], name);
		if (dup)
			continue;
		t->themes = xrealloc(t->themes, (t->nthemes + 1) * sizeof *t->themes);
		t->themes[t->nthemes++] = xstrdup(name);
	}
	if (d)
		closedir(d);
	for (size_t i = 0; i < t->nthemes; i++)
		if (t->o.theme && !strcmp(t->themes[i], t->o.theme))
			t->theme_idx = i;
}

struct tui *tui_new(const struct tui_opts *o, const struct model *m)
{
	struct tui *t = xcalloc(1, sizeof *t);
	t->o = *o;
	t->m = m;
	t->detail = -1;
	t->dirty = true;
	t->ev_stale = true; /* no evidence yet */
	setlocale(LC_ALL, "");
	const char *cs = nl_langinfo(CODESET);
	t->utf8 = !o->ascii && cs && (!strcasecmp(cs, "UTF-8") || !strcasecmp(cs, "utf8"));
	const char *nc = getenv("NO_COLOR");
	t->color = !o->no_color && !(nc && *nc);
	load_theme(t, t->color ? o->theme : "mono");
	list_themes(t);
	return t;
}

int tui_start(struct tui *t)
{
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "cachetop: the dashboard needs a terminal (try `cachetop report`)\n");
		return -1;
	}
	set_escdelay(25);
	if (!initscr()) {
		fprintf(stderr, "cachetop: cannot initialise the terminal\n");
		return -1;
	}
	t->started = true;
	fatal_tui = t;
	ct_set_fatal_hook(tui_fatal_hook);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
	mousemask(BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
	mouseinterval(200);
	if (t->color && has_colors()) {
		start_color();
		use_default_colors();
	} else {
		t->color = false;
	}
	term_colours(t);
	t->dirty = true;
	return 0;
}

void tui_stop(struct tui *t)
{
	if (!t || !t->started)
		return;
	t->started = false;
	curs_set(1);
	endwin();
	fflush(stdout);
}

void tui_free(struct tui *t)
{
	if (!t)
		return;
	tui_stop(t);
	if (fatal_tui == t) {
		ct_set_fatal_hook(NULL);
		fatal_tui = NULL;
	}
	for (size_t i = 0; i < t->nthemes; i++)
		free(t->themes[i]);
	free(t->themes);
	free(t->vis);
	evidence_free(&t->ev);
	for (int a = 0; a < AGENT_COUNT; a++)
		blocks_free(&t->blocks[a]);
	free(t);
}

void tui_resize(struct tui *t)
{
	if (!t->started)
		return;
	struct winsize ws;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
	clearok(curscr, TRUE);
	t->dirty = true;
}

void tui_suspend(struct tui *t)
{
	if (t->started)
		endwin();
}

void tui_resume(struct tui *t)
{
	if (!t->started)
		return;
	refresh();
	tui_resize(t);
}

void tui_model_changed(struct tui *t, unsigned bits)
{
	if (!bits)
		return;
	t->dirty = true;
	if ((bits & MODEL_NEW_UNEXPECTED) && t->o.bell && t->started)
		beep();
}

void tui_set_model(struct tui *t, const struct model *m)
{
	if (t->screen == SCREEN_DETAIL) {
		const struct session *s = model_session(t->m, (size_t)t->detail);
		int32_t i = s ? model_session_find(m, s->id) : -1;
		if (i < 0)
			t->screen = SCREEN_MAIN;
		else
			t->detail = i;
	}
	t->m = m;
	t->nvis = 0; /* rows point into the old model: collected again on the next draw */
	t->dirty = true;
	t->ev_stale = true; /* the evidence belonged to the old model */
	t->blocks_ok = t->pairs_ok = false; /* and so did the blocks and pairs */
}

void tui_tick(struct tui *t) { t->dirty = true; }
bool tui_dirty(const struct tui *t) { return t->dirty; }
bool tui_paused(const struct tui *t) { return t->paused; }

void tui_set_message(struct tui *t, const char *msg)
{
	snprintf(t->message, sizeof t->message, "%s", msg ? msg : "");
	t->dirty = true;
}

/* ---- input ---- */

static void move_sel(struct tui *t, long d)
{
	if (t->screen == SCREEN_DETAIL) {
		long top = (long)t->dtop + d;
		long max = (long)t->ndetail - t->table_rows;
		if (max < 0)
			max = 0;
		top = top < 0 ? 0 : top > max ? max : top;
		t->dtop = (size_t)top;
		t->dfollow = t->dtop == (size_t)max;
		return;
	}
	if (!t->nvis)
		return;
	t->user_moved = true;
	long s = (long)t->sel + d;
	s = s < 0 ? 0 : s >= (long)t->nvis ? (long)t->nvis - 1 : s;
	t->sel = (size_t)s;
	snprintf(t->sel_id, sizeof t->sel_id, "%s", t->vis[t->sel]->id ? t->vis[t->sel]->id : "");
}

static void open_selected(struct tui *t)
{
	if (t->screen != SCREEN_MAIN || !t->nvis)
		return;
	int32_t i = model_session_find(t->m, t->vis[t->sel]->id);
	if (i < 0)
		return;
	t->detail = i;
	t->screen = SCREEN_DETAIL;
	t->dfollow = true;
	t->dtop = 0;
}

static unsigned filter_key(struct tui *t, int ch)
{
	if (ch == 27 || ch == KEY_LEFT) { /* cancel: clear the filter */
		t->editing = false;
		t->filter[0] = 0;
		t->filter_len = 0;
	} else if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
		t->editing = false;
	} else if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
		if (t->filter_len)
			t->filter[--t->filter_len] = 0;
	} else if (ch >= 0x20 && ch < 0x7f && t->filter_len + 1 < sizeof t->filter) {
		t->filter[t->filter_len++] = (char)ch;
		t->filter[t->filter_len] = 0;
	}
	t->sel = 0;
	t->sel_id[0] = 0;
	return TUI_REDRAW;
}

static int quota_lines(const struct tui *t);

static void mouse(struct tui *t)
{
	MEVENT ev;
	if (getmouse(&ev) != OK)
		return;
	if (ev.bstate & BUTTON4_PRESSED)
		move_sel(t, -3);
	else if (ev.bstate & BUTTON5_PRESSED)
		move_sel(t, 3);
	else if (t->screen == SCREEN_MAIN && (ev.bstate & (BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED))) {
		struct layout l;
		layout_compute(COLS, LINES, LAYOUT_MAIN, quota_lines(t), &l);
		long row = ev.y - (l.list.y + 1);
		if (row >= 0 && row < l.list.h - 1 && t->top + (size_t)row < t->nvis) {
			t->sel = t->top + (size_t)row;
			t->user_moved = true;
			snprintf(t->sel_id, sizeof t->sel_id, "%s", t->vis[t->sel]->id ? t->vis[t->sel]->id : "");
			if (ev.bstate & BUTTON1_DOUBLE_CLICKED)
				open_selected(t);
		}
	}
}

unsigned tui_input(struct tui *t)
{
	unsigned res = 0;
	int ch;
	while ((ch = getch()) != ERR) {
		if (ch == KEY_RESIZE) /* pushed by resizeterm; the resize itself is done */
			continue;
		res |= TUI_REDRAW;
		t->message[0] = 0;
		if (t->editing) {
			res |= filter_key(t, ch);
			continue;
		}
		if (t->help || t->limits) { /* any key closes help or the limits panel; q still quits */
			t->help = t->limits = false;
			if (ch != 'q')
				continue;
		}
		long page = t->screen == SCREEN_DETAIL ? t->table_rows : t->list_rows;
		switch (keys_action(ch)) {
		case ACT_UP: move_sel(t, -1); break;
		case ACT_DOWN: move_sel(t, 1); break;
		case ACT_PGUP: move_sel(t, -(page > 1 ? page - 1 : 1)); break;
		case ACT_PGDN: move_sel(t, page > 1 ? page - 1 : 1); break;
		case ACT_HOME: move_sel(t, -(1L << 30)); break;
		case ACT_END: move_sel(t, 1L << 30); break;
		case ACT_OPEN: open_selected(t); break;
		case ACT_BACK:
			if (t->screen == SCREEN_DETAIL)
				t->screen = SCREEN_MAIN;
			else if (t->filter[0])
				filter_key(t, 27);
			break;
		case ACT_FILTER:
			if (t->screen == SCREEN_DETAIL)
				t->screen = SCREEN_MAIN;
			t->editing = true;
			break;
		case ACT_SORT:
			t->sort = (enum sort_mode)((t->sort + 1) % SORT_COUNT);
			snprintf(t->message, sizeof t->message, "sort: %s", sort_name(t->sort));
			break;
		case ACT_AGENT:
			t->agent = (enum agent_filter)((t->agent + 1) % AF_COUNT);
			break;
		case ACT_THEME:
			if (t->nthemes) {
				t->theme_idx = (t->theme_idx + 1) % t->nthemes;
				t->color = !t->o.no_color && strcmp(t->themes[t->theme_idx], "mono") &&
					   has_colors();
				if (t->color) {
					start_color();
					use_default_colors();
				}
				load_theme(t, t->themes[t->theme_idx]);
				term_colours(t);
				if (!t->message[0])
					snprintf(t->message, sizeof t->message, "theme: %s",
						 t->themes[t->theme_idx]);
				clearok(curscr, TRUE);
			}
			break;
		case ACT_PAUSE:
			t->paused = !t->paused;
			res |= TUI_PAUSE_CHANGED;
			break;
		case ACT_HELP: t->help = true; break;
		case ACT_LIMITS: t->limits = true; break;
		case ACT_QUIT: return res | TUI_QUIT;
		case ACT_MOUSE: mouse(t); break;
		case ACT_NONE: break;
		}
	}
	if (res)
		t->dirty = true;
	return res;
}

/* ---- drawing ---- */

static void status_bar(struct tui *t, const struct layout *l)
{
	char buf[1024];
	if (t->editing)
		snprintf(buf, sizeof buf, " filter (project or id): %s_   Enter keep  Esc clear", t->filter);
	else if (t->message[0])
		snprintf(buf, sizeof buf, " %s", t->message);
	else if (t->screen == SCREEN_DETAIL)
		snprintf(buf, sizeof buf, " %s scroll  PgUp/PgDn  Home/End  %s/Esc back  t theme  p %s  ? help  q quit",
			 t->utf8 ? "\xE2\x86\x91\xE2\x86\x93" : "j/k", t->utf8 ? "\xE2\x86\x90" : "h",
			 t->paused ? "resume" : "pause");
	else
		snprintf(buf, sizeof buf,
			 " %s move  %s open  /%s%s%s filter  s:%s  a:%s  %st theme  p %s  ? help  q quit",
			 t->utf8 ? "\xE2\x86\x91\xE2\x86\x93" : "j/k", t->utf8 ? "\xE2\x86\x92" : "Enter", t->filter[0] ? " [" : "", t->filter,
			 t->filter[0] ? "]" : "", sort_name(t->sort), t->agent == AF_ALL ? "all" : agent_name((enum agent)(t->agent - 1)),
			 l->cols >= 92 ? "l limits  " : "" /* 80 columns keep "q quit"; ? lists it */,
			 t->paused ? "resume" : "pause");
	term_fill(t, l->status.y, 0, l->cols, ROLE_STATUS);
	char safe[1024];
	text_safe_fit(buf, l->cols, t->utf8, safe, sizeof safe);
	term_text(t, l->status.y, 0, l->cols, safe, ROLE_STATUS);
}

static void help_overlay(struct tui *t)
{
	/* the agents the filter key steps through, from the table */
	char agents[128];
	size_t o = (size_t)snprintf(agents, sizeof agents, "  a               agents: all");
	for (int a = 0; a < AGENT_COUNT && o < sizeof agents; a++)
		o += (size_t)snprintf(agents + o, sizeof agents - o, ", %s", agent_table[a].name);
	/* the agents with official limits, by their labels */
	char limits[128];
	o = (size_t)snprintf(limits, sizeof limits, "  l               official limits:");
	for (int a = 0, k = 0; a < AGENT_COUNT && o < sizeof limits; a++)
		if (agent_table[a].limits != AGENT_LIMITS_NONE)
			o += (size_t)snprintf(limits + o, sizeof limits - o, "%s %s", k++ ? "," : "", agent_table[a].label);
	const char *const lines[] = {
		"cachetop: keys",
		"",
		"  Up/Down j/k     move              PgUp/PgDn Home/End  page, ends",
		"  Enter/Right     open a session    Left/Esc            back",
		"  /               filter (project or id substring)",
		"  s               sort: recent, hit %, waste, requests",
		agents,
		limits,
		"  t               next theme        p  pause updates",
		"  ?               this help         q  quit",
		"",
		"  red     resume miss: the cache was rebuilt after a resume, not a TTL expiry",
		"  yellow  unexplained miss inside the TTL",
		"  dim     expected miss (first request, TTL expiry, model switch, compaction)",
		"",
		"  any key closes this help",
	};
	int n = (int)(sizeof lines / sizeof lines[0]);
	int w = 78 < COLS - 2 ? 78 : COLS - 2, h = n + 2 < LINES - 2 ? n + 2 : LINES - 2;
	int x0 = (COLS - w) / 2, y0 = (LINES - h) / 2;
	if (w < 10 || h < 3)
		return;
	for (int i = 0; i < h; i++)
		term_fill(t, y0 + i, x0, w, ROLE_STATUS);
	for (int i = 0; i < n && i + 1 < h - 1; i++)
		term_text(t, y0 + 1 + i, x0 + 2, w - 4, lines[i], i == 0 ? ROLE_TITLE : ROLE_STATUS);
}

static void limits_overlay(struct tui *t, int64_t now)
{
	enum { MAXL = LIMIT_FAMILIES_MAX + 6 };
	static char lines[MAXL][LIMITS_LINE];
	size_t n = limits_lines(t->o.official, model_limit_families(t->m), now, t->utf8, lines, MAXL);
	int w = 80 < COLS - 2 ? 80 : COLS - 2, h = (int)n + 4 < LINES - 2 ? (int)n + 4 : LINES - 2;
	int x0 = (COLS - w) / 2, y0 = (LINES - h) / 2;
	if (w < 10 || h < 3)
		return;
	for (int i = 0; i < h; i++)
		term_fill(t, y0 + i, x0, w, ROLE_STATUS);
	term_text(t, y0 + 1, x0 + 2, w - 4, "official limits (5-hour gauges: the account's family only)", ROLE_TITLE);
	for (size_t i = 0; i < n && (int)i + 3 < h - 1; i++)
		term_text(t, y0 + 3 + (int)i, x0 + 2, w - 4, lines[i], i == 0 ? ROLE_LABEL : ROLE_STATUS);
}

/* Lines the 5h panel wants: one gauge per agent with data, plus the waste line. */
static int quota_lines(const struct tui *t)
{
	bool have[AGENT_COUNT];
	tui_agents_with_data(t, have);
	int n = 0;
	for (int a = 0; a < AGENT_COUNT; a++)
		n += have[a];
	return n ? n + 1 : 1;
}

void tui_draw(struct tui *t, int64_t now)
{
	if (!t->started)
		return;
	t->dirty = false;
	struct layout l;
	enum layout_mode mode = t->screen == SCREEN_DETAIL ? LAYOUT_DETAIL : LAYOUT_MAIN;
	int nq = quota_lines(t);
	layout_compute(COLS, LINES, mode, mode == LAYOUT_DETAIL ? screen_detail_extra(t) : nq, &l);
	erase();
	if (l.too_small) {
		term_text(t, 0, 0, COLS, "cachetop: terminal too small", ROLE_ERROR);
		refresh();
		return;
	}
	screen_header(t, &l, now);
	if (t->screen == SCREEN_DETAIL)
		screen_detail(t, &l, now);
	if (t->screen == SCREEN_MAIN) {
		layout_compute(COLS, LINES, LAYOUT_MAIN, nq, &l);
		screen_main(t, &l, now);
	}
	status_bar(t, &l);
	if (t->help)
		help_overlay(t);
	else if (t->limits)
		limits_overlay(t, now);
	refresh();
}
