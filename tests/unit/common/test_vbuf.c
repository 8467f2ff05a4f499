#include "compat.h"
#include <check.h>
#include "error.h"
#include "vbuf.h"

/*
 * Unit tests for common/vbuf.c: the capped growable buffer every other
 * module builds strings in. The cap is a security boundary (hostile input
 * must not make memory grow), so the failure paths get as much attention
 * as the happy ones.
 */

/* The untouched-buffer invariants: shared empty slop, nothing allocated. */
static void assert_pristine(const struct vbuf *sb, size_t max)
{
	ck_assert_msg(sb->buf == vbuf_slopbuf, "expected buf to be the slop buffer, saw %p",
		      (void *)sb->buf);
	ck_assert_uint_eq(sb->len, 0);
	ck_assert_uint_eq(sb->alloc, 0);
	ck_assert_uint_eq(sb->max, max);
	ck_assert_int_eq(sb->buf[0], '\0');
}

/* The invariants that hold after every operation. */
static void assert_sane(const struct vbuf *sb)
{
	ck_assert_ptr_nonnull(sb->buf);
	ck_assert_msg(sb->len <= sb->max, "expected len <= max (%zu), saw %zu", sb->max, sb->len);
	if (sb->alloc)
		ck_assert_msg(sb->alloc > sb->len, "expected alloc > len (%zu), saw %zu",
			      sb->len, sb->alloc);
	else
		ck_assert_msg(sb->buf == vbuf_slopbuf && sb->len == 0,
			      "expected an unallocated buffer to be the empty slop buffer");
	ck_assert_msg(sb->buf[sb->len] == '\0', "expected a NUL at buf[len=%zu], saw 0x%02x",
		      sb->len, (unsigned char)sb->buf[sb->len]);
	ck_assert_msg(vbuf_slopbuf[0] == '\0', "the shared slop buffer was written to");
}

START_TEST(test_vbuf__init_macro_is_slop)
{
	struct vbuf sb = VBUF_INIT(10);

	assert_pristine(&sb, 10);
	ck_assert_str_eq(sb.buf, "");
}
END_TEST

START_TEST(test_vbuf__init_function_is_slop)
{
	struct vbuf sb;

	memset(&sb, 0x5a, sizeof(sb));
	vbuf_init(&sb, 77);
	assert_pristine(&sb, 77);
}
END_TEST

START_TEST(test_vbuf__release_untouched_keeps_slop)
{
	struct vbuf sb = VBUF_INIT(12);

	vbuf_release(&sb);
	assert_pristine(&sb, 12);
	vbuf_release(&sb);
	assert_pristine(&sb, 12);
}
END_TEST

START_TEST(test_vbuf__slop_never_written)
{
	struct vbuf sb = VBUF_INIT(0);

	/* Operations on an untouched buffer that must not store into the slop. */
	vbuf_setlen(&sb, 0);
	vbuf_reset(&sb);
	ck_assert_int_eq(vbuf_addch(&sb, 'x'), VENV_ETOOBIG);
	ck_assert_int_eq(vbuf_adds(&sb, "abc"), VENV_ETOOBIG);
	ck_assert_int_eq(vbuf_addf(&sb, "%d", 12345), VENV_ETOOBIG);
	ck_assert_int_eq(vbuf_sets(&sb, "abc"), VENV_ETOOBIG);
	assert_pristine(&sb, 0);
	assert_sane(&sb);
}
END_TEST

START_TEST(test_vbuf__add_empty_allocates_nul_terminated)
{
	struct vbuf sb = VBUF_INIT(0);

	/* Adding nothing always fits, even with a zero cap, and leaves a real buffer. */
	ck_assert_int_eq(vbuf_add(&sb, NULL, 0), 0);
	ck_assert_uint_eq(sb.len, 0);
	ck_assert_msg(sb.alloc > 0, "expected an allocation after vbuf_add, saw alloc 0");
	ck_assert_msg(sb.buf != vbuf_slopbuf, "expected a private buffer after vbuf_add");
	assert_sane(&sb);
	vbuf_release(&sb);
	assert_pristine(&sb, 0);
}
END_TEST

