/*
 * Rules about the interpreters of bin/ and the base installation they lead
 * to: dangling or broken links, missing aliases, a base upgraded to another
 * version, a standard library Python will not find, stale copies.
 */
#include "compat.h"
#include "ruleset.h"
#include "error.h"
#include "fs.h"
#include "path.h"
#include <strings.h>
#include "elf.h"

#define PATCHLEVEL_MAX ((size_t)64 * 1024)
#define COMPARE_MAX ((uint64_t)512 * 1024 * 1024)

/* Each finding carries the function's local `d` (struct venv_finding_data). */
#define add(c, code, rel, line, fix, ...) \
	venv_check_add((c), (code), (rel), (line), (fix), &d, __VA_ARGS__)

static int check_interps(struct venv_check_ctx *c)
{
	struct venv_finding_data d;
	struct venv_model *e = c->env;
	char rel[300];
	size_t i;
	int error = 0;

	for (i = 0; i < e->ninterps; i++) {
		const struct venv_model_interp *in = &e->interps[i];
		int root;
		enum venv_interp_status st = venv_model_resolve(e, (int)i, &root);

		memset(&d, 0, sizeof(d));
		d.found = in->target;
		d.name = in->name;
		snprintf(rel, sizeof(rel), "bin/%s", in->name);
		if (in->kind == VENV_IK_LINK_EXTERNAL) {
			if (st == VENV_IS_DANGLING) {
				struct stat hs;
				const char *home = e->facts.home_first;
				int home_gone = home && stat(home, &hs) < 0;

				error = add(c, VENV_DIAG_DANGLING_INTERPRETER_LINK, rel, 0,
					    "relink to the base upgraded in place, or to another one "
					    "('venv repair --upgrade [--python PYTHON]')",
					    "'%s' links to '%s', which does not exist%s%s%s", rel,
					    in->target, home_gone ? " (and `home` '" : "",
					    home_gone ? home : "", home_gone ? "' is gone too)" : "");
			} else if (st == VENV_IS_LOOP || st == VENV_IS_NOT_EXEC || st == VENV_IS_NOT_FILE) {
				error = add(c, VENV_DIAG_BAD_INTERPRETER, rel, 0,
					    "recreate the interpreter link",
					    "'%s' links to '%s', which %s", rel, in->target,
					    st == VENV_IS_LOOP ? "is a symbolic link loop" :
					    st == VENV_IS_NOT_EXEC ? "is not executable" : "is not a file");
			}
		} else if (in->kind == VENV_IK_LINK_INTERNAL) {
			/* Report an alias only when it is itself the broken link. */
			if (in->alias < 0)
				error = add(c, VENV_DIAG_DANGLING_INTERPRETER_LINK, rel, 0,
					    "recreate the link to the environment's interpreter",
					    "'%s' links to '%s', which is not in 'bin'", rel, in->target);
			else if (st == VENV_IS_LOOP && root < 0)
				error = add(c, VENV_DIAG_BAD_INTERPRETER, rel, 0,
					    "recreate the link to the environment's interpreter",
					    "'%s' is part of a symbolic link loop", rel);
		} else if (st == VENV_IS_NOT_EXEC || st == VENV_IS_NOT_FILE) {
			error = add(c, VENV_DIAG_BAD_INTERPRETER, rel, 0,
				    "copy the interpreter again",
				    "'%s' %s", rel, st == VENV_IS_NOT_EXEC ? "is not executable" :
				    "is not a regular file");
		}
		if (error < 0)
			return error;
	}
	return 0;
}

