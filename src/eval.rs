//! `voctag eval`: score predictions against a hand-labelled gold file.
//!
//! Gold files are JSONL, one `{id, lang, text, sentiment, themes: [{theme,
//! polarity, evidence}]}` per line (`testdata/eval/`). Predictions come from
//! the pipeline run in memory over the gold texts, or from a run directory
//! (`--pred DIR`, joined on `comment_id`).
//!
//! Measures: sentiment accuracy, macro-F1 and confusion matrix; theme
//! detection micro P/R/F1 over (comment, theme) pairs; theme + polarity
//! micro P/R/F1 over (comment, theme, polarity) triples; per theme; per
//! language.

use crate::error::{Error, Result};
use crate::{Pipeline, Polarity};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

#[derive(Debug, Clone, Deserialize)]
pub struct GoldTheme {
    pub theme: String,
    pub polarity: Polarity,
    pub evidence: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct GoldComment {
    pub id: String,
    pub lang: String,
    pub text: String,
    pub sentiment: Polarity,
    pub themes: Vec<GoldTheme>,
}

/// A prediction for one comment: its sentiment and (theme, polarity, evidence).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Prediction {
    pub sentiment: Option<Polarity>,
    pub mentions: Vec<(String, Polarity, String)>,
}

pub fn read_gold(path: &Path) -> Result<Vec<GoldComment>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).map_err(|e| Error::input(path, format!("line {}: {e}", i + 1)))
        })
        .collect()
}

/// Runs the pipeline over the gold texts.
pub fn predict(pipeline: &Pipeline, gold: &[GoldComment]) -> BTreeMap<String, Prediction> {
    use rayon::prelude::*;
    let lexicon = pipeline.lexicon();
    gold.par_iter()
        .map(|g| {
            let a = pipeline.analyze(&g.text);
            let mentions = a
                .mentions
                .iter()
                .map(|m| {
                    (
                        lexicon.themes[m.theme].id.clone(),
                        m.polarity,
                        g.text[m.evidence.clone()].to_string(),
                    )
                })
                .collect();
            (
                g.id.clone(),
                Prediction {
                    sentiment: Some(a.sentiment.label),
                    mentions,
                },
            )
        })
        .collect()
}

/// Predictions from a run directory: `comments.parquet` and
/// `mentions.parquet`, joined on `comment_id`.
pub fn read_predictions(dir: &Path) -> Result<BTreeMap<String, Prediction>> {
    use arrow::array::{Array, StringArray};
    let read = |name: &str, cols: &[&str]| -> Result<Vec<Vec<String>>> {
        let path = dir.join(name);
        let file = std::fs::File::open(&path).map_err(|e| Error::io(&path, e))?;
        let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)
            .and_then(|b| b.build())
            .map_err(|e| Error::input(&path, e.to_string()))?;
        let mut out = vec![Vec::new(); cols.len()];
        for batch in reader {
            let batch = batch.map_err(|e| Error::input(&path, e.to_string()))?;
            for (i, col) in cols.iter().enumerate() {
                let a = batch
                    .column_by_name(col)
                    .and_then(|a| a.as_any().downcast_ref::<StringArray>().cloned())
                    .ok_or_else(|| Error::input(&path, format!("no string column {col:?}")))?;
                out[i].extend((0..a.len()).map(|r| a.value(r).to_string()));
            }
        }
        Ok(out)
    };
    let mut preds: BTreeMap<String, Prediction> = BTreeMap::new();
    let c = read("comments.parquet", &["comment_id", "sentiment"])?;
    for (id, s) in c[0].iter().zip(&c[1]) {
        preds.entry(id.clone()).or_default().sentiment = Polarity::parse(s);
    }
    let m = read(
        "mentions.parquet",
        &["comment_id", "theme", "polarity", "evidence"],
    )?;
    let [ids, themes, polarities, evidence] =
        <[Vec<String>; 4]>::try_from(m).expect("four columns asked for");
    let rows = ids.into_iter().zip(themes).zip(polarities).zip(evidence);
    for (((id, theme), polarity), evidence) in rows {
        if let Some(p) = Polarity::parse(&polarity) {
            preds
                .entry(id)
                .or_default()
                .mentions
                .push((theme, p, evidence));
        }
    }
    Ok(preds)
}

