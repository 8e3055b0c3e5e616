/* The caller's credentials, for the notifier's answers: the identity calls
 * (in the notifier mode; the stub answers them in its own) and the checks
 * the personality makes for a guest that is no longer root. */
#include "trap/notify/notify.h"
#include "base/procstatus.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* t->lock held: the thread's record, made from its process's when new. */
static struct tracee *cred_tracee(struct trap *t, pid_t tid)
{
	struct tracee *tr = trap_tracee(t, tid, false), *leader;

	if (tr != NULL)
		return tr;
	tr = trap_tracee(t, tid, true);
	if (tr != NULL && (leader = trap_tracee(t, trap_tgid(tr), false)) != NULL && leader != tr) {
		pers_cred_copy(&tr->cred, &leader->cred);
		tr->cred_known = true;
	}
	return tr;
}

int notify_cred_of(struct notifier *n, pid_t tid, struct pers_cred *out)
{
	struct tracee *tr;

	if (n->t->stub_mode) /* kept by the stub, in the guest */
		return trap_cred_read(tid, out);
	pthread_mutex_lock(&n->t->lock);
	tr = cred_tracee(n->t, tid);
	pers_cred_copy(out, tr != NULL ? &tr->cred : &n->t->pers.cred);
	pthread_mutex_unlock(&n->t->lock);
	return 0;
}

int notify_guest_cred(struct notifier *n, pid_t tid, struct pers_cred *out)
{
	struct tracee *tr;
	char v[32];
	pid_t tgid = 0;

	if (n->t->stub_mode) /* only a guest process has a stub to read */
		return trap_cred_read(tid, out);
	/* a thread not yet in the table has its process's */
	for (int pass = 0; pass < 2; pass++) {
		pthread_mutex_lock(&n->t->lock);
		tr = trap_tracee(n->t, pass == 0 ? tid : tgid, false);
		if (tr != NULL)
			pers_cred_copy(out, &tr->cred);
		pthread_mutex_unlock(&n->t->lock);
		if (tr != NULL)
			return 0;
		if (pass == 0 && (proc_status_field(tid, "Tgid", v, sizeof(v)) < 0 || sscanf(v, "%d", &tgid) != 1 ||
				  tgid == tid))
			break;
	}
	return -ESRCH;
}

int notify_check_lookup(struct notifier *n, pid_t tid, const char *host)
{
	uint64_t head[(PERS_CRED_HEAD + 7) / 8];
	struct pers_cred *h = (struct pers_cred *)head, *c;
	struct tracee *tr;
	int r;

	if (n->t->stub_mode) {
		if (trap_mem_read(tid, STUB_DATA + offsetof(struct stub_config, cred), head, PERS_CRED_HEAD) < 0)
			return -ESRCH;
	} else {
		pthread_mutex_lock(&n->t->lock);
		tr = cred_tracee(n->t, tid);
		memcpy(head, tr != NULL ? &tr->cred : &n->t->pers.cred, PERS_CRED_HEAD);
		pthread_mutex_unlock(&n->t->lock);
	}
	if (pers_cred_fs_omnipotent(h))
		return 0;
	/* the whole set (groups too): large, so not on the stack */
	if ((c = malloc(sizeof(*c))) == NULL)
		return -ENOMEM;
	r = notify_cred_of(n, tid, c);
	if (r == 0)
		r = pers_check_lookup(&n->pers, c, host);
	free(c);
	return r;
}

/* kill, tgkill of another guest process: the kernel's rule for the ids. */
static int notify_kill(struct notifier *n, const struct seccomp_notif *req)
{
	pid_t target = (pid_t)req->data.args[0];
	struct tracee *tr, *to;
	int r = 2;

	if (target <= 0)
		return 2;
	pthread_mutex_lock(&n->t->lock);
	tr = cred_tracee(n->t, (pid_t)req->pid);
	to = trap_tracee(n->t, target, false);
	if (tr != NULL && to != NULL && pers_cred_may_signal(&tr->cred, &to->cred) < 0)
		r = -EPERM;
	pthread_mutex_unlock(&n->t->lock);
	return r; /* 2: not the guest's, or allowed: the kernel's call */
}

int notify_cred(struct notifier *n, const struct seccomp_notif *req, int64_t *val)
{
	const struct pers_call *row = call_row(req);
	pid_t tid = (pid_t)req->pid;
	struct pers_cred_io io = trap_cred_io(&tid);
	/* one at a time: the notifier answers one call after another */
	static struct pers_cred scratch;
	struct pers_cred *c = &scratch;
	struct tracee *tr;
	long a[6], r;

	if (row->kind == PK_KILL)
		return notify_kill(n, req);
	if (row->kind != PK_CRED)
		return -ENOSYS;
	for (int i = 0; i < 6; i++)
		a[i] = (long)req->data.args[i];
	/* the answer is computed on a copy: guest memory is not touched
	 * under the lock */
	pthread_mutex_lock(&n->t->lock);
	tr = cred_tracee(n->t, tid);
	pers_cred_copy(c, tr != NULL ? &tr->cred : &n->t->pers.cred);
	pthread_mutex_unlock(&n->t->lock);
	r = pers_cred_syscall(c, row->cred, a, &io);
	if (r == PERS_CRED_NOT_MINE)
		return 2; /* prctl's other options */
	pthread_mutex_lock(&n->t->lock);
	if ((tr = trap_tracee(n->t, tid, false)) != NULL) {
		pers_cred_copy(&tr->cred, c);
		tr->cred_known = true;
	}
	pthread_mutex_unlock(&n->t->lock);
	*val = r;
	return r < 0 ? (int)r : 0;
}
