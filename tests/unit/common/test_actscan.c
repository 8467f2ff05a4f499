/* Tests for common/actscan.c: the environment path in activation scripts. */
#include "compat.h"
#include <check.h>
#include "actscan.h"
#include "error.h"
#include "shquote.h"

static struct venv_activation a;

static void scan(enum venv_act_shell shell, const char *text)
{
	venv_activation_release(&a);
	ck_assert_msg(venv_actscan(&a, shell, text, strlen(text)) == 0, "expected a scan, saw '%s'",
		      venv_error_last());
}

static void teardown(void)
{
	venv_activation_release(&a);
}

START_TEST(test_actscan__shell_by_name)
{
	ck_assert_int_eq(venv_act_shell_for("activate"), VENV_ACT_SH);
	ck_assert_int_eq(venv_act_shell_for("activate.fish"), VENV_ACT_FISH);
	ck_assert_int_eq(venv_act_shell_for("activate.csh"), VENV_ACT_CSH);
	ck_assert_int_eq(venv_act_shell_for("activate.nu"), VENV_ACT_NU);
	ck_assert_int_eq(venv_act_shell_for("Activate.ps1"), VENV_ACT_PWSH);
	ck_assert_int_eq(venv_act_shell_for("activate.ps1"), VENV_ACT_PWSH);
	ck_assert_int_eq(venv_act_shell_for("activate.xsh"), VENV_ACT_XSH);
	ck_assert_int_eq(venv_act_shell_for("activate_this.py"), -1);
	ck_assert_int_eq(venv_act_shell_for("activate.bat"), -1);
}
END_TEST

START_TEST(test_actscan__cpython_prefix_template)
{
	/* CPython 3.8-3.11.10: the path in double quotes, pasted in. */
	scan(VENV_ACT_SH, "deactivate nondestructive\n\nVIRTUAL_ENV=\"/srv/u/env\"\n"
	     "export VIRTUAL_ENV\n\n_OLD_VIRTUAL_PATH=\"$PATH\"\nPATH=\"$VIRTUAL_ENV/bin:$PATH\"\n"
	     "    PS1=\"(env) ${PS1:-}\"\n");
	ck_assert_int_eq(a.kind, VENV_ACT_LITERAL);
	ck_assert_str_eq(a.path, "/srv/u/env");
	ck_assert_int_eq(a.line, 3);
	ck_assert_int_eq(a.unquoted_template, 1);
	ck_assert_int_eq(a.injection, 0);
	ck_assert_int_eq(a.prompt_expansion, 0);
}
END_TEST

START_TEST(test_actscan__cpython_312_cygwin_branch)
{
	scan(VENV_ACT_SH, "if [ \"$OSTYPE\" = \"cygwin\" ] || [ \"$OSTYPE\" = \"msys\" ] ; then\n"
	     "    export VIRTUAL_ENV=$(cygpath \"/p/env\")\nelse\n"
	     "    export VIRTUAL_ENV=\"/p/env\"\nfi\n");
	ck_assert_int_eq(a.kind, VENV_ACT_LITERAL);
	ck_assert_str_eq(a.path, "/p/env");
	ck_assert_int_eq(a.line, 4);
	ck_assert_int_eq(a.injection, 0);
}
END_TEST

START_TEST(test_actscan__cpython_fixed_template)
{
	/* After the CVE-2024-9287 fix: shlex.quote, bare when safe. */
	scan(VENV_ACT_SH, "VIRTUAL_ENV=/p/env\nexport VIRTUAL_ENV\n"
	     "PATH=\"$VIRTUAL_ENV/\"bin\":$PATH\"\n    PS1='(env) '\"${PS1:-}\"\n");
	ck_assert_int_eq(a.kind, VENV_ACT_LITERAL);
	ck_assert_str_eq(a.path, "/p/env");
	ck_assert_int_eq(a.unquoted_template, 0);
	scan(VENV_ACT_SH, "VIRTUAL_ENV='/p/my env'\"'\"'s'\n");
	ck_assert_str_eq(a.path, "/p/my env's");
	ck_assert_int_eq(a.unquoted_template, 0);
}
END_TEST

START_TEST(test_actscan__injection)
{
	/* CVE-2024-9287: a directory named ";uname -a;" */
	scan(VENV_ACT_SH, "VIRTUAL_ENV=\"/tmp/\";uname -a;\"\"\nexport VIRTUAL_ENV\n");
	ck_assert_int_eq(a.injection, 1);
	ck_assert_int_eq(a.injection_line, 1);
	ck_assert_int_ne(a.kind, VENV_ACT_LITERAL);
	/* $(...) and backquotes inside double quotes run at activation. */
	scan(VENV_ACT_SH, "VIRTUAL_ENV=\"/tmp/$(touch x)\"\n");
	ck_assert_int_eq(a.injection, 1);
	scan(VENV_ACT_SH, "VIRTUAL_ENV=\"/tmp/`touch x`\"\n");
	ck_assert_int_eq(a.injection, 1);
	/* A quote that never closes. */
	scan(VENV_ACT_SH, "VIRTUAL_ENV=\"/tmp/a\n");
	ck_assert_int_eq(a.injection, 1);
	/* The same name quoted properly is only a literal. */
	scan(VENV_ACT_SH, "VIRTUAL_ENV='/tmp/$(touch x)'\n");
	ck_assert_int_eq(a.injection, 0);
	ck_assert_str_eq(a.path, "/tmp/$(touch x)");
}
END_TEST

