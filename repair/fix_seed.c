/*
 * VNV609 for the seed distributions: pip (and setuptools, where venv create
 * installs it) whose console scripts and .dist-info remain but whose package
 * is gone. It is reinstalled as venv create installs it, from the wheel
 * cache (create/pip.c), offline and without running Python: the wheel is
 * installed into a scratch tree laid out as the environment is, and every
 * file of that tree becomes a write of the plan, applied under repair's
 * journal like any other fix. Another distribution is a remaining problem
 * that says how to reinstall it.
 */
#include "compat.h"
#include <dirent.h>
#include "array.h"
#include "dist.h"
#include "venv.h"
#include "fix.h"
#include "fs.h"
#include "path.h"
#include "pep440.h"
#include "pip.h"
#include "wheel.h"
#include "wheels.h"

struct seed {
	struct venv_fixctx *x;
	int code;
	const char *what;       /* "pip 24.0" */
};

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Replace the bytes of a write already planned for rel (another finding's fix of the same file). */
static int replace_planned(struct venv_plan *plan, const char *rel, const struct vbuf *data,
			   int *done)
{
	size_t i;

	*done = 0;
	for (i = 0; i < plan->nr; i++) {
		struct venv_fix *f = &plan->fixes[i];
		char *copy;

		if (strcmp(f->path, rel))
			continue;
		*done = 1;
		/* A link, a removal or a mode: that fix stands. */
		if (f->kind != VENV_FIX_WRITE)
			return 0;
		if (!(copy = malloc(data->len + 1)))
			return venv_error_set(VENV_ENOMEM, "out of memory");
		memcpy(copy, data->buf, data->len);
		copy[data->len] = '\0';
		free(f->data);
		f->data = copy;
		f->len = data->len;
		return 0;
	}
	return 0;
}

/* Plan every file below dfd (the scratch tree's rel) into the environment's rel. */
static int plan_tree(struct seed *s, int dfd, struct vbuf *rel, int depth)
{
	struct vbuf data = VBUF_INIT(VBUF_MAX_MEMBER), msg = VBUF_INIT(VBUF_MAX_LINE);
	char **names = NULL;
	size_t n = 0, alloc = 0, i, at = rel->len;
	int dupfd, error = 0;
	struct dirent *de;
	DIR *d;

	if (depth > VENV_WHEEL_MAX_DEPTH + 8)
		return venv_error_set(VENV_ETOOBIG, "'%s' is nested too deeply", rel->buf);
	if ((dupfd = dup(dfd)) < 0 || !(d = fdopendir(dupfd))) {
		if (dupfd >= 0)
			close(dupfd);
		return venv_error_set_errno(VENV_EIO, "cannot read the scratch tree '%s'", rel->buf);
	}
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if ((error = VENV_ARRAY_GROW(names, alloc, n + 1, 32)) < 0)
			break;
		if (!(names[n] = strdup(de->d_name))) {
			error = venv_error_set(VENV_ENOMEM, "out of memory");
			break;
		}
		n++;
	}
	closedir(d);
	/* In a stable order: readdir's is not. */
	if (names)
		qsort(names, n, sizeof(*names), by_name);
	for (i = 0; i < n && error >= 0; i++) {
		struct stat st, here;
		int sub, done;

		vbuf_setlen(rel, at);
		if ((error = vbuf_addf(rel, "%s%s", at ? "/" : "", names[i])) < 0)
			break;
		if (fstatat(dfd, names[i], &st, AT_SYMLINK_NOFOLLOW) < 0) {
			error = venv_error_set_errno(VENV_EIO, "cannot stat '%s'", rel->buf);
			break;
		}
		vbuf_reset(&msg);
		if (S_ISDIR(st.st_mode)) {
			if (fstatat(s->x->e->fd, rel->buf, &here, AT_SYMLINK_NOFOLLOW) < 0 &&
			    !venv_plan_has(s->x->plan, rel->buf) &&
			    ((error = vbuf_addf(&msg, "%s: reinstalled from the wheel cache", s->what)) < 0 ||
			     (error = venv_plan_add(s->x->plan, s->code, VENV_FIX_MKDIR, rel->buf, NULL,
						    0, 0755, msg.buf)) < 0))
				break;
			sub = openat(dfd, names[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub < 0) {
				error = venv_error_set_errno(VENV_EIO, "cannot open '%s'", rel->buf);
				break;
			}
			error = plan_tree(s, sub, rel, depth + 1);
			close(sub);
			continue;
		}
		/* The installer writes regular files only. */
		if (!S_ISREG(st.st_mode)) {
			error = venv_error_set(VENV_EUNSAFE, "'%s' is not a regular file", rel->buf);
			break;
		}
		vbuf_reset(&data);
		if ((error = venv_fs_read_file_at(&data, dfd, names[i], VBUF_MAX_MEMBER)) < 0 ||
		    (error = replace_planned(s->x->plan, rel->buf, &data, &done)) < 0 || done)
			continue;
		/* One summary for all its files: repair prints it once, with their number. */
		if ((error = vbuf_addf(&msg, "%s: reinstalled from the wheel cache", s->what)) < 0)
			break;
		error = venv_fix_write(s->x, s->code, rel->buf, data.buf, data.len,
				       st.st_mode & 07777, msg.buf);
	}
	vbuf_setlen(rel, at);
	/* names is NULL only when n is 0; said for the analyzer, which loses it through the grow. */
	for (i = 0; names && i < n; i++)
		free(names[i]);
	free(names);
	vbuf_release(&data);
	vbuf_release(&msg);
	return error;
}

/* 1 when the plan already puts back the top-level package of module under site. */
static int reinstalled(struct venv_fixctx *x, const char *site, const char *module)
{
	struct vbuf top = VBUF_INIT(VBUF_MAX_PATH);
	size_t i, n;
	int error, found = 0;

	if ((error = vbuf_addf(&top, "%s/%.*s", site, (int)strcspn(module, "."), module)) < 0)
		return error;
	n = top.len;
	for (i = 0; i < x->plan->nr && !found; i++) {
		const char *p = x->plan->fixes[i].path;

		found = x->plan->fixes[i].code == VENV_DIAG_ENTRY_POINT_MODULE_MISSING &&
			!strncmp(p, top.buf, n) && (!p[n] || p[n] == '/' || !strcmp(p + n, ".py"));
	}
	vbuf_release(&top);
	return found;
}

/*
 * virtualenv --symlink-app-data: the .dist-info is a link into an unpacked
 * wheel of its app data, and the package was a link beside it: made again
 * when the app data still has it.
 */
static int relink_app_data(struct venv_fixctx *x, const struct venv_finding *f, const char *site,
			   const char *dist)
{
	struct vbuf want = VBUF_INIT(VBUF_MAX_PATH), rel = VBUF_INIT(VBUF_MAX_PATH);
	struct vbuf msg = VBUF_INIT(VBUF_MAX_LINE);
	char target[PATH_MAX];
	const char *slash;
	struct stat st;
	ssize_t n;
	int error = 0;

	if ((n = readlinkat(x->e->fd, dist, target, sizeof(target) - 1)) <= 0 ||
	    (target[n] = '\0', target[0] != '/') || !(slash = strrchr(target, '/'))) {
		error = venv_fix_decline(x, "'%s' is a link repair cannot follow", dist);
		goto done;
	}
	if ((error = vbuf_addf(&want, "%.*s/%.*s", (int)(slash - target), target,
			       (int)strcspn(f->data.found, "."), f->data.found)) < 0 ||
	    (error = vbuf_addf(&rel, "%s/%.*s", site, (int)strcspn(f->data.found, "."),
			       f->data.found)) < 0)
		goto done;
	if (stat(want.buf, &st) < 0 || !S_ISDIR(st.st_mode)) {
		error = venv_fix_decline(x, "'%s' is a link into virtualenv's app data, where '%s' "
					 "is gone too; make the environment again", dist, want.buf);
		goto done;
	}
	if ((error = vbuf_addf(&msg, "%s -> %s: linked again, as virtualenv --symlink-app-data "
			       "made it", rel.buf, want.buf)) < 0)
		goto done;
	error = venv_plan_add(x->plan, f->code, VENV_FIX_SYMLINK, rel.buf, want.buf, 0, 0, msg.buf);
done:
	vbuf_release(&want);
	vbuf_release(&rel);
	vbuf_release(&msg);
	return error;
}

/* A private directory for the scratch tree, in $TMPDIR. */
static int make_scratch(struct vbuf *out)
{
	const char *t = getenv("TMPDIR");
	int error;

	vbuf_reset(out);
	if ((error = vbuf_addf(out, "%s/venv-repair-XXXXXX", t && *t == '/' ? t : "/tmp")) < 0)
		return error;
	if (!mkdtemp(out->buf))
		return venv_error_set_errno(VENV_EIO, "cannot create a directory in '%s'",
					    t && *t == '/' ? t : "/tmp");
	return 0;
}

/* The wheels the base's ensurepip would install, and a local wheel of exactly this version. */
static int local_wheels(struct venv_fixctx *x, const char *name, const char *version,
			const char **wheels, size_t cap, size_t *n, char **found)
{
	char *ver = NULL;
	size_t i;
	int error;

	*n = 0;
	*found = NULL;
	/* A base that cannot be told is no reason to stop: the cache may have it. */
	if (venv_fix_base_info(x) != 0) {
		vbuf_reset(&x->why);
		venv_error_clear();
		return 0;
	}
	for (i = 0; i < x->info.nwheels && *n < cap; i++)
		wheels[(*n)++] = x->info.wheels[i];
	if ((error = venv_localwheel_find(found, &ver, name, version, NULL, &x->info)) < 0)
		return error;
	free(ver);
	if (*found && *n < cap)
		wheels[(*n)++] = *found;
	return 0;
}

int venv_fix_seed(struct venv_fixctx *x, const struct venv_finding *f, const char *rel)
{
	struct vbuf canon = VBUF_INIT(VBUF_MAX_LINE), site = VBUF_INIT(VBUF_MAX_PATH);
	struct vbuf dist = VBUF_INIT(VBUF_MAX_PATH), scratch = VBUF_INIT(VBUF_MAX_PATH);
	struct vbuf purelib = VBUF_INIT(VBUF_MAX_PATH), bin = VBUF_INIT(VBUF_MAX_PATH);
	struct vbuf headers = VBUF_INIT(VBUF_MAX_PATH), py = VBUF_INIT(VBUF_MAX_PATH);
	struct vbuf what = VBUF_INIT(VBUF_MAX_LINE), r = VBUF_INIT(VBUF_MAX_PATH);
	const char *name = f->data.name, *version = f->data.want, *wheels[20];
	char *found = NULL;
	struct venv_wheel_target t;
	struct stat st;
	size_t nwheels = 0;
	int error = 0, sfd = -1;

	if (!name || !version || !rel) {
		error = venv_fix_decline(x, "the distribution to reinstall is not known");
		goto done;
	}
	if ((error = venv_name_canonicalize(&canon, name)) < 0)
		goto done;
	if (!venv_dist_is_seed(canon.buf)) {
		error = venv_fix_decline(x, "repair reinstalls only what venv create installs (pip, "
					 "setuptools); reinstall it with 'bin/python -m pip install "
					 "--force-reinstall %s==%s'", name, version);
		goto done;
	}
	if (x->minor < 0) {
		error = venv_fix_decline(x, "the Python version of the environment is not known");
		goto done;
	}
	/* rel is <site-packages>/<name>-<version>.dist-info/entry_points.txt (or METADATA). */
	if ((error = venv_path_dirname(&dist, rel)) < 0 ||
	    (error = venv_path_dirname(&site, dist.buf)) < 0)
		goto done;
	if (f->data.found && fstatat(x->e->fd, dist.buf, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISLNK(st.st_mode)) {
		/* Its other console scripts' findings: the first one linked it. */
		if ((error = vbuf_addf(&r, "%s/%.*s", site.buf, (int)strcspn(f->data.found, "."),
				       f->data.found)) >= 0 && !venv_plan_has(x->plan, r.buf))
			error = relink_app_data(x, f, site.buf, dist.buf);
		goto done;
	}
	/* Its other console scripts' findings: the first one reinstalled it. */
	if (f->data.found && (error = reinstalled(x, site.buf, f->data.found)) != 0) {
		error = error > 0 ? 0 : error;
		goto done;
	}
	if ((error = venv_fix_env_python(x, &py, "python")) != 0 ||
	    (error = local_wheels(x, name, version, wheels, VENV_ARRAY_SIZE(wheels), &nwheels,
				  &found)) < 0 ||
	    (error = make_scratch(&scratch)) < 0)
		goto done;
	/* The scratch tree has the environment's layout, so RECORD's relative paths are its own. */
	if ((error = vbuf_addf(&purelib, "%s/%s", scratch.buf, site.buf)) < 0 ||
	    (error = vbuf_addf(&bin, "%s/bin", scratch.buf)) < 0 ||
	    (error = vbuf_addf(&headers, "%s/include/site/python3.%d/%s", scratch.buf, x->minor,
			       canon.buf)) < 0 ||
	    (error = vbuf_addf(&what, "%s %s", name, version)) < 0 ||
	    (error = venv_fs_mkdirs(purelib.buf)) < 0 || (error = venv_fs_mkdirs(bin.buf)) < 0)
		goto done;
	memset(&t, 0, sizeof(t));
	t.purelib = purelib.buf;
	t.platlib = purelib.buf;
	t.scripts = bin.buf;
	t.headers = headers.buf;
	t.data = scratch.buf;
	t.python = py.buf;
	t.major = 3;
	t.minor = x->minor;
	/* REQUESTED as it was: ensurepip's pip has it, a dependency does not. */
	if ((error = vbuf_addf(&r, "%s/REQUESTED", dist.buf)) < 0)
		goto done;
	t.requested = fstatat(x->e->fd, r.buf, &st, AT_SYMLINK_NOFOLLOW) == 0;
	error = venv_pip_install_dist(name, version, wheels, nwheels, &t, scratch.buf, NULL, NULL);
	if (error == VENV_ENOTFOUND || error == VENV_EINVAL || error == VENV_EUNSAFE ||
	    error == VENV_ETOOBIG) {
		error = venv_fix_decline(x, "not reinstalled: %s", venv_error_last());
		goto done;
	}
	if (error < 0 || (sfd = open(scratch.buf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
				     O_CLOEXEC)) < 0) {
		if (error >= 0)
			error = venv_error_set_errno(VENV_EIO, "cannot open '%s'", scratch.buf);
		goto done;
	}
	{
		struct seed s = { x, f->code, what.buf };

		vbuf_reset(&r);
		error = plan_tree(&s, sfd, &r, 0);
	}
done:
	if (sfd >= 0)
		close(sfd);
	if (scratch.len) {
		char msg[2048];

		snprintf(msg, sizeof(msg), "%s", venv_error_last());
		venv_fs_remove_tree(scratch.buf);
		if (error < 0)
			venv_error_set(error, "%s", msg);
	}
	free(found);
	vbuf_release(&canon);
	vbuf_release(&site);
	vbuf_release(&dist);
	vbuf_release(&scratch);
	vbuf_release(&purelib);
	vbuf_release(&bin);
	vbuf_release(&headers);
	vbuf_release(&py);
	vbuf_release(&what);
	vbuf_release(&r);
	return error;
}
