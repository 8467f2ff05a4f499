#include "compat.h"
#include <pthread.h>
#include <openssl/evp.h>
#include "error.h"
#include "sha256.h"

/*
 * The digest is libcrypto's, through EVP. The few functions used are
 * looked up with dlopen() on first use (see sha256.h for why); where the
 * library's file name is not known at build time, libcrypto is linked as
 * usual and the table points at it directly.
 */
#define VENV_CRYPTO_FUNCS(X) \
	X(EVP_MD_CTX_new) \
	X(EVP_MD_CTX_free) \
	X(EVP_MD_fetch) \
	X(EVP_DigestInit_ex) \
	X(EVP_DigestUpdate) \
	X(EVP_DigestFinal_ex)

static struct {
#define VENV_CRYPTO_FIELD(f) __typeof__(&f) f;
	VENV_CRYPTO_FUNCS(VENV_CRYPTO_FIELD)
#undef VENV_CRYPTO_FIELD
} crypto;

static pthread_once_t crypto_once = PTHREAD_ONCE_INIT;
static int crypto_error;
static char crypto_message[512];
/* Fetched once: fetching on every init costs a lookup in OpenSSL's provider tables. */
static EVP_MD *crypto_md;

#ifdef VENV_CRYPTO_SONAME_BARE
#include <dlfcn.h>

#define VENV_CRYPTO_STR2(x) #x
#define VENV_CRYPTO_STR(x) VENV_CRYPTO_STR2(x)
#define VENV_CRYPTO_SONAME VENV_CRYPTO_STR(VENV_CRYPTO_SONAME_BARE)

