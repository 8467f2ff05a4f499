/*
 * venv create: a drop-in for `python -m venv`, plus -p/--python.
 */
#include "compat.h"
#include <getopt.h>
#include "cmd.h"
#include "optdoc.h"
#include "usage.h"
#include "venv.h"

/*
 * The command line, once (common/optdoc.h): --help, the completions and the
 * tests of man/venv-create.1 read it. The wording is `python -m venv`'s
 * where the option is CPython's, so that --help stays a drop-in.
 */
static const char *const create_synopsis[] = {
	"venv create [-h] [--system-site-packages] [--symlinks | --copies] [--clear] "
	"[--upgrade] [--without-pip] [--prompt PROMPT] [--upgrade-deps] "
	"[--without-scm-ignore-files] [-p PYTHON] [--force] "
	"[--link-mode {copy,hardlink,auto}] [-q] [-v] ENV_DIR [ENV_DIR ...]",
};

static const struct venv_optdoc create_args[] = {
	{ "ENV_DIR", NULL, NULL, "A directory to create the environment in." },
};

static const struct venv_optdoc create_opts[] = {
	{ "-h, --help", NULL, NULL, "show this help message and exit" },
	{ "-p, --python", "PYTHON", NULL,
	  "The base interpreter: a path, a command name on PATH, a version (3, 3.12, 3.12.1, "
	  "cpython@3.12, py312) or a range (>=3.11,<3.13): the newest match on PATH or in "
	  "pyenv's versions. Default: ./.python-version, else python3 on PATH." },
	{ "--system-site-packages", NULL, NULL,
	  "Give the virtual environment access to the system site-packages dir." },
	{ "--symlinks", NULL, NULL,
	  "Try to use symlinks rather than copies, when symlinks are not the default for the "
	  "platform." },
	{ "--copies", NULL, NULL,
	  "Try to use copies rather than symlinks, even when symlinks are the default for the "
	  "platform." },
	{ "--clear", NULL, NULL,
	  "Delete the contents of the environment directory if it already exists, before "
	  "environment creation." },
	{ "--force", NULL, NULL,
	  "With --clear, also clear a directory that is not a virtual environment." },
	{ "--upgrade", NULL, NULL,
	  "Upgrade the environment directory to use this version of Python, assuming Python "
	  "has been upgraded in-place." },
	{ "--without-pip", NULL, NULL,
	  "Skips installing or upgrading pip in the virtual environment (pip is bootstrapped "
	  "by default)" },
	{ "--prompt", "PROMPT", "",
	  "Provides an alternative prompt prefix for this environment ('.' means the current "
	  "directory's name)." },
	{ "--upgrade-deps", NULL, NULL,
	  "Upgrade core dependencies (pip, and setuptools before 3.12) to the latest version "
	  "in PyPI" },
	{ "--without-scm-ignore-files", NULL, NULL,
	  "Skips adding SCM ignore files to the environment directory (Git is supported by "
	  "default)." },
	{ "--link-mode", "{copy,hardlink,auto}", "copy hardlink auto",
	  "How pip's files come from the wheel cache: copy (default; a reflink where the file "
	  "system can), hardlink (faster, but an in-place edit shows in every environment), "
	  "or auto (reflink, else hardlink). Default: $VENV_LINK_MODE, else copy." },
	{ "-q, --quiet", NULL, NULL, "Print nothing but errors." },
	{ "-v, --verbose", NULL, NULL, "Say what is being done." },
};

const struct venv_cmddoc venv_create_doc = {
	"create", create_synopsis, VENV_ARRAY_SIZE(create_synopsis),
	"Creates virtual Python environments in one or more target directories.",
	create_args, VENV_ARRAY_SIZE(create_args), create_opts, VENV_ARRAY_SIZE(create_opts),
	NULL, 0,
	"Once an environment has been created, you may wish to activate it, e.g. by sourcing "
	"an activate script in its bin directory."
};

enum {
	OPT_SYSTEM_SITE = 256, OPT_SYMLINKS, OPT_COPIES, OPT_CLEAR, OPT_UPGRADE,
	OPT_WITHOUT_PIP, OPT_PROMPT, OPT_UPGRADE_DEPS, OPT_WITHOUT_SCM, OPT_FORCE,
	OPT_LINK_MODE
};

static const struct option long_options[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "python", required_argument, NULL, 'p' },
	{ "system-site-packages", no_argument, NULL, OPT_SYSTEM_SITE },
	{ "symlinks", no_argument, NULL, OPT_SYMLINKS },
	{ "copies", no_argument, NULL, OPT_COPIES },
	{ "clear", no_argument, NULL, OPT_CLEAR },
	{ "upgrade", no_argument, NULL, OPT_UPGRADE },
	{ "without-pip", no_argument, NULL, OPT_WITHOUT_PIP },
	{ "prompt", required_argument, NULL, OPT_PROMPT },
	{ "upgrade-deps", no_argument, NULL, OPT_UPGRADE_DEPS },
	{ "without-scm-ignore-files", no_argument, NULL, OPT_WITHOUT_SCM },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "link-mode", required_argument, NULL, OPT_LINK_MODE },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

