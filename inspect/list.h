#ifndef VENV_LIST_H
#define VENV_LIST_H

#include "dist.h"
#include "vbuf.h"

/*
 * venv list: the installed distributions of environments, read statically
 * (common/dist.h), rendered as text, JSON or a CycloneDX 1.5 SBOM. The
 * rendering is here (library); cmd_list.c prints it.
 */

struct venv_list_env {
	char *path;               /* as given or found */
	struct venv_dists dists;  /* of every lib/pythonX.Y/site-packages */
	char **sites;             /* parallel to dists.v: "lib/python3.12/site-packages" */
	char *error;              /* could not be read: why (then no dists) */
	/*
	 * Metadata directories left out as symbolic links out of the
	 * environment (common/dist.h), which Python and pip follow: each as
	 * "lib/python3.12/site-packages/NAME", said as an error, since a list
	 * without them is not what the environment holds.
	 */
	char **outside;
	size_t noutside;
};

struct venv_list {
	struct venv_list_env *envs;
	size_t nr;
};

/* Read the environment at path (dirfd < 0) or at the handle dirfd. */
int venv_list_add(struct venv_list *l, const char *path, int dirfd);
void venv_list_release(struct venv_list *l);

enum venv_list_format { VENV_LIST_TEXT, VENV_LIST_JSON, VENV_LIST_CYCLONEDX };

/* Render everything read so far. */
int venv_list_render(struct vbuf *out, const struct venv_list *l, enum venv_list_format fmt);

/* "pkg:pypi/name@version" with the purl spec's encoding (name lower-case, "_" as "-"). */
int venv_list_purl(struct vbuf *out, const char *name, const char *version);

#endif
