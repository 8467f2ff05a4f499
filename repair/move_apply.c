/*
 * The second half of a move across minor versions: carrying out what
 * venv_move_prepare() (move.c) decided. Planning the renames, rewriting
 * RECORD and console scripts, installing again from wheels, and removing
 * the old version's bytecode afterwards.
 */
#include "compat.h"
#include <dirent.h>
#include <sys/utsname.h>
#include "venv.h"
#include "diag.h"
#include "fs.h"
#include "path.h"
#include "sha256.h"
#include "pep508.h"
#include "entrypoints.h"
#include "../create/wheel.h"
#include "pip.h"
#include "move.h"
#include "move_int.h"
#include "wheels.h"

/* ---- moving ---- */

static int add_pair(struct venv_move *m, const char *from, const char *to)
{
	int error = venv_move__push_str(&m->pairs, &m->npairs, &m->apairs, from);

	return error < 0 ? error : venv_move__push_str(&m->pairs, &m->npairs, &m->apairs, to);
}

static int add_unowned(struct venv_move *m, const char *from, const char *to, int renamed)
{
	struct venv_move_entry *p;

	if (m->nunowned == m->aunowned) {
		size_t na = m->aunowned ? m->aunowned * 2 : 16;

		if (!(p = realloc(m->unowned, na * sizeof(*p))))
			return venv_move__oom();
		m->unowned = p;
		m->aunowned = na;
	}
	p = &m->unowned[m->nunowned];
	p->from = strdup(from);
	p->to = strdup(to);
	p->renamed = renamed;
	if (!p->from || !p->to) {
		free(p->from);
		free(p->to);
		return venv_move__oom();
	}
	m->nunowned++;
	return 0;
}

/*
 * lstat of an environment-relative path, never through a link on the way:
 * 0 when rel exists (st filled), 1 when it does not, and an error when it
 * cannot be told (what decides whether files are moved needs that: a
 * failing disk is not an empty directory, and what is not moved is deleted
 * with the old version).
 */
int venv_move__exists_rel(struct venv_envdir *e, const char *rel, struct stat *st)
{
	const char *base;
	int dfd = venv_repair_open_parent(e->fd, rel, &base), r, err;

	if (dfd < 0) {
		if (dfd == VENV_ENOTFOUND) {
			venv_error_clear();
			return 1;
		}
		return dfd;
	}
	r = fstatat(dfd, base, st, AT_SYMLINK_NOFOLLOW);
	err = errno;
	close(dfd);
	if (r == 0)
		return 0;
	if (err == ENOENT || err == ENOTDIR)
		return 1;
	errno = err;
	return venv_error_set_errno(VENV_EIO, "cannot stat '%s/%s'", e->dir, rel);
}

/* exists_rel for a caller to whom anything but "there" means "not there": 0 or -1. */
static int lstat_rel(struct venv_envdir *e, const char *rel, struct stat *st)
{
	int r = venv_move__exists_rel(e, rel, st);

	if (r < 0)
		venv_error_clear();
	return r == 0 ? 0 : -1;
}

static int mkdir_rel(struct venv_envdir *e, const char *rel, mode_t mode)
{
	const char *base;
	int dfd = venv_repair_open_parent(e->fd, rel, &base), error = 0;

	if (dfd < 0)
		return dfd;
	if (mkdirat(dfd, base, mode & 07777) < 0 && errno != EEXIST)
		error = venv_error_set_errno(VENV_EIO, "cannot create '%s/%s'", e->dir, rel);
	close(dfd);
	return error;
}

/*
 * The names in an environment-relative directory (unsorted), read with
 * venv_dir_read: a directory opened in one openat2 and no fdopendir (whose
 * fstat and fcntl calls an upgrade would make for each of the hundreds of
 * directories it looks into).
 */
int venv_move__list_dir(struct venv_envdir *e, const char *rel, char ***names, size_t *n)
{
	size_t alloc = 0;
	struct venv_dir d;
	const char *name;
	int fd = venv_repair_open_dir(e->fd, rel), error = 0;

	*names = NULL;
	*n = 0;
	/* errno is still the open's: the message names the environment, as it always has. */
	if (fd < 0)
		return venv_error_set_errno(fd == VENV_ENOTFOUND || fd == VENV_EUNSAFE ? fd : VENV_EIO,
					    "cannot read '%s/%s'", e->dir, rel);
	if (venv_dir_open(&d, fd) < 0) {
		close(fd);
		return venv_error_set(VENV_ENOMEM, "out of memory");
	}
	while (!error) {
		errno = 0;
		if (!(name = venv_dir_read(&d, NULL))) {
			if (errno)
				error = venv_error_set_errno(VENV_EIO, "cannot read '%s/%s'", e->dir,
							     rel);
			break;
		}
		error = venv_move__push_str(names, n, &alloc, name);
	}
	venv_dir_close(&d);
	close(fd);
	return error;
}

/*
 * Is `rel` (site-relative; from: env-relative) a __pycache__ inside what
 * stays (a distribution installed again, or whose new version's copy is
 * kept) holding nothing but the old version's bytecode, which the running
 * old version wrote? It goes with the old version, as what it caches does.
 */
