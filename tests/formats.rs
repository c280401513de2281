//! The same comments as CSV (UTF-8, UTF-8 with BOM, GB18030), JSONL and
//! Parquet must give the same analyses: every input path ends in one answer.

mod common;

use common::*;
use std::fs;
use tempfile::TempDir;

/// (id, text) of the bundled sample, all of whose texts GB18030 can encode.
fn sample() -> Vec<(String, String)> {
    let mut r = csv::Reader::from_path(testdata("comments_sample.csv")).unwrap();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            (rec[0].to_string(), rec[1].to_string())
        })
        .collect()
}

fn csv_bytes(rows: &[(String, String)]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["id", "text"]).unwrap();
    for (id, text) in rows {
        w.write_record([id, text]).unwrap();
    }
    w.into_inner().unwrap()
}

/// What must not depend on the input format: per comment, and per mention.
type Columns = Vec<Vec<Option<String>>>;

fn analyses(out: &std::path::Path) -> (Columns, Columns) {
    let c = concat(&read_parquet(&out.join("comments.parquet")));
    let comment_cols = ["comment_id", "lang", "sentiment", "text"];
    let mut comments: Columns = comment_cols.iter().map(|col| strings(&c, col)).collect();
    comments.push(
        u64s(&c, "source_row")
            .iter()
            .map(|r| Some(r.to_string()))
            .collect(),
    );
    let m = concat(&read_parquet(&out.join("mentions.parquet")));
    let mention_cols = ["comment_id", "theme", "polarity", "evidence", "cue", "rule"];
    let mut mentions: Columns = mention_cols.iter().map(|col| strings(&m, col)).collect();
    mentions.push(
        u64s(&m, "span_start")
            .iter()
            .map(|r| Some(r.to_string()))
            .collect(),
    );
    (comments, mentions)
}

#[test]
fn every_format_and_encoding_gives_the_same_analyses() {
    let rows = sample();
    let dir = TempDir::new().unwrap();
    let utf8 = csv_bytes(&rows);
    let text = String::from_utf8(utf8.clone()).unwrap();

    let files = [
        ("utf8.csv", utf8.clone()),
        ("bom.csv", [b"\xEF\xBB\xBF".as_slice(), &utf8].concat()),
        ("gbk.csv", encoding_rs::GB18030.encode(&text).0.into_owned()),
        (
            "lines.jsonl",
            rows.iter()
                .map(|(id, text)| serde_json::json!({ "id": id, "text": text }).to_string() + "\n")
                .collect::<String>()
                .into_bytes(),
        ),
    ];
    let mut results = Vec::new();
    for (name, bytes) in &files {
        let path = dir.path().join(name);
        fs::write(&path, bytes).unwrap();
        let out = dir.path().join(format!("out-{name}"));
        let run = voctag(&["run", path.to_str().unwrap()], &out);
        assert_eq!(run.code(), 0, "{name}: {}", run.stderr());
        results.push((name.to_string(), analyses(&out)));
    }
    let pq = dir.path().join("table.parquet");
    write_parquet(&pq, &rows);
    let out = dir.path().join("out-parquet");
    let run = voctag(&["run", pq.to_str().unwrap(), "--chunk-rows", "50"], &out);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    results.push(("table.parquet".into(), analyses(&out)));

    let (first_name, first) = &results[0];
    assert_eq!(first.0[0].len(), rows.len());
    for (name, other) in &results[1..] {
        assert_eq!(first, other, "{name} differs from {first_name}");
    }
    let report: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.path().join("out-gbk.csv/run.json")).unwrap())
            .unwrap();
    assert_eq!(report["files"][0]["encoding"], "gb18030");
}

/// Parquet as other tools write it: Snappy (DuckDB, Spark and pandas'
/// default), gzip, LZ4 and Brotli must all read.
#[test]
fn parquet_in_every_common_compression_reads() {
    use parquet::basic::{BrotliLevel, Compression, GzipLevel};
    let rows = sample();
    let dir = TempDir::new().unwrap();
    for (name, codec) in [
        ("snappy", Compression::SNAPPY),
        ("gzip", Compression::GZIP(GzipLevel::default())),
        ("lz4", Compression::LZ4_RAW),
        ("brotli", Compression::BROTLI(BrotliLevel::default())),
        ("none", Compression::UNCOMPRESSED),
    ] {
        let path = dir.path().join(format!("{name}.parquet"));
        write_parquet_with(&path, &rows[..20], codec);
        let out = dir.path().join(format!("out-{name}"));
        let run = voctag(&["run", path.to_str().unwrap()], &out);
        assert_eq!(run.code(), 0, "{name}: {}", run.stderr());
        assert_eq!(run.report()["rows_analysed"], 20, "{name}");
    }
}

#[test]
fn parquet_pass_through_columns_keep_their_types() {
    use arrow::array::{Int64Array, RecordBatch, StringArray};
    use arrow::datatypes::{DataType, Field, Schema};
    use std::sync::Arc;
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("typed.parquet");
    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, false),
        Field::new("text", DataType::Utf8, true),
        Field::new("nps", DataType::Int64, true),
        Field::new("sentiment", DataType::Utf8, true),
    ]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(Int64Array::from(vec![10, 11])),
            Arc::new(StringArray::from(vec![Some("退款一直没到账"), None])),
            Arc::new(Int64Array::from(vec![Some(3), None])),
            Arc::new(StringArray::from(vec!["neg", "pos"])),
        ],
    )
    .unwrap();
    let mut w =
        parquet::arrow::ArrowWriter::try_new(fs::File::create(&path).unwrap(), schema, None)
            .unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();

    let out = dir.path().join("out");
    let run = voctag(&["run", path.to_str().unwrap()], &out);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    let c = concat(&read_parquet(&out.join("comments.parquet")));
    let schema = c.schema();
    assert_eq!(
        schema.field_with_name("id").unwrap().data_type(),
        &DataType::Int64
    );
    assert_eq!(
        schema.field_with_name("nps").unwrap().data_type(),
        &DataType::Int64
    );
    // A pass-through column named like an output column is prefixed, not lost.
    assert_eq!(
        strings(&c, "input_sentiment"),
        [Some("neg".into()), Some("pos".into())]
    );
    assert_eq!(
        strings(&c, "comment_id"),
        [Some("10".into()), Some("11".into())]
    );
    assert_eq!(
        strings(&c, "text")[1].as_deref(),
        Some(""),
        "a null text is an empty comment"
    );
}
