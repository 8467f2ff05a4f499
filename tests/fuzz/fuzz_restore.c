/*
 * FUZ-06: `venv restore` (venv_restore_env, repair/archive.c) on hostile
 * archives, with sentinels outside the target that must never change.
 *
 * Every input gets a fresh work directory:
 *   w/outside/sentinel, w/outside/dir/   beyond the target's parent
 *   w/parent/keep                        beside the target
 *   w/parent/target/                     only when the input asks for an
 *                                        existing environment to replace
 *   w/archive                            the archive restored
 * The first byte of the input says how the archive is made: bit 0 set, the
 * rest of the input is the archive file itself (tar, maybe gzip); clear, it
 * is a list of members that is written as a pax tar after a valid
 * venv-archive.json (bit 2: followed by env/ and env/pyvenv.cfg, so that
 * the swap happens; bit 3: gzip). Member names and link targets are made
 * of tokens, one of which is the absolute path of w/outside, so links and
 * names that point out of the tree are common. Bit 1: replace an existing
 * environment. After the restore, whatever it returned, the sentinels are
 * unchanged, nothing else appeared outside the target (no staging
 * directory left behind), and the working directory is the same.
 */
#include "compat.h"
#include <dirent.h>
#include <archive.h>
#include <archive_entry.h>
#include "error.h"
#include "fs.h"
#include "fuzz.h"
#include "fuzz-tree.h"
#include "envid.h"
#include "repair.h"

#define SENTINEL "venv fuzz sentinel\n"

static char root[PATH_MAX];

static void cleanup(void)
{
	if (root[0])
		venv_fs_remove_tree(root);
}

static int setup(void)
{
	if (root[0])
		return 0;
	if (fuzz_make_root(root, "restore") < 0)
		return -1;
	atexit(cleanup);
	return 0;
}

/* ---- building an archive from a list of members ---- */

static void add_tokens(struct vbuf *out, struct fuzz_reader *r, const char *outside)
{
	static const char *const tokens[] = {
		"env", "..", ".", "a", "bin", "pyvenv.cfg", "lib", "", NULL, "sentinel",
		"dir", "venv-archive.json", "x", "python", "outside", "keep"
	};
	unsigned n = fuzz_next(r) % 6, i;

	for (i = 0; i < n; i++) {
		unsigned t = fuzz_next(r) % (sizeof(tokens) / sizeof(tokens[0]));

		if (i)
			fuzz_ok(vbuf_addch(out, '/'));
		fuzz_ok(vbuf_adds(out, tokens[t] ? tokens[t] : outside));
	}
}

static int add_member(struct archive *a, const char *name, mode_t type, mode_t perm,
		      const char *link, int hard, const void *data, size_t len)
{
	struct archive_entry *e = archive_entry_new();
	int r;

	if (!e)
		return -1;
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, type);
	archive_entry_set_perm(e, perm);
	archive_entry_set_mtime(e, 1700000000, 0);
	if (link && hard)
		archive_entry_set_hardlink(e, link);
	else if (link)
		archive_entry_set_symlink(e, link);
	archive_entry_set_size(e, type == AE_IFREG && !hard ? (la_int64_t)len : 0);
	r = archive_write_header(a, e);
	if (r == ARCHIVE_OK && type == AE_IFREG && !hard && len)
		archive_write_data(a, data, len);
	archive_entry_free(e);
	return r == ARCHIVE_OK || r == ARCHIVE_WARN ? 0 : -1;
}

static void build_archive(const char *file, const uint8_t *data, size_t size, unsigned flags,
			  const char *outside)
{
	static const mode_t perms[] = { 0644, 0755, 0777, 04755, 0, 02700, 01777, 0600 };
	static const char meta[] = "{\"venv-archive\": 1, \"path\": \"/nonexistent/env\"}\n";
	struct archive *a = archive_write_new();
	struct fuzz_reader r = { data, size };
	struct vbuf name = VBUF_INIT(VBUF_MAX_PATH), link = VBUF_INIT(VBUF_MAX_PATH);
	char content[64];
	unsigned count = 0;

	if (!a)
		abort();
	archive_write_set_format_pax_restricted(a);
	if (flags & 8)
		archive_write_add_filter_gzip(a);
	if (archive_write_open_filename(a, file) != ARCHIVE_OK)
		abort();
	add_member(a, "venv-archive.json", AE_IFREG, 0644, NULL, 0, meta, strlen(meta));
	while (r.left && count++ < 64) {
		unsigned t = fuzz_next(&r), kind = t & 3, len, i;
		mode_t type = kind == 1 ? AE_IFDIR : kind == 2 ? AE_IFLNK : AE_IFREG;

		vbuf_reset(&name);
		vbuf_reset(&link);
		if (t & 4)
			fuzz_ok(vbuf_adds(&name, "env/"));
		add_tokens(&name, &r, outside);
		if (t & 0x40)
			fuzz_ok(vbuf_addch(&name, '/'));
		if (kind >= 2)
			add_tokens(&link, &r, outside);
		len = kind == 0 ? fuzz_next(&r) % sizeof(content) : 0;
		for (i = 0; i < len; i++)
			content[i] = (char)fuzz_next(&r);
		if (!name.len)
			continue;
		add_member(a, name.buf, type, perms[(t >> 3) & 7], kind >= 2 ? (link.buf ? link.buf : "") : NULL,
			   kind == 3, content, len);
	}
	if (flags & 4) {
		add_member(a, "env/", AE_IFDIR, 0755, NULL, 0, NULL, 0);
		add_member(a, "env/pyvenv.cfg", AE_IFREG, 0644, NULL, 0, "home = /usr/bin\n", 16);
	}
	archive_write_close(a);
	archive_write_free(a);
	vbuf_release(&name);
	vbuf_release(&link);
}

