#ifndef VENV_DIAG_H
#define VENV_DIAG_H

/*
 * The registry of diagnostic codes: one table, shared by `venv check`
 * (which reports them), `venv repair` (which fixes some of them), the
 * --list-rules and --explain output and the manual pages, which are all
 * generated from it.
 *
 * Codes are written VNV### and grouped in blocks of a hundred:
 *
 *   VNV0xx  input and tool problems (unreadable files, limits)
 *   VNV1xx  layout: directories, interpreter links, the base interpreter
 *   VNV2xx  metadata: pyvenv.cfg
 *   VNV3xx  archive contents (reserved for repair's archives)
 *   VNV4xx  paths, permissions, security
 *   VNV5xx  activation scripts
 *   VNV6xx  installed distributions: RECORD, dependencies, start-up code
 *
 * A number is never reused: a rule that goes away stays in the table with
 * status VENV_DIAG_REMOVED. The enum values below are the numbers.
 */

enum venv_severity {
	VENV_SEVERITY_INFO = 1,
	VENV_SEVERITY_WARNING = 2,
	VENV_SEVERITY_ERROR = 3
};

enum venv_diag_status {
	VENV_DIAG_STABLE = 0,
	VENV_DIAG_PREVIEW,     /* reported only when selected explicitly */
	VENV_DIAG_DEPRECATED,  /* still reported; selecting it warns */
	VENV_DIAG_REMOVED      /* never reported; selecting it is an error */
};

enum venv_diag_code {
	VENV_DIAG_NOT_A_VENV = 1,
	VENV_DIAG_CANNOT_INSPECT = 2,
	VENV_DIAG_UNREADABLE_FILE = 3,
	VENV_DIAG_SPECIAL_FILE = 4,
	VENV_DIAG_FILE_TOO_LARGE = 5,
	VENV_DIAG_UNPARSEABLE_FILE = 6,
	VENV_DIAG_LINK_NOT_FOLLOWED = 7,
	VENV_DIAG_WALK_LIMIT = 8,

	VENV_DIAG_UNFINISHED_CREATION = 101,
	VENV_DIAG_MISSING_PYVENV_CFG = 102,
	VENV_DIAG_BASE_MISSING = 103,
	VENV_DIAG_DANGLING_INTERPRETER_LINK = 104,
	VENV_DIAG_BASE_STDLIB_MISSING = 105,
	VENV_DIAG_BASE_VERSION_MISMATCH = 106,
	VENV_DIAG_STALE_VERSION = 107,
	VENV_DIAG_STALE_COPIED_INTERPRETER = 108,
	VENV_DIAG_MISSING_INTERPRETER_ALIAS = 109,
	VENV_DIAG_MISSING_LIB64 = 110,
	VENV_DIAG_MISSING_SITE_PACKAGES = 111,
	VENV_DIAG_WRONG_ABI_EXTENSION = 112,
	VENV_DIAG_MISSING_PYTHON = 113,
	VENV_DIAG_ORPHANED_SITE_PACKAGES = 114,
	VENV_DIAG_STALE_HOME = 115,
	VENV_DIAG_BAD_INTERPRETER = 116,
	VENV_DIAG_UNFINISHED_REPAIR = 117,

	VENV_DIAG_CFG_UNREADABLE = 201,
	VENV_DIAG_CFG_NOT_UTF8 = 202,
	VENV_DIAG_CFG_BOM = 203,
	VENV_DIAG_CFG_MISSING_HOME = 204,
	VENV_DIAG_CFG_DUPLICATE_HOME = 205,
	VENV_DIAG_CFG_NO_FINAL_NEWLINE = 206,
	VENV_DIAG_CFG_SYSTEM_SITE_PACKAGES = 207,
	VENV_DIAG_CFG_STRICT_FORMAT = 208,
	VENV_DIAG_CFG_SYMLINK = 209,
	VENV_DIAG_CFG_SHADOWED = 210,
	VENV_DIAG_CFG_MISSING_VERSION = 211,
	VENV_DIAG_CFG_LONE_CR = 212,

