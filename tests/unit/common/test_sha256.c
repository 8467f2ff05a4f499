#include "compat.h"
#include <check.h>
#include "sha256.h"

static void hex_of(const void *data, size_t len, char out[VENV_SHA256_HEX_LEN + 1])
{
	unsigned char d[VENV_SHA256_LEN];

	venv_sha256(data, len, d);
	venv_sha256_hex(d, out);
}

/* The FIPS 180-4 / NIST example vectors. */
START_TEST(test_sha256__known_vectors)
{
	static const struct { const char *msg; const char *hex; } v[] = {
		{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
		{ "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
		  "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
		  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
	};
	char got[VENV_SHA256_HEX_LEN + 1];
	size_t i;

	for (i = 0; i < VENV_ARRAY_SIZE(v); i++) {
		hex_of(v[i].msg, strlen(v[i].msg), got);
		ck_assert_msg(!strcmp(got, v[i].hex), "sha256(\"%s\"): expected %s, saw %s",
			      v[i].msg, v[i].hex, got);
	}
}
END_TEST

/* One million 'a', fed in uneven pieces so that every buffering path is used. */
START_TEST(test_sha256__million_a_streaming)
{
	static char chunk[1000];
	struct venv_sha256 c;
	unsigned char d[VENV_SHA256_LEN];
	char got[VENV_SHA256_HEX_LEN + 1];
	size_t done = 0, step = 1;

	memset(chunk, 'a', sizeof(chunk));
	venv_sha256_init(&c);
	while (done < 1000000) {
		size_t n = step;

		if (n > sizeof(chunk))
			n = sizeof(chunk);
		if (n > 1000000 - done)
			n = 1000000 - done;
		venv_sha256_update(&c, chunk, n);
		done += n;
		step = step % 997 + 63;
	}
	venv_sha256_final(&c, d);
	venv_sha256_hex(d, got);
	ck_assert_str_eq(got, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}
END_TEST

/* Lengths around the 55/56/64-byte padding boundaries agree with one-shot hashing. */
START_TEST(test_sha256__padding_boundaries)
{
	static const struct { size_t len; const char *hex; } v[] = {
		{ 55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318" },
		{ 56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a" },
		{ 63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34" },
		{ 64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb" },
		{ 65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0" },
	};
	char buf[65], got[VENV_SHA256_HEX_LEN + 1];
	size_t i, k;

	memset(buf, 'a', sizeof(buf));
	for (i = 0; i < VENV_ARRAY_SIZE(v); i++) {
		struct venv_sha256 c;
		unsigned char d[VENV_SHA256_LEN];

		hex_of(buf, v[i].len, got);
		ck_assert_msg(!strcmp(got, v[i].hex), "sha256('a' * %zu): expected %s, saw %s",
			      v[i].len, v[i].hex, got);
		/* Byte by byte gives the same. */
		venv_sha256_init(&c);
		for (k = 0; k < v[i].len; k++)
			venv_sha256_update(&c, buf + k, 1);
		venv_sha256_final(&c, d);
		venv_sha256_hex(d, got);
		ck_assert_msg(!strcmp(got, v[i].hex), "bytewise sha256('a' * %zu): expected %s, saw %s",
			      v[i].len, v[i].hex, got);
	}
}
END_TEST

/* The RECORD form, checked against what pip writes for INSTALLER and REQUESTED. */
START_TEST(test_sha256__record_base64)
{
	unsigned char d[VENV_SHA256_LEN], back[VENV_SHA256_LEN];
	char b64[VENV_SHA256_B64_LEN + 1];

	venv_sha256("pip\n", 4, d);
	venv_sha256_b64(d, b64);
	ck_assert_str_eq(b64, "zuuue4knoyJ-UwPPXg8fezS7VCrXJQrAP7zeNuwvFQg");
	ck_assert_int_eq(venv_sha256_from_b64(back, b64, strlen(b64)), 0);
	ck_assert_msg(!memcmp(back, d, sizeof(d)), "decoding the base64 form did not give the digest");
	venv_sha256("", 0, d);
	venv_sha256_b64(d, b64);
	ck_assert_str_eq(b64, "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU");
}
END_TEST

START_TEST(test_sha256__bad_base64_rejected)
{
	unsigned char d[VENV_SHA256_LEN];
	static const char *const bad[] = {
		"",
		"zuuue4knoyJ-UwPPXg8fezS7VCrXJQrAP7zeNuwvFQ",    /* 42 characters */
		"zuuue4knoyJ-UwPPXg8fezS7VCrXJQrAP7zeNuwvFQg=",  /* padded */
		"zuuue4knoyJ+UwPPXg8fezS7VCrXJQrAP7zeNuwvFQg",   /* standard alphabet */
		"zuuue4knoyJ-UwPPXg8fezS7VCrXJQrAP7zeNuwvFQh",   /* stray low bits */
	};
	size_t i;

	for (i = 0; i < VENV_ARRAY_SIZE(bad); i++)
		ck_assert_msg(venv_sha256_from_b64(d, bad[i], strlen(bad[i])) == -1,
			      "expected '%s' to be rejected, it was accepted", bad[i]);
}
END_TEST

static Suite *sha256_suite(void)
{
	Suite *s = suite_create("sha256");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_sha256__known_vectors);
	tcase_add_test(tc, test_sha256__million_a_streaming);
	tcase_add_test(tc, test_sha256__padding_boundaries);
	tcase_add_test(tc, test_sha256__record_base64);
	tcase_add_test(tc, test_sha256__bad_base64_rejected);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(sha256_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
