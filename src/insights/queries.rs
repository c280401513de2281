//! The report's SQL. Each function runs its aggregation in DataFusion and
//! reads the few result rows into the report's types.
//!
//! Two views carry everything the queries share:
//!
//! * `voctag_rc`: one row per comment: its key `(run_dir, source_file,
//!   source_row)`, `lang`, `sentiment`, `score` (the `--score-col` value as a
//!   number, null when missing, not a number or out of range), `y` (the
//!   comment's contribution to the metric, so that `avg(y)` *is* the metric),
//!   `period` and `seg_0…` (the `--by` columns as text);
//! * `voctag_ct`: one row per comment and theme with `neg`, `neu`, `pos`
//!   (mentions by polarity) and `n`.

use super::*;
use crate::engine::{quote_ident, quote_str, Engine};
use arrow::array::{Array, ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray};
use arrow::datatypes::DataType;

/// Segments shown per `--by` column.
pub const MAX_SEGMENTS: usize = 20;
/// Themes drawn in the trend chart when no `--theme` is given.
pub const TREND_THEMES: usize = 5;
/// The key that joins `voctag_ct` (alias `ct`) to `voctag_rc` (alias `rc`).
pub const JOIN: &str = "ct.run_dir = rc.run_dir AND ct.source_file = rc.source_file \
                        AND ct.source_row = rc.source_row";

/// The SQL for the score metric's per-comment contribution `y`, from a
/// column `s` that holds the valid score (or null).
fn y_expr(kind: ScoreKind) -> &'static str {
    match kind {
        ScoreKind::Nps => {
            "CASE WHEN s >= 9 THEN 100.0 WHEN s >= 7 THEN 0.0 WHEN s IS NOT NULL THEN -100.0 END"
        }
        ScoreKind::Csat => "CASE WHEN s >= 4 THEN 100.0 WHEN s IS NOT NULL THEN 0.0 END",
        ScoreKind::Ces => "s",
        ScoreKind::NetSentiment => {
            "CASE sentiment WHEN 'positive' THEN 100.0 WHEN 'negative' THEN -100.0 ELSE 0.0 END"
        }
    }
}

/// The valid range of a score: values outside it count as unscored.
fn score_range(kind: ScoreKind) -> Option<(f64, f64)> {
    match kind {
        ScoreKind::Nps => Some((0.0, 10.0)),
        ScoreKind::Csat => Some((1.0, 5.0)),
        ScoreKind::Ces | ScoreKind::NetSentiment => None,
    }
}

