/*
 * Unit tests for common/filehash.c: hashing many files of an untrusted
 * tree on several threads (what check --verify-hashes compares with
 * RECORD), and the parser of RECORD's hash field.
 */
#include "compat.h"
#include <check.h>
#include <pthread.h>
#include <time.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include "error.h"
#include "filehash.h"
#include "fs.h"
#include "vbuf.h"
#include "../unit.h"

UNIT_TMPDIR("filehash")

static int dir_fd(const char *sub)
{
	char p[PATH_MAX];
	int fd;

	PATHF(p, "%s/%s", tmp_root, sub);
	ck_assert_int_eq(mkdir(p, 0700), 0);
	fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	return fd;
}

static void put_at(int dfd, const char *name, const void *data, size_t len)
{
	int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	ck_assert_msg(fd >= 0, "cannot create '%s': %s", name, strerror(errno));
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	close(fd);
}

/* Content, digests and statuses agree with one-shot hashing, on 1 and 4 threads. */
START_TEST(test_filehash__matches_one_shot_any_threads)
{
	enum { N = 40 };
	struct venv_filehash a[N], b[N];
	char names[N][32];
	int dfd = dir_fd("many");
	size_t i;
	static char big[3 * 1024 * 1024 + 17];

	for (i = 0; i < sizeof(big); i++)
		big[i] = (char)(i * 7 + 3);
	for (i = 0; i < N; i++) {
		size_t len = i == 5 ? sizeof(big) : i * 97;

		snprintf(names[i], sizeof(names[i]), "f%zu", i);
		put_at(dfd, names[i], big, len);
		memset(&a[i], 0, sizeof(a[i]));
		a[i].path = names[i];
		a[i].size = (off_t)len;
	}
	memcpy(b, a, sizeof(a));
	ck_assert_int_eq(venv_filehash_run(dfd, a, N, 1), 0);
	ck_assert_int_eq(venv_filehash_run(dfd, b, N, 4), 0);
	for (i = 0; i < N; i++) {
		unsigned char want[VENV_SHA256_LEN];
		size_t len = i == 5 ? sizeof(big) : i * 97;

		ck_assert_int_eq(venv_sha256(big, len, want), 0);
		ck_assert_int_eq(a[i].status, VENV_RD_OK);
		ck_assert_int_eq(b[i].status, VENV_RD_OK);
		ck_assert_int_eq(a[i].hashed, (off_t)len);
		ck_assert_msg(!memcmp(a[i].digest, want, sizeof(want)), "file %zu: wrong digest", i);
		ck_assert_msg(!memcmp(b[i].digest, want, sizeof(want)), "file %zu: wrong digest "
			      "on 4 threads", i);
	}
	close(dfd);
}
END_TEST

/* Problems are per file: missing, a link at the end, a FIFO never opened, a directory. */
START_TEST(test_filehash__problems_are_per_file)
{
	struct venv_filehash v[6];
	int dfd = dir_fd("problems");
	unsigned char want[VENV_SHA256_LEN];
	size_t i;

	put_at(dfd, "ok", "abc", 3);
	ck_assert_int_eq(symlinkat("ok", dfd, "link"), 0);
	ck_assert_int_eq(mkfifoat(dfd, "fifo", 0600), 0);
	ck_assert_int_eq(mkdirat(dfd, "dir", 0700), 0);
	memset(v, 0, sizeof(v));
	v[0].path = "ok";
	v[1].path = "missing";
	v[2].path = "link";
	v[3].path = "fifo";      /* would block forever if opened for reading without O_NONBLOCK */
	v[4].path = "dir";
	v[5].path = "dir/nothing";
	ck_assert_int_eq(venv_filehash_run(dfd, v, VENV_ARRAY_SIZE(v), 3), 0);
	ck_assert_int_eq(venv_sha256("abc", 3, want), 0);
	ck_assert_int_eq(v[0].status, VENV_RD_OK);
	ck_assert(!memcmp(v[0].digest, want, sizeof(want)));
	ck_assert_int_eq(v[1].status, VENV_RD_MISSING);
	ck_assert_int_eq(v[2].status, VENV_RD_LINK);
	ck_assert_int_eq(v[3].status, VENV_RD_SPECIAL);
	ck_assert_int_eq(v[4].status, VENV_RD_SPECIAL);
	ck_assert_int_eq(v[5].status, VENV_RD_MISSING);
	for (i = 1; i < VENV_ARRAY_SIZE(v); i++)
		ck_assert_msg(v[i].digest[0] == 0 && v[i].digest[31] == 0,
			      "expected no digest for a file that was not read (%zu)", i);
	close(dfd);
}
END_TEST