static int stale_cache(struct venv_move *m, struct venv_envdir *e, const char *rel,
		       const char *from)
{
	struct vbuf path = VBUF_INIT(VBUF_MAX_PATH);
	const char *slash = strrchr(rel, '/');
	char **names = NULL;
	size_t n = 0, i;
	int stale;

	if (!slash || strcmp(slash + 1, "__pycache__") ||
	    vbuf_add(&path, rel, (size_t)(slash - rel)) < 0 ||
	    !venv_move__has_below(m->held, m->nheld, path.buf) || venv_move__list_dir(e, from, &names, &n) < 0) {
		venv_error_clear();
		vbuf_release(&path);
		return 0;
	}
	for (i = 0, stale = 1; i < n && stale; i++) {
		vbuf_reset(&path);
		stale = vbuf_addf(&path, "%s/%s", rel, names[i]) == 0 &&
			venv_move__is_old_bytecode(path.buf, m->old_minor);
	}
	venv_move__free_strs(names, n);
	vbuf_release(&path);
	return stale;
}

/*
 * The two directories the plan looks into entry after entry (one of the
 * old site-packages, the same one of the new), kept open: an entry is then
 * one fstatat, not the open of its directory, the fstatat and the close.
 * Kept only while the plan runs, in which nothing is renamed.
 */
struct plan_dirs {
	struct {
		struct vbuf rel;   /* the directory, environment-relative */
		int fd;            /* -1: none */
	} slot[2];
	int next;              /* the slot to reuse next */
};

static void plan_dirs_init(struct plan_dirs *pd)
{
	int i;

	for (i = 0; i < 2; i++) {
		pd->slot[i].rel = (struct vbuf)VBUF_INIT(VBUF_MAX_PATH);
		pd->slot[i].fd = -1;
	}
	pd->next = 0;
}

static void plan_dirs_release(struct plan_dirs *pd)
{
	int i;

	for (i = 0; i < 2; i++) {
		if (pd->slot[i].fd >= 0)
			close(pd->slot[i].fd);
		pd->slot[i].fd = -1;
		vbuf_release(&pd->slot[i].rel);
	}
}

/* venv_move__exists_rel() through the kept directories. */
static int plan_exists(struct plan_dirs *pd, struct venv_envdir *e, const char *rel,
		       struct stat *st)
{
	const char *last = strrchr(rel, '/'), *base;
	size_t dlen = last ? (size_t)(last - rel) : 0;
	int i, fd, err;

	if (!last)
		return venv_move__exists_rel(e, rel, st);
	for (i = 0; i < 2; i++)
		if (pd->slot[i].fd >= 0 && pd->slot[i].rel.len == dlen &&
		    !memcmp(pd->slot[i].rel.buf, rel, dlen))
			break;
	if (i == 2) {
		/* Not kept: opened as venv_move__exists_rel() opens it, then kept. */
		if ((fd = venv_repair_open_parent(e->fd, rel, &base)) < 0) {
			if (fd == VENV_ENOTFOUND) {
				venv_error_clear();
				return 1;
			}
			return fd;
		}
		i = pd->next;
		pd->next = !pd->next;
		if (pd->slot[i].fd >= 0)
			close(pd->slot[i].fd);
		pd->slot[i].fd = -1;
		vbuf_reset(&pd->slot[i].rel);
		if (vbuf_add(&pd->slot[i].rel, rel, dlen) < 0) {
			/* Not kept (a path over the cap): this one look still works. */
			venv_error_clear();
			err = fstatat(fd, base, st, AT_SYMLINK_NOFOLLOW) == 0 ? 0 : errno;
			close(fd);
			goto judge;
		}
		pd->slot[i].fd = fd;
	}
	err = fstatat(pd->slot[i].fd, last + 1, st, AT_SYMLINK_NOFOLLOW) == 0 ? 0 : errno;
judge:
	if (!err)
		return 0;
	if (err == ENOENT || err == ENOTDIR)
		return 1;
	errno = err;
	return venv_error_set_errno(VENV_EIO, "cannot stat '%s/%s'", e->dir, rel);
}

/* plan_exists() for a caller to whom anything but "there" means "not there": 0 or -1. */
static int plan_lstat(struct plan_dirs *pd, struct venv_envdir *e, const char *rel,
		      struct stat *st)
{
	int r = plan_exists(pd, e, rel, st);

	if (r < 0)
		venv_error_clear();
	return r == 0 ? 0 : -1;
}

/*
 * Plan the move of the entry `rel` of the old site-packages (site-relative)
 * into the new one: a whole rename unless something in it stays (it holds
 * files of a distribution installed again), or the new site-packages has a
 * directory of that name already (the two are merged entry by entry).
 */