START_TEST(test_actscan__prompt)
{
	/* F1: the fixed template puts a quoted $(...) into PS1 literally. */
	scan(VENV_ACT_SH, "VIRTUAL_ENV='/t/$(id)'\n    PS1=\"(\"'$(id)'\") ${PS1:-}\"\n");
	ck_assert_int_eq(a.prompt_expansion, 1);
	ck_assert_int_eq(a.prompt_line, 2);
	ck_assert_int_eq(a.injection, 0);
	/* Our template refers to the variable instead. */
	scan(VENV_ACT_SH, "VIRTUAL_ENV=/t/x\n    PS1='(${VIRTUAL_ENV_PROMPT}) '\"${PS1-}\"\n");
	ck_assert_int_eq(a.prompt_expansion, 0);
	/* CPython 3.8 computes the prompt from $VIRTUAL_ENV with backquotes: that is the template. */
	scan(VENV_ACT_SH, "VIRTUAL_ENV=\"/t/x\"\n        PS1=\"(`basename \\\"$VIRTUAL_ENV\\\"`)$PS1\"\n");
	ck_assert_int_eq(a.injection, 0);
	/* A pasted --prompt with a command substitution runs at activation. */
	scan(VENV_ACT_SH, "VIRTUAL_ENV=\"/t/x\"\n    PS1=\"($(id)) ${PS1:-}\"\n");
	ck_assert_int_eq(a.injection, 1);
	ck_assert_int_eq(a.injection_line, 2);
}
END_TEST

START_TEST(test_actscan__virtualenv_fallback)
{
	scan(VENV_ACT_SH, "if [ ! -d '/old/env' ]; then\n"
	     "    echo \"Virtual environment directory '/old/env' does not exist!\" >&2\n"
	     "    CURRENT_PATH=$(realpath \"${BASH_SOURCE[0]}\")\n"
	     "    CURRENT_DIR=$(dirname \"${CURRENT_PATH}\")\n"
	     "    VIRTUAL_ENV=\"$(realpath \"${CURRENT_DIR}/../\")\"\nelse\n"
	     "    VIRTUAL_ENV='/old/env'\nfi\n");
	ck_assert_int_eq(a.kind, VENV_ACT_LITERAL);
	ck_assert_str_eq(a.path, "/old/env");
	ck_assert_int_eq(a.fallback, 1);
	ck_assert_int_eq(a.injection, 0);
}
END_TEST

START_TEST(test_actscan__uv_relocatable)
{
	scan(VENV_ACT_SH, "SCRIPT_PATH=\"${BASH_SOURCE[0]}\"\n"
	     "VIRTUAL_ENV=''\"$(dirname -- \"$(dirname -- \"$(realpath -- \"$SCRIPT_PATH\")\")\")\"''\n"
	     "if ([ \"$OSTYPE\" = \"cygwin\" ]) ; then\n"
	     "    VIRTUAL_ENV=$(cygpath -u \"$VIRTUAL_ENV\")\nfi\n");
	ck_assert_int_eq(a.kind, VENV_ACT_SELF);
	ck_assert_int_eq(a.injection, 0);
}
END_TEST

START_TEST(test_actscan__fish_csh_nu_pwsh_xsh)
{
	scan(VENV_ACT_FISH, "    set -e VIRTUAL_ENV\nset -gx VIRTUAL_ENV \"/p/env\"\n");
	ck_assert_str_eq(a.path, "/p/env");
	ck_assert_int_eq(a.line, 2);
	ck_assert_int_eq(a.unquoted_template, 1);
	scan(VENV_ACT_FISH, "set -gx VIRTUAL_ENV '/p/it\\'s \\\\x'\n");
	ck_assert_str_eq(a.path, "/p/it's \\x");
	ck_assert_int_eq(a.unquoted_template, 0);
	scan(VENV_ACT_FISH, "set -gx VIRTUAL_ENV \"/p/$(id)\"\n");
	ck_assert_int_eq(a.injection, 1);
	scan(VENV_ACT_CSH, "setenv VIRTUAL_ENV '/p/a'\\''b\\!c'\n");
	ck_assert_str_eq(a.path, "/p/a'b!c");
	scan(VENV_ACT_CSH, "setenv VIRTUAL_ENV \"/p/`id`\"\n");
	ck_assert_int_eq(a.injection, 1);
	scan(VENV_ACT_NU, "    let virtual_env = '/p/env'\n");
	ck_assert_str_eq(a.path, "/p/env");
	scan(VENV_ACT_NU, "    let virtual_env = r##'/p/a'#b'##\n");
	ck_assert_str_eq(a.path, "/p/a'#b");
	scan(VENV_ACT_PWSH, "$env:VIRTUAL_ENV = '/p/it''s'\n");
	ck_assert_str_eq(a.path, "/p/it's");
	/* CPython's Activate.ps1 finds itself. */
	scan(VENV_ACT_PWSH, "$VenvExecPath = Split-Path -Parent $MyInvocation.MyCommand.Definition\n"
	     "$env:VIRTUAL_ENV = $VenvDir\n");
	ck_assert_int_eq(a.kind, VENV_ACT_SELF);
	scan(VENV_ACT_XSH, "$VIRTUAL_ENV = r\"/p/env\"\n");
	ck_assert_str_eq(a.path, "/p/env");
}
END_TEST

