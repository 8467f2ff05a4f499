/*
 * venv restore: an archive written by archive.c is read back with
 * libarchive and written to disk by the extractor below (never by
 * libarchive's own), member by member, every name checked first, into a
 * staging directory that takes the environment's place only when complete.
 * Every file is hashed as it is written, and the digests the archive ends
 * with (archive_digest.h) are checked before that: a file that is not what
 * was archived fails the restore with nothing replaced.
 */
#include "compat.h"
#include "array.h"
#include "la.h"
#include <dirent.h>
#include <time.h>
#include <archive.h>
#include <archive_entry.h>
#include <jansson.h>
#include "envid.h"
#include "error.h"
#include "fs.h"
#include "lock.h"
#include "path.h"
#include "pyinfo.h"
#include "repair.h"
#include "txn.h"
#include "archive_int.h"
#include "archive_digest.h"

/* A set of member names, to refuse duplicates and to know earlier files and links. */
struct nameset {
	char **slot;
	unsigned char *kind;   /* 'f' regular file, 'd' directory, 'l' link */
	uint32_t *file;        /* a file with contents (not a hard link): its digest's index + 1 */
	size_t cap, nr;
};

static uint64_t hash_name(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

static size_t nameset_find(const struct nameset *ns, const char *name)
{
	size_t i = (size_t)(hash_name(name) & (ns->cap - 1));

	while (ns->slot[i] && strcmp(ns->slot[i], name))
		i = (i + 1) & (ns->cap - 1);
	return i;
}

static int nameset_kind(const struct nameset *ns, const char *name)
{
	size_t i;

	if (!ns->cap)
		return 0;
	i = nameset_find(ns, name);
	return ns->slot[i] ? ns->kind[i] : 0;
}

/* The name as the set keeps it (it lives as long as the set), and its file index; or NULL. */
static const char *nameset_get(const struct nameset *ns, const char *name, uint32_t *file)
{
	size_t i;

	if (!ns->cap)
		return NULL;
	i = nameset_find(ns, name);
	*file = ns->slot[i] ? ns->file[i] : 0;
	return ns->slot[i];
}

static int nameset_add(struct nameset *ns, const char *name, int kind, uint32_t file)
{
	size_t i;

	if (2 * (ns->nr + 1) > ns->cap) {
		struct nameset bigger = { NULL, NULL, NULL, ns->cap ? ns->cap * 2 : 1024, 0 };
		size_t k;

		bigger.slot = calloc(bigger.cap, sizeof(*bigger.slot));
		bigger.kind = calloc(bigger.cap, 1);
		bigger.file = calloc(bigger.cap, sizeof(*bigger.file));
		if (!bigger.slot || !bigger.kind || !bigger.file) {
			free(bigger.slot);
			free(bigger.kind);
			free(bigger.file);
			return venv_error_set(VENV_ENOMEM, "out of memory");
		}
		for (k = 0; k < ns->cap; k++) {
			if (ns->slot[k]) {
				size_t j = nameset_find(&bigger, ns->slot[k]);

				bigger.slot[j] = ns->slot[k];
				bigger.kind[j] = ns->kind[k];
				bigger.file[j] = ns->file[k];
				bigger.nr++;
			}
		}
		free(ns->slot);
		free(ns->kind);
		free(ns->file);
		*ns = bigger;
	}
	i = nameset_find(ns, name);
	if (ns->slot[i])
		return 1;
	if (!(ns->slot[i] = strdup(name)))
		return venv_error_set(VENV_ENOMEM, "out of memory");
	ns->kind[i] = (unsigned char)kind;
	ns->file[i] = file;
	ns->nr++;
	return 0;
}

static void nameset_release(struct nameset *ns)
{
	size_t i;

	for (i = 0; i < ns->cap; i++)
		free(ns->slot[i]);
	free(ns->slot);
	free(ns->kind);
	free(ns->file);
	memset(ns, 0, sizeof(*ns));
}

/*
 * Our own checks of a member name: below env/, no empty, "." or ".."
 * component, not absolute, and every directory above it a directory
 * member extracted before it. Our archives always hold a directory before
 * what it contains, so an archive that does not is refused rather than
 * having its directories made up.
 */
static int check_name(const struct nameset *ns, const char *file, const char *name,
		      const char *what)
{
	const char *p = name;
	struct vbuf prefix = VBUF_INIT(VBUF_MAX_PATH);
	int error = 0;

	if (strlen(name) >= PATH_MAX)
		return venv_error_set(VENV_EUNSAFE, "refusing the archive '%s': %s '%.80s...' is "
				      "too long", file, what, name);
	if (strcmp(name, ROOT) && strncmp(name, ROOT "/", strlen(ROOT) + 1))
		return venv_error_set(VENV_EUNSAFE, "refusing the archive '%s': %s '%s' is outside the "
				      "environment's tree", file, what, name);
	for (;;) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);

		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.')) {
			error = venv_error_set(VENV_EUNSAFE, "refusing the archive '%s': %s '%s' has an "
					       "empty, '.' or '..' component", file, what, name);
			break;
		}
		if (n > NAME_MAX) {
			error = venv_error_set(VENV_EUNSAFE, "refusing the archive '%s': %s '%.80s...' "
					       "has a component longer than %d bytes", file, what, name,
					       NAME_MAX);
			break;
		}
		if (!slash)
			break;
		vbuf_reset(&prefix);
		if ((error = vbuf_add(&prefix, name, (size_t)(slash - name))) < 0)
			break;
		if (nameset_kind(ns, prefix.buf) != 'd') {
			error = venv_error_set(VENV_EUNSAFE, "refusing the archive '%s': %s '%s' lies "
					       "below '%s', which is not a directory extracted "
					       "before it", file, what, name, prefix.buf);
			break;
		}
		p = slash + 1;
	}
	vbuf_release(&prefix);
	return error;
}

