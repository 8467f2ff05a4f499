"""Race a venv command against a process that swaps directories for symlinks.

    python3 race.py clear|restore ROUNDS VENV PYTHON WORKDIR

Every round makes a fresh copy of a template environment (a real one with
some fifty extra directories, so that deleting it takes a while) and runs
`venv create --clear --force` on it, or `venv restore --yes` of an archive of it.
While the command runs, this process repeatedly renames a directory of the
environment aside and puts a symbolic link to the same place in a sentinel
tree there, and later puts the directory back. For restore it does the same
in the old tree once it has been swapped into the staging directory to be
deleted (security.md DEL-04, R7), and in half the rounds the extraction
too (RACE_EXTRACT=1: in every round, 0: in none).

The sentinel tree has the same names as the environment, so anything that
follows one of the links finds something to delete, overwrite or chmod; its
files hold other bytes and its entries other modes, so any write shows. It is
compared (type, mode, size, mtime, SHA-256, link value of every entry) with
its first state after every round. Prints
"races: N rounds, N swaps, N commands succeeded, N violations" and exits 1
on a violation, 2 when the set-up fails.
"""
import hashlib
import os
import random
import shutil
import stat
import subprocess
import sys


def snapshot(root):
    state = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            st = os.lstat(path)
            rel = os.path.relpath(path, root)
            if os.path.islink(path):
                state[rel] = ("l", os.readlink(path))
            elif os.path.isdir(path):
                state[rel] = ("d", oct(st.st_mode), st.st_mtime_ns)
            else:
                with open(path, "rb") as f:
                    digest = hashlib.sha256(f.read()).hexdigest()
                state[rel] = ("f", oct(st.st_mode), st.st_size, st.st_mtime_ns, digest)
    st = os.lstat(root)
    state["."] = ("d", oct(st.st_mode), st.st_mtime_ns)
    return state


def diff(old, new):
    lines = []
    for rel in sorted(set(old) | set(new)):
        if old.get(rel) != new.get(rel):
            lines.append("  %s: was %s, now %s" % (rel, old.get(rel), new.get(rel)))
    return "\n".join(lines[:20])


def make_template(mode, venv, python, work):
    template = os.path.join(work, "template")
    subprocess.run([venv, "create", "-q", "--without-pip", "-p", python, template], check=True)
    own = set(walk_dirs(template))
    site = [d for d, _, _ in os.walk(os.path.join(template, "lib")) if d.endswith("site-packages")][0]
    # Extra packages and a deep chain: deleting them gives the swapper time.
    for i in range(12):
        for j in range(3):
            d = os.path.join(site, "pkg%d" % i, "sub%d" % j)
            os.makedirs(d)
            for k in range(2):
                with open(os.path.join(d, "m%d.py" % k), "w") as f:
                    f.write("x = %d\n" % k)
    deep = os.path.join(template, "share", *["d%d" % i for i in range(10)])
    os.makedirs(deep)
    with open(os.path.join(deep, "f"), "w") as f:
        f.write("deep\n")
    archive = None
    if mode == "restore":
        archive = os.path.join(work, "env.tar.gz")
        subprocess.run([venv, "repair", "-q", "--archive=" + archive, template], check=True,
                       stdout=subprocess.DEVNULL)
    dirs = walk_dirs(template)
    if mode == "clear":
        # Only what --clear deletes and the creator does not make again: the
        # creator writes bin/ and lib/ by path name, as CPython's does, and
        # is not what this test is about (see the report of issue 7).
        dirs = [d for d in dirs if d not in own]
    return template, archive, dirs


def walk_dirs(top):
    dirs = []
    for dirpath, dirnames, _ in os.walk(top):
        for name in dirnames:
            dirs.append(os.path.relpath(os.path.join(dirpath, name), top))
    return dirs


def make_sentinel(template, sentinel):
    """The template's names with other bytes and modes."""
    if os.path.lexists(sentinel):
        shutil.rmtree(sentinel)
    shutil.copytree(template, sentinel, symlinks=True)
    for dirpath, dirnames, filenames in os.walk(sentinel):
        for name in filenames:
            path = os.path.join(dirpath, name)
            if os.path.islink(path):
                # Never a link out of the sentinel (bin/python names the real
                # interpreter): a followed link must land in the sentinel.
                if os.path.isabs(os.readlink(path)):
                    os.unlink(path)
                    os.symlink(os.path.join(sentinel, "pyvenv.cfg"), path)
            else:
                with open(path, "w") as f:
                    f.write("sentinel %s\n" % path)
                os.chmod(path, 0o640)
        os.chmod(dirpath, 0o750)


