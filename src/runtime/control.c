/* The verbs that look at or act on an existing container. */
#include "runtime/runtime.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/file.h"
#include "base/strutil.h"
#include "container/cgroup_oci.h"

/* "TERM", "SIGTERM", "15" -> 15. */
static int parse_signal(const char *s)
{
	static const struct {
		const char *name;
		int sig;
	} names[] = {
		{ "HUP", SIGHUP },   { "INT", SIGINT },	  { "QUIT", SIGQUIT }, { "ILL", SIGILL },
		{ "TRAP", SIGTRAP }, { "ABRT", SIGABRT }, { "BUS", SIGBUS },   { "FPE", SIGFPE },
		{ "KILL", SIGKILL }, { "USR1", SIGUSR1 }, { "SEGV", SIGSEGV }, { "USR2", SIGUSR2 },
		{ "PIPE", SIGPIPE }, { "ALRM", SIGALRM }, { "TERM", SIGTERM }, { "CHLD", SIGCHLD },
		{ "CONT", SIGCONT }, { "STOP", SIGSTOP }, { "TSTP", SIGTSTP }, { "TTIN", SIGTTIN },
		{ "TTOU", SIGTTOU }, { "URG", SIGURG },	  { "XCPU", SIGXCPU }, { "XFSZ", SIGXFSZ },
		{ "VTALRM", SIGVTALRM }, { "PROF", SIGPROF }, { "WINCH", SIGWINCH }, { "IO", SIGIO },
		{ "PWR", SIGPWR },   { "SYS", SIGSYS },
	};
	char *end;
	long n;

	if (isdigit((unsigned char)s[0])) {
		n = strtol(s, &end, 10);
		return *end == '\0' && n > 0 && n < NSIG ? (int)n : -1;
	}
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(s, names[i].name) == 0)
			return names[i].sig;
	return -1;
}

static int one_id(int argc, char **argv, const char *usage, struct mew_error **err)
{
	if (argc != 2 || argv[1][0] == '-')
		return mew_error(err, 0, "usage: %s", usage);
	return 0;
}

int rt_state_cmd(int argc, char **argv)
{
	struct mew_error *err = NULL;
	struct rt_state st;
	char *json;

	if (one_id(argc, argv, "state ID", &err) < 0 || rt_state_load(argv[1], &st, &err) < 0)
		return rt_fail(err);
	json = rt_state_json(&st, rt_status(&st));
	printf("%s\n", json);
	free(json);
	rt_state_free(&st);
	return 0;
}

static int signal_all(const struct rt_state *st, int sig)
{
	pid_t *pids = NULL;
	size_t n = 0;

	if (st->cgroup == NULL || cgroup_oci_pids(st->cgroup, &pids, &n) < 0 || n == 0) {
		free(pids);
		return kill(st->pid, sig);
	}
	for (size_t i = 0; i < n; i++)
		kill(pids[i], sig);
	free(pids);
	return 0;
}

int rt_kill(int argc, char **argv)
{
	struct mew_error *err = NULL;
	struct rt_state st;
	const char *id = NULL, *signame = "TERM";
	bool all = false;
	int sig, npos = 0;
	enum rt_status s;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--all") == 0 || strcmp(argv[i], "-a") == 0)
			all = true;
		else if (argv[i][0] == '-' && !isdigit((unsigned char)argv[i][1]))
			return rt_fail((mew_error(&err, 0, "kill: unknown option `%s`", argv[i]), err));
		else if (npos++ == 0)
			id = argv[i];
		else
			signame = argv[i];
	}
	if (id == NULL || npos > 2)
		return rt_fail((mew_error(&err, 0, "usage: kill [--all] ID [SIGNAL]"), err));
	sig = parse_signal(signame);
	if (sig < 0)
		return rt_fail((mew_error(&err, 0, "kill: unknown signal `%s`", signame), err));
	if (rt_state_load(id, &st, &err) < 0)
		return rt_fail(err);
	s = rt_status(&st);
	if (s == RT_STOPPED && !all) {
		mew_error(&err, 0, "container `%s` is not running", id);
	} else if (s != RT_STOPPED) {
		if ((all ? signal_all(&st, sig) : kill(st.pid, sig)) < 0 && errno != ESRCH)
			mew_error(&err, errno, "kill container `%s`", id);
		/* A stopped process sees no signal but SIGKILL until it is thawed. */
		if (s == RT_PAUSED && sig == SIGKILL)
			cgroup_oci_freeze(st.cgroup, false, NULL);
	}
	rt_state_free(&st);
	return err != NULL ? rt_fail(err) : 0;
}

