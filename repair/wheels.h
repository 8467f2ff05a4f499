#ifndef VENV_REPAIR_WHEELS_H
#define VENV_REPAIR_WHEELS_H

#include "pep440.h"
#include "pyinfo.h"
#include "vbuf.h"

/*
 * Local wheels for repair --upgrade: which wheel files a new interpreter
 * can install (by their file names' tags), and where one of a
 * distribution is found without going to the network.
 */

/*
 * Is `file` ("name-ver(-build)?-py-abi-plat.whl") a wheel of name at
 * version (NULL: any version; *ver, when given, gets it) that CPython
 * 3.<minor> on this machine can install?
 */
int venv_localwheel_fits(const char *file, const char *name, const char *version, int minor,
			 struct vbuf *ver);

/*
 * The wheel of name for the interpreter `to`: at exactly `version`, or
 * with version NULL the newest inside spec. *out (and *outver, its
 * version) is NULL when there is none; an error only when out of memory.
 */
int venv_localwheel_find(char **out, char **outver, const char *name, const char *version,
			 const struct venv_specset *spec, const struct venv_pyinfo *to);

/* Version text inside spec (an invalid one is not); a > b (an invalid a is not). */
int venv_localwheel_version_in(const char *ver, const struct venv_specset *spec);
int venv_localwheel_version_gt(const char *a, const char *b);

#endif
