//! `voctag train`: fit the linear sentiment model on labelled JSONL and write
//! a model file.
//!
//! Deterministic: features come from the same pipeline stages that score at
//! run time (computed in parallel, collected in order), and stochastic
//! gradient descent runs on one thread in an order drawn from `seed`, so the
//! same data, lexicons and seed give the same bytes.
//!
//! Rows are `{"text": …, "label": "negative|neutral|positive"}` (the
//! corpora of `scripts/fetch-corpora.sh`) or the eval format with
//! `sentiment` instead of `label`. A data file may carry a weight
//! (`FILE@3`): the project's own customer-service comments count more than
//! a large review corpus.
//!
//! After training, the neutral threshold is chosen on the calibration files
//! to maximise macro-F1; accuracy on them goes into the header's metrics.
//!
//! Rows with a `themes` list (the eval format) also train the theme heads
//! ([`crate::theme_model`]): every clause of such a comment is an example,
//! positive for the themes whose gold evidence it overlaps, and so is the
//! whole comment, positive for all of its themes. Each comment counts once
//! there, whatever its file's weight. So does every golden comment of the
//! lexicons, positive for the themes it expects (none, for a trap): the
//! goldens say what each term means and where it does not apply, and heads
//! that never saw them vetoed 76 of the 1,514 bundled ones (a theme word
//! in its plainest use, 跟他们沟通非常好), while, trained with them, they
//! vetoed fewer right themes on labelled rounds they had not seen
//! (models/README.md, "Theme heads").
//!
//! Last, the polarity head ([`crate::polarity_head`]) learns from the
//! mentions that the pipeline, with the weights and heads just trained,
//! finds in those rows (each labelled with its gold mention's polarity)
//! and in the golden comments (the polarity each expects of the rules).

use crate::error::{Error, Result};
use crate::pipeline::Pipeline;
use crate::sentiment::features::Features;
use crate::sentiment::linear::{
    self, DataFile, Header, LinearModel, Training, CLASSES, FEATURE_SET,
};
use crate::theme_model::{ClauseExample, ThemeHeader, ThemeTraining};
use crate::{Label, Polarity};
use rayon::prelude::*;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

mod nb;
mod order;
mod polarity;

pub(crate) use order::{place_keys, ContentKey, Order};

#[derive(Debug, Clone)]
pub struct TrainOptions {
    /// (file, weight)
    pub data: Vec<(PathBuf, f32)>,
    pub calibrate: Vec<PathBuf>,
    pub seed: u64,
    /// How many models (seeds `seed`, `seed + 1`, …) to average, for the
    /// sentiment weights and the theme heads alike.
    pub ensemble: usize,
    pub epochs: usize,
    pub buckets: u32,
    pub learning_rate: f32,
    pub l2: f32,
    /// Naive-Bayes weighting of the hashed features, 0 (none) to 1 (full);
    /// see [`nb`].
    pub nb_weight: f32,
    /// Theme heads: probability above which a theme is added, below which
    /// a term's theme is dropped, epochs, step size, L2 and buckets.
    /// `theme_epochs == 0` trains none.
    pub theme_threshold: f32,
    pub theme_veto: f32,
    pub theme_epochs: usize,
    pub theme_learning_rate: f32,
    pub theme_l2: f32,
    pub theme_buckets: u32,
    /// JSONL files of texts that carry no theme (film and editorial
    /// snippets): negative units for every head.
    pub theme_background: Vec<PathBuf>,
    /// Polarity head: epochs (0: none), L2 and buckets; the step size and
    /// the ensemble are the sentiment model's.
    pub polarity_epochs: usize,
    pub polarity_l2: f32,
    pub polarity_buckets: u32,
}

impl TrainOptions {
    /// The defaults, in one place: `voctag train`'s flags read theirs from
    /// here, so a default changes once.
    pub const DEFAULT: TrainOptions = TrainOptions {
        data: Vec::new(),
        calibrate: Vec::new(),
        seed: 42,
        ensemble: 1,
        epochs: 10,
        buckets: 1 << 18,
        learning_rate: 1.0,
        l2: 1e-6,
        nb_weight: 0.0,
        theme_threshold: 0.7,
        // Veto and L2 chosen together in session 19 (models/README.md,
        // "Theme heads"): a heavier L2 keeps the heads' probabilities off
        // the extremes, so the veto that drops a term's theme moves up.
        theme_veto: 0.08,
        theme_epochs: 100,
        theme_learning_rate: 1.0,
        theme_l2: 1e-4,
        theme_buckets: 1 << 16,
        theme_background: Vec::new(),
        polarity_epochs: 10,
        polarity_l2: 1e-5,
        polarity_buckets: 1 << 16,
    };
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions::DEFAULT
    }
}

