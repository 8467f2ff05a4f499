/*
 * A JSON document written in pieces, the same text json_dumps gives with
 * JSON_INDENT(2): see jsonstream.h.
 */
#include "compat.h"
#include "error.h"
#include "jsonstream.h"

#define INDENT 2

/* Jansson indents a member at depth d by d * INDENT spaces after each newline. */
struct dump {
	struct vbuf *out;
	unsigned depth;
	int error;
};

static int spaces(struct vbuf *out, unsigned depth)
{
	unsigned i;
	int error = 0;

	for (i = 0; i < depth * INDENT && !error; i++)
		error = vbuf_addch(out, ' ');
	return error;
}

/*
 * Jansson's text of a value dumped alone, moved to depth: a newline in it is
 * always one Jansson wrote (strings carry theirs escaped), so each is
 * followed by the indentation of the level the value now sits at.
 */
static int dump_cb(const char *buf, size_t size, void *data)
{
	struct dump *d = data;
	size_t i = 0;

	while (i < size && !d->error) {
		const char *nl = memchr(buf + i, '\n', size - i);
		size_t n = nl ? (size_t)(nl - (buf + i)) + 1 : size - i;

		if ((d->error = vbuf_add(d->out, buf + i, n)) < 0)
			break;
		if (nl)
			d->error = spaces(d->out, d->depth);
		i += n;
	}
	return d->error < 0 ? -1 : 0;
}

static int check_key(const char *key)
{
	const unsigned char *p;

	for (p = (const unsigned char *)key; *p; p++)
		if (*p < 0x20 || *p >= 0x7f || *p == '"' || *p == '\\')
			return venv_error_set(VENV_EINVAL, "JSON key '%s' needs escaping", key);
	return 0;
}

/* What comes before a member: the comma, the newline and indentation, the key. */
static int member_start(struct venv_jsonstream *js, struct vbuf *out, const char *key)
{
	int error;

	if (!js->depth)
		return key ? venv_error_set(VENV_EINVAL, "a JSON document has no key") : 0;
	if ((js->close[js->depth - 1] == '}') != (key != NULL))
		return venv_error_set(VENV_EINVAL, "a JSON %s member %s a key",
				      js->close[js->depth - 1] == '}' ? "object" : "array",
				      key ? "has no" : "needs");
	if (key && (error = check_key(key)) < 0)
		return error;
	if ((js->members[js->depth - 1] && (error = vbuf_addch(out, ',')) < 0) ||
	    (error = vbuf_addch(out, '\n')) < 0 || (error = spaces(out, js->depth)) < 0 ||
	    (key && (error = vbuf_addf(out, "\"%s\": ", key)) < 0))
		return error;
	js->members[js->depth - 1] = 1;
	return 0;
}

int venv_jsonstream_open(struct venv_jsonstream *js, struct vbuf *out, const char *key,
			 int array)
{
	int error;

	if (js->depth >= VENV_JSONSTREAM_MAX_DEPTH)
		return venv_error_set(VENV_ETOOBIG, "JSON nested deeper than %d levels",
				      VENV_JSONSTREAM_MAX_DEPTH);
	if ((error = member_start(js, out, key)) < 0 ||
	    (error = vbuf_addch(out, array ? '[' : '{')) < 0)
		return error;
	js->close[js->depth] = array ? ']' : '}';
	js->members[js->depth] = 0;
	js->depth++;
	return 0;
}

int venv_jsonstream_add(struct venv_jsonstream *js, struct vbuf *out, const char *key,
			json_t *value)
{
	struct dump d = { out, js->depth, 0 };
	int error;

	if (!value)
		return venv_error_set(VENV_ENOMEM, "cannot build JSON");
	if ((error = member_start(js, out, key)) < 0)
		return error;
	if (json_dump_callback(value, dump_cb, &d, JSON_INDENT(INDENT) | JSON_ENCODE_ANY) < 0)
		return d.error < 0 ? d.error : venv_error_set(VENV_ENOMEM, "cannot serialise JSON");
	return 0;
}

int venv_jsonstream_close(struct venv_jsonstream *js, struct vbuf *out)
{
	int error;

	if (!js->depth)
		return venv_error_set(VENV_EINVAL, "no JSON container is open");
	js->depth--;
	/* An empty container is "[]" or "{}", as Jansson writes it. */
	if (js->members[js->depth] &&
	    ((error = vbuf_addch(out, '\n')) < 0 || (error = spaces(out, js->depth)) < 0))
		return error;
	return vbuf_addch(out, js->close[js->depth]);
}

void venv_jsonstream_join(struct venv_jsonstream *js, const struct venv_jsonstream *part)
{
	if (js->depth && part->depth == js->depth && part->members[js->depth - 1])
		js->members[js->depth - 1] = 1;
}
