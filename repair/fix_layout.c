/*
 * The fixers of the layout: the interpreter names in bin/ (links made as
 * CPython makes them, or copies), lib64, missing directories, files to
 * remove and modes.
 */
#include "compat.h"
#include "venv.h"
#include "fix.h"

/* ------------------------------------------------------------------------ */
/* Layout: interpreter names, lib64, site-packages, modes. */

/* bin/<name> as CPython makes it: the first name a link to the base, the others to the first. */
static int plan_interp(struct venv_fixctx *x, int code, const char *name, const char *first,
		       const char *base)
{
	struct vbuf rel = VBUF_INIT(VBUF_MAX_PATH), msg = VBUF_INIT(VBUF_MAX_LINE);
	struct vbuf src = VBUF_INIT(VBUF_MAX_PATH);
	struct stat st;
	int error, exists;

	if ((error = vbuf_addf(&rel, "bin/%s", name)) < 0)
		goto done;
	if (venv_plan_has(x->plan, rel.buf))
		goto done;
	exists = fstatat(x->e->fd, rel.buf, &st, AT_SYMLINK_NOFOLLOW) == 0;
	if (base) {
		if ((error = vbuf_addf(&msg, "%s -> %s: the base interpreter", rel.buf,
				       base)) < 0)
			goto done;
		error = venv_plan_add(x->plan, code, VENV_FIX_SYMLINK, rel.buf, base, 0, 0, msg.buf);
	} else if (!x->copies) {
		if ((error = vbuf_addf(&msg, "%s -> %s: missing interpreter name", rel.buf,
				       first)) < 0)
			goto done;
		error = venv_plan_add(x->plan, code, VENV_FIX_SYMLINK, rel.buf, first, 0, 0, msg.buf);
	} else {
		if ((error = vbuf_addf(&msg, "%s: missing interpreter name, copied from bin/%s",
				       rel.buf, first)) < 0 ||
		    (error = vbuf_addf(&src, "%s/bin/%s", x->e->dir, first)) < 0)
			goto done;
		error = venv_plan_add(x->plan, code, VENV_FIX_COPY, rel.buf, NULL, 0, 0755, msg.buf);
		if (!error && !(venv_plan_last(x->plan)->src = strdup(src.buf)))
			error = venv_error_set(VENV_ENOMEM, "out of memory");
	}
	if (error >= 0)
		venv_plan_last(x->plan)->replaces = exists;
done:
	vbuf_release(&rel);
	vbuf_release(&msg);
	vbuf_release(&src);
	return error;
}

/* No interpreter at all: make the names from `home` and `version`, as CPython would. */
static int make_interps(struct venv_fixctx *x, int code)
{
	struct vbuf path = VBUF_INIT(VBUF_MAX_PATH), name = VBUF_INIT(VBUF_MAX_PATH);
	char alias[32];
	const char *names[3];
	size_t i;
	int error;

	if ((error = venv_fix_base_from_home(x, NULL, &path, &name)) < 0)
		goto done;
	if (!error) {
		error = venv_fix_decline_upgrade(x, "`home` and `version` in pyvenv.cfg name no "
						 "working base interpreter");
		goto done;
	}
	if ((error = plan_interp(x, code, name.buf, NULL, path.buf)) < 0)
		goto done;
	snprintf(alias, sizeof(alias), "python3.%d", x->minor);
	names[0] = "python";
	names[1] = "python3";
	names[2] = x->minor >= 9 ? alias : NULL;
	for (i = 0; i < 3 && error >= 0; i++)
		if (names[i] && strcmp(names[i], name.buf))
			error = plan_interp(x, code, names[i], name.buf, NULL);
done:
	vbuf_release(&path);
	vbuf_release(&name);
	return error;
}

int venv_fix_alias(struct venv_fixctx *x, const struct venv_finding *f, const char *rel)
{
	if (!rel || strncmp(rel, "bin/", 4))
		return venv_fix_decline(x, "no interpreter name to restore");
	if (!x->interp)
		return make_interps(x, f->code);
	if (!x->base_ok)
		return venv_fix_decline(x, "bin/%s does not run", x->interp);
	return plan_interp(x, f->code, rel + 4, x->interp, NULL);
}