/*
 * A directory link on the way out of the tree is refused where openat2()
 * exists; a link that stays inside, and a trusted one (follow), are taken.
 */
START_TEST(test_filehash__sparse_not_read)
{
	struct venv_filehash v[2];
	struct stat st;
	int dfd = dir_fd("sparse"), fd;

	/* INS-02: 1 GiB of holes; the walk's lstat saw a regular file of that size. */
	fd = openat(dfd, "holes", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, (off_t)1 << 30), 0);
	ck_assert_int_eq(fstat(fd, &st), 0);
	close(fd);
	put_at(dfd, "small", "x", 1);
	memset(v, 0, sizeof(v));
	v[0].path = "holes";
	v[0].size = (off_t)1 << 30;
	v[0].regular = 1;
	v[1].path = "small";
	ck_assert_int_eq(venv_filehash_run(dfd, v, VENV_ARRAY_SIZE(v), 2), 0);
	if ((off_t)st.st_blocks * 512 < st.st_size / 16) {
		ck_assert_int_eq(v[0].status, VENV_RD_TOO_BIG);
		ck_assert_int_eq(v[0].sparse_size, (off_t)1 << 30);
		ck_assert_int_eq(v[0].hashed, 0);
	}
	ck_assert_int_eq(v[1].status, VENV_RD_OK);
	ck_assert_int_eq(v[1].sparse_size, 0);
	close(dfd);
}
END_TEST

START_TEST(test_filehash__links_out_not_followed)
{
	struct venv_filehash v[3];
	char out[PATH_MAX];
	int dfd = dir_fd("links"), odfd = dir_fd("outside");

	put_at(odfd, "secret", "s", 1);
	PATHF(out, "%s/outside", tmp_root);
	ck_assert_int_eq(symlinkat(out, dfd, "away"), 0);
	ck_assert_int_eq(mkdirat(dfd, "in", 0700), 0);
	put_at(dfd, "in/f", "x", 1);
	ck_assert_int_eq(symlinkat("in", dfd, "alias"), 0);
	memset(v, 0, sizeof(v));
	v[0].path = "away/secret";
	v[1].path = "alias/f";
	v[2].path = "away/secret";
	v[2].follow = 1;
	ck_assert_int_eq(venv_filehash_run(dfd, v, VENV_ARRAY_SIZE(v), 1), 0);
#ifdef SYS_openat2
	/* Without openat2() in the kernel, links on the way are followed (documented). */
	if (!(syscall(SYS_openat2, -1, "", NULL, (size_t)0) < 0 && errno == ENOSYS))
		ck_assert_int_eq(v[0].status, VENV_RD_LINK);
#endif
	ck_assert_int_eq(v[1].status, VENV_RD_OK);
	ck_assert_int_eq(v[2].status, VENV_RD_OK);
	ck_assert_int_eq(v[2].hashed, 1);
	close(dfd);
	close(odfd);
}
END_TEST

/*
 * A file the caller saw as regular is read without fstat() unless it
 * disagrees with the size seen: one that grew or shrank is hashed whole,
 * and a FIFO, a directory or a file of the wrong size still come out as
 * they would have been looked at (never blocking, never read as a file).
 */
