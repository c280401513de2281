//! Reading comment exports: CSV (UTF-8 or GB18030), JSONL and Parquet.
//!
//! Every file is probed first (format, encoding, columns), so that a missing
//! id or text column stops the run before any work is done. Then a reader
//! streams the file in chunks of at most `chunk_rows` rows. Each row becomes
//! exactly one [`Comment`] or one [`Reject`] with its reason; the other
//! columns ride along unchanged in an Arrow batch aligned with the comments.

mod csv;
mod jsonl;
mod parquet;

use crate::error::{Error, Result};
use arrow::array::{new_null_array, ArrayRef, RecordBatch};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum InputFormat {
    Csv,
    Jsonl,
    Parquet,
}

impl InputFormat {
    /// From the file extension: .csv/.tsv? no: .csv, .jsonl/.ndjson/.json, .parquet/.pq.
    pub fn from_path(path: &Path) -> Option<InputFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "csv" | "txt" => Some(InputFormat::Csv),
            "jsonl" | "ndjson" | "json" => Some(InputFormat::Jsonl),
            "parquet" | "pq" => Some(InputFormat::Parquet),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Encoding {
    /// UTF-8 with or without BOM when the bytes are UTF-8, else GB18030.
    Auto,
    #[value(name = "utf-8", alias = "utf8")]
    Utf8,
    #[value(alias = "gbk", alias = "gb2312")]
    Gb18030,
}

#[derive(Debug, Clone)]
pub struct InputOptions {
    /// `None`: from each file's extension.
    pub format: Option<InputFormat>,
    pub id_col: String,
    pub text_col: String,
    pub encoding: Encoding,
    pub chunk_rows: usize,
}

impl Default for InputOptions {
    fn default() -> Self {
        InputOptions {
            format: None,
            id_col: "id".into(),
            text_col: "text".into(),
            encoding: Encoding::Auto,
            chunk_rows: 4096,
        }
    }
}

/// One row to analyse.
#[derive(Debug, Clone, PartialEq)]
pub struct Comment {
    pub id: String,
    pub text: String,
    /// Index of the input file in the run.
    pub file: usize,
    /// 0-based data row in that file (header and blank lines not counted).
    pub row: u64,
}

/// One row that could not be analysed, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Reject {
    pub file: usize,
    pub row: u64,
    /// 1-based line in the file where the row starts, for text formats.
    pub line: Option<u64>,
    pub reason: String,
    /// The first bytes of the raw row, lossily decoded.
    pub raw: String,
}

/// Output column names that pass-through columns must not shadow.
pub const RESERVED_COLUMNS: &[&str] = &[
    "comment_id",
    "source_file",
    "source_row",
    "lang",
    "sentiment",
    "sentiment_score",
    "n_mentions",
    "text",
    "lexicon_version",
    "model_version",
];

/// What probing found out about one file.
#[derive(Debug, Clone)]
pub struct FileInfo {
    pub path: PathBuf,
    pub format: InputFormat,
    /// For CSV: the encoding decided on.
    pub encoding: Option<Encoding>,
    /// Pass-through columns as named in the file, with their output types.
    pub passthrough: Vec<Field>,
    pub size: u64,
}

/// Rows of one file, in order: comments and their pass-through columns
/// (one batch row per comment), and the rows rejected on the way.
#[derive(Debug)]
pub struct FileChunk {
    pub comments: Vec<Comment>,
    pub passthrough: RecordBatch,
    pub rejects: Vec<Reject>,
    /// How far into the file this chunk ends, in bytes, for progress.
    pub progress: u64,
}

pub trait ChunkReader: Send {
    fn next_chunk(&mut self) -> Result<Option<FileChunk>>;
}

pub fn probe(path: &Path, opts: &InputOptions) -> Result<FileInfo> {
    let format = match opts.format {
        Some(f) => f,
        None => InputFormat::from_path(path).ok_or_else(|| {
            Error::input(
                path,
                "cannot tell the format from the extension; use --format csv|jsonl|parquet",
            )
        })?,
    };
    let size = std::fs::metadata(path)
        .map_err(|e| Error::io(path, e))?
        .len();
    let (encoding, columns) = match format {
        InputFormat::Csv => csv::probe(path, opts)?,
        InputFormat::Jsonl => (None, jsonl::probe(path, opts)?),
        InputFormat::Parquet => (None, parquet::probe(path, opts)?),
    };
    Ok(FileInfo {
        path: path.to_path_buf(),
        format,
        encoding,
        passthrough: columns,
        size,
    })
}

