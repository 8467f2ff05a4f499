#include "compat.h"
#include "error.h"
#include "fs.h"
#include "path.h"
#include "sha256.h"
#include "wheel.h"
#include "wheel_int.h"

/*
 * The manifest of an unpacked wheel, kept next to its tree in the wheel
 * cache and read back (untrusted: every line is checked again).
 */

/* ---- manifest ---- */

#define MANIFEST_MAGIC "venv-wheel-manifest 1"

int venv_wheel_manifest_write(const struct venv_wheel *w, int dirfd, const char *name)
{
	struct vbuf out = VBUF_INIT(VBUF_MAX_RECORD);
	char hex[VENV_SHA256_HEX_LEN + 1], b64[VENV_SHA256_B64_LEN + 1];
	size_t i;
	int error;

	venv_sha256_hex(w->sha256, hex);
	if ((error = vbuf_addf(&out, "%s\nsha256 %s\ndist-info %s\nroot %s\nmtime %lld\n",
			       MANIFEST_MAGIC, hex, w->dist_info, w->root_is_purelib ? "purelib" :
			       "platlib", (long long)w->mtime)) < 0)
		goto done;
	for (i = 0; i < w->nfiles; i++) {
		const struct venv_wheel_file *f = &w->files[i];

		venv_sha256_b64(f->sha256, b64);
		if ((error = vbuf_addf(&out, "file %s %llu %c %s\n", b64,
				       (unsigned long long)f->size, f->executable ? 'x' : '-',
				       f->path)) < 0)
			goto done;
	}
	if ((error = vbuf_addf(&out, "end %zu\n", w->nfiles)) < 0)
		goto done;
	error = venv_fs_write_file_at(dirfd, name, out.buf, out.len, 0644, VENV_FS_ATOMIC);
done:
	vbuf_release(&out);
	return error;
}

static int bad_manifest(const char *why)
{
	return venv_error_set(VENV_EINVAL, "bad wheel cache manifest: %s", why);
}

int venv_wheel_manifest_read(struct venv_wheel *w, int dirfd, const char *name)
{
	struct vbuf in = VBUF_INIT(VBUF_MAX_RECORD);
	unsigned char digest[VENV_SHA256_LEN];
	char *p, *end, *line;
	size_t dl;
	int error, ended = 0, is_dir;
	const char *dash;

	memset(w, 0, sizeof(*w));
	if ((error = venv_fs_read_file_at(&in, dirfd, name, VBUF_MAX_RECORD)) < 0)
		goto done;
	p = in.buf;
	end = in.buf + in.len;
	for (line = p; line < end; line = p) {
		char *nl = memchr(line, '\n', (size_t)(end - line));

		if (!nl) {
			error = bad_manifest("truncated");
			goto done;
		}
		*nl = '\0';
		p = nl + 1;
		if (ended) {
			error = bad_manifest("text after the end");
			goto done;
		}
		if (line == in.buf) {
			if (strcmp(line, MANIFEST_MAGIC)) {
				error = bad_manifest("unknown format");
				goto done;
			}
		} else if (!strncmp(line, "sha256 ", 7)) {
			size_t i;

			if (strlen(line + 7) != VENV_SHA256_HEX_LEN) {
				error = bad_manifest("bad sha256");
				goto done;
			}
			for (i = 0; i < VENV_SHA256_LEN; i++) {
				int hi = venv_wheel__hexval(line[7 + 2 * i]), lo = venv_wheel__hexval(line[8 + 2 * i]);

				if (hi < 0 || lo < 0) {
					error = bad_manifest("bad sha256");
					goto done;
				}
				w->sha256[i] = (unsigned char)(hi << 4 | lo);
			}
		} else if (!strncmp(line, "dist-info ", 10)) {
			if (w->dist_info || !(w->dist_info = strdup(line + 10))) {
				error = w->dist_info ? bad_manifest("two dist-info lines") : venv_wheel__oom();
				goto done;
			}
		} else if (!strncmp(line, "mtime ", 6)) {
			char *endp;
			long long v;

			errno = 0;
			v = strtoll(line + 6, &endp, 10);
			if (endp == line + 6 || *endp || errno || v < 0) {
				error = bad_manifest("bad mtime");
				goto done;
			}
			w->mtime = v;
		} else if (!strncmp(line, "root ", 5)) {
			w->root_is_purelib = !strcmp(line + 5, "purelib");
		} else if (!strncmp(line, "file ", 5)) {
			char *f = line + 5, *sp1, *sp2;
			unsigned long long size;
			char *endp;

			sp1 = strchr(f, ' ');
			if (!sp1 || venv_sha256_from_b64(digest, f, (size_t)(sp1 - f)) < 0) {
				error = bad_manifest("bad file hash");
				goto done;
			}
			errno = 0;
			size = strtoull(sp1 + 1, &endp, 10);
			if (errno || *endp != ' ' || (endp[1] != 'x' && endp[1] != '-') ||
			    endp[2] != ' ') {
				error = bad_manifest("bad file line");
				goto done;
			}
			sp2 = endp + 3;
			if ((error = venv_wheel_check_name(sp2, &is_dir)) < 0)
				goto done;
			if (is_dir || (w->nfiles && strcmp(w->files[w->nfiles - 1].path, sp2) >= 0)) {
				error = bad_manifest("files out of order");
				goto done;
			}
			if (w->nfiles >= VENV_WHEEL_MAX_ENTRIES) {
				error = bad_manifest("too many files");
				goto done;
			}
			if ((error = venv_wheel__add_file(w, sp2, size, digest, endp[1] == 'x')) < 0)
				goto done;
		} else if (!strncmp(line, "end ", 4)) {
			char *endp;
			unsigned long long n;

			errno = 0;
			n = strtoull(line + 4, &endp, 10);
			if (endp == line + 4 || *endp || errno || n != (unsigned long long)w->nfiles) {
				error = bad_manifest("file count");
				goto done;
			}
			ended = 1;
		} else {
			error = bad_manifest("unknown line");
			goto done;
		}
	}
	if (!ended || !w->dist_info) {
		error = bad_manifest("incomplete");
		goto done;
	}
	dl = strlen(w->dist_info);
	dash = strchr(w->dist_info, '-');
	if (dl <= 10 || strcmp(w->dist_info + dl - 10, ".dist-info") || !dash ||
	    strchr(w->dist_info, '/') || (size_t)(dash - w->dist_info) + 11 > dl) {
		error = bad_manifest("bad dist-info");
		goto done;
	}
	if (!(w->name = venv_wheel__strndup(w->dist_info, (size_t)(dash - w->dist_info))) ||
	    !(w->version = venv_wheel__strndup(dash + 1, dl - 10 - (size_t)(dash - w->dist_info) - 1)) ||
	    !(w->data_dir = malloc(dl - 10 + 6))) {
		error = venv_wheel__oom();
		goto done;
	}
	memcpy(w->data_dir, w->dist_info, dl - 10);
	memcpy(w->data_dir + dl - 10, ".data", 6);
done:
	if (error < 0)
		venv_wheel_release(w);
	vbuf_release(&in);
	return error;
}
