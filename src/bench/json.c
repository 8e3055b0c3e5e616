/* The report as JSON (jansson), and back: `mew bench --json FILE` writes it,
 * `mew bench --from FILE` reads it to print or chart a run again. */
#include "bench/bench.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define BENCH_JSON_FORMAT 1

static const char *const status_names[] = {
	[BENCH_SKIPPED] = "skipped",
	[BENCH_OK] = "ok",
	[BENCH_FAILED] = "failed",
};
static const char *const check_names[] = {
	[BENCH_CHECK_UNTESTED] = "untested",
	[BENCH_CHECK_OK] = "ok",
	[BENCH_CHECK_FAILED] = "failed",
};
static const char *const verdict_names[] = {
	[BENCH_UNTESTED] = "untested",
	[BENCH_HELD] = "held",
	[BENCH_PARTLY] = "partly",
	[BENCH_NOT_HELD] = "not_held",
};

static json_t *str_or_null(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

static json_t *num_or_null(double v)
{
	return isnan(v) || isinf(v) ? json_null() : json_real(v);
}

static json_t *check_json(const struct bench_check *c)
{
	return json_pack("{s:s, s:o}", "result", check_names[c->result], "detail", str_or_null(c->detail));
}

static json_t *row_json(const struct bench_row *row)
{
	json_t *results = json_object(), *rl, *o;

	for (int w = 0; w < BENCH_NWORKLOADS; w++) {
		const struct bench_cell *c = &row->cells[w];
		json_t *runs = json_array();

		for (size_t i = 0; i < c->nruns; i++)
			json_array_append_new(runs, json_real(c->runs[i]));
		json_object_set_new(results, bench_workload_name(w),
				    json_pack("{s:s, s:o, s:o, s:o, s:o}", "status", status_names[c->status],
					      "runs", runs, "median", num_or_null(c->median), "ratio",
					      num_or_null(c->ratio), "note", str_or_null(c->note)));
	}
	rl = json_pack("{s:o, s:o, s:o, s:{s:o, s:o}, s:o}", "unshare_net", check_json(&row->unshare_net), "cgroup",
		       check_json(&row->cgroup), "can_host_containers",
		       row->runnable && row->unshare_net.result != BENCH_CHECK_UNTESTED
			       ? json_boolean(bench_row_hosts_containers(row))
			       : json_null(),
		       "as_user", "unshare_net", check_json(&row->user_unshare_net), "cgroup",
		       check_json(&row->user_cgroup), "on_its_own",
		       row->runnable && row->unshare_net.result != BENCH_CHECK_UNTESTED
			       ? json_boolean(bench_row_hosts_on_its_own(row))
			       : json_null());
	o = json_pack("{s:s, s:o, s:b, s:o, s:o, s:o}", "engine", row->engine, "arch", str_or_null(row->arch),
		      "runnable", row->runnable, "reason", str_or_null(row->reason), "results", results,
		      "real_linux", rl);
	return o;
}

char *bench_report_to_json(const struct bench_report *r)
{
	json_t *root, *workloads = json_array(), *rows = json_array(), *claims = json_array();
	char *text;

	for (int w = 0; w < BENCH_NWORKLOADS; w++)
		json_array_append_new(workloads,
				      json_pack("{s:s, s:o, s:I}", "name", bench_workload_name(w), "description",
						str_or_null(r->workload_text[w]), "param", (json_int_t)r->params[w]));
	for (size_t i = 0; i < r->nrows; i++)
		json_array_append_new(rows, row_json(&r->rows[i]));
	for (size_t i = 0; i < r->nclaims; i++) {
		const struct bench_claim *c = &r->claims[i];

		json_array_append_new(claims, json_pack("{s:s, s:s, s:s, s:o}", "id", c->id, "claim", c->text,
							"verdict", verdict_names[c->verdict], "evidence",
							str_or_null(c->evidence)));
	}
	root = json_pack("{s:i, s:o, s:o, s:o, s:b, s:i, s:{s:o, s:o}, s:o, s:o, s:o}", "format",
			 BENCH_JSON_FORMAT, "version", str_or_null(r->version), "date", str_or_null(r->date),
			 "machine", str_or_null(r->machine), "quick", r->quick, "runs", r->runs, "rootfs", "amd64",
			 str_or_null(r->rootfs), "arm64", str_or_null(r->rootfs_arm64), "workloads", workloads,
			 "engines", rows, "claims", claims);
	if (root == NULL)
		return NULL;
	text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	return text;
}

/* --- reading it back: every error names the JSON path --- */

static int name_index(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (names[i] != NULL && strcmp(names[i], s) == 0)
			return (int)i;
	return -1;
}

static int get_str(json_t *o, const char *key, bool required, char **out, const char *path,
		   struct mew_error **err)
{
	json_t *v = json_object_get(o, key);

	if (v == NULL || json_is_null(v)) {
		if (required)
			return mew_error(err, 0, "bench JSON: %s.%s: missing", path, key);
		return 0;
	}
	if (!json_is_string(v))
		return mew_error(err, 0, "bench JSON: %s.%s: expected a string", path, key);
	free(*out);
	*out = strdup(json_string_value(v));
	return 0;
}

static int get_num(json_t *o, const char *key, double *out, const char *path, struct mew_error **err)
{
	json_t *v = json_object_get(o, key);

	if (v == NULL || json_is_null(v)) {
		*out = NAN;
		return 0;
	}
	if (!json_is_number(v))
		return mew_error(err, 0, "bench JSON: %s.%s: expected a number", path, key);
	*out = json_number_value(v);
	return 0;
}

static int get_enum(json_t *o, const char *key, const char *const *names, size_t n, int *out,
		    const char *path, struct mew_error **err)
{
	json_t *v = json_object_get(o, key);
	int i;

	if (!json_is_string(v))
		return mew_error(err, 0, "bench JSON: %s.%s: expected a string", path, key);
	i = name_index(names, n, json_string_value(v));
	if (i < 0)
		return mew_error(err, 0, "bench JSON: %s.%s: unknown value `%s`", path, key, json_string_value(v));
	*out = i;
	return 0;
}

static int check_from_json(json_t *o, struct bench_check *c, const char *path, struct mew_error **err)
{
	int res;

	if (!json_is_object(o))
		return mew_error(err, 0, "bench JSON: %s: expected an object", path);
	if (get_enum(o, "result", check_names, 3, &res, path, err) < 0)
		return -1;
	c->result = res;
	return get_str(o, "detail", false, &c->detail, path, err);
}

static int cell_from_json(json_t *o, struct bench_cell *c, const char *path, struct mew_error **err)
{
	json_t *runs, *v;
	size_t i;
	int st;

	if (!json_is_object(o))
		return mew_error(err, 0, "bench JSON: %s: expected an object", path);
	if (get_enum(o, "status", status_names, 3, &st, path, err) < 0)
		return -1;
	c->status = st;
	runs = json_object_get(o, "runs");
	if (runs != NULL && !json_is_array(runs))
		return mew_error(err, 0, "bench JSON: %s.runs: expected an array", path);
	json_array_foreach(runs, i, v) {
		if (!json_is_number(v))
			return mew_error(err, 0, "bench JSON: %s.runs[%zu]: expected a number", path, i);
		if (bench_cell_add_run(c, json_number_value(v)) < 0)
			return mew_error(err, 0, "bench JSON: out of memory");
	}
	if (get_num(o, "median", &c->median, path, err) < 0 || get_num(o, "ratio", &c->ratio, path, err) < 0)
		return -1;
	if (c->status == BENCH_OK && isnan(c->median))
		c->median = bench_median(c->runs, c->nruns);
	return get_str(o, "note", false, &c->note, path, err);
}

static int row_from_json(json_t *o, struct bench_report *r, size_t idx, struct mew_error **err)
{
	char path[64];
	char sub[128];
	char *engine = NULL, *arch = NULL, *reason = NULL;
	struct bench_row *row;
	json_t *results, *rl;
	int ret = -1;

	snprintf(path, sizeof(path), "engines[%zu]", idx);
	if (!json_is_object(o))
		return mew_error(err, 0, "bench JSON: %s: expected an object", path);
	if (get_str(o, "engine", true, &engine, path, err) < 0 || get_str(o, "arch", false, &arch, path, err) < 0 ||
	    get_str(o, "reason", false, &reason, path, err) < 0)
		goto out;
	if (!json_is_boolean(json_object_get(o, "runnable"))) {
		mew_error(err, 0, "bench JSON: %s.runnable: expected true or false", path);
		goto out;
	}
	row = bench_report_add_row(r, engine, arch, json_is_true(json_object_get(o, "runnable")), reason);
	if (row == NULL) {
		mew_error(err, 0, "bench JSON: out of memory");
		goto out;
	}
	results = json_object_get(o, "results");
	if (!json_is_object(results)) {
		mew_error(err, 0, "bench JSON: %s.results: expected an object", path);
		goto out;
	}
	for (int w = 0; w < BENCH_NWORKLOADS; w++) {
		json_t *c = json_object_get(results, bench_workload_name(w));

		snprintf(sub, sizeof(sub), "%s.results.%s", path, bench_workload_name(w));
		if (c == NULL) {
			mew_error(err, 0, "bench JSON: %s: missing", sub);
			goto out;
		}
		if (cell_from_json(c, &row->cells[w], sub, err) < 0)
			goto out;
	}
	rl = json_object_get(o, "real_linux");
	if (rl != NULL) {
		snprintf(sub, sizeof(sub), "%s.real_linux.unshare_net", path);
		if (check_from_json(json_object_get(rl, "unshare_net"), &row->unshare_net, sub, err) < 0)
			goto out;
		snprintf(sub, sizeof(sub), "%s.real_linux.cgroup", path);
		if (check_from_json(json_object_get(rl, "cgroup"), &row->cgroup, sub, err) < 0)
			goto out;
		if (json_object_get(rl, "as_user") != NULL) {
			json_t *au = json_object_get(rl, "as_user");

			snprintf(sub, sizeof(sub), "%s.real_linux.as_user.unshare_net", path);
			if (check_from_json(json_object_get(au, "unshare_net"), &row->user_unshare_net, sub, err) < 0)
				goto out;
			snprintf(sub, sizeof(sub), "%s.real_linux.as_user.cgroup", path);
			if (check_from_json(json_object_get(au, "cgroup"), &row->user_cgroup, sub, err) < 0)
				goto out;
		}
	}
	ret = 0;
out:
	free(engine);
	free(arch);
	free(reason);
	return ret;
}

static int claim_from_json(json_t *o, struct bench_report *r, size_t idx, struct mew_error **err)
{
	struct bench_claim *c;
	char path[64];
	int v;

	snprintf(path, sizeof(path), "claims[%zu]", idx);
	if (!json_is_object(o))
		return mew_error(err, 0, "bench JSON: %s: expected an object", path);
	c = realloc(r->claims, (r->nclaims + 1) * sizeof(*c));
	if (c == NULL)
		return mew_error(err, 0, "bench JSON: out of memory");
	r->claims = c;
	c = &c[r->nclaims++];
	memset(c, 0, sizeof(*c));
	if (get_str(o, "id", true, &c->id, path, err) < 0 || get_str(o, "claim", true, &c->text, path, err) < 0 ||
	    get_str(o, "evidence", false, &c->evidence, path, err) < 0)
		return -1;
	if (get_enum(o, "verdict", verdict_names, 4, &v, path, err) < 0)
		return -1;
	c->verdict = v;
	return 0;
}

static int report_from_json(json_t *root, struct bench_report *r, struct mew_error **err)
{
	json_t *v, *rows, *claims, *rootfs;
	size_t i;

	if (!json_is_object(root))
		return mew_error(err, 0, "bench JSON: expected an object at the top");
	v = json_object_get(root, "format");
	if (!json_is_integer(v) || json_integer_value(v) != BENCH_JSON_FORMAT)
		return mew_error(err, 0, "bench JSON: format: expected %d", BENCH_JSON_FORMAT);
	if (get_str(root, "version", false, &r->version, "$", err) < 0 ||
	    get_str(root, "date", false, &r->date, "$", err) < 0 ||
	    get_str(root, "machine", false, &r->machine, "$", err) < 0)
		return -1;
	r->quick = json_is_true(json_object_get(root, "quick"));
	v = json_object_get(root, "runs");
	if (!json_is_integer(v))
		return mew_error(err, 0, "bench JSON: runs: expected an integer");
	r->runs = (int)json_integer_value(v);
	rootfs = json_object_get(root, "rootfs");
	if (json_is_object(rootfs) && (get_str(rootfs, "amd64", false, &r->rootfs, "rootfs", err) < 0 ||
				       get_str(rootfs, "arm64", false, &r->rootfs_arm64, "rootfs", err) < 0))
		return -1;
	json_array_foreach(json_object_get(root, "workloads"), i, v) {
		const char *name = json_string_value(json_object_get(v, "name"));
		int w = name != NULL ? bench_workload_from_name(name) : -1;

		if (w < 0)
			return mew_error(err, 0, "bench JSON: workloads[%zu].name: unknown workload", i);
		if (get_str(v, "description", false, &r->workload_text[w], "workloads", err) < 0)
			return -1;
		r->params[w] = (long)json_integer_value(json_object_get(v, "param"));
	}
	rows = json_object_get(root, "engines");
	if (!json_is_array(rows))
		return mew_error(err, 0, "bench JSON: engines: expected an array");
	json_array_foreach(rows, i, v)
		if (row_from_json(v, r, i, err) < 0)
			return -1;
	claims = json_object_get(root, "claims");
	if (claims != NULL && !json_is_array(claims))
		return mew_error(err, 0, "bench JSON: claims: expected an array");
	json_array_foreach(claims, i, v)
		if (claim_from_json(v, r, i, err) < 0)
			return -1;
	return 0;
}

int bench_report_from_json(const char *text, struct bench_report *r, struct mew_error **err)
{
	json_error_t jerr;
	json_t *root = json_loads(text, 0, &jerr);
	int ret;

	if (root == NULL)
		return mew_error(err, 0, "bench JSON: line %d: %s", jerr.line, jerr.text);
	ret = report_from_json(root, r, err);
	json_decref(root);
	if (ret < 0)
		bench_report_free(r);
	return ret;
}
