/*
 * venv repair: fix environments in place after a move, a copy or a Python
 * upgrade, losing nothing.
 */
#include "compat.h"
#include <jansson.h>
#include "cmd.h"
#include "diag.h"
#include "envdir.h"
#include "error.h"
#include "format.h"
#include "inspect.h"
#include "optdoc.h"
#include "progress.h"
#include "usage.h"
#include "repair.h"

/* The command line, once (common/optdoc.h): --help, completions, man page tests. */
static const char *const repair_synopsis[] = {
	"venv repair [-h] [-r] [--upgrade] [-p PYTHON] [--archive[=FILE]] [--dry-run] "
	"[--format text|json] [--force] [-y] [-q] [-v] [DIR ...]",
};

/* What the parser returns for the long options without a letter. */
enum { OPT_UPGRADE = 256, OPT_ARCHIVE, OPT_DRY_RUN, OPT_FORMAT, OPT_FORCE };

static const struct venv_optdoc repair_args[] = {
	{ "DIR", NULL, NULL, "An environment to repair (default: $VIRTUAL_ENV, else ./.venv).",
	  0 },
};

static const struct venv_optdoc repair_opts[] = {
	{ "-h, --help", NULL, NULL, "show this help message and exit", 'h' },
	{ "-r, --recursive", NULL, NULL,
	  "Repair every environment found under each DIR (as 'venv check -r' finds them) and "
	  "print a summary.", 'r' },
	{ "--upgrade", NULL, NULL,
	  "Run the creator's upgrade path against the base interpreter (upgraded in place, or "
	  "--python): relink or recopy the interpreter, rewrite home, version and executable. "
	  "After a minor version change, move the pure-Python distributions and the files "
	  "nobody owns to the new site-packages and install the others again from local "
	  "wheels, else with pip (on a terminal, a progress line says which, n of m); asks "
	  "nothing.", OPT_UPGRADE },
	{ "-p, --python", "PYTHON", NULL,
	  "The new base interpreter for --upgrade: a path, a command name or a version such "
	  "as 3.12.", 'p' },
	{ "--archive", "[=FILE]", NULL,
	  "First write the whole environment to an archive (tar.gz if FILE ends in .gz, else "
	  "tar.zst; default: in the cache directory's archives/) and check it.", OPT_ARCHIVE },
	{ "--dry-run", NULL, NULL,
	  "Print what would change and change nothing; exit 1 if something would change.",
	  OPT_DRY_RUN },
	{ "--format", "text|json", "text json", "How to print the result (default: text).",
	  OPT_FORMAT },
	{ "--force", NULL, NULL,
	  "Also repair a directory without pyvenv.cfg or an activation script, if it holds "
	  "nothing but what environments are made of (bin, lib, include, ...).", OPT_FORCE },
	{ "-y, --yes", NULL, NULL, "Accepted for compatibility: nothing is asked.", 'y' },
	{ "-q, --quiet", NULL, NULL, "Print nothing but errors and remaining problems.", 'q' },
	{ "-v, --verbose", NULL, NULL, "Say what is being done (and show pip's output).", 'v' },
};

const struct venv_cmddoc venv_repair_doc = {
	"repair", repair_synopsis, VENV_ARRAY_SIZE(repair_synopsis),
	"Repairs virtual environments in place: fixes what 'venv check' finds and can be fixed "
	"(a move or a copy, a damaged pyvenv.cfg, missing interpreter names and scripts, "
	"activation scripts open to injection, world-writable files); with --upgrade, moves the "
	"environment to a new base interpreter.",
	repair_args, VENV_ARRAY_SIZE(repair_args), repair_opts, VENV_ARRAY_SIZE(repair_opts),
	NULL, 0,
	"Exit status: 0 when 'venv check --severity error' would find nothing after, 1 when "
	"errors remain (or, with --dry-run, when something would change), 2 on error. See "
	"venv-repair(1)."
};

struct repair_cli {
	int verbosity;   /* 0 quiet, 1 normal, 2 verbose */
	int yes;
	int json;
	struct venv_progress progress; /* --upgrade on a terminal: pip's steps */
};

