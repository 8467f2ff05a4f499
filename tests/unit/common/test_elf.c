/* Tests for common/elf.c: libpython and RUNPATH from an ELF dynamic section. */
#include "compat.h"
#include <check.h>
#include "elf.h"
#include "error.h"

static void put(unsigned char *p, uint64_t v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/*
 * A minimal little-endian ELF64 file: header, a PT_LOAD mapping the whole
 * file at 0x400000, a PT_DYNAMIC, the dynamic entries and a string table.
 */
static size_t make_elf(unsigned char *buf, size_t size, const char *needed, const char *runpath)
{
	const size_t phoff = 64, dynoff = 64 + 2 * 56, ndyn = 6, stroff = dynoff + ndyn * 16;
	const uint64_t base = 0x400000;
	size_t strsz = 1, n_needed, n_libc, n_run, total;
	unsigned char *d;

	memset(buf, 0, size);
	n_libc = strsz;
	memcpy(buf + stroff + strsz, "libc.so.6", 10);
	strsz += 10;
	n_needed = strsz;
	memcpy(buf + stroff + strsz, needed, strlen(needed) + 1);
	strsz += strlen(needed) + 1;
	n_run = strsz;
	memcpy(buf + stroff + strsz, runpath, strlen(runpath) + 1);
	strsz += strlen(runpath) + 1;
	total = stroff + strsz;

	memcpy(buf, "\177ELF", 4);
	buf[4] = 2;
	buf[5] = 1;
	buf[6] = 1;
	put(buf + 16, 2, 2);
	put(buf + 18, 62, 2);
	put(buf + 32, phoff, 8);
	put(buf + 52, 64, 2);
	put(buf + 54, 56, 2);
	put(buf + 56, 2, 2);
	/* PT_LOAD */
	put(buf + phoff, 1, 4);
	put(buf + phoff + 8, 0, 8);
	put(buf + phoff + 16, base, 8);
	put(buf + phoff + 32, total, 8);
	put(buf + phoff + 40, total, 8);
	/* PT_DYNAMIC */
	put(buf + phoff + 56, 2, 4);
	put(buf + phoff + 56 + 8, dynoff, 8);
	put(buf + phoff + 56 + 16, base + dynoff, 8);
	put(buf + phoff + 56 + 32, ndyn * 16, 8);
	d = buf + dynoff;
	put(d, 1, 8); put(d + 8, n_libc, 8); d += 16;
	put(d, 1, 8); put(d + 8, n_needed, 8); d += 16;
	put(d, 29, 8); put(d + 8, n_run, 8); d += 16;
	put(d, 5, 8); put(d + 8, base + stroff, 8); d += 16;
	put(d, 10, 8); put(d + 8, strsz, 8); d += 16;
	put(d, 0, 8);
	return total;
}

START_TEST(test_elf__libpython_and_runpath)
{
	unsigned char buf[1024];
	struct venv_elf_info e = VENV_ELF_INFO_INIT;
	size_t n = make_elf(buf, sizeof(buf), "libpython3.12.so.1.0", "/opt/py/lib");

	ck_assert_int_eq(venv_elf_parse_buffer(&e, buf, n), 0);
	ck_assert_int_eq(e.is_elf, 1);
	ck_assert_int_eq(e.is64, 1);
	ck_assert_str_eq(e.libpython, "libpython3.12.so.1.0");
	ck_assert_str_eq(e.runpath, "/opt/py/lib");
	venv_elf_release(&e);
}
END_TEST

START_TEST(test_elf__not_elf_and_truncated)
{
	unsigned char buf[1024];
	struct venv_elf_info e = VENV_ELF_INFO_INIT;
	size_t n = make_elf(buf, sizeof(buf), "libpython3.13t.so.1.0", "$ORIGIN/../lib");
	size_t cut;

	ck_assert_int_eq(venv_elf_parse_buffer(&e, "#!/bin/sh\n", 10), 0);
	ck_assert_int_eq(e.is_elf, 0);
	/* Every truncation is refused cleanly, never read past the end. */
	for (cut = 0; cut < n; cut++) {
		int rc = venv_elf_parse_buffer(&e, buf, cut);

		ck_assert_msg(rc == 0 || rc == VENV_EINVAL, "expected 0 or EINVAL at %zu, saw %d", cut, rc);
		venv_elf_release(&e);
	}
	/* A string table offset beyond the table. */
	buf[64 + 112 + 16 + 8] = 0xff;
	ck_assert_int_eq(venv_elf_parse_buffer(&e, buf, n), 0);
	ck_assert_ptr_null(e.libpython);
	venv_elf_release(&e);
}
END_TEST

START_TEST(test_elf__own_binary)
{
	struct venv_elf_info e = VENV_ELF_INFO_INIT;
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return; /* not Linux */
	ck_assert_int_eq(venv_elf_parse_fd(&e, fd), 0);
	ck_assert_int_eq(e.is_elf, 1);
	ck_assert_int_eq(e.is64, sizeof(void *) == 8);
	ck_assert_ptr_null(e.libpython);
	venv_elf_release(&e);
	close(fd);
}
END_TEST

START_TEST(test_elf__version_of_name)
{
	char v[16];

	ck_assert_int_eq(venv_python_version_of_name(v, sizeof(v), "python3.12", "python"), 0);
	ck_assert_str_eq(v, "3.12");
	ck_assert_int_eq(venv_python_version_of_name(v, sizeof(v), "python3.13t", "python"), 0);
	ck_assert_str_eq(v, "3.13t");
	ck_assert_int_eq(venv_python_version_of_name(v, sizeof(v), "libpython3.9.so.1.0",
						     "libpython"), 0);
	ck_assert_str_eq(v, "3.9");
	ck_assert_int_eq(venv_python_version_of_name(v, sizeof(v), "python3", "python"), VENV_EINVAL);
	ck_assert_int_eq(venv_python_version_of_name(v, sizeof(v), "python3.12-config", "python"),
			 VENV_EINVAL);
	ck_assert_int_eq(venv_python_version_of_name(v, sizeof(v), "pypy3.10", "python"), VENV_EINVAL);
}
END_TEST

static Suite *elf_suite(void)
{
	Suite *s = suite_create("elf");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, test_elf__libpython_and_runpath);
	tcase_add_test(tc, test_elf__not_elf_and_truncated);
	tcase_add_test(tc, test_elf__own_binary);
	tcase_add_test(tc, test_elf__version_of_name);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(elf_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
