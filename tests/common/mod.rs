//! Helpers shared by the integration tests: run the real binary in a temp
//! directory and read its Parquet back with the parquet crate.
#![allow(dead_code)]

use arrow::array::{Array, RecordBatch, StringArray, UInt64Array};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct Run {
    pub output: Output,
    pub out: PathBuf,
}

impl Run {
    pub fn code(&self) -> i32 {
        self.output.status.code().expect("voctag exited normally")
    }
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }
    pub fn report(&self) -> serde_json::Value {
        let text = std::fs::read_to_string(self.out.join("run.json")).expect("run.json exists");
        serde_json::from_str(&text).expect("run.json is JSON")
    }
}

pub fn voctag(args: &[&str], out: &Path) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_voctag"))
        .args(args)
        .arg("--out")
        .arg(out)
        .arg("--quiet")
        .output()
        .expect("voctag runs");
    Run {
        output,
        out: out.to_path_buf(),
    }
}

pub fn read_parquet(path: &Path) -> Vec<RecordBatch> {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    ParquetRecordBatchReaderBuilder::try_new(file)
        .expect("valid parquet")
        .build()
        .expect("reader builds")
        .collect::<Result<Vec<_>, _>>()
        .expect("batches read")
}

pub fn concat(batches: &[RecordBatch]) -> RecordBatch {
    let schema = batches[0].schema();
    arrow::compute::concat_batches(&schema, batches).expect("same schema")
}

pub fn strings(batch: &RecordBatch, col: &str) -> Vec<Option<String>> {
    let a = batch
        .column_by_name(col)
        .unwrap_or_else(|| panic!("no column {col}"));
    let a = a
        .as_any()
        .downcast_ref::<StringArray>()
        .expect("string column");
    (0..a.len())
        .map(|i| (!a.is_null(i)).then(|| a.value(i).to_string()))
        .collect()
}

pub fn u64s(batch: &RecordBatch, col: &str) -> Vec<u64> {
    let a = batch.column_by_name(col).expect("column exists");
    let a = a
        .as_any()
        .downcast_ref::<UInt64Array>()
        .expect("u64 column");
    a.values().to_vec()
}

pub fn testdata(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(rel)
}

/// A zstd Parquet file of (id, text) rows in row groups of 1000.
pub fn write_parquet(path: &std::path::Path, rows: &[(String, String)]) {
    write_parquet_with(
        path,
        rows,
        parquet::basic::Compression::ZSTD(Default::default()),
    )
}

/// A Parquet file of (id, text) rows in row groups of 1000, with `codec`.
pub fn write_parquet_with(
    path: &std::path::Path,
    rows: &[(String, String)],
    codec: parquet::basic::Compression,
) {
    use arrow::array::{RecordBatch, StringArray};
    use arrow::datatypes::{DataType, Field, Schema};
    use std::fs;
    use std::sync::Arc;
    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Utf8, false),
        Field::new("text", DataType::Utf8, true),
    ]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(StringArray::from_iter_values(rows.iter().map(|r| &r.0))),
            Arc::new(StringArray::from_iter_values(rows.iter().map(|r| &r.1))),
        ],
    )
    .unwrap();
    let props = parquet::file::properties::WriterProperties::builder()
        .set_compression(codec)
        .set_max_row_group_row_count(Some(1000))
        .build();
    let mut w =
        parquet::arrow::ArrowWriter::try_new(fs::File::create(path).unwrap(), schema, Some(props))
            .unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
}
