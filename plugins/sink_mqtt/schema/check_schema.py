#!/usr/bin/python3
"""Validates JSON messages against a JSON Schema (draft 2020-12), one message per line.

usage: check_schema.py SCHEMA MESSAGES...

Each MESSAGES file holds one JSON document per line (empty lines are skipped). Prints one line
per problem ("<file>:<line>: <path>: <message>"). Exit status: 0 when every message is valid,
1 when one or more are not, 2 when the schema itself or the input cannot be used (so that a
broken checker is never mistaken for a failing message). Needs python3-jsonschema (Debian).
"""
import json
import sys

try:
    import jsonschema
except ImportError:
    print("check_schema: python3-jsonschema is not installed (apt-get install python3-jsonschema)",
          file=sys.stderr)
    sys.exit(2)


def main(argv):
    if len(argv) < 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    try:
        with open(argv[1], encoding="utf-8") as f:
            schema = json.load(f)
        validator_class = jsonschema.validators.validator_for(schema)
        validator_class.check_schema(schema)
        validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)
    except (OSError, ValueError, jsonschema.SchemaError) as e:
        print(f"check_schema: unusable schema {argv[1]}: {e}", file=sys.stderr)
        return 2
    checked = 0
    invalid = 0
    for name in argv[2:]:
        try:
            with open(name, encoding="utf-8") as f:
                lines = f.read().splitlines()
        except OSError as e:
            print(f"check_schema: {e}", file=sys.stderr)
            return 2
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            checked += 1
            try:
                message = json.loads(line)
            except ValueError as e:
                print(f"{name}:{number}: not JSON: {e}")
                invalid += 1
                continue
            errors = sorted(validator.iter_errors(message), key=lambda e: list(e.path))
            for error in errors:
                path = "/" + "/".join(str(p) for p in error.path)
                print(f"{name}:{number}: {path}: {error.message}")
            if errors:
                invalid += 1
    print(f"check_schema: {checked} message(s), {invalid} invalid")
    return 1 if invalid else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
