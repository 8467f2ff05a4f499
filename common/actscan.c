#include "compat.h"
#include "actscan.h"
#include "error.h"
#include "regex.h"

/* How much of an offending line a finding quotes. */
#define INJECTION_TEXT_MAX 200

int venv_act_shell_for(const char *name)
{
	if (!strcmp(name, "activate"))
		return VENV_ACT_SH;
	if (!strcmp(name, "activate.fish"))
		return VENV_ACT_FISH;
	if (!strcmp(name, "activate.csh"))
		return VENV_ACT_CSH;
	if (!strcmp(name, "activate.nu"))
		return VENV_ACT_NU;
	if (!strcmp(name, "Activate.ps1") || !strcmp(name, "activate.ps1"))
		return VENV_ACT_PWSH;
	if (!strcmp(name, "activate.xsh"))
		return VENV_ACT_XSH;
	return -1;
}

const char *venv_act_shell_name(enum venv_act_shell shell)
{
	switch (shell) {
	case VENV_ACT_SH: return "sh";
	case VENV_ACT_FISH: return "fish";
	case VENV_ACT_CSH: return "csh";
	case VENV_ACT_NU: return "nu";
	case VENV_ACT_PWSH: return "powershell";
	case VENV_ACT_XSH: return "xonsh";
	}
	return "unknown";
}

/*
 * Skip a balanced construct that starts at s[pos] == open (a "$(" has pos
 * at the parenthesis), honouring quotes and backslashes inside it. Returns
 * the position after the closing character, or len when it is unclosed.
 */
static size_t skip_balanced(const char *s, size_t len, size_t pos, char open, char close,
			    int *unterminated)
{
	int depth = 0;

	while (pos < len) {
		char c = s[pos];

		if (c == '\\') {
			pos += 2;
			continue;
		}
		if (c == '\'' && open != '\'') {
			const char *q = memchr(s + pos + 1, '\'', len - pos - 1);

			if (!q)
				break;
			pos = (size_t)(q - s) + 1;
			continue;
		}
		if (c == '"') {
			pos++;
			while (pos < len && s[pos] != '"')
				pos += s[pos] == '\\' ? 2 : 1;
			pos++;
			continue;
		}
		if (c == open) {
			depth++;
		} else if (c == close) {
			if (--depth == 0)
				return pos + 1;
		}
		pos++;
	}
	*unterminated = 1;
	return len;
}

/* sh: a "$" at s[pos]; copy the expansion verbatim and flag it. */
static int sh_dollar(struct vbuf *out, unsigned *flags, const char *s, size_t len, size_t *pos)
{
	size_t start = *pos, p = *pos + 1;
	int unterminated = 0;

	if (p >= len) {
		(*pos)++;
		return vbuf_addch(out, '$');
	}
	if (s[p] == '(') {
		*flags |= (p + 1 < len && s[p + 1] == '(') ? VENV_WORD_EXPANSION : VENV_WORD_COMMAND;
		p = skip_balanced(s, len, p, '(', ')', &unterminated);
	} else if (s[p] == '{') {
		*flags |= VENV_WORD_EXPANSION;
		p = skip_balanced(s, len, p, '{', '}', &unterminated);
	} else if (s[p] == '_' || (s[p] >= 'A' && s[p] <= 'Z') || (s[p] >= 'a' && s[p] <= 'z')) {
		*flags |= VENV_WORD_EXPANSION;
		while (p < len && (s[p] == '_' || (s[p] >= 'A' && s[p] <= 'Z') ||
				   (s[p] >= 'a' && s[p] <= 'z') || (s[p] >= '0' && s[p] <= '9')))
			p++;
	} else if (strchr("0123456789@*#?$!-", s[p])) {
		*flags |= VENV_WORD_EXPANSION;
		p++;
	} else if (s[p] == '\'') {
		/* bash's $'...' decodes escapes: not a plain literal. */
		const char *q = memchr(s + start + 2, '\'', len - start - 2);

		*flags |= VENV_WORD_EXPANSION;
		p = q ? (size_t)(q - s) + 1 : len;
		unterminated = !q;
	} else {
		(*pos)++;
		return vbuf_addch(out, '$');
	}
	if (unterminated)
		*flags |= VENV_WORD_UNTERMINATED;
	*pos = p;
	return vbuf_add(out, s + start, p - start);
}

