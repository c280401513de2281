//! `voctag report`: the analyst's monthly report, computed from the Parquet
//! of one or many runs.
//!
//! Every number is an aggregate that DataFusion computes over the `comments`
//! and `mentions` tables ([`crate::engine`]); Rust only combines a handful of
//! aggregates (a share, a difference between two periods) and fits the
//! driver regression ([`drivers`]). The stages:
//!
//! 1. [`queries`] registers three views: `voctag_rc` (one row per comment,
//!    with the score cast to a number, the period and the segment columns),
//!    `voctag_ct` (one row per comment and theme, with mention counts by
//!    polarity) and runs the aggregations;
//! 2. [`drivers`] turns the score aggregates into key drivers and the
//!    priority matrix, and fits the regression;
//! 3. [`html`] and [`markdown`] render a [`Report`]; JSON is its serde form.
//!
//! Definitions (also in the README): a theme's *share* is the percentage of
//! comments with at least one mention of it; *net sentiment* is % positive −
//! % negative (of mentions for a theme, of comments overall), −100…100; NPS
//! is % promoters (9–10) − % detractors (0–6); CSAT is the % of 4–5 on 1–5;
//! CES is the mean effort score. A theme's *impact* is how much the overall
//! metric would change if the comments that mention it scored like the
//! others.

pub mod drivers;
pub mod html;
pub mod markdown;
pub mod queries;
pub mod svg;

use crate::engine::Engine;
use crate::error::{Error, Result};
use serde::Serialize;
use std::path::PathBuf;

/// How the score column is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScoreKind {
    /// 0–10 likelihood to recommend: NPS = % promoters (9–10) − % detractors (0–6).
    Nps,
    /// 1–5 satisfaction: CSAT = % of 4 and 5.
    Csat,
    /// Customer effort: the mean score, lower is better.
    Ces,
    /// No score column: the comments' own sentiment, % positive − % negative.
    NetSentiment,
}

