/*
 * The environment a command means when given no directory, and the
 * environments directly below a project directory.
 */
#include "compat.h"
#include "envdir.h"
#include "error.h"
#include "path.h"

/* The names `python -m venv` users give a project's environment, most usual first. */
static const char *const project_env_names[] = { ".venv", "venv" };

int venv_default_env_dir(struct vbuf *out)
{
	const char *active = getenv("VIRTUAL_ENV");
	struct stat st;

	if (active && *active)
		return vbuf_sets(out, active);
	if (stat(".venv", &st) == 0)
		return vbuf_sets(out, ".venv");
	return venv_error_set(VENV_ENOTFOUND, "no DIR given, VIRTUAL_ENV is not set and there is "
			      "no .venv in the current directory");
}

int venv_envs_below(struct vbuf *out, const char *dir)
{
	struct vbuf path = VBUF_INIT(VBUF_MAX_PATH), names = VBUF_INIT(VBUF_MAX_PATH);
	struct stat st;
	size_t i;
	int found = 0, error = 0;

	for (i = 0; i < VENV_ARRAY_SIZE(project_env_names); i++) {
		if ((error = venv_path_join(&path, dir, project_env_names[i])) < 0 ||
		    (error = vbuf_adds(&path, "/pyvenv.cfg")) < 0)
			goto done;
		/*
		 * Any pyvenv.cfg, as check -r finds environments: one that is a
		 * FIFO or a directory is still where the user's environment is,
		 * and check of it then says what is wrong (only lstat'ed here).
		 */
		if (lstat(path.buf, &st) < 0)
			continue;
		vbuf_setlen(&path, path.len - strlen("/pyvenv.cfg"));
		if ((found && (error = vbuf_adds(&names, " or ")) < 0) ||
		    (error = vbuf_addf(&names, "'%s'", path.buf)) < 0)
			goto done;
		found++;
	}
	if (found && (error = vbuf_add(out, names.buf, names.len)) < 0)
		goto done;
	error = found;
done:
	vbuf_release(&path);
	vbuf_release(&names);
	return error;
}
