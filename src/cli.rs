//! The command line: clap types that hold exactly what the user typed, and
//! their resolution into library options (`RunOptions`, a loaded `Pipeline`).
//! The library never sees clap types beyond this module.

use crate::error::Result;
use crate::input::{Encoding, InputFormat, InputOptions};
use crate::lexicon::Lexicon;
use crate::pipeline::Pipeline;
use crate::run::RunOptions;
use crate::sentiment::Model;
use crate::train::TrainOptions;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::time::Instant;

/// Tag customer feedback with themes, polarity and sentiment.
///
/// voctag reads comment exports (CSV from Excel in UTF-8 or GB18030, JSONL,
/// Parquet) in Chinese, English or both, finds mentions of the 18 service,
/// process, product, logistics and environment themes with the polarity of
/// what each clause says about them, scores each comment's sentiment, and
/// writes Parquet that DuckDB, Polars, pandas and Spark read directly.
///
/// Exit codes: 0 all rows analysed, 1 some rows rejected (see
/// rejects.parquet), 2 fatal or usage error (nothing written).
#[derive(Debug, Parser)]
#[command(name = "voctag", version, about, long_about, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Analyse comment exports and write comments.parquet, mentions.parquet,
    /// rejects.parquet and run.json.
    ///
    /// Example:
    ///   voctag run exports/2026-11-22/*.csv --out /data/voc/run_date=2026-11-22/ --report json
    Run(RunArgs),

    /// Score the tagger against hand-labelled gold comments (JSONL with id,
    /// lang, text, sentiment and themes, as in testdata/eval/).
    ///
    /// Without --pred, runs the pipeline over the gold texts; with --pred,
    /// scores a run directory's Parquet instead.
    ///
    /// Example:
    ///   voctag eval testdata/eval/holdout.jsonl --errors 20
    Eval(EvalArgs),

    /// Train the linear sentiment model on labelled JSONL and write a model
    /// file (deterministic: same data, lexicons and seed, same bytes).
    ///
    /// Example (the shipped model's recipe, in full in
    /// scripts/reproduce-model.sh and models/README.md):
    ///   scripts/fetch-corpora.sh
    ///   voctag train --data target/corpora/train.jsonl --data testdata/eval/dev.jsonl@3 \
    ///     --data testdata/sentiment/zh_written.jsonl@3 [… every labelled round] \
    ///     --theme-background target/corpora/theme_background.jsonl --ensemble 5 \
    ///     --calibrate target/corpora/valid.jsonl --l2 3e-5 --nb-weight 0.3 \
    ///     --out models/sentiment-linear.bin
    Train(TrainArgs),

    /// The analyst's report from one or many runs: overview, themes with
    /// evidence, key drivers, priority matrix, segments and trends, as one
    /// self-contained HTML file (inline SVG charts), Markdown or JSON.
    ///
    /// RUN_DIR is a run's --out directory, or a directory with runs below it
    /// (e.g. nightly run_date=…/ partitions). Pass-through columns of the
    /// input name the score, date and segments.
    ///
    /// Example:
    ///   voctag report out/ --score-col nps --date-col created_at --by channel --out report.html
    Report(ReportArgs),

    /// Run one SQL statement over the runs' `comments` and `mentions` tables
    /// (Apache DataFusion SQL) and print a table or write CSV or Parquet.
    ///
    /// Join the two tables on (run_dir, source_file, source_row). Every row
    /// has run_dir, and each key=value directory name in a run's path becomes
    /// a column. `DESCRIBE comments` lists the columns.
    ///
    /// Example:
    ///   voctag query "select theme, count(*) from mentions group by theme" out/
    Query(QueryArgs),

    /// Work with lexicon directories (the ones `run --lexicons DIR` reads).
    Lexicon(LexiconArgs),
}

#[derive(Debug, Args)]
pub struct LexiconArgs {
    #[command(subcommand)]
    pub command: LexiconCommand,
}