/* A backquoted command starting at s[pos]; copied verbatim. */
static int backquote(struct vbuf *out, unsigned *flags, const char *s, size_t len, size_t *pos)
{
	size_t start = *pos, p = *pos + 1;

	*flags |= VENV_WORD_COMMAND;
	while (p < len && s[p] != '`')
		p += s[p] == '\\' ? 2 : 1;
	if (p >= len) {
		*flags |= VENV_WORD_UNTERMINATED;
		p = len;
	} else {
		p++;
	}
	*pos = p;
	return vbuf_add(out, s + start, p - start);
}

static int decode_sh(struct vbuf *out, unsigned *flags, const char *s, size_t len, size_t *pos)
{
	int error = 0;

	while (*pos < len && !error) {
		char c = s[*pos];

		if (c == ' ' || c == '\t' || strchr(";&|<>()", c))
			break;
		if (c == '\'') {
			const char *q = memchr(s + *pos + 1, '\'', len - *pos - 1);
			size_t end = q ? (size_t)(q - s) : len;

			*flags |= VENV_WORD_SQUOTED;
			error = vbuf_add(out, s + *pos + 1, end - *pos - 1);
			if (!q)
				*flags |= VENV_WORD_UNTERMINATED;
			*pos = q ? end + 1 : len;
		} else if (c == '"') {
			*flags |= VENV_WORD_DQUOTED;
			(*pos)++;
			for (;;) {
				if (*pos >= len) {
					*flags |= VENV_WORD_UNTERMINATED;
					break;
				}
				c = s[*pos];
				if (c == '"') {
					(*pos)++;
					break;
				}
				if (c == '\\' && *pos + 1 < len && strchr("$`\"\\", s[*pos + 1])) {
					error = vbuf_addch(out, s[*pos + 1]);
					*pos += 2;
				} else if (c == '$') {
					error = sh_dollar(out, flags, s, len, pos);
				} else if (c == '`') {
					error = backquote(out, flags, s, len, pos);
				} else {
					error = vbuf_addch(out, c);
					(*pos)++;
				}
				if (error)
					break;
			}
		} else if (c == '\\') {
			*flags |= VENV_WORD_BARE;
			if (*pos + 1 < len)
				error = vbuf_addch(out, s[*pos + 1]);
			*pos += 2;
		} else if (c == '$') {
			error = sh_dollar(out, flags, s, len, pos);
		} else if (c == '`') {
			error = backquote(out, flags, s, len, pos);
		} else {
			*flags |= VENV_WORD_BARE;
			if (c == '*' || c == '?' || c == '[' || (c == '~' && !out->len))
				*flags |= VENV_WORD_EXPANSION;
			error = vbuf_addch(out, c);
			(*pos)++;
		}
	}
	if (*pos > len)
		*pos = len;
	return error;
}

