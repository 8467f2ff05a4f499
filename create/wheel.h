#ifndef VENV_WHEEL_H
#define VENV_WHEEL_H

#include "vbuf.h"
#include "sha256.h"
#include "record.h"
#include "shebang.h"

/*
 * Installing a wheel without running Python, as a wheel installer does
 * (PEP 427 and pip's behaviour), in two steps:
 *
 *  1. venv_wheel_unpack() reads an untrusted wheel with libarchive's
 *     seekable zip reader (the central directory is authoritative: its
 *     names are checked against the local headers' too), checks
 *     every entry name component-wise, refuses links, devices, duplicates
 *     and oversized or over-compressed contents, writes the files below an
 *     empty private directory and verifies each one against the wheel's own
 *     RECORD. The result is an unpacked tree plus a manifest (struct
 *     venv_wheel), which can be kept in a cache (venv_wheel_manifest_*).
 *
 *  2. venv_wheel_install() copies (or moves) an unpacked tree into an
 *     environment: `.data/<scheme>/` directories go to their scheme paths,
 *     console scripts are generated from entry_points.txt with pip's names
 *     and shebang rules, and INSTALLER, REQUESTED and a RECORD listing every
 *     installed file with its sha256 and size are written.
 */

/* Caps for untrusted wheels (security.md WHL-09). */
#define VENV_WHEEL_MAX_ENTRIES 20000
#define VENV_WHEEL_MAX_FILE ((uint64_t)128 * 1024 * 1024)
#define VENV_WHEEL_MAX_TOTAL ((uint64_t)1024 * 1024 * 1024)
#define VENV_WHEEL_MAX_WHEEL ((uint64_t)512 * 1024 * 1024)
/* Unpacked bytes per byte of wheel, checked once more than 1 MiB is unpacked. */
#define VENV_WHEEL_MAX_RATIO 100
#define VENV_WHEEL_MAX_NAME 1024
#define VENV_WHEEL_MAX_DEPTH 32
#define VENV_WHEEL_MAX_SCRIPTS 256

struct venv_wheel_file {
	char *path;        /* as in the wheel ("pip/__init__.py"), checked */
	uint64_t size;
	unsigned char sha256[VENV_SHA256_LEN];
	int executable;    /* the archive gave it an execute bit */
};

struct venv_wheel {
	/*
	 * With VENV_WHEEL_FIXED: every unpacked file has mode 0644 or 0755 and
	 * this modification time, so that a later change to it can be seen.
	 */
	int64_t mtime;
	char *name;        /* distribution name as the .dist-info spells it */
	char *version;
	char *dist_info;   /* "pip-23.2.1.dist-info" */
	char *data_dir;    /* "pip-23.2.1.data" */
	int root_is_purelib;
	unsigned char sha256[VENV_SHA256_LEN]; /* of the wheel file itself */
	/* Every file but the RECORD, sorted by path (bytewise). */
	struct venv_wheel_file *files;
	size_t nfiles, alloc;
};

void venv_wheel_release(struct venv_wheel *w);

enum venv_wheel_flags {
	/* unpack: fixed modes and one modification time (for a shared cache) */
	VENV_WHEEL_FIXED = 1 << 0,
	/* install: rename the files out of the tree instead of copying them */
	VENV_WHEEL_MOVE = 1 << 1,
	/*
	 * install: hard-link the files of a VENV_WHEEL_FIXED tree, after checking
	 * that each still has its size, mode and time; files that cannot be
	 * linked (another file system, too many links) are copied
	 */
	VENV_WHEEL_LINK = 1 << 2,
	/*
	 * install, with VENV_WHEEL_LINK: reflink where the file system can
	 * (nothing shared that can be written), hard-link only where it cannot
	 */
	VENV_WHEEL_AUTO = 1 << 3
};

/*
 * Unpack the wheel at `path` below the empty directory `dirfd` and fill w
 * (which must be zeroed). Every failure caused by the wheel's contents is
 * VENV_EINVAL, VENV_EUNSAFE or VENV_ETOOBIG with a message naming the
 * entry; files may have been written below dirfd, which the caller
 * removes.
 */
int venv_wheel_unpack(struct venv_wheel *w, const char *path, int dirfd, unsigned flags);

