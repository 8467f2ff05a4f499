/*
 * "Did you mean ...?" for mistyped commands and options.
 */
#include "compat.h"
#include "suggest.h"

#define SUGGEST_MAX_LEN 64

size_t venv_edit_distance(const char *a, const char *b)
{
	/* Three rows of the dynamic programme: two back for transpositions. */
	size_t rows[3][SUGGEST_MAX_LEN + 1];
	size_t la = strlen(a), lb = strlen(b), i, j;

	if (la > SUGGEST_MAX_LEN || lb > SUGGEST_MAX_LEN)
		return (size_t)-1;
	for (j = 0; j <= lb; j++)
		rows[0][j] = j;
	for (i = 1; i <= la; i++) {
		size_t *cur = rows[i % 3], *prev = rows[(i - 1) % 3], *prev2 = rows[(i + 1) % 3];

		cur[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] != b[j - 1];
			size_t best = prev[j - 1] + cost;

			if (prev[j] + 1 < best)
				best = prev[j] + 1;
			if (cur[j - 1] + 1 < best)
				best = cur[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    prev2[j - 2] + 1 < best)
				best = prev2[j - 2] + 1;
			cur[j] = best;
		}
	}
	return rows[la % 3][lb];
}

void venv_suggest_init(struct venv_suggest *s, const char *word)
{
	memset(s, 0, sizeof(*s));
	s->word = word;
	s->best_dist = (size_t)-1;
}

void venv_suggest_consider(struct venv_suggest *s, const char *candidate)
{
	size_t d, n = strlen(s->word);

	if (!candidate || !*candidate || !strcmp(candidate, s->word))
		return;
	if (n >= 2 && !strncmp(candidate, s->word, n)) {
		s->prefixes++;
		s->prefix_of = candidate;
	}
	d = venv_edit_distance(s->word, candidate);
	if (d < s->best_dist) {
		s->best_dist = d;
		s->best = candidate;
	}
}

const char *venv_suggest_result(const struct venv_suggest *s)
{
	size_t n = strlen(s->word), limit = n <= 4 ? 1 : 2;

	if (s->best && s->best_dist <= limit && s->best_dist < n)
		return s->best;
	if (s->prefixes == 1)
		return s->prefix_of;
	return NULL;
}
