/*
 * gen-man: print venv-check(1) (argument "1") or venv-diagnostics(7)
 * (argument "7"), generated from the diagnostics registry and the option
 * table. Used by `make man` and by the test that keeps man/ in sync.
 */
#include "compat.h"
#include "error.h"
#include "format.h"

int main(int argc, char **argv)
{
	struct vbuf out = VBUF_INIT(VBUF_MAX_RECORD);
	int error;

	if (argc != 2 || (strcmp(argv[1], "1") && strcmp(argv[1], "7"))) {
		fprintf(stderr, "usage: gen-man 1|7\n");
		return 2;
	}
	error = argv[1][0] == '1' ? venv_man_check(&out) : venv_man_diagnostics(&out);
	if (error < 0) {
		fprintf(stderr, "gen-man: %s\n", venv_error_last());
		return 1;
	}
	fwrite(out.buf, 1, out.len, stdout);
	vbuf_release(&out);
	return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
}
