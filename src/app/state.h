/* state.h — the warm-start state (state.c): a model sink that keeps each transcript's parsed
 * records and recalls an earlier run's, and the file they are saved in. Internal to src/app. */
#ifndef CACHETOP_APP_STATE_H
#define CACHETOP_APP_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "cachetop/model.h"
#include "cachetop/sink.h"
#include "cachetop/source.h"

struct app;
struct state;

/* The state for the app's roots, loaded when a usable file exists (one from another build or
 * set of roots, damaged or cut short counts as none). NULL with --no-state or no cache folder. */
struct state *state_open(const struct app *a);
void state_close(struct state *st);
/* $XDG_CACHE_HOME/cachetop (absolute only) else ~/.cache/cachetop; caller frees; NULL if none. */
char *state_dir(void);
const char *state_path(const struct state *st);

/* A sink feeding m that keeps every file's records and recalls the loaded ones. Binding a new
 * model (a rebuild) drops what was kept for the old one. */
void state_sink(struct state *st, struct model *m, struct line_sink *out);
/* One line fed outside the sink (live.c tails through model_feed): kept, then applied. Returns
 * model_apply's MODEL_* bits. */
unsigned state_feed(struct state *st, uint32_t file, const char *line, size_t n);

/* Called after each scan. A recalled record would not read back although its hash matched, or
 * the model started from the saved image and the scan found what the image cannot vouch for (a
 * file new, rewritten or gone, lines out of order): the model is not to be trusted.
 * state_forget then stops using what misled it (the image, else every record); the caller
 * reads the tree again. */
bool state_failed(struct state *st);
void state_forget(struct state *st);

/* Save what the source has read (files at a line boundary whose bytes are still as read).
 * Skipped when the file on disk already says it all, and — unless `force` — while what was read
 * since the last save is small next to the file. 0, or -1 when not written. */
int state_save(struct state *st, struct source *s, bool force);

/* One file on its own (statusline: a model of one transcript): apply the records kept of
 * `path` to file `file` of m when the file still holds them; returns where to read on (0 when
 * nothing was kept or it no longer holds). */
uint64_t state_recall_file(struct state *st, struct model *m, uint32_t file, const char *path);

/* A long-running view: after each save, what was saved is dropped from memory and recalled from
 * the new file (a one-shot command just writes it). */
void state_follow(struct state *st);

struct status_digest;
/* The status digest the state file keeps beside its model's image, when the tree is unchanged
 * since (source_unchanged: no file read) and the image was written under this run's options
 * and prices; false otherwise (or with --no-state): build the model. */
bool state_status_digest(const struct app *a, struct status_digest *d);

/* For tests and benchmarks. */
bool state_loaded(const struct state *st);
/* The model when nothing under the roots changed since the loaded file's image was written
 * (source_unchanged: no transcript opened), with the source that checked it (its roots as a
 * scan's; it follows no file; the caller frees both); NULL otherwise, and the scan follows.
 * With dg and have_dg: the status digest kept with the image too, when there is one (*have_dg;
 * the caller frees it): its blocks are blocks_compute's of the model. */
struct model *state_unchanged_model(struct state *st, struct app *a, struct source **src_out,
				    struct status_digest *dg, bool *have_dg);
/* Models this process started from a saved image, and images refused after the scan. */
uint64_t state_image_loads(void);
/* Images a long-running view took as its private copy (tests). */
uint64_t state_private_images(void);
uint64_t state_image_refusals(void);
uint64_t state_unchanged_models(void); /* models state_unchanged_model gave */
uint64_t state_saves(const struct state *st);
/* Ranges of the state file of at least this many bytes are mapped, not read (default 64 KiB). */
void state_test_map_min(size_t bytes);
/* The saved folders' and files' stats go on a thread (racing the walk) from this many (256). */
void state_test_stat_thread_min(size_t n);
/* Bytes of records this process kept on disk until a save rather than in memory (tests). */
uint64_t state_spilled_bytes(void);

#endif
