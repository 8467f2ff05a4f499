/*
 * venv list: the distributions installed in environments, read without
 * running anything, as text, JSON or a CycloneDX 1.5 SBOM.
 */
#include "compat.h"
#include <getopt.h>
#include "cmd.h"
#include "envdir.h"
#include "error.h"
#include "inspect.h"
#include "list.h"
#include "usage.h"

static const char list_usage[] =
	"usage: venv list [-h] [-r] [--format {text,json,cyclonedx}] [DIR...]\n";

/* The options, once: --help prints them and man/venv-list.1 copies them. */
static const struct {
	const char *names, *arg, *help;
} optdocs[] = {
	{ "-h, --help", NULL, "show this help message and exit" },
	{ "-r, --recursive", NULL, "Find the environments under each DIR, as 'venv check -r' does." },
	{ "--format", "FORMAT", "text (default): a table per environment; json: an object "
	  "with an array of environments; cyclonedx: a CycloneDX 1.5 JSON SBOM, one "
	  "component per distribution with its purl (pkg:pypi/name@version) and the "
	  "SHA-256 that RECORD gives its METADATA." },
};

static const struct option long_options[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "recursive", no_argument, NULL, 'r' },
	{ "format", required_argument, NULL, 'f' },
	{ NULL, 0, NULL, 0 }
};

static void print_help(void)
{
	size_t i;

	fputs(list_usage, stdout);
	fputs("\nLists the distributions installed in each environment (every\n"
	      "lib/pythonX.Y/site-packages), read from their .dist-info without running\n"
	      "Python: name, version, installer, editable or not, location and license\n"
	      "expression.\n\npositional arguments:\n"
	      "  DIR                   An environment (with -r: a tree to search). Without\n"
	      "                        DIR: $VIRTUAL_ENV, else .venv in the current directory.\n"
	      "\noptions:\n",
	      stdout);
	for (i = 0; i < VENV_ARRAY_SIZE(optdocs); i++)
		printf("  %s%s%s\n        %s\n", optdocs[i].names, optdocs[i].arg ? " " : "",
		       optdocs[i].arg ? optdocs[i].arg : "", optdocs[i].help);
	fputs("\nExit status: 0 when every environment was read, 2 otherwise.\n", stdout);
}

static int found(void *payload, const char *path, int dirfd)
{
	return venv_list_add(payload, path, dirfd);
}

static void problem(void *payload, const char *path, const char *message)
{
	(void)payload;
	venv_cli_warning("cannot search '%s': %s", path, message);
}

int cmd_list(int argc, char **argv)
{
	struct venv_list l = { NULL, 0 };
	struct vbuf out = VBUF_INIT(VBUF_MAX_REPORT);
	struct vbuf default_dir = VBUF_INIT(VBUF_MAX_PATH);
	char *default_argv[2] = { NULL, NULL };
	enum venv_list_format fmt = VENV_LIST_TEXT;
	int c, recursive = 0, status = VENV_EXIT_OK;
	size_t i;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hrf:", long_options, NULL)) != -1) {
		switch (c) {
		case 'h':
			print_help();
			goto done;
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
				fputs(list_usage, stderr);
				status = venv_cli_usage_error("list", "argument --format: invalid choice: "
							      "'%s' (choose from 'text', 'json', "
							      "'cyclonedx')", optarg);
				goto done;
			}
			break;
		default:
			fputs(list_usage, stderr);
			status = venv_cli_usage_error("list", c == ':' ? "option '%s' needs an argument" :
						      "unrecognized option '%s'", argv[optind - 1]);
			goto done;
		}
	}
	if (optind >= argc && recursive) {
		fputs(list_usage, stderr);
		status = venv_cli_usage_error("list", "-r needs a ROOT to search");
		goto done;
	}
	if (optind >= argc) {
		/* No DIR: the active environment, else ./.venv (as `venv check`, `venv repair`). */
		if (venv_default_env_dir(&default_dir) < 0) {
			fputs(list_usage, stderr);
			status = venv_cli_usage_error("list", "%s", venv_error_last());
			goto done;
		}
		default_argv[0] = default_dir.buf;
		argv = default_argv;
		argc = 1;
		optind = 0;
	}
	for (; optind < argc; optind++) {
		int error = recursive ? venv_discover(argv[optind], 0, found, problem, &l) :
			    venv_list_add(&l, argv[optind], -1);

		if (error < 0) {
			venv_cli_error("%s", venv_error_last());
			status = VENV_EXIT_ERROR;
			goto done;
		}
	}
	for (i = 0; i < l.nr; i++)
		if (l.envs[i].error) {
			venv_cli_error("%s", l.envs[i].error);
			status = VENV_EXIT_ERROR;
		}
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
