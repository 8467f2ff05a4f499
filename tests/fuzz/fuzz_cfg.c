/* FUZ-01: the pyvenv.cfg parser and the readers check emulates. */
#include "compat.h"
#include "cfgcheck.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct venv_cfg cfg = VENV_CFG_INIT;
	struct venv_cfg_facts facts = VENV_CFG_FACTS_INIT;
	struct vbuf out = VBUF_INIT(VBUF_MAX_CFG * 2), v = VBUF_INIT(VBUF_MAX_LINE);
	const char *buf = (const char *)data;
	unsigned line = 0;
	size_t i;

	if (size > VBUF_MAX_CFG)
		return 0;
	if (venv_cfg_parse(&cfg, buf, size) == 0) {
		if (venv_cfg_analyze(&facts, &cfg, buf, size) == 0) {
			/*
			 * The facts agree with the model: start-up's `home` from its
			 * lines, the others from site.py's.
			 */
			if (facts.home_count != venv_cfg_count(&cfg, "home"))
				abort();
			if (facts.home_count && !facts.home_last)
				abort();
			if (!venv_cfg_count(venv_cfg_startup(&cfg), "home") != !facts.home_first)
				abort();
			if (facts.strict_home_found && (!facts.strict_home || !*facts.strict_home))
				abort();
			if (strlen(facts.version) >= sizeof(facts.version))
				abort();
		}
		for (i = 0; i < cfg.nr; i++)
			if (cfg.lines[i].lineno != i + 1 || !cfg.lines[i].raw ||
			    strchr(cfg.lines[i].raw, '\r'))
				abort();
		/* A second view exactly when a lone CR splits site.py's lines more. */
		if (!cfg.startup != !(cfg.flags & VENV_CFG_LONE_CR) ||
		    (cfg.startup && (cfg.startup->nr >= cfg.nr || !cfg.lone_cr_line)))
			abort();
		/* Whatever was read can be written back and read again. */
		if (venv_cfg_format(&cfg, &out) == 0) {
			struct venv_cfg again = VENV_CFG_INIT;

			if (venv_cfg_parse(&again, out.buf, out.len) == 0 &&
			    ((venv_cfg_count(&again, "home") != venv_cfg_count(&cfg, "home") &&
			      !(cfg.flags & (VENV_CFG_BOM | VENV_CFG_HAS_NUL))) ||
			     (again.flags & VENV_CFG_LONE_CR)))
				abort();
			venv_cfg_release(&again);
		}
	}
	if (venv_cfg_strict_home(&v, &line, buf, size) == 1 && (!v.len || !line))
		abort();
	venv_cfg_facts_release(&facts);
	venv_cfg_release(&cfg);
	vbuf_release(&out);
	vbuf_release(&v);
	return 0;
}
