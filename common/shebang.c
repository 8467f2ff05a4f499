#include "compat.h"
#include "actscan.h"
#include "error.h"
#include "path.h"
#include "regex.h"
#include "shebang.h"

static char *dup_n(const char *s, size_t n)
{
	char *r = malloc(n + 1);

	if (r) {
		memcpy(r, s, n);
		r[n] = '\0';
	}
	return r;
}

/*
 * What follows the path on the exec line, kept for a rewrite when it reads
 * back as it is written: nothing, bare words free of shell syntax
 * (distlib's ` -E -s`) or one single-quoted word (ours).
 */
static int trampoline_args(struct venv_shebang *sb, const char *s, size_t n)
{
	size_t k;

	if (!n) {
		sb->args = strdup("");
	} else if (s[0] != ' ') {
		return 0;
	} else if (n > 1 && s[1] == '\'') {
		if (n < 3 || s[n - 1] != '\'' || memchr(s + 2, '\'', n - 3))
			return 0;
		if ((sb->args = dup_n(s + 1, n - 2)))
			sb->args[0] = ' ';   /* " -E -s", the quotes gone */
	} else {
		for (k = 1; k < n; k++)
			if (!s[k] || strchr("'\"$`\\;&|<>(){}*?[]~!#", s[k]))
				return 0;
		sb->args = dup_n(s, n);
	}
	return sb->args ? 0 : venv_error_set(VENV_ENOMEM, "out of memory");
}

/* Length of the first n lines, line breaks included, or 0 when they are not all terminated. */
static size_t lines_len(const char *buf, size_t len, int n)
{
	size_t pos = 0;

	while (n-- > 0) {
		const char *nl = memchr(buf + pos, '\n', len - pos);

		if (!nl)
			return 0;
		pos = (size_t)(nl - buf) + 1;
	}
	return pos;
}

static int parse_trampoline(struct venv_shebang *sb, const char *buf, size_t len, int *found)
{
	struct vbuf word = VBUF_INIT(VBUF_MAX_LINE);
	struct venv_re_match m;
	size_t used;
	unsigned flags;
	int rc, error = 0;

	*found = 0;
	if ((rc = venv_re_match(VENV_RE_TRAMPOLINE, buf, len, 0, &m)) <= 0)
		return rc;
	if ((error = venv_word_decode(&word, &flags, VENV_ACT_SH, buf + m.group_start[0],
				      m.group_end[0] - m.group_start[0], &used)) < 0)
		goto done;
	*found = 1;
	sb->line = 2;
	sb->word_flags = flags;
	sb->header_len = lines_len(buf, len, 3);
	if (!(flags & (VENV_WORD_COMMAND | VENV_WORD_EXPANSION | VENV_WORD_UNTERMINATED)) &&
	    (error = trampoline_args(sb, buf + m.group_start[0] + used,
				     m.group_end[0] - m.group_start[0] - used)) < 0)
		goto done;
	if (flags & (VENV_WORD_COMMAND | VENV_WORD_EXPANSION)) {
		const char *slash = strrchr(word.buf, '/');

		/* uv --relocatable: "$(dirname -- "$(realpath -- "$0")")"/'python' */
		if (memmem(buf + m.group_start[0], m.group_end[0] - m.group_start[0], "$0", 2) &&
		    slash && !strchr(slash, '$') && !strchr(slash, '`')) {
			sb->kind = VENV_SHEBANG_RELATIVE;
			sb->interpreter = strdup(slash + 1);
		} else {
			sb->kind = VENV_SHEBANG_TRAMPOLINE;
			sb->injection = 1;
			sb->interpreter = strdup(word.buf);
		}
	} else {
		sb->kind = VENV_SHEBANG_TRAMPOLINE;
		sb->injection = (flags & (VENV_WORD_UNTERMINATED | VENV_WORD_TRAILING)) != 0;
		sb->interpreter = strdup(word.buf);
	}
	if (!sb->interpreter)
		error = venv_error_set(VENV_ENOMEM, "out of memory");
done:
	vbuf_release(&word);
	return error;
}

