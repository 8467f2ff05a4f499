/*
 * The model of installed distributions (common/dist.c) on hostile
 * metadata: the first byte of the input chooses which file of a
 * dist-info gets the rest (METADATA, RECORD, WHEEL, entry_points.txt,
 * direct_url.json, INSTALLER); the others are fixed and valid. Reading
 * must not crash or leak, must find exactly the one distribution, with a
 * name, a canonical name and a version, and with RECORD either read
 * (rows with paths) or recorded as an error with a message.
 */
#include "compat.h"
#include <dirent.h>
#include "error.h"
#include "fuzz.h"
#include "vbuf.h"
#include "dist.h"
#include "fuzz-tree.h"

static const char *const files[] = {
	"METADATA", "RECORD", "WHEEL", "entry_points.txt", "direct_url.json", "INSTALLER",
};

static const char *const fixed[] = {
	"Metadata-Version: 2.1\nName: fuzz\nVersion: 1.0\nRequires-Dist: a>=1\n",
	"fuzz/__init__.py,sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,0\n"
	"fuzz-1.0.dist-info/RECORD,,\n",
	"Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
	"[console_scripts]\nfz = fuzz:main\n",
	"{\"url\": \"file:///src\", \"dir_info\": {\"editable\": true}}",
	"pip\n",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char root[PATH_MAX];
	char dir[PATH_MAX], path[PATH_MAX];
	struct venv_dists d = VENV_DISTS_INIT;
	size_t which, i;

	if (!size || size > 1024 * 1024)
		return 0;
	if (!root[0] && fuzz_make_root(root, "dist") < 0)
		abort();
	which = data[0] % VENV_ARRAY_SIZE(files);
	fuzz_join(dir, root, "fuzz-1.0.dist-info");
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		abort();
	for (i = 0; i < VENV_ARRAY_SIZE(files); i++) {
		fuzz_join(path, dir, files[i]);
		if (i == which)
			fuzz_write_file(path, data + 1, size - 1, 0644);
		else
			fuzz_write_file(path, fixed[i], strlen(fixed[i]), 0644);
	}
	if (venv_dists_read(&d, root, VENV_DISTS_ALL) < 0)
		abort();
	if (d.nr != 1 || !d.v[0].name || !d.v[0].canon || !d.v[0].version || !d.v[0].req)
		abort();
	if (d.v[0].record_status && !d.v[0].record_error)
		abort();
	for (i = 0; i < d.v[0].nrecord; i++)
		if (!d.v[0].record[i].path || !d.v[0].record[i].hash || !d.v[0].record[i].size)
			abort();
	for (i = 0; i < d.v[0].nentries; i++)
		if (!d.v[0].entries[i].name || !d.v[0].entries[i].module)
			abort();
	venv_dists_release(&d);
	venv_error_clear();
	return 0;
}
