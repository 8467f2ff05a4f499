#include "compat.h"
#include <dirent.h>
#include "venv.h"
#include "cfg.h"
#include "cfgcheck.h"
#include "envid.h"
#include "fs.h"
#include "lock.h"
#include "log.h"
#include "path.h"
#include "proc.h"
#include "builder_int.h"
#include "pip.h"

/* Name of the marker that says a creation has started but not finished. */
#define INCOMPLETE_MARKER VENV_INCOMPLETE_MARKER

/*
 * How files are written: in a directory we just made, nothing can be in the
 * way and the marker covers a crash, so a plain exclusive create is enough;
 * elsewhere, replace atomically.
 */
#define WRITE_FLAGS(ctx) ((ctx)->created ? VENV_FS_EXCL : VENV_FS_ATOMIC)

#define logf_(b, ...) venv_logf((b)->log, (b)->payload, __VA_ARGS__)

static int write_marker(struct venv_context *ctx, int topfd, int create);

void venv_builder_init(struct venv_builder *b)
{
	memset(b, 0, sizeof(*b));
	b->ops.ensure_directories = venv_default_ensure_directories;
	b->ops.create_configuration = venv_default_create_configuration;
	b->ops.setup_python = venv_default_setup_python;
	b->ops.setup_pip = venv_default_setup_pip;
	b->ops.setup_scripts = venv_default_setup_scripts;
	b->ops.post_setup = venv_default_post_setup;
	b->ops.upgrade_dependencies = venv_default_upgrade_dependencies;
}

void venv_builder_release(struct venv_builder *b)
{
	if (b->info_loaded)
		venv_pyinfo_release(&b->info);
	b->info_loaded = 0;
	free(b->resolved_prompt);
	b->resolved_prompt = NULL;
}

void venv_context_release(struct venv_context *ctx)
{
	free(ctx->env_dir);
	free(ctx->env_name);
	free(ctx->prompt);
	free(ctx->executable);
	free(ctx->python_dir);
	free(ctx->python_exe);
	free(ctx->inc_path);
	free(ctx->lib_path);
	free(ctx->platlib_path);
	free(ctx->bin_path);
	free(ctx->bin_name);
	free(ctx->env_exe);
	free(ctx->env_exec_cmd);
	free(ctx->cfg_path);
	memset(ctx, 0, sizeof(*ctx));
}

static int dup_into(char **dst, const char *s)
{
	free(*dst);
	*dst = strdup(s);
	return *dst ? 0 : venv_error_set(VENV_ENOMEM, "out of memory");
}

int venv_builder_load_python(struct venv_builder *b)
{
	struct vbuf path = VBUF_INIT(VBUF_MAX_PATH);
	int error;

	if (b->info_loaded)
		return 0;
	if (b->python)
		error = vbuf_sets(&path, b->python);
	else
		error = venv_python_find(&path, NULL);
	if (error < 0)
		goto done;
	if ((error = venv_pyinfo_load(&b->info, path.buf, b->pyinfo_flags)) < 0)
		goto done;
	b->info_loaded = 1;
	if (!b->info.from_cache)
		logf_(b, VENV_LOG_DEBUG, "probed %s (Python %s)", path.buf, b->info.version);
	/* `--prompt .` means the current directory's name from 3.9 on. */
	if (b->prompt) {
		const char *p = b->prompt;
		struct vbuf base = VBUF_INIT(VBUF_MAX_PATH), cwd = VBUF_INIT(VBUF_MAX_PATH);

		if (!strcmp(p, ".") && b->info.minor >= 9) {
			if ((error = venv_path_abspath(&cwd, ".")) < 0 ||
			    (error = venv_path_basename(&base, cwd.buf)) < 0) {
				vbuf_release(&base);
				vbuf_release(&cwd);
				goto done;
			}
			p = base.buf;
		}
		error = dup_into(&b->resolved_prompt, p);
		vbuf_release(&base);
		vbuf_release(&cwd);
	}
done:
	vbuf_release(&path);
	return error;
}

static int check_path(struct venv_builder *b, const char *env_dir, int warn)
{
	struct vbuf abs = VBUF_INIT(VBUF_MAX_PATH), name = VBUF_INIT(VBUF_MAX_PATH);
	struct vbuf shown = VBUF_INIT(VBUF_MAX_LINE);
	const char *p;
	int error;

	if ((error = venv_path_abspath(&abs, env_dir)) < 0 ||
	    (error = venv_str_escape(&shown, abs.buf)) < 0)
		goto done;
	for (p = abs.buf; *p; p++) {
		if (*p == ':') {
			error = venv_error_set(VENV_EINVAL, "refusing to create an environment in "
					       "'%s': the path contains the PATH separator ':'",
					       shown.buf);
			goto done;
		}
		if (*p == '\n' || *p == '\r') {
			error = venv_error_set(VENV_EINVAL, "refusing to create an environment in "
					       "a path that contains a line break");
			goto done;
		}
	}
	if (!venv_utf8_valid(abs.buf, abs.len)) {
		error = venv_error_set(VENV_EINVAL, "refusing to create an environment in "
				       "'%s': the path is not valid UTF-8", shown.buf);
		goto done;
	}
	for (p = abs.buf; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c < 0x20 || c == 0x7f || (c == 0xc2 && (unsigned char)p[1] >= 0x80 &&
					      (unsigned char)p[1] <= 0x9f)) {
			error = venv_error_set(VENV_EINVAL, "refusing to create an environment in "
					       "a path that contains control characters");
			goto done;
		}
	}
	if ((error = venv_shquote_check_all(abs.buf, "environment path")) < 0)
		goto done;
	if (b->prompt) {
		if (!venv_cfg_text_ok(b->prompt)) {
			error = venv_error_set(VENV_EINVAL, "the prompt must be valid UTF-8 "
					       "without control characters or line breaks");
			goto done;
		}
		if ((error = venv_shquote_check_all(b->prompt, "prompt")) < 0)
			goto done;
	} else {
		if ((error = venv_path_basename(&name, abs.buf)) < 0)
			goto done;
		if ((error = venv_shquote_check_all(name.buf, "prompt")) < 0)
			goto done;
	}
	/* ACT-14: accepted, but what is shown may not be what is stored. */
	if (warn && venv_str_has_bidi(abs.buf))
		logf_(b, VENV_LOG_WARNING, "the environment path '%s' contains Unicode "
		      "bidirectional controls: it may display differently than it is", shown.buf);
	if (warn && b->prompt && venv_str_has_bidi(b->prompt)) {
		vbuf_reset(&shown);
		venv_str_escape(&shown, b->prompt);
		logf_(b, VENV_LOG_WARNING, "the prompt '%s' contains Unicode bidirectional "
		      "controls: it may display differently than it is", shown.buf);
	}
