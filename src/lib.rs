//! voctag turns exports of customer feedback (Chinese, English or both in one
//! comment) into tagged Parquet: theme mentions with their own polarity and
//! evidence, and a sentiment per comment.
//!
//! ```
//! use voctag::{lexicon::Lexicon, pipeline::Pipeline, Polarity};
//!
//! let pipeline = Pipeline::bundled().unwrap();
//! let text = "前台很热情，但是客房很脏";
//! let analysis = pipeline.analyze(text);
//! let themes: Vec<_> = analysis
//!     .mentions
//!     .iter()
//!     .map(|m| (pipeline.lexicon().themes[m.theme].id.as_str(), m.polarity, &text[m.span.clone()]))
//!     .collect();
//! assert!(themes.contains(&("staff_attitude", Polarity::Positive, "热情")));
//! assert!(themes.contains(&("facilities", Polarity::Negative, "客房")));
//! ```
//!
//! The stages are listed, in order, in [`pipeline`].

pub mod clauses;
pub mod cli;
pub mod engine;
pub mod error;
pub mod eval;
pub mod input;
pub mod insights;
pub mod lexicon;
pub mod normalize;
pub mod output;
pub mod pipeline;
pub mod polarity;
pub mod polarity_head;
pub mod query;
pub mod report;
pub mod run;
pub mod segment;
pub mod sentiment;
pub mod theme_model;
pub mod themes;
pub mod train;

pub use error::{Error, Result};
pub use pipeline::{Analysis, Mention, Pipeline};

use serde::{Deserialize, Serialize};

/// The polarity of one theme mention.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Polarity {
    Negative,
    Neutral,
    Positive,
}

impl Polarity {
    pub fn as_str(self) -> &'static str {
        match self {
            Polarity::Negative => "negative",
            Polarity::Neutral => "neutral",
            Polarity::Positive => "positive",
        }
    }

    pub fn parse(s: &str) -> Option<Polarity> {
        match s.trim() {
            "negative" => Some(Polarity::Negative),
            "neutral" => Some(Polarity::Neutral),
            "positive" => Some(Polarity::Positive),
            _ => None,
        }
    }

    pub fn flip(self) -> Polarity {
        match self {
            Polarity::Negative => Polarity::Positive,
            Polarity::Neutral => Polarity::Neutral,
            Polarity::Positive => Polarity::Negative,
        }
    }

    /// The polarity of a signed cue value.
    pub fn of(value: f32) -> Polarity {
        if value > 0.0 {
            Polarity::Positive
        } else if value < 0.0 {
            Polarity::Negative
        } else {
            Polarity::Neutral
        }
    }
}

/// A comment's sentiment label; the same three values as [`Polarity`].
pub type Label = Polarity;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sentiment {
    pub label: Label,
    /// In [-1, 1]: −1 all blame, +1 all praise.
    pub score: f32,
}

/// The language of a comment, from its words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Zh,
    En,
    Mixed,
    Other,
}

impl Lang {
    pub fn as_str(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
            Lang::Mixed => "mixed",
            Lang::Other => "other",
        }
    }
}