/* 101: only the case of pyvenv.cfg without any interpreter in bin/ is ours. */
int venv_fix_unfinished(struct venv_fixctx *x, const struct venv_finding *f, const char *rel)
{
	struct stat st;

	if (!rel || strcmp(rel, "bin") || x->interp ||
	    fstatat(x->e->fd, ".venv-incomplete", &st, AT_SYMLINK_NOFOLLOW) == 0)
		return venv_fix_decline(x, "recreate it with 'venv create --clear'");
	return make_interps(x, f->code);
}

int venv_fix_dangling(struct venv_fixctx *x, const struct venv_finding *f, const char *rel)
{
	struct vbuf path = VBUF_INIT(VBUF_MAX_PATH), name = VBUF_INIT(VBUF_MAX_PATH);
	char target[PATH_MAX];
	ssize_t n;
	int error = 0;

	if (!rel || strncmp(rel, "bin/", 4) || x->bfd < 0 ||
	    (n = readlinkat(x->bfd, rel + 4, target, sizeof(target) - 1)) <= 0) {
		error = venv_fix_decline(x, "it is not a link in bin/");
		goto done;
	}
	target[n] = '\0';
	if (!strchr(target, '/') && x->interp && x->base_ok &&
	    strcmp(rel + 4, x->interp)) {
		/* An alias whose name is gone: lead it to the interpreter. */
		error = plan_interp(x, f->code, rel + 4, x->interp, NULL);
		goto done;
	}
	/* The base is gone from where the link says: `home` may name it still (same version). */
	if ((error = venv_fix_base_from_home(x, rel + 4, &path, &name)) < 0)
		goto done;
	if (!error || !strcmp(path.buf, target)) {
		error = venv_fix_decline_upgrade(x, "the base interpreter is gone");
		goto done;
	}
	error = plan_interp(x, f->code, rel + 4, NULL, path.buf);
done:
	vbuf_release(&path);
	vbuf_release(&name);
	return error;
}

int venv_fix_bad_interp(struct venv_fixctx *x, const struct venv_finding *f, const char *rel)
{
	char target[PATH_MAX];
	ssize_t n;

	if (rel && !strncmp(rel, "bin/", 4) && x->bfd >= 0 && x->interp &&
	    x->base_ok && strcmp(rel + 4, x->interp) &&
	    (n = readlinkat(x->bfd, rel + 4, target, sizeof(target) - 1)) > 0 &&
	    !memchr(target, '/', (size_t)n))
		return plan_interp(x, f->code, rel + 4, x->interp, NULL);
	return venv_fix_dangling(x, f, rel);
}

