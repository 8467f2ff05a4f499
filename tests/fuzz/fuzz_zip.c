/*
 * FUZ-07: the wheel (zip) reader, venv_wheel_unpack() in create/wheel.c,
 * on hostile archives, with sentinels outside the target that must never
 * change (security.md WHL-01, WHL-02, WHL-05, WHL-07, WHL-08, WHL-09).
 *
 * The first byte of the input holds flags, the rest is the wheel file:
 *   bit 0  unpack with VENV_WHEEL_FIXED (the wheel cache) instead of 0
 *          (a direct install), the two ways create/pip.c calls it;
 *   bit 1  plant symbolic links to the sentinels in the target directory
 *          first, under names a wheel for "pkg" writes to (pkg/, mod.py,
 *          pkg-1.0.data/), so that writing through them can be seen;
 *   bit 2  the rest is not a zip but a list of members, written as a zip
 *          by libarchive with a WHEEL and a RECORD that lists every member
 *          with its right hash (bit 3: no RECORD row for the last member),
 *          so that mutations get past the CRCs to the names, the layout and
 *          the RECORD checks. Names are made of tokens, links and modes
 *          come from the input.
 * The wheel is written as w/pkg-1.0-py3-none-any.whl, so inputs whose
 * .dist-info is pkg-1.0.dist-info get past the name checks; the seeds
 * (tests/fuzz/corpus/gen-zip.sh) are built that way.
 *
 * A private root, made once, holds the sentinels:
 *   outside/sentinel, outside/exec, outside/dir/inner, outside/link -> sentinel
 *   w/keep                                   beside the target
 * and for every input a fresh target directory w/t. After the unpack,
 * whatever it returned: every sentinel has the same type, mode, inode,
 * link count, times and bytes as before, nothing else appeared outside the
 * target, no file descriptor leaked, and the target holds only directories
 * and regular files (and the planted links, unchanged), with no setuid,
 * setgid, sticky or group/world-writable mode (the umask is 022; files are
 * created 0666/0777 through it, and the execute bits pip adds never make
 * them writable). On success the target holds exactly the files of the
 * manifest, each with the size, SHA-256 and execute bit the manifest
 * gives, the mode 0644/0755 and the one mtime of VENV_WHEEL_FIXED when
 * asked for, and the manifest's hash is the wheel's. On failure the code is
 * one of those wheel.h documents for a bad wheel (VENV_EINVAL, VENV_EUNSAFE,
 * VENV_ETOOBIG) and the message is not empty.
 */
#include "compat.h"
#include <dirent.h>
#include <archive.h>
#include <archive_entry.h>
#include "error.h"
#include "fs.h"
#include "fuzz.h"
#include "fuzz-tree.h"
#include "sha256.h"
#include "wheel.h"

#define SENTINEL "venv fuzz sentinel\n"
#define WHEEL_NAME "pkg-1.0-py3-none-any.whl"
#define MAX_WALK_FILES 4096

static char root[PATH_MAX];
static struct vbuf before = VBUF_INIT(VBUF_MAX_PATH);

static void cleanup(void)
{
	if (root[0])
		venv_fs_remove_tree(root);
	vbuf_release(&before);
}

/*
 * Append a description of the tree at path to out: every entry, sorted,
 * with everything lstat() says that a write would change, a file's bytes
 * and a link's target.
 */
