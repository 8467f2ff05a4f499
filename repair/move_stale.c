/*
 * The old version's bytecode of what a move across minor versions kept in
 * place: listed for the upgrade's commit to move into the trash, a whole
 * __pycache__ in one rename where it holds nothing else (venv_move_stale,
 * move.h). Split from move_apply.c, whose helpers it uses (move_int.h).
 */
#include "compat.h"
#include <dirent.h>
#include "venv.h"
#include "path.h"
#include "txn.h"
#include "move.h"
#include "move_int.h"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The stale files m->stale[first..end) all of one directory dir: is that
 * all the directory holds? Then it goes whole, one rename into the trash
 * instead of an unlink each (1); else each file goes (0); 2: none of them
 * (below).
 */
static int only_stale(struct venv_move *m, struct venv_envdir *e, const char *dir, size_t first,
		      size_t end)
{
	char **names = NULL;
	size_t n = 0, i, len = strlen(dir) + 1;
	int all, error;

	/*
	 * Gone, or a link (or a file) where the __pycache__ was or on the way
	 * to it: someone put it there, maybe leading out of the environment.
	 * What it holds is not this environment's bytecode to remove, and it is
	 * not followed to look (2: none of its files is removed; their rows
	 * have left RECORD). Each looked at through it would fail at commit.
	 * Not readable: the upgrade stops.
	 */
	if ((error = venv_move__list_dir(e, dir, &names, &n)) < 0) {
		if (error != VENV_ENOTFOUND && error != VENV_EUNSAFE)
			return error;
		venv_error_clear();
		return 2;
	}
	all = n == end - first;
	if (all)
		qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; all && i < n; i++)
		all = !strcmp(names[i], m->stale[first + i] + len);
	venv_move__free_strs(names, n);
	return all;
}

int venv_move_stale(struct venv_move *m, struct venv_envdir *e)
{
	struct vbuf dir = VBUF_INIT(VBUF_MAX_PATH);
	char **go = NULL;
	size_t i, j, ngo = 0, ago = 0;
	int error = 0;

	/* Sorted, the files of one __pycache__ come together. */
	if (m->nstale)
		qsort(m->stale, m->nstale, sizeof(*m->stale), cmp_str);
	for (i = 0; i < m->nstale && !error; i = j) {
		if ((error = venv_path_dirname(&dir, m->stale[i])) < 0)
			break;
		for (j = i + 1; j < m->nstale && !strncmp(m->stale[j], dir.buf, dir.len) &&
		     m->stale[j][dir.len] == '/' && !strchr(m->stale[j] + dir.len + 1, '/'); j++)
			;
		if ((error = only_stale(m, e, dir.buf, i, j)) < 0)
			break;
		if (error == 2) {
			error = 0;
			continue;
		}
		if (error) {
			error = venv_move__push_str(&go, &ngo, &ago, dir.buf);
			continue;
		}
		for (; i < j && !error; i++)
			error = venv_move__push_str(&go, &ngo, &ago, m->stale[i]);
	}
	if (!error)
		error = venv_upgrade_journal_stale(e, (const char *const *)go, ngo);
	venv_move__free_strs(go, ngo);
	vbuf_release(&dir);
	return error;
}
