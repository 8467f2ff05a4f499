#ifndef VENV_AUDIT_H
#define VENV_AUDIT_H

#include "ruleset.h"
#include "dist.h"
#include "filehash.h"

/*
 * The audit half of the rules over installed distributions
 * (rules_dists.c): while rules_dists.c walks every RECORD row it hands
 * each file here (venv_audit_row), and this file then hashes them
 * (--verify-hashes), reports files shared by hard links, files in
 * site-packages that no RECORD lists, and sitecustomize / usercustomize
 * modules, each once per environment where the rule says so.
 */

struct venv_audit_owner {
	char *rel;                       /* environment-relative, normalised */
	const struct venv_dist *dist;
};

struct venv_audit_hash {
	char *rel;
	const struct venv_dist *dist;
	unsigned char want[VENV_SHA256_LEN];
};

struct venv_audit {
	/* Every RECORD row inside the environment: an open-addressing set by rel. */
	struct venv_audit_owner *owners;
	size_t nowners, owners_cap;
	/* The files to hash, and what their RECORDs say (parallel arrays). */
	struct venv_filehash *files;
	struct venv_audit_hash *want;
	size_t nfiles, files_alloc;
	/* RECORD files with more than one hard link. */
	size_t nlinked;
	char *first_linked;
	int lib64_is_link;               /* "lib64/..." rows name "lib/..." */
};

#define VENV_AUDIT_INIT { NULL, 0, 0, NULL, NULL, 0, 0, 0, NULL, 0 }

void venv_audit_init(struct venv_audit *a, struct venv_check_ctx *c);
void venv_audit_release(struct venv_audit *a);

/*
 * One RECORD row of d, at rel (environment-relative, normalised, inside
 * the environment), that exists with the lstat st and whose size matched
 * (or was not given). Records ownership, counts hard links, and with
 * --verify-hashes queues the file for hashing (a malformed hash is a
 * finding now).
 */
int venv_audit_row(struct venv_check_ctx *c, struct venv_audit *a, const struct venv_dist *d,
		   const struct venv_record_row *row, const char *rel, const struct stat *st);

/* One RECORD row that does not exist (still owned: not an unowned file). */
int venv_audit_own(struct venv_audit *a, const struct venv_dist *d, const char *rel);

/* After every row: hash, then the once-per-environment findings. */
int venv_audit_finish(struct venv_check_ctx *c, struct venv_audit *a,
		      const struct venv_dists *ds, const char *site_rel);

/* The distribution whose RECORD lists rel (environment-relative), or NULL. */
const struct venv_dist *venv_audit_owner_of(const struct venv_audit *a, const char *rel);

#endif
