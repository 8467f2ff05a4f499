/*
 * The PEP 508 requirement and marker parser and the PEP 440 version and
 * specifier parser (common/pep508.c, common/pep440.c) on arbitrary text:
 * no crash, no leak, and these invariants:
 *  - a version that parses prints a normalised form that parses to an
 *    equal version and prints the same;
 *  - a requirement that parses prints (str(Requirement)) without error,
 *    and its marker evaluates to 1, 0 or an error code, never anything else;
 *  - a specifier set that parses answers 0 or 1 for a few versions.
 */
#include "compat.h"
#include "error.h"
#include "fuzz.h"
#include "pep440.h"
#include "pep508.h"

static void version_round_trip(const char *s)
{
	struct venv_pep440 v, again;
	struct vbuf a = VBUF_INIT(VENV_VERSION_MAX_LEN * 4), b = VBUF_INIT(VENV_VERSION_MAX_LEN * 4);

	if (venv_pep440_parse(&v, s) == 0) {
		if (venv_pep440_str(&a, &v) < 0 || venv_pep440_parse(&again, a.buf) < 0 ||
		    venv_pep440_cmp(&v, &again) != 0 || venv_pep440_str(&b, &again) < 0 ||
		    strcmp(a.buf, b.buf))
			abort();
	}
	vbuf_release(&a);
	vbuf_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const versions[] = { "0", "1.0", "1.0a1", "1.0.post1", "1!2+x.1", "3.11.7" };
	struct venv_requirement r;
	struct venv_specset set;
	struct venv_marker_env env;
	struct vbuf out = VBUF_INIT(VENV_REQ_MAX_LEN * 4);
	char *s;
	size_t i;

	if (size > VENV_REQ_MAX_LEN + 16 || !(s = malloc(size + 1)))
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	venv_marker_env_init(&env, "3.11.7");
	version_round_trip(s);
	if (venv_requirement_parse(&r, s) == 0) {
		int e;

		if (venv_requirement_str(&out, &r) < 0)
			abort();
		e = venv_requirement_applies(&r, &env);
		if (e != 0 && e != 1 && e != VENV_EINVAL && e != VENV_ENOMEM)
			abort();
		venv_requirement_release(&r);
	}
	if (venv_specset_parse(&set, s) == 0) {
		for (i = 0; i < VENV_ARRAY_SIZE(versions); i++) {
			struct venv_pep440 v;
			int c;

			if (venv_pep440_parse(&v, versions[i]) < 0)
				abort();
			c = venv_specset_contains(&set, &v);
			if (c != 0 && c != 1)
				abort();
		}
		if (venv_specset_str(&out, &set) < 0)
			abort();
		venv_specset_release(&set);
	}
	{
		struct venv_marker *m;

		if (venv_marker_parse(&m, s) == 0) {
			int e = venv_marker_evaluate(m, &env);

			if (e != 0 && e != 1 && e != VENV_EINVAL && e != VENV_ENOMEM)
				abort();
			if (venv_marker_str(&out, m) < 0)
				abort();
			venv_marker_free(m);
		}
	}
	venv_error_clear();
	vbuf_release(&out);
	free(s);
	return 0;
}
