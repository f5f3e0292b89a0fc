//! A streaming XLSX writer for the catalog workbooks: text cells only, written straight into the
//! worksheet's deflate stream, a bold header row, fixed column widths, and a new sheet when one
//! is full.
//!
//! The report writes one workbook per unit (16,000 at 10 M risk points, 2.16 M rows). With
//! `rust_xlsxwriter` each cell was a string allocation and a copy into a shared string, its rows
//! went to a temporary file first, and the workbook was zipped from there on saving: 15 % of the
//! report's samples at 1 M risk points. Here a row's XML is formatted into one reused buffer and
//! the buffer goes to the zip stream when it has filled.
//!
//! The columns whose texts repeat (a catalog's department, its powers and their bases, the
//! levels, the responsible) are written as shared strings: each text once in the workbook's
//! string table, and each cell a number. The others (risk points, measures: most are unlike
//! any other) are written inline. Cells carry no `r` reference: a row's cells are all written,
//! in order, so their columns follow from their places (the schema makes `r` optional). At
//! 1 M risk points this made the catalogs' XML 99 MB instead of 177 MB (the shared strings
//! included), and it is the deflating of that XML that costs the catalog most.
//!
//! The parts are the ones Excel needs and no more: content types, the package's and the
//! workbook's relationships, the workbook, its styles (the header's bold font), the shared
//! strings, and the sheets. Only the sheets are compressed, and the shared strings when they
//! are large: the other parts are a few hundred bytes each, and a deflate stream for each (its
//! state allocated and cleared) cost more than their bytes. The workbook is built in memory and
//! written with one call when it is finished (`Sink`): the zip writer seeks back to each part's
//! header, and on a file every part was a few seeks and writes.
//! A cell's text is escaped for XML (`&`, `<`, `>`), characters XML 1.0 cannot hold are written
//! in Excel's own `_xHHHH_` form (and a literal `_xHHHH_` is escaped so that it reads back as
//! itself), and text beyond Excel's 32,767 characters a cell is cut there: the CSV beside the
//! workbook keeps it whole.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufWriter, Cursor, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use datafusion::common::HashMap;
use zip::ZipWriter;
use zip::write::SimpleFileOptions;

use crate::error::{Error, Result};

/// Excel's most characters (UTF-16 code units) in one cell.
const MAX_CELL_CHARS: usize = 32_767;

/// A sheet's XML is handed to the compressor in pieces of about this size.
const FLUSH_AT: usize = 64 * 1024;

/// A workbook larger than this (compressed) goes on being written to its file, not in memory.
const SPILL_AT: usize = 8 * 1024 * 1024;

/// Style indices in `styles.xml`: the default, and bold wrapped text for the header.
const STYLE_HEADER: u8 = 1;

/// The shared strings' XML may grow to this size; texts met after that are written inline.
/// A shared text stays in memory until the workbook is finished.
const SHARED_MAX: usize = 32 * 1024 * 1024;

/// A workbook's shared strings: each text once, numbered in the order first met.
struct Shared {
    /// The most bytes of XML the table may hold ([`SHARED_MAX`]).
    max: usize,
    /// Each text's number.
    numbers: HashMap<Box<str>, u32>,
    /// The texts' `<si>` elements, in number order.
    xml: Vec<u8>,
    /// Cells that refer to a shared text.
    refs: u64,
}

impl Shared {
    fn new(max: usize) -> Shared {
        Shared {
            max,
            numbers: HashMap::new(),
            xml: Vec::new(),
            refs: 0,
        }
    }

    /// The number of `text` (already cut to a cell's length), shared now if it was not yet;
    /// `None` once the table is full.
    fn number(&mut self, text: &str) -> Option<u32> {
        let n = match self.numbers.get(text) {
            Some(n) => *n,
            None => {
                let n = u32::try_from(self.numbers.len()).ok()?;
                if self.xml.len() >= self.max {
                    return None;
                }
                self.xml.extend_from_slice(b"<si><t");
                if text.starts_with(char::is_whitespace) || text.ends_with(char::is_whitespace) {
                    self.xml.extend_from_slice(br#" xml:space="preserve""#);
                }
                self.xml.push(b'>');
                push_escaped(&mut self.xml, text);
                self.xml.extend_from_slice(b"</t></si>");
                self.numbers.insert(text.into(), n);
                n
            }
        };
        self.refs += 1;
        Some(n)
    }

    /// The `sharedStrings.xml` part.
    fn part(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.xml.len() + 200);
        out.extend_from_slice(XML_DECLARATION.as_bytes());
        let _ = write!(
            out,
            "<sst xmlns=\"{MAIN_NS}\" count=\"{}\" uniqueCount=\"{}\">",
            self.refs,
            self.numbers.len()
        );
        out.extend_from_slice(&self.xml);
        out.extend_from_slice(b"</sst>");
        out
    }
}

