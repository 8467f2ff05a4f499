/*
 * FUZ-05: the names and the RECORD of untrusted wheels (create/wheel.c).
 *
 * The first byte picks the parser, the rest is its input:
 *   0  venv_wheel_check_name() on one archive member name;
 *   1  venv_record_parse() on a RECORD, every path of which then goes
 *      through venv_wheel_check_name() as the unpacker does, and every row
 *      is written back with venv_record_add_field() and read again;
 *   2  venv_entry_points_parse() on an entry_points.txt.
 * The oracle for names is independent of the checker: an accepted name,
 * taken component by component, never leaves the directory it is unpacked
 * in (no absolute path, no empty, "." or ".." component), and holds none of
 * the bytes the contract excludes. Any accepted name is also created below
 * a temporary directory and opened back with openat2(RESOLVE_BENEATH),
 * which the kernel refuses if the path resolves outside it.
 */
#include "compat.h"
#include <ctype.h>
#include "error.h"
#include "fs.h"
#include "fuzz.h"
#include "path.h"
#include "wheel.h"
#ifdef __linux__
#include <sys/syscall.h>
#include <linux/openat2.h>
#endif

static char tmpdir[PATH_MAX];
static int tmpfd = -1;

static void cleanup(void)
{
	if (tmpfd >= 0)
		close(tmpfd);
	if (tmpdir[0])
		venv_fs_remove_tree(tmpdir);
}

static int setup(void)
{
	const char *base = getenv("TMPDIR");

	if (tmpfd >= 0)
		return 0;
	if (snprintf(tmpdir, sizeof(tmpdir), "%s/venv-fuzz-wheel-XXXXXX",
		     base && *base ? base : "/tmp") >= (int)sizeof(tmpdir) || !mkdtemp(tmpdir)) {
		tmpdir[0] = '\0';
		return -1;
	}
	atexit(cleanup);
	tmpfd = open(tmpdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return tmpfd < 0 ? -1 : 0;
}

/* The independent oracle: 1 when the name stays below its directory. */
static int name_stays_below(const char *name)
{
	const char *p = name;
	size_t len = strlen(name);

	if (!len || name[0] == '/' || len > VENV_WHEEL_MAX_NAME)
		return 0;
	if (!venv_utf8_valid(name, len))
		return 0;
	for (; *p; p++)
		if (*p == '\\' || *p == ':' || (unsigned char)*p < 0x20 || *p == 0x7f)
			return 0;
	p = name;
	for (;;) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);

		/* A single trailing "/" (a directory) is the only empty component allowed. */
		if (n == 0 && !(slash == NULL && p != name))
			return 0;
		if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return 0;
		if (!slash)
			break;
		p = slash + 1;
	}
	return 1;
}

/*
 * Create the accepted name below the temporary directory, one component at
 * a time with mkdirat/openat, then open it with RESOLVE_BENEATH.
 */
static void create_beneath(const char *name, int is_dir)
{
	char path[VENV_WHEEL_MAX_NAME + 8], *p, *slash;
	int dfd, fd;

	if (setup() < 0)
		return;
	snprintf(path, sizeof(path), "%s", name);
	if (is_dir)
		path[strlen(path) - 1] = '\0';
	dfd = dup(tmpfd);
	for (p = path; dfd >= 0 && (slash = strchr(p, '/')); p = slash + 1) {
		int next;

		*slash = '\0';
		if (mkdirat(dfd, p, 0700) < 0 && errno != EEXIST)
			abort();
		next = openat(dfd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0)
			abort();
		close(dfd);
		dfd = next;
		*slash = '/';
	}
	if (dfd < 0)
		abort();
	if (is_dir) {
		if (mkdirat(dfd, p, 0700) < 0 && errno != EEXIST)
			abort();
	} else {
		fd = openat(dfd, p, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd < 0)
			abort();
		close(fd);
	}
	close(dfd);
#if defined(__linux__) && defined(SYS_openat2)
	{
		struct open_how how;

		memset(&how, 0, sizeof(how));
		how.flags = O_RDONLY | O_CLOEXEC | O_PATH;
		how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS;
		fd = (int)syscall(SYS_openat2, tmpfd, path, &how, sizeof(how));
		if (fd >= 0)
			close(fd);
		else if (errno != ENOSYS && errno != EPERM)
			abort();
	}
#endif
	/* Empty the directory again for the next input. */
	{
		char top[VENV_WHEEL_MAX_NAME + 8];

		snprintf(top, sizeof(top), "%s", path);
		if ((slash = strchr(top, '/')))
			*slash = '\0';
		venv_fs_remove_tree_at(tmpfd, top);
	}
}

