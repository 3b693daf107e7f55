//! What a homologation team hands over and what a terminal or CI sees, end to end with the
//! real binary: report provenance and the authority audience, printing (headless Chromium,
//! LibreOffice), the dossier and its SHA256SUMS (`sha256sum -c`), SARIF against the SARIF
//! 2.1.0 schema, shell completions in bash, the man page, colour, width and control
//! characters from data.
//!
//! Tests needing a tool print a SKIPPED notice and pass without it, except under CI.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command as Process;

use common::{EXAMPLE, Run, avtrace, avtrace_with, path_str, root, run};

const STAMP: &str = "2027-01-15T09:00:00Z";
const SHOWN_STAMP: &str = "2027-01-15 09:00 UTC";

fn ok(args: &[&str]) -> Run {
    let r = avtrace_with(args);
    assert_eq!(r.code, 0, "avtrace {}: {}", args.join(" "), r.stderr);
    r
}

fn artefacts() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("avtrace-handover");
    std::fs::create_dir_all(&dir).expect("artefact folder");
    dir
}

#[test]
fn reports_carry_their_provenance_and_say_n_a_where_nothing_is_obliged() {
    // An absolute program path must not reach the page: it is shown relative to the folder.
    let absolute = root().join(EXAMPLE);
    let html = ok(&["report", "--program", path_str(&absolute), "--timestamp", STAMP]).stdout;
    for fact in [
        SHOWN_STAMP,
        concat!("avtrace ", env!("CARGO_PKG_VERSION")),
        "Catalog version",
        "Catalog fingerprint",
        "SHA-256 ",
        "<dd>B.2</dd>",
        "<dd>examples/l3-highway-pilot/program.toml</dd>",
    ] {
        assert!(html.contains(fact), "the report lacks {fact}");
    }
    assert!(!html.contains(path_str(&root())), "the report names the absolute path");
    // A market that obliges nothing (Singapore, for a program without automated driving):
    // n/a, as the terminal says, not 100%.
    let dir = tempfile::tempdir().expect("temp dir");
    let nothing = dir.path().join("nothing-obliged.toml");
    std::fs::write(
        &nothing,
        "[program]\nname = \"Nothing obliged\"\ncategories = [\"M1\"]\n\
         markets = [{ id = \"SG\", sop = \"2027-01-01\" }]\n\n[[requirements]]\nid = \"R-1\"\ntitle = \"t\"\n",
    )
    .expect("written");
    let terminal = ok(&["trace", "--program", path_str(&nothing)]).stdout;
    assert!(terminal.lines().any(|l| l.starts_with("SG") && l.contains("n/a")), "{terminal}");
    let html = ok(&["report", "--program", path_str(&nothing), "--timestamp", STAMP]).stdout;
    let sg = html.split("<th scope=\"row\">SG").nth(1).expect("an SG row");
    let sg_row = &sg[..sg.find("</tr>").expect("row end")];
    assert!(sg_row.contains("n/a") && !sg_row.contains("100.0%"), "{sg_row}");
    // Coverage is shown with the instruments it cannot count.
    let html = ok(&["report", "--program", EXAMPLE, "--market", "EU", "--timestamp", STAMP]).stdout;
    assert!(html.contains("not counted: UN-R10, UN-R160, EU-2021-1341"), "unmodelled instruments beside the coverage");
    // The version of the catalog is the one `--version` names.
    let version = ok(&["--version"]).stdout;
    let catalog_version =
        version.split("built-in catalog ").nth(1).and_then(|v| v.split(' ').next()).expect("catalog version");
    assert!(html.contains(catalog_version), "report and --version disagree on {catalog_version}");
}

