#include "container/process_oci.h"

#include <ctype.h>
#include <errno.h>
#include <seccomp.h>
#include <string.h>

#include "base/log.h"

static int action(enum spec_seccomp_action a, int ret, uint32_t *out)
{
	switch (a) {
	case SPEC_SECCOMP_KILL_THREAD:
		*out = SCMP_ACT_KILL;
		return 0;
	case SPEC_SECCOMP_KILL_PROCESS:
		*out = SCMP_ACT_KILL_PROCESS;
		return 0;
	case SPEC_SECCOMP_TRAP:
		*out = SCMP_ACT_TRAP;
		return 0;
	case SPEC_SECCOMP_ERRNO:
		*out = SCMP_ACT_ERRNO((uint32_t)ret);
		return 0;
	case SPEC_SECCOMP_TRACE:
		*out = SCMP_ACT_TRACE((uint32_t)ret);
		return 0;
	case SPEC_SECCOMP_ALLOW:
		*out = SCMP_ACT_ALLOW;
		return 0;
	case SPEC_SECCOMP_LOG:
		*out = SCMP_ACT_LOG;
		return 0;
	case SPEC_SECCOMP_NOTIFY:
		break;
	}
	return -1;
}

static const enum scmp_compare ops[] = {
	[SPEC_SECCOMP_NE] = SCMP_CMP_NE, [SPEC_SECCOMP_LT] = SCMP_CMP_LT,
	[SPEC_SECCOMP_LE] = SCMP_CMP_LE, [SPEC_SECCOMP_EQ] = SCMP_CMP_EQ,
	[SPEC_SECCOMP_GE] = SCMP_CMP_GE, [SPEC_SECCOMP_GT] = SCMP_CMP_GT,
	[SPEC_SECCOMP_MASKED_EQ] = SCMP_CMP_MASKED_EQ,
};

/* "SCMP_ARCH_X86_64" -> libseccomp's token for "x86_64". */
static uint32_t arch_token(const char *name)
{
	char lower[64];
	size_t i;

	if (strncmp(name, "SCMP_ARCH_", 10) == 0)
		name += 10;
	for (i = 0; name[i] != '\0' && i < sizeof(lower) - 1; i++)
		lower[i] = (char)tolower((unsigned char)name[i]);
	lower[i] = '\0';
	return seccomp_arch_resolve_name(lower);
}

static int add_rule(scmp_filter_ctx ctx, uint32_t act, int nr, const struct spec_seccomp_rule *rule,
		    const char *name, struct mew_error **err)
{
	struct scmp_arg_cmp cmp[6];
	bool repeated = false;
	int r;

	for (size_t i = 0; i < rule->nargs && i < 6; i++) {
		const struct spec_seccomp_arg *a = &rule->args[i];
		cmp[i] = (struct scmp_arg_cmp){ a->index, ops[a->op], a->value, a->value_two };
		for (size_t j = 0; j < i; j++)
			repeated |= rule->args[j].index == a->index;
	}
	if (rule->nargs > 6)
		return mew_error(err, 0, "seccomp: `%s`: more than 6 argument conditions", name);
	/* libseccomp takes one condition per argument in a rule: conditions on
	 * the same argument become separate rules, as runc makes them. */
	if (repeated) {
		for (size_t i = 0; i < rule->nargs; i++) {
			r = seccomp_rule_add_array(ctx, act, nr, 1, &cmp[i]);
			if (r < 0)
				return mew_error(err, -r, "seccomp: rule for `%s`", name);
		}
		return 0;
	}
	r = seccomp_rule_add_array(ctx, act, nr, (unsigned)rule->nargs, cmp);
	if (r < 0)
		return mew_error(err, -r, "seccomp: rule for `%s`", name);
	return 0;
}

int seccomp_oci_load(const struct spec_seccomp *s, bool nnp, struct mew_error **err)
{
	scmp_filter_ctx ctx;
	uint32_t def;
	int r;

	if (action(s->default_action, s->default_ret, &def) < 0)
		return mew_error(err, 0, "seccomp: SCMP_ACT_NOTIFY is not supported");
	ctx = seccomp_init(def);
	if (ctx == NULL)
		return mew_error(err, 0, "seccomp: cannot create a filter");
	for (size_t i = 0; s->architectures != NULL && s->architectures[i] != NULL; i++) {
		uint32_t arch = arch_token(s->architectures[i]);
		if (arch == 0) {
			mew_debug("seccomp: unknown architecture `%s` skipped", s->architectures[i]);
			continue;
		}
		r = seccomp_arch_add(ctx, arch);
		if (r < 0 && r != -EEXIST) {
			seccomp_release(ctx);
			return mew_error(err, -r, "seccomp: add architecture `%s`", s->architectures[i]);
		}
	}
	/* seccomp_load sets no_new_privs unless told not to: the config's
	 * noNewPrivileges decides (the filter is then loaded while we still
	 * hold CAP_SYS_ADMIN). */
	if (!nnp && (r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0)) < 0) {
		seccomp_release(ctx);
		return mew_error(err, -r, "seccomp: leave no_new_privs unset");
	}
	if (s->flags & SPEC_SECCOMP_FLAG_LOG)
		seccomp_attr_set(ctx, SCMP_FLTATR_CTL_LOG, 1);
	if (s->flags & SPEC_SECCOMP_FLAG_SPEC_ALLOW)
		seccomp_attr_set(ctx, SCMP_FLTATR_CTL_SSB, 1);
	if (s->flags & SPEC_SECCOMP_FLAG_TSYNC)
		seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	for (size_t i = 0; i < s->nrules; i++) {
		const struct spec_seccomp_rule *rule = &s->rules[i];
		uint32_t act;

		if (action(rule->action, rule->ret, &act) < 0) {
			seccomp_release(ctx);
			return mew_error(err, 0, "seccomp: SCMP_ACT_NOTIFY is not supported");
		}
		/* libseccomp refuses a rule that repeats the default action. */
		if (act == def)
			continue;
		for (size_t k = 0; rule->names != NULL && rule->names[k] != NULL; k++) {
			int nr = seccomp_syscall_resolve_name(rule->names[k]);
			if (nr == __NR_SCMP_ERROR)
				continue; /* unknown here: skipped, as runc does */
			if (add_rule(ctx, act, nr, rule, rule->names[k], err) < 0) {
				seccomp_release(ctx);
				return -1;
			}
		}
	}
	r = seccomp_load(ctx);
	seccomp_release(ctx);
	if (r < 0)
		return mew_error(err, -r, "seccomp: load the filter");
	return 0;
}
