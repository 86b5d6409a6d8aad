//! Where output goes: standard output, or a file written atomically (to a temporary file
//! beside it, then renamed), so that FILE is either the old one or the whole new one.

use anyhow::{Context, Result, bail};
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::Path;

/// Runs `render` into `path` (atomically) or, without one, into standard output.
pub fn write_to(
    path: Option<&Path>,
    render: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<()> {
    match path {
        None => {
            let stdout = io::stdout();
            let mut out = BufWriter::new(stdout.lock());
            render(&mut out)?;
            out.flush()?;
            Ok(())
        }
        Some(path) => write_file(path, render),
    }
}

/// Refuses, before any work is done, a FILE that [`write_to`] could not write: a folder, or a
/// file in a folder that does not exist or cannot be written to (tried with a temporary file,
/// removed at once).
pub fn check_writable(path: &Path) -> Result<()> {
    let Some(dir) = folder_for(path)? else {
        return Ok(());
    };
    tempfile::Builder::new()
        .prefix(".backprop-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(without_temporary_path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// The folder FILE's temporary file goes in; `None` for a device or a pipe, which is written
/// into directly. Refuses a folder for FILE and a folder that does not exist.
fn folder_for(path: &Path) -> Result<Option<&Path>> {
    let shown = path.display();
    if path.is_dir() {
        bail!("cannot write {shown}: it is a directory");
    }
    // A device or a pipe (/dev/stdout, /dev/null, a FIFO) cannot be replaced by renaming, and
    // must not be: write into it directly.
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file()) {
        return Ok(None);
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        bail!(
            "cannot write {shown}: the folder {} does not exist",
            dir.display()
        );
    }
    Ok(Some(dir))
}

fn write_file(path: &Path, render: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<()> {
    let shown = path.display();
    let Some(dir) = folder_for(path)? else {
        let file = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .with_context(|| format!("cannot write {shown}"))?;
        let mut out = BufWriter::new(file);
        return render(&mut out)
            .and_then(|_| out.flush())
            .with_context(|| format!("cannot write {shown}"));
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".backprop-").suffix(".tmp");
    // A temporary file is private (0600) by default; the file it becomes should get the
    // ordinary permissions a new file gets (0666 less the umask), or keep FILE's own.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).map_or(0o666, |m| m.permissions().mode());
        builder.permissions(std::fs::Permissions::from_mode(mode));
    }
    let temp = builder
        .tempfile_in(dir)
        .map_err(without_temporary_path)
        .with_context(|| format!("cannot write {shown}"))?;
    let mut out = BufWriter::new(temp);
    render(&mut out)
        .and_then(|_| out.flush())
        .with_context(|| format!("cannot write {shown}"))?;
    let temp = out
        .into_inner()
        .map_err(|e| e.into_error())
        .with_context(|| format!("cannot write {shown}"))?;
    temp.as_file()
        .sync_all()
        .with_context(|| format!("cannot write {shown}"))?;
    temp.persist(path)
        .map_err(|e| e.error)
        .with_context(|| format!("cannot write {shown}"))?;
    Ok(())
}

/// tempfile names its temporary file in its errors ("at path /dir/.backprop-x1y2.tmp"); the
/// user never asked for that file, so the message keeps only the reason.
fn without_temporary_path(e: io::Error) -> io::Error {
    let reason = e
        .get_ref()
        .and_then(|inner| inner.source())
        .and_then(|source| source.downcast_ref::<io::Error>())
        .and_then(io::Error::raw_os_error);
    match reason.or(e.raw_os_error()) {
        Some(code) => io::Error::from_raw_os_error(code),
        None => io::Error::new(e.kind(), e.kind().to_string()),
    }
}

/// Whether standard output is a terminal (colour and table width follow it).
pub fn stdout_is_terminal() -> bool {
    io::stdout().is_terminal()
}