/// Registers `voctag_rc` and `voctag_ct` for `opts`.
pub fn register_views(engine: &Engine, opts: &ReportOptions) -> Result<()> {
    let score = match &opts.score_col {
        Some(col) => {
            // Pass-through columns of CSV input are text: cast, and treat
            // what does not parse as missing.
            let raw = format!(
                "TRY_CAST(trim(CAST({} AS VARCHAR)) AS DOUBLE)",
                quote_ident(col)
            );
            match score_range(opts.score_kind) {
                Some((lo, hi)) => format!("CASE WHEN {raw} BETWEEN {lo} AND {hi} THEN {raw} END"),
                None => format!("CASE WHEN isnan({raw}) THEN NULL ELSE {raw} END"),
            }
        }
        None => "CAST(NULL AS DOUBLE)".to_string(),
    };
    let day = match &opts.date_col {
        // A date or timestamp column casts directly; text is read from its
        // first ten characters (`2026-11-22`, `2026-11-22T08:00:00Z`,
        // `2026/11/22 08:00`).
        Some(col) => {
            let c = quote_ident(col);
            format!(
                "COALESCE(TRY_CAST({c} AS DATE), \
                 TRY_CAST(replace(substr(trim(CAST({c} AS VARCHAR)), 1, 10), '/', '-') AS DATE))"
            )
        }
        None => "CAST(NULL AS DATE)".to_string(),
    };
    let period = if opts.date_col.is_some() {
        match opts.period {
            Period::Day => "CAST(d AS VARCHAR)".to_string(),
            Period::Week => "CAST(CAST(date_trunc('week', d) AS DATE) AS VARCHAR)".to_string(),
            Period::Month => "CAST(CAST(date_trunc('month', d) AS DATE) AS VARCHAR)".to_string(),
        }
    } else if engine.runs().len() > 1 {
        "run_dir".to_string()
    } else {
        "CAST(NULL AS VARCHAR)".to_string()
    };
    let segs: String = opts
        .by
        .iter()
        .enumerate()
        .map(|(i, col)| {
            format!(
                ", COALESCE(NULLIF(trim(CAST({} AS VARCHAR)), ''), '(missing)') AS seg_{i}",
                quote_ident(col)
            )
        })
        .collect();
    let y_score = y_expr(opts.score_kind);
    let y = if opts.score_col.is_some() {
        y_score
    } else {
        "CAST(NULL AS DOUBLE)"
    };
    let y_drivers = y_expr(opts.metric());
    exec(
        engine,
        &format!(
            "CREATE OR REPLACE VIEW voctag_rc AS \
             SELECT run_dir, source_file, source_row, lang, sentiment, sentiment_score, \
                    s AS score, {y} AS y, {y_drivers} AS y_drivers, d AS day, \
                    {period} AS period {segs_out} \
             FROM (SELECT *, {score} AS s, {day} AS d FROM comments) t",
            segs_out = if segs.is_empty() { "" } else { &segs },
        ),
    )?;
    exec(
        engine,
        "CREATE OR REPLACE VIEW voctag_ct AS \
         SELECT run_dir, source_file, source_row, theme, MAX(category) AS category, \
                SUM(CASE WHEN polarity = 'negative' THEN 1 ELSE 0 END) AS neg, \
                SUM(CASE WHEN polarity = 'neutral' THEN 1 ELSE 0 END) AS neu, \
                SUM(CASE WHEN polarity = 'positive' THEN 1 ELSE 0 END) AS pos, \
                COUNT(*) AS n \
         FROM mentions GROUP BY run_dir, source_file, source_row, theme",
    )
}

fn exec(engine: &Engine, sql: &str) -> Result<()> {
    engine.sql(sql).map(|_| ())
}

/// A query result, its columns read by name as text, float or integer.
pub struct Table {
    batch: RecordBatch,
}

impl Table {
    pub fn query(engine: &Engine, sql: &str) -> Result<Table> {
        let (schema, batches) = engine.sql_stream(
            sql,
            |schema| Ok((schema, Vec::new())),
            |(_, batches), b| {
                batches.push(b.clone());
                Ok(())
            },
        )?;
        let batch = arrow::compute::concat_batches(&schema, &batches)?;
        Ok(Table { batch })
    }

    pub fn len(&self) -> usize {
        self.batch.num_rows()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn column(&self, name: &str, to: &DataType) -> Result<ArrayRef> {
        let col = self
            .batch
            .column_by_name(name)
            .ok_or_else(|| Error::Query(format!("no column {name} in a report query")))?;
        Ok(arrow::compute::cast(col, to)?)
    }

    pub fn strings(&self, name: &str) -> Result<Vec<Option<String>>> {
        let a = self.column(name, &DataType::Utf8)?;
        let a = a
            .as_any()
            .downcast_ref::<StringArray>()
            .expect("cast to Utf8");
        Ok((0..a.len())
            .map(|i| (!a.is_null(i)).then(|| a.value(i).to_string()))
            .collect())
    }

    pub fn f64s(&self, name: &str) -> Result<Vec<Option<f64>>> {
        let a = self.column(name, &DataType::Float64)?;
        let a = a
            .as_any()
            .downcast_ref::<Float64Array>()
            .expect("cast to Float64");
        Ok((0..a.len())
            .map(|i| (!a.is_null(i)).then(|| a.value(i)))
            .collect())
    }

    /// Counts: null (an empty `SUM`) reads as 0.
    pub fn u64s(&self, name: &str) -> Result<Vec<u64>> {
        let a = self.column(name, &DataType::Int64)?;
        let a = a
            .as_any()
            .downcast_ref::<Int64Array>()
            .expect("cast to Int64");
        Ok((0..a.len())
            .map(|i| {
                if a.is_null(i) {
                    0
                } else {
                    a.value(i).max(0) as u64
                }
            })
            .collect())
    }
}

fn pct(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        100.0 * part as f64 / whole as f64
    }
}

