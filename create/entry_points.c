#include "compat.h"
#include "entrypoints.h"
#include "error.h"
#include "fs.h"
#include "path.h"
#include "sha256.h"
#include "wheel.h"
#include "wheel_int.h"

/*
 * Console scripts: entry_points.txt read as pip's installer reads it (the
 * strict mode of the one reader, common/entrypoints.h), pip's names, and the one
 * writer of console scripts (venv_wheel_script_text(),
 * venv_write_console_script()), over the one shebang writer,
 * venv_shebang_write() (common/shebang.c).
 */

/* ---- entry points ---- */

void venv_entry_points_free(struct venv_entry_point *eps, size_t neps)
{
	size_t i;

	for (i = 0; i < neps; i++) {
		free(eps[i].name);
		free(eps[i].module);
		free(eps[i].attr);
	}
	free(eps);
}

static int add_ep(struct venv_entry_point **eps, size_t *neps, const char *name,
		  const char *module, const char *attr)
{
	struct venv_entry_point *p;
	size_t i;

	/* A later definition of the same name wins, as a later write would. */
	for (i = 0; i < *neps; i++) {
		if (!strcmp((*eps)[i].name, name)) {
			char *m = strdup(module), *a = strdup(attr);

			if (!m || !a) {
				free(m);
				free(a);
				return venv_wheel__oom();
			}
			free((*eps)[i].module);
			free((*eps)[i].attr);
			(*eps)[i].module = m;
			(*eps)[i].attr = a;
			return 0;
		}
	}
	if (*neps >= VENV_WHEEL_MAX_SCRIPTS)
		return venv_error_set(VENV_ETOOBIG, "more than %d console scripts",
				      VENV_WHEEL_MAX_SCRIPTS);
	if (!(p = realloc(*eps, (*neps + 1) * sizeof(*p))))
		return venv_wheel__oom();
	*eps = p;
	p[*neps].name = strdup(name);
	p[*neps].module = strdup(module);
	p[*neps].attr = strdup(attr);
	(*neps)++;
	if (!p[*neps - 1].name || !p[*neps - 1].module || !p[*neps - 1].attr)
		return venv_wheel__oom();
	return 0;
}

/* pip's special names: pip, pipN, pipN.M (and easy_install, easy_install-N.M). */
static int is_versioned(const char *name, const char *stem, char sep)
{
	size_t sl = strlen(stem);
	const char *p = name + sl;
	int dots = 0;

	if (strncmp(name, stem, sl))
		return 0;
	if (!*p)
		return 1;
	if (sep && *p++ != sep)
		return 0;
	if (*p < '0' || *p > '9')
		return 0;
	for (; *p; p++) {
		if (*p == '.') {
			if (++dots > 1 || p[1] < '0' || p[1] > '9')
				return 0;
		} else if (*p < '0' || *p > '9') {
			return 0;
		}
	}
	/* easy_install takes only the -N.M form. */
	return !sep || dots == 1;
}

/* What venv_ep_read_scripts() hands over, as add_script() keeps it. */
struct scripts {
	struct venv_entry_point *v;
	size_t n;
};

/* venv_ep_read_scripts()'s callback: one entry, a later one of the same name replacing it. */
static int add_script(void *arg, const struct venv_ep_script *s)
{
	struct scripts *list = arg;
	char name[160], module[300], attr[300];

	/* venv_ep_check_script() has capped each at 128 or 256 bytes. */
	snprintf(name, sizeof(name), "%.*s", (int)s->name_len, s->name);
	snprintf(module, sizeof(module), "%.*s", (int)s->v.module_len, s->v.module);
	snprintf(attr, sizeof(attr), "%.*s", (int)s->v.attr_len, s->v.attr);
	return add_ep(&list->v, &list->n, name, module, attr);
}

/*
 * pip's get_console_script_specs() without ENSUREPIP_OPTIONS (venv runs
 * ensurepip with --default-pip): pip, pipX, pipX.Y for the running
 * Python; every other versioned pip name in the list is dropped.
 */