START_TEST(test_vbuf__growth_keeps_contents)
{
	struct vbuf sb = VBUF_INIT(VBUF_MAX_LINE);
	size_t i, reallocs = 0, last_alloc = 0;

	for (i = 0; i < 10000; i++) {
		ck_assert_int_eq(vbuf_addch(&sb, 'a' + (int)(i % 26)), 0);
		assert_sane(&sb);
		if (sb.alloc != last_alloc) {
			reallocs++;
			last_alloc = sb.alloc;
		}
	}
	ck_assert_uint_eq(sb.len, 10000);
	for (i = 0; i < 10000; i++)
		ck_assert_msg(sb.buf[i] == 'a' + (int)(i % 26),
			      "expected '%c' at %zu, saw '%c'", 'a' + (int)(i % 26), i, sb.buf[i]);
	/* Growth is geometric: 10000 one-byte adds need only a handful of reallocs. */
	ck_assert_msg(reallocs <= 12, "expected at most 12 reallocations, saw %zu", reallocs);
	vbuf_release(&sb);
}
END_TEST

START_TEST(test_vbuf__add_binary_with_nuls)
{
	struct vbuf sb = VBUF_INIT(100);
	static const char data[] = { 'a', '\0', 'b', '\0', '\0', 'c' };

	ck_assert_int_eq(vbuf_add(&sb, data, sizeof(data)), 0);
	ck_assert_uint_eq(sb.len, sizeof(data));
	ck_assert_mem_eq(sb.buf, data, sizeof(data));
	ck_assert_int_eq(sb.buf[sizeof(data)], '\0');
	ck_assert_int_eq(vbuf_addch(&sb, 0), 0);
	ck_assert_uint_eq(sb.len, sizeof(data) + 1);
	ck_assert_int_eq(vbuf_addch(&sb, 0xff), 0);
	ck_assert_int_eq((unsigned char)sb.buf[sb.len - 1], 0xff);
	assert_sane(&sb);
	vbuf_release(&sb);
}
END_TEST

START_TEST(test_vbuf__cap_exact_fit)
{
	struct vbuf sb = VBUF_INIT(5);

	ck_assert_int_eq(vbuf_adds(&sb, "12345"), 0);
	ck_assert_str_eq(sb.buf, "12345");
	ck_assert_uint_eq(sb.len, 5);
	/* Adding nothing to a full buffer is fine. */
	ck_assert_int_eq(vbuf_adds(&sb, ""), 0);
	assert_sane(&sb);
	vbuf_release(&sb);
}
END_TEST

START_TEST(test_vbuf__cap_failure_leaves_buffer_unchanged)
{
	struct vbuf sb = VBUF_INIT(8);
	char *buf;
	size_t alloc;

	ck_assert_int_eq(vbuf_adds(&sb, "abcdef"), 0);
	buf = sb.buf;
	alloc = sb.alloc;
	venv_error_clear();

	ck_assert_int_eq(vbuf_adds(&sb, "ghi"), VENV_ETOOBIG);
	ck_assert_str_eq(sb.buf, "abcdef");
	ck_assert_int_eq(vbuf_add(&sb, "123456789", 9), VENV_ETOOBIG);
	ck_assert_int_eq(vbuf_addf(&sb, "%s", "xyz"), VENV_ETOOBIG);
	ck_assert_int_eq(vbuf_addf(&sb, "%0100d", 1), VENV_ETOOBIG);
	ck_assert_int_eq(vbuf_grow(&sb, 3), VENV_ETOOBIG);
	ck_assert_int_eq(vbuf_grow(&sb, SIZE_MAX), VENV_ETOOBIG);
	ck_assert_str_eq(sb.buf, "abcdef");
	ck_assert_uint_eq(sb.len, 6);
	ck_assert_msg(sb.buf == buf && sb.alloc == alloc,
		      "expected the failed additions not to reallocate");
	ck_assert_msg(strstr(venv_error_last(), "limit of 8 bytes") != NULL,
		      "expected the message to name the limit, saw '%s'", venv_error_last());
	/* Exactly up to the cap still works afterwards. */
	ck_assert_int_eq(vbuf_adds(&sb, "gh"), 0);
	ck_assert_str_eq(sb.buf, "abcdefgh");
	ck_assert_int_eq(vbuf_addch(&sb, 'i'), VENV_ETOOBIG);
	ck_assert_str_eq(sb.buf, "abcdefgh");
	assert_sane(&sb);
	vbuf_release(&sb);
}
END_TEST

