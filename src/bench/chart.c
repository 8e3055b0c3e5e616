/* The PNG bar chart: for each workload, one bar per engine, its time as a
 * multiple of native's on a log scale.  gnuplot draws it. */
#include "bench/bench.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/file.h"

static bool row_has_data(const struct bench_row *row)
{
	for (int w = 0; w < BENCH_NWORKLOADS; w++)
		if (!isnan(row->cells[w].ratio))
			return true;
	return false;
}

/* One line per workload, one column per engine with figures; "-" where a
 * cell has none. */
int bench_chart_data(const struct bench_report *r, FILE *out)
{
	int columns = 0;

	fprintf(out, "workload");
	for (size_t i = 0; i < r->nrows; i++)
		if (row_has_data(&r->rows[i])) {
			/* column headers are one word each */
			fprintf(out, " \"%s%s%s%s\"", r->rows[i].engine, r->rows[i].arch ? " (" : "",
				r->rows[i].arch ? r->rows[i].arch : "", r->rows[i].arch ? ")" : "");
			columns++;
		}
	fputc('\n', out);
	for (int w = 0; w < BENCH_NWORKLOADS; w++) {
		fprintf(out, "%s", bench_workload_name(w));
		for (size_t i = 0; i < r->nrows; i++) {
			double x = r->rows[i].cells[w].ratio;

			if (!row_has_data(&r->rows[i]))
				continue;
			if (isnan(x))
				fprintf(out, " -");
			else
				fprintf(out, " %.6g", x);
		}
		fputc('\n', out);
	}
	return columns;
}

int bench_chart_script(const struct bench_report *r, const char *data, const char *png, FILE *out)
{
	int columns = 0;
	double max = 1;

	for (size_t i = 0; i < r->nrows; i++)
		if (row_has_data(&r->rows[i])) {
			columns++;
			for (int w = 0; w < BENCH_NWORKLOADS; w++)
				if (!isnan(r->rows[i].cells[w].ratio) && r->rows[i].cells[w].ratio > max)
					max = r->rows[i].cells[w].ratio;
		}
	if (columns == 0)
		return -1;
	fprintf(out,
		"if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {\n"
		"  set terminal pngcairo size 960,540 noenhanced font 'sans,10'\n"
		"} else {\n"
		"  set terminal png size 960,540 noenhanced\n"
		"}\n"
		"set output '%s'\n"
		"set title \"mew bench%s: wall time as a multiple of native (median of %d runs; log scale, lower is better)\"\n"
		"set style data histogram\n"
		"set style histogram clustered gap 1\n"
		"set style fill solid 0.85 border -1\n"
		"set boxwidth 0.9\n"
		"set logscale y\n"
		"set yrange [0.5:%g]\n"
		"set ylabel 'times native'\n"
		"set grid ytics\n"
		"set key top left\n"
		"set datafile missing '-'\n"
		"n = %d\n"
		"plot for [i=2:n+1] '%s' using i:xtic(1) title columnheader(i), \\\n"
		"     for [i=2:n+1] '%s' skip 1 using ($0 + (i - 2 - (n - 1) / 2.0) / (n + 1)):i:(sprintf('%%.2g', column(i))) \\\n"
		"       with labels offset 0,0.6 font ',8' notitle\n",
		png, r->quick ? " --quick" : "", r->runs, max * 3, columns, data, data);
	return 0;
}

static char *find_in_path(const char *name)
{
	const char *path = getenv("PATH");
	char *copy, *dir, *save = NULL, *found = NULL;

	copy = strdup(path != NULL && path[0] ? path : "/usr/local/bin:/usr/bin:/bin");
	if (copy == NULL)
		return NULL;
	for (dir = strtok_r(copy, ":", &save); dir != NULL; dir = strtok_r(NULL, ":", &save)) {
		char *p = NULL;

		if (asprintf(&p, "%s/%s", dir, name) < 0)
			break;
		if (access(p, X_OK) == 0) {
			found = p;
			break;
		}
		free(p);
	}
	free(copy);
	return found;
}

static void remove_tmp(char *dir)
{
	char p[4200];

	snprintf(p, sizeof(p), "%s/data", dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/plot.gp", dir);
	unlink(p);
	rmdir(dir);
}

int bench_chart(const struct bench_report *r, const char *png, struct mew_error **err)
{
	cleanup_free char *gnuplot = find_in_path("gnuplot");
	cleanup_free char *abs_png = NULL;
	char dir[] = "/tmp/mew-bench-chart.XXXXXX", data[64], script[64];
	static const unsigned char magic[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	unsigned char head[8];
	struct bench_exec res;
	FILE *f;
	int ret = -1;

	if (gnuplot == NULL)
		return mew_error(err, 0, "bench: chart `%s`: gnuplot is not installed (apt-get install gnuplot-nox)", png);
	if (strchr(png, '\'') != NULL)
		return mew_error(err, 0, "bench: chart `%s`: a quote in the file name", png);
	if (png[0] == '/')
		abs_png = strdup(png);
	else {
		cleanup_free char *cwd = getcwd(NULL, 0);

		if (cwd == NULL || asprintf(&abs_png, "%s/%s", cwd, png) < 0)
			return mew_error(err, errno, "bench: chart `%s`", png);
	}
	if (mkdtemp(dir) == NULL)
		return mew_error(err, errno, "bench: chart: mkdtemp `%s`", dir);
	snprintf(data, sizeof(data), "%s/data", dir);
	snprintf(script, sizeof(script), "%s/plot.gp", dir);
	f = fopen(data, "we");
	if (f == NULL) {
		mew_error(err, errno, "bench: chart: write `%s`", data);
		goto out;
	}
	bench_chart_data(r, f);
	fclose(f);
	f = fopen(script, "we");
	if (f == NULL) {
		mew_error(err, errno, "bench: chart: write `%s`", script);
		goto out;
	}
	if (bench_chart_script(r, data, abs_png, f) < 0) {
		fclose(f);
		mew_error(err, 0, "bench: chart `%s`: no engine has figures to draw", png);
		goto out;
	}
	fclose(f);
	{
		char *argv[] = { gnuplot, script, NULL };

		if (bench_exec_run(argv, 60, &res, err) < 0)
			goto out;
	}
	if (res.status != 0) {
		mew_error(err, 0, "bench: chart `%s`: gnuplot exited %d: %s", png, res.status, bench_last_line(res.err));
		bench_exec_free(&res);
		goto out;
	}
	bench_exec_free(&res);
	f = fopen(abs_png, "re");
	if (f == NULL || fread(head, 1, sizeof(head), f) != sizeof(head) || memcmp(head, magic, sizeof(magic)) != 0) {
		if (f != NULL)
			fclose(f);
		mew_error(err, 0, "bench: chart `%s`: gnuplot wrote no PNG", png);
		goto out;
	}
	fclose(f);
	ret = 0;
out:
	remove_tmp(dir);
	return ret;
}
