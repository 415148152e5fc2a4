/* state_spill.c — this run's records kept on disk until they are saved, not in memory: the
 * scan's batches of packed records go to an unnamed file of the state's own (O_TMPFILE in the
 * state folder) as they are committed, each kept file holding where its pieces lie, in order.
 * A first run over a long history held them all in memory until the save (593 MB of a 1.1 GB
 * peak over 2.15 M requests). Lines tailed one by one stay in memory (few, and a file's
 * spilled pieces must come before them). Where no such file can be made, records stay in
 * memory as before. */
#define _GNU_SOURCE /* O_TMPFILE */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "state_int.h"

static uint64_t spilled_bytes;
uint64_t state_spilled_bytes(void) { return spilled_bytes; }

void state_spill_open(struct state *st)
{
	st->spill_fd = -1;
	st->spill_end = 0;
	if (st->can_write)
		st->spill_fd = open(st->dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
}

void state_spill_close(struct state *st)
{
	if (st->spill_fd >= 0)
		close(st->spill_fd);
	st->spill_fd = -1;
	for (size_t i = 0; i < st->nkept; i++)
		state_spill_drop(&st->kept[i]);
}

bool state_spill_put(struct state *st, struct kept *k, const char *p, size_t n)
{
	if (st->spill_fd < 0 || k->fresh.len)
		return false; /* the pieces on disk come before what is in memory */
	if (!n)
		return true;
	if (state_pwrite(st->spill_fd, p, n, st->spill_end) != 0)
		return false; /* full or failing: kept in memory */
	if (k->nsegs && k->segs[k->nsegs - 1].at + k->segs[k->nsegs - 1].len == st->spill_end) {
		k->segs[k->nsegs - 1].len += n;
	} else {
		ct_grow((void **)&k->segs, &k->capsegs, k->nsegs + 1, sizeof *k->segs);
		k->segs[k->nsegs++] = (struct spill_seg){st->spill_end, n};
	}
	k->spilled += n;
	st->spill_end += n;
	spilled_bytes += n;
	return true;
}

bool state_spill_get(const struct state *st, const struct kept *k, struct buf *out)
{
	for (size_t i = 0; i < k->nsegs; i++) {
		size_t n = (size_t)k->segs[i].len;
		buf_reserve(out, out->len + n);
		if (!state_pread(st->spill_fd, out->data + out->len, n, k->segs[i].at))
			return false;
		out->len += n;
	}
	return true;
}

void state_spill_drop(struct kept *k)
{
	free(k->segs);
	k->segs = NULL;
	k->nsegs = k->capsegs = 0;
	k->spilled = 0;
}

/* Once no kept file refers to it, the file starts over (its pages go). */
void state_spill_settle(struct state *st)
{
	if (st->spill_fd < 0 || !st->spill_end)
		return;
	for (size_t i = 0; i < st->nkept; i++)
		if (st->kept[i].nsegs)
			return;
	if (ftruncate(st->spill_fd, 0) == 0)
		st->spill_end = 0;
}
