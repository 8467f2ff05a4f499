#include "compat.h"
#include "entrypoints.h"
#include "error.h"
#include "fs.h"
#include "path.h"
#include "sha256.h"
#include "wheel.h"
#include "wheel_int.h"

/*
 * Console scripts: entry_points.txt parsed as pip parses it, and the one
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

static int is_ident_start(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static int is_ident_char(char c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9');
}

/* "a.b.c": dotted ASCII identifiers only, so nothing else reaches the script. */
static int dotted_ok(const char *s, size_t len)
{
	size_t i;
	int start = 1;

	if (!len || len > 256)
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] == '.') {
			if (start)
				return 0;
			start = 1;
		} else if (start ? !is_ident_start(s[i]) : !is_ident_char(s[i])) {
			return 0;
		} else {
			start = 0;
		}
	}
	return !start;
}

/* A script name that cannot leave bin/ or shadow the environment's own files (WHL-04). */
static int script_name_ok(const char *s, size_t len)
{
	size_t i;

	if (!len || len > 128 || s[0] == '.' || s[0] == '-')
		return 0;
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (!is_ident_char(c) && c != '.' && c != '-' && c != '+')
			return 0;
	}
	if (len >= 6 && !memcmp(s, "python", 6)) {
		for (i = 6; i < len; i++)
			if ((s[i] < '0' || s[i] > '9') && s[i] != '.')
				break;
		if (i == len)
			return 0;
	}
	if ((len >= 8 && (!memcmp(s, "activate", 8) || !memcmp(s, "Activate", 8))) ||
	    (len >= 10 && !memcmp(s, "deactivate", 10)))
		return 0;
	return 1;
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

/*
 * The strict reading of entry_points.txt (common/entrypoints.h splits it),
 * as pip's installer refuses a wheel's file: ";" starts a comment too; a
 * header must be closed and its name shorter than 64 bytes; in
 * [console_scripts] and [gui_scripts] every line must be "name = value"
 * with a name safe in bin/ (script_name_ok) and a value
 * "module:attr [extras]" of dotted identifiers, the extras dropped; other
 * groups' lines, headers excepted, are not looked at. A later definition
 * of a name replaces an earlier one.
 */
int venv_entry_points_parse(const char *text, size_t len, int major, int minor,
			    struct venv_entry_point **eps, size_t *neps)
{
	struct venv_entry_point *raw = NULL;
	size_t nraw = 0, i;
	char name[160], module[300], attr[300], section[64] = "";
	const char *pip_mod = NULL, *pip_attr = NULL, *ei_mod = NULL, *ei_attr = NULL;
	struct venv_ep_tok tok;
	struct venv_ep_line l;
	int error = 0;

	*eps = NULL;
	*neps = 0;
	venv_ep_tok_init(&tok, text, len, VENV_EP_SEMICOLON);
	while (venv_ep_tok_next(&tok, &l)) {
		const char *line = l.line, *colon, *v, *ve;
		size_t ll = l.len, nl_ = l.name_len, ml, al;

		if (l.kind == VENV_EP_SECTION || l.why == VENV_EP_UNCLOSED) {
			if (l.kind != VENV_EP_SECTION || l.name_len >= sizeof(section)) {
				error = venv_error_set(VENV_EINVAL, "entry_points.txt: bad section "
						       "'%.*s'", (int)ll, line);
				goto done;
			}
			/* As a C string: a NUL byte in it ends the name, as it always has here. */
			memcpy(section, l.name, l.name_len);
			section[l.name_len] = '\0';
			continue;
		}
		if (strcmp(section, "console_scripts") && strcmp(section, "gui_scripts"))
			continue;
		if (l.kind != VENV_EP_ENTRY) {
			error = venv_error_set(VENV_EINVAL, "entry_points.txt: bad line '%.*s'",
					       (int)ll, line);
			goto done;
		}
		v = l.value;
		ve = l.value + l.value_len;
		/* Drop "[extras]": they change nothing in the script. */
		{
			const char *br = memchr(v, '[', (size_t)(ve - v));

			if (br) {
				if (ve[-1] != ']') {
					error = venv_error_set(VENV_EINVAL, "entry_points.txt: bad "
							       "extras in '%.*s'", (int)ll, line);
					goto done;
				}
				ve = br;
				while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
					ve--;
			}
		}
		colon = memchr(v, ':', (size_t)(ve - v));
		if (!script_name_ok(line, nl_) || nl_ >= sizeof(name)) {
			error = venv_error_set(VENV_EUNSAFE, "entry_points.txt: refusing the script "
					       "name '%.*s'", (int)nl_, line);
			goto done;
		}
		if (!colon) {
			error = venv_error_set(VENV_EINVAL, "entry_points.txt: '%.*s' names no "
					       "callable (module:attribute)", (int)nl_, line);
			goto done;
		}
		ml = (size_t)(colon - v);
		while (ml && (v[ml - 1] == ' ' || v[ml - 1] == '\t'))
			ml--;
		colon++;
		while (colon < ve && (*colon == ' ' || *colon == '\t'))
			colon++;
		al = (size_t)(ve - colon);
		if (!dotted_ok(v, ml) || !dotted_ok(colon, al) || ml >= sizeof(module) ||
		    al >= sizeof(attr)) {
			error = venv_error_set(VENV_EUNSAFE, "entry_points.txt: refusing the "
					       "callable of '%.*s'", (int)nl_, line);
			goto done;
		}
		memcpy(name, line, nl_);
		name[nl_] = '\0';
		memcpy(module, v, ml);
		module[ml] = '\0';
		memcpy(attr, colon, al);
		attr[al] = '\0';
		if ((error = add_ep(&raw, &nraw, name, module, attr)) < 0)
			goto done;
	}
	/*
	 * pip's get_console_script_specs() without ENSUREPIP_OPTIONS (venv runs
	 * ensurepip with --default-pip): pip, pipX, pipX.Y for the running
	 * Python; every other versioned pip name in the wheel is dropped.
	 */
	for (i = 0; i < nraw; i++) {
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
		if ((pip_mod && is_versioned(raw[i].name, "pip", 0)) ||
		    (ei_mod && is_versioned(raw[i].name, "easy_install", '-')))
			continue;
		if ((error = add_ep(eps, neps, raw[i].name, raw[i].module, raw[i].attr)) < 0)
			goto done;
	}
done:
	venv_entry_points_free(raw, nraw);
	if (error < 0) {
		venv_entry_points_free(*eps, *neps);
		*eps = NULL;
		*neps = 0;
	}
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
