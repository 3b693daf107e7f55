"""Reads avtrace's XLSX and CSV matrices back with independent readers (openpyxl, Python's
csv module) and checks they hold the same data as `avtrace matrix --format json`.

    readback.py xlsx MATRIX.xlsx MATRIX.json
    readback.py csv MATRIX.csv MATRIX.json
    readback.py print MATRIX.xlsx DATE     (the page setup of every sheet; DATE in the header)

Run by crates/avtrace-cli/tests/matrix.rs and handover.rs. Exits 0 when they agree, 1 with the differences.
"""

import csv
import json
import sys
from pathlib import Path

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def chain(clause):
    """The mapping chain as one line, as every tabular format writes it."""
    if not clause["via"]:
        return ""
    return clause["via"][0]["from"] + "".join(f" -{s['rel']}-> {s['to']}" for s in clause["via"])


def sources(clause):
    """Where the chain's statements are published, each source once, in step order."""
    seen = []
    for s in clause["via"]:
        if s["source"] not in seen:
            seen.append(s["source"])
    return "; ".join(seen)


def defused(text):
    """A CSV cell as avtrace writes it: a leading ' where a spreadsheet would see a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def in_market(clause, market):
    return next((m for m in clause["markets"] if m["market"] == market), None)


def sheet_rows(ws):
    return [["" if v is None else v for v in row] for row in ws.iter_rows(values_only=True)]


def compare(what, got, expected, problems):
    if got != expected:
        for i, (g, e) in enumerate(zip(got, expected)):
            if g != e:
                problems.append(f"{what}: row {i + 1} is {g!r}, expected {e!r}")
                break
        if len(got) != len(expected):
            problems.append(f"{what}: {len(got)} rows, expected {len(expected)}")


def check_xlsx(path, doc):
    import openpyxl

    wb = openpyxl.load_workbook(path)
    problems = []
    markets = [m["market"] for m in doc["markets"]]
    expected_names = ["Summary"] + markets + ["Clauses", "Requirements"]
    if wb.sheetnames != expected_names:
        problems.append(f"sheets are {wb.sheetnames}, expected {expected_names}")

    summary = sheet_rows(wb["Summary"])
    keys = ["obligations", "covered", "via_mapping", "partial", "uncovered", "verified", "unverified", "coverage"]
    # Nothing obliged is "n/a", not 100%.
    expected = [
        [m["market"], m["name"], m["sop"]] + [m[k] for k in keys[:-1]] + [m["coverage"] if m["obligations"] else "n/a"]
        for m in doc["markets"]
    ]
    compare("Summary", [r[:11] for r in summary[1 : 1 + len(markets)]], expected, problems)
    if wb["Summary"].freeze_panes != "A2":
        problems.append("Summary: the header row is not frozen")

    clause_row = {c["clause"]: i + 2 for i, c in enumerate(doc["clauses"])}
    by_id = {r["id"]: r for r in doc["requirements"]}

    def requirements_text(c):
        text = ", ".join(f"{rid} ({by_id[rid]['verification']})" if rid in by_id else rid for rid in c["requirements"])
        if c["subtree"]:
            text += "; beneath: " + ", ".join(c["subtree"])
        return text

    for m in doc["markets"]:
        ws = wb[m["market"]]
        rows = sheet_rows(ws)[1:]
        expected = []
        for c in doc["clauses"]:
            obliged = in_market(c, m["market"])
            if obliged is None:
                continue
            expected.append(
                [
                    c["clause"],
                    c["instrument"],
                    c["title"],
                    c["status"],
                    requirements_text(c),
                    "yes" if c["verified"] else "no",
                    "; ".join(obliged["because"]),
                    chain(c),
                    sources(c),
                ]
            )
        compare(m["market"], rows, expected, problems)
        if ws.freeze_panes != "A2":
            problems.append(f"{m['market']}: the header row is not frozen")
        if rows and not ws.auto_filter.ref:
            problems.append(f"{m['market']}: no autofilter")
        # Clause cells link to the clause's row of the Clauses sheet.
        for r in range(2, min(ws.max_row, 50) + 1):
            cell = ws.cell(row=r, column=1)
            want = f"Clauses!A{clause_row[cell.value]}"
            if cell.hyperlink is None or cell.hyperlink.location != want:
                got = cell.hyperlink.location if cell.hyperlink else None
                problems.append(f"{m['market']}!A{r}: links to {got}, expected {want}")
                break

    expected = [
        [
            c["clause"],
            c["instrument"],
            c["title"],
            c["kind"],
            c["status"],
            requirements_text(c),
            "yes" if c["verified"] else "no",
            ", ".join(m["market"] for m in c["markets"]),
            chain(c),
            sources(c),
        ]
        for c in doc["clauses"]
    ]
    compare("Clauses", sheet_rows(wb["Clauses"])[1:], expected, problems)
    keys = doc["attribute_keys"]
    expected = [
        [r["id"], r["title"], r["status"], r["parent"] or "", r["verification"], ", ".join(r["verified_by"])]
        + [r["attrs"].get(k, "") for k in keys]
        + [", ".join(r["clauses"]), r["text"]]
        for r in doc["requirements"]
    ]
    compare("Requirements", sheet_rows(wb["Requirements"])[1:], expected, problems)
    # The tree shows as the id's indent: one level per depth.
    ws = wb["Requirements"]
    for i, r in enumerate(doc["requirements"][:200]):
        indent = ws.cell(row=i + 2, column=1).alignment.indent
        if int(indent or 0) != min(r["depth"], 8):
            problems.append(f"Requirements!A{i + 2}: indent {indent}, expected depth {r['depth']}")
            break
    return problems


def check_csv(path, doc):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    problems = []
    header = [
        "market",
        "clause",
        "instrument",
        "clause_title",
        "status",
        "requirement",
        "requirement_title",
        "requirement_verified_by",
        "requirement_parent",
        "requirement_verification",
        "requirement_status",
        "via",
        "via_sources",
        "because",
    ] + [f"attr:{k}" for k in doc["attribute_keys"]]
    if not rows or rows[0] != header:
        problems.append(f"header is {rows[:1]}, expected {header}")
    requirements = {r["id"]: r for r in doc["requirements"]}
    expected = []
    for m in doc["markets"]:
        for c in doc["clauses"]:
            obliged = in_market(c, m["market"])
            if obliged is None:
                continue
            base = [m["market"], c["clause"], c["instrument"], c["title"], c["status"]]
            tail = [chain(c), sources(c), "; ".join(obliged["because"])]
            blank_attrs = ["" for _ in doc["attribute_keys"]]
            if not c["requirements"]:
                expected.append(base + ["", "", "", "", "", ""] + tail + blank_attrs)
            for rid in c["requirements"]:
                r = requirements[rid]
                own = [r["title"], "; ".join(r["verified_by"]), r["parent"] or "", r["verification"], r["status"]]
                attrs = [r["attrs"].get(k, "") for k in doc["attribute_keys"]]
                expected.append(base + [rid] + own + tail + attrs)
        for instrument in m["unmodelled"]:
            row = [m["market"], "", instrument, "", "unmodelled"] + [""] * 8
            row.append(f"mandate {instrument}: no requirement clauses in the catalog, not counted")
            expected.append(row + ["" for _ in doc["attribute_keys"]])
    expected = [[defused(cell) for cell in row] for row in expected]
    compare("CSV", rows[1:], expected, problems)
    return problems


def check_print_setup(path, date):
    """Every sheet prints A4 landscape, one page wide, the header row on every page, with the
    program, the sheet and the date in the page header and the page number in the footer."""
    import openpyxl

    wb = openpyxl.load_workbook(path)
    problems = []
    for ws in wb.worksheets:
        setup, where = ws.page_setup, ws.title
        if setup.orientation != "landscape":
            problems.append(f"{where}: orientation {setup.orientation}")
        if str(setup.paperSize) != "9":
            problems.append(f"{where}: paper size {setup.paperSize}, not A4 (9)")
        # An absent fitToWidth means 1 (ECMA-376); fitToHeight 0 means as many pages as needed.
        if not ws.sheet_properties.pageSetUpPr.fitToPage or setup.fitToWidth not in (None, 1) or setup.fitToHeight != 0:
            problems.append(f"{where}: not fitted to one page wide ({setup.fitToWidth} x {setup.fitToHeight})")
        if ws.print_title_rows not in ("1:1", "$1:$1"):
            problems.append(f"{where}: print titles {ws.print_title_rows!r}, not the header row")
        header, footer = ws.oddHeader, ws.oddFooter
        if "L3 motorway chauffeur" not in (header.left.text or ""):
            problems.append(f"{where}: page header names no program: {header.left.text!r}")
        if date not in (header.right.text or ""):
            problems.append(f"{where}: page header has no date: {header.right.text!r}")
        if not header.center.text:
            problems.append(f"{where}: page header names no sheet")
        if "&P" not in (footer.center.text or ""):
            problems.append(f"{where}: no page number in the footer: {footer.center.text!r}")
    markets = [ws.oddHeader.center.text for ws in wb.worksheets[1:-2]]
    if not all(m and m.startswith("Market ") for m in markets):
        problems.append(f"market sheets' page headers: {markets}")
    return problems


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "print":
        problems = check_print_setup(sys.argv[2], sys.argv[3])
        for p in problems:
            print(f"FAIL {p}", file=sys.stderr)
        return 1 if problems else 0
    if len(sys.argv) != 4 or sys.argv[1] not in ("xlsx", "csv"):
        print(__doc__, file=sys.stderr)
        return 2
    kind, path, json_path = sys.argv[1:]
    doc = json.loads(Path(json_path).read_text(encoding="utf-8"))
    problems = check_xlsx(path, doc) if kind == "xlsx" else check_csv(path, doc)
    if problems:
        print("\n".join(f"FAIL {p}" for p in problems), file=sys.stderr)
        return 1
    print(f"{kind} matches the JSON: {len(doc['clauses'])} clauses, {len(doc['markets'])} markets")
    return 0


if __name__ == "__main__":
    sys.exit(main())
