#ifndef VENV_DIST_H
#define VENV_DIST_H

#include "record.h"
#include "vbuf.h"

/*
 * The distributions installed in a site-packages directory, read from their
 * metadata without running Python: every *.dist-info (and *.egg-info of old
 * setuptools, which has no RECORD), shared by check (integrity, dependencies,
 * start-up code, console scripts), list (inventory, SBOM) and repair
 * (--upgrade across minor versions).
 *
 * Links: a metadata directory that is a symbolic link is followed only when
 * it leads inside the environment (three levels above the site-packages
 * directory opened, resolved through its handle) or into the app-data
 * directory of virtualenv, whose --symlink-app-data links each seed's
 * dist-info there ($VIRTUALENV_OVERRIDE_APP_DATA, else
 * $XDG_DATA_HOME/virtualenv, else ~/.local/share/virtualenv); such a
 * distribution is marked `linked`. Any other link (also one to nothing, or
 * a loop) is not a distribution of this environment and is left out, in
 * `outside`. Files inside are opened without following links.
 *
 * Caps: METADATA VENV_DIST_MAX_METADATA, RECORD VBUF_MAX_RECORD (and
 * VENV_RECORD_MAX_ROWS rows), small files VBUF_MAX_PROBE. A file over its
 * cap is an error recorded on the distribution (metadata_error,
 * record_status), never a crash and never a failure of the whole read.
 *
 * Missing is not unreadable: a file that is not there is what the spec
 * allows (no entry_points.txt: no entry points) or an error recorded on
 * the distribution (no RECORD, no METADATA), but one that is there and
 * cannot be read (an I/O error, permission denied, the kernel out of
 * memory or descriptors), a metadata directory that cannot be opened and
 * a site-packages that cannot be listed are never taken for missing: with
 * VENV_DISTS_PARTIAL they are listed in `unread` (check reports them),
 * without it the read fails, so that nothing acts on a half-read
 * distribution.
 */

#define VENV_DIST_MAX_METADATA ((size_t)4 * 1024 * 1024)

/* One console_scripts or gui_scripts entry of entry_points.txt. */
struct venv_dist_entry {
	char *name;
	char *module;
	char *attr;     /* after ":" (may be NULL), extras dropped */
	int gui;
};

struct venv_dist {
	char *dir;        /* "name-1.0.dist-info": its entry in site-packages */
	char *path;       /* site-packages/dir, as reached (not resolved) */
	int linked;       /* that entry is a symbolic link (see above) */
	int egg;          /* *.egg-info (no RECORD): its files are not known */
	char *name;       /* as METADATA spells it (the directory's, if METADATA lacks it) */
	char *canon;      /* PEP 503 form of name */
	char *version;    /* METADATA Version (the directory's, if METADATA lacks it) */
	char *dir_name;   /* the directory's stem split at its first "-", as pip does */
	char *dir_version;
	char *metadata_error;   /* METADATA missing, over its cap or without Name/Version */
	char *requires_python;  /* METADATA Requires-Python, or NULL */
	char **requires;  /* every Requires-Dist, stripped */
	size_t nrequires;
	char *license_expression;  /* Metadata 2.4 License-Expression, or NULL */
	char *license;    /* free-text License (first line), or NULL */
	char **tags;      /* WHEEL Tag: lines */
	size_t ntags;
	int purelib;      /* WHEEL Root-Is-Purelib: 1 true, 0 false, -1 no WHEEL */
	int requested;    /* REQUESTED exists */
	char *installer;  /* INSTALLER's first line, or NULL */
	int editable;     /* direct_url.json: dir_info.editable */
	char *url;        /* direct_url.json: url, or NULL */
	char *req;        /* what pip is given: "name==1.0", "name @ url", or the path for -e */
	char **scripts;   /* files it installed in bin/ (from RECORD), base names */
	size_t nscripts;
	char **top_level; /* *.egg-info: top_level.txt's lines (its modules, as it has no RECORD) */
	size_t ntop_level;
	struct venv_dist_entry *entries;
	size_t nentries;
	/* RECORD: the files it owns, paths relative to site-packages */
	struct venv_record_row *record;
	size_t nrecord;
	int record_status;  /* 0, VENV_ENOTFOUND, VENV_EINVAL (unparsable), VENV_ETOOBIG,
			       VENV_EIO (could not be read: in unread) */
	char *record_error; /* the message for a non-zero record_status */
	int compiled;     /* RECORD lists an extension module or shared library */
	size_t unread;    /* how many of its files could not be read (in venv_dists.unread) */
	/*
	 * entry_points.txt is there but over its cap: why its entries are not
	 * known (a file that cannot be parsed has none, as importlib.metadata
	 * lists none; one too big to read is said, not taken for none).
	 */
	char *entry_points_error;
};

