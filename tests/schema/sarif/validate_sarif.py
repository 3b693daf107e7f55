"""Validates SARIF logs against the SARIF 2.1.0 JSON Schema shipped beside this script, and
checks what code-scanning tools read from each result.

    validate_sarif.py LOG.sarif [LOG.sarif ...]

Exits 0 when every log is valid, 1 with the problems listed otherwise.
"""

import json
import sys
from pathlib import Path

import jsonschema

SCHEMA = Path(__file__).with_name("sarif-2.1.0-rtm.5.json")


def problems_of(path, validator):
    log = json.loads(Path(path).read_text(encoding="utf-8"))
    problems = [f"{path}: {e.json_path}: {e.message}" for e in validator.iter_errors(log)]
    if log.get("version") != "2.1.0":
        problems.append(f"{path}: version is {log.get('version')!r}")
    for run in log.get("runs", []):
        rules = [r["id"] for r in run["tool"]["driver"].get("rules", [])]
        for i, result in enumerate(run.get("results", [])):
            where = f"{path}: result {i}"
            if result.get("ruleId") not in rules or rules.index(result["ruleId"]) != result.get("ruleIndex"):
                problems.append(f"{where}: ruleId/ruleIndex do not name a rule of the driver")
            if result.get("level") not in ("error", "warning", "note", "none"):
                problems.append(f"{where}: level {result.get('level')!r}")
            if not result.get("message", {}).get("text"):
                problems.append(f"{where}: no message text")
            for loc in result.get("locations", []):
                region = loc["physicalLocation"].get("region", {})
                uri = loc["physicalLocation"]["artifactLocation"]["uri"]
                if (uri.startswith("/") and not uri.startswith("file:///")) or "\\" in uri or " " in uri:
                    problems.append(f"{where}: uri {uri!r} is neither relative nor a file:// URI")
                if region.get("startLine", 0) < 1:
                    problems.append(f"{where}: no startLine")
    return problems


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft4Validator(schema)
    problems = [p for path in sys.argv[1:] for p in problems_of(path, validator)]
    for p in problems:
        print(p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
