"""Validates an avtrace program (its main file and every file its `include` patterns match)
against the JSON Schema `avtrace schema` prints, with the independent `jsonschema` package.

    python validate_program.py SCHEMA.json PROGRAM.toml

TOML dates become "YYYY-MM-DD" strings, as the schema describes. Prints one line per file
checked and exits 1 with the validator's messages on the first invalid file.
"""

import datetime
import glob
import json
import os
import sys
import tomllib

import jsonschema


def as_json(value):
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value


def main():
    schema_path, program_path = sys.argv[1], sys.argv[2]
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    with open(program_path, "rb") as f:
        main_doc = as_json(tomllib.load(f))
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(main_doc), key=str)
    if errors:
        print(f"{program_path}: {errors[0].message}")
        sys.exit(1)
    print(f"valid: {program_path}")
    included_schema = dict(schema, **{"$ref": "#/$defs/includedFile"})
    for key in ("required", "properties", "additionalProperties"):
        included_schema.pop(key, None)
    base = os.path.dirname(program_path)
    for pattern in main_doc["program"].get("include", []):
        for path in sorted(glob.glob(os.path.join(base, pattern))):
            with open(path, "rb") as f:
                doc = as_json(tomllib.load(f))
            errors = list(jsonschema.Draft202012Validator(included_schema).iter_errors(doc))
            if errors:
                print(f"{path}: {errors[0].message}")
                sys.exit(1)
            print(f"valid: {path}")


if __name__ == "__main__":
    main()