START_TEST(test_filehash__regular_seen_before)
{
	static char big[600 * 1024];
	struct venv_filehash v[6];
	unsigned char want_big[VENV_SHA256_LEN], want_abc[VENV_SHA256_LEN];
	int dfd = dir_fd("seen"), wfd;
	size_t i;

	for (i = 0; i < sizeof(big); i++)
		big[i] = (char)(i * 13 + 1);
	put_at(dfd, "grew", big, sizeof(big));
	put_at(dfd, "shrank", "abc", 3);
	put_at(dfd, "same", big, sizeof(big));
	ck_assert_int_eq(mkfifoat(dfd, "fifo", 0600), 0);
	ck_assert_int_eq(mkdirat(dfd, "dir", 0700), 0);
	put_at(dfd, "empty", "", 0);
	memset(v, 0, sizeof(v));
	v[0].path = "grew";
	v[0].size = 10;                 /* seen at 10 bytes, 600 KiB now */
	v[1].path = "shrank";
	v[1].size = 5000;
	v[2].path = "same";
	v[2].size = (off_t)sizeof(big);
	v[3].path = "fifo";             /* a regular file replaced by a FIFO since */
	v[3].size = 100;
	v[4].path = "dir";
	v[4].size = 100;
	v[5].path = "fifo";
	v[5].size = 0;                  /* a FIFO where an empty file was */
	for (i = 0; i < VENV_ARRAY_SIZE(v); i++)
		v[i].regular = 1;
	/* With a writer the FIFO has data: reading it as a file would hash that. */
	wfd = openat(dfd, "fifo", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	ck_assert_int_ge(wfd, 0);
	ck_assert_int_eq(write(wfd, "abc", 3), 3);
	ck_assert_int_eq(venv_filehash_run(dfd, v, VENV_ARRAY_SIZE(v), 2), 0);
	ck_assert_int_eq(venv_sha256(big, sizeof(big), want_big), 0);
	ck_assert_int_eq(venv_sha256("abc", 3, want_abc), 0);
	ck_assert_int_eq(v[0].status, VENV_RD_OK);
	ck_assert_int_eq(v[0].hashed, (off_t)sizeof(big));
	ck_assert(!memcmp(v[0].digest, want_big, sizeof(want_big)));
	ck_assert_int_eq(v[1].status, VENV_RD_OK);
	ck_assert(!memcmp(v[1].digest, want_abc, sizeof(want_abc)));
	ck_assert_int_eq(v[2].status, VENV_RD_OK);
	ck_assert(!memcmp(v[2].digest, want_big, sizeof(want_big)));
	ck_assert_int_eq(v[3].status, VENV_RD_SPECIAL);
	ck_assert_int_eq(v[4].status, VENV_RD_SPECIAL);
	ck_assert_int_eq(v[5].status, VENV_RD_SPECIAL);
	for (i = 3; i < VENV_ARRAY_SIZE(v); i++)
		ck_assert_msg(v[i].hashed == 0 && v[i].digest[0] == 0 && v[i].digest[31] == 0,
			      "expected nothing hashed of a file that is not regular (%zu)", i);
	close(wfd);
	close(dfd);
}
END_TEST

/* Files of more directories than a thread keeps handles on, interleaved: each hashed right. */
START_TEST(test_filehash__many_directories_interleaved)
{
	enum { DIRS = 20, PER = 3 };
	struct venv_filehash v[DIRS * PER];
	char names[DIRS * PER][32], dir[16];
	int dfd = dir_fd("dirs");
	size_t i, k;

	for (i = 0; i < DIRS; i++) {
		snprintf(dir, sizeof(dir), "d%zu", i);
		ck_assert_int_eq(mkdirat(dfd, dir, 0700), 0);
	}
	memset(v, 0, sizeof(v));
	/* d0/f0, d1/f0, ..., d19/f0, d0/f1, ...: never two of one directory in a row. */
	for (k = 0; k < PER; k++) {
		for (i = 0; i < DIRS; i++) {
			size_t n = k * DIRS + i;

			snprintf(names[n], sizeof(names[n]), "d%zu/f%zu", i, k);
			put_at(dfd, names[n], names[n], strlen(names[n]));
			v[n].path = names[n];
			v[n].size = (off_t)strlen(names[n]);
			v[n].regular = 1;
		}
	}
	for (k = 1; k <= 3; k += 2) {
		ck_assert_int_eq(venv_filehash_run(dfd, v, VENV_ARRAY_SIZE(v), (unsigned)k), 0);
		for (i = 0; i < VENV_ARRAY_SIZE(v); i++) {
			unsigned char want[VENV_SHA256_LEN];

			ck_assert_int_eq(venv_sha256(names[i], strlen(names[i]), want), 0);
			ck_assert_msg(v[i].status == VENV_RD_OK, "%s: status %d", names[i], v[i].status);
			ck_assert_msg(!memcmp(v[i].digest, want, sizeof(want)), "%s: wrong digest on %zu "
				      "thread(s)", names[i], k);
		}
	}
	close(dfd);
}
END_TEST

/* With descriptors for hardly more than one file at a time, every file is still hashed. */
START_TEST(test_filehash__few_descriptors)
{
	enum { DIRS = 6 };
	struct venv_filehash v[DIRS];
	char names[DIRS][16];
	struct rlimit old, low;
	int dfd = dir_fd("fds"), probe;
	size_t i;

	for (i = 0; i < DIRS; i++) {
		snprintf(names[i], sizeof(names[i]), "d%zu", i);
		ck_assert_int_eq(mkdirat(dfd, names[i], 0700), 0);
		snprintf(names[i], sizeof(names[i]), "d%zu/f", i);
		put_at(dfd, names[i], names[i], strlen(names[i]));
	}
	memset(v, 0, sizeof(v));
	for (i = 0; i < DIRS; i++)
		v[i].path = names[i];
	/* libcrypto loaded first: its own files are not what is measured. */
	ck_assert_int_eq(venv_filehash_run(dfd, v, DIRS, 1), 0);
	/* The lowest free descriptor: room for it and two more (a directory and a file). */
	probe = dup(0);
	ck_assert_int_ge(probe, 0);
	close(probe);
	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &old), 0);
	low = old;
	low.rlim_cur = (rlim_t)probe + 2;
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &low), 0);
	ck_assert_int_eq(venv_filehash_run(dfd, v, DIRS, 1), 0);
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &old), 0);
	for (i = 0; i < DIRS; i++) {
		unsigned char want[VENV_SHA256_LEN];

		ck_assert_int_eq(venv_sha256(names[i], strlen(names[i]), want), 0);
		ck_assert_msg(v[i].status == VENV_RD_OK, "%s: status %d (%s)", names[i], v[i].status,
			      strerror(v[i].err));
		ck_assert(!memcmp(v[i].digest, want, sizeof(want)));
	}
	close(dfd);
}
END_TEST