#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq)]
pub struct Prf {
    pub tp: u64,
    pub fp: u64,
    pub r#fn: u64,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

impl Prf {
    fn add(&mut self, gold: bool, pred: bool) {
        match (gold, pred) {
            (true, true) => self.tp += 1,
            (false, true) => self.fp += 1,
            (true, false) => self.r#fn += 1,
            (false, false) => {}
        }
    }

    fn finish(mut self) -> Prf {
        let ratio = |a: u64, b: u64| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        self.precision = ratio(self.tp, self.tp + self.fp);
        self.recall = ratio(self.tp, self.tp + self.r#fn);
        self.f1 = if self.precision + self.recall == 0.0 {
            0.0
        } else {
            2.0 * self.precision * self.recall / (self.precision + self.recall)
        };
        self
    }

    pub fn support(&self) -> u64 {
        self.tp + self.r#fn
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct SentimentScores {
    pub n: u64,
    pub accuracy: f64,
    pub macro_f1: f64,
    /// confusion[gold][predicted], in the order negative, neutral, positive.
    pub confusion: [[u64; 3]; 3],
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Scores {
    pub comments: u64,
    pub sentiment: SentimentScores,
    pub theme: Prf,
    pub theme_polarity: Prf,
}

#[derive(Debug, Clone, Serialize)]
pub struct ErrorCase {
    pub id: String,
    pub kind: &'static str,
    pub theme: String,
    pub polarity: Polarity,
    pub evidence: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct EvalReport {
    pub overall: Scores,
    pub by_lang: BTreeMap<String, Scores>,
    pub by_theme: BTreeMap<String, Prf>,
    pub errors: Vec<ErrorCase>,
}

fn polarity_index(p: Polarity) -> usize {
    match p {
        Polarity::Negative => 0,
        Polarity::Neutral => 1,
        Polarity::Positive => 2,
    }
}

#[derive(Default)]
struct Tally {
    comments: u64,
    confusion: [[u64; 3]; 3],
    theme: Prf,
    theme_polarity: Prf,
}

impl Tally {
    fn finish(self) -> Scores {
        let n: u64 = self.confusion.iter().flatten().sum();
        let correct: u64 = (0..3).map(|i| self.confusion[i][i]).sum();
        let f1s: Vec<f64> = (0..3)
            .map(|c| {
                let tp = self.confusion[c][c];
                let pred: u64 = (0..3).map(|g| self.confusion[g][c]).sum();
                let gold: u64 = self.confusion[c].iter().sum();
                Prf {
                    tp,
                    fp: pred - tp,
                    r#fn: gold - tp,
                    ..Prf::default()
                }
                .finish()
                .f1
            })
            .collect();
        Scores {
            comments: self.comments,
            sentiment: SentimentScores {
                n,
                accuracy: if n == 0 {
                    0.0
                } else {
                    correct as f64 / n as f64
                },
                macro_f1: f1s.iter().sum::<f64>() / 3.0,
                confusion: self.confusion,
            },
            theme: self.theme.finish(),
            theme_polarity: self.theme_polarity.finish(),
        }
    }
}

/// Scores `pred` against `gold`; a gold comment with no prediction counts
/// as predicting nothing (no themes, no sentiment).
pub fn score(gold: &[GoldComment], pred: &BTreeMap<String, Prediction>) -> EvalReport {
    let mut overall = Tally::default();
    let mut by_lang: BTreeMap<String, Tally> = BTreeMap::new();
    let mut by_theme: BTreeMap<String, Prf> = BTreeMap::new();
    let mut errors = Vec::new();
    let empty = Prediction::default();
    for g in gold {
        let p = pred.get(&g.id).unwrap_or(&empty);
        let gold_pairs: BTreeSet<&str> = g.themes.iter().map(|t| t.theme.as_str()).collect();
        let pred_pairs: BTreeSet<&str> = p.mentions.iter().map(|m| m.0.as_str()).collect();
        let gold_triples: BTreeSet<(&str, Polarity)> = g
            .themes
            .iter()
            .map(|t| (t.theme.as_str(), t.polarity))
            .collect();
        let pred_triples: BTreeSet<(&str, Polarity)> =
            p.mentions.iter().map(|m| (m.0.as_str(), m.1)).collect();
        let lang = by_lang.entry(g.lang.clone()).or_default();
        for tally in [&mut overall, lang] {
            tally.comments += 1;
            if let Some(s) = p.sentiment {
                tally.confusion[polarity_index(g.sentiment)][polarity_index(s)] += 1;
            }
            for t in gold_pairs.union(&pred_pairs) {
                tally
                    .theme
                    .add(gold_pairs.contains(t), pred_pairs.contains(t));
            }
            for t in gold_triples.union(&pred_triples) {
                tally
                    .theme_polarity
                    .add(gold_triples.contains(t), pred_triples.contains(t));
            }
        }
        for t in gold_pairs.union(&pred_pairs) {
            by_theme
                .entry(t.to_string())
                .or_default()
                .add(gold_pairs.contains(t), pred_pairs.contains(t));
        }
        for t in &g.themes {
            if !pred_triples.contains(&(t.theme.as_str(), t.polarity)) {
                errors.push(ErrorCase {
                    id: g.id.clone(),
                    kind: "miss",
                    theme: t.theme.clone(),
                    polarity: t.polarity,
                    evidence: t.evidence.clone(),
                });
            }
        }
        for m in &p.mentions {
            if !gold_triples.contains(&(m.0.as_str(), m.1)) {
                errors.push(ErrorCase {
                    id: g.id.clone(),
                    kind: "false_alarm",
                    theme: m.0.clone(),
                    polarity: m.1,
                    evidence: m.2.clone(),
                });
            }
        }
    }
    EvalReport {
        overall: overall.finish(),
        by_lang: by_lang.into_iter().map(|(k, v)| (k, v.finish())).collect(),
        by_theme: by_theme.into_iter().map(|(k, v)| (k, v.finish())).collect(),
        errors,
    }
}

impl EvalReport {
    pub fn to_text(&self, max_errors: usize) -> String {
        let mut s = String::new();
        let line = |name: &str, sc: &Scores| {
            format!(
                "{name:<8} {:>5} comments  sentiment acc {:.3} macro-F1 {:.3}  theme P {:.3} R {:.3} F1 {:.3}  theme+polarity P {:.3} R {:.3} F1 {:.3}\n",
                sc.comments,
                sc.sentiment.accuracy,
                sc.sentiment.macro_f1,
                sc.theme.precision,
                sc.theme.recall,
                sc.theme.f1,
                sc.theme_polarity.precision,
                sc.theme_polarity.recall,
                sc.theme_polarity.f1
            )
        };
        s.push_str(&line("all", &self.overall));
        for (lang, sc) in &self.by_lang {
            s.push_str(&line(lang, sc));
        }
        s.push_str(
            "\nsentiment confusion (rows gold, columns predicted: negative neutral positive)\n",
        );
        for (name, row) in ["negative", "neutral", "positive"]
            .iter()
            .zip(self.overall.sentiment.confusion)
        {
            s.push_str(&format!(
                "  {name:<9} {:>5} {:>5} {:>5}\n",
                row[0], row[1], row[2]
            ));
        }
        s.push_str("\ntheme               support     P     R    F1\n");
        for (theme, p) in &self.by_theme {
            s.push_str(&format!(
                "{theme:<19} {:>7} {:.3} {:.3} {:.3}\n",
                p.support(),
                p.precision,
                p.recall,
                p.f1
            ));
        }
        if max_errors > 0 {
            s.push_str(&format!("\nfirst {max_errors} errors\n"));
            for e in self.errors.iter().take(max_errors) {
                s.push_str(&format!(
                    "  {:<11} {:<12} {}:{}  {:?}\n",
                    e.kind,
                    e.id,
                    e.theme,
                    e.polarity.as_str(),
                    e.evidence
                ));
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gold(id: &str, lang: &str, sentiment: Polarity, themes: &[(&str, Polarity)]) -> GoldComment {
        GoldComment {
            id: id.into(),
            lang: lang.into(),
            text: String::new(),
            sentiment,
            themes: themes
                .iter()
                .map(|(t, p)| GoldTheme {
                    theme: t.to_string(),
                    polarity: *p,
                    evidence: String::new(),
                })
                .collect(),
        }
    }

    fn pred(sentiment: Polarity, mentions: &[(&str, Polarity)]) -> Prediction {
        Prediction {
            sentiment: Some(sentiment),
            mentions: mentions
                .iter()
                .map(|(t, p)| (t.to_string(), *p, String::new()))
                .collect(),
        }
    }

    #[test]
    fn hand_worked_example() {
        use Polarity::*;
        // Gold pairs: a:{speed, staff}, b:{price}, c:{}. Predicted: a:{speed}, b:{price, delivery}, c:{staff}.
        // Pairs: tp = speed@a, price@b = 2; fp = delivery@b, staff@c = 2; fn = staff@a = 1.
        // P = 2/4 = 0.5, R = 2/3, F1 = 2*0.5*(2/3)/(0.5+2/3) = 4/7.
        // Triples: speed@a neg/neg tp; price@b gold pos, pred neg -> 1 fn + 1 fp.
        // tp = 1, fp = 1 (price neg) + 2 = 3, fn = 1 (staff) + 1 (price pos) = 2; P = 1/4, R = 1/3.
        let g = vec![
            gold(
                "a",
                "zh",
                Negative,
                &[("speed", Negative), ("staff", Positive)],
            ),
            gold("b", "en", Positive, &[("price", Positive)]),
            gold("c", "en", Neutral, &[]),
        ];
        let mut p = BTreeMap::new();
        p.insert("a".into(), pred(Negative, &[("speed", Negative)]));
        p.insert(
            "b".into(),
            pred(Neutral, &[("price", Negative), ("delivery", Neutral)]),
        );
        p.insert("c".into(), pred(Neutral, &[("staff", Positive)]));
        let r = score(&g, &p);
        let t = r.overall.theme;
        assert_eq!((t.tp, t.fp, t.r#fn), (2, 2, 1));
        assert!((t.f1 - 4.0 / 7.0).abs() < 1e-12);
        let tp = r.overall.theme_polarity;
        assert_eq!((tp.tp, tp.fp, tp.r#fn), (1, 3, 2));
        assert!((tp.precision - 0.25).abs() < 1e-12 && (tp.recall - 1.0 / 3.0).abs() < 1e-12);
        // Sentiment: a right, b wrong (pos -> neutral), c right: accuracy 2/3.
        // Per class F1: negative 1, neutral P 1/2 R 1 -> 2/3, positive 0; macro = 5/9.
        assert!((r.overall.sentiment.accuracy - 2.0 / 3.0).abs() < 1e-12);
        assert!((r.overall.sentiment.macro_f1 - 5.0 / 9.0).abs() < 1e-12);
        assert_eq!(r.overall.sentiment.confusion[2][1], 1);
        // Per language: zh has only a: theme tp 1, fn 1.
        let zh = &r.by_lang["zh"].theme;
        assert_eq!((zh.tp, zh.fp, zh.r#fn), (1, 0, 1));
        // Per theme: staff has one fn (a) and one fp (c).
        let staff = r.by_theme["staff"];
        assert_eq!((staff.tp, staff.fp, staff.r#fn), (0, 1, 1));
        assert_eq!(r.errors.iter().filter(|e| e.kind == "miss").count(), 2);
    }

    #[test]
    fn a_missing_prediction_predicts_nothing() {
        use Polarity::*;
        let g = vec![gold("a", "zh", Negative, &[("speed", Negative)])];
        let r = score(&g, &BTreeMap::new());
        assert_eq!(r.overall.theme.r#fn, 1);
        assert_eq!(r.overall.sentiment.n, 0);
    }
}
