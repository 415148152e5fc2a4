/* tui_private.h — the dashboard's screen state shared by tui.c, term.c, keys.c and the
 * screen_*.c painters. Internal to src/view. */
#ifndef CACHETOP_TUI_PRIVATE_H
#define CACHETOP_TUI_PRIVATE_H

#include <curses.h>

#include "cachetop/quota.h"
#include "cachetop/render.h"
#include "cachetop/report.h"
#include "cachetop/theme.h"
#include "cachetop/tui.h"

enum tui_screen { SCREEN_MAIN = 0, SCREEN_DETAIL = 1 };
/* The agent filter: AF_ALL, or 1 + an agent of the agent table. */
enum agent_filter { AF_ALL = 0, AF_COUNT = AGENT_COUNT + 1 };

struct tui {
	struct tui_opts o;
	const struct model *m;
	bool utf8, started, color, paused, help, dirty, editing;
	bool limits;                      /* the limits panel (l) is open */
	struct theme theme;
	char **themes; size_t nthemes, theme_idx;
	attr_t attr[ROLE_COUNT];          /* curses attributes (incl. colour pair) per role */
	enum tui_screen screen;
	enum sort_mode sort;
	enum agent_filter agent;
	char filter[128];
	size_t filter_len;
	/* main list: the visible sessions (rebuilt each draw), selection by session id so it
	 * survives re-sorting and new sessions */
	const struct session **vis; size_t nvis, capvis;
	size_t sel, top;
	char sel_id[128];
	bool user_moved;                  /* until the user moves, the top row stays selected */
	int list_rows;                    /* session rows that fit (page size) */
	/* detail */
	int32_t detail;                   /* session index */
	size_t dtop;                      /* first table row shown */
	bool dfollow;                     /* stick to the newest request */
	int table_rows;
	size_t ndetail;                   /* rows in the detail table */
	char message[600];
	struct row row;                   /* scratch */
	/* every event's evidence, recomputed when the model or the ledgers changed */
	struct evidence_set ev;
	bool ev_stale;                    /* the model was replaced */
	uint64_t ev_sig, ev_edits;
	size_t ev_reqs;                   /* requests when it was last brought up to date */
	/* what a frame derives from the history, kept while model_generation() is the same: the
	 * timer tick only moves `now` */
	struct blocks blocks[AGENT_COUNT];
	uint64_t blocks_gen;
	bool blocks_ok;
	struct pair_bucket pairs[PAIR_BUCKETS];
	uint64_t pairs_gen;
	int32_t pairs_session;
	bool pairs_ok;
};

/* term.c */
void term_colours(struct tui *t);
void term_paint_row(struct tui *t, int y, int x, int width, const struct row *r, enum theme_role base,
		    bool selected);
void term_fill(struct tui *t, int y, int x, int width, enum theme_role role);
void term_text(struct tui *t, int y, int x, int width, const char *s, enum theme_role role);

/* keys.c */
enum tui_action {
	ACT_NONE = 0, ACT_UP, ACT_DOWN, ACT_PGUP, ACT_PGDN, ACT_HOME, ACT_END, ACT_OPEN, ACT_BACK,
	ACT_FILTER, ACT_SORT, ACT_AGENT, ACT_THEME, ACT_PAUSE, ACT_HELP, ACT_QUIT, ACT_MOUSE, ACT_LIMITS,
};
enum tui_action keys_action(int ch);

/* screen_main.c / screen_detail.c */
void screen_header(struct tui *t, const struct layout *l, int64_t now);
void screen_main(struct tui *t, const struct layout *l, int64_t now);
void screen_detail(struct tui *t, const struct layout *l, int64_t now);
/* Rebuild t->vis from the model with the current filter, agent and sort. */
void screen_main_collect(struct tui *t);
/* Which agents have requests or an official reading (each gets a 5h gauge). */
void tui_agents_with_data(const struct tui *t, bool have[AGENT_COUNT]);
/* Agent a's 5-hour blocks, computed again only when the model changed. */
const struct blocks *tui_blocks(struct tui *t, enum agent a);
/* The TTL-matched pairs of session si's project, computed again only when the model changed. */
const struct pair_bucket *tui_pairs(struct tui *t, int32_t si,
				    bool (*filter)(const struct model *, uint32_t, void *), void *ctx);
/* Every event's evidence (tui.c; valid until the next draw). */
const struct evidence_set *tui_evidence(struct tui *t);
/* An event's evidence in words into out ("" when none). */
void tui_event_note(struct tui *t, size_t event, char *out, size_t cap);
/* Extra info lines the detail screen wants for its session. */
int screen_detail_extra(struct tui *t);
/* Sessions in a project (pairs filter ctx). */
bool screen_same_project(const struct model *m, uint32_t session, void *ctx);

#endif
