/*
 * venv create: a drop-in for `python -m venv`, plus -p/--python.
 */
#include "compat.h"
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

/* What the parser returns for the long options without a letter. */
enum {
	OPT_SYSTEM_SITE = 256, OPT_SYMLINKS, OPT_COPIES, OPT_CLEAR, OPT_UPGRADE,
	OPT_WITHOUT_PIP, OPT_PROMPT, OPT_UPGRADE_DEPS, OPT_WITHOUT_SCM, OPT_FORCE,
	OPT_LINK_MODE
};

static const struct venv_optdoc create_args[] = {
	{ "ENV_DIR", NULL, NULL, "A directory to create the environment in.", 0 },
};

static const struct venv_optdoc create_opts[] = {
	{ "-h, --help", NULL, NULL, "show this help message and exit", 'h' },
	{ "-p, --python", "PYTHON", NULL,
	  "The base interpreter: a path, a command name on PATH, a version (3, 3.12, 3.12.1, "
	  "cpython@3.12, py312; for a PyPy pypy3, pypy3.9, pypy@3.9, pp39) or a range "
	  "(>=3.11,<3.13): the newest match on PATH or in pyenv's versions. Default: "
	  "./.python-version, else python3 on PATH.", 'p' },
	{ "--system-site-packages", NULL, NULL,
	  "Give the virtual environment access to the system site-packages dir.",
	  OPT_SYSTEM_SITE },
	{ "--symlinks", NULL, NULL,
	  "Try to use symlinks rather than copies, when symlinks are not the default for the "
	  "platform.", OPT_SYMLINKS },
	{ "--copies", NULL, NULL,
	  "Try to use copies rather than symlinks, even when symlinks are the default for the "
	  "platform.", OPT_COPIES },
	{ "--clear", NULL, NULL,
	  "Delete the contents of the environment directory if it already exists, before "
	  "environment creation.", OPT_CLEAR },
	{ "--force", NULL, NULL,
	  "With --clear, also clear a directory that is not a virtual environment.",
	  OPT_FORCE },
	{ "--upgrade", NULL, NULL,
	  "Upgrade the environment directory to use this version of Python, assuming Python "
	  "has been upgraded in-place.", OPT_UPGRADE },
	{ "--without-pip", NULL, NULL,
	  "Skips installing or upgrading pip in the virtual environment (pip is bootstrapped "
	  "by default)", OPT_WITHOUT_PIP },
	{ "--prompt", "PROMPT", "",
	  "Provides an alternative prompt prefix for this environment ('.' means the current "
	  "directory's name).", OPT_PROMPT },
	{ "--upgrade-deps", NULL, NULL,
	  "Upgrade core dependencies (pip, and setuptools before 3.12) to the latest version "
	  "in PyPI", OPT_UPGRADE_DEPS },
	{ "--without-scm-ignore-files", NULL, NULL,
	  "Skips adding SCM ignore files to the environment directory (Git is supported by "
	  "default).", OPT_WITHOUT_SCM },
	{ "--link-mode", "{copy,hardlink,auto}", "copy hardlink auto",
	  "How pip's files come from the wheel cache: copy (default; a reflink where the file "
	  "system can), hardlink (faster, but an in-place edit shows in every environment), "
	  "or auto (reflink, else hardlink). Default: $VENV_LINK_MODE, else copy.",
	  OPT_LINK_MODE },
	{ "-q, --quiet", NULL, NULL, "Print nothing but errors.", 'q' },
	{ "-v, --verbose", NULL, NULL, "Say what is being done.", 'v' },
	{ "--version", NULL, NULL, NULL, 'V' },   /* as `venv --version`; not shown */
};

const struct venv_cmddoc venv_create_doc = {
	"create", create_synopsis, VENV_ARRAY_SIZE(create_synopsis),
	"Creates virtual Python environments in one or more target directories.",
	create_args, VENV_ARRAY_SIZE(create_args), create_opts, VENV_ARRAY_SIZE(create_opts),
	NULL, 0,
	"Once an environment has been created, you may wish to activate it, e.g. by sourcing "
	"an activate script in its bin directory."
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
	struct venv_cli_parse opts;
	int symlinks_set = 0, copies_set = 0, c, i, status = VENV_EXIT_OK;

	venv_builder_init(&b);
	/* The command line's defaults, which differ from the API's (as in CPython). */
	b.symlinks = 1;
	b.with_pip = 1;
	b.scm_ignore_files = 1;
	venv_cli_parse_init(&opts, &venv_create_doc);
	while ((c = venv_cli_next_option(&opts, argc, argv)) > 0) {
		switch (c) {
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
				status = venv_cli_doc_usage_error(&venv_create_doc, "argument "
								  "--link-mode: invalid choice: "
								  "'%s' (choose from 'copy', "
								  "'hardlink', 'auto')", optarg);
				goto done;
			}
			break;
		case 'q': log.verbosity = 0; break;
		case 'v': log.verbosity = 2; break;
		}
	}
	if (c < 0) {
		status = opts.status;
		goto done;
	}
	if (symlinks_set && copies_set) {
		status = venv_cli_doc_usage_error(&venv_create_doc, "argument --copies: not allowed "
						  "with argument --symlinks");
		goto done;
	}
	if (optind >= argc) {
		status = venv_cli_doc_usage_error(&venv_create_doc, "the following arguments are "
						  "required: ENV_DIR");
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