#[derive(Deserialize)]
struct Row {
    text: String,
    label: Option<Label>,
    sentiment: Option<Label>,
    lang: Option<String>,
    themes: Option<Vec<GoldTheme>>,
}

#[derive(Deserialize)]
struct GoldTheme {
    theme: String,
    polarity: Option<Polarity>,
    evidence: String,
}

/// One gold mention of a labelled comment: theme index, polarity (when the
/// row gives one) and the evidence's byte range in the text.
#[derive(Debug, Clone)]
struct GoldSpan {
    theme: usize,
    polarity: Option<Polarity>,
    span: std::ops::Range<usize>,
}

/// A labelled comment with its gold mentions: what the polarity head
/// learns from.
struct LabelledComment {
    text: String,
    gold: Vec<GoldSpan>,
}

struct Example {
    features: Features,
    class: usize,
    weight: f32,
    lang: String,
}

impl Example {
    /// What the example is, for its place in the [`Order`]: its feature
    /// buckets (not their values, which naive Bayes scaling sets from all
    /// the data), class and weight.
    fn content(&self) -> u64 {
        let key = self
            .features
            .entries
            .iter()
            .fold(ContentKey::new(), |k, e| k.u32(e.0));
        key.u32(self.class as u32).f32(self.weight).finish()
    }
}

fn class_of(l: Label) -> usize {
    CLASSES
        .iter()
        .position(|&c| c == l)
        .expect("every label is a class")
}

/// One file's training examples.
struct Loaded {
    examples: Vec<Example>,
    /// Clauses of the rows that carry `themes`, and how many rows those are.
    clauses: Vec<ClauseExample>,
    themed_rows: usize,
    /// The rows that carry `themes`, when theme labels are read.
    labelled: Vec<LabelledComment>,
    record: DataFile,
}

/// A JSONL file's bytes (for its checksum) and its non-blank rows; a row
/// that does not parse is an error naming the file and line.
fn read_jsonl<T: serde::de::DeserializeOwned>(path: &Path) -> Result<(Vec<u8>, Vec<T>)> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let text =
        std::str::from_utf8(&bytes).map_err(|e| Error::input(path, format!("not UTF-8: {e}")))?;
    let rows = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).map_err(|e| Error::input(path, format!("line {}: {e}", i + 1)))
        })
        .collect::<Result<_>>()?;
    Ok((bytes, rows))
}

/// Reads one file into examples; its record goes into the header.
fn load(
    pipeline: &Pipeline,
    path: &Path,
    weight: f32,
    buckets: u32,
    themes: ThemeLabels,
) -> Result<Loaded> {
    let (bytes, rows) = read_jsonl::<Row>(path)?;
    // Theme labels are read (and checked) only when something learns from
    // them.
    let gold = if themes.read {
        gold_spans(pipeline, path, &rows)?
    } else {
        Vec::new()
    };
    let clauses = match themes.head_buckets {
        Some(b) => theme_examples(pipeline, &rows, &gold, b),
        None => Vec::new(),
    };
    let labelled = rows
        .iter()
        .zip(gold)
        .filter(|(r, _)| r.themes.is_some())
        .map(|(r, gold)| LabelledComment {
            text: r.text.clone(),
            gold,
        })
        .collect();
    let themed_rows = rows.iter().filter(|r| r.themes.is_some()).count();
    let examples: Vec<Example> = rows
        .par_iter()
        .filter_map(|r| {
            let label = r.label.or(r.sentiment)?;
            Some(Example {
                features: pipeline.features(&r.text, buckets),
                class: class_of(label),
                weight,
                lang: r.lang.clone().unwrap_or_default(),
            })
        })
        .collect();
    let record = data_file(path, &bytes, examples.len(), weight);
    Ok(Loaded {
        examples,
        clauses,
        themed_rows,
        labelled,
        record,
    })
}

