//! Reads a spreadsheet export into rows of text: CSV (comma, semicolon or tab, UTF-8 with or
//! without BOM), or the first sheet of an `.xlsx`/`.xls`/`.ods` workbook through calamine.
//!
//! Everything after this module sees cells as trimmed text, whatever the file was. Another
//! encoding than UTF-8 is an error naming the row, never decoded by guess: a guess that is
//! wrong writes "Ã©" into the records.

use std::path::{Path, PathBuf};

use crate::diag::Diagnostic;

/// Largest file read (the same cap as data files).
const MAX_FILE: u64 = 64 * 1024 * 1024;

/// A table: a header row and data rows.
#[derive(Debug, Clone, Default)]
pub struct Table {
    /// The file as given, for messages.
    pub path: PathBuf,
    /// The text of a CSV file, for snippets (`None` for workbooks).
    pub text: Option<String>,
    /// Header cells, cleaned.
    pub headers: Vec<String>,
    /// Data rows (empty rows left out).
    pub rows: Vec<Row>,
}

/// One data row.
#[derive(Debug, Clone, Default)]
pub struct Row {
    /// 1-based row number as a spreadsheet shows it (the header is row 1).
    pub row: usize,
    /// 1-based line in the file where the row starts (= `row` for workbooks).
    pub line: usize,
    /// Cells, trimmed; missing cells are empty.
    pub cells: Vec<String>,
}

impl Table {
    /// A diagnostic placed at a row and a 1-based column.
    pub fn at(&self, d: Diagnostic, row: &Row, col: usize) -> Diagnostic {
        let d = d.at(&self.path);
        match &self.text {
            Some(t) => d.located(t, row.line, 1, 1).line_col(row.line, col),
            None => d.line_col(row.line, col),
        }
    }
}

/// Reads `path` by its extension.
pub fn read(path: &Path) -> Result<Table, Diagnostic> {
    let err = |m: String| Diagnostic::error("K570", m).at(path);
    let meta = std::fs::metadata(path).map_err(|e| err(format!("cannot read {}: {e}", path.display())))?;
    if meta.len() > MAX_FILE {
        return Err(err(format!("{} is over the 64 MB limit", path.display())));
    }
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "xlsx" | "xlsm" | "xls" | "xlsb" | "ods" => workbook(path),
        _ => {
            let bytes =
                std::fs::read(path).map_err(|e| err(format!("cannot read {}: {e}", path.display())))?;
            csv_table(path, &bytes)
        }
    }
}

/// Cleans a cell: soft hyphens and zero-width characters removed, non-breaking and other
/// Unicode spaces made plain, runs of spaces collapsed (line breaks kept), ends trimmed.
pub fn clean(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        match c {
            '\u{ad}' | '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}' | '\u{feff}' => {}
            '\n' => {
                while out.ends_with(' ') {
                    out.pop();
                }
                out.push('\n');
                space = false;
            }
            '\r' => {}
            c if c.is_whitespace() => space = true,
            c => {
                if space && !out.is_empty() && !out.ends_with('\n') {
                    out.push(' ');
                }
                space = false;
                out.push(c);
            }
        }
    }
    out.trim().to_string()
}

fn csv_table(path: &Path, bytes: &[u8]) -> Result<Table, Diagnostic> {
    let err = |m: String| Diagnostic::error("K570", m).at(path);
    if bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff]) {
        return Err(err(format!("{} is in UTF-16, not UTF-8", path.display()))
            .hint("save it as \"CSV UTF-8\" (LibreOffice: Character set: Unicode (UTF-8))"));
    }
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf".as_slice()).unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => return Err(not_utf8(path, bytes, e.valid_up_to())),
    };
    let first = text.lines().next().unwrap_or("");
    let delimiter = delimiter(first);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut table = Table { path: path.to_path_buf(), text: Some(text.to_string()), ..Table::default() };
    let mut row_no = 0;
    for rec in reader.records() {
        let rec = rec.map_err(|e| err(format!("{} cannot be read as CSV: {e}", path.display())))?;
        row_no += 1;
        let line = rec.position().map(|p| line_at(text, p.byte() as usize)).unwrap_or(row_no);
        let cells: Vec<String> = rec.iter().map(clean).collect();
        if row_no == 1 {
            table.headers = cells;
        } else if cells.iter().any(|c| !c.is_empty()) {
            table.rows.push(Row { row: row_no, line, cells });
        }
    }
    Ok(table)
}

/// `;` when the header has more semicolons than commas (French spreadsheets), tab likewise.
fn delimiter(header: &str) -> u8 {
    let count = |c: char| header.matches(c).count();
    let (comma, semi, tab) = (count(','), count(';'), count('\t'));
    if tab > comma && tab > semi {
        b'\t'
    } else if semi > comma {
        b';'
    } else {
        b','
    }
}

/// 1-based line of a byte offset (past the line ending a CRLF reader may stop at).
fn line_at(text: &str, mut b: usize) -> usize {
    while matches!(text.as_bytes().get(b), Some(b'\r' | b'\n')) {
        b += 1;
    }
    text.get(..b.min(text.len())).map(|before| before.matches('\n').count() + 1).unwrap_or(1)
}

