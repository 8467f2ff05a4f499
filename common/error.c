#include "compat.h"
#include "error.h"

/* One message per thread: `venv check -j` inspects environments in parallel. */
static _Thread_local char last_message[1024];

static void set_message(const char *fmt, va_list ap, int err)
{
	/*
	 * Format into a local buffer first: an argument may be the previous
	 * message itself (venv_error_set(code, "...: %s", venv_error_last())).
	 */
	char buf[sizeof(last_message)];
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);

	if (n < 0) {
		snprintf(last_message, sizeof(last_message), "unknown error");
		return;
	}
	if (err && (size_t)n < sizeof(buf))
		snprintf(buf + n, sizeof(buf) - (size_t)n, ": %s", strerror(err));
	memcpy(last_message, buf, sizeof(buf));
}

int venv_error_set(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_message(fmt, ap, 0);
	va_end(ap);
	return code;
}

int venv_error_set_errno(int code, const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	set_message(fmt, ap, err ? err : EIO);
	va_end(ap);
	errno = err;
	return code;
}

const char *venv_error_last(void)
{
	return last_message[0] ? last_message : "unknown error";
}

void venv_error_clear(void)
{
	last_message[0] = '\0';
}

int venv_error_from_errno(int err)
{
	switch (err) {
	case ENOENT:
	case ENOTDIR:
		return VENV_ENOTFOUND;
	case EEXIST:
	case ENOTEMPTY:
		return VENV_EEXISTS;
	case ENOMEM:
		return VENV_ENOMEM;
	case ELOOP:
		return VENV_EUNSAFE;
	case EFBIG:
	case ENAMETOOLONG:
		return VENV_ETOOBIG;
	default:
		return VENV_EIO;
	}
}
