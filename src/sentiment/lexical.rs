//! The lexical scorer: the sum of the comment's resolved cues, with clauses
//! after a contrast word weighing more ("不错，但是太贵了" leans negative).
//! A comment with strong praise and strong blame and no overall verdict is
//! `neutral`, as THEMES.md's conventions ask. Its parameters live in
//! `models/lexical.toml`.

use super::ScoringInput;
use crate::{Label, Polarity, Sentiment};
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LexicalScorer {
    contrast_weight: f32,
    fixed_term_weight: f32,
    neutral_band: f32,
    mixed_min: f32,
    mixed_ratio: f32,
}

#[derive(Deserialize)]
struct File {
    lexical: LexicalScorer,
}

impl LexicalScorer {
    pub fn from_toml(text: &str) -> Result<LexicalScorer, String> {
        #[derive(Deserialize)]
        struct Loose {
            lexical: Option<toml::Value>,
        }
        let loose: Loose = toml::from_str(text).map_err(|e| e.message().to_string())?;
        if loose.lexical.is_none() {
            return Err("a lexical model needs a [lexical] table".into());
        }
        let file: File = toml::from_str(text).map_err(|e| format!("[lexical]: {}", e.message()))?;
        Ok(file.lexical)
    }

    pub fn score(&self, input: &ScoringInput<'_>) -> Sentiment {
        let (mut pos, mut neg) = (0.0f32, 0.0f32);
        let mut add = |value: f32, clause: usize| {
            let w = if input.clauses[clause].after_contrast {
                self.contrast_weight
            } else {
                1.0
            };
            if value > 0.0 {
                pos += value * w;
            } else {
                neg -= value * w;
            }
        };
        for cue in &input.polarities.cues {
            add(cue.value, cue.clause);
        }
        for m in &input.polarities.mentions {
            if m.cue.is_none() && m.polarity != Polarity::Neutral {
                let sign = if m.polarity == Polarity::Positive {
                    1.0
                } else {
                    -1.0
                };
                add(sign * self.fixed_term_weight, m.clause);
            }
        }
        let score = (pos - neg) / (pos + neg + 2.0);
        let mixed = pos >= self.mixed_min
            && neg >= self.mixed_min
            && pos.min(neg) / pos.max(neg) > self.mixed_ratio;
        let label = if mixed || score.abs() < self.neutral_band {
            Label::Neutral
        } else if score > 0.0 {
            Label::Positive
        } else {
            Label::Negative
        };
        Sentiment { label, score }
    }
}