static int plan_entry(struct venv_move *m, struct venv_envdir *e, struct plan_dirs *pd,
		      const char *rel)
{
	struct vbuf from = VBUF_INIT(VBUF_MAX_PATH), to = VBUF_INIT(VBUF_MAX_PATH);
	struct stat st, nst;
	char **names = NULL;
	size_t n = 0, i;
	int error = 0, descend = 0, renamed = 0;

	if (venv_move__has_exact(m->held, m->nheld, rel))
		return 0;
	if ((error = vbuf_addf(&from, "%s/%s", m->old_site, rel)) < 0 ||
	    (error = vbuf_addf(&to, "%s/%s", m->new_site, rel)) < 0)
		goto done;
	if ((error = plan_exists(pd, e, from.buf, &st)) != 0) {
		error = error < 0 ? error : 0;
		goto done;
	}
	if (S_ISDIR(st.st_mode) && stale_cache(m, e, rel, from.buf))
		goto done;
	if (S_ISDIR(st.st_mode) && venv_move__has_below(m->held, m->nheld, rel)) {
		descend = 1;
		if (!m->dry && (error = mkdir_rel(e, to.buf, st.st_mode)) < 0)
			goto done;
	} else if (plan_lstat(pd, e, to.buf, &nst) == 0) {
		if (S_ISDIR(st.st_mode) && S_ISDIR(nst.st_mode)) {
			descend = 1;
		} else {
			/* Both are kept: ours gets the old version's name beside it. */
			int k;

			for (k = 1; k < 100; k++) {
				vbuf_reset(&to);
				if ((error = vbuf_addf(&to, "%s/%s.python3.%d", m->new_site, rel,
						       m->old_minor)) < 0 ||
				    (k > 1 && (error = vbuf_addf(&to, "-%d", k)) < 0))
					goto done;
				if (plan_lstat(pd, e, to.buf, &nst) < 0)
					break;
			}
			renamed = 1;
		}
	}
	if (descend) {
		if ((error = venv_move__list_dir(e, from.buf, &names, &n)) < 0)
			goto done;
		for (i = 0; i < n && !error; i++) {
			vbuf_reset(&to);
			if ((error = vbuf_addf(&to, "%s/%s", rel, names[i])) < 0)
				break;
			error = plan_entry(m, e, pd, to.buf);
		}
		goto done;
	}
	if ((error = add_pair(m, from.buf, to.buf)) < 0)
		goto done;
	if (renamed || (!venv_move__has_exact(m->owned, m->nowned, rel) && !venv_move__has_below(m->owned, m->nowned, rel)))
		error = add_unowned(m, from.buf, to.buf, renamed);
done:
	venv_move__free_strs(names, n);
	vbuf_release(&from);
	vbuf_release(&to);
	return error;
}

static int rename_rel(struct venv_envdir *e, const char *from, const char *to)
{
	const char *fb, *tb;
	int fd = venv_repair_open_parent(e->fd, from, &fb), td, error = 0;

	if (fd < 0)
		return fd;
	if ((td = venv_repair_open_parent(e->fd, to, &tb)) < 0) {
		close(fd);
		return td;
	}
	if (renameat(fd, fb, td, tb) < 0)
		error = venv_error_set_errno(VENV_EIO, "cannot move '%s' to '%s'", from, to);
	close(fd);
	close(td);
	return error;
}

/* ---- RECORD and console scripts ---- */

static int row_add(struct vbuf *out, const char *path, const char *hash, const char *size,
		   const char *eol)
{
	int error;

	if ((error = venv_record_add_field(out, path)) < 0 || (error = vbuf_addch(out, ',')) < 0 ||
	    (error = venv_record_add_field(out, hash)) < 0 || (error = vbuf_addch(out, ',')) < 0 ||
	    (error = venv_record_add_field(out, size)) < 0)
		return error;
	return vbuf_adds(out, eol);
}

static int hashed_row(struct vbuf *out, const char *path, const char *data, size_t len,
		      const char *eol)
{
	unsigned char sha[VENV_SHA256_LEN];
	char b64[VENV_SHA256_B64_LEN + 1], hash[8 + VENV_SHA256_B64_LEN + 1], size[24];

	venv_sha256(data, len, sha);
	venv_sha256_b64(sha, b64);
	snprintf(hash, sizeof(hash), "sha256=%s", b64);
	snprintf(size, sizeof(size), "%zu", len);
	return row_add(out, path, hash, size, eol);
}

static int has_name(const struct venv_entry_point *eps, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(eps[i].name, name))
			return 1;
	return 0;
}

/*
 * A data script (.data/scripts) whose first line runs the old version's
 * interpreter by name ("#!.../bin/python3.11"): pip wrote the interpreter
 * it ran as; that name goes with the old version, so the line is written
 * for the new one. Returns 1 when the file was rewritten (new in *data).
 */
static int fix_data_script(int bfd, const char *name, const char *python, int old_minor,
			   struct vbuf *data)
{
	char tail[32];
	size_t tl, il;
	struct vbuf out = VBUF_INIT(VBUF_MAX_SCRIPT + 4096);
	struct venv_shebang sb = VENV_SHEBANG_INIT;
	int error = 0;

	vbuf_reset(data);
	if (venv_fs_read_file_at(data, bfd, name, VBUF_MAX_SCRIPT) < 0) {
		venv_error_clear();
		return 0;
	}
	snprintf(tail, sizeof(tail), "/python3.%d", old_minor);
	tl = strlen(tail);
	/* Only "#!/.../python3.<old>" and nothing after it on the line is rewritten. */
	if ((error = venv_shebang_parse(&sb, data->buf, data->len)) < 0) {
		if (error == VENV_ETOOBIG) {
			venv_error_clear();
			error = 0;
		}
		goto done;
	}
	il = sb.interpreter ? strlen(sb.interpreter) : 0;
	if (sb.kind != VENV_SHEBANG_DIRECT || !sb.header_len || !sb.interpreter || !sb.args || *sb.args ||
	    il < tl || memcmp(sb.interpreter + il - tl, tail, tl))
		goto done;
	if ((error = venv_shebang_rewrite(&out, data->buf, data->len, sb.header_len, python,
					  NULL)) < 0 ||
	    (error = venv_fs_write_file_mode(bfd, name, out.buf, out.len, 0755,
					     VENV_FS_ATOMIC)) < 0)
		goto done;
	vbuf_reset(data);
	error = vbuf_add(data, out.buf, out.len);
	if (!error)
		error = 1;
done:
	venv_shebang_release(&sb);
	vbuf_release(&out);
	return error;
}

/*
 * Is bin/<name> a versioned copy of a console script that virtualenv
 * writes (name3, name-3.11, name3.11)? Then it is written again, for the
 * new version (name-3.12), the old one removed, and 1 returned with the
 * RECORD path in row and the text in script.
 */
