/*
 * RECORD files follow the files repair rewrites. pip lists a console
 * script's size and hash in its distribution's RECORD; a shebang rewritten
 * after a move changes both, and check's integrity rules (VNV604) would then
 * call the repaired environment tampered with. So, after the fixers have
 * planned their writes, every RECORD row naming a planned file gets the new
 * file's hash and size, and that RECORD is rewritten as one more change of
 * the plan (applied under the same journal as the rest). Absolute rows
 * (poetry writes them) naming the environment's old place are moved to
 * its new one at the same time.
 */
#include "compat.h"
#include "venv.h"
#include "dist.h"
#include "fix.h"
#include "model.h"
#include "path.h"
#include "record.h"
#include "sha256.h"

/*
 * Normalise "lib/python3.12/site-packages/../../../bin/pip" into out
 * ("bin/pip"). 0, or VENV_EINVAL when it leaves the environment or is absolute.
 */
static int env_relative(struct vbuf *out, const char *site_rel, const char *row_path)
{
	struct vbuf joined = VBUF_INIT(VBUF_MAX_PATH);
	int error;

	vbuf_reset(out);
	if (row_path[0] == '/' || !row_path[0])
		return VENV_EINVAL;
	if ((error = vbuf_addf(&joined, "%s/%s", site_rel, row_path)) < 0 ||
	    (error = venv_path_normalize(out, joined.buf)) < 0)
		goto done;
	/* The normaliser keeps a leading "..": the row leaves the environment. */
	if (!strcmp(out->buf, "..") || !strncmp(out->buf, "../", 3)) {
		vbuf_reset(out);
		error = VENV_EINVAL;
	} else if (!strcmp(out->buf, ".")) {
		vbuf_reset(out);
	}
done:
	vbuf_release(&joined);
	return error;
}

/* The planned write of rel, or NULL. */
static const struct venv_fix *planned_write(const struct venv_plan *plan, const char *rel)
{
	size_t i;

	for (i = 0; i < plan->nr; i++)
		if (plan->fixes[i].kind == VENV_FIX_WRITE && !strcmp(plan->fixes[i].path, rel))
			return &plan->fixes[i];
	return NULL;
}

/*
 * The file a RECORD row names, environment-relative, into rel: 1, or 0 for
 * a row outside the environment (an absolute row, poetry's, is taken at
 * the environment's place now, wherever it was).
 */
static int row_file(const struct venv_model *env, const char *site_rel, const char *path,
		    struct vbuf *rel)
{
	const char *rest = path[0] == '/' ? venv_record_abs_rest(env, path) : NULL;
	int error;

	if (rest)
		return (error = vbuf_sets(rel, rest)) < 0 ? error : 1;
	error = env_relative(rel, site_rel, path);
	venv_error_clear();
	return error == 0;
}

/*
 * The rows of d's RECORD as they follow the planned writes, each ended by
 * eol, into text; *changed counts the rows that differ.
 */
static int record_rows(struct venv_fixctx *x, const char *site_rel, const struct venv_dist *d,
		       const char *eol, struct vbuf *text, size_t *changed)
{
	struct vbuf rel = VBUF_INIT(VBUF_MAX_PATH), moved = VBUF_INIT(VBUF_MAX_PATH);
	size_t i;
	int error = 0;

	*changed = 0;
	for (i = 0; i < d->nrecord && error >= 0; i++) {
		const struct venv_record_row *row = &d->record[i];
		const struct venv_fix *fx = NULL;
		const char *rest = row->path[0] == '/' ? venv_record_abs_rest(x->env, row->path) : NULL;
		int r = row_file(x->env, site_rel, row->path, &rel);

		if (r < 0) {
			error = r;
			break;
		}
		if (r)
			fx = planned_write(x->plan, rel.buf);
		if (rest) {
			/* An absolute row (poetry's): the file as it is now, at the new place. */
			if ((error = vbuf_sets(&moved, x->env->abs)) < 0 ||
			    (error = vbuf_addf(&moved, "/%s", rest)) < 0)
				break;
			if (strcmp(moved.buf, row->path))
				(*changed)++;
		}
		venv_error_clear();
		if ((error = venv_record_add_field(text, rest ? moved.buf : row->path)) < 0 ||
		    (error = vbuf_addch(text, ',')) < 0)
			break;
		if (fx && row->hash[0]) {
			unsigned char digest[VENV_SHA256_LEN];
			char b64[VENV_SHA256_B64_LEN + 1];

			if ((error = venv_sha256(fx->data, fx->len, digest)) < 0)
				break;
			venv_sha256_b64(digest, b64);
			error = vbuf_addf(text, "sha256=%s,%zu", b64, fx->len);
			(*changed)++;
		} else if ((error = venv_record_add_field(text, row->hash)) >= 0 &&
			   (error = vbuf_addch(text, ',')) >= 0) {
			error = venv_record_add_field(text, row->size);
		}
		if (error >= 0)
			error = vbuf_adds(text, eol);
	}
	vbuf_release(&rel);
	vbuf_release(&moved);
	return error;
}

