"""Drives avtrace HTML reports in real headless Chromium (Playwright, Debian's chromium).

Run by crates/avtrace-cli/tests/matrix.rs, which builds the reports with the real binary:

    report_check.py check --report R.html --json R.json --hostile H.html --screenshot OUT.png
        the report loads from file:// with no console error and no network request; the
        filters show the rows the JSON says they should; hostile requirement text renders
        as text and runs nothing; a screenshot of the summary is saved.

    report_check.py measure --report BIG.html
        loads a (large) report and prints, as JSON, how long it took until the first page
        of the matrix was on screen, and how long a text and a market filter take.

Exits 0 when every check passes, 1 with the failures listed otherwise.
"""

import argparse
import json
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
# Without these Chromium tries to reach Google's services at start; without --no-sandbox it
# refuses to run as root.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PAGE_SIZE = 100  # the report's default rows per page

failures = []


def check(ok, message):
    if not ok:
        failures.append(message)
    return ok


class Watch:
    """What a page did that it must not: console errors, uncaught errors, requests other
    than the report itself, dialogs (alert, confirm, prompt)."""

    def __init__(self, page):
        self.errors, self.requests, self.dialogs = [], [], []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("dialog", self._dialog)

    def _dialog(self, dialog):
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()


def open_report(browser, path):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    watch = Watch(page)
    url = Path(path).resolve().as_uri()
    page.goto(url)
    page.wait_for_selector("html[data-ready]")
    return page, watch, url


def haystack(clause, requirements):
    """What the report's free-text filter searches in a clause, lower-cased (report.js)."""
    words = [clause["clause"], clause["instrument"], clause["title"], clause["kind"], clause["status"]]
    for rid in clause["requirements"]:
        words.append(rid)
        r = requirements.get(rid)
        if r:
            words += [r["title"], r["text"], r["status"], r["verification"], " ".join(r["verified_by"])]
            words += list(r["attrs"].values())
    for step in clause["via"]:
        words += [step["from"], step["to"], step["rel"], step["basis"], step["source"], step.get("rationale") or ""]
    for m in clause["markets"]:
        words += [m["market"], " ".join(m["because"])]
    return "\n".join(words).lower()


def shown(page):
    """The clauses of the rows on screen, in order."""
    return page.eval_on_selector_all("#matrix tbody tr:not(.group) > th .ref", "els => els.map(e => e.textContent)")


def matching(page):
    return int(page.get_attribute("#matrix", "data-rows"))


def wait_until(page, predicate, timeout_s=10.0):
    """Polls `predicate` from Python. (page.wait_for_function evaluates a string in the
    page, which the report's Content-Security-Policy rightly forbids.)"""
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            return False
        page.wait_for_timeout(25)
    return True


def wait_rows(page, n):
    return wait_until(page, lambda: matching(page) == n)


def expect_rows(page, expected, what):
    """The matrix shows `expected` (clause names in order), a page at a time."""
    wait_rows(page, len(expected))
    check(matching(page) == len(expected), f"{what}: {matching(page)} rows match, expected {len(expected)}")
    check(shown(page) == expected[:PAGE_SIZE], f"{what}: the first page shows {shown(page)[:5]}..., expected {expected[:5]}...")