static void describe(struct vbuf *out, const char *path, int depth)
{
	DIR *d = opendir(path);
	struct dirent *de;
	char *names[32];
	size_t n = 0, i;

	if (!d || depth > 4)
		abort();
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (n == VENV_ARRAY_SIZE(names) || !(names[n++] = strdup(de->d_name)))
			abort();
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), fuzz_cmp_str);
	for (i = 0; i < n; i++) {
		char sub[PATH_MAX], data[256];
		struct stat st;
		ssize_t len = 0;

		fuzz_join(sub, path, names[i]);
		if (lstat(sub, &st) < 0)
			abort();
		fuzz_ok(vbuf_addf(out, "%s %o %llu %llu %llu %lld.%09ld %lld.%09ld %u:", sub,
				  (unsigned)st.st_mode, (unsigned long long)st.st_ino,
				  (unsigned long long)st.st_nlink, (unsigned long long)st.st_size,
				  (long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec,
				  (long long)st.st_ctim.tv_sec, (long)st.st_ctim.tv_nsec, (unsigned)st.st_uid));
		if (S_ISLNK(st.st_mode)) {
			len = readlink(sub, data, sizeof(data));
		} else if (S_ISREG(st.st_mode)) {
			int fd = open(sub, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

			if (fd < 0)
				abort();
			len = read(fd, data, sizeof(data));
			close(fd);
		}
		if (len < 0)
			abort();
		fuzz_ok(vbuf_add(out, data, (size_t)len));
		fuzz_ok(vbuf_addch(out, '\n'));
		if (S_ISDIR(st.st_mode))
			describe(out, sub, depth + 1);
		free(names[i]);
	}
}

static void snapshot(struct vbuf *out)
{
	char path[PATH_MAX];

	vbuf_reset(out);
	fuzz_join(path, root, "outside");
	describe(out, path, 0);
	fuzz_join(path, root, "w/keep");
	fuzz_ok(vbuf_addf(out, "--\n"));
	{
		struct stat st;
		char data[64];
		ssize_t len;
		int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

		if (fd < 0 || fstat(fd, &st) < 0 || (len = read(fd, data, sizeof(data))) < 0)
			abort();
		close(fd);
		fuzz_ok(vbuf_addf(out, "%o %llu %lld.%09ld %lld.%09ld ", (unsigned)st.st_mode,
				  (unsigned long long)st.st_ino, (long long)st.st_mtim.tv_sec,
				  (long)st.st_mtim.tv_nsec, (long long)st.st_ctim.tv_sec,
				  (long)st.st_ctim.tv_nsec));
		fuzz_ok(vbuf_add(out, data, (size_t)len));
	}
}

/* The private root and its sentinels, once; tmpfs when there is one. */
static int setup(void)
{
	char path[PATH_MAX], outside[PATH_MAX];

	if (root[0])
		return 0;
	/* Files are created through the umask: make it the usual one. */
	umask(022);
	if (fuzz_make_root(root, "zip") < 0)
		return -1;
	atexit(cleanup);
	fuzz_join(outside, root, "outside");
	if (mkdir(outside, 0755) < 0)
		abort();
	fuzz_join(path, outside, "sentinel");
	fuzz_write_file(path, SENTINEL, strlen(SENTINEL), 0644);
	fuzz_join(path, outside, "exec");
	fuzz_write_file(path, SENTINEL, strlen(SENTINEL), 0755);
	fuzz_join(path, outside, "link");
	if (symlink("sentinel", path) < 0)
		abort();
	fuzz_join(path, outside, "dir");
	if (mkdir(path, 0755) < 0)
		abort();
	fuzz_join(path, outside, "dir/inner");
	fuzz_write_file(path, SENTINEL, strlen(SENTINEL), 0600);
	fuzz_join(path, root, "w");
	if (mkdir(path, 0755) < 0)
		abort();
	fuzz_join(path, root, "w/keep");
	fuzz_write_file(path, SENTINEL, strlen(SENTINEL), 0644);
	snapshot(&before);
	return 0;
}

/* ---- building a wheel from a list of members (flag bit 2) ---- */

static void add_tokens(struct vbuf *out, struct fuzz_reader *r)
{
	static const char *const tokens[] = {
		"pkg", "pkg-1.0.dist-info", "pkg-1.0.data", "..", ".", "", "RECORD", "WHEEL",
		"scripts", "purelib", "data", "a.py", "A.py", "x", "entry_points.txt", "mod.py",
		"headers", "other-1.0.dist-info", "RECORD.jws", "/", "\\", "\xc3\xa9", "a:b", NULL
	};
	unsigned n = fuzz_next(r) % 5 + 1, i;

	for (i = 0; i < n; i++) {
		unsigned t = fuzz_next(r) % VENV_ARRAY_SIZE(tokens);

		if (i)
			fuzz_ok(vbuf_addch(out, '/'));
		fuzz_ok(vbuf_adds(out, tokens[t] ? tokens[t] : root));
	}
}

static void add_member(struct archive *a, const char *name, mode_t type, mode_t perm,
		       const char *link, const void *data, size_t len)
{
	struct archive_entry *e = archive_entry_new();

	if (!e)
		abort();
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, type);
	archive_entry_set_perm(e, perm);
	archive_entry_set_mtime(e, 1700000000, 0);
	if (link)
		archive_entry_set_symlink(e, link);
	archive_entry_set_size(e, type == AE_IFREG ? (la_int64_t)len : 0);
	if (archive_write_header(a, e) == ARCHIVE_OK && type == AE_IFREG && len)
		archive_write_data(a, data, len);
	archive_entry_free(e);
}

