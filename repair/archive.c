#include "compat.h"
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

/*
 * Archives of environments: a tar (pax) file, compressed with zstd where
 * libarchive can, else gzip. The first member, venv-archive.json, says
 * where the environment was; the environment itself is the tree "env/".
 * A file with several names inside the environment is stored once and
 * then as hard links to its first name; special files are refused.
 * libarchive reads and writes the archive itself; restore writes the tree
 * to disk with its own extractor below, never with libarchive's.
 */

#define META_NAME "venv-archive.json"
#define ROOT "env"
#define MAX_ENTRIES 2000000
#define MAX_TOTAL ((int64_t)64 * 1024 * 1024 * 1024)
#define META_MAX ((size_t)64 * 1024)

/* What was written, in order, to compare the archive against. */
struct manifest_entry {
	char *path;
	mode_t mode;     /* type and permission bits */
	int64_t size;
	struct timespec mtime;
	char *link;      /* a symlink's value, or the first name of a hard link */
	int hard;
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
		struct manifest bigger = { NULL, 0, 0, NULL, m->icap ? m->icap * 2 : 256, 0 };
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

	if (m->nr == m->alloc) {
		size_t n = m->alloc ? m->alloc * 2 : 256;
		struct manifest_entry *p = realloc(m->v, n * sizeof(*p));

		if (!p)
			return venv_error_set(VENV_ENOMEM, "out of memory");
		m->v = p;
		m->alloc = n;
	}
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

static int arc_error(struct archive *a, const char *what)
{
	return venv_error_set(VENV_EIO, "%s: %s", what,
			      LA(archive_error_string)(a) ? LA(archive_error_string)(a) : "libarchive error");
}

/* The documented form, "cannot open 'FILE': reason", with the system's reason when there is one. */
static int arc_open_error(struct archive *a, const char *file)
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
		return venv_error_set_errno(VENV_EIO, "cannot read '%s'", path);
	}
	rewinddir(d);
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (depth == 0 && is_own_name(de->d_name))
			continue;
		if (n == alloc) {
			char **p;

			alloc = alloc ? alloc * 2 : 64;
			p = realloc(names, alloc * sizeof(*p));
			if (!p) {
				error = venv_error_set(VENV_ENOMEM, "out of memory");
				goto done;
			}
			names = p;
		}
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
		vbuf_addf(&child, "%s/%s", path, names[i]);
		if (fstatat(dfd, names[i], &st, AT_SYMLINK_NOFOLLOW) < 0) {
			error = venv_error_set_errno(VENV_EIO, "cannot stat '%s'", child.buf);
			break;
		}
		if (S_ISDIR(st.st_mode)) {
			int sub = openat(dfd, names[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			if (sub < 0) {
				error = venv_error_set_errno(VENV_EIO, "cannot open '%s'", child.buf);
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
		return venv_error_set(VENV_ETOOBIG, "'%s' is nested too deeply", path);
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
		if (LA(archive_write_header)(a, ent) != ARCHIVE_OK)
			return arc_error(a, path);
		if ((error = manifest_add(m, path, st, NULL)) < 0)
			return error;
		return write_dir_children(a, ent, dfd, path, m, depth);
	}
	if (S_ISLNK(st->st_mode)) {
		ssize_t n = readlinkat(dfd, base, target, sizeof(target) - 1);

		if (n < 0)
			return venv_error_set_errno(VENV_EIO, "cannot read the link '%s'", path);
		target[n] = '\0';
		LA(archive_entry_set_filetype)(ent, AE_IFLNK);
		LA(archive_entry_set_symlink)(ent, target);
		if (LA(archive_write_header)(a, ent) != ARCHIVE_OK)
			return arc_error(a, path);
		return manifest_add(m, path, st, target);
	}
	if (S_ISREG(st->st_mode) && st->st_nlink > 1 && (first = inode_lookup(m, st))) {
		/* Another name of a file stored before: a hard link, as it was. */
		LA(archive_entry_set_filetype)(ent, AE_IFREG);
		LA(archive_entry_set_hardlink)(ent, m->v[first].path);
		LA(archive_entry_set_size)(ent, 0);
		if (LA(archive_write_header)(a, ent) != ARCHIVE_OK)
			return arc_error(a, path);
		if ((error = manifest_add(m, path, st, m->v[first].path)) < 0)
			return error;
		m->v[m->nr - 1].hard = 1;
		m->v[m->nr - 1].size = 0;
		return 0;
	}
	if (S_ISREG(st->st_mode)) {
		char buf[65536];
		int fd = openat(dfd, base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		int64_t left = st->st_size;

		if (fd < 0)
			return venv_error_set_errno(VENV_EIO, "cannot open '%s'", path);
		LA(archive_entry_set_filetype)(ent, AE_IFREG);
		LA(archive_entry_set_size)(ent, st->st_size);
		if (LA(archive_write_header)(a, ent) != ARCHIVE_OK) {
			close(fd);
			return arc_error(a, path);
		}
		while (left > 0) {
			ssize_t n = read(fd, buf, sizeof(buf));

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				error = venv_error_set(VENV_EIO, "'%s' changed while it was archived",
						       path);
				break;
			}
			if (n > left)
				n = (ssize_t)left;
			if (LA(archive_write_data)(a, buf, (size_t)n) != n) {
				error = arc_error(a, path);
				break;
			}
			left -= n;
		}
		close(fd);
		if (error < 0)
			return error;
		if ((error = manifest_add(m, path, st, NULL)) < 0)
			return error;
		/* Links from outside (our wheel cache makes them) are no business of the archive. */
		return st->st_nlink > 1 ? inode_remember(m, st, m->nr - 1) : 0;
	}
	return venv_error_set(VENV_EUNSAFE, "'%s' is not a file, a directory or a link; it "
			      "cannot be archived", path);
}

/* Read the archive back and compare it with what was written and with the files. */
static int verify(const char *file, const struct manifest *m, int rootfd)
{
	struct archive *a = LA(archive_read_new)();
	struct archive_entry *ent;
	size_t i = 0;
	int r, error = 0;

	if (!a)
		return venv_error_set(VENV_ENOMEM, "out of memory");
	LA(archive_read_support_format_tar)(a);
	LA(archive_read_support_filter_zstd)(a);
	LA(archive_read_support_filter_gzip)(a);
	if (LA(archive_read_open_filename)(a, file, 65536) != ARCHIVE_OK) {
		error = arc_open_error(a, file);
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
			else if (!LA(archive_entry_hardlink)(ent) != !me->hard ||
				 (me->hard && strcmp(LA(archive_entry_hardlink)(ent), me->link)))
				what = "hard link";
			if (what) {
				error = venv_error_set(VENV_EIO, "the archive '%s' differs from the "
						       "environment at '%s' (%s)", file, me->path, what);
				goto done;
			}
		}
		if (!S_ISREG(me->mode) || me->hard)
			continue;
		/* Compare the bytes with the file on disk. */
		rel = me->path + strlen(ROOT) + 1;
		{
			const char *base;
			int dfd = venv_repair_open_parent(rootfd, rel, &base), fd;
			char abuf[65536], fbuf[65536];
			ssize_t n;

			if (dfd < 0) {
				error = dfd;
				goto done;
			}
			fd = openat(dfd, base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
			close(dfd);
			if (fd < 0) {
				error = venv_error_set_errno(VENV_EIO, "cannot open '%s'", me->path);
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
							       "the environment in '%s'", file,
							       me->path);
					goto done;
				}
			}
			close(fd);
			if (n < 0) {
				error = arc_error(a, file);
				goto done;
			}
		}
	}
	if (r != ARCHIVE_EOF) {
		error = arc_error(a, file);
		goto done;
	}
	if (i != m->nr)
		error = venv_error_set(VENV_EIO, "the archive '%s' lacks members that were written",
				       file);
done:
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

static int repair_archive(struct vbuf *out, const char *dir, const char *file,
			 const struct timespec *root_mtime)
{
	struct vbuf abs = VBUF_INIT(VBUF_MAX_PATH), parent = VBUF_INIT(VBUF_MAX_PATH);
	struct vbuf name = VBUF_INIT(VBUF_MAX_PATH), path = VBUF_INIT(VBUF_MAX_PATH);
	struct vbuf tmp = VBUF_INIT(VBUF_MAX_PATH);
	struct archive *a = NULL;
	struct archive_entry *ent = NULL;
	struct manifest m = { NULL, 0, 0, NULL, 0, 0 };
	struct stat st;
	char *meta = NULL;
	json_t *j = NULL;
	int rootfd = -1, fd = -1, pfd = -1, error = 0, zstd, want, renamed = 0;

	if ((error = venv_path_abspath(&abs, dir)) < 0 ||
	    (error = venv_path_dirname(&parent, abs.buf)) < 0 ||
	    (error = venv_path_basename(&name, abs.buf)) < 0)
		goto done;
	rootfd = open(abs.buf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (rootfd < 0 || fstat(rootfd, &st) < 0) {
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
		error = arc_error(a, "cannot compress");
		goto done;
	}
	if (file) {
		error = venv_path_abspath(&path, file);
	} else {
		char stamp[32];
		struct tm tm;
		time_t now = time(NULL);

		const char *base = name.buf;
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
			error = vbuf_addf(&path, "%s/%s-%08x-%s.tar.%s", cache.buf,
					  *base ? base : "env",
					  (unsigned)(venv_fnv1a(abs.buf, abs.len) & 0xffffffffu), stamp,
					  zstd ? "zst" : "gz");
		vbuf_release(&cache);
	}
	if (error < 0)
		goto done;
	if (venv_path_is_within(path.buf, abs.buf)) {
		error = venv_error_set(VENV_EINVAL, "the archive '%s' cannot be inside the "
				       "environment it archives", path.buf);
		goto done;
	}
	if (lstat(path.buf, &st) == 0) {
		error = venv_error_set(VENV_EEXISTS, "'%s' exists; it is not overwritten", path.buf);
		goto done;
	}
	if ((error = venv_path_dirname(&parent, path.buf)) < 0 ||
	    (error = venv_path_basename(&name, path.buf)) < 0)
		goto done;
	pfd = open(parent.buf, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (pfd < 0) {
		error = venv_error_set_errno(VENV_EIO, "cannot open '%s'", parent.buf);
		goto done;
	}
	vbuf_addf(&tmp, ".%s.tmp-%ld", name.buf, (long)getpid());
	unlinkat(pfd, tmp.buf, 0);
	fd = openat(pfd, tmp.buf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		error = venv_error_set_errno(venv_error_from_errno(errno), "cannot create '%s/%s'",
					     parent.buf, tmp.buf);
		goto done;
	}
	if (LA(archive_write_open_fd)(a, fd) != ARCHIVE_OK) {
		error = arc_error(a, path.buf);
		goto done;
	}
	j = json_pack("{s:i, s:s, s:I, s:s}", "venv-archive", 1, "path", abs.buf, "created",
		      (json_int_t)time(NULL), "tool", "venv " VENV_VERSION_STRING);
	if (!j || !(meta = json_dumps(j, JSON_INDENT(1) | JSON_SORT_KEYS))) {
		error = venv_error_set(VENV_ENOMEM, "out of memory");
		goto done;
	}
	LA(archive_entry_set_pathname)(ent, META_NAME);
	LA(archive_entry_set_filetype)(ent, AE_IFREG);
	LA(archive_entry_set_perm)(ent, 0644);
	LA(archive_entry_set_size)(ent, (la_int64_t)strlen(meta));
	LA(archive_entry_set_mtime)(ent, time(NULL), 0);
	if (LA(archive_write_header)(a, ent) != ARCHIVE_OK ||
	    LA(archive_write_data)(a, meta, strlen(meta)) != (la_ssize_t)strlen(meta)) {
		error = arc_error(a, path.buf);
		goto done;
	}
	if (fstat(rootfd, &st) < 0) {
		error = venv_error_set_errno(VENV_EIO, "cannot stat '%s'", abs.buf);
		goto done;
	}
	/* The time before repair's own lock file touched the directory. */
	if (root_mtime)
		st.st_mtim = *root_mtime;
	if ((error = write_tree(a, ent, rootfd, ROOT, &st, &m, 0)) < 0)
		goto done;
	if (LA(archive_write_close)(a) != ARCHIVE_OK) {
		error = arc_error(a, path.buf);
		goto done;
	}
	if (fsync(fd) < 0) {
		error = venv_error_set_errno(VENV_EIO, "cannot sync '%s'", path.buf);
		goto done;
	}
	if (close(fd) < 0) {
		fd = -1;
		error = venv_error_set_errno(VENV_EIO, "cannot write '%s'", path.buf);
		goto done;
	}
	fd = -1;
	/* Never replace a file that appeared meanwhile. */
	if (linkat(pfd, tmp.buf, pfd, name.buf, 0) < 0) {
		error = venv_error_set_errno(venv_error_from_errno(errno), "cannot create '%s'",
					     path.buf);
		goto done;
	}
	renamed = 1;
	unlinkat(pfd, tmp.buf, 0);
	if ((error = venv_repair_fsync_dir(pfd, parent.buf)) < 0)
		goto done;
	if ((error = verify(path.buf, &m, rootfd)) < 0)
		goto done;
	error = vbuf_sets(out, path.buf);
done:
	if (fd >= 0)
		close(fd);
	if (error < 0 && pfd >= 0) {
		unlinkat(pfd, tmp.buf, 0);
		if (renamed)
			unlinkat(pfd, name.buf, 0);
	}
	if (pfd >= 0)
		close(pfd);
	if (rootfd >= 0)
		close(rootfd);
	if (a)
		LA(archive_write_free)(a);
	if (ent)
		LA(archive_entry_free)(ent);
	manifest_release(&m);
	json_decref(j);
	free(meta);
	vbuf_release(&abs);
	vbuf_release(&parent);
	vbuf_release(&name);
	vbuf_release(&path);
	vbuf_release(&tmp);
	return error;
}

/* The public entry: libarchive is loaded on first use (see common/la.h). */
int venv_repair__archive(struct vbuf *out, const char *dir, const char *file,
			 const struct timespec *root_mtime)
{
	int error = venv_la_load();

	return error < 0 ? error : repair_archive(out, dir, file, root_mtime);
}

/* A set of member names, to refuse duplicates and to know earlier files and links. */
struct nameset {
	char **slot;
	unsigned char *kind;   /* 'f' regular file, 'd' directory, 'l' link */
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

static int nameset_add(struct nameset *ns, const char *name, int kind)
{
	size_t i;

	if (2 * (ns->nr + 1) > ns->cap) {
		struct nameset bigger = { NULL, NULL, ns->cap ? ns->cap * 2 : 1024, 0 };
		size_t k;

		bigger.slot = calloc(bigger.cap, sizeof(*bigger.slot));
		bigger.kind = calloc(bigger.cap, 1);
		if (!bigger.slot || !bigger.kind) {
			free(bigger.slot);
			free(bigger.kind);
			return venv_error_set(VENV_ENOMEM, "out of memory");
		}
		for (k = 0; k < ns->cap; k++) {
			if (ns->slot[k]) {
				size_t j = nameset_find(&bigger, ns->slot[k]);

				bigger.slot[j] = ns->slot[k];
				bigger.kind[j] = ns->kind[k];
				bigger.nr++;
			}
		}
		free(ns->slot);
		free(ns->kind);
		*ns = bigger;
	}
	i = nameset_find(ns, name);
	if (ns->slot[i])
		return 1;
	if (!(ns->slot[i] = strdup(name)))
		return venv_error_set(VENV_ENOMEM, "out of memory");
	ns->kind[i] = (unsigned char)kind;
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
	memset(ns, 0, sizeof(*ns));
}

/*
 * Our own checks of a member name: below env/, no empty, "." or ".."
 * component, not absolute, and every directory above it a directory
 * member extracted before it. Our archives always hold a directory before
 * what it contains, so an archive that does not is refused rather than
 * having its directories made up.
 */
static int check_name(const struct nameset *ns, const char *name, const char *what)
{
	const char *p = name;
	struct vbuf prefix = VBUF_INIT(VBUF_MAX_PATH);
	int error = 0;

	if (strlen(name) >= PATH_MAX)
		return venv_error_set(VENV_EUNSAFE, "refusing the archive: %s '%.80s...' is too long",
				      what, name);
	if (strcmp(name, ROOT) && strncmp(name, ROOT "/", strlen(ROOT) + 1))
		return venv_error_set(VENV_EUNSAFE, "refusing the archive: %s '%s' is outside the "
				      "environment's tree", what, name);
	for (;;) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);

		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.')) {
			error = venv_error_set(VENV_EUNSAFE, "refusing the archive: %s '%s' has an "
					       "empty, '.' or '..' component", what, name);
			break;
		}
		if (n > NAME_MAX) {
			error = venv_error_set(VENV_EUNSAFE, "refusing the archive: %s '%.80s...' "
					       "has a component longer than %d bytes", what, name,
					       NAME_MAX);
			break;
		}
		if (!slash)
			break;
		vbuf_reset(&prefix);
		vbuf_add(&prefix, name, (size_t)(slash - name));
		if (nameset_kind(ns, prefix.buf) != 'd') {
			error = venv_error_set(VENV_EUNSAFE, "refusing the archive: %s '%s' lies "
					       "below '%s', which is not a directory extracted "
					       "before it", what, name, prefix.buf);
			break;
		}
		p = slash + 1;
	}
	vbuf_release(&prefix);
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
	int rootfd;              /* the staging directory */
	int dirfd;               /* the directory of the last member, or -1 */
	struct vbuf dirpath;     /* its name below rootfd */
	struct dirfix *fix;      /* directories whose mode and times are set last */
	size_t nfix, allocfix;
};

static void extractor_release(struct extractor *x)
{
	size_t i;

	if (x->dirfd >= 0)
		close(x->dirfd);
	for (i = 0; i < x->nfix; i++)
		free(x->fix[i].path);
	free(x->fix);
	vbuf_release(&x->dirpath);
}

static int extract_errno(const char *what, const char *name)
{
	int e = errno;

	/* A symlink or a file where our own directory was: someone raced us. */
	if (e == ELOOP || e == ENOTDIR || e == EEXIST)
		return venv_error_set_errno(VENV_EUNSAFE, "refusing the archive: cannot %s '%s'",
					    what, name);
	return venv_error_set_errno(venv_error_from_errno(e), "cannot %s '%s'", what, name);
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

static int extract_file(struct extractor *x, struct archive *a, struct archive_entry *ent,
			const char *name, const char *file)
{
	const char *base;
	int dfd = extractor_parent(x, name, &base), fd, r, error = 0;
	int64_t size = LA(archive_entry_size)(ent);
	struct timespec ts[2];
	const void *buf;
	size_t len;
	la_int64_t off;

	if (dfd < 0)
		return dfd;
	fd = openat(dfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return extract_errno("create", name);
	while ((r = LA(archive_read_data_block)(a, &buf, &len, &off)) == ARCHIVE_OK) {
		const char *p = buf;

		if (off < 0 || (int64_t)len > size || off > size - (int64_t)len) {
			error = venv_error_set(VENV_EUNSAFE, "refusing the archive: '%s' holds more "
					       "data than its size", name);
			goto done;
		}
		while (len) {
			ssize_t n = pwrite(fd, p, len, (off_t)off);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				error = extract_errno("write", name);
				goto done;
			}
			p += n;
			off += n;
			len -= (size_t)n;
		}
	}
	if (r != ARCHIVE_EOF) {
		error = arc_error(a, file);
		goto done;
	}
	/* A sparse file may end in a hole. */
	if (ftruncate(fd, (off_t)size) < 0) {
		error = extract_errno("write", name);
		goto done;
	}
	entry_times(ent, ts);
	/* Plain permissions only: no set-user-ID, set-group-ID or sticky bit. */
	if (fchmod(fd, LA(archive_entry_perm)(ent) & 0777) < 0 || futimens(fd, ts) < 0)
		error = extract_errno("set the mode and times of", name);
done:
	if (close(fd) < 0 && !error)
		error = extract_errno("write", name);
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
		return extract_errno("create the directory", name);
	if (x->nfix == x->allocfix) {
		size_t n = x->allocfix ? x->allocfix * 2 : 64;
		struct dirfix *p = realloc(x->fix, n * sizeof(*p));

		if (!p)
			return venv_error_set(VENV_ENOMEM, "out of memory");
		x->fix = p;
		x->allocfix = n;
	}
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
			error = extract_errno("create the hard link", name);
		close(hfd);
		return error;
	}
	if (!target || !*target || strlen(target) >= PATH_MAX)
		return venv_error_set(VENV_EUNSAFE, "refusing the archive: the symlink '%s' has no "
				      "usable target", name);
	if ((dfd = extractor_parent(x, name, &base)) < 0)
		return dfd;
	/* The target is stored, never followed: restore opens nothing through it. */
	if (symlinkat(target, dfd, base) < 0)
		return extract_errno("create the symlink", name);
	entry_times(ent, ts);
	if (utimensat(dfd, base, ts, AT_SYMLINK_NOFOLLOW) < 0 && errno != EOPNOTSUPP)
		return extract_errno("set the times of", name);
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
			return extract_errno("open the directory", f->path);
		if (fchmod(fd, f->perm) < 0 || futimens(fd, f->times) < 0)
			error = extract_errno("set the mode and times of", f->path);
		close(fd);
		if (error < 0)
			return error;
	}
	return 0;
}

