#include "engine/engine.h"

int engine_fit_spec(const struct engine *e, struct spec *spec, struct mew_error **err)
{
	if (!spec->net_set)
		spec->net = engine_honours(e, "net-none") ? SPEC_NET_NONE : SPEC_NET_HOST;
	for (const struct engine_clause *c = engine_contract; c->name != NULL; c++) {
		const struct engine_term *t = engine_term(e, c);
		if (t != NULL && !t->honoured && c->uses(spec))
			return mew_error(err, 0, "%s: the %s engine %s", c->flag, e->name,
					 t->why != NULL ? t->why : "does not declare whether it honours it");
	}
	if (spec->sandbox_strict && e->wall_gaps != NULL) {
		char gaps[512];
		if (e->wall_gaps(gaps, sizeof(gaps)) > 0)
			return mew_error(err, 0, "--sandbox strict: the %s engine's wall is incomplete here: %s: "
					 "use --engine container or vm", e->name, gaps);
	}
	return 0;
}
