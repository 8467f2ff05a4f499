#include "compat.h"
#include <dirent.h>
#include "venv.h"
#include "diag.h"
#include "fs.h"
#include "path.h"
#include "scan.h"
#include "text.h"
#include "actscan.h"

/* How much of a file in bin/ is read to look for a shebang. */
#define HEAD_MAX 8192
#define PTH_MAX ((size_t)1024 * 1024)

void venv_scan_release(struct venv_scan *s)
{
	free(s->old_location);
	free(s->prompt);
	free(s->first_name);
	free(s->base_python);
	memset(s, 0, sizeof(*s));
}

static int dup_into(char **dst, const char *s)
{
	free(*dst);
	*dst = s ? strdup(s) : NULL;
	return (!s || *dst) ? 0 : venv_error_set(VENV_ENOMEM, "out of memory");
}

static int lstat_at(int dfd, const char *name, struct stat *st)
{
	return fstatat(dfd, name, st, AT_SYMLINK_NOFOLLOW);
}

/* Read at most cap bytes of the start of dfd/name (a regular file, no link). */
static int read_head(struct vbuf *out, int dfd, const char *name, size_t cap)
{
	char chunk[4096];
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	struct stat st;
	int error = 0;

	vbuf_reset(out);
	if (fd < 0)
		return venv_error_set_errno(venv_error_from_errno(errno), "cannot open '%s'", name);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return venv_error_set(VENV_EUNSAFE, "'%s' is not a regular file", name);
	}
	while (out->len < cap) {
		size_t want = cap - out->len < sizeof(chunk) ? cap - out->len : sizeof(chunk);
		ssize_t n = read(fd, chunk, want);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			error = venv_error_set_errno(VENV_EIO, "cannot read '%s'", name);
			break;
		}
		if (n == 0)
			break;
		if ((error = vbuf_add(out, chunk, (size_t)n)) < 0)
			break;
	}
	close(fd);
	return error;
}

/* A file repair would look at could not be read: say so, do not skip it silently. */
static int unreadable(struct venv_plan *plan, const char *dir, const char *name)
{
	return venv_plan_problem(plan, VENV_DIAG_UNREADABLE_FILE, "cannot read '%s%s%s' (%s); it "
				 "was left as it is", dir, *dir && *name ? "/" : "", name,
				 venv_error_last());
}

/* The minor version in "3.12.1" (or virtualenv's "3.12.1.final.0"). */
static int minor_of(const char *version)
{
	char *end;
	long major, minor;

	if (!version)
		return -1;
	major = strtol(version, &end, 10);
	if (major != 3 || *end != '.')
		return -1;
	minor = strtol(end + 1, &end, 10);
	return (minor >= 0 && minor < 1000) ? (int)minor : -1;
}

static int is_interp_name(const char *name)
{
	if (!strcmp(name, "python") || !strcmp(name, "python3"))
		return 1;
	if (!strncmp(name, "python3.", 8)) {
		const char *p = name + 8;

		if (!*p)
			return 0;
		for (; *p; p++)
			if (*p < '0' || *p > '9')
				return 0;
		return 1;
	}
	return 0;
}

/*
 * Which name in bin/ is the interpreter the others lead to: the one that is
 * a link to an absolute path (or, with copies, the name pyvenv.cfg's
 * `executable` or version suggests).
 */