/* pip is slow and says nothing while it runs: show which step, n of total. */
static void repair_progress(void *payload, const char *what, size_t n, size_t total)
{
	struct repair_cli *c = payload;

	venv_cli_progress(&c->progress, 1, "pip: %zu of %zu: %s", n, total, what);
}

static void repair_log(void *payload, enum venv_log_level level, const char *msg)
{
	struct repair_cli *c = payload;

	int wanted = level == VENV_LOG_DEBUG ? 2 : 1;

	/* With --format json, stdout is for JSON and progress would only be noise. */
	if (c->verbosity < wanted || (level == VENV_LOG_INFO && c->json))
		return;
	venv_cli_progress_clear(&c->progress);
	if (level == VENV_LOG_WARNING)
		venv_cli_warning("%s", msg);
	else
		venv_cli_note("%s", msg);
}

static const char *slug(int code)
{
	const struct venv_diag *d = venv_diag_get(code);

	return d ? d->slug : "";
}

static char mark(const struct venv_fix *f)
{
	switch (f->kind) {
	case VENV_FIX_REMOVE: return '-';
	case VENV_FIX_MKDIR: return '+';
	case VENV_FIX_CHMOD: return '~';
	default: return f->replaces ? '~' : '+';
	}
}

static const char *action(const struct venv_fix *f)
{
	switch (f->kind) {
	case VENV_FIX_WRITE: return "write";
	case VENV_FIX_SYMLINK: return "link";
	case VENV_FIX_MKDIR: return "mkdir";
	case VENV_FIX_REMOVE: return "remove";
	case VENV_FIX_COPY: return "copy";
	case VENV_FIX_CHMOD: return "chmod";
	}
	return "?";
}

/* Print "\t<prefix> line" for each line of text (escaped: it is the environment's). */
static void print_lines(const char *text, char prefix)
{
	struct vbuf line = VBUF_INIT(VBUF_MAX_LINE), shown = VBUF_INIT(VBUF_MAX_LINE);

	while (text && *text) {
		const char *nl = strchr(text, '\n');
		size_t n = nl ? (size_t)(nl - text) : strlen(text);

		vbuf_reset(&line);
		if (vbuf_add(&line, text, n) < 0)
			break;
		printf("      %c %s\n", prefix, venv_cli_shown(&shown, line.buf));
		text = nl ? nl + 1 : text + n;
	}
	vbuf_release(&line);
	vbuf_release(&shown);
}

/*
 * One line for the changes that share a summary (a reinstalled distribution's
 * hundreds of files, VNV609): how many there are, at the first of them, 0
 * at the others. The JSON report lists every change.
 */
static size_t same_summary(const struct venv_plan *done, size_t i)
{
	const struct venv_fix *f = &done->fixes[i];
	size_t k, n = 1;

	if (!f->summary || f->before || f->after)
		return 1;
	for (k = 0; k < done->nr; k++) {
		const struct venv_fix *g = &done->fixes[k];

		if (k == i || g->code != f->code || !g->summary || strcmp(g->summary, f->summary))
			continue;
		if (k < i)
			return 0;
		n++;
	}
	return n;
}

/*
 * Paths, names and messages are escaped (venv_cli_shown): the environment's
 * directory may come from a search (-r), and summaries quote its files.
 */
