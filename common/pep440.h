#ifndef VENV_PEP440_H
#define VENV_PEP440_H

#include <stddef.h>
#include <stdint.h>
#include "vbuf.h"

/*
 * PEP 440 versions and version specifiers, as `packaging` (the library pip
 * vendors; its 22+ generation, which has no LegacyVersion) parses, orders
 * and matches them. Tests compare every result with packaging's on a
 * corpus (tests/cli/t2300-pep440-pep508-packaging.sh).
 *
 * Deviations, all on inputs no real distribution has: numbers above
 * 2^64-1, versions longer than VENV_VERSION_MAX_LEN bytes and more than
 * VENV_VERSION_MAX_RELEASE release segments are refused (VENV_EINVAL);
 * packaging's regular expressions take Unicode white space where we take
 * ASCII white space only.
 */

#define VENV_VERSION_MAX_LEN 256
#define VENV_VERSION_MAX_RELEASE 32

struct venv_pep440 {
	uint64_t epoch;
	uint64_t release[VENV_VERSION_MAX_RELEASE];
	size_t nrelease;
	char pre_kind;          /* 0, 'a', 'b' or 'c' (rc) */
	uint64_t pre;
	int has_post, has_dev;
	uint64_t post, dev;
	/* Normalised local label ("ubuntu.1"), "" when there is none. */
	char local[VENV_VERSION_MAX_LEN];
};

/* Parse s as packaging's Version() does: 0, or VENV_EINVAL ("invalid version: 's'"). */
int venv_pep440_parse(struct venv_pep440 *out, const char *s);

/* <0, 0, >0 as packaging orders versions (1.0 == 1.0.0). */
int venv_pep440_cmp(const struct venv_pep440 *a, const struct venv_pep440 *b);

/* The normalised form, str(Version(s)): "1.0rc1.post2+ubuntu.1". */
int venv_pep440_str(struct vbuf *out, const struct venv_pep440 *v);

int venv_pep440_is_prerelease(const struct venv_pep440 *v);

/* One specifier: an operator and its version text (as packaging keeps it). */
enum venv_spec_op {
	VENV_SPEC_COMPATIBLE, /* ~= */
	VENV_SPEC_EQ,         /* == (and ==V.*) */
	VENV_SPEC_NE,         /* != */
	VENV_SPEC_LE,
	VENV_SPEC_GE,
	VENV_SPEC_LT,
	VENV_SPEC_GT,
	VENV_SPEC_ARBITRARY   /* === */
};

struct venv_spec {
	enum venv_spec_op op;
	char version[VENV_VERSION_MAX_LEN];  /* stripped, as written */
};

/*
 * A specifier set: "", ">=1.0,<2", "~=2.2". Empty items between commas are
 * ignored, as packaging's SpecifierSet ignores them.
 */
struct venv_specset {
	struct venv_spec *v;
	size_t nr;
};

#define VENV_SPECSET_INIT { NULL, 0 }

/*
 * Length of the specifier packaging's requirement tokenizer would take at
 * s (operator, optional white space, version), or 0 when none matches.
 */
size_t venv_spec_match(const char *s);

/* Parse one specifier ("~=1.4.5", "== 1.0.*"): 0 or VENV_EINVAL. */
int venv_spec_parse(struct venv_spec *out, const char *s);

int venv_specset_parse(struct venv_specset *out, const char *s);
void venv_specset_release(struct venv_specset *set);

/* "<2,>=1.0": sorted, joined with commas, as str(SpecifierSet) is. */
int venv_specset_str(struct vbuf *out, const struct venv_specset *set);

/*
 * Whether v satisfies the specifier (set), with packaging's
 * contains(v, prereleases=True), which is what pip check and marker
 * evaluation use. Returns 1 or 0.
 */
int venv_spec_contains(const struct venv_spec *spec, const struct venv_pep440 *v);
int venv_specset_contains(const struct venv_specset *set, const struct venv_pep440 *v);

/* PEP 503 name normalisation: runs of "-_." become one "-", lower case. */
int venv_name_canonicalize(struct vbuf *out, const char *name);

#endif
