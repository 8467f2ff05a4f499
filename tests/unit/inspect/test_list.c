/* Tests for inspect/list.c: reading environments for venv list, and rendering them. */
#include "compat.h"
#include <check.h>
#include <jansson.h>
#include "error.h"
#include "vbuf.h"
#include "list.h"
#include "../unit.h"

UNIT_TMPDIR("list")

/*
 * Jansson's allocations during a render, through json_set_alloc_funcs():
 * each block is remembered until freed, and after `left` more the next
 * fails, as out of memory would.
 */
#define LIVE_MAX 4096
static void *live[LIVE_MAX];
static size_t nlive;
static long left = -1;       /* allocations before one fails; -1: none fails */
static int unknown_frees;

static void *counted_malloc(size_t n)
{
	void *p;

	if (left == 0 || nlive == LIVE_MAX)
		return NULL;
	if (left > 0)
		left--;
	if ((p = malloc(n)))
		live[nlive++] = p;
	return p;
}

static void counted_free(void *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < nlive && live[i] != p; i++)
		;
	if (i == nlive)
		unknown_frees++;
	else
		live[i] = live[--nlive];
	free(p);
}

/*
 * An environment of two distributions: one with a license expression, a
 * METADATA hash and no INSTALLER, one with a License text and an INSTALLER.
 */
static void make_env(char *env, size_t n)
{
	char p[PATH_MAX * 2];
	static const char *const files[][2] = {
		{ "a-1.0.dist-info/METADATA",
		  "Metadata-Version: 2.4\nName: a\nVersion: 1.0\nLicense-Expression: MIT\n" },
		{ "a-1.0.dist-info/RECORD", "a-1.0.dist-info/METADATA,sha256="
		  "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,70\n" },
		{ "b-2.0.dist-info/METADATA",
		  "Metadata-Version: 2.1\nName: b\nVersion: 2.0\nLicense: BSD\n" },
		{ "b-2.0.dist-info/INSTALLER", "pip\n" },
	};
	size_t i;

	ck_assert_int_lt(snprintf(env, n, "%s/env", tmp_root), (int)n);
	PATHF(p, "mkdir -p '%s/lib/python3.12/site-packages/a-1.0.dist-info' "
	      "'%s/lib/python3.12/site-packages/b-2.0.dist-info'", env, env);
	ck_assert_int_eq(system(p), 0);
	PATHF(p, "%s/pyvenv.cfg", env);
	unit_put_file(p, "home = /usr/bin\n", 16);
	for (i = 0; i < VENV_ARRAY_SIZE(files); i++) {
		PATHF(p, "%s/lib/python3.12/site-packages/%s", env, files[i][0]);
		unit_put_file(p, files[i][1], strlen(files[i][1]));
	}
}

/*
 * Each allocation of a JSON and a CycloneDX render failing in turn: the
 * render says out of memory (or succeeds), and frees every block it made
 * but the text it hands back (json_dumps(), freed with free()), each once.
 */
START_TEST(test_list__render_out_of_memory_frees_all)
{
	static const enum venv_list_format fmts[] = { VENV_LIST_JSON, VENV_LIST_CYCLONEDX };
	struct venv_list l = { NULL, 0 };
	struct vbuf out = VBUF_INIT(VBUF_MAX_REPORT);
	char env[PATH_MAX];
	size_t f;

	make_env(env, sizeof(env));
	ck_assert_int_eq(venv_list_add(&l, env, -1), 0);
	ck_assert_uint_eq(l.nr, 1);
	ck_assert_ptr_null(l.envs[0].error);
	ck_assert_uint_eq(l.envs[0].dists.nr, 2);
	for (f = 0; f < VENV_ARRAY_SIZE(fmts); f++) {
		long n;
		int rc = -1;

		for (n = 0; rc != 0; n++) {
			ck_assert_msg(n < 2000, "format %zu: never rendered", f);
			nlive = 0;
			unknown_frees = 0;
			left = n;
			json_set_alloc_funcs(counted_malloc, counted_free);
			rc = venv_list_render(&out, &l, fmts[f]);
			json_set_alloc_funcs(malloc, free);
			ck_assert_msg(rc == 0 || rc == VENV_ENOMEM, "format %zu, allocation %ld: %d",
				      f, n, rc);
			ck_assert_msg(nlive == (rc == 0 ? 1U : 0U), "format %zu, allocation %ld "
				      "failing: %zu blocks left", f, n, rc == 0 ? nlive - 1 : nlive);
			ck_assert_msg(!unknown_frees, "format %zu, allocation %ld failing: a block "
				      "freed twice", f, n);
		}
		ck_assert_ptr_nonnull(strstr(out.buf, "\"b\""));
	}
	vbuf_release(&out);
	venv_list_release(&l);
}
END_TEST

static Suite *list_suite(void)
{
	Suite *s = suite_create("list");
	TCase *tc = tcase_create("list");

	tcase_add_unchecked_fixture(tc, tmp_setup, tmp_teardown);
	tcase_add_test(tc, test_list__render_out_of_memory_frees_all);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	/* A test sets Jansson's allocators: one process each. */
	return unit_run_forked(list_suite());
}
