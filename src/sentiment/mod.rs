//! Stage 6, sentiment: one label and a score in [-1, 1] per comment.
//!
//! `Scorer` is a closed set of scorers chosen at start-up, dispatched by
//! `match` (as tokenizers' `NormalizerWrapper` does). A scorer is loaded from
//! a model file (`models/`); its content hash is the `model_version` of
//! every output row.

pub mod lexical;

use crate::error::{Error, Result};
use crate::Sentiment;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::path::Path;

/// The model compiled into the binary.
pub const BUNDLED_MODEL: &str = include_str!("../../models/lexical.toml");
const FORMAT: &str = "voctag-model";
const FORMAT_VERSION: u32 = 1;

/// What a scorer may read about one comment; everything is already computed
/// by the earlier stages.
pub struct ScoringInput<'a> {
    /// Normalized text.
    pub text: &'a str,
    pub tokens: &'a [crate::segment::Token],
    pub clauses: &'a [crate::clauses::Clause],
    pub polarities: &'a crate::polarity::Polarities,
}

#[derive(Debug)]
pub enum Scorer {
    Lexical(lexical::LexicalScorer),
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
    pub fn bundled() -> Model {
        Model::from_bytes(
            Path::new("<bundled>/models/lexical.toml"),
            BUNDLED_MODEL.as_bytes(),
        )
        .expect("the bundled model is valid")
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

impl Scorer {
    pub fn score(&self, input: &ScoringInput<'_>) -> Sentiment {
        match self {
            Scorer::Lexical(s) => s.score(input),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_model_loads_with_a_content_version() {
        let m = Model::bundled();
        assert!(m.version.starts_with("lexical-"), "{}", m.version);
        assert_eq!(m.version.len(), "lexical-".len() + 16);
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