/* Extract the tree of reader a into the staging directory rootfd. */
static int extract(struct archive *a, const char *file, int rootfd)
{
	struct extractor x = { rootfd, -1, VBUF_INIT(VBUF_MAX_PATH), NULL, 0, 0 };
	struct archive_entry *ent;
	struct nameset seen = { NULL, NULL, 0, 0 };
	struct vbuf namebuf = VBUF_INIT(VBUF_MAX_PATH);
	int64_t total = 0;
	size_t count = 0;
	int r, error = 0;

	while ((r = LA(archive_read_next_header)(a, &ent)) == ARCHIVE_OK) {
		const char *hl = LA(archive_entry_hardlink)(ent), *name;
		mode_t type = LA(archive_entry_filetype)(ent);
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
			error = venv_error_set(VENV_ETOOBIG, "refusing the archive: more than %d "
					       "members", MAX_ENTRIES);
			break;
		}
		if (!name || (error = check_name(&seen, name, "member")) < 0) {
			if (!name)
				error = venv_error_set(VENV_EUNSAFE, "refusing the archive: a member "
						       "has no name");
			break;
		}
		if (count == 1 && (strcmp(name, ROOT) || type != AE_IFDIR || hl)) {
			error = venv_error_set(VENV_EUNSAFE, "refusing the archive: its tree does "
					       "not start with the directory '" ROOT "'");
			break;
		}
		if (hl) {
			/* A hard link only to a regular file extracted before. */
			if ((error = check_name(&seen, hl, "hard link target")) < 0)
				break;
			if (nameset_kind(&seen, hl) != 'f') {
				error = venv_error_set(VENV_EUNSAFE, "refusing the archive: '%s' is a "
						       "hard link to '%s', which is not a file "
						       "extracted before it", name, hl);
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
			error = venv_error_set(VENV_EUNSAFE, "refusing the archive: '%s' is a device, "
					       "a FIFO or a socket", name);
			break;
		}
		if (LA(archive_entry_size)(ent) < 0 ||
		    (total += LA(archive_entry_size)(ent)) > MAX_TOTAL) {
			error = venv_error_set(VENV_ETOOBIG, "refusing the archive: its files add up "
					       "to more than %lld bytes", (long long)MAX_TOTAL);
			break;
		}
		if ((added = nameset_add(&seen, name, kind)) < 0) {
			error = added;
			break;
		}
		if (added == 1) {
			error = venv_error_set(VENV_EUNSAFE, "refusing the archive: '%s' appears twice",
					       name);
			break;
		}
		if (hl || type == AE_IFLNK)
			error = extract_link(&x, ent, name, hl);
		else if (type == AE_IFDIR)
			error = extract_dir(&x, ent, name);
		else
			error = extract_file(&x, a, ent, name, file);
		if (error < 0)
			break;
	}
	if (!error && r != ARCHIVE_EOF)
		error = arc_error(a, file);
	if (!error && !count)
		error = venv_error_set(VENV_EINVAL, "'%s' holds no environment", file);
	if (!error)
		error = extract_fix_dirs(&x);
	extractor_release(&x);
	nameset_release(&seen);
	vbuf_release(&namebuf);
	return error;
}

