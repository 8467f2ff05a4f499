#ifndef VENV_WHEEL_INT_H
#define VENV_WHEEL_INT_H

/*
 * Internal to the wheel installer (create/wheel*.c, create/entry_points.c):
 * what its parts share. wheel.h is the interface; nothing outside create/
 * includes this file.
 *
 *   wheel.c          names, directory handles, small file helpers, hashing
 *   wheel_zip.c      the zip central directory, checked before libarchive reads it
 *   wheel_unpack.c   RECORD verification, WHEEL metadata, unpacking
 *   wheel_manifest.c the manifest kept with an unpacked tree in the cache
 *   entry_points.c   entry_points.txt, shebangs and console scripts
 *   wheel_install.c  installing an unpacked tree into an environment
 */
#include "vbuf.h"
#include "wheel.h"

#define VENV_WHEEL_COPY_CHUNK 65536

int venv_wheel__oom(void);
char *venv_wheel__strndup(const char *s, size_t n);
int venv_wheel__hexval(char c);
/* PEP 503 normalisation with "_" (as in dist-info names): lowercase, runs of -_. -> _. */
void venv_wheel__normalize_name(char *out, size_t cap, const char *s, size_t len);

#define VENV_DS_MAX (VENV_WHEEL_MAX_DEPTH + 2)

/*
 * The directory chain of the current directory below a root handle. Files
 * come in sorted order, so consecutive entries share most of the chain and
 * only the differing tail is closed and reopened.
 */
struct venv_dirstack {
	int root;                /* borrowed */
	const char *what;        /* the root's name for messages */
	int fd[VENV_DS_MAX];
	size_t end[VENV_DS_MAX];      /* where component i ends in cur */
	size_t depth;
	char cur[VENV_WHEEL_MAX_NAME + 1];
};

void venv_ds_init(struct venv_dirstack *ds, int root, const char *what);
void venv_ds_pop_to(struct venv_dirstack *ds, size_t depth);
int venv_ds_top(const struct venv_dirstack *ds);
int venv_ds_enter(struct venv_dirstack *ds, const char *dir, size_t len, int create);
int venv_ds_enter_parent(struct venv_dirstack *ds, const char *path, int create,
			 const char **base);

/*
 * Files are created afresh (what is in the way unlinked, never followed)
 * with pip's modes: MODE_FILE 0666 & ~umask, MODE_EXEC_PIP 0777 & ~umask |
 * 0111 (pip), MODE_EXEC_SCRIPT | 0555 (distlib's scripts).
 */
enum { MODE_FILE, MODE_EXEC_PIP, MODE_EXEC_SCRIPT };

int venv_wheel__create_fresh(int dirfd, const char *name, int kind, const char *what);
int venv_wheel__write_fresh(int dirfd, const char *name, const void *data, size_t len,
			    int kind, const char *what);
/* Read a member of an unpacked tree (never through a link). */
int venv_wheel__read_member(struct vbuf *out, int treefd, const char *path, size_t cap);

/* The manifest's files: add one (unpack, manifest), find one by path (install). */
int venv_wheel__add_file(struct venv_wheel *w, const char *path, uint64_t size,
			 const unsigned char *sha, int exec);
struct venv_wheel_file *venv_wheel__find_file(const struct venv_wheel *w, const char *path);

/*
 * The member names as the central directory gives them, sorted: libarchive
 * takes each name from the member's local header without comparing it with
 * the directory, where pip's zipfile refuses a member whose two names
 * differ; a wheel must not unpack other files for us than for pip (WHL-08).
 */
struct venv_zip_name {
	uint32_t off, len;     /* in venv_zip_names.dir */
};

struct venv_zip_names {
	unsigned char *dir;    /* the whole central directory */
	struct venv_zip_name *v;
	size_t nr;
};

/*
 * Check the zip's end records and central directory before libarchive
 * allocates for them, and collect the member names (WHL-08, WHL-09).
 */
int venv_zip_check_directory(int fd, uint64_t fsize, const char *what,
			     struct venv_zip_names *cd);
int venv_zip_has_name(const struct venv_zip_names *cd, const char *name);
void venv_zip_names_release(struct venv_zip_names *cd);

#endif