static int check_aliases(struct venv_check_ctx *c)
{
	struct venv_finding_data d;
	struct venv_model *e = c->env;
	char fix[400], name[32];
	const char *target;
	int error = 0, minor = venv_model_minor_of(e->env_ver);

	if (e->unfinished || e->bin_state != VENV_DIR_OK || !e->ninterps)
		return 0;
	target = e->main >= 0 ? e->interps[e->main].name : e->interps[0].name;
	memset(&d, 0, sizeof(d));
	d.found = (char *)target;
	d.name = (char *)"python";
	if (venv_model_find_entry(e, "python") < 0) {
		snprintf(fix, sizeof(fix), "create the link 'bin/python' -> '%s'", target);
		if ((error = add(c, VENV_DIAG_MISSING_PYTHON, "bin/python", 0, fix,
				 "'bin/python' is missing")) < 0)
			return error;
	}
	if (venv_model_find_entry(e, "python3") < 0 && (minor >= 0 || !e->env_ver[0])) {
		snprintf(fix, sizeof(fix), "create the link 'bin/python3' -> '%s'", target);
		d.name = (char *)"python3";
		if ((error = add(c, VENV_DIAG_MISSING_INTERPRETER_ALIAS, "bin/python3", 0, fix,
				 "'bin/python3' is missing")) < 0)
			return error;
	}
	/* CPython makes pythonX.Y from 3.9 on; virtualenv and uv always. */
	if (e->env_ver[0] && minor >= 0 &&
	    (minor >= 9 || e->creator == VENV_CREATOR_VIRTUALENV || e->creator == VENV_CREATOR_UV)) {
		char rel[64];

		snprintf(name, sizeof(name), "python%s", e->env_ver);
		snprintf(rel, sizeof(rel), "bin/%s", name);
		if (venv_model_find_entry(e, name) < 0) {
			snprintf(fix, sizeof(fix), "create the link '%s' -> '%s'", rel, target);
			d.name = name;
			error = add(c, VENV_DIAG_MISSING_INTERPRETER_ALIAS, rel, 0, fix,
				    "'%s' is missing", rel);
		}
	}
	return error;
}

/* The base installation. */

static int file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/*
 * Look for lib/<stem><ver>/os.py (or os.pyc) at dir and its parents, as
 * getpath does (and PyPy, for lib/pypy<ver>, from its executable's directory).
 */
static int search_landmark(struct vbuf *prefix_out, const char *start, const char *stem,
			   const char *ver)
{
	struct vbuf dir = VBUF_INIT(VBUF_MAX_PATH), cand = VBUF_INIT(VBUF_MAX_PATH);
	int found = 0, error;

	if ((error = venv_path_normalize(&dir, start)) < 0)
		goto done;
	for (;;) {
		vbuf_reset(&cand);
		if ((error = vbuf_addf(&cand, "%s/lib/%s%s/os.py",
				       strcmp(dir.buf, "/") ? dir.buf : "", stem, ver)) < 0)
			goto done;
		if (file_exists(cand.buf) || (vbuf_addch(&cand, 'c') == 0 && file_exists(cand.buf))) {
			found = 1;
			error = vbuf_sets(prefix_out, dir.buf);
			goto done;
		}
		if (!strcmp(dir.buf, "/") || !strchr(dir.buf, '/'))
			break;
		if ((error = venv_path_dirname(&cand, dir.buf)) < 0 ||
		    (error = vbuf_sets(&dir, cand.buf)) < 0)
			goto done;
		if (!dir.len)
			break;
	}
done:
	vbuf_release(&dir);
	vbuf_release(&cand);
	return error < 0 ? error : found;
}

/* The landmark at exactly prefix (the compiled-in prefix is not searched upwards). */
static int landmark_at(const char *prefix, const char *stem, const char *ver)
{
	char path[PATH_MAX + 64];

	if (snprintf(path, sizeof(path), "%s/lib/%s%s/os.py", prefix, stem, ver) >= (int)sizeof(path))
		return 0;
	if (file_exists(path))
		return 1;
	if (snprintf(path, sizeof(path), "%s/lib/%s%s/os.pyc", prefix, stem, ver) >= (int)sizeof(path))
		return 0;
	return file_exists(path);
}

static int parent_of_parent(struct vbuf *out, const char *path)
{
	struct vbuf t = VBUF_INIT(VBUF_MAX_PATH);
	int error;

	if ((error = venv_path_dirname(&t, path)) >= 0)
		error = venv_path_dirname(out, t.buf);
	vbuf_release(&t);
	return error;
}

/* Read PY_VERSION from <prefix>/include/python<ver>/patchlevel.h. */
static int base_patchlevel(char *out, size_t size, const char *prefix, const char *ver)
{
	struct vbuf buf = VBUF_INIT(PATCHLEVEL_MAX);
	char dir[PATH_MAX + 64];
	const char *p;
	int fd, err, rc, found = 0;

	out[0] = '\0';
	if (snprintf(dir, sizeof(dir), "%s/include/python%s", prefix, ver) >= (int)sizeof(dir))
		return 0;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	rc = venv_fs_read_capped(fd, "patchlevel.h", PATCHLEVEL_MAX, 0, &buf, NULL, &err);
	close(fd);
	if (rc == VENV_RD_OK && (p = strstr(buf.buf, "#define PY_VERSION"))) {
		const char *q = strchr(p, '"'), *e;

		if (q && (e = strchr(q + 1, '"')) && (size_t)(e - q - 1) < size) {
			memcpy(out, q + 1, (size_t)(e - q - 1));
			out[e - q - 1] = '\0';
			found = 1;
		}
	}
	vbuf_release(&buf);
	return found;
}

