#ifndef VENV_PIP_H
#define VENV_PIP_H

#include "venv.h"

/*
 * Install the wheels that the base interpreter's ensurepip would install
 * (ctx->info->wheels) into the environment without running Python: unpack
 * them as a wheel installer does and write the console scripts, INSTALLER
 * and RECORD. Returns VENV_ENOTFOUND when no usable wheel exists, so that
 * the caller can fall back to ensurepip; any other failure is final.
 */
int venv_pip_install_fast(const struct venv_context *ctx,
			  void (*log)(void *payload, enum venv_log_level level, const char *msg),
			  void *payload);

/*
 * The same, with pip's files placed from the wheel cache as `mode` says
 * (venv_pip_install_fast() uses VENV_LINK_DEFAULT: $VENV_LINK_MODE, else
 * copies). Links are made only under umask 022, where pip would give the
 * cache's modes; otherwise files are copied.
 */
int venv_pip_install_fast_mode(const struct venv_context *ctx, enum venv_link_mode mode,
			       void (*log)(void *payload, enum venv_log_level level,
					   const char *msg),
			       void *payload);

/*
 * Install the distribution name at version into t (struct venv_wheel_target,
 * wheel.h) as venv create installs pip, without running Python and without
 * the network: from the wheel cache entry whose manifest names it, else from
 * one of the wheel files `wheels` whose file name names it (put into the
 * cache on the way, or unpacked in a private directory of `scratch` when no
 * cache can be used). Files are copied, never linked. VENV_ENOTFOUND, with a
 * message that names where it was looked for, when neither has it; repair
 * reinstalls a seed distribution whose package is gone with this (VNV609).
 */
struct venv_wheel_target;

/*
 * Install the wheel file `wheel` into t through the wheel cache, as venv
 * create installs pip: its cache entry (keyed by the wheel's sha256) is
 * filled the first time, and its files are copied from there (or linked,
 * as $VENV_LINK_MODE says), so a wheel is inflated and verified once, not
 * at each install. Without a usable cache the wheel is unpacked in a private
 * directory of `scratch` and moved out of it.
 */
int venv_pip_install_wheel(const char *wheel, const struct venv_wheel_target *t,
			   const char *scratch,
			   void (*log)(void *payload, enum venv_log_level level, const char *msg),
			   void *payload);

int venv_pip_install_dist(const char *name, const char *version, const char *const *wheels,
			  size_t nwheels, const struct venv_wheel_target *t, const char *scratch,
			  void (*log)(void *payload, enum venv_log_level level, const char *msg),
			  void *payload);

#endif
