//! The output schema is a contract with analysts' queries: a change must be
//! deliberate. The golden files in `testdata/golden/` were written by
//! `voctag run testdata/golden/input.csv`; this test fails when a fresh run's
//! schema differs from theirs. To accept a deliberate change, bump
//! `SCHEMA_VERSION` and run `UPDATE_GOLDEN=1 cargo test --test schema`.

mod common;

use common::*;
use parquet::file::reader::{FileReader, SerializedFileReader};
use std::path::Path;

fn key_value(path: &Path, key: &str) -> Option<String> {
    let reader = SerializedFileReader::new(std::fs::File::open(path).unwrap()).unwrap();
    reader
        .metadata()
        .file_metadata()
        .key_value_metadata()?
        .iter()
        .find(|kv| kv.key == key)
        .and_then(|kv| kv.value.clone())
}

#[test]
fn the_output_schema_matches_the_golden_copy() {
    let dir = tempfile::TempDir::new().unwrap();
    let out = dir.path().join("out");
    let run = voctag(
        &["run", testdata("golden/input.csv").to_str().unwrap()],
        &out,
    );
    assert_eq!(run.code(), 0, "{}", run.stderr());
    for name in ["comments", "mentions", "rejects"] {
        let fresh = out.join(format!("{name}.parquet"));
        let golden = testdata(&format!(
            "golden/{name}_v{}.parquet",
            voctag::output::SCHEMA_VERSION
        ));
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::copy(&fresh, &golden).unwrap();
        }
        let schema = |p: &Path| {
            let f = std::fs::File::open(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            let b =
                parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(f).unwrap();
            b.schema()
                .fields()
                .iter()
                .map(|f| f.as_ref().clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            schema(&fresh),
            schema(&golden),
            "{name}.parquet schema changed"
        );
        assert_eq!(
            key_value(&fresh, "schema_version").as_deref(),
            Some(voctag::output::SCHEMA_VERSION)
        );
        assert_eq!(
            key_value(&golden, "schema_version"),
            key_value(&fresh, "schema_version")
        );
    }
}
