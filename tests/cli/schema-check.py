#!/usr/bin/env python3
"""Validates crbench's JSON documents against the schemas of docs/schema/ (draft 2020-12).

usage: schema-check.py [--schemas DIR] [schemas] [KIND FILE... [KIND FILE...]...]

`schemas` checks every docs/schema/*.json against the draft 2020-12 meta-schema
(check_schema), that each has $schema, $id and title, and that the $ids are
unique; it can come before documents to check. KIND is run, harvest, step, report or check (the schema
docs/schema/KIND.json) and applies to the FILEs after it, up to the next KIND;
FILE - is standard input. Each document gets a line `FILE: valid`, or one line
per error, `FILE: /json/pointer: message` (at most 10, or
$SCHEMA_CHECK_MAX_ERRORS); the last line counts them. The exit status is 0 when
every document is valid, 1 when one is not, 2 on usage errors. One call checks
many documents: the interpreter and the schemas are loaded once.

Works with jsonschema 4.10 (Debian 12's python3-jsonschema, RefResolver) and
with 4.18 or later (the referencing library): the schemas refer to each other
by their $id, the file name.
"""
import argparse
import json
import os
import sys

import jsonschema
from jsonschema import Draft202012Validator

KINDS = ("run", "harvest", "step", "report", "check")
MAX_ERRORS = int(os.environ.get("SCHEMA_CHECK_MAX_ERRORS", "10"))  # per document
MAX_MESSAGE = 300


def load_schemas(directory):
    schemas = {}
    for name in sorted(os.listdir(directory)):
        if name.endswith(".json"):
            with open(os.path.join(directory, name), encoding="utf-8") as f:
                schemas[name[: -len(".json")]] = json.load(f)
    return schemas


def make_validators(schemas):
    """One validator per schema, each able to resolve $refs into the others."""
    try:
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT202012
    except ImportError:
        from jsonschema import RefResolver  # jsonschema < 4.18

        store = {s["$id"]: s for s in schemas.values()}
        return {k: Draft202012Validator(s, resolver=RefResolver.from_schema(s, store=store)) for k, s in schemas.items()}
    registry = Registry().with_resources(
        (s["$id"], Resource.from_contents(s, default_specification=DRAFT202012)) for s in schemas.values()
    )
    return {k: Draft202012Validator(s, registry=registry) for k, s in schemas.items()}


def pointer(path):
    return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in path)


def short(text):
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 3] + "..."


def check_schemas(schemas):
    bad = 0
    ids = {}
    for kind, schema in schemas.items():
        try:
            Draft202012Validator.check_schema(schema)
        except jsonschema.exceptions.SchemaError as e:
            print("%s.json: %s: %s" % (kind, pointer(e.path), short(e.message)))
            bad += 1
            continue
        for key in ("$schema", "$id", "title"):
            if key not in schema:
                print("%s.json: no %s" % (kind, key))
                bad += 1
        if schema.get("$schema") != "https://json-schema.org/draft/2020-12/schema":
            print("%s.json: $schema is not draft 2020-12" % kind)
            bad += 1
        if schema.get("$id") in ids:
            print("%s.json: $id %r is also %s.json's" % (kind, schema.get("$id"), ids[schema.get("$id")]))
            bad += 1
        ids[schema.get("$id")] = kind
    missing = [k for k in KINDS if k not in schemas]
    if missing:
        print("no schema for: %s" % ", ".join(missing))
        bad += 1
    if not bad:
        print("%d schemas valid: %s" % (len(schemas), ", ".join(sorted(schemas))))
    return bad == 0


def leaf(error):
    """The error that says what is wrong: for oneOf/anyOf, the most telling of the branches' own errors."""
    while error.context:
        # the deepest error, and one of a branch that matched the type over a branch of another type
        error = max(error.context, key=lambda e: (len(e.absolute_path), e.validator != "type"))
    return error


def check_documents(groups):
    """groups: [(kind, validator, [file, ...])]; prints a line per valid document, one per error of the others."""
    bad = total = 0
    for kind, validator, files in groups:
        for path in files:
            total += 1
            try:
                if path == "-":
                    doc = json.load(sys.stdin)
                else:
                    with open(path, encoding="utf-8") as f:
                        doc = json.load(f)
            except (OSError, ValueError) as e:
                print("%s: cannot read: %s" % (path, e))
                bad += 1
                continue
            errors = [leaf(e) for e in validator.iter_errors(doc)]
            errors.sort(key=lambda e: (list(map(str, e.absolute_path)), e.message))
            if not errors:
                print("%s: valid" % path)
                continue
            bad += 1
            for e in errors[:MAX_ERRORS]:
                print("%s: %s: %s" % (path, pointer(e.absolute_path), short(e.message)))
            if len(errors) > MAX_ERRORS:
                print("%s: and %d more errors" % (path, len(errors) - MAX_ERRORS))
    print("%d of %d documents valid" % (total - bad, total))
    return bad == 0


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(usage="%(prog)s [--schemas DIR] [schemas] [KIND FILE... [KIND FILE...]...]",
                                 description=__doc__.split("\n")[0])
    ap.add_argument("--schemas", default=os.path.join(here, "..", "..", "docs", "schema"), help="the schemas' directory")
    ap.add_argument("args", nargs="+", metavar="schemas | KIND FILE...", help="KIND: " + ", ".join(KINDS))
    args = ap.parse_args()
    schemas = load_schemas(args.schemas)
    rest = args.args
    schemas_ok = True
    if rest[0] == "schemas":
        schemas_ok = check_schemas(schemas)
        rest = rest[1:]
        if not rest:
            return 0 if schemas_ok else 1
    if rest[0] not in KINDS:
        ap.error("expected schemas or a KIND (%s) first, not '%s'" % (", ".join(KINDS), rest[0]))
    validators = make_validators(schemas)
    groups = []
    for a in rest:
        if a in KINDS:
            if a not in validators:
                print("no schema '%s.json' in '%s'" % (a, args.schemas))
                return 1
            groups.append((a, validators[a], []))
        else:
            groups[-1][2].append(a)
    empty = [kind for kind, _, files in groups if not files]
    if empty:
        ap.error("no FILE after %s" % empty[0])
    return 0 if check_documents(groups) and schemas_ok else 1


if __name__ == "__main__":
    sys.exit(main())
