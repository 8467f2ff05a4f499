#include "compat.h"
#include <getopt.h>
#include "usage.h"
#include "suggest.h"

static void report(const char *prefix, const char *fmt, va_list ap)
{
	fprintf(stderr, "venv: %s", prefix);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

int venv_cli_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report("error: ", fmt, ap);
	va_end(ap);
	return VENV_EXIT_FAILURE;
}

int venv_cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report("error: ", fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try 'venv %s%s--help' for more information.\n", cmd ? cmd : "",
		cmd ? " " : "");
	return VENV_EXIT_ERROR;
}

int venv_cli_unknown_option(const char *cmd, const char *arg, const struct option *opts)
{
	struct venv_suggest s;
	char word[80];
	const char *name = arg, *hint;
	size_t n;

	while (*name == '-')
		name++;
	n = strcspn(name, "=");
	if (n >= sizeof(word))
		n = 0;
	memcpy(word, name, n);
	word[n] = '\0';
	venv_suggest_init(&s, word);
	for (; opts && opts->name; opts++)
		venv_suggest_consider(&s, opts->name);
	if (n && (hint = venv_suggest_result(&s)) != NULL)
		return venv_cli_usage_error(cmd, "unrecognized option '%s'; did you mean '--%s'?",
					    arg, hint);
	return venv_cli_usage_error(cmd, "unrecognized option '%s'", arg);
}

void venv_cli_warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report("warning: ", fmt, ap);
	va_end(ap);
}

void venv_cli_note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report("", fmt, ap);
	va_end(ap);
}

int venv_cli_finish(int status)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "venv: error: cannot write to standard output: %s\n",
			strerror(errno));
		return status ? status : VENV_EXIT_ERROR;
	}
	return status;
}

int venv_cli_use_color(int fd)
{
	const char *term = getenv("TERM");
	const char *no = getenv("NO_COLOR");

	if (no && *no)
		return 0;
	if (term && !strcmp(term, "dumb"))
		return 0;
	return isatty(fd);
}