/*
 * The archive could not be read (truncated, damaged): where ("in" or
 * "after") member name broke off, when there is one.
 */
static int member_read_error(struct archive *a, const char *file, const char *where,
			     const char *name)
{
	struct vbuf at = VBUF_INIT(VBUF_MAX_PATH);
	int error;

	/*
	 * The member is only context: when it cannot be said (out of memory),
	 * the read error is still the one returned, without it.
	 */
	error = venv_archive__error(a, "read", file,
				    name && vbuf_addf(&at, "%s member '%s'", where, name) == 0 ?
				    at.buf : NULL);
	vbuf_release(&at);
	return error;
}

/*
 * The extractor. libarchive only reads; the tree is written here, always
 * relative to a directory handle, one component at a time with O_NOFOLLOW,
 * so that nothing, not even a process of the same user swapping a
 * directory of the staging area for a symlink while we run, can make a
 * write, a chmod or a utimens land outside the staging directory: a
 * swapped component makes the walk fail with ELOOP or ENOTDIR instead.
 * libarchive's disk writer was used before; it resolves intermediate
 * directories by name and so could be raced.
 */
struct dirfix {
	char *path;
	mode_t perm;
	struct timespec times[2];
};

struct extractor {
	const char *file;        /* the archive, for messages */
	const char *target;      /* where the tree goes, for messages */
	int rootfd;              /* the staging directory */
	int dirfd;               /* the directory of the last member, or -1 */
	struct vbuf dirpath;     /* its name below rootfd */
	struct dirfix *fix;      /* directories whose mode and times are set last */
	size_t nfix, allocfix;
	struct venv_sha256 sha;  /* one state for all the files */
	/* The digest of every file with contents as extracted, its name kept by the nameset. */
	struct venv_archive_digests sums;
};

static void extractor_release(struct extractor *x)
{
	size_t i;

	if (x->dirfd >= 0)
		close(x->dirfd);
	for (i = 0; i < x->nfix; i++)
		free(x->fix[i].path);
	free(x->fix);
	venv_sha256_release(&x->sha);
	venv_archive__digests_release(&x->sums);
	vbuf_release(&x->dirpath);
}

/*
 * A member that could not be written, named where the user will find it:
 * the target's path (the staging directory beside it is ours, and goes).
 */
static int extract_errno(const struct extractor *x, const char *what, const char *name)
{
	int e = errno;

	/* A symlink or a file where our own directory was: someone raced us. */
	if (e == ELOOP || e == ENOTDIR || e == EEXIST)
		return venv_error_set_errno(VENV_EUNSAFE, "refusing the archive '%s': cannot %s "
					    "'%s%s'", x->file, what, x->target, UNDER_ROOT(name));
	return venv_error_set_errno(venv_error_from_errno(e), "cannot %s '%s%s' from '%s'", what,
				    x->target, UNDER_ROOT(name), x->file);
}

/*
 * The directory that holds name, opened by walking from the staging
 * directory without following any link. The handle of the previous
 * member's directory is kept, since an archive lists a directory's
 * members together.
 */
