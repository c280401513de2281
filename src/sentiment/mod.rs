//! Stage 6, sentiment: one label and a score in [-1, 1] per comment.
//!
//! `Scorer` is a closed set of scorers chosen at start-up, dispatched by
//! `match` (as tokenizers' `NormalizerWrapper` does). A scorer is loaded from
//! a model file (`models/`); its content hash is the `model_version` of
//! every output row.

pub mod features;
pub mod lexical;
pub mod linear;

use crate::error::{Error, Result};
use crate::Sentiment;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::path::Path;

/// The lexical scorer's parameters, compiled into the binary.
pub const LEXICAL_MODEL: &str = include_str!("../../models/lexical.toml");
/// The default (trained) model, compiled into the binary.
pub const BUNDLED_MODEL: &[u8] = include_bytes!("../../models/sentiment-linear.bin");
const FORMAT: &str = "voctag-model";
const FORMAT_VERSION: u32 = 1;

/// What a scorer may read about one comment; everything is already computed
/// by the earlier stages.
pub struct ScoringInput<'a> {
    /// Normalized text.
    pub text: &'a str,
    pub tokens: &'a [crate::segment::Token],
    pub clauses: &'a [crate::clauses::Clause],
    /// Every cue hit, negators and degree words included.
    pub cues: &'a [crate::clauses::CueHit],
    pub polarities: &'a crate::polarity::Polarities,
    /// The lexicon's negation window, in tokens.
    pub negation_window: usize,
}

#[derive(Debug)]
pub enum Scorer {
    Lexical(lexical::LexicalScorer),
    Linear(Box<linear::LinearModel>),
}

impl Scorer {
    /// The theme heads the model file carries, if any.
    pub fn theme_heads(&self) -> Option<&crate::theme_model::ThemeHeads> {
        match self {
            Scorer::Linear(m) => m.themes.as_ref(),
            Scorer::Lexical(_) => None,
        }
    }

    /// The polarity head the model file carries, if any.
    pub fn polarity_head(&self) -> Option<&crate::polarity_head::PolarityHead> {
        match self {
            Scorer::Linear(m) => m.polarity.as_ref(),
            Scorer::Lexical(_) => None,
        }
    }
}

#[derive(Deserialize)]
struct Header {
    format: String,
    format_version: u32,
    kind: String,
}

#[derive(Debug)]
pub struct Model {
    pub scorer: Scorer,
    /// `<kind>-<sha256 prefix of the file>`.
    pub version: String,
}

impl Model {
    /// The default model: the trained linear model of
    /// `models/sentiment-linear.bin`.
    pub fn bundled() -> Model {
        Model::from_bytes(
            Path::new("<bundled>/models/sentiment-linear.bin"),
            BUNDLED_MODEL,
        )
        .expect("the bundled model is valid")
    }

    /// The lexical scorer of `models/lexical.toml`.
    pub fn lexical() -> Model {
        Model::from_bytes(
            Path::new("<bundled>/models/lexical.toml"),
            LEXICAL_MODEL.as_bytes(),
        )
        .expect("the bundled lexical model is valid")
    }

    /// The model of `--model PATH` when one is given, else the bundled one.
    pub fn from_file_or_bundled(path: Option<&Path>) -> Result<Model> {
        path.map_or_else(|| Ok(Model::bundled()), Model::from_file)
    }

    pub fn from_file(path: &Path) -> Result<Model> {
        let bytes = std::fs::read(path).map_err(|e| Error::Model {
            path: path.to_path_buf(),
            reason: format!("cannot read: {e}"),
        })?;
        Model::from_bytes(path, &bytes)
    }

    pub fn from_bytes(path: &Path, bytes: &[u8]) -> Result<Model> {
        let err = |reason: String| Error::Model {
            path: path.to_path_buf(),
            reason,
        };
        if bytes.first() == Some(&b'{') {
            return Model::from_binary(path, bytes);
        }
        let text = std::str::from_utf8(bytes)
            .map_err(|_| err("not a voctag model file (not UTF-8 TOML)".into()))?;
        let header: Header = toml::from_str::<toml::Table>(text)
            .ok()
            .and_then(|t| t.try_into().ok())
            .ok_or_else(|| {
                err("not a voctag model file (no format/format_version/kind header)".into())
            })?;
        if header.format != FORMAT {
            return Err(err(format!(
                "format is {:?}, not {FORMAT:?}",
                header.format
            )));
        }
        if header.format_version != FORMAT_VERSION {
            return Err(err(format!(
                "format_version {} is not supported by this voctag (it reads {FORMAT_VERSION})",
                header.format_version
            )));
        }
        let scorer = match header.kind.as_str() {
            "lexical" => Scorer::Lexical(lexical::LexicalScorer::from_toml(text).map_err(err)?),
            other => return Err(err(format!("unknown model kind {other:?}"))),
        };
        let digest = Sha256::digest(bytes);
        Ok(Model {
            scorer,
            version: format!("{}-{}", header.kind, crate::lexicon::hex(&digest[..8])),
        })
    }
}

