//! The trained sentiment model: multinomial logistic regression over hashed
//! features (see `features.rs`), three classes.
//!
//! File layout: one line of JSON (the header: format, version, feature set,
//! bucket count, neutral threshold, training data checksums and metrics,
//! and the theme heads' own header when the file has them), a newline, then
//! `classes × buckets` little-endian f32 weights, then the theme heads'
//! `buckets × themes` weights and their `buckets` idf values (see
//! [`crate::theme_model`]), then the polarity head's `classes × buckets`
//! weights (see [`crate::polarity_head`]).
//!
//! A comment is `neutral` when the neutral class wins, or when neither
//! praise nor blame reaches `neutral_threshold` (low confidence, or a real
//! mix); the score is P(positive) − P(negative), in [-1, 1].

use super::features::{extract, Features};
use super::ScoringInput;
use crate::polarity_head::{PolarityHead, PolarityHeader};
use crate::theme_model::{ThemeHeader, ThemeHeads};
use crate::{Label, Sentiment};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const CLASSES: [Label; 3] = [Label::Negative, Label::Neutral, Label::Positive];
pub const FEATURE_SET: &str = "v3 (sparse length capped at 2): words, negated words, latin bigrams, han char 1-3-grams, cues, cue sums, mention polarities, shape, vader valences";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Header {
    pub format: String,
    pub format_version: u32,
    pub kind: String,
    pub feature_set: String,
    pub buckets: u32,
    pub classes: Vec<Label>,
    pub neutral_threshold: f32,
    pub training: Training,
    pub metrics: BTreeMap<String, f64>,
    /// Theme heads, when the file carries them (files written before them
    /// do not, and tag with terms only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub themes: Option<ThemeHeader>,
    /// The polarity head, when the file carries one (files written before
    /// it do not, and judge mentions by the rules alone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub polarity: Option<PolarityHeader>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Training {
    /// (file name, sha256, rows used, weight)
    pub data: Vec<DataFile>,
    pub calibration: Vec<DataFile>,
    pub seed: u64,
    /// Models trained with seeds `seed`, `seed + 1`, … whose weights were
    /// averaged (1: a single model; older files carry no such field).
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub ensemble: usize,
    pub epochs: usize,
    pub learning_rate: f32,
    pub l2: f32,
    /// Naive-Bayes weighting of the hashed features during training (0:
    /// none; older files carry no such field). The weights already hold
    /// it: scoring does not read it.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub nb_weight: f32,
    pub lexicon_version: String,
}

fn one() -> usize {
    1
}

fn is_one(n: &usize) -> bool {
    *n == 1
}