/* Compare two regular files: 1 when they differ, 0 when equal, -1 when unknown. */
static int files_differ(int a, int b)
{
	struct stat sa, sb;
	char ba[65536], bb[65536];
	uint64_t done = 0;

	if (fstat(a, &sa) < 0 || fstat(b, &sb) < 0)
		return -1;
	if (sa.st_size != sb.st_size)
		return 1;
	if ((uint64_t)sa.st_size > COMPARE_MAX)
		return -1;
	while (done < (uint64_t)sa.st_size) {
		ssize_t na = pread(a, ba, sizeof(ba), (off_t)done);
		ssize_t nb = pread(b, bb, sizeof(bb), (off_t)done);

		if (na <= 0 || nb != na)
			return -1;
		if (memcmp(ba, bb, (size_t)na))
			return 1;
		done += (uint64_t)na;
	}
	return 0;
}

/*
 * Does the libpython a copied interpreter needs exist where its RUNPATH says?
 * 1 yes, 0 no (`where` says where it was looked for), < 0 on error.
 */
static int libpython_present(const struct venv_elf_info *elf, const char *bin_dir,
			     struct vbuf *where)
{
	const char *p = elf->runpath;

	if (!elf->libpython || !elf->runpath || !*elf->runpath)
		return 1;
	while (p && *p) {
		const char *colon = strchr(p, ':');
		size_t n = colon ? (size_t)(colon - p) : strlen(p);
		char dir[PATH_MAX], path[PATH_MAX + 300];

		if (n && n < sizeof(dir)) {
			memcpy(dir, p, n);
			dir[n] = '\0';
			if (!strncmp(dir, "$ORIGIN", 7) || !strncmp(dir, "${ORIGIN}", 9)) {
				const char *rest = dir + (dir[1] == '{' ? 9 : 7);

				snprintf(path, sizeof(path), "%s%s/%s", bin_dir, rest, elf->libpython);
			} else {
				snprintf(path, sizeof(path), "%s/%s", dir, elf->libpython);
			}
			if (file_exists(path))
				return 1;
			if (!where->len) {
				int error = vbuf_sets(where, dir);

				if (error < 0)
					return error;
			}
		}
		p = colon ? colon + 1 : NULL;
	}
	return 0;
}