fn counts(engine: &Engine, col: &str, total: u64) -> Result<Vec<Count>> {
    let t = Table::query(
        engine,
        &format!(
            "SELECT COALESCE({col}, '(missing)') AS value, COUNT(*) AS n FROM voctag_rc \
             GROUP BY 1 ORDER BY n DESC, value"
        ),
    )?;
    let values = t.strings("value")?;
    let n = t.u64s("n")?;
    Ok(values
        .into_iter()
        .zip(n)
        .map(|(v, n)| Count {
            value: v.unwrap_or_default(),
            count: n,
            share_pct: pct(n, total),
        })
        .collect())
}

pub fn overview(engine: &Engine, opts: &ReportOptions) -> Result<Overview> {
    let t = Table::query(
        engine,
        "SELECT COUNT(*) AS comments, \
                SUM(CASE WHEN sentiment = 'positive' THEN 1 ELSE 0 END) AS pos, \
                SUM(CASE WHEN sentiment = 'negative' THEN 1 ELSE 0 END) AS neg, \
                COUNT(score) AS scored, AVG(score) AS mean_score, AVG(y) AS metric, \
                SUM(CASE WHEN y = 100 THEN 1 ELSE 0 END) AS top, \
                SUM(CASE WHEN y = 0 THEN 1 ELSE 0 END) AS middle, \
                SUM(CASE WHEN y = -100 THEN 1 ELSE 0 END) AS bottom, \
                CAST(MIN(day) AS VARCHAR) AS first_date, CAST(MAX(day) AS VARCHAR) AS last_date, \
                SUM(CASE WHEN day IS NULL THEN 1 ELSE 0 END) AS undated \
         FROM voctag_rc",
    )?;
    let comments = t.u64s("comments")?[0];
    let m = Table::query(
        engine,
        "SELECT COUNT(*) AS mentions, COUNT(DISTINCT run_dir || '/' || source_file || '#' || \
                CAST(source_row AS VARCHAR)) AS comments_with_mentions FROM mentions",
    )?;
    let scored = t.u64s("scored")?[0];
    let score = match &opts.score_col {
        Some(column) => {
            let (top, middle, bottom) = (
                t.u64s("top")?[0],
                t.u64s("middle")?[0],
                t.u64s("bottom")?[0],
            );
            let group = |value: &str, count: u64| Count {
                value: value.to_string(),
                count,
                share_pct: pct(count, scored),
            };
            let groups = match opts.score_kind {
                ScoreKind::Nps => vec![
                    group("promoters (9–10)", top),
                    group("passives (7–8)", middle),
                    group("detractors (0–6)", bottom),
                ],
                ScoreKind::Csat => {
                    let c = Table::query(
                        engine,
                        "SELECT SUM(CASE WHEN score >= 4 THEN 1 ELSE 0 END) AS sat, \
                                SUM(CASE WHEN score >= 3 AND score < 4 THEN 1 ELSE 0 END) AS mid, \
                                SUM(CASE WHEN score < 3 THEN 1 ELSE 0 END) AS dis FROM voctag_rc",
                    )?;
                    vec![
                        group("satisfied (4–5)", c.u64s("sat")?[0]),
                        group("neutral (3)", c.u64s("mid")?[0]),
                        group("dissatisfied (1–2)", c.u64s("dis")?[0]),
                    ]
                }
                ScoreKind::Ces | ScoreKind::NetSentiment => Vec::new(),
            };
            Some(ScoreSummary {
                column: column.clone(),
                kind: opts.score_kind,
                value: t.f64s("metric")?[0].unwrap_or(f64::NAN),
                scored,
                unscored: comments - scored,
                mean_score: t.f64s("mean_score")?[0].unwrap_or(f64::NAN),
                groups,
            })
        }
        None => None,
    };
    let undated = if opts.date_col.is_some() {
        t.u64s("undated")?[0]
    } else {
        0
    };
    Ok(Overview {
        comments,
        mentions: m.u64s("mentions")?[0],
        comments_with_mentions: m.u64s("comments_with_mentions")?[0],
        languages: counts(engine, "lang", comments)?,
        sentiment: counts(engine, "sentiment", comments)?,
        net_sentiment: pct(t.u64s("pos")?[0], comments) - pct(t.u64s("neg")?[0], comments),
        score,
        first_date: t.strings("first_date")?[0].clone(),
        last_date: t.strings("last_date")?[0].clone(),
        undated,
    })
}

