/* datapath_private.h — private to conf (and its tests): conf_data_path with the executable's
 * folder given instead of discovered, so both layouts can be tested without installing. */
#ifndef CACHETOP_CONF_DATAPATH_PRIVATE_H
#define CACHETOP_CONF_DATAPATH_PRIVATE_H

/* Takes ownership of exe_dir (malloc'd, may be NULL). */
char *conf_data_path_from(char *exe_dir, const char *rel);

#endif