#[test]
fn output_is_byte_deterministic_for_the_same_inputs_and_timestamp() {
    let dir = tempfile::tempdir().unwrap();
    let render = |name: &str, extra: &[&str], epoch: &str| {
        let out = dir.path().join(name);
        let mut args = vec![if name.starts_with("report") { "report" } else { "matrix" }, "--program", EXAMPLE, "-o"];
        args.push(path_str(&out));
        args.extend(extra);
        let r = run(avtrace().env("SOURCE_DATE_EPOCH", epoch).args(&args));
        assert_eq!(r.code, 0, "{}", r.stderr);
        std::fs::read(&out).unwrap()
    };
    for (a, b, extra) in [
        ("report-a.html", "report-b.html", &[][..]),
        ("report-c.html", "report-d.html", &["--audience", "authority"][..]),
        ("m-a.xlsx", "m-b.xlsx", &[][..]),
        ("m-a.html", "m-b.html", &[][..]),
    ] {
        assert!(render(a, extra, "1800000000") == render(b, extra, "1800000000"), "{a} differs between runs");
    }
    let later = render("report-e.html", &[], "1800086400");
    assert!(later != render("report-f.html", &[], "1800000000"), "the date is on the page");
    assert!(String::from_utf8(later).unwrap().contains("2027-01-16 08:00 UTC"));
    let r = avtrace_with(["report", "--program", EXAMPLE, "--timestamp", "yesterday"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--timestamp `yesterday`: expected now, @SECONDS, YYYY-MM-DD"), "{}", r.stderr);
}

#[test]
fn the_engineer_report_keeps_its_notes_and_the_authority_report_drops_them() {
    let engineer = ok(&["report", "--program", EXAMPLE, "--timestamp", STAMP]).stdout;
    assert!(engineer.contains("avtrace gaps --program") && engineer.contains("avtrace show"));
    let authority = ok(&["report", "--program", EXAMPLE, "--audience", "authority", "--timestamp", STAMP]).stdout;
    assert!(!authority.contains("<script"), "no script");
    for banned in ["avtrace show", "avtrace gaps", "avtrace matrix", "Analyst", "Rationale", "source:"] {
        assert!(!authority.contains(banned), "the authority report shows {banned}");
    }
    for wanted in
        ["Prepared by", "Reviewed by", "Approved by", "Signature", "Evidence", "Verification", "Met by equivalence"]
    {
        assert!(authority.contains(wanted), "the authority report lacks {wanted}");
    }
    // Each obligation with its requirement, evidence and verification: CS-001's review passed.
    assert!(authority.contains("<span class=\"rid\">AUD-CSMS-2026-01</span>"), "evidence listed");
    assert!(authority.contains("Verified (passed)"));
    // The matrix's HTML for an authority is the same static page.
    let matrix =
        ok(&["matrix", "--program", EXAMPLE, "--format", "html", "--audience", "authority", "--timestamp", STAMP]);
    assert_eq!(matrix.stdout, authority);
}

#[test]
fn the_report_prints_on_a4_landscape_pages_at_forty_obligations_a_page_headed_and_reflows_on_a_phone() {
    let Some(python_bin) = common::venv_python(&["playwright"], true) else { return };
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name);
    ok(&["report", "--program", EXAMPLE, "-o", path_str(&p("r.html")), "--timestamp", STAMP]);
    ok(&["matrix", "--program", EXAMPLE, "-o", path_str(&p("r.json"))]);
    let eu = ["--program", EXAMPLE, "--market", "EU", "--timestamp", STAMP];
    ok(&[&["report", "--audience", "authority", "-o", path_str(&p("a.html"))][..], &eu[..]].concat());
    ok(&["matrix", "--program", EXAMPLE, "--market", "EU", "-o", path_str(&p("a.json"))]);
    let (pdf, shot) = (artefacts().join("report.pdf"), artefacts().join("report-390px.png"));
    // The pages grow with what must be listed: at least forty obligations to a printed page.
    let matrix: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(p("r.json")).unwrap()).unwrap();
    let obligations: u64 =
        matrix["markets"].as_array().unwrap().iter().map(|m| m["obligations"].as_u64().unwrap()).sum();
    let max_pages = obligations.div_ceil(40).to_string();
    common::python_ok(
        &python_bin,
        &[
            "tests/browser/print_check.py",
            "--report",
            path_str(&p("r.html")),
            "--json",
            path_str(&p("r.json")),
            "--authority",
            path_str(&p("a.html")),
            "--authority-json",
            path_str(&p("a.json")),
            "--max-pages",
            &max_pages,
            "--pdf",
            path_str(&pdf),
            "--mobile-screenshot",
            path_str(&shot),
        ],
    );
    assert!(std::fs::metadata(&shot).is_ok_and(|m| m.len() > 0), "screenshot saved");
}