static void add_row(struct vbuf *rec, const char *name, const void *data, size_t len)
{
	unsigned char digest[VENV_SHA256_LEN];
	char b64[VENV_SHA256_B64_LEN + 1];

	venv_sha256(data, len, digest);
	venv_sha256_b64(digest, b64);
	venv_record_add_field(rec, name);
	fuzz_ok(vbuf_addf(rec, ",sha256=%s,%zu\n", b64, len));
}

static void build_wheel(const char *file, const uint8_t *data, size_t size, unsigned flags)
{
	static const mode_t perms[] = { 0644, 0755, 04755, 02777, 0666, 0, 01777, 0600 };
	static const char wheel_meta[] = "Wheel-Version: 1.0\nRoot-Is-Purelib: true\n";
	struct archive *a = archive_write_new();
	struct fuzz_reader r = { data, size };
	struct vbuf name = VBUF_INIT(VBUF_MAX_PATH), link = VBUF_INIT(VBUF_MAX_PATH);
	struct vbuf rec = VBUF_INIT(VBUF_MAX_PATH);
	char content[64];
	unsigned count = 0;
	size_t last_row = 0;

	if (!a)
		abort();
	archive_write_set_format_zip(a);
	if (archive_write_open_filename(a, file) != ARCHIVE_OK)
		abort();
	while (r.left && count++ < 32) {
		unsigned t = fuzz_next(&r), kind = t & 3, len, i;
		mode_t type = kind == 1 ? AE_IFDIR : kind == 2 ? AE_IFLNK : kind == 3 && (t & 0x80) ?
			      AE_IFIFO : AE_IFREG;

		vbuf_reset(&name);
		vbuf_reset(&link);
		add_tokens(&name, &r);
		if (kind == 1 && (t & 0x40))
			fuzz_ok(vbuf_addch(&name, '/'));
		if (kind == 2)
			add_tokens(&link, &r);
		len = type == AE_IFREG ? fuzz_next(&r) % sizeof(content) : 0;
		for (i = 0; i < len; i++)
			content[i] = (char)fuzz_next(&r);
		if (t & 4)
			archive_write_zip_set_compression_store(a);
		else
			archive_write_zip_set_compression_deflate(a);
		add_member(a, name.buf, type, perms[(t >> 3) & 7], kind == 2 ? link.buf : NULL,
			   content, len);
		last_row = rec.len;
		if (type == AE_IFREG)
			add_row(&rec, name.buf, content, len);
	}
	if (flags & 8)
		vbuf_setlen(&rec, last_row);
	add_member(a, "pkg-1.0.dist-info/WHEEL", AE_IFREG, 0644, NULL, wheel_meta,
		   strlen(wheel_meta));
	add_row(&rec, "pkg-1.0.dist-info/WHEEL", wheel_meta, strlen(wheel_meta));
	fuzz_ok(vbuf_adds(&rec, "pkg-1.0.dist-info/RECORD,,\n"));
	add_member(a, "pkg-1.0.dist-info/RECORD", AE_IFREG, 0644, NULL, rec.buf, rec.len);
	archive_write_close(a);
	archive_write_free(a);
	vbuf_release(&name);
	vbuf_release(&link);
	vbuf_release(&rec);
}

/* ---- the links planted in the target ---- */

static const char *const planted_names[] = { "pkg", "mod.py", "pkg-1.0.data" };

static void planted_target(char *out, size_t i)
{
	/* Absolute and relative targets: both must stay links, unfollowed. */
	if (i == 0)
		fuzz_join(out, root, "outside/dir");
	else if (i == 1)
		snprintf(out, PATH_MAX, "../../outside/sentinel");
	else
		fuzz_join(out, root, "outside");
}

static void plant(const char *target)
{
	char path[PATH_MAX], to[PATH_MAX];
	size_t i;

	for (i = 0; i < VENV_ARRAY_SIZE(planted_names); i++) {
		planted_target(to, i);
		fuzz_join(path, target, planted_names[i]);
		if (symlink(to, path) < 0)
			abort();
	}
}