static int extractor_parent(struct extractor *x, const char *name, const char **base)
{
	const char *slash = strrchr(name, '/');
	size_t dlen = slash ? (size_t)(slash - name) : 0;
	int fd, error;

	*base = slash ? slash + 1 : name;
	if (x->dirfd >= 0 && x->dirpath.len == dlen && !memcmp(x->dirpath.buf, name, dlen))
		return x->dirfd;
	if (x->dirfd >= 0)
		close(x->dirfd);
	x->dirfd = -1;
	vbuf_reset(&x->dirpath);
	fd = venv_repair_open_parent(x->rootfd, name, base);
	if (fd < 0)
		return fd;
	if ((error = vbuf_add(&x->dirpath, name, dlen)) < 0) {
		close(fd);
		return error;
	}
	x->dirfd = fd;
	return fd;
}

static void entry_times(struct archive_entry *ent, struct timespec ts[2])
{
	ts[1].tv_sec = LA(archive_entry_mtime)(ent);
	ts[1].tv_nsec = LA(archive_entry_mtime_nsec)(ent);
	/* Archives do not keep access times; the file is as new as its contents. */
	ts[0] = ts[1];
}

/* Hash len zero bytes: the hole of a sparse member, which reads back as zeros. */
static int hash_zeros(struct venv_sha256 *sha, int64_t len)
{
	static const unsigned char zeros[4096];
	int error = 0;

	while (len > 0 && !error) {
		size_t n = len < (int64_t)sizeof(zeros) ? (size_t)len : sizeof(zeros);

		error = venv_sha256_update(sha, zeros, n);
		len -= (int64_t)n;
	}
	return error;
}

/* A regular file with contents; digest gets the SHA-256 of what was written. */
static int extract_file(struct extractor *x, struct archive *a, struct archive_entry *ent,
			const char *name, unsigned char digest[VENV_SHA256_LEN])
{
	const char *base;
	int dfd = extractor_parent(x, name, &base), fd, r, error = 0;
	int64_t size = LA(archive_entry_size)(ent), hashed = 0;
	struct timespec ts[2];
	const void *buf;
	size_t len;
	la_int64_t off;

	if (dfd < 0)
		return dfd;
	if ((error = venv_sha256_restart(&x->sha)) < 0)
		return error;
	fd = openat(dfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return extract_errno(x, "create", name);
	while ((r = LA(archive_read_data_block)(a, &buf, &len, &off)) == ARCHIVE_OK) {
		const char *p = buf;

		if (off < 0 || (int64_t)len > size || off > size - (int64_t)len) {
			error = venv_error_set(VENV_EUNSAFE, "refusing the archive '%s': member '%s' "
					       "holds more data than its size", x->file, name);
			goto done;
		}
		/* libarchive hands the blocks over in order; anything else is not ours. */
		if (off < hashed) {
			error = venv_error_set(VENV_EUNSAFE, "refusing the archive '%s': member '%s' "
					       "has its data out of order", x->file, name);
			goto done;
		}
		if ((error = hash_zeros(&x->sha, off - hashed)) < 0 ||
		    (error = venv_sha256_update(&x->sha, buf, len)) < 0)
			goto done;
		hashed = off + (int64_t)len;
		while (len) {
			ssize_t n = pwrite(fd, p, len, (off_t)off);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				error = extract_errno(x, "write", name);
				goto done;
			}
			p += n;
			off += n;
			len -= (size_t)n;
		}
	}
	if (r != ARCHIVE_EOF) {
		error = member_read_error(a, x->file, "in", name);
		goto done;
	}
	/* A sparse file may end in a hole. */
	if (ftruncate(fd, (off_t)size) < 0) {
		error = extract_errno(x, "write", name);
		goto done;
	}
	if ((error = hash_zeros(&x->sha, size - hashed)) < 0 ||
	    (error = venv_sha256_digest(&x->sha, digest)) < 0)
		goto done;
	entry_times(ent, ts);
	/* Plain permissions only: no set-user-ID, set-group-ID or sticky bit. */
	if (fchmod(fd, LA(archive_entry_perm)(ent) & 0777) < 0 || futimens(fd, ts) < 0)
		error = extract_errno(x, "set the mode and times of", name);
done:
	if (close(fd) < 0 && !error)
		error = extract_errno(x, "write", name);
	return error;
}

