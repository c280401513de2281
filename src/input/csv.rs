//! CSV as Excel writes it: RFC 4180 quoting, multi-line fields, UTF-8 with or
//! without BOM, or GB18030/GBK from Chinese Windows. All pass-through columns
//! are strings.
//!
//! Bad rows become rejects: bytes invalid in the encoding, a wrong number of
//! fields, and an unterminated quote (which swallows the rest of the file
//! into one field: the csv crate ends the record at EOF without an error, so
//! we count quote bytes and, when their number is odd at EOF, reject the last
//! record instead of analysing a field that holds half the file).

use super::{
    excerpt, missing_column, passthrough_name, Comment, Encoding, FileChunk, FileInfo,
    InputOptions, Reject,
};
use crate::error::{Error, Result};
use arrow::array::StringBuilder;
use arrow::datatypes::{DataType, Field, Schema};
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

const SAMPLE: usize = 64 * 1024;

/// UTF-8 unless the sample reads much better as GB18030: an invalid row
/// here and there in a UTF-8 file is a reject, not a reason to switch, while
/// a GBK export fails UTF-8 on nearly every Chinese character.
fn detect_encoding(sample: &[u8]) -> Encoding {
    if sample.starts_with(b"\xEF\xBB\xBF") {
        return Encoding::Utf8;
    }
    let utf8 = utf8_errors(sample);
    if utf8 == 0 {
        return Encoding::Utf8;
    }
    let (gb, _, _) = encoding_rs::GB18030.decode(sample);
    if gb.matches('\u{FFFD}').count() * 4 < utf8 {
        Encoding::Gb18030
    } else {
        Encoding::Utf8
    }
}

/// Invalid UTF-8 sequences, not counting a character cut off at the end.
fn utf8_errors(mut bytes: &[u8]) -> usize {
    let mut errors = 0;
    while let Err(e) = std::str::from_utf8(bytes) {
        match e.error_len() {
            Some(n) => {
                errors += 1;
                bytes = &bytes[e.valid_up_to() + n..];
            }
            None => break,
        }
    }
    errors
}

fn decode(bytes: &[u8], encoding: Encoding) -> std::result::Result<String, String> {
    match encoding {
        Encoding::Gb18030 => encoding_rs::GB18030
            .decode_without_bom_handling_and_without_replacement(bytes)
            .map(|s| s.into_owned())
            .ok_or_else(|| "bytes that are not valid GB18030".to_string()),
        _ => std::str::from_utf8(bytes).map(str::to_string).map_err(|e| {
            let at = e.valid_up_to();
            let bad: Vec<String> = bytes[at..]
                .iter()
                .take(e.error_len().unwrap_or(1).max(1))
                .map(|b| format!("{b:02x}"))
                .collect();
            format!("invalid UTF-8 (byte {} {}) ", at, bad.join(" "))
                .trim_end()
                .to_string()
        }),
    }
}

/// Counts `"` bytes as they are read. In GB18030, as in UTF-8, 0x22 never
/// occurs inside a multi-byte character, so the count is exact.
struct QuoteCounter<R> {
    inner: R,
    quotes: Arc<AtomicU64>,
}

impl<R: Read> Read for QuoteCounter<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let q = buf[..n].iter().filter(|&&b| b == b'"').count() as u64;
        self.quotes.fetch_add(q, Ordering::Relaxed);
        Ok(n)
    }
}