/// A copy of the example in `dir` whose first cybersecurity requirement with clauses
/// satisfies nothing: an older baseline, or a regression, depending on the side it stands on.
fn baseline_program(dir: &Path) -> PathBuf {
    common::copy_dir(&root().join("examples/l3-highway-pilot"), dir);
    let file = dir.join("requirements/cybersecurity.toml");
    let text = std::fs::read_to_string(&file).expect("the example's cybersecurity requirements");
    let first = text.find("satisfies = [\"").expect("a satisfies line with clauses");
    let end = first + text[first..].find(']').expect("the list ends");
    std::fs::write(&file, format!("{}satisfies = []{}", &text[..first], &text[end + 1..])).expect("write the copy");
    dir.join("program.toml")
}

/// The page count of a PDF: its `/Type /Page` objects.
fn pdf_pages(pdf: &[u8]) -> usize {
    let text = String::from_utf8_lossy(pdf);
    text.match_indices("/Type")
        .filter(|(i, _)| {
            let rest = text[i + 5..].trim_start();
            rest.starts_with("/Page") && !rest.starts_with("/Pages")
        })
        .count()
}

#[test]
fn the_xlsx_matrix_is_set_up_to_print_and_libreoffice_prints_it_on_few_pages() {
    let dir = tempfile::tempdir().unwrap();
    let xlsx = dir.path().join("matrix.xlsx");
    ok(&["matrix", "--program", EXAMPLE, "-o", path_str(&xlsx), "--timestamp", STAMP]);
    if let Some(python_bin) = common::venv_python(&["openpyxl"], false) {
        common::python_ok(&python_bin, &["tests/browser/readback.py", "print", path_str(&xlsx), SHOWN_STAMP]);
    }
    let Some(soffice) = common::soffice() else { return };
    let profile = dir.path().join("lo-profile");
    let out = Process::new(&soffice)
        .current_dir(dir.path())
        .env("HOME", dir.path())
        .arg(format!("-env:UserInstallation=file://{}", profile.display()))
        .args(["--headless", "--norestore", "--convert-to", "pdf", "--outdir", path_str(dir.path()), path_str(&xlsx)])
        .output()
        .expect("soffice runs");
    let pdf = std::fs::read(dir.path().join("matrix.pdf"))
        .unwrap_or_else(|_| panic!("LibreOffice wrote no PDF: {}", String::from_utf8_lossy(&out.stderr)));
    let pages = pdf_pages(&pdf);
    std::fs::write(artefacts().join("matrix-libreoffice.pdf"), &pdf).expect("keep the PDF");
    // Nine sheets (summary, six markets, clauses, requirements) one page wide: 16 pages in
    // LibreOffice 7 and 24 (99 before the page setup).
    assert!((9..=24).contains(&pages), "LibreOffice printed the example's matrix on {pages} pages");
}

