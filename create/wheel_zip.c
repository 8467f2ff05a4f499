#include "compat.h"
#include "error.h"
#include "fs.h"
#include "path.h"
#include "sha256.h"
#include "wheel.h"
#include "wheel_int.h"

/*
 * The zip central directory of a wheel, read and checked with our own code
 * before libarchive allocates anything for it (see wheel_int.h).
 */

/* ---- the zip directory, checked before libarchive allocates for it ---- */

static uint64_t le(const unsigned char *p, int n)
{
	uint64_t v = 0;

	while (n--)
		v = (v << 8) | p[n];
	return v;
}

static int read_at(int fd, void *buf, size_t len, off_t off)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = pread(fd, (char *)buf + got, len - got, off + (off_t)got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}


void venv_zip_names_release(struct venv_zip_names *cd)
{
	free(cd->dir);
	free(cd->v);
	memset(cd, 0, sizeof(*cd));
}

static int cd_cmp(const unsigned char *a, size_t alen, const unsigned char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	return c ? c : (alen > blen) - (alen < blen);
}

/* qsort has no context argument: the directory being sorted. */
static const unsigned char *cd_sort_base;

static int cd_name_cmp(const void *a, const void *b)
{
	const struct venv_zip_name *x = a, *y = b;

	return cd_cmp(cd_sort_base + x->off, x->len, cd_sort_base + y->off, y->len);
}

int venv_zip_has_name(const struct venv_zip_names *cd, const char *name)
{
	size_t lo = 0, hi = cd->nr, len = strlen(name);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = cd_cmp(cd->dir + cd->v[mid].off, cd->v[mid].len,
			       (const unsigned char *)name, len);

		if (!c)
			return 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* Read the central directory of cdsize bytes at cdoff and index its names. */
static int read_cd_names(int fd, uint64_t fsize, uint64_t cdoff, uint64_t cdsize,
			 uint64_t entries, struct venv_zip_names *cd, const char *what)
{
	size_t pos = 0, k;

	if (cdoff > fsize || cdsize > fsize - cdoff)
		return venv_error_set(VENV_EINVAL, "'%s' has a central directory outside the "
				      "file", what);
	if (!(cd->dir = malloc(cdsize ? (size_t)cdsize : 1)) ||
	    !(cd->v = calloc(entries ? (size_t)entries : 1, sizeof(*cd->v))))
		return venv_wheel__oom();
	if (cdsize && read_at(fd, cd->dir, (size_t)cdsize, (off_t)cdoff) < 0)
		return venv_error_set_errno(VENV_EIO, "cannot read '%s'", what);
	for (k = 0; k < entries; k++) {
		const unsigned char *h = cd->dir + pos;
		uint64_t n, extra, comment;

		if (cdsize - pos < 46 || h[0] != 'P' || h[1] != 'K' || h[2] != 1 || h[3] != 2)
			return venv_error_set(VENV_EINVAL, "'%s' has a broken central directory", what);
		n = le(h + 28, 2);
		extra = le(h + 30, 2);
		comment = le(h + 32, 2);
		if (46 + n + extra + comment > cdsize - pos)
			return venv_error_set(VENV_EINVAL, "'%s' has a broken central directory", what);
		cd->v[k].off = (uint32_t)(pos + 46);
		cd->v[k].len = (uint32_t)n;
		pos += (size_t)(46 + n + extra + comment);
	}
	cd->nr = (size_t)entries;
	cd_sort_base = cd->dir;
	qsort(cd->v, cd->nr, sizeof(*cd->v), cd_name_cmp);
	return 0;
}

/*
 * Find the end-of-central-directory record and refuse archives that claim
 * more entries, or a larger directory, than any wheel we install can have
 * (WHL-09): libarchive would otherwise read the whole directory into memory.
 * Then index the directory's names (struct venv_zip_names).
 */
int venv_zip_check_directory(int fd, uint64_t fsize, const char *what, struct venv_zip_names *cd)
{
	size_t tail = fsize < 65557 ? (size_t)fsize : 65557, i;
	unsigned char *buf = NULL, z[56];
	uint64_t entries = 0, cdsize = 0, cdoff = 0;
	int error = 0, found = 0;

	if (tail < 22)
		return venv_error_set(VENV_EINVAL, "'%s' is not a zip archive", what);
	if (!(buf = malloc(tail)))
		return venv_wheel__oom();
	if (read_at(fd, buf, tail, (off_t)(fsize - tail)) < 0) {
		error = venv_error_set_errno(VENV_EIO, "cannot read '%s'", what);
		goto done;
	}
	for (i = tail - 22 + 1; i-- > 0; ) {
		if (buf[i] == 'P' && buf[i + 1] == 'K' && buf[i + 2] == 5 && buf[i + 3] == 6 &&
		    le(buf + i + 20, 2) <= tail - i - 22) {
			found = 1;
			break;
		}
	}
	if (!found) {
		error = venv_error_set(VENV_EINVAL, "'%s' is not a zip archive (no central "
				       "directory)", what);
		goto done;
	}
	entries = le(buf + i + 10, 2);
	cdsize = le(buf + i + 12, 4);
	cdoff = le(buf + i + 16, 4);
	if ((entries == 0xffff || cdsize == 0xffffffffu) && i >= 20 &&
	    buf[i - 20] == 'P' && buf[i - 19] == 'K' && buf[i - 18] == 6 && buf[i - 17] == 7) {
		uint64_t off = le(buf + i - 20 + 8, 8);

		if (off > fsize - 56 || read_at(fd, z, sizeof(z), (off_t)off) < 0 ||
		    z[0] != 'P' || z[1] != 'K' || z[2] != 6 || z[3] != 6) {
			error = venv_error_set(VENV_EINVAL, "'%s' has a broken zip64 directory",
					       what);
			goto done;
		}
		entries = le(z + 32, 8);
		cdsize = le(z + 40, 8);
		cdoff = le(z + 48, 8);
	}
	if (entries > VENV_WHEEL_MAX_ENTRIES || cdsize > (uint64_t)64 * 1024 * 1024)
		error = venv_error_set(VENV_ETOOBIG, "refusing '%s': its zip directory lists "
				       "%llu entries in %llu bytes (the limit is %d entries)",
				       what, (unsigned long long)entries,
				       (unsigned long long)cdsize, VENV_WHEEL_MAX_ENTRIES);
	else
		error = read_cd_names(fd, fsize, cdoff, cdsize, entries, cd, what);
done:
	free(buf);
	return error;
}