#[derive(Debug, Subcommand)]
pub enum LexiconCommand {
    /// Validate lexicon directories and list every problem on stderr, one
    /// per line as `file:line: error|warning: message: value`.
    ///
    /// Reads the directories as `voctag run --lexicons DIR` would (on top of
    /// the bundled lexicons unless --no-bundled-lexicons) and reports: TOML
    /// syntax, unknown fields, bad polarity or category values, duplicate and
    /// conflicting terms (a term twice, in two themes, with two polarities, or
    /// also an exclusion), themes without terms, and golden comments that do
    /// not tag as their `expect` says (expected vs got). Warnings (a category
    /// outside THEMES.md's, a one-character Chinese term, a new theme without
    /// golden comments) do not fail the check.
    ///
    /// Exit codes: 0 no errors, 1 errors found, 2 usage error.
    ///
    /// Example:
    ///   voctag lexicon check my-lexicons/
    Check(LexiconCheckArgs),
}

#[derive(Debug, Args)]
pub struct LexiconCheckArgs {
    /// Lexicon directories, in the order `--lexicons` would load them.
    #[arg(required = true, value_name = "DIR")]
    pub dirs: Vec<PathBuf>,

    /// Check the directories alone, as `run --no-bundled-lexicons` loads them.
    #[arg(long)]
    pub no_bundled_lexicons: bool,

    /// The model file `run` will use (default: the bundled model): its
    /// theme heads may veto a golden comment's theme, which is a warning.
    #[arg(long, value_name = "PATH")]
    pub model: Option<PathBuf>,
}