static int variant(struct venv_move *m, int bfd, const char *name,
		   const struct venv_entry_point *eps, size_t neps, const char *shebang,
		   struct vbuf *row, struct vbuf *script)
{
	char forms[3][32];
	size_t i, k, bl;
	int error;

	for (i = 0; i < neps; i++) {
		bl = strlen(eps[i].name);
		if (!bl || (eps[i].name[bl - 1] >= '0' && eps[i].name[bl - 1] <= '9') ||
		    strncmp(name, eps[i].name, bl))
			continue;
		snprintf(forms[0], sizeof(forms[0]), "3");
		snprintf(forms[1], sizeof(forms[1]), "-3.%d", m->old_minor);
		snprintf(forms[2], sizeof(forms[2]), "3.%d", m->old_minor);
		for (k = 0; k < 3; k++)
			if (!strcmp(name + bl, forms[k]))
				break;
		if (k == 3)
			continue;
		vbuf_reset(script);
		vbuf_reset(row);
		if ((error = venv_wheel_script_text(script, shebang, &eps[i])) < 0 ||
		    (error = vbuf_addf(row, "%s%s", eps[i].name, k == 0 ? "3" : k == 1 ? "-3." :
				       "3.")) < 0 ||
		    (k && (error = vbuf_addf(row, "%d", m->new_minor)) < 0))
			return error;
		if (k)
			unlinkat(bfd, name, 0);
		if ((error = venv_fs_write_file_mode(bfd, row->buf, script->buf, script->len, 0755,
						     VENV_FS_ATOMIC)) < 0)
			return error;
		/* The row: "../../../bin/" + the new name. */
		{
			struct vbuf t = VBUF_INIT(VBUF_MAX_PATH);

			if ((error = vbuf_addf(&t, "../../../bin/%s", row->buf)) == 0)
				error = vbuf_sets(row, t.buf);
			vbuf_release(&t);
			if (error < 0)
				return error;
		}
		return 1;
	}
	return 0;
}

/* Does RECORD list bin/<name>? */
static int lists_script(const struct venv_record_row *rows, size_t nrows, const char *name)
{
	size_t i;

	for (i = 0; i < nrows; i++)
		if (!strncmp(rows[i].path, "../../../bin/", 13) && !strcmp(rows[i].path + 13, name))
			return 1;
	return 0;
}

/*
 * A distribution's console and GUI scripts as the one model of installed
 * distributions read them (common/dist.c: what importlib.metadata lists,
 * and so what pip wrote), never read again here. Each is checked as a
 * script written from it must be (venv_ep_check_script(): a name that
 * stays in bin/ and shadows nothing of the environment's, a callable of
 * dotted identifiers, so that no path and no code reaches bin/ or the
 * script): one that is not stops the upgrade, which is then rolled back,
 * as create refuses such a wheel.
 */
static int model_scripts(const struct venv_dist *d, struct venv_entry_point **raw, size_t *nraw)
{
	struct venv_entry_point *v = NULL, *p;
	size_t i, n = 0;
	int error = 0;

	if (d->nentries && !(v = calloc(d->nentries, sizeof(*v)))) {
		error = venv_error_set(VENV_ENOMEM, "out of memory");
		goto done;
	}
	for (i = 0; i < d->nentries; i++) {
		const struct venv_dist_entry *en = &d->entries[i];

		if ((error = venv_ep_check_script(en->name, strlen(en->name), en->module,
						  strlen(en->module), en->attr,
						  en->attr ? strlen(en->attr) : 0)) < 0)
			goto done;
		p = &v[n++];
		p->name = strdup(en->name);
		p->module = strdup(en->module);
		p->attr = en->attr ? strdup(en->attr) : NULL;
		if (!p->name || !p->module || !p->attr) {
			error = venv_error_set(VENV_ENOMEM, "out of memory");
			goto done;
		}
	}
done:
	if (error < 0) {
		venv_entry_points_free(v, n);
		v = NULL;
		n = 0;
	}
	*raw = v;
	*nraw = n;
	return error;
}

/*
 * The console scripts of a moved distribution, written again for the new
 * interpreter (pip's versioned names follow the version: pip3.11 becomes
 * pip3.12); the old ones that no longer exist are removed. With rows (its
 * RECORD), the new RECORD goes to `record`. A shared RECORD (a dist-info
 * linked into virtualenv's app-data, which other environments use) is never
 * written: the files it lists under bin/ keep their names, or check would
 * find them missing (VNV603).
 */
