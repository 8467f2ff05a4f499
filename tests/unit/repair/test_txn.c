#include "compat.h"
#include <dirent.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <check.h>
#include "error.h"
#include "fs.h"
#include "txn.h"

/*
 * Unit tests for repair/txn.c: the lock (security.md CRA-09, CRA-10), the
 * journal of a plan and its recovery from every state (CRA-01); and of
 * repair/txn_upgrade.c: the upgrade backup with its roll-back.
 */

static char root[PATH_MAX];

static void setup(void)
{
	const char *t = getenv("TMPDIR");

	snprintf(root, sizeof(root), "%s/venv-unit-txn-XXXXXX", t && *t ? t : "/tmp");
	ck_assert_msg(mkdtemp(root) != NULL, "mkdtemp failed: %s", strerror(errno));
}

static void teardown(void)
{
	venv_fs_remove_tree(root);
}

static void put(const char *rel, const char *text)
{
	char p[PATH_MAX * 2];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	f = fopen(p, "w");
	ck_assert_msg(f != NULL, "cannot write %s", p);
	fputs(text, f);
	fclose(f);
}

static char *get(const char *rel)
{
	static char buf[4096];
	char p[PATH_MAX * 2];
	FILE *f;
	size_t n;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	if (!(f = fopen(p, "r")))
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static int exists(const char *rel)
{
	char p[PATH_MAX * 2];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	return lstat(p, &st) == 0;
}

/* Names starting with .venv-repair anywhere in dir (leftovers). */
static int leftovers(const char *rel)
{
	char p[PATH_MAX * 2];
	DIR *d;
	struct dirent *de;
	int n = 0;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	if (!(d = opendir(p)))
		return 0;
	while ((de = readdir(d)))
		n += !strncmp(de->d_name, ".venv-repair", 12);
	closedir(d);
	return n;
}

/* The lock lives beside the environment (common/lock.h): <parent>/.<name>.venv-lock. */
static const char *lock_path(void)
{
	static char p[PATH_MAX * 2];
	const char *slash = strrchr(root, '/');

	snprintf(p, sizeof(p), "%.*s/.%s.venv-lock", (int)(slash - root), root, slash + 1);
	return p;
}

START_TEST(test_txn__lock_busy_then_free)
{
	struct venv_envdir a = VENV_ENVDIR_INIT, b = VENV_ENVDIR_INIT;
	struct stat st;
	int stale, p[2], status;
	char c;
	pid_t pid;

	/* Another process holds it (a process taking its own lock again only counts). */
	setenv("VENV_LOCK_TIMEOUT", "0", 1);
	ck_assert_int_eq(pipe(p), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (venv_envdir_open(&a, root) < 0 || venv_repair_lock(&a, &stale) < 0)
			_exit(1);
		if (write(p[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(p[1]);
	ck_assert_int_eq(read(p[0], &c, 1), 1);
	close(p[0]);
	ck_assert_int_eq(lstat(lock_path(), &st), 0);
	ck_assert_int_eq(venv_envdir_open(&b, root), 0);
	ck_assert_int_eq(venv_repair_lock(&b, &stale), VENV_EBUSY);
	ck_assert_msg(strstr(venv_error_last(), "another venv command") != NULL,
		      "expected 'another venv command' in the message, saw %s", venv_error_last());
	/* Its holder dies: the kernel lets go, and the file left behind is taken over. */
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	ck_assert_int_eq(venv_repair_lock(&b, &stale), 0);
	ck_assert_int_eq(stale, 1);
	/* Taking it again in the same process nests. */
	ck_assert_int_eq(venv_envdir_open(&a, root), 0);
	ck_assert_int_eq(venv_repair_lock(&a, &stale), 0);
	venv_envdir_close(&a);
	ck_assert_int_eq(lstat(lock_path(), &st), 0);
	venv_envdir_close(&b);
	ck_assert_int_eq(lstat(lock_path(), &st), -1);
	unsetenv("VENV_LOCK_TIMEOUT");
}
END_TEST

START_TEST(test_txn__stale_lock_taken_over)
{
	struct venv_envdir a = VENV_ENVDIR_INIT;
	struct stat st;
	FILE *f;
	int stale;

	/* A lock file that nobody holds: its command died. */
	ck_assert((f = fopen(lock_path(), "w")) != NULL);
	fputs("999999\n", f);
	fclose(f);
	ck_assert_int_eq(venv_envdir_open(&a, root), 0);
	ck_assert_int_eq(venv_repair_lock(&a, &stale), 0);
	ck_assert_int_eq(stale, 1);
	venv_envdir_close(&a);
	ck_assert_int_eq(lstat(lock_path(), &st), -1);
}
END_TEST

START_TEST(test_txn__lock_refuses_planted_link)
{
	struct venv_envdir a = VENV_ENVDIR_INIT;
	int stale;

	ck_assert_int_eq(symlink("/etc/passwd", lock_path()), 0);
	ck_assert_int_eq(venv_envdir_open(&a, root), 0);
	ck_assert_int_eq(venv_repair_lock(&a, &stale), VENV_EUNSAFE);
	venv_envdir_close(&a);
	unlink(lock_path());
}
END_TEST

static void small_plan(struct venv_plan *plan)
{
	ck_assert_int_eq(venv_plan_add(plan, 404, VENV_FIX_WRITE, "bin/pip", "#!/new/python\nx\n",
				       16, 0751, "shebang"), 0);
	ck_assert_int_eq(venv_plan_add(plan, 109, VENV_FIX_SYMLINK, "bin/python3", "python3.12", 0,
				       0, "alias"), 0);
	ck_assert_int_eq(venv_plan_add(plan, 111, VENV_FIX_MKDIR, "lib", NULL, 0, 0755, "dir"), 0);
	ck_assert_int_eq(venv_plan_add(plan, 111, VENV_FIX_WRITE, "lib/x.pth", "/new\n", 5, 0644,
				       "pth"), 0);
	ck_assert_int_eq(venv_plan_add(plan, 114, VENV_FIX_REMOVE, "bin/old", NULL, 0, 0, "rm"), 0);
}

START_TEST(test_txn__apply_plan)
{
	struct venv_envdir e = VENV_ENVDIR_INIT;
	struct venv_plan plan = VENV_PLAN_INIT;
	char p[PATH_MAX * 2], link[64];
	struct stat st;
	ssize_t n;
	int stale;

	snprintf(p, sizeof(p), "%s/bin", root);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	put("bin/pip", "#!/old/python\nx\n");
	put("bin/old", "gone\n");
	small_plan(&plan);
	ck_assert_int_eq(venv_envdir_open(&e, root), 0);
	ck_assert_int_eq(venv_repair_lock(&e, &stale), 0);
	ck_assert_msg(venv_plan_apply(&e, &plan) == 0, "apply failed: %s", venv_error_last());
	ck_assert_str_eq(get("bin/pip"), "#!/new/python\nx\n");
	snprintf(p, sizeof(p), "%s/bin/pip", root);
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_msg((st.st_mode & 07777) == 0751, "expected mode 751, saw %o",
		      (unsigned)(st.st_mode & 07777));
	snprintf(p, sizeof(p), "%s/bin/python3", root);
	n = readlink(p, link, sizeof(link) - 1);
	ck_assert_msg(n > 0, "expected bin/python3 to be a link");
	link[n] = '\0';
	ck_assert_str_eq(link, "python3.12");
	ck_assert_str_eq(get("lib/x.pth"), "/new\n");
	ck_assert_int_eq(exists("bin/old"), 0);
	ck_assert_int_eq(venv_journal_exists(&e), 0);
	ck_assert_int_eq(leftovers("bin") + leftovers("lib"), 0);
	venv_envdir_close(&e);
	venv_plan_release(&plan);
}
END_TEST

/* Write a journal by hand, as a killed repair leaves it. */
static void journal(const char *state)
{
	char text[1024];

	snprintf(text, sizeof(text),
		 "{\"venv-repair-journal\": 1, \"kind\": \"fix\", \"state\": \"%s\", \"fixes\": ["
		 "{\"op\": \"write\", \"path\": \"a.txt\", \"stage\": \".venv-repair-new.0\", "
		 "\"mode\": 420},"
		 "{\"op\": \"mkdir\", \"path\": \"newdir\", \"stage\": \".venv-repair-new.1\", "
		 "\"mode\": 493}]}", state);
	put(VENV_REPAIR_JOURNAL, text);
}

START_TEST(test_txn__recover_prepared_rolls_back)
{
	struct venv_envdir e = VENV_ENVDIR_INIT;
	struct vbuf note = VBUF_INIT(VBUF_MAX_LINE);
	char p[PATH_MAX * 2];

	put("a.txt", "old\n");
	put(".venv-repair-new.0", "new\n");
	snprintf(p, sizeof(p), "%s/newdir", root);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	journal("prepared");
	ck_assert_int_eq(venv_envdir_open(&e, root), 0);
	ck_assert_int_eq(venv_repair_recover(&e, &note), 1);
	ck_assert_str_eq(get("a.txt"), "old\n");
	ck_assert_int_eq(exists("newdir"), 0);
	ck_assert_int_eq(leftovers(""), 0);
	ck_assert_msg(strstr(note.buf, "rolled back") != NULL, "expected a roll-back, saw %s",
		      note.buf);
	venv_envdir_close(&e);
	vbuf_release(&note);
}
END_TEST

START_TEST(test_txn__recover_committed_rolls_forward)
{
	struct venv_envdir e = VENV_ENVDIR_INIT;
	struct vbuf note = VBUF_INIT(VBUF_MAX_LINE);

	put("a.txt", "old\n");
	put(".venv-repair-new.0", "new\n");
	journal("committed");
	ck_assert_int_eq(venv_envdir_open(&e, root), 0);
	ck_assert_int_eq(venv_repair_recover(&e, &note), 1);
	ck_assert_str_eq(get("a.txt"), "new\n");
	ck_assert_int_eq(exists("newdir"), 1);
	ck_assert_int_eq(leftovers(""), 0);
	/* Recovering again finds nothing to do. */
	ck_assert_int_eq(venv_repair_recover(&e, &note), 0);
	venv_envdir_close(&e);
	vbuf_release(&note);
}
END_TEST

/*
 * A committed journal's change of mode, carried through: others' write
 * dropped, the execute bits of its mode added (VNV415); a mode without
 * them (VNV409's, as earlier journals have it) only drops the write.
 */
START_TEST(test_txn__recover_chmod_adds_exec)
{
	struct venv_envdir e = VENV_ENVDIR_INIT;
	struct vbuf note = VBUF_INIT(VBUF_MAX_LINE);
	char p[PATH_MAX * 2];
	struct stat st;

	put("s", "#!/bin/sh\n");
	put("w", "data\n");
	snprintf(p, sizeof(p), "%s/s", root);
	ck_assert_int_eq(chmod(p, 0646), 0);
	snprintf(p, sizeof(p), "%s/w", root);
	ck_assert_int_eq(chmod(p, 0646), 0);
	put(VENV_REPAIR_JOURNAL, "{\"venv-repair-journal\": 1, \"kind\": \"fix\", \"state\": "
	    "\"committed\", \"fixes\": [{\"op\": \"chmod\", \"path\": \"s\", \"mode\": 493}, "
	    "{\"op\": \"chmod\", \"path\": \"w\", \"mode\": 420}]}");
	ck_assert_int_eq(venv_envdir_open(&e, root), 0);
	ck_assert_int_eq(venv_repair_recover(&e, &note), 1);
	snprintf(p, sizeof(p), "%s/s", root);
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0755);
	snprintf(p, sizeof(p), "%s/w", root);
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0644);
	venv_envdir_close(&e);
	vbuf_release(&note);
}
END_TEST

START_TEST(test_txn__recover_refuses_damaged_journal)
{
	struct venv_envdir e = VENV_ENVDIR_INIT;
	struct vbuf note = VBUF_INIT(VBUF_MAX_LINE);

	put(VENV_REPAIR_JOURNAL, "{\"venv-repair-journal\": 1, \"kind\":");
	ck_assert_int_eq(venv_envdir_open(&e, root), 0);
	ck_assert_int_eq(venv_repair_recover(&e, &note), VENV_EINVAL);
	ck_assert_int_eq(exists(VENV_REPAIR_JOURNAL), 1);
	/* Parsed, but of another version: the message says so, not "damaged ()". */
	put(VENV_REPAIR_JOURNAL, "{\"venv-repair-journal\": 2, \"kind\": \"fix\"}");
	ck_assert_int_eq(venv_repair_recover(&e, &note), VENV_EINVAL);
	ck_assert_msg(strstr(venv_error_last(), "is damaged (not a journal of version 1"),
		      "message: %s", venv_error_last());
	ck_assert_int_eq(exists(VENV_REPAIR_JOURNAL), 1);
	venv_envdir_close(&e);
	vbuf_release(&note);
}
END_TEST

/* bin/tool ("v1") and pyvenv.cfg ("home = /old") in root, opened into e and locked. */
static void old_env_locked(struct venv_envdir *e)
{
	char p[PATH_MAX * 2];
	int stale;

	snprintf(p, sizeof(p), "%s/bin", root);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	put("bin/tool", "v1\n");
	put("pyvenv.cfg", "home = /old\n");
	ck_assert_int_eq(venv_envdir_open(e, root), 0);
	ck_assert_int_eq(venv_repair_lock(e, &stale), 0);
}

START_TEST(test_txn__upgrade_rollback_restores)
{
	struct venv_envdir e = VENV_ENVDIR_INIT;
	char p[PATH_MAX * 2];
	const char *watch[] = { "include", NULL };

	old_env_locked(&e);
	ck_assert_msg(venv_upgrade_begin(&e, "/usr/bin/python3", "lib/python3.12", "lib/python3.11",
					 watch) == 0, "begin failed: %s", venv_error_last());
	/* The upgrade changes things, then fails. */
	put("bin/tool", "v2\n");
	put("bin/extra", "new\n");
	put("pyvenv.cfg", "home = /new\n");
	snprintf(p, sizeof(p), "%s/include", root);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	ck_assert_int_eq(venv_upgrade_rollback(&e), 0);
	ck_assert_str_eq(get("bin/tool"), "v1\n");
	ck_assert_int_eq(exists("bin/extra"), 0);
	ck_assert_str_eq(get("pyvenv.cfg"), "home = /old\n");
	ck_assert_int_eq(exists("include"), 0);
	ck_assert_int_eq(exists(VENV_REPAIR_BACKUP), 0);
	ck_assert_int_eq(venv_journal_exists(&e), 0);
	venv_envdir_close(&e);
}
END_TEST

/*
 * With backup_links, bin/ is backed up by hard links (one system call a
 * file): the backup names the very inode, and a change made by replacing
 * the file (a rename over it, as repair writes) is rolled back as a copy's
 * would be.
 */
START_TEST(test_txn__upgrade_backup_links)
{
	struct venv_envdir e = VENV_ENVDIR_INIT;
	char p[PATH_MAX * 2], q[PATH_MAX * 2];
	struct stat a, b;

	old_env_locked(&e);
	e.backup_links = 1;
	ck_assert_msg(venv_upgrade_begin(&e, "/usr/bin/python3", "lib/python3.12", NULL, NULL) == 0,
		      "begin failed: %s", venv_error_last());
	snprintf(p, sizeof(p), "%s/bin/tool", root);
	snprintf(q, sizeof(q), "%s/%s/bin/tool", root, VENV_REPAIR_BACKUP);
	ck_assert_int_eq(stat(p, &a), 0);
	ck_assert_int_eq(stat(q, &b), 0);
	ck_assert_msg(a.st_ino == b.st_ino && a.st_dev == b.st_dev,
		      "expected the backup of bin/tool to be a hard link of it");
	/* Replaced, as repair replaces files. */
	put("bin/tool.new", "v2\n");
	snprintf(q, sizeof(q), "%s/bin/tool.new", root);
	ck_assert_int_eq(rename(q, p), 0);
	ck_assert_int_eq(venv_upgrade_rollback(&e), 0);
	ck_assert_str_eq(get("bin/tool"), "v1\n");
	ck_assert_str_eq(get("pyvenv.cfg"), "home = /old\n");
	ck_assert_int_eq(exists(VENV_REPAIR_BACKUP), 0);
	venv_envdir_close(&e);
}
END_TEST

START_TEST(test_txn__upgrade_interrupted_is_rolled_back)
{
	struct venv_envdir e = VENV_ENVDIR_INIT, e2 = VENV_ENVDIR_INIT;
	struct vbuf note = VBUF_INIT(VBUF_MAX_LINE);

	old_env_locked(&e);
	ck_assert_int_eq(venv_upgrade_begin(&e, "/usr/bin/python3", "lib/python3.12", NULL,
					    NULL), 0);
	put("bin/tool", "half\n");
	/* Killed here: the next repair finds the journal. */
	venv_repair_unlock(&e);
	ck_assert_int_eq(venv_envdir_open(&e2, root), 0);
	ck_assert_int_eq(venv_repair_recover(&e2, &note), 1);
	ck_assert_str_eq(get("bin/tool"), "v1\n");
	ck_assert_int_eq(exists(VENV_REPAIR_BACKUP), 0);
	venv_envdir_close(&e);
	venv_envdir_close(&e2);
	vbuf_release(&note);
}
END_TEST

/*
 * A name that is not UTF-8 (Linux allows any bytes) goes into the journal
 * as its bytes, in hex, and a recovery puts it back by those bytes: JSON
 * cannot hold it as a string, and the journal used to fail ("out of
 * memory"), stopping every repair of such an environment.
 */
START_TEST(test_txn__journal_keeps_names_not_utf8)
{
	struct venv_envdir e = VENV_ENVDIR_INIT, e2 = VENV_ENVDIR_INIT;
	struct vbuf note = VBUF_INIT(VBUF_MAX_LINE);
	const char *pairs[] = { "lib/python3.11/site-packages/j\xffk",
				"lib/python3.12/site-packages/j\xffk" };
	const char *dirs[] = { "bin", "lib", "lib/python3.11", "lib/python3.11/site-packages",
			       "lib/python3.11/site-packages/j\xffk" };
	char p[PATH_MAX * 2], q[PATH_MAX * 2];
	const char *text;
	size_t i;
	int stale;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", root, dirs[i]);
		ck_assert_int_eq(mkdir(p, 0755), 0);
	}
	put("lib/python3.11/site-packages/j\xffk/data", "mine\n");
	put("pyvenv.cfg", "home = /old\n");
	ck_assert_int_eq(venv_envdir_open(&e, root), 0);
	ck_assert_int_eq(venv_repair_lock(&e, &stale), 0);
	ck_assert_msg(venv_upgrade_begin(&e, "/opt/py\xe9/bin/python3", "lib/python3.12",
					 "lib/python3.11", NULL) == 0, "begin: %s", venv_error_last());
	snprintf(p, sizeof(p), "%s/lib/python3.12", root);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/lib/python3.12/site-packages", root);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	ck_assert_msg(venv_upgrade_journal_moves(&e, pairs, 1) == 0, "journal: %s",
		      venv_error_last());
	snprintf(p, sizeof(p), "%s/%s", root, pairs[0]);
	snprintf(q, sizeof(q), "%s/%s", root, pairs[1]);
	ck_assert_int_eq(rename(p, q), 0);
	text = get(VENV_REPAIR_JOURNAL);
	ck_assert_msg(text && strstr(text, "\"6c69622f707974686f6e332e31312f736974652d7061636b616765"
					   "732f6aff6b\""), "expected the name in hex, saw: %s",
		      text ? text : "(no journal)");
	/* Killed here: the next repair reads the journal back and moves it home. */
	venv_repair_unlock(&e);
	ck_assert_int_eq(venv_envdir_open(&e2, root), 0);
	ck_assert_msg(venv_repair_recover(&e2, &note) == 1, "recover: %s", venv_error_last());
	ck_assert_str_eq(get("lib/python3.11/site-packages/j\xffk/data"), "mine\n");
	ck_assert_int_eq(exists("lib/python3.12/site-packages/j\xffk"), 0);
	ck_assert_int_eq(venv_journal_exists(&e2), 0);
	venv_envdir_close(&e);
	venv_envdir_close(&e2);
	vbuf_release(&note);
}
END_TEST

/* A name in hex that venv never writes (odd length, a NUL, UTF-8 after all) is damage. */
START_TEST(test_txn__journal_refuses_bad_bytes)
{
	static const char *const bad[] = { "6aff6", "6aff006b", "6a6b", "6AFF6B", "" };
	struct venv_envdir e = VENV_ENVDIR_INIT;
	struct vbuf note = VBUF_INIT(VBUF_MAX_LINE);
	char text[512];
	size_t i;

	ck_assert_int_eq(venv_envdir_open(&e, root), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "{\"venv-repair-journal\": 1, \"kind\": \"upgrade\", "
			 "\"state\": \"applying\", \"moves\": [[{\"venv-bytes\": \"%s\"}, "
			 "\"lib/x\"]]}", bad[i]);
		put(VENV_REPAIR_JOURNAL, text);
		ck_assert_msg(venv_repair_recover(&e, &note) == VENV_EINVAL,
			      "expected '%s' refused, saw: %s", bad[i], venv_error_last());
		ck_assert_msg(strstr(venv_error_last(), "is damaged"), "message: %s",
			      venv_error_last());
	}
	venv_envdir_close(&e);
	vbuf_release(&note);
}
END_TEST

