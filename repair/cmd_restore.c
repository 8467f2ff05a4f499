/*
 * venv restore: put an environment archived by `venv repair --archive`
 * back, through a staging directory that is swapped into place.
 */
#include "compat.h"
#include "cmd.h"
#include "optdoc.h"
#include "usage.h"
#include "lock.h"
#include "repair.h"

/* The command line, once (common/optdoc.h): --help, completions, man page tests. */
static const char *const restore_synopsis[] = {
	"venv restore [-h] [-y] [--as-is] [-q] ARCHIVE [DIR]",
};

/* What the parser returns for the long options without a letter. */
enum { OPT_AS_IS = 256 };

static const struct venv_optdoc restore_args[] = {
	{ "ARCHIVE", NULL, NULL, "The archive (.tar.zst or .tar.gz).", 0 },
	{ "DIR", NULL, NULL, "Where to restore it (default: where it was archived from, for an "
	  "archive in venv's archive directory; required for any other).", 0 },
};

static const struct venv_optdoc restore_opts[] = {
	{ "-h, --help", NULL, NULL, "show this help message and exit", 'h' },
	{ "-y, --yes", NULL, NULL, "Replace an existing environment at DIR.", 'y' },
	{ "--as-is", NULL, NULL,
	  "Restore elsewhere without relocating: the paths inside stay as they were "
	  "archived.", OPT_AS_IS },
	{ "-q, --quiet", NULL, NULL, "Print nothing but errors.", 'q' },
};

const struct venv_cmddoc venv_restore_doc = {
	"restore", restore_synopsis, VENV_ARRAY_SIZE(restore_synopsis),
	"Restores an environment from an archive written by 'venv repair --archive'. The "
	"archive is checked member by member and extracted into a fresh staging directory "
	"beside DIR, every file checked against the SHA-256 digests the archive ends with; "
	"the staging directory then replaces DIR in one rename. Restored elsewhere than it was "
	"archived from, it is relocated as 'venv repair' would relocate a moved environment, "
	"unless --as-is.",
	restore_args, VENV_ARRAY_SIZE(restore_args), restore_opts, VENV_ARRAY_SIZE(restore_opts),
	NULL, 0,
	"Exit status: 0 when restored, 1 when another venv command held DIR's lock for longer "
	"than VENV_LOCK_TIMEOUT seconds, 2 on error. See venv-restore(1)."
};

static void restore_waiting(void *payload, const char *msg)
{
	(void)payload;
	venv_cli_warning("%s", msg);
}

int cmd_restore(int argc, char **argv)
{
	struct vbuf where = VBUF_INIT(VBUF_MAX_PATH), from = VBUF_INIT(VBUF_MAX_PATH);
	struct vbuf where_shown = VBUF_INIT(VBUF_MAX_LINE), from_shown = VBUF_INIT(VBUF_MAX_LINE);
	unsigned flags = 0;
	struct venv_cli_parse opts;
	int c, quiet = 0, status = VENV_EXIT_OK, error;

	venv_cli_parse_init(&opts, &venv_restore_doc);
	while ((c = venv_cli_next_option(&opts, argc, argv)) > 0) {
		switch (c) {
		case 'y': flags |= VENV_RESTORE_REPLACE; break;
		case OPT_AS_IS: flags |= VENV_RESTORE_AS_IS; break;
		case 'q': quiet = 1; break;
		}
	}
	if (c < 0) {
		status = opts.status;
		goto done;
	}
	if (optind >= argc || argc - optind > 2) {
		status = venv_cli_doc_usage_error(&venv_restore_doc, "%s", optind >= argc ?
						  "the following arguments are required: ARCHIVE" :
						  "too many arguments");
		goto done;
	}
	/* Say what a restore waits for, as create and repair do (issue 14, point 2). */
	if (!quiet)
		venv_lock_set_waiting(restore_waiting, NULL);
	error = venv_restore_env(&where, argv[optind], optind + 1 < argc ? argv[optind + 1] : NULL,
				 flags, &from);
	if (error < 0) {
		venv_cli_error("%s", venv_error_last());
		/* Busy: another command is changing it, and nothing was done. */
		status = error == VENV_EBUSY ? VENV_EXIT_FAILURE : VENV_EXIT_ERROR;
		goto done;
	}
	if (quiet)
		goto done;
	/* Escaped: where it was archived from is what the archive says. */
	venv_cli_shown(&where_shown, where.buf);
	venv_cli_shown(&from_shown, from.buf);
	if (!from.len)
		printf("restored %s\n", where_shown.buf);
	else if (flags & VENV_RESTORE_AS_IS)
		printf("restored %s as archived from %s, not relocated "
		       "(run 'venv repair %s' to relocate it)\n", where_shown.buf, from_shown.buf,
		       where_shown.buf);
	else
		printf("restored %s (archived from %s) and relocated it there\n", where_shown.buf,
		       from_shown.buf);
done:
	vbuf_release(&where_shown);
	vbuf_release(&from_shown);
	vbuf_release(&where);
	vbuf_release(&from);
	return status;
}