/* A state directory without its state (a create that was killed before it
 * wrote it): the cgroup its config.json names, then the directory. */
static void remove_leftovers(const char *id)
{
	struct rt_state st = { 0 };
	struct spec spec;

	if (rt_check_id(id, NULL) < 0)
		return;
	st.id = strdup(id);
	st.dir = rt_state_dir(id);
	if (st.dir != NULL && file_is_dir(st.dir)) {
		spec_init(&spec);
		if (rt_state_spec(&st, &spec, NULL) == 0)
			st.cgroup = cgroup_oci_path(&spec, id);
		spec_free(&spec);
		/* It never ran: no poststop hooks. */
		rt_cleanup(&st, NULL);
	}
	rt_state_free(&st);
}

int rt_delete(int argc, char **argv)
{
	struct mew_error *err = NULL;
	struct rt_state st;
	struct spec spec;
	const char *id = NULL;
	bool force = false;
	enum rt_status s;
	struct timespec ts = { 0, 1000000 };

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--force") == 0 || strcmp(argv[i], "-f") == 0)
			force = true;
		else if (argv[i][0] == '-')
			return rt_fail((mew_error(&err, 0, "delete: unknown option `%s`", argv[i]), err));
		else
			id = argv[i];
	}
	if (id == NULL)
		return rt_fail((mew_error(&err, 0, "usage: delete [--force] ID"), err));
	if (rt_state_load(id, &st, &err) < 0) {
		/* runc: deleting what is not there is fine with --force; what a
		 * create that died half-way left goes too. */
		if (force) {
			mew_error_free(err);
			remove_leftovers(id);
			return 0;
		}
		return rt_fail(err);
	}
	s = rt_status(&st);
	if ((s == RT_RUNNING || s == RT_PAUSED) && !force) {
		mew_error(&err, 0, "cannot delete container `%s`: it is %s (use --force)", id,
			  rt_status_name(s));
		rt_state_free(&st);
		return rt_fail(err);
	}
	if (s != RT_STOPPED) {
		/* A created container, or --force: nothing of it may survive. */
		signal_all(&st, SIGKILL);
		if (s == RT_PAUSED)
			cgroup_oci_freeze(st.cgroup, false, NULL);
		for (int i = 0; i < 5000 && rt_pid_alive(st.pid, st.start_time); i++)
			nanosleep(&ts, NULL);
	}
	spec_init(&spec);
	if (rt_state_spec(&st, &spec, NULL) < 0) {
		spec_free(&spec);
		rt_cleanup(&st, NULL);
	} else {
		rt_cleanup(&st, &spec);
		spec_free(&spec);
	}
	rt_state_free(&st);
	return 0;
}

int rt_list(int argc, char **argv)
{
	cleanup_dir DIR *d = opendir(rt_globals.root);
	struct dirent *de;
	bool json = false, quiet = false;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-q") == 0 || strcmp(argv[i], "--quiet") == 0)
			quiet = true;
		else if (strcmp(argv[i], "--format=json") == 0 || strcmp(argv[i], "json") == 0)
			json = true;
		else if (strcmp(argv[i], "--format") == 0 || strcmp(argv[i], "-f") == 0 ||
			 strcmp(argv[i], "--format=table") == 0 || strcmp(argv[i], "table") == 0)
			continue;
	}
	if (json)
		printf("[");
	else if (!quiet)
		printf("%-24s %-8s %-10s %-40s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED");
	for (bool first = true; d != NULL && (de = readdir(d)) != NULL;) {
		struct rt_state st;
		enum rt_status s;

		if (de->d_name[0] == '.' || rt_state_load(de->d_name, &st, NULL) < 0)
			continue;
		s = rt_status(&st);
		if (json) {
			char *one = rt_state_json(&st, s);
			printf("%s%s", first ? "" : ",", one);
			free(one);
		} else if (quiet) {
			printf("%s\n", st.id);
		} else {
			printf("%-24s %-8d %-10s %-40s %s\n", st.id, s == RT_STOPPED ? 0 : (int)st.pid,
			       rt_status_name(s), st.bundle != NULL ? st.bundle : "",
			       st.created != NULL ? st.created : "");
		}
		first = false;
		rt_state_free(&st);
	}
	if (json)
		printf("]\n");
	return 0;
}

