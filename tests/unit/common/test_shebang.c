/*
 * Tests for common/shebang.c: #! lines as Linux reads them, and pip's
 * trampoline (security.md INS-04: no final line break, lines past 128 and
 * 256 bytes, blanks and tabs, env -S, CRLF, the trampoline forms); and the
 * one shebang writer.
 */
#include "compat.h"
#include <check.h>
#include "error.h"
#include "shebang.h"

static struct venv_shebang sb;

static void parse(const char *s)
{
	venv_shebang_release(&sb);
	ck_assert_int_eq(venv_shebang_parse(&sb, s, strlen(s)), 0);
}

static void teardown(void)
{
	venv_shebang_release(&sb);
}

START_TEST(test_shebang__direct)
{
	parse("#!/srv/u/env/bin/python3.12\n# -*- coding: utf-8 -*-\nimport re\n");
	ck_assert_int_eq(sb.kind, VENV_SHEBANG_DIRECT);
	ck_assert_str_eq(sb.interpreter, "/srv/u/env/bin/python3.12");
	ck_assert_ptr_null(sb.argument);
	ck_assert_int_eq(sb.line, 1);
	ck_assert_int_eq(sb.truncated, 0);
	ck_assert_int_eq(sb.not_portable, 0);
}
END_TEST

START_TEST(test_shebang__blanks_and_argument)
{
	parse("#! \t/usr/bin/env  python3 -X dev  \nprint()\n");
	ck_assert_int_eq(sb.kind, VENV_SHEBANG_DIRECT);
	ck_assert_str_eq(sb.interpreter, "/usr/bin/env");
	/* One argument, with its inner blanks, trailing blanks trimmed. */
	ck_assert_str_eq(sb.argument, "python3 -X dev");
}
END_TEST

START_TEST(test_shebang__crlf_is_part_of_the_name)
{
	parse("#!/usr/bin/python3\r\nprint()\r\n");
	ck_assert_str_eq(sb.interpreter, "/usr/bin/python3\r");
	ck_assert_int_eq((int)sb.line_length, 18);
}
END_TEST

START_TEST(test_shebang__not_a_script)
{
	parse("\177ELF\002\001\001");
	ck_assert_int_eq(sb.kind, VENV_SHEBANG_NONE);
	parse("import sys\n");
	ck_assert_int_eq(sb.kind, VENV_SHEBANG_NONE);
	parse("#");
	ck_assert_int_eq(sb.kind, VENV_SHEBANG_NONE);
	parse("");
	ck_assert_int_eq(sb.kind, VENV_SHEBANG_NONE);
}
END_TEST

START_TEST(test_shebang__empty_interpreter)
{
	parse("#!   \nx\n");
	ck_assert_int_eq(sb.kind, VENV_SHEBANG_DIRECT);
	ck_assert_str_eq(sb.interpreter, "");
}
END_TEST

START_TEST(test_shebang__lengths)
{
	char buf[600];
	size_t n;

	/* Interpreter ends at byte 127 (2 + 125): fits in 128-byte kernels. */
	memcpy(buf, "#!/", 3);
	memset(buf + 3, 'a', 124);
	buf[127] = '\n';
	buf[128] = '\0';
	parse(buf);
	ck_assert_int_eq(sb.not_portable, 0);
	ck_assert_int_eq(sb.truncated, 0);
	/* One byte more: not portable, still fine for Linux >= 5.1. */
	memset(buf + 3, 'a', 125);
	buf[128] = '\n';
	buf[129] = '\0';
	parse(buf);
	ck_assert_int_eq(sb.not_portable, 1);
	ck_assert_int_eq(sb.truncated, 0);
	/* The interpreter ends at byte 255 with a line break after: fits. */
	memset(buf + 3, 'b', 252);
	buf[255] = '\n';
	buf[256] = '\0';
	parse(buf);
	ck_assert_int_eq(sb.truncated, 0);
	ck_assert_uint_eq(strlen(sb.interpreter), 253);
	/* Reaching byte 256: the kernel cannot see its end. */
	memset(buf + 3, 'c', 300);
	buf[303] = '\n';
	buf[304] = '\0';
	parse(buf);
	ck_assert_int_eq(sb.truncated, 1);
	ck_assert_int_eq((int)sb.line_length, 303);
	/* A short interpreter followed by a long argument is not truncated. */
	n = (size_t)snprintf(buf, sizeof(buf), "#!/bin/sh ");
	memset(buf + n, 'x', 400);
	buf[n + 400] = '\n';
	buf[n + 401] = '\0';
	parse(buf);
	ck_assert_int_eq(sb.truncated, 0);
	ck_assert_str_eq(sb.interpreter, "/bin/sh");
	/* No line break at all in a short file: the NUL padding ends it. */
	parse("#!/bin/python");
	ck_assert_int_eq(sb.truncated, 0);
	ck_assert_str_eq(sb.interpreter, "/bin/python");
}
END_TEST

