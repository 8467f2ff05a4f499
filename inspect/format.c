#include "compat.h"
#include "checkopts.h"
#include "error.h"
#include "format.h"
#include "path.h"
#include "venv.h"

#define C_RESET "\033[0m"
#define C_BOLD "\033[1m"
#define C_DIM "\033[2m"
#define C_RED "\033[1;31m"
#define C_YELLOW "\033[1;33m"
#define C_CYAN "\033[1;36m"

#define WRAP 78

static const char *sev_color(enum venv_severity s)
{
	return s == VENV_SEVERITY_ERROR ? C_RED : s == VENV_SEVERITY_WARNING ? C_YELLOW : C_CYAN;
}

/* Length of the UTF-8 sequence at s (at most left bytes) if valid, else 0. */
static size_t utf8_seq(const char *s, size_t left)
{
	unsigned char c = (unsigned char)s[0];
	size_t n = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 :
		   c >= 0xf0 && c <= 0xf4 ? 4 : 0;

	if (!n || n > left || !venv_utf8_valid(s, n))
		return 0;
	return n;
}

static int escaped_cp(unsigned long cp)
{
	return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) || cp == 0x061c ||
	       cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

int venv_text_escape(struct vbuf *out, const char *s)
{
	size_t len = strlen(s), i = 0;
	int error = 0;

	while (i < len && !error) {
		size_t n = utf8_seq(s + i, len - i);
		unsigned long cp;

		if (!n) {
			error = vbuf_addf(out, "\\x%02x", (unsigned char)s[i]);
			i++;
			continue;
		}
		venv_utf8_decode(s + i, &cp);
		if (cp == '\\')
			error = vbuf_adds(out, "\\\\");
		else if (cp == '\n')
			error = vbuf_adds(out, "\\n");
		else if (cp == '\t')
			error = vbuf_adds(out, "\\t");
		else if (escaped_cp(cp))
			error = cp < 0x100 ? vbuf_addf(out, "\\x%02lx", cp) : vbuf_addf(out, "\\u%04lx", cp);
		else
			error = vbuf_add(out, s + i, n);
		i += n;
	}
	return error;
}

json_t *venv_json_str(const char *s)
{
	struct vbuf b = VBUF_INIT(VBUF_MAX_RECORD);
	size_t len = strlen(s), i = 0;
	json_t *j = NULL;

	if (venv_utf8_valid(s, len))
		return json_stringn(s, len);
	while (i < len) {
		size_t n = utf8_seq(s + i, len - i);

		if (n ? vbuf_add(&b, s + i, n) < 0 : vbuf_adds(&b, "\xef\xbf\xbd") < 0)
			goto done;
		i += n ? n : 1;
	}
	j = json_stringn(b.buf, b.len);
done:
	vbuf_release(&b);
	return j;
}

static json_t *str_or_null(const char *s)
{
	return s ? venv_json_str(s) : json_null();
}

/* ------------------------------------------------------------------------ */

/*
 * A moved environment gives one finding per file that names the old place;
 * lead with one line that says so and what repair does about it.
 */
static int moved_summary(struct vbuf *out, const struct venv_report *r,
			 const struct venv_rule_filter *f, int color)
{
	const char *old = NULL;
	size_t i, j, files = 0;
	int error;

	for (i = 0; i < r->nr; i++) {
		const struct venv_finding *fi = &r->findings[i];

		if (!fi->data.old_prefix || !venv_rule_filter_wants(f, fi->code) ||
		    (old && strcmp(old, fi->data.old_prefix)))
			continue;
		old = fi->data.old_prefix;
		/* Files, not findings: a file may have several. Only those repair fixes. */
		if (!venv_finding_fixable(fi))
			continue;
		for (j = 0; j < i; j++)
			if (r->findings[j].data.old_prefix && venv_finding_fixable(&r->findings[j]) &&
			    fi->relpath &&
			    r->findings[j].relpath && !strcmp(r->findings[j].relpath, fi->relpath) &&
			    !strcmp(r->findings[j].data.old_prefix, old))
				break;
		if (j == i)
			files++;
	}
	if (!old)
		return 0;
	/* And those past the cap (the first 20 of a code are kept): all repair fixes. */
	if (r->dropped_files && r->moved_old && !strcmp(old, r->moved_old))
		for (i = 1; i < 1000; i++)
			if (r->dropped_files[i] && venv_rule_filter_wants(f, (int)i))
				files += r->dropped_files[i];
	if ((error = vbuf_adds(out, color ? C_BOLD : "")) < 0 ||
	    (error = venv_text_escape(out, r->path)) < 0 ||
	    (error = vbuf_addf(out, ":%s moved from '", color ? C_RESET : "")) < 0 ||
	    (error = venv_text_escape(out, old)) < 0)
		return error;
	if (!files)
		return vbuf_adds(out, "'\n");
	return vbuf_addf(out, "'; venv repair fixes %zu file%s\n", files, files == 1 ? "" : "s");
}

