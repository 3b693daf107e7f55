//! `.reqifz` archives: a zip of one or more `.reqif` files plus attachments.

use std::io::{self, BufReader, Read, Seek};

use zip::ZipArchive;

use super::parser::State;
use super::{ImportOptions, ImportedDocument};
use crate::error::{ImportError, ImportErrorKind};

/// Reads at most `remaining` bytes, then fails (and remembers it): a zip bomb stops at the
/// limit whatever sizes the archive's directory claims.
struct Bounded<R> {
    inner: R,
    remaining: u64,
    exceeded: bool,
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.remaining == 0 {
            // Only an error if there really is more data.
            let mut probe = [0u8; 1];
            if self.inner.read(&mut probe)? == 0 {
                return Ok(0);
            }
            self.exceeded = true;
            return Err(io::Error::other("uncompressed size limit of the archive exceeded"));
        }
        let want = buf.len().min(usize::try_from(self.remaining).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        self.remaining -= n as u64;
        Ok(n)
    }
}

/// A member path is refused when it could escape the archive's folder if a tool extracted it.
fn unsafe_member_path(name: &str) -> bool {
    name.starts_with('/')
        || name.starts_with('\\')
        || name.split(['/', '\\']).any(|part| part == "..")
        || name.as_bytes().get(1) == Some(&b':')
}

pub(super) fn import<R: Read + Seek>(
    reader: R,
    name: &str,
    options: &ImportOptions,
) -> Result<ImportedDocument, ImportError> {
    let limits = &options.limits;
    let archive_err = |message: String, e: zip::result::ZipError| {
        ImportError::new(ImportErrorKind::Archive, name, None, message).with_source(e)
    };
    let mut zip =
        ZipArchive::new(reader).map_err(|e| archive_err(format!("not a readable .reqifz (zip) archive: {e}"), e))?;
    if zip.len() > limits.max_archive_entries {
        let message =
            format!("the archive has {} members, more than the limit of {}", zip.len(), limits.max_archive_entries);
        return Err(ImportError::new(ImportErrorKind::LimitExceeded, name, None, message));
    }
    let mut members = Vec::with_capacity(zip.len());
    for i in 0..zip.len() {
        let file =
            zip.by_index_raw(i).map_err(|e| archive_err(format!("cannot read member {i} of the archive: {e}"), e))?;
        let member =
            file.name().map_err(|e| archive_err(format!("member {i} has an unreadable name: {e}"), e))?.into_owned();
        if unsafe_member_path(&member) {
            let message = format!("member `{member}` has an absolute path or a `..` component; the archive is refused");
            return Err(ImportError::new(ImportErrorKind::Refused, name, None, message));
        }
        if !file.is_dir() {
            members.push((member, i));
        }
    }
    // Name order: deterministic, and matches how multi-file exchanges number their parts.
    members.sort();

    let mut state = State::new(options);
    let mut remaining = limits.max_archive_bytes;
    let mut parsed = 0;
    for (member, i) in members {
        let lower = member.to_ascii_lowercase();
        if !(lower.ends_with(".reqif") || lower.ends_with(".xml")) {
            state.add_attachment(member);
            continue;
        }
        let label = format!("{name}!{member}");
        let file = zip.by_index(i).map_err(|e| {
            ImportError::new(ImportErrorKind::Archive, &label, None, format!("cannot open the member: {e}"))
                .with_source(e)
        })?;
        let too_big = || {
            let message =
                format!("the archive expands to more than the limit of {} bytes (zip bomb?)", limits.max_archive_bytes);
            ImportError::new(ImportErrorKind::LimitExceeded, &label, None, message)
        };
        if file.size() > remaining {
            return Err(too_big());
        }
        let mut bounded = Bounded { inner: file, remaining, exceeded: false };
        let result = state.parse_file(BufReader::with_capacity(1 << 16, &mut bounded), &label);
        if bounded.exceeded {
            return Err(too_big());
        }
        result?;
        remaining = bounded.remaining;
        parsed += 1;
    }
    if parsed == 0 {
        let message = "the archive holds no .reqif member";
        return Err(ImportError::new(ImportErrorKind::Archive, name, None, message));
    }
    Ok(state.finish())
}

#[cfg(test)]
mod tests {
    use super::unsafe_member_path;

    #[test]
    fn member_paths() {
        assert!(unsafe_member_path("../x.reqif"));
        assert!(unsafe_member_path("a/../../x.reqif"));
        assert!(unsafe_member_path("/etc/x.reqif"));
        assert!(unsafe_member_path("C:/x.reqif"));
        assert!(unsafe_member_path("a\\..\\x.reqif"));
        assert!(!unsafe_member_path("files/x..png"));
        assert!(!unsafe_member_path("doc.reqif"));
    }
}