def check_example(browser, report, data, screenshot):
    page, watch, url = open_report(browser, report)
    clauses = data["clauses"]
    requirements = {r["id"]: r for r in data["requirements"]}
    names = [c["clause"] for c in clauses]

    expect_rows(page, names, "unfiltered")

    # Free text: a requirement id, typed as a person would.
    rid = next(r["id"] for r in data["requirements"] if r["clauses"])
    search = page.get_by_label("Search", exact=True)
    search.click()
    page.keyboard.type(rid)
    expected = [c["clause"] for c in clauses if rid.lower() in haystack(c, requirements)]
    check(len(expected) < len(names), f"the filter {rid} should narrow the matrix")
    expect_rows(page, expected, f"search {rid}")
    search.fill("")

    # A market: only its obligations; its column shows a status on every row.
    market = next(m["market"] for m in data["markets"] if 0 < m["obligations"] < len(names))
    page.get_by_label("Market", exact=True).select_option(market)
    expected = [c["clause"] for c in clauses if any(m["market"] == market for m in c["markets"])]
    expect_rows(page, expected, f"market {market}")
    column = [m["market"] for m in data["markets"]].index(market)
    cells = page.eval_on_selector_all(
        "#matrix tbody tr:not(.group)", f"rows => rows.map(r => r.querySelectorAll('td.st')[{column}].textContent)"
    )
    check(all(c != "\u2014" for c in cells), f"market {market}: every row has a status in its column")

    # Market and status together.
    page.get_by_label("Status", exact=True).select_option("partial")
    expected = [
        c["clause"] for c in clauses if c["status"] == "partial" and any(m["market"] == market for m in c["markets"])
    ]
    expect_rows(page, expected, f"market {market}, partial")
    page.get_by_role("button", name="Clear filters").click()
    expect_rows(page, names, "after clearing the filters")

    # An attribute: the clauses whose requirements (or those beneath them) carry it.
    pairs = sorted({(k, v) for r in data["requirements"] for k, v in r["attrs"].items()})
    if pairs:
        key, value = next((p for p in pairs if p == ("asil", "D")), pairs[0])
        page.get_by_label("Attribute", exact=True).select_option(json.dumps([key, value], separators=(",", ":")))
        expected = [
            c["clause"]
            for c in clauses
            if any(requirements[i]["attrs"].get(key) == value for i in c["requirements"] + c["subtree"] if i in requirements)
        ]
        check(0 < len(expected) < len(names), f"the attribute {key} = {value} should narrow the matrix")
        expect_rows(page, expected, f"attribute {key} = {value}")
        page.get_by_role("button", name="Clear filters").click()
        expect_rows(page, names, "after clearing the attribute filter")

    # The requirement tree: the roots at once, a parent's children when it is opened.
    roots = [r for r in data["requirements"] if not r["parent"]]
    shown_roots = page.eval_on_selector_all("#req-tree > ul.tree > li", "els => els.length")
    check(shown_roots == len(roots), f"the tree shows {shown_roots} roots, expected {len(roots)}")
    parent = next((r for r in roots if any(c["parent"] == r["id"] for c in data["requirements"])), None)
    if parent:
        node = page.locator(f'#req-tree details[data-tid="{parent["id"]}"]')
        node.locator("summary").first.click()
        kids = [r["id"] for r in data["requirements"] if r["parent"] == parent["id"]]
        got = page.eval_on_selector_all(
            f'#req-tree details[data-tid="{parent["id"]}"] > ul.tree > li .rid', "els => els.map(e => e.textContent)"
        )
        check(got == kids, f"opening {parent['id']} shows {got[:5]}, expected {kids[:5]}")

    # Sorting by a market column puts its worst statuses last within each instrument.
    header = page.locator(f'#matrix thead th[data-key="m:{market}"]')
    header.locator("button").click()
    check(header.get_attribute("aria-sort") == "ascending", "sorted column says aria-sort=ascending")
    header.locator("button").click()
    check(header.get_attribute("aria-sort") == "descending", "a second click sorts descending")
    page.locator('#matrix thead th[data-key="clause"] button').click()
    expect_rows(page, names, "sorted by clause again")

    # Paging.
    if len(names) > PAGE_SIZE:
        page.get_by_role("button", name="Next page").click()
        check(shown(page)[0] == names[PAGE_SIZE], "the next page starts at the 101st clause")
        page.get_by_role("button", name="Previous page").click()

    page.locator("#summary").screenshot(path=screenshot)
    check(watch.errors == [], f"console errors: {watch.errors}")
    check(watch.requests == [url], f"requests other than the report: {[r for r in watch.requests if r != url]}")
    check(watch.dialogs == [], f"dialogs: {watch.dialogs}")
    page.close()


