"""Prints avtrace HTML reports the way a reader does, in real headless Chromium (Playwright,
Debian's chromium), and looks at a phone-sized window.

Run by crates/avtrace-cli/tests/handover.rs, which builds the reports with the real binary:

    print_check.py --report R.html --json R.json --authority A.html --authority-json A.json --max-pages N
                   --pdf OUT.pdf --mobile-screenshot OUT.png

    - the engineer report printed to PDF (A4 landscape) has at most N pages;
    - under print media the whole matrix is laid out (every clause of the JSON), its header
      row is a repeated table header group, rows are not split across pages, and the table
      with every market column fits the page's width;
    - the authority report runs no script, names no command and no analyst note, shows a
      sign-off block, repeats its table headers and prints in at most N pages;
    - at 390 px wide the summary reflows: nothing is wider than the window and each market's
      coverage is on screen.

Exits 0 when every check passes, 1 with the failures listed otherwise.
"""

import argparse
import json
import re
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
# A4 landscape less the 10 mm side margins of the stylesheet's @page rule, in CSS pixels.
PRINT_WIDTH_PX = (297 - 20) / 25.4 * 96

failures = []


def check(ok, message):
    if not ok:
        failures.append(message)
    return ok


def pdf_pages(pdf):
    """Page count and the first page's size (points) of a PDF Chromium wrote."""
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    box = re.search(rb"/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    size = (float(box.group(3)), float(box.group(4))) if box else (0.0, 0.0)
    return pages, size


def open_page(browser, path, width=1280, height=900, ready=True):
    page = browser.new_page(viewport={"width": width, "height": height})
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"uncaught: {e}"))
    page.goto(Path(path).resolve().as_uri())
    if ready:
        page.wait_for_selector("html[data-ready]")
    return page, errors


def print_layout(page, table_selector):
    """How a table lays out under print media: its header's display, whether rows may split,
    its width and its rows."""
    return page.evaluate(
        """(sel) => {
            const t = document.querySelector(sel);
            if (!t) return null;
            const row = t.tBodies[0] && t.tBodies[0].rows[0];
            return {
                thead: getComputedStyle(t.tHead).display,
                rowBreak: row ? getComputedStyle(row).breakInside : 'none',
                width: t.getBoundingClientRect().width,
                rows: t.querySelectorAll('tbody tr:not(.group)').length,
            };
        }""",
        table_selector,
    )


def check_engineer(browser, report, doc, max_pages, pdf_out):
    page, errors = open_page(browser, report)
    pdf = page.pdf(format="A4", landscape=True, print_background=True)
    Path(pdf_out).write_bytes(pdf)
    pages, (w, h) = pdf_pages(pdf)
    check(w > h, f"engineer report: the printed page is {w} x {h} pt, not landscape")
    check(0 < pages <= max_pages, f"engineer report: {pages} printed pages, at most {max_pages} expected")
    print(f"engineer report: {pages} A4 landscape pages")

    page.set_viewport_size({"width": int(PRINT_WIDTH_PX), "height": 900})
    page.emulate_media(media="print")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    layout = print_layout(page, "table#matrix")
    check(layout is not None, "engineer report: no matrix")
    if layout:
        check(layout["thead"] == "table-header-group", f"matrix header is {layout['thead']}, not repeated per page")
        check(layout["rowBreak"] == "avoid", f"matrix rows break {layout['rowBreak']}, may split across pages")
        check(layout["rows"] == len(doc["clauses"]), f"printed {layout['rows']} rows of {len(doc['clauses'])}")
        check(layout["width"] <= PRINT_WIDTH_PX + 1, f"the matrix is {layout['width']:.0f} px wide, the page {PRINT_WIDTH_PX:.0f}")
    market_heads = page.evaluate("() => [...document.querySelectorAll('#matrix thead th')].map(th => th.getBoundingClientRect().right)")
    check(all(r <= PRINT_WIDTH_PX + 1 for r in market_heads), f"a matrix column ends past the page: {max(market_heads):.0f} px")
    for d in page.evaluate("() => [...document.querySelectorAll('#gaps details, #req-tree details')].map(d => d.open)"):
        if not check(d, "a gap list or requirement is closed in print"):
            break
    check(not errors, f"engineer report: console errors {errors}")
    page.close()