	VENV_DIAG_RELOCATED_ENVIRONMENT = 401,
	VENV_DIAG_STALE_ACTIVATION_PATH = 402,
	VENV_DIAG_SHEBANG_MISSING_INTERPRETER = 403,
	VENV_DIAG_SHEBANG_OLD_LOCATION = 404,
	VENV_DIAG_SHEBANG_OTHER_ENVIRONMENT = 405,
	VENV_DIAG_SHEBANG_TRUNCATED = 406,
	VENV_DIAG_SHEBANG_NOT_PORTABLE = 407,
	VENV_DIAG_PTH_MISSING_PATH = 408,
	VENV_DIAG_WORLD_WRITABLE = 409,
	VENV_DIAG_ACTIVATION_INJECTION = 410,
	VENV_DIAG_PATH_SEPARATOR = 411,
	VENV_DIAG_DANGLING_COMMAND_LINK = 412,
	VENV_DIAG_SHEBANG_INJECTION = 413,
	VENV_DIAG_EDITABLE_SOURCE_MISSING = 414,
	VENV_DIAG_SCRIPT_NOT_EXECUTABLE = 415,
	VENV_DIAG_DIRECT_URL_OLD_LOCATION = 416,

	VENV_DIAG_MISSING_ACTIVATION_SCRIPT = 501,
	VENV_DIAG_UNQUOTED_ACTIVATION_TEMPLATE = 502,
	VENV_DIAG_UNKNOWN_ACTIVATION_SCRIPT = 503,
	VENV_DIAG_PROMPT_EXPANSION = 504,

	VENV_DIAG_RECORD_MISSING = 601,
	VENV_DIAG_RECORD_UNPARSEABLE = 602,
	VENV_DIAG_DIST_FILE_MISSING = 603,
	VENV_DIAG_DIST_FILE_SIZE = 604,
	VENV_DIAG_DUPLICATE_DIST_INFO = 605,
	VENV_DIAG_DEPENDENCY_MISSING = 606,
	VENV_DIAG_DEPENDENCY_CONFLICT = 607,
	VENV_DIAG_UNOWNED_EXECUTABLE_PTH = 608,
	VENV_DIAG_ENTRY_POINT_MODULE_MISSING = 609,
	VENV_DIAG_UNOWNED_FILES = 610,
	VENV_DIAG_CUSTOMIZE_MODULE = 611,
	VENV_DIAG_SHARED_HARD_LINKS = 612
};

/* The date and version printed in the generated manual pages. */
#define VENV_DIAG_MAN_DATE "2026-11-21"

struct venv_diag {
	int code;                       /* 401 for VNV401 */
	enum venv_severity severity;    /* the default severity */
	enum venv_diag_status status;
	int fixable;                    /* 1 when `venv repair` can fix it */
	const char *slug;               /* "relocated-environment" */
	const char *summary;            /* one line, lower case, no full stop */
	/* The documentation page: sentences, plain text. */
	const char *what;               /* what it reports */
	const char *why;                /* why it matters */
	const char *example;            /* a bad layout or file; lines split by \n */
	const char *fix;                /* what repair does, or what to do by hand */
	const char *since;              /* the release that added the rule */
};

/* The table, ordered by code. */
extern const struct venv_diag venv_diags[];
extern const size_t venv_diags_count;

/* The entry for a code number, or NULL. */
const struct venv_diag *venv_diag_get(int code);

/*
 * The entry named by "VNV401" (any case, leading zeros as written in the
 * table: "VNV001") or by its slug, or NULL.
 */
const struct venv_diag *venv_diag_find(const char *name);

/* Write "VNV401" into out (at least 8 bytes). */
void venv_diag_code_str(char *out, size_t size, int code);

/*
 * How specifically `selector` names diagnostic d: 0 when it does not;
 * otherwise a larger number for a more specific selector. A selector is
 * "ALL", a code ("VNV401"), a code prefix ("VNV4", "VNV40") or a slug;
 * case does not matter.
 */
int venv_diag_match(const struct venv_diag *d, const char *selector);

/* 1 when selector names at least one diagnostic of the table. */
int venv_diag_selector_valid(const char *selector);

/* "error", "warning", "info". */
const char *venv_severity_name(enum venv_severity severity);

/* Parse a severity name; VENV_EINVAL when unknown. */
int venv_severity_parse(enum venv_severity *out, const char *name);

#endif