/*
 * A report keeps at most VENV_REPORT_MAX_PER_CODE findings of a code (and
 * VENV_REPORT_MAX_FINDINGS in all): when a code the filter shows reached
 * that cap and findings were left out, one line says so, or the count of
 * the summary would read as all there is.
 */
static int dropped_note(struct vbuf *out, const struct venv_report *r,
			const struct venv_rule_filter *f)
{
	size_t i, j, n, codes = 0;
	int error;
	char code[16];

	if (!r->dropped)
		return 0;
	if ((error = venv_text_escape(out, r->path)) < 0 ||
	    (error = vbuf_addf(out, ": %zu more finding%s not shown (check keeps the first %d of "
			       "each code and %d in all", r->dropped, r->dropped == 1 ? "" : "s",
			       VENV_REPORT_MAX_PER_CODE, VENV_REPORT_MAX_FINDINGS)) < 0)
		return error;
	for (i = 0; i < r->nr; i++) {
		const struct venv_finding *fi = &r->findings[i];

		for (j = 0; j < i && r->findings[j].code != fi->code; j++)
			;
		if (j < i || !venv_rule_filter_wants_severity(f, fi->code, fi->severity))
			continue;   /* counted already, or not shown */
		for (n = 0, j = i; j < r->nr; j++)
			n += r->findings[j].code == fi->code;
		if (n < VENV_REPORT_MAX_PER_CODE)
			continue;
		venv_diag_code_str(code, sizeof(code), fi->code);
		if ((error = vbuf_addf(out, "%s%s", codes++ ? ", " : "; cut short: ", code)) < 0)
			return error;
	}
	/* Only codes the filter hides were cut short: nothing shown is missing. */
	if (!codes && r->nr < VENV_REPORT_MAX_FINDINGS) {
		vbuf_reset(out);
		return 0;
	}
	return vbuf_adds(out, ")\n");
}

int venv_format_text(struct vbuf *out, const struct venv_report *r,
		     const struct venv_rule_filter *f, int color)
{
	size_t i;
	int error;

	if ((error = moved_summary(out, r, f, color)) < 0)
		return error;
	for (i = 0; i < r->nr && !error; i++) {
		const struct venv_finding *fi = &r->findings[i];
		const struct venv_diag *d = venv_diag_get(fi->code);
		enum venv_severity sev;
		char code[16];

		if (!d || !venv_rule_filter_wants_severity(f, fi->code, fi->severity))
			continue;
		sev = fi->severity ? fi->severity : d->severity;
		venv_diag_code_str(code, sizeof(code), d->code);
		if ((error = vbuf_adds(out, color ? C_BOLD : "")) < 0 ||
		    (error = venv_text_escape(out, fi->file ? fi->file : r->path)) < 0)
			break;
		if (fi->line && (error = vbuf_addf(out, ":%u", fi->line)) < 0)
			break;
		if ((error = vbuf_addf(out, ":%s %s%s%s: ", color ? C_RESET : "",
				       color ? sev_color(sev) : "",
				       venv_severity_name(sev), color ? C_RESET : "")) < 0 ||
		    (error = venv_text_escape(out, fi->message)) < 0 ||
		    (error = vbuf_addf(out, " %s[%s %s]%s\n", color ? C_DIM : "", code, d->slug,
				       color ? C_RESET : "")) < 0)
			break;
		if (venv_finding_fixable(fi)) {
			if ((error = vbuf_addf(out, "    %sfix (venv repair):%s ", color ? C_BOLD : "",
					       color ? C_RESET : "")) < 0 ||
			    (error = venv_text_escape(out, fi->fix)) < 0 ||
			    (error = vbuf_addch(out, '\n')) < 0)
				break;
		}
	}
	if (!error) {
		struct vbuf note = VBUF_INIT(VBUF_MAX_LINE);

		if ((error = dropped_note(&note, r, f)) == 0 && note.len)
			error = vbuf_add(out, note.buf, note.len);
		vbuf_release(&note);
	}
	return error;
}

/*
 * What a fix needs, as check's rule found it (inspect.h, struct
 * venv_finding_data): every key always present, null where the rule fills
 * nothing, so that a consumer can repair as venv repair does without
 * reading the message.
 */
static json_t *finding_data_json(const struct venv_finding *fi)
{
	const struct venv_finding_data *d = &fi->data;

	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}",
			 "found", str_or_null(d->found),
			 "want", str_or_null(d->want),
			 "oldPrefix", str_or_null(d->old_prefix),
			 "newPrefix", str_or_null(d->new_prefix),
			 "name", str_or_null(d->name),
			 "mode", d->mode ? json_integer((json_int_t)d->mode) : json_null());
}