def open_parent(root, rel):
    """The directory holding root/rel, reached without following any link:
    the swapper must never work through a link it planted itself."""
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    try:
        for part in os.path.dirname(rel).split(os.sep):
            if part:
                sub = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
                os.close(fd)
                fd = sub
    except OSError:
        os.close(fd)
        raise
    return fd


def swap(root, rel, sentinel):
    """Rename root/rel aside and put a link into the sentinel in its place;
    returns what undo() needs, or None."""
    try:
        fd = open_parent(root, rel)
    except OSError:
        return None
    name = os.path.basename(rel)
    try:
        os.rename(name, name + ".~race", src_dir_fd=fd, dst_dir_fd=fd)
    except OSError:
        os.close(fd)
        return None
    try:
        os.symlink(os.path.join(sentinel, rel), name, dir_fd=fd)
    except OSError:
        pass
    return (fd, name)


def undo(swapped):
    fd, name = swapped
    try:
        if stat.S_ISLNK(os.lstat(name, dir_fd=fd).st_mode):
            os.unlink(name, dir_fd=fd)
        os.rename(name + ".~race", name, src_dir_fd=fd, dst_dir_fd=fd)
    except OSError:
        pass
    os.close(fd)


def staging_roots(parent, name, old=None):
    """Where restore extracts and deletes: .NAME.venv-restore-*/env; with
    old, an inode number, only that tree (the old one, being deleted)."""
    roots = []
    try:
        for entry in os.listdir(parent):
            if entry.startswith("." + name + ".venv-restore-"):
                root = os.path.join(parent, entry, "env")
                if old is None or os.lstat(root).st_ino == old:
                    roots.append(root)
    except OSError:
        pass
    return roots


def main():
    mode, rounds, venv, python, work = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
    seed = int(os.environ.get("RACE_SEED", os.getpid()))
    rng = random.Random(seed)
    try:
        template, archive, dirs = make_template(mode, venv, python, work)
    except (OSError, subprocess.CalledProcessError, IndexError) as e:
        print("races: cannot set up: %s" % e)
        return 2
    sentinel = os.path.join(work, "sentinel")
    make_sentinel(template, sentinel)
    expected = snapshot(sentinel)
    target = os.path.join(work, "env")
    if mode == "clear":
        # --force: --clear refuses entries no creator makes, and the swapper's
        # own NAME.~race is one; without it most rounds would stop there
        # instead of racing the deletion.
        cmd = [venv, "create", "-q", "--clear", "--force", "--without-pip", "-p", python, target]
    else:
        cmd = [venv, "restore", "-y", "-q", "--as-is", archive, target]
    # Half the rounds also race the extraction inside the staging directory
    # (RACE_EXTRACT=1: every round, 0: none): restore writes the tree with
    # its own extractor, which walks every directory with O_NOFOLLOW, so a
    # swapped directory makes it fail instead of writing through the link.
    # The other half let restore reach the swap and the deletion of the
    # old tree, the other half of what is raced.
    extract_env = os.environ.get("RACE_EXTRACT")
    swaps = succeeded = violations = 0
    for n in range(1, rounds + 1):
        shutil.copytree(template, target, symlinks=True)
        if extract_env in ("0", "1"):
            extract = extract_env == "1"
        else:
            extract = rng.random() < 0.5
        old = None if extract else os.lstat(target).st_ino
        pending = []
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while proc.poll() is None:
            roots = [target]
            if mode == "restore":
                roots += staging_roots(work, "env", old)
            swapped = swap(rng.choice(roots), rng.choice(dirs), sentinel)
            if not swapped:
                continue
            swaps += 1
            pending.append(swapped)
            if len(pending) > rng.randint(0, 6):
                undo(pending.pop(0))
        for swapped in pending:
            undo(swapped)
        if proc.returncode == 0:
            succeeded += 1
        shutil.rmtree(target, ignore_errors=True)
        for root in staging_roots(work, "env"):
            shutil.rmtree(os.path.dirname(root), ignore_errors=True)
        if os.path.lexists(target):
            print("races: cannot remove %s after round %d" % (target, n))
            return 2
        now = snapshot(sentinel)
        if now != expected:
            violations += 1
            print("VIOLATION (%s, round %d, seed %d): the sentinel tree changed:\n%s"
                  % (mode, n, seed, diff(expected, now)))
            make_sentinel(template, sentinel)
            expected = snapshot(sentinel)
    print("races: %d rounds, %d swaps, %d commands succeeded, %d violations"
          % (rounds, swaps, succeeded, violations))
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
