#include "compat.h"
#include <pthread.h>
#include "error.h"
#include "la.h"

/* The file name comes from the Makefile as bare tokens, to survive any quoting. */
#ifdef VENV_LA_SONAME_BARE
#define VENV_LA_STR2(x) #x
#define VENV_LA_STR(x) VENV_LA_STR2(x)
#define VENV_LA_SONAME VENV_LA_STR(VENV_LA_SONAME_BARE)
#endif

#ifdef VENV_LA_SONAME
#include <dlfcn.h>

struct venv_la venv_la;

static pthread_once_t la_once = PTHREAD_ONCE_INIT;
static int la_error;
static char la_message[512];

static void la_open(void)
{
	void *h = dlopen(VENV_LA_SONAME, RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		snprintf(la_message, sizeof(la_message), "cannot load %s: %s", VENV_LA_SONAME,
			 dlerror());
		la_error = VENV_ENOTFOUND;
		return;
	}
	/* POSIX allows converting dlsym()'s object pointer to a function pointer. */
#define VENV_LA_SYM(f) \
	if (!la_error && !(*(void **)&venv_la.f = dlsym(h, #f))) { \
		snprintf(la_message, sizeof(la_message), "%s has no %s", VENV_LA_SONAME, #f); \
		la_error = VENV_ENOTFOUND; \
	}
	VENV_LA_FUNCS(VENV_LA_SYM)
#undef VENV_LA_SYM
}

int venv_la_load(void)
{
	pthread_once(&la_once, la_open);
	if (la_error)
		return venv_error_set(la_error, "%s", la_message);
	return 0;
}

#else /* linked directly */

struct venv_la venv_la = {
#define VENV_LA_ADDR(f) f,
	VENV_LA_FUNCS(VENV_LA_ADDR)
#undef VENV_LA_ADDR
};

int venv_la_load(void)
{
	return 0;
}

#endif
