//! The query engine behind `voctag report` and `voctag query`: Apache
//! DataFusion over the Parquet of one or many run directories, with two
//! tables, `comments` and `mentions`.
//!
//! A run directory is one that holds `comments.parquet` and
//! `mentions.parquet` (what `voctag run --out DIR` writes). A directory given
//! on the command line that is not itself a run is searched for runs below
//! it, so `/data/voc/` finds every `/data/voc/run_date=…/`. Every row of both
//! tables gets a `run_dir` column (the run directory as found), and every
//! `key=value` component of the run directory's path becomes a string column
//! `key` (Hive-style partitions, as DuckDB reads them with
//! `hive_partitioning`). Runs whose pass-through columns differ are unioned
//! by column name; a column missing from a run is null there.
//!
//! A comment is identified by `(run_dir, source_file, source_row)`: ids may
//! repeat, and two nightly runs may read files with the same name.
//!
//! DataFusion is async; the async stays inside this module. [`Engine`] owns
//! a tokio runtime and blocks on it, so callers are plain sync code.

use crate::error::{Error, Result};
use arrow::array::RecordBatch;
use arrow::datatypes::SchemaRef;
use datafusion::prelude::{lit, DataFrame, ParquetReadOptions, SessionConfig, SessionContext};
use futures::StreamExt;
use std::path::{Path, PathBuf};

/// How deep below a given directory runs are searched for
/// (`root/year=2026/month=11/day=22/` is three levels).
const MAX_SEARCH_DEPTH: usize = 4;

/// One run directory and the Hive-style partition values in its path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunDir {
    pub path: PathBuf,
    /// `key=value` components of `path`, outermost first.
    pub partitions: Vec<(String, String)>,
}

impl RunDir {
    fn new(path: PathBuf) -> RunDir {
        let partitions = path
            .components()
            .filter_map(|c| c.as_os_str().to_str())
            .filter_map(|c| c.split_once('='))
            .filter(|(k, _)| is_identifier(k))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        RunDir { path, partitions }
    }

