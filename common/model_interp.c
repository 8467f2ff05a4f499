/*
 * The environment loader's interpreters (common/model.c loads the rest):
 * the entries of bin/ that are interpreters, where each leads, which one
 * runs and which Python each runs. Read by venv_model_load_at() only.
 */
#include "compat.h"
#include "elf.h"
#include "error.h"
#include "fs.h"
#include "model.h"
#include "model_int.h"
#include "path.h"

/* Aliases inside bin/ followed at most this far: a longer chain is a loop. */
#define LINK_MAX_HOPS 40

static int oom(void)
{
	return venv_error_set(VENV_ENOMEM, "out of memory");
}

static enum venv_interp_status status_of_stat(const struct stat *st)
{
	if (!S_ISREG(st->st_mode))
		return VENV_IS_NOT_FILE;
	if (!(st->st_mode & 0111))
		return VENV_IS_NOT_EXEC;
	return VENV_IS_OK;
}

static int load_external(struct venv_model *e, struct venv_model_interp *in)
{
	struct vbuf t = VBUF_INIT(VBUF_MAX_PATH), b = VBUF_INIT(VBUF_MAX_PATH);
	struct stat st;
	int error = 0;

	if (in->target[0] == '/')
		error = venv_path_normalize(&t, in->target);
	else if ((error = venv_path_join(&b, e->abs, "bin")) >= 0 &&
		 (error = venv_path_join(&b, b.buf, in->target)) >= 0)
		error = venv_path_normalize(&t, b.buf);
	if (error >= 0 && !(in->abs_target = strdup(t.buf)))
		error = oom();
	vbuf_release(&t);
	vbuf_release(&b);
	if (error < 0)
		return error;
	if (!in->abs_target)
		return oom();
	if (stat(in->abs_target, &st) < 0) {
		in->err = errno;
		in->status = errno == ENOENT || errno == ENOTDIR ? VENV_IS_DANGLING :
			     errno == ELOOP ? VENV_IS_LOOP : VENV_IS_UNKNOWN;
		return 0;
	}
	in->status = status_of_stat(&st);
	in->real = realpath(in->abs_target, NULL);
	return 0;
}

int venv_model__load_interps(struct venv_model *e)
{
	size_t i, k = 0;
	int error = 0;

	for (i = 0; i < e->nentries && k < VENV_MODEL_MAX_INTERPS; i++) {
		struct venv_model_entry *en = &e->entries[i];
		struct venv_model_interp *in;

		if (!venv_model_is_interp_name(en->name))
			continue;
		in = &e->interps[k++];
		e->ninterps = k;
		/* The slot is still zero from calloc(). */
		in->entry = i;
		in->alias = -1;
		in->st = en->st;
		if (!(in->name = strdup(en->name)))
			return oom();
		if (S_ISLNK(en->st.st_mode)) {
			if ((error = venv_model_read_link(&in->target, e->bin, en->name)) < 0 || !in->target) {
				if (error == VENV_ENOMEM)
					return error;
				in->kind = VENV_IK_OTHER;
				in->status = VENV_IS_UNKNOWN;
				continue;
			}
			if (!strchr(in->target, '/')) {
				in->kind = VENV_IK_LINK_INTERNAL;
				in->alias = venv_model_find_entry(e, in->target);
				continue;
			}
			in->kind = VENV_IK_LINK_EXTERNAL;
			if ((error = load_external(e, in)) < 0)
				return error;
		} else if (S_ISREG(en->st.st_mode)) {
			in->kind = VENV_IK_COPY;
			in->status = status_of_stat(&en->st);
		} else {
			in->kind = VENV_IK_OTHER;
			in->status = en->st.st_mode ? VENV_IS_NOT_FILE : VENV_IS_UNKNOWN;
		}
	}
	/* Then the way back, from entries to interpreters. */
	for (i = 0; i < e->ninterps; i++)
		e->entries[e->interps[i].entry].interp = (int)i;
	return 0;
}

enum venv_interp_status venv_model_resolve(const struct venv_model *e, int i, int *root)
{
	int hops = 0;

