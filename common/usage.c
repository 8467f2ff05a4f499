#include "compat.h"
#include <getopt.h>
#include "usage.h"
#include "optdoc.h"
#include "envdir.h"
#include "path.h"
#include "progress.h"
#include "suggest.h"

/*
 * Write the message msg on f with its control characters (C0, DEL, C1)
 * written as \xNN: a message quotes paths and names that may come from the
 * environment (a directory found by -r, a forged archive's), and a terminal
 * must not act on them, nor a line break start a forged line. Nothing else
 * changes, so that text a message already escaped (venv_str_escape) stays
 * as it is.
 */
static void put_controls_escaped(FILE *f, const char *msg)
{
	const unsigned char *p;

	for (p = (const unsigned char *)msg; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\x%02x", *p);
		else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			fprintf(f, "\\u%04x", *++p);
		else
			fputc(*p, f);
	}
}

static void report(const char *prefix, const char *fmt, va_list ap)
{
	struct vbuf msg = VBUF_INIT(VBUF_MAX_LINE);
	va_list copy;

	fprintf(stderr, "venv: %s", prefix);
	va_copy(copy, ap);
	if (vbuf_vaddf(&msg, fmt, copy) == 0)
		put_controls_escaped(stderr, msg.buf);
	else
		vfprintf(stderr, fmt, ap);
	va_end(copy);
	fputc('\n', stderr);
	vbuf_release(&msg);
}

