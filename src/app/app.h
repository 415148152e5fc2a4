/* app.h — what the sub-commands share: parsed command-line options, the loaded config, and the
 * helpers that build a model from the roots. Internal to src/app. */
#ifndef CACHETOP_APP_H
#define CACHETOP_APP_H

#include <stdbool.h>
#include <stdint.h>

#include "cachetop/config.h"
#include "cachetop/ledger.h"
#include "cachetop/model.h"
#include "cachetop/price.h"
#include "cachetop/quota.h"
#include "cachetop/report.h"
#include "cachetop/source.h"

enum report_format { FMT_TEXT = 0, FMT_JSON, FMT_CSV, FMT_OPENMETRICS };

struct app {
	const char *argv0;
	/* common options */
	char **dirs[AGENT_COUNT];                /* each agent's roots option (--<name>-dir, repeatable) */
	size_t ndirs[AGENT_COUNT];
	const char *config_path;                 /* --config */
	const char *theme;                       /* --theme NAME|FILE */
	int64_t since_ms;                        /* --since DATE; CT_TIME_NONE */
	int64_t now_override;                    /* --now TIME (tests, reproducible reports) */
	bool no_color, bell, ascii;
	/* sub-command options */
	enum report_format format;
	const char *output_path;                 /* --openmetrics FILE */
	bool backfill;                           /* watch --backfill */
	const char *final_report;                /* watch --final-report FILE */
	double speed;                            /* replay --speed */
	const char *replay_dir;
	int max_frames;                          /* --max-frames N (tests): quit after N draws */
	const char *banner;                      /* replay: a message shown on the status line */
	bool no_state;                           /* --no-state: read everything, keep nothing */
	/* loaded state */
	struct config cfg;
	struct price_table *prices;              /* NULL: built-in */
	struct source_roots roots;
	struct model_opts mopts;
	struct quota_opts qopts;
	struct official_reading official;        /* from the statusline state file */
	struct ledger_set ledgers;               /* the statusline agent's prompt_cache ledgers, same file */
	struct { uint64_t dev, ino; int64_t size, mtime_ns; } state_seen; /* the file as last read */
	bool official_lazy;                      /* app_load leaves the state file unread */
	bool prices_lazy;                        /* app_load only reads the price file: app_prices
						  * parses it when a model is to be built */
	char *prices_path, *prices_text;         /* the price file and its bytes, until parsed */
	size_t prices_len;
};

/* Load config (a bad file: message, defaults kept), prices, roots, options, official readings. */
void app_load(struct app *a);
/* The price table parsed (once) into a->prices and a->mopts.prices, if app_load left it. */
void app_prices(struct app *a);
void app_free(struct app *a);
/* A model over every root, read oldest-first (report, status). NULL with a message on failure.
 * With blocks and have_blocks: when the model came whole from the state's image, the blocks
 * kept with it (blocks_compute's of it, per agent; *have_blocks; the caller frees them). */
struct model *app_build_model(struct app *a, struct source **src_out, struct blocks *blocks, bool *have_blocks);

/* write(2) until all of p is written (EINTR retried); 0, or -1 with errno. */
int app_write_all(int fd, const char *p, size_t n);
/* report_json's text on fd, written on the machine's cores (report_json.c); given: the blocks
 * kept with the state's image for m (app_build_model), or NULL. Returns app_write_all's result. */
int app_report_json(const struct model *m, const struct report_ctx *c, const struct blocks *given, int fd);

/* Wall clock in ms (the only place the app reads the clock, unless --now is given). */
int64_t app_now(const struct app *a);

/* Roots from the agents' --<name>-dir options, else config, else the environment defaults. */
void app_resolve_roots(struct app *a);
/* A line_sink feeding the model; file handles are model file indices. */
void app_model_sink(struct model *m, struct line_sink *out);
/* A sink with ctx `ctx`, whose first member is the struct line_sink it wraps, passing every call
 * on to it (sink_forward.c); the wrapper then sets the calls it handles itself. */
