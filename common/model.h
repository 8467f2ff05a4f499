#ifndef VENV_MODEL_H
#define VENV_MODEL_H

#include <sys/stat.h>
#include <stdint.h>
#include "actscan.h"
#include "cfg.h"
#include "cfgcheck.h"
#include "elf.h"
#include "vbuf.h"

/*
 * One environment, loaded once: what `venv check`'s rules judge and what
 * `venv repair` fixes. venv_model_load_at() fills it from a directory handle
 * (never reopening the environment by name, so that what is inspected is
 * the directory the caller holds, even if its path is swapped for a link
 * meanwhile), reading only inside it through O_NOFOLLOW|O_NONBLOCK opens
 * of regular files, every read capped. Outside the environment it only
 * stats and reads what the environment names: interpreter link targets
 * (and the ELF header of the interpreter that runs).
 *
 * The loader judges nothing, with one exception: what it could not read
 * is kept as a list of problems (each with a diagnostic code of
 * common/diag.h), which check turns into findings.
 */

enum venv_creator {
	VENV_CREATOR_UNKNOWN = 0,
	VENV_CREATOR_CPYTHON,     /* python -m venv (or indistinguishable from it) */
	VENV_CREATOR_VIRTUALENV,
	VENV_CREATOR_UV,
	VENV_CREATOR_VENV         /* venv create (this project) */
};

/* "cpython", "virtualenv", "uv", "venv", "unknown". */
const char *venv_creator_name(enum venv_creator creator);

/* The marker venv create writes first and removes last (create/builder.c). */
#define VENV_MODEL_CREATE_MARKER ".venv-incomplete"
/* What a venv repair keeps while it works (repair/txn.h names them too). */
#define VENV_MODEL_REPAIR_JOURNAL ".venv-repair.journal"
#define VENV_MODEL_REPAIR_DELETING ".venv-repair-deleting"
/*
 * ... and what it moves that trash to beside the environment NAME to be
 * deleted after it exits: "." NAME VENV_MODEL_TRASH_SUFFIX (repair/trash.c).
 */
#define VENV_MODEL_TRASH_SUFFIX ".venv-trash"

#define VENV_MODEL_MAX_BIN_ENTRIES 100000
#define VENV_MODEL_MAX_INTERPS 32
#define VENV_MODEL_MAX_LIBDIRS 16
#define VENV_MODEL_MAX_OLD 8

/* How an interpreter entry of bin/ is made. */
enum venv_interp_kind {
	VENV_IK_LINK_INTERNAL,   /* a link to another entry of bin/ ("python -> python3.12") */
	VENV_IK_LINK_EXTERNAL,   /* a link out of the environment */
	VENV_IK_COPY,            /* a regular file */
	VENV_IK_OTHER            /* a directory, FIFO, unreadable link... */
};

enum venv_interp_status {
	VENV_IS_OK,
	VENV_IS_DANGLING,
	VENV_IS_LOOP,
	VENV_IS_NOT_EXEC,
	VENV_IS_NOT_FILE,
	VENV_IS_UNKNOWN
};

struct venv_model_interp {
	char *name;              /* "python3.12" */
	enum venv_interp_kind kind;
	char *target;            /* links: readlink() */
	char *abs_target;        /* external links: the target made absolute, normalised */
	char *real;              /* external links: realpath() of the target, or NULL */
	size_t entry;            /* its index in entries */
	int alias;               /* internal links: index in entries of the target, -1: missing */
	enum venv_interp_status status;   /* of this entry itself (aliases: see venv_model_resolve) */
	int err;                 /* errno of a failed stat of the target */
	struct stat st;          /* lstat of the entry */
	char ver[16];            /* X.Y it runs, from its libpython or name; "" unknown */
};

struct venv_model_entry {
	char *name;
	struct stat st;          /* lstat; st_mode 0 when that failed */
	int interp;              /* index into interps, or -1 */
	int script;              /* index into scripts (activation scripts), or -1 */
};