static int decode_fish(struct vbuf *out, unsigned *flags, const char *s, size_t len, size_t *pos)
{
	int error = 0, unterminated = 0;

	while (*pos < len && !error) {
		char c = s[*pos];

		if (c == ' ' || c == '\t' || c == ';' || c == '|' || c == '&')
			break;
		if (c == '\'') {
			*flags |= VENV_WORD_SQUOTED;
			(*pos)++;
			for (;;) {
				if (*pos >= len) {
					*flags |= VENV_WORD_UNTERMINATED;
					break;
				}
				c = s[*pos];
				if (c == '\'') {
					(*pos)++;
					break;
				}
				/* Only \\ and \' are escapes inside fish single quotes. */
				if (c == '\\' && *pos + 1 < len && (s[*pos + 1] == '\\' || s[*pos + 1] == '\'')) {
					error = vbuf_addch(out, s[*pos + 1]);
					*pos += 2;
				} else {
					error = vbuf_addch(out, c);
					(*pos)++;
				}
				if (error)
					break;
			}
		} else if (c == '"') {
			*flags |= VENV_WORD_DQUOTED;
			(*pos)++;
			for (;;) {
				if (*pos >= len) {
					*flags |= VENV_WORD_UNTERMINATED;
					break;
				}
				c = s[*pos];
				if (c == '"') {
					(*pos)++;
					break;
				}
				if (c == '\\' && *pos + 1 < len && strchr("\\\"$", s[*pos + 1])) {
					error = vbuf_addch(out, s[*pos + 1]);
					*pos += 2;
				} else if (c == '$' && *pos + 1 < len && s[*pos + 1] == '(') {
					size_t start = *pos;

					*flags |= VENV_WORD_COMMAND;
					*pos = skip_balanced(s, len, *pos + 1, '(', ')', &unterminated);
					error = vbuf_add(out, s + start, *pos - start);
				} else if (c == '$') {
					*flags |= VENV_WORD_EXPANSION;
					error = vbuf_addch(out, c);
					(*pos)++;
				} else {
					error = vbuf_addch(out, c);
					(*pos)++;
				}
				if (error)
					break;
			}
		} else if (c == '\\') {
			*flags |= VENV_WORD_BARE;
			if (*pos + 1 < len)
				error = vbuf_addch(out, s[*pos + 1]);
			*pos += 2;
		} else if (c == '(' || (c == '$' && *pos + 1 < len && s[*pos + 1] == '(')) {
			size_t start = *pos;

			*flags |= VENV_WORD_COMMAND;
			*pos = skip_balanced(s, len, c == '$' ? *pos + 1 : *pos, '(', ')', &unterminated);
			error = vbuf_add(out, s + start, *pos - start);
		} else {
			*flags |= VENV_WORD_BARE;
			if (c == '$' || c == '*' || c == '?' || c == '{' || (c == '~' && !out->len))
				*flags |= VENV_WORD_EXPANSION;
			error = vbuf_addch(out, c);
			(*pos)++;
		}
	}
	if (unterminated)
		*flags |= VENV_WORD_UNTERMINATED;
	if (*pos > len)
		*pos = len;
	return error;
}

static int decode_csh(struct vbuf *out, unsigned *flags, const char *s, size_t len, size_t *pos)
{
	int error = 0;

	while (*pos < len && !error) {
		char c = s[*pos];

		if (c == ' ' || c == '\t' || strchr(";&|<>()", c))
			break;
		if (c == '\'' || c == '"') {
			char q = c;

			*flags |= q == '\'' ? VENV_WORD_SQUOTED : VENV_WORD_DQUOTED;
			(*pos)++;
			for (;;) {
				if (*pos >= len) {
					*flags |= VENV_WORD_UNTERMINATED;
					break;
				}
				c = s[*pos];
				if (c == q) {
					(*pos)++;
					break;
				}
				/* History expansion happens even inside quotes, unless escaped. */
				if (c == '\\' && *pos + 1 < len && s[*pos + 1] == '!') {
					error = vbuf_addch(out, '!');
					*pos += 2;
				} else if (c == '!') {
					*flags |= VENV_WORD_HISTORY;
					error = vbuf_addch(out, c);
					(*pos)++;
				} else if (q == '"' && c == '$') {
					*flags |= VENV_WORD_EXPANSION;
					error = vbuf_addch(out, c);
					(*pos)++;
				} else if (q == '"' && c == '`') {
					error = backquote(out, flags, s, len, pos);
				} else {
					error = vbuf_addch(out, c);
					(*pos)++;
				}
				if (error)
					break;
			}
		} else if (c == '\\') {
			*flags |= VENV_WORD_BARE;
			if (*pos + 1 < len)
				error = vbuf_addch(out, s[*pos + 1]);
			*pos += 2;
		} else if (c == '`') {
			error = backquote(out, flags, s, len, pos);
		} else {
			*flags |= VENV_WORD_BARE;
			if (c == '!')
				*flags |= VENV_WORD_HISTORY;
			else if (c == '$' || c == '*' || c == '?' || c == '[' || c == '{' ||
				 (c == '~' && !out->len))
				*flags |= VENV_WORD_EXPANSION;
			error = vbuf_addch(out, c);
			(*pos)++;
		}
	}
	if (*pos > len)
		*pos = len;
	return error;
}

/*
 * A bare word of nu or PowerShell, up to a blank or ';': `$` marks an
 * expansion, `(` a command.
 */
