//! Key drivers: for each theme, the metric of the comments that mention it
//! against the rest, the impact on the overall metric, a regression of the
//! comments' scores on theme-polarity indicators, and the priority matrix.
//!
//! The metric is the mean of a per-comment value `y` (`voctag_rc.y_drivers`),
//! so every "metric of a group" is a mean that DataFusion computes. The
//! regression is ordinary least squares by the `linregress` crate, which
//! gives standard errors and p-values from the (pseudo-)inverse of X'X; we
//! only pick the indicator columns and lay out the matrix.

use super::queries::{Table, JOIN};
use super::*;
use crate::engine::{quote_str, Engine};

/// Scored comments a theme (or an indicator) needs before it is ranked or
/// enters the regression.
pub const MIN_COMMENTS: u64 = 5;
/// Residual degrees of freedom the regression keeps at least.
const MIN_RESIDUAL_DF: usize = 10;
/// The normal quantile for 95% intervals.
const Z95: f64 = 1.959_963_984_540_054;

pub fn drivers(
    engine: &Engine,
    opts: &ReportOptions,
    themes: &[ThemeStats],
    notes: &mut Vec<String>,
) -> Result<Option<Drivers>> {
    let kind = opts.metric();
    let all = Table::query(
        engine,
        "SELECT COUNT(y_drivers) AS n, SUM(y_drivers) AS total FROM voctag_rc",
    )?;
    let n = all.u64s("n")?[0];
    if n == 0 {
        notes.push(format!(
            "No comment has a usable score in --score-col {}: no key drivers.",
            opts.score_col.as_deref().unwrap_or_default()
        ));
        return Ok(None);
    }
    let total = all.f64s("total")?[0].unwrap_or(0.0);
    let overall = total / n as f64;

    let t = Table::query(
        engine,
        &format!(
            "SELECT ct.theme, COUNT(*) AS n_with, SUM(rc.y_drivers) AS sum_with \
             FROM voctag_ct ct JOIN voctag_rc rc ON {JOIN} \
             WHERE rc.y_drivers IS NOT NULL GROUP BY ct.theme"
        ),
    )?;
    let (theme, n_with, sum_with) = (t.strings("theme")?, t.u64s("n_with")?, t.f64s("sum_with")?);
    let mut rows = Vec::new();
    for stats in themes {
        let Some(r) = (0..t.len()).find(|&r| theme[r].as_deref() == Some(stats.theme.as_str()))
        else {
            continue;
        };
        rows.push(driver(
            &stats.theme,
            (n_with[r], sum_with[r].unwrap_or(0.0)),
            (n, total),
            kind,
        ));
    }
    rows.sort_by(|a, b| {
        b.improvement
            .total_cmp(&a.improvement)
            .then_with(|| a.theme.cmp(&b.theme))
    });

    let regression = match regression(engine) {
        Ok(r) => r,
        Err(reason) => {
            notes.push(format!("No driver regression: {reason}."));
            None
        }
    };
    Ok(Some(Drivers {
        kind,
        metric: kind.label().to_string(),
        higher_is_better: kind.higher_is_better(),
        overall,
        scored: n,
        themes: rows,
        regression,
    }))
}

/// One theme's gap and impact from its `(count, sum of y)` and the overall
/// `(count, sum of y)`.
pub fn driver(theme: &str, with: (u64, f64), all: (u64, f64), kind: ScoreKind) -> Driver {
    let (n_with, sum_with) = with;
    let (n, total) = all;
    let overall = total / n as f64;
    let metric_with = sum_with / n_with as f64;
    let n_without = n - n_with;
    let metric_without = (n_without > 0).then(|| (total - sum_with) / n_without as f64);
    let impact = metric_without.map_or(0.0, |w| w - overall);
    Driver {
        theme: theme.to_string(),
        n_with,
        metric_with,
        n_without,
        metric_without,
        gap: metric_without.map(|w| metric_with - w),
        impact,
        improvement: if kind.higher_is_better() {
            impact
        } else {
            -impact
        },
        small_sample: n_with < MIN_COMMENTS,
    }
}