int venv_fix_copy_again(struct venv_fixctx *x, const struct venv_finding *f, const char *rel)
{
	struct vbuf src = VBUF_INIT(VBUF_MAX_PATH), r = VBUF_INIT(VBUF_MAX_PATH);
	char minor[32];
	const char *names[3];
	size_t i;
	int error = 0;

	/* The base it was copied from, as check's data names it. */
	if (!f->data.found || f->data.found[0] != '/' || vbuf_sets(&src, f->data.found) < 0) {
		error = venv_fix_decline(x, "the base interpreter to copy is not known");
		goto done;
	}
	(void)rel;
	snprintf(minor, sizeof(minor), "python3.%d", x->minor);
	names[0] = x->interp;
	names[1] = "python3";
	names[2] = "python";
	/* Every copied name was copied from the same base. */
	for (i = 0; i < 3 && error >= 0; i++) {
		struct stat st;

		if (!names[i] || (i && names[0] && !strcmp(names[i], names[0])) ||
		    fstatat(x->bfd, names[i], &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
			continue;
		vbuf_reset(&r);
		if ((error = vbuf_addf(&r, "bin/%s", names[i])) < 0)
			break;
		if (venv_plan_has(x->plan, r.buf))
			continue;
		error = venv_plan_add(x->plan, f->code, VENV_FIX_COPY, r.buf, NULL, 0,
				      st.st_mode & 07777, NULL);
		if (error >= 0) {
			struct venv_fix *fx = venv_plan_last(x->plan);
			struct vbuf msg = VBUF_INIT(VBUF_MAX_LINE);

			fx->replaces = 1;
			if ((error = vbuf_addf(&msg, "%s: copied again from '%s'", r.buf,
					       src.buf)) == 0 &&
			    (!(fx->src = strdup(src.buf)) || !(fx->summary = strdup(msg.buf))))
				error = venv_error_set(VENV_ENOMEM, "out of memory");
			vbuf_release(&msg);
		}
	}
	(void)minor;
done:
	vbuf_release(&src);
	vbuf_release(&r);
	return error;
}

int venv_fix_lib64(struct venv_fixctx *x, const struct venv_finding *f, const char *rel)
{
	(void)rel;
	return venv_plan_add(x->plan, f->code, VENV_FIX_SYMLINK, "lib64", "lib", 0, 0,
			     "lib64 -> lib: missing");
}

int venv_fix_mkdir(struct venv_fixctx *x, const struct venv_finding *f, const char *rel)
{
	struct vbuf p = VBUF_INIT(VBUF_MAX_PATH), msg = VBUF_INIT(VBUF_MAX_LINE);
	const char *s;
	struct stat st;
	int error = 0;

	if (!rel)
		return venv_fix_decline(x, "no directory named");
	/* Each missing component, parents first. */
	for (s = rel; error >= 0; s++) {
		if (*s != '/' && *s)
			continue;
		vbuf_reset(&p);
		if ((error = vbuf_add(&p, rel, (size_t)(s - rel))) < 0)
			break;
		if (fstatat(x->e->fd, p.buf, &st, AT_SYMLINK_NOFOLLOW) < 0 &&
		    !venv_plan_has(x->plan, p.buf)) {
			vbuf_reset(&msg);
			if ((error = vbuf_addf(&msg, "%s: missing directory", p.buf)) < 0)
				break;
			error = venv_plan_add(x->plan, f->code, VENV_FIX_MKDIR, p.buf, NULL, 0, 0755,
					      msg.buf);
		}
		if (!*s)
			break;
	}
	vbuf_release(&p);
	vbuf_release(&msg);
	return error;
}

int venv_fix_remove(struct venv_fixctx *x, const struct venv_finding *f, const char *rel)
{
	struct vbuf msg = VBUF_INIT(VBUF_MAX_LINE);
	int error;

	if (!rel)
		return venv_fix_decline(x, "no file named");
	if ((error = vbuf_addf(&msg, "%s: removed", rel)) == 0)
		error = venv_plan_add(x->plan, f->code, VENV_FIX_REMOVE, rel, NULL, 0, 0, msg.buf);
	vbuf_release(&msg);
	return error;
}

int venv_fix_mode(struct venv_fixctx *x, const struct venv_finding *f, const char *rel)
{
	struct vbuf msg = VBUF_INIT(VBUF_MAX_LINE);
	struct stat st;
	int error;

	if (!rel || fstatat(x->e->fd, rel, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return venv_fix_decline(x, "the file is gone");
	/* Drop write permission for others, nothing else. */
	if ((error = vbuf_addf(&msg, "%s: mode %04o -> %04o", rel, (unsigned)(st.st_mode & 07777),
			       (unsigned)(st.st_mode & 07777 & ~(unsigned)S_IWOTH))) == 0)
		error = venv_plan_add(x->plan, f->code, VENV_FIX_CHMOD, rel, NULL, 0,
				      st.st_mode & 07777 & ~(unsigned)S_IWOTH, msg.buf);
	if (error >= 0)
		venv_plan_last(x->plan)->replaces = 1;
	vbuf_release(&msg);
	return error;
}