	*root = -1;
	while (hops++ < LINK_MAX_HOPS) {
		const struct venv_model_interp *in = &e->interps[i];
		const struct venv_model_entry *en;

		if (in->kind != VENV_IK_LINK_INTERNAL) {
			*root = i;
			return in->status;
		}
		if (in->alias < 0)
			return VENV_IS_DANGLING;
		en = &e->entries[in->alias];
		if (en->interp < 0) {
			/* A link to some other file of bin/. */
			if (S_ISLNK(en->st.st_mode))
				return VENV_IS_UNKNOWN;
			return status_of_stat(&en->st);
		}
		i = en->interp;
	}
	return VENV_IS_LOOP;
}

int venv_model__pick_main(const struct venv_model *e)
{
	char want[32];
	const char *order[3];
	size_t i, k;

	snprintf(want, sizeof(want), "python%s", e->env_ver);
	order[0] = e->env_ver[0] ? want : "";
	order[1] = "python3";
	order[2] = "python";
	for (k = 0; k < 3; k++) {
		for (i = 0; i < e->ninterps; i++) {
			const struct venv_model_interp *in = &e->interps[i];

			if (in->kind != VENV_IK_LINK_INTERNAL && !strcmp(in->name, order[k]))
				return (int)i;
		}
	}
	for (i = 0; i < e->ninterps; i++)
		if (e->interps[i].kind != VENV_IK_LINK_INTERNAL)
			return (int)i;
	/* Only aliases: the one they point to may be a non-interpreter file. */
	for (i = 0; i < e->ninterps; i++) {
		int root;

		venv_model_resolve(e, (int)i, &root);
		if (root >= 0)
			return root;
	}
	return -1;
}

/*
 * Which Python each interpreter that is not an alias runs: its libpython
 * says so whatever the file is called, else the name of the file it runs.
 * The main interpreter's ELF facts are kept for the base rules.
 */
void venv_model__load_interp_versions(struct venv_model *e)
{
	size_t i;

	e->base_is64 = -1;
	for (i = 0; i < e->ninterps; i++) {
		struct venv_model_interp *in = &e->interps[i];
		struct venv_elf_info elf = VENV_ELF_INFO_INIT;
		const char *exe = NULL;
		int fd = -1;

		if (in->kind == VENV_IK_COPY) {
			fd = openat(e->bin, in->name,
				    O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
		} else if (in->kind == VENV_IK_LINK_EXTERNAL && in->status == VENV_IS_OK) {
			exe = in->real ? in->real : in->abs_target;
			fd = venv_fs_open_regular(exe);
		} else {
			continue;
		}
		if (fd >= 0) {
			if (venv_elf_parse_fd(&elf, fd) < 0)
				memset(&elf, 0, sizeof(elf));
			close(fd);
		}
		if (elf.libpython)
			venv_python_version_of_name(in->ver, sizeof(in->ver), elf.libpython,
						    "libpython");
		if (!in->ver[0] && exe) {
			const char *b = strrchr(exe, '/');

			/* PyPy's is named pypy3.9 (and links libpypy3.9-c.so). */
			if (venv_python_version_of_name(in->ver, sizeof(in->ver), b ? b + 1 : exe,
							"python") < 0)
				venv_python_version_of_name(in->ver, sizeof(in->ver),
							    b ? b + 1 : exe, "pypy");
		}
		if (!in->ver[0] && in->kind == VENV_IK_COPY &&
		    venv_python_version_of_name(in->ver, sizeof(in->ver), in->name, "python") < 0)
			venv_python_version_of_name(in->ver, sizeof(in->ver), in->name, "pypy");
		if ((int)i == e->main) {
			e->main_elf = elf;
			e->main_exe = exe;
			if (elf.is_elf)
				e->base_is64 = elf.is64;
			snprintf(e->bin_ver, sizeof(e->bin_ver), "%s", in->ver);
		} else {
			venv_elf_release(&elf);
		}
	}
	snprintf(e->active_ver, sizeof(e->active_ver), "%s", e->bin_ver[0] ? e->bin_ver : e->env_ver);
}
