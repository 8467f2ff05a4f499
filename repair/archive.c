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

/*
 * Archives of environments: a tar (pax) file, compressed with zstd where
 * libarchive can, else gzip. The first member, venv-archive.json, says
 * where the environment was; the environment itself is the tree "env/".
 * A file with several names inside the environment is stored once and
 * then as hard links to its first name; special files are refused. The
 * last member, venv-archive-digests, holds the SHA-256 of every file's
 * contents, hashed as the file is read into the archive (its format:
 * archive_digest.h), which restore checks before the tree takes the
 * environment's place.
 * libarchive reads and writes the archive itself; restore writes the tree
 * to disk with its own extractor (archive_restore.c), never with libarchive's.
 */

/* What was written, in order, to compare the archive against. */
struct manifest_entry {
	char *path;
	mode_t mode;     /* type and permission bits */
	int64_t size;
	struct timespec mtime;
	char *link;      /* a symlink's value, or the first name of a hard link */
	int hard;
	unsigned char digest[VENV_SHA256_LEN];  /* a regular file's, not a hard link's */
};

/* Files with more than one link, by inode, to store their later names as hard links. */
struct inode_slot {
	dev_t dev;
	ino_t ino;
	size_t idx;      /* of the first name in the manifest; 0 is the root, never a file */
};

struct manifest {
	struct manifest_entry *v;
	size_t nr, alloc;
	struct inode_slot *inodes;
	size_t icap, inr;
	const char *env;         /* the environment's absolute path, for messages */
	const char *file;        /* the archive's */
	struct venv_sha256 sha;  /* one state for the digests of all the files */
};

/* An archive written and in place, with what verify() compares it with. */
struct venv_archive_written {
	struct manifest m;
	struct vbuf digests;     /* the digests member's text */
	struct vbuf env;         /* the environment's absolute path, m.env */
	struct vbuf path;        /* the archive */
	struct vbuf name;        /* its name in pfd */
	int rootfd;              /* the environment */
	int pfd;                 /* the archive's directory */
};

static void manifest_release(struct manifest *m)
{
	size_t i;

	for (i = 0; i < m->nr; i++) {
		free(m->v[i].path);
		free(m->v[i].link);
	}
	free(m->v);
	free(m->inodes);
	venv_sha256_release(&m->sha);
	memset(m, 0, sizeof(*m));
}

static size_t inode_find(const struct manifest *m, dev_t dev, ino_t ino)
{
	size_t i = (size_t)(((uint64_t)dev * 1099511628211ULL) ^ (uint64_t)ino) & (m->icap - 1);

	while (m->inodes[i].idx && (m->inodes[i].dev != dev || m->inodes[i].ino != ino))
		i = (i + 1) & (m->icap - 1);
	return i;
}

/* The manifest index of the first name of st's inode, or 0. */
static size_t inode_lookup(const struct manifest *m, const struct stat *st)
{
	return m->icap ? m->inodes[inode_find(m, st->st_dev, st->st_ino)].idx : 0;
}

static int inode_remember(struct manifest *m, const struct stat *st, size_t idx)
{
	if (2 * (m->inr + 1) > m->icap) {
		struct manifest bigger = { NULL, 0, 0, NULL, m->icap ? m->icap * 2 : 256, 0,
					   NULL, NULL, { NULL, 0 } };
		size_t k;

		if (!(bigger.inodes = calloc(bigger.icap, sizeof(*bigger.inodes))))
			return venv_error_set(VENV_ENOMEM, "out of memory");
		for (k = 0; k < m->icap; k++)
			if (m->inodes[k].idx)
				bigger.inodes[inode_find(&bigger, m->inodes[k].dev,
							 m->inodes[k].ino)] = m->inodes[k];
		free(m->inodes);
		m->inodes = bigger.inodes;
		m->icap = bigger.icap;
	}
	m->inodes[inode_find(m, st->st_dev, st->st_ino)] =
		(struct inode_slot){ st->st_dev, st->st_ino, idx };
	m->inr++;
	return 0;
}

