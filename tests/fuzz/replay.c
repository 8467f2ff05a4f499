/*
 * Replay a fuzz target's corpus without libFuzzer: every file named on the
 * command line, or found in a directory named there, is fed to
 * LLVMFuzzerTestOneInput once. `make check` runs this over tests/fuzz/corpus
 * so the targets' invariants are tested on every build.
 */
#include "compat.h"
#include <dirent.h>
#include "fuzz.h"

#define REPLAY_MAX ((size_t)4 * 1024 * 1024)

static int replay_file(const char *path)
{
	struct stat st;
	unsigned char *data;
	size_t n;
	FILE *f = fopen(path, "rb");

	if (!f || fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size > REPLAY_MAX) {
		fprintf(stderr, "replay: cannot use '%s'\n", path);
		if (f)
			fclose(f);
		return -1;
	}
	data = malloc((size_t)st.st_size + 1);
	if (!data) {
		fclose(f);
		return -1;
	}
	n = fread(data, 1, (size_t)st.st_size, f);
	fclose(f);
	LLVMFuzzerTestOneInput(data, n);
	free(data);
	return 0;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	size_t count = 0;
	int i, failed = 0;

	for (i = 1; i < argc; i++) {
		struct stat st;
		DIR *d;
		struct dirent *de;
		char **names = NULL;
		size_t n = 0, k;

		if (stat(argv[i], &st) < 0) {
			fprintf(stderr, "replay: cannot open '%s': %s\n", argv[i], strerror(errno));
			return 2;
		}
		if (!S_ISDIR(st.st_mode)) {
			failed |= replay_file(argv[i]) < 0;
			count++;
			continue;
		}
		if (!(d = opendir(argv[i])))
			return 2;
		while ((de = readdir(d))) {
			char **p;

			if (de->d_name[0] == '.')
				continue;
			if (!(p = realloc(names, (n + 1) * sizeof(char *)))) {
				failed = 1;
				break;
			}
			names = p;
			if (!(names[n] = strdup(de->d_name))) {
				failed = 1;
				break;
			}
			n++;
		}
		closedir(d);
		if (n)
			qsort(names, n, sizeof(char *), cmp);
		for (k = 0; k < n; k++) {
			char path[PATH_MAX];

			if (snprintf(path, sizeof(path), "%s/%s", argv[i], names[k]) < (int)sizeof(path)) {
				failed |= replay_file(path) < 0;
				count++;
			} else {
				failed = 1;
			}
			free(names[k]);
		}
		free(names);
	}
	printf("replayed %zu inputs\n", count);
	return failed ? 1 : 0;
}
