/*
 * venv check: inspect virtual environments without running them.
 *
 * The library (inspect/inspect.c) looks at one environment at a time; this
 * file parses the command line, finds environments (--recursive), runs
 * the inspections on a pool of threads, and prints the reports in the
 * order the environments were found, whatever order they finish in.
 *
 * Every format is written as the reports come, one environment at a time,
 * so that memory does not grow with the number of environments: json and
 * sarif too (common/jsonstream.h writes their documents piece by piece).
 */
#include "compat.h"
#include <pthread.h>
#include <sys/resource.h>
#include <time.h>
#ifdef __GLIBC__
#include <malloc.h>
#include <sys/mman.h>
#endif
#include "array.h"
#include "checkopts.h"
#include "envdir.h"
#include "cmd.h"
#include "error.h"
#include "format.h"
#include "inspect.h"
#include "jsonstream.h"
#include "rules.h"
#include "optdoc.h"
#include "progress.h"
#include "usage.h"
#include "venv.h"

#define MAX_JOBS 256
/* Environments found but not yet checked, each holding a directory handle. */
#define MAX_QUEUED_HANDLES 64
/*
 * Reports checked but not yet printed (they print in order, so one slow
 * environment holds back those after it). More than MAX_QUEUED_HANDLES, so
 * that the first of them is always being checked.
 */
#define MAX_UNPRINTED 1024
#define PROGRESS_INTERVAL_NS 100000000L
/*
 * json: the diagnostics come after all environments in the document, so
 * they wait; beyond this much text they wait in a temporary file.
 */
#define SPILL_IN_MEMORY ((size_t)256 * 1024)

enum format { FMT_TEXT, FMT_JSON, FMT_JSONL, FMT_SARIF, FMT_MAN };

struct job {
	char *path;
	int fd;               /* the directory discovery found it by, or -1: open path */
	struct venv_report report;
	int done;
	int error;            /* check itself failed (out of memory) */
	char message[512];
};

struct run {
	enum format format;
	int color, quiet;
	unsigned jobs;
	struct venv_check_options opts;
	struct venv_rule_filter filter;

	pthread_mutex_t lock;
	pthread_cond_t work, done;
	struct job **queue;
	size_t nqueue, alloc, next_work, next_print;
	int closed;
	int threaded;

	/* json, sarif: the document so far, written out after each environment. */
	struct venv_jsonstream doc;
	struct vbuf out;
	/* json: the diagnostics array's members, in memory, then in spill_file. */
	struct venv_jsonstream diags;
	struct vbuf spill;
	FILE *spill_file;
	size_t rule_index[1000];
	size_t n_envs, n_failed, n_with_findings, counts[4];
	int status;
	int search_failed;    /* check -r could not read some directory */
	struct venv_progress progress; /* on a terminal, while several are checked */
};

/* A usage error, after the usage lines. */
#define usage_error(...) venv_cli_doc_usage_error(&venv_check_doc, __VA_ARGS__)

/* ------------------------------------------------------------------------ */
/* Output. */

static void clear_progress(struct run *r)
{
	venv_cli_progress_clear(&r->progress);
}

static void show_progress(struct run *r, int force)
{
	venv_cli_progress(&r->progress, force, "checked %zu of %zu environment%s%s", r->next_print,
			  r->nqueue, r->nqueue == 1 ? "" : "s", r->closed ? "" : " (still searching)");
}

static int print_json(json_t *j, int compact)
{
	char *s = json_dumps(j, compact ? JSON_COMPACT : JSON_INDENT(2));

	if (!s)
		return venv_error_set(VENV_ENOMEM, "cannot serialise JSON");
	fputs(s, stdout);
	fputc('\n', stdout);
	free(s);
	return 0;
}

/* The document so far to stdout: what memory holds is one environment's. */
static int write_out(struct run *r)
{
	if (r->out.len && fwrite(r->out.buf, 1, r->out.len, stdout) != r->out.len)
		return venv_error_set_errno(VENV_EIO, "cannot write the output");
	vbuf_reset(&r->out);
	return 0;
}

/*
 * The json diagnostics wait for the end of the environments array: past
 * SPILL_IN_MEMORY (or with all, when they were already spilled) they move
 * to a temporary file, deleted as soon as it is made ($TMPDIR, else /tmp).
 */