int rt_ps(int argc, char **argv)
{
	struct mew_error *err = NULL;
	struct rt_state st;
	const char *id = NULL;
	bool json = false;
	pid_t *pids = NULL;
	size_t n = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--format=json") == 0 ||
		    ((strcmp(argv[i], "--format") == 0 || strcmp(argv[i], "-f") == 0) && i + 1 < argc &&
		     strcmp(argv[i + 1], "json") == 0)) {
			json = true;
			if (argv[i][8] != '=')
				i++;
		} else if (strcmp(argv[i], "--format") == 0 || strcmp(argv[i], "-f") == 0) {
			i++;
		} else if (argv[i][0] != '-' && id == NULL) {
			id = argv[i];
		}
	}
	if (id == NULL)
		return rt_fail((mew_error(&err, 0, "usage: ps [--format table|json] ID"), err));
	if (rt_state_load(id, &st, &err) < 0)
		return rt_fail(err);
	if (cgroup_oci_pids(st.cgroup, &pids, &n) < 0 && rt_pid_alive(st.pid, st.start_time)) {
		pids = malloc(sizeof(pid_t));
		if (pids != NULL) {
			pids[0] = st.pid;
			n = 1;
		}
	}
	if (json) {
		printf("[");
		for (size_t i = 0; i < n; i++)
			printf("%s%d", i > 0 ? "," : "", (int)pids[i]);
		printf("]\n");
	} else {
		printf("%-8s %s\n", "PID", "CMD");
		for (size_t i = 0; i < n; i++) {
			char path[64], cmd[256] = "";
			FILE *f;
			snprintf(path, sizeof(path), "/proc/%d/comm", (int)pids[i]);
			f = fopen(path, "re");
			if (f != NULL) {
				if (fgets(cmd, sizeof(cmd), f) == NULL)
					cmd[0] = '\0';
				fclose(f);
			}
			cmd[strcspn(cmd, "\n")] = '\0';
			printf("%-8d %s\n", (int)pids[i], cmd);
		}
	}
	free(pids);
	rt_state_free(&st);
	return 0;
}

static int freeze(int argc, char **argv, bool frozen)
{
	struct mew_error *err = NULL;
	struct rt_state st;
	enum rt_status s;

	if (one_id(argc, argv, frozen ? "pause ID" : "resume ID", &err) < 0 ||
	    rt_state_load(argv[1], &st, &err) < 0)
		return rt_fail(err);
	s = rt_status(&st);
	if (frozen && s != RT_RUNNING && s != RT_CREATED)
		mew_error(&err, 0, "cannot pause container `%s`: it is %s", st.id, rt_status_name(s));
	else if (!frozen && s != RT_PAUSED)
		mew_error(&err, 0, "cannot resume container `%s`: it is %s", st.id, rt_status_name(s));
	else
		cgroup_oci_freeze(st.cgroup, frozen, &err);
	rt_state_free(&st);
	return err != NULL ? rt_fail(err) : 0;
}

int rt_pause(int argc, char **argv)
{
	return freeze(argc, argv, true);
}

int rt_resume(int argc, char **argv)
{
	return freeze(argc, argv, false);
}

/* update: new limits for a running container's cgroup, from --resources FILE
 * (a linux.resources object; - is stdin) and/or runc's flags. */