static int read_meta(struct archive *a, const char *file, struct vbuf *path)
{
	struct archive_entry *ent;
	char buf[META_MAX + 1];
	json_error_t jerr;
	json_t *j;
	la_ssize_t n;
	const char *p;
	int error = 0;

	if (LA(archive_read_next_header)(a, &ent) != ARCHIVE_OK)
		return arc_error(a, file);
	if (strcmp(LA(archive_entry_pathname)(ent), META_NAME) ||
	    LA(archive_entry_filetype)(ent) != AE_IFREG || LA(archive_entry_size)(ent) > (la_int64_t)META_MAX)
		return venv_error_set(VENV_EINVAL, "'%s' is not an environment archive made by "
				      "venv repair (no %s)", file, META_NAME);
	n = LA(archive_read_data)(a, buf, META_MAX);
	if (n < 0)
		return arc_error(a, file);
	j = json_loadb(buf, (size_t)n, 0, &jerr);
	if (!j || json_integer_value(json_object_get(j, "venv-archive")) != 1 ||
	    !(p = json_string_value(json_object_get(j, "path"))) || p[0] != '/')
		error = venv_error_set(VENV_EINVAL, "'%s' has a damaged %s", file, META_NAME);
	else
		error = vbuf_sets(path, p);
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

static int restore_env(struct vbuf *out, const char *archive, const char *dir, unsigned flags,
		       struct vbuf *from)
{
	struct vbuf target = VBUF_INIT(VBUF_MAX_PATH), parent = VBUF_INIT(VBUF_MAX_PATH);
	struct vbuf name = VBUF_INIT(VBUF_MAX_PATH), staging = VBUF_INIT(VBUF_MAX_PATH);
	struct vbuf stage_name = VBUF_INIT(VBUF_MAX_PATH), origin = VBUF_INIT(VBUF_MAX_PATH);
	struct archive *a = NULL;
	struct venv_lock lock = VENV_LOCK_INIT;
	struct stat st;
	int sfd = -1, pfd = -1, error, exists = 0, moved;

	if (!(a = LA(archive_read_new)()))
		return venv_error_set(VENV_ENOMEM, "out of memory");
	/* Only our own format and filters: never every format libarchive knows. */
	LA(archive_read_support_format_tar)(a);
	LA(archive_read_support_filter_zstd)(a);
	LA(archive_read_support_filter_gzip)(a);
	if (LA(archive_read_open_filename)(a, archive, 65536) != ARCHIVE_OK) {
		error = arc_open_error(a, archive);
		goto done;
	}
	if ((error = read_meta(a, archive, &origin)) < 0 ||
	    (error = venv_path_normalize(&origin, origin.buf)) < 0)
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
	vbuf_addf(&staging, "%s/.%s.venv-restore-XXXXXX", parent.buf, name.buf);
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
	if ((error = extract(a, archive, sfd)) < 0)
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

		vbuf_addf(&src, "%s/" ROOT, stage_name.buf);
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

				vbuf_addf(&aside, "%s/old", stage_name.buf);
				if (renameat(pfd, name.buf, pfd, aside.buf) < 0 ||
				    renameat(pfd, src.buf, pfd, name.buf) < 0)
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
