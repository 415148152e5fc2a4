/* tui.h — the curses front end of the dashboard: starts and restores the terminal, reads keys,
 * keeps the screen state (main list or one session's detail, selection, sort, filters, theme,
 * pause, help), and draws from the model on demand. The app owns the event loop and calls in:
 * tui_input when stdin is readable, tui_resize on SIGWINCH, tui_suspend/tui_resume around
 * SIGTSTP, tui_model_changed after feeding lines, tui_draw once per loop iteration when
 * tui_dirty says so. Nothing here reads a clock: `now` comes from the app. */
#ifndef CACHETOP_TUI_H
#define CACHETOP_TUI_H

#include <stdbool.h>
#include <stdint.h>

#include "cachetop/ledger.h"
#include "cachetop/model.h"
#include "cachetop/quota.h"
#include "cachetop/source.h"

struct tui_opts {
	bool ascii;                       /* --ascii (UTF-8 is also off when the codeset is not) */
	bool no_color;                    /* --no-color, config no_color or NO_COLOR in the env */
	bool bell;                        /* ring once per new unexpected miss */
	const char *theme;                /* name or file; NULL = "default" */
	const char *themes_dir;           /* for `t` (cycle); NULL = built-ins only */
	double replay_speed;              /* > 0: replaying; the header shows "replay ×N" */
	struct quota_opts quota;
	const struct official_reading *official; /* NULL: none */
	const struct ledger_set *ledgers; /* the statusline agent's ledgers (its state file); NULL: none */
	const struct source_roots *roots; /* where we looked, for the empty screen */
};

struct tui;

/* Sets the locale (setlocale(LC_ALL, "")), decides UTF-8, loads the theme; no terminal yet. */
struct tui *tui_new(const struct tui_opts *o, const struct model *m);
/* initscr & co, colours, fatal hook. Returns 0, or -1 (not a terminal) with a message on stderr. */
int tui_start(struct tui *t);
/* Restore the terminal (idempotent; safe from the fatal hook). */
void tui_stop(struct tui *t);
void tui_free(struct tui *t);

/* Input results */
enum { TUI_QUIT = 1 << 0, TUI_REDRAW = 1 << 1, TUI_PAUSE_CHANGED = 1 << 2 };
/* Read every pending key (non-blocking). */
unsigned tui_input(struct tui *t);
/* The terminal size may have changed: TIOCGWINSZ + resizeterm (ncurses' own SIGWINCH handler
 * never runs, since the app reads signals from a signalfd). */
void tui_resize(struct tui *t);
void tui_suspend(struct tui *t);
void tui_resume(struct tui *t);

/* After model_feed: MODEL_* bits. Marks the screen dirty and rings the bell (once per batch)
 * when a new unexpected miss arrived. */
void tui_model_changed(struct tui *t, unsigned bits);
/* The model was replaced by a fresh read of the tree (live equals report): the screen follows
 * the new one, keeping the selection and the open session by id. Call while the old one is
 * still alive. */
void tui_set_model(struct tui *t, const struct model *m);
/* The clock ticked (gauges, countdowns). */
void tui_tick(struct tui *t);
void tui_set_message(struct tui *t, const char *msg);
bool tui_dirty(const struct tui *t);
bool tui_paused(const struct tui *t);
/* Draw everything for `now` (one doupdate). */
void tui_draw(struct tui *t, int64_t now);

#endif