#[test]
fn the_dossier_holds_the_hand_over_package_and_sha256sum_accepts_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("dossier EU");
    let baseline = baseline_program(dir.path());
    let r = ok(&[
        "dossier",
        "--program",
        EXAMPLE,
        "--market",
        "EU",
        "-o",
        path_str(&out),
        "--baseline",
        path_str(&baseline),
        "--results",
        "examples/l3-highway-pilot/results/ci-2026-11.xml",
        "--timestamp",
        STAMP,
    ]);
    assert!(r.stderr.contains("sha256sum -c SHA256SUMS"), "{}", r.stderr);
    for file in [
        "report-eu.html",
        "matrix-eu.xlsx",
        "export-eu.reqif",
        "evidence-index.csv",
        "changes.txt",
        "SHA256SUMS",
        "inputs/examples/l3-highway-pilot/program.toml",
        "inputs/examples/l3-highway-pilot/requirements/cybersecurity.toml",
        "inputs/examples/l3-highway-pilot/results/ci-2026-11.xml",
    ] {
        assert!(out.join(file).is_file(), "{file} missing");
    }
    let sums = std::fs::read_to_string(out.join("SHA256SUMS")).unwrap();
    // Five outputs, the program's seven files, its JUnit results and the baseline.
    assert_eq!(sums.lines().count(), 14, "{sums}");
    let report = std::fs::read_to_string(out.join("report-eu.html")).unwrap();
    assert!(report.contains("Prepared by") && !report.contains("<script"), "the authority report");
    assert!(std::fs::read_to_string(out.join("export-eu.reqif")).unwrap().contains("2027-01-15T09:00:00Z"));
    let changes = std::fs::read_to_string(out.join("changes.txt")).unwrap();
    assert!(changes.starts_with("Changes from ") && changes.contains("EU: coverage 50.9% -> 51.6%"), "{changes}");
    let copied = out.join("inputs").join(baseline.strip_prefix("/").unwrap_or(&baseline));
    assert!(copied.is_file(), "the baseline is among the inputs");
    let index = std::fs::read_to_string(out.join("evidence-index.csv")).unwrap();
    assert!(index.starts_with("evidence,kind,title,uri,result,requirements,obligations\n"), "{index}");
    assert!(index.contains("AUD-CSMS-2026-01,review,"), "{index}");

    let check =
        |folder: &Path| Process::new("sha256sum").current_dir(folder).args(["-c", "--strict", "SHA256SUMS"]).output();
    let Ok(passed) = check(&out) else {
        common::missing("sha256sum", "apt-get install -y coreutils");
        return;
    };
    assert!(
        passed.status.success(),
        "{}{}",
        String::from_utf8_lossy(&passed.stdout),
        String::from_utf8_lossy(&passed.stderr)
    );
    std::fs::write(out.join("changes.txt"), "tampered\n").unwrap();
    assert!(!check(&out).unwrap().status.success(), "a changed file fails the check");

    let r = avtrace_with(["dossier", "--program", EXAMPLE, "--market", "EU", "--market", "UK", "-o", path_str(&out)]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("a dossier is for one market"), "{}", r.stderr);
}

#[test]
fn a_dossier_that_cannot_be_written_whole_names_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("dossier");
    // The matrix's name is taken by a folder, which avtrace never writes over; the other
    // files are complete by then and must not appear either.
    std::fs::create_dir_all(out.join("matrix-eu.xlsx")).unwrap();
    let r = avtrace_with(["dossier", "--program", EXAMPLE, "--market", "EU", "-o", path_str(&out)]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("matrix-eu.xlsx") && r.stderr.contains("nothing was written"), "{}", r.stderr);
    let mut left: Vec<String> =
        std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    left.sort();
    assert_eq!(left, ["matrix-eu.xlsx"], "a failed dossier left files behind");
}