START_TEST(test_shebang__trampoline_distlib)
{
	parse("#!/bin/sh\n'''exec' \"/srv/u/my env/bin/python3\" \"$0\" \"$@\"\n' '''\n"
	      "import re\n");
	ck_assert_int_eq(sb.kind, VENV_SHEBANG_TRAMPOLINE);
	ck_assert_str_eq(sb.interpreter, "/srv/u/my env/bin/python3");
	ck_assert_int_eq(sb.line, 2);
	ck_assert_int_eq(sb.injection, 0);
}
END_TEST

START_TEST(test_shebang__trampoline_single_quotes)
{
	parse("#!/bin/sh\n'''exec' '/a b/it'\"'\"'s/bin/python' \"$0\" \"$@\"\n' '''\n");
	ck_assert_int_eq(sb.kind, VENV_SHEBANG_TRAMPOLINE);
	ck_assert_str_eq(sb.interpreter, "/a b/it's/bin/python");
}
END_TEST

START_TEST(test_shebang__trampoline_relocatable)
{
	parse("#!/bin/sh\n'''exec' \"$(dirname -- \"$(realpath -- \"$0\")\")\"/'python' \"$0\" \"$@\"\n"
	      "' '''\n");
	ck_assert_int_eq(sb.kind, VENV_SHEBANG_RELATIVE);
	ck_assert_str_eq(sb.interpreter, "python");
}
END_TEST

START_TEST(test_shebang__trampoline_injection)
{
	/* distlib puts the path in double quotes: $(...) in a directory name runs. */
	parse("#!/bin/sh\n'''exec' \"/tmp/a b$(touch x)/bin/python\" \"$0\" \"$@\"\n' '''\n");
	ck_assert_int_eq(sb.kind, VENV_SHEBANG_TRAMPOLINE);
	ck_assert_int_eq(sb.injection, 1);
}
END_TEST

START_TEST(test_shebang__not_a_trampoline)
{
	/* A #!/bin/sh script with another second line is a plain shell script. */
	parse("#!/bin/sh\necho hi\n");
	ck_assert_int_eq(sb.kind, VENV_SHEBANG_DIRECT);
	ck_assert_str_eq(sb.interpreter, "/bin/sh");
}
END_TEST

START_TEST(test_shebang__trampoline_crlf)
{
	/*
	 * Written with CRLF, the trampoline's first line names "/bin/sh\r",
	 * which the kernel cannot run: it is no working trampoline but a
	 * direct #! line whose interpreter ends in a carriage return.
	 */
	parse("#!/bin/sh\r\n'''exec' \"/srv/u/env/bin/python3\" \"$0\" \"$@\"\r\n' '''\r\n");
	ck_assert_int_eq(sb.kind, VENV_SHEBANG_DIRECT);
	ck_assert_str_eq(sb.interpreter, "/bin/sh\r");
}
END_TEST

START_TEST(test_shebang__nul_ends_the_name)
{
	static const char s[] = "#!/usr/bin/py\0thon\n";

	venv_shebang_release(&sb);
	ck_assert_int_eq(venv_shebang_parse(&sb, s, sizeof(s) - 1), 0);
	ck_assert_str_eq(sb.interpreter, "/usr/bin/py");
}
END_TEST

