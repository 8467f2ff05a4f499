#ifndef VENV_PROGRESS_H
#define VENV_PROGRESS_H

#include <time.h>
#include "vbuf.h"

/*
 * The progress line: one line on stderr, redrawn in place while a long step
 * runs (venv check over many environments, pip during repair --upgrade).
 * It exists only on a terminal; it is erased with "\033[K" only when escapes
 * may be sent (NO_COLOR unset, TERM not dumb), else overwritten with spaces.
 * The formatting lives here, in the library, so that it can be tested; the
 * command-line layer writes it (venv_cli_progress() in usage.h).
 */
struct venv_progress {
	int on;               /* draw at all: a terminal, and the command wants it */
	int escapes;          /* may erase with "\033[K" */
	int shown;            /* width of the line on the screen; 0: none shown */
	struct timespec last; /* when it was last drawn */
};

/* on: the command wants a progress line; it is drawn only if fd is a terminal. */
void venv_progress_init(struct venv_progress *p, int on, int fd);
/* Append to out what erases the line shown (nothing if none). */
int venv_progress_erase(struct vbuf *out, const struct venv_progress *p);
/* Append to out what replaces the line shown with text (one line, no newline). */
int venv_progress_format(struct vbuf *out, const struct venv_progress *p, const char *text);

/*
 * pip's progress, read from its output as it comes: each requirement pip
 * starts on ("Collecting X", "Processing X", "Obtaining X") is one step, and
 * "Installing collected packages" is the last one. Feed it the output in
 * chunks of any size; cb is called for each step with a short description
 * ("cext==2.0", "installing"), the step's number and the total given.
 */
struct venv_pip_progress {
	size_t n, total;
	struct vbuf line;     /* a line not yet complete */
	void (*cb)(void *payload, const char *what, size_t n, size_t total);
	void *payload;
};
void venv_pip_progress_init(struct venv_pip_progress *pp, size_t total,
			    void (*cb)(void *payload, const char *what, size_t n, size_t total),
			    void *payload);
void venv_pip_progress_feed(struct venv_pip_progress *pp, const char *data, size_t len);
void venv_pip_progress_release(struct venv_pip_progress *pp);

#endif