static int find_first_name(int bfd, struct venv_scan *s, const struct venv_cfg *cfg)
{
	static const char *const order[] = { "python3", "python" };
	char name[32], target[PATH_MAX];
	struct stat st;
	DIR *d;
	struct dirent *de;
	int dupfd, error = 0;
	size_t i;

	if ((dupfd = dup(bfd)) < 0 || !(d = fdopendir(dupfd))) {
		if (dupfd >= 0)
			close(dupfd);
		return venv_error_set_errno(VENV_EIO, "cannot read bin/");
	}
	rewinddir(d);
	while ((de = readdir(d))) {
		ssize_t n;

		if (!is_interp_name(de->d_name) || lstat_at(bfd, de->d_name, &st) < 0)
			continue;
		if (!S_ISLNK(st.st_mode))
			continue;
		n = readlinkat(bfd, de->d_name, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		if (target[0] == '/') {
			s->symlinks = 1;
			error = dup_into(&s->first_name, de->d_name);
			if (!error)
				error = dup_into(&s->base_python, target);
			break;
		}
	}
	closedir(d);
	if (error < 0 || s->first_name)
		return error;
	/* No absolute link: copies (or only relative links left). */
	{
		const char *exe = venv_cfg_get_first(cfg, "executable");
		const char *base = exe ? strrchr(exe, '/') : NULL;

		if (base && is_interp_name(base + 1) && lstat_at(bfd, base + 1, &st) == 0 &&
		    S_ISREG(st.st_mode))
			return dup_into(&s->first_name, base + 1);
	}
	if (s->minor >= 0) {
		snprintf(name, sizeof(name), "python3.%d", s->minor);
		if (lstat_at(bfd, name, &st) == 0 && S_ISREG(st.st_mode))
			return dup_into(&s->first_name, name);
	}
	for (i = 0; i < VENV_ARRAY_SIZE(order); i++)
		if (lstat_at(bfd, order[i], &st) == 0 && S_ISREG(st.st_mode))
			return dup_into(&s->first_name, order[i]);
	/* Only relative links: follow one to the name it leads to. */
	for (i = 0; i < VENV_ARRAY_SIZE(order); i++) {
		ssize_t n = readlinkat(bfd, order[i], target, sizeof(target) - 1);

		if (n > 0 && !memchr(target, '/', (size_t)n)) {
			target[n] = '\0';
			if (lstat_at(bfd, target, &st) == 0 && strcmp(target, order[i]))
				return dup_into(&s->first_name, target);
		}
	}
	return 0;
}

/* Majority vote over the shebangs of bin/ that name some other environment's python. */
static int old_location_from_shebangs(int bfd, const char *env_dir, struct vbuf *out)
{
	struct vbuf head = VBUF_INIT(HEAD_MAX), cand = VBUF_INIT(VBUF_MAX_PATH);
	struct venv_rshebang sb;
	char *best = NULL;
	size_t best_n = 0, n_cur = 0;
	DIR *d;
	struct dirent *de;
	int dupfd, error = 0;
	char *prev = NULL;

	venv_rshebang_init(&sb);
	vbuf_reset(out);
	if ((dupfd = dup(bfd)) < 0 || !(d = fdopendir(dupfd))) {
		if (dupfd >= 0)
			close(dupfd);
		error = venv_error_set_errno(VENV_EIO, "cannot read bin/");
		goto done;
	}
	rewinddir(d);
	/*
	 * Not a real majority (that would need a table); the candidate seen most
	 * in a row wins, which is the same thing for pip's scripts, all written
	 * with one interpreter.
	 */
	while ((de = readdir(d))) {
		struct stat st;
		const char *interp, *slash;

		if (de->d_name[0] == '.' || lstat_at(bfd, de->d_name, &st) < 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		if (read_head(&head, bfd, de->d_name, HEAD_MAX) < 0 ||
		    venv_rshebang_parse(&sb, head.buf, head.len) < 0 || sb.form == VENV_RSHEBANG_NONE)
			continue;
		interp = sb.interp.buf;
		slash = strrchr(interp, '/');
		if (interp[0] != '/' || !slash || !is_interp_name(slash + 1))
			continue;
		/* <old>/bin/pythonX -> <old> */
		if (venv_path_dirname(&cand, interp) < 0 || venv_path_dirname(&cand, cand.buf) < 0)
			continue;
		if (!strcmp(cand.buf, env_dir) || !strcmp(cand.buf, "/"))
			continue;
		if (prev && !strcmp(prev, cand.buf)) {
			n_cur++;
		} else {
			free(prev);
			prev = strdup(cand.buf);
			n_cur = 1;
		}
		if (prev && n_cur > best_n) {
			free(best);
			best = strdup(prev);
			best_n = n_cur;
		}
	}
	closedir(d);
	if (best)
		error = vbuf_sets(out, best);
	else
		error = VENV_ENOTFOUND;
done:
	free(best);
	free(prev);
	venv_rshebang_release(&sb);
	vbuf_release(&head);
	vbuf_release(&cand);
	return error;
}

/* Is `path` the same directory as the one open at fd? */
static int same_dir(const char *path, int fd)
{
	struct stat a, b;

	return stat(path, &a) == 0 && fstat(fd, &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

/* Is path this environment (as written, normalised, or the same directory)? */
static int is_here(const char *path, struct venv_envdir *e)
{
	struct vbuf n = VBUF_INIT(VBUF_MAX_PATH);
	int here = !strcmp(path, e->dir) ||
		   (venv_path_normalize(&n, path) == 0 && !strcmp(n.buf, e->dir)) ||
		   same_dir(path, e->fd);

	vbuf_release(&n);
	return here;
}

static int find_old_location(struct venv_envdir *e, int bfd, struct venv_scan *s,
			     const struct venv_cfg *cfg)
{
	static const char *const scripts[] = { "activate", "activate.fish", "activate.csh",
					       "activate.nu", "Activate.ps1", "activate.ps1" };
	struct vbuf data = VBUF_INIT(VBUF_MAX_SCRIPT), path = VBUF_INIT(VBUF_MAX_PATH);
	const char *command = venv_cfg_get_first(cfg, "command"), *sp;
	size_t i;
	int error = 0, found = 0;

	/* The path the activation scripts were written for (check's reader). */
	for (i = 0; i < VENV_ARRAY_SIZE(scripts) && !found; i++) {
		struct venv_activation a = VENV_ACTIVATION_INIT;
		int shell = venv_act_shell_for(scripts[i]);

		if (shell < 0 || venv_fs_read_file_at(&data, bfd, scripts[i], VBUF_MAX_SCRIPT) < 0)
			continue;
		/* A script already written for this place says nothing: look further. */
		if (venv_actscan(&a, (enum venv_act_shell)shell, data.buf, data.len) == 0 &&
		    a.kind == VENV_ACT_LITERAL && a.path && a.path[0] == '/' &&
		    !is_here(a.path, e)) {
			found = 1;
			error = vbuf_sets(&path, a.path);
		}
		venv_activation_release(&a);
		if (error < 0)
			goto done;
	}
	/* Else the interpreter pip's scripts were written for. */
	if (!found && old_location_from_shebangs(bfd, e->dir, &path) == 0)
		found = 1;
	/* Else the directory `command` created (CPython writes it last, unquoted). */
	if (!found && command && (sp = strrchr(command, ' ')) && sp[1] == '/' &&
	    !is_here(sp + 1, e)) {
		found = 1;
		error = vbuf_sets(&path, sp + 1);
	}
	venv_error_clear();
	if (error >= 0 && found && venv_path_normalize(&path, path.buf) >= 0 &&
	    strcmp(path.buf, e->dir) && !same_dir(path.buf, e->fd)) {
		struct stat st;

		error = dup_into(&s->old_location, path.buf);
		s->old_exists = stat(path.buf, &st) == 0;
	}
done:
	vbuf_release(&data);
	vbuf_release(&path);
	return error;
}

/* new = env_dir + the part of p below old. */
static int relocate(struct vbuf *out, const char *p, const char *old, const char *env_dir)
{
	vbuf_reset(out);
	if (vbuf_adds(out, env_dir) < 0 || vbuf_adds(out, p + strlen(old)) < 0)
		return VENV_ENOMEM;
	return 0;
}

static int scan_shebangs(struct venv_envdir *e, int bfd, struct venv_plan *plan,
			 const struct venv_scan *s)
{
	struct vbuf head = VBUF_INIT(HEAD_MAX), data = VBUF_INIT(VBUF_MAX_MEMBER);
	struct vbuf interp = VBUF_INIT(VBUF_MAX_PATH), text = VBUF_INIT(VBUF_MAX_MEMBER);
	struct vbuf rel = VBUF_INIT(VBUF_MAX_PATH), msg = VBUF_INIT(VBUF_MAX_LINE);
	struct venv_rshebang sb;
	DIR *d;
	struct dirent *de;
	int dupfd, error = 0;

	venv_rshebang_init(&sb);
	if ((dupfd = dup(bfd)) < 0 || !(d = fdopendir(dupfd))) {
		if (dupfd >= 0)
			close(dupfd);
		error = venv_error_set_errno(VENV_EIO, "cannot read '%s/bin'", e->dir);
		goto done;
	}
	rewinddir(d);
	while ((de = readdir(d))) {
		struct stat st;
		struct venv_fix *f;

		if (!strncmp(de->d_name, VENV_REPAIR_PREFIX, strlen(VENV_REPAIR_PREFIX)) ||
		    lstat_at(bfd, de->d_name, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		if (read_head(&head, bfd, de->d_name, HEAD_MAX) < 0) {
			if ((error = unreadable(plan, "bin", de->d_name)) < 0)
				break;
			continue;
		}
		if ((error = venv_rshebang_parse(&sb, head.buf, head.len)) < 0)
			break;
		if (sb.form == VENV_RSHEBANG_NONE || !venv_path_is_within(sb.interp.buf,
									   s->old_location))
			continue;
		vbuf_reset(&rel);
		vbuf_addf(&rel, "bin/%s", de->d_name);
		if ((error = relocate(&interp, sb.interp.buf, s->old_location, e->dir)) < 0)
			break;
		vbuf_reset(&text);
		if (venv_rshebang_format(&text, interp.buf, sb.args.buf) < 0) {
			if ((error = venv_plan_problem(plan, VENV_DIAG_SHEBANG_OLD_LOCATION,
						       "%s: %s", rel.buf, venv_error_last())) < 0)
				break;
			continue;
		}
		if ((error = venv_fs_read_file_at(&data, bfd, de->d_name, VBUF_MAX_MEMBER)) < 0)
			break;
		if (data.len < sb.header_len || memcmp(data.buf, head.buf, sb.header_len)) {
			error = venv_error_set(VENV_EIO, "'%s' changed while it was read", rel.buf);
			break;
		}
		if ((error = vbuf_add(&text, data.buf + sb.header_len,
				      data.len - sb.header_len)) < 0)
			break;
		vbuf_reset(&msg);
		vbuf_addf(&msg, "%s: interpreter '%s' -> '%s'", rel.buf, sb.interp.buf, interp.buf);
		/* As check tells them apart: the old place still exists after a copy. */
		if ((error = venv_plan_add(plan, s->old_exists ? VENV_DIAG_SHEBANG_OTHER_ENVIRONMENT :
					   VENV_DIAG_SHEBANG_OLD_LOCATION, VENV_FIX_WRITE,
					   rel.buf, text.buf, text.len, st.st_mode & 07777,
					   msg.buf)) < 0)
			break;
		f = venv_plan_last(plan);
		f->replaces = 1;
		f->before = strndup(head.buf, sb.header_len ? sb.header_len - 1 : 0);
		f->after = strndup(text.buf, (size_t)(memchr(text.buf, '\n', text.len) ?
			(size_t)((char *)memchr(text.buf, '\n', text.len) - text.buf) : 0));
		if (sb.form == VENV_RSHEBANG_TRAMPOLINE || strncmp(text.buf, "#!/bin/sh\n", 10) == 0) {
			/* Show the line that holds the path. */
			free(f->before);
			free(f->after);
			f->before = strndup(head.buf, sb.header_len ? sb.header_len - 1 : 0);
			f->after = strndup(text.buf, text.len - (data.len - sb.header_len) - 1);
		}
	}
	closedir(d);
done:
	venv_rshebang_release(&sb);
	vbuf_release(&head);
	vbuf_release(&data);
	vbuf_release(&interp);
	vbuf_release(&text);
	vbuf_release(&rel);
	vbuf_release(&msg);
	return error;
}

/* Does an activation script still carry the old location, raw or quoted? */
static int mentions(const char *text, size_t len, const char *path, enum venv_shell shell)
{
	struct vbuf q = VBUF_INIT(VBUF_MAX_PATH);
	int hit;

	if (venv_repair_find_path(text, len, 0, path) != (size_t)-1)
		return 1;
	hit = shell != VENV_SHELL_RAW && venv_shquote(&q, shell, path) == 0 && q.len &&
	      memmem(text, len, q.buf, q.len) != NULL;
	vbuf_release(&q);
	return hit;
}

/* Does a script (check's reader) activate a literal path other than this one? */
static int activates_elsewhere(struct venv_envdir *e, const char *name, const struct vbuf *text)
{
	struct venv_activation a = VENV_ACTIVATION_INIT;
	int shell = venv_act_shell_for(name), other = 0;

	if (shell >= 0 && venv_actscan(&a, (enum venv_act_shell)shell, text->buf, text->len) == 0 &&
	    a.kind == VENV_ACT_LITERAL && a.path)
		other = !is_here(a.path, e);
	venv_activation_release(&a);
	venv_error_clear();
	return other;
}

static const char *template_name(const struct venv_template *t)
{
	const char *slash = strrchr(t->path, '/');

	return slash ? slash + 1 : t->path;
}

static int template_wanted(const struct venv_template *t)
{
	return !strncmp(t->path, "common/", 7) || !strncmp(t->path, "posix/", 6);
}

/* The relative path below bin/ that venv create gives a template. */
static const char *template_rel(const struct venv_template *t)
{
	return strchr(t->path, '/') + 1;
}

/* Is name a script venv create writes into bin/? */
static int is_template_script(const char *name)
{
	size_t i;

	for (i = 0; i < venv_templates_count; i++)
		if (template_wanted(&venv_templates[i]) &&
		    !strcmp(template_rel(&venv_templates[i]), name))
			return 1;
	return 0;
}

static int scan_activation(struct venv_envdir *e, int bfd, struct venv_plan *plan,
			   const struct venv_scan *s, const struct venv_cfg *cfg)
{
	struct venv_context ctx;
	struct vbuf name = VBUF_INIT(VBUF_MAX_PATH), exe = VBUF_INIT(VBUF_MAX_PATH);
	struct vbuf binp = VBUF_INIT(VBUF_MAX_PATH), text = VBUF_INIT(VBUF_MAX_SCRIPT);
	struct vbuf cur = VBUF_INIT(VBUF_MAX_SCRIPT), rel = VBUF_INIT(VBUF_MAX_PATH);
	struct vbuf msg = VBUF_INIT(VBUF_MAX_LINE);
	const char *command = venv_cfg_get_first(cfg, "command");
	int ours = command && strstr(command, " create --python=") != NULL;
	size_t i;
	int error = 0;
	struct stat st;

	memset(&ctx, 0, sizeof(ctx));
	if ((error = venv_path_basename(&name, e->dir)) < 0 ||
	    (error = venv_path_join(&binp, e->dir, "bin")) < 0 ||
	    (error = venv_path_join(&exe, binp.buf, s->first_name ? s->first_name : "python")) < 0)
		goto done;
	ctx.env_dir = e->dir;
	ctx.env_name = name.buf;
	ctx.prompt = s->prompt;
	ctx.bin_path = binp.buf;
	ctx.bin_name = "bin";
	ctx.env_exe = exe.buf;
	ctx.env_exec_cmd = exe.buf;
	for (i = 0; i < venv_templates_count; i++) {
		const struct venv_template *t = &venv_templates[i];
		const char *base = template_name(t);
		enum venv_shell shell = venv_shell_for_script(base);
		int code = 0;

		if (!template_wanted(t))
			continue;
		vbuf_reset(&rel);
		vbuf_addf(&rel, "bin/%s", template_rel(t));
		if (lstat_at(bfd, template_rel(t), &st) == 0) {
			if (!S_ISREG(st.st_mode))
				continue;
			if (venv_fs_read_file_at(&cur, bfd, template_rel(t), VBUF_MAX_SCRIPT) < 0) {
				if ((error = unreadable(plan, "bin", template_rel(t))) < 0)
					goto done;
				continue;
			}
			if (!(s->old_location && mentions(cur.buf, cur.len, s->old_location, shell)) &&
			    !activates_elsewhere(e, base, &cur))
				continue;
			code = VENV_DIAG_RELOCATED_ENVIRONMENT;
		} else {
			/* Which scripts an environment is expected to have depends on its maker. */
			if (!strcmp(base, "Activate.ps1") &&
			    lstat_at(bfd, "activate.ps1", &st) == 0)
				continue;
			if (!strcmp(base, "activate.nu") && !ours && !s->virtualenv)
				continue;
			code = VENV_DIAG_MISSING_ACTIVATION_SCRIPT;
		}
		vbuf_reset(&text);
		if (venv_replace_variables(&text, (const char *)t->data, t->len, &ctx, shell) < 0) {
			error = venv_plan_problem(plan, code, "%s: %s", rel.buf, venv_error_last());
			if (error < 0)
				goto done;
			continue;
		}
		vbuf_reset(&msg);
		if (code == VENV_DIAG_RELOCATED_ENVIRONMENT)
			vbuf_addf(&msg, "%s: rewritten for '%s' (prompt '%s')", rel.buf, e->dir,
				  s->prompt);
		else
			vbuf_addf(&msg, "%s: restored (prompt '%s')", rel.buf, s->prompt);
		if ((error = venv_plan_add(plan, code, VENV_FIX_WRITE, rel.buf, text.buf, text.len,
					   t->mode & 07777, msg.buf)) < 0)
			goto done;
		venv_plan_last(plan)->replaces = code == VENV_DIAG_RELOCATED_ENVIRONMENT;
	}
	/* Activation scripts of other makers: the path is replaced where that is safe. */
	if (s->old_location) {
		DIR *d;
		struct dirent *de;
		int dupfd;

		if ((dupfd = dup(bfd)) < 0 || !(d = fdopendir(dupfd))) {
			if (dupfd >= 0)
				close(dupfd);
			error = venv_error_set_errno(VENV_EIO, "cannot read '%s/bin'", e->dir);
			goto done;
		}
		rewinddir(d);
		while ((de = readdir(d))) {
			size_t at, from = 0;

			if (strncasecmp(de->d_name, "activate", 8) &&
			    strncasecmp(de->d_name, "deactivate", 10))
				continue;
			if (is_template_script(de->d_name))
				continue;   /* regenerated above, or left alone for a reason */
			vbuf_reset(&rel);
			vbuf_addf(&rel, "bin/%s", de->d_name);
			if (venv_plan_has(plan, rel.buf) || lstat_at(bfd, de->d_name, &st) < 0 ||
			    !S_ISREG(st.st_mode))
				continue;
			if (venv_fs_read_file_at(&cur, bfd, de->d_name, VBUF_MAX_SCRIPT) < 0) {
				if ((error = unreadable(plan, "bin", de->d_name)) < 0)
					break;
				continue;
			}
			if (venv_repair_find_path(cur.buf, cur.len, 0, s->old_location) == (size_t)-1)
				continue;
			if (!venv_repair_plain_word(s->old_location) || !venv_repair_plain_word(e->dir)) {
				error = venv_plan_problem(plan, VENV_DIAG_STALE_ACTIVATION_PATH,
							  "%s still names '%s'; it is not a script "
							  "venv writes and the paths need quoting, so "
							  "it is left alone", rel.buf, s->old_location);
				if (error < 0)
					break;
				continue;
			}
			vbuf_reset(&text);
			while ((at = venv_repair_find_path(cur.buf, cur.len, from, s->old_location)) !=
			       (size_t)-1) {
				vbuf_add(&text, cur.buf + from, at - from);
				vbuf_adds(&text, e->dir);
				from = at + strlen(s->old_location);
			}
			if ((error = vbuf_add(&text, cur.buf + from, cur.len - from)) < 0)
				break;
			vbuf_reset(&msg);
			vbuf_addf(&msg, "%s: '%s' -> '%s'", rel.buf, s->old_location, e->dir);
			if ((error = venv_plan_add(plan, VENV_DIAG_STALE_ACTIVATION_PATH,
						   VENV_FIX_WRITE, rel.buf, text.buf, text.len,
						   st.st_mode & 07777, msg.buf)) < 0)
				break;
			venv_plan_last(plan)->replaces = 1;
		}
		closedir(d);
	}
done:
	vbuf_release(&name);
	vbuf_release(&exe);
	vbuf_release(&binp);
	vbuf_release(&text);
	vbuf_release(&cur);
	vbuf_release(&rel);
	vbuf_release(&msg);
	return error;
}

/* Rewrite path lines of the .pth (and .egg-link) files of one site-packages. */
static int scan_pth_dir(struct venv_envdir *e, const char *site_rel, struct venv_plan *plan,
			const struct venv_scan *s)
{
	struct vbuf cur = VBUF_INIT(PTH_MAX), text = VBUF_INIT(PTH_MAX);
	struct vbuf rel = VBUF_INIT(VBUF_MAX_PATH), line = VBUF_INIT(VBUF_MAX_PATH);
	struct vbuf before = VBUF_INIT(VBUF_MAX_LINE), after = VBUF_INIT(VBUF_MAX_LINE);
	DIR *d = NULL;
	struct dirent *de;
	const char *base;
	int pfd, sfd = -1, dupfd, error = 0;

	if ((pfd = venv_repair_open_parent(e->fd, site_rel, &base)) < 0)
		return pfd == VENV_ENOTFOUND ? 0 : unreadable(plan, site_rel, "");
	sfd = openat(pfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	close(pfd);
	if (sfd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		venv_error_set_errno(VENV_EIO, "cannot open it");
		return unreadable(plan, site_rel, "");
	}
	if ((dupfd = dup(sfd)) < 0 || !(d = fdopendir(dupfd))) {
		if (dupfd >= 0)
			close(dupfd);
		venv_error_set_errno(VENV_EIO, "cannot read it");
		error = unreadable(plan, site_rel, "");
		goto done;
	}
	rewinddir(d);
	while ((de = readdir(d))) {
		size_t nl = strlen(de->d_name), pos = 0;
		struct stat st;
		int changed = 0;

		if (!(nl > 4 && !strcmp(de->d_name + nl - 4, ".pth")) &&
		    !(nl > 9 && !strcmp(de->d_name + nl - 9, ".egg-link")))
			continue;
		if (lstat_at(sfd, de->d_name, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		if (venv_fs_read_file_at(&cur, sfd, de->d_name, PTH_MAX) < 0) {
			if ((error = unreadable(plan, site_rel, de->d_name)) < 0)
				break;
			continue;
		}
		vbuf_reset(&text);
		vbuf_reset(&before);
		vbuf_reset(&after);
		while (pos < cur.len) {
			const char *l = cur.buf + pos;
			const char *nlp = memchr(l, '\n', cur.len - pos);
			size_t n = nlp ? (size_t)(nlp - l) : cur.len - pos, m = n;

			if (m && l[m - 1] == '\r')
				m--;
			vbuf_reset(&line);
			vbuf_add(&line, l, m);
			/* site.py: "#" lines are comments, "import" lines are run, the rest are paths. */
			if (line.len && line.buf[0] == '/' && strncmp(line.buf, "import", 6) &&
			    venv_path_is_within(line.buf, s->old_location)) {
				vbuf_addf(&before, "%s%s", before.len ? "\n" : "", line.buf);
				vbuf_addf(&after, "%s%s%s", after.len ? "\n" : "", e->dir,
					  line.buf + strlen(s->old_location));
				vbuf_adds(&text, e->dir);
				vbuf_add(&text, l + strlen(s->old_location), n - strlen(s->old_location));
				changed = 1;
			} else {
				vbuf_add(&text, l, n);
			}
			if (nlp)
				vbuf_addch(&text, '\n');
			pos += n + (nlp ? 1 : 0);
		}
		if (!changed)
			continue;
		vbuf_reset(&rel);
		vbuf_addf(&rel, "%s/%s", site_rel, de->d_name);
		{
			struct vbuf msg = VBUF_INIT(VBUF_MAX_LINE);

			vbuf_addf(&msg, "%s: paths inside '%s' now point into '%s'", rel.buf,
				  s->old_location, e->dir);
			error = venv_plan_add(plan, VENV_DIAG_PTH_MISSING_PATH, VENV_FIX_WRITE, rel.buf,
					      text.buf, text.len, st.st_mode & 07777, msg.buf);
			vbuf_release(&msg);
		}
		if (error < 0)
			break;
		venv_plan_last(plan)->replaces = 1;
		venv_plan_last(plan)->before = strdup(before.buf);
		venv_plan_last(plan)->after = strdup(after.buf);
	}
done:
	if (d)
		closedir(d);
	if (sfd >= 0)
		close(sfd);
	vbuf_release(&cur);
	vbuf_release(&text);
	vbuf_release(&rel);
	vbuf_release(&line);
	vbuf_release(&before);
	vbuf_release(&after);
	return error;
}

static int scan_pth(struct venv_envdir *e, struct venv_plan *plan, const struct venv_scan *s)
{
	struct vbuf rel = VBUF_INIT(VBUF_MAX_PATH);
	DIR *d = NULL;
	struct dirent *de;
	int lfd, dupfd, error = 0;

	lfd = openat(e->fd, "lib", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (lfd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		venv_error_set_errno(VENV_EIO, "cannot open it");
		return unreadable(plan, "lib", "");
	}
	if ((dupfd = dup(lfd)) >= 0 && !(d = fdopendir(dupfd)))
		close(dupfd);
	if (!d) {
		venv_error_set_errno(VENV_EIO, "cannot read it");
		error = unreadable(plan, "lib", "");
	}
	while (d && (de = readdir(d))) {
		if (strncmp(de->d_name, "python", 6))
			continue;
		vbuf_reset(&rel);
		vbuf_addf(&rel, "lib/%s/site-packages", de->d_name);
		if ((error = scan_pth_dir(e, rel.buf, plan, s)) < 0)
			break;
	}
	if (d)
		closedir(d);
	close(lfd);
	vbuf_release(&rel);
	return error;
}

/*
 * Replace every whole-path occurrence of old in s, raw (CPython writes the
 * path as it is) or shell-quoted (venv create quotes it), in one pass so
 * that nothing replaced is looked at again.
 */
static int replace_path(struct vbuf *out, const char *s, const char *old, const char *new_)
{
	struct vbuf qo = VBUF_INIT(VBUF_MAX_PATH), qn = VBUF_INIT(VBUF_MAX_PATH);
	size_t len = strlen(s), ol = strlen(old), pos = 0;
	int error;

	vbuf_reset(out);
	if ((error = venv_shquote_posix(&qo, old)) < 0 ||
	    (error = venv_shquote_posix(&qn, new_)) < 0)
		goto done;
	while (pos < len && !error) {
		if (qo.len != ol && len - pos >= qo.len && !memcmp(s + pos, qo.buf, qo.len)) {
			error = vbuf_add(out, qn.buf, qn.len);
			pos += qo.len;
		} else if (len - pos >= ol && venv_repair_find_path(s, len, pos, old) == pos) {
			error = vbuf_adds(out, new_);
			pos += ol;
		} else {
			error = vbuf_addch(out, s[pos++]);
		}
	}
done:
	vbuf_release(&qo);
	vbuf_release(&qn);
	return error;
}

static int scan_cfg(struct venv_envdir *e, struct venv_plan *plan, const struct venv_scan *s,
		    struct venv_cfg *cfg, const struct vbuf *raw)
{
	struct vbuf out = VBUF_INIT(VBUF_MAX_CFG), val = VBUF_INIT(VBUF_MAX_LINE);
	struct vbuf before = VBUF_INIT(VBUF_MAX_LINE), after = VBUF_INIT(VBUF_MAX_LINE);
	struct stat st;
	int code = 0, error = 0;
	const char *command = venv_cfg_get_first(cfg, "command");

	if (s->old_location && command && venv_repair_find_path(command, strlen(command), 0,
							  s->old_location) != (size_t)-1) {
		if ((error = replace_path(&val, command, s->old_location, e->dir)) < 0)
			goto done;
		vbuf_addf(&before, "command = %s", command);
		vbuf_addf(&after, "command = %s", val.buf);
		if ((error = venv_cfg_set(cfg, "command", val.buf)) < 0)
			goto done;
		code = VENV_DIAG_RELOCATED_ENVIRONMENT;
	}
	/* `home` names a directory that is gone, while the interpreter link still works. */
	{
		const char *home = venv_cfg_get_first(cfg, "home");
		struct stat hst;

		if (home && stat(home, &hst) < 0 && s->symlinks && s->base_ok && s->base_python &&
		    s->base_python[0] == '/') {
			if ((error = venv_path_dirname(&val, s->base_python)) < 0)
				goto done;
			if (stat(val.buf, &hst) == 0 && S_ISDIR(hst.st_mode)) {
				vbuf_addf(&before, "%shome = %s", before.len ? "\n" : "", home);
				vbuf_addf(&after, "%shome = %s", after.len ? "\n" : "", val.buf);
				if ((error = venv_cfg_set(cfg, "home", val.buf)) < 0)
					goto done;
				if (!code)
					code = VENV_DIAG_STALE_HOME;
			}
		}
	}
	if (venv_cfg_count(cfg, "home") > 1) {
		const char *home = venv_cfg_get_first(cfg, "home");

		vbuf_reset(&val);
		vbuf_adds(&val, home);
		if ((error = venv_cfg_set(cfg, "home", val.buf)) < 0)
			goto done;
		if (!code)
			code = VENV_DIAG_CFG_DUPLICATE_HOME;
	}
	if ((error = venv_cfg_format(cfg, &out)) < 0)
		goto done;
	if (out.len == raw->len && !memcmp(out.buf, raw->buf, raw->len))
		goto done;
	if (!code)
		code = (cfg->flags & VENV_CFG_BOM) ? VENV_DIAG_CFG_BOM :
		       (cfg->flags & VENV_CFG_NO_FINAL_EOL) ? VENV_DIAG_CFG_NO_FINAL_NEWLINE :
		       VENV_DIAG_CFG_STRICT_FORMAT;
	if (fstatat(e->fd, "pyvenv.cfg", &st, AT_SYMLINK_NOFOLLOW) < 0)
		st.st_mode = 0644;
	if ((error = venv_plan_add(plan, code, VENV_FIX_WRITE, "pyvenv.cfg", out.buf, out.len,
				   st.st_mode & 07777,
				   code == VENV_DIAG_RELOCATED_ENVIRONMENT ?
				   "pyvenv.cfg: `command` names the new location" :
				   code == VENV_DIAG_STALE_HOME ?
				   "pyvenv.cfg: `home` names the interpreter's directory" :
				   "pyvenv.cfg: rewritten in the form every Python reads")) < 0)
		goto done;
	venv_plan_last(plan)->replaces = 1;
	if (before.len) {
		venv_plan_last(plan)->before = strdup(before.buf);
		venv_plan_last(plan)->after = strdup(after.buf);
	}
done:
	vbuf_release(&out);
	vbuf_release(&val);
	vbuf_release(&before);
	vbuf_release(&after);
	return error;
}

/* Interpreter names, lib64 and site-packages that are missing. */
static int scan_layout(struct venv_envdir *e, int bfd, struct venv_plan *plan,
		       struct venv_scan *s)
{
	struct vbuf rel = VBUF_INIT(VBUF_MAX_PATH), msg = VBUF_INIT(VBUF_MAX_LINE);
	struct vbuf src = VBUF_INIT(VBUF_MAX_PATH);
	char names[3][32];
	struct stat st;
	size_t i, n = 0;
	int error = 0;

	if (!s->first_name) {
		error = venv_plan_problem(plan, VENV_DIAG_MISSING_PYTHON, "bin/ has no interpreter; "
					  "run 'venv repair --upgrade --python PYTHON'");
		goto done;
	}
	s->base_ok = fstatat(bfd, s->first_name, &st, 0) == 0 && S_ISREG(st.st_mode);
	if (!s->base_ok) {
		error = venv_plan_problem(plan, VENV_DIAG_DANGLING_INTERPRETER_LINK,
					  "bin/%s leads to '%s', which does not exist; run 'venv "
					  "repair --upgrade' (with --python if it was removed)",
					  s->first_name, s->base_python ? s->base_python : "?");
		if (error < 0)
			goto done;
	}
	snprintf(names[n++], sizeof(names[0]), "python");
	snprintf(names[n++], sizeof(names[0]), "python3");
	if (s->minor >= 9 && s->minor < 1000)
		snprintf(names[n++], sizeof(names[0]), "python3.%d", s->minor);
	for (i = 0; i < n; i++) {
		int code = !strcmp(names[i], "python") ? VENV_DIAG_MISSING_PYTHON :
			   VENV_DIAG_MISSING_INTERPRETER_ALIAS;

		if (!strcmp(names[i], s->first_name) || lstat_at(bfd, names[i], &st) == 0)
			continue;
		vbuf_reset(&rel);
		vbuf_addf(&rel, "bin/%s", names[i]);
		vbuf_reset(&msg);
		if (s->symlinks) {
			vbuf_addf(&msg, "%s -> %s: missing interpreter name", rel.buf, s->first_name);
			error = venv_plan_add(plan, code, VENV_FIX_SYMLINK, rel.buf, s->first_name, 0,
					      0, msg.buf);
		} else {
			vbuf_addf(&msg, "%s: missing interpreter name, copied from bin/%s", rel.buf,
				  s->first_name);
			if ((error = venv_path_join(&src, e->dir, "bin")) < 0 ||
			    (error = venv_path_join(&src, src.buf, s->first_name)) < 0)
				goto done;
			error = venv_plan_add(plan, code, VENV_FIX_COPY, rel.buf, NULL, 0, 0755, msg.buf);
			if (!error && !(venv_plan_last(plan)->src = strdup(src.buf)))
				error = venv_error_set(VENV_ENOMEM, "out of memory");
		}
		if (error < 0)
			goto done;
	}
	/* lib64 -> lib: CPython's layout on 64-bit Linux before 3.15, not virtualenv's. */
#if defined(__linux__)
	if (sizeof(void *) == 8 && !s->virtualenv && s->minor >= 0 && s->minor < 15) {
		int missing = lstat_at(e->fd, "lib64", &st) < 0;
		int dangling = !missing && S_ISLNK(st.st_mode) && fstatat(e->fd, "lib64", &st, 0) < 0;

		if (missing || dangling) {
			error = venv_plan_add(plan, VENV_DIAG_MISSING_LIB64, VENV_FIX_SYMLINK, "lib64",
					      "lib", 0, 0, missing ? "lib64 -> lib: missing" :
					      "lib64 -> lib: the link was dangling");
			if (error < 0)
				goto done;
			venv_plan_last(plan)->replaces = dangling;
		}
	}
#endif
	if (s->minor >= 0) {
		for (i = 0; i < 3; i++) {
			vbuf_reset(&rel);
			if (i == 0)
				vbuf_adds(&rel, "lib");
			else
				vbuf_addf(&rel, "lib/python3.%d%s", s->minor,
					  i == 2 ? "/site-packages" : "");
			if (fstatat(e->fd, rel.buf, &st, AT_SYMLINK_NOFOLLOW) == 0)
				continue;
			vbuf_reset(&msg);
			vbuf_addf(&msg, "%s: missing directory", rel.buf);
			if ((error = venv_plan_add(plan, VENV_DIAG_MISSING_SITE_PACKAGES,
						   VENV_FIX_MKDIR, rel.buf, NULL, 0, 0755,
						   msg.buf)) < 0)
				goto done;
		}
	}
done:
	vbuf_release(&rel);
	vbuf_release(&msg);
	vbuf_release(&src);
	return error;
}

int venv_repair_scan(struct venv_envdir *e, struct venv_plan *plan, struct venv_scan *s)
{
	struct venv_cfg cfg = VENV_CFG_INIT;
	struct vbuf raw = VBUF_INIT(VBUF_MAX_CFG), tmp = VBUF_INIT(VBUF_MAX_PATH);
	int bfd = -1, error;
	const char *v;

	memset(s, 0, sizeof(*s));
	s->minor = -1;
	error = venv_fs_read_file_at(&raw, e->fd, "pyvenv.cfg", VBUF_MAX_CFG);
	if (error == 0) {
		if ((error = venv_cfg_parse(&cfg, raw.buf, raw.len)) < 0)
			goto done;
		s->has_cfg = 1;
		s->is_venv = 1;
	} else if (error != VENV_ENOTFOUND) {
		goto done;
	}
	error = 0; /* NOLINT(clang-analyzer-deadcode.DeadStores): no pyvenv.cfg is not an error */
	s->virtualenv = venv_cfg_get_first(&cfg, "virtualenv") != NULL;
	v = venv_cfg_get_first(&cfg, "version");
	if (!v)
		v = venv_cfg_get_first(&cfg, "version_info");
	s->minor = minor_of(v);
	bfd = openat(e->fd, "bin", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (bfd < 0) {
		if (!s->is_venv) {
			error = venv_error_set(VENV_EINVAL, "'%s' is not a virtual environment: it has "
					       "no pyvenv.cfg and no bin/", e->dir);
			goto done;
		}
		if (errno != ENOENT) {
			error = venv_error_set_errno(VENV_EIO, "cannot open '%s/bin'", e->dir);
			goto done;
		}
		if ((error = venv_plan_problem(plan, VENV_DIAG_MISSING_PYTHON, "bin/ is missing; "
					       "run 'venv repair --upgrade --python PYTHON'")) < 0)
			goto done;
		goto done;
	}
	if ((error = find_first_name(bfd, s, &cfg)) < 0)
		goto done;
	if (s->first_name) {
		struct stat st;

		s->is_venv = 1;
		s->base_ok = fstatat(bfd, s->first_name, &st, 0) == 0 && S_ISREG(st.st_mode);
	}
	if (!s->is_venv) {
		error = venv_error_set(VENV_EINVAL, "'%s' is not a virtual environment: it has no "
				       "pyvenv.cfg and no interpreter in bin/", e->dir);
		goto done;
	}
	if (s->minor < 0 && s->first_name && !strncmp(s->first_name, "python3.", 8))
		s->minor = (int)strtol(s->first_name + 8, NULL, 10);
	if (!s->has_cfg &&
	    (error = venv_plan_problem(plan, VENV_DIAG_MISSING_PYVENV_CFG, "pyvenv.cfg is "
				       "missing; run 'venv repair --upgrade' to write it")) < 0)
		goto done;
	/* The prompt: pyvenv.cfg's, as venv create would use it; else the directory's name. */
	if ((v = venv_cfg_get_last(&cfg, "prompt")) != NULL) {
		if (venv_repair_pyliteral(&tmp, v) < 0)
			vbuf_sets(&tmp, v);
	} else if ((error = venv_path_basename(&tmp, e->dir)) < 0) {
		goto done;
	}
	if ((error = dup_into(&s->prompt, tmp.buf)) < 0)
		goto done;
	if (!s->base_python && (v = venv_cfg_get_first(&cfg, "home")) && s->first_name) {
		if ((error = venv_path_join(&tmp, v, s->first_name)) < 0 ||
		    (error = dup_into(&s->base_python, tmp.buf)) < 0)
			goto done;
	}
	if ((error = find_old_location(e, bfd, s, &cfg)) < 0)
		goto done;
	if (s->old_location) {
		struct venv_builder b;

		/* The checks venv create makes before it writes a path into scripts. */
		venv_builder_init(&b);
		b.prompt = s->prompt;
		error = venv_builder_check_path(&b, e->dir);
		venv_builder_release(&b);
		if (error < 0) {
			error = venv_plan_problem(plan, VENV_DIAG_RELOCATED_ENVIRONMENT,
						  "moved from '%s', but the new location cannot be "
						  "written into scripts: %s", s->old_location,
						  venv_error_last());
			free(s->old_location);
			s->old_location = NULL;
			if (error < 0)
				goto done;
		}
	}
	{
		size_t start = plan->nr;

		if (s->old_location && (error = scan_shebangs(e, bfd, plan, s)) < 0)
			goto done;
		venv_plan_sort_from(plan, start);
	}
	if ((error = scan_activation(e, bfd, plan, s, &cfg)) < 0)
		goto done;
	{
		size_t start = plan->nr;

		if (s->old_location && (error = scan_pth(e, plan, s)) < 0)
			goto done;
		venv_plan_sort_from(plan, start);
	}
	if (s->has_cfg && (error = scan_cfg(e, plan, s, &cfg, &raw)) < 0)
		goto done;
	error = scan_layout(e, bfd, plan, s);
done:
	if (bfd >= 0)
		close(bfd);
	venv_cfg_release(&cfg);
	vbuf_release(&raw);
	vbuf_release(&tmp);
	return error;
}
