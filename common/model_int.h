#ifndef VENV_MODEL_INT_H
#define VENV_MODEL_INT_H

#include "model.h"

/*
 * What common/model.c (the loader) and common/model_interp.c (its
 * interpreters) share; not part of the library's interface.
 */

/* The interpreters among bin/'s entries (e->entries, read), each followed. */
int venv_model__load_interps(struct venv_model *e);

/* The interpreter that runs (index into e->interps), or -1: by env_ver, python3, python. */
int venv_model__pick_main(const struct venv_model *e);

/* Which Python each interpreter runs; the main one's ELF facts, bin_ver, active_ver. */
void venv_model__load_interp_versions(struct venv_model *e);

#endif