#[test]
fn sarif_validates_against_the_sarif_2_1_0_schema_and_points_at_program_lines() {
    let dir = tempfile::tempdir().unwrap();
    let program = dir.path().join("broken.toml");
    std::fs::write(
        &program,
        "[program]\nname = \"P\"\nmarkets = [{ id = \"EU\", sop = \"2027-03-01\" }]\n\n[[requirements]]\nid = \"R-1\"\ntitle = \"t\"\n\
         satisfies = [\"UN-R155:7.2.2.2\", \"UN-R155:99.9\"]\n",
    )
    .unwrap();
    let check = avtrace_with(["check", "--program", path_str(&program), "--format", "sarif"]);
    assert_eq!(check.code, 1, "{}", check.stderr);
    let log = common::json(&check.stdout);
    let result = &log["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "dangling-reference");
    assert_eq!(result["level"], "error");
    assert_eq!(result["locations"][0]["physicalLocation"]["region"]["startLine"], 8);
    // Outside the working folder a file is named by an absolute `file://` URI.
    let uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str().unwrap();
    assert!(uri.starts_with("file:///") && uri.ends_with("/broken.toml"), "{uri}");
    let gaps = ok(&["gaps", "--program", EXAMPLE, "--format", "sarif"]);
    let log = common::json(&gaps.stdout);
    let results = log["runs"][0]["results"].as_array().unwrap();
    let partial = results.iter().find(|r| r["ruleId"] == "partial-obligation").expect("a partial gap");
    let uri = partial["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str().unwrap();
    assert!(uri.starts_with("examples/l3-highway-pilot/"), "{uri}");
    let r = avtrace_with(["trace", "--program", EXAMPLE, "--format", "sarif"]);
    assert_eq!(r.code, 2, "sarif is for gaps and check");

    let Some(python_bin) = common::venv_python(&["jsonschema"], false) else { return };
    let (check_log, gaps_log, bad_log) =
        (dir.path().join("check.sarif"), dir.path().join("gaps.sarif"), dir.path().join("bad.sarif"));
    std::fs::write(&check_log, &check.stdout).unwrap();
    std::fs::write(&gaps_log, &gaps.stdout).unwrap();
    common::python_ok(
        &python_bin,
        &["tests/schema/sarif/validate_sarif.py", path_str(&check_log), path_str(&gaps_log)],
    );
    // The validator can fail: a level SARIF does not know is refused.
    std::fs::write(&bad_log, gaps.stdout.replacen("\"warning\"", "\"fatal\"", 1)).unwrap();
    let out = common::python_output(&python_bin, &["tests/schema/sarif/validate_sarif.py", path_str(&bad_log)]);
    assert!(!out.status.success(), "a broken log passed the schema");
}

#[test]
fn completions_load_in_bash_and_the_man_page_names_every_command() {
    let script = ok(&["completions", "bash"]).stdout;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("avtrace.bash");
    std::fs::write(&file, &script).unwrap();
    match Process::new("bash")
        .args(["--norc", "-c", &format!("source '{}' && complete -p avtrace", file.display())])
        .output()
    {
        Ok(out) => {
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            assert!(String::from_utf8_lossy(&out.stdout).contains("avtrace"), "a completion for avtrace");
        }
        Err(_) => {
            common::missing("bash", "apt-get install -y bash");
        }
    }
    for shell in ["zsh", "fish"] {
        assert!(ok(&["completions", shell]).stdout.contains("dossier"));
    }
    let man = ok(&["man"]).stdout;
    assert!(man.starts_with(".ie") || man.contains(".TH avtrace"), "roff");
    for command in ["check", "trace", "gaps", "report", "dossier", "completions"] {
        assert!(man.contains(command), "the man page lacks {command}");
    }
}

#[test]
fn version_names_the_catalog() {
    let v = ok(&["--version"]).stdout;
    assert!(v.starts_with(concat!("avtrace ", env!("CARGO_PKG_VERSION"), "\nbuilt-in catalog ")), "{v}");
    assert!(v.contains("instruments") && v.contains("SHA-256 "), "{v}");
    // The built-in files' digests are taken from the build; the same files read from
    // `standards/` are hashed at run time. Both name the same catalog.
    let fingerprint = |args: &[&str]| {
        let html = ok(args).stdout;
        let at = html.find("SHA-256 ").expect("a fingerprint") + "SHA-256 ".len();
        html[at..at + 64].to_owned()
    };
    let built_in = fingerprint(&["report", "--program", EXAMPLE, "--timestamp", STAMP]);
    assert!(built_in.bytes().all(|b| b.is_ascii_hexdigit()) && v.contains(&built_in), "{built_in} in {v}");
    assert_eq!(
        built_in,
        fingerprint(&["--standards", "standards", "report", "--program", EXAMPLE, "--timestamp", STAMP])
    );
}

#[test]
fn diff_fails_on_a_coverage_regression_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let new = baseline_program(dir.path());
    let same = avtrace_with(["diff", EXAMPLE, EXAMPLE, "--fail-on-regression"]);
    assert_eq!(same.code, 0, "{}", same.stderr);
    let worse = avtrace_with(["diff", EXAMPLE, path_str(&new), "--fail-on-regression"]);
    assert_eq!(worse.code, 1, "{}{}", worse.stdout, worse.stderr);
    assert!(worse.stderr.contains("regression") && worse.stderr.contains("-> uncovered"), "{}", worse.stderr);
    let better = avtrace_with(["diff", path_str(&new), EXAMPLE, "--fail-on-regression"]);
    assert_eq!(better.code, 0, "an improvement is no regression: {}", better.stderr);
    assert_eq!(avtrace_with(["diff", path_str(&new), EXAMPLE]).code, 0, "without the flag");
}

#[test]
fn piped_tables_are_whole_and_colour_follows_color_and_no_color() {
    let markets = ok(&["markets"]).stdout;
    assert!(markets.contains("with software-update") && !markets.contains('…'), "{markets}");
    let gaps = |extra: &[&str], no_color: bool| {
        let mut cmd = avtrace();
        cmd.args(["gaps", "--program", EXAMPLE, "--market", "KR"]).args(extra);
        if no_color {
            cmd.env("NO_COLOR", "1");
        } else {
            cmd.env_remove("NO_COLOR");
        }
        run(&mut cmd).stdout
    };
    assert!(!gaps(&[], false).contains('\x1b'), "no colour in a pipe");
    assert!(gaps(&["--color", "always"], true).contains("\x1b[31muncovered\x1b[0m"), "--color always wins");
    assert!(!gaps(&["--color", "never"], false).contains('\x1b'));
    assert!(ok(&["markets", "--wide"]).stdout == markets, "--wide in a pipe changes nothing");
}

#[test]
fn control_characters_from_data_never_reach_the_terminal_raw() {
    let dir = tempfile::tempdir().unwrap();
    // A program name that would copy to the clipboard (OSC 52), retitle the window and clear
    // the screen, and a requirement title with a C1 control.
    let program = dir.path().join("p.toml");
    std::fs::write(
        &program,
        "[program]\nname = \"P\\u001b]52;c;ZXZpbA==\\u0007\\u001b]0;owned\\u0007\\u001b[2J\"\nmarkets = [{ id = \"EU\", sop = \"2027-03-01\" }]\n\n\
         [[requirements]]\nid = \"R-1\"\ntitle = \"t\\u009b31m\"\nsatisfies = [\"UN-R155:7.2.2.2\"]\n",
    )
    .unwrap();
    for args in [&["trace"][..], &["gaps"][..], &["check", "--deny-warnings"][..]] {
        let mut all = args.to_vec();
        all.extend(["--program", path_str(&program), "--color", "always"]);
        let r = avtrace_with(&all);
        let raw = |s: &str| s.replace("\x1b[", "").contains(['\x1b', '\x07', '\u{9b}']);
        // Our own colour codes start `ESC [`; no other escape may come through.
        assert!(!raw(&r.stdout) && !r.stdout.contains("\x1b[2J"), "{}: {:?}", args[0], r.stdout);
        assert!(!raw(&r.stderr), "{}: {:?}", args[0], r.stderr);
        if args[0] == "trace" {
            assert!(r.stdout.contains("P\\x1b]52;c;ZXZpbA==\\x07"), "shown as text: {}", r.stdout);
        }
    }
    // A quoted source line holding a raw escape, in a diagnostic.
    std::fs::write(&program, "[program]\nname = \"P\"\x1b]0;owned\x07\n").unwrap();
    let r = avtrace_with(["check", "--program", path_str(&program)]);
    assert_eq!(r.code, 1);
    assert!(!r.stderr.contains('\x1b') && r.stderr.contains("\\x1b]0;owned\\x07"), "{:?}", r.stderr);
    // `show`'s error message repeats what was asked.
    let r = avtrace_with(["show", "UN-R155:\x1b[2J\x1b]52;c;eA==\x07"]);
    assert_eq!(r.code, 2);
    assert!(!r.stderr.contains('\x1b') && r.stderr.contains("\\x1b[2J"), "{:?}", r.stderr);
}
