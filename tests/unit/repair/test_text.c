#include "compat.h"
#include <check.h>
#include "error.h"
#include "text.h"

/*
 * Unit tests for repair/text.c: pip's two shebang forms (security.md
 * SHB-01..SHB-06, F4), the prompt literal of pyvenv.cfg and whole-path
 * search.
 */

static void parse(struct venv_rshebang *sb, const char *text)
{
	venv_rshebang_init(sb);
	ck_assert_int_eq(venv_rshebang_parse(sb, text, strlen(text)), 0);
}

START_TEST(test_text__direct_shebang)
{
	struct venv_rshebang sb;
	const char *t = "#!/old/env/bin/python3.12 -E\nimport sys\n";

	parse(&sb, t);
	ck_assert_int_eq(sb.form, VENV_RSHEBANG_DIRECT);
	ck_assert_str_eq(sb.interp.buf, "/old/env/bin/python3.12");
	ck_assert_str_eq(sb.args.buf, " -E");
	ck_assert_msg(sb.header_len == strlen("#!/old/env/bin/python3.12 -E\n"),
		      "expected the header to end after line 1, saw %zu", sb.header_len);
	venv_rshebang_release(&sb);
}
END_TEST

START_TEST(test_text__trampoline_double_quoted)
{
	struct venv_rshebang sb;
	const char *t = "#!/bin/sh\n'''exec' \"/a b/bin/python\" \"$0\" \"$@\"\n' '''\n# body\n";

	parse(&sb, t);
	ck_assert_int_eq(sb.form, VENV_RSHEBANG_TRAMPOLINE);
	ck_assert_str_eq(sb.interp.buf, "/a b/bin/python");
	ck_assert_msg(sb.header_len == strlen(t) - strlen("# body\n"),
		      "expected the header to be the three lines, saw %zu", sb.header_len);
	venv_rshebang_release(&sb);
}
END_TEST

START_TEST(test_text__trampoline_single_and_bare)
{
	struct venv_rshebang sb;

	parse(&sb, "#!/bin/sh\n'''exec' '/x y/python' \"$0\" \"$@\"\n' '''\n");
	ck_assert_int_eq(sb.form, VENV_RSHEBANG_TRAMPOLINE);
	ck_assert_str_eq(sb.interp.buf, "/x y/python");
	venv_rshebang_release(&sb);
	parse(&sb, "#!/bin/sh\n'''exec' /long/python \"$0\" \"$@\"\n' '''\n");
	ck_assert_int_eq(sb.form, VENV_RSHEBANG_TRAMPOLINE);
	ck_assert_str_eq(sb.interp.buf, "/long/python");
	venv_rshebang_release(&sb);
}
END_TEST

START_TEST(test_text__trampoline_with_expansion_is_not_read_as_one)
{
	struct venv_rshebang sb;

	/* A path the shell would expand is not a path we can move: it stays /bin/sh. */
	parse(&sb, "#!/bin/sh\n'''exec' \"/a$(id)/python\" \"$0\" \"$@\"\n' '''\n");
	ck_assert_int_eq(sb.form, VENV_RSHEBANG_DIRECT);
	ck_assert_str_eq(sb.interp.buf, "/bin/sh");
	venv_rshebang_release(&sb);
}
END_TEST

START_TEST(test_text__not_a_script)
{
	struct venv_rshebang sb;

	parse(&sb, "\x7f" "ELF\x02\x01");
	ck_assert_int_eq(sb.form, VENV_RSHEBANG_NONE);
	venv_rshebang_release(&sb);
	parse(&sb, "#!/no/line/break");
	ck_assert_int_eq(sb.form, VENV_RSHEBANG_NONE);
	venv_rshebang_release(&sb);
	parse(&sb, "#!   \n");
	ck_assert_int_eq(sb.form, VENV_RSHEBANG_NONE);
	venv_rshebang_release(&sb);
}
END_TEST

START_TEST(test_text__format_direct_up_to_127_bytes)
{
	struct vbuf out = VBUF_INIT(VBUF_MAX_LINE);
	char path[200];

	/* "#!" + path + "\n" = 127 bytes is direct; one more is the trampoline. */
	memset(path, 'p', sizeof(path));
	path[0] = '/';
	path[124] = '\0';
	ck_assert_int_eq(venv_rshebang_format(&out, path, ""), 0);
	ck_assert_msg(out.len == 127 && !strncmp(out.buf, "#!/", 3),
		      "expected a 127-byte direct shebang, saw %zu bytes: %.20s", out.len, out.buf);
	vbuf_reset(&out);
	path[124] = 'p';
	path[125] = '\0';
	ck_assert_int_eq(venv_rshebang_format(&out, path, ""), 0);
	ck_assert_msg(!strncmp(out.buf, "#!/bin/sh\n'''exec' '/", 21),
		      "expected the trampoline past 127 bytes, saw %.30s", out.buf);
	vbuf_release(&out);
}
END_TEST

