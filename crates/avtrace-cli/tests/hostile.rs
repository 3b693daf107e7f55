//! Hostile and odd inputs, each built from a case that once hung, blew up memory, clobbered a
//! file or passed in silence: FIFOs and devices as inputs, symbolic link loops in a catalog
//! folder, `-o` onto links, FIFOs and inputs, `kill -9` and the file-size limit during a
//! write, contradicting mappings across files, messages without a place, lookalike ids.
#![cfg(unix)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use common::{avtrace, copy_dir, path_str, root, run};

const MINI: &str = "tests/fixtures/programs/mini.toml";
/// A run that blocked on a FIFO before the fix would hit this.
const PATIENCE: Duration = Duration::from_secs(20);

fn mini() -> Command {
    let mut cmd = avtrace();
    cmd.args(["--standards", "tests/fixtures/mini-catalog"]).timeout(PATIENCE);
    cmd
}

/// `copy_dir` into a folder it makes first.
fn copy_into(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    copy_dir(from, to);
}

/// A copy of the mini catalog in `catalog/` of a new temporary folder.
fn mini_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let catalog = dir.path().join("catalog");
    copy_into(&root().join("tests/fixtures/mini-catalog"), &catalog);
    (dir, catalog)
}

fn mkfifo(path: &Path) {
    let ok = std::process::Command::new("mkfifo").arg(path).status().expect("mkfifo runs").success();
    assert!(ok, "mkfifo {}", path.display());
}

/// The names in `dir`, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("folder readable")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_fifo_as_program_catalog_file_include_or_reqif_input_is_refused_not_waited_on() {
    let dir = tempfile::tempdir().expect("temp dir");
    let fifo = dir.path().join("program.toml");
    mkfifo(&fifo);
    let r = run(mini().args(["check", "--program", path_str(&fifo)]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("program.toml is a FIFO (named pipe), not a regular file"), "{}", r.stderr);

    let catalog = dir.path().join("catalog");
    copy_into(&root().join("tests/fixtures/mini-catalog"), &catalog);
    mkfifo(&catalog.join("instruments/pipe.toml"));
    let r = run(avtrace().timeout(PATIENCE).args(["--standards", path_str(&catalog), "markets"]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("pipe.toml is a FIFO (named pipe)"), "{}", r.stderr);

    let program = dir.path().join("main.toml");
    let main = std::fs::read_to_string(root().join(MINI))
        .expect("fixture")
        .replace("[program]\n", "[program]\ninclude = [\"parts/*.toml\"]\n");
    std::fs::write(&program, main).expect("write");
    std::fs::create_dir(dir.path().join("parts")).expect("mkdir");
    mkfifo(&dir.path().join("parts/more.toml"));
    let r = run(mini().args(["check", "--program", path_str(&program)]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("more.toml is a FIFO (named pipe)"), "{}", r.stderr);
    let line = 1 + std::fs::read_to_string(&program)
        .expect("read")
        .lines()
        .position(|l| l.starts_with("include"))
        .expect("include");
    assert!(r.stderr.contains(&format!("main.toml:{line}:12")), "the error is at the include pattern: {}", r.stderr);

    let reqif = dir.path().join("in.reqif");
    mkfifo(&reqif);
    let out = dir.path().join("out.toml");
    let r = run(avtrace().timeout(PATIENCE).args(["import", "reqif", path_str(&reqif), "-o", path_str(&out)]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("in.reqif is a FIFO (named pipe), not a regular file"), "{}", r.stderr);
    assert!(!out.exists());
}

#[test]
fn devices_are_refused_and_standard_input_is_read_to_the_limit_only() {
    for device in ["/dev/zero", "/dev/urandom"] {
        let started = Instant::now();
        let r = run(mini().args(["check", "--program", device]));
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(r.stderr.contains(&format!("{device} is a character device, not a regular file")), "{}", r.stderr);
        assert!(started.elapsed() < Duration::from_secs(5));
    }
    let zero = std::fs::File::open("/dev/zero").expect("/dev/zero opens");
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin!("avtrace"))
        .current_dir(root())
        .args(["--standards", "tests/fixtures/mini-catalog", "check", "--program", "-"])
        .stdin(Stdio::from(zero))
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("standard input is larger than 512 MiB, the limit for one input file"), "{stderr}");

    // `-` is standard input when it is what was asked for.
    let text = std::fs::read(root().join(MINI)).expect("fixture");
    let r = run(mini().args(["check", "--program", "-"]).write_stdin(text));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("program: Mini program: 3 requirements"), "{}", r.stdout);
}

