/*
 * venv: create, inspect and repair Python virtual environments.
 *
 * This file only dispatches: it handles the global options, looks the
 * subcommand up in commands[] and hands it its arguments.
 */
#include "compat.h"
#include <getopt.h>
#include <signal.h>
#include "common/cmd.h"
#include "common/optdoc.h"
#include "common/suggest.h"
#include "common/usage.h"
#include "common/venv.h"

struct venv_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
	const struct venv_cmddoc *doc;   /* its options (common/optdoc.h), or NULL */
};

static int cmd_help(int argc, char **argv);

static const struct venv_cmd commands[] = {
	{ "check", cmd_check, "find broken, moved and upgraded environments without running them", &venv_check_doc },
	{ "create", cmd_create, "create virtual environments (a drop-in for python -m venv)", &venv_create_doc },
	{ "help", cmd_help, "show help for venv or one of its commands", NULL },
	{ "list", cmd_list, "list the distributions installed in environments, or an SBOM", &venv_list_doc },
	{ "repair", cmd_repair, "fix environments in place after a move or a Python upgrade", &venv_repair_doc },
	{ "restore", cmd_restore, "put back an environment archived by 'venv repair --archive'", &venv_restore_doc },
};

static const struct venv_cmd *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < VENV_ARRAY_SIZE(commands); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

/* The global options: only main() reads them, but they feed did-you-mean. */
static const struct option global_options[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

/* "'crate' is not a venv command", with the closest command if one is close. */
static int unknown_command(const char *name)
{
	struct venv_suggest s;
	const char *hint;
	size_t i;

	venv_suggest_init(&s, name);
	for (i = 0; i < VENV_ARRAY_SIZE(commands); i++)
		venv_suggest_consider(&s, commands[i].name);
	if ((hint = venv_suggest_result(&s)) != NULL)
		return venv_cli_usage_error(NULL, "'%s' is not a venv command; did you mean '%s'?",
					    name, hint);
	return venv_cli_usage_error(NULL, "'%s' is not a venv command; see 'venv help'", name);
}

static void print_usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: venv [-h] [-V] COMMAND [ARGS...]\n\n"
		   "Create, inspect and repair Python virtual environments.\n\n"
		   "commands:\n");
	for (i = 0; i < VENV_ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nRun 'venv COMMAND --help' for the options of a command, "
		   "or see venv(1).\n");
}

static int cmd_help(int argc, char **argv)
{
	const struct venv_cmd *cmd;
	char *sub[3];
	const char *name = argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ?
			   "help" : argv[1];

	if (!(cmd = find_command(name)))
		return unknown_command(name);
	/* venv help, help -h and help help: the list of commands, help among them. */
	if (cmd->fn == cmd_help) {
		print_usage(stdout);
		return 0;
	}
	sub[0] = argv[1];
	sub[1] = "--help";
	sub[2] = NULL;
	return cmd->fn(2, sub);
}

/*
 * venv --dump-options (not in --help: it is for tools): the commands and
 * every option of every command, one a line, tab-separated, from the same
 * tables as --help. templates/completions.sh makes the shell completions
 * from it.
 *   command NAME SUMMARY
 *   option  CMD SHORT LONG ARG VALUES HELP     (see venv_cli_dump_options)
 *   arg     CMD NAME                           (a positional argument)
 */
static int dump_options(void)
{
	size_t i;

	for (i = 0; i < VENV_ARRAY_SIZE(commands); i++)
		printf("command\t%s\t%s\n", commands[i].name, commands[i].summary);
	for (i = 0; i < VENV_ARRAY_SIZE(commands); i++)
		if (commands[i].doc)
			venv_cli_dump_options(stdout, commands[i].doc);
	return 0;
}

int main(int argc, char **argv)
{
	const struct venv_cmd *cmd;

	/* A closed pipe is reported by venv_cli_finish(), not by a silent death. */
	signal(SIGPIPE, SIG_IGN);
	if (argc < 2) {
		print_usage(stderr);
		return VENV_EXIT_ERROR;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
		return venv_cli_finish((print_usage(stdout), 0));
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V") ||
	    !strcmp(argv[1], "version")) {
		printf("venv %s\n", VENV_VERSION_STRING);
		return venv_cli_finish(0);
	}
	if (!strcmp(argv[1], "--dump-options"))
		return venv_cli_finish(dump_options());
	if (argv[1][0] == '-')
		return venv_cli_unknown_option(NULL, argv[1], global_options);
	if (!(cmd = find_command(argv[1])))
		return unknown_command(argv[1]);
	return venv_cli_finish(cmd->fn(argc - 1, argv + 1));
}
