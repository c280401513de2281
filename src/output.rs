//! Stage 7, write: the Arrow schemas of the three output files and their
//! streaming Parquet writers.
//!
//! The schemas are the output contract documented in the README and versioned
//! by [`SCHEMA_VERSION`] in each file's key-value metadata; a golden copy in
//! `testdata/golden/` catches accidental changes. Strings are plain UTF-8
//! columns (every reader understands them); Parquet's dictionary encoding and
//! zstd keep low-cardinality columns such as `theme` and `lang` small.
//!
//! Dictionary encoding is switched off for the columns where nearly every
//! value is distinct ([`UNIQUE_COLUMNS`]: ids, comment texts, row numbers,
//! scores): there the writer would fill a dictionary page only to give it up
//! at 1 MB and fall back to plain encoding. Page statistics are switched off
//! only for free text ([`FREE_TEXT_COLUMNS`]), where min/max help no query;
//! ids, rows and scores keep them so that readers can prune row groups
//! (`WHERE sentiment_score < -0.5`). `evidence` and the spans keep their
//! dictionaries: several mentions share a clause, and without them
//! `mentions.parquet` grows by half.

use crate::error::{Error, Result};
use crate::input::{Comment, Reject};
use crate::lexicon::Lexicon;
use crate::pipeline::Analysis;
use arrow::array::{
    ArrayRef, BooleanBuilder, Float32Builder, RecordBatch, StringBuilder, UInt32Builder,
    UInt64Builder,
};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::schema::types::ColumnPath;
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Bump deliberately when a column is added, removed, renamed or retyped.
pub const SCHEMA_VERSION: &str = "3";

fn utf8(name: &str, nullable: bool) -> Field {
    Field::new(name, DataType::Utf8, nullable)
}

/// `comments.parquet`: the fixed columns around the run's pass-through ones.
pub fn comments_schema(passthrough: &Schema) -> SchemaRef {
    let mut fields = vec![
        utf8("comment_id", false),
        utf8("source_file", false),
        Field::new("source_row", DataType::UInt64, false),
        utf8("lang", false),
        utf8("sentiment", false),
        Field::new("sentiment_score", DataType::Float32, false),
        Field::new("n_mentions", DataType::UInt32, false),
        utf8("text", false),
    ];
    fields.extend(passthrough.fields().iter().map(|f| f.as_ref().clone()));
    fields.push(utf8("lexicon_version", false));
    fields.push(utf8("model_version", false));
    Arc::new(Schema::new(fields))
}

pub fn mentions_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        utf8("comment_id", false),
        utf8("source_file", false),
        Field::new("source_row", DataType::UInt64, false),
        utf8("theme", false),
        utf8("category", false),
        utf8("polarity", false),
        utf8("evidence", false),
        Field::new("span_start", DataType::UInt64, false),
        Field::new("span_end", DataType::UInt64, false),
        Field::new("negated", DataType::Boolean, false),
        utf8("cue", true),
        utf8("polarity_from", false),
        utf8("rule", false),
        utf8("rule_polarity", false),
    ]))
}

pub fn rejects_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        utf8("source_file", false),
        Field::new("source_row", DataType::UInt64, false),
        Field::new("line", DataType::UInt64, true),
        utf8("reason", false),
        utf8("raw", false),
    ]))
}

/// Versions written into every file's key-value metadata.
#[derive(Debug, Clone)]
pub struct Versions {
    pub lexicon: String,
    pub model: String,
}

/// Output columns whose values are (nearly) all distinct: no dictionary.
/// Every other column, pass-through ones included, keeps Parquet's default
/// (dictionary with fallback to plain), so `theme`, `category`, `polarity`, `lang`, `sentiment`, `rule`, `cue`
/// and the version columns are dictionary-encoded.
pub const UNIQUE_COLUMNS: &[&str] = &[
    "comment_id",
    "source_row",
    "sentiment_score",
    "text",
    "line",
    "raw",
];

/// Free-text output columns: no page statistics.
pub const FREE_TEXT_COLUMNS: &[&str] = &["text", "raw"];

/// zstd's fastest level. On the bench corpus level 3 took the writer 1.4 to
/// 1.7 times as long for output a quarter smaller (11.4 vs 14.9 MB for a
/// 21 MB CSV); the writer shares the cores with the analysis, and both sizes
/// stay well under the input's.
const ZSTD_LEVEL: i32 = 1;

fn properties(versions: &Versions) -> WriterProperties {
    let kv = |k: &str, v: &str| KeyValue::new(k.to_string(), v.to_string());
    let mut builder = WriterProperties::builder();
    for name in UNIQUE_COLUMNS {
        builder = builder.set_column_dictionary_enabled(ColumnPath::from(*name), false);
    }
    for name in FREE_TEXT_COLUMNS {
        builder =
            builder.set_column_statistics_enabled(ColumnPath::from(*name), EnabledStatistics::None);
    }
    builder
        .set_compression(Compression::ZSTD(
            ZstdLevel::try_new(ZSTD_LEVEL).expect("a valid zstd level"),
        ))
        .set_created_by(format!("voctag {}", env!("CARGO_PKG_VERSION")))
        .set_max_row_group_row_count(Some(128 * 1024))
        .set_key_value_metadata(Some(vec![
            kv("schema_version", SCHEMA_VERSION),
            kv("voctag_version", env!("CARGO_PKG_VERSION")),
            kv("lexicon_version", &versions.lexicon),
            kv("model_version", &versions.model),
        ]))
        .build()
}