/// The error for a file that is not UTF-8: the row (as a spreadsheet counts them), the line
/// and the column of the first invalid byte.
fn not_utf8(path: &Path, bytes: &[u8], valid: usize) -> Diagnostic {
    let prefix = &bytes[..valid];
    let first_line = prefix.split(|&b| b == b'\n').next().unwrap_or(&[]);
    let delimiter = delimiter(&String::from_utf8_lossy(first_line));
    let mut reader =
        csv::ReaderBuilder::new().delimiter(delimiter).has_headers(false).flexible(true).from_reader(prefix);
    let mut rows = 0;
    let mut fields = 1;
    for r in reader.byte_records().flatten() {
        rows += 1;
        fields = r.len().max(1);
    }
    let at_new_row = prefix.is_empty() || prefix.ends_with(b"\n");
    let (row, col) = if at_new_row { (rows + 1, 1) } else { (rows, fields) };
    let line = prefix.iter().filter(|&&b| b == b'\n').count() + 1;
    let byte = bytes[valid];
    Diagnostic::error(
        "K570",
        format!(
            "{} is not UTF-8: row {row}, column {col} has the byte 0x{byte:02X} (file offset {valid})",
            path.display()
        ),
    )
    .at(path)
    .line_col(line, col)
    .hint("the file is probably in Latin-1 or Windows-1252: save it again as \"CSV UTF-8\" (Excel: CSV UTF-8; LibreOffice: Character set: Unicode (UTF-8))")
}

fn workbook(path: &Path) -> Result<Table, Diagnostic> {
    use calamine::{Data, Reader};
    let err = |m: String| Diagnostic::error("K570", m).at(path);
    let mut wb = calamine::open_workbook_auto(path)
        .map_err(|e| err(format!("{} cannot be read as a spreadsheet: {e}", path.display())))?;
    let range = match wb.worksheet_range_at(0) {
        Some(Ok(r)) => r,
        Some(Err(e)) => return Err(err(format!("{}: cannot read the first sheet: {e}", path.display()))),
        None => return Err(err(format!("{} has no sheet", path.display()))),
    };
    let first_row = range.start().map(|(r, _)| r as usize).unwrap_or(0);
    let first_col = range.start().map(|(_, c)| c as usize).unwrap_or(0);
    let mut table = Table { path: path.to_path_buf(), ..Table::default() };
    let mut header_seen = false;
    for (i, r) in range.rows().enumerate() {
        let row_no = first_row + i + 1;
        let mut cells: Vec<String> = vec![String::new(); first_col];
        cells.extend(r.iter().map(|c| match c {
            Data::Empty => String::new(),
            Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => clean(s),
            Data::Int(n) => n.to_string(),
            Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
            Data::Float(f) => f.to_string(),
            Data::Bool(b) => b.to_string(),
            Data::DateTime(d) => serial_date(d.as_f64()),
            Data::Error(e) => format!("#{e:?}"),
        }));
        if !header_seen {
            if cells.iter().any(|c| !c.is_empty()) {
                table.headers = cells;
                header_seen = true;
            }
        } else if cells.iter().any(|c| !c.is_empty()) {
            table.rows.push(Row { row: row_no, line: row_no, cells });
        }
    }
    Ok(table)
}

/// A spreadsheet date (days since 1899-12-30) as `YYYY-MM-DD`.
fn serial_date(serial: f64) -> String {
    let base = chrono::NaiveDate::from_ymd_opt(1899, 12, 30).unwrap_or_default();
    match base.checked_add_signed(chrono::Duration::days(serial.floor() as i64)) {
        Some(d) => d.format("%Y-%m-%d").to_string(),
        None => serial.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_cleaned() {
        assert_eq!(clean("  Saint\u{ad}-\u{a0}Étienne \u{202f} "), "Saint- Étienne");
        assert_eq!(clean("Mar\u{ad}seille"), "Marseille");
        assert_eq!(clean("a  \r\n  b"), "a\nb");
    }

    #[test]
    fn latin1_names_the_row() {
        let bytes = b"commune;statut\nMarseille;deploye\nSaint-\xc9tienne;refuse\n";
        let d = csv_table(Path::new("x.csv"), bytes).unwrap_err();
        assert!(d.message.contains("row 3, column 1 has the byte 0xC9"), "{}", d.message);
        assert_eq!(d.line, Some(3));
    }

    #[test]
    fn semicolons_bom_and_quoted_newlines() {
        let t = csv_table(
            Path::new("x.csv"),
            "\u{feff}commune;notes\r\nMarseille;\"deux\r\nlignes\"\r\n\r\nParis;x\r\n".as_bytes(),
        )
        .unwrap();
        assert_eq!(t.headers, ["commune", "notes"]);
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[0].cells[1], "deux\nlignes");
        assert_eq!((t.rows[1].row, t.rows[1].line), (3, 5));
        assert_eq!(serial_date(45000.0), "2023-03-15");
    }
}
