#ifndef VENV_SHA256_H
#define VENV_SHA256_H

#include <stddef.h>
#include <stdint.h>

/*
 * SHA-256 (FIPS 180-4), for checking wheel contents against their RECORD
 * and for keying the wheel cache. Streaming: init, update any number of
 * times, final.
 */
#define VENV_SHA256_LEN 32
/* Length of the urlsafe base64 form without padding, as RECORD writes it. */
#define VENV_SHA256_B64_LEN 43
#define VENV_SHA256_HEX_LEN 64

struct venv_sha256 {
	uint32_t h[8];
	uint64_t total;          /* bytes hashed so far */
	unsigned char block[64];
	size_t fill;             /* bytes waiting in block */
};

void venv_sha256_init(struct venv_sha256 *c);
void venv_sha256_update(struct venv_sha256 *c, const void *data, size_t len);
void venv_sha256_final(struct venv_sha256 *c, unsigned char out[VENV_SHA256_LEN]);

/* One-shot digest of a buffer. */
void venv_sha256(const void *data, size_t len, unsigned char out[VENV_SHA256_LEN]);

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