START_TEST(test_vbuf__sets_over_cap_leaves_buffer_unchanged)
{
	struct vbuf sb = VBUF_INIT(4);

	ck_assert_int_eq(vbuf_sets(&sb, "abc"), 0);
	ck_assert_int_eq(vbuf_sets(&sb, "toolong"), VENV_ETOOBIG);
	ck_assert_str_eq(sb.buf, "abc");
	ck_assert_uint_eq(sb.len, 3);
	ck_assert_int_eq(vbuf_sets(&sb, "wxyz"), 0);
	ck_assert_str_eq(sb.buf, "wxyz");
	assert_sane(&sb);
	vbuf_release(&sb);
}
END_TEST

START_TEST(test_vbuf__grow_cannot_overflow)
{
	/* With no practical cap, a size_t overflow must still be refused. */
	struct vbuf sb = VBUF_INIT(SIZE_MAX);

	ck_assert_int_eq(vbuf_adds(&sb, "x"), 0);
	ck_assert_msg(vbuf_grow(&sb, SIZE_MAX) < 0, "expected vbuf_grow(SIZE_MAX) to fail");
	ck_assert_msg(vbuf_grow(&sb, SIZE_MAX - 1) < 0,
		      "expected vbuf_grow(SIZE_MAX - 1) with len 1 to fail");
	ck_assert_str_eq(sb.buf, "x");
	vbuf_release(&sb);
	ck_assert_msg(vbuf_grow(&sb, SIZE_MAX) < 0,
		      "expected vbuf_grow(SIZE_MAX) on an empty buffer to fail");
	assert_pristine(&sb, SIZE_MAX);
}
END_TEST

START_TEST(test_vbuf__grow_reserves_without_changing_len)
{
	struct vbuf sb = VBUF_INIT(1000);

	ck_assert_int_eq(vbuf_grow(&sb, 500), 0);
	ck_assert_uint_eq(sb.len, 0);
	ck_assert_msg(sb.alloc >= 501, "expected alloc >= 501, saw %zu", sb.alloc);
	ck_assert_str_eq(sb.buf, "");
	assert_sane(&sb);
	vbuf_release(&sb);
}
END_TEST

