#ifndef VENV_BUILDER_INT_H
#define VENV_BUILDER_INT_H

/*
 * Internal to the builder (create/builder.c, create/scripts.c): what its
 * steps share. venv.h is the interface; nothing outside create/ includes
 * this file.
 */
#include "venv.h"

/*
 * The directory d (normalised: ctx->bin_path, or one below it) made when
 * missing, as os.makedirs() does, and opened: through a descriptor of the
 * environment's top (ctx->env_dir, opened without following a link), one
 * component at a time, so that a directory swapped for a symbolic link
 * after it was made is refused, never followed. Returns the descriptor,
 * or a negative error code with the message set ("unable to create
 * directory 'd': a symbolic link is in the way").
 */
int venv_builder_open_dir(const struct venv_context *ctx, const char *d);

#endif