static int spill(struct run *r, int all)
{
	if (!r->spill.len || (!all && r->spill.len < SPILL_IN_MEMORY) ||
	    (all && !r->spill_file))
		return 0;
	if (!r->spill_file) {
		const char *dir = getenv("TMPDIR");
		struct vbuf name = VBUF_INIT(VBUF_MAX_PATH);
		int fd = -1, error;

		if ((error = vbuf_addf(&name, "%s/venv-check-XXXXXX",
				       dir && *dir ? dir : "/tmp")) < 0)
			return error;
		if ((fd = mkstemp(name.buf)) < 0 || unlink(name.buf) < 0 ||
		    !(r->spill_file = fdopen(fd, "w+"))) {
			error = venv_error_set_errno(venv_error_from_errno(errno), "cannot make a "
						     "temporary file '%s'", name.buf);
			if (fd >= 0 && !r->spill_file)
				close(fd);
			vbuf_release(&name);
			return error;
		}
		vbuf_release(&name);
	}
	if (fwrite(r->spill.buf, 1, r->spill.len, r->spill_file) != r->spill.len)
		return venv_error_set_errno(VENV_EIO, "cannot write a temporary file");
	vbuf_reset(&r->spill);
	return 0;
}

static int emit(struct run *r, struct job *j)
{
	const struct venv_report *rep = &j->report;
	struct vbuf text = VBUF_INIT(VBUF_MAX_REPORT);
	size_t i, shown = 0;
	int error = 0;

	clear_progress(r);
	r->n_envs++;
	if (j->error) {
		venv_cli_error("cannot check '%s': %s", j->path, j->message);
		r->n_failed++;
		r->status = VENV_EXIT_ERROR;
		goto done;
	}
	for (i = 0; i < rep->nr; i++) {
		const struct venv_finding *fi = &rep->findings[i];
		const struct venv_diag *d = venv_diag_get(fi->code);

		if (d && venv_rule_filter_wants_severity(&r->filter, d->code, fi->severity)) {
			r->counts[fi->severity ? fi->severity : d->severity]++;
			shown++;
		}
	}
	if (rep->failed) {
		r->n_failed++;
		r->status = VENV_EXIT_ERROR;
	} else if (shown) {
		r->n_with_findings++;
	}
	if (shown && r->status < VENV_EXIT_FAILURE)
		r->status = VENV_EXIT_FAILURE;
	/* A directory that is no environment at all could not be checked: 2, as repair says. */
	for (i = 0; i < rep->nr; i++)
		if (rep->findings[i].code == VENV_DIAG_NOT_A_VENV)
			r->status = VENV_EXIT_ERROR;

	switch (r->format) {
	case FMT_TEXT:
		if ((error = venv_format_text(&text, rep, &r->filter, r->color)) < 0)
			goto done;
		fwrite(text.buf, 1, text.len, stdout);
		break;
	case FMT_JSON:
	case FMT_JSONL:
		for (i = 0; i < rep->nr; i++) {
			const struct venv_finding *fi = &rep->findings[i];
			json_t *o;

			if (!venv_rule_filter_wants_severity(&r->filter, fi->code, fi->severity))
				continue;
			if (!(o = venv_finding_json(rep, fi))) {
				error = venv_error_set(VENV_ENOMEM, "cannot build JSON");
				goto done;
			}
			if (r->format == FMT_JSONL) {
				json_object_set_new(o, "type", json_string("diagnostic"));
				error = print_json(o, 1);
			} else {
				error = venv_jsonstream_add(&r->diags, &r->spill, NULL, o);
			}
			json_decref(o);
			if (error < 0 || (error = spill(r, 0)) < 0)
				goto done;
		}
		{
			json_t *e = venv_report_json(rep, &r->filter);

			if (!e) {
				error = venv_error_set(VENV_ENOMEM, "cannot build JSON");
				goto done;
			}
			if (r->format == FMT_JSONL) {
				json_object_set_new(e, "type", json_string("environment"));
				error = print_json(e, 1);
			} else {
				error = venv_jsonstream_add(&r->doc, &r->out, NULL, e);
			}
			json_decref(e);
		}
		break;
	case FMT_SARIF:
		for (i = 0; i < rep->nr && error >= 0; i++) {
			const struct venv_finding *fi = &rep->findings[i];
			json_t *o;

			if (!venv_rule_filter_wants_severity(&r->filter, fi->code, fi->severity))
				continue;
			if (!(o = venv_sarif_result(rep, fi, r->rule_index[fi->code]))) {
				error = venv_error_set(VENV_ENOMEM, "cannot build SARIF");
				goto done;
			}
			error = venv_jsonstream_add(&r->doc, &r->out, NULL, o);
			json_decref(o);
		}
		break;
	case FMT_MAN:
		break;
	}
done:
	vbuf_release(&text);
	if (error >= 0)
		error = write_out(r);
	return error;
}

