/* What `mew bench` prints: the timing table, the real-Linux table, and the
 * claims with their verdicts. */
#include "bench/bench.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void bench_format_seconds(double s, char *buf, size_t len)
{
	if (isnan(s))
		snprintf(buf, len, "-");
	else if (s < 0.01)
		snprintf(buf, len, "%.2f ms", s * 1e3);
	else if (s < 0.1)
		snprintf(buf, len, "%.1f ms", s * 1e3);
	else if (s < 1)
		snprintf(buf, len, "%.0f ms", s * 1e3);
	else if (s < 100)
		snprintf(buf, len, "%.2f s", s);
	else
		snprintf(buf, len, "%.0f s", s);
}

void bench_format_ratio(double ratio, char *buf, size_t len)
{
	if (isnan(ratio))
		snprintf(buf, len, "-");
	else if (ratio < 10)
		snprintf(buf, len, "%.2fx", ratio);
	else if (ratio < 100)
		snprintf(buf, len, "%.1fx", ratio);
	else
		snprintf(buf, len, "%.0fx", ratio);
}

static const char *check_word(const struct bench_check *c)
{
	switch (c->result) {
	case BENCH_CHECK_OK:
		return "ok";
	case BENCH_CHECK_FAILED:
		return "fails";
	case BENCH_CHECK_UNTESTED:
		break;
	}
	return "-";
}

/* What a note says after the command it names: "`mew run ...` exited 125:
 * mew: no kernel" -> "exited 125: mew: no kernel". */
static const char *note_cause(const char *note)
{
	const char *end = note[0] == '`' ? strstr(note + 1, "` ") : NULL;

	return end != NULL ? end + 2 : note;
}

static void print_times(const struct bench_report *r, FILE *out)
{
	int note = 0;

	fprintf(out, "%-10s %-6s", "engine", "arch");
	for (int w = 0; w < BENCH_NWORKLOADS; w++)
		fprintf(out, w + 1 < BENCH_NWORKLOADS ? " %-19s" : " %s", bench_workload_name(w));
	fputc('\n', out);
	for (size_t i = 0; i < r->nrows; i++) {
		const struct bench_row *row = &r->rows[i];

		fprintf(out, "%-10s %-6s", row->engine, row->arch != NULL ? row->arch : "-");
		if (!row->runnable) {
			fprintf(out, " skipped: %s\n", row->reason != NULL ? row->reason : "cannot run here");
			continue;
		}
		for (int w = 0; w < BENCH_NWORKLOADS; w++) {
			const struct bench_cell *c = &row->cells[w];
			char t[32], x[32], cell[64];

			if (c->status == BENCH_OK) {
				bench_format_seconds(c->median, t, sizeof(t));
				bench_format_ratio(c->ratio, x, sizeof(x));
				if (i == 0)
					snprintf(cell, sizeof(cell), "%s", t);
				else
					snprintf(cell, sizeof(cell), "%-10s %s", t, x);
			} else {
				snprintf(cell, sizeof(cell), "%s [%d]",
					 c->status == BENCH_FAILED ? "failed" : "skipped", ++note);
			}
			fprintf(out, w + 1 < BENCH_NWORKLOADS ? " %-19s" : " %s", cell);
		}
		fputc('\n', out);
	}
	/* The notes, numbered in the order the cells were printed; a cell
	 * that failed the way the one before it did says so in one line. */
	note = 0;
	for (size_t i = 0; i < r->nrows; i++) {
		const struct bench_row *row = &r->rows[i];
		const char *prev = NULL;
		int prev_note = 0;

		for (int w = 0; w < BENCH_NWORKLOADS && row->runnable; w++) {
			const char *n = row->cells[w].note != NULL ? row->cells[w].note : "not run";

			if (row->cells[w].status == BENCH_OK)
				continue;
			note++;
			if (prev != NULL && strcmp(note_cause(prev), note_cause(n)) == 0) {
				fprintf(out, "  [%d] %s %s: the same as [%d]\n", note, row->engine, bench_workload_name(w),
					prev_note);
				continue;
			}
			fprintf(out, "  [%d] %s %s: %s\n", note, row->engine, bench_workload_name(w), n);
			prev = n;
			prev_note = note;
		}
	}
}