static int decode_bare_word(struct vbuf *out, unsigned *flags, const char *s, size_t len,
			    size_t p, size_t *pos)
{
	int error = 0;

	while (p < len && s[p] != ' ' && s[p] != '\t' && s[p] != ';' && !error) {
		*flags |= VENV_WORD_BARE;
		if (s[p] == '$')
			*flags |= VENV_WORD_EXPANSION;
		else if (s[p] == '(')
			*flags |= VENV_WORD_COMMAND;
		error = vbuf_addch(out, s[p]);
		p++;
	}
	*pos = p;
	return error;
}

static int decode_nu(struct vbuf *out, unsigned *flags, const char *s, size_t len, size_t *pos)
{
	size_t p = *pos;
	int error = 0;

	if (p < len && s[p] == 'r' && p + 1 < len && (s[p + 1] == '#' || s[p + 1] == '\'')) {
		/* r#'...'#: ends at a quote followed by as many hashes as opened it. */
		size_t hashes = 0, i;

		p++;
		while (p < len && s[p] == '#') {
			hashes++;
			p++;
		}
		if (p >= len || s[p] != '\'') {
			*flags |= VENV_WORD_UNTERMINATED;
			*pos = len;
			return 0;
		}
		p++;
		*flags |= VENV_WORD_SQUOTED;
		for (i = p; i < len; i++) {
			size_t k = 0;

			if (s[i] != '\'')
				continue;
			while (k < hashes && i + 1 + k < len && s[i + 1 + k] == '#')
				k++;
			if (k == hashes) {
				error = vbuf_add(out, s + p, i - p);
				*pos = i + 1 + hashes;
				return error;
			}
		}
		*flags |= VENV_WORD_UNTERMINATED;
		*pos = len;
		return vbuf_add(out, s + p, len - p);
	}
	if (p < len && (s[p] == '\'' || s[p] == '`')) {
		const char *q = memchr(s + p + 1, s[p], len - p - 1);
		size_t end = q ? (size_t)(q - s) : len;

		*flags |= VENV_WORD_SQUOTED;
		if (!q)
			*flags |= VENV_WORD_UNTERMINATED;
		error = vbuf_add(out, s + p + 1, end - p - 1);
		*pos = q ? end + 1 : len;
		return error;
	}
	if (p < len && (s[p] == '"' || (s[p] == '$' && p + 1 < len && (s[p + 1] == '"' || s[p + 1] == '\'')))) {
		int interp = s[p] == '$';
		char q;

		if (interp)
			p++;
		q = s[p++];
		*flags |= VENV_WORD_DQUOTED;
		while (p < len && s[p] != q && !error) {
			if (interp && s[p] == '(') {
				*flags |= VENV_WORD_COMMAND;
			}
			if (q == '"' && s[p] == '\\' && p + 1 < len) {
				char e = s[p + 1];

				error = vbuf_addch(out, e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e);
				p += 2;
				continue;
			}
			error = vbuf_addch(out, s[p]);
			p++;
		}
		if (p >= len)
			*flags |= VENV_WORD_UNTERMINATED;
		*pos = p < len ? p + 1 : len;
		return error;
	}
	/* A bare word: a variable, a command, or a plain string. */
	return decode_bare_word(out, flags, s, len, p, pos);
}

/* PowerShell: ' and the typographic quotes U+2018..U+201B all delimit single-quoted strings. */
static size_t pwsh_squote_len(const char *s, size_t len, size_t p)
{
	const unsigned char *u = (const unsigned char *)s;

	if (p < len && s[p] == '\'')
		return 1;
	if (p + 2 < len && u[p] == 0xe2 && u[p + 1] == 0x80 && u[p + 2] >= 0x98 && u[p + 2] <= 0x9b)
		return 3;
	return 0;
}