/// What [`load`] does with the rows' theme labels.
#[derive(Clone, Copy)]
struct ThemeLabels {
    /// Read and check them.
    read: bool,
    /// Cut theme-head units from them, hashed into these buckets.
    head_buckets: Option<u32>,
}

impl ThemeLabels {
    const IGNORED: ThemeLabels = ThemeLabels {
        read: false,
        head_buckets: None,
    };
}

/// The theme units (clauses and whole text) of every row of a background
/// file: JSONL rows whose `text` carries no theme. Its record has weight 0,
/// since it trains no sentiment.
fn load_background(
    pipeline: &Pipeline,
    path: &Path,
    buckets: u32,
) -> Result<(Vec<ClauseExample>, DataFile)> {
    #[derive(Deserialize)]
    struct Background {
        text: String,
    }
    let (bytes, rows) = read_jsonl::<Background>(path)?;
    let units: Vec<Vec<ClauseExample>> = rows
        .par_iter()
        .map(|r| {
            pipeline
                .theme_units(&r.text, buckets)
                .into_iter()
                .map(|(_, terms)| ClauseExample {
                    terms,
                    positive: Vec::new(),
                    background: true,
                })
                .collect()
        })
        .collect();
    let record = data_file(path, &bytes, rows.len(), 0.0);
    Ok((units.into_iter().flatten().collect(), record))
}

/// The header's record of a file read for training: its name, checksum,
/// the rows it gave and their weight.
fn data_file(path: &Path, bytes: &[u8], rows: usize, weight: f32) -> DataFile {
    DataFile {
        name: path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        ),
        sha256: crate::lexicon::hex(&Sha256::digest(bytes)),
        rows,
        weight,
    }
}

/// Every row's gold mentions (none for a row without `themes`), checked:
/// a known theme, evidence that is not empty and is in the text.
fn gold_spans(pipeline: &Pipeline, path: &Path, rows: &[Row]) -> Result<Vec<Vec<GoldSpan>>> {
    let themes = &pipeline.lexicon().themes;
    let mut gold = Vec::with_capacity(rows.len());
    for (line, row) in rows.iter().enumerate() {
        let mut spans = Vec::new();
        for g in row.themes.iter().flatten() {
            let theme = themes.iter().position(|t| t.id == g.theme).ok_or_else(|| {
                Error::input(
                    path,
                    format!("row {}: unknown theme {:?}", line + 1, g.theme),
                )
            })?;
            if g.evidence.is_empty() {
                return Err(Error::input(
                    path,
                    format!("row {}: empty evidence for {:?}", line + 1, g.theme),
                ));
            }
            let at = row.text.find(&g.evidence).ok_or_else(|| {
                Error::input(
                    path,
                    format!(
                        "row {}: evidence {:?} is not in the text",
                        line + 1,
                        g.evidence
                    ),
                )
            })?;
            spans.push(GoldSpan {
                theme,
                polarity: g.polarity,
                span: at..at + g.evidence.len(),
            });
        }
        gold.push(spans);
    }
    Ok(gold)
}

/// The clauses and the whole text of every row with `themes`, each
/// positive for the themes whose evidence (found in the row's text)
/// overlaps it.
fn theme_examples(
    pipeline: &Pipeline,
    rows: &[Row],
    gold: &[Vec<GoldSpan>],
    buckets: u32,
) -> Vec<ClauseExample> {
    let per_row: Vec<Vec<ClauseExample>> = rows
        .par_iter()
        .zip(gold)
        .filter(|(r, _)| r.themes.is_some())
        .map(|(r, spans)| {
            pipeline
                .theme_units(&r.text, buckets)
                .into_iter()
                .map(|(clause, terms)| {
                    let mut positive: Vec<usize> = spans
                        .iter()
                        .filter(|g| g.span.start < clause.end && clause.start < g.span.end)
                        .map(|g| g.theme)
                        .collect();
                    positive.sort_unstable();
                    positive.dedup();
                    ClauseExample {
                        terms,
                        positive,
                        background: false,
                    }
                })
                .collect()
        })
        .collect();
    per_row.into_iter().flatten().collect()
}

