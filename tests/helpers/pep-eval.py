# The reference side of tests/helpers/pep-eval.c: the same protocol,
# answered by packaging (the copy pip vendors). Run by the CLI test only.
import sys
try:
    from pip._vendor.packaging.version import Version, InvalidVersion
    from pip._vendor.packaging.specifiers import SpecifierSet, InvalidSpecifier
    from pip._vendor.packaging.requirements import Requirement, InvalidRequirement
    from pip._vendor.packaging.markers import Marker, InvalidMarker
except ImportError:
    sys.exit(3)

env = {}
out = []
for line in sys.stdin.read().split("\n"):
    if not line or line[0] == "#" or len(line) < 2 or line[1] != "\t":
        continue
    kind, rest = line[0], line[2:]
    f = rest.split("\t", 1)
    a, b = f[0], (f[1] if len(f) > 1 else None)
    if kind == "V":
        try:
            out.append(str(Version(a)))
        except InvalidVersion:
            out.append("INVALID")
    elif kind == "C":
        try:
            x, y = Version(a), Version(b)
            out.append(str((x > y) - (x < y)))
        except (InvalidVersion, TypeError):
            out.append("INVALID")
    elif kind == "S":
        try:
            s = SpecifierSet(a)
            out.append("1" if s.contains(Version(b), prereleases=True) else "0")
        except (InvalidSpecifier, InvalidVersion, TypeError):
            out.append("INVALID")
    elif kind == "R":
        try:
            out.append(str(Requirement(a)))
        except Exception:
            out.append("INVALID")
    elif kind == "E":
        env = dict(kv.split("=", 1) for kv in rest.split("\t") if "=" in kv)
    elif kind == "M":
        try:
            m = Marker(a)
        except Exception:
            out.append("INVALID")
            continue
        try:
            out.append("1" if m.evaluate(env) else "0")
        except Exception:
            out.append("ERROR")
sys.stdout.write("".join(x + "\n" for x in out))