static json_t *summary_json(const struct run *r)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:i}",
			 "environments", (json_int_t)r->n_envs,
			 "failed", (json_int_t)r->n_failed,
			 "withFindings", (json_int_t)r->n_with_findings,
			 "errors", (json_int_t)r->counts[VENV_SEVERITY_ERROR],
			 "warnings", (json_int_t)r->counts[VENV_SEVERITY_WARNING],
			 "infos", (json_int_t)r->counts[VENV_SEVERITY_INFO],
			 "exitStatus", r->status);
}

static json_t *tool_json(void)
{
	return json_pack("{s:s, s:s}", "name", "venv check", "version", VENV_VERSION_STRING);
}

/* The diagnostics that waited, where the json document wants them. */
static int splice_diagnostics(struct run *r)
{
	char buf[65536];
	size_t n;
	int error;

	if ((error = spill(r, 1)) < 0 || (error = write_out(r)) < 0)
		return error;
	if (r->spill_file) {
		if (fflush(r->spill_file) != 0 || fseek(r->spill_file, 0, SEEK_SET) != 0)
			return venv_error_set_errno(VENV_EIO, "cannot read a temporary file");
		while ((n = fread(buf, 1, sizeof(buf), r->spill_file)) > 0)
			if (fwrite(buf, 1, n, stdout) != n)
				return venv_error_set_errno(VENV_EIO, "cannot write the output");
		if (ferror(r->spill_file))
			return venv_error_set_errno(VENV_EIO, "cannot read a temporary file");
	} else if (r->spill.len && (error = vbuf_add(&r->out, r->spill.buf, r->spill.len)) < 0) {
		return error;
	}
	venv_jsonstream_join(&r->doc, &r->diags);
	return 0;
}

/* Add the member value (then freed) named key to the document. */
static int add_new(struct run *r, const char *key, json_t *value)
{
	int error = venv_jsonstream_add(&r->doc, &r->out, key, value);

	json_decref(value);
	return error;
}

static json_t *sarif_tool(struct run *r)
{
	json_t *rules = json_array();
	size_t i, n = 0;

	if (!rules)
		return NULL;
	for (i = 0; i < venv_diags_count; i++) {
		const struct venv_diag *d = &venv_diags[i];

		/* Any rule one of whose findings may reach the threshold. */
		if (!venv_rule_filter_wants_severity(&r->filter, d->code, VENV_SEVERITY_ERROR))
			continue;
		r->rule_index[d->code] = n++;
		if (json_array_append_new(rules, venv_sarif_rule(d)) < 0) {
			json_decref(rules);
			return NULL;
		}
	}
	return json_pack("{s:{s:s, s:s, s:o}}", "driver", "name", "venv check",
			 "version", VENV_VERSION_STRING, "rules", rules);
}

/* The opening of the document, up to where the first environment goes. */
static int begin_output(struct run *r)
{
	int error;

	switch (r->format) {
	case FMT_JSON:
		if ((error = venv_jsonstream_open(&r->doc, &r->out, NULL, 0)) < 0 ||
		    (error = add_new(r, "version", json_integer(VENV_CHECK_JSON_VERSION))) < 0 ||
		    (error = add_new(r, "tool", tool_json())) < 0 ||
		    (error = add_new(r, "severityThreshold",
				     json_string(venv_severity_name(r->filter.threshold)))) < 0 ||
		    (error = venv_jsonstream_open(&r->doc, &r->out, "environments", 1)) < 0)
			return error;
		/* The diagnostics array, opened later, starts as this one does. */
		r->diags = r->doc;
		return write_out(r);
	case FMT_JSONL: {
		json_t *h = json_pack("{s:s, s:i, s:o, s:s}", "type", "header",
				      "version", VENV_CHECK_JSON_VERSION, "tool", tool_json(),
				      "severityThreshold", venv_severity_name(r->filter.threshold));

		if (!h)
			return venv_error_set(VENV_ENOMEM, "out of memory");
		error = print_json(h, 1);
		json_decref(h);
		return error;
	}
	case FMT_SARIF:
		if ((error = venv_jsonstream_open(&r->doc, &r->out, NULL, 0)) < 0 ||
		    (error = add_new(r, "$schema",
				     json_string("https://json.schemastore.org/sarif-2.1.0.json"))) < 0 ||
		    (error = add_new(r, "version", json_string("2.1.0"))) < 0 ||
		    (error = venv_jsonstream_open(&r->doc, &r->out, "runs", 1)) < 0 ||
		    (error = venv_jsonstream_open(&r->doc, &r->out, NULL, 0)) < 0 ||
		    (error = add_new(r, "tool", sarif_tool(r))) < 0 ||
		    (error = venv_jsonstream_open(&r->doc, &r->out, "results", 1)) < 0)
			return error;
		return write_out(r);
	default:
		return 0;
	}
}

