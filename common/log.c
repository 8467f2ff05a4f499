#include "compat.h"
#include "log.h"

void venv_vlogf(venv_log_fn *log, void *payload, enum venv_log_level level, const char *fmt,
		va_list ap)
{
	struct vbuf msg = VBUF_INIT(VBUF_MAX_REPORT);

	if (!log)
		return;
	/* Out of memory: the message is lost, not the caller's work. */
	if (vbuf_vaddf(&msg, fmt, ap) == 0)
		log(payload, level, msg.buf);
	vbuf_release(&msg);
}

void venv_logf(venv_log_fn *log, void *payload, enum venv_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	venv_vlogf(log, payload, level, fmt, ap);
	va_end(ap);
}

int venv_message_vformat(struct vbuf *msg, const char *fmt, va_list ap)
{
	size_t was = msg->len;

	if (vbuf_vaddf(msg, fmt, ap) == 0)
		return 0;
	vbuf_setlen(msg, was);
	return vbuf_adds(msg, "(message too long)");
}