static int rewrite_dist(struct venv_move *m, struct venv_envdir *e, const struct venv_dist *d,
			int bfd, const char *python, const struct venv_record_row *rows, size_t nrows,
			const char *eol, int shared, struct vbuf *record)
{
	struct vbuf shebang = VBUF_INIT(VBUF_MAX_PATH);
	struct vbuf script = VBUF_INIT(VBUF_MAX_SCRIPT), path = VBUF_INIT(VBUF_MAX_PATH);
	struct venv_entry_point *raw = NULL, *neweps = NULL, *oldeps = NULL;
	size_t nraw = 0, nnew = 0, nold = 0, i;
	int error = 0;

	if ((error = model_scripts(d, &raw, &nraw)) < 0 ||
	    (error = venv_entry_points_pip_names(raw, nraw, 3, m->new_minor, &neweps, &nnew)) < 0 ||
	    (error = venv_entry_points_pip_names(raw, nraw, 3, m->old_minor, &oldeps, &nold)) < 0)
		goto done;
	if (nnew && (error = venv_wheel_shebang(&shebang, python)) < 0)
		goto done;
	/* Old names that go: pip3.11, and the pip-3.11 virtualenv writes beside it. */
	for (i = 0; i < nold; i++) {
		char suffix[16], dash[NAME_MAX + 16];
		size_t nl = strlen(oldeps[i].name), sl;

		if (!has_name(neweps, nnew, oldeps[i].name) &&
		    !(shared && lists_script(rows, nrows, oldeps[i].name)) &&
		    !venv_repair_trash_keep(e, bfd, oldeps[i].name, 1))
			unlinkat(bfd, oldeps[i].name, 0);
		snprintf(suffix, sizeof(suffix), "3.%d", m->old_minor);
		sl = strlen(suffix);
		if (nl > sl + 1 && !strcmp(oldeps[i].name + nl - sl, suffix) &&
		    oldeps[i].name[nl - sl - 1] != '-') {
			snprintf(dash, sizeof(dash), "%.*s-%s", (int)(nl - sl), oldeps[i].name, suffix);
			if (!(shared && lists_script(rows, nrows, dash)) &&
			    !venv_repair_trash_keep(e, bfd, dash, 1))
				unlinkat(bfd, dash, 0);
		}
	}
	for (i = 0; i < nnew; i++) {
		vbuf_reset(&script);
		/* The script replaced stays in the trash until repair has exited. */
		venv_repair_trash_keep(e, bfd, neweps[i].name, 0);
		if ((error = venv_wheel_script_text(&script, shebang.buf, &neweps[i])) < 0 ||
		    (error = venv_fs_write_file_mode(bfd, neweps[i].name, script.buf, script.len,
						     0755, VENV_FS_ATOMIC)) < 0)
			goto done;
	}
	if (!nrows)
		goto done;
	for (i = 0; i < nrows && !error; i++) {
		const char *p = rows[i].path;

		if (!strcmp(p + strlen(p) - (strlen(p) >= 7 ? 7 : 0), "/RECORD") && strchr(p, '/') ==
		    strrchr(p, '/'))
			continue;   /* its own row goes last */
		if (venv_move__is_old_bytecode(p, m->old_minor)) {
			const char *sp = venv_move__site_path(p);

			vbuf_reset(&path);
			if (sp && (error = vbuf_addf(&path, "%s/%s", m->new_site, sp)) == 0)
				error = venv_move__push_str(&m->stale, &m->nstale, &m->astale, path.buf);
			continue;
		}
		if (!strncmp(p, "../../../bin/", 13) && !strchr(p + 13, '/')) {
			int r = 0;

			if (has_name(oldeps, nold, p + 13) || has_name(neweps, nnew, p + 13))
				continue;   /* a console script: written below */
			/* virtualenv's copies of a console script: wheel3, wheel-3.11, wheel3.11. */
			if (shared)
				;   /* kept as the shared RECORD names them */
			else if ((r = variant(m, bfd, p + 13, neweps, nnew, shebang.buf, &path,
					 &script)) < 0) {
				error = r;
				break;
			}
			if (r > 0) {
				error = hashed_row(record, path.buf, script.buf, script.len, eol);
				continue;
			}
			r = fix_data_script(bfd, p + 13, python, m->old_minor, &script);
			if (r < 0) {
				error = r;
				break;
			}
			if (r > 0) {
				error = hashed_row(record, p, script.buf, script.len, eol);
				continue;
			}
		}
		error = row_add(record, p, rows[i].hash, rows[i].size, eol);
	}
	for (i = 0; i < nnew && !error; i++) {
		vbuf_reset(&script);
		vbuf_reset(&path);
		if ((error = venv_wheel_script_text(&script, shebang.buf, &neweps[i])) < 0 ||
		    (error = vbuf_addf(&path, "../../../bin/%s", neweps[i].name)) < 0)
			break;
		error = hashed_row(record, path.buf, script.buf, script.len, eol);
	}
done:
	venv_entry_points_free(raw, nraw);
	venv_entry_points_free(neweps, nnew);
	venv_entry_points_free(oldeps, nold);
	vbuf_release(&shebang);
	vbuf_release(&script);
	vbuf_release(&path);
	return error;
}

/*
 * Install a local wheel with our own installer (never running Python),
 * through create's wheel cache: a wheel met before (the one create put in,
 * or an earlier upgrade's) is copied from its unpacked, verified tree, not
 * inflated and hashed again. Without a cache it is unpacked inside the
 * upgrade's backup directory, which goes at the end either way.
 */
static int install_wheel(struct venv_move *m, struct venv_envdir *e, const char *wheel,
			 const char *python, const struct venv_pyinfo *to, int requested,
			 int again)
{
	struct vbuf scratch = VBUF_INIT(VBUF_MAX_PATH), purelib = VBUF_INIT(VBUF_MAX_PATH);
	struct vbuf old = VBUF_INIT(VBUF_MAX_PATH);
	struct vbuf scripts = VBUF_INIT(VBUF_MAX_PATH), headers = VBUF_INIT(VBUF_MAX_PATH);
	struct venv_wheel_target t;
	const char *base = strrchr(wheel, '/'), *dash;
	int error;

	memset(&t, 0, sizeof(t));
	/* The distribution's name as the wheel's file name escapes it (PEP 427). */
	base = base ? base + 1 : wheel;
	dash = strchr(base, '-');
	if ((error = vbuf_addf(&scratch, "%s/%s", e->dir, VENV_REPAIR_BACKUP)) < 0 ||
	    (error = vbuf_addf(&purelib, "%s/%s", e->dir, m->new_site)) < 0 ||
	    (error = vbuf_addf(&scripts, "%s/bin", e->dir)) < 0 ||
	    (error = vbuf_addf(&headers, "%s/include/site/python3.%d/%.*s", e->dir, to->minor,
			       (int)(dash ? (size_t)(dash - base) : strlen(base)), base)) < 0)
		goto done;
	t.purelib = t.platlib = purelib.buf;
	t.scripts = scripts.buf;
	t.headers = headers.buf;
	t.data = e->dir;
	t.python = python;
	t.major = to->major;
	t.minor = to->minor;
	t.requested = requested;
	/*
	 * A distribution installed again under the new version: what its old
	 * version left in the old site-packages (which goes at the commit, or
	 * stays as it was on a roll-back) is linked where it is the same file.
	 */
	if (again) {
		if ((error = vbuf_addf(&old, "%s/%s", e->dir, m->old_site)) < 0)
			goto done;
		t.reuse = old.buf;
	}
	error = venv_pip_install_wheel(wheel, &t, scratch.buf, NULL, NULL);
done:
	vbuf_release(&old);
	vbuf_release(&scratch);
	vbuf_release(&purelib);
	vbuf_release(&scripts);
	vbuf_release(&headers);
	return error;
}

