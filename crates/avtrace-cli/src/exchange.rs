//! `export reqif` and `import reqif`: file handling around `avtrace-exchange`.

use std::io::{Read as _, Seek as _, Write as _};
use std::path::Path;

use avtrace_exchange::ExportNames;
use avtrace_reqif::{Field, ImportOptions};

use crate::args::{Cli, ExportReqifArgs, ImportReqifArgs};
use crate::input::Inputs;
use crate::{Failure, output, traced};

/// Writes the program, its touched clauses and the trace links as ReqIF.
pub(crate) fn export_reqif(cli: &Cli, inputs: &mut Inputs, args: &ExportReqifArgs) -> Result<(), Failure> {
    let zipped = match args.output.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("reqif") => false,
        Some("reqifz") => true,
        _ => {
            return Err(Failure::input(format!("{}: the output must end in .reqif or .reqifz", args.output.display())));
        }
    };
    let quiet = cli.quiet;
    let explicit = args.timestamp.clone();
    let report = traced(cli, inputs, &args.select, |view, graph| {
        let creation_time = creation_time(explicit.as_deref(), view.catalog)?;
        let document = avtrace_exchange::reqif_export(view.catalog, graph, view.program, view.trace, &creation_time);
        let mut report = None;
        let missing = avtrace_exchange::not_exported(view.program);
        output::write_atomically_with(&args.output, |file| {
            let written = if zipped {
                document.write_reqifz_to(file, "avtrace.reqif").map(|(_, r)| r)
            } else {
                // The writer buffers internally and flushes on finish.
                document.write_to(file).map(|(_, r)| r)
            };
            report = Some(written.map_err(|e| e.to_string())?);
            Ok(())
        })?;
        Ok::<_, Failure>(report.map(|r| (r, missing)))
    })??;
    if let Some((report, missing)) = report {
        let mut stderr = std::io::stderr().lock();
        if !quiet {
            for warning in &report.warnings {
                let _ = writeln!(stderr, "warning: {warning}");
            }
            if !missing.is_empty() {
                let _ = writeln!(stderr, "warning: not in the ReqIF file: {}", missing.join("; "));
            }
        }
        let _ = writeln!(
            stderr,
            "wrote {}: {} spec objects, {} spec relations, {} specifications",
            args.output.display(),
            report.spec_objects,
            report.spec_relations,
            report.specifications
        );
    }
    Ok(())
}

/// The `CREATION-TIME` to write: as asked, else `SOURCE_DATE_EPOCH` (the reproducible-builds
/// convention), else the catalog's latest publication date, never the clock unless asked.
fn creation_time(explicit: Option<&str>, catalog: &avtrace_model::Catalog) -> Result<String, Failure> {
    match explicit {
        Some("now") => {
            let secs = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_err(|_| Failure::input("the system clock is before 1970"))?
                .as_secs();
            Ok(format_epoch(secs))
        }
        Some(time) => Ok(time.to_owned()),
        None => {
            if let Ok(epoch) = std::env::var("SOURCE_DATE_EPOCH") {
                let secs: u64 = epoch
                    .trim()
                    .parse()
                    .map_err(|_| Failure::input(format!("SOURCE_DATE_EPOCH `{epoch}` is not a number of seconds")))?;
                return Ok(format_epoch(secs));
            }
            let latest = catalog.instruments.iter().filter_map(|i| i.published).max();
            Ok(latest.map_or_else(|| "1970-01-01T00:00:00Z".to_owned(), |d| format!("{d}T00:00:00Z")))
        }
    }
}

/// Seconds since 1970 as `YYYY-MM-DDThh:mm:ssZ` (proleptic Gregorian, UTC).
pub(crate) fn format_epoch(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Howard Hinnant's days-to-civil algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", rem / 3_600, rem % 3_600 / 60, rem % 60)
}