/* The rest of the document after the last environment: the summary is last. */
static int end_output(struct run *r)
{
	json_t *doc = NULL;
	int error = 0;

	clear_progress(r);
	switch (r->format) {
	case FMT_TEXT:
		if (r->quiet)
			break;
		printf("checked %zu environment%s: %zu ok, %zu with findings, %zu could not be "
		       "inspected; %zu error%s, %zu warning%s, %zu info%s\n", r->n_envs,
		       r->n_envs == 1 ? "" : "s", r->n_envs - r->n_with_findings - r->n_failed,
		       r->n_with_findings, r->n_failed,
		       r->counts[VENV_SEVERITY_ERROR], r->counts[VENV_SEVERITY_ERROR] == 1 ? "" : "s",
		       r->counts[VENV_SEVERITY_WARNING],
		       r->counts[VENV_SEVERITY_WARNING] == 1 ? "" : "s",
		       r->counts[VENV_SEVERITY_INFO], r->counts[VENV_SEVERITY_INFO] == 1 ? "" : "s");
		if (r->counts[1] + r->counts[2] + r->counts[3])
			printf("run 'venv check --explain CODE' for what a code means and how to fix "
			       "it\n");
		break;
	case FMT_JSON:
		if ((error = venv_jsonstream_close(&r->doc, &r->out)) < 0 ||
		    (error = venv_jsonstream_open(&r->doc, &r->out, "diagnostics", 1)) < 0 ||
		    (error = splice_diagnostics(r)) < 0 ||
		    (error = venv_jsonstream_close(&r->doc, &r->out)) < 0 ||
		    (error = add_new(r, "summary", summary_json(r))) < 0)
			break;
		error = venv_jsonstream_close(&r->doc, &r->out);
		break;
	case FMT_JSONL:
		doc = summary_json(r);
		if (!doc)
			return venv_error_set(VENV_ENOMEM, "cannot build the output document");
		json_object_set_new(doc, "type", json_string("summary"));
		error = print_json(doc, 1);
		json_decref(doc);
		break;
	case FMT_SARIF:
		if ((error = venv_jsonstream_close(&r->doc, &r->out)) < 0 ||
		    (error = add_new(r, "invocations",
				     json_pack("[{s:b, s:i}]", "executionSuccessful",
					       r->status != VENV_EXIT_ERROR, "exitCode", r->status))) < 0)
			break;
		while (r->doc.depth && error >= 0)
			error = venv_jsonstream_close(&r->doc, &r->out);
		break;
	case FMT_MAN:
		break;
	}
	if (error >= 0 && (r->format == FMT_JSON || r->format == FMT_SARIF) &&
	    (error = vbuf_addch(&r->out, '\n')) >= 0)
		error = write_out(r);
	return error;
}

/* ------------------------------------------------------------------------ */
/* The queue. */

static void job_free(struct job *j)
{
	if (!j)
		return;
	venv_report_release(&j->report);
	if (j->fd >= 0)
		close(j->fd);
	free(j->path);
	free(j);
}

static void run_job(struct run *r, struct job *j)
{
	int error;

	if (j->fd >= 0) {
		error = venv_check_env_at(&j->report, j->fd, j->path, &r->opts);
		close(j->fd);
		j->fd = -1;
	} else {
		error = venv_check_env(&j->report, j->path, &r->opts);
	}
	if (error < 0) {
		j->error = 1;
		snprintf(j->message, sizeof(j->message), "%s", venv_error_last());
	}
}