int venv_shebang_parse(struct venv_shebang *sb, const char *buf, size_t len)
{
	char window[VENV_SHEBANG_KERNEL_MAX];
	struct venv_re_match m;
	const char *nl;
	size_t n, name_start, name_end;
	int rc, found, error;

	memset(sb, 0, sizeof(*sb));
	if (len < 2 || buf[0] != '#' || buf[1] != '!')
		return 0;
	nl = memchr(buf, '\n', len);
	sb->line_length = nl ? (size_t)(nl - buf) : len;
	if (sb->line_length && buf[sb->line_length - 1] == '\r')
		sb->line_length--;
	if ((error = parse_trampoline(sb, buf, len, &found)) < 0 || found)
		return error;

	/* What the kernel sees: the first 256 bytes, zero-padded. */
	n = len < sizeof(window) ? len : sizeof(window);
	memset(window, 0, sizeof(window));
	memcpy(window, buf, n);
	if ((rc = venv_re_match(VENV_RE_SHEBANG, window, sizeof(window), 0, &m)) < 0)
		return rc;
	if (!rc)
		return 0;
	sb->kind = VENV_SHEBANG_DIRECT;
	sb->line = 1;
	name_start = m.group_start[0];
	name_end = m.group_end[0];
	/* No terminator within the window: Linux refuses a cut interpreter path. */
	if (name_end >= sizeof(window))
		sb->truncated = 1;
	if (name_end >= VENV_SHEBANG_PORTABLE_MAX)
		sb->not_portable = 1;
	/* A truncated path is kept whole: a rewrite as a trampoline needs all of it. */
	while (sb->truncated && name_end < len && buf[name_end] && !strchr(" \t\n", buf[name_end]))
		name_end++;
	sb->interpreter = dup_n(buf + name_start, name_end - name_start);
	if (!sb->interpreter)
		return venv_error_set(VENV_ENOMEM, "out of memory");
	/* The rest of line 1 goes with a rewrite unchanged, unless a NUL hides part of it. */
	sb->header_len = lines_len(buf, len, 1);
	n = nl ? (size_t)(nl - buf) : len;
	if (name_end <= n && !memchr(buf, '\0', n) &&
	    !(sb->args = dup_n(buf + name_end, n - name_end)))
		return venv_error_set(VENV_ENOMEM, "out of memory");
	if (venv_re_group_set(&m, 2) && m.group_end[1] > m.group_start[1]) {
		size_t a = m.group_start[1], e = m.group_end[1];

		/* The kernel trims trailing blanks off the argument. */
		while (e > a && (window[e - 1] == ' ' || window[e - 1] == '\t'))
			e--;
		if (e > a && !(sb->argument = dup_n(window + a, e - a)))
			return venv_error_set(VENV_ENOMEM, "out of memory");
	}
	return 0;
}

void venv_shebang_release(struct venv_shebang *sb)
{
	free(sb->interpreter);
	free(sb->argument);
	free(sb->args);
	memset(sb, 0, sizeof(*sb));
}

int venv_shebang_write(struct vbuf *out, const char *python, const char *args, unsigned flags)
{
	size_t len = strlen(python), alen, i;
	int blank = 0;

	if (!args)
		args = "";
	alen = strlen(args);
	if (python[0] != '/')
		return venv_error_set(VENV_EINVAL, "the interpreter path '%s' is not absolute",
				      python);
	if (!venv_utf8_valid(python, len))
		return venv_error_set(VENV_EUNSAFE, "cannot write console scripts for '%s': the "
				      "path is not valid UTF-8, which Python cannot read in a "
				      "script", python);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)python[i];

		if (c == ' ' || c == '\t')
			blank = 1;
		else if (c < 0x20 || c == 0x7f)
			return venv_error_set(VENV_EUNSAFE, "cannot write console scripts for "
					      "'%s': the path contains a control character",
					      python);
	}
	for (i = 0; i < alen; i++) {
		unsigned char c = (unsigned char)args[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return venv_error_set(VENV_EUNSAFE, "cannot write a shebang for '%s': the "
					      "interpreter's argument contains a control character",
					      python);
	}
	/* distlib: "#!" + path + "\n" within 127 bytes and no blank (SHB-01, SHB-02). */
	if (!blank && len + alen + 3 <= VENV_SHEBANG_MAX)
		return vbuf_addf(out, "#!%s%s\n", python, args);
	/*
	 * The trampoline is read by sh and by Python: sh runs the exec line,
	 * Python sees a string literal. The path sits in single quotes, where sh
	 * expands nothing (SHB-03, unlike distlib's double quotes: F4); a quote
	 * could end the quoting or form the ''' that ends Python's string, and a
	 * backslash would be an escape in Python's string (SHB-04). The kernel
	 * passes what followed the interpreter as one argument: it is one more
	 * single-quoted word, under the same rule.
	 */
	if (strchr(python, '\'') || strchr(python, '\\'))
		return venv_error_set(VENV_EUNSAFE, "cannot write console scripts for '%s': a "
				      "path that has a blank or is longer than %d bytes needs a "
				      "/bin/sh launcher, which cannot safely carry ' or \\",
				      python, VENV_SHEBANG_MAX - 3);
	while (*args == ' ' || *args == '\t')
		args++;
	if (strchr(args, '\'') || strchr(args, '\\'))
		return venv_error_set(VENV_EUNSAFE, "cannot write a shebang for '%s': the "
				      "interpreter's argument contains ' or \\, which a /bin/sh "
				      "launcher cannot safely carry", python);
	return vbuf_addf(out, "#!/bin/sh\n'''exec' '%s'%s%s%s \"$0\" \"$@\"\n' '''%s", python,
			 *args ? " '" : "", args, *args ? "'" : "",
			 (flags & VENV_SHEBANG_LINE_END) ? "\n" : "");
}

int venv_shebang_rewrite(struct vbuf *out, const char *text, size_t len, size_t header_len,
			 const char *python, const char *args)
{
	size_t was = out->len;
	int error;

	if ((error = venv_shebang_write(out, python, args, VENV_SHEBANG_LINE_END)) < 0)
		return error;
	if ((error = vbuf_add(out, text + header_len, len - header_len)) < 0)
		vbuf_setlen(out, was);
	return error;
}

size_t venv_shebang_placeholder(const char *text, size_t len)
{
	const char *nl;

	if (len < 8 || memcmp(text, "#!python", 8))
		return 0;
	nl = memchr(text, '\n', len);
	return nl ? (size_t)(nl - text) + 1 : len;
}
