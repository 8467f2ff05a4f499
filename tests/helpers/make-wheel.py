# Build a tiny pure wheel offline: make-wheel.py OUTDIR NAME VERSION [HEADER...]
# Each HEADER ("Requires-Dist: b>=1", "License-Expression: MIT") is added to
# METADATA; the package NAME (lower case, "-" as "_") has an __init__.py with
# main() and a console script NAME-cli. RECORD lists every file with its
# sha256 and size, as pip expects. Used by the CLI tests of check and list.
import base64, hashlib, os, sys, zipfile

out, name, version = sys.argv[1:4]
headers = sys.argv[4:]
mod = name.lower().replace("-", "_").replace(".", "_")
dist = name.replace("-", "_").replace(".", "_")
di = "%s-%s.dist-info" % (dist, version)
files = {
    "%s/__init__.py" % mod: "def main():\n    print('%s %s')\n" % (name, version),
    di + "/METADATA": "Metadata-Version: 2.4\nName: %s\nVersion: %s\n%s\n" % (
        name, version, "".join(h + "\n" for h in headers)),
    di + "/WHEEL": "Wheel-Version: 1.0\nGenerator: make-wheel\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    di + "/entry_points.txt": "[console_scripts]\n%s-cli = %s:main\n" % (name, mod),
}
record = []
for path, text in files.items():
    data = text.encode()
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    record.append("%s,sha256=%s,%d" % (path, digest, len(data)))
record.append(di + "/RECORD,,")
whl = os.path.join(out, "%s-%s-py3-none-any.whl" % (dist, version))
with zipfile.ZipFile(whl, "w") as z:
    for path, text in files.items():
        z.writestr(path, text)
    z.writestr(di + "/RECORD", "\n".join(record) + "\n")
print(whl)