json_t *venv_finding_json(const struct venv_report *r, const struct venv_finding *fi)
{
	const struct venv_diag *d = venv_diag_get(fi->code);
	char code[16];
	int fixable = venv_finding_fixable(fi);
	json_t *o, *fix;

	if (!d)
		return NULL;
	venv_diag_code_str(code, sizeof(code), d->code);
	/*
	 * This finding's fix, as text shows it: none where repair declines it,
	 * though the code is one repair fixes elsewhere (a consumer trusts it).
	 */
	if (fixable)
		fix = json_pack("{s:s, s:o}", "tool", "venv repair", "description",
				venv_json_str(fi->fix));
	else
		fix = json_null();
	/* Fields only added, at the end: the order of the older ones stays. */
	o = json_pack("{s:o, s:o, s:o, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:b}",
		      "environment", venv_json_str(r->path),
		      "file", str_or_null(fi->file),
		      "line", fi->line ? json_integer(fi->line) : json_null(),
		      "severity", venv_severity_name(fi->severity ? fi->severity : d->severity),
		      "code", code,
		      "slug", d->slug,
		      "message", venv_json_str(fi->message),
		      "fix", fix,
		      "relpath", str_or_null(fi->relpath),
		      "fixData", finding_data_json(fi),
		      "fixable", fixable);
	return o;
}

json_t *venv_report_json(const struct venv_report *r, const struct venv_rule_filter *f)
{
	size_t i, counts[4] = { 0, 0, 0, 0 };

	for (i = 0; i < r->nr; i++) {
		const struct venv_finding *fi = &r->findings[i];
		const struct venv_diag *d = venv_diag_get(fi->code);

		if (d && venv_rule_filter_wants_severity(f, d->code, fi->severity))
			counts[fi->severity ? fi->severity : d->severity]++;
	}
	return json_pack("{s:o, s:s, s:s, s:o, s:I, s:I, s:I, s:I}",
			 "path", venv_json_str(r->path),
			 "status", r->failed ? "failed" :
			 counts[1] + counts[2] + counts[3] ? "findings" : "ok",
			 "creator", venv_creator_name(r->creator),
			 "pythonVersion", str_or_null(r->version),
			 "errors", (json_int_t)counts[VENV_SEVERITY_ERROR],
			 "warnings", (json_int_t)counts[VENV_SEVERITY_WARNING],
			 "infos", (json_int_t)counts[VENV_SEVERITY_INFO],
			 "dropped", (json_int_t)r->dropped);
}

static const char *sarif_level(enum venv_severity s)
{
	return s == VENV_SEVERITY_ERROR ? "error" : s == VENV_SEVERITY_WARNING ? "warning" : "note";
}

json_t *venv_sarif_rule(const struct venv_diag *d)
{
	struct vbuf help = VBUF_INIT(VBUF_MAX_RECORD);
	char code[16];
	json_t *o = NULL;

	venv_diag_code_str(code, sizeof(code), d->code);
	if (vbuf_addf(&help, "%s\n\nWhy it matters: %s\n\nExample:\n%s\n\nFix: %s", d->what,
		      d->why, d->example, d->fix) < 0)
		goto done;
	o = json_pack("{s:s, s:s, s:{s:s}, s:{s:s}, s:{s:o}, s:{s:s}, s:{s:b, s:s, s:[s]}}",
		      "id", code,
		      "name", d->slug,
		      "shortDescription", "text", d->summary,
		      "fullDescription", "text", d->what,
		      "help", "text", venv_json_str(help.buf),
		      "defaultConfiguration", "level", sarif_level(d->severity),
		      "properties", "fixable", d->fixable, "since", d->since,
		      "tags", "venv");
done:
	vbuf_release(&help);
	return o;
}

json_t *venv_sarif_result(const struct venv_report *r, const struct venv_finding *fi,
			  size_t rule_index)
{
	const struct venv_diag *d = venv_diag_get(fi->code);
	struct vbuf uri = VBUF_INIT(VBUF_MAX_PATH);
	json_t *loc, *o = NULL;
	char code[16];

	if (!d || venv_path_file_uri(&uri, fi->file ? fi->file : r->path) < 0)
		goto done;
	venv_diag_code_str(code, sizeof(code), d->code);
	loc = json_pack("{s:{s:s}}", "artifactLocation", "uri", uri.buf);
	if (loc && fi->line)
		json_object_set_new(loc, "region", json_pack("{s:I}", "startLine", (json_int_t)fi->line));
	/*
	 * SARIF's own fixes[] are byte replacements in the artifact; ours are
	 * links, modes and whole files, so the place in the environment and
	 * the fix data go in the result's property bag; a fix only where
	 * repair makes it (venv_finding_fixable()).
	 */
	o = json_pack("{s:s, s:I, s:s, s:{s:o}, s:[{s:o}], s:{s:o, s:s, s:o, s:o, s:o, s:b}}",
		      "ruleId", code,
		      "ruleIndex", (json_int_t)rule_index,
		      "level", sarif_level(fi->severity ? fi->severity : d->severity),
		      "message", "text", venv_json_str(fi->message),
		      "locations", "physicalLocation", loc,
		      "properties", "environment", venv_json_str(r->path), "slug", d->slug,
		      "fix", venv_finding_fixable(fi) ? venv_json_str(fi->fix) : json_null(),
		      "relpath", str_or_null(fi->relpath),
		      "fixData", finding_data_json(fi),
		      "fixable", venv_finding_fixable(fi));
done:
	vbuf_release(&uri);
	return o;
}

/* ------------------------------------------------------------------------ */
/* --explain and --list-rules. */

