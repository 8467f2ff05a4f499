#ifndef VENV_LOG_H
#define VENV_LOG_H

#include <stdarg.h>
#include "venv.h"

/*
 * The library never prints: it hands finished messages to a callback of
 * its caller (venv_builder.log, venv_repair_opts.log, the wheel cache's
 * log, venv_discover()'s problem). These format such a message, whole
 * (never cut at a buffer's size), and do nothing when there is no
 * callback: the one formatter every module's log goes through.
 */
typedef void venv_log_fn(void *payload, enum venv_log_level level, const char *msg);

void venv_logf(venv_log_fn *log, void *payload, enum venv_log_level level, const char *fmt, ...)
	VENV_PRINTF(4, 5);
void venv_vlogf(venv_log_fn *log, void *payload, enum venv_log_level level, const char *fmt,
		va_list ap) VENV_PRINTF(4, 0);

/*
 * A finding's or a problem's message into msg (appended): when it is longer
 * than msg's cap, "(message too long)" instead, so that what was found is
 * still reported. Fails only when out of memory.
 */
int venv_message_vformat(struct vbuf *msg, const char *fmt, va_list ap) VENV_PRINTF(2, 0);

#endif
