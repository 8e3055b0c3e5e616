/* Where mew keeps what it builds and what a run needs while it lasts. */
#ifndef MEW_BASE_PATHS_H
#define MEW_BASE_PATHS_H

/* $MEW_CACHE, else /var/cache/mew for root, else $XDG_CACHE_HOME/mew or
 * ~/.cache/mew.  Root filesystems and the guest kernel live here. */
const char *mew_cache_dir(void);
/* $MEW_STATE, else /run/mew for root, else $XDG_RUNTIME_DIR/mew or
 * /tmp/mew-<uid>.  Per-run state that a crashed run leaves is found here. */
const char *mew_state_dir(void);

#endif
