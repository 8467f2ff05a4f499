#ifndef VENV_INSPECT_H
#define VENV_INSPECT_H

#include "diag.h"
#include "vbuf.h"

/*
 * Static inspection of virtual environments: `venv check` as a library.
 *
 * venv_check_env() looks at one environment and fills a report with
 * findings, each naming a diagnostic of the registry (common/diag.h). It
 * never executes anything, reads files inside the environment only
 * through O_NOFOLLOW|O_NONBLOCK opens of regular files (checked with
 * fstat), caps every read, does not descend into other file systems
 * unless asked, and only looks outside the environment at what the
 * environment names: the base installation (`home`, interpreter links),
 * shebang interpreters and .pth entries, which it mostly just stats.
 * It is safe to call from several threads at once.
 */

struct venv_finding {
	int code;               /* a venv_diag_code */
	char *file;             /* the file, for display: the environment path as
				 * given joined with the file's place in it, or an
				 * absolute path outside; NULL for the environment */
	unsigned line;          /* 1-based; 0 when there is none */
	char *message;
	char *fix;              /* what venv repair would do here, or NULL */
};

enum venv_creator {
	VENV_CREATOR_UNKNOWN = 0,
	VENV_CREATOR_CPYTHON,     /* python -m venv (or indistinguishable from it) */
	VENV_CREATOR_VIRTUALENV,
	VENV_CREATOR_UV,
	VENV_CREATOR_VENV         /* venv create (this project) */
};

struct venv_report {
	char *path;             /* as given */
	int failed;             /* could not be inspected: exit status 2 */
	enum venv_creator creator;
	char *version;          /* the Python version pyvenv.cfg records, or NULL */
	struct venv_finding *findings;
	size_t nr, alloc;
	size_t dropped;         /* findings not kept because of the cap */
};

#define VENV_REPORT_INIT { NULL, 0, VENV_CREATOR_UNKNOWN, NULL, NULL, 0, 0, 0 }

/* At most this many findings per report, and per code for per-file codes. */
#define VENV_REPORT_MAX_FINDINGS 1000
#define VENV_REPORT_MAX_PER_CODE 20

enum venv_check_flags {
	VENV_CHECK_CROSS_DEVICES = 1 << 0  /* walk into other file systems */
};

struct venv_check_options {
	unsigned flags;
	size_t max_entries;     /* entries the walk looks at; 0: the default */
	unsigned max_depth;     /* directory depth of the walk; 0: the default */
};

#define VENV_CHECK_OPTIONS_INIT { 0, 0, 0 }
#define VENV_CHECK_DEFAULT_MAX_ENTRIES ((size_t)2000000)
#define VENV_CHECK_DEFAULT_MAX_DEPTH 48u

/*
 * Inspect the environment at `path`. A problem with the environment is a
 * finding, not an error: the return value is negative only when check
 * itself failed (out of memory), with venv_error_last() set. A path that
 * cannot be inspected at all gets a VENV_DIAG_CANNOT_INSPECT finding and
 * out->failed set.
 */
int venv_check_env(struct venv_report *out, const char *path,
		   const struct venv_check_options *opts);

void venv_report_release(struct venv_report *r);

/*
 * Add a finding. file may be NULL, fix may be NULL. Past the caps the
 * finding is counted in r->dropped instead of being kept.
 */
int venv_report_add(struct venv_report *r, int code, const char *file, unsigned line,
		    const char *fix, const char *fmt, ...) VENV_PRINTF(6, 7);

/* "cpython", "virtualenv", "uv", "venv", "unknown". */
const char *venv_creator_name(enum venv_creator creator);

/*
 * Find the environments under root: every directory that holds a
 * pyvenv.cfg, or that looks like an environment without one (bin/ with an
 * interpreter or activate, and lib/). Symbolic links are never followed,
 * other file systems are not entered unless VENV_CHECK_CROSS_DEVICES is
 * set, and an environment's own tree is not searched for more. `found` is
 * called for each, in a stable (sorted) order; a negative return stops
 * the search and is returned. `problem` (may be NULL) hears about
 * directories that could not be read.
 */
typedef int (*venv_discover_found_fn)(void *payload, const char *path);
typedef void (*venv_discover_problem_fn)(void *payload, const char *path, const char *message);

int venv_discover(const char *root, unsigned flags, venv_discover_found_fn found,
		  venv_discover_problem_fn problem, void *payload);

#endif