static int check_base(struct venv_check_ctx *c)
{
	struct venv_finding_data d;
	struct venv_model *e = c->env;
	const struct venv_elf_info *elf;
	struct vbuf start = VBUF_INIT(VBUF_MAX_PATH), prefix = VBUF_INIT(VBUF_MAX_PATH);
	struct vbuf where = VBUF_INIT(VBUF_MAX_PATH);
	struct vbuf bin_dir = VBUF_INIT(VBUF_MAX_PATH);
	const struct venv_model_interp *in;
	const char *home_gp = NULL, *ver, *exe_real = NULL;
	char rel[300], fix[2 * PATH_MAX + 400], patch[32], vwant[48], libname[32];
	int error = 0, found = 0, fallback = 0, minor, status_ok;
	/* PyPy's standard library is lib/pypyX.Y, found from its executable alone. */
	int pypy = venv_model_is_pypy(e);

	if (e->main < 0)
		goto done;
	in = &e->interps[e->main];
	snprintf(rel, sizeof(rel), "bin/%s", in->name);
	status_ok = in->status == VENV_IS_OK;
	if (!status_ok && in->kind != VENV_IK_COPY)
		goto done;
	if ((error = venv_path_join(&bin_dir, e->abs, "bin")) < 0)
		goto done;
	exe_real = e->main_exe;
	elf = &e->main_elf;
	memset(&d, 0, sizeof(d));
	d.found = e->bin_ver;
	d.want = e->env_ver;
	d.name = in->name;

	/* A base upgraded to another minor version: the worst of the common cases. */
	if (e->bin_ver[0] && e->env_ver[0] && strcmp(e->bin_ver, e->env_ver)) {
		const struct venv_model_libdir *was = venv_model_find_lib(e, e->env_ver),
					       *now = venv_model_find_lib(e, e->bin_ver);

		/*
		 * Nothing left behind in the recorded version's site-packages and
		 * the packages where the interpreter looks: only `version` is stale.
		 */
		if ((!was || (!was->site_nonempty && !was->site_link)) && now && now->has_site) {
			d.found = e->env_full[0] ? e->env_full : e->env_ver;
			d.want = NULL;
			if ((error = add(c, VENV_DIAG_STALE_VERSION, "pyvenv.cfg", e->facts.version_line,
					 "set `version` to the base interpreter's", "pyvenv.cfg records "
					 "Python %s but '%s' runs Python %s, whose 'lib/%s' holds the "
					 "packages", d.found, rel, e->bin_ver, now->name)) < 0)
				goto done;
		} else if ((error = add(c, VENV_DIAG_BASE_VERSION_MISMATCH, rel, 0,
				 "install the packages again for the new version ('venv repair --upgrade')",
				 "the environment was made for Python %s but '%s' now runs Python %s"
				 "%s%s%s; packages in 'lib/%s' are invisible to it",
				 e->env_ver, rel, e->bin_ver, exe_real ? " ('" : "",
				 exe_real ? exe_real : "", exe_real ? "')" : "",
				 venv_model_lib_name(e, e->env_ver, libname, sizeof(libname)))) < 0)
			goto done;
	}

	memset(&d, 0, sizeof(d));
	ver = e->active_ver;
	if (!ver[0])
		goto done;
	minor = venv_model_minor_of(ver);

	/* Where getpath starts looking for the standard library. */
	if (pypy)
		home_gp = NULL;
	else if (minor >= 11 || minor < 0)
		home_gp = e->facts.home_first;
	else if (in->kind == VENV_IK_COPY && e->facts.strict_home_found)
		home_gp = e->facts.strict_home;
	if (in->kind == VENV_IK_COPY)
		error = vbuf_sets(&start, home_gp ? home_gp : bin_dir.buf);
	else if (minor >= 11 && home_gp)
		error = vbuf_sets(&start, home_gp);
	else
		error = venv_path_dirname(&start, exe_real);
	/*
	 * A home longer than any path (a damaged pyvenv.cfg) holds no landmark;
	 * it stopped the whole check ("data exceeds the limit of 65536 bytes").
	 */
	if (error == VENV_ETOOBIG) {
		venv_error_clear();
		vbuf_reset(&start);
		error = 0;
	}
	if (error < 0)
		goto done;
	if (start.len && start.buf[0] == '/' &&
	    (found = search_landmark(&prefix, start.buf, e->lib_stem, ver)) < 0) {
		error = found;
		goto done;
	}

	/* Not found: Python falls back on its compiled-in prefix. */
	if (!found) {
		const char *cands[6];
		size_t k, n = 0;
		struct vbuf tmp = VBUF_INIT(VBUF_MAX_PATH);

		if (exe_real && (error = parent_of_parent(&tmp, exe_real)) >= 0 && tmp.len)
			cands[n++] = strdup(tmp.buf);
		if (in->kind == VENV_IK_COPY && elf->runpath && elf->runpath[0] == '/') {
			const char *colon = strchr(elf->runpath, ':');
			struct vbuf one = VBUF_INIT(VBUF_MAX_PATH);

			if (!vbuf_add(&one, elf->runpath, colon ? (size_t)(colon - elf->runpath) :
				      strlen(elf->runpath)) && !venv_path_dirname(&tmp, one.buf) && tmp.len)
				cands[n++] = strdup(tmp.buf);
			vbuf_release(&one);
		}
		if (venv_model_cfg_get(e, "executable") && venv_model_cfg_get(e, "executable")[0] == '/' &&
		    !parent_of_parent(&tmp, venv_model_cfg_get(e, "executable")) && tmp.len)
			cands[n++] = strdup(tmp.buf);
		if (venv_model_cfg_get(e, "base-prefix") && venv_model_cfg_get(e, "base-prefix")[0] == '/')
			cands[n++] = strdup(venv_model_cfg_get(e, "base-prefix"));
		/*
		 * A `home` the strict reader of Python <= 3.10 skipped (BOM, other
		 * spacing) still names the installation the copy was made from,
		 * whose prefix is the one compiled in.
		 */
		if (e->facts.home_first && e->facts.home_first[0] == '/' &&
		    !venv_path_dirname(&tmp, e->facts.home_first) && tmp.len)
			cands[n++] = strdup(tmp.buf);
		vbuf_release(&tmp);
		for (k = 0; k < n; k++) {
			if (!cands[k]) {
				error = venv_error_set(VENV_ENOMEM, "out of memory");
				continue;
			}
			if (!found && landmark_at(cands[k], e->lib_stem, ver)) {
				int set = vbuf_sets(&prefix, cands[k]);

				found = fallback = 1;
				if (set < 0)
					error = set;
			}
			free((char *)cands[k]);
		}
		if (error < 0)
			goto done;
	}
	if (!found) {
		if ((error = add(c, VENV_DIAG_BASE_STDLIB_MISSING, rel, 0,
				 "move to another base ('venv repair --upgrade --python PYTHON')",
				 "Python %s's standard library ('lib/%s%s/os.py') is found neither "
				 "from '%s' nor at the base installation", ver, e->lib_stem, ver,
				 start.len ? start.buf : "(nothing)")) < 0)
			goto done;
	}

	/* A copied interpreter also needs its libpython. */
	if (in->kind == VENV_IK_COPY) {
		int present = libpython_present(elf, bin_dir.buf, &where);

		if (present < 0) {
			error = present;
			goto done;
		}
		if (!present && (error = add(c, VENV_DIAG_BASE_MISSING, rel, 0,
					     "move to another base ('venv repair --upgrade --python "
					     "PYTHON')", "the copied interpreter '%s' needs '%s', which "
					     "is not in '%s' any more", rel, elf->libpython,
					     where.buf)) < 0)
			goto done;
	}

	/* `home` that leads nowhere while the environment still starts. */
	if (found && e->cfg_state == VENV_CFG_OK && e->facts.home_first) {
		const char *home = e->facts.home_first;
		struct stat hs;
		char p1[PATH_MAX + 40], p2[PATH_MAX + 40];
		int home_ok;

		/* PyPy's base is pypy3.9 (virtualenv names the environment's bin/pypy). */
		snprintf(p1, sizeof(p1), "%s/%s%s", home, e->lib_stem, ver);
		snprintf(p2, sizeof(p2), "%s/%s", home, in->name);
		home_ok = stat(home, &hs) == 0 && S_ISDIR(hs.st_mode) &&
			  (file_exists(p1) || file_exists(p2));
		/*
		 * A `home` that is fine but unread (strict format, BOM) is the
		 * business of the pyvenv.cfg rules, not this one.
		 */
		if (!home_ok) {
			struct vbuf want = VBUF_INIT(VBUF_MAX_PATH);

			if (exe_real)
				venv_path_dirname(&want, exe_real);
			else if (prefix.len && (error = vbuf_addf(&want, "%s/bin", prefix.buf)) < 0) {
				vbuf_release(&want);
				goto done;
			}
			snprintf(fix, sizeof(fix), "set `home` to '%s'", want.buf);
			d.found = (char *)home;
			d.want = want.len ? want.buf : NULL;
			/* No directory to set: venv repair declines too (repair/fix_cfg.c). */
			error = add(c, VENV_DIAG_STALE_HOME, "pyvenv.cfg", e->facts.home_first_line,
				    want.len ? fix : NULL,
				    "`home` '%s' %s; the environment still starts because Python %s",
				    home, stat(home, &hs) < 0 ? "does not exist" :
				    "holds no interpreter of this version",
				    fallback ? "falls back on its installation prefix" :
				    "follows the interpreter link instead");
			vbuf_release(&want);
			memset(&d, 0, sizeof(d));
			if (error < 0)
				goto done;
		}
	}

	/* Same minor version, another patch release. */
	if (found && e->env_full[0] && base_patchlevel(patch, sizeof(patch), prefix.buf, ver)) {
		int a1, b1, m1, a2, b2, m2;

		if (!venv_version_parse(e->env_full, &a1, &b1, &m1) &&
		    !venv_version_parse(patch, &a2, &b2, &m2) && a1 == a2 && b1 == b2 &&
		    m1 >= 0 && m2 >= 0 && m1 != m2) {
			snprintf(fix, sizeof(fix), "set `version` to '%d.%d.%d'", a2, b2, m2);
			snprintf(vwant, sizeof(vwant), "%d.%d.%d", a2, b2, m2);
			d.found = e->env_full;
			d.want = vwant;
			if ((error = add(c, VENV_DIAG_STALE_VERSION, "pyvenv.cfg", e->facts.version_line,
					 fix, "pyvenv.cfg records Python %s but the base installation at "
					 "'%s' is Python %d.%d.%d", e->env_full, prefix.buf, a2, b2,
					 m2)) < 0)
				goto done;
		}
	}

	/* A copy that no longer matches what it was copied from. */
	if (in->kind == VENV_IK_COPY && status_ok) {
		const char *names[3];
		char nm[40], n3[16];
		size_t k;

		/*
		 * PyPy's base is pypy3 (pypy3.9), never the python3 or python3.9
		 * beside it (a CPython), whatever the copy is named.
		 */
		snprintf(nm, sizeof(nm), "%s%s", e->lib_stem, ver);
		snprintf(n3, sizeof(n3), "%s3", e->lib_stem);
		names[0] = strcmp(e->lib_stem, "python") && !strncmp(in->name, "python", 6) ?
			   n3 : in->name;
		names[1] = n3;
		names[2] = nm;
		for (k = 0; k < 3 && e->facts.home_first; k++) {
			char path[PATH_MAX + 64];
			int a, b, differ;

			snprintf(path, sizeof(path), "%s/%s", e->facts.home_first, names[k]);
			if ((b = venv_fs_open_regular(path)) < 0)
				continue;
			a = openat(e->bin, in->name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
			differ = a >= 0 ? files_differ(a, b) : -1;
			if (a >= 0)
				close(a);
			close(b);
			if (differ == 1) {
				snprintf(fix, sizeof(fix), "copy '%s' to '%s' again", path, rel);
				memset(&d, 0, sizeof(d));
				d.found = path;
				error = add(c, VENV_DIAG_STALE_COPIED_INTERPRETER, rel, 0, fix,
					    "'%s' differs from the base interpreter '%s' it was copied "
					    "from; the base was upgraded since", rel, path);
			}
			break;
		}
	}
done:
	vbuf_release(&start);
	vbuf_release(&prefix);
	vbuf_release(&where);
	vbuf_release(&bin_dir);
	return error;
}

/* The name users run that leads to interpreter i: python, python3, else its own. */
static const char *user_name_of(const struct venv_model *e, int i)
{
	static const char *const names[] = { "python", "python3" };
	size_t k;

	for (k = 0; k < VENV_ARRAY_SIZE(names); k++) {
		int at = venv_model_find_entry(e, names[k]), root;

		if (at >= 0 && e->entries[at].interp >= 0) {
			venv_model_resolve(e, e->entries[at].interp, &root);
			if (root == i)
				return names[k];
		}
	}
	return e->interps[i].name;
}

/*
 * A mixed environment: `venv create -p 3.12` (or python3.12 -m venv) over a
 * 3.11 one adds python3.12 and rewrites pyvenv.cfg, but python and python3
 * still run 3.11. Each interpreter works and sees its own lib/pythonX.Y,
 * so nothing fails, but `pip install` and `python` no longer agree.
 */
static int check_mixed(struct venv_check_ctx *c)
{
	struct venv_model *e = c->env;
	size_t i;
	int error = 0;

	if (e->main < 0 || !e->env_ver[0] || strcmp(e->interps[e->main].ver, e->env_ver))
		return 0;
	for (i = 0; i < e->ninterps && !error; i++) {
		const struct venv_model_interp *in = &e->interps[i];
		struct venv_finding_data d;
		char rel[300], fix[700];
		const char *user;

		if ((int)i == e->main || in->kind == VENV_IK_LINK_INTERNAL || !in->ver[0] ||
		    !strcmp(in->ver, e->env_ver))
			continue;
		user = user_name_of(e, (int)i);
		snprintf(rel, sizeof(rel), "bin/%s", user);
		/* What repair does for it: plain repair declines and names this command. */
		snprintf(fix, sizeof(fix), "with --upgrade: move what 'lib/python%s' holds into "
			 "'lib/python%s' and remove '%s'", in->ver, e->env_ver, rel);
		memset(&d, 0, sizeof(d));
		d.found = (char *)in->ver;
		d.want = e->env_ver;
		d.name = (char *)user;
		error = venv_check_add_sev(c, VENV_SEVERITY_WARNING, VENV_DIAG_BASE_VERSION_MISMATCH,
					   rel, 0, fix, &d,
					   "the environment mixes two versions: '%s' runs Python %s "
					   "(and sees 'lib/python%s') while pyvenv.cfg and 'bin/%s' are "
					   "Python %s (and see 'lib/python%s'); what pip installs for "
					   "one, the other does not import", rel, in->ver, in->ver,
					   e->interps[e->main].name, e->env_ver, e->env_ver);
	}
	return error;
}

int venv_rules_base(struct venv_check_ctx *c)
{
	int error;

	if ((error = check_interps(c)) < 0 || (error = check_aliases(c)) < 0 ||
	    (error = check_mixed(c)) < 0)
		return error;
	return check_base(c);
}
