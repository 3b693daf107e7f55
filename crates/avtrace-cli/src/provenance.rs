//! What a report says about where it comes from: when it was made, the catalog's version and
//! fingerprint, and the program file relative to the working folder.

use std::path::{Component, Path, PathBuf};

use avtrace_catalog::Sources;
use avtrace_model::{Catalog, FileIx};
use sha2::{Digest, Sha256};

use crate::Failure;

/// Seconds since 1970 for a `--timestamp`: `now`, seconds since 1970 as `@N`, a date
/// `YYYY-MM-DD`, or a UTC time `YYYY-MM-DDThh:mm[:ss]Z`.
fn parse_timestamp(text: &str) -> Result<u64, String> {
    let text = text.trim();
    if text == "now" {
        return std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .map_err(|_| "the system clock is before 1970".to_owned());
    }
    if let Some(secs) = text.strip_prefix('@') {
        return secs.parse().map_err(|_| format!("`{text}`: write @SECONDS, e.g. @1800000000"));
    }
    let expected = || format!("`{text}`: expected now, @SECONDS, YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ");
    let (date, time) = match text.split_once('T') {
        Some((d, t)) => (d, Some(t.strip_suffix('Z').ok_or_else(expected)?)),
        None => (text, None),
    };
    let date: avtrace_model::Date = date.parse().map_err(|_| expected())?;
    let (h, m, s) = match time {
        None => (0, 0, 0),
        Some(t) => {
            let parts: Vec<u64> = t.split(':').map(str::parse).collect::<Result<_, _>>().map_err(|_| expected())?;
            match parts[..] {
                [h, m] if h < 24 && m < 60 => (h, m, 0),
                [h, m, s] if h < 24 && m < 60 && s < 61 => (h, m, s),
                _ => return Err(expected()),
            }
        }
    };
    let days = days_from_civil(i64::from(date.year()), i64::from(date.month()), i64::from(date.day()));
    let days = u64::try_from(days).map_err(|_| format!("`{text}` is before 1970"))?;
    Ok(days * 86_400 + h * 3_600 + m * 60 + s)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// When a report is made, as it prints it (`2027-01-15 09:00 UTC`): `--timestamp` if given,
/// else `$SOURCE_DATE_EPOCH` (the reproducible-builds convention), else the clock. Output
/// is byte-for-byte the same for the same inputs and timestamp.
pub(crate) fn generated(explicit: Option<&str>) -> Result<String, Failure> {
    let stamp = crate::exchange::format_epoch(epoch(explicit)?);
    // `YYYY-MM-DDThh:mm:ssZ` as a person reads it, to the minute.
    Ok(format!("{} {} UTC", &stamp[..10], &stamp[11..16]))
}

/// Seconds since 1970 of `--timestamp`, else `$SOURCE_DATE_EPOCH`, else the clock.
pub(crate) fn epoch(explicit: Option<&str>) -> Result<u64, Failure> {
    Ok(match explicit {
        Some(text) => parse_timestamp(text).map_err(|e| Failure::input(format!("--timestamp {e}")))?,
        None => match std::env::var("SOURCE_DATE_EPOCH") {
            Ok(epoch) => epoch
                .trim()
                .parse()
                .map_err(|_| Failure::input(format!("SOURCE_DATE_EPOCH `{epoch}` is not a number of seconds")))?,
            Err(_) => parse_timestamp("now").map_err(Failure::input)?,
        },
    })
}

/// The catalog's fingerprint: SHA-256 over the SHA-256 of each of its files' contents, those
/// sorted, so that it names the content alone (not where the folder is, nor read order). A
/// file's digest already known (a built-in file's) is taken as given.
pub(crate) fn catalog_fingerprint(sources: &Sources, files: &[(FileIx, Option<[u8; 32]>)]) -> String {
    let mut digests: Vec<[u8; 32]> = files
        .iter()
        .map(|&(f, known)| known.unwrap_or_else(|| Sha256::digest(sources.file(f).text().as_bytes()).into()))
        .collect();
    digests.sort_unstable();
    let mut all = Sha256::new();
    for d in &digests {
        all.update(d);
    }
    hex(&all.finalize())
}

/// Lower-case hexadecimal.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The catalog's version: the newest publication date of its instruments and the first 12
/// digits of its fingerprint (`2025-06-30+1a2b3c4d5e6f`): any change of content changes it.
pub(crate) fn catalog_version(catalog: &Catalog, fingerprint: &str) -> String {
    let latest = catalog.instruments.iter().filter_map(|i| i.published).max();
    let short = &fingerprint[..fingerprint.len().min(12)];
    match latest {
        Some(date) => format!("{date}+{short}"),
        None => short.to_owned(),
    }
}

/// The provenance of a report made now from the loaded catalog.
pub(crate) fn provenance(
    sources: &Sources,
    files: &[(FileIx, Option<[u8; 32]>)],
    catalog: &Catalog,
    timestamp: Option<&str>,
) -> Result<avtrace_report::Provenance, Failure> {
    let fingerprint = catalog_fingerprint(sources, files);
    Ok(avtrace_report::Provenance {
        generated: generated(timestamp)?,
        catalog_version: catalog_version(catalog, &fingerprint),
        catalog_fingerprint: fingerprint,
    })
}

/// `path` relative to the working folder when it lies inside it, `/`-separated; otherwise as
/// given. A report names no absolute local path it can avoid.
pub(crate) fn relative_path(path: &Path) -> String {
    let lexical = |p: &Path| -> PathBuf {
        let mut out = PathBuf::new();
        for c in p.components() {
            match c {
                Component::CurDir => {}
                Component::ParentDir => {
                    if !out.pop() {
                        out.push("..");
                    }
                }
                other => out.push(other),
            }
        }
        out
    };
    let shown = match std::env::current_dir() {
        Ok(cwd) if path.is_absolute() => match lexical(path).strip_prefix(lexical(&cwd)) {
            Ok(inside) => inside.to_path_buf(),
            Err(_) => path.to_path_buf(),
        },
        _ => lexical(path),
    };
    shown.to_string_lossy().replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_in_every_spelling() {
        assert_eq!(parse_timestamp("@0"), Ok(0));
        assert_eq!(parse_timestamp("1970-01-02"), Ok(86_400));
        assert_eq!(parse_timestamp("2027-01-15T09:00:00Z"), Ok(1_800_003_600));
        assert_eq!(parse_timestamp("2027-01-15T09:00Z"), Ok(1_800_003_600));
        assert!(parse_timestamp("2027-01-15T09:00").is_err());
        assert!(parse_timestamp("2027-13-01").is_err());
        assert!(parse_timestamp("yesterday").is_err());
        assert_eq!(crate::exchange::format_epoch(1_800_003_600), "2027-01-15T09:00:00Z");
    }

    #[test]
    fn paths_inside_the_working_folder_are_relative() {
        let cwd = std::env::current_dir().unwrap();
        assert_eq!(relative_path(&cwd.join("examples/p.toml")), "examples/p.toml");
        assert_eq!(relative_path(Path::new("./examples/../examples/p.toml")), "examples/p.toml");
        assert_eq!(relative_path(Path::new("/elsewhere/p.toml")), "/elsewhere/p.toml");
    }
}
