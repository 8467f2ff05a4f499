/*
 * pep-eval: run our PEP 440 / PEP 508 code on a corpus, one query a line
 * (tab-separated), printing one answer a line, so that the CLI test can
 * compare the answers with packaging's (tests/helpers/pep-eval.py speaks
 * the same protocol):
 *   V <version>               normalised version, or INVALID
 *   C <a> <b>                 -1, 0 or 1, or INVALID
 *   S <specifiers> <version>  1 or 0 (contains, prereleases=True), or INVALID
 *   R <requirement>           str(Requirement), or INVALID
 *   E <name>=<value>...       set the marker environment (prints nothing)
 *   M <marker>                1 or 0, INVALID (parse) or ERROR (evaluation)
 */
#include "compat.h"
#include "error.h"
#include "pep440.h"
#include "pep508.h"
#include "vbuf.h"

static char env_store[VENV_MV_COUNT][512];

static void set_env(struct venv_marker_env *env, char *fields)
{
	char *f = fields;

	memset(env, 0, sizeof(*env));
	while (f && *f) {
		char *tab = strchr(f, '\t'), *eq;
		int i;

		if (tab)
			*tab = '\0';
		if ((eq = strchr(f, '='))) {
			*eq = '\0';
			for (i = 0; i < VENV_MV_COUNT; i++)
				if (!strcmp(f, venv_marker_var_name((enum venv_marker_var)i))) {
					snprintf(env_store[i], sizeof(env_store[i]), "%s", eq + 1);
					env->value[i] = env_store[i];
				}
		}
		f = tab ? tab + 1 : NULL;
	}
}

int main(void)
{
	static char line[70000];
	struct venv_marker_env env;
	struct vbuf out = VBUF_INIT(VBUF_MAX_LINE * 2);

	venv_marker_env_init(&env, "3.11.7");
	while (fgets(line, sizeof(line), stdin)) {
		size_t n = strlen(line);
		char *a, *b;

		if (n && line[n - 1] == '\n')
			line[--n] = '\0';
		if (!n || line[0] == '#' || line[1] != '\t')
			continue;
		a = line + 2;
		b = strchr(a, '\t');
		if (b)
			*b++ = '\0';
		switch (line[0]) {
		case 'V': {
			struct venv_pep440 v;

			if (venv_pep440_parse(&v, a) < 0 || venv_pep440_str(&out, &v) < 0)
				puts("INVALID");
			else
				puts(out.buf);
			break;
		}
		case 'C': {
			struct venv_pep440 x, y;

			if (!b || venv_pep440_parse(&x, a) < 0 || venv_pep440_parse(&y, b) < 0)
				puts("INVALID");
			else
				printf("%d\n", venv_pep440_cmp(&x, &y));
			break;
		}
		case 'S': {
			struct venv_specset set;
			struct venv_pep440 v;

			if (!b || venv_specset_parse(&set, a) < 0) {
				puts("INVALID");
				break;
			}
			if (venv_pep440_parse(&v, b) < 0)
				puts("INVALID");
			else
				printf("%d\n", venv_specset_contains(&set, &v));
			venv_specset_release(&set);
			break;
		}
		case 'R': {
			struct venv_requirement r;

			if (venv_requirement_parse(&r, a) < 0) {
				puts("INVALID");
				break;
			}
			if (venv_requirement_str(&out, &r) < 0)
				puts("INVALID");
			else
				puts(out.buf);
			venv_requirement_release(&r);
			break;
		}
		case 'E':
			if (b)
				b[-1] = '\t';
			set_env(&env, a);
			break;
		case 'M': {
			struct venv_marker *m;
			int r;

			if (venv_marker_parse(&m, a) < 0) {
				puts("INVALID");
				break;
			}
			r = venv_marker_evaluate(m, &env);
			puts(r < 0 ? "ERROR" : r ? "1" : "0");
			venv_marker_free(m);
			break;
		}
		default:
			break;
		}
	}
	vbuf_release(&out);
	return ferror(stdout) ? 1 : 0;
}