static int decode_pwsh(struct vbuf *out, unsigned *flags, const char *s, size_t len, size_t *pos)
{
	size_t p = *pos, q;
	int error = 0;

	if ((q = pwsh_squote_len(s, len, p))) {
		*flags |= VENV_WORD_SQUOTED;
		p += q;
		for (;;) {
			size_t k;

			if (p >= len) {
				*flags |= VENV_WORD_UNTERMINATED;
				break;
			}
			if ((k = pwsh_squote_len(s, len, p))) {
				size_t k2 = pwsh_squote_len(s, len, p + k);

				if (k2) {
					/* A doubled quote stands for one. */
					error = vbuf_add(out, s + p, k);
					p += k + k2;
					if (error)
						break;
					continue;
				}
				p += k;
				break;
			}
			if ((error = vbuf_addch(out, s[p])) < 0)
				break;
			p++;
		}
		*pos = p;
		return error;
	}
	if (p < len && s[p] == '"') {
		*flags |= VENV_WORD_DQUOTED;
		p++;
		while (p < len && s[p] != '"' && !error) {
			if (s[p] == '`' && p + 1 < len) {
				error = vbuf_addch(out, s[p + 1]);
				p += 2;
				continue;
			}
			if (s[p] == '$' && p + 1 < len && s[p + 1] == '(')
				*flags |= VENV_WORD_COMMAND;
			else if (s[p] == '$' && p + 1 < len &&
				 (s[p + 1] == '{' || s[p + 1] == '_' || s[p + 1] == ':' ||
				  (s[p + 1] >= 'A' && s[p + 1] <= 'Z') || (s[p + 1] >= 'a' && s[p + 1] <= 'z')))
				*flags |= VENV_WORD_EXPANSION;
			error = vbuf_addch(out, s[p]);
			p++;
		}
		if (p >= len)
			*flags |= VENV_WORD_UNTERMINATED;
		*pos = p < len ? p + 1 : len;
		return error;
	}
	/* A bare word: a variable, a command, or a plain string. */
	return decode_bare_word(out, flags, s, len, p, pos);
}

static int decode_xsh(struct vbuf *out, unsigned *flags, const char *s, size_t len, size_t *pos)
{
	size_t p = *pos;
	int raw = 0, error = 0;
	char q;

	if (p < len && (s[p] == 'r' || s[p] == 'R')) {
		raw = 1;
		p++;
	}
	if (p >= len || (s[p] != '"' && s[p] != '\'')) {
		/* Not a string literal: a Python expression. */
		*flags |= VENV_WORD_EXPANSION | VENV_WORD_BARE;
		error = vbuf_add(out, s + *pos, len - *pos);
		*pos = len;
		return error;
	}
	q = s[p++];
	*flags |= q == '\'' ? VENV_WORD_SQUOTED : VENV_WORD_DQUOTED;
	while (p < len && s[p] != q && !error) {
		if (s[p] == '\\' && p + 1 < len) {
			if (raw) {
				error = vbuf_add(out, s + p, 2);
			} else {
				char e = s[p + 1];

				error = vbuf_addch(out, e == 'n' ? '\n' : e == 't' ? '\t' : e);
			}
			p += 2;
			continue;
		}
		error = vbuf_addch(out, s[p]);
		p++;
	}
	if (p >= len)
		*flags |= VENV_WORD_UNTERMINATED;
	*pos = p < len ? p + 1 : len;
	return error;
}

int venv_word_decode(struct vbuf *out, unsigned *flags, enum venv_act_shell shell,
		     const char *s, size_t len, size_t *used)
{
	size_t pos = 0;
	int error;

	*flags = 0;
	vbuf_reset(out);
	switch (shell) {
	case VENV_ACT_SH: error = decode_sh(out, flags, s, len, &pos); break;
	case VENV_ACT_FISH: error = decode_fish(out, flags, s, len, &pos); break;
	case VENV_ACT_CSH: error = decode_csh(out, flags, s, len, &pos); break;
	case VENV_ACT_NU: error = decode_nu(out, flags, s, len, &pos); break;
	case VENV_ACT_PWSH: error = decode_pwsh(out, flags, s, len, &pos); break;
	case VENV_ACT_XSH: error = decode_xsh(out, flags, s, len, &pos); break;
	default: return venv_error_set(VENV_EINVAL, "unknown shell");
	}
	if (error < 0)
		return error;
	if (pos == 0)
		*flags |= VENV_WORD_EMPTY;
	*used = pos;
	/* What may follow the word: blanks, one ';', and a comment. */
	while (pos < len && (s[pos] == ' ' || s[pos] == '\t' || s[pos] == '\r'))
		pos++;
	if (pos < len && s[pos] == ';') {
		pos++;
		while (pos < len && (s[pos] == ' ' || s[pos] == '\t' || s[pos] == '\r'))
			pos++;
	}
	if (pos < len && s[pos] != '#')
		*flags |= VENV_WORD_TRAILING;
	return 0;
}

