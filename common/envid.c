#include "compat.h"
#include <dirent.h>
#include "error.h"
#include "fs.h"
#include "vbuf.h"
#include "actscan.h"
#include "envid.h"
#include "cfgcheck.h"

int venv_envid_creator_name(const char *name)
{
	static const char *const names[] = {
		"bin", "lib", "lib64", "include", "share", "pyvenv.cfg", ".gitignore",
		/* The markers: ours, uv's cache tag and lock. */
		VENV_INCOMPLETE_MARKER, "CACHEDIR.TAG", ".lock"
	};
	size_t i;

	/* Repair's own journal, backup and trash (repair/txn.h). */
	if (!strncmp(name, ".venv-repair", 12))
		return 1;
	for (i = 0; i < VENV_ARRAY_SIZE(names); i++)
		if (!strcmp(name, names[i]))
			return 1;
	return 0;
}

static int is_regular(int dirfd, const char *name)
{
	struct stat st;

	return fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode);
}

/* What a pyvenv.cfg that is there but no regular file is; NULL for none or a regular one. */
static const char *cfg_not_regular(int dirfd)
{
	struct stat st;

	if (fstatat(dirfd, "pyvenv.cfg", &st, AT_SYMLINK_NOFOLLOW) < 0 || S_ISREG(st.st_mode))
		return NULL;
	return venv_fs_kind_name(st.st_mode);
}

static int subdir(int dirfd, const char *name)
{
	return openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

/* "'a', 'b'" for up to VENV_ENVID_SHOWN names; "..." once it is full. */
static void add_name(char *list, size_t size, size_t count, const char *name)
{
	size_t len = strlen(list);

	if (count > VENV_ENVID_SHOWN)
		return;
	if (count == VENV_ENVID_SHOWN) {
		snprintf(list + len, size - len, ", ...");
		return;
	}
	snprintf(list + len, size - len, "%s'%.60s'", len ? ", " : "", name);
}

/* lib/pythonX.Y/site-packages, a real directory, for some X.Y. */
static int has_site_packages(int envfd)
{
	int lfd = subdir(envfd, "lib"), found = 0;
	DIR *d;
	struct dirent *de;

	if (lfd < 0)
		return 0;
	if (!(d = fdopendir(lfd))) {
		close(lfd);
		return 0;
	}
	while (!found && (de = readdir(d))) {
		int major, minor, micro, pfd, sfd;

		/* "python3.12" or "python3.13t": a version and nothing else. */
		if (strncmp(de->d_name, "python", 6) ||
		    venv_version_parse(de->d_name + 6, &major, &minor, &micro) < 0 || micro != -1)
			continue;
		if ((pfd = subdir(dirfd(d), de->d_name)) < 0)
			continue;
		if ((sfd = subdir(pfd, "site-packages")) >= 0) {
			found = 1;
			close(sfd);
		}
		close(pfd);
	}
	closedir(d);
	return found;
}

/*
 * An activation script that says which environment it belongs to: one
 * with a fixed absolute VIRTUAL_ENV (this directory, or where it was
 * created if it was moved or copied since), or one that finds its own
 * location.
 */
static int has_activation_script(int dirfd)
{
	static const char *const scripts[] = { "activate", "activate.fish", "activate.csh",
					       "activate.nu", "Activate.ps1" };
	struct vbuf data = VBUF_INIT(VBUF_MAX_SCRIPT);
	int bfd = subdir(dirfd, "bin"), found = 0;
	size_t i;

	if (bfd < 0)
		return 0;
	for (i = 0; i < VENV_ARRAY_SIZE(scripts) && !found; i++) {
		struct venv_activation a = VENV_ACTIVATION_INIT;
		int shell = venv_act_shell_for(scripts[i]);

		if (shell < 0 || venv_fs_read_file_at(&data, bfd, scripts[i], VBUF_MAX_SCRIPT) < 0)
			continue;
		if (venv_actscan(&a, (enum venv_act_shell)shell, data.buf, data.len) == 0)
			found = (a.kind == VENV_ACT_LITERAL && a.path && a.path[0] == '/') ||
				a.kind == VENV_ACT_SELF;
		venv_activation_release(&a);
	}
	/* Unreadable scripts are no evidence; their errors are not ours to report. */
	venv_error_clear();
	vbuf_release(&data);
	close(bfd);
	return found;
}

int venv_envid_probe(struct venv_envid *out, int dirfd)
{
	DIR *d;
	struct dirent *de;
	int fd;

	memset(out, 0, sizeof(*out));
	if ((fd = dup(dirfd)) < 0)
		return venv_error_set_errno(venv_error_from_errno(errno), "cannot read a directory");
	if (!(d = fdopendir(fd))) {
		close(fd);
		return venv_error_set_errno(venv_error_from_errno(errno), "cannot read a directory");
	}
	rewinddir(d);
	errno = 0;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		add_name(out->entries, sizeof(out->entries), out->nentries++, de->d_name);
		if (!venv_envid_creator_name(de->d_name))
			add_name(out->foreign, sizeof(out->foreign), out->nforeign++, de->d_name);
		errno = 0;
	}
	if (errno) {
		int err = errno;

		closedir(d);
		errno = err;
		return venv_error_set_errno(venv_error_from_errno(err), "cannot read a directory");
	}
	closedir(d);
	out->cfg_not_regular = cfg_not_regular(dirfd);
	if (is_regular(dirfd, "pyvenv.cfg"))
		out->kind = VENV_ENVID_CFG;
	else if (is_regular(dirfd, VENV_INCOMPLETE_MARKER))
		out->kind = VENV_ENVID_INCOMPLETE;
	else if (has_site_packages(dirfd) && has_activation_script(dirfd))
		out->kind = VENV_ENVID_EVIDENCE;
	return 0;
}

int venv_envid_require(struct venv_envid *out, int dirfd, const char *shown, unsigned flags)
{
	struct venv_envid local;
	const char *cfg;
	int error;

	if (!out)
		out = &local;
	if ((error = venv_envid_probe(out, dirfd)) < 0)
		return venv_error_set(error, "cannot read '%s': %s", shown, venv_error_last());
	if (out->kind != VENV_ENVID_NONE)
		return 0;
	cfg = out->cfg_not_regular;
	/* "it has no pyvenv.cfg" would be false of a FIFO or a directory of that name. */
	if (out->nforeign)
		return venv_error_set(VENV_EUNSAFE, "'%s' is not a virtual environment: %s%s%s no "
				      "activation script with lib/pythonX.Y/site-packages, and "
				      "holds what no creator of environments makes (%s); nothing was "
				      "changed", shown, cfg ? "its pyvenv.cfg is " : "it has no pyvenv.cfg,",
				      cfg ? cfg : "", cfg ? ", not a regular file, it has" : "",
				      out->foreign);
	if (flags & VENV_ENVID_FORCE)
		return 0;
	return venv_error_set(VENV_EUNSAFE, "'%s' is not a virtual environment: %s%s%s no "
			      "activation script with lib/pythonX.Y/site-packages"
			      "%s%s%s; nothing was changed (--force treats it as one)", shown,
			      cfg ? "its pyvenv.cfg is " : "it has no pyvenv.cfg and", cfg ? cfg : "",
			      cfg ? ", not a regular file, and it has" : "",
			      out->nentries ? " (it holds " : "", out->entries,
			      out->nentries ? ")" : "");
}