static void print_text(const struct venv_repair_report *r, int dry_run, int verbosity)
{
	struct vbuf shown = VBUF_INIT(VBUF_MAX_LINE);
	char code[16];
	size_t i;

	if (verbosity >= 1 || r->remaining.nprob) {
		printf("%s", venv_cli_shown(&shown, r->env_dir));
		if (r->old_location)
			printf(" (moved or copied from %s)", venv_cli_shown(&shown, r->old_location));
		printf(":\n");
	}
	if (r->recovered && verbosity >= 1)
		printf("  note: %s\n", venv_cli_shown(&shown, r->recovered));
	if (r->archive)
		printf("  archived to %s\n", venv_cli_shown(&shown, r->archive));
	if (verbosity >= 1) {
		for (i = 0; i < r->done.nr; i++) {
			const struct venv_fix *f = &r->done.fixes[i];
			size_t same = same_summary(&r->done, i);

			if (!same)
				continue;
			venv_repair_code_str(code, sizeof(code), f->code);
			printf("  %c %s", mark(f),
			       venv_cli_shown(&shown, f->summary ? f->summary : f->path));
			if (same > 1)
				printf(" (%zu changes)", same);
			printf(" [%s]\n", code);
			print_lines(f->before, '-');
			print_lines(f->after, '+');
		}
	}
	for (i = 0; i < r->remaining.nprob; i++) {
		venv_repair_code_str(code, sizeof(code), r->remaining.problems[i].code);
		printf("  ! %s [%s]\n", venv_cli_shown(&shown, r->remaining.problems[i].message),
		       code);
	}
	/* Listed as check shows findings; the count below is all of them. */
	if (r->unlisted)
		printf("  ! and %zu more not listed (the first %d of each code and %d in all are)\n",
		       r->unlisted, VENV_REPORT_MAX_PER_CODE, VENV_REPORT_MAX_FINDINGS);
	if (verbosity >= 1) {
		if (!r->done.nr && !r->remaining.nprob)
			printf("  nothing to repair\n");
		else if (dry_run)
			printf("  %zu change(s) would be made, %zu problem(s) would remain\n",
			       r->done.nr, r->remaining.nprob + r->unlisted);
		else
			printf("  %zu change(s) made, %zu problem(s) remain\n", r->done.nr,
			       r->remaining.nprob + r->unlisted);
	}
	vbuf_release(&shown);
}

static json_t *str_or_null(const char *s)
{
	return s ? venv_json_str(s) : json_null();
}

/* Strings from the environment may be invalid UTF-8: venv_json_str() keeps them valid JSON. */
static json_t *json_report(const struct venv_repair_report *r, const char *error, int dry_run)
{
	json_t *o = json_object(), *changes = json_array(), *problems = json_array();
	json_t *again = json_array();
	char code[16];
	size_t i;

	json_object_set_new(o, "path", venv_json_str(r->env_dir ? r->env_dir : ""));
	json_object_set_new(o, "status", json_string(error ? "error" :
						     r->remaining.nprob ? "problems" :
						     !r->done.nr ? "ok" :
						     dry_run ? "would-repair" : "repaired"));
	if (error)
		json_object_set_new(o, "error", venv_json_str(error));
	json_object_set_new(o, "old_location", r->old_location ? venv_json_str(r->old_location) :
			    json_null());
	if (r->recovered)
		json_object_set_new(o, "recovered", venv_json_str(r->recovered));
	if (r->archive)
		json_object_set_new(o, "archive", venv_json_str(r->archive));
	if (r->python) {
		json_object_set_new(o, "python", venv_json_str(r->python));
		json_object_set_new(o, "from_version", r->from_version ?
				    venv_json_str(r->from_version) : json_null());
		json_object_set_new(o, "to_version", venv_json_str(r->to_version ? r->to_version : ""));
	}
	for (i = 0; i < r->done.nr; i++) {
		const struct venv_fix *f = &r->done.fixes[i];
		json_t *c = json_object();

		venv_repair_code_str(code, sizeof(code), f->code);
		json_object_set_new(c, "code", json_string(code));
		json_object_set_new(c, "slug", json_string(slug(f->code)));
		json_object_set_new(c, "action", json_string(action(f)));
		json_object_set_new(c, "path", venv_json_str(f->path));
		json_object_set_new(c, "summary", venv_json_str(f->summary ? f->summary : ""));
		if (f->before)
			json_object_set_new(c, "before", venv_json_str(f->before));
		if (f->after)
			json_object_set_new(c, "after", venv_json_str(f->after));
		json_array_append_new(changes, c);
	}
	for (i = 0; i < r->remaining.nprob; i++) {
		json_t *p = json_object();

		venv_repair_code_str(code, sizeof(code), r->remaining.problems[i].code);
		json_object_set_new(p, "code", json_string(code));
		json_object_set_new(p, "slug", json_string(slug(r->remaining.problems[i].code)));
		json_object_set_new(p, "message", venv_json_str(r->remaining.problems[i].message));
		json_array_append_new(problems, p);
	}
	for (i = 0; i < r->nreinstalled; i++)
		json_array_append_new(again, venv_json_str(r->reinstalled[i]));
	json_object_set_new(o, "changes", changes);
	json_object_set_new(o, "problems", problems);
	/* Problems past the list's caps (as check's "dropped"): counted, not listed. */
	json_object_set_new(o, "dropped", json_integer((json_int_t)r->unlisted));
	json_object_set_new(o, "reinstalled", again);
	if (r->dists) {
		json_t *ds = json_array(), *un = json_array();

		for (i = 0; i < r->ndists; i++) {
			const struct venv_repair_dist *d = &r->dists[i];

			json_array_append_new(ds, json_pack("{s:o, s:o, s:s, s:o, s:o}", "name",
							    venv_json_str(d->name), "version",
							    venv_json_str(d->version), "action",
							    d->action, "source", str_or_null(d->source),
							    "why", str_or_null(d->why)));
		}
		for (i = 0; i < r->nunowned; i++)
			json_array_append_new(un, json_pack("{s:o, s:o}", "from",
							    venv_json_str(r->unowned[i].from), "to",
							    venv_json_str(r->unowned[i].to)));
		json_object_set_new(o, "distributions", ds);
		json_object_set_new(o, "unowned", un);
		un = json_array();
		for (i = 0; i < r->nmarkers; i++)
			json_array_append_new(un, venv_json_str(r->markers[i]));
		json_object_set_new(o, "markers", un);
	}
	return o;
}

