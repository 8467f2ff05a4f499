#ifndef VENV_CMD_H
#define VENV_CMD_H

/*
 * The subcommands of venv. To add one:
 *  1. write `int cmd_NAME(int argc, char **argv)` in DIR/cmd_NAME.c; argv[0]
 *     is the command's name, the return value is the exit status, and it
 *     must accept -h/--help;
 *  2. declare it here;
 *  3. add a row to `commands[]` in venv.c (the summary feeds `venv help`);
 *  4. add the object to CLI_OBJS in the Makefile;
 *  5. write man/venv-NAME.1 with a SYNOPSIS that matches --help (a test
 *     checks this) and tests in tests/cli/.
 */
int cmd_create(int argc, char **argv);

/* Each command's command line (common/optdoc.h), in the file of the command. */
struct venv_cmddoc;
extern const struct venv_cmddoc venv_create_doc, venv_check_doc, venv_repair_doc,
	venv_list_doc, venv_restore_doc;

int cmd_check(int argc, char **argv);
int cmd_repair(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_restore(int argc, char **argv);

#endif
