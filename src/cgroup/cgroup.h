/* Cgroups for limits: the host's layout is detected once (unified = pure v2,
 * hybrid = v1 controllers with a v2 tree beside them, legacy = v1 only), and
 * every other function switches on it. */
#ifndef MEW_CGROUP_CGROUP_H
#define MEW_CGROUP_CGROUP_H

#include <stdbool.h>
#include <sys/types.h>

#include "base/error.h"
#include "spec/spec.h"

enum cgroup_mode {
	CGROUP_MODE_UNIFIED,
	CGROUP_MODE_HYBRID,
	CGROUP_MODE_LEGACY,
	CGROUP_MODE_NONE, /* no cgroup filesystem mounted */
};

/* The controllers mew sets limits with. */
enum cgroup_ctrl {
	CGROUP_MEMORY,
	CGROUP_PIDS,
	CGROUP_CPU,
	CGROUP_NCTRL,
};

struct cgroup {
	bool active;
	/* v2: paths[0] is the group; v1: one group per controller, NULL if unused. */
	char *paths[CGROUP_NCTRL];
};

enum cgroup_mode cgroup_mode(void);
/* Tests: use a directory tree that looks like a cgroup filesystem. */
void cgroup_use_root(const char *root, enum cgroup_mode mode);
const char *cgroup_mode_name(enum cgroup_mode mode);

/* Write value to the knob dir/file; the error names the file and the value. */
int cgroup_write(const char *dir, const char *file, const char *value, struct mew_error **err);
bool cgroup_has(const char *dir, const char *file);

/* Write the limits, and an OCI container's other linux.resources (oci may be
 * NULL), into one group: dir in the v1 hierarchy whose controllers are hier
 * ("memory", "cpu,cpuacct"; only theirs are written), or the v2 group dir
 * when hier is NULL.  The one writer for `mew run` and the OCI runtime
 * (src/cgroup/resources.c). */
int cgroup_set_resources(const char *hier, const char *dir, const struct spec_limits *limits,
			 const struct spec_oci *oci, struct mew_error **err);
/* Whether the v1 hierarchy named hier ("cpu,cpuacct") holds controller ctrl. */
bool cgroup_hier_has(const char *hier, const char *ctrl);

/* Whether the spec asks for any limit. */
bool cgroup_wanted(const struct spec_limits *limits);

/* Create mew's group `name` and write the limits; errors name the file. */
int cgroup_create(const char *name, const struct spec_limits *limits, struct cgroup *cg,
		  struct mew_error **err);
/* Kill what is left inside, then remove the group. */
void cgroup_destroy(struct cgroup *cg);
/* The same for one group directory, in any hierarchy. */
void cgroup_remove(const char *dir);
/* Remove groups that runs killed before they could clean up left behind. */
void cgroup_cleanup_stale(void);
/* Path of the group for controller ctrl (v2: the one group). */
const char *cgroup_path(const struct cgroup *cg, enum cgroup_ctrl ctrl);

/* A new process's way into its groups at birth (src/cgroup/birth.c): the v2
 * group by clone3(CLONE_INTO_CGROUP), each v1 group by the child writing "0"
 * to its `tasks` first thing; cgroup.procs writes where neither works. */
#define CGROUP_BIRTH_MAX 16
struct cgroup_birth {
	char *dirs[CGROUP_BIRTH_MAX];
	int fds[CGROUP_BIRTH_MAX]; /* v1: `tasks` open for writing; -1: by cgroup.procs */
	size_t ndirs;
	const char *v2_dir;	   /* one of dirs, or NULL */
	int v2_fd;		   /* O_PATH of v2_dir for clone3, or -1 */
	bool by_procs;		   /* MEW_CGROUP_BIRTH=procs: the old way everywhere */
	bool placed;		   /* the clone put the child into v2_dir */
};

void cgroup_birth_init(struct cgroup_birth *b);
/* Add a group directory: v2 (at most one) or one v1 hierarchy's. */
int cgroup_birth_add(struct cgroup_birth *b, const char *dir, bool v2, struct mew_error **err);
/* The groups of mew's own struct cgroup. */
int cgroup_birth_of(const struct cgroup *cg, struct cgroup_birth *b, struct mew_error **err);
/* clone(2) with fork semantics and flags (CLONE_NEW*, CLONE_PARENT, the exit
 * signal), into the v2 group where the kernel can: 0 in the child. */
pid_t cgroup_birth_clone(struct cgroup_birth *b, unsigned long flags);
/* In the child, before anything else: join the v1 groups. */
int cgroup_birth_enter(struct cgroup_birth *b, struct mew_error **err);
/* In the parent once the child exists: cgroup.procs for what neither did. */
int cgroup_birth_finish(struct cgroup_birth *b, pid_t pid, struct mew_error **err);
/* In the child instead, as its first act, where the parent does not hold
 * it back until the finish: the v1 groups by `tasks`, and its own pid to
 * cgroup.procs for what neither way reached. */
int cgroup_birth_join(struct cgroup_birth *b, struct mew_error **err);
void cgroup_birth_close(struct cgroup_birth *b);

#endif
