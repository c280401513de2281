//! Stage 8, the polarity head: a learnt second reading of each mention's
//! polarity, shipped in the model file beside the sentiment weights and the
//! theme heads.
//!
//! Why: the rules judge a mention from the words nearest it, and they are
//! right about nine times in ten; where they are wrong, the evidence is
//! usually elsewhere in the clause or the comment ("键盘时好时坏" holds 好,
//! "价格可以再便宜点" holds 可以, and a wait described in a glowing
//! comment is rarely a complaint). A three-class logistic regression reads
//! what the rules said (the polarity, what set it, the cue, the negation),
//! the theme, the comment's sentiment and score, and the clause's words,
//! and gives the mention's polarity. It keeps the rules' answer unless the
//! labelled comments taught it otherwise: on five labelled rounds, each
//! scored by a model trained without it, it got more mentions right than
//! the rules (models/README.md, "Polarity head").
//!
//! A mention whose polarity the head changed reads `model` in
//! `polarity_from`; its `cue` and `negated` still show what the rules saw,
//! and [`crate::Mention::lexicon_polarity`] (the `rule_polarity` column)
//! still gives the rules' answer.

use crate::polarity::PolarityFrom;
use crate::segment::Token;
use crate::sentiment::features::{Features, Fnv};
use crate::sentiment::linear::{self, CLASSES};
use crate::{Polarity, Sentiment};
use serde::{Deserialize, Serialize};
use std::ops::Range;

pub const FEATURE_SET: &str =
    "p1: rule polarity by source, cue, negation, theme, kind; comment label and score; clause terms; bias";

/// The polarity head's part of a model file's header.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PolarityHeader {
    pub feature_set: String,
    pub buckets: u32,
    pub epochs: usize,
    pub learning_rate: f32,
    pub l2: f32,
    /// The labelled mentions it was trained on: the pipeline's mentions of
    /// the labelled comments whose theme the gold labels share.
    pub mentions: usize,
    /// And the mentions of the lexicons' golden comments, labelled with
    /// the polarity each golden expects of the rules.
    pub goldens: usize,
}

#[derive(Debug, Clone)]
pub struct PolarityHead {
    pub header: PolarityHeader,
    /// `weights[class * buckets + bucket]`, classes as [`CLASSES`].
    pub weights: Vec<f32>,
}

/// What the head reads about one mention. Spans are in bytes of the
/// normalized `text`.
pub struct MentionView<'a> {
    pub text: &'a str,
    pub tokens: &'a [Token],
    /// The clause the mention was judged in.
    pub clause: Range<usize>,
    /// The theme's id.
    pub theme: &'a str,
    /// Added by the theme heads rather than matched by a term.
    pub by_model: bool,
    /// The rules' polarity, after the comment's sentiment filled in.
    pub polarity: Polarity,
    pub from: PolarityFrom,
    pub cue: Option<Range<usize>>,
    pub negated: bool,
    pub sentiment: Sentiment,
}

/// The head's features of one mention: the rules' answer crossed with what
/// set it, the cue, the negation, the theme and the comment's label (so the
/// head learns where each of them is trusted), the comment's score, and the
/// clause's terms (as the theme heads hash them), scaled by 1/√n.
pub fn features(m: &MentionView<'_>, buckets: u32) -> Features {
    let rule = m.polarity.as_str().as_bytes();
    let crossed = |namespace: u8, what: &[u8]| {
        Fnv::new(namespace)
            .bytes(what)
            .bytes(b"|")
            .bytes(rule)
            .bucket(buckets)
    };
    let mut entries: Vec<(u32, f32)> = vec![
        (Fnv::new(b'b').bucket(buckets), 1.0),
        (crossed(b'r', b""), 1.0),
        (crossed(b'f', m.from.as_str().as_bytes()), 1.0),
        (crossed(b't', m.theme.as_bytes()), 1.0),
        (crossed(b'n', &[m.negated as u8]), 1.0),
        (crossed(b'k', &[m.by_model as u8]), 1.0),
        (crossed(b's', m.sentiment.label.as_str().as_bytes()), 1.0),
        (Fnv::new(b'd').bucket(buckets), m.sentiment.score),
    ];
    if let Some(cue) = &m.cue {
        entries.push((crossed(b'c', m.text[cue.clone()].as_bytes()), 1.0));
    }
    let terms = crate::theme_model::clause_terms(m.text, m.tokens, m.clause.clone(), buckets);
    let scale = 1.0 / (terms.len().max(1) as f32).sqrt();
    entries.extend(terms.into_iter().map(|b| (b, scale)));
    Features::plain(entries)
}