/* SHA-256 of a whole file, read through fd from its current offset. */
int venv_wheel_hash_fd(int fd, unsigned char out[VENV_SHA256_LEN]);

/* Keep the manifest of an unpacked wheel in the file `name` below dirfd, and read it back. */
int venv_wheel_manifest_write(const struct venv_wheel *w, int dirfd, const char *name);
int venv_wheel_manifest_read(struct venv_wheel *w, int dirfd, const char *name);

/* Where the schemes of an environment are (absolute paths). */
struct venv_wheel_target {
	const char *purelib;
	const char *platlib;
	const char *scripts;
	const char *headers;  /* the directory of this distribution's headers */
	const char *data;
	const char *python;   /* what console scripts run (the shebang) */
	int major, minor;     /* for pip's pipX and pipX.Y names */
	int requested;        /* write REQUESTED, as ensurepip's pip does */
	/*
	 * NULL, or the site-packages of the version this install replaces (an
	 * upgrade's old lib/pythonX.Y/site-packages, below `data`): a file of
	 * the wheel's purelib/platlib that is there already, at the same
	 * relative path, byte for byte (SHA-256 of what is read, not of the old
	 * RECORD) with the mode and owner a copy would get, is hard-linked from
	 * there instead of copied. The old name goes with the old version, so
	 * its blocks are never freed and no new inode is made: both cost most
	 * on a file system that discards what it frees. Anything else is copied.
	 */
	const char *reuse;
};

/*
 * Install the unpacked tree at treefd into target (flags: MOVE or LINK,
 * else files are copied: a reflink (FICLONE) where the file system has
 * them, else copy_file_range()). Files in the way are replaced (never written
 * through), but a symbolic link anywhere on the way to a destination is
 * refused. VENV_ENOTFOUND means the tree no longer matches w (a damaged
 * cache entry): the caller may unpack the wheel again.
 */
int venv_wheel_install(const struct venv_wheel *w, int treefd,
		       const struct venv_wheel_target *t, unsigned flags);

/*
 * The first line(s) of a console script that runs `python`:
 * venv_shebang_write() (common/shebang.h) without an argument.
 */
int venv_wheel_shebang(struct vbuf *out, const char *python);

/*
 * Console scripts, written one way for create, repair and upgrade: the
 * body distlib writes (pip 22 to 24) after `shebang`, a line or lines from
 * venv_wheel_shebang(); and the whole script, shebang included, for an
 * entry point run by `python`.
 */
struct venv_entry_point;
int venv_wheel_script_text(struct vbuf *out, const char *shebang,
			   const struct venv_entry_point *ep);
int venv_write_console_script(struct vbuf *out, const char *python,
			      const struct venv_entry_point *ep);

/* ---- exposed for the unit tests ---- */

/*
 * Check one archive member name (or RECORD path): relative, no empty, "."
 * or ".." components, no backslash, colon, control character or invalid
 * UTF-8, bounded length and depth. A trailing "/" marks a directory and
 * sets *is_dir. Returns 0 or VENV_EUNSAFE with a message.
 */
int venv_wheel_check_name(const char *name, int *is_dir);

/* A console script: name and "module:attr". */
struct venv_entry_point {
	char *name;
	char *module;
	char *attr;
};

/*
 * The console and GUI scripts of entry_points.txt, read strictly
 * (VENV_EP_STRICT, common/entrypoints.h: names and callables are checked,
 * WHL-04), a later entry of a name replacing an earlier one, then renamed
 * by venv_entry_points_pip_names().
 */
int venv_entry_points_parse(const char *text, size_t len, int major, int minor,
			    struct venv_entry_point **eps, size_t *neps);

/*
 * raw renamed as pip renames the scripts when it installs pip itself for
 * Python major.minor (pip, pipX, pipX.Y; easy_install and
 * easy_install-X.Y; the other versioned names of these two dropped), a
 * later entry of a name replacing an earlier one; an entry without a name,
 * module or attr is left out. Nothing else is checked here.
 */
int venv_entry_points_pip_names(const struct venv_entry_point *raw, size_t nraw, int major,
				int minor, struct venv_entry_point **eps, size_t *neps);
void venv_entry_points_free(struct venv_entry_point *eps, size_t neps);

#endif
