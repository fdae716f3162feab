/* Where crbench keeps its cache and finds its data files. */
#ifndef CRBENCH_PATHS_H
#define CRBENCH_PATHS_H

/*
 * override, else $CRBENCH_CACHE_DIR, else $XDG_CACHE_HOME/crbench, else for
 * root /var/cache/crbench (libvirt's qemu user cannot enter /root), else
 * ~/.cache/crbench.
 */
char *cr_cache_dir(const char *override);

/*
 * The directory holding images/ and builder/: $CRBENCH_DATADIR, else the
 * source tree the running binary was built in (<src>/build/crbench), else the
 * installed data directory.
 */
char *cr_data_dir(void);

/* The guest agent binary: $CRBENCH_AGENT, else beside the running crbench, else LIBEXECDIR. */
char *cr_agent_path(void);

#endif
