/* ocbuild.h — the sample opencode data folder for the app tests, built as
 * `gen_samples.py --opencode-db` builds it: samples/opencode/opencode.sql's statements above the
 * WAL marker checkpointed into opencode.db, those below left in opencode.db-wal, the legacy
 * storage/ tree copied beside them. The writer stays open, as a running opencode's would. */
#ifndef CACHETOP_TEST_OCBUILD_H
#define CACHETOP_TEST_OCBUILD_H

#include <sqlite3.h>

/* Build at dir (created); returns the open writer. */
sqlite3 *ocb_build(const char *dir);
/* A file's SHA-256 as hex (65 bytes), "absent" when there is no file. */
void ocb_sha256(const char *path, char out[72]);

#endif