static int manifest_add(struct manifest *m, const char *path, const struct stat *st,
			const char *link)
{
	struct manifest_entry *e;

	if (VENV_ARRAY_GROW(m->v, m->alloc, m->nr + 1, 256) < 0)
		return VENV_ENOMEM;
	e = &m->v[m->nr];
	e->path = strdup(path);
	e->link = link ? strdup(link) : NULL;
	if (!e->path || (link && !e->link)) {
		free(e->path);
		free(e->link);
		return venv_error_set(VENV_ENOMEM, "out of memory");
	}
	e->mode = st->st_mode & (S_IFMT | 07777);
	e->size = S_ISREG(st->st_mode) ? (int64_t)st->st_size : 0;
	e->mtime = st->st_mtim;
	e->hard = 0;
	m->nr++;
	return 0;
}

int venv_archive__error(struct archive *a, const char *verb, const char *file,
			const char *context)
{
	int err = LA(archive_errno)(a);
	/*
	 * "Write error" says less than the system's ENOSPC; libarchive's own
	 * errors (a damaged or truncated archive) are EILSEQ, EINVAL or -1.
	 */
	const char *reason = err > 0 && err != EILSEQ && err != EINVAL ? strerror(err) :
			     LA(archive_error_string)(a) ? LA(archive_error_string)(a) :
			     "libarchive error";

	return venv_error_set(VENV_EIO, "cannot %s '%s'%s%s: %s", verb, file, context ? " " : "",
			      context ? context : "", reason);
}

/* The documented form, "cannot open 'FILE': reason", with the system's reason when there is one. */
int venv_archive__open_error(struct archive *a, const char *file)
{
	int err = LA(archive_errno)(a);

	/* libarchive reports format errors as EILSEQ: only open(2)'s own reasons are taken. */
	if (err == ENOENT || err == EACCES || err == EPERM || err == EISDIR || err == ENOTDIR ||
	    err == ELOOP || err == ENAMETOOLONG) {
		errno = err;
		return venv_error_set_errno(err == ENOENT ? VENV_ENOTFOUND : VENV_EIO,
					    "cannot open '%s'", file);
	}
	return venv_error_set(VENV_EIO, "cannot open '%s': %s", file,
			      LA(archive_error_string)(a) ? LA(archive_error_string)(a) :
			      "libarchive error");
}

/* A write of the archive that failed while it took in the member path. */
static int write_error(struct archive *a, const struct manifest *m, const char *path)
{
	struct vbuf at = VBUF_INIT(VBUF_MAX_PATH);
	int error;

	/*
	 * The member is only context: when it cannot be said (out of memory),
	 * the write error is still the one returned, without it.
	 */
	error = venv_archive__error(a, "write", m->file,
				    vbuf_addf(&at, "while adding '%s%s'", m->env,
					      UNDER_ROOT(path)) == 0 ? at.buf : NULL);
	vbuf_release(&at);
	return error;
}

/* 1 if s has no byte above 127. */
static int is_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s > 127)
			return 0;
	return 1;
}

/*
 * Write ent's header, for the member path (a link's value: link, or NULL).
 * libarchive stores a name in UTF-8 converted from the locale's charset;
 * one it cannot convert (not UTF-8, or any byte above 127 in the C locale
 * venv runs in) it stores as its bytes, with "hdrcharset=BINARY" in that
 * member's pax header alone, and says so with ARCHIVE_WARN: for such a
 * name, that is success. Readers get the bytes back as they were (restore
 * and venv_archive__verify() take names as bytes); an archive of names
 * that are all ASCII is as it always was. 0, or -1 for write_error().
 */
static int write_header(struct archive *a, struct archive_entry *ent, const char *path,
			const char *link)
{
	int r = LA(archive_write_header)(a, ent);

	if (r == ARCHIVE_OK)
		return 0;
	return r == ARCHIVE_WARN && (!is_ascii(path) || (link && !is_ascii(link))) ? 0 : -1;
}