/// Every theme found, most comments first.
pub fn themes(engine: &Engine, labels: &Labels, total: u64) -> Result<Vec<ThemeStats>> {
    let t = Table::query(
        engine,
        "SELECT theme, MAX(category) AS category, COUNT(*) AS comments, \
                SUM(CASE WHEN neg > 0 THEN 1 ELSE 0 END) AS comments_negative, \
                SUM(neg) AS neg, SUM(neu) AS neu, SUM(pos) AS pos \
         FROM voctag_ct GROUP BY theme ORDER BY comments DESC, theme",
    )?;
    let themes = t.strings("theme")?;
    let categories = t.strings("category")?;
    let comments = t.u64s("comments")?;
    let negative = t.u64s("comments_negative")?;
    let (neg, neu, pos) = (t.u64s("neg")?, t.u64s("neu")?, t.u64s("pos")?);
    let mut out = Vec::new();
    for i in 0..t.len() {
        let theme = themes[i].clone().unwrap_or_default();
        let (label_en, label_zh, _) = labels.get(&theme);
        let mentions = Polarities {
            negative: neg[i],
            neutral: neu[i],
            positive: pos[i],
        };
        out.push(ThemeStats {
            label_en,
            label_zh,
            category: categories[i].clone().unwrap_or_default(),
            comments: comments[i],
            share_pct: pct(comments[i], total),
            comments_negative: negative[i],
            net_sentiment: mentions.net(),
            mentions,
            top_negative: Vec::new(),
            top_positive: Vec::new(),
            change: None,
            theme,
        });
    }
    Ok(out)
}

/// The most repeated negative and positive evidence of each theme; among
/// equals, that of the comments with the strongest sentiment.
pub fn add_quotes(engine: &Engine, themes: &mut [ThemeStats], k: usize) -> Result<()> {
    if themes.is_empty() || k == 0 {
        return Ok(());
    }
    let list: Vec<String> = themes.iter().map(|t| quote_str(&t.theme)).collect();
    let t = Table::query(
        engine,
        &format!(
            "WITH e AS ( \
               SELECT m.theme, m.polarity, m.evidence, COUNT(*) AS n, \
                      MIN(c.sentiment_score) AS lo, MAX(c.sentiment_score) AS hi \
               FROM mentions m JOIN comments c ON m.run_dir = c.run_dir \
                    AND m.source_file = c.source_file AND m.source_row = c.source_row \
               WHERE m.polarity IN ('negative', 'positive') AND m.theme IN ({}) \
               GROUP BY m.theme, m.polarity, m.evidence), \
             r AS ( \
               SELECT *, ROW_NUMBER() OVER (PARTITION BY theme, polarity ORDER BY n DESC, \
                      CASE WHEN polarity = 'negative' THEN lo ELSE -hi END, evidence) AS rk \
               FROM e) \
             SELECT theme, polarity, evidence, n FROM r WHERE rk <= {k} \
             ORDER BY theme, polarity, rk",
            list.join(", ")
        ),
    )?;
    let (theme, polarity, evidence, n) = (
        t.strings("theme")?,
        t.strings("polarity")?,
        t.strings("evidence")?,
        t.u64s("n")?,
    );
    for i in 0..t.len() {
        let Some(stats) = themes
            .iter_mut()
            .find(|s| Some(&s.theme) == theme[i].as_ref())
        else {
            continue;
        };
        let quote = Quote {
            evidence: evidence[i].clone().unwrap_or_default(),
            count: n[i],
        };
        match polarity[i].as_deref() {
            Some("negative") => stats.top_negative.push(quote),
            _ => stats.top_positive.push(quote),
        }
    }
    Ok(())
}

