//! The report as one self-contained HTML file: inline CSS, inline SVG charts,
//! no scripts, nothing fetched (a Content-Security-Policy of
//! `default-src 'none'` says so to the browser as well).

use super::svg::{self, esc};
use super::*;
use std::fmt::Write;

const CSS: &str = "
body{font-family:system-ui,-apple-system,'Segoe UI','Noto Sans','Noto Sans CJK SC','PingFang SC','Microsoft YaHei',sans-serif;
 color:#222;max-width:1000px;margin:0 auto;padding:16px 24px 48px;line-height:1.4}
h1{font-size:1.6em;margin:.2em 0}h2{font-size:1.25em;margin-top:2em;border-bottom:2px solid #ddd;padding-bottom:4px}
h3{font-size:1.05em;margin-top:1.4em}
.meta{color:#666;font-size:.9em}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:12px 0}
.card{border:1px solid #ddd;border-radius:6px;padding:10px 14px;min-width:140px}
.card .v{font-size:1.6em;font-weight:600}.card .k{color:#666;font-size:.85em}
table{border-collapse:collapse;margin:8px 0;font-size:.9em}
th,td{border-bottom:1px solid #e5e5e5;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f6f6f6}td.n{text-align:right;font-variant-numeric:tabular-nums}
.neg{color:#c8423b}.pos{color:#3a8f4b}.muted{color:#888}
.quotes{display:grid;grid-template-columns:1fr 1fr;gap:4px 20px;margin-bottom:10px}
.quotes ul{margin:2px 0;padding-left:18px}.quotes li{margin:2px 0}
svg.chart{display:block;max-width:100%;height:auto;margin:8px 0}
.fix{background:#fbe9e7;padding:8px 12px;border-left:4px solid #c8423b}
";

pub fn render(r: &Report) -> String {
    let mut h = String::new();
    h.push_str("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
    h.push_str(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'; img-src data:\">",
    );
    h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
    let _ = write!(
        h,
        "<title>{}</title><style>{CSS}</style></head><body>",
        esc(&title(r))
    );
    header(&mut h, r);
    overview(&mut h, r);
    themes(&mut h, r);
    priority(&mut h, r);
    drivers(&mut h, r);
    trends(&mut h, r);
    segments(&mut h, r);
    evidence(&mut h, r);
    notes(&mut h, r);
    h.push_str("</body></html>\n");
    h
}

fn title(r: &Report) -> String {
    match &r.options.theme {
        Some(t) => format!("Customer feedback report: {t}"),
        None => "Customer feedback report".to_string(),
    }
}

pub fn theme_name(r: &Report, id: &str) -> String {
    match r.themes.iter().find(|t| t.theme == id) {
        Some(t) if !t.label_zh.is_empty() => format!("{} {}", t.label_en, t.label_zh),
        Some(t) => t.label_en.clone(),
        None => id.to_string(),
    }
}

fn short_name(r: &Report, id: &str) -> String {
    r.themes
        .iter()
        .find(|t| t.theme == id)
        .map_or_else(|| id.to_string(), |t| t.label_en.clone())
}

pub fn signed(v: f64) -> String {
    format!("{v:+.1}").replace('-', "−")
}

pub fn num(v: f64) -> String {
    format!("{v:.1}").replace('-', "−")
}

fn opt(v: Option<f64>, f: fn(f64) -> String) -> String {
    v.map_or_else(|| "–".to_string(), f)
}

fn header(h: &mut String, r: &Report) {
    let _ = write!(h, "<header><h1>{}</h1><p class=\"meta\">", esc(&title(r)));
    let o = &r.overview;
    let _ = write!(
        h,
        "{} comments from {} run{}",
        o.comments,
        r.runs.len(),
        if r.runs.len() == 1 { "" } else { "s" }
    );
    if let (Some(a), Some(b)) = (&o.first_date, &o.last_date) {
        let _ = write!(h, " · {} to {}", esc(a), esc(b));
    }
    let _ = write!(h, " · voctag {}</p></header>", esc(&r.voctag_version));
}

fn card(h: &mut String, value: &str, key: &str) {
    let _ = write!(
        h,
        "<div class=\"card\"><div class=\"v\">{}</div><div class=\"k\">{}</div></div>",
        esc(value),
        esc(key)
    );
}

fn overview(h: &mut String, r: &Report) {
    let o = &r.overview;
    h.push_str("<section id=\"overview\"><h2>Overview</h2><div class=\"cards\">");
    card(h, &o.comments.to_string(), "comments");
    card(h, &o.mentions.to_string(), "theme mentions");
    card(
        h,
        &format!(
            "{:.0}%",
            100.0 * o.comments_with_mentions as f64 / o.comments.max(1) as f64
        ),
        "comments with a theme",
    );
    card(h, &signed(o.net_sentiment), "net sentiment (% pos − % neg)");
    if let Some(s) = &o.score {
        card(
            h,
            &score_value(s),
            &format!("{} ({} scored)", s.kind.label(), s.scored),
        );
    }
    h.push_str("</div>");

    h.push_str("<div class=\"cards\">");
    count_table(h, "Sentiment", &o.sentiment);
    count_table(h, "Language", &o.languages);
    if let Some(s) = &o.score {
        if !s.groups.is_empty() {
            count_table(h, &format!("{} ({})", s.kind.label(), s.column), &s.groups);
        }
    }
    h.push_str("</div>");
    if let Some(s) = &o.score {
        let _ = write!(
            h,
            "<p class=\"meta\">Score column <code>{}</code>: mean {:.2}; {} comment(s) without a usable score.</p>",
            esc(&s.column),
            s.mean_score,
            s.unscored
        );
    }
    h.push_str("</section>");
}

pub fn score_value(s: &ScoreSummary) -> String {
    match s.kind {
        ScoreKind::Ces => format!("{:.2}", s.value),
        ScoreKind::Csat => format!("{:.1}%", s.value),
        _ => signed(s.value),
    }
}

fn count_table(h: &mut String, title: &str, counts: &[Count]) {
    let _ = write!(
        h,
        "<table><tr><th>{}</th><th>n</th><th>%</th></tr>",
        esc(title)
    );
    for c in counts {
        let _ = write!(
            h,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{:.1}</td></tr>",
            esc(&c.value),
            c.count,
            c.share_pct
        );
    }
    h.push_str("</table>");
}

fn themes(h: &mut String, r: &Report) {
    h.push_str("<section id=\"themes\"><h2>Themes</h2>");
    if r.themes.is_empty() {
        h.push_str("<p class=\"muted\">No theme was mentioned.</p></section>");
        return;
    }
    let rows: Vec<(String, [u64; 3])> = r
        .themes
        .iter()
        .map(|t| {
            let m = &t.mentions;
            (t.label_en.clone(), [m.negative, m.neutral, m.positive])
        })
        .collect();
    h.push_str(&svg::polarity_bars(
        "chart-themes",
        "Mentions by theme and polarity",
        &rows,
    ));
    let change_head = r
        .themes
        .iter()
        .find_map(|t| t.change.as_ref())
        .map(|c| {
            format!(
                "<th>share Δ pp<br>{} vs {}</th><th>net Δ</th>",
                esc(&c.period),
                esc(&c.previous)
            )
        })
        .unwrap_or_default();
    let _ = write!(
        h,
        "<table><tr><th>theme</th><th>comments</th><th>share %</th><th>negative</th>\
         <th>neutral</th><th>positive</th><th>net sentiment</th>{change_head}</tr>"
    );
    for t in &r.themes {
        let m = &t.mentions;
        let _ = write!(
            h,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{:.1}</td>\
             <td class=\"n neg\">{}</td><td class=\"n\">{}</td><td class=\"n pos\">{}</td><td class=\"n\">{}</td>",
            esc(&theme_name(r, &t.theme)),
            t.comments,
            t.share_pct,
            m.negative,
            m.neutral,
            m.positive,
            opt(t.net_sentiment, signed)
        );
        if let Some(c) = &t.change {
            let _ = write!(
                h,
                "<td class=\"n\">{}</td><td class=\"n\">{}</td>",
                signed(c.share_change),
                opt(c.net_sentiment_change, signed)
            );
        } else if !change_head.is_empty() {
            h.push_str("<td></td><td></td>");
        }
        h.push_str("</tr>");
    }
    h.push_str("</table></section>");
}

fn quote_list(h: &mut String, quotes: &[Quote], class: &str, head: &str) {
    let _ = write!(h, "<div><b class=\"{class}\">{head}</b><ul>");
    if quotes.is_empty() {
        h.push_str("<li class=\"muted\">none</li>");
    }
    for q in quotes {
        let text: String = q.evidence.chars().take(200).collect();
        let more = if q.evidence.chars().count() > 200 {
            "…"
        } else {
            ""
        };
        let times = if q.count > 1 {
            format!(" <span class=\"muted\">×{}</span>", q.count)
        } else {
            String::new()
        };
        let _ = write!(h, "<li>“{}{more}”{times}</li>", esc(&text));
    }
    h.push_str("</ul></div>");
}

fn evidence(h: &mut String, r: &Report) {
    if r.themes.is_empty() {
        return;
    }
    h.push_str("<section id=\"evidence\"><h2>What customers say</h2>");
    for t in &r.themes {
        let _ = write!(
            h,
            "<h3>{} <span class=\"muted\">· {} comments</span></h3><div class=\"quotes\">",
            esc(&theme_name(r, &t.theme)),
            t.comments
        );
        quote_list(h, &t.top_negative, "neg", "Negative");
        quote_list(h, &t.top_positive, "pos", "Positive");
        h.push_str("</div>");
    }
    h.push_str("</section>");
}

fn drivers(h: &mut String, r: &Report) {
    let Some(d) = &r.drivers else { return };
    let _ = write!(
        h,
        "<section id=\"drivers\"><h2>Key drivers of {}</h2><p>Overall {} = <b>{}</b> over {} scored comments. \
         <i>Impact</i>: how much the overall {} would change if the comments that mention the theme \
         scored like the others.</p>",
        esc(&d.metric),
        esc(&d.metric),
        num(d.overall),
        d.scored,
        esc(&d.metric)
    );
    h.push_str(
        "<table><tr><th>theme</th><th>scored with</th><th>with</th><th>without</th>\
         <th>gap</th><th>impact on overall</th></tr>",
    );
    for t in &d.themes {
        let small = if t.small_sample {
            " <span class=\"muted\">(few)</span>"
        } else {
            ""
        };
        let class = if t.improvement > 0.0 { "neg" } else { "pos" };
        let _ = write!(
            h,
            "<tr><td>{}{small}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n {class}\">{}</td></tr>",
            esc(&theme_name(r, &t.theme)),
            t.n_with,
            num(t.metric_with),
            opt(t.metric_without, num),
            opt(t.gap, signed),
            signed(t.impact)
        );
    }
    h.push_str("</table>");
    if let Some(reg) = &d.regression {
        let _ = write!(
            h,
            "<h3>Regression</h3><p>Ordinary least squares of each comment's contribution to the {} \
             on theme-polarity indicators (n = {}, R² = {:.3}, adjusted {:.3}). A coefficient is the \
             change in the metric that goes with a mention of that polarity, the other themes held \
             fixed; the interval is ±1.96 standard errors.</p>",
            esc(&d.metric),
            reg.n,
            reg.r_squared,
            reg.adj_r_squared
        );
        h.push_str(
            "<table><tr><th>term</th><th>comments</th><th>coefficient</th><th>std. error</th>\
             <th>95% interval</th><th>p</th></tr>",
        );
        for c in std::iter::once(&reg.intercept).chain(&reg.terms) {
            let (theme, pol) = c.term.split_once(':').unwrap_or((&c.term, ""));
            let class = match pol {
                "negative" => "neg",
                "positive" => "pos",
                _ => "",
            };
            let name = if pol.is_empty() {
                c.term.clone()
            } else {
                format!("{} · {pol}", short_name(r, theme))
            };
            let _ = write!(
                h,
                "<tr><td class=\"{class}\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
                 <td class=\"n\">{:.2}</td><td class=\"n\">{} … {}</td><td class=\"n\">{}</td></tr>",
                esc(&name),
                c.n,
                signed(c.estimate),
                c.std_error,
                num(c.ci_low),
                num(c.ci_high),
                p_value(c.p_value)
            );
        }
        h.push_str("</table>");
        if !reg.dropped.is_empty() {
            let _ = write!(
                h,
                "<p class=\"meta\">Left out (fewer than {} comments, or identical to another): {}.</p>",
                drivers::MIN_COMMENTS,
                esc(&reg.dropped.join(", "))
            );
        }
    }
    h.push_str("</section>");
}

pub fn p_value(p: f64) -> String {
    if p < 0.001 {
        "<0.001".to_string()
    } else {
        format!("{p:.3}")
    }
}

fn priority(h: &mut String, r: &Report) {
    let (Some(d), false) = (&r.drivers, r.priority.is_empty()) else {
        return;
    };
    let mut shares: Vec<f64> = r.priority.iter().map(|p| p.frequency_pct).collect();
    shares.sort_by(f64::total_cmp);
    let k = shares.len();
    let median = if k % 2 == 1 {
        shares[k / 2]
    } else {
        (shares[k / 2 - 1] + shares[k / 2]) / 2.0
    };
    let points: Vec<svg::Point> = r
        .priority
        .iter()
        .map(|p| svg::Point {
            label: short_name(r, &p.theme),
            x: p.frequency_pct,
            y: p.improvement,
            highlight: p.quadrant == Quadrant::FixFirst,
        })
        .collect();
    h.push_str("<section id=\"priority\"><h2>Priority matrix</h2>");
    let _ = write!(
        h,
        "<p>Frequency (share of comments) against the {} gain if the theme's comments scored like \
         the others. The dashed line is the median frequency.</p>",
        esc(&d.metric)
    );
    h.push_str(&svg::scatter(
        "chart-priority",
        "Priority matrix: impact against frequency",
        &points,
        median,
        (
            "share of comments mentioning the theme, %",
            &format!("{} gain if fixed", d.metric),
        ),
        [
            Quadrant::FixFirst.label(),
            Quadrant::Watch.label(),
            Quadrant::Strength.label(),
            Quadrant::LowPriority.label(),
        ],
    ));
    let mut fix: Vec<&PriorityPoint> = r
        .priority
        .iter()
        .filter(|p| p.quadrant == Quadrant::FixFirst)
        .collect();
    fix.sort_by(|a, b| b.improvement.total_cmp(&a.improvement));
    h.push_str("<div class=\"fix\"><b>Fix first</b>: ");
    if fix.is_empty() {
        h.push_str("no frequent theme pulls the metric down.");
    } else {
        let items: Vec<String> = fix
            .iter()
            .map(|p| {
                format!(
                    "{} ({:.0}% of comments, {} {})",
                    esc(&theme_name(r, &p.theme)),
                    p.frequency_pct,
                    signed(p.improvement),
                    esc(&d.metric)
                )
            })
            .collect();
        h.push_str(&items.join("; "));
    }
    h.push_str("</div></section>");
}

fn segments(h: &mut String, r: &Report) {
    if r.segments.is_empty() {
        return;
    }
    h.push_str("<section id=\"segments\"><h2>Segments</h2>");
    let metric = r.overview.score.as_ref().map(|s| s.kind.label());
    for (i, seg) in r.segments.iter().enumerate() {
        let _ = write!(h, "<h3>By {}</h3>", esc(&seg.column));
        let (values, reference): (Vec<(String, f64)>, Option<f64>) =
            match (metric, &r.overview.score) {
                (Some(_), Some(s)) => (
                    seg.rows
                        .iter()
                        .filter_map(|x| Some((x.value.clone(), x.metric?)))
                        .collect(),
                    Some(s.value),
                ),
                _ => (
                    seg.rows
                        .iter()
                        .map(|x| (x.value.clone(), x.net_sentiment))
                        .collect(),
                    Some(r.overview.net_sentiment),
                ),
            };
        let what = metric.unwrap_or("net sentiment");
        h.push_str(&svg::value_bars(
            &format!("chart-segment-{i}"),
            &format!("{what} by {}", seg.column),
            &values,
            reference,
        ));
        let _ = write!(
            h,
            "<table><tr><th>{}</th><th>comments</th><th>share %</th><th>net sentiment</th>{}<th>most negative themes (% of the segment's comments)</th></tr>",
            esc(&seg.column),
            metric.map(|m| format!("<th>{}</th>", esc(m))).unwrap_or_default()
        );
        for row in &seg.rows {
            let top: Vec<String> = row
                .top_negative
                .iter()
                .map(|t| format!("{} {:.0}%", esc(&short_name(r, &t.theme)), t.share_pct))
                .collect();
            let _ = write!(
                h,
                "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{:.1}</td><td class=\"n\">{}</td>{}<td>{}</td></tr>",
                esc(&row.value),
                row.comments,
                row.share_pct,
                signed(row.net_sentiment),
                metric
                    .map(|_| format!("<td class=\"n\">{} <span class=\"muted\">(n={})</span></td>", opt(row.metric, num), row.scored))
                    .unwrap_or_default(),
                top.join(", ")
            );
        }
        h.push_str("</table>");
        if seg.other_segments > 0 {
            let _ = write!(
                h,
                "<p class=\"meta\">{} smaller segments not shown.</p>",
                seg.other_segments
            );
        }
    }
    h.push_str("</section>");
}

fn trends(h: &mut String, r: &Report) {
    let Some(t) = &r.trend else { return };
    let labels: Vec<String> = t
        .points
        .iter()
        .map(|p| period_label(r, &p.period))
        .collect();
    h.push_str("<section id=\"trends\"><h2>Trends</h2>");
    let mut series = vec![(
        "net sentiment".to_string(),
        t.points
            .iter()
            .map(|p| Some(p.net_sentiment))
            .collect::<Vec<_>>(),
    )];
    if let Some(s) = &r.overview.score {
        series.push((
            s.kind.label().to_string(),
            t.points.iter().map(|p| p.metric).collect(),
        ));
    }
    h.push_str(&svg::lines(
        "chart-trend-metric",
        "Sentiment and score by period",
        &labels,
        &series,
        "points",
    ));
    let counts = vec![(
        "comments".to_string(),
        t.points.iter().map(|p| Some(p.comments as f64)).collect(),
    )];
    h.push_str(&svg::lines(
        "chart-trend-comments",
        "Comments by period",
        &labels,
        &counts,
        "comments",
    ));
    if !t.themes.is_empty() {
        let shares: Vec<(String, Vec<Option<f64>>)> = t
            .themes
            .iter()
            .map(|x| {
                (
                    short_name(r, &x.theme),
                    x.share_pct.iter().map(|v| Some(*v)).collect(),
                )
            })
            .collect();
        h.push_str(&svg::lines(
            "chart-trend-themes",
            "Share of comments mentioning each theme, by period",
            &labels,
            &shares,
            "% of comments",
        ));
    }
    h.push_str("<table><tr><th>period</th><th>comments</th><th>net sentiment</th>");
    if let Some(s) = &r.overview.score {
        let _ = write!(h, "<th>{}</th>", esc(s.kind.label()));
    }
    h.push_str("</tr>");
    for (p, label) in t.points.iter().zip(&labels) {
        let _ = write!(
            h,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>",
            esc(label),
            p.comments,
            signed(p.net_sentiment)
        );
        if r.overview.score.is_some() {
            let _ = write!(
                h,
                "<td class=\"n\">{} <span class=\"muted\">(n={})</span></td>",
                opt(p.metric, num),
                p.scored
            );
        }
        h.push_str("</tr>");
    }
    h.push_str("</table></section>");
}

/// `2026-11-01` → `2026-11` for months; a run directory → its last component.
pub fn period_label(r: &Report, period: &str) -> String {
    if r.options.date_col.is_none() {
        return std::path::Path::new(period)
            .file_name()
            .map_or_else(|| period.to_string(), |f| f.to_string_lossy().into_owned());
    }
    match r.options.period {
        Period::Month if period.len() >= 7 => period[..7].to_string(),
        _ => period.to_string(),
    }
}

fn notes(h: &mut String, r: &Report) {
    h.push_str("<section id=\"notes\"><h2>Definitions</h2><ul>");
    for line in DEFINITIONS {
        let _ = write!(h, "<li>{}</li>", esc(line));
    }
    for n in &r.notes {
        let _ = write!(h, "<li><b>Note:</b> {}</li>", esc(n));
    }
    h.push_str("</ul><p class=\"meta\">Runs: ");
    h.push_str(&esc(&r.runs.join(", ")));
    h.push_str("</p></section>");
}

pub const DEFINITIONS: &[&str] = &[
    "Share: the percentage of comments with at least one mention of the theme.",
    "Net sentiment: % positive − % negative, of a theme's mentions or of comments; −100 to 100.",
    "NPS: % promoters (9–10) − % detractors (0–6) of the comments scored 0–10. CSAT: % of 4–5 on 1–5. CES: mean effort (lower is better).",
    "Impact: the overall metric if the comments mentioning the theme scored like the rest, minus the overall metric.",
    "Fix first: themes mentioned at least as often as the median theme whose comments pull the metric down.",
];
