/* FUZ-02: the #! line and trampoline classifier. */
#include "compat.h"
#include "fuzz.h"
#include "shebang.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct venv_shebang sb = VENV_SHEBANG_INIT;
	int rc;

	if (size > 65536)
		return 0;
	rc = venv_shebang_parse(&sb, (const char *)data, size);
	if (rc == 0) {
		if (sb.kind != VENV_SHEBANG_NONE && !sb.interpreter)
			abort();
		/* Never a path longer than the kernel would read, unless flagged. */
		if (sb.kind == VENV_SHEBANG_DIRECT && !sb.truncated &&
		    strlen(sb.interpreter) + 2 > VENV_SHEBANG_KERNEL_MAX)
			abort();
		if (sb.kind == VENV_SHEBANG_DIRECT && sb.truncated && !sb.not_portable)
			abort();
		if (sb.kind == VENV_SHEBANG_DIRECT && sb.line != 1)
			abort();
		if ((sb.kind == VENV_SHEBANG_TRAMPOLINE || sb.kind == VENV_SHEBANG_RELATIVE) &&
		    sb.line != 2)
			abort();
	} else if (rc > 0) {
		abort();
	}
	venv_shebang_release(&sb);
	return 0;
}