/* Plan the new RECORD of one distribution, if any of its files is rewritten. */
static int sync_one(struct venv_fixctx *x, const char *site_rel, const struct venv_dist *d)
{
	struct vbuf text = VBUF_INIT(VBUF_MAX_RECORD), record_rel = VBUF_INIT(VBUF_MAX_PATH);
	struct vbuf raw = VBUF_INIT(VBUF_MAX_RECORD), summary = VBUF_INIT(VBUF_MAX_LINE);
	size_t changed = 0;
	int error = 0;

	if (d->record_status || d->linked || d->egg)
		return 0;
	if ((error = vbuf_addf(&record_rel, "%s/%s/RECORD", site_rel, d->dir)) < 0)
		goto done;
	/* Never stack two changes on one file: a RECORD some fixer rewrites is left alone. */
	if (venv_plan_has(x->plan, record_rel.buf))
		goto done;
	if ((error = record_rows(x, site_rel, d, "\n", &text, &changed)) < 0 || !changed)
		goto done;
	/*
	 * Keep the file's own line ends (Python's csv module writes \r\n): the
	 * rows again with them, as a line break inside a quoted path is kept.
	 */
	if (venv_fix_read(x, record_rel.buf, &raw) == 0 && memmem(raw.buf, raw.len, "\r\n", 2)) {
		vbuf_reset(&text);
		if ((error = record_rows(x, site_rel, d, "\r\n", &text, &changed)) < 0)
			goto done;
	}
	venv_error_clear();
	if ((error = vbuf_addf(&summary, "%s: %zu row(s) follow the rewritten file(s)",
			       record_rel.buf, changed)) < 0)
		goto done;
	error = venv_fix_write(x, VENV_DIAG_DIST_FILE_SIZE, record_rel.buf, text.buf, text.len,
			       0644, summary.buf);
done:
	vbuf_release(&text);
	vbuf_release(&record_rel);
	vbuf_release(&raw);
	vbuf_release(&summary);
	return error;
}

int venv_fix_records(struct venv_fixctx *x)
{
	struct vbuf site = VBUF_INIT(VBUF_MAX_PATH), site_rel = VBUF_INIT(VBUF_MAX_PATH);
	size_t i, j, writes = 0;
	int error = 0;

	for (i = 0; i < x->plan->nr; i++)
		writes += x->plan->fixes[i].kind == VENV_FIX_WRITE;
	/* A moved environment's absolute RECORD rows follow it even without a write. */
	if (!x->env || !x->env->abs || (!writes && !x->env->nold))
		return 0;
	for (i = 0; i < x->env->nlibs && error >= 0; i++) {
		struct venv_dists dists = VENV_DISTS_INIT;

		if (!x->env->libs[i].has_site || x->env->libs[i].site_link)
			continue;
		/* Its own name: lib/pypy3.9 in a PyPy environment. */
		if ((error = vbuf_sets(&site_rel, "lib/")) < 0 ||
		    (error = vbuf_adds(&site_rel, x->env->libs[i].name)) < 0 ||
		    (error = vbuf_adds(&site_rel, "/site-packages")) < 0 ||
		    (error = vbuf_sets(&site, x->env->abs)) < 0 ||
		    (error = vbuf_addf(&site, "/%s", site_rel.buf)) < 0)
			break;
		/*
		 * Unreadable metadata is check's to report, not a reason to stop
		 * repairing; a METADATA that cannot be used (VNV006) does not make
		 * the RECORD wrong: its rows follow the rewritten files too.
		 */
		if (venv_dists_read_at(&dists, x->env->root, site_rel.buf, site.buf,
				       VENV_DISTS_ALL) < 0) {
			venv_error_clear();
			continue;
		}
		for (j = 0; j < dists.nr && error >= 0; j++)
			error = sync_one(x, site_rel.buf, &dists.v[j]);
		venv_dists_release(&dists);
	}
	vbuf_release(&site);
	vbuf_release(&site_rel);
	return error;
}

int venv_fix_records_name(const struct venv_model *env, const struct venv_dists *ds,
			  const char *site_rel, const struct venv_plan *plan)
{
	struct vbuf rel = VBUF_INIT(VBUF_MAX_PATH);
	size_t i, k;
	int found = 0, error = 0;

	for (i = 0; i < ds->nr && !found && !error; i++)
		for (k = 0; k < ds->v[i].nrecord && !found && !error; k++) {
			int r = row_file(env, site_rel, ds->v[i].record[k].path, &rel);

			if (r < 0)
				error = r;
			else if (r)
				found = planned_write(plan, rel.buf) != NULL;
		}
	vbuf_release(&rel);
	return error < 0 ? error : found;
}