/// Per period: comments, net sentiment, metric; and the share of comments
/// mentioning each of the charted themes. `None` without periods (no
/// `--date-col` and a single run).
pub fn trend(
    engine: &Engine,
    opts: &ReportOptions,
    themes: &[ThemeStats],
) -> Result<Option<Trend>> {
    if opts.date_col.is_none() && engine.runs().len() < 2 {
        return Ok(None);
    }
    let t = Table::query(
        engine,
        "SELECT period, COUNT(*) AS comments, \
                SUM(CASE WHEN sentiment = 'positive' THEN 1 ELSE 0 END) AS pos, \
                SUM(CASE WHEN sentiment = 'negative' THEN 1 ELSE 0 END) AS neg, \
                AVG(y) AS metric, COUNT(y) AS scored \
         FROM voctag_rc WHERE period IS NOT NULL GROUP BY period ORDER BY period",
    )?;
    if t.is_empty() {
        return Ok(None);
    }
    let periods: Vec<String> = t.strings("period")?.into_iter().flatten().collect();
    let comments = t.u64s("comments")?;
    let (pos, neg) = (t.u64s("pos")?, t.u64s("neg")?);
    let metric = t.f64s("metric")?;
    let scored = t.u64s("scored")?;
    let points: Vec<TrendPoint> = (0..t.len())
        .map(|i| TrendPoint {
            period: periods[i].clone(),
            comments: comments[i],
            net_sentiment: pct(pos[i], comments[i]) - pct(neg[i], comments[i]),
            metric: metric[i],
            scored: scored[i],
        })
        .collect();

    let charted: Vec<&ThemeStats> = themes.iter().take(TREND_THEMES).collect();
    let mut theme_trends = Vec::new();
    if !charted.is_empty() {
        let list: Vec<String> = charted.iter().map(|t| quote_str(&t.theme)).collect();
        let pt = Table::query(
            engine,
            &format!(
                "SELECT rc.period, ct.theme, COUNT(*) AS comments, SUM(ct.neg) AS neg, \
                        SUM(ct.neu) AS neu, SUM(ct.pos) AS pos \
                 FROM voctag_ct ct JOIN voctag_rc rc ON {JOIN} \
                 WHERE rc.period IS NOT NULL AND ct.theme IN ({}) \
                 GROUP BY rc.period, ct.theme",
                list.join(", ")
            ),
        )?;
        let (p, th, c) = (
            pt.strings("period")?,
            pt.strings("theme")?,
            pt.u64s("comments")?,
        );
        let (ng, nu, ps) = (pt.u64s("neg")?, pt.u64s("neu")?, pt.u64s("pos")?);
        for stats in &charted {
            let mut share = vec![0.0; points.len()];
            let mut net = vec![None; points.len()];
            for r in 0..pt.len() {
                if th[r].as_deref() != Some(stats.theme.as_str()) {
                    continue;
                }
                let Some(i) = periods.iter().position(|x| Some(x) == p[r].as_ref()) else {
                    continue;
                };
                share[i] = pct(c[r], points[i].comments);
                net[i] = Polarities {
                    negative: ng[r],
                    neutral: nu[r],
                    positive: ps[r],
                }
                .net();
            }
            theme_trends.push(ThemeTrend {
                theme: stats.theme.clone(),
                share_pct: share,
                net_sentiment: net,
            });
        }
    }
    Ok(Some(Trend {
        by: if opts.date_col.is_some() {
            "date"
        } else {
            "run"
        }
        .to_string(),
        points,
        themes: theme_trends,
    }))
}

/// Each theme's share and net sentiment in the last period against the one
/// before it.
pub fn add_changes(engine: &Engine, themes: &mut [ThemeStats], trend: &Trend) -> Result<()> {
    let n = trend.points.len();
    let (last, prev) = (&trend.points[n - 1], &trend.points[n - 2]);
    let t = Table::query(
        engine,
        &format!(
            "SELECT rc.period, ct.theme, COUNT(*) AS comments, SUM(ct.neg) AS neg, \
                    SUM(ct.neu) AS neu, SUM(ct.pos) AS pos \
             FROM voctag_ct ct JOIN voctag_rc rc ON {JOIN} \
             WHERE rc.period IN ({}, {}) GROUP BY rc.period, ct.theme",
            quote_str(&last.period),
            quote_str(&prev.period)
        ),
    )?;
    let (p, th, c) = (
        t.strings("period")?,
        t.strings("theme")?,
        t.u64s("comments")?,
    );
    let (ng, nu, ps) = (t.u64s("neg")?, t.u64s("neu")?, t.u64s("pos")?);
    for stats in themes.iter_mut() {
        let find = |period: &str| {
            (0..t.len())
                .find(|&r| {
                    th[r].as_deref() == Some(stats.theme.as_str())
                        && p[r].as_deref() == Some(period)
                })
                .map(|r| {
                    (
                        c[r],
                        Polarities {
                            negative: ng[r],
                            neutral: nu[r],
                            positive: ps[r],
                        },
                    )
                })
                .unwrap_or_default()
        };
        let (c_last, pol_last) = find(&last.period);
        let (c_prev, pol_prev) = find(&prev.period);
        let share = pct(c_last, last.comments);
        let share_prev = pct(c_prev, prev.comments);
        let (net, net_prev) = (pol_last.net(), pol_prev.net());
        stats.change = Some(Change {
            period: last.period.clone(),
            previous: prev.period.clone(),
            share_pct: share,
            share_pct_previous: share_prev,
            share_change: share - share_prev,
            net_sentiment: net,
            net_sentiment_previous: net_prev,
            net_sentiment_change: net.zip(net_prev).map(|(a, b)| a - b),
        });
    }
    Ok(())
}