fn open_file(path: &Path) -> Result<(File, Vec<u8>)> {
    let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut sample = vec![0u8; SAMPLE];
    let mut filled = 0;
    while filled < SAMPLE {
        let n = file
            .read(&mut sample[filled..])
            .map_err(|e| Error::io(path, e))?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    sample.truncate(filled);
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    Ok((file, sample))
}

fn resolve_encoding(path: &Path, sample: &[u8], wanted: Encoding) -> Result<Encoding> {
    if sample.starts_with(b"\xFF\xFE") || sample.starts_with(b"\xFE\xFF") {
        return Err(Error::input(
            path,
            "the file is UTF-16 (Excel's \"Unicode text\"); save it as \"CSV UTF-8\" instead",
        ));
    }
    Ok(match wanted {
        Encoding::Auto => detect_encoding(sample),
        e => e,
    })
}

fn reader_builder() -> csv::ReaderBuilder {
    let mut b = csv::ReaderBuilder::new();
    b.has_headers(false).flexible(true);
    b
}

fn read_header(
    path: &Path,
    rdr: &mut csv::Reader<impl Read>,
    encoding: Encoding,
) -> Result<Vec<String>> {
    let mut header = csv::ByteRecord::new();
    let got = rdr
        .read_byte_record(&mut header)
        .map_err(|e| Error::input(path, format!("cannot read the header row: {e}")))?;
    if !got {
        return Err(Error::input(path, "the file is empty: no header row"));
    }
    header
        .iter()
        .enumerate()
        .map(|(i, field)| {
            let field = if i == 0 {
                field.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(field)
            } else {
                field
            };
            decode(field, encoding)
                .map(|s| s.trim().to_string())
                .map_err(|e| Error::input(path, format!("header column {}: {e}", i + 1)))
        })
        .collect()
}

struct Columns {
    id: usize,
    text: usize,
    /// (index in the record, output name)
    passthrough: Vec<(usize, String)>,
    width: usize,
}

fn columns(path: &Path, header: &[String], opts: &InputOptions) -> Result<Columns> {
    let find = |name: &str| header.iter().position(|h| h == name);
    let id = find(&opts.id_col).ok_or_else(|| missing_column(path, "id", &opts.id_col, header))?;
    let text =
        find(&opts.text_col).ok_or_else(|| missing_column(path, "text", &opts.text_col, header))?;
    let mut passthrough: Vec<(usize, String)> = Vec::new();
    for (i, name) in header.iter().enumerate() {
        if i == text {
            continue;
        }
        let taken: Vec<String> = passthrough.iter().map(|(_, n)| n.clone()).collect();
        passthrough.push((i, passthrough_name(name, &taken)));
    }
    Ok(Columns {
        id,
        text,
        passthrough,
        width: header.len(),
    })
}

pub(super) fn probe(path: &Path, opts: &InputOptions) -> Result<(Option<Encoding>, Vec<Field>)> {
    let (file, sample) = open_file(path)?;
    let encoding = resolve_encoding(path, &sample, opts.encoding)?;
    let mut rdr = reader_builder().from_reader(BufReader::new(file));
    let header = read_header(path, &mut rdr, encoding)?;
    let cols = columns(path, &header, opts)?;
    let fields = cols
        .passthrough
        .iter()
        .map(|(_, name)| Field::new(name, DataType::Utf8, true))
        .collect();
    Ok((Some(encoding), fields))
}

pub(super) struct CsvChunks {
    path: std::path::PathBuf,
    reader: csv::Reader<QuoteCounter<BufReader<File>>>,
    quotes: Arc<AtomicU64>,
    encoding: Encoding,
    cols: Columns,
    schema: Arc<Schema>,
    file: usize,
    chunk_rows: usize,
    next_row: u64,
    /// The record read ahead, with its 1-based line: it may turn out to be an
    /// unterminated quote once EOF is seen.
    pending: Option<(csv::ByteRecord, u64)>,
    done: bool,
}

impl CsvChunks {
    pub(super) fn open(info: &FileInfo, file: usize, opts: &InputOptions) -> Result<Self> {
        let path = &info.path;
        let encoding = info.encoding.unwrap_or(Encoding::Utf8);
        let raw = File::open(path).map_err(|e| Error::io(path, e))?;
        let quotes = Arc::new(AtomicU64::new(0));
        let counted = QuoteCounter {
            inner: BufReader::with_capacity(256 * 1024, raw),
            quotes: quotes.clone(),
        };
        let mut reader = reader_builder().from_reader(counted);
        let header = read_header(path, &mut reader, encoding)?;
        let cols = columns(path, &header, opts)?;
        let schema = Arc::new(Schema::new(
            cols.passthrough
                .iter()
                .map(|(_, n)| Field::new(n, DataType::Utf8, true))
                .collect::<Vec<_>>(),
        ));
        Ok(CsvChunks {
            path: path.clone(),
            reader,
            quotes,
            encoding,
            cols,
            schema,
            file,
            chunk_rows: opts.chunk_rows.max(1),
            next_row: 0,
            pending: None,
            done: false,
        })
    }

    /// The next record, held back by one so that EOF can be checked first.
    fn next_record(&mut self) -> Result<Option<(csv::ByteRecord, u64, bool)>> {
        if self.done {
            return Ok(self.pending.take().map(|(r, l)| (r, l, false)));
        }
        loop {
            let mut record = csv::ByteRecord::new();
            let more = match self.reader.read_byte_record(&mut record) {
                Ok(more) => more,
                Err(e) => {
                    return Err(Error::input(&self.path, format!("read error: {e}")));
                }
            };
            if !more {
                self.done = true;
                let unterminated = self.quotes.load(Ordering::Relaxed) % 2 == 1;
                return Ok(self.pending.take().map(|(r, l)| (r, l, unterminated)));
            }
            let line = record.position().map_or(0, |p| p.line());
            if let Some((prev, prev_line)) = self.pending.replace((record, line)) {
                return Ok(Some((prev, prev_line, false)));
            }
        }
    }

    fn reject(&self, row: u64, line: u64, reason: String, record: &csv::ByteRecord) -> Reject {
        let raw: Vec<String> = record
            .iter()
            .map(|f| String::from_utf8_lossy(f).into_owned())
            .collect();
        Reject {
            file: self.file,
            row,
            line: Some(line),
            reason,
            raw: excerpt(&raw.join(",")),
        }
    }
}

impl super::ChunkReader for CsvChunks {
    fn next_chunk(&mut self) -> Result<Option<FileChunk>> {
        let mut comments = Vec::new();
        let mut rejects = Vec::new();
        let mut builders: Vec<StringBuilder> = (0..self.cols.passthrough.len())
            .map(|_| StringBuilder::new())
            .collect();
        let mut rows = 0;
        while rows < self.chunk_rows {
            let Some((record, line, unterminated)) = self.next_record()? else {
                break;
            };
            rows += 1;
            let row = self.next_row;
            self.next_row += 1;
            if unterminated {
                let reason = format!(
                    "unterminated quoted field: the quote opened in the row starting on line {line} never closes, so the rest of the file was read as one field"
                );
                rejects.push(self.reject(row, line, reason, &record));
                continue;
            }
            if record.len() != self.cols.width {
                let reason = format!(
                    "{} fields where the header has {} (a stray quote or delimiter?)",
                    record.len(),
                    self.cols.width
                );
                rejects.push(self.reject(row, line, reason, &record));
                continue;
            }
            let decoded: std::result::Result<Vec<String>, String> = record
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    decode(f, self.encoding).map_err(|e| format!("column {}: {e}", i + 1))
                })
                .collect();
            let fields = match decoded {
                Ok(f) => f,
                Err(reason) => {
                    rejects.push(self.reject(row, line, reason, &record));
                    continue;
                }
            };
            let id = fields[self.cols.id].trim();
            if id.is_empty() {
                rejects.push(self.reject(row, line, "empty id".into(), &record));
                continue;
            }
            for (b, (i, _)) in builders.iter_mut().zip(&self.cols.passthrough) {
                b.append_value(&fields[*i]);
            }
            comments.push(Comment {
                id: id.to_string(),
                text: fields[self.cols.text].clone(),
                file: self.file,
                row,
            });
        }
        if rows == 0 {
            return Ok(None);
        }
        let passthrough = super::string_batch(&self.schema, builders, comments.len());
        let progress = self.reader.position().byte();
        Ok(Some(FileChunk {
            comments,
            passthrough,
            rejects,
            progress,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_utf8_bom_and_gb18030() {
        assert_eq!(detect_encoding(b"\xEF\xBB\xBFid,text"), Encoding::Utf8);
        assert_eq!(
            detect_encoding("id,text\n1,回复太慢".as_bytes()),
            Encoding::Utf8
        );
        let (gbk, _, _) = encoding_rs::GB18030.encode("id,text\n1,回复太慢，态度差\n2,还行\n");
        assert_eq!(detect_encoding(&gbk), Encoding::Gb18030);
        // One bad byte among much valid UTF-8 stays UTF-8 (the row is rejected later).
        let mut mostly = "1,回复太慢态度差服务一般\n".repeat(20).into_bytes();
        mostly.push(0xFF);
        assert_eq!(detect_encoding(&mostly), Encoding::Utf8);
    }

    #[test]
    fn decoding_errors_name_the_bytes() {
        let err = decode(b"ab\xFFc", Encoding::Utf8).unwrap_err();
        assert_eq!(err, "invalid UTF-8 (byte 2 ff)");
        assert!(decode(b"\x81", Encoding::Gb18030).is_err());
    }
}
