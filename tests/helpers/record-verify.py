# Verify the installed files of every distribution in a site-packages
# directory against their RECORD, as a Python tool would: the distributions
# as importlib.metadata finds them, each RECORD row's file read in 1 MiB
# blocks into hashlib.sha256 and encoded urlsafe base64 without padding
# (what pip's wheel installer does when it writes RECORD: rehash() in
# pip/_internal/operations/install/wheel.py), and its size compared.
#
#   python -I record-verify.py SITE_PACKAGES
#
# Prints one line per file that differs ("modified PATH", "size PATH",
# "missing PATH", "bad-hash PATH"), paths relative to SITE_PACKAGES, sorted,
# and exits 1 when there is one. Used by tests/cli/t2402 as the oracle of
# venv check --verify-hashes, and by tests/bench/audit.sh as its baseline.
import base64, hashlib, os, sys

try:
    from importlib.metadata import distributions
except ImportError:  # pragma: no cover (3.8+ has it)
    sys.exit("importlib.metadata is needed")

BLOCK = 1 << 20


def rehash(path):
    h = hashlib.sha256()
    length = 0
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(BLOCK), b""):
            length += len(block)
            h.update(block)
    return base64.urlsafe_b64encode(h.digest()).decode("latin1").rstrip("="), length


def main():
    site = os.path.abspath(sys.argv[1])
    problems = []
    for dist in distributions(path=[site]):
        for f in dist.files or ():
            full = os.path.normpath(os.path.join(site, str(f)))
            rel = os.path.relpath(full, site)
            if not os.path.lexists(full):
                if not rel.endswith(".pyc") and "__pycache__" not in rel:
                    problems.append("missing " + rel)
                continue
            if f.hash is None or not os.path.isfile(full) or os.path.islink(full):
                continue
            if f.hash.mode != "sha256" or len(f.hash.value) != 43:
                problems.append("bad-hash " + rel)
                continue
            digest, length = rehash(full)
            if f.size is not None and f.size != length:
                problems.append("size " + rel)
            elif digest != f.hash.value:
                problems.append("modified " + rel)
    for p in sorted(problems):
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
