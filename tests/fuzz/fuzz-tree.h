#ifndef VENV_FUZZ_TREE_H
#define VENV_FUZZ_TREE_H

/*
 * Helpers of the targets that write trees and guard a sentinel beside them
 * (fuzz_restore.c, fuzz_zip.c), included after compat.h, dirent.h and
 * vbuf.h: a private root, path joining, files, a byte reader over the
 * input, and a check of what a directory holds. Any failure of their own
 * is the harness's, not the code's under test, so they abort().
 */

/* The result of an append of the harness's own text (vbuf.h): it never nears a cap. */
static inline void fuzz_ok(int error)
{
	if (error < 0)
		abort();
}

/* dir + "/" + name into out (PATH_MAX bytes); the fuzzer's own paths always fit. */
static inline void fuzz_join(char *out, const char *dir, const char *name)
{
	if (snprintf(out, PATH_MAX, "%s/%s", dir, name) >= PATH_MAX)
		abort();
}

/* A file of exactly this mode, whatever the umask. */
static inline void fuzz_write_file(const char *path, const void *data, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	if (fd < 0 || (len && write(fd, data, len) != (ssize_t)len) || fchmod(fd, mode) < 0)
		abort();
	close(fd);
}

/*
 * A fresh private directory $TMPDIR/venv-fuzz-TAG-XXXXXX into root
 * (PATH_MAX bytes), on tmpfs when there is one and TMPDIR is unset: both
 * targets sync what they write, which tmpfs makes cheap. 0 or -1.
 */
static inline int fuzz_make_root(char *root, const char *tag)
{
	const char *base = getenv("TMPDIR");
	struct stat st;

	if (!base || !*base)
		base = stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) &&
		       access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	if (snprintf(root, PATH_MAX, "%s/venv-fuzz-%s-XXXXXX", base, tag) >= PATH_MAX ||
	    !mkdtemp(root)) {
		root[0] = '\0';
		return -1;
	}
	return 0;
}

/* The input, read a byte at a time; 0 once it is used up. */
struct fuzz_reader {
	const uint8_t *p;
	size_t left;
};

static inline unsigned fuzz_next(struct fuzz_reader *r)
{
	if (!r->left)
		return 0;
	r->left--;
	return *r->p++;
}

static inline int fuzz_cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* dir holds exactly the names in want, sorted and joined by "/"; `who` prefixes the report. */
static inline void fuzz_expect_list(const char *who, const char *dir, const char *want)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char *names[16];
	size_t n = 0, i;
	struct vbuf seen = VBUF_INIT(VBUF_MAX_PATH);

	if (!d)
		abort();
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (n == sizeof(names) / sizeof(names[0]) || !(names[n++] = strdup(de->d_name))) {
			fprintf(stderr, "%s: '%s' has too many entries\n", who, dir);
			abort();
		}
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), fuzz_cmp_str);
	for (i = 0; i < n; i++) {
		if (i)
			fuzz_ok(vbuf_addch(&seen, '/'));
		fuzz_ok(vbuf_adds(&seen, names[i]));
		free(names[i]);
	}
	if (strcmp(seen.len ? seen.buf : "", want)) {
		fprintf(stderr, "%s: '%s' holds '%s', expected '%s'\n", who, dir,
			seen.len ? seen.buf : "", want);
		abort();
	}
	vbuf_release(&seen);
}

#endif