impl ScoreKind {
    pub fn label(self) -> &'static str {
        match self {
            ScoreKind::Nps => "NPS",
            ScoreKind::Csat => "CSAT %",
            ScoreKind::Ces => "CES (mean effort)",
            ScoreKind::NetSentiment => "net sentiment",
        }
    }

    /// Whether a higher value of the metric is better.
    pub fn higher_is_better(self) -> bool {
        self != ScoreKind::Ces
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    Day,
    Week,
    Month,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportFormat {
    Html,
    Md,
    Json,
}

impl ReportFormat {
    /// The format a file name asks for: `.md`, `.json`; else HTML.
    pub fn from_path(path: &std::path::Path) -> ReportFormat {
        match path.extension().and_then(|e| e.to_str()) {
            Some("md" | "markdown") => ReportFormat::Md,
            Some("json") => ReportFormat::Json,
            _ => ReportFormat::Html,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ReportOptions {
    pub runs: Vec<PathBuf>,
    pub date_col: Option<String>,
    pub period: Period,
    pub by: Vec<String>,
    pub score_col: Option<String>,
    /// Ignored without `score_col`.
    pub score_kind: ScoreKind,
    pub theme: Option<String>,
    /// Evidence quotes per theme and polarity.
    pub quotes: usize,
}

impl ReportOptions {
    pub fn new(runs: Vec<PathBuf>) -> ReportOptions {
        ReportOptions {
            runs,
            date_col: None,
            period: Period::Month,
            by: Vec::new(),
            score_col: None,
            score_kind: ScoreKind::Nps,
            theme: None,
            quotes: 3,
        }
    }

    /// The metric that drives the key-driver analysis.
    pub fn metric(&self) -> ScoreKind {
        match self.score_col {
            Some(_) => self.score_kind,
            None => ScoreKind::NetSentiment,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub voctag_version: String,
    pub runs: Vec<String>,
    pub options: ReportOptions,
    pub overview: Overview,
    /// Every theme mentioned (or only `--theme`), most-mentioned first.
    pub themes: Vec<ThemeStats>,
    pub drivers: Option<Drivers>,
    pub priority: Vec<PriorityPoint>,
    pub segments: Vec<Segments>,
    pub trend: Option<Trend>,
    /// What could not be computed, and why.
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Count {
    pub value: String,
    pub count: u64,
    pub share_pct: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Overview {
    pub comments: u64,
    pub mentions: u64,
    pub comments_with_mentions: u64,
    pub languages: Vec<Count>,
    pub sentiment: Vec<Count>,
    /// % positive − % negative comments.
    pub net_sentiment: f64,
    pub score: Option<ScoreSummary>,
    /// First and last day with a usable `--date-col` value.
    pub first_date: Option<String>,
    pub last_date: Option<String>,
    /// Comments whose `--date-col` value is missing or not a date.
    pub undated: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScoreSummary {
    pub column: String,
    pub kind: ScoreKind,
    /// NPS (−100…100), CSAT % (0…100) or mean effort.
    pub value: f64,
    /// Comments with a usable score.
    pub scored: u64,
    /// Comments whose score is missing, not a number or out of range.
    pub unscored: u64,
    pub mean_score: f64,
    /// Promoters / passives / detractors (NPS) or satisfied / neutral /
    /// dissatisfied (CSAT), as shares of the scored comments.
    pub groups: Vec<Count>,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Polarities {
    pub negative: u64,
    pub neutral: u64,
    pub positive: u64,
}

impl Polarities {
    pub fn total(&self) -> u64 {
        self.negative + self.neutral + self.positive
    }

    /// % positive − % negative, or `None` without mentions.
    pub fn net(&self) -> Option<f64> {
        let n = self.total();
        (n > 0).then(|| 100.0 * (self.positive as f64 - self.negative as f64) / n as f64)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Quote {
    pub evidence: String,
    /// How many mentions had exactly this evidence.
    pub count: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ThemeStats {
    pub theme: String,
    pub label_en: String,
    pub label_zh: String,
    pub category: String,
    /// Comments with at least one mention of the theme.
    pub comments: u64,
    pub share_pct: f64,
    /// Comments with at least one negative mention.
    pub comments_negative: u64,
    pub mentions: Polarities,
    /// % positive − % negative mentions; `None` without mentions.
    pub net_sentiment: Option<f64>,
    pub top_negative: Vec<Quote>,
    pub top_positive: Vec<Quote>,
    /// Last period against the one before, when there are two periods.
    pub change: Option<Change>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub period: String,
    pub previous: String,
    pub share_pct: f64,
    pub share_pct_previous: f64,
    /// Percentage points.
    pub share_change: f64,
    pub net_sentiment: Option<f64>,
    pub net_sentiment_previous: Option<f64>,
    pub net_sentiment_change: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Drivers {
    pub kind: ScoreKind,
    pub metric: String,
    pub higher_is_better: bool,
    /// The metric over all scored comments.
    pub overall: f64,
    pub scored: u64,
    pub themes: Vec<Driver>,
    pub regression: Option<Regression>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Driver {
    pub theme: String,
    /// Scored comments that mention the theme.
    pub n_with: u64,
    pub metric_with: f64,
    pub n_without: u64,
    pub metric_without: Option<f64>,
    /// `metric_with − metric_without`.
    pub gap: Option<f64>,
    /// How much the overall metric would change if the comments with the
    /// theme scored like those without: `metric_without − overall`.
    pub impact: f64,
    /// `impact`, signed so that positive means fixing the theme improves the
    /// metric (for CES, lower is better, so it is `−impact`).
    pub improvement: f64,
    /// Fewer than [`drivers::MIN_COMMENTS`] scored comments: shown, not ranked.
    pub small_sample: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Regression {
    /// `y ~ 1 + theme:negative + theme:positive + …` by ordinary least squares,
    /// where y is each comment's contribution to the metric (NPS: +100
    /// promoter, 0 passive, −100 detractor; CSAT: 100 or 0; CES: the score).
    pub model: String,
    pub n: u64,
    pub r_squared: f64,
    pub adj_r_squared: f64,
    pub intercept: Coefficient,
    pub terms: Vec<Coefficient>,
    /// Indicators left out: too rare, or identical to another.
    pub dropped: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Coefficient {
    /// `theme:polarity`, or `intercept`.
    pub term: String,
    /// Comments with the indicator set.
    pub n: u64,
    pub estimate: f64,
    pub std_error: f64,
    /// estimate ± 1.96 standard errors.
    pub ci_low: f64,
    pub ci_high: f64,
    pub p_value: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Quadrant {
    /// Frequent and pulling the metric down.
    FixFirst,
    /// Rare but pulling the metric down.
    Watch,
    /// Frequent and lifting the metric.
    Strength,
    /// Rare and lifting the metric (or neutral).
    LowPriority,
}

impl Quadrant {
    pub fn label(self) -> &'static str {
        match self {
            Quadrant::FixFirst => "Fix first",
            Quadrant::Watch => "Watch",
            Quadrant::Strength => "Strength",
            Quadrant::LowPriority => "Low priority",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct PriorityPoint {
    pub theme: String,
    /// Share of comments mentioning the theme, %.
    pub frequency_pct: f64,
    /// The metric gain if fixed (see [`Driver::improvement`]).
    pub improvement: f64,
    pub quadrant: Quadrant,
}

#[derive(Debug, Clone, Serialize)]
pub struct Segments {
    pub column: String,
    /// The largest segments, most comments first.
    pub rows: Vec<SegmentRow>,
    /// Segments left out of `rows` (there are at most [`queries::MAX_SEGMENTS`]).
    pub other_segments: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct SegmentRow {
    /// `(missing)` for null or empty values.
    pub value: String,
    pub comments: u64,
    pub share_pct: f64,
    /// % positive − % negative comments.
    pub net_sentiment: f64,
    /// The score metric of the segment, when there is a score column.
    pub metric: Option<f64>,
    pub scored: u64,
    /// Themes with the highest share of the segment's comments carrying a
    /// negative mention (only the `--theme` with it).
    pub top_negative: Vec<ThemeShare>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ThemeShare {
    pub theme: String,
    pub share_pct: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Trend {
    /// `date` (`--date-col`, by `period`) or `run` (one point per run).
    pub by: String,
    pub points: Vec<TrendPoint>,
    /// The most frequent themes (or `--theme`), values aligned with `points`.
    pub themes: Vec<ThemeTrend>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TrendPoint {
    /// The first day of the period (ISO), or the run directory.
    pub period: String,
    pub comments: u64,
    pub net_sentiment: f64,
    pub metric: Option<f64>,
    pub scored: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ThemeTrend {
    pub theme: String,
    pub share_pct: Vec<f64>,
    pub net_sentiment: Vec<Option<f64>>,
}

/// Theme labels from the bundled lexicons; an unknown id labels itself.
pub struct Labels(Vec<crate::lexicon::ThemeInfo>);

impl Labels {
    pub fn bundled() -> Result<Labels> {
        Ok(Labels(crate::lexicon::Lexicon::bundled()?.themes))
    }

    pub fn get(&self, id: &str) -> (String, String, Option<String>) {
        match self.0.iter().find(|t| t.id == id) {
            Some(t) => (
                t.label_en.clone(),
                t.label_zh.clone(),
                Some(t.category.clone()),
            ),
            None => (id.to_string(), String::new(), None),
        }
    }

    pub fn knows(&self, id: &str) -> bool {
        self.0.iter().any(|t| t.id == id)
    }
}

/// Computes the report over the runs named in `opts`.
pub fn build(opts: &ReportOptions) -> Result<Report> {
    let engine = Engine::open(&opts.runs)?;
    let labels = Labels::bundled()?;
    build_with(&engine, opts, &labels)
}

pub fn build_with(engine: &Engine, opts: &ReportOptions, labels: &Labels) -> Result<Report> {
    let columns = engine.columns("comments")?;
    let named = opts
        .score_col
        .iter()
        .chain(&opts.date_col)
        .chain(&opts.by)
        .map(|c| (c, "comments"));
    for (col, table) in named {
        if !columns.contains(col) {
            return Err(Error::Usage(format!(
                "no column {col:?} in {table}.parquet; its columns are: {}",
                columns.join(", ")
            )));
        }
    }
    let mut notes = Vec::new();
    queries::register_views(engine, opts)?;

    let overview = queries::overview(engine, opts)?;
    let mut themes = queries::themes(engine, labels, overview.comments)?;
    if let Some(t) = &opts.theme {
        if !labels.knows(t) && !themes.iter().any(|s| &s.theme == t) {
            return Err(Error::Usage(format!(
                "--theme {t:?}: not a theme of the bundled lexicons nor one found in the runs"
            )));
        }
        themes.retain(|s| &s.theme == t);
        if themes.is_empty() {
            let (label_en, label_zh, category) = labels.get(t);
            themes.push(ThemeStats {
                theme: t.clone(),
                label_en,
                label_zh,
                category: category.unwrap_or_default(),
                comments: 0,
                share_pct: 0.0,
                comments_negative: 0,
                mentions: Polarities::default(),
                net_sentiment: None,
                top_negative: Vec::new(),
                top_positive: Vec::new(),
                change: None,
            });
        }
    }
    queries::add_quotes(engine, &mut themes, opts.quotes)?;

    let trend = queries::trend(engine, opts, &themes)?;
    match &trend {
        Some(t) if t.points.len() >= 2 => queries::add_changes(engine, &mut themes, t)?,
        Some(_) => notes.push("Only one period: no change against a previous period.".into()),
        None => {}
    }
    if opts.date_col.is_some() && overview.first_date.is_none() {
        notes.push(format!(
            "--date-col {}: no value could be read as a date (expected YYYY-MM-DD…).",
            opts.date_col.as_deref().unwrap_or_default()
        ));
    }

    let drivers = drivers::drivers(engine, opts, &themes, &mut notes)?;
    let priority = drivers
        .as_ref()
        .map(|d| drivers::priority(d, &themes))
        .unwrap_or_default();
    let segments = queries::segments(engine, opts)?;

    Ok(Report {
        voctag_version: env!("CARGO_PKG_VERSION").to_string(),
        runs: engine.runs().iter().map(|r| r.label()).collect(),
        options: opts.clone(),
        overview,
        themes,
        drivers,
        priority,
        segments,
        trend,
        notes,
    })
}

/// Writes the report under a temporary name and renames it into place, so
/// a failed write leaves no complete-looking report.
pub fn write_file(path: &std::path::Path, text: &str) -> Result<()> {
    let tmp = path.with_extension("voctag-tmp");
    std::fs::write(&tmp, text).map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::io(path, e)
    })
}

/// The report in the asked format.
pub fn render(report: &Report, format: ReportFormat) -> String {
    match format {
        ReportFormat::Html => html::render(report),
        ReportFormat::Md => markdown::render(report),
        ReportFormat::Json => {
            serde_json::to_string_pretty(report).expect("the report serializes") + "\n"
        }
    }
}
