/*
 * venv list: the distributions installed in environments, read without
 * running anything, as text, JSON or a CycloneDX 1.5 SBOM.
 */
#include "compat.h"
#include "cmd.h"
#include "envdir.h"
#include "error.h"
#include "format.h"
#include "inspect.h"
#include "list.h"
#include "optdoc.h"
#include "usage.h"

/* The command line, once (common/optdoc.h): --help, completions, man page tests. */
static const char *const list_synopsis[] = {
	"venv list [-h] [-r] [--format {text,json,cyclonedx}] [DIR...]",
};

static const struct venv_optdoc list_args[] = {
	{ "DIR", NULL, NULL, "An environment (with -r: a tree to search). Without DIR: "
	  "$VIRTUAL_ENV, else .venv in the current directory.", 0 },
};

static const struct venv_optdoc list_opts[] = {
	{ "-h, --help", NULL, NULL, "show this help message and exit", 'h' },
	{ "-r, --recursive", NULL, NULL,
	  "Find the environments under each DIR, as 'venv check -r' does.", 'r' },
	{ "--format", "{text,json,cyclonedx}", "text json cyclonedx",
	  "text (default): a table per environment; json: an object with an array of "
	  "environments; cyclonedx: a CycloneDX 1.5 JSON SBOM, one component per distribution "
	  "with its purl (pkg:pypi/name@version) and the SHA-256 that RECORD gives its "
	  "METADATA.", 'f' },
	{ "-f", "FORMAT", NULL, NULL, 'f' },   /* as check's -f; not shown */
};

const struct venv_cmddoc venv_list_doc = {
	"list", list_synopsis, VENV_ARRAY_SIZE(list_synopsis),
	"Lists the distributions installed in each environment (every "
	"lib/pythonX.Y/site-packages, PyPy's lib/pypyX.Y/site-packages), read from their "
	".dist-info (or .egg-info; for a legacy editable install's .egg-link, the .egg-info "
	"in the directory it names) without running Python: "
	"name, version, installer, editable or not, location and license expression.",
	list_args, VENV_ARRAY_SIZE(list_args), list_opts, VENV_ARRAY_SIZE(list_opts),
	NULL, 0,
	"Exit status: 0 when every environment was read, 2 otherwise (also when a DIR is "
	"not an environment, its pyvenv.cfg cannot be read as a regular file or its lib or a "
	"lib/pythonX.Y (or lib/pypyX.Y) of it is a symbolic link, or a distribution is "
	"left out because its METADATA cannot be read or has no Name or Version, or its "
	"metadata directory is a symbolic link out of the environment: an error names it; "
	"with -r, also when a directory under DIR could not be searched, as a warning says). "
	"See venv-list(1)."
};

/* -r: what was found, and whether some directory could not be searched. */
struct search {
	struct venv_list *list;
	int incomplete;
};

static int found(void *payload, const char *path, int dirfd)
{
	struct search *s = payload;

	return venv_list_add(s->list, path, dirfd);
}

/*
 * Worded as check -r and repair -r say it; a directory not searched may hide
 * environments, so the list is incomplete: exit 2, as theirs.
 */
static void problem(void *payload, const char *path, const char *message)
{
	struct search *s = payload;

	s->incomplete = 1;
	venv_cli_warning("'%s': %s", path, message);
}

/* Say which distribution is not listed, and why (names are escaped: they come from the environment). */
static void list_skipped(const struct venv_list_env *e, size_t k)
{
	struct vbuf where = VBUF_INIT(VBUF_MAX_PATH), why = VBUF_INIT(VBUF_MAX_LINE);
	const struct venv_dist *d = &e->dists.v[k];

	if (venv_text_escape(&where, e->path) < 0 || vbuf_addf(&where, "/%s/", e->sites[k]) < 0 ||
	    venv_text_escape(&where, d->dir) < 0 || venv_text_escape(&why, d->metadata_error) < 0)
		venv_cli_error("out of memory");
	else
		venv_cli_error("cannot list '%s': %s", where.buf, why.buf);
	vbuf_release(&where);
	vbuf_release(&why);
}

