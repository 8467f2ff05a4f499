#ifndef VENV_PEP508_H
#define VENV_PEP508_H

#include "pep440.h"
#include "vbuf.h"

/*
 * PEP 508 dependency specifiers and environment markers, parsed and
 * evaluated as packaging 22-25 (the generation pip 24.1 to 25.3 vendors)
 * does: its tokenizer's rules, its evaluation (a marker comparison is a
 * PEP 440 specifier match when "op value" is a valid specifier, else a
 * string comparison; "~=" and "===" on strings are errors), and extras
 * compared after name normalisation (PEP 685).
 *
 * The environment is given by the caller (struct venv_marker_env): this
 * code never runs Python. venv_marker_env_init() fills what Linux and the
 * interpreter's version say, without running anything.
 */

enum venv_marker_var {
	VENV_MV_IMPLEMENTATION_NAME,
	VENV_MV_IMPLEMENTATION_VERSION,
	VENV_MV_OS_NAME,
	VENV_MV_PLATFORM_MACHINE,
	VENV_MV_PLATFORM_RELEASE,
	VENV_MV_PLATFORM_SYSTEM,
	VENV_MV_PLATFORM_VERSION,
	VENV_MV_PYTHON_FULL_VERSION,
	VENV_MV_PLATFORM_PYTHON_IMPLEMENTATION,
	VENV_MV_PYTHON_VERSION,
	VENV_MV_SYS_PLATFORM,
	VENV_MV_EXTRA,
	VENV_MV_COUNT
};

/* Values of the marker variables; NULL is an undefined name (an error). */
struct venv_marker_env {
	const char *value[VENV_MV_COUNT];
	/* storage for venv_marker_env_init() */
	char buf[8][256];
};

/*
 * CPython on this machine's kernel (uname(2)), with python_full_version
 * "X.Y.Z" given by the caller (pyvenv.cfg's version), and extra "".
 */
void venv_marker_env_init(struct venv_marker_env *env, const char *python_full_version);

/* The variable's name as written in markers ("python_version"). */
const char *venv_marker_var_name(enum venv_marker_var v);

struct venv_marker;   /* a parsed marker expression */

/* Caps: nesting of parentheses and length of an input. */
#define VENV_MARKER_MAX_DEPTH 32
#define VENV_REQ_MAX_LEN ((size_t)64 * 1024)

int venv_marker_parse(struct venv_marker **out, const char *text);
void venv_marker_free(struct venv_marker *m);

/*
 * Evaluate: 1 (true), 0 (false), or VENV_EINVAL when packaging raises
 * (an invalid version on the left of a version comparison, "~=" on
 * strings, an undefined variable), with packaging's message.
 */
int venv_marker_evaluate(const struct venv_marker *m, const struct venv_marker_env *env);

/* str(Marker): double quotes, single spaces, packaging's parentheses. */
int venv_marker_str(struct vbuf *out, const struct venv_marker *m);

struct venv_requirement {
	char *name;                 /* as written */
	char **extras;              /* as written, in order, may repeat */
	size_t nextras;
	char *url;                  /* "name @ url", or NULL */
	char *specifier;            /* the specifier text ("" for none) */
	struct venv_specset spec;
	struct venv_marker *marker; /* NULL when there is none */
};

/*
 * Parse a dependency specifier ("name[extra] (>=1.0); python_version <
 * '3.11'"): 0, or VENV_EINVAL with packaging's kind of message.
 */
int venv_requirement_parse(struct venv_requirement *out, const char *text);
void venv_requirement_release(struct venv_requirement *r);

/* str(Requirement): what pip check prints in "has requirement ...". */
int venv_requirement_str(struct vbuf *out, const struct venv_requirement *r);

/*
 * Whether the requirement applies: no marker, or the marker is true for env
 * (with env's extra). 1, 0, or negative as venv_marker_evaluate().
 */
int venv_requirement_applies(const struct venv_requirement *r, const struct venv_marker_env *env);

#endif