/// The theme units of the lexicons' golden comments, positive for every
/// theme the comment expects: the whole comment, and its clause when it
/// has one. Which clause of a longer golden holds a theme is not written
/// down, so its clauses are left out.
fn golden_examples(pipeline: &Pipeline, buckets: u32) -> Vec<ClauseExample> {
    let themes = &pipeline.lexicon().themes;
    let per_golden: Vec<Vec<ClauseExample>> = pipeline
        .lexicon()
        .goldens
        .par_iter()
        .map(|g| {
            let mut positive: Vec<usize> = g
                .expect
                .iter()
                .filter_map(|(id, _)| themes.iter().position(|t| &t.id == id))
                .collect();
            positive.sort_unstable();
            positive.dedup();
            let mut units = pipeline.theme_units(&g.text, buckets);
            // Clauses, then the whole comment.
            if units.len() > 2 {
                units.drain(..units.len() - 1);
            }
            units
                .into_iter()
                .map(|(_, terms)| ClauseExample {
                    terms,
                    positive: positive.clone(),
                    background: false,
                })
                .collect()
        })
        .collect();
    per_golden.into_iter().flatten().collect()
}

/// Trains the sentiment weights, then (on the rows with `themes`) the theme
/// heads, then the polarity head, which learns from the mentions that the
/// pipeline with those two finds: for that, `pipeline`'s model is swapped
/// for the new one while it reads the labelled comments, and put back.
pub fn train(pipeline: &mut Pipeline, opts: &TrainOptions) -> Result<LinearModel> {
    if opts.data.is_empty() {
        return Err(Error::Usage("no training data given (--data FILE)".into()));
    }
    // Background texts only ever train the theme heads: asked for where no
    // heads will be trained, they would be dropped without a word. The
    // epochs are known before any file is read; the labelled rows after.
    let background_error = |why: &str| {
        Err(Error::Usage(format!(
            "--theme-background trains the theme heads, but {why}"
        )))
    };
    if !opts.theme_background.is_empty() && opts.theme_epochs == 0 {
        return background_error("--theme-epochs is 0 (no heads)");
    }
    if !(0.0..=1.0).contains(&opts.nb_weight) {
        return Err(Error::Usage(format!(
            "--nb-weight {} is not a weight between 0 and 1",
            opts.nb_weight
        )));
    }
    let mut examples = Vec::new();
    let mut clauses = Vec::new();
    let mut labelled = Vec::new();
    let mut themed_rows = 0;
    let mut data = Vec::new();
    let theme_labels = ThemeLabels {
        read: opts.theme_epochs > 0 || opts.polarity_epochs > 0,
        head_buckets: (opts.theme_epochs > 0).then_some(opts.theme_buckets),
    };
    for (path, weight) in &opts.data {
        let mut loaded = load(pipeline, path, *weight, opts.buckets, theme_labels)?;
        examples.append(&mut loaded.examples);
        clauses.append(&mut loaded.clauses);
        labelled.append(&mut loaded.labelled);
        themed_rows += loaded.themed_rows;
        data.push(loaded.record);
    }
    let trains_heads = opts.theme_epochs > 0 && themed_rows > 0;
    if !opts.theme_background.is_empty() && !trains_heads {
        return background_error("no --data row carries themes");
    }
    let goldens = if trains_heads {
        let units = golden_examples(pipeline, opts.theme_buckets);
        clauses.extend(units);
        pipeline.lexicon().goldens.len()
    } else {
        0
    };
    let mut background_rows = 0;
    for path in &opts.theme_background {
        let (mut units, record) = load_background(pipeline, path, opts.theme_buckets)?;
        background_rows += record.rows;
        clauses.append(&mut units);
        data.push(record);
    }
    let scales =
        (opts.nb_weight > 0.0).then(|| nb::scales(&examples, opts.buckets, opts.nb_weight));
    if let Some(scales) = &scales {
        nb::apply(&mut examples, scales);
    }
    let keys = place_keys(examples.iter().map(Example::content));
    let mut weights = averaged(opts.ensemble, |e| {
        descend(&examples, &keys, opts, opts.seed + e as u64)
    });
    if let Some(scales) = &scales {
        nb::fold(&mut weights, scales);
    }

    let mut model = LinearModel {
        header: Header {
            format: "voctag-model".into(),
            format_version: 1,
            kind: "linear".into(),
            feature_set: FEATURE_SET.into(),
            buckets: opts.buckets,
            classes: CLASSES.to_vec(),
            neutral_threshold: 0.0,
            training: Training {
                data,
                calibration: Vec::new(),
                seed: opts.seed,
                ensemble: opts.ensemble.max(1),
                epochs: opts.epochs,
                learning_rate: opts.learning_rate,
                l2: opts.l2,
                nb_weight: opts.nb_weight,
                lexicon_version: pipeline.lexicon().version.clone(),
            },
            metrics: BTreeMap::new(),
            themes: None,
            polarity: None,
        },
        weights,
        themes: None,
        polarity: None,
    };
    calibrate(pipeline, &mut model, &opts.calibrate)?;
    if trains_heads {
        let training = ThemeTraining {
            header: ThemeHeader {
                feature_set: String::new(),
                themes: pipeline
                    .lexicon()
                    .themes
                    .iter()
                    .map(|t| t.id.clone())
                    .collect(),
                buckets: opts.theme_buckets,
                threshold: opts.theme_threshold,
                veto: opts.theme_veto,
                epochs: opts.theme_epochs,
                learning_rate: opts.theme_learning_rate,
                l2: opts.theme_l2,
                comments: themed_rows,
                clauses: 0,
                goldens,
                background: background_rows,
            },
            seed: opts.seed,
        };
        model.themes = Some(crate::theme_model::train(
            &clauses,
            &training,
            opts.ensemble,
        ));
    }
    if opts.polarity_epochs > 0 && !labelled.is_empty() {
        model.polarity = Some(polarity::train(pipeline, &model, &labelled, opts)?);
    }
    Ok(model)
}