/* 1 when rel is a planted link that is still the link it was. */
static int is_planted(int dirfd, const char *rel)
{
	char to[PATH_MAX], seen[PATH_MAX];
	ssize_t n;
	size_t i;

	for (i = 0; i < VENV_ARRAY_SIZE(planted_names); i++) {
		if (strcmp(rel, planted_names[i]))
			continue;
		planted_target(to, i);
		n = readlinkat(dirfd, planted_names[i], seen, sizeof(seen) - 1);
		if (n < 0)
			return 0;
		seen[n] = '\0';
		if (strcmp(seen, to)) {
			fprintf(stderr, "zip: the planted link '%s' now points to '%s'\n", rel, seen);
			abort();
		}
		return 1;
	}
	return 0;
}

/* ---- the walk of the target ---- */

struct walk {
	const struct venv_wheel *w;   /* NULL after a failure */
	unsigned flags;
	int planted;
	size_t files;
	size_t depth;
};

static void check_file(struct walk *k, int fd, const char *rel, const struct stat *st)
{
	const struct venv_wheel *w = k->w;
	const struct venv_wheel_file *f = NULL;
	unsigned char digest[VENV_SHA256_LEN];
	size_t i;

	k->files++;
	if (!w)
		return;
	for (i = 0; i < w->nfiles && !f; i++)
		if (!strcmp(w->files[i].path, rel))
			f = &w->files[i];
	if (!f) {
		fprintf(stderr, "zip: '%s' was unpacked but is not in the manifest\n", rel);
		abort();
	}
	if ((uint64_t)st->st_size != f->size || ((st->st_mode & 0100) != 0) != (f->executable != 0)) {
		fprintf(stderr, "zip: '%s' has %llu bytes, mode %o; the manifest says %llu, %s\n",
			rel, (unsigned long long)st->st_size, (unsigned)st->st_mode,
			(unsigned long long)f->size, f->executable ? "executable" : "not executable");
		abort();
	}
	if ((k->flags & VENV_WHEEL_FIXED) &&
	    ((st->st_mode & 07777) != (f->executable ? 0755u : 0644u) ||
	     (int64_t)st->st_mtim.tv_sec != w->mtime || st->st_mtim.tv_nsec || !w->mtime)) {
		fprintf(stderr, "zip: '%s' has mode %o and mtime %lld, expected the fixed ones\n",
			rel, (unsigned)st->st_mode, (long long)st->st_mtim.tv_sec);
		abort();
	}
	if (venv_wheel_hash_fd(fd, digest) < 0 || memcmp(digest, f->sha256, sizeof(digest))) {
		fprintf(stderr, "zip: '%s' does not have the manifest's sha256\n", rel);
		abort();
	}
}

static void walk_dir(struct walk *k, int dirfd, struct vbuf *rel)
{
	DIR *d;
	struct dirent *de;
	int fd = dup(dirfd);
	size_t keep = rel->len;

	if (fd < 0 || !(d = fdopendir(fd)))
		abort();
	if (++k->depth > VENV_WHEEL_MAX_DEPTH + 1)
		abort();
	while ((de = readdir(d))) {
		struct stat st;
		int sub;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (rel->len)
			fuzz_ok(vbuf_addch(rel, '/'));
		fuzz_ok(vbuf_adds(rel, de->d_name));
		if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			abort();
		if (k->planted && k->depth == 1 && S_ISLNK(st.st_mode) && is_planted(dirfd, rel->buf))
			goto next;
		if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
			fprintf(stderr, "zip: '%s' (mode %o) is neither a file nor a directory\n",
				rel->buf, (unsigned)st.st_mode);
			abort();
		}
		if (st.st_mode & (S_ISUID | S_ISGID | S_ISVTX | S_IWGRP | S_IWOTH)) {
			fprintf(stderr, "zip: '%s' has the mode %o\n", rel->buf, (unsigned)st.st_mode);
			abort();
		}
		sub = openat(dirfd, de->d_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
			     (S_ISDIR(st.st_mode) ? O_DIRECTORY : 0));
		if (sub < 0)
			abort();
		if (S_ISDIR(st.st_mode))
			walk_dir(k, sub, rel);
		else
			check_file(k, sub, rel->buf, &st);
		close(sub);
		if (k->files > MAX_WALK_FILES)
			abort();
next:
		vbuf_setlen(rel, keep);
	}
	closedir(d);
	k->depth--;
}

