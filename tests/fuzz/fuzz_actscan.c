/*
 * FUZ-03: the activation-script scanner. The first byte picks the shell,
 * the rest is the script; every line is also decoded as a word.
 */
#include "compat.h"
#include "actscan.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct venv_activation a = VENV_ACTIVATION_INIT;
	struct vbuf word = VBUF_INIT(VBUF_MAX_LINE);
	enum venv_act_shell shell;
	const char *buf, *p, *end;
	int rc;

	if (size < 1 || size > (1 << 20))
		return 0;
	shell = (enum venv_act_shell)(data[0] % 6);
	buf = (const char *)data + 1;
	size--;
	rc = venv_actscan(&a, shell, buf, size);
	if (rc == 0) {
		if (a.kind == VENV_ACT_LITERAL && (!a.path || !a.line))
			abort();
		if (a.kind != VENV_ACT_LITERAL && a.path)
			abort();
		if (a.injection && (!a.injection_text || !a.injection_line))
			abort();
	} else if (rc > 0) {
		abort();
	}
	for (p = buf, end = buf + size; p < end; ) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p), used = 0;
		unsigned flags;

		if (n <= VBUF_MAX_LINE && venv_word_decode(&word, &flags, shell, p, n, &used) == 0 &&
		    used > n)
			abort();
		p += n + 1;
	}
	venv_activation_release(&a);
	vbuf_release(&word);
	return 0;
}
