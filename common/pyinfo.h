#ifndef VENV_PYINFO_H
#define VENV_PYINFO_H

#include "vbuf.h"

/*
 * What we need to know about a base interpreter, learnt by running it once
 * with a small probe script and then cached in the user's cache directory,
 * keyed by the interpreter's path and invalidated when the interpreter
 * binary, the file it resolves to, or its standard library changes.
 */
struct venv_pyinfo {
	char *invoked;         /* absolute, unresolved path we ran */
	int major, minor, micro;
	char *version;         /* "3.12.1" as pyvenv.cfg writes it */
	char *executable;      /* sys.executable */
	char *base_executable; /* sys._base_executable: what `home` derives from */
	char *real_executable; /* os.path.realpath(sys.executable) */
	char *base_prefix;     /* sys.base_prefix */
	char *base_exec_prefix; /* sys.base_exec_prefix */
	char *releaselevel;    /* sys.version_info.releaselevel: "final", "candidate"... */
	int serial;            /* sys.version_info.serial */
	char *platform;        /* sys.platform */
	char *implementation;  /* sys.implementation.name: "cpython", "pypy" */
	int is64;              /* sys.maxsize > 2**32 */
	char *platlibdir;      /* sys.platlibdir ("lib" before 3.9) */
	char *scripts;         /* `venv` scheme paths relative to the env: "bin" */
	char *include;         /* "include" or "include/python3.12" */
	char *purelib;         /* "lib/python3.12/site-packages" */
	char *platlib;
	char *stdlib_landmark; /* the base's os.py */
	int has_ensurepip;
	char **wheels;         /* the wheels ensurepip would install, in its order */
	size_t nwheels;
	int from_cache;        /* 1 when no Python process was started */
};

enum venv_pyinfo_flags {
	VENV_PYINFO_NO_CACHE = 1 << 0  /* neither read nor write the cache */
};

/*
 * Learn about the interpreter at `path` (absolute, not resolved). The
 * result is released with venv_pyinfo_release().
 */
int venv_pyinfo_load(struct venv_pyinfo *info, const char *path, unsigned flags);
void venv_pyinfo_release(struct venv_pyinfo *info);

/* Whether the interpreter is a PyPy (sys.implementation.name). */
int venv_pyinfo_is_pypy(const struct venv_pyinfo *info);

/*
 * Turn what the user gave to -p/--python into the absolute path of an
 * interpreter (common/pyfind.c):
 *  - a path (anything with a "/"): made absolute, not resolved;
 *  - a command name on PATH ("python3.12", "mypython"); a pyenv shim is
 *    resolved to the interpreter it runs by reading pyenv's files, never run;
 *  - a version request: "3", "3.12", "3.12.1", "cpython3.12", "cpython@3.12",
 *    "python3.12" (when no such command is on PATH), "py312", or a PEP 440
 *    range such as ">=3.11,<3.13": the newest match among PATH's python3 and
 *    python3.N and pyenv's installed releases ($PYENV_ROOT, default ~/.pyenv);
 *    behind "pypy" or "pp" ("pypy3", "pypy3.9", "pp39"), the newest PyPy
 *    among PATH's pypy3 and pypy3.N and pyenv's pypyX.Y-A.B.C releases;
 *  - NULL (no -p): the first line of ./.python-version as a request, else
 *    python3 on PATH (what `python3 -m venv` would run).
 * `why`, when not NULL, receives one sentence saying what was chosen and why.
 */
int venv_python_find(struct vbuf *out, const char *spec);
int venv_python_find_why(struct vbuf *out, struct vbuf *why, const char *spec);

/* The file starts with "#!": a launcher that may run anything (a pyenv shim). */
int venv_file_is_script(const char *path);

/* The user's cache directory for venv ($VENV_CACHE_DIR, $XDG_CACHE_HOME/venv, ~/.cache/venv). */
int venv_cache_dir(struct vbuf *out);

/* 64-bit FNV-1a, for cache keys. */
uint64_t venv_fnv1a(const void *data, size_t len);

/*
 * The value of pyvenv.cfg's version_info for info, in the form `old` (the
 * value it replaces) has: uv writes "X.Y.Z", virtualenv
 * "X.Y.Z.releaselevel.serial" (also taken for anything else, or no old).
 */
int venv_pyinfo_version_info(struct vbuf *out, const char *old, const struct venv_pyinfo *info);

#endif