/* What could not be read (VENV_DISTS_PARTIAL). */
struct venv_dist_unread {
	char *rel;        /* below site-packages: "a-1.dist-info/RECORD", "a-1.dist-info", "" itself */
	const char *op;   /* "open", "read" or "list" */
	int err;          /* errno */
};

/* Why u could not be read, for a message: strerror(), or a link not followed. */
const char *venv_dist_unread_why(const struct venv_dist_unread *u);

struct venv_dists {
	struct venv_dist *v;
	size_t nr, alloc;
	struct venv_dist_unread *unread;
	size_t nunread, unread_alloc;
	/*
	 * The metadata directories left out as links out of the environment
	 * (see above) that lead to a directory, which Python and pip follow,
	 * or to nothing (or loop): their entries in site-packages, in its order.
	 */
	char **outside;
	size_t noutside;
};

#define VENV_DISTS_INIT { NULL, 0, 0, NULL, 0, 0, NULL, 0 }

enum venv_dists_flags {
	/* also the metadata directories without a usable METADATA */
	VENV_DISTS_ALL = 1 << 0,
	/*
	 * METADATA (and the directory's name) only: no RECORD, WHEEL,
	 * REQUESTED, direct_url.json, entry points or INSTALLER, for a caller
	 * that needs names, versions and requirements (dependency checks).
	 */
	VENV_DISTS_METADATA_ONLY = 1 << 1,
	/*
	 * What cannot be read (see above) is listed in `unread` and the rest
	 * is read; without it the first such failure fails the whole read.
	 */
	VENV_DISTS_PARTIAL = 1 << 2,
	/*
	 * With VENV_DISTS_METADATA_ONLY: also direct_url.json, and the RECORD
	 * of a distribution it says is editable, for a caller that needs to
	 * know which files editable installs put in site-packages (check's
	 * .pth rule) and not every RECORD. Without it, everything is read.
	 */
	VENV_DISTS_EDITABLES = 1 << 3,
	/*
	 * Also each NAME.egg-link of a legacy editable install (setup.py
	 * develop): its NAME.egg-info in the directory the file names, outside
	 * the environment, read as an editable *.egg-info whose `dir` is the
	 * NAME.egg-link (for list: pip lists it).
	 */
	VENV_DISTS_EGG_LINKS = 1 << 4
};

/*
 * Read the distributions of the site-packages directory `site` (absolute
 * path; never followed through a link at its last component), sorted by
 * name case-insensitively. A missing directory has none. On failure, out
 * is left as it was.
 */
int venv_dists_read(struct venv_dists *out, const char *site, unsigned flags);

/*
 * As venv_dists_read(), for `site` relative to the directory handle dirfd
 * ("lib/python3.12/site-packages" below the environment's handle of the
 * model), opened without following a link at any of its components, so
 * that what is read is below the directory the caller holds even if its
 * path (or a directory on the way) is swapped for a link meanwhile. disp
 * is how the caller names it, in each distribution's path and in messages.
 */
int venv_dists_read_at(struct venv_dists *out, int dirfd, const char *site, const char *disp,
		       unsigned flags);
void venv_dists_release(struct venv_dists *d);

/*
 * Leave out of d what a read without VENV_DISTS_ALL leaves out (the
 * metadata directories without a usable METADATA), keeping the order: a
 * list read with VENV_DISTS_ALL is then the one a read without it makes.
 */
void venv_dists_drop_unusable(struct venv_dists *d);

/* The distribution whose canonical name is canon, or NULL. */
const struct venv_dist *venv_dists_find(const struct venv_dists *d, const char *canon);

/* Decode a file:// URL into a path; VENV_EINVAL for other URLs. */
int venv_dist_file_url(struct vbuf *out, const char *url);

/*
 * Do the WHEEL's Tag lines say "any Python 3, no ABI, any platform"? Each
 * tag is PYTHON-ABI-PLATFORM with dotted sets (PEP 425's compressed form):
 * every python tag must be py2 or py3, the ABI none and the platform any,
 * and py3 must be among them (py3-none-any, py2.py3-none-any, or the two
 * lines bdist_wheel writes for it). A version-specific tag (py312, cp312)
 * is not. No Tag lines at all (no WHEEL, or an installer that wrote none)
 * is taken as pure: Root-Is-Purelib and RECORD decide. On 0, *bad is the
 * first offending tag (NULL when only py3 is missing).
 */
int venv_dist_tags_pure(const struct venv_dist *d, const char **bad);

/* Is this RECORD path an extension module or a shared library? */
int venv_dist_is_compiled_path(const char *path);

/*
 * Is canon (a canonical name) a seed distribution, one venv create installs
 * (pip, setuptools)? venv repair reinstalls those alone (VNV609), and check
 * offers that fix for those alone.
 */
int venv_dist_is_seed(const char *canon);

#endif