int rt_update(int argc, char **argv)
{
	struct mew_error *err = NULL;
	struct rt_state st;
	struct spec spec;
	const char *id = NULL, *file = NULL;
	struct {
		const char *flag;
		const char *value;
	} flags[] = { { "--memory", NULL },	  { "--memory-swap", NULL }, { "--memory-reservation", NULL },
		      { "--pids-limit", NULL },	  { "--cpu-quota", NULL },   { "--cpu-period", NULL },
		      { "--cpu-share", NULL },	  { "--cpuset-cpus", NULL }, { "--cpuset-mems", NULL } };
	int64_t n;

	for (int i = 1; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');
		size_t len = eq != NULL ? (size_t)(eq - argv[i]) : strlen(argv[i]);
		bool known = false;

		if (argv[i][0] != '-') {
			id = argv[i];
			continue;
		}
		if ((len == 11 && strncmp(argv[i], "--resources", 11) == 0) || strcmp(argv[i], "-r") == 0) {
			file = eq != NULL ? eq + 1 : i + 1 < argc ? argv[++i] : NULL;
			continue;
		}
		for (size_t k = 0; k < sizeof(flags) / sizeof(flags[0]) && !known; k++) {
			if (strlen(flags[k].flag) == len && strncmp(argv[i], flags[k].flag, len) == 0) {
				flags[k].value = eq != NULL ? eq + 1 : i + 1 < argc ? argv[++i] : NULL;
				known = true;
			}
		}
		if (!known)
			return rt_fail((mew_error(&err, 0, "update: unknown option `%s`", argv[i]), err));
	}
	if (id == NULL)
		return rt_fail((mew_error(&err, 0, "usage: update [--resources FILE] [--memory N] [--pids-limit N] ... ID"), err));
	if (rt_state_load(id, &st, &err) < 0)
		return rt_fail(err);
	spec_init(&spec);
	if (rt_state_spec(&st, &spec, &err) < 0)
		goto out;
	/* Only what update names is written again: start from nothing. */
	memset(&spec.limits, 0, sizeof(spec.limits));
	spec_resources_clear(&spec.oci->resources);
	if (file != NULL) {
		char *buf = NULL;
		size_t len = 0;
		int rr;
		if (strcmp(file, "-") == 0) {
			FILE *mem = open_memstream(&buf, &len);
			char chunk[4096];
			size_t got;
			while (mem != NULL && (got = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
				fwrite(chunk, 1, got, mem);
			if (mem != NULL)
				fclose(mem);
			rr = buf != NULL ? 0 : mew_error(&err, errno, "update: read stdin");
		} else {
			rr = file_read(file, &buf, &len, &err);
		}
		if (rr == 0)
			rr = spec_from_oci_resources(buf, len, "resources.json", &spec, &err);
		free(buf);
		if (rr < 0)
			goto out;
	}
	for (size_t k = 0; k < sizeof(flags) / sizeof(flags[0]); k++) {
		const char *v = flags[k].value;
		struct spec_resources *r = &spec.oci->resources;
		if (v == NULL)
			continue;
		if (k <= 2) {
			if (strcmp(v, "-1") == 0 && k == 1)
				n = -1;
			else if (parse_size(v, &n) < 0 || n == 0) {
				mew_error(&err, 0, "update: %s: invalid size `%s`", flags[k].flag, v);
				goto out;
			}
			if (k == 0)
				spec.limits.memory = n;
			else if (k == 1)
				r->memory_swap = n;
			else
				r->memory_reservation = n;
		} else if (k <= 6) {
			if (parse_int(v, k == 4 ? -1 : 0, INT64_MAX, &n) < 0) {
				mew_error(&err, 0, "update: %s: invalid number `%s`", flags[k].flag, v);
				goto out;
			}
			if (k == 3)
				spec.limits.pids = n;
			else if (k == 4)
				r->cpu_quota = n;
			else if (k == 5)
				r->cpu_period = (uint64_t)n;
			else
				r->cpu_shares = (uint64_t)n;
		} else if (k == 7) {
			r->cpuset_cpus = strdup(v);
		} else {
			r->cpuset_mems = strdup(v);
		}
	}
	if (spec.oci->resources.cpu_quota > 0)
		spec.limits.cpus = (double)spec.oci->resources.cpu_quota /
				   (double)(spec.oci->resources.cpu_period > 0 ? spec.oci->resources.cpu_period : 100000);
	if (rt_status(&st) == RT_STOPPED)
		mew_error(&err, 0, "container `%s` is not running", id);
	else
		cgroup_oci_update(st.cgroup, &spec, &err);
out:
	spec_free(&spec);
	rt_state_free(&st);
	return err != NULL ? rt_fail(err) : 0;
}
