#ifndef VENV_INSPECT_H
#define VENV_INSPECT_H

#include "diag.h"
#include "model.h"
#include "vbuf.h"

struct venv_dists;

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

/*
 * What a fix needs, beyond the code and the place, as data: repair never
 * parses the display text. Strings are owned by the finding; a field a
 * rule does not fill is NULL (or 0). Which fields each code fills:
 *
 *   VNV401, VNV402  (activation script names another directory)
 *       found = the path the script activates, want = the environment's
 *       absolute path, old_prefix = found, new_prefix = want,
 *       name = the shell ("sh", "fish", "csh", "nu", "pwsh", "xsh")
 *   VNV410, VNV502, VNV504  (script to regenerate)
 *       found = the offending text (410) or the activated path, want = the
 *       environment's absolute path, name = the shell
 *   VNV501  (missing activation script)  name = the shell
 *   VNV403, VNV404, VNV405  (console script's interpreter)
 *       found = the interpreter path in the script, want = the interpreter
 *       it should run (an absolute path in this environment's bin/),
 *       old_prefix = the old environment directory (404, 405), new_prefix =
 *       the environment's absolute path; 403: want only when the
 *       interpreter is a python
 *   VNV406, VNV407, VNV413  (shebang to rewrite)  found = the interpreter
 *   VNV408  (.pth entry names a missing path)
 *       found = the path the entry adds (absolute), want = the same path
 *       under the environment's location when it was under an old one,
 *       old_prefix / new_prefix = that old location and the environment's
 *       location, name = the line as written
 *   VNV414  (editable install's source gone)  found = the path its .pth
 *       names, name = the distribution, old_prefix / new_prefix = the
 *       environment's old location (or, for an in-project .venv, the old
 *       project directory) and where that is now, want = found rebased
 *       from old_prefix to new_prefix, set only when that path exists
 *   VNV409  (world-writable)  mode = the file's mode bits (07777)
 *   VNV104, VNV116  (interpreter link)  found = the link target,
 *       name = the interpreter name
 *   VNV106  (versions)  found = the version the interpreter runs, want =
 *       the version pyvenv.cfg records, name = the interpreter; a mixed
 *       environment (severity warning): name = the entry users run
 *       ("python") that leads to the other version
 *   VNV107  found = the recorded version, want = the base's X.Y.Z
 *   VNV108  found = the base interpreter it was copied from
 *   VNV109, VNV113  (missing alias)  found = the link target to create
 *       (a name in bin/), name = the missing name
 *   VNV115  found = `home` as written, want = the directory to set
 *   VNV111  found = the missing directory (relative), name = the X.Y
 *   VNV501  the severity is error for bin/activate, warning for the others
 *   VNV609  (entry point's module missing)  found = the module, want = the
 *       distribution's version, name = the distribution; relpath = its
 *       entry_points.txt (a seed distribution without scripts: its METADATA,
 *       found = its package)
 * The JSON and SARIF outputs carry these as fixData (inspect/format.c).
 * Codes added later document their fields in venv-diagnostics(7) and here.
 */
struct venv_finding_data {
	char *found;            /* the value as it is now (path, version, target) */
	char *want;             /* the value a fix writes, when check can tell; else NULL */
	char *old_prefix;       /* a moved environment: its old location, else NULL */
	char *new_prefix;       /* with old_prefix: where that part is now */
	char *name;             /* an interpreter, shell, module or distribution name */
	unsigned mode;          /* VNV409: the mode bits */
};

struct venv_finding {
	int code;               /* a venv_diag_code */
	enum venv_severity severity;  /* this finding's severity: the registry's,
				 * unless the rule documented in venv-diagnostics(7)
				 * decides otherwise for this case */
	char *file;             /* the file, for display: the environment path as
				 * given joined with the file's place in it, or an
				 * absolute path outside; NULL for the environment */
	char *relpath;          /* the file's place in the environment ("bin/activate",
				 * "lib/python3.12/site-packages/x.pth"); an absolute
				 * path for a file outside; NULL for the environment */
	unsigned line;          /* 1-based; 0 when there is none */
	char *message;
	/*
	 * What venv repair does here, as text; NULL when it will not fix this
	 * finding. A rule leaves it out where it can tell (without running
	 * anything) that repair's fixer declines: a place no activation
	 * script can carry, a #! line no interpreter of the environment can
	 * replace, a distribution repair does not install. The text, JSON and
	 * SARIF outputs all go by it (venv_finding_fixable()).
	 */
	char *fix;
	struct venv_finding_data data;
};

struct venv_report {
	char *path;             /* as given */
	int failed;             /* could not be inspected: exit status 2 */
	enum venv_creator creator;
	char *version;          /* the Python version pyvenv.cfg records, or NULL */
	struct venv_finding *findings;
	size_t nr, alloc;
	size_t dropped;         /* findings not kept because of the cap */
	int uncapped;           /* keep every finding (VENV_CHECK_ALL_FINDINGS) */
	/*
	 * Of the dropped findings, per code (an array of 1000, or NULL when
	 * none): the files repair fixes that name moved_old, the old location of
	 * the first finding that names one, each file once; the text format's
	 * "venv repair fixes N files" counts them with the kept ones.
	 */
	size_t *dropped_files;
	char *moved_old;
	char *moved_rel;        /* the file of the last finding counted so, kept or not */
};