pub fn open(
    info: &FileInfo,
    file_index: usize,
    opts: &InputOptions,
) -> Result<Box<dyn ChunkReader>> {
    Ok(match info.format {
        InputFormat::Csv => Box::new(csv::CsvChunks::open(info, file_index, opts)?),
        InputFormat::Jsonl => Box::new(jsonl::JsonlChunks::open(info, file_index, opts)?),
        InputFormat::Parquet => Box::new(parquet::ParquetChunks::open(info, file_index, opts)?),
    })
}

/// The error for a missing id or text column: names the file and lists what
/// it has.
pub(crate) fn missing_column(path: &Path, role: &str, wanted: &str, found: &[String]) -> Error {
    let flag = if role == "id" {
        "--id-col"
    } else {
        "--text-col"
    };
    Error::input(
        path,
        format!(
            "no {role} column {wanted:?} (set it with {flag}); columns found: {}",
            found
                .iter()
                .map(|c| format!("{c:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    )
}

/// The output name of a pass-through column: reserved names get an `input_`
/// prefix, and a name already taken gets `_2`, `_3`…
pub(crate) fn passthrough_name(name: &str, taken: &[String]) -> String {
    let base = if RESERVED_COLUMNS.contains(&name) {
        format!("input_{name}")
    } else if name.is_empty() {
        "column".to_string()
    } else {
        name.to_string()
    };
    let mut candidate = base.clone();
    let mut n = 2;
    while taken.contains(&candidate) {
        candidate = format!("{base}_{n}");
        n += 1;
    }
    candidate
}

/// The pass-through schema of a whole run: every file's columns, first seen
/// first; a column whose type differs between files becomes a string.
pub fn unify_passthrough(files: &[FileInfo]) -> SchemaRef {
    let mut fields: Vec<Field> = Vec::new();
    for info in files {
        for f in &info.passthrough {
            match fields.iter_mut().find(|g| g.name() == f.name()) {
                Some(g) if g.data_type() != f.data_type() => {
                    *g = Field::new(g.name(), DataType::Utf8, true);
                }
                Some(_) => {}
                None => fields.push(f.clone().with_nullable(true)),
            }
        }
    }
    Arc::new(Schema::new(fields))
}

/// Arranges one file's pass-through batch in the run's schema: missing
/// columns are null, columns of another type are cast to the run's type.
pub fn conform(batch: &RecordBatch, schema: &SchemaRef) -> Result<Vec<ArrayRef>> {
    let rows = batch.num_rows();
    schema
        .fields()
        .iter()
        .map(|field| match batch.column_by_name(field.name()) {
            None => Ok(new_null_array(field.data_type(), rows)),
            Some(col) if col.data_type() == field.data_type() => Ok(col.clone()),
            Some(col) => arrow::compute::cast(col, field.data_type()).map_err(|e| {
                Error::Usage(format!(
                    "cannot convert column {:?} to {}: {e}",
                    field.name(),
                    field.data_type()
                ))
            }),
        })
        .collect()
}

/// The pass-through batch of a text format: one string column per builder,
/// `rows` rows (also when there are no columns at all).
pub(crate) fn string_batch(
    schema: &SchemaRef,
    builders: Vec<arrow::array::StringBuilder>,
    rows: usize,
) -> RecordBatch {
    let arrays: Vec<ArrayRef> = builders
        .into_iter()
        .map(|mut b| Arc::new(b.finish()) as ArrayRef)
        .collect();
    RecordBatch::try_new_with_options(
        schema.clone(),
        arrays,
        &arrow::array::RecordBatchOptions::new().with_row_count(Some(rows)),
    )
    .expect("one string builder per string field of the schema")
}

/// The first `max` bytes of a raw row, cut on a char boundary.
pub(crate) fn excerpt(raw: &str) -> String {
    const MAX: usize = 200;
    if raw.len() <= MAX {
        return raw.to_string();
    }
    let mut end = MAX;
    while !raw.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &raw[..end])
}