/// The element-wise mean of `n` weight vectors, `train(0)` … `train(n - 1)`,
/// trained in parallel and summed in order (deterministic). Models that
/// differ only in their order of examples disagree on the comments near the
/// boundary; their mean is steadier than any one of them.
pub(crate) fn averaged(n: usize, train: impl Fn(usize) -> Vec<f32> + Sync + Send) -> Vec<f32> {
    if n <= 1 {
        return train(0);
    }
    let runs: Vec<Vec<f32>> = (0..n).into_par_iter().map(train).collect();
    let mut mean = vec![0.0f32; runs[0].len()];
    for run in &runs {
        for (m, w) in mean.iter_mut().zip(run) {
            *m += w / n as f32;
        }
    }
    mean
}

/// SGD on the softmax loss over `examples`, in the [`Order`] of their
/// `keys` ([`place_keys`]) drawn from `seed`.
fn descend(examples: &[Example], keys: &[u64], opts: &TrainOptions, seed: u64) -> Vec<f32> {
    let buckets = opts.buckets as usize;
    let mut weights = vec![0.0f32; CLASSES.len() * buckets];
    let mut order = Order::new(keys, seed);
    // The average of the weights after each epoch generalises better than
    // the last epoch's weights (less tied to the last examples seen).
    let mut average = vec![0.0f32; weights.len()];
    for epoch in 0..opts.epochs {
        let lr = opts.learning_rate / (1.0 + epoch as f32);
        for i in order.epoch(epoch) {
            let ex = &examples[i];
            let p = linear::probabilities(&weights, opts.buckets, &ex.features);
            for (k, pk) in p.iter().enumerate() {
                let g = (pk - (k == ex.class) as u8 as f32) * ex.weight;
                for &(b, v) in &ex.features.entries {
                    let w = &mut weights[k * buckets + b as usize];
                    *w -= lr * (g * v + opts.l2 * *w);
                }
            }
        }
        for (a, w) in average.iter_mut().zip(&weights) {
            *a += w / opts.epochs as f32;
        }
    }
    average
}