#[test]
fn a_catalog_folder_linking_back_to_itself_is_an_error_not_an_endless_walk() {
    let (dir, catalog) = mini_copy();
    std::os::unix::fs::symlink(".", catalog.join("instruments/self")).expect("symlink");
    std::os::unix::fs::symlink("..", catalog.join("markets/up")).expect("symlink");
    let r = run(avtrace().timeout(PATIENCE).args(["--standards", path_str(&catalog), "markets"]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("instruments/self leads to a folder already read as")
            && r.stderr.contains("symbolic link loop"),
        "{}",
        r.stderr
    );

    // A link to a folder outside is followed once, like any folder.
    let outside = dir.path().join("outside");
    copy_into(&root().join("tests/fixtures/mini-catalog/markets"), &outside);
    let plain = dir.path().join("plain");
    copy_into(&root().join("tests/fixtures/mini-catalog"), &plain);
    std::fs::remove_dir_all(plain.join("markets")).expect("rm");
    std::os::unix::fs::symlink(&outside, plain.join("markets")).expect("symlink");
    let r = run(avtrace().timeout(PATIENCE).args(["--standards", path_str(&plain), "markets"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("TM") && r.stdout.contains("TN"), "{}", r.stdout);
}

#[test]
fn an_include_glob_through_links_back_to_its_folder_ends_and_reads_each_file_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let main = std::fs::read_to_string(root().join(MINI))
        .expect("fixture")
        .replace("[program]\n", "[program]\ninclude = [\"parts/**/*.toml\"]\n");
    std::fs::write(dir.path().join("main.toml"), main).expect("write");
    std::fs::create_dir(dir.path().join("parts")).expect("mkdir");
    std::fs::write(
        dir.path().join("parts/more.toml"),
        "[[requirements]]\nid = \"R-9\"\ntitle = \"More\"\ntext = \"More.\"\nstatus = \"draft\"\n",
    )
    .expect("write");
    // Two links back: with the glob crate's walk every level doubled the paths to try.
    std::os::unix::fs::symlink(".", dir.path().join("parts/s1")).expect("symlink");
    std::os::unix::fs::symlink(".", dir.path().join("parts/s2")).expect("symlink");
    let r = run(mini().args(["check", "--program", path_str(&dir.path().join("main.toml"))]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("Mini program: 4 requirements"), "{}", r.stdout);
    assert_eq!(r.stderr.matches("warning[include-loop]").count(), 2, "{}", r.stderr);
    assert!(r.stderr.contains("parts/s1 leads to a folder already read as"), "{}", r.stderr);
}

/// A folder with an output `out.txt`, a symbolic link to it, a FIFO and a copy of the mini
/// program with one included file.
struct Outputs {
    dir: tempfile::TempDir,
}

impl Outputs {
    fn new() -> Outputs {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("out.txt"), "before\n").expect("write");
        std::os::unix::fs::symlink("out.txt", dir.path().join("link.txt")).expect("symlink");
        mkfifo(&dir.path().join("fifo"));
        let main = std::fs::read_to_string(root().join(MINI))
            .expect("fixture")
            .replace("[program]\n", "[program]\ninclude = [\"extra.toml\"]\n");
        std::fs::write(dir.path().join("program.toml"), main).expect("write");
        std::fs::write(
            dir.path().join("extra.toml"),
            "[[requirements]]\nid = \"R-9\"\ntitle = \"More\"\ntext = \"More.\"\nstatus = \"draft\"\n",
        )
        .expect("write");
        Outputs { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn trace_to(&self, name: &str) -> common::Run {
        let program = self.path("program.toml");
        run(mini().args(["trace", "--program", path_str(&program), "-o", path_str(&self.path(name))]))
    }
}

#[test]
fn output_is_never_written_through_a_link_onto_a_fifo_or_over_an_input() {
    let o = Outputs::new();
    let before = listing(o.dir.path());
    let program = std::fs::read(o.path("program.toml")).expect("read");
    for (name, said) in [
        ("link.txt", "link.txt is a symbolic link (to out.txt)"),
        ("fifo", "fifo is a FIFO (named pipe)"),
        ("program.toml", "program.toml is an input of this run"),
        ("extra.toml", "extra.toml is an input of this run"),
        (".", "is a folder"),
    ] {
        let r = o.trace_to(name);
        assert_eq!(r.code, 2, "-o {name}: {}", r.stderr);
        assert!(r.stderr.contains(said) && r.stderr.contains("nothing was written"), "-o {name}: {}", r.stderr);
        assert_eq!(listing(o.dir.path()), before, "-o {name} left the folder as it was");
    }
    assert_eq!(std::fs::read_to_string(o.path("out.txt")).expect("read"), "before\n");
    assert_eq!(std::fs::read(o.path("program.toml")).expect("read"), program);
    assert!(std::fs::symlink_metadata(o.path("link.txt")).expect("link").file_type().is_symlink());
    assert!(std::os::unix::fs::FileTypeExt::is_fifo(&std::fs::metadata(o.path("fifo")).expect("fifo").file_type()));

    // A hard link to the program is the program.
    std::fs::hard_link(o.path("program.toml"), o.path("alias.toml")).expect("hard link");
    let r = o.trace_to("alias.toml");
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("alias.toml is an input of this run"), "{}", r.stderr);

    // A regular file is replaced, keeping its permissions; a new path is created.
    std::fs::set_permissions(o.path("out.txt"), std::os::unix::fs::PermissionsExt::from_mode(0o640)).expect("chmod");
    let r = o.trace_to("out.txt");
    assert_eq!(r.code, 0, "{}", r.stderr);
    let written = std::fs::read_to_string(o.path("out.txt")).expect("read");
    assert!(written.contains("Mini program"), "{written}");
    let mode = std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(o.path("out.txt")).expect("m").permissions());
    assert_eq!(mode & 0o777, 0o640);
    let r = o.trace_to("new.txt");
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mode = std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(o.path("new.txt")).expect("m").permissions());
    assert_eq!(mode & 0o777, 0o644);
    assert!(listing(o.dir.path()).iter().all(|n| !n.starts_with(".avtrace-")), "{:?}", listing(o.dir.path()));
}

/// A program large enough that tracing it and writing the JSON takes a while.
fn large_program(dir: &Path, requirements: usize) -> PathBuf {
    let mut text = String::from(
        "[program]\nname = \"Large\"\ncategories = [\"M1\"]\nfeatures = [\"ota-update\"]\n\
         markets = [{ id = \"TM\", sop = \"2025-01-01\" }]\n",
    );
    let clauses = ["TEST-REG:5.1", "TEST-REG:5.2", "TEST-REG:5.3", "TEST-STD:8", "TEST-STD:9.1"];
    for i in 0..requirements {
        text.push_str(&format!(
            "\n[[requirements]]\nid = \"R-{i}\"\ntitle = \"Requirement {i}\"\ntext = \"{}\"\nstatus = \"approved\"\n\
             satisfies = [\"{}\"]\n",
            "words ".repeat(40),
            clauses[i % clauses.len()]
        ));
    }
    let path = dir.join("large.toml");
    std::fs::write(&path, text).expect("write");
    path
}

#[test]
fn kill_9_at_any_moment_of_a_write_leaves_no_temporary_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let program = large_program(dir.path(), 20_000);
    let out = dir.path().join("out").join("trace.json");
    std::fs::create_dir(out.parent().expect("parent")).expect("mkdir");
    let args = ["trace", "--program", path_str(&program), "--format", "json", "-o", path_str(&out)];
    let started = Instant::now();
    let r = run(mini().args(args));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let whole = std::fs::read(&out).expect("written");
    let took = started.elapsed();
    std::fs::remove_file(&out).expect("rm");
    let bin = assert_cmd::cargo::cargo_bin!("avtrace");
    // Kills spread over the whole run, the last ones in its final tenth, where it writes.
    for tenth in [2u32, 5, 8, 9, 9, 9, 10, 10, 10, 10] {
        let mut child = std::process::Command::new(bin)
            .current_dir(root())
            .args(["--standards", "tests/fixtures/mini-catalog"])
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawns");
        std::thread::sleep(took * tenth / 10 - Duration::from_millis(u64::from(tenth)));
        let _ = child.kill();
        let _ = child.wait();
        let left = listing(out.parent().expect("parent"));
        assert!(left.iter().all(|n| n == "trace.json"), "after a kill at {tenth}/10: {left:?}");
        if let Ok(bytes) = std::fs::read(&out) {
            assert_eq!(bytes, whole, "a file that is there is whole");
            std::fs::remove_file(&out).expect("rm");
        }
    }
}