impl LexiconCheckArgs {
    pub fn execute(&self) -> Result<crate::lexicon::check::CheckReport> {
        let model = Model::from_file_or_bundled(self.model.as_deref())?;
        crate::lexicon::check::check(&self.dirs, !self.no_bundled_lexicons, model)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScoreKindArg {
    /// 0–10: NPS = % promoters (9–10) − % detractors (0–6).
    Nps,
    /// 1–5: CSAT = % of 4 and 5.
    Csat,
    /// Customer effort: the mean score (lower is better).
    Ces,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PeriodArg {
    Day,
    Week,
    Month,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormatArg {
    Html,
    Md,
    Json,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Run directories, or directories with runs below them.
    #[arg(required = true, value_name = "RUN_DIR")]
    pub runs: Vec<PathBuf>,

    /// Write the report here; default: stdout.
    #[arg(long, short, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// Output format; default: from the --out extension (.html, .md,
    /// .json), else html.
    #[arg(long, value_enum)]
    pub format: Option<ReportFormatArg>,

    /// Column with a satisfaction score (text or number; what does not
    /// parse, or is out of range, counts as unscored).
    #[arg(long, value_name = "COL", help_heading = "Columns")]
    pub score_col: Option<String>,

    /// How to read --score-col.
    #[arg(long, value_enum, default_value_t = ScoreKindArg::Nps, requires = "score_col", help_heading = "Columns")]
    pub score_kind: ScoreKindArg,

    /// Column with the comment's date (a date, a timestamp, or text that
    /// starts with YYYY-MM-DD): trends and change against the previous period.
    #[arg(long, value_name = "COL", help_heading = "Columns")]
    pub date_col: Option<String>,

    /// Period of the trends and of the period-over-period change.
    #[arg(long, value_enum, default_value_t = PeriodArg::Month, help_heading = "Columns")]
    pub period: PeriodArg,

    /// Compare segments by this column (repeatable).
    #[arg(long, value_name = "COL", help_heading = "Columns")]
    pub by: Vec<String>,

    /// Focus on one theme (its id, e.g. transfers).
    #[arg(long, value_name = "THEME")]
    pub theme: Option<String>,

    /// Evidence quotes per theme and polarity.
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub quotes: usize,
}

impl ReportArgs {
    pub fn options(&self) -> crate::insights::ReportOptions {
        use crate::insights::{Period, ScoreKind};
        let mut opts = crate::insights::ReportOptions::new(self.runs.clone());
        opts.score_col = self.score_col.clone();
        opts.score_kind = match self.score_kind {
            ScoreKindArg::Nps => ScoreKind::Nps,
            ScoreKindArg::Csat => ScoreKind::Csat,
            ScoreKindArg::Ces => ScoreKind::Ces,
        };
        opts.date_col = self.date_col.clone();
        opts.period = match self.period {
            PeriodArg::Day => Period::Day,
            PeriodArg::Week => Period::Week,
            PeriodArg::Month => Period::Month,
        };
        opts.by = self.by.clone();
        opts.theme = self.theme.clone();
        opts.quotes = self.quotes;
        opts
    }

    pub fn format(&self) -> crate::insights::ReportFormat {
        use crate::insights::ReportFormat;
        match (self.format, &self.out) {
            (Some(ReportFormatArg::Html), _) => ReportFormat::Html,
            (Some(ReportFormatArg::Md), _) => ReportFormat::Md,
            (Some(ReportFormatArg::Json), _) => ReportFormat::Json,
            (None, Some(path)) => ReportFormat::from_path(path),
            (None, None) => ReportFormat::Html,
        }
    }

    /// Builds the report and writes it to --out (or returns it for stdout).
    pub fn execute(&self) -> Result<Option<String>> {
        let report = crate::insights::build(&self.options())?;
        let text = crate::insights::render(&report, self.format());
        match &self.out {
            Some(path) => {
                crate::insights::write_file(path, &text)?;
                Ok(None)
            }
            None => Ok(Some(text)),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum QueryFormatArg {
    /// An aligned text table.
    Table,
    Csv,
    Parquet,
}

#[derive(Debug, Args)]
pub struct QueryArgs {
    /// The SQL statement; the tables are `comments` and `mentions`.
    #[arg(value_name = "SQL")]
    pub sql: String,

    /// Run directories, or directories with runs below them.
    #[arg(required = true, value_name = "RUN_DIR")]
    pub runs: Vec<PathBuf>,

    /// Write the result here; default: stdout.
    #[arg(long, short, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// Output format; default: from the --out extension (.csv, .parquet),
    /// else a table.
    #[arg(long, value_enum)]
    pub format: Option<QueryFormatArg>,
}

impl QueryArgs {
    pub fn options(&self) -> crate::query::QueryOptions {
        use crate::query::QueryFormat;
        let format = match (self.format, &self.out) {
            (Some(QueryFormatArg::Table), _) => QueryFormat::Table,
            (Some(QueryFormatArg::Csv), _) => QueryFormat::Csv,
            (Some(QueryFormatArg::Parquet), _) => QueryFormat::Parquet,
            (None, Some(path)) => QueryFormat::from_path(path),
            (None, None) => QueryFormat::Table,
        };
        crate::query::QueryOptions {
            sql: self.sql.clone(),
            runs: self.runs.clone(),
            format,
            out: self.out.clone(),
        }
    }
}

#[derive(Debug, Args)]
pub struct TrainArgs {
    /// Labelled JSONL ({"text", "label"} or the eval format); FILE@W weighs
    /// its rows W times (repeatable).
    #[arg(long, required = true, value_name = "FILE[@W]")]
    pub data: Vec<String>,

    /// Labelled JSONL on which to choose the neutral threshold and report
    /// accuracy (repeatable).
    #[arg(long, value_name = "FILE")]
    pub calibrate: Vec<PathBuf>,

    /// Where to write the model.
    #[arg(long, value_name = "PATH")]
    pub out: PathBuf,

    #[arg(long, default_value_t = TrainOptions::DEFAULT.seed)]
    pub seed: u64,

    /// Train N models with seeds SEED, SEED+1, … and ship the mean of their
    /// weights (sentiment and theme heads): steadier than any one order.
    #[arg(long, default_value_t = TrainOptions::DEFAULT.ensemble as u64, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=64))]
    pub ensemble: u64,

    #[arg(long, default_value_t = TrainOptions::DEFAULT.epochs)]
    pub epochs: usize,

    /// Initial SGD step size (decays as 1/(1+epoch)).
    #[arg(long, default_value_t = TrainOptions::DEFAULT.learning_rate)]
    pub learning_rate: f32,

    /// L2 penalty per update.
    #[arg(long, default_value_t = TrainOptions::DEFAULT.l2)]
    pub l2: f32,

    /// Naive-Bayes weighting of the hashed text features, 0 (none) to 1:
    /// scales each by how well it tells the classes apart (the range is
    /// checked where the weight is used, `train`).
    #[arg(long, default_value_t = TrainOptions::DEFAULT.nb_weight)]
    pub nb_weight: f32,

    /// log2 of the number of feature buckets.
    #[arg(long, default_value_t = TrainOptions::DEFAULT.buckets.trailing_zeros(), value_parser = clap::value_parser!(u32).range(8..=24))]
    pub buckets_log2: u32,

    /// Theme heads (trained on the rows that carry `themes`): the
    /// probability above which `run` adds a theme the terms missed.
    #[arg(long, default_value_t = TrainOptions::DEFAULT.theme_threshold, value_parser = parse_probability, help_heading = "Theme heads")]
    pub theme_threshold: f32,

    /// Theme heads: the probability below which `run` drops a theme the
    /// terms found (0: never).
    #[arg(long, default_value_t = TrainOptions::DEFAULT.theme_veto, value_parser = parse_probability, help_heading = "Theme heads")]
    pub theme_veto: f32,

    /// Theme heads: epochs (0: the model gets none, terms only).
    #[arg(long, default_value_t = TrainOptions::DEFAULT.theme_epochs, help_heading = "Theme heads")]
    pub theme_epochs: usize,

    /// Theme heads: initial SGD step size.
    #[arg(long, default_value_t = TrainOptions::DEFAULT.theme_learning_rate, value_parser = parse_positive, help_heading = "Theme heads")]
    pub theme_learning_rate: f32,

    /// Theme heads: L2 penalty per update.
    #[arg(long, default_value_t = TrainOptions::DEFAULT.theme_l2, help_heading = "Theme heads")]
    pub theme_l2: f32,

    /// Theme heads: log2 of the number of feature buckets.
    #[arg(long, default_value_t = TrainOptions::DEFAULT.theme_buckets.trailing_zeros(), value_parser = clap::value_parser!(u32).range(8..=22), help_heading = "Theme heads")]
    pub theme_buckets_log2: u32,

    /// Theme heads: JSONL of texts known to carry no theme (key `text`),
    /// negative for every head and outside the class balance (repeatable).
    /// An error where no heads are trained (`--theme-epochs 0`, or no
    /// `--data` row with `themes`).
    #[arg(long, value_name = "FILE", help_heading = "Theme heads")]
    pub theme_background: Vec<PathBuf>,

    /// Polarity head (trained on the mentions the pipeline finds in the
    /// rows that carry `themes`, after the theme heads): epochs (0: the
    /// model gets none, the rules judge every mention).
    #[arg(long, default_value_t = TrainOptions::DEFAULT.polarity_epochs, help_heading = "Polarity head")]
    pub polarity_epochs: usize,

    /// Polarity head: L2 penalty per update.
    #[arg(long, default_value_t = TrainOptions::DEFAULT.polarity_l2, help_heading = "Polarity head")]
    pub polarity_l2: f32,

    /// Polarity head: log2 of the number of feature buckets.
    #[arg(long, default_value_t = TrainOptions::DEFAULT.polarity_buckets.trailing_zeros(), value_parser = clap::value_parser!(u32).range(8..=22), help_heading = "Polarity head")]
    pub polarity_buckets_log2: u32,

    /// A lexicon directory that extends the bundled lexicons (repeatable).
    #[arg(long, value_name = "DIR")]
    pub lexicons: Vec<PathBuf>,
}

impl TrainArgs {
    pub fn execute(&self) -> Result<String> {
        let data = self
            .data
            .iter()
            .map(|d| match d.rsplit_once('@') {
                Some((path, w)) => w
                    .parse::<f32>()
                    .ok()
                    .filter(|w| *w > 0.0)
                    .map(|w| (PathBuf::from(path), w))
                    .ok_or_else(|| {
                        crate::Error::Usage(format!(
                            "--data {d}: the weight after @ must be a positive number"
                        ))
                    }),
                None => Ok((PathBuf::from(d), 1.0)),
            })
            .collect::<Result<Vec<_>>>()?;
        let opts = TrainOptions {
            data,
            calibrate: self.calibrate.clone(),
            seed: self.seed,
            ensemble: self.ensemble as usize,
            epochs: self.epochs,
            buckets: 1 << self.buckets_log2,
            learning_rate: self.learning_rate,
            l2: self.l2,
            nb_weight: self.nb_weight,
            theme_threshold: self.theme_threshold,
            theme_veto: self.theme_veto,
            theme_epochs: self.theme_epochs,
            theme_learning_rate: self.theme_learning_rate,
            theme_l2: self.theme_l2,
            theme_buckets: 1 << self.theme_buckets_log2,
            theme_background: self.theme_background.clone(),
            polarity_epochs: self.polarity_epochs,
            polarity_l2: self.polarity_l2,
            polarity_buckets: 1 << self.polarity_buckets_log2,
        };
        let lexicon = Lexicon::load(&self.lexicons, true)?;
        // The features do not depend on the scorer; the lexical one is enough.
        let mut pipeline = Pipeline::new(lexicon, Model::lexical());
        let model = crate::train::train(&mut pipeline, &opts)?;
        let bytes = model.to_bytes();
        std::fs::write(&self.out, &bytes).map_err(|e| crate::Error::io(&self.out, e))?;
        Ok(format!(
            "wrote {} ({} bytes); neutral threshold {}; metrics {}",
            self.out.display(),
            bytes.len(),
            model.header.neutral_threshold,
            serde_json::to_string(&model.header.metrics).expect("metrics serialize")
        ))
    }
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Gold JSONL files.
    #[arg(required = true, value_name = "GOLD")]
    pub gold: Vec<PathBuf>,

    /// A run directory (comments.parquet + mentions.parquet) to score instead
    /// of running the pipeline.
    #[arg(long, value_name = "DIR")]
    pub pred: Option<PathBuf>,

    /// A lexicon directory that extends the bundled lexicons (repeatable).
    #[arg(long, value_name = "DIR")]
    pub lexicons: Vec<PathBuf>,

    /// Use only the --lexicons directories, not the bundled lexicons.
    #[arg(long, requires = "lexicons")]
    pub no_bundled_lexicons: bool,

    /// Sentiment model file; default: the bundled model.
    #[arg(long, value_name = "PATH")]
    pub model: Option<PathBuf>,

    /// As for `run`: the theme model's threshold (1 = terms only).
    #[arg(long, value_name = "P", value_parser = parse_probability)]
    pub theme_threshold: Option<f32>,

    /// As for `run`: the theme model's veto (0 = never).
    #[arg(long, value_name = "P", value_parser = parse_probability)]
    pub theme_veto: Option<f32>,

    /// As for `run`: judge mention polarity by the rules alone.
    #[arg(long)]
    pub rule_polarity: bool,

    /// List the first N misses and false alarms with their evidence.
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub errors: usize,

    /// Print the scores as one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

impl EvalArgs {
    pub fn execute(&self) -> Result<String> {
        let mut gold = Vec::new();
        for path in &self.gold {
            gold.extend(crate::eval::read_gold(path)?);
        }
        let pred = match &self.pred {
            Some(dir) => crate::eval::read_predictions(dir)?,
            None => {
                let model = Model::from_file_or_bundled(self.model.as_deref())?;
                let pipeline = Pipeline::load(
                    || Lexicon::load(&self.lexicons, !self.no_bundled_lexicons),
                    model,
                )?
                .with_theme_threshold(self.theme_threshold)
                .with_theme_veto(self.theme_veto)
                .with_rule_polarity(self.rule_polarity);
                crate::eval::predict(&pipeline, &gold)
            }
        };
        let mut report = crate::eval::score(&gold, &pred);
        if self.json {
            report.errors.truncate(self.errors);
            Ok(serde_json::to_string_pretty(&report).expect("the report serializes"))
        } else {
            Ok(report.to_text(self.errors))
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// A summary on stderr.
    Text,
    /// The run report as one JSON object on stdout (also written to run.json).
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// From each file's extension (.csv, .jsonl/.ndjson, .parquet).
    Auto,
    Csv,
    Jsonl,
    Parquet,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Input files (CSV, JSONL or Parquet); several files make one run.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,

    /// Output directory; created if missing. Earlier outputs in it are replaced.
    #[arg(long, short, value_name = "DIR")]
    pub out: PathBuf,

    /// Input format.
    #[arg(long, value_enum, default_value_t = FormatArg::Auto, help_heading = "Input")]
    pub format: FormatArg,

    /// Column (or JSON key) that holds the comment id.
    #[arg(
        long,
        default_value = "id",
        value_name = "NAME",
        help_heading = "Input"
    )]
    pub id_col: String,

    /// Column (or JSON key) that holds the comment text.
    #[arg(
        long,
        default_value = "text",
        value_name = "NAME",
        help_heading = "Input"
    )]
    pub text_col: String,

    /// Encoding of CSV input. auto: UTF-8 (with or without BOM) when the
    /// bytes are UTF-8, else GB18030 (which covers GBK and GB2312).
    #[arg(long, value_enum, default_value_t = Encoding::Auto, help_heading = "Input")]
    pub encoding: Encoding,

    /// Rows per chunk: memory use grows with it, not with the input.
    #[arg(long, default_value_t = 4096, value_name = "N", help_heading = "Input")]
    pub chunk_rows: usize,

    /// A lexicon directory that extends the bundled lexicons (repeatable).
    /// Its theme files add terms to known themes or define new ones.
    #[arg(long, value_name = "DIR", help_heading = "Analysis")]
    pub lexicons: Vec<PathBuf>,

    /// Use only the --lexicons directories, not the bundled lexicons.
    #[arg(long, requires = "lexicons", help_heading = "Analysis")]
    pub no_bundled_lexicons: bool,

    /// Sentiment model file; default: the bundled model (models/README.md).
    #[arg(long, value_name = "PATH", help_heading = "Analysis")]
    pub model: Option<PathBuf>,

    /// Probability above which the model file's theme heads add a theme the
    /// terms missed (rule `model`); default: the one the model was trained
    /// with. Higher means fewer and surer; 1 means terms only.
    #[arg(long, value_name = "P", value_parser = parse_probability, help_heading = "Analysis")]
    pub theme_threshold: Option<f32>,

    /// Probability below which the model file's theme heads drop a theme
    /// the terms found: the comment is all but surely not about it, so the
    /// term is read in another sense (自助 of a buffet, "process" in a film
    /// review). The count is in run.json (`mentions_vetoed`); default: the
    /// model's own; 0 keeps every term's theme. Off at --theme-threshold 1.
    #[arg(long, value_name = "P", value_parser = parse_probability, help_heading = "Analysis")]
    pub theme_veto: Option<f32>,

    /// Judge each mention's polarity by the lexicons' rules alone, leaving
    /// the model file's polarity head unused (by default it reads every
    /// mention again and overrules the rules where the labelled comments
    /// taught it to; `polarity_from` then reads `model`).
    #[arg(long, help_heading = "Analysis")]
    pub rule_polarity: bool,

    /// Worker threads for analysis; 0 = all cores. The output is
    /// byte-identical whatever the number.
    ///
    /// With 1, one thread reads, analyses and writes in turn; with more, a
    /// reader and a writer thread run alongside the N analysis threads.
    #[arg(long, default_value_t = 0, value_name = "N", help_heading = "Analysis")]
    pub threads: usize,

    /// How to report the run.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text, help_heading = "Output")]
    pub report: ReportFormat,

    /// No progress bar and no text summary (errors are still printed).
    #[arg(long, short, help_heading = "Output")]
    pub quiet: bool,
}

impl RunArgs {
    pub fn input_options(&self) -> InputOptions {
        InputOptions {
            format: match self.format {
                FormatArg::Auto => None,
                FormatArg::Csv => Some(InputFormat::Csv),
                FormatArg::Jsonl => Some(InputFormat::Jsonl),
                FormatArg::Parquet => Some(InputFormat::Parquet),
            },
            id_col: self.id_col.clone(),
            text_col: self.text_col.clone(),
            encoding: self.encoding,
            chunk_rows: self.chunk_rows,
        }
    }

    /// Loads the lexicons and the scorer, and resolves the run options.
    pub fn resolve(&self, arguments: Vec<String>) -> Result<(RunOptions, Pipeline)> {
        let clock = Instant::now();
        let model = Model::from_file_or_bundled(self.model.as_deref())?;
        let pipeline = Pipeline::load(
            || Lexicon::load(&self.lexicons, !self.no_bundled_lexicons),
            model,
        )?
        .with_theme_threshold(self.theme_threshold)
        .with_theme_veto(self.theme_veto)
        .with_rule_polarity(self.rule_polarity);
        let opts = RunOptions {
            inputs: self.inputs.clone(),
            out_dir: self.out.clone(),
            input: self.input_options(),
            threads: self.threads,
            progress: !self.quiet,
            arguments,
            startup_ms: clock.elapsed().as_secs_f64() * 1000.0,
        };
        Ok((opts, pipeline))
    }
}

/// A probability in [0, 1].
fn parse_probability(s: &str) -> std::result::Result<f32, String> {
    s.parse::<f32>()
        .ok()
        .filter(|p| (0.0..=1.0).contains(p))
        .ok_or_else(|| format!("{s:?} is not a probability between 0 and 1"))
}

/// A finite number above 0.
fn parse_positive(s: &str) -> std::result::Result<f32, String> {
    s.parse::<f32>()
        .ok()
        .filter(|v| v.is_finite() && *v > 0.0)
        .ok_or_else(|| format!("{s:?} is not a positive number"))
}