/// Reads a ReqIF file into a program file.
pub(crate) fn import_reqif(cli: &Cli, inputs: &mut Inputs, args: &ImportReqifArgs) -> Result<(), Failure> {
    let catalog = inputs.catalog(&cli.catalog)?;
    let mut options = ImportOptions::new().map_attribute(ExportNames::VERIFIED_BY, Field::VerifiedBy);
    for spec in &args.map_attr {
        options = options.with_override(spec).map_err(|e| Failure::input(format!("--map-attr: {e}")))?;
    }
    let doc = import_input(&args.input, &options)?;
    output::protect(&args.input);
    let fallback = args.input.file_stem().map_or_else(|| "Imported program".to_owned(), |s| s.to_string_lossy().into());
    let mut outcome = avtrace_exchange::program_from_reqif(doc, &catalog, &fallback);
    if let Some(name) = &args.name {
        outcome.program.program.name = name.clone();
    }
    let input = args.input.display().to_string();
    let summary = format!(
        "{} requirements ({} headings and {} catalog clauses set aside as structure)",
        outcome.program.requirements.len(),
        outcome.headings,
        outcome.clauses
    );
    let comment = [
        format!("Imported from {input} by avtrace import reqif: {summary}."),
        "Add the program's vehicle categories, features and target markets before tracing, e.g.".to_owned(),
        "  categories = [\"M1\"], features = [\"alks\"], markets = [{ id = \"EU\", sop = \"2027-03-01\" }]".to_owned(),
    ];
    let comment: Vec<&str> = comment.iter().map(String::as_str).collect();
    let text = outcome.program.to_toml(&comment).map_err(|e| Failure::input(e.to_string()))?;

    // What we write must load: a failure here is avtrace's bug, and nothing is written.
    let mut check = avtrace_catalog::Sources::new();
    let file = check.add(args.output.display().to_string(), text.clone());
    let loaded = avtrace_catalog::load_program(&check, file, &catalog);
    if let Some(error) = loaded.diagnostics.iter().find(|d| d.is_error()) {
        return Err(Failure::input(format!(
            "the imported program does not load ({}); nothing written",
            avtrace_catalog::render(&check, error).trim_end()
        )));
    }
    output::write_atomically(&args.output, text.as_bytes())?;
    let mut stderr = std::io::stderr().lock();
    if !cli.quiet {
        for warning in &outcome.warnings {
            let _ = writeln!(stderr, "warning: {warning}");
        }
    }
    let links: usize = outcome.program.requirements.iter().map(|r| r.satisfies.len()).sum();
    let _ = writeln!(stderr, "wrote {}: {summary}, {links} satisfies links", args.output.display());
    Ok(())
}

/// Imports `path`, a `.reqif` or `.reqifz` regular file, or standard input for `-`; the
/// format is recognised from the first bytes (a zip signature). The file is opened here, not
/// by name in the importer, so that a FIFO or a device is refused rather than read.
fn import_input(path: &Path, options: &ImportOptions) -> Result<avtrace_reqif::ImportedDocument, Failure> {
    const ZIP: &[u8; 4] = b"PK\x03\x04";
    let unreadable = |e: avtrace_catalog::ReadError| Failure::input(e.to_string());
    let imported = if avtrace_catalog::is_stdin(path) {
        let bytes = avtrace_catalog::read_input(path).map_err(unreadable)?;
        if bytes.starts_with(ZIP) {
            avtrace_reqif::import_reqifz(std::io::Cursor::new(bytes), "<stdin>", options)
        } else {
            avtrace_reqif::import_reader(bytes.as_slice(), "<stdin>", options)
        }
    } else {
        let name = path.display().to_string();
        let mut file = avtrace_catalog::open_input(path).map_err(unreadable)?;
        let mut magic = Vec::with_capacity(ZIP.len());
        let io = |e: std::io::Error| Failure::input(format!("cannot read {name}: {e}"));
        (&mut file).take(ZIP.len() as u64).read_to_end(&mut magic).map_err(io)?;
        file.rewind().map_err(io)?;
        if magic == ZIP {
            avtrace_reqif::import_reqifz(file, &name, options)
        } else {
            avtrace_reqif::import_reader(std::io::BufReader::with_capacity(1 << 18, file), &name, options)
        }
    };
    imported.map_err(|e| Failure::input(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::format_epoch;

    #[test]
    fn epochs_format_as_xsd_date_times() {
        assert_eq!(format_epoch(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_epoch(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(format_epoch(1_798_761_599), "2026-12-31T23:59:59Z");
    }
}
