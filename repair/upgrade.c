#include "compat.h"
#include <dirent.h>
#include "venv.h"
#include "array.h"
#include "diag.h"
#include "fs.h"
#include "log.h"
#include "path.h"
#include "proc.h"
#include "progress.h"
#include "text.h"
#include "upgrade.h"

#define PIP_OUTPUT_MAX ((size_t)4 * 1024 * 1024)

static int dup_into(char **dst, const char *s)
{
	free(*dst);
	*dst = s ? strdup(s) : NULL;
	return (!s || *dst) ? 0 : venv_error_set(VENV_ENOMEM, "out of memory");
}

/* o may be NULL: no log then. */
#define logf_(o, ...) venv_logf((o) ? (o)->log : NULL, (o) ? (o)->payload : NULL, __VA_ARGS__)

void venv_upgrade_release(struct venv_upgrade *u)
{
	free(u->python);
	if (u->info_loaded)
		venv_pyinfo_release(&u->info);
	free(u->old_version);
	free(u->old_lib);
	free(u->new_lib);
	free(u->old_python);
	free(u->env_python);
	venv_move_release(&u->mv);
	venv_dists_release(&u->dists);
	memset(u, 0, sizeof(*u));
}

static int is_executable(const char *path)
{
	struct stat st;

	return path && stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

int venv_upgrade_lib_dir(struct vbuf *out, const struct venv_scan *s, int minor)
{
	vbuf_reset(out);
	return vbuf_addf(out, "lib/%s3.%d", s->pypy ? "pypy" : "python", minor);
}

int venv_upgrade_prepare(struct venv_upgrade *u, struct venv_envdir *e,
			 const struct venv_scan *s, const char *python,
			 struct venv_dists *seen, const char *seen_site)
{
	struct venv_cfg cfg = VENV_CFG_INIT;
	struct vbuf path = VBUF_INIT(VBUF_MAX_PATH), spec = VBUF_INIT(64);
	const char *v;
	int error;

	memset(u, 0, sizeof(*u));
	u->old_minor = s->minor;
	if ((error = venv_cfg_read(&cfg, e->fd, "pyvenv.cfg")) < 0 && error != VENV_ENOTFOUND)
		goto done;
	if (error == 0) {
		v = venv_cfg_get_first(&cfg, "version");
		if (!v)
			v = venv_cfg_get_first(&cfg, "version_info");
		if ((error = dup_into(&u->old_version, v)) < 0)
			goto done;
	}
	venv_error_clear();
	/*
	 * The interpreter: the one given; else the one the environment links
	 * to, upgraded in place; else an installed Python of the same minor
	 * version (the old one was removed).
	 */
	if (python) {
		error = vbuf_sets(&path, python);
	} else if (is_executable(s->base_python)) {
		error = vbuf_sets(&path, s->base_python);
	} else if (s->minor >= 0) {
		/* A PyPy's packages are a PyPy's: "pypy3.9" asks for a PyPy of Python 3.9. */
		if ((error = vbuf_addf(&spec, "%s3.%d", s->pypy ? "pypy" : "", s->minor)) < 0)
			goto done;
		if ((error = venv_python_find(&path, spec.buf)) < 0) {
			error = venv_error_set(VENV_ENOTFOUND, "the base interpreter '%s' is gone and "
					       "no other %s 3.%d was found; use --python",
					       s->base_python ? s->base_python : "?",
					       s->pypy ? "PyPy" : "Python", s->minor);
			goto done;
		}
	} else {
		error = venv_error_set(VENV_ENOTFOUND, "cannot tell which Python to upgrade to; "
				       "use --python");
		goto done;
	}
	if (error < 0 || (error = dup_into(&u->python, path.buf)) < 0)
		goto done;
	if ((error = venv_pyinfo_load(&u->info, u->python, 0)) < 0)
		goto done;
	u->info_loaded = 1;
	/*
	 * CPython and PyPy name their lib/ directories apart and run one
	 * another's bytecode and extensions not at all: the packages would stay
	 * where the new interpreter does not look, and its names beside the old.
	 */
	if (s->pypy != venv_pyinfo_is_pypy(&u->info)) {
		error = venv_error_set(VENV_EINVAL, "cannot upgrade '%s' from %s to %s ('%s'): "
				       "repair does not move packages from one Python "
				       "implementation to another; make a new environment "
				       "(venv create -p '%s') and install them there",
				       e->dir, s->pypy ? "PyPy" : "CPython",
				       s->pypy ? "CPython" : "PyPy", u->python, u->python);
		goto done;
	}
	if ((error = venv_path_dirname(&path, u->info.purelib)) < 0 ||
	    (error = dup_into(&u->new_lib, path.buf)) < 0)
		goto done;
	u->minor_change = u->old_minor >= 0 && u->old_minor != u->info.minor;
	/*
	 * pyvenv.cfg names the new version already (`venv create --upgrade`
	 * over an older environment): the packages left in the old version's
	 * site-packages (VNV114, or a mixed VNV106 while bin/python3.<old> is
	 * still there) are moved as in any minor upgrade.
	 */
	if (!u->minor_change && s->orphan_minor >= 0 && s->orphan_minor != u->info.minor) {
		u->old_minor = s->orphan_minor;
		u->minor_change = u->orphaned = 1;
	}
	if (!u->minor_change)
		goto done;
	/* The new one is the new interpreter's purelib; the old one as the model names it. */
	if ((error = venv_upgrade_lib_dir(&path, s, u->old_minor)) < 0 ||
	    (error = dup_into(&u->old_lib, path.buf)) < 0)
		goto done;
	/* The markers of the old version: pyvenv.cfg's, unless that is the new one already. */
	vbuf_reset(&spec);
	if (u->orphaned && (error = vbuf_addf(&spec, "3.%d", u->old_minor)) < 0)
		goto done;
	vbuf_reset(&path);
	if ((error = vbuf_addf(&path, "%s/%s/site-packages", e->dir, u->old_lib)) < 0)
		goto done;
	if (seen && seen_site && !seen->nunread && !strcmp(seen_site, path.buf)) {
		/* What a read without VENV_DISTS_ALL would find: no second pass over them. */
		u->dists = *seen;
		memset(seen, 0, sizeof(*seen));
		venv_dists_drop_unusable(&u->dists);
	} else if ((error = venv_dists_read_at(&u->dists, e->fd,
					       path.buf + strlen(e->dir) + 1, path.buf, 0)) < 0) {
		goto done;
	}
	if ((error = venv_move_prepare(&u->mv, &u->dists, e, u->old_lib, u->new_lib, u->old_minor,
				       u->orphaned ? spec.buf : u->old_version, &u->info,
				       u->orphaned ? s->orphan_code :
				       VENV_DIAG_BASE_VERSION_MISMATCH)) < 0)
		goto done;
	/* Console scripts run the interpreter by the name create gives it. */
	if ((error = venv_path_basename(&spec, u->python)) < 0)
		goto done;
	vbuf_reset(&path);
	if ((error = vbuf_addf(&path, "%s/bin/%s", e->dir, spec.buf)) < 0 ||
	    (error = dup_into(&u->env_python, path.buf)) < 0)
		goto done;
done:
	venv_cfg_release(&cfg);
	vbuf_release(&path);
	vbuf_release(&spec);
	return error;
}

static size_t count_reinstall(const struct venv_upgrade *u)
{
	return venv_move_count(&u->mv, VENV_MOVE_PIP);
}

/* Is bin/<name> of the environment a copy of the file python (links followed)? */
static int same_bytes(struct venv_envdir *e, const char *name, const char *python)
{
	struct vbuf a = VBUF_INIT(VBUF_MAX_MEMBER), b = VBUF_INIT(VBUF_MAX_MEMBER);
	char *real = realpath(python, NULL);
	int bfd = openat(e->fd, "bin", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), same = 0;

	if (bfd >= 0 && real && name &&
	    venv_fs_read_file_at(&a, bfd, name, VBUF_MAX_MEMBER) == 0 &&
	    venv_fs_read_file_at(&b, AT_FDCWD, real, VBUF_MAX_MEMBER) == 0)
		same = a.len == b.len && !memcmp(a.buf, b.buf, a.len);
	venv_error_clear();
	if (bfd >= 0)
		close(bfd);
	free(real);
	vbuf_release(&a);
	vbuf_release(&b);
	return same;
}

int venv_upgrade_describe(struct venv_upgrade *u, struct venv_envdir *e,
			  const struct venv_scan *s, struct venv_plan *out)
{
	struct vbuf msg = VBUF_INIT(VBUF_MAX_REPORT);
	size_t i;
	int error = 0;

	/* The same interpreter at the same version: the links are all there is to check. */
	if ((!u->minor_change || u->orphaned) && u->old_version &&
	    !strcmp(u->old_version, u->info.version) && s->base_ok && s->base_python &&
	    !strcmp(s->base_python, u->python) &&
	    (s->symlinks || same_bytes(e, s->first_name, u->python))) {
		if (!u->minor_change)
			goto done;
	} else {
		if ((error = vbuf_addf(&msg, "pyvenv.cfg, bin/: upgraded to '%s' (Python %s%s%s)",
				       u->python, u->info.version, u->old_version ? ", was " : "",
				       u->old_version ? u->old_version : "")) < 0 ||
		    (error = venv_plan_add(out, s->base_ok ? VENV_DIAG_STALE_VERSION :
					   VENV_DIAG_DANGLING_INTERPRETER_LINK, VENV_FIX_WRITE,
					   "pyvenv.cfg", NULL, 0, 0644, msg.buf)) < 0)
			goto done;
	}
	if (u->minor_change) {
		vbuf_reset(&msg);
		if ((error = vbuf_addf(&msg, "%s/site-packages: %zu distribution(s) moved, %zu "
				       "installed again from local wheels, %zu with pip%s", u->new_lib,
				       venv_move_count(&u->mv, VENV_MOVE_MOVE),
				       venv_move_count(&u->mv, VENV_MOVE_WHEEL), count_reinstall(u),
				       u->mv.need_pip ? " (installed first)" : "")) < 0 ||
		    (error = venv_plan_add(out, u->mv.code, VENV_FIX_MKDIR,
					   u->new_lib, NULL, 0, 0755, msg.buf)) < 0)
			goto done;
		for (i = 0; i < u->dists.nr; i++) {
			vbuf_reset(&msg);
			if ((error = venv_move_describe(&u->mv, i, &msg)) < 0 ||
			    (error = venv_plan_add(out, u->mv.code,
						   u->mv.v[i].how == VENV_MOVE_DROP ||
						   u->mv.v[i].how == VENV_MOVE_NEWER ?
						   VENV_FIX_REMOVE : VENV_FIX_WRITE,
						   u->mv.new_site, NULL, 0, 0644, msg.buf)) < 0)
				goto done;
		}
		for (i = 0; i < u->mv.nmarkers; i++) {
			vbuf_reset(&msg);
			if ((error = venv_move_describe_marker(&u->mv, i, &msg)) < 0 ||
			    (error = venv_plan_add(out, u->mv.code,
						   VENV_FIX_WRITE, u->mv.new_site, NULL, 0, 0644,
						   msg.buf)) < 0)
				goto done;
		}
		if ((error = venv_move_plan(&u->mv, e, 1)) < 0)
			goto done;
		for (i = 0; i < u->mv.nunowned; i++) {
			vbuf_reset(&msg);
			if ((error = vbuf_addf(&msg, "%s: moved to %s (no distribution owns it)",
					       u->mv.unowned[i].from, u->mv.unowned[i].to)) < 0 ||
			    (error = venv_plan_add(out, u->mv.code, VENV_FIX_WRITE,
						   u->mv.unowned[i].to, NULL, 0, 0644, msg.buf)) < 0)
				goto done;
		}
		vbuf_reset(&msg);
		if ((error = vbuf_addf(&msg, "%s: removed once the rest is moved", u->old_lib)) == 0)
			error = venv_plan_add(out, VENV_DIAG_ORPHANED_SITE_PACKAGES, VENV_FIX_REMOVE,
					      u->old_lib, NULL, 0, 0, msg.buf);
	}
done:
	vbuf_release(&msg);
	return error;
}

int venv_upgrade_report(struct venv_upgrade *u, struct venv_repair_report *r)
{
	static const char *const actions[] = { "moved", "reinstalled", "reinstalled", "dropped",
					       "superseded" };
	size_t i, have;
	int error = 0;

	if (!u->minor_change || u->reported)
		return 0;
	u->reported = 1;
	/* Room for this upgrade's entries after an earlier one's, and a zeroed spare. */
#define GROW(arr, used, n) \
	have = (used); \
	if ((error = VENV_ARRAY_GROW(arr, have, (used) + (n) + 1, (n) + 1)) < 0) \
		return error; \
	memset(&(arr)[used], 0, ((n) + 1) * sizeof(*(arr)))
	GROW(r->dists, r->ndists, u->dists.nr);
	GROW(r->reinstalled, r->nreinstalled, u->dists.nr);
	GROW(r->unowned, r->nunowned, u->mv.nunowned);
	GROW(r->markers, r->nmarkers, u->mv.nmarkers);
#undef GROW
	for (i = 0; i < u->dists.nr && !error; i++) {
		const struct venv_move_dist *md = &u->mv.v[i];
		struct venv_repair_dist *rd = &r->dists[r->ndists++];

		rd->action = md->failed ? "failed" : actions[md->how];
		if ((error = venv_move_strf(&rd->name, "%s", u->dists.v[i].name)) < 0 ||
		    (error = venv_move_strf(&rd->version, "%s", u->dists.v[i].version)) < 0 ||
		    (md->why && (error = venv_move_strf(&rd->why, "%s", md->why)) < 0))
			break;
		if (md->how == VENV_MOVE_WHEEL)
			error = venv_move_strf(&rd->source, "%s", md->wheel);
		else if (md->how == VENV_MOVE_PIP)
			error = venv_move_strf(&rd->source, "pip install %s%s", md->editable ? "-e " : "",
					    md->req);
		if (!error && (md->how == VENV_MOVE_WHEEL || md->how == VENV_MOVE_PIP))
			error = venv_move_strf(&r->reinstalled[r->nreinstalled++], "%s==%s",
					    u->dists.v[i].name, md->how == VENV_MOVE_WHEEL ?
					    md->wversion : u->dists.v[i].version);
	}
	for (i = 0; i < u->mv.nmarkers && !error; i++) {
		struct vbuf line = VBUF_INIT(VBUF_MAX_LINE);

		if ((error = venv_move_describe_marker(&u->mv, i, &line)) == 0)
			error = venv_move_strf(&r->markers[r->nmarkers++], "%s", line.buf);
		vbuf_release(&line);
	}
	for (i = 0; i < u->mv.nunowned && !error; i++) {
		struct venv_repair_moved *m = &r->unowned[r->nunowned++];

		if ((error = venv_move_strf(&m->from, "%s", u->mv.unowned[i].from)) == 0)
			error = venv_move_strf(&m->to, "%s", u->mv.unowned[i].to);
	}
	return error;
}

/* What an upgrade may change, to report the difference afterwards. */
struct snapshot {
	struct venv_cfg cfg;
	struct vbuf bin;   /* "name\tvalue\n" for each interpreter entry of bin/ */
};

static int take_snapshot(struct snapshot *sn, struct venv_envdir *e)
{
	DIR *d;
	struct dirent *de;
	int error = 0, bfd, dupfd;

	memset(&sn->cfg, 0, sizeof(sn->cfg));
	vbuf_init(&sn->bin, VBUF_MAX_RECORD);
	if (venv_cfg_read(&sn->cfg, e->fd, "pyvenv.cfg") < 0)
		venv_error_clear();
	bfd = openat(e->fd, "bin", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (bfd < 0)
		return 0;
	if ((dupfd = dup(bfd)) < 0 || !(d = fdopendir(dupfd))) {
		if (dupfd >= 0)
			close(dupfd);
		close(bfd);
		return 0;
	}
	rewinddir(d);
	while (!error && (de = readdir(d))) {
		char target[PATH_MAX];
		struct stat st;
		ssize_t n;

		/* PyPy's own names too: bin/pypy3 is the first of a PyPy environment's. */
		if ((strncmp(de->d_name, "python", 6) && strncmp(de->d_name, "pypy", 4)) ||
		    fstatat(bfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISLNK(st.st_mode) &&
		    (n = readlinkat(bfd, de->d_name, target, sizeof(target) - 1)) > 0) {
			target[n] = '\0';
			error = vbuf_addf(&sn->bin, "%s\t-> %s\n", de->d_name, target);
		} else if (S_ISREG(st.st_mode)) {
			/* A copy made again with the same bytes is no change. */
			struct vbuf data = VBUF_INIT(VBUF_MAX_MEMBER);
			unsigned long long h = 0;

			if (venv_fs_read_file_at(&data, bfd, de->d_name, VBUF_MAX_MEMBER) == 0)
				h = (unsigned long long)venv_fnv1a(data.buf, data.len);
			venv_error_clear();
			vbuf_release(&data);
			error = vbuf_addf(&sn->bin, "%s\tcopy of %lld bytes (%016llx)\n", de->d_name,
					  (long long)st.st_size, h);
		}
	}
	closedir(d);
	close(bfd);
	return error;
}

static void snapshot_release(struct snapshot *sn)
{
	venv_cfg_release(&sn->cfg);
	vbuf_release(&sn->bin);
}

/* One line of a snapshot's bin list: "name\twhat". */
struct bin_line {
	const char *name, *what;
	int nlen, wlen;
};

/* The line of b at *pos into l, *pos moved past it: 1, or 0 at the end. */
static int bin_next(const struct vbuf *b, size_t *pos, struct bin_line *l)
{
	while (*pos < b->len) {
		const char *s = b->buf + *pos, *e = memchr(s, '\n', b->len - *pos);
		size_t n = e ? (size_t)(e - s) : b->len - *pos;
		const char *tab = memchr(s, '\t', n);

		*pos += n + 1;
		if (!tab)
			continue;
		l->name = s;
		l->nlen = (int)(tab - s);
		l->what = tab + 1;
		l->wlen = (int)(n - (size_t)l->nlen - 1);
		return 1;
	}
	return 0;
}

/* The line of b for the entry named like l into found: 1, or 0 when there is none. */
static int bin_find(const struct vbuf *b, const struct bin_line *l, struct bin_line *found)
{
	size_t pos = 0;

	while (bin_next(b, &pos, found))
		if (found->nlen == l->nlen && !memcmp(found->name, l->name, (size_t)l->nlen))
			return 1;
	return 0;
}

/* A step of the plan for the interpreter entry of l: "bin/NAME", described by msg. */
static int plan_bin(struct venv_plan *done, int code, enum venv_fix_kind kind,
		    const struct bin_line *l, struct vbuf *path, const char *msg)
{
	int error;

	vbuf_reset(path);
	if ((error = vbuf_addf(path, "bin/%.*s", l->nlen, l->name)) < 0)
		return error;
	return venv_plan_add(done, code, kind, path->buf, NULL, 0, 0, msg);
}

static int report_changes(struct snapshot *a, struct snapshot *b, struct venv_plan *done,
			  int code)
{
	static const char *const keys[] = { "home", "include-system-site-packages", "version",
					    "executable", "command", "prompt" };
	struct vbuf before = VBUF_INIT(VBUF_MAX_LINE), after = VBUF_INIT(VBUF_MAX_LINE);
	struct vbuf msg = VBUF_INIT(VBUF_MAX_LINE);
	struct bin_line l, old;
	size_t i, pos;
	int error = 0;

	for (i = 0; i < VENV_ARRAY_SIZE(keys); i++) {
		const char *x = venv_cfg_get_first(&a->cfg, keys[i]);
		const char *y = venv_cfg_get_first(&b->cfg, keys[i]);

		if ((x && y && !strcmp(x, y)) || (!x && !y))
			continue;
		if ((x && (error = vbuf_addf(&before, "%s%s = %s", before.len ? "\n" : "", keys[i],
					     x)) < 0) ||
		    (y && (error = vbuf_addf(&after, "%s%s = %s", after.len ? "\n" : "", keys[i],
					     y)) < 0))
			goto done;
	}
	if (before.len || after.len) {
		if ((error = venv_plan_add(done, code, VENV_FIX_WRITE, "pyvenv.cfg", NULL, 0, 0644,
					   "pyvenv.cfg: the keys of the new base interpreter")) < 0)
			goto done;
		venv_plan_last(done)->replaces = 1;
		venv_plan_last(done)->before = strdup(before.buf);
		venv_plan_last(done)->after = strdup(after.buf);
	}
	/* Interpreter entries that appeared or changed... */
	for (pos = 0; bin_next(&b->bin, &pos, &l);) {
		int had = bin_find(&a->bin, &l, &old);

		if (had && old.wlen == l.wlen && !memcmp(old.what, l.what, (size_t)l.wlen))
			continue;
		vbuf_reset(&msg);
		if ((error = vbuf_addf(&msg, "bin/%.*s %.*s", l.nlen, l.name, l.wlen, l.what)) < 0 ||
		    (error = plan_bin(done, code, VENV_FIX_SYMLINK, &l, &before, msg.buf)) < 0)
			goto done;
		if (had) {
			venv_plan_last(done)->before = strndup(old.what, (size_t)old.wlen);
			venv_plan_last(done)->replaces = 1;
		}
	}
	/* ...and those that went. */
	for (pos = 0; bin_next(&a->bin, &pos, &l);) {
		if (bin_find(&b->bin, &l, &old))
			continue;
		vbuf_reset(&msg);
		if ((error = vbuf_addf(&msg, "bin/%.*s: removed (an interpreter name of the old "
				       "version)", l.nlen, l.name)) < 0 ||
		    (error = plan_bin(done, code, VENV_FIX_REMOVE, &l, &before, msg.buf)) < 0)
			goto done;
	}
done:
	vbuf_release(&before);
	vbuf_release(&after);
	vbuf_release(&msg);
	return error;
}

static int keep_scripts(struct venv_builder *b, struct venv_context *ctx)
{
	(void)b;
	(void)ctx;
	return 0;
}

static void builder_log(void *payload, enum venv_log_level level, const char *msg)
{
	const struct venv_repair_opts *o = payload;

	if (o && o->log)
		o->log(o->payload, level, msg);
}

static void pip_output(void *payload, const char *data, size_t len)
{
	venv_pip_progress_feed(payload, data, len);
}

/* Run the env's python with args, as venv create runs it; pp, if not NULL, reads pip's output. */
static int run_env_python(struct venv_envdir *e, const char *const *args, struct vbuf *out,
			  struct venv_pip_progress *pp, int *status)
{
	struct venv_env env = VENV_ENV_INIT;
	struct vbuf exe = VBUF_INIT(VBUF_MAX_PATH);
	const char **argv = NULL;
	struct venv_proc proc;
	size_t n = 0, i;
	int error;

	for (i = 0; args[i]; i++)
		n++;
	argv = calloc(n + 2, sizeof(*argv));
	if (!argv)
		return venv_error_set(VENV_ENOMEM, "out of memory");
	if ((error = vbuf_addf(&exe, "%s/bin/python", e->dir)) < 0)
		goto done;
	argv[0] = exe.buf;
	for (i = 0; i < n; i++)
		argv[i + 1] = args[i];
	/* The user's pip configuration (PIP_*, pip.conf) is left as it is. */
	if ((error = venv_env_inherit(&env)) < 0 ||
	    (error = venv_env_set(&env, "VIRTUAL_ENV", e->dir)) < 0)
		goto done;
	venv_env_unset(&env, "PYTHONHOME");
	venv_env_unset(&env, "PYTHONPATH");
	/*
	 * The pip that runs was moved here from the old version: its bytecode
	 * written now would go back with it if the upgrade is rolled back.
	 */
	if ((error = venv_env_set(&env, "PYTHONDONTWRITEBYTECODE", "1")) < 0)
		goto done;
	/* Read as it comes, pip's output must not wait in Python's pipe buffer. */
	if (pp && (error = venv_env_set(&env, "PYTHONUNBUFFERED", "1")) < 0)
		goto done;
	memset(&proc, 0, sizeof(proc));
	proc.argv = argv;
	proc.env = &env;
	proc.cwd = e->dir;
	proc.flags = VENV_PROC_CAPTURE | VENV_PROC_MERGE_STDERR;
	proc.output = out;
	if (pp) {
		proc.on_output = pip_output;
		proc.on_output_payload = pp;
	}
	error = venv_proc_run(&proc, status);
done:
	venv_env_release(&env);
	vbuf_release(&exe);
	free(argv);
	return error;
}

/* Append the requirement arguments of d to args (editables as "-e", path). */
static void add_req_args(const char **args, size_t *n, const struct venv_move_dist *d)
{
	if (d->editable)
		args[(*n)++] = "-e";
	args[(*n)++] = d->req;
}

/* After a failed reinstall: which requirements cannot be installed, one by one. */
static int name_failures(struct venv_upgrade *u, struct venv_envdir *e, const struct vbuf *output,
			 struct vbuf *names)
{
	struct vbuf out = VBUF_INIT(PIP_OUTPUT_MAX);
	size_t i;
	int error = 0;

	vbuf_reset(names);
	for (i = 0; i < u->dists.nr; i++) {
		struct venv_move_dist *d = &u->mv.v[i];
		const char *args[10];
		const char *hit;
		size_t n = 0;
		int status = 0;

		if (d->how != VENV_MOVE_PIP)
			continue;
		/* Named in pip's own message? */
		hit = strstr(output->buf, "No matching distribution found for ");
		if (hit && !strncmp(hit + 35, d->req, strlen(d->req))) {
			if ((error = vbuf_addf(names, "%s%s", names->len ? ", " : "", d->req)) < 0)
				break;
			d->failed = 1;
			continue;
		}
		args[n++] = "-m";
		args[n++] = "pip";
		args[n++] = "install";
		args[n++] = "--dry-run";
		args[n++] = "--no-deps";
		args[n++] = "--quiet";
		add_req_args(args, &n, d);
		args[n] = NULL;
		vbuf_reset(&out);
		if ((error = run_env_python(e, args, &out, NULL, &status)) < 0)
			break;
		if (status != 0) {
			if ((error = vbuf_addf(names, "%s%s", names->len ? ", " : "", d->req)) < 0)
				break;
			d->failed = 1;
		}
	}
	vbuf_release(&out);
	return error;
}

/*
 * What has compiled parts and no local wheel: pip installs it by name and
 * version (or from its local source, when that still exists), without its
 * dependencies, which were moved.
 */
static int reinstall(struct venv_upgrade *u, struct venv_envdir *e,
		     const struct venv_repair_opts *o)
{
	struct vbuf out = VBUF_INIT(PIP_OUTPUT_MAX), names = VBUF_INIT(VBUF_MAX_LINE);
	struct venv_pip_progress pp;
	const char **args;
	size_t n = 0, i;
	int status = 0, error;

	args = calloc(u->dists.nr * 2 + 8, sizeof(*args));
	if (!args)
		return venv_error_set(VENV_ENOMEM, "out of memory");
	args[n++] = "-m";
	args[n++] = "pip";
	args[n++] = "install";
	args[n++] = "--no-deps";
	for (i = 0; i < u->dists.nr; i++)
		if (u->mv.v[i].how == VENV_MOVE_PIP)
			add_req_args(args, &n, &u->mv.v[i]);
	args[n] = NULL;
	logf_(o, VENV_LOG_INFO, "installing %zu distribution(s) again with pip", count_reinstall(u));
	venv_pip_progress_init(&pp, count_reinstall(u), o ? o->progress : NULL, o ? o->payload : NULL);
	error = run_env_python(e, args, &out, pp.cb ? &pp : NULL, &status);
	venv_pip_progress_release(&pp);
	if (error < 0)
		goto done;
	logf_(o, VENV_LOG_DEBUG, "pip said:\n%s", out.buf);
	if (status == 0)
		goto done;
	{
		const char *tail = out.buf;

		while (out.len - (size_t)(tail - out.buf) > 1500 && strchr(tail, '\n'))
			tail = strchr(tail, '\n') + 1;
		logf_(o, VENV_LOG_WARNING, "pip failed (exit status %d):\n%s", status, tail);
	}
	if ((error = name_failures(u, e, &out, &names)) < 0)
		goto done;
	error = venv_error_set(VENV_ECHILD, "cannot install again: %s (no local wheel for "
			       "Python %s was found, and pip failed); the environment was put "
			       "back as it was", names.len ? names.buf : "see pip's output above",
			       u->info.version);
done:
	free(args);
	vbuf_release(&out);
	vbuf_release(&names);
	return error;
}

/* Console scripts the old packages installed that nothing installed again. */
static int remove_stale_scripts(struct venv_upgrade *u, struct venv_envdir *e,
				struct venv_plan *done)
{
	struct venv_dists now = VENV_DISTS_INIT;
	struct vbuf site = VBUF_INIT(VBUF_MAX_PATH), rel = VBUF_INIT(VBUF_MAX_PATH);
	size_t i, j, k, l;
	int bfd = -1, error = 0, have_now = 0;

	bfd = openat(e->fd, "bin", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (bfd < 0)
		goto done;
	for (i = 0; i < u->dists.nr; i++) {
		struct stat dst;

		/*
		 * A distribution moved as it is keeps its metadata directory's
		 * name: its scripts are its own, whatever is installed now (that
		 * read, below, is only for the ones that are gone, and fails,
		 * rolling the upgrade back, on what it cannot read).
		 */
		vbuf_reset(&rel);
		if ((error = vbuf_addf(&rel, "%s/site-packages/%s", u->new_lib,
				       u->dists.v[i].dir)) < 0)
			goto done;
		if (!u->dists.v[i].nscripts ||
		    fstatat(e->fd, rel.buf, &dst, AT_SYMLINK_NOFOLLOW) == 0 || errno != ENOENT)
			continue;
		/* What is installed now, read once, when a distribution with scripts is gone. */
		if (!have_now) {
			if ((error = vbuf_addf(&site, "%s/%s/site-packages", e->dir,
					       u->new_lib)) < 0 ||
			    (error = venv_dists_read_at(&now, e->fd,
							site.buf + strlen(e->dir) + 1,
							site.buf, 0)) < 0)
				goto done;
			have_now = 1;
		}
		for (j = 0; j < u->dists.v[i].nscripts; j++) {
			const char *s = u->dists.v[i].scripts[j];
			int kept = 0;
			struct stat st;

			for (k = 0; k < now.nr && !kept; k++)
				for (l = 0; l < now.v[k].nscripts && !kept; l++)
					kept = !strcmp(now.v[k].scripts[l], s);
			if (kept || fstatat(bfd, s, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
			    S_ISDIR(st.st_mode))
				continue;
			if (unlinkat(bfd, s, 0) < 0) {
				error = venv_error_set_errno(VENV_EIO, "cannot remove '%s/bin/%s'",
							     e->dir, s);
				goto done;
			}
			vbuf_reset(&rel);
			if ((error = vbuf_addf(&rel, "bin/%s", s)) < 0)
				goto done;
			{
				struct vbuf m = VBUF_INIT(VBUF_MAX_LINE);

				if ((error = vbuf_addf(&m, "%s: removed (a script of the old version's "
						       "packages that nothing installs any more)",
						       rel.buf)) == 0)
					error = venv_plan_add(done, VENV_DIAG_ORPHANED_SITE_PACKAGES,
							      VENV_FIX_REMOVE, rel.buf, NULL, 0, 0,
							      m.buf);
				vbuf_release(&m);
			}
			if (error < 0)
				goto done;
		}
	}
done:
	if (bfd >= 0)
		close(bfd);
	venv_dists_release(&now);
	vbuf_release(&site);
	vbuf_release(&rel);
	return error;
}

/*
 * virtualenv records its own view of the base interpreter in pyvenv.cfg
 * (version_info, base-prefix, base-exec-prefix, base-executable), and uv
 * its version_info: the keys they wrote are brought up to date for the new
 * interpreter, nothing is added. uv's version_info is "X.Y.Z", virtualenv's
 * "X.Y.Z.final.0"; each keeps its form. (The builder adds `version`, which
 * check reads first: a stale version_info beside it went unseen, and uv,
 * which reads version_info, took the environment for the old version.)
 */
static int refresh_virtualenv_keys(const struct venv_upgrade *u, struct venv_envdir *e)
{
	const struct venv_pyinfo *info = &u->info;
	struct venv_cfg cfg = VENV_CFG_INIT;
	struct vbuf out = VBUF_INIT(VBUF_MAX_CFG), vi = VBUF_INIT(64);
	const char *old;
	int error;

	if ((error = venv_cfg_read(&cfg, e->fd, "pyvenv.cfg")) < 0)
		goto done;
	old = venv_cfg_get_first(&cfg, "version_info");
	if (!venv_cfg_get_first(&cfg, "virtualenv") && !old)
		goto done;
	if ((error = venv_pyinfo_version_info(&vi, old, info)) < 0)
		goto done;
#define REFRESH(key, value) \
	if (venv_cfg_get_first(&cfg, key) && (value) && \
	    (error = venv_cfg_set(&cfg, key, value)) < 0) \
		goto done
	REFRESH("version_info", vi.buf);
	REFRESH("base-prefix", info->base_prefix);
	REFRESH("base-exec-prefix", info->base_exec_prefix);
	REFRESH("base-executable", info->base_executable);
#undef REFRESH
	if ((error = venv_cfg_format(&cfg, &out)) < 0)
		goto done;
	error = venv_fs_write_file_at(e->fd, "pyvenv.cfg", out.buf, out.len, 0644,
				      VENV_FS_ATOMIC | VENV_FS_FSYNC);
done:
	venv_cfg_release(&cfg);
	vbuf_release(&out);
	vbuf_release(&vi);
	return error;
}

int venv_upgrade_run(struct venv_upgrade *u, struct venv_envdir *e, const struct venv_scan *s,
		     const struct venv_repair_opts *o, struct venv_plan *done)
{
	struct snapshot before, after;
	struct venv_builder b;
	struct venv_cfg cfg = VENV_CFG_INIT;
	struct vbuf prompt = VBUF_INIT(VBUF_MAX_PATH), msg = VBUF_INIT(VBUF_MAX_REPORT);
	struct vbuf command = VBUF_INIT(VBUF_MAX_LINE);
	const char *v;
	int error, begun = 0, code = s->base_ok ? VENV_DIAG_STALE_VERSION :
				   VENV_DIAG_DANGLING_INTERPRETER_LINK;

	venv_builder_init(&b);
	memset(&after, 0, sizeof(after));
	vbuf_init(&after.bin, VBUF_MAX_RECORD);
	if ((error = take_snapshot(&before, e)) < 0)
		goto done;
	if (u->minor_change)
		code = u->mv.code;
	/* What the builder must keep comes from pyvenv.cfg: not reading it is an error. */
	if ((error = venv_cfg_read(&cfg, e->fd, "pyvenv.cfg")) < 0) {
		if (error != VENV_ENOTFOUND)
			goto done;
		venv_error_clear();
		error = 0; /* NOLINT(clang-analyzer-deadcode.DeadStores): a missing cfg is fine */
	}
	/* The builder keeps what the environment has: links or copies, prompt, site packages. */
	b.upgrade = 1;
	b.python = u->python;
	b.symlinks = s->first_name ? s->symlinks : 1;
	/* pip is moved with the rest; it is installed only when pip must run and is missing. */
	b.with_pip = u->minor_change && u->mv.need_pip;
	b.scm_ignore_files = 0;
	v = venv_cfg_get_last(&cfg, "include-system-site-packages");
	b.system_site_packages = v && !strcasecmp(v, "true");
	if ((v = venv_cfg_get_last(&cfg, "prompt")) != NULL) {
		if (venv_repair_pyliteral(&prompt, v) < 0 && (error = vbuf_sets(&prompt, v)) < 0)
			goto done;
		b.prompt = prompt.buf;
	}
	/* `command` names the new interpreter, keeping the options it recorded. */
	if (venv_command_retarget(&command, venv_cfg_get_first(&cfg, "command"),
				  u->info.executable) == 0)
		b.command = command.buf;
	b.log = builder_log;
	b.payload = (void *)o;
	/* Activation scripts are repair's fixers' business: the maker decides which exist. */
	b.ops.setup_scripts = keep_scripts;
	{
		const char *watch[] = { "include", u->info.include, "lib", NULL };

		/*
		 * Nothing of ours writes a file of bin/ in place; pip may (older
		 * ones did): the backup copies when pip is to run.
		 */
		e->backup_links = count_reinstall(u) == 0;
		if ((error = venv_upgrade_begin(e, u->python, u->new_lib, u->minor_change ?
						u->old_lib : NULL, watch)) < 0)
			goto done;
	}
	begun = 1;
	logf_(o, VENV_LOG_INFO, "upgrading '%s' to '%s' (Python %s)", e->dir, u->python,
	      u->info.version);
	if ((error = venv_builder_create(&b, e->dir)) < 0 ||
	    (error = refresh_virtualenv_keys(u, e)) < 0)
		goto done;
	if (u->minor_change) {
		char name[32];

		/* The old version's own name now leads to the wrong interpreter. */
		snprintf(name, sizeof(name), "bin/python3.%d", u->old_minor);
		{
			const char *base;
			int dfd = venv_repair_open_parent(e->fd, name, &base);

			if (dfd >= 0) {
				if (!venv_repair_trash_keep(e, dfd, base, 1) &&
				    unlinkat(dfd, base, 0) < 0 && errno != ENOENT)
					error = venv_error_set_errno(VENV_EIO, "cannot remove '%s'", name);
				close(dfd);
				if (error < 0)
					goto done;
			}
		}
		if ((error = venv_move_run(&u->mv, e, u->env_python, &u->info, done)) < 0)
			goto done;
		if (count_reinstall(u) && (error = reinstall(u, e, o)) < 0)
			goto done;
		if ((error = remove_stale_scripts(u, e, done)) < 0)
			goto done;
	}
	if (u->early) {
		int made = venv_upgrade_write_bin(e, u->early);

		if (made < 0) {
			error = made;
			goto done;
		}
		u->early_done = made;
	}
	if ((u->minor_change && (error = venv_move_stale(&u->mv, e)) < 0) ||
	    (error = venv_upgrade_commit(e)) < 0)
		goto done;
	begun = 0;
	/* What the old version leaves is deleted while the rest of the upgrade goes on. */
	venv_repair_trash_empty(e);
	if ((error = take_snapshot(&after, e)) == 0)
		error = report_changes(&before, &after, done, code);
	if (!error && u->minor_change &&
	    (error = vbuf_addf(&msg, "%s: removed (what was left of the old version: the files "
			       "of the distributions installed again, or whose copy of the new "
			       "version is kept)", u->old_lib)) == 0) {
		error = venv_plan_add(done, VENV_DIAG_ORPHANED_SITE_PACKAGES, VENV_FIX_REMOVE,
				      u->old_lib, NULL, 0, 0, msg.buf);
	}
done:
	if (begun) {
		char text[4096];

		snprintf(text, sizeof(text), "%s", venv_error_last());
		if (venv_upgrade_rollback(e) < 0)
			venv_error_set(error, "%s; putting the environment back failed too: %s (run "
				       "venv repair again to finish the roll-back)", text,
				       venv_error_last());
		else
			venv_error_set(error, "%s", text);
	}
	snapshot_release(&before);
	snapshot_release(&after);
	venv_builder_release(&b);
	venv_cfg_release(&cfg);
	vbuf_release(&prompt);
	vbuf_release(&command);
	vbuf_release(&msg);
	return error;
}