struct create_log {
	int verbosity; /* 0 quiet, 1 normal, 2 verbose */
};

static void create_log(void *payload, enum venv_log_level level, const char *msg)
{
	struct create_log *l = payload;

	int wanted = level == VENV_LOG_DEBUG ? 2 : 1;

	if (l->verbosity < wanted)
		return;
	if (level == VENV_LOG_WARNING)
		venv_cli_warning("%s", msg);
	else
		venv_cli_note("%s", msg);
}

int cmd_create(int argc, char **argv)
{
	struct venv_builder b;
	struct vbuf python = VBUF_INIT(VBUF_MAX_PATH), why = VBUF_INIT(VBUF_MAX_LINE);
	struct create_log log = { 1 };
	int symlinks_set = 0, copies_set = 0, c, i, status = VENV_EXIT_OK;

	venv_builder_init(&b);
	/* The command line's defaults, which differ from the API's (as in CPython). */
	b.symlinks = 1;
	b.with_pip = 1;
	b.scm_ignore_files = 1;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hp:qv", long_options, NULL)) != -1) {
		switch (c) {
		case 'h':
			venv_cli_print_help(stdout, &venv_create_doc);
			goto done;
		case 'V':
			printf("venv %s\n", VENV_VERSION_STRING);
			goto done;
		case 'p':
			b.python = optarg;
			break;
		case OPT_SYSTEM_SITE: b.system_site_packages = 1; break;
		case OPT_SYMLINKS: symlinks_set = 1; b.symlinks = 1; break;
		case OPT_COPIES: copies_set = 1; b.symlinks = 0; break;
		case OPT_CLEAR: b.clear = 1; break;
		case OPT_UPGRADE: b.upgrade = 1; break;
		case OPT_WITHOUT_PIP: b.with_pip = 0; break;
		case OPT_PROMPT: b.prompt = optarg; break;
		case OPT_UPGRADE_DEPS: b.upgrade_deps = 1; break;
		case OPT_WITHOUT_SCM: b.scm_ignore_files = 0; break;
		case OPT_FORCE: b.force = 1; break;
		case OPT_LINK_MODE:
			if (venv_link_mode_parse(optarg, &b.link_mode) < 0 || !*optarg) {
				venv_cli_print_usage(stderr, &venv_create_doc);
				status = venv_cli_usage_error("create", "argument --link-mode: "
							      "invalid choice: '%s' (choose from "
							      "'copy', 'hardlink', 'auto')",
							      optarg);
				goto done;
			}
			break;
		case 'q': log.verbosity = 0; break;
		case 'v': log.verbosity = 2; break;
		case ':':
			venv_cli_print_usage(stderr, &venv_create_doc);
			status = venv_cli_usage_error("create", "option '%s' needs an argument",
						      argv[optind - 1]);
			goto done;
		default:
			venv_cli_print_usage(stderr, &venv_create_doc);
			status = venv_cli_unknown_option("create", argv[optind - 1], long_options);
			goto done;
		}
	}
	if (symlinks_set && copies_set) {
		venv_cli_print_usage(stderr, &venv_create_doc);
		status = venv_cli_usage_error("create", "argument --copies: not allowed with "
					      "argument --symlinks");
		goto done;
	}
	if (optind >= argc) {
		venv_cli_print_usage(stderr, &venv_create_doc);
		status = venv_cli_usage_error("create", "the following arguments are required: "
					      "ENV_DIR");
		goto done;
	}
	if (b.upgrade && b.clear) {
		status = venv_cli_error("you cannot supply --upgrade and --clear together");
		goto done;
	}
	/* A bad VENV_LINK_MODE is refused before anything is written, like a bad option. */
	if (b.link_mode == VENV_LINK_DEFAULT &&
	    venv_link_mode_parse(getenv("VENV_LINK_MODE"), &b.link_mode) < 0) {
		venv_cli_error("VENV_LINK_MODE: %s", venv_error_last());
		status = VENV_EXIT_ERROR;
		goto done;
	}
	b.log = create_log;
	b.payload = &log;
	/*
	 * -p VERSION is the newest match; no -p is .python-version, else the
	 * python3 on PATH, as `python3 -m venv` (README, "Choosing the interpreter").
	 */
	if (venv_python_find_why(&python, &why, b.python) < 0) {
		status = venv_cli_error("%s", venv_error_last());
		goto done;
	}
	if (log.verbosity >= 2 && why.len)
		venv_cli_note("%s", why.buf);
	b.python = python.buf;
	/* Check every directory before touching any, so bad input writes nothing. */
	for (i = optind; i < argc; i++) {
		if (venv_builder_check_path(&b, argv[i]) < 0) {
			status = venv_cli_error("%s", venv_error_last());
			goto done;
		}
	}
	for (i = optind; i < argc; i++) {
		if (venv_builder_create(&b, argv[i]) < 0) {
			/* Like CPython, the first failure stops the rest. */
			status = venv_cli_error("%s", venv_error_last());
			goto done;
		}
	}
done:
	venv_builder_release(&b);
	vbuf_release(&python);
	vbuf_release(&why);
	return status;
}