/// `y ~ 1 + theme:negative + theme:positive + …` over the scored comments.
/// `Err` carries why no model was fitted.
fn regression(engine: &Engine) -> Result<Option<Regression>, String> {
    let ids = Table::query(
        engine,
        "SELECT DISTINCT theme FROM voctag_ct ORDER BY theme",
    )
    .and_then(|t| t.strings("theme"))
    .map_err(|e| e.to_string())?;
    let mut terms = Vec::new();
    let mut cases = Vec::new();
    for id in ids.into_iter().flatten() {
        for (polarity, col) in [("negative", "neg"), ("positive", "pos")] {
            cases.push(format!(
                "MAX(CASE WHEN ct.theme = {} AND ct.{col} > 0 THEN 1 ELSE 0 END) AS x{}",
                quote_str(&id),
                terms.len()
            ));
            terms.push(format!("{id}:{polarity}"));
        }
    }
    if terms.is_empty() {
        return Err("no theme mentions".into());
    }
    let t = Table::query(
        engine,
        &format!(
            "SELECT rc.y_drivers AS y, {} \
             FROM voctag_rc rc LEFT JOIN voctag_ct ct ON {JOIN} \
             WHERE rc.y_drivers IS NOT NULL \
             GROUP BY rc.run_dir, rc.source_file, rc.source_row, rc.y_drivers \
             ORDER BY rc.run_dir, rc.source_file, rc.source_row",
            cases.join(", ")
        ),
    )
    .map_err(|e| e.to_string())?;
    let y: Vec<f64> = t
        .f64s("y")
        .map_err(|e| e.to_string())?
        .into_iter()
        .map(|v| v.unwrap_or(0.0))
        .collect();
    let mut columns = Vec::new();
    for (j, term) in terms.iter().enumerate() {
        let x = t.u64s(&format!("x{j}")).map_err(|e| e.to_string())?;
        columns.push((term.clone(), x));
    }
    fit(&y, columns)
}

/// Fits `y` on the indicator columns that are set in at least
/// [`MIN_COMMENTS`] rows and differ from every column kept before them.
pub fn fit(y: &[f64], columns: Vec<(String, Vec<u64>)>) -> Result<Option<Regression>, String> {
    let n = y.len();
    let mut kept: Vec<(String, Vec<u64>, u64)> = Vec::new();
    let mut dropped = Vec::new();
    for (term, x) in columns {
        let set: u64 = x.iter().sum();
        if set == 0 {
            continue;
        }
        let duplicate = kept.iter().any(|(_, k, _)| *k == x);
        if set < MIN_COMMENTS || duplicate || set as usize == n {
            dropped.push(term);
        } else {
            kept.push((term, x, set));
        }
    }
    // Keep enough residual degrees of freedom: drop the rarest first.
    kept.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
    while !kept.is_empty() && n < kept.len() + 1 + MIN_RESIDUAL_DF {
        dropped.push(kept.pop().expect("not empty").0);
    }
    if kept.is_empty() {
        return Err(format!(
            "no theme-polarity indicator is set in {MIN_COMMENTS} or more of the {n} scored comments \
             with enough comments left to fit"
        ));
    }
    kept.sort_by(|a, b| a.0.cmp(&b.0));
    dropped.sort();
    let cols = kept.len() + 2;
    let mut data = Vec::with_capacity(n * cols);
    for (i, &yi) in y.iter().enumerate() {
        data.push(yi);
        data.push(1.0);
        data.extend(kept.iter().map(|(_, x, _)| x[i] as f64));
    }
    let model = linregress::fit_low_level_regression_model(&data, n, cols)
        .map_err(|e| format!("the fit failed: {e}"))?;
    let coefficient = |term: &str, n_set: u64, j: usize| {
        let estimate = model.parameters()[j];
        let std_error = model.se()[j];
        Coefficient {
            term: term.to_string(),
            n: n_set,
            estimate,
            std_error,
            ci_low: estimate - Z95 * std_error,
            ci_high: estimate + Z95 * std_error,
            p_value: model.p_values()[j],
        }
    };
    Ok(Some(Regression {
        model: format!(
            "y ~ 1 + {}",
            kept.iter()
                .map(|k| k.0.as_str())
                .collect::<Vec<_>>()
                .join(" + ")
        ),
        n: n as u64,
        r_squared: model.rsquared(),
        adj_r_squared: model.rsquared_adj(),
        intercept: coefficient("intercept", n as u64, 0),
        terms: {
            // Most damaging first.
            let mut terms: Vec<Coefficient> = kept
                .iter()
                .enumerate()
                .map(|(j, (term, _, set))| coefficient(term, *set, j + 1))
                .collect();
            terms.sort_by(|a, b| {
                a.estimate
                    .total_cmp(&b.estimate)
                    .then_with(|| a.term.cmp(&b.term))
            });
            terms
        },
        dropped,
    }))
}