START_TEST(test_shebang__env_split_string)
{
	/*
	 * "#!/usr/bin/env -S ..." is an ordinary #! line to the kernel: the
	 * interpreter is env and all the rest one argument, which env splits.
	 */
	parse("#!/usr/bin/env -S python3 -X dev\nprint()\n");
	ck_assert_int_eq(sb.kind, VENV_SHEBANG_DIRECT);
	ck_assert_str_eq(sb.interpreter, "/usr/bin/env");
	ck_assert_str_eq(sb.argument, "-S python3 -X dev");
	/* Tabs and blanks around the interpreter, argument trimmed. */
	parse("#!\t\t /usr/bin/python3\t-E\t\n");
	ck_assert_int_eq(sb.kind, VENV_SHEBANG_DIRECT);
	ck_assert_str_eq(sb.interpreter, "/usr/bin/python3");
	ck_assert_str_eq(sb.argument, "-E");
	/* A trampoline without a final line break is still one. */
	parse("#!/bin/sh\n'''exec' '/a b/python' \"$0\" \"$@\"");
	ck_assert_int_eq(sb.kind, VENV_SHEBANG_TRAMPOLINE);
	ck_assert_str_eq(sb.interpreter, "/a b/python");
}
END_TEST

START_TEST(test_shebang__huge_trampoline_line)
{
	/* 4 MB that never close the exec line: the parser's limits, not a spin. */
	size_t n = 4u << 20, pre = strlen("#!/bin/sh\n'''exec' ");
	char *big = malloc(n + 1);
	int rc;

	ck_assert_ptr_nonnull(big);
	memcpy(big, "#!/bin/sh\n'''exec' ", pre);
	memset(big + pre, 'x', n - pre);
	big[n] = '\0';
	venv_shebang_release(&sb);
	rc = venv_shebang_parse(&sb, big, n);
	ck_assert_msg(rc == VENV_ETOOBIG, "expected VENV_ETOOBIG (%d), saw %d", VENV_ETOOBIG, rc);
	free(big);
}
END_TEST

/*
 * What repair keeps when it rewrites a header (moved here with repair's
 * own shebang reader, now gone): the interpreter's argument and the bytes
 * of the header, in both of pip's forms (security.md SHB-01..06, F4).
 */
START_TEST(test_shebang__rewrite_direct)
{
	const char *t = "#!/old/env/bin/python3.12 -E\nimport sys\n";

	parse(t);
	ck_assert_int_eq(sb.kind, VENV_SHEBANG_DIRECT);
	ck_assert_str_eq(sb.interpreter, "/old/env/bin/python3.12");
	ck_assert_str_eq(sb.args, " -E");
	ck_assert_msg(sb.header_len == strlen("#!/old/env/bin/python3.12 -E\n"),
		      "expected the header to end after line 1, saw %zu", sb.header_len);
}
END_TEST

/* The one rewrite: the new header, then the body after the old one; nothing on a refusal. */
START_TEST(test_shebang__rewrite_replaces_the_header)
{
	const char *t = "#!/old/env/bin/python3.12 -E\nimport sys\n";
	struct vbuf out = VBUF_INIT(VBUF_MAX_SCRIPT);

	parse(t);
	ck_assert_int_eq(venv_shebang_rewrite(&out, t, strlen(t), sb.header_len, "/new/bin/python",
					      sb.args), 0);
	ck_assert_str_eq(out.buf, "#!/new/bin/python -E\nimport sys\n");
	vbuf_reset(&out);
	ck_assert_int_eq(venv_shebang_rewrite(&out, t, strlen(t), sb.header_len, "/a b/python",
					      NULL), 0);
	ck_assert_str_eq(out.buf, "#!/bin/sh\n'''exec' '/a b/python' \"$0\" \"$@\"\n' '''\n"
			 "import sys\n");
	vbuf_reset(&out);
	ck_assert_int_eq(venv_shebang_rewrite(&out, t, strlen(t), sb.header_len, "/a b/it's/python",
					      NULL), VENV_EUNSAFE);
	ck_assert_uint_eq(out.len, 0);
	vbuf_release(&out);
}
END_TEST

/* pip's "#!python" of a wheel's scripts: the first line, whatever follows "python" on it. */
START_TEST(test_shebang__placeholder)
{
	ck_assert_uint_eq(venv_shebang_placeholder("#!python\nx\n", 11), 9);
	ck_assert_uint_eq(venv_shebang_placeholder("#!pythonw -E\nx", 15), 13);
	ck_assert_uint_eq(venv_shebang_placeholder("#!python", 8), 8);
	ck_assert_uint_eq(venv_shebang_placeholder("#! python\n", 10), 0);
	ck_assert_uint_eq(venv_shebang_placeholder("#!/usr/bin/python\n", 18), 0);
	ck_assert_uint_eq(venv_shebang_placeholder("#!pyth", 6), 0);
}
END_TEST

