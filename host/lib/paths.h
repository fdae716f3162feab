/* Where crbench keeps its cache and finds its data files. */
#ifndef CRBENCH_PATHS_H
#define CRBENCH_PATHS_H

/* override, else $CRBENCH_CACHE_DIR, else $XDG_CACHE_HOME/crbench, else ~/.cache/crbench. */
char *cr_cache_dir(const char *override);

#endif