/*
 * What became of one environment, for the exit status and the summary of -r,
 * which counts each under one heading. Warnings left are not errors left:
 * exit 0, as `venv check --severity error` would, but not "ok" either. Busy
 * (another command held the lock past VENV_LOCK_TIMEOUT) was not looked at,
 * so it has no problems to count: skipped, exit 1 as venv-repair(1) says.
 */
enum outcome {
	OUTCOME_OK,       /* nothing left at warning severity or above */
	OUTCOME_WARNINGS, /* warnings left, no errors */
	OUTCOME_CHANGES,  /* --dry-run: changes to make, no errors would remain */
	OUTCOME_ERRORS,   /* errors left (or would remain) */
	OUTCOME_BUSY,     /* locked by another command: nothing done */
	OUTCOME_FAILED,   /* refused or failed: nothing changed, or all put back */
	OUTCOME_NR
};

static const int outcome_status[OUTCOME_NR] = {
	[OUTCOME_OK] = VENV_EXIT_OK, [OUTCOME_WARNINGS] = VENV_EXIT_OK,
	[OUTCOME_CHANGES] = VENV_EXIT_FAILURE, [OUTCOME_ERRORS] = VENV_EXIT_FAILURE,
	[OUTCOME_BUSY] = VENV_EXIT_FAILURE, [OUTCOME_FAILED] = VENV_EXIT_ERROR
};

static enum outcome outcome(int error, const struct venv_repair_report *r, int dry_run)
{
	if (error == VENV_EBUSY)
		return OUTCOME_BUSY;
	if (error < 0)
		return OUTCOME_FAILED;
	if (r->errors)
		return OUTCOME_ERRORS;
	/* Exit 1 says "something would change"; what else is left shows in each plan. */
	if (dry_run && (r->done.nr || r->recovered))
		return OUTCOME_CHANGES;
	if (r->remaining.nprob || r->unlisted)
		return OUTCOME_WARNINGS;
	return OUTCOME_OK;
}

/* The environments to repair, in order: the DIRs given, or those found under each ROOT. */
struct dirs {
	char **v;
	size_t nr, alloc;
	int problems; /* a directory under a ROOT could not be searched */
};