    /// The `run_dir` column value: the path as found, without a trailing `/`.
    pub fn label(&self) -> String {
        self.path.display().to_string()
    }
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn is_run(dir: &Path) -> bool {
    dir.join("comments.parquet").is_file()
}

/// The runs named by the command line: each argument is a run directory, or a
/// directory with runs below it. Sorted by path, each run once.
pub fn find_runs(args: &[PathBuf]) -> Result<Vec<RunDir>> {
    let mut runs: Vec<PathBuf> = Vec::new();
    for arg in args {
        let meta = std::fs::metadata(arg).map_err(|e| Error::io(arg, e))?;
        if !meta.is_dir() {
            return Err(Error::input(
                arg,
                "not a directory: give a run directory (the --out of `voctag run`) or a directory of runs",
            ));
        }
        let before = runs.len();
        if is_run(arg) {
            runs.push(arg.clone());
        } else {
            search(arg, MAX_SEARCH_DEPTH, &mut runs)?;
        }
        if runs.len() == before {
            return Err(Error::input(
                arg,
                "no voctag run here: no comments.parquet in it or in its subdirectories",
            ));
        }
    }
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for path in runs {
        let clean: PathBuf = path.components().collect();
        let key = std::fs::canonicalize(&clean).unwrap_or_else(|_| clean.clone());
        if !seen.insert(key) {
            continue;
        }
        let mentions = clean.join("mentions.parquet");
        if !mentions.is_file() {
            return Err(Error::input(
                &mentions,
                "missing: a run directory needs both comments.parquet and mentions.parquet",
            ));
        }
        out.push(RunDir::new(clean));
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

fn search(dir: &Path, depth: usize, runs: &mut Vec<PathBuf>) -> Result<()> {
    if depth == 0 {
        return Ok(());
    }
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    let mut subdirs: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    subdirs.sort();
    for sub in subdirs {
        if is_run(&sub) {
            runs.push(sub);
        } else {
            search(&sub, depth - 1, runs)?;
        }
    }
    Ok(())
}

/// A DataFusion session with `comments` and `mentions` registered over a set
/// of runs. Every method blocks until its query has finished.
pub struct Engine {
    runtime: tokio::runtime::Runtime,
    ctx: SessionContext,
    runs: Vec<RunDir>,
}

impl Engine {
    /// Finds the runs under `args` and registers their tables.
    pub fn open(args: &[PathBuf]) -> Result<Engine> {
        let runs = find_runs(args)?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::Query(format!("cannot start the query runtime: {e}")))?;
        let mut config = SessionConfig::new().with_information_schema(true);
        // Plain Utf8 rather than Utf8View: `voctag query --out x.parquet`
        // then writes strings that every Parquet reader knows, and DESCRIBE
        // shows the types voctag wrote.
        config
            .options_mut()
            .execution
            .parquet
            .schema_force_view_types = false;
        let ctx = SessionContext::new_with_config(config);
        runtime.block_on(register(&ctx, &runs))?;
        Ok(Engine { runtime, ctx, runs })
    }

    pub fn runs(&self) -> &[RunDir] {
        &self.runs
    }

    /// Runs one SQL statement and collects its result.
    pub fn sql(&self, sql: &str) -> Result<Vec<RecordBatch>> {
        self.runtime.block_on(async {
            let df = self.ctx.sql(sql).await?;
            Ok(df.collect().await?)
        })
    }

    /// Runs one SQL statement and hands its result to a sink batch by batch,
    /// so a large result never has to fit in memory: `start` makes the sink
    /// from the result's schema, `each` takes every batch. Returns the sink.
    pub fn sql_stream<S>(
        &self,
        sql: &str,
        start: impl FnOnce(SchemaRef) -> Result<S>,
        mut each: impl FnMut(&mut S, &RecordBatch) -> Result<()>,
    ) -> Result<S> {
        self.runtime.block_on(async {
            let df = self.ctx.sql(sql).await?;
            let mut stream = df.execute_stream().await?;
            let mut sink = start(stream.schema())?;
            while let Some(batch) = stream.next().await {
                each(&mut sink, &batch?)?;
            }
            Ok(sink)
        })
    }

    /// The columns of a registered table, in order.
    pub fn columns(&self, table: &str) -> Result<Vec<String>> {
        self.runtime.block_on(async {
            let df = self.ctx.table(table).await?;
            Ok(df
                .schema()
                .fields()
                .iter()
                .map(|f| f.name().clone())
                .collect())
        })
    }
}

async fn register(ctx: &SessionContext, runs: &[RunDir]) -> Result<()> {
    for table in ["comments", "mentions"] {
        let mut all: Option<DataFrame> = None;
        for run in runs {
            let file = run.path.join(format!("{table}.parquet"));
            let abs = std::path::absolute(&file).map_err(|e| Error::io(&file, e))?;
            let path = abs
                .to_str()
                .ok_or_else(|| Error::input(&file, "path is not valid UTF-8"))?;
            let mut df = ctx
                .read_parquet(path, ParquetReadOptions::default())
                .await
                .map_err(|e| Error::input(&file, e.to_string()))?;
            df = df.with_column("run_dir", lit(run.label()))?;
            for (key, value) in &run.partitions {
                let taken = df.schema().fields().iter().any(|f| f.name() == key);
                if !taken {
                    df = df.with_column(key, lit(value.as_str()))?;
                }
            }
            all = Some(match all {
                None => df,
                Some(acc) => acc.union_by_name(df)?,
            });
        }
        let df = all.expect("find_runs returns at least one run");
        ctx.register_table(table, df.into_view())?;
    }
    Ok(())
}

/// Quotes an identifier for SQL: `"name"`, with inner quotes doubled.
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Quotes a string literal for SQL: `'text'`, with inner quotes doubled.
pub fn quote_str(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partitions_come_from_key_value_components() {
        let run = RunDir::new(PathBuf::from("/data/voc/year=2026/run_date=2026-11-22"));
        assert_eq!(
            run.partitions,
            vec![
                ("year".to_string(), "2026".to_string()),
                ("run_date".to_string(), "2026-11-22".to_string())
            ]
        );
        assert!(RunDir::new(PathBuf::from("out/a=b=c")).partitions == [("a".into(), "b=c".into())]);
        assert!(RunDir::new(PathBuf::from("out/1x=2")).partitions.is_empty());
    }

    #[test]
    fn quoting_doubles_the_quote_character() {
        assert_eq!(quote_ident("a\"b"), "\"a\"\"b\"");
        assert_eq!(quote_str("it's"), "'it''s'");
    }

    #[test]
    fn a_directory_without_runs_is_an_error_that_names_it() {
        let dir = tempfile::TempDir::new().unwrap();
        let err = find_runs(&[dir.path().to_path_buf()]).unwrap_err();
        assert!(err.to_string().contains("no voctag run here"), "{err}");
    }

    #[test]
    fn runs_below_a_directory_are_found_sorted_and_once() {
        let dir = tempfile::TempDir::new().unwrap();
        for d in ["run_date=2026-11-23", "run_date=2026-11-22", "notes"] {
            std::fs::create_dir(dir.path().join(d)).unwrap();
        }
        for d in ["run_date=2026-11-23", "run_date=2026-11-22"] {
            for f in ["comments.parquet", "mentions.parquet"] {
                std::fs::write(dir.path().join(d).join(f), b"").unwrap();
            }
        }
        let one = dir.path().join("run_date=2026-11-22");
        let runs = find_runs(&[dir.path().to_path_buf(), one]).unwrap();
        let names: Vec<_> = runs
            .iter()
            .map(|r| r.partitions[0].1.as_str())
            .collect::<Vec<_>>();
        assert_eq!(names, ["2026-11-22", "2026-11-23"]);
    }
}