struct late {
	struct venv_filehash_stream *s;
	unsigned delay_ms;
	int came;               /* set (atomically) as the thread enters the stream */
};

static void *late_worker(void *arg)
{
	struct late *l = arg;
	struct timespec ts = { 0, (long)l->delay_ms * 1000000L };

	nanosleep(&ts, NULL);
	__atomic_store_n(&l->came, 1, __ATOMIC_SEQ_CST);
	venv_filehash_work(l->s);
	return NULL;
}

/*
 * A thread of the caller's own (check's reader) hashes too once adopted,
 * and finish() does not free the stream before it has left it, even when
 * it comes late: here it sleeps 150 ms first, so it comes after finish()
 * began. What is asserted is the order (the thread came before finish()
 * returned), not a time: a loaded machine makes any time wrong.
 */
START_TEST(test_filehash__adopted_thread)
{
	enum { N = 24 };
	struct venv_filehash v[N];
	char names[N][32];
	static char data[300 * 1024];
	int dfd = dir_fd("adopted"), round;
	size_t i;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (char)(i * 13 + 1);
	for (i = 0; i < N; i++) {
		snprintf(names[i], sizeof(names[i]), "f%zu", i);
		put_at(dfd, names[i], data, i * 1000 + (i % 3 ? 0 : sizeof(data) - N * 1000));
	}
	/* Round 0: the adopted thread works from the start; round 1: it comes after finish(). */
	for (round = 0; round < 2; round++) {
		struct venv_filehash_stream *s;
		struct late l = { NULL, round ? 150 : 0, 0 };
		pthread_t t;

		memset(v, 0, sizeof(v));
		for (i = 0; i < N; i++) {
			v[i].path = names[i];
			v[i].size = (off_t)(i * 1000 + (i % 3 ? 0 : sizeof(data) - N * 1000));
			v[i].regular = 1;
		}
		ck_assert_int_eq(venv_filehash_start(&s, dfd, v, N, 0), 0);
		venv_filehash_adopt(s);
		l.s = s;
		ck_assert_int_eq(pthread_create(&t, NULL, late_worker, &l), 0);
		for (i = 0; i < N; i++)
			venv_filehash_push(s, i);
		ck_assert_int_eq(venv_filehash_finish(s, 2), 0);
		ck_assert_msg(__atomic_load_n(&l.came, __ATOMIC_SEQ_CST), "round %d: finish() "
			      "returned before the adopted thread came", round);
		ck_assert_int_eq(pthread_join(t, NULL), 0);
		for (i = 0; i < N; i++) {
			unsigned char want[VENV_SHA256_LEN];

			ck_assert_int_eq(venv_sha256(data, (size_t)v[i].size, want), 0);
			ck_assert_int_eq(v[i].status, VENV_RD_OK);
			ck_assert_int_eq(v[i].hashed, v[i].size);
			ck_assert_msg(!memcmp(v[i].digest, want, sizeof(want)), "round %d, file %zu: "
				      "wrong digest", round, i);
		}
	}
	close(dfd);
}
END_TEST