/* An activation script of bin/ (activate, activate.fish, ...), read and scanned. */
struct venv_model_script {
	size_t entry;            /* index in entries */
	int shell;               /* enum venv_act_shell */
	const char *read_name;   /* the entry read: itself, or the bin/ file it links to */
	char *link_target;       /* a link that was not followed: its target, else NULL */
	int read_rc;             /* VENV_RD_* of reading it */
	int read_err;            /* errno of a failed read */
	int binary;              /* holds a NUL byte: not a script */
	int scan_rc;             /* venv_actscan()'s return (VENV_ETOOBIG: limits hit) */
	int ours;                /* begins with the header of our template for its shell */
	struct venv_activation act;
};

struct venv_model_libdir {
	char ver[16];            /* "3.12", "3.13t" */
	char name[32];           /* its name in lib/: "python3.12", "pypy3.10" */
	int has_site;            /* lib/pythonX.Y/site-packages is a directory */
	int site_link;           /* ... is a symbolic link (not followed) */
	int site_nonempty;
	int has_stdlib;          /* os.py: a Python installation, not an environment */
};

enum venv_model_file_state { VENV_CFG_ABSENT, VENV_CFG_OK, VENV_CFG_BAD, VENV_CFG_LINK };
enum venv_model_dir_state { VENV_DIR_ABSENT, VENV_DIR_OK, VENV_DIR_BAD, VENV_DIR_LINK };

/* What the loader could not read, for check to report. */
struct venv_model_problem {
	int code;                /* a venv_diag_code */
	char *relpath;           /* environment-relative, or NULL */
	char *fix;               /* or NULL */
	char *message;
};

struct venv_model {
	int root;                /* the environment's directory (owned: closed by release) */
	struct stat root_st;
	char *disp;              /* the path as given, without trailing slashes: for display */
	char *abs;               /* absolute, normalised, not resolved */
	char *real;              /* the resolved path of the directory held, or NULL */

	/* pyvenv.cfg, as each of CPython's readers sees it. */
	int cfg_state;           /* VENV_CFG_* */
	int cfg_rd;              /* how reading it went: VENV_RD_* (common/fs.h) */
	int cfg_err;             /* ... the errno of a failed read, else 0 */
	mode_t cfg_mode;         /* ... its lstat() mode, 0 when missing */
	uint64_t cfg_size;
	struct venv_cfg cfg;     /* site.py's and getpath.py's lenient reading */
	struct vbuf cfg_raw;     /* the bytes */
	struct venv_cfg_facts facts;  /* strict reader, first/last home, version... */

	/* bin/ */
	int bin;                 /* fd of bin/, or -1 */
	int bin_state;           /* VENV_DIR_* */
	struct venv_model_entry *entries;   /* sorted by name */
	size_t nentries;
	struct venv_model_interp *interps;  /* VENV_MODEL_MAX_INTERPS slots */
	size_t ninterps;
	int main;                /* the interpreter that runs (index into interps), or -1 */
	struct venv_elf_info main_elf;    /* of the main interpreter's file */
	const char *main_exe;    /* external link: the file it runs (real or abs target) */
	struct venv_model_script *scripts;  /* activation scripts */
	size_t nscripts;

	/* lib/ */
	int lib_state;           /* VENV_DIR_* */
	int lib_err;             /* errno of a failed open or listing of lib/, else 0 */
	char lib_link[32];       /* the first lib/pythonX.Y or lib/pypyX.Y (in lib/'s order)
				    that is a symbolic link (not followed), or "" */
	/*
	 * What the interpreter's directory in lib/ is named after: "pypy"
	 * (lib/pypy3.9/site-packages) for PyPy, else "python".
	 */
	char lib_stem[8];
	struct venv_model_libdir libs[VENV_MODEL_MAX_LIBDIRS];
	size_t nlibs;
	int libs_partial;        /* not all of them were read: more than libs holds, or the
				    listing of lib/ failed (lib_err); a problem says which */
	int lib64_present;       /* lib64 exists (any kind) */

	/* Versions. */
	char env_ver[16];        /* X.Y the environment was made for */
	char env_full[32];       /* X.Y.Z from pyvenv.cfg */
	char bin_ver[16];        /* X.Y of the interpreter that runs */
	char active_ver[16];     /* bin_ver, else env_ver */
	int base_is64;           /* -1 unknown */

	/* Where the environment used to be (activation scripts, `command`). */
	char *old[VENV_MODEL_MAX_OLD];
	size_t nold;