static void *worker(void *arg)
{
	struct run *r = arg;

	for (;;) {
		struct job *j;

		pthread_mutex_lock(&r->lock);
		while (r->next_work >= r->nqueue && !r->closed)
			pthread_cond_wait(&r->work, &r->lock);
		if (r->next_work >= r->nqueue) {
			pthread_mutex_unlock(&r->lock);
			break;
		}
		j = r->queue[r->next_work++];
		pthread_mutex_unlock(&r->lock);
		run_job(r, j);
		pthread_mutex_lock(&r->lock);
		j->done = 1;
		pthread_cond_broadcast(&r->done);
		pthread_mutex_unlock(&r->lock);
	}
	return NULL;
}

/* Print the finished reports that are next in order; with wait, all of them. */
static int flush(struct run *r, int wait)
{
	int error = 0;

	pthread_mutex_lock(&r->lock);
	for (;;) {
		while (r->next_print < r->nqueue && r->queue[r->next_print]->done) {
			struct job *j = r->queue[r->next_print];

			r->queue[r->next_print++] = NULL;
			pthread_mutex_unlock(&r->lock);
			if (error >= 0)
				error = emit(r, j);
			job_free(j);
			pthread_mutex_lock(&r->lock);
		}
		show_progress(r, 0);
		if (!wait || (r->closed && r->next_print >= r->nqueue))
			break;
		{
			struct timespec until;

			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_nsec += PROGRESS_INTERVAL_NS;
			if (until.tv_nsec >= 1000000000L) {
				until.tv_sec++;
				until.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(&r->done, &r->lock, &until);
		}
	}
	pthread_mutex_unlock(&r->lock);
	return error;
}

/*
 * Queue path for checking; dirfd >= 0 is the handle it was found by
 * (duplicated: the job checks through it, never by path again).
 */
/*
 * While MAX_UNPRINTED reports wait behind a slow environment, wait for it
 * and print them, so that memory does not grow with the number of
 * environments checked in the meantime.
 */
static int wait_for_printing(struct run *r)
{
	int busy, error;

	for (;;) {
		pthread_mutex_lock(&r->lock);
		while (r->threaded && r->nqueue - r->next_print >= MAX_UNPRINTED &&
		       !r->queue[r->next_print]->done)
			pthread_cond_wait(&r->done, &r->lock);
		busy = r->threaded && r->nqueue - r->next_print >= MAX_UNPRINTED;
		pthread_mutex_unlock(&r->lock);
		if (!busy)
			return 0;
		if ((error = flush(r, 0)) < 0)
			return error;
	}
}

static int enqueue(struct run *r, const char *path, int dirfd)
{
	struct job *j;
	int error;

	if ((error = wait_for_printing(r)) < 0)
		return error;
	if (!(j = calloc(1, sizeof(*j))) || !(j->path = strdup(path))) {
		free(j);
		return venv_error_set(VENV_ENOMEM, "out of memory");
	}
	j->fd = -1;
	if (dirfd >= 0 && (j->fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0)) < 0) {
		int err = errno;

		job_free(j);
		errno = err;
		return venv_error_set_errno(venv_error_from_errno(errno), "cannot keep '%s' open",
					    path);
	}
	pthread_mutex_lock(&r->lock);
	/* Each queued job holds a descriptor: let the workers catch up first. */
	while (r->threaded && r->nqueue - r->next_work >= MAX_QUEUED_HANDLES)
		pthread_cond_wait(&r->done, &r->lock);
	/* NOLINTNEXTLINE(bugprone-sizeof-expression): the queue holds pointers to jobs */
	if (VENV_ARRAY_GROW(r->queue, r->alloc, r->nqueue + 1, 64) < 0) {
		pthread_mutex_unlock(&r->lock);
		job_free(j);
		return VENV_ENOMEM;
	}
	r->queue[r->nqueue++] = j;
	if (!r->threaded) {
		/* No workers: check it right away. */
		r->next_work++;
		pthread_mutex_unlock(&r->lock);
		run_job(r, j);
		pthread_mutex_lock(&r->lock);
		j->done = 1;
	}
	pthread_cond_signal(&r->work);
	pthread_mutex_unlock(&r->lock);
	return flush(r, 0);
}

