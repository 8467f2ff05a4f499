# Fill a site-packages directory with installed distributions, offline and
# deterministically, as pip leaves them: for the audit benchmark.
#
#   python -I mkdists.py SITE_PACKAGES NDISTS TOTAL_MB
#
# Distribution i is pkgNNN (version 1.i.0) with its package directory of
# modules and data files whose sizes follow a long-tailed distribution (as
# in a real site-packages: many small .py files, a few large ones; the
# large ones are .dat, since fake extension modules would be findings), a
# .dist-info with METADATA (Requires-Dist on up to three earlier
# distributions, with specifiers and markers that hold, as pip check
# wants), WHEEL, INSTALLER, REQUESTED and a RECORD giving every file's
# sha256 and size. Prints the number of files and bytes written.
import base64, hashlib, os, random, sys

site, ndists, total_mb = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(13)
total = total_mb * 1024 * 1024
# A pool of bytes that files are cut from (at varying offsets: distinct contents).
pool = bytes(rng.getrandbits(8) for _ in range(1 << 20)) * 64
budget = total // ndists
nfiles = nbytes = 0


def b64(data):
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


for i in range(ndists):
    name = "pkg%03d" % i
    version = "1.%d.0" % i
    di = "%s-%s.dist-info" % (name, version)
    files = {}
    left = budget
    k = 0
    while left > 0:
        # Mostly a few kB, sometimes hundreds of kB, rarely megabytes.
        size = min(left, int(rng.lognormvariate(8.5, 1.8)) + 64)
        off = rng.randrange(0, len(pool) - size - 1)
        ext = ".py" if size < 64 * 1024 else ".dat"
        files["%s/mod%03d%s" % (name, k, ext)] = pool[off:off + size]
        left -= size
        k += 1
    files["%s/__init__.py" % name] = ("__version__ = %r\n" % version).encode()
    reqs = []
    for dep in sorted(rng.sample(range(i), min(i, 3))):
        reqs.append("Requires-Dist: pkg%03d>=1.%d" % (dep, dep))
    if i:
        reqs.append('Requires-Dist: pkg000; python_version >= "3"')
        reqs.append('Requires-Dist: nonexistent-extra-dep; extra == "never"')
    files[di + "/METADATA"] = ("Metadata-Version: 2.1\nName: %s\nVersion: %s\n%s\n" % (
        name, version, "".join(r + "\n" for r in reqs))).encode()
    files[di + "/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: mkdists\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    files[di + "/INSTALLER"] = b"pip\n"
    files[di + "/REQUESTED"] = b""
    record = []
    for path, data in files.items():
        full = os.path.join(site, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "wb") as f:
            f.write(data)
        record.append("%s,sha256=%s,%d" % (path, b64(data), len(data)))
        nfiles += 1
        nbytes += len(data)
    record.append(di + "/RECORD,,")
    with open(os.path.join(site, di, "RECORD"), "w") as f:
        f.write("\n".join(record) + "\n")
    nfiles += 1
print(nfiles, nbytes)