	int unfinished;          /* the marker of an unfinished create is there */
	int repair_journal;      /* a repair's journal is there: it was interrupted (or runs) */
	int repair_trash;        /* what a repair was deleting is there */
	enum venv_creator creator;
	char *virtualenv_version;

	struct venv_model_problem *problems;
	size_t nproblems, problems_alloc;
};

/* What a load leaves out (flags of venv_model_load_at(), venv_model_load()). */
enum venv_model_load_flags {
	/*
	 * bin/ is not read: no entries, interpreters or activation scripts
	 * (bin_state VENV_DIR_ABSENT, main -1, no old locations from scripts),
	 * for a caller that needs pyvenv.cfg and lib/ only (venv list).
	 */
	VENV_MODEL_NO_BIN = 1 << 0
};

/*
 * Load the environment of the directory handle dirfd (duplicated: the
 * caller keeps its own), leaving out what flags (VENV_MODEL_*; 0 for all)
 * say. path is how the caller names it: it is used for display and, made
 * absolute, to tell paths inside the environment from others. Returns 0
 * (problems reading it are in env->problems) or a negative code (out of
 * memory) with venv_error_last() set. Release with venv_model_release() in
 * every case.
 */
int venv_model_load_at(struct venv_model *env, int dirfd, const char *path, unsigned flags);

/* As venv_model_load_at(), opening path (following a link the user named). */
int venv_model_load(struct venv_model *env, const char *path, unsigned flags);

void venv_model_release(struct venv_model *env);

/* The index in env->entries of name, or -1. */
int venv_model_find_entry(const struct venv_model *env, const char *name);

/* The lib/pythonX.Y (lib/pypyX.Y for PyPy: named after lib_stem) of version ver, or NULL. */
const struct venv_model_libdir *venv_model_find_lib(const struct venv_model *env, const char *ver);

/* Whether a name in lib/ is named after lib_stem: "pypy3.9" in a PyPy environment. */
int venv_model_is_own_lib(const struct venv_model *env, const char *name);

/*
 * The name in lib/ of the directory of version ver, into buf: the one there
 * (venv_model_find_lib()), else the one the interpreter would read
 * ("python3.12", "pypy3.9"). Returns buf.
 */
const char *venv_model_lib_name(const struct venv_model *env, const char *ver, char *buf,
				size_t size);

/*
 * The rest of the absolute path p below the environment's place or one of
 * its old places (RECORD rows poetry writes are absolute), or NULL.
 */
const char *venv_record_abs_rest(const struct venv_model *env, const char *p);

/* A key of pyvenv.cfg (its first occurrence), when it was read; else NULL. */
const char *venv_model_cfg_get(const struct venv_model *env, const char *key);

/*
 * The final status of interpreter i, following aliases inside bin/; *root
 * receives the interpreter at the end of the chain (or -1).
 */
enum venv_interp_status venv_model_resolve(const struct venv_model *env, int i, int *root);

/* Whether an absolute path lies inside the environment; *rel points at the rest. */
int venv_model_contains(const struct venv_model *env, const char *path, const char **rel);

/* Whether path names the environment's own directory. */
int venv_model_is_self(const struct venv_model *env, const char *path);

/* Whether dir is one of the environment's old locations. */
int venv_model_is_old_location(const struct venv_model *env, const char *dir);

/* Whether it is a PyPy environment (its lib/ directory is lib/pypyX.Y). */
int venv_model_is_pypy(const struct venv_model *env);

/* The minor version of "3.12" (12), or -1 when it is not a 3.x version. */
int venv_model_minor_of(const char *ver);

/* readlinkat() into a fresh string (free it); a negative code when it fails. */
int venv_model_read_link(char **out, int dirfd, const char *name);

/* 1 for names CPython, virtualenv and uv give interpreters: python3.12, pypy3, python3.13t. */
int venv_model_is_interp_name(const char *name);

/*
 * 1 for a name by which a console script's #! line runs a Python: python*
 * (python, python3.12, python-config's kin) or an interpreter name above
 * (pypy3). venv repair leads such a script to the environment's own
 * interpreter and declines the others; check offers that fix only then.
 */
int venv_model_is_python_name(const char *name);

#endif