static unsigned line_of(const char *buf, size_t off, size_t *cache_off, unsigned *cache_line)
{
	size_t i;

	/* Matches come in increasing order: count only the new part. */
	for (i = *cache_off; i < off; i++)
		if (buf[i] == '\n')
			(*cache_line)++;
	*cache_off = off;
	return *cache_line;
}

static int set_injection(struct venv_activation *a, unsigned line, const char *text, size_t n)
{
	if (a->injection)
		return 0;
	a->injection = 1;
	a->injection_line = line;
	if (n > INJECTION_TEXT_MAX)
		n = INJECTION_TEXT_MAX;
	a->injection_text = malloc(n + 1);
	if (!a->injection_text)
		return venv_error_set(VENV_ENOMEM, "out of memory");
	memcpy(a->injection_text, text, n);
	a->injection_text[n] = '\0';
	return 0;
}

static int refers_to_self(const char *s, size_t n)
{
	struct venv_re_match m;

	return venv_re_match(VENV_RE_SH_SELF, s, n, 0, &m) == 1;
}

static int scan_prompts(struct venv_activation *a, const char *buf, size_t len)
{
	struct vbuf word = VBUF_INIT(VBUF_MAX_LINE);
	struct venv_re_match m;
	size_t off = 0, cache_off = 0;
	unsigned cache_line = 1;
	int rc, error = 0;

	while (off <= len && (rc = venv_re_match(VENV_RE_SH_PS1, buf, len, off, &m)) == 1) {
		const char *rhs = buf + m.group_start[0];
		size_t n = m.group_end[0] - m.group_start[0], used;
		unsigned flags, line = line_of(buf, m.start, &cache_off, &cache_line);

		off = m.end > m.start ? m.end : m.start + 1;
		if (n > VBUF_MAX_LINE)
			continue;
		if ((error = venv_word_decode(&word, &flags, VENV_ACT_SH, rhs, n, &used)) < 0)
			goto done;
		/*
		 * Commands that derive the prompt from $VIRTUAL_ENV are the
		 * template's own (CPython 3.8); others came in with the prompt.
		 */
		if ((flags & VENV_WORD_COMMAND) && !memmem(rhs, n, "VIRTUAL_ENV", 11)) {
			if ((error = set_injection(a, line, rhs, n)) < 0)
				goto done;
		} else if (!(flags & VENV_WORD_COMMAND) && !a->prompt_expansion &&
			   (strstr(word.buf, "$(") || strchr(word.buf, '`'))) {
			a->prompt_expansion = 1;
			a->prompt_line = line;
		}
	}
	if (rc < 0)
		error = rc;
done:
	vbuf_release(&word);
	return error;
}

static enum venv_re_id pattern_for(enum venv_act_shell shell)
{
	switch (shell) {
	case VENV_ACT_FISH: return VENV_RE_FISH_VENV;
	case VENV_ACT_CSH: return VENV_RE_CSH_VENV;
	case VENV_ACT_NU: return VENV_RE_NU_VENV;
	case VENV_ACT_PWSH: return VENV_RE_PWSH_VENV;
	case VENV_ACT_XSH: return VENV_RE_XSH_VENV;
	case VENV_ACT_SH: break;
	}
	return VENV_RE_SH_VENV;
}

static int scan_guard(struct venv_activation *a, const char *buf, size_t len)
{
	struct vbuf word = VBUF_INIT(VBUF_MAX_LINE);
	struct venv_re_match m;
	size_t off = 0;
	int rc, error = 0;

	while (off <= len && (rc = venv_re_match(VENV_RE_SH_GUARD, buf, len, off, &m)) == 1) {
		size_t n = m.group_end[0] - m.group_start[0], used;
		unsigned flags;

		off = m.end > m.start ? m.end : m.start + 1;
		if ((error = venv_word_decode(&word, &flags, VENV_ACT_SH, buf + m.group_start[0], n,
					      &used)) < 0)
			goto done;
		if (!(flags & (VENV_WORD_COMMAND | VENV_WORD_EXPANSION)) && !strcmp(word.buf, a->path) &&
		    refers_to_self(buf, len)) {
			a->fallback = 1;
			break;
		}
	}
	if (rc < 0)
		error = rc;
done:
	vbuf_release(&word);
	return error;
}