static int dirs_add(struct dirs *d, const char *path)
{
	if (d->nr == d->alloc) {
		size_t n = d->alloc ? 2 * d->alloc : 8;
		char **v = realloc(d->v, n * sizeof(*v));

		if (!v)
			return venv_error_set(VENV_ENOMEM, "out of memory");
		d->v = v;
		d->alloc = n;
	}
	if (!(d->v[d->nr] = strdup(path)))
		return venv_error_set(VENV_ENOMEM, "out of memory");
	d->nr++;
	return 0;
}

static int dirs_found(void *payload, const char *path, int dirfd)
{
	/* Repair opens each environment itself, under its lock, as for a DIR given. */
	(void)dirfd;
	return dirs_add(payload, path);
}

static void dirs_problem(void *payload, const char *path, const char *message)
{
	struct dirs *d = payload;

	d->problems = 1;
	venv_cli_warning("'%s': %s", path, message);
}

static void dirs_release(struct dirs *d)
{
	size_t i;

	for (i = 0; i < d->nr; i++)
		free(d->v[i]);
	free(d->v);
}

int cmd_repair(int argc, char **argv)
{
	struct venv_repair_opts o;
	struct repair_cli cli;
	struct vbuf python = VBUF_INIT(VBUF_MAX_PATH);
	const char *python_spec = NULL;
	json_t *out = NULL, *envs = NULL;
	struct vbuf default_dir = VBUF_INIT(VBUF_MAX_PATH);
	char *default_argv[2] = { NULL, NULL };
	struct dirs dirs = { NULL, 0, 0, 0 };
	unsigned counts[OUTCOME_NR] = { 0 };
	size_t k;
	struct venv_cli_parse opts;
	int c, i, recursive = 0, status = VENV_EXIT_OK;

	memset(&o, 0, sizeof(o));
	memset(&cli, 0, sizeof(cli));
	cli.verbosity = 1;
	/* This process ends once the repairs are done: the old files go after it. */
	o.delete_after_exit = 1;
	venv_cli_parse_init(&opts, &venv_repair_doc);
	while ((c = venv_cli_next_option(&opts, argc, argv)) > 0) {
		switch (c) {
		case OPT_UPGRADE: o.upgrade = 1; break;
		case 'p': python_spec = optarg; break;
		case OPT_ARCHIVE:
			o.archive = 1;
			o.archive_file = optarg;
			break;
		case OPT_DRY_RUN: o.dry_run = 1; break;
		case 'r': recursive = 1; break;
		case OPT_FORCE: o.force = 1; break;
		case OPT_FORMAT:
			if (!strcmp(optarg, "json")) {
				cli.json = 1;
			} else if (strcmp(optarg, "text")) {
				status = venv_cli_doc_usage_error(&venv_repair_doc, "--format must be "
								  "'text' or 'json', not '%s'",
								  optarg);
				goto done;
			}
			break;
		case 'y': cli.yes = 1; break;
		case 'q': cli.verbosity = 0; break;
		case 'v': cli.verbosity = 2; break;
		}
	}
	if (c < 0) {
		status = opts.status;
		goto done;
	}
	/* No DIR: the active environment, else ./.venv (as `venv check`, `venv list`). */
	if ((status = venv_cli_env_operands(&venv_repair_doc, recursive, &argc, &argv, &optind,
					    &default_dir, default_argv)) != 0)
		goto done;
	for (i = optind; i < argc; i++) {
		/* -r: every environment `venv check -r` would find, by the same search. */
		int error = recursive ? venv_discover(argv[i], 0, dirs_found, dirs_problem, &dirs)
				      : dirs_add(&dirs, argv[i]);

		if (error < 0) {
			(void)venv_cli_error("cannot search '%s': %s", argv[i], venv_error_last());
			status = VENV_EXIT_ERROR;
			goto done;
		}
	}
	if (recursive && !dirs.nr) {
		venv_cli_note("no environment found under %s", argv[optind]);
		if (dirs.problems)
			status = VENV_EXIT_ERROR;
		goto done;
	}
	if (python_spec && !o.upgrade) {
		status = venv_cli_usage_error("repair", "--python needs --upgrade");
		goto done;
	}
	if (o.archive_file && (!*o.archive_file || dirs.nr > 1)) {
		status = venv_cli_usage_error("repair", *o.archive_file ?
					      "--archive=FILE takes one DIR" :
					      "--archive= needs a file name");
		goto done;
	}
	if (o.archive && o.dry_run) {
		status = venv_cli_usage_error("repair", "--archive writes a file; it cannot go "
					      "with --dry-run");
		goto done;
	}
	if (python_spec) {
		if (venv_python_find(&python, python_spec) < 0) {
			venv_cli_error("%s", venv_error_last());
			status = VENV_EXIT_ERROR;
			goto done;
		}
		o.python = python.buf;
	}
	o.log = repair_log;
	o.payload = &cli;
	venv_progress_init(&cli.progress, o.upgrade && cli.verbosity > 0, 2);
	if (cli.progress.on)
		o.progress = repair_progress;
	if (cli.json) {
		out = json_pack("{s:i, s:b, s:[]}", "version", 1, "dry_run", o.dry_run,
				"environments");
		envs = json_object_get(out, "environments");
	}
	for (k = 0; k < dirs.nr; k++) {
		struct venv_repair_report r;
		int st, error = venv_repair(dirs.v[k], &o, &r);
		char *msg = error < 0 ? strdup(venv_error_last()) : NULL;
		enum outcome got = outcome(error, &r, o.dry_run);

		venv_cli_progress_clear(&cli.progress);

		if (!r.env_dir)
			r.env_dir = strdup(dirs.v[k]);
		st = outcome_status[got];
		counts[got]++;
		if (cli.json) {
			json_array_append_new(envs, json_report(&r, msg, o.dry_run));
		} else {
			if (error < 0) {
				venv_cli_error("%s", msg ? msg : "out of memory");
				if (r.archive) {
					struct vbuf shown = VBUF_INIT(VBUF_MAX_LINE);

					printf("%s: ", venv_cli_shown(&shown, r.env_dir));
					printf("archived to %s\n", venv_cli_shown(&shown, r.archive));
					vbuf_release(&shown);
				}
			} else {
				print_text(&r, o.dry_run, cli.verbosity);
			}
		}
		if (st > status)
			status = st;
		free(msg);
		venv_repair_report_release(&r);
	}
	/* A dry run takes no lock (repair/repair.c): none is busy, none is said to be. */
	if (recursive && !cli.json && cli.verbosity && o.dry_run)
		printf("would repair %zu environment%s: %u ok, %u with changes to make, "
		       "%u with only warnings that would remain, %u with errors that would "
		       "remain, %u failed\n", dirs.nr, dirs.nr == 1 ? "" : "s",
		       counts[OUTCOME_OK], counts[OUTCOME_CHANGES], counts[OUTCOME_WARNINGS],
		       counts[OUTCOME_ERRORS], counts[OUTCOME_FAILED]);
	else if (recursive && !cli.json && cli.verbosity)
		printf("repaired %zu environment%s: %u ok, %u with only warnings left, "
		       "%u with errors left, %u skipped as busy, %u failed\n",
		       dirs.nr, dirs.nr == 1 ? "" : "s", counts[OUTCOME_OK],
		       counts[OUTCOME_WARNINGS], counts[OUTCOME_ERRORS], counts[OUTCOME_BUSY],
		       counts[OUTCOME_FAILED]);
	if (dirs.problems && status < VENV_EXIT_ERROR)
		status = VENV_EXIT_ERROR;
	if (out) {
		char *text = json_dumps(out, JSON_INDENT(2));

		if (text) {
			puts(text);
			free(text);
		}
	}
done:
	json_decref(out);
	vbuf_release(&python);
	vbuf_release(&default_dir);
	dirs_release(&dirs);
	return status;
}
