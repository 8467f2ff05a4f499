/*
 * An example of extending libvenv's builder, after the ExtendedEnvBuilder
 * of CPython's venv documentation: it replaces post_setup with a step that
 * first runs the default and then adds a module to the new environment's
 * site-packages, reporting progress as it goes.
 *
 *   extended_builder [--fail] [--scripts DIR] [-p PYTHON] ENV_DIR
 *
 * --fail makes post_setup fail, to show that a new environment that cannot
 * be finished is removed. --scripts DIR also installs the script templates
 * of DIR (its `common` and `posix` folders) after the default scripts, the
 * way an EnvBuilder subclass calls install_scripts().
 */
#include <stdio.h>
#include <string.h>
#include <venv/venv.h>

struct extended {
	int fail;
	int steps;
	const char *scripts;
};

static int extended_setup_scripts(struct venv_builder *b, struct venv_context *ctx)
{
	struct extended *ext = b->payload;
	int error;

	if ((error = venv_default_setup_scripts(b, ctx)) < 0)
		return error;
	return ext->scripts ? venv_install_scripts(b, ctx, ext->scripts) : 0;
}

static int extended_post_setup(struct venv_builder *b, struct venv_context *ctx)
{
	struct extended *ext = b->payload;
	struct vbuf path = VBUF_INIT(4096);
	FILE *f;
	int error;

	/* An override can still run the default step. */
	if ((error = venv_default_post_setup(b, ctx)) < 0)
		return error;
	ext->steps++;
	if (ext->fail)
		return venv_error_set(VENV_ERROR, "post_setup was asked to fail");
	if ((error = vbuf_addf(&path, "%s/extended_hello.py", ctx->lib_path)) < 0)
		return error;
	f = fopen(path.buf, "w");
	if (!f) {
		error = venv_error_set_errno(VENV_EIO, "cannot create '%s'", path.buf);
		goto done;
	}
	fprintf(f, "GREETING = 'hello from post_setup in %s'\n", ctx->env_name);
	if (fclose(f) != 0) {
		error = venv_error_set_errno(VENV_EIO, "cannot write '%s'", path.buf);
		goto done;
	}
	printf("post_setup: added %s\n", path.buf);
done:
	vbuf_release(&path);
	return error;
}

static void log_to_stdout(void *payload, enum venv_log_level level, const char *msg)
{
	(void)payload;
	if (level != VENV_LOG_DEBUG)
		printf("%s\n", msg);
}

int main(int argc, char **argv)
{
	struct extended ext = { 0, 0, NULL };
	struct venv_builder b;
	struct vbuf python = VBUF_INIT(4096);
	const char *spec = NULL, *dir = NULL;
	int i, status = 0;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--fail"))
			ext.fail = 1;
		else if (!strcmp(argv[i], "--scripts") && i + 1 < argc)
			ext.scripts = argv[++i];
		else if (!strcmp(argv[i], "-p") && i + 1 < argc)
			spec = argv[++i];
		else
			dir = argv[i];
	}
	if (!dir) {
		fprintf(stderr, "usage: extended_builder [--fail] [--scripts DIR] [-p PYTHON] ENV_DIR\n");
		return 2;
	}
	venv_builder_init(&b);
	/* EnvBuilder's API defaults are copies and no pip; choose like the CLI. */
	b.symlinks = 1;
	b.ops.post_setup = extended_post_setup;
	b.ops.setup_scripts = extended_setup_scripts;
	b.log = log_to_stdout;
	b.payload = &ext;
	if (venv_python_find(&python, spec) < 0) {
		fprintf(stderr, "extended_builder: %s\n", venv_error_last());
		status = 1;
		goto done;
	}
	b.python = python.buf;
	if (venv_builder_create(&b, dir) < 0) {
		fprintf(stderr, "extended_builder: %s\n", venv_error_last());
		status = 1;
		goto done;
	}
	printf("created %s (post_setup ran %d time)\n", dir, ext.steps);
done:
	venv_builder_release(&b);
	vbuf_release(&python);
	return status;
}