static void check_one_name(const char *name)
{
	int is_dir = -1;
	size_t len = strlen(name);

	if (venv_wheel_check_name(name, &is_dir) < 0)
		return;
	if (!name_stays_below(name)) {
		fprintf(stderr, "wheel: accepted the name '%s'\n", name);
		abort();
	}
	if (is_dir != (len && name[len - 1] == '/'))
		abort();
	create_beneath(name, is_dir);
}

static void fuzz_record(const char *text, size_t len, int has_nul)
{
	struct venv_record_row *rows = NULL, *again = NULL;
	size_t nrows = 0, nagain = 0, i;
	int is_dir;
	struct vbuf out = VBUF_INIT((size_t)1 << 24);

	if (venv_record_parse(text, len, &rows, &nrows) < 0)
		goto done;
	for (i = 0; i < nrows; i++) {
		if (!rows[i].path || !rows[i].hash || !rows[i].size)
			abort();
		/* Creating files is slow: the first rows are enough. */
		if (i < 16)
			check_one_name(rows[i].path);
		else if (venv_wheel_check_name(rows[i].path, &is_dir) == 0 &&
			 !name_stays_below(rows[i].path))
			abort();
	}
	if (has_nul)
		goto done;
	/* Written back as the installer writes a RECORD, it reads the same. */
	for (i = 0; i < nrows; i++) {
		if (venv_record_add_field(&out, rows[i].path) < 0 || vbuf_addch(&out, ',') < 0 ||
		    venv_record_add_field(&out, rows[i].hash) < 0 || vbuf_addch(&out, ',') < 0 ||
		    venv_record_add_field(&out, rows[i].size) < 0 || vbuf_addch(&out, '\n') < 0)
			goto done;
	}
	if (venv_record_parse(out.buf ? out.buf : "", out.len, &again, &nagain) < 0) {
		fprintf(stderr, "wheel: a RECORD written back does not parse: %s\n",
			venv_error_last());
		abort();
	}
	if (nagain != nrows)
		abort();
	for (i = 0; i < nrows; i++)
		if (strcmp(rows[i].path, again[i].path) || strcmp(rows[i].hash, again[i].hash) ||
		    strcmp(rows[i].size, again[i].size))
			abort();
done:
	venv_record_rows_free(rows, nrows);
	venv_record_rows_free(again, nagain);
	vbuf_release(&out);
}

static void fuzz_entry_points(const char *text, size_t len)
{
	struct venv_entry_point *eps = NULL;
	size_t neps = 0, i;
	const char *p;

	if (venv_entry_points_parse(text, len, 3, 12, &eps, &neps) < 0)
		goto done;
	for (i = 0; i < neps; i++) {
		/* A script name is one plain component of bin/ (WHL-04). */
		if (!eps[i].name || !*eps[i].name || eps[i].name[0] == '.' ||
		    strchr(eps[i].name, '/') || !eps[i].module || !*eps[i].module || !eps[i].attr)
			abort();
		/* Only identifier characters reach the generated script. */
		for (p = eps[i].module; *p; p++)
			if (!isalnum((unsigned char)*p) && *p != '_' && *p != '.')
				abort();
		for (p = eps[i].attr; *p; p++)
			if (!isalnum((unsigned char)*p) && *p != '_' && *p != '.')
				abort();
	}
done:
	venv_entry_points_free(eps, neps);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text;
	size_t len;

	if (size < 1 || size > 65536)
		return 0;
	len = size - 1;
	if (!(text = malloc(len + 1)))
		return 0;
	memcpy(text, data + 1, len);
	text[len] = '\0';
	switch (data[0] % 3) {
	case 0:
		check_one_name(text);
		break;
	case 1:
		fuzz_record(text, len, memchr(text, '\0', len) != NULL);
		break;
	default:
		fuzz_entry_points(text, len);
		break;
	}
	free(text);
	return 0;
}