START_TEST(test_shebang__rewrite_trampoline_double_quoted)
{
	const char *t = "#!/bin/sh\n'''exec' \"/a b/bin/python\" \"$0\" \"$@\"\n' '''\n# body\n";

	parse(t);
	ck_assert_int_eq(sb.kind, VENV_SHEBANG_TRAMPOLINE);
	ck_assert_str_eq(sb.interpreter, "/a b/bin/python");
	ck_assert_msg(sb.header_len == strlen(t) - strlen("# body\n"),
		      "expected the header to be the three lines, saw %zu", sb.header_len);
}
END_TEST

START_TEST(test_shebang__rewrite_trampoline_single_and_bare)
{
	parse("#!/bin/sh\n'''exec' '/x y/python' \"$0\" \"$@\"\n' '''\n");
	ck_assert_int_eq(sb.kind, VENV_SHEBANG_TRAMPOLINE);
	ck_assert_str_eq(sb.interpreter, "/x y/python");
	parse("#!/bin/sh\n'''exec' /long/python \"$0\" \"$@\"\n' '''\n");
	ck_assert_int_eq(sb.kind, VENV_SHEBANG_TRAMPOLINE);
	ck_assert_str_eq(sb.interpreter, "/long/python");
}
END_TEST

START_TEST(test_shebang__rewrite_trampoline_with_expansion)
{
	/* A path the shell would expand is not carried over as written: no argument is kept. */
	parse("#!/bin/sh\n'''exec' \"/a$(id)/python\" \"$0\" \"$@\"\n' '''\n");
	ck_assert_int_eq(sb.kind, VENV_SHEBANG_TRAMPOLINE);
	ck_assert_int_eq(sb.injection, 1);
	ck_assert_ptr_null(sb.args);
}
END_TEST

START_TEST(test_shebang__rewrite_needs_a_terminated_header)
{
	parse("#!/no/line/break");
	ck_assert_int_eq(sb.kind, VENV_SHEBANG_DIRECT);
	ck_assert_msg(sb.header_len == 0, "expected no header to rewrite, saw %zu", sb.header_len);
	parse("#!/bin/sh\n'''exec' '/x y/python' \"$0\" \"$@\"\n' '''");
	ck_assert_int_eq(sb.kind, VENV_SHEBANG_TRAMPOLINE);
	ck_assert_msg(sb.header_len == 0, "expected no header to rewrite, saw %zu", sb.header_len);
}
END_TEST

START_TEST(test_shebang__write_direct_up_to_127_bytes)
{
	struct vbuf out = VBUF_INIT(VBUF_MAX_LINE);
	char path[200];

	/* "#!" + path + "\n" = 127 bytes is direct; one more is the trampoline. */
	memset(path, 'p', sizeof(path));
	path[0] = '/';
	path[124] = '\0';
	ck_assert_int_eq(venv_shebang_write(&out, path, "", VENV_SHEBANG_LINE_END), 0);
	ck_assert_msg(out.len == 127 && !strncmp(out.buf, "#!/", 3),
		      "expected a 127-byte direct shebang, saw %zu bytes: %.20s", out.len, out.buf);
	vbuf_reset(&out);
	path[124] = 'p';
	path[125] = '\0';
	ck_assert_int_eq(venv_shebang_write(&out, path, "", VENV_SHEBANG_LINE_END), 0);
	ck_assert_msg(!strncmp(out.buf, "#!/bin/sh\n'''exec' '/", 21),
		      "expected the trampoline past 127 bytes, saw %.30s", out.buf);
	vbuf_release(&out);
}
END_TEST