static int found_env(void *payload, const char *path, int dirfd)
{
	return enqueue(payload, path, dirfd);
}

static void discover_problem(void *payload, const char *path, const char *message)
{
	struct run *r = payload;

	clear_progress(r);
	venv_cli_warning("'%s': %s", path, message);
	/* A directory that could not be searched may hide environments: exit 2. */
	r->search_failed = 1;
}

/* More threads than file descriptors allow would make the walks fail. */
static unsigned limit_jobs(unsigned want)
{
	struct rlimit rl;
	unsigned max;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		if (rl.rlim_cur < rl.rlim_max && rl.rlim_cur < 65536) {
			rl.rlim_cur = rl.rlim_max < 65536 ? rl.rlim_max : 65536;
			setrlimit(RLIMIT_NOFILE, &rl);
			getrlimit(RLIMIT_NOFILE, &rl);
		}
		max = rl.rlim_cur > 300 ? (unsigned)((rl.rlim_cur - 200) /
						     (VENV_CHECK_DEFAULT_MAX_DEPTH + 8)) : 1;
		if (want > max)
			want = max ? max : 1;
	}
	return want;
}

/* ------------------------------------------------------------------------ */

static int list_rules(enum format format, int color)
{
	struct vbuf out = VBUF_INIT(VBUF_MAX_RECORD);
	int error = 0;

	if (format == FMT_JSON) {
		json_t *j = venv_rules_json();

		error = j ? print_json(j, 0) : venv_error_set(VENV_ENOMEM, "out of memory");
		json_decref(j);
	} else {
		error = format == FMT_MAN ? venv_man_diagnostics(&out) :
			venv_format_rules_text(&out, color);
		if (error >= 0)
			fwrite(out.buf, 1, out.len, stdout);
	}
	vbuf_release(&out);
	if (error < 0)
		return venv_cli_error("%s", venv_error_last()) + 1;
	return VENV_EXIT_OK;
}

static int explain(const char *name, int color)
{
	const struct venv_diag *d = venv_diag_find(name);
	struct vbuf out = VBUF_INIT(VBUF_MAX_RECORD);

	if (!d)
		return usage_error("unknown rule '%s' (see 'venv check --list-rules')", name);
	if (venv_format_explain(&out, d, color) < 0) {
		vbuf_release(&out);
		return venv_cli_error("%s", venv_error_last()) + 1;
	}
	fwrite(out.buf, 1, out.len, stdout);
	vbuf_release(&out);
	return VENV_EXIT_OK;
}

static int append_list(struct vbuf *list, const char *item)
{
	if (list->len && vbuf_addch(list, ',') < 0)
		return -1;
	return vbuf_adds(list, item);
}

/*
 * The heap of a check of one environment, before it starts its threads:
 * one arena for every thread, grown 64 MiB at a time, large blocks from
 * it too and never given back, and transparent huge pages asked for it.
 * The check of an environment allocates some 12 MB (RECORD rows, the
 * table of files to hash, the walk's list, the owners of every path),
 * each 4 KiB page touched first in a page fault; on a virtual machine
 * one costs ~20 us, as much as hashing 30 KB: 3,300 of them were 60 ms
 * of the 480 ms of CPU of `check --verify-hashes` on the audit bench,
 * 300 to 700 with this. Not for several environments checked at once,
 * which keep an arena per thread (and their memory bounded).
 */
static void heap_for_one_environment(void)
{
#if defined(__GLIBC__) && defined(M_ARENA_MAX) && defined(MADV_HUGEPAGE)
	const size_t huge = (size_t)2 << 20, pad = (size_t)64 << 20;
	char *p, *start, *end;

	if (!mallopt(M_ARENA_MAX, 1) || !mallopt(M_TOP_PAD, (int)pad) ||
	    !mallopt(M_TRIM_THRESHOLD, (int)(2 * pad)) || !mallopt(M_MMAP_THRESHOLD, (int)(pad / 2)))
		return;
	/* A block larger than any free one makes the heap grow now, by it and the pad. */
	if (!(p = malloc(pad / 4)))
		return;
	end = sbrk(0);
	start = p + (huge - (uintptr_t)p % huge) % huge;
	/* Only advice: without huge pages (or with an error) the heap is as it was. */
	if ((uintptr_t)end != UINTPTR_MAX && end > start)
		madvise(start, (size_t)(end - start), MADV_HUGEPAGE);
	free(p);
#endif
}

