#include "compat.h"
#include "error.h"
#include "path.h"
#include "shquote.h"

enum venv_shell venv_shell_for_script(const char *filename)
{
	const char *dot = strrchr(filename, '.');

	if (!dot)
		return VENV_SHELL_POSIX;
	if (!strcmp(dot, ".fish"))
		return VENV_SHELL_FISH;
	if (!strcmp(dot, ".csh"))
		return VENV_SHELL_CSH;
	if (!strcmp(dot, ".nu"))
		return VENV_SHELL_NU;
	if (!strcmp(dot, ".ps1"))
		return VENV_SHELL_PWSH;
	if (!strcmp(dot, ".bat") || !strcmp(dot, ".py"))
		return VENV_SHELL_RAW;
	return VENV_SHELL_POSIX;
}

const char *venv_shell_name(enum venv_shell shell)
{
	switch (shell) {
	case VENV_SHELL_POSIX: return "sh";
	case VENV_SHELL_FISH: return "fish";
	case VENV_SHELL_CSH: return "csh";
	case VENV_SHELL_NU: return "nu";
	case VENV_SHELL_PWSH: return "powershell";
	default: return "raw";
	}
}

/*
 * What no activation script may carry: a line break. csh cannot quote a
 * newline at all, every script is read line by line somewhere, and the
 * Unicode line breaks (NEL, U+2028, U+2029) split lines for readers that
 * follow Unicode (Python's str.splitlines, and zsh draws them as escapes).
 * Shells that read their script as text (`text`: fish, nu and PowerShell
 * decode UTF-8 and would change or refuse a broken sequence) also need
 * valid UTF-8, and so does csh: tcsh in a UTF-8 locale drops bytes of a
 * broken sequence even inside single quotes (fuzz_shquote found
 * "\xfd\xba..." read back without its \xfd). sh reads bytes.
 */
static int check_common(const char *value, const char *shell, int text)
{
	const unsigned char *p;

	for (p = (const unsigned char *)value; *p; p++) {
		if (*p == '\n' || *p == '\r' || (p[0] == 0xc2 && p[1] == 0x85) ||
		    (p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9)))
			return venv_error_set(VENV_EINVAL, "a line break cannot be written "
					      "safely into the %s activation script", shell);
	}
	if (text && !venv_utf8_valid(value, (size_t)((const char *)p - value)))
		return venv_error_set(VENV_EINVAL, "the %s activation script is read as UTF-8 "
				      "text, and the value is not valid UTF-8", shell);
	return 0;
}

int venv_shquote_posix(struct vbuf *out, const char *value)
{
	const char *p;
	int safe = *value != '\0', error;

	if ((error = check_common(value, "sh", 0)) < 0)
		return error;
	/*
	 * Words made only of these characters stay bare, as shlex.quote does,
	 * but without its '=': zsh expands a word starting with '=' (and, in an
	 * assignment, one following ':') to a command's path.
	 */
	for (p = value; *p && safe; p++)
		safe = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		       (*p >= '0' && *p <= '9') || strchr("_@%+:,./-", *p);
	if (safe)
		return vbuf_adds(out, value);
	if ((error = vbuf_addch(out, '\'')) < 0)
		return error;
	for (p = value; *p; p++) {
		error = *p == '\'' ? vbuf_adds(out, "'\"'\"'") : vbuf_addch(out, *p);
		if (error < 0)
			return error;
	}
	return vbuf_addch(out, '\'');
}

int venv_shquote_fish(struct vbuf *out, const char *value)
{
	const char *p;
	int error;

	/* fish honours \\ and \' inside single quotes, and nothing else. */
	if ((error = check_common(value, "fish", 1)) < 0 ||
	    (error = vbuf_addch(out, '\'')) < 0)
		return error;
	for (p = value; *p; p++) {
		if (*p == '\\' || *p == '\'')
			error = vbuf_addch(out, '\\');
		if (error < 0 || (error = vbuf_addch(out, *p)) < 0)
			return error;
	}
	return vbuf_addch(out, '\'');
}