START_TEST(test_shebang__write_space_uses_single_quotes)
{
	struct vbuf out = VBUF_INIT(VBUF_MAX_LINE);

	ck_assert_int_eq(venv_shebang_write(&out, "/a b$(touch X)/bin/python", "",
					    VENV_SHEBANG_LINE_END), 0);
	ck_assert_str_eq(out.buf, "#!/bin/sh\n'''exec' '/a b$(touch X)/bin/python' \"$0\" \"$@\"\n"
			 "' '''\n");
	/* It reads back as the same interpreter. */
	parse(out.buf);
	ck_assert_int_eq(sb.kind, VENV_SHEBANG_TRAMPOLINE);
	ck_assert_str_eq(sb.interpreter, "/a b$(touch X)/bin/python");
	/* The interpreter's argument is one more quoted word, and reads back. */
	vbuf_reset(&out);
	ck_assert_int_eq(venv_shebang_write(&out, "/a b/python", " -E -s", VENV_SHEBANG_LINE_END), 0);
	ck_assert_str_eq(out.buf, "#!/bin/sh\n'''exec' '/a b/python' '-E -s' \"$0\" \"$@\"\n"
			 "' '''\n");
	parse(out.buf);
	ck_assert_int_eq(sb.kind, VENV_SHEBANG_TRAMPOLINE);
	ck_assert_str_eq(sb.interpreter, "/a b/python");
	ck_assert_str_eq(sb.args, " -E -s");
	/* distlib's form: the argument bare after the double-quoted path. */
	parse("#!/bin/sh\n'''exec' \"/a b/python\" -E \"$0\" \"$@\"\n' '''\n");
	ck_assert_int_eq(sb.kind, VENV_SHEBANG_TRAMPOLINE);
	ck_assert_str_eq(sb.args, " -E");
	vbuf_release(&out);
}
END_TEST

START_TEST(test_shebang__write_refuses_quote_and_newline)
{
	struct vbuf out = VBUF_INIT(VBUF_MAX_LINE);

	/*
	 * One set of refused characters for create and repair: a quote only
	 * where the /bin/sh launcher must carry it (a direct #! line takes it,
	 * as create always wrote it), a line break in every form.
	 */
	ck_assert_int_eq(venv_shebang_write(&out, "/it's here/python", "", VENV_SHEBANG_LINE_END),
			 VENV_EUNSAFE);
	ck_assert_int_eq(venv_shebang_write(&out, "/a\nb/python", "", VENV_SHEBANG_LINE_END),
			 VENV_EUNSAFE);
	ck_assert_int_eq(venv_shebang_write(&out, "/a b/python", " -c 'x'", VENV_SHEBANG_LINE_END),
			 VENV_EUNSAFE);
	ck_assert_int_eq(venv_shebang_write(&out, "/a/python", " -E\n", VENV_SHEBANG_LINE_END),
			 VENV_EUNSAFE);
	ck_assert_msg(out.len == 0, "expected nothing written, saw %s", out.buf);
	vbuf_release(&out);
}
END_TEST

static Suite *shebang_suite(void)
{
	Suite *s = suite_create("shebang");
	TCase *tc = tcase_create("parse");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_shebang__direct);
	tcase_add_test(tc, test_shebang__blanks_and_argument);
	tcase_add_test(tc, test_shebang__crlf_is_part_of_the_name);
	tcase_add_test(tc, test_shebang__not_a_script);
	tcase_add_test(tc, test_shebang__empty_interpreter);
	tcase_add_test(tc, test_shebang__lengths);
	tcase_add_test(tc, test_shebang__trampoline_distlib);
	tcase_add_test(tc, test_shebang__trampoline_single_quotes);
	tcase_add_test(tc, test_shebang__trampoline_relocatable);
	tcase_add_test(tc, test_shebang__trampoline_injection);
	tcase_add_test(tc, test_shebang__not_a_trampoline);
	tcase_add_test(tc, test_shebang__trampoline_crlf);
	tcase_add_test(tc, test_shebang__nul_ends_the_name);
	tcase_add_test(tc, test_shebang__env_split_string);
	tcase_add_test(tc, test_shebang__huge_trampoline_line);
	tcase_add_test(tc, test_shebang__rewrite_direct);
	tcase_add_test(tc, test_shebang__rewrite_replaces_the_header);
	tcase_add_test(tc, test_shebang__placeholder);
	tcase_add_test(tc, test_shebang__rewrite_trampoline_double_quoted);
	tcase_add_test(tc, test_shebang__rewrite_trampoline_single_and_bare);
	tcase_add_test(tc, test_shebang__rewrite_trampoline_with_expansion);
	tcase_add_test(tc, test_shebang__rewrite_needs_a_terminated_header);
	tcase_add_test(tc, test_shebang__write_direct_up_to_127_bytes);
	tcase_add_test(tc, test_shebang__write_space_uses_single_quotes);
	tcase_add_test(tc, test_shebang__write_refuses_quote_and_newline);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(shebang_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