/// Picks the neutral threshold that maximises macro-F1 on the calibration
/// files, and records accuracy there (three-class, and two-class on the
/// rows labelled negative or positive, per language).
fn calibrate(pipeline: &Pipeline, model: &mut LinearModel, files: &[PathBuf]) -> Result<()> {
    let mut examples = Vec::new();
    for path in files {
        let buckets = model.header.buckets;
        let mut loaded = load(pipeline, path, 1.0, buckets, ThemeLabels::IGNORED)?;
        examples.append(&mut loaded.examples);
        model.header.training.calibration.push(loaded.record);
    }
    if examples.is_empty() {
        return Ok(());
    }
    let probs: Vec<[f32; 3]> = examples
        .iter()
        .map(|e| model.probabilities(&e.features))
        .collect();
    let macro_f1 = |threshold: f32| {
        let mut confusion = [[0u64; 3]; 3];
        for (e, p) in examples.iter().zip(&probs) {
            confusion[e.class][class_of(linear::label(*p, threshold))] += 1;
        }
        (0..3)
            .map(|c| {
                let tp = confusion[c][c] as f64;
                let pred: u64 = (0..3).map(|g| confusion[g][c]).sum();
                let gold: u64 = confusion[c].iter().sum();
                if pred + gold == 0 {
                    0.0
                } else {
                    2.0 * tp / (pred + gold) as f64
                }
            })
            .sum::<f64>()
            / 3.0
    };
    let mut best = (f64::MIN, 0.0f32);
    for step in 0..=60 {
        let t = 0.34 + step as f32 * 0.01;
        let f1 = macro_f1(t);
        if f1 > best.0 + 1e-12 {
            best = (f1, t);
        }
    }
    model.header.neutral_threshold = best.1;
    let m = &mut model.header.metrics;
    m.insert("calibration_macro_f1".into(), round(best.0));
    let correct = |pred: &dyn Fn(&[f32; 3]) -> usize, keep: &dyn Fn(&Example) -> bool| {
        let (mut n, mut ok) = (0u64, 0u64);
        for (e, p) in examples.iter().zip(&probs) {
            if keep(e) {
                n += 1;
                ok += (pred(p) == e.class) as u64;
            }
        }
        if n == 0 {
            None
        } else {
            Some(ok as f64 / n as f64)
        }
    };
    let three = |p: &[f32; 3]| class_of(linear::label(*p, best.1));
    let two = |p: &[f32; 3]| if p[2] >= p[0] { 2 } else { 0 };
    if let Some(a) = correct(&three, &|_| true) {
        m.insert("calibration_accuracy".into(), round(a));
    }
    for lang in ["zh", "en"] {
        if let Some(a) = correct(&two, &|e: &Example| e.lang == lang && e.class != 1) {
            m.insert(format!("calibration_two_class_accuracy_{lang}"), round(a));
        }
    }
    Ok(())
}