int venv_entry_points_pip_names(const struct venv_entry_point *raw, size_t nraw, int major,
				int minor, struct venv_entry_point **eps, size_t *neps)
{
	char name[64];
	const char *pip_mod = NULL, *pip_attr = NULL, *ei_mod = NULL, *ei_attr = NULL;
	size_t i;
	int error = 0;

	*eps = NULL;
	*neps = 0;
	for (i = 0; i < nraw; i++) {
		if (!raw[i].name || !raw[i].module || !raw[i].attr)
			continue;   /* not a callable: no script */
		if (!strcmp(raw[i].name, "pip")) {
			pip_mod = raw[i].module;
			pip_attr = raw[i].attr;
		} else if (!strcmp(raw[i].name, "easy_install")) {
			ei_mod = raw[i].module;
			ei_attr = raw[i].attr;
		}
	}
	if (pip_mod) {
		snprintf(name, sizeof(name), "pip%d", major);
		if ((error = add_ep(eps, neps, "pip", pip_mod, pip_attr)) < 0 ||
		    (error = add_ep(eps, neps, name, pip_mod, pip_attr)) < 0)
			goto done;
		snprintf(name, sizeof(name), "pip%d.%d", major, minor);
		if ((error = add_ep(eps, neps, name, pip_mod, pip_attr)) < 0)
			goto done;
	}
	if (ei_mod) {
		snprintf(name, sizeof(name), "easy_install-%d.%d", major, minor);
		if ((error = add_ep(eps, neps, "easy_install", ei_mod, ei_attr)) < 0 ||
		    (error = add_ep(eps, neps, name, ei_mod, ei_attr)) < 0)
			goto done;
	}
	for (i = 0; i < nraw; i++) {
		if (!raw[i].name || !raw[i].module || !raw[i].attr)
			continue;
		if ((pip_mod && is_versioned(raw[i].name, "pip", 0)) ||
		    (ei_mod && is_versioned(raw[i].name, "easy_install", '-')))
			continue;
		if ((error = add_ep(eps, neps, raw[i].name, raw[i].module, raw[i].attr)) < 0)
			goto done;
	}
done:
	if (error < 0) {
		venv_entry_points_free(*eps, *neps);
		*eps = NULL;
		*neps = 0;
	}
	return error;
}

/* The strict reading (common/entrypoints.h, VENV_EP_STRICT), then pip's names. */
int venv_entry_points_parse(const char *text, size_t len, int major, int minor,
			    struct venv_entry_point **eps, size_t *neps)
{
	struct scripts raw = { NULL, 0 };
	int error;

	*eps = NULL;
	*neps = 0;
	if ((error = venv_ep_read_scripts(text, len, VENV_EP_STRICT, add_script, &raw)) == 0)
		error = venv_entry_points_pip_names(raw.v, raw.n, major, minor, eps, neps);
	venv_entry_points_free(raw.v, raw.n);
	return error;
}

/* ---- shebang ---- */

int venv_wheel_shebang(struct vbuf *out, const char *python)
{
	return venv_shebang_write(out, python, NULL, 0);
}

/* distlib's script body (pip 22 to 24 write the same). */
int venv_wheel_script_text(struct vbuf *out, const char *shebang, const struct venv_entry_point *ep)
{
	const char *dot = strchr(ep->attr, '.');

	return vbuf_addf(out, "%s# -*- coding: utf-8 -*-\n"
			 "import re\n"
			 "import sys\n"
			 "from %s import %.*s\n"
			 "if __name__ == '__main__':\n"
			 "    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])\n"
			 "    sys.exit(%s())\n",
			 shebang, ep->module,
			 (int)(dot ? (size_t)(dot - ep->attr) : strlen(ep->attr)), ep->attr,
			 ep->attr);
}

int venv_write_console_script(struct vbuf *out, const char *python,
			      const struct venv_entry_point *ep)
{
	struct vbuf shebang = VBUF_INIT(VBUF_MAX_PATH + 64);
	int error;

	if ((error = venv_wheel_shebang(&shebang, python)) == 0)
		error = venv_wheel_script_text(out, shebang.buf, ep);
	vbuf_release(&shebang);
	return error;
}