def check_authority(browser, report, doc, max_pages):
    page, errors = open_page(browser, report, ready=False)
    html = Path(report).read_text(encoding="utf-8")
    check("<script" not in html, "authority report: has a script")
    text = page.inner_text("body")
    for banned in ["avtrace show", "avtrace gaps", "--program", "Analyst", "analyst", "Rationale", "source:"]:
        check(banned not in text, f"authority report shows {banned!r}")
    for wanted in ["Prepared by", "Reviewed by", "Approved by", "Date", "Signature", "Evidence", "Verification"]:
        check(wanted in text, f"authority report lacks {wanted!r}")
    pdf = page.pdf(format="A4", landscape=True, print_background=True)
    pages, (w, h) = pdf_pages(pdf)
    check(w > h and 0 < pages <= max_pages, f"authority report: {pages} pages of {w} x {h} pt")
    print(f"authority report: {pages} A4 landscape pages")
    page.set_viewport_size({"width": int(PRINT_WIDTH_PX), "height": 900})
    page.emulate_media(media="print")
    obligations = sum(len([c for c in doc["clauses"] if any(m["market"] == mk["market"] for m in c["markets"])]) for mk in doc["markets"])
    rows = page.evaluate("() => document.querySelectorAll('table.obligations tbody tr').length")
    check(rows == obligations, f"authority report: {rows} obligation rows, {obligations} expected")
    for layout in page.evaluate(
        """() => [...document.querySelectorAll('table.obligations')].map(t => [getComputedStyle(t.tHead).display, t.getBoundingClientRect().width])"""
    ):
        check(layout[0] == "table-header-group", f"authority table header is {layout[0]}")
        check(layout[1] <= PRINT_WIDTH_PX + 1, f"an authority table is {layout[1]:.0f} px wide")
    check(not errors, f"authority report: console errors {errors}")
    page.close()


def check_mobile(browser, report, doc, screenshot):
    page, errors = open_page(browser, report, width=390, height=844)
    overflow = page.evaluate("() => document.documentElement.scrollWidth")
    check(overflow <= 390, f"at 390 px the page is {overflow} px wide")
    rights = page.evaluate(
        "() => [...document.querySelectorAll('#summary table.per-market td.coverage')].map(td => td.getBoundingClientRect().right)"
    )
    check(len(rights) == len(doc["markets"]), f"{len(rights)} coverage cells for {len(doc['markets'])} markets")
    check(all(r <= 390 for r in rights), f"a coverage cell ends at {max(rights or [0]):.0f} px, past 390")
    page.locator("#summary").screenshot(path=screenshot)
    check(not errors, f"mobile: console errors {errors}")
    page.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--report", required=True)
    ap.add_argument("--json", required=True)
    ap.add_argument("--authority", required=True)
    ap.add_argument("--authority-json", required=True, help="the matrix JSON of the authority report's markets")
    ap.add_argument("--max-pages", type=int, default=20)
    ap.add_argument("--pdf", required=True)
    ap.add_argument("--mobile-screenshot", required=True)
    args = ap.parse_args()
    doc = json.loads(Path(args.json).read_text(encoding="utf-8"))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        check_engineer(browser, args.report, doc, args.max_pages, args.pdf)
        authority_doc = json.loads(Path(args.authority_json).read_text(encoding="utf-8"))
        check_authority(browser, args.authority, authority_doc, args.max_pages)
        check_mobile(browser, args.report, doc, args.mobile_screenshot)
        browser.close()
    for f in failures:
        print("FAIL:", f, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
