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

use crate::error::{Error, Result};
use crate::pipeline::Pipeline;
use crate::sentiment::features::Features;
use crate::sentiment::linear::{
    self, DataFile, Header, LinearModel, Training, CLASSES, FEATURE_SET,
};
use crate::Label;
use rayon::prelude::*;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct TrainOptions {
    /// (file, weight)
    pub data: Vec<(PathBuf, f32)>,
    pub calibrate: Vec<PathBuf>,
    pub seed: u64,
    pub epochs: usize,
    pub buckets: u32,
    pub learning_rate: f32,
    pub l2: f32,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            data: Vec::new(),
            calibrate: Vec::new(),
            seed: 42,
            epochs: 10,
            buckets: 1 << 18,
            learning_rate: 1.0,
            l2: 1e-6,
        }
    }
}

#[derive(Deserialize)]
struct Row {
    text: String,
    label: Option<Label>,
    sentiment: Option<Label>,
    lang: Option<String>,
}

struct Example {
    features: Features,
    class: usize,
    weight: f32,
    lang: String,
}

fn class_of(l: Label) -> usize {
    CLASSES
        .iter()
        .position(|&c| c == l)
        .expect("every label is a class")
}

/// Reads one file into examples; returns its record for the header.
fn load(
    pipeline: &Pipeline,
    path: &Path,
    weight: f32,
    buckets: u32,
) -> Result<(Vec<Example>, DataFile)> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let text =
        std::str::from_utf8(&bytes).map_err(|e| Error::input(path, format!("not UTF-8: {e}")))?;
    let rows: Vec<Row> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).map_err(|e| Error::input(path, format!("line {}: {e}", i + 1)))
        })
        .collect::<Result<_>>()?;
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
    let record = DataFile {
        name: path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        ),
        sha256: crate::lexicon::hex(&Sha256::digest(&bytes)),
        rows: examples.len(),
        weight,
    };
    Ok((examples, record))
}

/// xorshift64*: a tiny, fixed PRNG, so the shuffle never changes under us.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

pub fn train(pipeline: &Pipeline, opts: &TrainOptions) -> Result<LinearModel> {
    if opts.data.is_empty() {
        return Err(Error::Usage("no training data given (--data FILE)".into()));
    }
    let mut examples = Vec::new();
    let mut data = Vec::new();
    for (path, weight) in &opts.data {
        let (mut ex, record) = load(pipeline, path, *weight, opts.buckets)?;
        examples.append(&mut ex);
        data.push(record);
    }
    let buckets = opts.buckets as usize;
    let mut weights = vec![0.0f32; CLASSES.len() * buckets];
    let mut rng = Rng(opts.seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let mut order: Vec<usize> = (0..examples.len()).collect();
    // The average of the weights after each epoch generalises better than
    // the last epoch's weights (less tied to the last examples seen).
    let mut average = vec![0.0f32; weights.len()];
    for epoch in 0..opts.epochs {
        for i in (1..order.len()).rev() {
            order.swap(i, (rng.next() % (i as u64 + 1)) as usize);
        }
        let lr = opts.learning_rate / (1.0 + epoch as f32);
        for &i in &order {
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
    let weights = average;

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
                epochs: opts.epochs,
                learning_rate: opts.learning_rate,
                l2: opts.l2,
                lexicon_version: pipeline.lexicon().version.clone(),
            },
            metrics: BTreeMap::new(),
        },
        weights,
    };
    calibrate(pipeline, &mut model, &opts.calibrate)?;
    Ok(model)
}

/// Picks the neutral threshold that maximises macro-F1 on the calibration
/// files, and records accuracy there (three-class, and two-class on the
/// rows labelled negative or positive, per language).
fn calibrate(pipeline: &Pipeline, model: &mut LinearModel, files: &[PathBuf]) -> Result<()> {
    let mut examples = Vec::new();
    for path in files {
        let (mut ex, record) = load(pipeline, path, 1.0, model.header.buckets)?;
        examples.append(&mut ex);
        model.header.training.calibration.push(record);
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
