/*
 * Test helper: run the fast pip installer on given wheels, as the builder
 * would for an environment at ENV_DIR, without an interpreter.
 *
 *   wheel-install ENV_DIR MINOR WHEEL...
 *
 * The environment's layout is bin/, lib/python3.MINOR/site-packages and
 * bin/python3.MINOR as the interpreter named in console scripts. Exit
 * status 0 on success, 1 on failure (message on stderr), 3 when the
 * installer asks for the ensurepip fallback (VENV_ENOTFOUND).
 */
#include "compat.h"
#include "venv.h"
#include "pip.h"

static void log_cb(void *payload, enum venv_log_level level, const char *msg)
{
	(void)payload;
	fprintf(stderr, "%s: %s\n", level == VENV_LOG_WARNING ? "warning" : "note", msg);
}

static char *join(const char *dir, const char *rel, int minor)
{
	char buf[8192];

	if (minor >= 0)
		snprintf(buf, sizeof(buf), "%s/%s%d%s", dir, rel, minor,
			 rel[0] == 'l' ? "/site-packages" : "");
	else
		snprintf(buf, sizeof(buf), "%s/%s", dir, rel);
	return strdup(buf);
}

int main(int argc, char **argv)
{
	struct venv_context ctx;
	struct venv_pyinfo info;
	int minor, error;

	if (argc < 4) {
		fprintf(stderr, "usage: wheel-install ENV_DIR MINOR WHEEL...\n");
		return 2;
	}
	minor = atoi(argv[2]);
	memset(&ctx, 0, sizeof(ctx));
	memset(&info, 0, sizeof(info));
	info.major = 3;
	info.minor = minor;
	info.invoked = argv[0];
	info.wheels = argv + 3;
	info.nwheels = (size_t)(argc - 3);
	ctx.info = &info;
	ctx.env_dir = argv[1];
	ctx.lib_path = join(argv[1], "lib/python3.", minor);
	ctx.platlib_path = join(argv[1], "lib/python3.", minor);
	ctx.bin_path = join(argv[1], "bin", -1);
	ctx.env_exe = join(argv[1], "bin/python3.", minor);
	error = venv_pip_install_fast(&ctx, log_cb, NULL);
	if (error < 0)
		fprintf(stderr, "wheel-install: %s\n", venv_error_last());
	free(ctx.lib_path);
	free(ctx.platlib_path);
	free(ctx.bin_path);
	free(ctx.env_exe);
	return error == 0 ? 0 : error == VENV_ENOTFOUND ? 3 : 1;
}