/* Append text wrapped at WRAP columns, each line starting with indent. */
static int wrap(struct vbuf *out, const char *text, const char *indent)
{
	const char *p = text;
	size_t col = 0, ind = strlen(indent);
	int error = 0;

	while (*p && !error) {
		const char *w = p;
		size_t n;

		while (*w == ' ')
			w++;
		n = strcspn(w, " ");
		if (!n)
			break;
		if (col && col + 1 + n > WRAP) {
			error = vbuf_addch(out, '\n');
			col = 0;
		}
		if (!error && !col) {
			error = vbuf_adds(out, indent);
			col = ind;
		} else if (!error) {
			error = vbuf_addch(out, ' ');
			col++;
		}
		if (!error)
			error = vbuf_add(out, w, n);
		col += n;
		p = w + n;
	}
	return error ? error : vbuf_addch(out, '\n');
}

static int lines_indented(struct vbuf *out, const char *text, const char *indent)
{
	const char *p = text;
	int error = 0;

	while (*p && !error) {
		size_t n = strcspn(p, "\n");

		if ((error = vbuf_adds(out, indent)) < 0 || (error = vbuf_add(out, p, n)) < 0 ||
		    (error = vbuf_addch(out, '\n')) < 0)
			break;
		p += n;
		if (*p)
			p++;
	}
	return error;
}

int venv_format_explain(struct vbuf *out, const struct venv_diag *d, int color)
{
	char code[16];
	const char *b = color ? C_BOLD : "", *z = color ? C_RESET : "";
	int error;

	venv_diag_code_str(code, sizeof(code), d->code);
	if ((error = vbuf_addf(out, "%s%s (%s)%s\n\n", b, d->slug, code, z)) < 0 ||
	    (error = vbuf_addf(out, "  Severity: %s%s%s.  Fixed by venv repair: %s.  Since: %s.%s\n\n",
			       color ? sev_color(d->severity) : "", venv_severity_name(d->severity), z,
			       d->fixable ? "yes" : "no", d->since,
			       d->status == VENV_DIAG_STABLE ? "" :
			       d->status == VENV_DIAG_PREVIEW ? "  Preview." :
			       d->status == VENV_DIAG_DEPRECATED ? "  Deprecated." : "  Removed.")) < 0 ||
	    (error = vbuf_addf(out, "%sWhat it does%s\n", b, z)) < 0 ||
	    (error = wrap(out, d->what, "  ")) < 0 ||
	    (error = vbuf_addf(out, "\n%sWhy it matters%s\n", b, z)) < 0 ||
	    (error = wrap(out, d->why, "  ")) < 0 ||
	    (error = vbuf_addf(out, "\n%sExample%s\n", b, z)) < 0 ||
	    (error = lines_indented(out, d->example, "    ")) < 0 ||
	    (error = vbuf_addf(out, "\n%sFix%s\n", b, z)) < 0)
		return error;
	return wrap(out, d->fix, "  ");
}

int venv_format_rules_text(struct vbuf *out, int color)
{
	size_t i;
	int error;

	if ((error = vbuf_addf(out, "%-7s %-8s %-4s %-29s %s\n", "CODE", "SEVERITY", "FIX", "SLUG",
			       "SUMMARY")) < 0)
		return error;
	for (i = 0; i < venv_diags_count; i++) {
		const struct venv_diag *d = &venv_diags[i];
		char code[16];

		if (d->status == VENV_DIAG_REMOVED)
			continue;
		venv_diag_code_str(code, sizeof(code), d->code);
		if ((error = vbuf_addf(out, "%-7s %s%-8s%s %-4s %-29s %s\n", code,
				       color ? sev_color(d->severity) : "",
				       venv_severity_name(d->severity), color ? C_RESET : "",
				       d->fixable ? "yes" : "-", d->slug, d->summary)) < 0)
			return error;
	}
	return 0;
}

