#ifndef VENV_REPAIR_DIST_H
#define VENV_REPAIR_DIST_H

#include "vbuf.h"

/*
 * The distributions installed in a site-packages directory, read from
 * their metadata (*.dist-info, and *.egg-info for old setuptools), so that
 * an environment upgraded to a new minor version can get them back.
 */

struct venv_dist {
	char *name;       /* as METADATA spells it */
	char *version;
	int editable;     /* direct_url.json: dir_info.editable */
	char *url;        /* direct_url.json: url, or NULL */
	char *req;        /* what pip is given: "name==1.0", "name @ url", or the path for -e */
	char **scripts;   /* files it installed in bin/ (from RECORD), base names */
	size_t nscripts;
};

struct venv_dists {
	struct venv_dist *v;
	size_t nr, alloc;
};

#define VENV_DISTS_INIT { NULL, 0, 0 }

/*
 * Read the distributions of the site-packages directory `site` (absolute
 * path; never followed through a link at its last component).
 */
int venv_repair_dists_read(struct venv_dists *out, const char *site);
void venv_repair_dists_release(struct venv_dists *d);

/* The normalised name (PEP 503): lower case, runs of -_. as one "-". */
int venv_repair_dist_normalize(struct vbuf *out, const char *name);

/* Decode a file:// URL into a path; VENV_EINVAL for other URLs. */
int venv_repair_file_url(struct vbuf *out, const char *url);

#endif