/// An XLSX workbook being written to a file, one sheet at a time.
pub(crate) struct Workbook {
    zip: ZipWriter<Sink>,
    path: PathBuf,
    /// The sheets' options: deflated at the level asked for.
    options: SimpleFileOptions,
    /// Column widths in characters, from the first column on.
    widths: Vec<f64>,
    /// Which columns are written as shared strings, from the first column on.
    share: Vec<bool>,
    /// The shared strings so far.
    shared: Shared,
    /// The sheets' names; the last is being written.
    sheets: Vec<String>,
    /// Rows written to the current sheet, its header included.
    rows: u32,
    /// XML not yet handed to the compressor.
    buf: Vec<u8>,
}

impl Workbook {
    /// Creates the workbook at `path`, with columns `widths` characters wide, compressed at
    /// deflate `level` (1 is fastest; the report's workbooks are small and many). The columns
    /// that `share` marks (from the first column on) are written as shared strings: those
    /// whose texts repeat from row to row.
    pub(crate) fn create(
        path: &Path,
        widths: &[f64],
        share: &[bool],
        level: i64,
    ) -> Result<Workbook> {
        let file = File::create(path).map_err(|e| Error::io("writing the workbook", path, e))?;
        let options = SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .compression_level(Some(level))
            .unix_permissions(0o644);
        Ok(Workbook {
            zip: ZipWriter::new(Sink::Memory(file, Cursor::new(Vec::new()))),
            path: path.to_owned(),
            options,
            widths: widths.to_vec(),
            share: share.to_vec(),
            shared: Shared::new(SHARED_MAX),
            sheets: Vec::new(),
            rows: 0,
            buf: Vec::with_capacity(FLUSH_AT * 2),
        })
    }

    /// Rows written to the current sheet, its header included; 0 before the first sheet.
    pub(crate) fn sheet_rows(&self) -> u32 {
        self.rows
    }