/// Impact against frequency. Themes split at the median frequency of the
/// ranked themes and at zero improvement; "fix first" is frequent and
/// pulling the metric down.
pub fn priority(drivers: &Drivers, themes: &[ThemeStats]) -> Vec<PriorityPoint> {
    let ranked: Vec<(&Driver, f64)> = drivers
        .themes
        .iter()
        .filter(|d| !d.small_sample)
        .filter_map(|d| {
            let share = themes.iter().find(|t| t.theme == d.theme)?.share_pct;
            Some((d, share))
        })
        .collect();
    let mut shares: Vec<f64> = ranked.iter().map(|(_, s)| *s).collect();
    shares.sort_by(f64::total_cmp);
    let median = match shares.len() {
        0 => return Vec::new(),
        k if k % 2 == 1 => shares[k / 2],
        k => (shares[k / 2 - 1] + shares[k / 2]) / 2.0,
    };
    ranked
        .into_iter()
        .map(|(d, share)| PriorityPoint {
            theme: d.theme.clone(),
            frequency_pct: share,
            improvement: d.improvement,
            quadrant: match (d.improvement > 0.0, share >= median) {
                (true, true) => Quadrant::FixFirst,
                (true, false) => Quadrant::Watch,
                (false, true) => Quadrant::Strength,
                (false, false) => Quadrant::LowPriority,
            },
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn impact_is_the_change_if_the_theme_scored_like_the_rest() {
        // 10 scored comments: NPS contributions sum to 0 (NPS 0). The 4 with
        // the theme sum to -200 (NPS -50); the other 6 sum to +200 (NPS 33.3).
        let d = driver("transfers", (4, -200.0), (10, 0.0), ScoreKind::Nps);
        assert_eq!(d.metric_with, -50.0);
        let without = d.metric_without.unwrap();
        assert!((without - 200.0 / 6.0).abs() < 1e-9);
        assert!((d.impact - without).abs() < 1e-9, "overall is 0");
        assert!((d.gap.unwrap() - (-50.0 - without)).abs() < 1e-9);
        assert_eq!(d.improvement, d.impact);
        assert!(d.small_sample, "4 comments are fewer than MIN_COMMENTS");
    }

    #[test]
    fn for_effort_lower_is_better() {
        // Mean effort 3 overall; the theme's comments average 5, the rest 2.
        let d = driver("process_complexity", (2, 10.0), (6, 18.0), ScoreKind::Ces);
        assert_eq!(d.metric_without, Some(2.0));
        assert_eq!(d.impact, -1.0);
        assert_eq!(d.improvement, 1.0);
        assert!(d.small_sample);
    }

    #[test]
    fn the_regression_recovers_known_effects() {
        // y = 20 - 60 * neg + 30 * pos, exactly, with a little noise.
        let mut y = Vec::new();
        let (mut neg, mut pos) = (Vec::new(), Vec::new());
        for i in 0..60u64 {
            let (a, b) = ((i % 3 == 0) as u64, (i % 4 == 0) as u64);
            let noise = if i % 8 < 4 { 1.0 } else { -1.0 };
            y.push(20.0 - 60.0 * a as f64 + 30.0 * b as f64 + noise);
            neg.push(a);
            pos.push(b);
        }
        let rare = (0..60u64).map(|i| (i == 7) as u64).collect();
        let columns = vec![
            ("t:negative".to_string(), neg.clone()),
            ("t:positive".to_string(), pos),
            ("u:negative".to_string(), rare),
            ("v:negative".to_string(), neg),
        ];
        let r = fit(&y, columns).unwrap().unwrap();
        assert_eq!(r.dropped, ["u:negative", "v:negative"], "rare, duplicate");
        let est: Vec<_> = r
            .terms
            .iter()
            .map(|c| (c.term.as_str(), c.estimate))
            .collect();
        assert_eq!(est.len(), 2);
        assert_eq!((est[0].0, est[1].0), ("t:negative", "t:positive"));
        assert!((est[0].1 - -60.0).abs() < 2.0, "{est:?}");
        assert!((est[1].1 - 30.0).abs() < 2.0, "{est:?}");
        assert!((r.intercept.estimate - 20.0).abs() < 2.0);
        for c in &r.terms {
            assert!(c.std_error > 0.0 && c.std_error < 1.0, "{c:?}");
            assert!(c.ci_low < c.estimate && c.estimate < c.ci_high);
            assert!(c.p_value < 1e-6);
        }
        assert!(r.r_squared > 0.99);
    }

    fn stats(theme: &str, share_pct: f64) -> ThemeStats {
        ThemeStats {
            theme: theme.into(),
            label_en: theme.into(),
            label_zh: String::new(),
            category: "service".into(),
            comments: 0,
            share_pct,
            comments_negative: 0,
            mentions: Polarities::default(),
            net_sentiment: None,
            top_negative: Vec::new(),
            top_positive: Vec::new(),
            change: None,
        }
    }

    #[test]
    fn the_priority_matrix_splits_at_the_median_frequency_and_zero_impact() {
        let all = (100, -2000.0);
        // (theme, share %, comments with it, their sum of y)
        let rows = [
            ("a", 30.0, 30, -1500.0), // frequent, drags: fix first
            ("b", 5.0, 5, -400.0),    // rare, drags: watch
            ("c", 20.0, 20, 800.0),   // frequent, lifts: strength
            ("d", 2.0, 2, 100.0),     // rare but too few comments: unranked
            ("e", 4.0, 6, 200.0),     // rare, lifts: low priority
        ];
        let themes: Vec<ThemeStats> = rows.iter().map(|r| stats(r.0, r.1)).collect();
        let d = Drivers {
            kind: ScoreKind::Nps,
            metric: "NPS".into(),
            higher_is_better: true,
            overall: -20.0,
            scored: 100,
            themes: rows
                .iter()
                .map(|r| driver(r.0, (r.2, r.3), all, ScoreKind::Nps))
                .collect(),
            regression: None,
        };
        let p = priority(&d, &themes);
        let q: Vec<_> = p.iter().map(|p| (p.theme.as_str(), p.quadrant)).collect();
        // Median of 30, 5, 20, 4 is 12.5.
        assert_eq!(
            q,
            [
                ("a", Quadrant::FixFirst),
                ("b", Quadrant::Watch),
                ("c", Quadrant::Strength),
                ("e", Quadrant::LowPriority)
            ]
        );
    }

    #[test]
    fn too_few_comments_fit_no_model() {
        let y = vec![1.0, 2.0, 3.0];
        let err = fit(&y, vec![("t:negative".into(), vec![1, 0, 1])]).unwrap_err();
        assert!(err.contains("no theme-polarity indicator"), "{err}");
    }
}
