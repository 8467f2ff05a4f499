#ifndef VENV_SHA256_H
#define VENV_SHA256_H

#include <stddef.h>
#include <stdint.h>

/*
 * SHA-256 (FIPS 180-4), for checking wheel contents against their RECORD
 * and for keying the wheel cache. Streaming: init, update any number of
 * times, final; or venv_sha256() for one buffer.
 *
 * The digest is OpenSSL's (libcrypto's EVP interface, which uses the CPU's
 * SHA instructions where there are any). libcrypto is loaded with dlopen()
 * the first time a digest is started, as libarchive is (common/la.h):
 * linking it would cost every run of the binary several milliseconds.
 *
 * Every function returns 0, or a negative VENV_E* code with a message when
 * libcrypto cannot be loaded or allocate; after a failure the digest is not
 * computed and `out` is zeroed, so a caller must check the return value.
 * final() releases the state; a caller that gives up before final() calls
 * venv_sha256_release() (which is harmless after final()).
 */
#define VENV_SHA256_LEN 32
/* Length of the urlsafe base64 form without padding, as RECORD writes it. */
#define VENV_SHA256_B64_LEN 43
#define VENV_SHA256_HEX_LEN 64

struct venv_sha256 {
	void *ctx;               /* libcrypto's EVP_MD_CTX, NULL when not started */
	int error;               /* the VENV_E* code of a failed init or update */
};

int venv_sha256_init(struct venv_sha256 *c);
int venv_sha256_update(struct venv_sha256 *c, const void *data, size_t len);
int venv_sha256_final(struct venv_sha256 *c, unsigned char out[VENV_SHA256_LEN]);
void venv_sha256_release(struct venv_sha256 *c);

/*
 * For many digests in a row on one state (common/filehash.c: thousands of
 * files per thread): restart() starts a new digest, keeping the state that
 * an earlier one allocated (init() when there is none); digest() is
 * final() that keeps it for the next restart(). release() frees it once
 * at the end. Allocating and freeing libcrypto's state per file was 3% of
 * check --verify-hashes.
 */
int venv_sha256_restart(struct venv_sha256 *c);
int venv_sha256_digest(struct venv_sha256 *c, unsigned char out[VENV_SHA256_LEN]);

/* One-shot digest of a buffer. */
int venv_sha256(const void *data, size_t len, unsigned char out[VENV_SHA256_LEN]);

/* Lowercase hex; out gets VENV_SHA256_HEX_LEN characters and a NUL. */
void venv_sha256_hex(const unsigned char digest[VENV_SHA256_LEN],
		     char out[VENV_SHA256_HEX_LEN + 1]);

/*
 * Urlsafe base64 ("-" and "_" for "+" and "/") without "=" padding, the
 * form wheel RECORD files use: out gets VENV_SHA256_B64_LEN characters and
 * a NUL.
 */
void venv_sha256_b64(const unsigned char digest[VENV_SHA256_LEN],
		     char out[VENV_SHA256_B64_LEN + 1]);

/*
 * Decode the urlsafe base64 form back into a digest. Returns 0, or -1 when
 * text is not exactly the 43 characters of a SHA-256 digest.
 */
int venv_sha256_from_b64(unsigned char digest[VENV_SHA256_LEN], const char *text, size_t len);

#endif