impl Model {
    /// A model with a JSON header line and binary weights (the linear model).
    fn from_binary(path: &Path, bytes: &[u8]) -> Result<Model> {
        let err = |reason: String| Error::Model {
            path: path.to_path_buf(),
            reason,
        };
        let split = bytes
            .iter()
            .position(|&b| b == b'\n')
            .ok_or_else(|| err("not a voctag model file (no header line)".into()))?;
        let value: serde_json::Value = serde_json::from_slice(&bytes[..split])
            .map_err(|_| err("not a voctag model file (the header line is not JSON)".into()))?;
        let header: Header = serde_json::from_value(value.clone()).map_err(|_| {
            err("not a voctag model file (no format/format_version/kind header)".into())
        })?;
        check_header(&header).map_err(err)?;
        let scorer = match header.kind.as_str() {
            "linear" => {
                let h: linear::Header = serde_json::from_value(value)
                    .map_err(|e| err(format!("linear model header: {e}")))?;
                Scorer::Linear(Box::new(
                    linear::LinearModel::from_parts(h, &bytes[split + 1..]).map_err(err)?,
                ))
            }
            other => return Err(err(format!("unknown model kind {other:?}"))),
        };
        let digest = Sha256::digest(bytes);
        Ok(Model {
            scorer,
            version: format!("{}-{}", header.kind, crate::lexicon::hex(&digest[..8])),
        })
    }
}

fn check_header(header: &Header) -> std::result::Result<(), String> {
    if header.format != FORMAT {
        return Err(format!("format is {:?}, not {FORMAT:?}", header.format));
    }
    if header.format_version != FORMAT_VERSION {
        return Err(format!(
            "format_version {} is not supported by this voctag (it reads {FORMAT_VERSION})",
            header.format_version
        ));
    }
    Ok(())
}

impl Scorer {
    pub fn score(&self, input: &ScoringInput<'_>) -> Sentiment {
        match self {
            Scorer::Lexical(s) => s.score(input),
            Scorer::Linear(m) => m.score(input),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_models_load_with_a_content_version() {
        let m = Model::bundled();
        assert!(m.version.starts_with("linear-"), "{}", m.version);
        assert_eq!(m.version.len(), "linear-".len() + 16);
        assert!(matches!(m.scorer, Scorer::Linear(_)));
        let l = Model::lexical();
        assert!(l.version.starts_with("lexical-"), "{}", l.version);
    }

    #[test]
    fn a_truncated_linear_model_is_a_clear_error() {
        let e = Model::from_bytes(
            Path::new("m.bin"),
            &BUNDLED_MODEL[..BUNDLED_MODEL.len() - 10],
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("truncated or corrupt"), "{e}");
    }

    #[test]
    fn a_model_trained_on_other_features_is_a_clear_error() {
        let header_end = BUNDLED_MODEL
            .iter()
            .position(|&b| b == b'\n')
            .expect("a header line");
        let header = std::str::from_utf8(&BUNDLED_MODEL[..header_end]).expect("a JSON header");
        let old = header.replace(linear::FEATURE_SET, "v1: words");
        assert_ne!(old, header, "the header names the feature set");
        let mut bytes = old.into_bytes();
        bytes.extend_from_slice(&BUNDLED_MODEL[header_end..]);
        let e = Model::from_bytes(Path::new("old.bin"), &bytes)
            .unwrap_err()
            .to_string();
        assert!(e.contains("\"v1: words\""), "{e}");
        assert!(e.contains("retrain"), "{e}");
    }

    #[test]
    fn wrong_files_are_clear_errors() {
        let p = Path::new("m.toml");
        let cases = [
            (b"\x00\xff".as_slice(), "not UTF-8"),
            (b"hello = 1".as_slice(), "no format/format_version/kind"),
            (
                b"format = \"x\"\nformat_version = 1\nkind = \"lexical\"".as_slice(),
                "format is \"x\"",
            ),
            (
                b"format = \"voctag-model\"\nformat_version = 9\nkind = \"lexical\"".as_slice(),
                "format_version 9",
            ),
            (
                b"format = \"voctag-model\"\nformat_version = 1\nkind = \"forest\"".as_slice(),
                "unknown model kind",
            ),
            (
                b"format = \"voctag-model\"\nformat_version = 1\nkind = \"lexical\"".as_slice(),
                "[lexical]",
            ),
        ];
        for (bytes, want) in cases {
            let e = Model::from_bytes(p, bytes).unwrap_err().to_string();
            assert!(e.starts_with("model m.toml: "), "{e}");
            assert!(e.contains(want), "{e} should mention {want}");
        }
    }
}