fn is_zero(x: &f32) -> bool {
    *x == 0.0
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DataFile {
    pub name: String,
    pub sha256: String,
    pub rows: usize,
    pub weight: f32,
}

#[derive(Debug, Clone)]
pub struct LinearModel {
    pub header: Header,
    /// `weights[class * buckets + bucket]`
    pub weights: Vec<f32>,
    /// Its `header.themes` is what the file header's `themes` holds.
    pub themes: Option<ThemeHeads>,
    /// Likewise the header's `polarity`.
    pub polarity: Option<PolarityHead>,
}

impl LinearModel {
    pub fn from_parts(mut header: Header, body: &[u8]) -> Result<LinearModel, String> {
        if header.classes != CLASSES {
            return Err(format!(
                "classes {:?} are not negative, neutral, positive",
                header.classes
            ));
        }
        if header.feature_set != FEATURE_SET {
            return Err(format!(
                "it was trained on features \"{}\", this voctag computes \"{FEATURE_SET}\": retrain it with `voctag train`",
                header.feature_set
            ));
        }
        if header.buckets == 0 {
            return Err("zero buckets".into());
        }
        let want = CLASSES.len() * header.buckets as usize * 4;
        if body.len() < want {
            return Err(format!(
                "weights are {} bytes, the header's {} buckets need {want}: the file is truncated or corrupt",
                body.len(),
                header.buckets
            ));
        }
        let (body, rest) = body.split_at(want);
        // The polarity head's weights are the file's last bytes; the theme
        // heads' come before them.
        let polarity_len = header.polarity.as_ref().map_or(0, PolarityHead::body_len);
        if rest.len() < polarity_len {
            return Err(format!(
                "the file ends {} bytes short of the polarity head's weights: it is truncated or corrupt",
                polarity_len - rest.len()
            ));
        }
        let (theme_body, polarity_body) = rest.split_at(rest.len() - polarity_len);
        let themes = header
            .themes
            .take()
            .map(|h| ThemeHeads::from_parts(h, theme_body))
            .transpose()?;
        if themes.is_none() && !theme_body.is_empty() {
            return Err(format!(
                "{} bytes follow the weights and the header names no theme heads: the file is corrupt",
                theme_body.len()
            ));
        }
        let polarity = header
            .polarity
            .take()
            .map(|h| PolarityHead::from_parts(h, polarity_body))
            .transpose()?;
        let weights = read_f32s(body).ok_or("weights hold NaN or infinity")?;
        Ok(LinearModel {
            header,
            weights,
            themes,
            polarity,
        })
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut header = self.header.clone();
        header.themes = self.themes.as_ref().map(|t| t.header.clone());
        header.polarity = self.polarity.as_ref().map(|p| p.header.clone());
        let mut out = serde_json::to_vec(&header).expect("the header serializes");
        out.push(b'\n');
        for w in &self.weights {
            out.extend_from_slice(&w.to_le_bytes());
        }
        if let Some(t) = &self.themes {
            out.extend(t.to_bytes());
        }
        if let Some(p) = &self.polarity {
            out.extend(p.to_bytes());
        }
        out
    }

    pub fn features(&self, input: &ScoringInput<'_>) -> Features {
        extract(input, self.header.buckets)
    }

    /// Class probabilities, in the order of [`CLASSES`].
    pub fn probabilities(&self, f: &Features) -> [f32; 3] {
        probabilities(&self.weights, self.header.buckets, f)
    }

    pub fn label(&self, p: [f32; 3]) -> Label {
        label(p, self.header.neutral_threshold)
    }

    pub fn score(&self, input: &ScoringInput<'_>) -> Sentiment {
        let p = self.probabilities(&self.features(input));
        Sentiment {
            label: self.label(p),
            score: (p[2] - p[0]).clamp(-1.0, 1.0),
        }
    }
}

/// Little-endian f32s (`bytes.len()` a multiple of 4), or `None` when one
/// is NaN or infinite: a model file's weight sections.
pub(crate) fn read_f32s(bytes: &[u8]) -> Option<Vec<f32>> {
    let values: Vec<f32> = bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    values.iter().all(|v| v.is_finite()).then_some(values)
}

pub fn probabilities(weights: &[f32], buckets: u32, f: &Features) -> [f32; 3] {
    let b = buckets as usize;
    let mut z = [0.0f32; 3];
    for &(bucket, v) in &f.entries {
        for (k, zk) in z.iter_mut().enumerate() {
            *zk += weights[k * b + bucket as usize] * v;
        }
    }
    let max = z.iter().copied().fold(f32::MIN, f32::max);
    let e = z.map(|x| (x - max).exp());
    let sum: f32 = e.iter().sum();
    e.map(|x| x / sum)
}

pub fn label(p: [f32; 3], neutral_threshold: f32) -> Label {
    let best = if p[1] >= p[0] && p[1] >= p[2] {
        1
    } else if p[2] >= p[0] {
        2
    } else {
        0
    };
    if best != 1 && p[best] < neutral_threshold {
        Label::Neutral
    } else {
        CLASSES[best]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(buckets: u32) -> Header {
        Header {
            format: "voctag-model".into(),
            format_version: 1,
            kind: "linear".into(),
            feature_set: FEATURE_SET.into(),
            buckets,
            classes: CLASSES.to_vec(),
            neutral_threshold: 0.5,
            training: Training {
                data: vec![],
                calibration: vec![],
                seed: 1,
                ensemble: 1,
                epochs: 1,
                learning_rate: 0.1,
                l2: 0.0,
                nb_weight: 0.0,
                lexicon_version: "lex-test".into(),
            },
            metrics: BTreeMap::new(),
            themes: None,
            polarity: None,
        }
    }

    #[test]
    fn weights_round_trip_and_truncation_is_caught() {
        let m = LinearModel {
            header: header(4),
            weights: (0..12).map(|i| i as f32 / 10.0).collect(),
            themes: None,
            polarity: None,
        };
        let bytes = m.to_bytes();
        let split = bytes.iter().position(|&b| b == b'\n').unwrap();
        let h: Header = serde_json::from_slice(&bytes[..split]).unwrap();
        let back = LinearModel::from_parts(h.clone(), &bytes[split + 1..]).unwrap();
        assert_eq!(back.weights, m.weights);
        let err = LinearModel::from_parts(h, &bytes[split + 1..bytes.len() - 4]).unwrap_err();
        assert!(err.contains("truncated"), "{err}");
    }

    #[test]
    fn a_polarity_head_rides_at_the_end_and_its_truncation_is_caught() {
        let head = PolarityHead {
            header: PolarityHeader {
                feature_set: crate::polarity_head::FEATURE_SET.into(),
                buckets: 4,
                epochs: 1,
                learning_rate: 1.0,
                l2: 0.0,
                mentions: 3,
                goldens: 2,
            },
            weights: (0..12).map(|i| -(i as f32)).collect(),
        };
        let m = LinearModel {
            header: header(4),
            weights: (0..12).map(|i| i as f32 / 10.0).collect(),
            themes: None,
            polarity: Some(head),
        };
        let bytes = m.to_bytes();
        let split = bytes.iter().position(|&b| b == b'\n').unwrap();
        let h: Header = serde_json::from_slice(&bytes[..split]).unwrap();
        assert_eq!(h.polarity.as_ref().unwrap().mentions, 3);
        let back = LinearModel::from_parts(h.clone(), &bytes[split + 1..]).unwrap();
        assert_eq!(back.weights, m.weights);
        assert_eq!(
            back.polarity.unwrap().weights,
            m.polarity.as_ref().unwrap().weights
        );
        for cut in [4, 48] {
            let err = LinearModel::from_parts(h.clone(), &bytes[split + 1..bytes.len() - cut])
                .unwrap_err();
            assert!(err.contains("truncated"), "{cut}: {err}");
        }
        // A file without the head reads as before: no head.
        let plain = LinearModel {
            polarity: None,
            ..m.clone()
        };
        let bytes = plain.to_bytes();
        assert!(!String::from_utf8_lossy(&bytes[..split.min(bytes.len())]).contains("polarity"));
    }

    #[test]
    fn low_confidence_is_neutral() {
        assert_eq!(label([0.45, 0.1, 0.45], 0.5), Label::Neutral);
        assert_eq!(label([0.8, 0.1, 0.1], 0.5), Label::Negative);
        assert_eq!(label([0.1, 0.2, 0.7], 0.5), Label::Positive);
        assert_eq!(label([0.3, 0.4, 0.3], 0.5), Label::Neutral);
    }

    #[test]
    fn probabilities_follow_the_weights() {
        let mut w = vec![0.0; 12];
        w[2 * 4 + 1] = 5.0; // bucket 1 votes positive
        let f = Features::plain(vec![(1, 1.0)]);
        let p = probabilities(&w, 4, &f);
        assert!(p[2] > 0.95 && (p.iter().sum::<f32>() - 1.0).abs() < 1e-5);
    }
}
