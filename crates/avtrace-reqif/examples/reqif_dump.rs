//! Prints what the importer reads from ReqIF files: a debugging aid.
//!
//! `cargo run -p avtrace-reqif --example reqif_dump -- FILE... [--map ATTR=FIELD]...`

use std::path::Path;
use std::process::ExitCode;

use avtrace_reqif::{ImportOptions, import_path};

fn main() -> ExitCode {
    let mut options = ImportOptions::new();
    let mut files = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--map" {
            let Some(spec) = args.next() else {
                eprintln!("--map needs ATTR=FIELD");
                return ExitCode::from(2);
            };
            options = match options.with_override(&spec) {
                Ok(o) => o,
                Err(e) => {
                    eprintln!("{e}");
                    return ExitCode::from(2);
                }
            };
        } else {
            files.push(arg);
        }
    }
    let mut status = ExitCode::SUCCESS;
    for file in files {
        match import_path(Path::new(&file), &options) {
            Ok(doc) => {
                println!(
                    "# {file}: {} requirements, {} headings, {} relations, {} specifications, {} warnings",
                    doc.requirements.len(),
                    doc.headings.len(),
                    doc.relations.len(),
                    doc.specifications.len(),
                    doc.warnings.len()
                );
                for h in &doc.headings {
                    println!("  heading {:?} path={:?} spec={:?}", h.title, h.chapter_path, h.specification);
                }
                for r in &doc.requirements {
                    println!(
                        "  req {} ({}) type={:?} title={:?} status={:?} path={:?} parent={:?}\n    text={:?}",
                        r.id(),
                        r.identifier,
                        r.object_type,
                        r.title,
                        r.status,
                        r.chapter_path,
                        r.parent,
                        r.text
                    );
                }
                for r in &doc.relations {
                    println!("  rel {} --[{}]--> {}", r.source, r.relation_type, r.target);
                }
                for w in &doc.warnings {
                    println!("  warning: {w}");
                }
            }
            Err(e) => {
                println!("# {file}: ERROR {e}");
                status = ExitCode::FAILURE;
            }
        }
    }
    status
}