def check_hostile(browser, report, rid, text):
    page, watch, url = open_report(browser, report)
    total = matching(page)
    page.get_by_label("Search", exact=True).fill(rid)
    wait_until(page, lambda: matching(page) != total)
    item = page.locator("#matrix details", has=page.locator(".rid", has_text=rid)).first
    check(item.count() == 1, f"{rid} is in the matrix")
    if item.count() == 1:
        item.locator("summary").click()
        shown_text = item.locator(".rtext").text_content()
        check(shown_text == text, f"{rid}'s text shows as written: {shown_text!r}")
    check(page.locator("img").count() == 0, "no <img> element came from requirement text")
    check(page.locator("script").count() == 2, "no <script> element came from requirement text")
    # Printing opens every detail; the text must still be text.
    page.emulate_media(media="print")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    check(page.locator("img").count() == 0, "no <img> element when printing")
    page.wait_for_timeout(300)
    check(watch.dialogs == [], f"requirement text ran script: dialogs {watch.dialogs}")
    check(watch.errors == [], f"console errors: {watch.errors}")
    check(watch.requests == [url], f"requests other than the report: {[r for r in watch.requests if r != url]}")
    page.close()


def measure(browser, report):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    watch = Watch(page)
    url = Path(report).resolve().as_uri()
    started = time.perf_counter()
    page.goto(url)
    page.wait_for_selector("html[data-ready]")
    wall = (time.perf_counter() - started) * 1000
    nav = page.evaluate(
        "(() => { const n = performance.getEntriesByType('navigation')[0];"
        " return { dom: n.domContentLoadedEventEnd, load: n.loadEventEnd }; })()"
    )
    ready = int(page.get_attribute("html", "data-ready"))
    total = matching(page)

    def timed(action):
        t = time.perf_counter()
        action()
        return round((time.perf_counter() - t) * 1000)

    def text_filter():
        page.get_by_label("Search", exact=True).fill("uncovered")
        page.keyboard.press("Enter")
        wait_until(page, lambda: matching(page) != total)

    first_market = page.eval_on_selector("#f-market option:nth-child(2)", "o => o.value")

    def market_filter():
        page.get_by_label("Search", exact=True).fill("")
        page.get_by_label("Market", exact=True).select_option(first_market)
        page.wait_for_selector("#matrix tbody tr")

    result = {
        "report": str(report),
        "bytes": Path(report).stat().st_size,
        "clauses": total,
        "ready_ms": ready,
        "dom_content_loaded_ms": round(nav["dom"]),
        "load_event_ms": round(nav["load"]),
        "goto_to_ready_wall_ms": round(wall),
        "text_filter_ms": timed(text_filter),
        "market_filter_ms": timed(market_filter),
        "rows_in_dom": page.locator("#matrix tbody tr").count(),
        "console_errors": watch.errors,
    }
    print(json.dumps(result, indent=2))
    check(watch.errors == [], f"console errors: {watch.errors}")
    page.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("check")
    c.add_argument("--report", required=True)
    c.add_argument("--json", required=True)
    c.add_argument("--hostile", required=True)
    c.add_argument("--hostile-id", required=True)
    c.add_argument("--hostile-text", required=True)
    c.add_argument("--screenshot", required=True)
    m = sub.add_parser("measure")
    m.add_argument("--report", required=True)
    args = parser.parse_args()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            if args.command == "check":
                data = json.loads(Path(args.json).read_text(encoding="utf-8"))
                check_example(browser, args.report, data, args.screenshot)
                check_hostile(browser, args.hostile, args.hostile_id, args.hostile_text)
            else:
                measure(browser, args.report)
        finally:
            browser.close()
    if failures:
        print("\n".join(f"FAIL {f}" for f in failures), file=sys.stderr)
        return 1
    print("all browser checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