/* The lowest free descriptor: it moves up when one leaks. */
static int lowest_fd(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		abort();
	close(fd);
	return fd;
}

static void check_manifest(const struct venv_wheel *w, const uint8_t *data, size_t size)
{
	unsigned char digest[VENV_SHA256_LEN];
	size_t i;
	int is_dir;

	if (!w->name || !w->version || !w->dist_info || !w->data_dir ||
	    strcasecmp(w->dist_info, "pkg-1.0.dist-info"))
		abort();
	/* The hash of a built wheel is checked by the unit tests, not here. */
	if (data) {
		venv_sha256(data, size, digest);
		if (memcmp(digest, w->sha256, sizeof(digest)))
			abort();
	}
	for (i = 0; i < w->nfiles; i++) {
		if (venv_wheel_check_name(w->files[i].path, &is_dir) < 0 || is_dir)
			abort();
		/* Sorted and unique, as wheel.h promises (and so one file each). */
		if (i && strcmp(w->files[i - 1].path, w->files[i].path) >= 0)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char wdir[PATH_MAX], target[PATH_MAX], wheel[PATH_MAX];
	struct vbuf after = VBUF_INIT(VBUF_MAX_PATH), rel = VBUF_INIT(VBUF_MAX_PATH);
	struct venv_wheel w;
	struct walk k;
	struct stat st;
	unsigned flags;
	int error, dirfd, fd_before;

	if (size < 1 || size > 65536 || setup() < 0)
		return 0;
	flags = data[0];
	fuzz_join(wdir, root, "w");
	fuzz_join(target, wdir, "t");
	fuzz_join(wheel, wdir, WHEEL_NAME);
	/* What the last input left (the unpacker leaves its removal to the caller). */
	if (lstat(target, &st) == 0 && venv_fs_remove_tree(target) < 0) {
		fprintf(stderr, "zip: cannot clean up: %s\n", venv_error_last());
		abort();
	}
	if (mkdir(target, 0755) < 0)
		abort();
	if (flags & 2)
		plant(target);
	if (flags & 4)
		build_wheel(wheel, data + 1, size - 1, flags);
	else
		fuzz_write_file(wheel, data + 1, size - 1, 0644);
	memset(&w, 0, sizeof(w));
	fd_before = lowest_fd();
	if ((dirfd = open(target, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		abort();
	venv_error_clear();

	error = venv_wheel_unpack(&w, wheel, dirfd, (flags & 1) ? VENV_WHEEL_FIXED : 0);

	if (error > 0 || (error < 0 && error != VENV_EINVAL && error != VENV_EUNSAFE &&
			  error != VENV_ETOOBIG) || (error < 0 && !venv_error_last()[0])) {
		fprintf(stderr, "zip: venv_wheel_unpack returned %d (%s)\n", error,
			venv_error_last());
		abort();
	}
	snapshot(&after);
	if (after.len != before.len || memcmp(after.buf, before.buf, before.len)) {
		fprintf(stderr, "zip: the sentinels changed:\n%s\n--- now ---\n%s\n",
			before.buf, after.buf);
		abort();
	}
	fuzz_expect_list("zip", root, "outside/w");
	fuzz_expect_list("zip", wdir, "keep/" WHEEL_NAME "/t");
	memset(&k, 0, sizeof(k));
	k.w = error == 0 ? &w : NULL;
	k.flags = flags & 1 ? VENV_WHEEL_FIXED : 0;
	k.planted = (flags & 2) != 0;
	walk_dir(&k, dirfd, &rel);
	if (error == 0) {
		check_manifest(&w, flags & 4 ? NULL : data + 1, size - 1);
		if (k.files != w.nfiles) {
			fprintf(stderr, "zip: %zu files unpacked, the manifest has %zu\n", k.files,
				w.nfiles);
			abort();
		}
	}
	close(dirfd);
	if (lowest_fd() != fd_before) {
		fprintf(stderr, "zip: a file descriptor leaked\n");
		abort();
	}
	venv_wheel_release(&w);
	vbuf_release(&after);
	vbuf_release(&rel);
	return 0;
}