/* ---- the oracle ---- */

static void expect_file(const char *path, const struct stat *before)
{
	char buf[sizeof(SENTINEL) + 8];
	struct stat st;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) < 0) {
		fprintf(stderr, "restore: the sentinel '%s' is gone\n", path);
		abort();
	}
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n != (ssize_t)strlen(SENTINEL) || memcmp(buf, SENTINEL, (size_t)n) ||
	    st.st_mode != before->st_mode || st.st_ino != before->st_ino ||
	    st.st_nlink != before->st_nlink || st.st_uid != before->st_uid ||
	    st.st_mtim.tv_sec != before->st_mtim.tv_sec ||
	    st.st_mtim.tv_nsec != before->st_mtim.tv_nsec) {
		fprintf(stderr, "restore: the sentinel '%s' changed\n", path);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char w[PATH_MAX], outside[PATH_MAX], parent[PATH_MAX], target[PATH_MAX];
	char archive[PATH_MAX], path[PATH_MAX], cwd_before[PATH_MAX], cwd_after[PATH_MAX];
	struct vbuf out = VBUF_INIT(VBUF_MAX_PATH);
	struct stat sent_st, keep_st, dir_st, st;
	unsigned flags;
	int error;

	if (size < 1 || size > 65536 || setup() < 0)
		return 0;
	flags = data[0];
	fuzz_join(w, root, "w");
	venv_fs_remove_tree(w);
	fuzz_join(outside, w, "outside");
	fuzz_join(parent, w, "parent");
	fuzz_join(target, parent, "target");
	fuzz_join(archive, w, "archive");
	if (mkdir(w, 0700) < 0 || mkdir(outside, 0755) < 0 || mkdir(parent, 0755) < 0)
		abort();
	fuzz_join(path, outside, "dir");
	if (mkdir(path, 0755) < 0 || stat(path, &dir_st) < 0)
		abort();
	fuzz_join(path, outside, "sentinel");
	fuzz_write_file(path, SENTINEL, strlen(SENTINEL), 0644);
	if (stat(path, &sent_st) < 0)
		abort();
	fuzz_join(path, parent, "keep");
	fuzz_write_file(path, SENTINEL, strlen(SENTINEL), 0644);
	if (stat(path, &keep_st) < 0)
		abort();
	if (flags & 2) {
		/* An environment to replace, with a link out of it. */
		if (mkdir(target, 0755) < 0)
			abort();
		fuzz_join(path, target, "pyvenv.cfg");
		fuzz_write_file(path, "home = /usr/bin\n", 16, 0644);
		fuzz_join(path, target, "lib");
		if (symlink(outside, path) < 0)
			abort();
	}
	if (flags & 1)
		fuzz_write_file(archive, data + 1, size - 1, 0644);
	else
		build_archive(archive, data + 1, size - 1, flags, outside);
	if (!getcwd(cwd_before, sizeof(cwd_before)))
		abort();

	error = venv_restore_env(&out, archive, target, VENV_RESTORE_AS_IS |
				 ((flags & 2) ? VENV_RESTORE_REPLACE : 0), NULL);

	if (!getcwd(cwd_after, sizeof(cwd_after)) || strcmp(cwd_before, cwd_after)) {
		fprintf(stderr, "restore: the working directory changed\n");
		abort();
	}
	fuzz_join(path, outside, "sentinel");
	expect_file(path, &sent_st);
	fuzz_join(path, parent, "keep");
	expect_file(path, &keep_st);
	fuzz_expect_list("restore", outside, "dir/sentinel");
	fuzz_join(path, outside, "dir");
	fuzz_expect_list("restore", path, "");
	if (lstat(path, &st) < 0 || st.st_mode != dir_st.st_mode || st.st_ino != dir_st.st_ino)
		abort();
	fuzz_expect_list("restore", w, "archive/outside/parent");
	/* No staging directory left behind; the target only when there was or now is one. */
	fuzz_expect_list("restore", parent, (error == 0 || (flags & 2)) ? "keep/target" : "keep");
	if (error == 0 && (!out.buf || strcmp(out.buf, target)))
		abort();
	/*
	 * A restore that succeeded made a directory that is an environment by
	 * repair's rule with --force (common/envid.h): repair may archive an
	 * environment whose pyvenv.cfg is gone, and restore must give it back.
	 */
	if (error == 0) {
		int efd = open(target, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

		if (efd < 0 || venv_envid_require(NULL, efd, target, VENV_ENVID_FORCE) < 0) {
			fprintf(stderr, "restore: '%s' was restored but is no environment\n", target);
			abort();
		}
		close(efd);
	}
	vbuf_release(&out);
	return 0;
}
