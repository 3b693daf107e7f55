//! Writing results: to stdout, or to a file that appears whole or not at all.

use std::io::Write as _;
use std::path::Path;

use crate::Failure;

/// Prints data (JSON, CSV, TOML, ...) to stdout: as it is in a pipe or file, with control
/// characters made visible on a terminal. A closed pipe (`avtrace ... | head`) is not an
/// error.
pub(crate) fn print(text: &str) -> Result<(), Failure> {
    if crate::terminal::stdout_is_terminal() {
        write_stdout(&crate::terminal::escape_controls(text))
    } else {
        write_stdout(text)
    }
}

/// Prints a table or message for people: control characters always made visible, and on
/// a terminal lines cut to its width and coloured (see `terminal`).
pub(crate) fn print_table(text: &str) -> Result<(), Failure> {
    write_stdout(&crate::terminal::for_stdout(text))
}

fn write_stdout(text: &str) -> Result<(), Failure> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::input(format!("cannot write to standard output: {e}"))),
    }
}

/// Writes `bytes` to `path` through a temporary file in the same folder, renamed into
/// place once complete, so that a failed run never leaves half a file.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    write_atomically_with(path, |file| file.write_all(bytes).map_err(|e| e.to_string()))
}

/// Like [`write_atomically`], with the contents produced by `write` into the temporary
/// file (which can seek, for zip archives). An error from `write` leaves nothing behind.
pub(crate) fn write_atomically_with(
    path: &Path,
    write: impl FnOnce(&mut std::fs::File) -> Result<(), String>,
) -> Result<(), Failure> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let fail = |what: &str, e: &dyn std::fmt::Display| Failure::input(format!("cannot {what} {}: {e}", path.display()));
    let mut file = tempfile::Builder::new()
        .prefix(".avtrace-")
        .tempfile_in(dir)
        .map_err(|e| fail("create a temporary file beside", &e))?;
    write(file.as_file_mut()).map_err(|e| fail("write", &e))?;
    // A temporary file is private (0600); the output is a document to share, so give it
    // the permissions of the file it replaces, or those of a newly created file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(path).map_or(0o644, |m| m.permissions().mode());
        file.as_file().set_permissions(std::fs::Permissions::from_mode(mode)).map_err(|e| fail("write", &e))?;
    }
    file.as_file().sync_all().map_err(|e| fail("write", &e))?;
    file.persist(path).map_err(|e| fail("replace", &e.error))?;
    Ok(())
}
