#ifndef VENV_SUGGEST_H
#define VENV_SUGGEST_H

#include <stddef.h>

/*
 * "Did you mean ...?": pick, among the names a word could have meant, the
 * one closest to it. Feed every candidate to venv_suggest_consider(), then
 * venv_suggest_result() gives the best one, or NULL when none is close
 * enough to be worth suggesting.
 *
 * Close enough means an edit distance (insertions, deletions, substitutions
 * and swaps of neighbours) of at most 1 for words of up to 4 characters and
 * at most 2 otherwise, or the word being the start of exactly one candidate.
 * On a tie the first candidate wins, so the order of a table decides.
 */
struct venv_suggest {
	const char *word;
	const char *best;
	size_t best_dist;
	const char *prefix_of; /* the one candidate the word starts, if one */
	unsigned prefixes;     /* how many candidates the word starts */
};

void venv_suggest_init(struct venv_suggest *s, const char *word);
void venv_suggest_consider(struct venv_suggest *s, const char *candidate);
const char *venv_suggest_result(const struct venv_suggest *s);

/*
 * The optimal-string-alignment distance between a and b, or (size_t)-1 when
 * either is longer than 64 bytes (long words are never typos of options).
 */
size_t venv_edit_distance(const char *a, const char *b);

#endif
