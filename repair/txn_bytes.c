/*
 * File names in the journal. A name on Linux is any bytes but '/' and NUL,
 * and an environment may hold one that is not UTF-8 (a module a user
 * copied from an old Latin-1 system, a test's file); JSON strings are
 * Unicode, and Jansson refuses to make one of such bytes. So in memory
 * the journal keeps every name as its bytes (a string made with
 * json_stringn_nocheck()), and on disk a name that is not UTF-8 is the
 * object {"venv-bytes": "<hex>"}; everything else is written as before,
 * so a journal of valid names reads the same to an older venv.
 */
#include "compat.h"
#include <jansson.h>
#include "error.h"
#include "path.h"
#include "txn_int.h"

#define BYTES_KEY "venv-bytes"

json_t *venv_txn__jpath(const char *path)
{
	return json_stringn_nocheck(path, strlen(path));
}

static int is_utf8(json_t *s)
{
	return venv_utf8_valid(json_string_value(s), json_string_length(s));
}

/* Does anything in j hold a string that is not UTF-8? */
static int needs_encoding(json_t *j)
{
	const char *key;
	json_t *v;
	size_t i;

	if (json_is_string(j))
		return !is_utf8(j);
	if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			if (needs_encoding(v))
				return 1;
	} else if (json_is_object(j)) {
		json_object_foreach(j, key, v)
			if (needs_encoding(v))
				return 1;
	}
	return 0;
}

/* The on-disk form of the string s: NULL when out of memory. */
static json_t *encode_string(json_t *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)json_string_value(s);
	size_t i, n = json_string_length(s);
	json_t *o = NULL;
	char *text;

	if (n > ((size_t)-1 - 1) / 2 || !(text = malloc(2 * n + 1)))
		return NULL;
	for (i = 0; i < n; i++) {
		text[2 * i] = hex[p[i] >> 4];
		text[2 * i + 1] = hex[p[i] & 15];
	}
	text[2 * n] = '\0';
	o = json_pack("{s:s}", BYTES_KEY, text);
	free(text);
	return o;
}

/*
 * What stands for v (a new reference), or NULL to keep v and look inside
 * it; *error is set (-1 malformed, -2 out of memory) to stop.
 */
typedef json_t *replace_fn(json_t *v, int *error);

/* Replace each value of j (an array or object, at any depth) that fn replaces. */
static int replace_in(json_t *j, replace_fn *fn)
{
	const char *key;
	json_t *v, *r;
	size_t i;
	int error = 0;

	if (json_is_array(j)) {
		json_array_foreach(j, i, v) {
			if ((r = fn(v, &error)) != NULL && json_array_set_new(j, i, r) < 0)
				return -2;
			if (error || (!r && (error = replace_in(v, fn)) < 0))
				return error;
		}
	} else if (json_is_object(j)) {
		json_object_foreach(j, key, v) {
			if ((r = fn(v, &error)) != NULL && json_object_set_new(j, key, r) < 0)
				return -2;
			if (error || (!r && (error = replace_in(v, fn)) < 0))
				return error;
		}
	}
	return 0;
}

static json_t *encode_one(json_t *v, int *error)
{
	json_t *o;

	if (!json_is_string(v) || is_utf8(v))
		return NULL;
	if (!(o = encode_string(v)))
		*error = -2;
	return o;
}

char *venv_txn__journal_text(json_t *j)
{
	json_t *copy;
	char *text;

	if (!needs_encoding(j))
		return json_dumps(j, JSON_INDENT(1) | JSON_SORT_KEYS);
	if (!(copy = json_deep_copy(j)))
		return NULL;
	text = replace_in(copy, encode_one) < 0 ? NULL : json_dumps(copy, JSON_INDENT(1) | JSON_SORT_KEYS);
	json_decref(copy);
	return text;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * The bytes of {"venv-bytes": hex} as a string, or NULL when o is no such
 * object; *error is -1 for one that is malformed (odd, not lowercase hex,
 * a NUL, empty, or UTF-8 after all: this file never writes those).
 */
static json_t *decode_object(json_t *o, int *error)
{
	json_t *h = json_object_get(o, BYTES_KEY), *s = NULL;
	const char *text;
	size_t n, i;
	char *raw;

	if (!json_is_object(o) || !h || json_object_size(o) != 1)
		return NULL;
	text = json_string_value(h);
	n = text ? strlen(text) : 0;
	if (!n || n % 2) {
		*error = -1;
		return NULL;
	}
	if (!(raw = malloc(n / 2 + 1))) {
		*error = -2;
		return NULL;
	}
	for (i = 0; i < n / 2; i++) {
		int hi = hexval((unsigned char)text[2 * i]), lo = hexval((unsigned char)text[2 * i + 1]);

		if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
			break;
		raw[i] = (char)(hi << 4 | lo);
	}
	if (i < n / 2 || venv_utf8_valid(raw, n / 2))
		*error = -1;
	else
		s = json_stringn_nocheck(raw, n / 2);
	free(raw);
	return s;
}

int venv_txn__journal_decode(json_t *j)
{
	int error = replace_in(j, decode_object);

	if (error == -2)
		return venv_error_set(VENV_ENOMEM, "out of memory");
	if (error < 0)
		return venv_error_set(VENV_EINVAL, "a name in it is not as venv writes one");
	return 0;
}