static int extract_dir(struct extractor *x, struct archive_entry *ent, const char *name)
{
	const char *base;
	struct dirfix *f;
	int dfd = extractor_parent(x, name, &base);

	if (dfd < 0)
		return dfd;
	/* Writable for us until every member is in; its own mode comes last. */
	if (mkdirat(dfd, base, 0700) < 0)
		return extract_errno(x, "create the directory", name);
	if (VENV_ARRAY_GROW(x->fix, x->allocfix, x->nfix + 1, 64) < 0)
		return VENV_ENOMEM;
	f = &x->fix[x->nfix];
	if (!(f->path = strdup(name)))
		return venv_error_set(VENV_ENOMEM, "out of memory");
	/* The sticky bit of a 1777 directory is kept; set-ID bits are not. */
	f->perm = LA(archive_entry_perm)(ent) & 01777;
	entry_times(ent, f->times);
	x->nfix++;
	return 0;
}

static int extract_link(struct extractor *x, struct archive_entry *ent, const char *name,
			const char *hl)
{
	const char *base, *target = LA(archive_entry_symlink)(ent);
	struct timespec ts[2];
	int dfd, error = 0;

	if (hl) {
		const char *hbase;
		int hfd = venv_repair_open_parent(x->rootfd, hl, &hbase);

		if (hfd < 0)
			return hfd;
		if ((dfd = extractor_parent(x, name, &base)) < 0) {
			close(hfd);
			return dfd;
		}
		/* Flags 0: a link that replaced the file is linked, never followed. */
		if (linkat(hfd, hbase, dfd, base, 0) < 0)
			error = extract_errno(x, "create the hard link", name);
		close(hfd);
		return error;
	}
	if (!target || !*target || strlen(target) >= PATH_MAX)
		return venv_error_set(VENV_EUNSAFE, "refusing the archive '%s': the symlink member "
				      "'%s' has no usable target", x->file, name);
	if ((dfd = extractor_parent(x, name, &base)) < 0)
		return dfd;
	/* The target is stored, never followed: restore opens nothing through it. */
	if (symlinkat(target, dfd, base) < 0)
		return extract_errno(x, "create the symlink", name);
	entry_times(ent, ts);
	if (utimensat(dfd, base, ts, AT_SYMLINK_NOFOLLOW) < 0 && errno != EOPNOTSUPP)
		return extract_errno(x, "set the times of", name);
	return 0;
}