/* Names repair keeps for itself at the top of an environment: never archived. */
static int is_own_name(const char *name)
{
	return !strncmp(name, VENV_REPAIR_PREFIX, strlen(VENV_REPAIR_PREFIX));
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int write_tree(struct archive *a, struct archive_entry *ent, int dfd, const char *path,
		      const struct stat *st, struct manifest *m, int depth);

static int write_dir_children(struct archive *a, struct archive_entry *ent, int dfd,
			      const char *path, struct manifest *m, int depth)
{
	DIR *d;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, alloc = 0, i;
	struct vbuf child = VBUF_INIT(VBUF_MAX_PATH);
	int dupfd, error = 0;

	if ((dupfd = dup(dfd)) < 0 || !(d = fdopendir(dupfd))) {
		if (dupfd >= 0)
			close(dupfd);
		return venv_error_set_errno(VENV_EIO, "cannot read '%s%s'", m->env,
					    UNDER_ROOT(path));
	}
	rewinddir(d);
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (depth == 0 && is_own_name(de->d_name))
			continue;
		if ((error = VENV_ARRAY_GROW(names, alloc, n + 1, 64)) < 0)
			goto done;
		if (!(names[n] = strdup(de->d_name))) {
			error = venv_error_set(VENV_ENOMEM, "out of memory");
			goto done;
		}
		n++;
	}
	/* A stable order, so that two archives of one tree are alike. */
	if (n)
		qsort(names, n, sizeof(*names), cmp_names);
	for (i = 0; i < n && !error; i++) {
		struct stat st;

		vbuf_reset(&child);
		if ((error = vbuf_addf(&child, "%s/%s", path, names[i])) < 0)
			break;
		if (fstatat(dfd, names[i], &st, AT_SYMLINK_NOFOLLOW) < 0) {
			error = venv_error_set_errno(VENV_EIO, "cannot stat '%s%s'", m->env,
						     UNDER_ROOT(child.buf));
			break;
		}
		if (S_ISDIR(st.st_mode)) {
			int sub = openat(dfd, names[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			if (sub < 0) {
				error = venv_error_set_errno(VENV_EIO, "cannot open '%s%s'", m->env,
							     UNDER_ROOT(child.buf));
				break;
			}
			error = write_tree(a, ent, sub, child.buf, &st, m, depth + 1);
			close(sub);
		} else {
			error = write_tree(a, ent, dfd, child.buf, &st, m, depth + 1);
		}
	}
done:
	closedir(d);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	vbuf_release(&child);
	return error;
}

/*
 * Write one entry. For a directory, dfd is the directory itself; for
 * anything else, the directory that holds it (named by the last
 * component of path).
 */
static int write_tree(struct archive *a, struct archive_entry *ent, int dfd, const char *path,
		      const struct stat *st, struct manifest *m, int depth)
{
	const char *base = strrchr(path, '/');
	char target[PATH_MAX];
	size_t first;
	int error = 0;

	base = base ? base + 1 : path;
	if (depth > 256)
		return venv_error_set(VENV_ETOOBIG, "'%s%s' is nested too deeply", m->env,
				      UNDER_ROOT(path));
	if (m->nr >= MAX_ENTRIES)
		return venv_error_set(VENV_ETOOBIG, "the environment has more than %d files",
				      MAX_ENTRIES);
	LA(archive_entry_clear)(ent);
	LA(archive_entry_set_pathname)(ent, path);
	LA(archive_entry_set_perm)(ent, st->st_mode & 07777);
	LA(archive_entry_set_mtime)(ent, st->st_mtim.tv_sec, st->st_mtim.tv_nsec);
	LA(archive_entry_set_uid)(ent, st->st_uid);
	LA(archive_entry_set_gid)(ent, st->st_gid);
	if (S_ISDIR(st->st_mode)) {
		LA(archive_entry_set_filetype)(ent, AE_IFDIR);
		if (write_header(a, ent, path, NULL) < 0)
			return write_error(a, m, path);
		if ((error = manifest_add(m, path, st, NULL)) < 0)
			return error;
		return write_dir_children(a, ent, dfd, path, m, depth);
	}
	if (S_ISLNK(st->st_mode)) {
		ssize_t n = readlinkat(dfd, base, target, sizeof(target) - 1);

		if (n < 0)
			return venv_error_set_errno(VENV_EIO, "cannot read the link '%s%s'", m->env,
						    UNDER_ROOT(path));
		target[n] = '\0';
		LA(archive_entry_set_filetype)(ent, AE_IFLNK);
		LA(archive_entry_set_symlink)(ent, target);
		if (write_header(a, ent, path, target) < 0)
			return write_error(a, m, path);
		return manifest_add(m, path, st, target);
	}
	if (S_ISREG(st->st_mode) && st->st_nlink > 1 && (first = inode_lookup(m, st))) {
		/* Another name of a file stored before: a hard link, as it was. */
		LA(archive_entry_set_filetype)(ent, AE_IFREG);
		LA(archive_entry_set_hardlink)(ent, m->v[first].path);
		LA(archive_entry_set_size)(ent, 0);
		if (write_header(a, ent, path, m->v[first].path) < 0)
			return write_error(a, m, path);
		if ((error = manifest_add(m, path, st, m->v[first].path)) < 0)
			return error;
		m->v[m->nr - 1].hard = 1;
		m->v[m->nr - 1].size = 0;
		return 0;
	}
	if (S_ISREG(st->st_mode)) {
		char buf[65536];
		unsigned char digest[VENV_SHA256_LEN];
		int fd = openat(dfd, base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		int64_t left = st->st_size;

		if (fd < 0)
			return venv_error_set_errno(VENV_EIO, "cannot open '%s%s'", m->env,
						    UNDER_ROOT(path));
		if ((error = venv_sha256_restart(&m->sha)) < 0) {
			close(fd);
			return error;
		}
		LA(archive_entry_set_filetype)(ent, AE_IFREG);
		LA(archive_entry_set_size)(ent, st->st_size);
		if (write_header(a, ent, path, NULL) < 0) {
			close(fd);
			return write_error(a, m, path);
		}
		while (left > 0) {
			ssize_t n = read(fd, buf, sizeof(buf));

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				error = venv_error_set(VENV_EIO, "'%s%s' changed while it was archived",
						       m->env, UNDER_ROOT(path));
				break;
			}
			if (n > left)
				n = (ssize_t)left;
			/* Hashed as it goes into the archive: the file is read once. */
			if ((error = venv_sha256_update(&m->sha, buf, (size_t)n)) < 0)
				break;
			if (LA(archive_write_data)(a, buf, (size_t)n) != n) {
				error = write_error(a, m, path);
				break;
			}
			left -= n;
		}
		close(fd);
		if (error < 0 || (error = venv_sha256_digest(&m->sha, digest)) < 0 ||
		    (error = manifest_add(m, path, st, NULL)) < 0)
			return error;
		memcpy(m->v[m->nr - 1].digest, digest, sizeof(digest));
		/* Links from outside (our wheel cache makes them) are no business of the archive. */
		return st->st_nlink > 1 ? inode_remember(m, st, m->nr - 1) : 0;
	}
	return venv_error_set(VENV_EUNSAFE, "'%s%s' is not a file, a directory or a link; it "
			      "cannot be archived", m->env, UNDER_ROOT(path));
}

/*
 * The digests member's text (its format: archive_digest.h): a line for
 * every regular file, in the archive's order.
 */
static int digests_text(const struct manifest *m, struct vbuf *out)
{
	size_t i;
	int error = 0;

	for (i = 0; i < m->nr && !error; i++)
		if (S_ISREG(m->v[i].mode) && !m->v[i].hard)
			error = venv_archive__digest_line(out, m->v[i].path, m->v[i].digest);
	return error;
}

/* A member of our own outside the tree: venv-archive.json or the digests. */
static int add_member(struct archive *a, struct archive_entry *ent, const char *name,
		      const char *data, size_t len, const char *file)
{
	LA(archive_entry_clear)(ent);
	LA(archive_entry_set_pathname)(ent, name);
	LA(archive_entry_set_filetype)(ent, AE_IFREG);
	LA(archive_entry_set_perm)(ent, 0644);
	LA(archive_entry_set_size)(ent, (la_int64_t)len);
	LA(archive_entry_set_mtime)(ent, time(NULL), 0);
	if (LA(archive_write_header)(a, ent) != ARCHIVE_OK ||
	    LA(archive_write_data)(a, data, len) != (la_ssize_t)len)
		return venv_archive__error(a, "write", file, NULL);
	return 0;
}

/* The digests member read back: exactly the text that was written. */
static int verify_digests(struct archive *a, const char *file, const struct vbuf *digests)
{
	char buf[65536];
	size_t at = 0;
	la_ssize_t n;

	while ((n = LA(archive_read_data)(a, buf, sizeof(buf))) > 0) {
		if ((size_t)n > digests->len - at || memcmp(buf, digests->buf + at, (size_t)n))
			break;
		at += (size_t)n;
	}
	if (n < 0)
		return venv_archive__error(a, "read back", file, NULL);
	if (n > 0 || at != digests->len)
		return venv_error_set(VENV_EIO, "the archive '%s' differs from what was written in "
				      "its %s", file, DIGESTS_NAME);
	return 0;
}

/* Its steps: archive_int.h. */
int venv_archive__verify(const struct venv_archive_written *w)
{
	const char *file = w->path.buf;
	const struct manifest *m = &w->m;
	struct archive *a = LA(archive_read_new)();
	struct archive_entry *ent;
	struct venv_sha256 sha = { NULL, 0 };
	size_t i = 0;
	int r, error = 0, digested = 0;

	if (!a)
		return venv_error_set(VENV_ENOMEM, "out of memory");
	LA(archive_read_support_format_tar)(a);
	LA(archive_read_support_filter_zstd)(a);
	LA(archive_read_support_filter_gzip)(a);
	if (LA(archive_read_open_filename)(a, file, 65536) != ARCHIVE_OK) {
		error = venv_archive__open_error(a, file);
		goto done;
	}
	r = LA(archive_read_next_header)(a, &ent);
	if (r != ARCHIVE_OK || strcmp(LA(archive_entry_pathname)(ent), META_NAME)) {
		error = venv_error_set(VENV_EIO, "the archive '%s' does not start with %s", file,
				       META_NAME);
		goto done;
	}
	while ((r = LA(archive_read_next_header)(a, &ent)) == ARCHIVE_OK) {
		const struct manifest_entry *me;
		const char *rel;

		if (i == m->nr && !digested && LA(archive_entry_pathname)(ent) &&
		    !strcmp(LA(archive_entry_pathname)(ent), DIGESTS_NAME)) {
			if ((error = verify_digests(a, file, &w->digests)) < 0)
				goto done;
			digested = 1;
			continue;
		}
		if (i >= m->nr) {
			error = venv_error_set(VENV_EIO, "the archive '%s' has more members than were "
					       "written", file);
			goto done;
		}
		me = &m->v[i++];
		{
			const char *what = NULL;

			const char *an = LA(archive_entry_pathname)(ent);
			size_t al = an ? strlen(an) : 0;

			/* A directory comes back with a "/" at the end. */
			if (al && an[al - 1] == '/')
				al--;
			if (!an || al != strlen(me->path) || memcmp(an, me->path, al))
				what = "name";
			/* A hard link comes back without a file type: it is its target's. */
			else if ((LA(archive_entry_mode)(ent) & (S_IFMT | 07777)) !=
				 (me->hard ? me->mode & 07777 : me->mode))
				what = "mode";
			else if (LA(archive_entry_mtime)(ent) != me->mtime.tv_sec ||
				 LA(archive_entry_mtime_nsec)(ent) != me->mtime.tv_nsec)
				what = "time";
			else if (S_ISREG(me->mode) && LA(archive_entry_size)(ent) != me->size)
				what = "size";
			else if (me->link && !me->hard &&
				 (!LA(archive_entry_symlink)(ent) ||
				  strcmp(LA(archive_entry_symlink)(ent), me->link)))
				what = "link";
			/* A hard link's link is its first name, never NULL; the analyzer cannot tell. */
			else if (!LA(archive_entry_hardlink)(ent) != !me->hard ||
				 (me->hard && (!me->link ||
					       strcmp(LA(archive_entry_hardlink)(ent), me->link))))
				what = "hard link";
			if (what) {
				error = venv_error_set(VENV_EIO, "the archive '%s' differs from the "
						       "environment at '%s%s' (%s)", file, m->env,
						       UNDER_ROOT(me->path), what);
				goto done;
			}
		}
		if (!S_ISREG(me->mode) || me->hard)
			continue;
		/* Compare the bytes with the file on disk. */
		rel = me->path + strlen(ROOT) + 1;
		{
			const char *base;
			int dfd = venv_repair_open_parent(w->rootfd, rel, &base), fd;
			char abuf[65536], fbuf[65536];
			ssize_t n;

			if (dfd < 0) {
				error = dfd;
				goto done;
			}
			if ((error = venv_sha256_restart(&sha)) < 0) {
				close(dfd);
				goto done;
			}
			fd = openat(dfd, base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
			close(dfd);
			if (fd < 0) {
				error = venv_error_set_errno(VENV_EIO, "cannot open '%s%s'", m->env,
							     UNDER_ROOT(me->path));
				goto done;
			}
			while ((n = LA(archive_read_data)(a, abuf, sizeof(abuf))) > 0) {
				ssize_t got = 0;

				while (got < n) {
					ssize_t k = read(fd, fbuf + got, (size_t)(n - got));

					if (k < 0 && errno == EINTR)
						continue;
					if (k <= 0)
						break;
					got += k;
				}
				if (got != n || memcmp(abuf, fbuf, (size_t)n)) {
					close(fd);
					error = venv_error_set(VENV_EIO, "the archive '%s' differs from "
							       "the environment in '%s%s'", file,
							       m->env, UNDER_ROOT(me->path));
					goto done;
				}
				if ((error = venv_sha256_update(&sha, abuf, (size_t)n)) < 0) {
					close(fd);
					goto done;
				}
			}
			close(fd);
			if (n < 0) {
				error = venv_archive__error(a, "read back", file, NULL);
				goto done;
			}
		}
		/* What restore will check: the bytes read back have the digest recorded. */
		{
			unsigned char digest[VENV_SHA256_LEN];

			if ((error = venv_sha256_digest(&sha, digest)) < 0)
				goto done;
			if (memcmp(digest, me->digest, sizeof(digest))) {
				error = venv_error_set(VENV_EIO, "the archive '%s' differs from the "
						       "environment at '%s%s' (digest)", file,
						       m->env, UNDER_ROOT(me->path));
				goto done;
			}
		}
	}
	if (r != ARCHIVE_EOF) {
		error = venv_archive__error(a, "read back", file, NULL);
		goto done;
	}
	if (i != m->nr || !digested)
		error = venv_error_set(VENV_EIO, "the archive '%s' lacks members that were written",
				       file);
done:
	venv_sha256_release(&sha);
	LA(archive_read_free)(a);
	return error;
}

int venv_archive_env(struct vbuf *out, const char *dir, const char *file)
{
	return venv_repair__archive(out, dir, file, NULL);
}

/* 'g' for a name that ends in .gz or .tgz, 'z' for .zst or .tzst, else 0. */
static int compression_of(const char *file)
{
	static const struct {
		const char *suffix;
		int kind;
	} suffixes[] = { { ".gz", 'g' }, { ".tgz", 'g' }, { ".zst", 'z' }, { ".tzst", 'z' } };
	size_t len = strlen(file), i;

	for (i = 0; i < VENV_ARRAY_SIZE(suffixes); i++) {
		size_t n = strlen(suffixes[i].suffix);

		if (len > n && !strcmp(file + len - n, suffixes[i].suffix))
			return suffixes[i].kind;
	}
	return 0;
}

/*
 * Write the archive into w (as venv_archive__write() makes it) and put it
 * in place; on failure nothing of it is left.
 */
static int write_archive(struct venv_archive_written *w, const char *dir, const char *file,
			 const struct timespec *root_mtime)
{
	struct vbuf abs = VBUF_INIT(VBUF_MAX_PATH), parent = VBUF_INIT(VBUF_MAX_PATH);
	struct vbuf tmp = VBUF_INIT(VBUF_MAX_PATH);
	struct vbuf *name = &w->name, *path = &w->path;
	struct archive *a = NULL;
	struct archive_entry *ent = NULL;
	struct manifest *m = &w->m;
	struct stat st;
	char *meta = NULL;
	json_t *j = NULL;
	int fd = -1, error = 0, zstd, want, renamed = 0;

	if ((error = venv_path_abspath(&abs, dir)) < 0 ||
	    (error = venv_path_dirname(&parent, abs.buf)) < 0 ||
	    (error = venv_path_basename(name, abs.buf)) < 0)
		goto done;
	w->rootfd = open(abs.buf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (w->rootfd < 0 || fstat(w->rootfd, &st) < 0) {
		error = venv_error_set_errno(VENV_EIO, "cannot open '%s'", abs.buf);
		goto done;
	}
	if (!(a = LA(archive_write_new)()) || !(ent = LA(archive_entry_new)())) {
		error = venv_error_set(VENV_ENOMEM, "out of memory");
		goto done;
	}
	LA(archive_write_set_format_pax)(a);
	/* A name that says gzip or zstd gets it; otherwise zstd where libarchive has it. */
	want = file ? compression_of(file) : 0;
	zstd = want != 'g' && LA(archive_write_add_filter_zstd)(a) == ARCHIVE_OK;
	if (want == 'z' && !zstd) {
		error = venv_error_set(VENV_EINVAL, "cannot write '%s': this libarchive has no "
				       "zstd compression (name it .tar.gz)", file);
		goto done;
	}
	if (!zstd && LA(archive_write_add_filter_gzip)(a) != ARCHIVE_OK) {
		error = venv_error_set(VENV_EIO, "cannot compress the archive: %s",
				       LA(archive_error_string)(a) ? LA(archive_error_string)(a) :
				       "libarchive error");
		goto done;
	}
	if (file) {
		error = venv_path_abspath(path, file);
	} else {
		char stamp[32];
		struct tm tm;
		time_t now = time(NULL);

		const char *base = name->buf;
		struct vbuf cache = VBUF_INIT(VBUF_MAX_PATH);

		gmtime_r(&now, &tm);
		strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
		/*
		 * Not beside the environment, where `git add .` would take it in: the
		 * cache directory's archives/, named after the environment (a hash of
		 * its path tells two ".venv"s apart). repair prints where it went.
		 */
		while (*base == '.')
			base++;
		if ((error = venv_cache_dir(&cache)) == 0 &&
		    (error = vbuf_adds(&cache, "/archives")) == 0 &&
		    (error = venv_fs_mkdirs(cache.buf)) == 0)
			error = vbuf_addf(path, "%s/%s-%08x-%s.tar.%s", cache.buf,
					  *base ? base : "env",
					  (unsigned)(venv_fnv1a(abs.buf, abs.len) & 0xffffffffu), stamp,
					  zstd ? "zst" : "gz");
		vbuf_release(&cache);
	}
	if (error < 0)
		goto done;
	if (venv_path_is_within(path->buf, abs.buf)) {
		error = venv_error_set(VENV_EINVAL, "the archive '%s' cannot be inside the "
				       "environment it archives", path->buf);
		goto done;
	}
	if (lstat(path->buf, &st) == 0) {
		error = venv_error_set(VENV_EEXISTS, "'%s' exists; it is not overwritten", path->buf);
		goto done;
	}
	if ((error = venv_path_dirname(&parent, path->buf)) < 0 ||
	    (error = venv_path_basename(name, path->buf)) < 0)
		goto done;
	w->pfd = open(parent.buf, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (w->pfd < 0) {
		error = venv_error_set_errno(VENV_EIO, "cannot open '%s'", parent.buf);
		goto done;
	}
	if ((error = vbuf_addf(&tmp, ".%s.tmp-%ld", name->buf, (long)getpid())) < 0)
		goto done;
	unlinkat(w->pfd, tmp.buf, 0);
	fd = openat(w->pfd, tmp.buf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		error = venv_error_set_errno(venv_error_from_errno(errno), "cannot create '%s/%s'",
					     parent.buf, tmp.buf);
		goto done;
	}
	if (LA(archive_write_open_fd)(a, fd) != ARCHIVE_OK) {
		error = venv_archive__error(a, "write", path->buf, NULL);
		goto done;
	}
	/* "digests" tells restore that this archive has them: one that lost them is damaged. */
	j = json_pack("{s:i, s:s, s:I, s:s, s:s}", "venv-archive", 1, "path", abs.buf, "created",
		      (json_int_t)time(NULL), "tool", "venv " VENV_VERSION_STRING, "digests",
		      DIGESTS_NAME);
	if (!j || !(meta = json_dumps(j, JSON_INDENT(1) | JSON_SORT_KEYS))) {
		error = venv_error_set(VENV_ENOMEM, "out of memory");
		goto done;
	}
	if ((error = add_member(a, ent, META_NAME, meta, strlen(meta), path->buf)) < 0)
		goto done;
	if (fstat(w->rootfd, &st) < 0) {
		error = venv_error_set_errno(VENV_EIO, "cannot stat '%s'", abs.buf);
		goto done;
	}
	/* The time before repair's own lock file touched the directory. */
	if (root_mtime)
		st.st_mtim = *root_mtime;
	if ((error = vbuf_sets(&w->env, abs.buf)) < 0)
		goto done;
	m->env = w->env.buf;
	m->file = path->buf;
	if ((error = write_tree(a, ent, w->rootfd, ROOT, &st, m, 0)) < 0 ||
	    (error = digests_text(m, &w->digests)) < 0 ||
	    (error = add_member(a, ent, DIGESTS_NAME, w->digests.buf, w->digests.len,
				path->buf)) < 0)
		goto done;
	if (LA(archive_write_close)(a) != ARCHIVE_OK) {
		error = venv_archive__error(a, "write", path->buf, NULL);
		goto done;
	}
	if (fsync(fd) < 0) {
		error = venv_error_set_errno(VENV_EIO, "cannot sync '%s'", path->buf);
		goto done;
	}
	if (close(fd) < 0) {
		fd = -1;
		error = venv_error_set_errno(VENV_EIO, "cannot write '%s'", path->buf);
		goto done;
	}
	fd = -1;
	/* Never replace a file that appeared meanwhile. */
	if (linkat(w->pfd, tmp.buf, w->pfd, name->buf, 0) < 0) {
		error = venv_error_set_errno(venv_error_from_errno(errno), "cannot create '%s'",
					     path->buf);
		goto done;
	}
	renamed = 1;
	unlinkat(w->pfd, tmp.buf, 0);
	error = venv_repair_fsync_dir(w->pfd, parent.buf);
done:
	if (fd >= 0)
		close(fd);
	if (error < 0 && w->pfd >= 0) {
		unlinkat(w->pfd, tmp.buf, 0);
		if (renamed)
			unlinkat(w->pfd, name->buf, 0);
	}
	if (a)
		LA(archive_write_free)(a);
	if (ent)
		LA(archive_entry_free)(ent);
	json_decref(j);
	free(meta);
	vbuf_release(&abs);
	vbuf_release(&parent);
	vbuf_release(&tmp);
	return error;
}

void venv_archive__written_free(struct venv_archive_written *w, int discard)
{
	if (!w)
		return;
	if (discard && w->pfd >= 0 && w->name.len)
		unlinkat(w->pfd, w->name.buf, 0);
	if (w->pfd >= 0)
		close(w->pfd);
	if (w->rootfd >= 0)
		close(w->rootfd);
	manifest_release(&w->m);
	vbuf_release(&w->digests);
	vbuf_release(&w->env);
	vbuf_release(&w->path);
	vbuf_release(&w->name);
	free(w);
}

int venv_archive__write(struct venv_archive_written **out, const char *dir, const char *file,
			const struct timespec *root_mtime)
{
	struct venv_archive_written *w = calloc(1, sizeof(*w));
	int error;

	*out = NULL;
	if (!w) {
		/* The code itself, not venv_error_set()'s result: the analyzer then sees w set on 0. */
		venv_error_set(VENV_ENOMEM, "out of memory");
		return VENV_ENOMEM;
	}
	vbuf_init(&w->digests, VBUF_MAX_MEMBER);
	vbuf_init(&w->env, VBUF_MAX_PATH);
	vbuf_init(&w->path, VBUF_MAX_PATH);
	vbuf_init(&w->name, VBUF_MAX_PATH);
	w->rootfd = -1;
	w->pfd = -1;
	/* libarchive is loaded on first use (see common/la.h). */
	if ((error = venv_la_load()) < 0 || (error = write_archive(w, dir, file, root_mtime)) < 0) {
		venv_archive__written_free(w, 0);
		return error;
	}
	*out = w;
	return 0;
}

/* Written, then checked: an archive that fails the check is removed. */
int venv_repair__archive(struct vbuf *out, const char *dir, const char *file,
			 const struct timespec *root_mtime)
{
	struct venv_archive_written *w = NULL;
	int error;

	if ((error = venv_archive__write(&w, dir, file, root_mtime)) < 0)
		return error;
	if ((error = venv_archive__verify(w)) == 0)
		error = vbuf_sets(out, w->path.buf);
	venv_archive__written_free(w, error < 0);
	return error;
}
