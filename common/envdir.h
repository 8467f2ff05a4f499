#ifndef VENV_ENVDIR_H
#define VENV_ENVDIR_H

#include "vbuf.h"

/*
 * Which environment a command means when it is given no directory, and which
 * environments a project directory holds: for `venv check`, `venv repair` and
 * `venv list` (and for their hints).
 */

/*
 * The environment a command given no DIR works on: $VIRTUAL_ENV when it is
 * set and not empty (the active environment), else ".venv" when it exists in
 * the current directory. Sets out to it and returns 0; otherwise returns
 * VENV_ENOTFOUND with a message that says what was looked for.
 */
int venv_default_env_dir(struct vbuf *out);

/*
 * The names below dir that a project's environment usually has (".venv",
 * "venv"), each with a pyvenv.cfg of any kind (a regular file, a link, or a
 * FIFO or directory that check then reports): appends them to out as
 * "'DIR/NAME'", joined by " or ", and returns how many were found (0 leaves
 * out as it was).
 */
int venv_envs_below(struct vbuf *out, const char *dir);

#endif