impl PolarityHead {
    /// The bytes its weights take in a model file.
    pub fn body_len(header: &PolarityHeader) -> usize {
        CLASSES.len() * header.buckets as usize * 4
    }

    pub fn from_parts(header: PolarityHeader, body: &[u8]) -> Result<PolarityHead, String> {
        if header.feature_set != FEATURE_SET {
            return Err(format!(
                "its polarity head was trained on features \"{}\", this voctag computes \"{FEATURE_SET}\": retrain it with `voctag train`",
                header.feature_set
            ));
        }
        if header.buckets == 0 {
            return Err("a polarity head with zero buckets".into());
        }
        let want = PolarityHead::body_len(&header);
        if body.len() != want {
            return Err(format!(
                "polarity head weights are {} bytes, the header's {} buckets need {want}: the file is truncated or corrupt",
                body.len(),
                header.buckets
            ));
        }
        let weights =
            linear::read_f32s(body).ok_or("polarity head weights hold NaN or infinity")?;
        Ok(PolarityHead { header, weights })
    }

    pub fn to_bytes(&self) -> impl Iterator<Item = u8> + '_ {
        self.weights.iter().flat_map(|w| w.to_le_bytes())
    }

    /// The mention's polarity: the most probable of the three classes.
    pub fn judge(&self, m: &MentionView<'_>) -> Polarity {
        let p = linear::probabilities(
            &self.weights,
            self.header.buckets,
            &features(m, self.header.buckets),
        );
        // Ties go to the rules' answer.
        let mut best = CLASSES
            .iter()
            .position(|&c| c == m.polarity)
            .expect("every polarity is a class");
        for (k, &pk) in p.iter().enumerate() {
            if pk > p[best] {
                best = k;
            }
        }
        CLASSES[best]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(buckets: u32) -> PolarityHeader {
        PolarityHeader {
            feature_set: FEATURE_SET.into(),
            buckets,
            epochs: 1,
            learning_rate: 1.0,
            l2: 0.0,
            mentions: 0,
            goldens: 0,
        }
    }

    fn view<'a>(text: &'a str, tokens: &'a [Token], polarity: Polarity) -> MentionView<'a> {
        MentionView {
            text,
            tokens,
            clause: 0..text.len(),
            theme: "delivery",
            by_model: false,
            polarity,
            from: PolarityFrom::Cue,
            cue: None,
            negated: false,
            sentiment: Sentiment {
                label: Polarity::Negative,
                score: -0.5,
            },
        }
    }

    #[test]
    fn weights_round_trip_and_a_short_body_is_caught() {
        let h = PolarityHead {
            header: header(8),
            weights: (0..24).map(|i| i as f32).collect(),
        };
        let bytes: Vec<u8> = h.to_bytes().collect();
        assert_eq!(bytes.len(), PolarityHead::body_len(&h.header));
        let back = PolarityHead::from_parts(h.header.clone(), &bytes).unwrap();
        assert_eq!(back.weights, h.weights);
        let err = PolarityHead::from_parts(h.header.clone(), &bytes[4..]).unwrap_err();
        assert!(err.contains("truncated"), "{err}");
        let mut other = h.header.clone();
        other.feature_set = "p0".into();
        let err = PolarityHead::from_parts(other, &bytes).unwrap_err();
        assert!(err.contains("retrain"), "{err}");
    }

    #[test]
    fn zero_weights_keep_the_rules_answer_and_weights_can_overrule_it() {
        let text = "快递很慢";
        let tokens = crate::theme_model::tests::tokens(text);
        let buckets = 64;
        let mut head = PolarityHead {
            header: header(buckets),
            weights: vec![0.0; 3 * buckets as usize],
        };
        for p in CLASSES {
            assert_eq!(head.judge(&view(text, &tokens, p)), p);
        }
        // Weight on "the rules said positive" for the negative class: the
        // head now reads such a mention as negative, and only such a one.
        let said_positive = features(&view(text, &tokens, Polarity::Positive), buckets);
        let (bucket, _) = said_positive.entries[1];
        head.weights[bucket as usize] = 5.0;
        assert_eq!(
            head.judge(&view(text, &tokens, Polarity::Positive)),
            Polarity::Negative
        );
        assert_eq!(
            head.judge(&view(text, &tokens, Polarity::Neutral)),
            Polarity::Neutral
        );
    }
}
