/* dbsrc.h — the source's reader for roots that hold a database rather than transcript files (an
 * agent table row with no transcript path rule): what source.c calls, the root by root
 * entries of one object. Its state and the files that read the database are the agent's own
 * source files; they implement these. Not a public header. */
#ifndef CACHETOP_DBSRC_H
#define CACHETOP_DBSRC_H

#include <stddef.h>
#include <stdint.h>

#include "source_int.h"

/* Each such root's database (and any older tree of records beside it) */
void oc_add(struct source *s, size_t root);
void oc_free(struct source *s);
/* Whether any such root has its data folder or database on disk. */
bool oc_present(struct source *s);
/* Read every such root whole (source_scan, and after oc_forget). */
void oc_scan(struct source *s);
/* Forget what was read and the handles (source_rebuild: a new sink). */
void oc_forget(struct source *s);
/* Watch the databases' folders (source_watch), then catch up. */
void oc_watch(struct source *s, int64_t now_ms);
/* An event named `name` in a folder watched flat: true when it concerns a database. */
bool oc_event(struct source *s, const char *dir, const char *name, uint32_t mask);
/* Read the databases that changed (coalesced), poll the unwatched ones, retry locked ones. */
void oc_process(struct source *s, int64_t now_ms);
/* Milliseconds until oc_process wants to run, or -1. */
int oc_timeout_ms(const struct source *s, int64_t now_ms);

#endif
