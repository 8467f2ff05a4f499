#include "compat.h"
#include "actscan.h"
#include "error.h"
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
	sb->interpreter = dup_n(window + name_start, name_end - name_start);
	if (!sb->interpreter)
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
	memset(sb, 0, sizeof(*sb));
}
