#ifndef VENV_ERROR_H
#define VENV_ERROR_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#ifndef VENV_PRINTF
#if defined(__GNUC__) || defined(__clang__)
#define VENV_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define VENV_PRINTF(f, a)
#endif
#endif

/*
 * A function whose result must be looked at: the compiler warns (an error
 * under DEVELOPER=1) where a call drops it.  A call that ignores it on
 * purpose casts it to (void) and says why in a comment.
 */
#ifndef VENV_MUST_CHECK
#if defined(__GNUC__) || defined(__clang__)
#define VENV_MUST_CHECK __attribute__((warn_unused_result))
#else
#define VENV_MUST_CHECK
#endif
#endif

/*
 * Library error reporting, after libgit2: every library function returns
 * 0 (or a non-negative count) on success and a negative VENV_E* code on
 * failure. The human-readable message of the last failure of the calling
 * thread is kept and can be read with venv_error_last(). Library code never
 * prints and never exits.
 *
 * The numeric values are part of the ABI: never renumber, never reuse.
 */
enum venv_error_code {
	VENV_OK = 0,
	VENV_ERROR = -1,    /* anything not listed below */
	VENV_ENOTFOUND = -2, /* a file, interpreter or key does not exist */
	VENV_EEXISTS = -3,  /* something is in the way */
	VENV_EINVAL = -4,   /* bad input from the user or from a file */
	VENV_ENOMEM = -5,   /* out of memory */
	VENV_ETOOBIG = -6,  /* a size cap was hit */
	VENV_EUNSAFE = -7,  /* refused because doing it could be unsafe */
	VENV_EIO = -8,      /* an operating-system call failed */
	VENV_ECHILD = -9,   /* a child process failed */
	VENV_EBUSY = -10    /* another process is changing it (common/lock.h) */
};

/* Record a message for code and return code, so `return venv_error_set(...)` works. */
int venv_error_set(int code, const char *fmt, ...) VENV_PRINTF(2, 3);

/* As venv_error_set(), with ": strerror(errno)" appended. */
int venv_error_set_errno(int code, const char *fmt, ...) VENV_PRINTF(2, 3);

/* The message of the last error of this thread, never NULL. */
const char *venv_error_last(void);

/* Forget the last error. */
void venv_error_clear(void);

/* Map an errno value to the closest VENV_E* code. */
int venv_error_from_errno(int err);

#endif