static int crypto_bind(void)
{
	void *h = dlopen(VENV_CRYPTO_SONAME, RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		snprintf(crypto_message, sizeof(crypto_message), "cannot load %s: %s",
			 VENV_CRYPTO_SONAME, dlerror());
		return VENV_ENOTFOUND;
	}
	/* POSIX allows converting dlsym()'s object pointer to a function pointer. */
#define VENV_CRYPTO_SYM(f) \
	if (!(*(void **)&crypto.f = dlsym(h, #f))) { \
		snprintf(crypto_message, sizeof(crypto_message), "%s has no %s", \
			 VENV_CRYPTO_SONAME, #f); \
		return VENV_ENOTFOUND; \
	}
	VENV_CRYPTO_FUNCS(VENV_CRYPTO_SYM)
#undef VENV_CRYPTO_SYM
	return 0;
}
#else
static int crypto_bind(void)
{
#define VENV_CRYPTO_ADDR(f) crypto.f = f;
	VENV_CRYPTO_FUNCS(VENV_CRYPTO_ADDR)
#undef VENV_CRYPTO_ADDR
	return 0;
}
#endif

static void crypto_open(void)
{
	if ((crypto_error = crypto_bind()) < 0)
		return;
	crypto_md = crypto.EVP_MD_fetch(NULL, "SHA256", NULL);
	if (!crypto_md) {
		snprintf(crypto_message, sizeof(crypto_message),
			 "libcrypto has no SHA-256 implementation");
		crypto_error = VENV_ENOTFOUND;
	}
}

static int crypto_load(void)
{
	pthread_once(&crypto_once, crypto_open);
	if (crypto_error)
		return venv_error_set(crypto_error, "%s", crypto_message);
	return 0;
}

int venv_sha256_init(struct venv_sha256 *c)
{
	int error;

	c->ctx = NULL;
	c->error = 0;
	if ((error = crypto_load()) < 0)
		return c->error = error;
	if (!(c->ctx = crypto.EVP_MD_CTX_new()))
		return c->error = venv_error_set(VENV_ENOMEM, "out of memory");
	if (crypto.EVP_DigestInit_ex(c->ctx, crypto_md, NULL) != 1) {
		venv_sha256_release(c);
		return c->error = venv_error_set(VENV_ERROR, "cannot start a SHA-256 digest");
	}
	return 0;
}

int venv_sha256_update(struct venv_sha256 *c, const void *data, size_t len)
{
	if (c->error)
		return c->error;
	if (!c->ctx)
		return c->error = venv_error_set(VENV_EINVAL, "SHA-256 digest not started");
	if (len && crypto.EVP_DigestUpdate(c->ctx, data, len) != 1) {
		venv_sha256_release(c);
		return c->error = venv_error_set(VENV_ERROR, "SHA-256 digest failed");
	}
	return 0;
}

int venv_sha256_digest(struct venv_sha256 *c, unsigned char out[VENV_SHA256_LEN])
{
	unsigned int n = 0;
	int error = c->error;

	if (!error && !c->ctx)
		error = venv_error_set(VENV_EINVAL, "SHA-256 digest not started");
	if (!error && (crypto.EVP_DigestFinal_ex(c->ctx, out, &n) != 1 || n != VENV_SHA256_LEN))
		error = venv_error_set(VENV_ERROR, "SHA-256 digest failed");
	if (error) {
		memset(out, 0, VENV_SHA256_LEN);
		venv_sha256_release(c);
	}
	c->error = error;
	return error;
}

int venv_sha256_final(struct venv_sha256 *c, unsigned char out[VENV_SHA256_LEN])
{
	int error = venv_sha256_digest(c, out);

	venv_sha256_release(c);
	return error;
}

int venv_sha256_restart(struct venv_sha256 *c)
{
	if (!c->ctx)
		return venv_sha256_init(c);
	c->error = 0;
	if (crypto.EVP_DigestInit_ex(c->ctx, crypto_md, NULL) != 1) {
		venv_sha256_release(c);
		return c->error = venv_error_set(VENV_ERROR, "cannot start a SHA-256 digest");
	}
	return 0;
}

void venv_sha256_release(struct venv_sha256 *c)
{
	if (c->ctx)
		crypto.EVP_MD_CTX_free(c->ctx);
	c->ctx = NULL;
}

int venv_sha256(const void *data, size_t len, unsigned char out[VENV_SHA256_LEN])
{
	struct venv_sha256 c;

	venv_sha256_init(&c);
	venv_sha256_update(&c, data, len);
	return venv_sha256_final(&c, out);
}

void venv_sha256_hex(const unsigned char digest[VENV_SHA256_LEN],
		     char out[VENV_SHA256_HEX_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	int i;

	for (i = 0; i < VENV_SHA256_LEN; i++) {
		out[2 * i] = hex[digest[i] >> 4];
		out[2 * i + 1] = hex[digest[i] & 15];
	}
	out[VENV_SHA256_HEX_LEN] = '\0';
}

static const char b64url[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

void venv_sha256_b64(const unsigned char digest[VENV_SHA256_LEN],
		     char out[VENV_SHA256_B64_LEN + 1])
{
	size_t i, o = 0;

	/* 32 bytes: ten full groups of three, then two bytes -> three characters. */
	for (i = 0; i + 3 <= VENV_SHA256_LEN; i += 3) {
		uint32_t v = (uint32_t)digest[i] << 16 | (uint32_t)digest[i + 1] << 8 | digest[i + 2];

		out[o++] = b64url[(v >> 18) & 63];
		out[o++] = b64url[(v >> 12) & 63];
		out[o++] = b64url[(v >> 6) & 63];
		out[o++] = b64url[v & 63];
	}
	{
		uint32_t v = (uint32_t)digest[30] << 16 | (uint32_t)digest[31] << 8;

		out[o++] = b64url[(v >> 18) & 63];
		out[o++] = b64url[(v >> 12) & 63];
		out[o++] = b64url[(v >> 6) & 63];
	}
	out[o] = '\0';
}

static int b64_value(int ch)
{
	const char *p;

	if (!ch)
		return -1;
	p = strchr(b64url, ch);
	return p ? (int)(p - b64url) : -1;
}

int venv_sha256_from_b64(unsigned char digest[VENV_SHA256_LEN], const char *text, size_t len)
{
	unsigned char tmp[VENV_SHA256_LEN];
	char check[VENV_SHA256_B64_LEN + 1];
	uint32_t v = 0;
	size_t i, o = 0;
	int bits = 0;

	if (len != VENV_SHA256_B64_LEN)
		return -1;
	for (i = 0; i < len; i++) {
		int d = b64_value((unsigned char)text[i]);

		if (d < 0)
			return -1;
		v = (v << 6) | (uint32_t)d;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o < VENV_SHA256_LEN)
				tmp[o++] = (unsigned char)(v >> bits);
		}
	}
	/* Reject non-canonical text (stray low bits in the last character). */
	venv_sha256_b64(tmp, check);
	if (o != VENV_SHA256_LEN || memcmp(check, text, len))
		return -1;
	memcpy(digest, tmp, sizeof(tmp));
	return 0;
}
