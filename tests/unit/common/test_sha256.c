#include "compat.h"
#include <check.h>
#include "sha256.h"

static void hex_of(const void *data, size_t len, char out[VENV_SHA256_HEX_LEN + 1])
{
	unsigned char d[VENV_SHA256_LEN];

	ck_assert_int_eq(venv_sha256(data, len, d), 0);
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

/*
 * NIST's byte-oriented vectors (SHAVS SHA256ShortMsg) and its "additional
 * examples" of long repeated bytes, which cross many block boundaries.
 */
START_TEST(test_sha256__nist_byte_vectors)
{
	static const struct { const char *hexmsg; const char *hex; } v[] = {
		{ "d3", "28969cdfa74a12c82f3bad960b0b000aca2ac329deea5c2328ebc6f2ba9802c1" },
		{ "11af", "5ca7133fa735326081558ac312c620eeca9970d1e70a4b95533d956f072d1f98" },
		{ "b4190e", "dff2e73091f6c05e528896c4c831b9448653dc2ff043528f6769437bc7b975c2" },
		{ "74ba2521", "b16aa56be3880d18cd41e68384cf1ec8c17680c45a02b1575dc1518923ae8b0e" },
		{ "c299209682", "f0887fe961c9cd3beab957e8222494abb969b1ce4c6557976df8b0f6d20e9166" },
	};
	static const struct { unsigned char byte; size_t count; const char *hex; } rep[] = {
		{ 0x00, 1000, "541b3e9daa09b20bf85fa273e5cbd3e80185aa4ec298e765db87742b70138a53" },
		{ 'A', 1000, "c2e686823489ced2017f6059b8b239318b6364f6dcd835d0a519105a1eadd6e4" },
		{ 'U', 1005, "f4d62ddec0f3dd90ea1380fa16a5ff8dc4c54b21740650f24afc4120903552b0" },
	};
	unsigned char msg[1005];
	char got[VENV_SHA256_HEX_LEN + 1];
	size_t i, k;

	for (i = 0; i < VENV_ARRAY_SIZE(v); i++) {
		size_t n = strlen(v[i].hexmsg) / 2;

		for (k = 0; k < n; k++) {
			unsigned int b;

			ck_assert_int_eq(sscanf(v[i].hexmsg + 2 * k, "%2x", &b), 1);
			msg[k] = (unsigned char)b;
		}
		hex_of(msg, n, got);
		ck_assert_msg(!strcmp(got, v[i].hex), "sha256(%s): expected %s, saw %s",
			      v[i].hexmsg, v[i].hex, got);
	}
	for (i = 0; i < VENV_ARRAY_SIZE(rep); i++) {
		memset(msg, rep[i].byte, rep[i].count);
		hex_of(msg, rep[i].count, got);
		ck_assert_msg(!strcmp(got, rep[i].hex), "sha256(0x%02x * %zu): expected %s, saw %s",
			      rep[i].byte, rep[i].count, rep[i].hex, got);
	}
}
END_TEST

/*
 * The digest holds libcrypto state: final() frees it, release() frees an
 * abandoned one and may be called again (the sanitizer build reports a
 * leak or a double free), and a released digest refuses to go on.
 */
START_TEST(test_sha256__release_and_misuse)
{
	struct venv_sha256 c;
	unsigned char d[VENV_SHA256_LEN];

	ck_assert_int_eq(venv_sha256_init(&c), 0);
	ck_assert_int_eq(venv_sha256_update(&c, "abc", 3), 0);
	venv_sha256_release(&c);
	venv_sha256_release(&c);
	ck_assert_int_lt(venv_sha256_update(&c, "abc", 3), 0);
	memset(d, 0xff, sizeof(d));
	ck_assert_int_lt(venv_sha256_final(&c, d), 0);
	ck_assert_msg(d[0] == 0 && d[31] == 0, "a failed digest must be zeroed, not left as it was");
	ck_assert_int_eq(venv_sha256_init(&c), 0);
	ck_assert_int_eq(venv_sha256_final(&c, d), 0);
	venv_sha256_release(&c);
}
END_TEST

static Suite *sha256_suite(void)
{
	Suite *s = suite_create("sha256");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_sha256__known_vectors);
	tcase_add_test(tc, test_sha256__nist_byte_vectors);
	tcase_add_test(tc, test_sha256__release_and_misuse);
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
