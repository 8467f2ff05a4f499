#ifndef VENV_UNIT_H
#define VENV_UNIT_H

/*
 * Helpers shared by the Check unit tests (included after compat.h and
 * check.h): a checked path formatter and a remover for the temporary trees
 * the tests build. The remover works through directory handles and never
 * follows a symlink, so a test that plants links to outside cannot make
 * its own cleanup escape.
 */
#include <dirent.h>

#define PATHF(buf, ...) \
	ck_assert_msg(snprintf((buf), sizeof(buf), __VA_ARGS__) < (int)sizeof(buf), \
		      "path too long for %s", #buf)

static inline void rm_rf_at(int dfd, const char *name)
{
	struct stat st;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return;
	if (S_ISDIR(st.st_mode)) {
		int fd;
		DIR *d;
		struct dirent *de;

		fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0 && (d = fdopendir(fd)) != NULL) {
			while ((de = readdir(d)) != NULL)
				if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
					rm_rf_at(dirfd(d), de->d_name);
			closedir(d);
		} else if (fd >= 0) {
			close(fd);
		}
		unlinkat(dfd, name, AT_REMOVEDIR);
	} else {
		unlinkat(dfd, name, 0);
	}
}

#endif