/// A Parquet file being written under a temporary name.
pub struct ParquetSink {
    path: PathBuf,
    writer: ArrowWriter<BufWriter<File>>,
    pub rows: u64,
}

impl ParquetSink {
    pub fn create(path: &Path, schema: SchemaRef, versions: &Versions) -> Result<ParquetSink> {
        let file = File::create(path).map_err(|e| Error::io(path, e))?;
        let writer = ArrowWriter::try_new(BufWriter::new(file), schema, Some(properties(versions)))
            .map_err(|e| Error::output(path, e))?;
        Ok(ParquetSink {
            path: path.to_path_buf(),
            writer,
            rows: 0,
        })
    }

    pub fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        self.rows += batch.num_rows() as u64;
        self.writer
            .write(batch)
            .map_err(|e| Error::output(&self.path, e))
    }

    pub fn finish(self) -> Result<()> {
        let path = self.path;
        let inner = self
            .writer
            .into_inner()
            .map_err(|e| Error::output(&path, e))?;
        let file = inner
            .into_inner()
            .map_err(|e| Error::output(&path, e.error()))?;
        file.sync_all().map_err(|e| Error::io(&path, e))
    }
}

/// Builds the comment and mention batches of one analysed chunk.
pub fn chunk_batches(
    comments: &[Comment],
    analyses: &[Analysis],
    passthrough: Vec<ArrayRef>,
    source_files: &[String],
    lexicon: &Lexicon,
    versions: &Versions,
    comments_schema: &SchemaRef,
) -> Result<(RecordBatch, RecordBatch)> {
    let n = comments.len();
    let mut id = StringBuilder::with_capacity(n, n * 8);
    let mut file = StringBuilder::with_capacity(n, n * 16);
    let mut row = UInt64Builder::with_capacity(n);
    let mut lang = StringBuilder::with_capacity(n, n * 2);
    let mut sentiment = StringBuilder::with_capacity(n, n * 8);
    let mut score = Float32Builder::with_capacity(n);
    let mut n_mentions = UInt32Builder::with_capacity(n);
    let mut text = StringBuilder::with_capacity(n, comments.iter().map(|c| c.text.len()).sum());
    let mut lex = StringBuilder::with_capacity(n, n * versions.lexicon.len());
    let mut model = StringBuilder::with_capacity(n, n * versions.model.len());

    let m_total: usize = analyses.iter().map(|a| a.mentions.len()).sum();
    let mut m_id = StringBuilder::with_capacity(m_total, m_total * 8);
    let mut m_file = StringBuilder::with_capacity(m_total, m_total * 16);
    let mut m_row = UInt64Builder::with_capacity(m_total);
    let mut m_theme = StringBuilder::new();
    let mut m_category = StringBuilder::new();
    let mut m_polarity = StringBuilder::new();
    let mut m_evidence = StringBuilder::new();
    let mut m_start = UInt64Builder::with_capacity(m_total);
    let mut m_end = UInt64Builder::with_capacity(m_total);
    let mut m_negated = BooleanBuilder::with_capacity(m_total);
    let mut m_cue = StringBuilder::new();
    let mut m_from = StringBuilder::new();
    let mut m_rule = StringBuilder::new();
    let mut m_rule_polarity = StringBuilder::new();

    for (c, a) in comments.iter().zip(analyses) {
        let source = &source_files[c.file];
        id.append_value(&c.id);
        file.append_value(source);
        row.append_value(c.row);
        lang.append_value(a.lang.as_str());
        sentiment.append_value(a.sentiment.label.as_str());
        score.append_value(a.sentiment.score);
        n_mentions.append_value(a.mentions.len() as u32);
        text.append_value(&c.text);
        lex.append_value(&versions.lexicon);
        model.append_value(&versions.model);
        for m in &a.mentions {
            let theme = &lexicon.themes[m.theme];
            let rule = match m.term {
                Some(t) => lexicon.terms[t]
                    .as_ref()
                    .expect("mentions come from terms, not exclusions")
                    .rule
                    .as_str(),
                None => crate::theme_model::RULE,
            };
            m_id.append_value(&c.id);
            m_file.append_value(source);
            m_row.append_value(c.row);
            m_theme.append_value(&theme.id);
            m_category.append_value(&theme.category);
            m_polarity.append_value(m.polarity.as_str());
            m_evidence.append_value(&c.text[m.evidence.clone()]);
            m_start.append_value(m.span.start as u64);
            m_end.append_value(m.span.end as u64);
            m_negated.append_value(m.negated);
            m_cue.append_option(m.cue.clone().map(|r| &c.text[r]));
            m_from.append_value(m.from.as_str());
            m_rule.append_value(rule);
            m_rule_polarity.append_value(m.lexicon_polarity().as_str());
        }
    }

    let mut columns: Vec<ArrayRef> = vec![
        Arc::new(id.finish()),
        Arc::new(file.finish()),
        Arc::new(row.finish()),
        Arc::new(lang.finish()),
        Arc::new(sentiment.finish()),
        Arc::new(score.finish()),
        Arc::new(n_mentions.finish()),
        Arc::new(text.finish()),
    ];
    columns.extend(passthrough);
    columns.push(Arc::new(lex.finish()));
    columns.push(Arc::new(model.finish()));
    let comments_batch = RecordBatch::try_new(comments_schema.clone(), columns)
        .map_err(|e| Error::Usage(format!("internal: comments batch: {e}")))?;

    let mentions_batch = RecordBatch::try_new(
        mentions_schema(),
        vec![
            Arc::new(m_id.finish()),
            Arc::new(m_file.finish()),
            Arc::new(m_row.finish()),
            Arc::new(m_theme.finish()),
            Arc::new(m_category.finish()),
            Arc::new(m_polarity.finish()),
            Arc::new(m_evidence.finish()),
            Arc::new(m_start.finish()),
            Arc::new(m_end.finish()),
            Arc::new(m_negated.finish()),
            Arc::new(m_cue.finish()),
            Arc::new(m_from.finish()),
            Arc::new(m_rule.finish()),
            Arc::new(m_rule_polarity.finish()),
        ],
    )
    .map_err(|e| Error::Usage(format!("internal: mentions batch: {e}")))?;
    Ok((comments_batch, mentions_batch))
}

