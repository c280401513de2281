//! Writes a Parquet copy of a UTF-8 CSV, every column a string:
//! `scripts/make-bench-corpus.sh` uses it for the bench corpus, so the
//! corpus exists in both input formats without pyarrow or any other tool.
//! It does not use voctag's own reader or writer on purpose: the corpus must
//! not depend on the code it measures.
//!
//! ```text
//! cargo run --release --example csv_to_parquet -- IN.csv OUT.parquet
//! ```

use arrow::array::{ArrayRef, RecordBatch, StringBuilder};
use arrow::datatypes::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;
use std::sync::Arc;

const BATCH_ROWS: usize = 8192;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, output] = args.as_slice() else {
        return Err("usage: csv_to_parquet IN.csv OUT.parquet".into());
    };
    let mut reader = csv::Reader::from_path(input)?;
    let headers = reader.headers()?.clone();
    let schema = Arc::new(Schema::new(
        headers
            .iter()
            .map(|h| Field::new(h, DataType::Utf8, false))
            .collect::<Vec<_>>(),
    ));
    let props = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::try_new(3)?))
        .build();
    let tmp = format!("{output}.tmp");
    let mut writer =
        ArrowWriter::try_new(std::fs::File::create(&tmp)?, schema.clone(), Some(props))?;
    let new_builders =
        || -> Vec<StringBuilder> { headers.iter().map(|_| StringBuilder::new()).collect() };
    let mut builders = new_builders();
    let mut rows = 0usize;
    let flush = |builders: &mut Vec<StringBuilder>,
                 writer: &mut ArrowWriter<_>|
     -> Result<(), Box<dyn std::error::Error>> {
        let columns: Vec<ArrayRef> = builders
            .iter_mut()
            .map(|b| Arc::new(b.finish()) as ArrayRef)
            .collect();
        writer.write(&RecordBatch::try_new(schema.clone(), columns)?)?;
        Ok(())
    };
    for record in reader.records() {
        let record = record?;
        for (b, field) in builders.iter_mut().zip(record.iter()) {
            b.append_value(field);
        }
        rows += 1;
        if rows.is_multiple_of(BATCH_ROWS) {
            flush(&mut builders, &mut writer)?;
        }
    }
    if !rows.is_multiple_of(BATCH_ROWS) {
        flush(&mut builders, &mut writer)?;
    }
    writer.close()?;
    std::fs::rename(&tmp, output)?;
    eprintln!("{output}: {rows} rows");
    Ok(())
}