int venv_actscan(struct venv_activation *a, enum venv_act_shell shell, const char *buf, size_t len)
{
	struct vbuf word = VBUF_INIT(VBUF_MAX_LINE);
	struct venv_re_match m;
	enum venv_re_id re = pattern_for(shell);
	size_t off = 0, cache_off = 0;
	unsigned cache_line = 1;
	int rc, error = 0, dynamic = 0, self = 0, script_self = -1;

	while (off <= len && (rc = venv_re_match(re, buf, len, off, &m)) == 1) {
		const char *rhs = buf + m.group_start[0];
		size_t n = m.group_end[0] - m.group_start[0], used;
		unsigned flags, line = line_of(buf, m.start, &cache_off, &cache_line);

		off = m.end > m.start ? m.end : m.start + 1;
		while (n && (rhs[n - 1] == '\r' || rhs[n - 1] == ' ' || rhs[n - 1] == '\t'))
			n--;
		/* The Cygwin branches of CPython, virtualenv and uv: the same path through cygpath. */
		if (memmem(rhs, n, "cygpath", 7))
			continue;
		if (n > VBUF_MAX_LINE) {
			error = venv_error_set(VENV_ETOOBIG, "line %u is too long", line);
			goto done;
		}
		if ((error = venv_word_decode(&word, &flags, shell, rhs, n, &used)) < 0)
			goto done;
		if (flags & (VENV_WORD_COMMAND | VENV_WORD_EXPANSION | VENV_WORD_HISTORY)) {
			/*
			 * Finding itself: the value names the script (BASH_SOURCE, $0), or
			 * resolves a directory computed from it earlier (virtualenv).
			 */
			if (script_self < 0)
				script_self = refers_to_self(buf, len);
			if (refers_to_self(rhs, n) ||
			    (script_self && (memmem(rhs, n, "realpath", 8) || memmem(rhs, n, "dirname", 7)))) {
				self = 1;
			} else if (shell == VENV_ACT_PWSH || shell == VENV_ACT_XSH || shell == VENV_ACT_NU) {
				/* These compute the path from variables set earlier. */
				dynamic = 1;
			} else {
				dynamic = 1;
				if ((error = set_injection(a, line, rhs, n)) < 0)
					goto done;
			}
			continue;
		}
		if ((flags & VENV_WORD_EMPTY) && !(flags & VENV_WORD_TRAILING))
			continue;
		if (flags & (VENV_WORD_UNTERMINATED | VENV_WORD_TRAILING | VENV_WORD_EMPTY)) {
			if ((error = set_injection(a, line, rhs, n)) < 0)
				goto done;
			continue;
		}
		if (a->kind != VENV_ACT_LITERAL) {
			a->kind = VENV_ACT_LITERAL;
			a->path = strdup(word.buf);
			if (!a->path) {
				error = venv_error_set(VENV_ENOMEM, "out of memory");
				goto done;
			}
			a->line = line;
			a->word_flags = flags;
			/* The whole value in double quotes: the placeholder was pasted raw. */
			if ((shell == VENV_ACT_SH || shell == VENV_ACT_FISH || shell == VENV_ACT_CSH) &&
			    (flags & VENV_WORD_DQUOTED) && !(flags & (VENV_WORD_SQUOTED | VENV_WORD_BARE)))
				a->unquoted_template = 1;
		}
	}
	if (rc < 0) {
		error = rc;
		goto done;
	}
	if (a->kind != VENV_ACT_LITERAL)
		a->kind = self ? VENV_ACT_SELF : !dynamic ? VENV_ACT_NONE :
			  refers_to_self(buf, len) ? VENV_ACT_SELF : VENV_ACT_DYNAMIC;
	if (shell == VENV_ACT_SH) {
		if (a->kind == VENV_ACT_LITERAL && (error = scan_guard(a, buf, len)) < 0)
			goto done;
		error = scan_prompts(a, buf, len);
	}
done:
	vbuf_release(&word);
	return error;
}

void venv_activation_release(struct venv_activation *a)
{
	free(a->path);
	free(a->injection_text);
	memset(a, 0, sizeof(*a));
}