START_TEST(test_text__format_space_uses_single_quotes)
{
	struct vbuf out = VBUF_INIT(VBUF_MAX_LINE);
	struct venv_rshebang sb;

	ck_assert_int_eq(venv_rshebang_format(&out, "/a b$(touch X)/bin/python", ""), 0);
	ck_assert_str_eq(out.buf, "#!/bin/sh\n'''exec' '/a b$(touch X)/bin/python' \"$0\" \"$@\"\n"
			 "' '''\n");
	/* It reads back as the same interpreter. */
	parse(&sb, out.buf);
	ck_assert_int_eq(sb.form, VENV_RSHEBANG_TRAMPOLINE);
	ck_assert_str_eq(sb.interp.buf, "/a b$(touch X)/bin/python");
	venv_rshebang_release(&sb);
	/* The interpreter's argument is one more quoted word, and reads back. */
	vbuf_reset(&out);
	ck_assert_int_eq(venv_rshebang_format(&out, "/a b/python", " -E -s"), 0);
	ck_assert_str_eq(out.buf, "#!/bin/sh\n'''exec' '/a b/python' '-E -s' \"$0\" \"$@\"\n"
			 "' '''\n");
	parse(&sb, out.buf);
	ck_assert_int_eq(sb.form, VENV_RSHEBANG_TRAMPOLINE);
	ck_assert_str_eq(sb.interp.buf, "/a b/python");
	ck_assert_str_eq(sb.args.buf, " -E -s");
	venv_rshebang_release(&sb);
	/* distlib's form: the argument bare after the double-quoted path. */
	parse(&sb, "#!/bin/sh\n'''exec' \"/a b/python\" -E \"$0\" \"$@\"\n' '''\n");
	ck_assert_int_eq(sb.form, VENV_RSHEBANG_TRAMPOLINE);
	ck_assert_str_eq(sb.args.buf, " -E");
	venv_rshebang_release(&sb);
	vbuf_release(&out);
}
END_TEST

START_TEST(test_text__format_refuses_quote_and_newline)
{
	struct vbuf out = VBUF_INIT(VBUF_MAX_LINE);

	ck_assert_int_eq(venv_rshebang_format(&out, "/it's/python", ""), VENV_EUNSAFE);
	ck_assert_int_eq(venv_rshebang_format(&out, "/a\nb/python", ""), VENV_EUNSAFE);
	ck_assert_msg(out.len == 0, "expected nothing written, saw %s", out.buf);
	vbuf_release(&out);
}
END_TEST

START_TEST(test_text__pyliteral)
{
	struct vbuf out = VBUF_INIT(VBUF_MAX_LINE);

	ck_assert_int_eq(venv_repair_pyliteral(&out, "'my env'"), 0);
	ck_assert_str_eq(out.buf, "my env");
	ck_assert_int_eq(venv_repair_pyliteral(&out, "\"it's\""), 0);
	ck_assert_str_eq(out.buf, "it's");
	ck_assert_int_eq(venv_repair_pyliteral(&out, "'a\\'b\\\\c'"), 0);
	ck_assert_str_eq(out.buf, "a'b\\c");
	ck_assert_int_eq(venv_repair_pyliteral(&out, "'caf\\xe9 \\u2603 \\U0001f600'"), 0);
	ck_assert_str_eq(out.buf, "caf\xc3\xa9 \xe2\x98\x83 \xf0\x9f\x98\x80");
	/* virtualenv writes the prompt bare. */
	ck_assert_int_eq(venv_repair_pyliteral(&out, "bare prompt"), 0);
	ck_assert_str_eq(out.buf, "bare prompt");
	/* Two literals side by side are not one: kept as written. */
	ck_assert_int_eq(venv_repair_pyliteral(&out, "'a' 'b'"), 0);
	ck_assert_str_eq(out.buf, "'a' 'b'");
	ck_assert_int_eq(venv_repair_pyliteral(&out, "'\\ud800'"), VENV_EINVAL);
	vbuf_release(&out);
}
END_TEST

START_TEST(test_text__find_path_whole_components)
{
	const char *t = "A=/a/env2 B=/x/a/env C=/a/env.bak D='/a/env' E=/a/env/bin";
	size_t at = venv_repair_find_path(t, strlen(t), 0, "/a/env");

	ck_assert_msg(at != (size_t)-1 && !strncmp(t + at - 1, "'/a/env'", 8),
		      "expected the quoted occurrence first, saw offset %zu", at);
	at = venv_repair_find_path(t, strlen(t), at + 1, "/a/env");
	ck_assert_msg(at != (size_t)-1 && !strcmp(t + at, "/a/env/bin"),
		      "expected /a/env/bin next, saw offset %zu", at);
	ck_assert_msg(venv_repair_find_path(t, strlen(t), at + 1, "/a/env") == (size_t)-1,
		      "expected no more occurrences");
}
END_TEST

START_TEST(test_text__plain_word)
{
	ck_assert_int_eq(venv_repair_plain_word("/srv/u/env-1.2_x"), 1);
	ck_assert_int_eq(venv_repair_plain_word("/srv/u/my env"), 0);
	ck_assert_int_eq(venv_repair_plain_word("/srv/u/$x"), 0);
	ck_assert_int_eq(venv_repair_plain_word(""), 0);
}
END_TEST

static Suite *text_suite(void)
{
	Suite *s = suite_create("text");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_text__direct_shebang);
	tcase_add_test(tc, test_text__trampoline_double_quoted);
	tcase_add_test(tc, test_text__trampoline_single_and_bare);
	tcase_add_test(tc, test_text__trampoline_with_expansion_is_not_read_as_one);
	tcase_add_test(tc, test_text__not_a_script);
	tcase_add_test(tc, test_text__format_direct_up_to_127_bytes);
	tcase_add_test(tc, test_text__format_space_uses_single_quotes);
	tcase_add_test(tc, test_text__format_refuses_quote_and_newline);
	tcase_add_test(tc, test_text__pyliteral);
	tcase_add_test(tc, test_text__find_path_whole_components);
	tcase_add_test(tc, test_text__plain_word);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(text_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