void sink_forward(struct line_sink *out, void *ctx);
/* Its batches: the packed records (line_pack) of a run of lines. `kept` (state.c) marks a batch
 * recalled from the state file, whose records lie there. */
struct parsed {
	struct buf packed;
	uint64_t lines;
	long kept;                               /* state entry, or -1 (0 in batches from prepare) */
	bool recalled;
};
void *app_sink_prepare(void *ctx, uint32_t file, enum agent agent, const char *p, size_t n);
size_t app_sink_batch_size(void *batch, uint64_t *lines);
/* Apply packed records to the model (commits run on one thread at a time); -1 when a record
 * cannot be read back (what came before it was applied). */
int app_apply_packed(struct model *m, uint32_t file, const char *p, size_t n);
/* Fill a report_ctx from the app state. */
void app_report_ctx(struct app *a, const struct source *s, struct report_root *roots, size_t cap,
		    struct report_ctx *c);
/* Re-read the statusline state file into a->official and a->ledgers (when it changed). */
void app_load_official(struct app *a);
/* Only the newest rate-limit reading, from the file's last 64 KB, no ledgers (statusline). */
void app_load_official_latest(struct app *a);
/* Path of the statusline state file ($XDG_STATE_HOME/cachetop/statusline.jsonl); caller frees. */
char *app_state_path(void);

/* Write a whole file through FILE.tmp and rename(2), so no reader sees half of it; 0 or 1 with
 * a message. */
int app_write_file_atomic(const char *path, const char *data, size_t n);

/* The model as followed live (live.c): a source over the roots feeding a model that is rebuilt
 * from a fresh read whenever lines arrived in an order that could change the answer. */
struct live_hooks {
	void *ctx;
	/* after a line tailed live changed something (MODEL_* bits) */
	void (*changed)(void *ctx, struct model *m, unsigned bits);
	/* the model was replaced by a fresh read; `old` is freed after the call */
	void (*replaced)(void *ctx, const struct model *old, struct model *m);
};
struct live {
	struct line_sink inner;                  /* first: the sink it wraps (sink_forward) */
	struct app *a;
	struct model *m;
	struct source *s;
	struct line_sink sink;
	struct live_hooks hooks;
	unsigned bits;
	uint64_t rebuilds;
	struct state *st;                        /* warm-start state (state.h), NULL without */
	int64_t saved_at;                        /* monotonic ms of the last periodic save */
	uint64_t lines_seen;                     /* the source's line count when last looked at */
};
/* Build the model from a scan of the roots (0, or -1 with a message in err). */
int live_open(struct live *l, struct app *a, const struct live_hooks *h, char *err, size_t errlen);
/* Read what changed (never blocks); rebuilds when needed. Returns lines read. */
uint64_t live_process(struct live *l, int64_t mono_ms);
/* MODEL_* bits gathered since the last call. */
unsigned live_take_bits(struct live *l);
void live_close(struct live *l);

/* Sub-commands; each returns the process exit status (0 ok, 1 failure, 2 usage). */
int cmd_report(struct app *a);
int cmd_watch(struct app *a);       /* src/app/watch_cmd.c */
int cmd_dashboard(struct app *a);   /* src/app/dashboard.c: live, over the roots */
int cmd_replay(struct app *a);      /* src/app/dashboard.c: a recorded tree as if live */
int cmd_statusline(struct app *a);
int cmd_status(struct app *a);
struct status_digest;
/* What `status` prints from (status_digest.h): the state file's when the tree is unchanged
 * since it was saved (*from_state), else the digest of a model built now; false: no data. */
bool app_status_digest(struct app *a, struct status_digest *d, bool *from_state);
/* `status`'s line from a digest, into out (emptied first). */
void app_status_text(struct app *a, const struct status_digest *d, struct buf *out);

#endif