const char *venv_cli_shown(struct vbuf *buf, const char *s)
{
	vbuf_reset(buf);
	return s && venv_str_escape(buf, s) == 0 ? buf->buf : s;
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

int venv_cli_doc_usage_error(const struct venv_cmddoc *d, const char *fmt, ...)
{
	struct vbuf msg = VBUF_INIT(VBUF_MAX_LINE);
	va_list ap;
	const char *text;
	int status;

	va_start(ap, fmt);
	text = vbuf_vaddf(&msg, fmt, ap) < 0 ? "invalid command line" : msg.buf;
	va_end(ap);
	venv_cli_print_usage(stderr, d);
	status = venv_cli_usage_error(d->name, "%s", text);
	vbuf_release(&msg);
	return status;
}

void venv_cli_parse_init(struct venv_cli_parse *p, const struct venv_cmddoc *d)
{
	size_t i, n = 0, k = 0;

	memset(p, 0, sizeof(*p));
	p->doc = d;
	/* ':' first: a missing argument is told from an unknown option. */
	p->shortopts[k++] = ':';
	for (i = 0; i < d->nopts && n < VENV_CLI_MAX_OPTS; i++) {
		const struct venv_optdoc *o = &d->opts[i];
		const char *longname = strstr(o->names, "--");
		int has_arg = !o->arg ? no_argument : o->arg[0] == '[' ? optional_argument :
			      required_argument;

		if (o->names[0] == '-' && o->names[1] != '-') {
			p->shortopts[k++] = o->names[1];
			if (has_arg != no_argument)
				p->shortopts[k++] = ':';
			if (has_arg == optional_argument)
				p->shortopts[k++] = ':';
		}
		if (longname) {
			p->longopts[n].name = longname + 2;
			p->longopts[n].has_arg = has_arg;
			p->longopts[n].val = o->val;
			n++;
		}
	}
	p->shortopts[k] = '\0';
	/* argv is the command's: its options start after its name; the messages are ours. */
	optind = 1;
	opterr = 0;
}

/*
 * An unknown short option: getopt leaves optind on its word unless it was
 * the word's last letter, so argv[optind - 1] may be the word before (the
 * command's name, or -p's argument). Name the letter, and the word it is
 * in when that holds more: "-dash" is more likely a directory than four
 * options, and a directory that starts with '-' goes after "--".
 */
static int unknown_short(const char *cmd, int opt, int argc, char **argv)
{
	const char *word = NULL;
	int i;

	/* A long option (optopt 0, or its value when given an argument it does not take). */
	if (!((opt >= 'a' && opt <= 'z') || (opt >= 'A' && opt <= 'Z') || (opt >= '0' && opt <= '9')))
		return -1;
	for (i = optind; i >= optind - 1 && !word; i--)
		if (i >= 1 && i < argc && argv[i][0] == '-' && argv[i][1] != '-' &&
		    strchr(argv[i] + 1, opt))
			word = argv[i];
	if (!word)
		return -1;
	if (strlen(word) <= 2)
		return venv_cli_usage_error(cmd, "unrecognized option '-%c'", opt);
	return venv_cli_usage_error(cmd, "unrecognized option '-%c' in '%s'; a DIR that starts "
				    "with '-' goes after '--'", opt, word);
}

int venv_cli_next_option(struct venv_cli_parse *p, int argc, char **argv)
{
	int c;

	c = getopt_long(argc, argv, p->shortopts, p->longopts, NULL);
	switch (c) {
	case -1:
		return 0;
	case 'h':
		venv_cli_print_help(stdout, p->doc);
		p->status = VENV_EXIT_OK;
		return -1;
	case ':':
		p->status = venv_cli_doc_usage_error(p->doc, "option '%s' needs an argument",
						     argv[optind - 1]);
		return -1;
	case '?':
		venv_cli_print_usage(stderr, p->doc);
		if ((p->status = unknown_short(p->doc->name, optopt, argc, argv)) < 0)
			p->status = venv_cli_unknown_option(p->doc->name, argv[optind - 1],
							    p->longopts);
		return -1;
	default:
		return c;
	}
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

int venv_cli_env_operands(const struct venv_cmddoc *d, int recursive, int *argc, char ***argv,
			  int *optind, struct vbuf *def, char **def_argv)
{
	if (*optind < *argc)
		return 0;
	/* A search needs its root named: searching the default would surprise. */
	if (recursive)
		return venv_cli_doc_usage_error(d, "-r needs a ROOT to search");
	if (venv_default_env_dir(def) < 0)
		return venv_cli_doc_usage_error(d, "%s", venv_error_last());
	def_argv[0] = def->buf;
	def_argv[1] = NULL;
	*argv = def_argv;
	*argc = 1;
	*optind = 0;
	return 0;
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

/* A redraw at most every 100 ms: a fast loop must not spend its time drawing. */
#define PROGRESS_INTERVAL_NS 100000000L

void venv_cli_progress(struct venv_progress *p, int force, const char *fmt, ...)
{
	struct vbuf text = VBUF_INIT(VBUF_MAX_LINE), out = VBUF_INIT(VBUF_MAX_LINE);
	struct timespec now;
	va_list ap;
	int error;

	if (!p->on)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!force && p->shown &&
	    (now.tv_sec - p->last.tv_sec) * 1000000000L + (now.tv_nsec - p->last.tv_nsec) <
	    PROGRESS_INTERVAL_NS)
		return;
	va_start(ap, fmt);
	error = vbuf_vaddf(&text, fmt, ap);
	va_end(ap);
	/* A line that could not be built (out of memory) is not drawn: progress is best effort. */
	if (error >= 0 && venv_progress_format(&out, p, text.buf) >= 0) {
		fwrite(out.buf, 1, out.len, stderr);
		fflush(stderr);
		p->last = now;
		/* The width written, so that it can be overwritten without escapes. */
		p->shown = text.len ? (int)text.len : 1;
	}
	vbuf_release(&text);
	vbuf_release(&out);
}

void venv_cli_progress_clear(struct venv_progress *p)
{
	struct vbuf out = VBUF_INIT(VBUF_MAX_LINE);

	if (!p->shown)
		return;
	if (venv_progress_erase(&out, p) >= 0)
		fwrite(out.buf, 1, out.len, stderr);
	fflush(stderr);
	p->shown = 0;
	vbuf_release(&out);
}

/*
 * Print `first`, then the words of text wrapped at 80 columns; continuation
 * lines are indented by `indent` columns.
 */
static void print_wrapped(FILE *f, const char *first, const char *text, size_t indent)
{
	const char *p = text;
	size_t col = strlen(first);
	int fresh = 1;

	fputs(first, f);
	for (;;) {
		size_t n;

		while (*p == ' ')
			p++;
		if (!(n = strcspn(p, " ")))
			break;
		if (!fresh && col + 1 + n > 80) {
			fprintf(f, "\n%*s", (int)indent, "");
			col = indent;
			fresh = 1;
		}
		if (!fresh) {
			fputc(' ', f);
			col++;
		}
		fwrite(p, 1, n, f);
		col += n;
		p += n;
		fresh = 0;
	}
	fputc('\n', f);
}

void venv_cli_print_usage(FILE *f, const struct venv_cmddoc *d)
{
	size_t i;

	for (i = 0; i < d->nsynopsis; i++)
		print_wrapped(f, i ? "   or: " : "usage: ", d->synopsis[i],
			      strlen("usage: venv  ") + strlen(d->name));
}

/* "  -p, --python PYTHON" and its help, laid out as Python's argparse does. */
static void print_item(FILE *f, const struct venv_optdoc *o)
{
	char names[128];

	snprintf(names, sizeof(names), "  %s%s%s", o->names,
		 o->arg && o->arg[0] != '[' ? " " : "", o->arg ? o->arg : "");
	if (strlen(names) >= 22) {
		fprintf(f, "%s\n", names);
		print_wrapped(f, "                        ", o->help, 24);
	} else {
		char first[32];

		snprintf(first, sizeof(first), "%-24s", names);
		print_wrapped(f, first, o->help, 24);
	}
}

void venv_cli_print_help(FILE *f, const struct venv_cmddoc *d)
{
	size_t i;

	venv_cli_print_usage(f, d);
	fputc('\n', f);
	print_wrapped(f, "", d->description, 0);
	if (d->nargs)
		fputs("\npositional arguments:\n", f);
	for (i = 0; i < d->nargs; i++)
		print_item(f, &d->args[i]);
	fputs("\noptions:\n", f);
	for (i = 0; i < d->nopts; i++)
		if (d->opts[i].help)
			print_item(f, &d->opts[i]);
	if (d->nexits)
		fputs("\nexit status:\n", f);
	for (i = 0; i < d->nexits; i++)
		fprintf(f, "  %s\n", d->exits[i]);
	if (d->epilog) {
		fputc('\n', f);
		print_wrapped(f, "", d->epilog, 0);
	}
}

void venv_cli_dump_options(FILE *f, const struct venv_cmddoc *d)
{
	size_t i;

	for (i = 0; i < d->nopts; i++) {
		const struct venv_optdoc *o = &d->opts[i];
		const char *longname = strstr(o->names, "--");
		int shortlen = o->names[0] == '-' && o->names[1] != '-' ? 2 : 0;

		if (!o->help)
			continue;
		fprintf(f, "option\t%s\t%.*s%s\t%s\t%s\t%s\t%s\n", d->name, shortlen,
			o->names, shortlen ? "" : "-", longname ? longname : "-",
			o->arg ? o->arg : "-",
			!o->arg ? "-" : !o->values ? "@files" : !*o->values ? "@none" : o->values,
			o->help);
	}
	for (i = 0; i < d->nargs; i++)
		fprintf(f, "arg\t%s\t%s\n", d->name, d->args[i].names);
}
