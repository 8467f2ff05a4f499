#ifndef VENV_ARRAY_H
#define VENV_ARRAY_H

#include <stdlib.h>
#include <string.h>
#include "error.h"

/*
 * The one way an array grows (git's ALLOC_GROW): VENV_ARRAY_GROW(v, alloc,
 * need, first) makes room for need elements in the array v of alloc
 * elements, doubling it (first elements the first time). Returns 0, or
 * VENV_ENOMEM with v and alloc unchanged. The macro passes the pointer's
 * address and the element size, so that neither can be given wrong.
 */
#define VENV_ARRAY_GROW(v, alloc, need, first) \
	venv_array_grow((void *)&(v), &(alloc), (need), sizeof(*(v)), (first))

static inline int venv_array_grow(void *vp, size_t *alloc, size_t need, size_t size,
				  size_t first)
{
	size_t na = *alloc ? *alloc : first;
	void *v, *nv;

	if (need <= *alloc)
		return 0;
	while (na < need && na <= SIZE_MAX / 2)
		na *= 2;
	if (na < need || na > SIZE_MAX / size)
		goto oom;
	/* The caller's pointer is read and written as bytes: it may point to any type. */
	memcpy(&v, vp, sizeof(v));
	if (!(nv = realloc(v, na * size)))
		goto oom;
	memcpy(vp, &nv, sizeof(nv));
	*alloc = na;
	return 0;
oom:
	/* The constant, not venv_error_set()'s return: analyzers then see the failure. */
	venv_error_set(VENV_ENOMEM, "out of memory");
	return VENV_ENOMEM;
}

#endif
