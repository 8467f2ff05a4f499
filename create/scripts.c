#include "compat.h"
#include <dirent.h>
#include "venv.h"
#include "builder_int.h"
#include "fs.h"
#include "path.h"

int venv_replace_variables(struct vbuf *out, const char *text, size_t len,
			   const struct venv_context *ctx, enum venv_shell shell)
{
	static const char *const names[] = {
		"__VENV_DIR__", "__VENV_NAME__", "__VENV_PROMPT__",
		"__VENV_BIN_NAME__", "__VENV_PYTHON__"
	};
	const char *values[5];
	size_t pos = 0;
	int error = 0;

	values[0] = ctx->env_dir;
	values[1] = ctx->env_name;
	values[2] = ctx->prompt;
	values[3] = ctx->bin_name;
	values[4] = ctx->env_exe;
	/*
	 * One pass over the text, so that a substituted value is never scanned
	 * again for placeholders (CPython replaces in sequence, which would let
	 * a directory named __VENV_PROMPT__ be replaced twice).
	 */
	while (pos < len) {
		const char *us = memchr(text + pos, '_', len - pos);
		size_t i;

		if (!us) {
			error = vbuf_add(out, text + pos, len - pos);
			break;
		}
		if ((error = vbuf_add(out, text + pos, (size_t)(us - (text + pos)))) < 0)
			break;
		pos = (size_t)(us - text);
		for (i = 0; i < VENV_ARRAY_SIZE(names); i++) {
			size_t nl = strlen(names[i]);

			if (len - pos >= nl && !memcmp(text + pos, names[i], nl)) {
				if ((error = venv_shquote(out, shell, values[i])) < 0)
					return error;
				pos += nl;
				break;
			}
		}
		if (i == VENV_ARRAY_SIZE(names)) {
			if ((error = vbuf_addch(out, '_')) < 0)
				break;
			pos++;
		}
	}
	return error;
}

/*
 * Install one script: rel is its path below common/ or posix/. It is
 * written below a descriptor of its directory in bin/, opened through the
 * top's (venv_builder_open_dir()): a bin/ swapped for a link is not
 * followed.
 */
static int install_one(struct venv_builder *b, struct venv_context *ctx, const char *rel,
		       const char *data, size_t len, mode_t mode)
{
	struct vbuf dst = VBUF_INIT(VBUF_MAX_PATH), dir = VBUF_INIT(VBUF_MAX_PATH);
	struct vbuf text = VBUF_INIT(VBUF_MAX_SCRIPT), base = VBUF_INIT(VBUF_MAX_PATH);
	struct stat st;
	int error, dfd = -1;

	if ((error = venv_path_join(&dst, ctx->bin_path, rel)) < 0 ||
	    (error = venv_path_dirname(&dir, dst.buf)) < 0 ||
	    (error = venv_path_basename(&base, dst.buf)) < 0 ||
	    (dfd = error = venv_builder_open_dir(ctx, dir.buf)) < 0)
		goto done;
	error = 0;
	/* --upgrade only restores scripts that are missing. */
	if (b->upgrade && fstatat(dfd, base.buf, &st, AT_SYMLINK_NOFOLLOW) == 0)
		goto done;
	if (!venv_utf8_valid(data, len) || memchr(data, '\0', len)) {
		if (b->log) {
			struct vbuf msg = VBUF_INIT(VBUF_MAX_PATH);

			if ((error = vbuf_addf(&msg, "unable to copy script '%s', may be binary",
					       rel)) == 0)
				b->log(b->payload, VENV_LOG_WARNING, msg.buf);
			vbuf_release(&msg);
		}
		goto done;
	}
	if ((error = venv_replace_variables(&text, data, len, ctx,
					    venv_shell_for_script(base.buf))) < 0)
		goto done;
	error = venv_fs_write_file_as(dfd, base.buf, dst.buf, text.buf, text.len, mode & 07777,
				      (ctx->created ? VENV_FS_EXCL : VENV_FS_ATOMIC) |
				      VENV_FS_EXACT_MODE);
done:
	if (dfd >= 0)
		close(dfd);
	vbuf_release(&dst);
	vbuf_release(&dir);
	vbuf_release(&text);
	vbuf_release(&base);
	return error;
}

static int install_tree(struct venv_builder *b, struct venv_context *ctx,
			const char *root, const char *rel, int depth)
{
	struct vbuf path = VBUF_INIT(VBUF_MAX_PATH), sub = VBUF_INIT(VBUF_MAX_PATH);
	struct vbuf data = VBUF_INIT(VBUF_MAX_SCRIPT);
	struct dirent *de;
	DIR *d = NULL;
	int error = 0;

	if (depth > 32)
		return venv_error_set(VENV_ETOOBIG, "script directory '%s' is nested too deeply",
				      root);
	if ((error = venv_path_join(&path, root, rel)) < 0)
		goto done;
	if (!(d = opendir(path.buf))) {
		error = venv_error_set_errno(venv_error_from_errno(errno), "cannot open '%s'",
					     path.buf);
		goto done;
	}
	while ((de = readdir(d))) {
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		vbuf_reset(&sub);
		if ((error = rel[0] ? vbuf_addf(&sub, "%s/%s", rel, de->d_name) :
		     vbuf_adds(&sub, de->d_name)) < 0 ||
		    (error = venv_path_join(&path, root, sub.buf)) < 0)
			goto done;
		if (lstat(path.buf, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			if ((error = install_tree(b, ctx, root, sub.buf, depth + 1)) < 0)
				goto done;
		} else if (S_ISREG(st.st_mode)) {
			if ((error = venv_fs_read_file_at(&data, AT_FDCWD, path.buf,
							  VBUF_MAX_SCRIPT)) < 0)
				goto done;
			if ((error = install_one(b, ctx, sub.buf, data.buf, data.len,
						 st.st_mode)) < 0)
				goto done;
		}
	}
done:
	if (d)
		closedir(d);
	vbuf_release(&path);
	vbuf_release(&sub);
	vbuf_release(&data);
	return error;
}

int venv_install_scripts(struct venv_builder *b, struct venv_context *ctx, const char *path)
{
	static const char *const dirs[] = { "common", "posix" };
	struct vbuf sub = VBUF_INIT(VBUF_MAX_PATH);
	struct stat st;
	size_t i;
	int error = 0;

	/* Only `common` and this OS's folder are read, as in CPython. */
	for (i = 0; i < VENV_ARRAY_SIZE(dirs); i++) {
		if ((error = venv_path_join(&sub, path, dirs[i])) < 0)
			break;
		if (stat(sub.buf, &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		if ((error = install_tree(b, ctx, sub.buf, "", 0)) < 0)
			break;
	}
	vbuf_release(&sub);
	return error;
}

int venv_default_setup_scripts(struct venv_builder *b, struct venv_context *ctx)
{
	size_t i;
	int error = 0;

	for (i = 0; i < venv_templates_count; i++) {
		const struct venv_template *t = &venv_templates[i];
		const char *rel = strchr(t->path, '/');

		if (strncmp(t->path, "common/", 7) && strncmp(t->path, "posix/", 6))
			continue;
		if ((error = install_one(b, ctx, rel + 1, (const char *)t->data, t->len,
					 t->mode)) < 0)
			break;
	}
	return error;
}