pub fn rejects_batch(rejects: &[Reject], source_files: &[String]) -> Result<RecordBatch> {
    let mut file = StringBuilder::new();
    let mut row = UInt64Builder::new();
    let mut line = UInt64Builder::new();
    let mut reason = StringBuilder::new();
    let mut raw = StringBuilder::new();
    for r in rejects {
        file.append_value(&source_files[r.file]);
        row.append_value(r.row);
        line.append_option(r.line);
        reason.append_value(&r.reason);
        raw.append_value(&r.raw);
    }
    RecordBatch::try_new(
        rejects_schema(),
        vec![
            Arc::new(file.finish()),
            Arc::new(row.finish()),
            Arc::new(line.finish()),
            Arc::new(reason.finish()),
            Arc::new(raw.finish()),
        ],
    )
    .map_err(|e| Error::Usage(format!("internal: rejects batch: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::Pipeline;
    use parquet::file::reader::{FileReader, SerializedFileReader};

    /// (column name, has a dictionary page, has statistics, compression) of
    /// every column chunk.
    fn column_chunks(path: &Path) -> Vec<(String, bool, bool, Compression)> {
        let reader = SerializedFileReader::new(File::open(path).unwrap()).unwrap();
        let rg = reader.metadata().row_group(0);
        rg.columns()
            .iter()
            .map(|c| {
                (
                    c.column_path().string(),
                    c.dictionary_page_offset().is_some(),
                    c.statistics().is_some(),
                    c.compression(),
                )
            })
            .collect()
    }

    #[test]
    fn low_cardinality_columns_are_dictionary_encoded_and_free_text_has_no_statistics() {
        let p = Pipeline::bundled().unwrap();
        let texts = [
            "回复太慢了，态度也差",
            "the hotline kept me on hold",
            "前台很好，但是客房很脏",
        ];
        let comments: Vec<Comment> = (0..300)
            .map(|i| Comment {
                id: format!("c{i}"),
                text: format!("{} #{i}", texts[i % texts.len()]),
                file: 0,
                row: i as u64,
            })
            .collect();
        let analyses: Vec<Analysis> = comments.iter().map(|c| p.analyze(&c.text)).collect();
        let versions = Versions {
            lexicon: p.lexicon().version.clone(),
            model: p.model_version().to_string(),
        };
        let schema = comments_schema(&Schema::empty());
        let (c, m) = chunk_batches(
            &comments,
            &analyses,
            Vec::new(),
            &["in.csv".to_string()],
            p.lexicon(),
            &versions,
            &schema,
        )
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        for (name, schema, batch) in [("c", schema, c), ("m", mentions_schema(), m)] {
            let path = dir.path().join(name);
            let mut sink = ParquetSink::create(&path, schema, &versions).unwrap();
            sink.write(&batch).unwrap();
            sink.finish().unwrap();
            for (column, dictionary, statistics, compression) in column_chunks(&path) {
                assert!(matches!(compression, Compression::ZSTD(_)), "{column}");
                let free_text = FREE_TEXT_COLUMNS.contains(&column.as_str());
                assert_eq!(statistics, !free_text, "{column}: statistics");
                if column == "negated" {
                    continue; // booleans are bit-packed, never dictionary-encoded
                }
                let unique = UNIQUE_COLUMNS.contains(&column.as_str());
                assert_eq!(dictionary, !unique, "{column}: dictionary page");
            }
        }
    }
}
