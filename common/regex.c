#include "compat.h"
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <pthread.h>
#include "error.h"
#include "regex.h"

/*
 * Limits for every match. The patterns are linear on well-formed input;
 * the limits are there for the input nobody thought of.
 */
#define RE_MATCH_LIMIT 1000000u
#define RE_DEPTH_LIMIT 10000u
#define RE_HEAP_LIMIT_KIB 8192u

struct pattern {
	const char *source;
	uint32_t options;
};

static const struct pattern patterns[VENV_RE_COUNT] = {
	[VENV_RE_SH_VENV] = {
		"^[ \\t]*(?:export[ \\t]+)?VIRTUAL_ENV=([^\\n]*)", PCRE2_MULTILINE },
	[VENV_RE_SH_GUARD] = {
		"^[ \\t]*if[ \\t]+\\[[ \\t]+![ \\t]+-d[ \\t]+([^\\n]*?)[ \\t]+\\][ \\t]*;?[ \\t]*then\\b",
		PCRE2_MULTILINE },
	[VENV_RE_SH_PS1] = {
		"^[ \\t]*(?:export[ \\t]+)?PS1=([^\\n]*)", PCRE2_MULTILINE },
	[VENV_RE_SH_SELF] = {
		"BASH_SOURCE|SCRIPT_PATH|\\$\\{?0\\}?|\\bstatus[ \\t]+(?:-f|--current-filename)|"
		"\\bpath[ \\t]+self\\b|(?i:\\$MyInvocation|\\$PSScriptRoot)|__file__", 0 },
	[VENV_RE_FISH_VENV] = {
		"^[ \\t]*(?:builtin[ \\t]+)?set[ \\t]+(?:-[-a-zA-Z]+[ \\t]+)*VIRTUAL_ENV[ \\t]+([^\\n]*)",
		PCRE2_MULTILINE },
	[VENV_RE_CSH_VENV] = {
		"^[ \\t]*setenv[ \\t]+VIRTUAL_ENV[ \\t]+([^\\n]*)", PCRE2_MULTILINE },
	[VENV_RE_NU_VENV] = {
		"^[ \\t]*(?:(?:let|const|mut)[ \\t]+(?:virtual_env|venv_dir)|\\$env\\.VIRTUAL_ENV|"
		"let-env[ \\t]+VIRTUAL_ENV)[ \\t]*=[ \\t]*([^\\n]*)", PCRE2_MULTILINE },
	[VENV_RE_PWSH_VENV] = {
		"^[ \\t]*\\$(?:env:VIRTUAL_ENV|VIRTUAL_ENV|VenvDir)[ \\t]*=[ \\t]*([^\\n]*)",
		PCRE2_MULTILINE | PCRE2_CASELESS },
	[VENV_RE_XSH_VENV] = {
		"^[ \\t]*\\$VIRTUAL_ENV[ \\t]*=[ \\t]*([^\\n]*)", PCRE2_MULTILINE },
	[VENV_RE_SHEBANG] = {
		"\\A#![ \\t]*([^ \\t\\n\\x00]*)[ \\t]*([^\\n\\x00]*)", 0 },
	/*
	 * No "\r" before the first newline: the kernel would look for
	 * "/bin/sh\r", so a CRLF trampoline cannot run and is left to the
	 * direct-shebang reading, which reports that interpreter.
	 */
	[VENV_RE_TRAMPOLINE] = {
		"\\A#![ \\t]*/bin/sh[ \\t]*\\n'''exec' (.*?) \"\\$0\" \"\\$@\"[ \\t]*\\r?(?:\\n|\\z)", 0 },
	[VENV_RE_EXT_TAG] = {
		"\\.cpython-([0-9])([0-9]+)([a-z]*)(?:-[^/]*)?\\.so\\z", 0 },
};

static pcre2_code *compiled[VENV_RE_COUNT];
static pcre2_match_context *match_ctx;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static char compile_error[256];

static void compile_all(void)
{
	size_t i;

	match_ctx = pcre2_match_context_create(NULL);
	if (!match_ctx) {
		snprintf(compile_error, sizeof(compile_error), "out of memory");
		return;
	}
	pcre2_set_match_limit(match_ctx, RE_MATCH_LIMIT);
	pcre2_set_depth_limit(match_ctx, RE_DEPTH_LIMIT);
	pcre2_set_heap_limit(match_ctx, RE_HEAP_LIMIT_KIB);
	for (i = 0; i < VENV_RE_COUNT; i++) {
		int err;
		PCRE2_SIZE off;

		/* Byte mode on purpose: hostile files are not UTF-8, and (*UTF) is refused. */
		compiled[i] = pcre2_compile((PCRE2_SPTR)patterns[i].source, PCRE2_ZERO_TERMINATED,
					    patterns[i].options | PCRE2_NEVER_UTF | PCRE2_NEVER_UCP,
					    &err, &off, NULL);
		if (!compiled[i]) {
			PCRE2_UCHAR msg[160];

			pcre2_get_error_message(err, msg, sizeof(msg));
			snprintf(compile_error, sizeof(compile_error),
				 "internal pattern %zu does not compile at %zu: %s",
				 i, (size_t)off, (const char *)msg);
			return;
		}
	}
}

int venv_re_group_set(const struct venv_re_match *m, int g)
{
	return g >= 1 && g <= VENV_RE_MAX_GROUPS && g <= m->groups &&
	       m->group_start[g - 1] != (size_t)-1;
}

int venv_re_match(enum venv_re_id id, const char *subject, size_t len, size_t offset,
		  struct venv_re_match *m)
{
	pcre2_match_data *md = NULL;
	PCRE2_SIZE *ov;
	int rc, i, error;

	pthread_once(&once, compile_all);
	if (compile_error[0])
		return venv_error_set(VENV_ERROR, "%s", compile_error);
	if ((unsigned)id >= VENV_RE_COUNT || offset > len)
		return venv_error_set(VENV_EINVAL, "bad regular expression request");
	md = pcre2_match_data_create(VENV_RE_MAX_GROUPS + 1, NULL);
	if (!md)
		return venv_error_set(VENV_ENOMEM, "out of memory");
	rc = pcre2_match(compiled[id], (PCRE2_SPTR)subject, len, offset, 0, md, match_ctx);
	if (rc == PCRE2_ERROR_NOMATCH) {
		error = 0;
		goto done;
	}
	if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
	    rc == PCRE2_ERROR_HEAPLIMIT || rc == PCRE2_ERROR_NOMEMORY) {
		error = venv_error_set(VENV_ETOOBIG, "the text exceeds the parser's limits");
		goto done;
	}
	if (rc < 0) {
		PCRE2_UCHAR msg[160];

		pcre2_get_error_message(rc, msg, sizeof(msg));
		error = venv_error_set(VENV_ERROR, "pattern match failed: %s", (const char *)msg);
		goto done;
	}
	ov = pcre2_get_ovector_pointer(md);
	m->start = ov[0];
	m->end = ov[1];
	m->groups = rc == 0 ? VENV_RE_MAX_GROUPS : rc - 1;
	if (m->groups > VENV_RE_MAX_GROUPS)
		m->groups = VENV_RE_MAX_GROUPS;
	for (i = 0; i < VENV_RE_MAX_GROUPS; i++) {
		if (i < m->groups && ov[2 * (i + 1)] != PCRE2_UNSET) {
			m->group_start[i] = ov[2 * (i + 1)];
			m->group_end[i] = ov[2 * (i + 1) + 1];
		} else {
			m->group_start[i] = m->group_end[i] = (size_t)-1;
		}
	}
	error = 1;
done:
	pcre2_match_data_free(md);
	return error;
}