static const char *hosts_word(const struct bench_row *row)
{
	if (!row->runnable || row->unshare_net.result == BENCH_CHECK_UNTESTED)
		return "not tested";
	if (!bench_row_hosts_containers(row))
		return "no";
	if (row->user_unshare_net.result == BENCH_CHECK_UNTESTED)
		return "yes";
	return bench_row_hosts_on_its_own(row) ? "yes, even for nobody: a kernel of its own"
					       : "only with the host's root privileges";
}

static void print_check_notes(const struct bench_row *row, const char *who, const struct bench_check *u,
			      const struct bench_check *c, FILE *out)
{
	if (u->result == BENCH_CHECK_UNTESTED) {
		fprintf(out, "  %s%s: not tested: %s\n", row->engine, who, u->detail != NULL ? u->detail : "?");
		return;
	}
	if (u->result == BENCH_CHECK_FAILED)
		fprintf(out, "  %s%s: unshare -n: %s\n", row->engine, who, u->detail != NULL ? u->detail : "?");
	if (c->result == BENCH_CHECK_FAILED)
		fprintf(out, "  %s%s: cgroup: %s\n", row->engine, who, c->detail != NULL ? c->detail : "?");
}

static void print_realinux(const struct bench_report *r, FILE *out)
{
	bool as_user = false;

	for (size_t i = 0; i < r->nrows; i++)
		as_user |= r->rows[i].user_unshare_net.result != BENCH_CHECK_UNTESTED;
	fprintf(out, "\nA real Linux inside?  (`unshare -n true`, and a new cgroup%s)\n",
		as_user ? "; again as the ordinary user nobody" : "");
	fprintf(out, "%-10s %-11s %-8s ", "engine", "unshare -n", "cgroup");
	if (as_user)
		fprintf(out, "%-21s %-8s ", "as nobody: unshare -n", "cgroup");
	fprintf(out, "can host containers\n");
	for (size_t i = 0; i < r->nrows; i++) {
		const struct bench_row *row = &r->rows[i];

		fprintf(out, "%-10s %-11s %-8s ", row->engine, check_word(&row->unshare_net), check_word(&row->cgroup));
		if (as_user)
			fprintf(out, "%-21s %-8s ", check_word(&row->user_unshare_net), check_word(&row->user_cgroup));
		fprintf(out, "%s\n", hosts_word(row));
	}
	for (size_t i = 0; i < r->nrows; i++) {
		const struct bench_row *row = &r->rows[i];

		if (!row->runnable)
			continue;
		print_check_notes(row, "", &row->unshare_net, &row->cgroup, out);
		/* as nobody: worth a line only where root's check passed */
		if (as_user && bench_row_hosts_containers(row))
			print_check_notes(row, " as nobody", &row->user_unshare_net, &row->user_cgroup, out);
	}
}

void bench_report_print(const struct bench_report *r, FILE *out)
{
	fprintf(out, "mew bench: median wall time of %d run%s each, and its ratio to native (lower is better)\n",
		r->runs, r->runs == 1 ? "" : "s");
	if (r->machine != NULL)
		fprintf(out, "machine: %s\n", r->machine);
	fputc('\n', out);
	print_times(r, out);
	fputc('\n', out);
	for (int w = 0; w < BENCH_NWORKLOADS; w++)
		if (r->workload_text[w] != NULL)
			fprintf(out, "  %-9s %s\n", bench_workload_name(w), r->workload_text[w]);
	print_realinux(r, out);
	if (r->nclaims > 0)
		fprintf(out, "\nmew's claims, on this machine%s:\n",
			r->quick ? " (--quick: small workloads, few runs, rough ratios; run without it to judge)" : "");
	for (size_t i = 0; i < r->nclaims; i++) {
		const struct bench_claim *c = &r->claims[i];

		fprintf(out, "  %-13s %s\n", bench_verdict_name(c->verdict), c->text);
		if (c->evidence != NULL && c->evidence[0] != '\0')
			fprintf(out, "  %-13s   %s\n", "", c->evidence);
	}
}