/// One table per `--by` column.
pub fn segments(engine: &Engine, opts: &ReportOptions) -> Result<Vec<Segments>> {
    let mut out = Vec::new();
    for (i, column) in opts.by.iter().enumerate() {
        let seg = format!("seg_{i}");
        let t = Table::query(
            engine,
            &format!(
                "SELECT {seg} AS value, COUNT(*) AS comments, \
                        SUM(CASE WHEN sentiment = 'positive' THEN 1 ELSE 0 END) AS pos, \
                        SUM(CASE WHEN sentiment = 'negative' THEN 1 ELSE 0 END) AS neg, \
                        AVG(y) AS metric, COUNT(y) AS scored \
                 FROM voctag_rc GROUP BY {seg} ORDER BY comments DESC, value"
            ),
        )?;
        let total: u64 = t.u64s("comments")?.iter().sum();
        let values = t.strings("value")?;
        let comments = t.u64s("comments")?;
        let (pos, neg) = (t.u64s("pos")?, t.u64s("neg")?);
        let (metric, scored) = (t.f64s("metric")?, t.u64s("scored")?);
        let mut rows: Vec<SegmentRow> = (0..t.len().min(MAX_SEGMENTS))
            .map(|r| SegmentRow {
                value: values[r].clone().unwrap_or_default(),
                comments: comments[r],
                share_pct: pct(comments[r], total),
                net_sentiment: pct(pos[r], comments[r]) - pct(neg[r], comments[r]),
                metric: metric[r],
                scored: scored[r],
                top_negative: Vec::new(),
            })
            .collect();

        let focus = opts
            .theme
            .as_ref()
            .map(|t| format!("AND ct.theme = {}", quote_str(t)))
            .unwrap_or_default();
        let st = Table::query(
            engine,
            &format!(
                "WITH x AS ( \
                   SELECT rc.{seg} AS value, ct.theme, \
                          SUM(CASE WHEN ct.neg > 0 THEN 1 ELSE 0 END) AS negative_comments \
                   FROM voctag_ct ct JOIN voctag_rc rc ON {JOIN} WHERE TRUE {focus} \
                   GROUP BY rc.{seg}, ct.theme), \
                 r AS (SELECT *, ROW_NUMBER() OVER (PARTITION BY value \
                        ORDER BY negative_comments DESC, theme) AS rk FROM x \
                        WHERE negative_comments > 0) \
                 SELECT value, theme, negative_comments FROM r WHERE rk <= 3 \
                 ORDER BY value, rk"
            ),
        )?;
        let (v, th, nc) = (
            st.strings("value")?,
            st.strings("theme")?,
            st.u64s("negative_comments")?,
        );
        for r in 0..st.len() {
            if let Some(row) = rows
                .iter_mut()
                .find(|row| Some(&row.value) == v[r].as_ref())
            {
                row.top_negative.push(ThemeShare {
                    theme: th[r].clone().unwrap_or_default(),
                    share_pct: pct(nc[r], row.comments),
                });
            }
        }
        out.push(Segments {
            column: column.clone(),
            other_segments: t.len().saturating_sub(MAX_SEGMENTS) as u64,
            rows,
        });
    }
    Ok(out)
}