json_t *venv_rules_json(void)
{
	json_t *a = json_array();
	size_t i;

	if (!a)
		return NULL;
	for (i = 0; i < venv_diags_count; i++) {
		const struct venv_diag *d = &venv_diags[i];
		char code[16];
		const char *status = d->status == VENV_DIAG_STABLE ? "stable" :
				     d->status == VENV_DIAG_PREVIEW ? "preview" :
				     d->status == VENV_DIAG_DEPRECATED ? "deprecated" : "removed";

		venv_diag_code_str(code, sizeof(code), d->code);
		if (json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s, s:b, s:s, s:s, s:s, s:s, "
						       "s:s, s:s}",
						       "code", code, "slug", d->slug,
						       "severity", venv_severity_name(d->severity),
						       "status", status, "fixable", d->fixable,
						       "summary", d->summary, "what", d->what,
						       "why", d->why, "example", d->example,
						       "fix", d->fix, "since", d->since)) < 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

/* ------------------------------------------------------------------------ */
/* Manual pages. */

/*
 * Append text for roff: backslashes doubled as \e, hyphens as \- when
 * minus is set (options and codes, so they can be copied), and a line that
 * would start with '.' or '\'' protected by \&.
 */
static int roff(struct vbuf *out, const char *text, int minus)
{
	const char *p;
	int error = 0, bol = out->len == 0 || out->buf[out->len - 1] == '\n';

	for (p = text; *p && !error; p++) {
		if (bol && (*p == '.' || *p == '\''))
			error = vbuf_adds(out, "\\&");
		if (error)
			break;
		if (*p == '\\')
			error = vbuf_adds(out, "\\e");
		else if (*p == '-' && minus)
			error = vbuf_adds(out, "\\-");
		else
			error = vbuf_addch(out, *p);
		bol = *p == '\n';
	}
	return error;
}

static int roff_line(struct vbuf *out, const char *text, int minus)
{
	int error = roff(out, text, minus);

	return error ? error : vbuf_addch(out, '\n');
}

static int man_header(struct vbuf *out, const char *title, int section)
{
	return vbuf_addf(out, ".\\\" Generated from the diagnostics registry and option table by\n"
			 ".\\\" 'make man' (inspect/gen-man.c); do not edit.\n"
			 ".TH %s %d %s \"venv %s\" \"venv manual\"\n", title, section,
			 VENV_DIAG_MAN_DATE, VENV_VERSION_STRING);
}

static int man_synopsis(struct vbuf *out)
{
	unsigned i;
	int error = vbuf_adds(out, ".SH SYNOPSIS\n");

	for (i = 0; i < venv_check_synopsis_count && !error; i++) {
		const char *rest = venv_check_synopsis[i] + strlen("venv check");

		while (*rest == ' ')
			rest++;
		if (i && (error = vbuf_adds(out, ".br\n")) < 0)
			break;
		if ((error = vbuf_adds(out, ".B venv check\n")) < 0)
			break;
		error = roff_line(out, rest, 1);
	}
	return error;
}

static int man_options(struct vbuf *out)
{
	unsigned i;
	int error = vbuf_adds(out, ".SH OPTIONS\n");

	for (i = 0; i < venv_check_optdocs_count && !error; i++) {
		const struct venv_optdoc *o = &venv_check_optdocs[i];
		const char *p = o->names;

		/* "-j, --jobs" + "N" becomes \fB\-j\fR, \fB\-\-jobs\fR \fIN\fR */
		if ((error = vbuf_adds(out, ".TP\n")) < 0)
			break;
		while (*p && !error) {
			const char *comma = strstr(p, ", ");
			struct vbuf name = VBUF_INIT(VBUF_MAX_LINE);

			error = vbuf_add(&name, p, comma ? (size_t)(comma - p) : strlen(p));
			if (!error)
				error = vbuf_adds(out, "\\fB");
			if (!error)
				error = roff(out, name.buf, 1);
			if (!error)
				error = vbuf_adds(out, comma ? "\\fR, " : "\\fR");
			vbuf_release(&name);
			p = comma ? comma + 2 : p + strlen(p);
		}
		if (!error && o->arg)
			error = vbuf_addf(out, " \\fI%s\\fR", o->arg);
		if (!error)
			error = vbuf_addch(out, '\n');
		if (!error)
			error = roff_line(out, o->help, 0);
	}
	return error;
}

static const char man_check_body[] =
	".SH WHAT IS READ\n"
	"Only reading, and only what an environment consists of:\n"
	".IP \\(bu 2\n"
	".I pyvenv.cfg\n"
	"as CPython's two readers see it (the start-up path code, strict before 3.11, and\n"
	".IR site.py ,\n"
	"which disagree about duplicate keys), reporting where they disagree;\n"
	".IP \\(bu 2\n"
	"every entry of\n"
	".IR bin/ :\n"
	"interpreter links and copies, and the first lines of each executable script (the\n"
	"#! line and pip's /bin/sh trampoline), parsed with PCRE2 under match, depth and heap\n"
	"limits;\n"
	".IP \\(bu 2\n"
	"the activation scripts of every shell (sh, fish, csh, nu, PowerShell, xonsh) as made\n"
	"by CPython 3.8 to 3.13, virtualenv, uv and venv create, for the environment path\n"
	"they contain;\n"
	".IP \\(bu 2\n"
	"the base installation named by\n"
	".I home\n"
	"and the interpreter links: whether it exists, which Python version it is (from its\n"
	"ELF dynamic section and file name), where its standard library is, its\n"
	".IR patchlevel.h ,\n"
	"and whether a copied interpreter still matches it;\n"
	".IP \\(bu 2\n"
	"the tree of the environment, walked without following symbolic links: permissions,\n"
	"FIFOs and devices,\n"
	".I .pth\n"
	"files and the ABI tags of compiled extension modules in site\\-packages;\n"
	".IP \\(bu 2\n"
	"the installed distributions of the active site\\-packages: their METADATA (for the\n"
	"dependencies, as pip check judges them) and RECORD, whose files are looked at for\n"
	"their size, their links and who owns them, and with\n"
	".B \\-\\-verify\\-hashes\n"
	"read whole and hashed with SHA\\-256 on\n"
	".B \\-j\n"
	"threads (libcrypto), never through a symbolic link out of the environment.\n"
	".PP\n"
	"Nothing from the environment or the base installation is ever executed. Files inside\n"
	"the environment are opened only when they are regular files, never through a symbolic\n"
	"link, never blocking, and reads are capped. Other file systems are not entered unless\n"
	".B \\-\\-cross\\-file\\-systems\n"
	"is given.\n"
	".SH OUTPUT\n"
	"Each finding names the file (and line, where there is one), the severity, a message,\n"
	"the code and slug of the rule, and the fix\n"
	".B venv repair\n"
	"would apply: none where repair declines this finding though it fixes others of the\n"
	"code (a place no activation script can carry, a console script whose interpreter is\n"
	"no Python, a distribution repair does not install), as far as check can tell without\n"
	"running anything.\n"
	".TP\n"
	".B text\n"
	"One finding per line, in the form FILE:LINE: SEVERITY: MESSAGE [CODE slug], followed\n"
	"by an indented fix line, and a summary. An environment keeps the first 20 findings of\n"
	"each code and 1000 in all; a line after its findings says how many more were found\n"
	"and not shown (the json and json-lines formats count them as \"dropped\" in the\n"
	"environment's object). Colour on a terminal unless\n"
	".B NO_COLOR\n"
	"is set. Meant for people; its layout may change.\n"
	".TP\n"
	".B json\n"
	"One object: {\"version\": 1, \"tool\", \"severityThreshold\", \"environments\": [...],\n"
	"\"diagnostics\": [...], \"summary\"}. Each diagnostic has environment, file, relpath (the\n"
	"file's place in the environment, such as \"bin/activate\"; an absolute path for a file\n"
	"outside it; null for the environment itself), line, severity, code, slug, message, fix\n"
	"(an object with tool and description, null when repair does not fix this finding),\n"
	"fixable (true exactly when fix is not null) and fixData: the data\n"
	".B venv repair\n"
	"works from, an object with the keys found (the value as it is now), want (the value a fix\n"
	"writes), oldPrefix and newPrefix (a moved environment's old and new place), name (an\n"
	"interpreter, shell or distribution) and mode (VNV409: the file's mode bits, as a\n"
	"number), each null where the rule fills nothing; which code fills which is listed in\n"
	".BR venv\\-diagnostics (7).\n"
	"A stable contract: fields are only added.\n"
	"Written as the environments are checked, in memory that does not grow with their\n"
	"number (the diagnostics wait in a temporary file in $TMPDIR, else /tmp, until the\n"
	"environments are all written).\n"
	".TP\n"
	".B json\\-lines\n"
	"One object per line, each with a \"type\": a \"header\" first, then \"diagnostic\" lines\n"
	"and one \"environment\" line per environment, and a \"summary\" last. For large scans.\n"
	".TP\n"
	".B sarif\n"
	"SARIF 2.1.0, for code-scanning dashboards: the rules in runs[0].tool.driver.rules,\n"
	"one result per finding with file:// locations; each result's properties carry the\n"
	"environment, slug, fix (its description, or null), relpath, fixData and fixable as in\n"
	"the JSON output. Written as the\n"
	"environments are checked, as json is.\n";

static const char man_check_tail[] =
	".SH ENVIRONMENT\n"
	".TP\n"
	".B NO_COLOR\n"
	"When set and not empty, the text output is never coloured.\n"
	".TP\n"
	".B VIRTUAL_ENV\n"
	"The environment to check when no\n"
	".I DIR\n"
	"is given (else\n"
	".I .venv\n"
	"in the current directory).\n"
	".SH EXAMPLES\n"
	"Check one environment:\n"
	".PP\n"
	".RS\n"
	".nf\n"
	"venv check .venv\n"
	".fi\n"
	".RE\n"
	".PP\n"
	"Audit every environment under a home directory, errors only, as SARIF:\n"
	".PP\n"
	".RS\n"
	".nf\n"
	"venv check \\-r \\-\\-severity=error \\-f sarif ~ > envs.sarif\n"
	".fi\n"
	".RE\n"
	".PP\n"
	"Audit one environment: every file against its RECORD's hash, and the notes too:\n"
	".PP\n"
	".RS\n"
	".nf\n"
	"venv check \\-\\-strict .venv\n"
	".fi\n"
	".RE\n"
	".PP\n"
	"Ignore permission findings and show what a code means:\n"
	".PP\n"
	".RS\n"
	".nf\n"
	"venv check \\-\\-ignore world\\-writable .venv\n"
	"venv check \\-\\-explain VNV401\n"
	".fi\n"
	".RE\n"
	".SH SEE ALSO\n"
	".BR venv (1),\n"
	".BR venv\\-create (1),\n"
	".BR venv\\-diagnostics (7)\n";

int venv_man_check(struct vbuf *out)
{
	unsigned i;
	size_t k;
	int error;

	if ((error = man_header(out, "VENV-CHECK", 1)) < 0 ||
	    (error = vbuf_adds(out, ".SH NAME\nvenv\\-check \\- find broken, moved and upgraded "
				    "virtual environments without running them\n")) < 0 ||
	    (error = man_synopsis(out)) < 0 ||
	    (error = vbuf_adds(out, ".SH DESCRIPTION\n")) < 0 ||
	    (error = roff_line(out, venv_check_description, 0)) < 0 ||
	    (error = vbuf_adds(out, ".PP\nWith\n.BR \\-r ,\neach DIR is searched for "
				    "environments instead: every directory holding a\n"
				    ".I pyvenv.cfg\n(or looking like an environment that lost it) "
				    "is checked, several at a time\n.RB ( \\-j ),\nwith a progress line "
				    "on a terminal and a summary at the end.\n")) < 0 ||
	    (error = man_options(out)) < 0 ||
	    (error = vbuf_adds(out, man_check_body)) < 0 ||
	    (error = vbuf_adds(out, ".SH EXIT STATUS\nThe most serious outcome over all "
				    "environments wins.\n")) < 0)
		return error;
	for (i = 0; i < venv_check_exit_statuses_count; i++) {
		const char *s = venv_check_exit_statuses[i];
		const char *sp = strchr(s, ' ');

		while (sp && *sp == ' ')
			sp++;
		if ((error = vbuf_addf(out, ".TP\n.B %c\n", s[0])) < 0 ||
		    (error = roff_line(out, sp ? sp : "", 0)) < 0)
			return error;
	}
	if ((error = vbuf_adds(out, ".SH DIAGNOSTICS\nThe rules, by code (described in full in\n"
				    ".BR venv\\-diagnostics (7)\nand by\n.BR \"venv check "
				    "\\-\\-explain\" ):\n")) < 0)
		return error;
	for (k = 0; k < venv_diags_count; k++) {
		const struct venv_diag *d = &venv_diags[k];
		char code[16];

		if (d->status == VENV_DIAG_REMOVED)
			continue;
		venv_diag_code_str(code, sizeof(code), d->code);
		if ((error = vbuf_addf(out, ".TP\n.B %s\n", code)) < 0 ||
		    (error = roff(out, d->slug, 1)) < 0 ||
		    (error = vbuf_addf(out, " (%s%s): ", venv_severity_name(d->severity),
				       d->fixable ? ", fixed by venv repair" : "")) < 0 ||
		    (error = roff_line(out, d->summary, 0)) < 0)
			return error;
	}
	return vbuf_adds(out, man_check_tail);
}

/*
 * The fix data of each code (inspect.h, struct venv_finding_data), as the
 * JSON and SARIF outputs carry it in fixData: the contract a consumer reads.
 */
static const char man_fix_data[] =
	".SH FIX DATA\n"
	"Besides its file (relpath: the place in the environment) a finding carries the data\n"
	".B venv repair\n"
	"works from, never its message; in\n"
	".B venv check \\-f json\n"
	"and SARIF it is the object fixData with the keys found, want, oldPrefix, newPrefix,\n"
	"name and mode, null where a rule fills nothing. The codes that fill them:\n"
	".TP\n.B VNV104, VNV116\nfound: the link's target; name: the interpreter name.\n"
	".TP\n.B VNV106\nfound: the version the interpreter runs; want: the version pyvenv.cfg\n"
	"records; name: the interpreter (for a mixed environment, the name users run).\n"
	".TP\n.B VNV107\nfound: the recorded version; want: the base's X.Y.Z.\n"
	".TP\n.B VNV108\nfound: the base interpreter the copy was made from.\n"
	".TP\n.B VNV109, VNV113\nfound: the link target to create; name: the missing name.\n"
	".TP\n.B VNV111\nfound: the missing directory; name: the X.Y version.\n"
	".TP\n.B VNV115\nfound: home as written; want: the directory to set.\n"
	".TP\n.B VNV401, VNV402\nfound: the place the script activates; want: the environment's\n"
	"absolute path; oldPrefix, newPrefix: the same two; name: the shell.\n"
	".TP\n.B VNV403, VNV404, VNV405\nfound: the interpreter in the script; want: the\n"
	"interpreter it should run; oldPrefix: the old environment directory (404, 405);\n"
	"newPrefix: the environment's absolute path.\n"
	".TP\n.B VNV406, VNV407, VNV413\nfound: the interpreter.\n"
	".TP\n.B VNV408\nfound: the path the .pth line adds; want: that path under the\n"
	"environment's location when it was under an old one; oldPrefix, newPrefix: the two\n"
	"locations; name: the line as written.\n"
	".TP\n.B VNV409\nmode: the file's mode bits.\n"
	".TP\n.B VNV410, VNV502, VNV504\nfound: the offending text or the activated path; want:\n"
	"the environment's absolute path; name: the shell.\n"
	".TP\n.B VNV414\nfound: the path the editable install's .pth names; want: that path\n"
	"moved from oldPrefix to newPrefix, when it exists; name: the distribution.\n"
	".TP\n.B VNV415\nmode: the script's mode bits; name: the distribution that installed it.\n"
	".TP\n.B VNV416\nfound: the path direct_url.json's url names; want: that path moved from\n"
	"oldPrefix to newPrefix, when it exists; name: the distribution.\n"
	".TP\n.B VNV501\nname: the shell.\n"
	".TP\n.B VNV609\nfound: the module the entry point runs; want: the distribution's\n"
	"version (the one repair reinstalls); name: the distribution.\n";

int venv_man_diagnostics(struct vbuf *out)
{
	size_t k;
	int error;

	if ((error = man_header(out, "VENV-DIAGNOSTICS", 7)) < 0 ||
	    (error = vbuf_adds(out,
		".SH NAME\nvenv\\-diagnostics \\- the diagnostic codes of venv check and venv repair\n"
		".SH DESCRIPTION\n"
		"Every finding of\n.BR venv\\-check (1)\nnames a rule of one registry by a stable code\n"
		"(VNV and three digits) and a slug; either can be given to\n"
		".BR \\-\\-select ,\n.B \\-\\-ignore\nand\n.BR \\-\\-explain .\n"
		"A number is never reused: a rule that is withdrawn stays listed as removed.\n"
		"Codes are grouped in blocks of a hundred:\n"
		".TP\n.B VNV0xx\ninput and tool problems: unreadable files, limits\n"
		".TP\n.B VNV1xx\nlayout: directories, interpreter links, the base installation\n"
		".TP\n.B VNV2xx\nmetadata: pyvenv.cfg\n"
		".TP\n.B VNV3xx\narchive contents (reserved)\n"
		".TP\n.B VNV4xx\npaths, permissions, security\n"
		".TP\n.B VNV5xx\nactivation scripts\n"
		".TP\n.B VNV6xx\ninstalled distributions: RECORD, dependencies, start-up code\n"
		".SH WHAT AN ERROR IS\n"
		"One rule decides every severity, for environments made by\n"
		".BR \"python \\-m venv\" ,\n"
		"virtualenv (any options, including \\-\\-symlink\\-app\\-data), uv, pipx, poetry, pdm,\n"
		"tox and\n.BR \"venv create\" .\n"
		"A finding is an\n.B error\n"
		"exactly when something the user runs or installed no longer works:\n"
		".IP \\(bu 2\n"
		"the environment's python (it does not start, or finds no standard library);\n"
		".IP \\(bu 2\n"
		"a console script (its interpreter is gone, it lost its execute permission, or the\n"
		"module its entry point imports: site\\-packages deleted);\n"
		".IP \\(bu 2\n"
		".B source bin/activate\n"
		"(the script is missing, activates another place, or runs text from the path);\n"
		".IP \\(bu 2\n"
		"an installed distribution's import (an editable install whose source directory is\n"
		"gone).\n"
		".PP\n"
		"Everything else is a\n.B warning\n"
		"(it runs but is fragile, misleading or unsafe: a stray\n.I .pth\n"
		"line Python skips, a missing activation script of another shell, world\\-writable\n"
		"files, two Python versions mixed in one environment) or an\n.B info\n"
		"(a fact worth knowing). Where one code covers both cases, the rule's page says which\n"
		"is which, and each finding carries its own severity. The default threshold of\n"
		".B venv check\nis warning;\n.B \\-\\-severity error\nshows exactly what no longer works.\n"
		".SH RULES\n")) < 0)
		return error;
	for (k = 0; k < venv_diags_count; k++) {
		const struct venv_diag *d = &venv_diags[k];
		char code[16];

		venv_diag_code_str(code, sizeof(code), d->code);
		if ((error = vbuf_addf(out, ".SS \"%s ", code)) < 0 ||
		    (error = roff(out, d->slug, 1)) < 0 ||
		    (error = vbuf_addf(out, "\"\nSeverity: \\fB%s\\fR.\nFixed by venv repair: %s.\n"
				       "Since: %s.%s\n.PP\n", venv_severity_name(d->severity),
				       d->fixable ? "yes" : "no", d->since,
				       d->status == VENV_DIAG_STABLE ? "" :
				       d->status == VENV_DIAG_PREVIEW ? "\nPreview." :
				       d->status == VENV_DIAG_DEPRECATED ? "\nDeprecated." :
				       "\nRemoved.")) < 0 ||
		    (error = vbuf_adds(out, ".B What it does:\n")) < 0 ||
		    (error = roff_line(out, d->what, 0)) < 0 ||
		    (error = vbuf_adds(out, ".PP\n.B Why it matters:\n")) < 0 ||
		    (error = roff_line(out, d->why, 0)) < 0 ||
		    (error = vbuf_adds(out, ".PP\n.B Example:\n.PP\n.RS\n.nf\n")) < 0 ||
		    (error = roff_line(out, d->example, 0)) < 0 ||
		    (error = vbuf_adds(out, ".fi\n.RE\n.PP\n.B Fix:\n")) < 0 ||
		    (error = roff_line(out, d->fix, 0)) < 0)
			return error;
	}
	if ((error = vbuf_adds(out, man_fix_data)) < 0)
		return error;
	return vbuf_adds(out, ".SH SEE ALSO\n.BR venv\\-check (1),\n.BR venv\\-create (1)\n");
}