static int report(struct venv_plan *done, int code, int kind, const char *path, const char *msg)
{
	return venv_plan_add(done, code, kind, path, NULL, 0, kind == VENV_FIX_MKDIR ? 0755 : 0644,
			     msg);
}

int venv_move_plan(struct venv_move *m, struct venv_envdir *e, int dry)
{
	char **names = NULL;
	size_t n = 0, i;
	struct stat st;
	struct plan_dirs pd;
	int error = 0;

	plan_dirs_init(&pd);
	venv_move__free_strs(m->pairs, m->npairs);
	m->pairs = NULL;
	m->npairs = m->apairs = 0;
	for (i = 0; i < m->nunowned; i++) {
		free(m->unowned[i].from);
		free(m->unowned[i].to);
	}
	m->nunowned = 0;
	m->dry = dry;
	if (!m->ds || (error = venv_move__exists_rel(e, m->old_site, &st)) != 0)
		return error < 0 ? error : 0;
	/* Everything of the old lib directory: site-packages entry by entry, the rest whole. */
	if ((error = venv_move__list_dir(e, m->old_site, &names, &n)) < 0)
		goto done;
	for (i = 0; i < n && !error; i++)
		error = plan_entry(m, e, &pd, names[i]);
	venv_move__free_strs(names, n);
	names = NULL;
	n = 0;
	if (error < 0 || (error = venv_move__list_dir(e, m->old_lib, &names, &n)) < 0)
		goto done;
	for (i = 0; i < n && !error; i++) {
		struct vbuf from = VBUF_INIT(VBUF_MAX_PATH), dest = VBUF_INIT(VBUF_MAX_PATH);
		struct stat nst;

		if (!strcmp(names[i], "site-packages"))
			continue;
		if ((error = vbuf_addf(&from, "%s/%s", m->old_lib, names[i])) == 0 &&
		    (error = vbuf_addf(&dest, "%s/%s", m->new_lib, names[i])) == 0 &&
		    (plan_lstat(&pd, e, dest.buf, &nst) < 0 ||
		     (error = vbuf_addf(&dest, ".python3.%d", m->old_minor)) == 0) &&
		    (error = add_pair(m, from.buf, dest.buf)) == 0)
			error = add_unowned(m, from.buf, dest.buf, 0);
		vbuf_release(&from);
		vbuf_release(&dest);
	}
done:
	plan_dirs_release(&pd);
	venv_move__free_strs(names, n);
	return error;
}

/*
 * A lib directory of the new version that was there before the upgrade
 * (venv_upgrade_begin moved it into the backup whole) comes back entry by
 * entry into the one the builder made, before the old version's files are
 * planned: it keeps its names, and an old file of a name it has gets the old
 * version's name beside it (plan_entry). What meets something the builder
 * made (pip, put in first) is kept as NAME.before-upgrade; those are listed
 * in kept (from, to pairs). The moves are journaled first: a rollback takes
 * them back into the backup, which then returns whole.
 */
