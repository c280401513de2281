//! `voctag query`: one SQL statement over the `comments` and `mentions`
//! tables of one or many runs (see [`crate::engine`]), printed as a table or
//! written as CSV or Parquet. For an analyst without DuckDB.

use crate::engine::Engine;
use crate::error::{Error, Result};
use arrow::array::RecordBatch;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryFormat {
    /// An aligned text table.
    Table,
    Csv,
    Parquet,
}

impl QueryFormat {
    /// The format a file name asks for: `.csv`, `.parquet`; else a table.
    pub fn from_path(path: &std::path::Path) -> QueryFormat {
        match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("csv") => QueryFormat::Csv,
            Some(e) if e.eq_ignore_ascii_case("parquet") => QueryFormat::Parquet,
            _ => QueryFormat::Table,
        }
    }
}

#[derive(Debug, Clone)]
pub struct QueryOptions {
    pub sql: String,
    pub runs: Vec<PathBuf>,
    pub format: QueryFormat,
    /// `None`: stdout.
    pub out: Option<PathBuf>,
}

/// Runs the query and writes its result; returns the number of rows.
pub fn run(opts: &QueryOptions) -> Result<u64> {
    if opts.format == QueryFormat::Parquet && opts.out.is_none() {
        return Err(Error::Usage(
            "Parquet output needs --out FILE (it is not written to a terminal)".into(),
        ));
    }
    let engine = Engine::open(&opts.runs)?;
    match &opts.out {
        Some(path) => {
            // Written under a temporary name and renamed at the end, so a
            // failed query leaves no complete-looking file.
            let tmp = path.with_extension("voctag-tmp");
            let file = std::fs::File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
            let result = write(&engine, opts, std::io::BufWriter::new(file));
            match result {
                Ok(rows) => {
                    std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))?;
                    Ok(rows)
                }
                Err(e) => {
                    let _ = std::fs::remove_file(&tmp);
                    Err(e)
                }
            }
        }
        None => write(&engine, opts, std::io::BufWriter::new(std::io::stdout())),
    }
}

fn write<W: Write + Send>(engine: &Engine, opts: &QueryOptions, mut out: W) -> Result<u64> {
    let target = opts
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("<stdout>"));
    let io = |e: std::io::Error| Error::io(&target, e);
    let parquet_err = |e: parquet::errors::ParquetError| Error::output(&target, e);
    let mut rows = 0u64;
    match opts.format {
        QueryFormat::Table => {
            let (schema, batches) = engine.sql_stream(
                &opts.sql,
                |schema| Ok((schema, Vec::<RecordBatch>::new())),
                |(_, batches), b| {
                    rows += b.num_rows() as u64;
                    batches.push(b.clone());
                    Ok(())
                },
            )?;
            let table = arrow::util::pretty::pretty_format_batches_with_schema(schema, &batches)?;
            writeln!(out, "{table}").map_err(io)?;
            writeln!(out, "{rows} row{}", if rows == 1 { "" } else { "s" }).map_err(io)?;
        }
        QueryFormat::Csv => {
            let (schema, mut writer) = engine.sql_stream(
                &opts.sql,
                |schema| {
                    let w = arrow::csv::WriterBuilder::new()
                        .with_header(true)
                        .build(&mut out);
                    Ok((schema, w))
                },
                |(_, w), b| {
                    rows += b.num_rows() as u64;
                    Ok(w.write(b)?)
                },
            )?;
            if rows == 0 {
                // An empty result still gets its header line.
                writer.write(&RecordBatch::new_empty(schema))?;
            }
        }
        QueryFormat::Parquet => {
            let writer = engine.sql_stream(
                &opts.sql,
                |schema| {
                    let props = parquet::file::properties::WriterProperties::builder()
                        .set_compression(parquet::basic::Compression::ZSTD(Default::default()))
                        .build();
                    parquet::arrow::ArrowWriter::try_new(&mut out, schema, Some(props))
                        .map_err(parquet_err)
                },
                |w, b| {
                    rows += b.num_rows() as u64;
                    w.write(b).map_err(parquet_err)
                },
            )?;
            writer.close().map_err(parquet_err)?;
        }
    }
    out.flush().map_err(io)?;
    Ok(rows)
}
