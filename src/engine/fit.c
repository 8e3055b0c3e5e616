#include "engine/engine.h"

static int refuse(const struct engine *e, const char *flag, const char *why, struct mew_error **err)
{
	return mew_error(err, 0, "%s: the %s engine %s", flag, e->name, why);
}

int engine_fit_spec(const struct engine *e, struct spec *spec, struct mew_error **err)
{
	const struct spec_limits *l = &spec->limits;

	if (!spec->net_set)
		spec->net = (e->features & ENGINE_NET_NONE) ? SPEC_NET_NONE : SPEC_NET_HOST;
	if (spec->net == SPEC_NET_NONE && !(e->features & ENGINE_NET_NONE))
		return refuse(e, "--net none", e->net_why, err);
	if (spec->net == SPEC_NET_HOST && !(e->features & ENGINE_NET_HOST))
		return refuse(e, "--net host", e->net_why, err);
	if (l->memory > 0 && !(e->features & ENGINE_LIMIT_MEMORY))
		return refuse(e, "--memory", e->limits_why, err);
	if (l->pids > 0 && !(e->features & ENGINE_LIMIT_PIDS))
		return refuse(e, "--pids", e->limits_why, err);
	if (l->cpus > 0 && !(e->features & ENGINE_LIMIT_CPUS))
		return refuse(e, "--cpus", e->limits_why, err);
	return 0;
}