static int bring_back_new_lib(struct venv_move *m, struct venv_envdir *e, char ***kept,
			      size_t *nkept)
{
	struct vbuf from = VBUF_INIT(VBUF_MAX_PATH), to = VBUF_INIT(VBUF_MAX_PATH);
	struct vbuf src = VBUF_INIT(VBUF_MAX_PATH);
	char **names = NULL, **sub = NULL, **pairs = NULL;
	size_t n = 0, nsub = 0, npairs = 0, apairs = 0, akept = 0, i, j;
	struct stat st;
	int error = 0;

	if ((error = vbuf_addf(&src, "%s/newlib", VENV_REPAIR_BACKUP)) < 0)
		goto done;
	if (lstat_rel(e, src.buf, &st) < 0 || !S_ISDIR(st.st_mode))
		goto done;
	if ((error = venv_move__list_dir(e, src.buf, &names, &n)) < 0)
		goto done;
	for (i = 0; i < n && !error; i++) {
		int merge = 0;

		vbuf_reset(&from);
		if ((error = vbuf_addf(&from, "%s/%s", src.buf, names[i])) < 0)
			break;
		if (!strcmp(names[i], "site-packages") && lstat_rel(e, from.buf, &st) == 0 &&
		    S_ISDIR(st.st_mode) && lstat_rel(e, m->new_site, &st) == 0 && S_ISDIR(st.st_mode))
			merge = 1;
		venv_move__free_strs(sub, nsub);
		sub = NULL;
		nsub = 0;
		if (merge && (error = venv_move__list_dir(e, from.buf, &sub, &nsub)) < 0)
			break;
		for (j = 0; j < (merge ? nsub : 1) && !error; j++) {
			const char *name = merge ? sub[j] : names[i];
			size_t plain;
			int k;

			vbuf_reset(&from);
			vbuf_reset(&to);
			if ((error = vbuf_addf(&from, "%s/%s%s%s", src.buf, merge ? "site-packages/" : "",
					       merge ? name : "", merge ? "" : name)) < 0 ||
			    (error = vbuf_addf(&to, "%s/%s", merge ? m->new_site : m->new_lib,
					       name)) < 0)
				break;
			plain = to.len;
			for (k = 1; k < 100 && lstat_rel(e, to.buf, &st) == 0; k++) {
				vbuf_setlen(&to, plain);
				if ((error = vbuf_addf(&to, ".before-upgrade")) < 0 ||
				    (k > 1 && (error = vbuf_addf(&to, "-%d", k)) < 0))
					break;
			}
			if (!error && (error = venv_move__push_str(&pairs, &npairs, &apairs, from.buf)) == 0)
				error = venv_move__push_str(&pairs, &npairs, &apairs, to.buf);
			if (!error && to.len != plain) {
				vbuf_setlen(&to, plain);
				if ((error = venv_move__push_str(kept, nkept, &akept, to.buf)) == 0)
					error = venv_move__push_str(kept, nkept, &akept, pairs[npairs - 1]);
			}
		}
	}
	if (error < 0 || !npairs ||
	    (error = venv_upgrade_journal_moves(e, (const char *const *)pairs, npairs / 2)) < 0)
		goto done;
	for (i = 0; i < npairs && !error; i += 2)
		error = rename_rel(e, pairs[i], pairs[i + 1]);
done:
	venv_move__free_strs(names, n);
	venv_move__free_strs(sub, nsub);
	venv_move__free_strs(pairs, npairs);
	vbuf_release(&from);
	vbuf_release(&to);
	vbuf_release(&src);
	return error;
}