fn round(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexicon::{Golden, Lexicon};
    use crate::sentiment::Model;
    use crate::Polarity;

    #[test]
    fn golden_comments_train_the_heads_on_the_themes_they_expect() {
        let golden = |text: &str, expect: &[(&str, Polarity)]| Golden {
            file: "test.toml".into(),
            line: 1,
            text: text.into(),
            expect: expect.iter().map(|&(t, p)| (t.into(), p)).collect(),
        };
        let mut lexicon = Lexicon::bundled().unwrap();
        lexicon.goldens = vec![
            golden("电话一直打不通", &[("reachability", Polarity::Negative)]),
            golden(
                "前台很热情，但是电话一直打不通",
                &[
                    ("reachability", Polarity::Negative),
                    ("staff_attitude", Polarity::Positive),
                ],
            ),
            golden("the phone interview went well", &[]),
        ];
        let theme = |id: &str| lexicon.themes.iter().position(|t| t.id == id).unwrap();
        let (reach, staff) = (theme("reachability"), theme("staff_attitude"));
        let pipeline = Pipeline::new(lexicon, Model::lexical());
        let units = golden_examples(&pipeline, 1 << 10);
        let positives: Vec<Vec<usize>> = units.iter().map(|u| u.positive.clone()).collect();
        let mut both = vec![reach, staff];
        both.sort_unstable();
        // One clause: it and the whole comment. Two clauses: which holds
        // which theme is not written down, so the whole comment alone. A
        // trap: negative for every head.
        assert_eq!(positives, [vec![reach], vec![reach], both, vec![], vec![]]);
        assert!(units.iter().all(|u| !u.background && !u.terms.is_empty()));
    }

    pub(super) fn write(dir: &Path, name: &str, rows: &[serde_json::Value]) -> PathBuf {
        let path = dir.join(name);
        let lines: Vec<String> = rows.iter().map(|r| r.to_string()).collect();
        std::fs::write(&path, lines.join("\n")).unwrap();
        path
    }

    fn row(text: &str, sentiment: &str, themes: &[(&str, &str)]) -> serde_json::Value {
        let themes: Vec<_> = themes
            .iter()
            .map(|(t, e)| serde_json::json!({"theme": t, "polarity": "negative", "evidence": e}))
            .collect();
        serde_json::json!({"text": text, "sentiment": sentiment, "themes": themes})
    }

    #[test]
    fn rows_with_themes_train_theme_heads_and_bad_themes_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let corpus = write(
            dir.path(),
            "corpus.jsonl",
            &[
                serde_json::json!({"text": "great product", "label": "positive"}),
                serde_json::json!({"text": "awful", "label": "negative"}),
            ],
        );
        let gold = write(
            dir.path(),
            "gold.jsonl",
            &[
                row(
                    "等了三天，没人回复",
                    "negative",
                    &[("response_speed", "等了三天")],
                ),
                row("the room was clean", "positive", &[]),
                row("nice", "positive", &[]),
            ],
        );
        let mut pipeline = Pipeline::new(Lexicon::bundled().unwrap(), Model::lexical());
        let opts = TrainOptions {
            data: vec![(corpus.clone(), 1.0), (gold.clone(), 3.0)],
            epochs: 2,
            theme_epochs: 2,
            buckets: 1 << 10,
            theme_buckets: 1 << 10,
            ..TrainOptions::default()
        };
        let model = train(&mut pipeline, &opts).unwrap();
        let heads = model
            .themes
            .as_ref()
            .expect("the gold rows train theme heads");
        let ids: Vec<&str> = pipeline
            .lexicon()
            .themes
            .iter()
            .map(|t| t.id.as_str())
            .collect();
        assert_eq!(heads.header.themes, ids);
        // Three rows with `themes`: four clauses and three whole comments;
        // then the lexicons' golden comments.
        let goldens = pipeline.lexicon().goldens.len();
        let golden_units = golden_examples(&pipeline, opts.theme_buckets).len();
        assert_eq!((heads.header.comments, heads.header.goldens), (3, goldens));
        assert_eq!(heads.header.clauses, 7 + golden_units);
        assert_eq!(
            train(&mut pipeline, &opts).unwrap().to_bytes(),
            model.to_bytes()
        );

        // Background texts: negative units for every head, counted apart
        // and recorded with weight 0 (they train no sentiment).
        let background = write(
            dir.path(),
            "background.jsonl",
            &[
                serde_json::json!({"text": "a sprawling, handsome epic", "source": "movie"}),
                serde_json::json!({"text": "the senate vote, again"}),
            ],
        );
        let with_background = TrainOptions {
            theme_background: vec![background.clone()],
            ..opts.clone()
        };
        let quieted = train(&mut pipeline, &with_background).unwrap();
        let quieted_heads = quieted.themes.as_ref().unwrap();
        assert_eq!(quieted_heads.header.comments, 3);
        assert_eq!(quieted_heads.header.background, 2);
        assert!(quieted_heads.header.clauses > heads.header.clauses);
        let record = quieted.header.training.data.last().unwrap();
        assert_eq!(
            (record.name.as_str(), record.rows, record.weight),
            ("background.jsonl", 2, 0.0)
        );
        // The sentiment weights do not see the background.
        assert_eq!(quieted.weights, model.weights);
        let bytes = quieted.to_bytes();
        let back = crate::sentiment::Model::from_bytes(Path::new("<test>"), &bytes).unwrap();
        let back_heads = back.scorer.theme_heads().unwrap();
        assert_eq!(back_heads.header.background, 2);
        // A model without background writes no such field (older files
        // stay byte-identical).
        assert!(!String::from_utf8_lossy(&model.to_bytes()[..4096]).contains("background"));
        // Background with no heads to train is refused, not dropped.
        for no_heads in [
            TrainOptions {
                theme_epochs: 0,
                ..with_background.clone()
            },
            TrainOptions {
                data: vec![(corpus.clone(), 1.0)],
                ..with_background.clone()
            },
        ] {
            let err = train(&mut pipeline, &no_heads).unwrap_err().to_string();
            assert!(err.contains("--theme-background"), "{err}");
        }

        // An ensemble ships the mean of the weights of its seeds, summed
        // in seed order, for the sentiment weights and the heads alike.
        let ensemble = train(
            &mut pipeline,
            &TrainOptions {
                ensemble: 2,
                ..opts.clone()
            },
        )
        .unwrap();
        let second = train(
            &mut pipeline,
            &TrainOptions {
                seed: opts.seed + 1,
                ..opts.clone()
            },
        )
        .unwrap();
        let mean = |a: &[f32], b: &[f32]| -> Vec<f32> {
            a.iter()
                .zip(b)
                .map(|(x, y)| 0.0 + x / 2.0 + y / 2.0)
                .collect()
        };
        assert_eq!(ensemble.weights, mean(&model.weights, &second.weights));
        assert_ne!(ensemble.weights, model.weights);
        let heads_of = |m: &LinearModel| m.themes.as_ref().unwrap().weights.clone();
        assert_eq!(
            heads_of(&ensemble),
            mean(&heads_of(&model), &heads_of(&second))
        );
        assert_eq!(ensemble.header.training.ensemble, 2);
        let back = crate::sentiment::Model::from_bytes(Path::new("<test>"), &ensemble.to_bytes());
        assert!(back.is_ok());
        assert!(!String::from_utf8_lossy(&model.to_bytes()[..4096]).contains("ensemble"));

        // Naive-Bayes weighting changes the weights, not the heads, and the
        // header says it was used; a file trained without it says nothing.
        let weighted = train(
            &mut pipeline,
            &TrainOptions {
                nb_weight: 0.5,
                ..opts.clone()
            },
        )
        .unwrap();
        assert_ne!(weighted.weights, model.weights);
        assert_eq!(heads_of(&weighted), heads_of(&model));
        assert_eq!(weighted.header.training.nb_weight, 0.5);
        let bytes = weighted.to_bytes();
        assert!(String::from_utf8_lossy(&bytes[..4096]).contains("\"nb_weight\":0.5"));
        assert!(crate::sentiment::Model::from_bytes(Path::new("<test>"), &bytes).is_ok());
        assert!(!String::from_utf8_lossy(&model.to_bytes()[..4096]).contains("nb_weight"));
        for out_of_range in [-0.1, 1.5, f32::NAN] {
            let opts = TrainOptions {
                nb_weight: out_of_range,
                ..opts.clone()
            };
            let err = train(&mut pipeline, &opts).unwrap_err().to_string();
            assert!(err.contains("--nb-weight"), "{err}");
        }

        // No rows with themes, no heads.
        let corpus_only = TrainOptions {
            data: vec![(corpus, 1.0)],
            ..opts.clone()
        };
        assert!(train(&mut pipeline, &corpus_only).unwrap().themes.is_none());

        let bad = write(
            dir.path(),
            "bad.jsonl",
            &[row("太贵了", "negative", &[("pricing", "太贵了")])],
        );
        // The error training on `file` alone stops with.
        let error_of = |pipeline: &mut Pipeline, file: PathBuf| {
            let only = TrainOptions {
                data: vec![(file, 1.0)],
                ..opts.clone()
            };
            train(pipeline, &only).unwrap_err().to_string()
        };
        let err = error_of(&mut pipeline, bad.clone());
        assert!(
            err.contains("bad.jsonl") && err.contains("row 1") && err.contains("pricing"),
            "{err}"
        );
        // With no heads to train, theme labels are not read.
        let no_heads = TrainOptions {
            data: vec![(bad, 1.0)],
            theme_epochs: 0,
            polarity_epochs: 0,
            ..opts.clone()
        };
        assert!(train(&mut pipeline, &no_heads).unwrap().themes.is_none());
        // Empty evidence would mark no clause: an error, not a silent skip.
        let empty = write(
            dir.path(),
            "empty.jsonl",
            &[row("太贵了", "negative", &[("price_value", "")])],
        );
        let err = error_of(&mut pipeline, empty);
        assert!(err.contains("empty evidence"), "{err}");
    }
}