int cmd_check(int argc, char **argv)
{
	struct run r;
	struct vbuf select = VBUF_INIT(VBUF_MAX_LINE), ignore = VBUF_INIT(VBUF_MAX_LINE);
	struct vbuf warnings = VBUF_INIT(VBUF_MAX_LINE);
	struct vbuf default_dir = VBUF_INIT(VBUF_MAX_PATH);
	char *default_argv[2] = { NULL, NULL };
	pthread_t threads[MAX_JOBS];
	struct venv_cli_parse opts;
	enum venv_severity threshold = VENV_SEVERITY_WARNING;
	const char *format = NULL, *color = "auto", *explain_code = NULL;
	unsigned nthreads = 0, i;
	int c, recursive = 0, list = 0, no_progress = 0, status = VENV_EXIT_OK, error = 0;
	int lock_ready = 0, strict = 0, severity_given = 0;
	long jobs = 0;

	memset(&r, 0, sizeof(r));
	vbuf_init(&r.out, VBUF_MAX_REPORT);
	vbuf_init(&r.spill, VBUF_MAX_REPORT);
	venv_cli_parse_init(&opts, &venv_check_doc);
	while ((c = venv_cli_next_option(&opts, argc, argv)) > 0) {
		switch (c) {
		case 'r':
			recursive = 1;
			break;
		case 'j': {
			char *end;

			errno = 0;
			jobs = strtol(optarg, &end, 10);
			if (errno || *end || jobs < 1 || jobs > MAX_JOBS) {
				status = usage_error("-j wants a number of jobs from 1 to 256, not '%s'",
						     optarg);
				goto done;
			}
			break;
		}
		case 'f':
			format = optarg;
			break;
		case VENV_CHECK_OPT_SELECT:
			if (append_list(&select, optarg) < 0) {
				status = usage_error("%s", venv_error_last());
				goto done;
			}
			break;
		case VENV_CHECK_OPT_IGNORE:
			if (append_list(&ignore, optarg) < 0) {
				status = usage_error("%s", venv_error_last());
				goto done;
			}
			break;
		case VENV_CHECK_OPT_SEVERITY:
			if (venv_severity_parse(&threshold, optarg) < 0) {
				status = usage_error("%s", venv_error_last());
				goto done;
			}
			severity_given = 1;
			break;
		case VENV_CHECK_OPT_VERIFY_HASHES:
			r.opts.flags |= VENV_CHECK_VERIFY_HASHES;
			break;
		case VENV_CHECK_OPT_STRICT:
			strict = 1;
			r.opts.flags |= VENV_CHECK_VERIFY_HASHES;
			break;
		case VENV_CHECK_OPT_CROSS:
			r.opts.flags |= VENV_CHECK_CROSS_DEVICES;
			break;
		case VENV_CHECK_OPT_COLOR:
			if (strcmp(optarg, "auto") && strcmp(optarg, "always") && strcmp(optarg, "never")) {
				status = usage_error("--color wants auto, always or never, not '%s'",
						     optarg);
				goto done;
			}
			color = optarg;
			break;
		case VENV_CHECK_OPT_NO_PROGRESS:
			no_progress = 1;
			break;
		case 'q':
			r.quiet = 1;
			break;
		case VENV_CHECK_OPT_LIST_RULES:
			list = 1;
			break;
		case VENV_CHECK_OPT_EXPLAIN:
			explain_code = optarg;
			break;
		}
	}
	if (c < 0) {
		status = opts.status;
		goto done;
	}
	r.color = !strcmp(color, "always") || (!strcmp(color, "auto") && venv_cli_use_color(1));
	if (format && !strcmp(format, "text"))
		r.format = FMT_TEXT;
	else if (format && !strcmp(format, "json"))
		r.format = FMT_JSON;
	else if (format && !strcmp(format, "json-lines"))
		r.format = FMT_JSONL;
	else if (format && !strcmp(format, "sarif"))
		r.format = FMT_SARIF;
	else if (format && !strcmp(format, "man") && list)
		r.format = FMT_MAN;
	else if (format) {
		status = usage_error("unknown format '%s' (text, json, json-lines, sarif; "
				     "with --list-rules: text, json, man)", format);
		goto done;
	}
	if (list && explain_code) {
		status = usage_error("%s", "--list-rules and --explain cannot be combined");
		goto done;
	}
	if (list || explain_code) {
		if (optind < argc) {
			status = usage_error("%s takes no DIR", list ? "--list-rules" : "--explain");
			goto done;
		}
		if (list && (r.format == FMT_JSONL || r.format == FMT_SARIF)) {
			status = usage_error("--list-rules cannot print '%s'", format);
			goto done;
		}
		status = list ? list_rules(r.format, r.color) : explain(explain_code, r.color);
		goto done;
	}
	/* No DIR: the active environment, else ./.venv (as `venv repair`, `venv list`). */
	if ((status = venv_cli_env_operands(&venv_check_doc, recursive, &argc, &argv, &optind,
					    &default_dir, default_argv)) != 0)
		goto done;
	/* Audit mode: every finding counts, unless a threshold was asked for. */
	if (strict && !severity_given)
		threshold = VENV_SEVERITY_INFO;
	if (venv_rule_filter_init(&r.filter, select.buf, ignore.buf, threshold, &warnings) < 0) {
		status = usage_error("%s", venv_error_last());
		goto done;
	}
	r.opts.selected = r.filter.enabled;
	if (warnings.len) {
		vbuf_setlen(&warnings, warnings.len - 1);
		venv_cli_warning("%s", warnings.buf);
	}
	if (r.format != FMT_TEXT)
		r.color = 0;

	if (!jobs) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		jobs = n < 1 ? 1 : n > MAX_JOBS ? MAX_JOBS : n;
	}
	r.jobs = limit_jobs((unsigned)jobs);
	r.threaded = r.jobs > 1 && (recursive || argc - optind > 1);
	/* Threads hash the files of one environment only when environments are not parallel. */
	r.opts.hash_jobs = r.threaded ? 1 : r.jobs;
	if (!recursive && argc - optind == 1)
		heap_for_one_environment();
	venv_progress_init(&r.progress, !r.quiet && !no_progress && (recursive || argc - optind > 1), 2);
	pthread_mutex_init(&r.lock, NULL);
	pthread_cond_init(&r.work, NULL);
	pthread_cond_init(&r.done, NULL);
	lock_ready = 1;
	/* Seed Jansson's hash before any thread builds objects. */
	json_object_seed(0);
	if ((error = begin_output(&r)) < 0)
		goto fail;
	if (r.threaded) {
		for (i = 0; i < r.jobs; i++) {
			if (pthread_create(&threads[i], NULL, worker, &r) != 0)
				break;
			nthreads++;
		}
		if (!nthreads)
			r.threaded = 0;
	}
	for (c = optind; c < argc && error >= 0; c++) {
		if (recursive) {
			error = venv_discover(argv[c], r.opts.flags, found_env, discover_problem, &r);
			/* A root that cannot be searched is inspected, and reported, as such. */
			if (error < 0 && error != VENV_ENOMEM)
				error = enqueue(&r, argv[c], -1);
		} else {
			error = enqueue(&r, argv[c], -1);
		}
	}
	pthread_mutex_lock(&r.lock);
	r.closed = 1;
	pthread_cond_broadcast(&r.work);
	pthread_mutex_unlock(&r.lock);
	if (error >= 0)
		error = flush(&r, 1);
	for (i = 0; i < nthreads; i++)
		pthread_join(threads[i], NULL);
	if (r.search_failed)
		r.status = VENV_EXIT_ERROR;
	if (error >= 0)
		error = end_output(&r);
fail:
	if (error < 0) {
		clear_progress(&r);
		venv_cli_error("%s", venv_error_last());
		status = VENV_EXIT_ERROR;
	} else {
		status = r.status;
	}
done:
	if (lock_ready) {
		size_t k;

		/* Whatever was not printed (after an error) is still freed. */
		for (k = r.next_print; k < r.nqueue; k++)
			job_free(r.queue[k]);
		pthread_mutex_destroy(&r.lock);
		pthread_cond_destroy(&r.work);
		pthread_cond_destroy(&r.done);
	}
	free(r.queue);
	vbuf_release(&r.out);
	vbuf_release(&r.spill);
	if (r.spill_file)
		fclose(r.spill_file);
	vbuf_release(&select);
	vbuf_release(&ignore);
	vbuf_release(&warnings);
	vbuf_release(&default_dir);
	return status;
}
