# Validate a CycloneDX 1.5 JSON document (argv[1]) against the schema
# vendored in tests/data/cyclonedx (offline: the schema's references to
# spdx and jsf resolve to the vendored copies). Exit 0 valid, 1 invalid
# (the errors on stderr), 3 when jsonschema is not installed.
import json, os, sys
try:
    import jsonschema
except ImportError:
    sys.exit(3)

here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "cyclonedx")
store = {}
for name in ("bom-1.5.SNAPSHOT.schema.json", "spdx.SNAPSHOT.schema.json", "jsf-0.82.SNAPSHOT.schema.json"):
    with open(os.path.join(here, name)) as f:
        s = json.load(f)
    store[s["$id"]] = s
    store["http://cyclonedx.org/schema/" + name] = s
schema = store["http://cyclonedx.org/schema/bom-1.5.schema.json"]
with open(sys.argv[1]) as f:
    doc = json.load(f)
resolver = jsonschema.RefResolver(schema["$id"], schema, store=store)
validator = jsonschema.Draft7Validator(schema, resolver=resolver,
                                       format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
for e in errors:
    sys.stderr.write("%s: %s\n" % ("/".join(str(p) for p in e.path), e.message))
sys.exit(1 if errors else 0)
