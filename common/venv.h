#ifndef VENV_H
#define VENV_H

/*
 * libvenv: create, inspect and repair Python virtual environments.
 *
 * The builder mirrors CPython's venv.EnvBuilder: the same options, a
 * context with the same attributes, and the same steps, each a hook that a
 * program can replace while still calling the default (see
 * tests/example/extended_builder.c). All functions return 0 on success and
 * a negative VENV_E* code on failure; venv_error_last() has the message.
 * Strings in a context are owned by the context.
 */

#include "error.h"
#include "vbuf.h"
#include "cfg.h"
#include "pyinfo.h"
#include "shquote.h"

#define VENV_VERSION_STRING "0.1.0"

struct venv_builder;

struct venv_context {
	char *env_dir;      /* absolute (not resolved) environment path */
	char *env_name;     /* its last component */
	char *prompt;       /* bare prompt: --prompt, or env_name */
	char *executable;   /* the base interpreter (sys._base_executable) */
	char *python_dir;   /* its directory: `home` */
	char *python_exe;   /* its file name: the first name in bin/ */
	char *inc_path;
	char *lib_path;     /* purelib */
	char *platlib_path;
	char *bin_path;
	char *bin_name;     /* bin_path relative to env_dir: "bin" */
	char *env_exe;      /* bin_path/python_exe */
	char *env_exec_cmd; /* what runs the env's python (env_exe on POSIX) */
	char *cfg_path;     /* set by create_configuration */
	const struct venv_pyinfo *info;
	int created;        /* 1 when env_dir did not exist before */
	int cfg_written;    /* private: pyvenv.cfg was written by this run */
};

void venv_context_release(struct venv_context *ctx);

enum venv_log_level {
	VENV_LOG_DEBUG,
	VENV_LOG_INFO,
	VENV_LOG_WARNING
};

/* The steps of venv_builder_create(); each may be replaced. */
struct venv_builder_ops {
	int (*ensure_directories)(struct venv_builder *b, const char *env_dir,
				  struct venv_context *ctx);
	int (*create_configuration)(struct venv_builder *b, struct venv_context *ctx);
	int (*setup_python)(struct venv_builder *b, struct venv_context *ctx);
	int (*setup_pip)(struct venv_builder *b, struct venv_context *ctx);
	int (*setup_scripts)(struct venv_builder *b, struct venv_context *ctx);
	int (*post_setup)(struct venv_builder *b, struct venv_context *ctx);
	int (*upgrade_dependencies)(struct venv_builder *b, struct venv_context *ctx);
};

/*
 * How pip's files get from the wheel cache into an environment (uv's
 * --link-mode): COPY (the default) gives each environment its own files,
 * as reflinks where the file system has them (shared blocks, copied when
 * written) and copy_file_range() otherwise; HARDLINK links them to the
 * cache, so an edit made in place through one environment shows in every
 * other (faster, and the cache notices the edit); AUTO reflinks where it
 * can and hard-links where it cannot. DEFAULT means $VENV_LINK_MODE, else
 * COPY.
 */
enum venv_link_mode {
	VENV_LINK_DEFAULT = 0,
	VENV_LINK_COPY,
	VENV_LINK_HARDLINK,
	VENV_LINK_AUTO
};

/*
 * "copy", "hardlink" or "auto" (NULL or "": DEFAULT) into *mode; VENV_EINVAL
 * with a message for anything else.
 */
int venv_link_mode_parse(const char *text, enum venv_link_mode *mode);

struct venv_builder {
	/* Options, with the defaults of CPython's EnvBuilder (not of its CLI). */
	int system_site_packages;
	int clear;
	int symlinks;
	int upgrade;
	int with_pip;
	int upgrade_deps;
	int scm_ignore_files;   /* write .gitignore */
	int force;              /* --clear may empty a directory that is not an env */
	const char *prompt;     /* NULL: none; "." means the current directory's name */
	const char *python;     /* absolute interpreter path; NULL: python3 on PATH */
	const char *command;    /* what `command` in pyvenv.cfg records; NULL: derived */
	enum venv_link_mode link_mode; /* pip's files from the wheel cache */

	struct venv_builder_ops ops;

	/* Progress and warnings; NULL discards them. */
	void (*log)(void *payload, enum venv_log_level level, const char *msg);
	void *payload;

	/* Private. */
	struct venv_pyinfo info;
	int info_loaded;
	char *resolved_prompt;
	unsigned pyinfo_flags;
};

/* Set the defaults and the default steps. */
void venv_builder_init(struct venv_builder *b);
void venv_builder_release(struct venv_builder *b);

/* Learn about the base interpreter (done by venv_builder_create() if needed). */
int venv_builder_load_python(struct venv_builder *b);

/*
 * The `command` pyvenv.cfg records (3.11+): b->command if set, else what
 * `python -m venv` of the base writes for the builder's options and env_dir
 * (absolute), unquoted like CPython's: "<sys.executable> -m venv [options] DIR".
 */
int venv_builder_command(struct venv_builder *b, const char *env_dir, struct vbuf *out);

/*
 * A `command` of CPython's shape ("X -m venv REST") with X replaced by
 * executable: what a move to another base interpreter records. VENV_ENOTFOUND
 * when old has another shape (then let venv_builder_command() derive it).
 */
int venv_command_retarget(struct vbuf *out, const char *old, const char *executable);

/* Create (or with `upgrade`, upgrade) the environment at env_dir. */
int venv_builder_create(struct venv_builder *b, const char *env_dir);

/* Check an environment path before anything is written for it. */
int venv_builder_check_path(struct venv_builder *b, const char *env_dir);

/* The default steps, for overrides that want to call them. */
int venv_default_ensure_directories(struct venv_builder *b, const char *env_dir,
				    struct venv_context *ctx);
int venv_default_create_configuration(struct venv_builder *b, struct venv_context *ctx);
int venv_default_setup_python(struct venv_builder *b, struct venv_context *ctx);
int venv_default_setup_pip(struct venv_builder *b, struct venv_context *ctx);
int venv_default_setup_scripts(struct venv_builder *b, struct venv_context *ctx);
int venv_default_post_setup(struct venv_builder *b, struct venv_context *ctx);
int venv_default_upgrade_dependencies(struct venv_builder *b, struct venv_context *ctx);

/*
 * Install the scripts found under `path` into the environment's bin
 * directory: only the subdirectories `common` and `posix` of path are
 * read, their files keep their relative location below bin, and the
 * placeholders __VENV_DIR__, __VENV_NAME__, __VENV_PROMPT__,
 * __VENV_BIN_NAME__ and __VENV_PYTHON__ are replaced by values quoted for
 * the script's shell. Files that are not UTF-8 are skipped with a warning.
 */
int venv_install_scripts(struct venv_builder *b, struct venv_context *ctx, const char *path);

/* Replace the placeholders of text for the shell of a script. */
int venv_replace_variables(struct vbuf *out, const char *text, size_t len,
			   const struct venv_context *ctx, enum venv_shell shell);

/* The activation templates built into the library. */
struct venv_template {
	const char *path;   /* "common/activate" */
	const unsigned char *data;
	size_t len;
	unsigned mode;
};
extern const struct venv_template venv_templates[];
extern const size_t venv_templates_count;

/*
 * Remove everything inside env_dir without following symbolic links out
 * of it. Unless `force`, refuse a non-empty directory that has no
 * pyvenv.cfg (VENV_EUNSAFE).
 */
int venv_clear_directory(const char *env_dir, int force);

#endif
