//! ZIP archives (poster packs, kits) that are the same bytes on every build: entries sorted,
//! a fixed date (1980-01-01, or `SOURCE_DATE_EPOCH`), fixed permissions, and names that are
//! safe to unpack anywhere (no `..`, no absolute path, no separator, drive letter, reserved
//! Windows name or control character coming from data).

use std::io::Write as _;

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime};

/// One file of an archive: its path inside (folders separated by `/`) and its bytes.
pub struct Entry<'a> {
    /// Path inside the archive, from [`safe_name`] parts joined by `/`.
    pub name: String,
    /// Bytes.
    pub data: &'a [u8],
}

/// A file or folder name made safe: only letters, digits, `-`, `_`, `.` and spaces kept (others
/// become `-`), no leading dot, no reserved Windows name, at most 120 bytes.
pub fn safe_name(part: &str) -> String {
    let mut s: String = part
        .chars()
        .map(|c| if c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ' ') { c } else { '-' })
        .collect();
    s = s.trim_matches(['.', ' ']).to_string();
    if s.is_empty() {
        s = "fichier".into();
    }
    let stem = s.split('.').next().unwrap_or("").to_ascii_uppercase();
    let reserved = matches!(stem.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || (stem.len() == 4
            && (stem.starts_with("COM") || stem.starts_with("LPT"))
            && stem.as_bytes()[3].is_ascii_digit());
    if reserved {
        s.insert(0, '_');
    }
    while s.len() > 120 {
        s.pop();
    }
    s
}

/// The date written on every entry.
fn date() -> DateTime {
    let fixed = DateTime::default();
    let Some(secs) = std::env::var("SOURCE_DATE_EPOCH").ok().and_then(|s| s.parse::<i64>().ok()) else {
        return fixed;
    };
    let Some(d) = chrono::DateTime::from_timestamp(secs, 0) else { return fixed };
    use chrono::{Datelike, Timelike};
    DateTime::from_date_and_time(
        d.year() as u16,
        d.month() as u8,
        d.day() as u8,
        d.hour() as u8,
        d.minute() as u8,
        d.second() as u8,
    )
    .unwrap_or(fixed)
}

/// The archive of `entries`, sorted by name. Already compressed files (PDF, PNG, ZIP) are
/// stored, others deflated.
pub fn archive(entries: &mut [Entry<'_>]) -> Result<Vec<u8>, String> {
    let names = entries.iter().map(|e| e.name.clone()).collect();
    archive_with(names, |i| Ok(Some(std::borrow::Cow::Borrowed(entries[i].data))))
}

/// [`archive`] of the files named `names`, whose bytes `data` gives by position in `names`
/// when each is written, in name order (`None` leaves the file out): only one file's bytes
/// are held at a time (an offline copy packs a whole language's pages).
pub fn archive_with<'a>(
    names: Vec<String>,
    mut data: impl FnMut(usize) -> Result<Option<std::borrow::Cow<'a, [u8]>>, String>,
) -> Result<Vec<u8>, String> {
    let mut order: Vec<(usize, String)> = names.into_iter().enumerate().collect();
    order.sort_by(|a, b| a.1.cmp(&b.1));
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let date = date();
    for (i, name) in &order {
        let lower = name.to_ascii_lowercase();
        let stored = [".pdf", ".png", ".zip", ".jpg", ".jpeg", ".woff2"].iter().any(|x| lower.ends_with(x));
        let opts = SimpleFileOptions::default()
            .compression_method(if stored { CompressionMethod::Stored } else { CompressionMethod::Deflated })
            .last_modified_time(date)
            .unix_permissions(0o644);
        let Some(bytes) = data(*i)? else { continue };
        w.start_file(name.as_str(), opts).map_err(|e| e.to_string())?;
        w.write_all(&bytes).map_err(|e| e.to_string())?;
    }
    w.finish().map(|c| c.into_inner()).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_data_are_safe() {
        assert_eq!(safe_name("../../etc/passwd"), "-..-etc-passwd");
        assert_eq!(safe_name("a/b\\c:d"), "a-b-c-d");
        assert_eq!(safe_name("CON.txt"), "_CON.txt");
        assert_eq!(safe_name("com1"), "_com1");
        assert_eq!(safe_name("Saint-Étienne"), "Saint-Étienne");
        assert_eq!(safe_name("..."), "fichier");
        assert_eq!(safe_name("x\0y"), "x-y");
        assert!(safe_name(&"é".repeat(300)).len() <= 120);
    }

    #[test]
    fn archives_are_deterministic_and_sorted() {
        let a = archive(&mut [
            Entry { name: "b.txt".into(), data: b"B" },
            Entry { name: "a/x.pdf".into(), data: b"%PDF" },
        ])
        .unwrap();
        let b = archive(&mut [
            Entry { name: "a/x.pdf".into(), data: b"%PDF" },
            Entry { name: "b.txt".into(), data: b"B" },
        ])
        .unwrap();
        assert_eq!(a, b);
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(a)).unwrap();
        assert_eq!(z.len(), 2);
        assert_eq!(z.by_index(0).unwrap().name().unwrap(), "a/x.pdf");
        for i in 0..z.len() {
            assert!(z.by_index(i).unwrap().enclosed_name().is_some());
        }
    }
}