/* Modes and times of directories, deepest first, once nothing more is added. */
static int extract_fix_dirs(struct extractor *x)
{
	size_t i = x->nfix;

	while (i-- > 0) {
		const struct dirfix *f = &x->fix[i];
		const char *base;
		int pfd, fd, error = 0;

		if ((pfd = venv_repair_open_parent(x->rootfd, f->path, &base)) < 0)
			return pfd;
		fd = openat(pfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(pfd);
		if (fd < 0)
			return extract_errno(x, "open the directory", f->path);
		if (fchmod(fd, f->perm) < 0 || futimens(fd, f->times) < 0)
			error = extract_errno(x, "set the mode and times of", f->path);
		close(fd);
		if (error < 0)
			return error;
	}
	return 0;
}

/* The digests' entry of a file with contents (nameset.file), or 0 for any other name. */
static size_t lookup_file(const void *ctx, const char *name)
{
	uint32_t file;

	return nameset_get(ctx, name, &file) ? file : 0;
}

/*
 * Extract the tree of reader a (the archive file) into the staging
 * directory rootfd, to become target. want_digests: venv-archive.json
 * says the archive ends with its digests.
 */
static int extract(struct archive *a, const char *file, const char *target, int rootfd,
		   int want_digests)
{
	struct extractor x = { file, target, rootfd, -1, VBUF_INIT(VBUF_MAX_PATH), NULL, 0, 0,
			       { NULL, 0 }, VENV_ARCHIVE_DIGESTS_INIT };
	struct archive_entry *ent;
	struct nameset seen = { NULL, NULL, NULL, 0, 0 };
	struct vbuf namebuf = VBUF_INIT(VBUF_MAX_PATH);
	int64_t total = 0;
	size_t count = 0;
	int r, error = 0, digested = 0;

	while ((r = LA(archive_read_next_header)(a, &ent)) == ARCHIVE_OK) {
		const char *hl = LA(archive_entry_hardlink)(ent), *name;
		mode_t type = LA(archive_entry_filetype)(ent);
		uint32_t file_index;
		int kind, added;

		/* Directories may carry a "/" at the end; nothing else may. */
		vbuf_reset(&namebuf);
		if (LA(archive_entry_pathname)(ent) &&
		    (error = vbuf_adds(&namebuf, LA(archive_entry_pathname)(ent))) < 0)
			break;
		if (type == AE_IFDIR && !hl && namebuf.len > 1 &&
		    namebuf.buf[namebuf.len - 1] == '/')
			vbuf_setlen(&namebuf, namebuf.len - 1);
		name = LA(archive_entry_pathname)(ent) ? namebuf.buf : NULL;

		if (++count > MAX_ENTRIES) {
			error = venv_error_set(VENV_ETOOBIG, "refusing the archive '%s': more than %d "
					       "members", file, MAX_ENTRIES);
			break;
		}
		/* The digests, after the tree, and nothing after them. */
		if (count > 1 && name && !strcmp(name, DIGESTS_NAME)) {
			if (type != AE_IFREG || hl)
				error = venv_error_set(VENV_EUNSAFE, "refusing the archive '%s': its "
						       "%s is not a file", file, DIGESTS_NAME);
			else if ((error = venv_archive__digests_check(&x.sums, a, file, target,
								      lookup_file, &seen)) == 0 &&
				 (r = LA(archive_read_next_header)(a, &ent)) == ARCHIVE_OK)
				error = venv_error_set(VENV_EUNSAFE, "refusing the archive '%s': a "
						       "member follows its %s", file, DIGESTS_NAME);
			digested = 1;
			break;
		}
		if (!name || (error = check_name(&seen, file, name, "member")) < 0) {
			if (!name)
				error = venv_error_set(VENV_EUNSAFE, "refusing the archive '%s': a member "
						       "has no name", file);
			break;
		}
		if (count == 1 && (strcmp(name, ROOT) || type != AE_IFDIR || hl)) {
			error = venv_error_set(VENV_EUNSAFE, "refusing the archive '%s': its tree "
					       "does not start with the directory '" ROOT "'", file);
			break;
		}
		if (hl) {
			/* A hard link only to a regular file extracted before. */
			if ((error = check_name(&seen, file, hl, "hard link target")) < 0)
				break;
			if (nameset_kind(&seen, hl) != 'f') {
				error = venv_error_set(VENV_EUNSAFE, "refusing the archive '%s': member "
						       "'%s' is a hard link to '%s', which is not "
						       "a file extracted before it", file, name, hl);
				break;
			}
			kind = 'f';
		} else if (type == AE_IFREG) {
			kind = 'f';
		} else if (type == AE_IFDIR) {
			kind = 'd';
		} else if (type == AE_IFLNK) {
			kind = 'l';
		} else {
			error = venv_error_set(VENV_EUNSAFE, "refusing the archive '%s': member '%s' "
					       "is a device, a FIFO or a socket", file, name);
			break;
		}
		if (LA(archive_entry_size)(ent) < 0 ||
		    (total += LA(archive_entry_size)(ent)) > MAX_TOTAL) {
			error = venv_error_set(VENV_ETOOBIG, "refusing the archive '%s': its files add "
					       "up to more than %lld bytes", file, (long long)MAX_TOTAL);
			break;
		}
		file_index = kind == 'f' && !hl ? (uint32_t)x.sums.nr + 1 : 0;
		if ((added = nameset_add(&seen, name, kind, file_index)) < 0) {
			error = added;
			break;
		}
		if (added == 1) {
			error = venv_error_set(VENV_EUNSAFE, "refusing the archive '%s': member '%s' "
					       "appears twice", file, name);
			break;
		}
		if (hl || type == AE_IFLNK)
			error = extract_link(&x, ent, name, hl);
		else if (type == AE_IFDIR)
			error = extract_dir(&x, ent, name);
		else {
			struct venv_archive_digest *sum =
				venv_archive__digests_add(&x.sums, nameset_get(&seen, name, &file_index));

			error = sum ? extract_file(&x, a, ent, name, sum->digest) : VENV_ENOMEM;
		}
		if (error < 0)
			break;
	}
	if (!error && r != ARCHIVE_EOF)
		error = member_read_error(a, file, "after", count ? namebuf.buf : NULL);
	if (!error && !count)
		error = venv_error_set(VENV_EINVAL, "'%s' holds no environment", file);
	/*
	 * An archive of an older venv has no digests (nor says it has): it is
	 * restored as it was before, unchecked. One that says it has them and
	 * does not lost them.
	 */
	if (!error && want_digests && !digested)
		error = venv_error_set(VENV_EINVAL, "the archive '%s' is damaged: its %s are "
				       "missing", file, DIGESTS_NAME);
	if (!error)
		error = extract_fix_dirs(&x);
	extractor_release(&x);
	nameset_release(&seen);
	vbuf_release(&namebuf);
	return error;
}

/* digests: the archive says it ends with its digests. */
static int read_meta(struct archive *a, const char *file, struct vbuf *path, int *digests)
{
	struct archive_entry *ent;
	char buf[META_MAX + 1];
	json_error_t jerr;
	json_t *j;
	la_ssize_t n;
	const char *p;
	int error = 0;

	if (LA(archive_read_next_header)(a, &ent) != ARCHIVE_OK)
		return venv_archive__error(a, "read", file, NULL);
	if (strcmp(LA(archive_entry_pathname)(ent), META_NAME) ||
	    LA(archive_entry_filetype)(ent) != AE_IFREG || LA(archive_entry_size)(ent) > (la_int64_t)META_MAX)
		return venv_error_set(VENV_EINVAL, "'%s' is not an environment archive made by "
				      "venv repair (no %s)", file, META_NAME);
	n = LA(archive_read_data)(a, buf, META_MAX);
	if (n < 0)
		return venv_archive__error(a, "read", file, NULL);
	j = json_loadb(buf, (size_t)n, 0, &jerr);
	if (!j || json_integer_value(json_object_get(j, "venv-archive")) != 1 ||
	    !(p = json_string_value(json_object_get(j, "path"))) || p[0] != '/')
		error = venv_error_set(VENV_EINVAL, "'%s' has a damaged %s", file, META_NAME);
	else
		error = vbuf_sets(path, p);
	*digests = j && json_object_get(j, "digests") != NULL;
	json_decref(j);
	return error;
}

/*
 * Staging directories of earlier restores of the same target that did not
 * get to remove theirs: we hold the target's lock, so none is in use.
 * Only names of exactly the form mkdtemp() gave them are touched.
 */
static void remove_stale_staging(int pfd, const char *name)
{
	struct vbuf prefix = VBUF_INIT(VBUF_MAX_PATH);
	DIR *d;
	struct dirent *de;
	int fd = dup(pfd);

	if (fd < 0 || vbuf_addf(&prefix, ".%s.venv-restore-", name) < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		vbuf_release(&prefix);
		return;
	}
	while ((de = readdir(d))) {
		const char *rest = de->d_name + prefix.len;

		if (strncmp(de->d_name, prefix.buf, prefix.len) || strlen(rest) != 6 ||
		    strspn(rest, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") != 6)
			continue;
		venv_fs_remove_tree_at(pfd, de->d_name);
	}
	closedir(d);
	venv_error_clear();
	vbuf_release(&prefix);
}

/* Relocate a tree restored elsewhere than it was archived from, as repair would. */
static int relocate(const char *target, const char *from)
{
	struct venv_repair_opts o;
	struct venv_repair_report r;
	int error;

	/* We hold the target's lock; repair takes it again (common/lock.h). */
	memset(&o, 0, sizeof(o));
	error = venv_repair(target, &o, &r);
	if (error < 0)
		error = venv_error_set(error, "restored '%s', but could not relocate it from "
				       "'%s' (run 'venv repair %s'): %s", target, from, target,
				       venv_error_last());
	venv_repair_report_release(&r);
	return error;
}

/*
 * Without a DIR, the archive alone says where it goes: only one in venv's
 * own archive directory (the default of repair --archive, the user's) is
 * trusted to. Any other could put a tree wherever its writer chose and the
 * user can write (~/.config/autostart), as tar -P would.
 */
static int origin_trusted(const char *archive, const char *origin)
{
	struct vbuf cache = VBUF_INIT(VBUF_MAX_PATH), at = VBUF_INIT(VBUF_MAX_PATH);
	struct stat cst, ast;
	int error;

	if ((error = venv_cache_dir(&cache)) < 0 || (error = vbuf_adds(&cache, "/archives")) < 0 ||
	    (error = venv_path_abspath(&at, archive)) < 0 ||
	    (error = venv_path_dirname(&at, at.buf)) < 0)
		goto done;
	if (stat(cache.buf, &cst) == 0 && stat(at.buf, &ast) == 0 &&
	    cst.st_dev == ast.st_dev && cst.st_ino == ast.st_ino)
		goto done;
	error = venv_error_set(VENV_EUNSAFE, "refusing to restore '%s' where it says it was "
			       "archived from, '%s': only an archive in venv's archive directory "
			       "('%s') is trusted to name its place; name the directory to restore "
			       "into: venv restore ARCHIVE DIR", archive, origin, cache.buf);
done:
	vbuf_release(&cache);
	vbuf_release(&at);
	return error;
}

static int restore_env(struct vbuf *out, const char *archive, const char *dir, unsigned flags,
		       struct vbuf *from)
{
	struct vbuf target = VBUF_INIT(VBUF_MAX_PATH), parent = VBUF_INIT(VBUF_MAX_PATH);
	struct vbuf name = VBUF_INIT(VBUF_MAX_PATH), staging = VBUF_INIT(VBUF_MAX_PATH);
	struct vbuf stage_name = VBUF_INIT(VBUF_MAX_PATH), origin = VBUF_INIT(VBUF_MAX_PATH);
	struct archive *a = NULL;
	struct venv_lock lock = VENV_LOCK_INIT;
	struct stat st;
	int sfd = -1, pfd = -1, error, exists = 0, moved, digests = 0;

	if (!(a = LA(archive_read_new)()))
		return venv_error_set(VENV_ENOMEM, "out of memory");
	/* Only our own format and filters: never every format libarchive knows. */
	LA(archive_read_support_format_tar)(a);
	LA(archive_read_support_filter_zstd)(a);
	LA(archive_read_support_filter_gzip)(a);
	if (LA(archive_read_open_filename)(a, archive, 65536) != ARCHIVE_OK) {
		error = venv_archive__open_error(a, archive);
		goto done;
	}
	if ((error = read_meta(a, archive, &origin, &digests)) < 0 ||
	    (error = venv_path_normalize(&origin, origin.buf)) < 0 ||
	    (!dir && (error = origin_trusted(archive, origin.buf)) < 0))
		goto done;
	if ((error = venv_path_abspath(&target, dir ? dir : origin.buf)) < 0 ||
	    (error = venv_path_normalize(&target, target.buf)) < 0 ||
	    (error = venv_path_dirname(&parent, target.buf)) < 0 ||
	    (error = venv_path_basename(&name, target.buf)) < 0)
		goto done;
	moved = strcmp(target.buf, origin.buf) != 0;
	/* No other command may change the target meanwhile, even while it does not exist. */
	if ((error = venv_lock_take(&lock, target.buf, 0, NULL, NULL)) < 0)
		goto done;
	if (lstat(target.buf, &st) == 0) {
		int fd;

		if (!S_ISDIR(st.st_mode)) {
			error = venv_error_set(VENV_EEXISTS, "'%s' exists and is not a directory",
					       target.buf);
			goto done;
		}
		fd = open(target.buf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			error = venv_error_set_errno(venv_error_from_errno(errno), "cannot open '%s'",
						     target.buf);
			goto done;
		}
		exists = !venv_fs_dir_is_empty(target.buf);
		if (exists && (error = venv_envid_require(NULL, fd, target.buf, 0)) < 0) {
			close(fd);
			/* Only a refusal is "not an environment"; out of descriptors says so. */
			if (error == VENV_EUNSAFE)
				error = venv_error_set(VENV_EUNSAFE, "refusing to replace '%s': it is "
						       "not a virtual environment", target.buf);
			goto done;
		}
		close(fd);
		if (exists && !(flags & VENV_RESTORE_REPLACE)) {
			error = venv_error_set(VENV_EEXISTS, "'%s' exists; restoring would replace "
					       "it (use --yes)", target.buf);
			goto done;
		}
		if (!exists && rmdir(target.buf) < 0) {
			error = venv_error_set_errno(VENV_EIO, "cannot remove the empty '%s'",
						     target.buf);
			goto done;
		}
	}
	pfd = open(parent.buf, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (pfd < 0) {
		error = venv_error_set_errno(venv_error_from_errno(errno), "cannot open '%s'",
					     parent.buf);
		goto done;
	}
	remove_stale_staging(pfd, name.buf);
	/* A fresh 0700 staging directory beside the target, on the same file system. */
	if ((error = vbuf_addf(&staging, "%s/.%s.venv-restore-XXXXXX", parent.buf,
			       name.buf)) < 0)
		goto done;
	if (!mkdtemp(staging.buf)) {
		error = venv_error_set_errno(VENV_EIO, "cannot create a staging directory in '%s'",
					     parent.buf);
		vbuf_reset(&staging);
		goto done;
	}
	if ((error = venv_path_basename(&stage_name, staging.buf)) < 0)
		goto done;
	sfd = open(staging.buf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sfd < 0) {
		error = venv_error_set_errno(venv_error_from_errno(errno), "cannot open '%s'",
					     staging.buf);
		goto done;
	}
	if ((error = extract(a, archive, target.buf, sfd, digests)) < 0)
		goto done;
	/* The reader's descriptors are not needed any more; the clean-up may need them. */
	LA(archive_read_free)(a);
	a = NULL;
	{
		/* What repair archived is an environment by the same rule (common/envid.h). */
		int efd = openat(sfd, ROOT, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

		if (efd < 0 || venv_envid_require(NULL, efd, ROOT, VENV_ENVID_FORCE) < 0) {
			if (efd >= 0)
				close(efd);
			error = venv_error_set(VENV_EINVAL, "'%s' holds no environment (%s)",
					       archive, venv_error_last());
			goto done;
		}
		close(efd);
	}
	if ((error = venv_repair_syncfs(sfd, staging.buf)) < 0)
		goto done;
	/* The swap: one rename, so the target is the old or the new tree, never neither. */
	{
		struct vbuf src = VBUF_INIT(VBUF_MAX_PATH);

		if ((error = vbuf_addf(&src, "%s/" ROOT, stage_name.buf)) < 0) {
			vbuf_release(&src);
			goto done;
		}
		if (!exists) {
			if (renameat(pfd, src.buf, pfd, name.buf) < 0)
				error = venv_error_set_errno(venv_error_from_errno(errno),
							     "cannot move the restored environment "
							     "to '%s'", target.buf);
		} else if (renameat2(pfd, src.buf, pfd, name.buf, RENAME_EXCHANGE) < 0) {
			if (errno != EINVAL && errno != ENOSYS) {
				error = venv_error_set_errno(VENV_EIO, "cannot swap '%s' into place",
							     target.buf);
			} else {
				/* No atomic exchange on this file system: aside, then in. */
				struct vbuf aside = VBUF_INIT(VBUF_MAX_PATH);

				if ((error = vbuf_addf(&aside, "%s/old", stage_name.buf)) == 0 &&
				    (renameat(pfd, name.buf, pfd, aside.buf) < 0 ||
				     renameat(pfd, src.buf, pfd, name.buf) < 0))
					error = venv_error_set_errno(VENV_EIO, "cannot move '%s' "
								     "into place", target.buf);
				vbuf_release(&aside);
			}
		}
		vbuf_release(&src);
		if (error < 0)
			goto done;
	}
	if ((error = venv_repair_fsync_dir(pfd, parent.buf)) < 0)
		goto done;
	if (moved && from && (error = vbuf_sets(from, origin.buf)) < 0)
		goto done;
	/* Elsewhere than it was archived from: its scripts name the old place until relocated. */
	if (moved && !(flags & VENV_RESTORE_AS_IS) && (error = relocate(target.buf, origin.buf)) < 0)
		goto done;
	error = vbuf_sets(out, target.buf);
done:
	if (a)
		LA(archive_read_free)(a);
	if (sfd >= 0)
		close(sfd);
	/* The staging directory goes: with the new tree on failure, the old one on success. */
	if (staging.len && pfd >= 0 && stage_name.len) {
		char msg[2048];

		snprintf(msg, sizeof(msg), "%s", venv_error_last());
		if (venv_fs_remove_tree_at(pfd, stage_name.buf) < 0 && !error)
			error = venv_error_set(VENV_EIO, "restored '%s', but the old environment "
					       "could not be removed from '%s': %s", target.buf,
					       staging.buf, venv_error_last());
		else if (error < 0)
			venv_error_set(error, "%s", msg);
	}
	venv_lock_release(&lock);
	if (pfd >= 0)
		close(pfd);
	vbuf_release(&target);
	vbuf_release(&parent);
	vbuf_release(&name);
	vbuf_release(&staging);
	vbuf_release(&stage_name);
	vbuf_release(&origin);
	return error;
}

/* The public entry: libarchive is loaded on first use (see common/la.h). */
int venv_restore_env(struct vbuf *out, const char *archive, const char *dir, unsigned flags,
		     struct vbuf *from)
{
	int error = venv_la_load();

	return error < 0 ? error : restore_env(out, archive, dir, flags, from);
}