/*
 * The trash (repair/trash.c) empties a tree wider than its queue, deeper
 * than its threads go and with more files in one directory than its queue
 * holds batches of, removes each directory once empty, and never goes
 * through a link: what a link in the trash names stays.
 */
START_TEST(test_txn__trash_empties_tree_not_links)
{
	struct venv_envdir e = VENV_ENVDIR_INIT;
	char p[PATH_MAX * 2], name[32];
	int i, fd, sub;

	snprintf(p, sizeof(p), "%s/outside", root);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	put("outside/keep", "kept\n");
	snprintf(p, sizeof(p), "%s/victim", root);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	/* 300 directories side by side: more than the queue holds. */
	for (i = 0; i < 300; i++) {
		snprintf(p, sizeof(p), "%s/victim/w%d", root, i);
		ck_assert_int_eq(mkdir(p, 0755), 0);
		snprintf(name, sizeof(name), "victim/w%d/f", i);
		put(name, "x\n");
	}
	/* 300 directories one in another: deeper than the threads go. */
	snprintf(p, sizeof(p), "%s/victim", root);
	fd = open(p, O_RDONLY | O_DIRECTORY);
	ck_assert_int_ge(fd, 0);
	for (i = 0; i < 300; i++) {
		ck_assert_int_eq(mkdirat(fd, "d", 0755), 0);
		sub = openat(fd, "d", O_RDONLY | O_DIRECTORY);
		ck_assert_int_ge(sub, 0);
		close(fd);
		fd = sub;
		sub = openat(fd, "f", O_WRONLY | O_CREAT | O_EXCL, 0644);
		ck_assert_int_ge(sub, 0);
		close(sub);
	}
	close(fd);
	/*
	 * 2,000 files in one directory: more batches of names than the queue
	 * holds, so some are unlinked where they were found; one name as long
	 * as a name can be.
	 */
	snprintf(p, sizeof(p), "%s/victim/many", root);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	fd = open(p, O_RDONLY | O_DIRECTORY);
	ck_assert_int_ge(fd, 0);
	for (i = 0; i < 2000; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		sub = openat(fd, name, O_WRONLY | O_CREAT | O_EXCL, 0644);
		ck_assert_int_ge(sub, 0);
		close(sub);
	}
	{
		char longest[NAME_MAX + 1];

		memset(longest, 'n', NAME_MAX);
		longest[NAME_MAX] = '\0';
		sub = openat(fd, longest, O_WRONLY | O_CREAT | O_EXCL, 0644);
		ck_assert_int_ge(sub, 0);
		close(sub);
	}
	close(fd);
	snprintf(p, sizeof(p), "%s/outside", root);
	snprintf(name, sizeof(name), "%s", "victim/w0/link");
	{
		char lp[PATH_MAX * 2];

		snprintf(lp, sizeof(lp), "%s/%s", root, name);
		ck_assert_int_eq(symlink(p, lp), 0);
		snprintf(lp, sizeof(lp), "%s/victim/fifo", root);
		ck_assert_int_eq(mkfifo(lp, 0644), 0);
	}
	ck_assert_int_eq(venv_envdir_open(&e, root), 0);
	ck_assert_int_eq(venv_repair_trash(&e, "victim"), 0);
	ck_assert_int_eq(exists("victim"), 0);
	venv_repair_trash_empty(&e);
	venv_repair_trash_finish(&e);
	ck_assert_msg(!exists(VENV_REPAIR_DELETING), "the trash is still there after finish");
	ck_assert_str_eq(get("outside/keep"), "kept\n");
	venv_repair_trash_release(&e);
	venv_envdir_close(&e);
}
END_TEST

static Suite *txn_suite(void)
{
	Suite *s = suite_create("txn");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_txn__lock_busy_then_free);
	tcase_add_test(tc, test_txn__stale_lock_taken_over);
	tcase_add_test(tc, test_txn__lock_refuses_planted_link);
	tcase_add_test(tc, test_txn__apply_plan);
	tcase_add_test(tc, test_txn__recover_prepared_rolls_back);
	tcase_add_test(tc, test_txn__recover_committed_rolls_forward);
	tcase_add_test(tc, test_txn__recover_chmod_adds_exec);
	tcase_add_test(tc, test_txn__recover_refuses_damaged_journal);
	tcase_add_test(tc, test_txn__upgrade_rollback_restores);
	tcase_add_test(tc, test_txn__upgrade_backup_links);
	tcase_add_test(tc, test_txn__upgrade_interrupted_is_rolled_back);
	tcase_add_test(tc, test_txn__journal_keeps_names_not_utf8);
	tcase_add_test(tc, test_txn__journal_refuses_bad_bytes);
	tcase_add_test(tc, test_txn__trash_empties_tree_not_links);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(txn_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
