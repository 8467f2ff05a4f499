#include "compat.h"
#include "checkopts.h"

const char *const venv_check_synopsis[] = {
	"venv check [-h] [-r] [-j N] [-f FORMAT] [--select CODES] [--ignore CODES] "
	"[--severity LEVEL] [--verify-hashes] [--strict] [--cross-file-systems] "
	"[--color WHEN] [--no-progress] [-q] "
	"[--list-rules] [--explain CODE] [DIR ...]",
};
const unsigned venv_check_synopsis_count = VENV_ARRAY_SIZE(venv_check_synopsis);

const char venv_check_description[] =
	"Inspects virtual environments without running anything from them and reports what "
	"is broken or fragile: environments that were moved or copied, base interpreters that "
	"were removed or upgraded, console scripts whose interpreter is gone, damaged "
	"pyvenv.cfg files, unsafe activation scripts and permissions. Each finding names a "
	"diagnostic code (see venv-diagnostics(7) or --explain). Without DIR it checks the "
	"active environment ($VIRTUAL_ENV), else .venv in the current directory. A DIR that "
	"is not an environment makes the exit status 2; when it holds one (.venv, venv) the "
	"message names it.";

const struct venv_optdoc venv_check_optdocs[] = {
	{ "-h, --help", NULL, NULL, "show this help message and exit", 'h' },
	{ "-r, --recursive", NULL, NULL,
	  "Search each DIR for environments and check every one found. Symbolic links are "
	  "not followed, other file systems are not entered (see --cross-file-systems), and "
	  "an environment is not searched for more environments.", 'r' },
	{ "-j, --jobs", "N", "",
	  "Check N environments at a time, or with one environment and --verify-hashes, hash "
	  "N files at a time (default: the number of processors). When several environments "
	  "are checked at once, each hashes its files on one thread.", 'j' },
	{ "-f, --format", "FORMAT", "text json json-lines sarif",
	  "Output format: text (the default), json (one document), json-lines (one object per "
	  "line, for large scans) or sarif (SARIF 2.1.0). With --list-rules: text, json or man.",
	  'f' },
	{ "--select", "CODES", "",
	  "Report only these rules: comma-separated codes (VNV401), code prefixes (VNV4), "
	  "slugs (relocated-environment) or ALL. May be repeated.", VENV_CHECK_OPT_SELECT },
	{ "--ignore", "CODES", "",
	  "Do not report these rules (same syntax as --select). The more specific of a "
	  "matching --select and --ignore wins; on a tie, --ignore wins.",
	  VENV_CHECK_OPT_IGNORE },
	{ "--severity", "LEVEL", "error warning info",
	  "Report, and fail on, findings of at least this severity: error, warning (the "
	  "default) or info.", VENV_CHECK_OPT_SEVERITY },
	{ "--verify-hashes", NULL, NULL,
	  "Read every file that an installed distribution's RECORD lists and compare its "
	  "SHA-256 with the RECORD's (sizes are always compared): an edit that keeps the size "
	  "is found only this way. A hash in another form than sha256=<urlsafe base64> is a "
	  "finding (VNV602).", VENV_CHECK_OPT_VERIFY_HASHES },
	{ "--strict", NULL, NULL,
	  "Audit mode: --verify-hashes, and findings of every severity are reported and make "
	  "the exit status 1 (as --severity info; a --severity given as well wins), so that "
	  "the notes about files no distribution owns and files shared by hard links count "
	  "too.", VENV_CHECK_OPT_STRICT },
	{ "--cross-file-systems", NULL, NULL,
	  "Enter other file systems: while searching with --recursive, and while walking the "
	  "files of an environment.", VENV_CHECK_OPT_CROSS },
	{ "--color", "WHEN", "auto always never",
	  "Colour the text output: auto (the default: on a terminal, unless NO_COLOR is set), "
	  "always or never.", VENV_CHECK_OPT_COLOR },
	{ "--no-progress", NULL, NULL,
	  "Do not show the progress line (shown on a terminal while several environments are "
	  "checked).", VENV_CHECK_OPT_NO_PROGRESS },
	{ "-q, --quiet", NULL, NULL, "Print findings only: no summary, no progress line.",
	  'q' },
	{ "--list-rules", NULL, NULL, "List every rule (code, severity, whether venv repair fixes it, "
	  "slug and summary) and exit; no DIR is checked.", VENV_CHECK_OPT_LIST_RULES },
	{ "--explain", "CODE", "", "Describe one rule, given by code or slug, and exit; no DIR is "
	  "checked.", VENV_CHECK_OPT_EXPLAIN },
};
const unsigned venv_check_optdocs_count = VENV_ARRAY_SIZE(venv_check_optdocs);

const char *const venv_check_exit_statuses[] = {
	"0  nothing was found at or above the severity threshold",
	"1  findings at or above the threshold were reported",
	"2  an environment could not be inspected, a DIR is not an environment, a directory "
	"under a DIR could not be searched (-r; a warning names it), or the command line was "
	"wrong",
};
const unsigned venv_check_exit_statuses_count = VENV_ARRAY_SIZE(venv_check_exit_statuses);

static const struct venv_optdoc check_args[] = {
	{ "DIR", NULL, NULL, "an environment (with -r: a tree to search for environments)", 0 },
};

const struct venv_cmddoc venv_check_doc = {
	"check", venv_check_synopsis, VENV_ARRAY_SIZE(venv_check_synopsis),
	venv_check_description, check_args, VENV_ARRAY_SIZE(check_args),
	venv_check_optdocs, VENV_ARRAY_SIZE(venv_check_optdocs),
	venv_check_exit_statuses, VENV_ARRAY_SIZE(venv_check_exit_statuses),
	"See venv-check(1) and venv-diagnostics(7)."
};