/* Say which metadata directory, a link out of the environment, is not listed (escaped). */
static void list_outside(const struct venv_list_env *e, const char *rel)
{
	struct vbuf where = VBUF_INIT(VBUF_MAX_PATH);

	if (venv_text_escape(&where, e->path) < 0 || vbuf_addch(&where, '/') < 0 ||
	    venv_text_escape(&where, rel) < 0)
		venv_cli_error("out of memory");
	else
		venv_cli_error("cannot list '%s': a symbolic link out of the environment; not "
			       "followed, the distribution it stands for not listed", where.buf);
	vbuf_release(&where);
}

int cmd_list(int argc, char **argv)
{
	struct venv_list l = { NULL, 0 };
	struct search search = { &l, 0 };
	struct vbuf out = VBUF_INIT(VBUF_MAX_REPORT);
	struct vbuf default_dir = VBUF_INIT(VBUF_MAX_PATH);
	char *default_argv[2] = { NULL, NULL };
	enum venv_list_format fmt = VENV_LIST_TEXT;
	struct venv_cli_parse opts;
	int c, recursive = 0, status = VENV_EXIT_OK;
	size_t i;

	venv_cli_parse_init(&opts, &venv_list_doc);
	while ((c = venv_cli_next_option(&opts, argc, argv)) > 0) {
		switch (c) {
		case 'r':
			recursive = 1;
			break;
		case 'f':
			if (!strcmp(optarg, "text"))
				fmt = VENV_LIST_TEXT;
			else if (!strcmp(optarg, "json"))
				fmt = VENV_LIST_JSON;
			else if (!strcmp(optarg, "cyclonedx"))
				fmt = VENV_LIST_CYCLONEDX;
			else {
				status = venv_cli_doc_usage_error(&venv_list_doc, "argument --format: "
								  "invalid choice: '%s' (choose "
								  "from 'text', 'json', "
								  "'cyclonedx')", optarg);
				goto done;
			}
			break;
		}
	}
	if (c < 0) {
		status = opts.status;
		goto done;
	}
	/* No DIR: the active environment, else ./.venv (as `venv check`, `venv repair`). */
	if ((status = venv_cli_env_operands(&venv_list_doc, recursive, &argc, &argv, &optind,
					    &default_dir, default_argv)) != 0)
		goto done;
	for (; optind < argc; optind++) {
		int error = recursive ? venv_discover(argv[optind], 0, found, problem, &search) :
			    venv_list_add(&l, argv[optind], -1);

		if (error < 0) {
			venv_cli_error("%s", venv_error_last());
			status = VENV_EXIT_ERROR;
			goto done;
		}
	}
	for (i = 0; i < l.nr; i++) {
		const struct venv_list_env *e = &l.envs[i];
		size_t k;

		if (e->error) {
			venv_cli_error("%s", e->error);
			status = VENV_EXIT_ERROR;
		}
		/*
		 * Not listed, never silently: an SBOM without a distribution that
		 * is there (its METADATA over the cap, a FIFO, without a Name) is
		 * not a list of what the environment holds.
		 */
		for (k = 0; k < e->dists.nr; k++)
			if (e->dists.v[k].metadata_error) {
				list_skipped(e, k);
				status = VENV_EXIT_ERROR;
			}
		/*
		 * Nor one whose metadata directory is a link out of the
		 * environment: Python and pip follow it, list does not (as
		 * check's VNV007), so an attacker could hide a distribution
		 * from the SBOM that way.
		 */
		for (k = 0; k < e->noutside; k++) {
			list_outside(e, e->outside[k]);
			status = VENV_EXIT_ERROR;
		}
	}
	if (search.incomplete)
		status = VENV_EXIT_ERROR;
	if (venv_list_render(&out, &l, fmt) < 0) {
		venv_cli_error("%s", venv_error_last());
		status = VENV_EXIT_ERROR;
		goto done;
	}
	fwrite(out.buf, 1, out.len, stdout);
done:
	venv_list_release(&l);
	vbuf_release(&out);
	vbuf_release(&default_dir);
	return status;
}