START_TEST(test_actscan__nothing_found)
{
	scan(VENV_ACT_SH, "echo hello\n");
	ck_assert_int_eq(a.kind, VENV_ACT_NONE);
	scan(VENV_ACT_SH, "");
	ck_assert_int_eq(a.kind, VENV_ACT_NONE);
}
END_TEST

START_TEST(test_actscan__hostile_input)
{
	/* A long line of quotes and parentheses must not take long or crash. */
	size_t n = 1 << 20, i;
	char *big = malloc(n + 32);

	ck_assert_ptr_nonnull(big);
	memcpy(big, "VIRTUAL_ENV=\"", 13);
	for (i = 13; i < n; i++)
		big[i] = "$(`\"'\\"[i % 6];
	big[n] = '\0';
	venv_activation_release(&a);
	ck_assert_int_ge(venv_actscan(&a, VENV_ACT_SH, big, n), VENV_ETOOBIG);
	for (i = 0; i < n; i++)
		big[i] = "if [ ! -d x ]; then\n"[i % 20];
	ck_assert_int_ge(venv_actscan(&a, VENV_ACT_SH, big, n), VENV_ETOOBIG);
	free(big);
}
END_TEST

/* Every value our quoting functions write is read back unchanged. */
START_TEST(test_actscan__roundtrip_with_shquote)
{
	static const char *const values[] = {
		"/plain/path", "/with space/x", "/it's", "/a\"b", "/$HOME/x", "/`id`", "/$(id)",
		"/;uname -a;", "/back\\slash", "/tr\\", "/pct%x", "/bang!", "/hash#x", "/'#'##",
		"/\xc3\xa9t\xc3\xa9", "/\xe2\x80\x98smart\xe2\x80\x99", "/a\tb", "/*?[x]{y}~"
	};
	static const struct { enum venv_shell q; enum venv_act_shell s; } shells[] = {
		{ VENV_SHELL_POSIX, VENV_ACT_SH }, { VENV_SHELL_FISH, VENV_ACT_FISH },
		{ VENV_SHELL_CSH, VENV_ACT_CSH }, { VENV_SHELL_NU, VENV_ACT_NU },
		{ VENV_SHELL_PWSH, VENV_ACT_PWSH },
	};
	struct vbuf q = VBUF_INIT(VBUF_MAX_LINE), d = VBUF_INIT(VBUF_MAX_LINE);
	size_t i, k;

	for (k = 0; k < VENV_ARRAY_SIZE(shells); k++) {
		for (i = 0; i < VENV_ARRAY_SIZE(values); i++) {
			unsigned flags;
			size_t used;

			vbuf_reset(&q);
			if (venv_shquote(&q, shells[k].q, values[i]) < 0)
				continue; /* a value the shell cannot carry is refused, not mangled */
			ck_assert_int_eq(venv_word_decode(&d, &flags, shells[k].s, q.buf, q.len, &used), 0);
			ck_assert_msg(!strcmp(d.buf, values[i]),
				      "expected shell %d to read back '%s' from %s, saw '%s'",
				      (int)shells[k].s, values[i], q.buf, d.buf);
			ck_assert_msg(used == q.len, "expected the whole word %s to be used, saw %zu",
				      q.buf, used);
			ck_assert_msg(!(flags & (VENV_WORD_EXPANSION | VENV_WORD_COMMAND |
						 VENV_WORD_HISTORY | VENV_WORD_UNTERMINATED)),
				      "expected %s to be inert for shell %d, flags %#x", q.buf,
				      (int)shells[k].s, flags);
		}
	}
	vbuf_release(&q);
	vbuf_release(&d);
}
END_TEST

static Suite *actscan_suite(void)
{
	Suite *s = suite_create("actscan");
	TCase *tc = tcase_create("scan");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_actscan__shell_by_name);
	tcase_add_test(tc, test_actscan__cpython_prefix_template);
	tcase_add_test(tc, test_actscan__cpython_312_cygwin_branch);
	tcase_add_test(tc, test_actscan__cpython_fixed_template);
	tcase_add_test(tc, test_actscan__injection);
	tcase_add_test(tc, test_actscan__prompt);
	tcase_add_test(tc, test_actscan__virtualenv_fallback);
	tcase_add_test(tc, test_actscan__uv_relocatable);
	tcase_add_test(tc, test_actscan__fish_csh_nu_pwsh_xsh);
	tcase_add_test(tc, test_actscan__nothing_found);
	tcase_add_test(tc, test_actscan__hostile_input);
	tcase_add_test(tc, test_actscan__roundtrip_with_shquote);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(actscan_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