int venv_shquote_csh(struct vbuf *out, const char *value)
{
	const char *p;
	int error;

	/*
	 * csh expands history (!) even inside single quotes, but a backslash
	 * before it is honoured there; a single quote is closed, escaped and
	 * reopened.
	 */
	if ((error = check_common(value, "csh", 1)) < 0 ||
	    (error = vbuf_addch(out, '\'')) < 0)
		return error;
	for (p = value; *p; p++) {
		if (*p == '\'')
			error = vbuf_adds(out, "'\\''");
		else if (*p == '!')
			error = vbuf_adds(out, "\\!");
		else
			error = vbuf_addch(out, *p);
		if (error < 0)
			return error;
	}
	return vbuf_addch(out, '\'');
}

int venv_shquote_nu(struct vbuf *out, const char *value)
{
	size_t run = 0, longest = 0, i;
	const char *p;
	int error;

	if ((error = check_common(value, "nu", 1)) < 0)
		return error;
	/* A raw string r#'...'# ends at a quote followed by as many hashes. */
	for (p = value; *p; p++) {
		run = *p == '#' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	if ((error = vbuf_addch(out, 'r')) < 0)
		return error;
	for (i = 0; i <= longest; i++)
		if ((error = vbuf_addch(out, '#')) < 0)
			return error;
	if ((error = vbuf_addch(out, '\'')) < 0 || (error = vbuf_adds(out, value)) < 0 ||
	    (error = vbuf_addch(out, '\'')) < 0)
		return error;
	for (i = 0; i <= longest; i++)
		if ((error = vbuf_addch(out, '#')) < 0)
			return error;
	return 0;
}

int venv_shquote_pwsh(struct vbuf *out, const char *value)
{
	const unsigned char *p;
	int error;

	if ((error = check_common(value, "powershell", 1)) < 0 ||
	    (error = vbuf_addch(out, '\'')) < 0)
		return error;
	for (p = (const unsigned char *)value; *p; p++) {
		/* PowerShell ends a single-quoted string at ' and at U+2018..U+201B. */
		if (*p == '\'') {
			error = vbuf_adds(out, "''");
		} else if (p[0] == 0xe2 && p[1] == 0x80 && p[2] >= 0x98 && p[2] <= 0x9b) {
			error = vbuf_add(out, p, 3);
			if (!error)
				error = vbuf_add(out, p, 3);
			p += 2;
		} else {
			error = vbuf_addch(out, *p);
		}
		if (error < 0)
			return error;
	}
	return vbuf_addch(out, '\'');
}

int venv_shquote(struct vbuf *out, enum venv_shell shell, const char *value)
{
	switch (shell) {
	case VENV_SHELL_POSIX: return venv_shquote_posix(out, value);
	case VENV_SHELL_FISH: return venv_shquote_fish(out, value);
	case VENV_SHELL_CSH: return venv_shquote_csh(out, value);
	case VENV_SHELL_NU: return venv_shquote_nu(out, value);
	case VENV_SHELL_PWSH: return venv_shquote_pwsh(out, value);
	default: return vbuf_adds(out, value);
	}
}

int venv_shquote_check_all(const char *value, const char *what)
{
	struct vbuf tmp = VBUF_INIT(VBUF_MAX_SCRIPT);
	int shell, error = 0;

	for (shell = 0; shell < VENV_SHELL_COUNT; shell++) {
		vbuf_reset(&tmp);
		if ((error = venv_shquote(&tmp, (enum venv_shell)shell, value)) < 0) {
			struct vbuf shown = VBUF_INIT(VBUF_MAX_LINE);
			char msg[512];

			snprintf(msg, sizeof(msg), "%s", venv_error_last());
			venv_str_escape(&shown, value);
			error = venv_error_set(VENV_EINVAL, "the %s '%s' cannot be used: %s",
					       what, shown.buf, msg);
			vbuf_release(&shown);
			break;
		}
	}
	vbuf_release(&tmp);
	return error;
}