START_TEST(test_filehash__none_is_nothing)
{
	ck_assert_int_eq(venv_filehash_run(AT_FDCWD, NULL, 0, 8), 0);
}
END_TEST

/* RECORD's form is accepted; every other encoding is an error that says which, never a crash. */
START_TEST(test_filehash__record_field_encodings)
{
	static const struct { const char *field; int rc; const char *says; } v[] = {
		{ "sha256=ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0", 0, NULL },
		{ "", VENV_ENOTFOUND, NULL },
		{ "sha256", VENV_EINVAL, "ALGORITHM=DIGEST" },
		{ "md5=kAFQmDzST7DWlj99KOF_cg", VENV_EINVAL, "'md5' is not sha256" },
		{ "SHA256=ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0", VENV_EINVAL, "not sha256" },
		{ "sha256=ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
		  VENV_EINVAL, "hexadecimal" },
		{ "sha256=ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0=", VENV_EINVAL, "padding" },
		{ "sha256=ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0", VENV_EINVAL, "standard base64" },
		{ "sha256=ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa", VENV_EINVAL, "42 characters" },
		{ "sha256=", VENV_EINVAL, "0 characters" },
		{ "sha256=ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa1", VENV_EINVAL, "not urlsafe" },
		{ "sha256=ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAF\xc3\xa9", VENV_EINVAL, "not urlsafe" },
	};
	unsigned char d[VENV_SHA256_LEN], want[VENV_SHA256_LEN];
	size_t i;

	ck_assert_int_eq(venv_sha256("abc", 3, want), 0);
	for (i = 0; i < VENV_ARRAY_SIZE(v); i++) {
		int rc = venv_filehash_parse_record(d, v[i].field);

		ck_assert_msg(rc == v[i].rc, "'%s': expected %d, saw %d (%s)", v[i].field, v[i].rc,
			      rc, venv_error_last());
		if (v[i].says)
			ck_assert_msg(strstr(venv_error_last(), v[i].says), "'%s': expected the "
				      "message to say '%s', saw '%s'", v[i].field, v[i].says,
				      venv_error_last());
		if (!rc)
			ck_assert(!memcmp(d, want, sizeof(want)));
		venv_error_clear();
	}
}
END_TEST

/* Hostile fields of any length and byte never crash (a run under the sanitizers checks reads). */
START_TEST(test_filehash__record_field_hostile)
{
	unsigned char d[VENV_SHA256_LEN];
	struct vbuf s = VBUF_INIT(VBUF_MAX_LINE);
	unsigned seed = 12345;
	int k;

	for (k = 0; k < 2000; k++) {
		size_t n = (seed = seed * 1103515245 + 12345) % 90, j;

		vbuf_reset(&s);
		ck_assert_int_eq(vbuf_adds(&s, k % 2 ? "sha256=" : ""), 0);
		for (j = 0; j < n; j++) {
			seed = seed * 1103515245 + 12345;
			ck_assert_int_eq(vbuf_addch(&s, (int)((seed >> 16) % 255) + 1), 0);
		}
		ck_assert_int_le(venv_filehash_parse_record(d, s.buf), 0);
		venv_error_clear();
	}
	vbuf_release(&s);
}
END_TEST

static Suite *filehash_suite(void)
{
	Suite *s = suite_create("filehash");
	TCase *tc = tcase_create("core");

	tcase_add_unchecked_fixture(tc, tmp_setup, tmp_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_filehash__matches_one_shot_any_threads);
	tcase_add_test(tc, test_filehash__problems_are_per_file);
	tcase_add_test(tc, test_filehash__links_out_not_followed);
	tcase_add_test(tc, test_filehash__regular_seen_before);
	tcase_add_test(tc, test_filehash__many_directories_interleaved);
	tcase_add_test(tc, test_filehash__few_descriptors);
	tcase_add_test(tc, test_filehash__adopted_thread);
	tcase_add_test(tc, test_filehash__none_is_nothing);
	tcase_add_test(tc, test_filehash__record_field_encodings);
	tcase_add_test(tc, test_filehash__record_field_hostile);
	tcase_add_test(tc, test_filehash__sparse_not_read);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(filehash_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
