//! Parquet input: the id column may be of any type that casts to a string,
//! the text column must be a string column; every other column passes through
//! with its own type. A null text is an empty comment; a null id is a reject.

use super::{missing_column, passthrough_name, Comment, FileChunk, FileInfo, InputOptions, Reject};
use crate::error::{Error, Result};
use arrow::array::{Array, ArrayRef, BooleanArray, RecordBatch, RecordBatchOptions, StringArray};
use arrow::compute::{cast, filter};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};
use std::fs::File;
use std::path::Path;
use std::sync::Arc;

struct Layout {
    id: usize,
    text: usize,
    /// (column index in the file, output field)
    passthrough: Vec<(usize, Field)>,
}

fn layout(path: &Path, schema: &SchemaRef, opts: &InputOptions) -> Result<Layout> {
    let names: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
    let find = |n: &str| names.iter().position(|c| c == n);
    let id = find(&opts.id_col).ok_or_else(|| missing_column(path, "id", &opts.id_col, &names))?;
    let text =
        find(&opts.text_col).ok_or_else(|| missing_column(path, "text", &opts.text_col, &names))?;
    let text_type = schema.field(text).data_type();
    if !matches!(
        text_type,
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
    ) {
        return Err(Error::input(
            path,
            format!(
                "text column {:?} is {text_type}, not a string column",
                opts.text_col
            ),
        ));
    }
    if !arrow::compute::can_cast_types(schema.field(id).data_type(), &DataType::Utf8) {
        return Err(Error::input(
            path,
            format!(
                "id column {:?} is {}, which has no string form",
                opts.id_col,
                schema.field(id).data_type()
            ),
        ));
    }
    let mut passthrough: Vec<(usize, Field)> = Vec::new();
    for (i, f) in schema.fields().iter().enumerate() {
        if i == text {
            continue;
        }
        let taken: Vec<String> = passthrough.iter().map(|(_, f)| f.name().clone()).collect();
        let name = passthrough_name(f.name(), &taken);
        passthrough.push((i, f.as_ref().clone().with_name(name).with_nullable(true)));
    }
    Ok(Layout {
        id,
        text,
        passthrough,
    })
}

fn builder(path: &Path) -> Result<ParquetRecordBatchReaderBuilder<File>> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    ParquetRecordBatchReaderBuilder::try_new(file)
        .map_err(|e| Error::input(path, format!("not a readable Parquet file: {e}")))
}

pub(super) fn probe(path: &Path, opts: &InputOptions) -> Result<Vec<Field>> {
    let b = builder(path)?;
    let l = layout(path, b.schema(), opts)?;
    Ok(l.passthrough.into_iter().map(|(_, f)| f).collect())
}

pub(super) struct ParquetChunks {
    path: std::path::PathBuf,
    reader: ParquetRecordBatchReader,
    layout: Layout,
    schema: SchemaRef,
    file: usize,
    next_row: u64,
    total_rows: u64,
    size: u64,
}

impl ParquetChunks {
    pub(super) fn open(info: &FileInfo, file: usize, opts: &InputOptions) -> Result<Self> {
        let b = builder(&info.path)?;
        let layout = layout(&info.path, b.schema(), opts)?;
        let total_rows = b.metadata().file_metadata().num_rows().max(0) as u64;
        let schema = Arc::new(Schema::new(
            layout
                .passthrough
                .iter()
                .map(|(_, f)| f.clone())
                .collect::<Vec<_>>(),
        ));
        let reader = b
            .with_batch_size(opts.chunk_rows.max(1))
            .build()
            .map_err(|e| Error::input(&info.path, format!("cannot read: {e}")))?;
        Ok(ParquetChunks {
            path: info.path.clone(),
            reader,
            layout,
            schema,
            file,
            next_row: 0,
            total_rows,
            size: info.size,
        })
    }
}

fn as_strings(path: &Path, col: &ArrayRef) -> Result<StringArray> {
    let cast = cast(col, &DataType::Utf8)
        .map_err(|e| Error::input(path, format!("cannot read column as text: {e}")))?;
    Ok(cast
        .as_any()
        .downcast_ref::<StringArray>()
        .expect("cast to Utf8 gives a StringArray")
        .clone())
}

impl super::ChunkReader for ParquetChunks {
    fn next_chunk(&mut self) -> Result<Option<FileChunk>> {
        let Some(batch) = self.reader.next() else {
            return Ok(None);
        };
        let batch = batch.map_err(|e| Error::input(&self.path, format!("read error: {e}")))?;
        let ids = as_strings(&self.path, batch.column(self.layout.id))?;
        let texts = as_strings(&self.path, batch.column(self.layout.text))?;
        let mut comments = Vec::with_capacity(batch.num_rows());
        let mut rejects = Vec::new();
        let mut keep = Vec::with_capacity(batch.num_rows());
        for i in 0..batch.num_rows() {
            let row = self.next_row + i as u64;
            let id = (!ids.is_null(i))
                .then(|| ids.value(i).trim())
                .filter(|s| !s.is_empty());
            let text = if texts.is_null(i) { "" } else { texts.value(i) };
            match id {
                Some(id) => {
                    keep.push(true);
                    comments.push(Comment {
                        id: id.to_string(),
                        text: text.to_string(),
                        file: self.file,
                        row,
                    });
                }
                None => {
                    keep.push(false);
                    rejects.push(Reject {
                        file: self.file,
                        row,
                        line: None,
                        reason: "null or empty id".into(),
                        raw: super::excerpt(text),
                    });
                }
            }
        }
        self.next_row += batch.num_rows() as u64;
        let mask = BooleanArray::from(keep);
        let columns: Vec<ArrayRef> = self
            .layout
            .passthrough
            .iter()
            .map(|(i, _)| filter(batch.column(*i), &mask))
            .collect::<std::result::Result<_, _>>()
            .map_err(|e| Error::input(&self.path, format!("cannot filter rows: {e}")))?;
        let passthrough = RecordBatch::try_new_with_options(
            self.schema.clone(),
            columns,
            &RecordBatchOptions::new().with_row_count(Some(comments.len())),
        )
        .map_err(|e| Error::input(&self.path, format!("column layout: {e}")))?;
        let progress = (self.size * self.next_row)
            .checked_div(self.total_rows)
            .unwrap_or(self.size);
        Ok(Some(FileChunk {
            comments,
            passthrough,
            rejects,
            progress,
        }))
    }
}