int venv_move_run(struct venv_move *m, struct venv_envdir *e, const char *python,
		  const struct venv_pyinfo *to, struct venv_plan *done)
{
	struct vbuf rel = VBUF_INIT(VBUF_MAX_PATH), msg = VBUF_INIT(VBUF_MAX_LINE);
	struct vbuf record = VBUF_INIT(VBUF_MAX_RECORD);
	char **names = NULL, **recs = NULL, **kept = NULL;
	size_t n = 0, i, j, first, nrecs = 0, arecs = 0, nkept = 0;
	struct stat st;
	int error = 0, bfd = -1, sfd = -1;

	/*
	 * What venv_upgrade_begin moved aside of the new version's lib comes
	 * back first, whatever else there is to move: with no old
	 * site-packages left (a second pass over an environment upgraded just
	 * before), it would otherwise stay in the backup, which the commit
	 * deletes.
	 */
	if ((error = bring_back_new_lib(m, e, &kept, &nkept)) < 0)
		goto done;
	if (!m->ds || (error = venv_move__exists_rel(e, m->old_site, &st)) != 0) {
		error = error < 0 ? error : 0;
		goto done;
	}
	if ((error = venv_move_plan(m, e, 0)) < 0)
		goto done;
	for (i = 0; i < nkept && !error; i += 2)
		error = add_unowned(m, kept[i], kept[i + 1], 1);
	if (error < 0)
		goto done;
	/* Each moved RECORD that will be rewritten is kept in the backup first. */
	first = m->npairs;
	for (i = 0; i < m->ds->nr; i++) {
		const struct venv_dist *d = &m->ds->v[i];

		if (m->v[i].how != VENV_MOVE_MOVE || d->linked || d->egg)
			continue;
		vbuf_reset(&rel);
		if ((error = vbuf_addf(&rel, "%s/%s/RECORD", m->new_site, d->dir)) < 0)
			goto done;
		if (lstat_rel(e, rel.buf, &st) == 0)
			continue;   /* already there: not one of ours */
		vbuf_reset(&msg);
		if ((error = vbuf_addf(&msg, "%s/records/%zu", VENV_REPAIR_BACKUP, nrecs)) < 0 ||
		    (error = venv_move__push_str(&recs, &nrecs, &arecs, d->dir)) < 0 ||
		    (error = add_pair(m, rel.buf, msg.buf)) < 0)
			goto done;
	}
	vbuf_reset(&rel);
	if ((error = vbuf_addf(&rel, "%s/records", VENV_REPAIR_BACKUP)) < 0 ||
	    (error = mkdir_rel(e, rel.buf, 0700)) < 0 ||
	    (error = venv_upgrade_journal_moves(e, (const char *const *)m->pairs, m->npairs / 2)) < 0)
		goto done;
	for (i = 0; i < first; i += 2)
		if ((error = rename_rel(e, m->pairs[i], m->pairs[i + 1])) < 0)
			goto done;
	bfd = openat(e->fd, "bin", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (bfd < 0) {
		error = venv_error_set_errno(VENV_EIO, "cannot open '%s/bin'", e->dir);
		goto done;
	}
	{
		const char *base;
		int pfd;

		vbuf_reset(&rel);
		if ((error = vbuf_addf(&rel, "%s/x", m->new_site)) < 0)
			goto done;
		if ((pfd = venv_repair_open_parent(e->fd, rel.buf, &base)) < 0) {
			error = pfd;
			goto done;
		}
		sfd = pfd;
	}
	/* RECORDs and console scripts of what was moved. */
	for (i = 0, j = 0; i < m->ds->nr; i++) {
		const struct venv_dist *d = &m->ds->v[i];
		struct venv_record_row *rows = NULL;
		size_t nrows = 0;
		const char *eol = "\n";
		int ifd, rerr, rewrite = j < nrecs && !strcmp(recs[j], d->dir);

		if (m->v[i].how != VENV_MOVE_MOVE || d->egg)
			continue;
		if (rewrite)
			j++;
		ifd = openat(sfd, d->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC |
			     (d->linked ? 0 : O_NOFOLLOW));
		if (ifd < 0 && (errno == ENOENT || errno == ENOTDIR))
			continue;   /* moved under another name (a collision): left as it is */
		if (ifd < 0) {
			/* Not readable now: the upgrade is rolled back, not half-done. */
			error = venv_error_set_errno(VENV_EIO, "cannot open '%s/%s'", m->new_site,
						     d->dir);
			goto done;
		}
		if ((rerr = venv_move__read_rows(sfd, d, &rows, &nrows, &eol)) < 0) {
			/* A RECORD that cannot be parsed is left as it is; one that cannot be read stops. */
			if (rerr == VENV_EIO || rerr == VENV_ENOMEM) {
				error = rerr;
				close(ifd);
				goto done;
			}
			venv_error_clear();
			rewrite = 0;
		}
		vbuf_reset(&record);
		error = rewrite_dist(m, e, d, bfd, python, rows, nrows, eol, d->linked, &record);
		if (error == VENV_EUNSAFE || error == VENV_EINVAL) {
			char text[2048];

			/* Which distribution's entry_points.txt names a script repair will not write. */
			snprintf(text, sizeof(text), "%s", venv_error_last());
			error = venv_error_set(error, "%s %s (%s): %s", d->name, d->version, d->dir,
					       text);
		}
		if (!error && rewrite) {
			vbuf_reset(&rel);
			if ((error = vbuf_addf(&rel, "%s/RECORD", d->dir)) == 0 &&
			    (error = row_add(&record, rel.buf, "", "", eol)) == 0 &&
			    (error = rename_rel(e, m->pairs[first + 2 * (j - 1)],
						m->pairs[first + 2 * (j - 1) + 1])) == 0)
				/*
				 * Written in place of the one just moved into the backup,
				 * not through a temporary name: a roll-back puts that one
				 * back over whatever is there, where a temporary file of
				 * a run killed before its rename would stay, unowned.
				 */
				error = venv_fs_write_file_at(ifd, "RECORD", record.buf, record.len,
							      0644, VENV_FS_EXCL);
		}
		close(ifd);
		venv_record_rows_free(rows, nrows);
		if (error < 0)
			goto done;
	}
	/* What is installed again from a local wheel. */
	for (i = 0; i < m->ds->nr; i++)
		if (m->v[i].how == VENV_MOVE_WHEEL &&
		    (error = install_wheel(m, e, m->v[i].wheel, python, to,
					   m->ds->v[i].requested, 1)) < 0) {
			char text[2048];

			snprintf(text, sizeof(text), "%s", venv_error_last());
			error = venv_error_set(error, "cannot install %s %s again from '%s': %s",
					       m->ds->v[i].name, m->ds->v[i].version, m->v[i].wheel,
					       text);
			goto done;
		}
	/* What a marker needs now. */
	for (i = 0; i < m->nmarkers; i++)
		if (m->markers[i].now && !m->markers[i].present && m->markers[i].wheel &&
		    (error = install_wheel(m, e, m->markers[i].wheel, python, to, 0, 0)) < 0) {
			char text[2048];

			snprintf(text, sizeof(text), "%s", venv_error_last());
			error = venv_error_set(error, "cannot install '%s' from '%s': %s",
					       m->markers[i].req, m->markers[i].wheel, text);
			goto done;
		}
	/* The report: one line per distribution, marker change, entry nobody owns. */
	for (i = 0; i < m->nmarkers && !error; i++) {
		vbuf_reset(&rel);
		if ((error = vbuf_addf(&rel, "%s/%s", m->new_site,
				       m->ds->v[m->markers[i].dist].dir)) == 0 &&
		    (error = venv_move_describe_marker(m, i, &msg)) == 0)
			error = report(done, m->code, VENV_FIX_WRITE,
				       rel.buf, msg.buf);
	}
	for (i = 0; i < m->ds->nr && !error; i++) {
		vbuf_reset(&rel);
		if ((error = vbuf_addf(&rel, "%s/%s", m->v[i].how == VENV_MOVE_MOVE ? m->new_site :
				       m->old_site, m->ds->v[i].dir)) == 0 &&
		    (error = venv_move_describe(m, i, &msg)) == 0)
			error = report(done, m->code,
				       m->v[i].how == VENV_MOVE_DROP || m->v[i].how == VENV_MOVE_NEWER ?
				       VENV_FIX_REMOVE : VENV_FIX_WRITE, rel.buf, msg.buf);
	}
	for (i = 0; i < m->nunowned && !error; i++) {
		vbuf_reset(&msg);
		if ((error = vbuf_addf(&msg, "%s: moved to %s (no distribution owns it)%s",
				       m->unowned[i].from, m->unowned[i].to, m->unowned[i].renamed ?
				       "; the new site-packages has one of that name, both are "
				       "kept" : "")) == 0)
			error = report(done, m->code, VENV_FIX_WRITE, m->unowned[i].to, msg.buf);
	}
done:
	if (bfd >= 0)
		close(bfd);
	if (sfd >= 0)
		close(sfd);
	venv_move__free_strs(names, n);
	venv_move__free_strs(recs, nrecs);
	venv_move__free_strs(kept, nkept);
	vbuf_release(&rel);
	vbuf_release(&msg);
	vbuf_release(&record);
	return error;
}