done:
	vbuf_release(&abs);
	vbuf_release(&name);
	vbuf_release(&shown);
	return error;
}

int venv_builder_check_path(struct venv_builder *b, const char *env_dir)
{
	return check_path(b, env_dir, 0);
}

int venv_clear_directory(const char *env_dir, int force)
{
	static const char *const keep[] = { "pyvenv.cfg", INCOMPLETE_MARKER, NULL };
	struct venv_envid id;
	int fd, error;

	fd = open(env_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return venv_error_set_errno(venv_error_from_errno(errno), "cannot open '%s'",
					    env_dir);
	if ((error = venv_envid_probe(&id, fd)) < 0)
		goto done;
	/*
	 * Only what environments are made of goes without --force: a project
	 * directory, or a file the user put into an environment, is theirs.
	 */
	if (!force && id.nentries && id.kind == VENV_ENVID_NONE) {
		error = venv_error_set(VENV_EUNSAFE, "refusing to clear '%s': it is not a "
				       "virtual environment (no pyvenv.cfg) and holds %s; use "
				       "--force to clear it anyway", env_dir, id.entries);
		goto done;
	}
	if (!force && id.nforeign) {
		error = venv_error_set(VENV_EUNSAFE, "refusing to clear '%s': besides what "
				       "environments are made of, it holds %s; move %s away or use "
				       "--force to delete %s too", env_dir, id.foreign,
				       id.nforeign > 1 ? "them" : "it",
				       id.nforeign > 1 ? "them" : "it");
		goto done;
	}
	/*
	 * Mark the environment unfinished before anything goes, and remove
	 * pyvenv.cfg last: a --clear interrupted at any point leaves a directory
	 * that is recognisably an environment, so running it again finishes it.
	 */
	if ((error = venv_fs_write_file_at(fd, INCOMPLETE_MARKER, "", 0, 0666, 0)) < 0 ||
	    (error = venv_fs_clear_dir_except(env_dir, keep)) < 0)
		goto done;
	if (unlinkat(fd, "pyvenv.cfg", 0) < 0 && errno != ENOENT)
		error = venv_error_set_errno(VENV_EIO, "cannot remove '%s/pyvenv.cfg'", env_dir);
done:
	close(fd);
	return error;
}

/* "unable to create directory 'd': a file is in the way ('p')": what blocks d, at p. */
static int in_the_way(const char *d, const char *p, int is_link)
{
	return venv_error_set(VENV_EEXISTS, "unable to create directory '%s': %s is in the "
			      "way%s%s%s", d, is_link ? "a symbolic link" : "a file",
			      strcmp(p, d) ? " ('" : "", strcmp(p, d) ? p : "",
			      strcmp(p, d) ? "')" : "");
}

/*
 * CPython's create_if_needed(), os.makedirs(d), for d (normalised), the
 * environment top or a directory below it, and then d opened: its
 * descriptor, or a negative error code. topfd is the top, opened without
 * following a link. Below the top every directory is made and opened
 * relative to its parent's descriptor (venv_fs_mkdirs_below()), so a link
 * found on the way, or swapped in for a directory between one step and
 * the next, is refused, never followed: an existing environment whose
 * `include` or `lib` links out of it would otherwise have directories and
 * pip's files made through that link, and a second user who can write to
 * the environment could swap one in between our check and our mkdir (the
 * race of security.md's threat model). A d outside the top (a scheme that
 * leaves it) is made by its path, refused only when it is itself a link or
 * a file.
 */
static int open_if_needed(int topfd, const char *top, const char *d)
{
	struct vbuf p = VBUF_INIT(VBUF_MAX_PATH);
	struct stat st;
	size_t n = strlen(top), stop = 0;
	int fd, error = 0;

	if (strncmp(d, top, n) || (d[n] && d[n] != '/')) {
		if (lstat(d, &st) < 0)
			error = venv_fs_mkdirs(d);
		else if (S_ISLNK(st.st_mode) || !S_ISDIR(st.st_mode))
			error = in_the_way(d, d, S_ISLNK(st.st_mode));
		if (error < 0)
			goto done;
		fd = open(d, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	} else {
		/* By handles below the top; the top itself ("") is the caller's, only opened again. */
		fd = venv_fs_mkdirs_below(topfd, d[n] ? d + n + 1 : "", &stop);
		if (fd < 0 && (errno == ELOOP || errno == ENOTDIR)) {
			int is_link = errno == ELOOP;

			if ((error = vbuf_add(&p, d, n + 1 + stop)) == 0)
				error = in_the_way(d, p.buf, is_link);
			goto done;
		}
	}
	if (fd < 0) {
		error = venv_error_set_errno(venv_error_from_errno(errno),
					     "cannot create directory '%s'", d);
		goto done;
	}
	error = fd;
done:
	vbuf_release(&p);
	return error;
}

/* open_if_needed(), for the directory only. */
static int create_if_needed(int topfd, const char *top, const char *d)
{
	int fd = open_if_needed(topfd, top, d);

	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

/*
 * The environment's top, opened again for a step after the directories,
 * without following a link: a top swapped for one since is refused. All
 * that the step writes goes below this descriptor.
 */
static int open_top(const struct venv_context *ctx)
{
	int fd = open(ctx->env_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;

	/* O_DIRECTORY makes a link ENOTDIR rather than ELOOP. */
	if (fd < 0 && (errno == ELOOP ||
		       (errno == ENOTDIR && lstat(ctx->env_dir, &st) == 0 && S_ISLNK(st.st_mode))))
		return venv_error_set(VENV_EUNSAFE, "cannot open '%s': a symbolic link is in "
				      "the way", ctx->env_dir);
	if (fd < 0)
		return venv_error_set_errno(venv_error_from_errno(errno), "cannot open '%s'",
					    ctx->env_dir);
	return fd;
}

int venv_builder_open_dir(const struct venv_context *ctx, const char *d)
{
	int topfd = open_top(ctx), fd;

	if (topfd < 0)
		return topfd;
	fd = open_if_needed(topfd, ctx->env_dir, d);
	close(topfd);
	return fd;
}

int venv_default_ensure_directories(struct venv_builder *b, const char *env_dir,
				    struct venv_context *ctx)
{
	const struct venv_pyinfo *info = &b->info;
	struct vbuf abs = VBUF_INIT(VBUF_MAX_PATH), tmp = VBUF_INIT(VBUF_MAX_PATH);
	struct stat st;
	int error, topfd = -1;

	if ((error = venv_builder_load_python(b)) < 0 ||
	    (error = venv_path_abspath(&abs, env_dir)) < 0)
		goto done;
	if (lstat(abs.buf, &st) == 0) {
		if (S_ISLNK(st.st_mode) || !S_ISDIR(st.st_mode)) {
			error = in_the_way(abs.buf, abs.buf, S_ISLNK(st.st_mode));
			goto done;
		}
		if (b->clear && (error = venv_clear_directory(abs.buf, b->force)) < 0)
			goto done;
	} else {
		ctx->created = 1;
	}
	ctx->info = info;
	if ((error = dup_into(&ctx->env_dir, abs.buf)) < 0 ||
	    (error = venv_path_basename(&tmp, abs.buf)) < 0 ||
	    (error = dup_into(&ctx->env_name, tmp.buf)) < 0 ||
	    (error = dup_into(&ctx->prompt, b->resolved_prompt ? b->resolved_prompt :
			      ctx->env_name)) < 0)
		goto done;
	/*
	 * The top is made by its path, as CPython does (what is above it is the
	 * caller's), then held: all that is below it is made through this handle.
	 */
	if (lstat(ctx->env_dir, &st) < 0 && (error = venv_fs_mkdirs(ctx->env_dir)) < 0)
		goto done;
	topfd = open(ctx->env_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (topfd < 0) {
		if (errno == ELOOP || errno == ENOTDIR)
			error = in_the_way(ctx->env_dir, ctx->env_dir, errno == ELOOP ||
					   (lstat(ctx->env_dir, &st) == 0 && S_ISLNK(st.st_mode)));
		else
			error = venv_error_set_errno(venv_error_from_errno(errno),
						     "cannot open '%s'", ctx->env_dir);
		goto done;
	}
	/* From here on an interrupted creation is recognisable as such. */
	if (!b->upgrade && (error = write_marker(ctx, topfd, 1)) < 0)
		goto done;
	if ((error = venv_path_abspath(&tmp, info->base_executable)) < 0 ||
	    (error = dup_into(&ctx->executable, info->base_executable)) < 0 ||
	    (error = venv_path_dirname(&abs, tmp.buf)) < 0 ||
	    (error = dup_into(&ctx->python_dir, abs.buf)) < 0 ||
	    (error = venv_path_basename(&abs, tmp.buf)) < 0 ||
	    (error = dup_into(&ctx->python_exe, abs.buf)) < 0)
		goto done;
#define SCHEME(field, rel) \
	if ((error = venv_path_join(&tmp, ctx->env_dir, rel)) < 0 || \
	    (error = venv_path_normalize(&tmp, tmp.buf)) < 0 || \
	    (error = dup_into(&ctx->field, tmp.buf)) < 0) \
		goto done
	SCHEME(bin_path, info->scripts);
	SCHEME(inc_path, info->include);
	SCHEME(lib_path, info->purelib);
	SCHEME(platlib_path, info->platlib);
#undef SCHEME
	if ((error = create_if_needed(topfd, ctx->env_dir, ctx->inc_path)) < 0 ||
	    (error = create_if_needed(topfd, ctx->env_dir, ctx->lib_path)) < 0)
		goto done;
	/* bpo-21197: lib64 -> lib on 64-bit POSIX other than macOS, if absent. */
	if (info->is64 && strcmp(info->platform, "darwin")) {
		if ((error = venv_path_join(&tmp, ctx->env_dir, "lib64")) < 0)
			goto done;
		if (fstatat(topfd, "lib64", &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (symlinkat("lib", topfd, "lib64") < 0) {
				error = venv_error_set_errno(VENV_EIO, "cannot create '%s'", tmp.buf);
				goto done;
			}
		} else if (S_ISLNK(st.st_mode) && fstatat(topfd, "lib64", &st, 0) < 0 &&
			   b->upgrade) {
			/* A dangling lib64 is repaired by --upgrade. */
			if (unlinkat(topfd, "lib64", 0) < 0 || symlinkat("lib", topfd, "lib64") < 0) {
				error = venv_error_set_errno(VENV_EIO, "cannot replace '%s'", tmp.buf);
				goto done;
			}
		}
	}
	if ((error = venv_path_relative(&tmp, ctx->bin_path, ctx->env_dir)) < 0 ||
	    (error = dup_into(&ctx->bin_name, tmp.buf)) < 0 ||
	    (error = venv_path_join(&tmp, ctx->bin_path, ctx->python_exe)) < 0 ||
	    (error = dup_into(&ctx->env_exe, tmp.buf)) < 0 ||
	    (error = dup_into(&ctx->env_exec_cmd, tmp.buf)) < 0)
		goto done;
	error = create_if_needed(topfd, ctx->env_dir, ctx->bin_path);
done:
	if (topfd >= 0)
		close(topfd);
	vbuf_release(&abs);
	vbuf_release(&tmp);
	return error;
}

/*
 * pyvenv.cfg's `command` (3.11+), byte for byte what `python -m venv` of
 * this base writes (Lib/venv/__init__.py, create_configuration): the base's
 * sys.executable as invoked, "-m venv", the options the builder's state
 * implies in CPython's fixed order and spelling, the absolute directory;
 * joined with single spaces and not quoted, as CPython does.
 */
int venv_builder_command(struct venv_builder *b, const char *env_dir, struct vbuf *out)
{
	int error;

	vbuf_reset(out);
	if (b->command)
		return vbuf_adds(out, b->command);
	if ((error = venv_builder_load_python(b)) < 0)
		return error;
	if ((error = vbuf_addf(out, "%s -m venv", b->info.executable)) < 0 ||
	    (!b->symlinks && (error = vbuf_adds(out, " --copies")) < 0) ||
	    (!b->with_pip && (error = vbuf_adds(out, " --without-pip")) < 0) ||
	    (b->system_site_packages && (error = vbuf_adds(out, " --system-site-packages")) < 0) ||
	    (b->clear && (error = vbuf_adds(out, " --clear")) < 0) ||
	    (b->upgrade && (error = vbuf_adds(out, " --upgrade")) < 0) ||
	    (b->upgrade_deps && (error = vbuf_adds(out, " --upgrade-deps")) < 0) ||
	    (b->prompt && (error = vbuf_addf(out, " --prompt=\"%s\"", b->prompt)) < 0) ||
	    /* The option (and the builder's scm_ignore_files) exist from 3.13 on. */
	    (!b->scm_ignore_files && b->info.minor >= 13 &&
	     (error = vbuf_adds(out, " --without-scm-ignore-files")) < 0))
		return error;
	return vbuf_addf(out, " %s", env_dir);
}

int venv_command_retarget(struct vbuf *out, const char *old, const char *executable)
{
	const char *tail = old ? strstr(old, " -m venv") : NULL;

	vbuf_reset(out);
	if (!tail || (tail[8] && tail[8] != ' '))
		return VENV_ENOTFOUND;
	return vbuf_addf(out, "%s%s", executable, tail);
}

static int write_configuration(struct venv_builder *b, struct venv_context *ctx, int incl)
{
	const struct venv_pyinfo *info = &b->info;
	struct venv_cfg cfg = VENV_CFG_INIT;
	struct vbuf tmp = VBUF_INIT(VBUF_MAX_CFG), out = VBUF_INIT(VBUF_MAX_CFG);
	int error, dfd = -1;

	if ((error = venv_path_join(&tmp, ctx->env_dir, "pyvenv.cfg")) < 0 ||
	    (error = dup_into(&ctx->cfg_path, tmp.buf)) < 0)
		goto done;
	if ((dfd = open_top(ctx)) < 0) {
		error = dfd;
		goto done;
	}
	/*
	 * --upgrade keeps the keys it does not own (CPython drops them), and the
	 * prompt unless a new one is given.
	 */
	if (b->upgrade) {
		error = venv_cfg_read(&cfg, dfd, "pyvenv.cfg");
		if (error == VENV_ENOTFOUND)
			error = 0;
		if (error < 0)
			goto done;
	}
	if ((error = venv_cfg_set(&cfg, "home", ctx->python_dir)) < 0 ||
	    (error = venv_cfg_set(&cfg, "include-system-site-packages",
				  incl ? "true" : "false")) < 0 ||
	    (error = venv_cfg_set(&cfg, "version", info->version)) < 0)
		goto done;
	if (b->resolved_prompt) {
		vbuf_reset(&tmp);
		if ((error = venv_py_repr(&tmp, b->resolved_prompt)) < 0 ||
		    (error = venv_cfg_set(&cfg, "prompt", tmp.buf)) < 0)
			goto done;
	}
	if (info->minor >= 11) {
		vbuf_reset(&tmp);
		if ((error = venv_cfg_set(&cfg, "executable", info->real_executable)) < 0 ||
		    (error = venv_builder_command(b, ctx->env_dir, &tmp)) < 0 ||
		    (error = venv_cfg_set(&cfg, "command", tmp.buf)) < 0)
			goto done;
	} else if ((error = venv_cfg_set(&cfg, "executable", NULL)) < 0 ||
		   (error = venv_cfg_set(&cfg, "command", NULL)) < 0) {
		goto done;
	}
	if ((error = venv_cfg_format(&cfg, &out)) < 0)
		goto done;
	/* The second write (system site packages) replaces the first. */
	error = venv_fs_write_file_at(dfd, "pyvenv.cfg", out.buf, out.len, 0666,
				      ctx->cfg_written ? VENV_FS_ATOMIC : WRITE_FLAGS(ctx));
	if (!error)
		ctx->cfg_written = 1;
done:
	if (dfd >= 0)
		close(dfd);
	venv_cfg_release(&cfg);
	vbuf_release(&tmp);
	vbuf_release(&out);
	return error;
}

int venv_default_create_configuration(struct venv_builder *b, struct venv_context *ctx)
{
	/*
	 * bpo-24875: written with include-system-site-packages = false first, so
	 * that bootstrapping pip does not see the system's pip; venv_builder_create()
	 * rewrites it at the end.
	 */
	return write_configuration(b, ctx, 0);
}

/* Is `name` below dirfd a symlink whose value is exactly `target`? */
static int link_is(int dirfd, const char *name, const char *target)
{
	char buf[PATH_MAX];
	ssize_t n = readlinkat(dirfd, name, buf, sizeof(buf) - 1);

	if (n < 0)
		return 0;
	buf[n] = '\0';
	return !strcmp(buf, target);
}

/* errno values of a file system that cannot hold a symbolic link. */
static int symlinks_unsupported(int err)
{
#if ENOTSUP != EOPNOTSUPP
	if (err == ENOTSUP)
		return 1;
#endif
	return err == EPERM || err == EOPNOTSUPP || err == ENOSYS;
}

/*
 * Place one interpreter name: `name` in the directory bfd (bin/), `dst`
 * its path for messages. `target` is what a symlink points to (absolute
 * for the first name, a bare file name for the aliases), `src` what a copy
 * is made from. Only bfd is written to, never a path: a bin/ swapped for a
 * link since it was made is not followed.
 */
static int place_interpreter(struct venv_builder *b, int bfd, const char *name,
			     const char *dst, const char *target, const char *src, int is_alias)
{
	struct stat lst, st;
	int exists = fstatat(bfd, name, &lst, AT_SYMLINK_NOFOLLOW) == 0;
	int is_link = exists && S_ISLNK(lst.st_mode);
	int works = exists && fstatat(bfd, name, &st, 0) == 0;

	if (b->symlinks) {
		if (is_link && link_is(bfd, name, target) && works)
			return 0;
		/* CPython keeps any existing alias; we keep working ones and fix the rest. */
		if (is_alias && works && !b->upgrade)
			return 0;
		if (exists && unlinkat(bfd, name, 0) < 0)
			return venv_error_set_errno(VENV_EIO, "cannot replace '%s'", dst);
		if (symlinkat(target, bfd, name) == 0)
			return 0;
		/*
		 * Copy only where the file system has no symbolic links, as
		 * CPython's venv does. A full disk or an I/O error is not that:
		 * a copy would leave an environment unlike the one asked for
		 * (and a repair's exit 0 over it), or fail the same way later.
		 */
		if (!symlinks_unsupported(errno))
			return venv_error_set_errno(VENV_EIO, "cannot symlink '%s' to '%s'", target, dst);
		logf_(b, VENV_LOG_WARNING, "unable to symlink '%s' to '%s': %s; copying instead",
		      target, dst, strerror(errno));
	} else if (is_alias && works && !is_link && !b->upgrade) {
		return 0;
	}
	return venv_fs_copy_file_at(src, bfd, name, dst, 0755);
}

/*
 * PyPy's venv copies libpypyX.Y-c.so (.dylib) from beside the base
 * executable into bin/ when it copies, so that a portable build's copy
 * runs. (It also copies the rest of ../lib, which for Debian's PyPy in
 * /usr/bin is all of /usr/lib: that we do not do.)
 */
static int copy_pypy_library(struct venv_builder *b, struct venv_context *ctx, int bfd)
{
	static const char *const exts[] = { "so", "dylib" };
	struct vbuf src = VBUF_INIT(VBUF_MAX_PATH), dst = VBUF_INIT(VBUF_MAX_PATH);
	struct vbuf name = VBUF_INIT(VBUF_MAX_PATH);
	struct stat st;
	size_t i;
	int error = 0;

	for (i = 0; i < VENV_ARRAY_SIZE(exts) && error >= 0; i++) {
		vbuf_reset(&src);
		vbuf_reset(&name);
		if ((error = vbuf_addf(&name, "libpypy%d.%d-c.%s", b->info.major, b->info.minor,
				       exts[i])) < 0 ||
		    (error = venv_path_join(&src, ctx->python_dir, name.buf)) < 0 ||
		    (error = venv_path_join(&dst, ctx->bin_path, name.buf)) < 0)
			break;
		if (fstatat(bfd, name.buf, &st, AT_SYMLINK_NOFOLLOW) == 0 || stat(src.buf, &st) < 0)
			continue;
		error = venv_fs_copy_file_at(src.buf, bfd, name.buf, dst.buf, 0755);
	}
	vbuf_release(&src);
	vbuf_release(&dst);
	vbuf_release(&name);
	return error;
}

int venv_default_setup_python(struct venv_builder *b, struct venv_context *ctx)
{
	struct vbuf path = VBUF_INIT(VBUF_MAX_PATH), name = VBUF_INIT(64);
	const char *aliases[5] = { "python", "python3", NULL, NULL, NULL };
	size_t i, n = 2;
	int error, bfd;

	/* bin/ through the top's descriptor, as it was made: every name goes below it. */
	if ((bfd = error = venv_builder_open_dir(ctx, ctx->bin_path)) < 0)
		goto done;
	if ((error = place_interpreter(b, bfd, ctx->python_exe, ctx->env_exe, ctx->executable,
				       ctx->executable, 0)) < 0)
		goto done;
	/* 3.9 added the pythonX.Y alias. */
	if (b->info.minor >= 9) {
		if ((error = vbuf_addf(&name, "python3.%d", b->info.minor)) < 0)
			goto done;
		aliases[n++] = name.buf;
	}
	/* PyPy's venv adds pypy3 and pypy, and with --copies its library. */
	if (venv_pyinfo_is_pypy(&b->info)) {
		aliases[n++] = "pypy3";
		aliases[n++] = "pypy";
		if (!b->symlinks && (error = copy_pypy_library(b, ctx, bfd)) < 0)
			goto done;
	}
	for (i = 0; i < n; i++) {
		if (!strcmp(aliases[i], ctx->python_exe))
			continue;
		if ((error = venv_path_join(&path, ctx->bin_path, aliases[i])) < 0 ||
		    (error = place_interpreter(b, bfd, aliases[i], path.buf, ctx->python_exe,
					       ctx->env_exe, 1)) < 0)
			goto done;
	}
done:
	if (bfd >= 0)
		close(bfd);
	vbuf_release(&path);
	vbuf_release(&name);
	return error;
}

/*
 * Run the new environment's python the way CPython's _call_new_python()
 * does: 3.10 and later with VIRTUAL_ENV set, PYTHONHOME and PYTHONPATH
 * removed and the environment as working directory; 3.8 and 3.9 as they are.
 */
static int call_new_python(struct venv_builder *b, struct venv_context *ctx,
			   const char *const *args, int show_output)
{
	struct venv_env env = VENV_ENV_INIT;
	struct vbuf out = VBUF_INIT(VBUF_MAX_PROBE);
	const char *argv[16];
	struct venv_proc proc;
	size_t n = 0, i;
	int status = 0, error;

	argv[n++] = ctx->env_exec_cmd;
	for (i = 0; args[i] && n < VENV_ARRAY_SIZE(argv) - 1; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	memset(&proc, 0, sizeof(proc));
	proc.argv = argv;
	if (b->info.minor >= 10) {
		if ((error = venv_env_inherit(&env)) < 0 ||
		    (error = venv_env_set(&env, "VIRTUAL_ENV", ctx->env_dir)) < 0)
			goto done;
		venv_env_unset(&env, "PYTHONHOME");
		venv_env_unset(&env, "PYTHONPATH");
		proc.env = &env;
		proc.cwd = ctx->env_dir;
	}
	proc.flags = show_output ? VENV_PROC_STDOUT_TO_STDERR :
		     VENV_PROC_CAPTURE | VENV_PROC_MERGE_STDERR;
	proc.output = &out;
	if ((error = venv_proc_run(&proc, &status)) < 0)
		goto done;
	if (status != 0) {
		/* Keep the end of the child's output: that is where the reason is. */
		const char *tail = out.buf;

		while (out.len - (size_t)(tail - out.buf) > 600 && strchr(tail, '\n'))
			tail = strchr(tail, '\n') + 1;
		error = venv_error_set(VENV_ECHILD, "'%s %s' failed with exit status %d%s%s",
				       ctx->env_exec_cmd, args[0] && args[1] ? args[1] : "",
				       status, *tail ? ":\n" : "", tail);
	}
done:
	venv_env_release(&env);
	vbuf_release(&out);
	return error;
}

static int run_ensurepip(struct venv_builder *b, struct venv_context *ctx)
{
	static const char *const isolated[] = { "-Im", "ensurepip", "--upgrade",
						"--default-pip", NULL };
	static const char *const plain[] = { "-m", "ensurepip", "--upgrade",
					     "--default-pip", NULL };

	return call_new_python(b, ctx, b->info.minor >= 10 ? plain : isolated, 0);
}

/* Whether a wheel ensurepip would install is not there. */
static int wheel_missing(const struct venv_pyinfo *info)
{
	size_t i;

	for (i = 0; i < info->nwheels; i++)
		if (access(info->wheels[i], F_OK) != 0)
			return 1;
	return 0;
}

int venv_default_setup_pip(struct venv_builder *b, struct venv_context *ctx)
{
	/* Debian's package of ensurepip, or (PyPy's is in pypy3-lib) of its wheels. */
	char pkg[32];
	int error;

	if (venv_pyinfo_is_pypy(&b->info))
		snprintf(pkg, sizeof(pkg), "pypy3-venv");
	else
		snprintf(pkg, sizeof(pkg), "python%d.%d-venv", b->info.major, b->info.minor);
	if (getenv("VENV_USE_ENSUREPIP") == NULL) {
		error = venv_pip_install_fast_mode(ctx, b->link_mode, b->log, b->payload);
		if (error != VENV_ENOTFOUND)
			return error;
		logf_(b, VENV_LOG_WARNING, "%s; running ensurepip instead", venv_error_last());
	}
	if (!b->info.has_ensurepip)
		return venv_error_set(VENV_ENOTFOUND, "the interpreter '%s' has no ensurepip "
				      "module (on Debian, install the %s package), "
				      "and no pip wheel was found; use --without-pip",
				      b->info.invoked, pkg);
	logf_(b, VENV_LOG_INFO, "installing pip with ensurepip");
	error = run_ensurepip(b, ctx);
	/*
	 * Debian's PyPy has its ensurepip without the wheels it installs:
	 * they come with pypy3-venv, and ensurepip says only "missing
	 * dependency wheel setuptools".
	 */
	if (error == VENV_ECHILD && venv_pyinfo_is_pypy(&b->info) && wheel_missing(&b->info))
		error = venv_error_set(error, "ensurepip of '%s' has no wheels to install (on "
				       "Debian, install the %s package); use --without-pip: %s",
				       b->info.invoked, pkg, venv_error_last());
	return error;
}

int venv_default_upgrade_dependencies(struct venv_builder *b, struct venv_context *ctx)
{
	static const char *const with_setuptools[] = { "-m", "pip", "install", "--upgrade",
						       "pip", "setuptools", NULL };
	static const char *const pip_only[] = { "-m", "pip", "install", "--upgrade",
						"pip", NULL };

	/* CPython's CORE_VENV_DEPS: setuptools was dropped in 3.12. */
	logf_(b, VENV_LOG_INFO, "upgrading %s in '%s'",
	      b->info.minor >= 12 ? "pip" : "pip and setuptools", ctx->env_dir);
	return call_new_python(b, ctx, b->info.minor >= 12 ? pip_only : with_setuptools, 1);
}

int venv_default_post_setup(struct venv_builder *b, struct venv_context *ctx)
{
	(void)b;
	(void)ctx;
	return 0;
}

static int write_gitignore(struct venv_context *ctx)
{
	static const char text[] =
		"# Created by venv; see https://docs.python.org/3/library/venv.html\n*\n";
	struct vbuf path = VBUF_INIT(VBUF_MAX_PATH);
	int error, topfd = -1;

	if ((error = venv_path_join(&path, ctx->env_dir, ".gitignore")) >= 0 &&
	    (topfd = error = open_top(ctx)) >= 0)
		error = venv_fs_write_file_as(topfd, ".gitignore", path.buf, text,
					      sizeof(text) - 1, 0666, WRITE_FLAGS(ctx));
	if (topfd >= 0)
		close(topfd);
	vbuf_release(&path);
	return error;
}

/*
 * The marker made (create) or removed, below topfd, the top's descriptor
 * (-1: the top opened again, as open_top() does).
 */
static int write_marker(struct venv_context *ctx, int topfd, int create)
{
	struct vbuf path = VBUF_INIT(VBUF_MAX_PATH);
	static const char text[] = "venv create did not finish; run it again or remove this "
				   "environment\n";
	int error, owned = -1;

	if ((error = venv_path_join(&path, ctx->env_dir, INCOMPLETE_MARKER)) < 0)
		goto done;
	if (topfd < 0 && (topfd = owned = open_top(ctx)) < 0) {
		error = topfd;
		goto done;
	}
	/* Its presence is what matters, so no temp file: one less thing to leave behind. */
	if (create)
		error = venv_fs_write_file_as(topfd, INCOMPLETE_MARKER, path.buf, text,
					      sizeof(text) - 1, 0666, 0);
	else if (unlinkat(topfd, INCOMPLETE_MARKER, 0) < 0 && errno != ENOENT)
		error = venv_error_set_errno(VENV_EIO, "cannot remove '%s'", path.buf);
done:
	if (owned >= 0)
		close(owned);
	vbuf_release(&path);
	return error;
}

static void lock_waiting(void *payload, const char *msg)
{
	const struct venv_builder *o = payload;

	logf_(o, VENV_LOG_WARNING, "%s", msg);
}

/* "3.11" from pyvenv.cfg's version (CPython) or version_info (virtualenv, uv). */
static int cfg_minor(int dfd, int *major, int *minor)
{
	struct venv_cfg cfg = VENV_CFG_INIT;
	const char *v;
	int ok = 0, micro;

	if (venv_cfg_read(&cfg, dfd, "pyvenv.cfg") == 0 &&
	    ((v = venv_cfg_get_first(&cfg, "version")) ||
	     (v = venv_cfg_get_first(&cfg, "version_info"))))
		ok = venv_version_parse(v, major, minor, &micro) == 0;
	venv_cfg_release(&cfg);
	venv_error_clear();
	return ok;
}

/*
 * What is already at the target, looked at under the lock before anything
 * is written: a directory that is not empty and not an environment is
 * refused without --force (--clear decides for itself, in
 * venv_clear_directory()), and so is an environment of another minor
 * version without --clear or --upgrade. *ignore_ok says whether the SCM
 * ignore file of `*` may be written: never into a directory of the user's.
 */
static int check_target(struct venv_builder *b, const char *dir, int *ignore_ok)
{
	struct venv_envid id;
	int fd, error = 0, major, minor;

	*ignore_ok = 1;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return 0;   /* nothing there yet, or not a directory: ensure_directories says so */
	if ((error = venv_envid_probe(&id, fd)) < 0 || !id.nentries)
		goto done;
	if (id.kind == VENV_ENVID_NONE) {
		if (!b->force && !b->clear) {
			error = venv_error_set(VENV_EEXISTS, "refusing to create an environment in "
					       "'%s': it is not empty and not a virtual environment "
					       "(it holds %s); use --force to create one there anyway",
					       dir, id.entries);
			goto done;
		}
		*ignore_ok = b->clear;
	}
	if (id.kind == VENV_ENVID_CFG && !b->clear && !b->upgrade && b->info_loaded &&
	    cfg_minor(fd, &major, &minor) &&
	    (major != b->info.major || minor != b->info.minor))
		error = venv_error_set(VENV_EEXISTS, "'%s' is an environment of Python %d.%d; "
				       "creating one of Python %d.%d over it would mix the two. "
				       "Use --clear to empty it and create a new one (its packages "
				       "are lost), or --upgrade to move it to Python %d.%d (its "
				       "packages stay in lib/python%d.%d: 'venv repair --upgrade' "
				       "installs them again)", dir, major, minor, b->info.major,
				       b->info.minor, b->info.major, b->info.minor, major, minor);
done:
	close(fd);
	return error;
}

/*
 * Remove an environment this run created and could not finish. The marker
 * stays until everything else is gone, so that whatever fails here (out of
 * file descriptors, say) leaves a directory that says it is unfinished.
 */
static int remove_unfinished(const char *dir)
{
	static const char *const keep[] = { INCOMPLETE_MARKER, NULL };
	struct stat st;
	int error;

	if (lstat(dir, &st) < 0 && errno == ENOENT)
		return 0;
	if ((error = venv_fs_clear_dir_except(dir, keep)) < 0)
		return error;
	return venv_fs_remove_tree(dir);
}

int venv_builder_create(struct venv_builder *b, const char *env_dir)
{
	struct venv_context ctx;
	struct venv_lock lock = VENV_LOCK_INIT;
	struct vbuf abs = VBUF_INIT(VBUF_MAX_PATH);
	int error, ignore_ok = 1;

	memset(&ctx, 0, sizeof(ctx));
	if (b->clear && b->upgrade)
		return venv_error_set(VENV_EINVAL, "you cannot supply --upgrade and --clear together");
	if ((error = check_path(b, env_dir, 1)) < 0 ||
	    (error = venv_builder_load_python(b)) < 0 ||
	    (error = venv_path_abspath(&abs, env_dir)) < 0)
		goto done;
	/* Nothing is created or removed before the lock is held (common/lock.h). */
	if ((error = venv_lock_take(&lock, abs.buf, VENV_LOCK_MKPARENT, lock_waiting, b)) < 0 ||
	    (error = check_target(b, abs.buf, &ignore_ok)) < 0)
		goto done;
	if ((error = b->ops.ensure_directories(b, env_dir, &ctx)) < 0)
		goto done;
	if (b->scm_ignore_files) {
		if (ignore_ok)
			error = write_gitignore(&ctx);
		else
			logf_(b, VENV_LOG_WARNING, "not writing .gitignore into '%s': it is not a "
			      "directory of the environment's own", ctx.env_dir);
		if (error < 0)
			goto done;
	}
	if ((error = b->ops.create_configuration(b, &ctx)) < 0 ||
	    (error = b->ops.setup_python(b, &ctx)) < 0)
		goto done;
	if (b->with_pip && (error = b->ops.setup_pip(b, &ctx)) < 0)
		goto done;
	if (!b->upgrade) {
		if ((error = b->ops.setup_scripts(b, &ctx)) < 0 ||
		    (error = b->ops.post_setup(b, &ctx)) < 0)
			goto done;
	} else if ((error = b->ops.setup_scripts(b, &ctx)) < 0) {
		/* Our --upgrade restores activation scripts that went missing. */
		goto done;
	}
	if (b->system_site_packages && (error = write_configuration(b, &ctx, 1)) < 0)
		goto done;
	if (b->upgrade_deps && (error = b->ops.upgrade_dependencies(b, &ctx)) < 0)
		goto done;
	/* Last of all: the marker goes once everything else is there. */
	if (!b->upgrade && (error = write_marker(&ctx, -1, 0)) < 0)
		goto done;
done:
	/* A new environment that could not be finished is removed, not left half-made. */
	if (error < 0 && ctx.created && ctx.env_dir) {
		char msg[2048];

		snprintf(msg, sizeof(msg), "%s", venv_error_last());
		if (remove_unfinished(ctx.env_dir) < 0)
			logf_(b, VENV_LOG_WARNING, "could not remove the unfinished environment "
			      "'%s' (it is marked %s): %s", ctx.env_dir, INCOMPLETE_MARKER,
			      venv_error_last());
		venv_error_set(error, "%s", msg);
	}
	venv_lock_release(&lock);
	venv_context_release(&ctx);
	vbuf_release(&abs);
	return error;
}