#[test]
fn the_file_size_limit_is_a_reported_error_that_leaves_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("trace.json");
    let bin = assert_cmd::cargo::cargo_bin!("avtrace");
    // ulimit -f counts 1024-byte blocks; the JSON trace of the mini program is larger.
    let script = format!(
        "ulimit -f 1; exec '{}' --standards tests/fixtures/mini-catalog trace --program {MINI} --format json -o '{}'",
        bin.display(),
        out.display()
    );
    let r = run(Command::new("sh").current_dir(root()).args(["-c", &script]).timeout(PATIENCE));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("cannot write") && r.stderr.contains("trace.json"), "{}", r.stderr);
    assert!(listing(dir.path()).is_empty(), "{:?}", listing(dir.path()));
}

#[test]
fn invalid_utf8_is_reported_at_its_line_and_column() {
    let dir = tempfile::tempdir().expect("temp dir");
    let program = dir.path().join("latin1.toml");
    let mut bytes = std::fs::read(root().join(MINI)).expect("fixture");
    let at = bytes.windows(13).position(|w| w == b"Mini program\"").expect("name in fixture");
    bytes[at + 4] = 0xE9; // `Mini\xE9program`: Latin-1 é
    std::fs::write(&program, &bytes).expect("write");
    let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
    let r = run(mini().args(["check", "--program", path_str(&program)]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    let expected = format!("latin1.toml:{line}:13: not UTF-8 text: byte 0xE9");
    assert!(r.stderr.contains(&expected), "expected {expected} in {}", r.stderr);
}

#[test]
fn one_clause_pair_mapped_equal_in_one_file_and_subset_in_another_is_an_error() {
    let (_dir, catalog) = mini_copy();
    std::fs::write(
        catalog.join("mappings/second.toml"),
        "from = \"TEST-STD\"\nto = \"TEST-REG\"\nsource = \"x\"\n\n[[map]]\nfrom = \"8\"\nto = \"5.2\"\nrel = \"superset\"\n",
    )
    .expect("write");
    let r = run(avtrace().args(["--standards", path_str(&catalog), "check"]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("error[conflicting-mapping]: TEST-REG:5.2 is mapped `equal` to TEST-STD:8 here, but `subset` at")
            && r.stderr.contains("second.toml:6:8")
            && r.stderr.contains("test-reg--test-std.toml:8:8"),
        "{}",
        r.stderr
    );
}

#[test]
fn an_extra_edition_of_a_builtin_id_is_one_error_at_the_extra_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("r155.toml"),
        "id = \"UN-R155\"\ntitle = \"A copy\"\nkind = \"regulation\"\nedition = \"99 series\"\nsource = \"mine\"\n\n\
         [[clauses]]\nid = \"1\"\ntitle = \"Scope\"\nkind = \"heading\"\n",
    )
    .expect("write");
    let r = run(avtrace().args(["--standards-extra", path_str(dir.path()), "check", "--format", "json"]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    let doc = common::json(&r.stdout);
    let errors: Vec<&serde_json::Value> =
        doc["diagnostics"].as_array().expect("list").iter().filter(|d| d["severity"] == "error").collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["code"], "ambiguous-edition");
    assert!(errors[0]["file"].as_str().expect("file").ends_with("r155.toml"), "{:?}", errors[0]);
    assert_eq!((errors[0]["line"].as_u64(), errors[0]["column"].as_u64()), (Some(1), Some(6)));
}

#[test]
fn lookalike_ids_are_warned_about_with_their_places() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut text = std::fs::read_to_string(root().join(MINI)).expect("fixture");
    for (i, id) in ["R-\u{421}1", "R\u{2010}1", "R-\u{200B}5", "R-\u{202E}6", "R-\u{FF11}"].iter().enumerate() {
        text.push_str(&format!(
            "\n[[requirements]]\nid = \"{id}\"\ntitle = \"Twin {i}\"\ntext = \"t\"\nstatus = \"draft\"\n"
        ));
    }
    text.push_str("\n[[requirements]]\nid = \"R-C1\"\ntitle = \"Plain\"\ntext = \"t\"\nstatus = \"draft\"\n");
    let program = dir.path().join("program.toml");
    std::fs::write(&program, text).expect("write");
    let r = run(mini().args(["check", "--program", path_str(&program)]));
    assert_eq!(r.code, 0, "warnings only: {}", r.stderr);
    for said in [
        "requirement id `R-\\u{421}1` looks like `R-C1`",
        "requirement id `R\\u{2010}1` looks like `R-1`",
        "requirement id `R-\\u{200B}5` holds an invisible character (U+200B)",
        "requirement id `R-\\u{202E}6` holds an invisible character (U+202E), which reorders",
        "requirement id `R-\\u{FF11}` looks like `R-1`",
    ] {
        assert!(r.stderr.contains(said), "expected {said} in {}", r.stderr);
    }
    assert!(r.stderr.contains("program.toml:"), "{}", r.stderr);
}

#[test]
fn lookalike_clause_ids_in_a_catalog_are_warned_about() {
    let (_dir, catalog) = mini_copy();
    std::fs::write(
        catalog.join("instruments/extra.toml"),
        "id = \"TEST-X\"\ntitle = \"Extra\"\nkind = \"standard\"\nedition = \"1\"\nsource = \"s\"\n\n\
         [[clauses]]\nid = \"1.1\"\ntitle = \"A\"\nkind = \"requirement\"\n\n\
         [[clauses]]\nid = \"1.\u{FF11}\"\ntitle = \"B\"\nkind = \"requirement\"\n",
    )
    .expect("write");
    let r = run(avtrace().args(["--standards", path_str(&catalog), "check"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("warning[confusable-id]: clause id in TEST-X `1.\\u{FF11}` looks like `1.1`"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("extra.toml:13:6"), "{}", r.stderr);
}

#[test]
fn a_reqif_document_or_archive_can_come_from_standard_input() {
    let dir = tempfile::tempdir().expect("temp dir");
    for sample in ["tests/reqif/negative/pos_object.reqif", "tests/reqif/samples/05_polarion_sample.reqifz"] {
        let out = dir.path().join("program.toml");
        let bytes = std::fs::read(root().join(sample)).expect("sample");
        let r = run(mini().args(["import", "reqif", "-", "-o", path_str(&out)]).write_stdin(bytes));
        assert_eq!(r.code, 0, "{sample}: {}", r.stderr);
        assert!(r.stderr.contains("wrote") && out.exists(), "{sample}: {}", r.stderr);
        std::fs::remove_file(&out).expect("rm");
    }
}