START_TEST(test_vbuf__addf_formats_and_appends)
{
	struct vbuf sb = VBUF_INIT(VBUF_MAX_LINE);
	char big[300];

	ck_assert_int_eq(vbuf_addf(&sb, "%s=%d", "n", 42), 0);
	ck_assert_str_eq(sb.buf, "n=42");
	ck_assert_int_eq(vbuf_addf(&sb, "%c%5.2f|%-3s|%x", ',', 3.14159, "a", 255u), 0);
	ck_assert_str_eq(sb.buf, "n=42, 3.14|a  |ff");
	/* Longer than the first allocation, so the format is sized then written. */
	memset(big, 'q', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ck_assert_int_eq(vbuf_addf(&sb, "[%s]", big), 0);
	ck_assert_uint_eq(sb.len, strlen("n=42, 3.14|a  |ff") + sizeof(big) + 1);
	ck_assert_int_eq(sb.buf[sb.len - 1], ']');
	ck_assert_int_eq(sb.buf[strlen("n=42, 3.14|a  |ff")], '[');
	assert_sane(&sb);
	vbuf_release(&sb);
}
END_TEST

START_TEST(test_vbuf__addf_empty_result)
{
	struct vbuf sb = VBUF_INIT(10);

	ck_assert_int_eq(vbuf_addf(&sb, "%s", ""), 0);
	ck_assert_uint_eq(sb.len, 0);
	ck_assert_str_eq(sb.buf, "");
	assert_sane(&sb);
	vbuf_release(&sb);
}
END_TEST

static int call_vaddf(struct vbuf *sb, const char *fmt, ...) VENV_PRINTF(2, 3);

static int call_vaddf(struct vbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int error;

	va_start(ap, fmt);
	error = vbuf_vaddf(sb, fmt, ap);
	va_end(ap);
	return error;
}

START_TEST(test_vbuf__vaddf)
{
	struct vbuf sb = VBUF_INIT(16);

	ck_assert_int_eq(call_vaddf(&sb, "%s-%u", "ab", 7u), 0);
	ck_assert_str_eq(sb.buf, "ab-7");
	ck_assert_int_eq(call_vaddf(&sb, "%s", "0123456789abcdef"), VENV_ETOOBIG);
	ck_assert_str_eq(sb.buf, "ab-7");
	vbuf_release(&sb);
}
END_TEST

START_TEST(test_vbuf__setlen_shortens_only)
{
	struct vbuf sb = VBUF_INIT(100);

	ck_assert_int_eq(vbuf_adds(&sb, "hello world"), 0);
	vbuf_setlen(&sb, 5);
	ck_assert_str_eq(sb.buf, "hello");
	ck_assert_uint_eq(sb.len, 5);
	/* Growing through setlen is not allowed: it is a no-op. */
	vbuf_setlen(&sb, 50);
	ck_assert_uint_eq(sb.len, 5);
	ck_assert_str_eq(sb.buf, "hello");
	vbuf_setlen(&sb, 5);
	ck_assert_str_eq(sb.buf, "hello");
	vbuf_setlen(&sb, 0);
	ck_assert_str_eq(sb.buf, "");
	assert_sane(&sb);
	vbuf_release(&sb);
}
END_TEST

START_TEST(test_vbuf__reset_keeps_memory)
{
	struct vbuf sb = VBUF_INIT(100);
	char *buf;
	size_t alloc;

	ck_assert_int_eq(vbuf_adds(&sb, "some text"), 0);
	buf = sb.buf;
	alloc = sb.alloc;
	vbuf_reset(&sb);
	ck_assert_uint_eq(sb.len, 0);
	ck_assert_str_eq(sb.buf, "");
	ck_assert_msg(sb.buf == buf && sb.alloc == alloc, "expected reset to keep the allocation");
	ck_assert_int_eq(vbuf_adds(&sb, "again"), 0);
	ck_assert_str_eq(sb.buf, "again");
	ck_assert_msg(sb.buf == buf, "expected reuse of the same allocation");
	vbuf_release(&sb);
}
END_TEST

START_TEST(test_vbuf__sets_replaces)
{
	struct vbuf sb = VBUF_INIT(100);

	ck_assert_int_eq(vbuf_adds(&sb, "first value"), 0);
	ck_assert_int_eq(vbuf_sets(&sb, "2nd"), 0);
	ck_assert_str_eq(sb.buf, "2nd");
	ck_assert_uint_eq(sb.len, 3);
	ck_assert_int_eq(vbuf_sets(&sb, ""), 0);
	ck_assert_str_eq(sb.buf, "");
	assert_sane(&sb);
	vbuf_release(&sb);
}
END_TEST

START_TEST(test_vbuf__release_frees_and_keeps_cap)
{
	struct vbuf sb = VBUF_INIT(33);

	ck_assert_int_eq(vbuf_adds(&sb, "data"), 0);
	vbuf_release(&sb);
	assert_pristine(&sb, 33);
	/* A released buffer is immediately reusable with the same cap. */
	ck_assert_int_eq(vbuf_adds(&sb, "more"), 0);
	ck_assert_str_eq(sb.buf, "more");
	vbuf_release(&sb);
}
END_TEST

START_TEST(test_vbuf__detach_untouched_returns_owned_empty)
{
	struct vbuf sb = VBUF_INIT(9);
	size_t len = 123;
	char *s = vbuf_detach(&sb, &len);

	ck_assert_ptr_nonnull(s);
	ck_assert_msg(s != vbuf_slopbuf, "expected detach to never hand out the slop buffer");
	ck_assert_str_eq(s, "");
	ck_assert_uint_eq(len, 0);
	assert_pristine(&sb, 9);
	free(s);
}
END_TEST

START_TEST(test_vbuf__detach_hands_over_bytes)
{
	struct vbuf sb = VBUF_INIT(50);
	char *buf, *s;
	size_t len = 0;

	ck_assert_int_eq(vbuf_add(&sb, "ab\0cd", 5), 0);
	buf = sb.buf;
	s = vbuf_detach(&sb, &len);
	ck_assert_msg(s == buf, "expected the detached pointer to be the buffer itself");
	ck_assert_uint_eq(len, 5);
	ck_assert_mem_eq(s, "ab\0cd", 6);
	assert_pristine(&sb, 50);
	free(s);
	/* len_out may be NULL. */
	ck_assert_int_eq(vbuf_adds(&sb, "x"), 0);
	s = vbuf_detach(&sb, NULL);
	ck_assert_str_eq(s, "x");
	assert_pristine(&sb, 50);
	free(s);
}
END_TEST

START_TEST(test_vbuf__model_check)
{
	/*
	 * A deterministic random walk of operations compared with a plain
	 * array model: contents, length and the invariants must agree after
	 * every step, whether the operation fitted under the cap or not.
	 */
	enum { CAP = 300 };
	struct vbuf sb = VBUF_INIT(CAP);
	char model[CAP + 1];
	size_t mlen = 0;
	unsigned long seed = 12345;
	int step;

	model[0] = '\0';
	for (step = 0; step < 20000; step++) {
		char piece[64];
		size_t plen, k;
		int op, rc;

		seed = seed * 6364136223846793005UL + 1442695040888963407UL;
		op = (int)((seed >> 33) % 7);
		plen = (size_t)((seed >> 17) % 40);
		for (k = 0; k < plen; k++)
			piece[k] = (char)('A' + (int)((seed >> (k % 20)) % 26));
		piece[plen] = '\0';
		switch (op) {
		case 0:
		case 1:
			rc = vbuf_add(&sb, piece, plen);
			if (mlen + plen <= CAP) {
				ck_assert_int_eq(rc, 0);
				memcpy(model + mlen, piece, plen);
				mlen += plen;
			} else {
				ck_assert_int_eq(rc, VENV_ETOOBIG);
			}
			break;
		case 2:
			rc = vbuf_addch(&sb, piece[0] ? piece[0] : 'z');
			if (mlen < CAP) {
				ck_assert_int_eq(rc, 0);
				model[mlen++] = piece[0] ? piece[0] : 'z';
			} else {
				ck_assert_int_eq(rc, VENV_ETOOBIG);
			}
			break;
		case 3:
			rc = vbuf_addf(&sb, "<%s>", piece);
			if (mlen + plen + 2 <= CAP) {
				ck_assert_int_eq(rc, 0);
				model[mlen++] = '<';
				memcpy(model + mlen, piece, plen);
				mlen += plen;
				model[mlen++] = '>';
			} else {
				ck_assert_int_eq(rc, VENV_ETOOBIG);
			}
			break;
		case 4:
			k = (size_t)((seed >> 40) % (CAP + 10));
			vbuf_setlen(&sb, k);
			if (k < mlen)
				mlen = k;
			break;
		case 5:
			if ((seed >> 50) % 8 == 0) {
				vbuf_release(&sb);
				mlen = 0;
			}
			break;
		default:
			ck_assert_int_eq(vbuf_sets(&sb, piece), 0);
			memcpy(model, piece, plen);
			mlen = plen;
			break;
		}
		model[mlen] = '\0';
		assert_sane(&sb);
		ck_assert_msg(sb.len == mlen, "step %d: expected len %zu, saw %zu", step, mlen, sb.len);
		ck_assert_msg(!memcmp(sb.buf, model, mlen + 1),
			      "step %d: expected '%s', saw '%s'", step, model, sb.buf);
	}
	vbuf_release(&sb);
}
END_TEST

static Suite *vbuf_suite(void)
{
	Suite *s = suite_create("vbuf");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_vbuf__init_macro_is_slop);
	tcase_add_test(tc, test_vbuf__init_function_is_slop);
	tcase_add_test(tc, test_vbuf__release_untouched_keeps_slop);
	tcase_add_test(tc, test_vbuf__slop_never_written);
	tcase_add_test(tc, test_vbuf__add_empty_allocates_nul_terminated);
	tcase_add_test(tc, test_vbuf__growth_keeps_contents);
	tcase_add_test(tc, test_vbuf__add_binary_with_nuls);
	tcase_add_test(tc, test_vbuf__cap_exact_fit);
	tcase_add_test(tc, test_vbuf__cap_failure_leaves_buffer_unchanged);
	tcase_add_test(tc, test_vbuf__sets_over_cap_leaves_buffer_unchanged);
	tcase_add_test(tc, test_vbuf__grow_cannot_overflow);
	tcase_add_test(tc, test_vbuf__grow_reserves_without_changing_len);
	tcase_add_test(tc, test_vbuf__addf_formats_and_appends);
	tcase_add_test(tc, test_vbuf__addf_empty_result);
	tcase_add_test(tc, test_vbuf__vaddf);
	tcase_add_test(tc, test_vbuf__setlen_shortens_only);
	tcase_add_test(tc, test_vbuf__reset_keeps_memory);
	tcase_add_test(tc, test_vbuf__sets_replaces);
	tcase_add_test(tc, test_vbuf__release_frees_and_keeps_cap);
	tcase_add_test(tc, test_vbuf__detach_untouched_returns_owned_empty);
	tcase_add_test(tc, test_vbuf__detach_hands_over_bytes);
	tcase_add_test(tc, test_vbuf__model_check);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(vbuf_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