#define VENV_REPORT_INIT { NULL, 0, VENV_CREATOR_UNKNOWN, NULL, NULL, 0, 0, 0, 0, NULL, NULL, \
			   NULL }

/*
 * At most this many findings per report, and per code for per-file codes,
 * unless the report is uncapped.
 */
#define VENV_REPORT_MAX_FINDINGS 1000
#define VENV_REPORT_MAX_PER_CODE 20

enum venv_check_flags {
	VENV_CHECK_CROSS_DEVICES = 1 << 0, /* walk into other file systems */
	VENV_CHECK_VERIFY_HASHES = 1 << 1, /* sha256 of every RECORD file (sizes: always) */
	/*
	 * The caller holds the environment's repair lock and its threads are
	 * emptying the trash (.venv-repair-deleting) now, which it removes
	 * before the lock is released: the trash is no finding (no interrupted
	 * repair) and the walk does not go into it (its entries come and go).
	 */
	VENV_CHECK_OWN_TRASH = 1 << 2,
	/*
	 * Keep every finding, past the caps above: repair plans a fix for each
	 * one, and a moved environment with 30 console scripts has 30 to fix.
	 */
	VENV_CHECK_ALL_FINDINGS = 1 << 3
};

struct venv_check_options {
	unsigned flags;
	size_t max_entries;     /* entries the walk looks at; 0: the default */
	unsigned max_depth;     /* directory depth of the walk; 0: the default */
	unsigned hash_jobs;     /* threads hashing files (VERIFY_HASHES); 0 or 1: one */
	/*
	 * The codes that will be reported, indexed by number (1000 entries;
	 * NULL: every code): a rule skips the work that could only produce
	 * codes not asked for (venv check --select VNV606 reads no file a
	 * RECORD lists). Findings of other codes may still be added.
	 */
	const unsigned char *selected;
	/*
	 * When not NULL: the distributions the rules read (all of the active
	 * site-packages, VENV_DISTS_ALL | VENV_DISTS_PARTIAL) are handed to
	 * *keep_dists (empty on entry) instead of released, and the absolute
	 * path they were read from to *keep_site, so that a caller who needs
	 * them next (repair --upgrade) does not read every file again. Left
	 * empty and NULL when the rules did not read them.
	 */
	struct venv_dists *keep_dists;
	char **keep_site;
};

#define VENV_CHECK_OPTIONS_INIT { 0, 0, 0, 0, NULL, NULL, NULL }
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

/*
 * As venv_check_env() for the directory handle dirfd (duplicated, not
 * taken), named path for display: `check -r` inspects each environment
 * through the handle discovery opened, never by its path again.
 */
int venv_check_env_at(struct venv_report *out, int dirfd, const char *path,
		      const struct venv_check_options *opts);

/*
 * Check an environment already loaded (common/model.c): repair loads once
 * and plans from these findings. out->path is set from env->disp.
 */
int venv_check_loaded(struct venv_report *out, struct venv_model *env,
		      const struct venv_check_options *opts);

void venv_report_release(struct venv_report *r);

/*
 * Add a finding. file may be NULL, fix may be NULL. Past the caps the
 * finding is counted in r->dropped instead of being kept.
 */
int venv_report_add(struct venv_report *r, int code, const char *file, unsigned line,
		    const char *fix, const char *fmt, ...) VENV_PRINTF(6, 7);

/*
 * Add a copy of f (its strings are copied; f->severity 0 means the
 * registry's). The same caps apply.
 */
int venv_report_add_finding(struct venv_report *r, const struct venv_finding *f);

void venv_finding_data_release(struct venv_finding_data *d);

/*
 * 1 when venv repair fixes the finding: its code is one the registry marks
 * fixable and the rule gave it a fix (struct venv_finding, fix), else 0.
 * The one test every output format asks, so that none offers a fix repair
 * declines.
 */
int venv_finding_fixable(const struct venv_finding *f);


/*
 * Find the environments under root: every directory that holds a
 * pyvenv.cfg, or that looks like an environment without one (bin/ with an
 * interpreter or activate, and lib/). Symbolic links are never followed,
 * other file systems are not entered unless VENV_CHECK_CROSS_DEVICES is
 * set, and an environment's own tree is not searched for more. `found` is
 * called for each, in a stable (sorted) order, with the directory handle
 * the search opened it by (valid during the call only: duplicate it to
 * keep it), so that the environment is inspected as found even if its
 * path is swapped for a link meanwhile; a negative return stops the
 * search and is returned. `problem` (may be NULL) hears about directories
 * that could not be read.
 */
typedef int (*venv_discover_found_fn)(void *payload, const char *path, int dirfd);
typedef void (*venv_discover_problem_fn)(void *payload, const char *path, const char *message);

int venv_discover(const char *root, unsigned flags, venv_discover_found_fn found,
		  venv_discover_problem_fn problem, void *payload);

#endif
