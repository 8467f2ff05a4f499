#ifndef VENV_REPAIR_PLAN_H
#define VENV_REPAIR_PLAN_H

#include "diag.h"
#include "vbuf.h"

/*
 * A repair plan: what repair would change in one environment, and what
 * it found but cannot change. Every change names the diagnostic code of
 * `venv check` (common/diag.h) that it fixes. Paths are relative to the
 * environment directory; nothing in a plan is applied until
 * venv_plan_apply() (repair/txn.h) runs it under the journal.
 */

enum venv_fix_kind {
	VENV_FIX_WRITE,    /* create or replace a regular file with data/len */
	VENV_FIX_SYMLINK,  /* create or replace a symbolic link whose value is data */
	VENV_FIX_MKDIR,    /* create a directory */
	VENV_FIX_REMOVE,   /* remove a file or a symbolic link */
	VENV_FIX_COPY,     /* copy the file src (absolute) to path */
	VENV_FIX_CHMOD     /* drop write permission for others and add the execute bits
			      of mode (mode: the mode planned) */
};

struct venv_fix {
	int code;               /* the VNV code this fixes */
	enum venv_fix_kind kind;
	char *path;             /* relative to the environment */
	char *data;             /* WRITE: the new bytes; SYMLINK: the link's value */
	size_t len;
	char *src;              /* COPY: where from */
	unsigned mode;          /* WRITE, COPY, MKDIR: the exact mode; CHMOD: see above */
	int replaces;           /* something is at path now */
	char *summary;          /* one line for people */
	char *before, *after;   /* optional diff lines ("\n"-separated) */
};

struct venv_problem {
	int code;
	char *message;          /* what remains, and what would fix it */
	enum venv_severity severity;  /* the finding's (0: the registry's) */
	char *rel;              /* a declined fix's file in the environment, or NULL */
	const char *why;        /* why that fix was declined: the end of message, or NULL */
};

struct venv_plan {
	struct venv_fix *fixes;
	size_t nr, alloc;
	struct venv_problem *problems;
	size_t nprob, aprob;
};

#define VENV_PLAN_INIT { NULL, 0, 0, NULL, 0, 0 }

/*
 * Add a change; the strings are copied. data may hold NULs (len counts
 * them); for a SYMLINK it is a C string and len may be 0.
 */
int venv_plan_add(struct venv_plan *plan, int code, enum venv_fix_kind kind, const char *path,
		  const char *data, size_t len, unsigned mode, const char *summary);

/* The last change added, to fill in src, replaces, before, after. */
struct venv_fix *venv_plan_last(struct venv_plan *plan);

int venv_plan_problem(struct venv_plan *plan, int code, const char *fmt, ...) VENV_PRINTF(3, 4);
/*
 * A fix declined for the finding (code, severity, rel, message): the
 * problem says "message: why", and keeps rel and where why starts, for the
 * verdict's finding on the same file, whose message the other fixes may
 * have changed (a script's old location, once pyvenv.cfg moved on).
 */
int venv_plan_declined(struct venv_plan *plan, int code, enum venv_severity severity,
		       const char *rel, const char *message, const char *why);
/* A copy of p (another plan's), declined or not, added to plan. */
int venv_plan_problem_copy(struct venv_plan *plan, const struct venv_problem *p);
/* As venv_plan_problem(), for a finding of this severity (0: the registry's). */
int venv_plan_problem_sev(struct venv_plan *plan, int code, enum venv_severity severity,
			  const char *fmt, ...) VENV_PRINTF(4, 5);

/* 1 when path already has a change in the plan. */
int venv_plan_has(const struct venv_plan *plan, const char *path);

void venv_plan_release(struct venv_plan *plan);

/*
 * Put the directories to create first (in their order), so that files
 * staged inside them have a place; the rest keep their order.
 */
int venv_plan_dirs_first(struct venv_plan *plan);

/* Sort the fixes from index start on by path (readdir order is not stable). */
void venv_plan_sort_from(struct venv_plan *plan, size_t start);

/* "VNV404" into out (8 bytes at least). */
void venv_repair_code_str(char *out, size_t size, int code);

#endif
