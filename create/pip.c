#include "compat.h"
#include "pip.h"

/*
 * NEEDSWORK: the wheel installer is issue 4; until it lands every
 * environment gets pip from ensurepip, exactly as CPython does.
 */
int venv_pip_install_fast(const struct venv_context *ctx,
			  void (*log)(void *payload, enum venv_log_level level, const char *msg),
			  void *payload)
{
	(void)ctx;
	(void)log;
	(void)payload;
	return venv_error_set(VENV_ENOTFOUND, "the fast pip installer is not available");
}