    /// Ends the current sheet, if any, and starts the sheet `name` with the bold `header` row.
    pub(crate) fn add_sheet(&mut self, name: &str, header: &[&str]) -> Result<()> {
        self.end_sheet()?;
        self.sheets.push(name.to_owned());
        let part = format!("xl/worksheets/sheet{}.xml", self.sheets.len());
        self.zip
            .start_file(part, self.options)
            .map_err(|e| self.zip_error(e))?;
        self.buf.extend_from_slice(
            concat!(
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
                "\n",
                r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" "#,
                r#"xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">"#,
            )
            .as_bytes(),
        );
        if self.sheets.len() == 1 {
            self.buf.extend_from_slice(
                br#"<sheetViews><sheetView tabSelected="1" workbookViewId="0"/></sheetViews>"#,
            );
        }
        self.buf
            .extend_from_slice(br#"<sheetFormatPr defaultRowHeight="15"/>"#);
        if !self.widths.is_empty() {
            self.buf.extend_from_slice(b"<cols>");
            for (i, w) in self.widths.iter().enumerate() {
                // Excel stores a width with its padding: 0.7109375 for the default font.
                let _ = write!(
                    self.buf,
                    r#"<col min="{n}" max="{n}" width="{}" customWidth="1"/>"#,
                    w + 0.710_937_5,
                    n = i + 1
                );
            }
            self.buf.extend_from_slice(b"</cols>");
        }
        self.buf.extend_from_slice(b"<sheetData>");
        self.rows = 0;
        self.push_row(header, Some(STYLE_HEADER));
        self.flush_if_full()
    }

    /// Appends a row of text cells to the current sheet.
    pub(crate) fn row(&mut self, cells: &[&str]) -> Result<()> {
        if self.sheets.is_empty() {
            return Err(Error::Usage(format!(
                "{}: a row was written before any sheet was started",
                self.path.display()
            )));
        }
        self.push_row(cells, None);
        self.flush_if_full()
    }

    /// Finishes the last sheet and writes the workbook's other parts.
    pub(crate) fn finish(mut self) -> Result<()> {
        self.end_sheet()?;
        let shared = !self.shared.numbers.is_empty();
        if shared {
            let part = self.shared.part();
            // Compressed like the sheets when large; a unit's catalog shares a few kilobytes,
            // and a deflate stream's set-up (its window and tables allocated and cleared) cost
            // more than those bytes: 16,000 workbooks at 10 M risk points.
            let options = if part.len() > STORE_UP_TO {
                self.options
            } else {
                stored()
            };
            self.zip
                .start_file("xl/sharedStrings.xml", options)
                .map_err(|e| self.zip_error(e))?;
            self.zip
                .write_all(&part)
                .map_err(|e| Error::io("writing the workbook", &self.path, e))?;
        }
        for (name, xml) in other_parts(&self.sheets, shared) {
            self.zip
                .start_file(name, stored())
                .map_err(|e| self.zip_error(e))?;
            self.zip
                .write_all(xml.as_bytes())
                .map_err(|e| Error::io("writing the workbook", &self.path, e))?;
        }
        let sink = self.zip.finish().map_err(|e| {
            Error::Usage(format!(
                "writing the workbook {} failed: {e}",
                self.path.display()
            ))
        })?;
        sink.finish()
            .map_err(|e| Error::io("writing the workbook", &self.path, e))
    }

    /// Formats one row into the buffer: the header's cells (with a `style`) inline, the
    /// others shared where their column is.
    fn push_row(&mut self, cells: &[&str], style: Option<u8>) {
        self.rows += 1;
        let mut digits = [0u8; 10];
        self.buf.extend_from_slice(br#"<row r=""#);
        self.buf.extend_from_slice(decimal(self.rows, &mut digits));
        self.buf.extend_from_slice(br#"">"#);
        for (c, text) in cells.iter().enumerate() {
            let text = cut_to_cell(text);
            let share = style.is_none() && self.share.get(c).copied().unwrap_or(false);
            if let Some(n) = share.then(|| self.shared.number(text)).flatten() {
                self.buf.extend_from_slice(br#"<c t="s"><v>"#);
                self.buf.extend_from_slice(decimal(n, &mut digits));
                self.buf.extend_from_slice(b"</v></c>");
                continue;
            }
            self.buf.extend_from_slice(b"<c");
            if let Some(s) = style {
                let _ = write!(self.buf, r#" s="{s}""#);
            }
            self.buf.extend_from_slice(br#" t="inlineStr"><is><t"#);
            if text.starts_with(char::is_whitespace) || text.ends_with(char::is_whitespace) {
                self.buf.extend_from_slice(br#" xml:space="preserve""#);
            }
            self.buf.push(b'>');
            push_escaped(&mut self.buf, text);
            self.buf.extend_from_slice(b"</t></is></c>");
        }
        self.buf.extend_from_slice(b"</row>");
    }

    fn flush_if_full(&mut self) -> Result<()> {
        if self.buf.len() >= FLUSH_AT {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<()> {
        self.zip
            .write_all(&self.buf)
            .map_err(|e| Error::io("writing the workbook", &self.path, e))?;
        self.buf.clear();
        Ok(())
    }

    fn end_sheet(&mut self) -> Result<()> {
        if self.sheets.is_empty() {
            return Ok(());
        }
        self.buf.extend_from_slice(
            br#"</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>"#,
        );
        self.flush()
    }

    fn zip_error(&self, e: zip::result::ZipError) -> Error {
        Error::Usage(format!(
            "writing the workbook {} failed: {e}",
            self.path.display()
        ))
    }
}

/// The shared strings are stored, not compressed, up to this size.
const STORE_UP_TO: usize = 16 * 1024;

/// The options of a part written as it is.
fn stored() -> SimpleFileOptions {
    SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .unix_permissions(0o644)
}

/// Where a workbook's zip is written: in memory until it passes [`SPILL_AT`], then to its file
/// (created at the start, so that a folder that cannot take it is an error before any row).
enum Sink {
    /// The file, and the workbook so far.
    Memory(File, Cursor<Vec<u8>>),
    /// The file, everything up to now written to it.
    Disk(BufWriter<File>),
    /// Only while moving from memory to the file; an error there leaves it.
    Failed,
}

impl Sink {
    /// Moves what is in memory to the file, at the same position.
    fn spill(&mut self) -> std::io::Result<()> {
        if let Sink::Memory(file, mem) = std::mem::replace(self, Sink::Failed) {
            let mut w = BufWriter::new(file);
            w.write_all(mem.get_ref())?;
            w.seek(SeekFrom::Start(mem.position()))?;
            *self = Sink::Disk(w);
        }
        Ok(())
    }

    /// Writes out what is still in memory.
    fn finish(self) -> std::io::Result<()> {
        match self {
            Sink::Memory(mut file, mem) => file.write_all(mem.get_ref()),
            Sink::Disk(mut w) => w.flush(),
            Sink::Failed => Err(Sink::failed()),
        }
    }

    fn failed() -> std::io::Error {
        std::io::Error::other("an earlier write to the workbook failed")
    }
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Sink::Memory(_, mem) => {
                let n = mem.write(buf)?;
                if mem.get_ref().len() > SPILL_AT {
                    self.spill()?;
                }
                Ok(n)
            }
            Sink::Disk(w) => w.write(buf),
            Sink::Failed => Err(Sink::failed()),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Sink::Memory(..) => Ok(()),
            Sink::Disk(w) => w.flush(),
            Sink::Failed => Err(Sink::failed()),
        }
    }
}

impl Seek for Sink {
    fn seek(&mut self, pos: SeekFrom) -> std::io::Result<u64> {
        match self {
            Sink::Memory(_, mem) => mem.seek(pos),
            Sink::Disk(w) => w.seek(pos),
            Sink::Failed => Err(Sink::failed()),
        }
    }
}

const XML_DECLARATION: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";
const MAIN_NS: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const REL_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const PACKAGE_REL_NS: &str = "http://schemas.openxmlformats.org/package/2006/relationships";
const OFFICE_CT: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml";

/// The workbook's parts other than its sheets (`sheets` are their names) and its shared
/// strings (if `shared`, a part of its own), by part name.
fn other_parts(sheets: &[String], shared: bool) -> [(&'static str, String); 5] {
    let mut ct = String::from(XML_DECLARATION);
    let mut package_rels = String::from(XML_DECLARATION);
    let mut wb = String::from(XML_DECLARATION);
    let mut rels = String::from(XML_DECLARATION);
    ct.push_str(
            "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
             <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
             <Default Extension=\"xml\" ContentType=\"application/xml\"/>",
        );
    let _ = write!(
        &mut ct,
        "<Override PartName=\"/xl/workbook.xml\" ContentType=\"{OFFICE_CT}.sheet.main+xml\"/>\
                 <Override PartName=\"/xl/styles.xml\" ContentType=\"{OFFICE_CT}.styles+xml\"/>"
    );
    for i in 1..=sheets.len() {
        let _ = write!(
            &mut ct,
            "<Override PartName=\"/xl/worksheets/sheet{i}.xml\" ContentType=\"{OFFICE_CT}.worksheet+xml\"/>"
        );
    }
    if shared {
        let _ = write!(
            &mut ct,
            "<Override PartName=\"/xl/sharedStrings.xml\" ContentType=\"{OFFICE_CT}.sharedStrings+xml\"/>"
        );
    }
    ct.push_str("</Types>");

    let _ = write!(
        &mut package_rels,
        "<Relationships xmlns=\"{PACKAGE_REL_NS}\"><Relationship Id=\"rId1\" \
                 Type=\"{REL_NS}/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>"
    );

    let _ = write!(
        &mut wb,
        "<workbook xmlns=\"{MAIN_NS}\" xmlns:r=\"{REL_NS}\"><sheets>"
    );
    let _ = write!(&mut rels, "<Relationships xmlns=\"{PACKAGE_REL_NS}\">");
    for (i, name) in sheets.iter().enumerate() {
        let n = i + 1;
        let mut escaped = Vec::new();
        push_escaped(&mut escaped, name);
        let _ = write!(
            &mut wb,
            "<sheet name=\"{}\" sheetId=\"{n}\" r:id=\"rId{n}\"/>",
            String::from_utf8_lossy(&escaped).replace('"', "&quot;")
        );
        let _ = write!(
            &mut rels,
            "<Relationship Id=\"rId{n}\" Type=\"{REL_NS}/worksheet\" \
                     Target=\"worksheets/sheet{n}.xml\"/>"
        );
    }
    wb.push_str("</sheets></workbook>");
    let _ = write!(
        &mut rels,
        "<Relationship Id=\"rId{}\" Type=\"{REL_NS}/styles\" Target=\"styles.xml\"/>",
        sheets.len() + 1
    );
    if shared {
        let _ = write!(
            &mut rels,
            "<Relationship Id=\"rId{}\" Type=\"{REL_NS}/sharedStrings\" \
                     Target=\"sharedStrings.xml\"/>",
            sheets.len() + 2
        );
    }
    rels.push_str("</Relationships>");

    let mut styles = String::from(XML_DECLARATION);
    styles.push_str(STYLES);
    [
        ("[Content_Types].xml", ct),
        ("_rels/.rels", package_rels),
        ("xl/workbook.xml", wb),
        ("xl/_rels/workbook.xml.rels", rels),
        ("xl/styles.xml", styles),
    ]
}

/// The styles: the default font, and the header's bold font with wrapped text (style 1).
const STYLES: &str = "<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">\
     <fonts count=\"2\">\
     <font><sz val=\"11\"/><name val=\"Calibri\"/><family val=\"2\"/></font>\
     <font><b/><sz val=\"11\"/><name val=\"Calibri\"/><family val=\"2\"/></font>\
     </fonts>\
     <fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill>\
     <fill><patternFill patternType=\"gray125\"/></fill></fills>\
     <borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
     <cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>\
     <cellXfs count=\"2\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/>\
     <xf numFmtId=\"0\" fontId=\"1\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyFont=\"1\" \
     applyAlignment=\"1\"><alignment wrapText=\"1\"/></xf></cellXfs>\
     <cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles>\
     </styleSheet>";

/// `n` in decimal digits, written at the end of `buf`.
fn decimal(mut n: u32, buf: &mut [u8; 10]) -> &[u8] {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            return &buf[i..];
        }
    }
}

/// `text` cut to Excel's limit of [`MAX_CELL_CHARS`] UTF-16 code units, at a character.
fn cut_to_cell(text: &str) -> &str {
    // Each UTF-16 unit takes at least one byte of UTF-8: shorter texts need no count.
    if text.len() <= MAX_CELL_CHARS {
        return text;
    }
    let mut units = 0;
    for (at, ch) in text.char_indices() {
        units += ch.len_utf16();
        if units > MAX_CELL_CHARS {
            return &text[..at];
        }
    }
    text
}

/// The bytes [`push_escaped`] must look at: XML's specials, control characters but tab and
/// newline, `_` (Excel's escapes) and 0xEF (which starts U+FFFE and U+FFFF). All others are
/// copied as they are.
const LOOK_AT: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        t[b] = b != b'\t' as usize && b != b'\n' as usize;
        b += 1;
    }
    t[b'&' as usize] = true;
    t[b'<' as usize] = true;
    t[b'>' as usize] = true;
    t[b'_' as usize] = true;
    t[0x7f] = true;
    t[0xEF] = true;
    t
};

/// Appends `text` escaped for XML character data (and attribute values without quotes).
///
/// Bytes that never need escaping are skipped by a table lookup: at 10 M risk points every
/// catalog cell (2.16 M rows of ten, the measures long) passes through here, and taking every
/// byte through the `match` was the largest part of writing the catalogs (2.4 % of the 10 M
/// report's CPU samples).
fn push_escaped(out: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    let mut from = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if !LOOK_AT[usize::from(b)] {
            i += 1;
            continue;
        }
        let escape: Option<&[u8]> = match b {
            b'&' => Some(b"&amp;"),
            b'<' => Some(b"&lt;"),
            b'>' => Some(b"&gt;"),
            b'\t' | b'\n' => None,
            0..=0x1f | 0x7f => {
                out.extend_from_slice(&bytes[from..i]);
                let _ = write!(out, "_x{b:04X}_");
                from = i + 1;
                None
            }
            // Excel reads `_xHHHH_` as the character HHHH: a literal one is escaped.
            b'_' if is_excel_escape(&bytes[i..]) => Some(b"_x005F_"),
            // U+FFFE and U+FFFF are not XML characters.
            0xEF if matches!(bytes.get(i + 1..i + 3), Some([0xBF, 0xBE | 0xBF])) => {
                out.extend_from_slice(&bytes[from..i]);
                let _ = write!(out, "_xFF{:02X}_", bytes[i + 2] + 0x40);
                i += 3;
                from = i;
                continue;
            }
            _ => None,
        };
        if let Some(e) = escape {
            out.extend_from_slice(&bytes[from..i]);
            out.extend_from_slice(e);
            from = i + 1;
        }
        i += 1;
    }
    out.extend_from_slice(&bytes[from..]);
}

/// Whether `s` starts with `_xHHHH_` (four hex digits).
fn is_excel_escape(s: &[u8]) -> bool {
    s.len() >= 7 && s[1] == b'x' && s[2..6].iter().all(u8::is_ascii_hexdigit) && s[6] == b'_'
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    /// Every part of the workbook at `p`, by name.
    fn parts(p: &Path) -> std::result::Result<Vec<(String, String)>, Box<dyn std::error::Error>> {
        let mut zip = zip::ZipArchive::new(File::open(p)?)?;
        let mut out = Vec::new();
        for i in 0..zip.len() {
            let mut part = zip.by_index(i)?;
            let mut text = String::new();
            part.read_to_string(&mut text)?;
            out.push((part.name()?.into_owned(), text));
        }
        Ok(out)
    }

    /// A fresh folder for one test (named `name` and this process) and a workbook's path in it.
    fn scratch_book(name: &str) -> std::io::Result<(PathBuf, PathBuf)> {
        let dir = std::env::temp_dir().join(format!("sunlight-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let path = dir.join("book.xlsx");
        Ok((dir, path))
    }

    fn escaped(s: &str) -> String {
        let mut out = Vec::new();
        push_escaped(&mut out, s);
        String::from_utf8_lossy(&out).into_owned()
    }

    #[test]
    fn text_is_escaped_for_xml_and_excel() {
        assert_eq!(escaped("a<b>&c"), "a&lt;b&gt;&amp;c");
        assert_eq!(escaped("<script>\"'"), "&lt;script&gt;\"'");
        assert_eq!(escaped("tab\there\nline"), "tab\there\nline");
        assert_eq!(escaped("bell\u{7}x\rend"), "bell_x0007_x_x000D_end");
        assert_eq!(escaped("_x0041_ and _x41_"), "_x005F_x0041_ and _x41_");
        assert_eq!(
            escaped("\u{FFFE}\u{FFFF}\u{FFFD}"),
            "_xFFFE__xFFFF_\u{FFFD}"
        );
        assert_eq!(escaped("廉政 🙂 \u{200F}"), "廉政 🙂 \u{200F}");
        assert_eq!(escaped("（一）：审批，￥5"), "（一）：审批，￥5");
    }

    #[test]
    fn row_numbers_are_written_in_decimal() {
        for n in [0, 1, 9, 10, 99, 1_000_000, u32::MAX] {
            let mut buf = [0u8; 10];
            assert_eq!(decimal(n, &mut buf), n.to_string().as_bytes());
        }
    }

    #[test]
    fn long_text_is_cut_at_excels_limit_on_a_character() {
        let short = "廉".repeat(MAX_CELL_CHARS);
        assert_eq!(cut_to_cell(&short), short);
        let long = "廉".repeat(MAX_CELL_CHARS + 5);
        assert_eq!(cut_to_cell(&long).chars().count(), MAX_CELL_CHARS);
        // An emoji is two UTF-16 units: one that would cross the limit is left out whole.
        let emoji = format!("{}🙂", "a".repeat(MAX_CELL_CHARS - 1));
        assert_eq!(cut_to_cell(&emoji), "a".repeat(MAX_CELL_CHARS - 1));
    }

    #[test]
    fn a_workbook_holds_its_sheets_rows_and_parts()
    -> std::result::Result<(), Box<dyn std::error::Error>> {
        let (dir, path) = scratch_book("xlsx")?;
        // The first column shared, the second inline.
        let mut book = Workbook::create(&path, &[16.0, 40.0], &[true, false], 1)?;
        assert!(book.row(&["before a sheet"]).is_err());
        book.add_sheet("目录1", &["部门", "风险点"])?;
        book.row(&["办公室", "a<b & \"c\""])?;
        book.row(&[" padded ", ""])?;
        book.row(&["办公室", "办公室"])?;
        assert_eq!(book.sheet_rows(), 4);
        book.add_sheet("目录2", &["部门", "风险点"])?;
        book.row(&["财务科", "x"])?;
        book.row(&["办公室", "y", "a third cell, not shared"])?;
        book.finish()?;

        let parts = parts(&path)?;
        let names: Vec<&str> = parts.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "xl/worksheets/sheet1.xml",
                "xl/worksheets/sheet2.xml",
                "xl/sharedStrings.xml",
                "[Content_Types].xml",
                "_rels/.rels",
                "xl/workbook.xml",
                "xl/_rels/workbook.xml.rels",
                "xl/styles.xml",
            ]
        );
        let part = |name: &str| {
            parts
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, t)| t.as_str())
                .unwrap_or_default()
        };
        let sheet1 = part("xl/worksheets/sheet1.xml");
        // The header inline and bold; then shared numbers in the first column, in the order
        // first met, the same text the same number; inline text in the second.
        assert!(sheet1.contains(
            r#"<row r="1"><c s="1" t="inlineStr"><is><t>部门</t></is></c><c s="1" t="inlineStr"><is><t>风险点</t></is></c></row>"#
        ));
        assert!(sheet1.contains(
            r#"<row r="2"><c t="s"><v>0</v></c><c t="inlineStr"><is><t>a&lt;b &amp; "c"</t></is></c></row>"#
        ));
        assert!(sheet1.contains(
            r#"<row r="3"><c t="s"><v>1</v></c><c t="inlineStr"><is><t></t></is></c></row>"#
        ));
        assert!(sheet1.contains(
            r#"<row r="4"><c t="s"><v>0</v></c><c t="inlineStr"><is><t>办公室</t></is></c></row>"#
        ));
        assert!(sheet1.contains(r#"<col min="2" max="2" width="40.7109375" customWidth="1"/>"#));
        assert!(sheet1.ends_with("</sheetData><pageMargins left=\"0.7\" right=\"0.7\" top=\"0.75\" bottom=\"0.75\" header=\"0.3\" footer=\"0.3\"/></worksheet>"));
        let sheet2 = part("xl/worksheets/sheet2.xml");
        assert!(sheet2.contains(
            r#"<row r="2"><c t="s"><v>2</v></c><c t="inlineStr"><is><t>x</t></is></c></row>"#
        ));
        assert!(sheet2.contains(
            r#"<row r="3"><c t="s"><v>0</v></c><c t="inlineStr"><is><t>y</t></is></c><c t="inlineStr"><is><t>a third cell, not shared</t></is></c></row>"#
        ));
        // Shared strings are shared across the sheets, whitespace kept.
        assert_eq!(
            part("xl/sharedStrings.xml"),
            concat!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n",
                r#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="5" uniqueCount="3">"#,
                r#"<si><t>办公室</t></si><si><t xml:space="preserve"> padded </t></si><si><t>财务科</t></si></sst>"#
            )
        );
        let workbook = part("xl/workbook.xml");
        assert!(workbook.contains(r#"<sheet name="目录1" sheetId="1" r:id="rId1"/><sheet name="目录2" sheetId="2" r:id="rId2"/>"#));
        let rels = part("xl/_rels/workbook.xml.rels");
        assert!(rels.contains(r#"Target="worksheets/sheet2.xml""#));
        assert!(rels.contains(r#"Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles""#));
        assert!(rels.contains(r#"Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml""#));
        let types = part("[Content_Types].xml");
        assert!(types.contains(r#"PartName="/xl/worksheets/sheet2.xml""#));
        assert!(types.contains(r#"<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>"#));
        // Only the sheets are compressed (the shared strings too when they are large).
        let mut zip = zip::ZipArchive::new(File::open(&path)?)?;
        for i in 0..zip.len() {
            let part = zip.by_index(i)?;
            let sheet = part.name()?.starts_with("xl/worksheets/");
            assert_eq!(
                part.compression() == zip::CompressionMethod::Deflated,
                sheet,
                "{:?}",
                part.name()
            );
        }
        std::fs::remove_dir_all(&dir)?;
        Ok(())
    }

    #[test]
    fn a_workbook_without_shared_columns_has_no_shared_strings()
    -> std::result::Result<(), Box<dyn std::error::Error>> {
        let (dir, path) = scratch_book("xlsx-inline")?;
        let mut book = Workbook::create(&path, &[16.0], &[], 1)?;
        book.add_sheet("目录1", &["部门"])?;
        book.row(&["办公室"])?;
        book.finish()?;
        let parts = parts(&path)?;
        assert!(
            parts
                .iter()
                .all(|(_, text)| !text.contains("sharedStrings"))
        );
        assert!(parts.iter().all(|(name, _)| name != "xl/sharedStrings.xml"));
        std::fs::remove_dir_all(&dir)?;
        Ok(())
    }

    #[test]
    fn large_shared_strings_are_compressed_small_ones_stored()
    -> std::result::Result<(), Box<dyn std::error::Error>> {
        let (dir, path) = scratch_book("xlsx-sst")?;
        for (texts, deflated) in [(10, false), (2_000, true)] {
            let mut book = Workbook::create(&path, &[16.0], &[true], 1)?;
            book.add_sheet("目录1", &["部门"])?;
            for i in 0..texts {
                book.row(&[&format!("第{i}个部门")])?;
            }
            book.finish()?;
            let mut zip = zip::ZipArchive::new(File::open(&path)?)?;
            let sst = zip.by_name("xl/sharedStrings.xml")?;
            assert_eq!(
                sst.compression() == zip::CompressionMethod::Deflated,
                deflated,
                "{texts} texts"
            );
        }
        std::fs::remove_dir_all(&dir)?;
        Ok(())
    }

    #[test]
    fn texts_past_a_full_string_table_are_written_inline() {
        let mut shared = Shared::new(30);
        assert_eq!(shared.number("办公室"), Some(0));
        assert_eq!(shared.number("财务科"), Some(1));
        // Full: a new text is not taken, a known one still is.
        assert_eq!(shared.number("纪检组"), None);
        assert_eq!(shared.number("办公室"), Some(0));
        assert_eq!(shared.refs, 3);
        assert_eq!(shared.numbers.len(), 2);
    }

    #[test]
    fn a_sink_moves_to_its_file_past_the_limit_keeping_every_byte()
    -> std::result::Result<(), Box<dyn std::error::Error>> {
        let (dir, path) = scratch_book("sink")?;
        // Small: written once, at the end.
        let mut sink = Sink::Memory(File::create(&path)?, Cursor::new(Vec::new()));
        sink.write_all(b"0123456789")?;
        sink.seek(SeekFrom::Start(2))?;
        sink.write_all(b"ab")?;
        assert_eq!(std::fs::read(&path)?, b"");
        sink.finish()?;
        assert_eq!(std::fs::read(&path)?, b"01ab456789");
        // Large: on its file once past the limit, seeking back as the zip writer does.
        let mut sink = Sink::Memory(File::create(&path)?, Cursor::new(Vec::new()));
        let block: Vec<u8> = (0..=255u8).cycle().take(1 << 20).collect();
        let mut expected = Vec::new();
        for _ in 0..(SPILL_AT >> 20) + 2 {
            sink.write_all(&block)?;
            expected.extend_from_slice(&block);
        }
        assert!(matches!(sink, Sink::Disk(_)));
        sink.seek(SeekFrom::Start(5))?;
        sink.write_all(b"header")?;
        expected[5..11].copy_from_slice(b"header");
        sink.seek(SeekFrom::End(0))?;
        sink.write_all(b"end")?;
        expected.extend_from_slice(b"end");
        sink.finish()?;
        assert!(std::fs::read(&path)? == expected);
        std::fs::remove_dir_all(&dir)?;
        Ok(())
    }

    #[test]
    fn a_workbook_in_a_missing_folder_is_an_error_naming_it() {
        let dir = std::env::temp_dir()
            .join("sunlight-no-such-folder-for-xlsx")
            .join("book.xlsx");
        let err = Workbook::create(&dir, &[], &[], 1)
            .map(|_| ())
            .map_err(|e| e.to_string());
        assert!(
            err.as_ref()
                .is_err_and(|e| e.contains("sunlight-no-such-folder-for-xlsx")),
            "{err:?}"
        );
    }
}
