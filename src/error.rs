//! The one error type of the library. Every variant names what the user must
//! look at to fix it: the file, the row or line, and the offending value.

use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// The input cannot be used at all (missing column, unreadable header).
    #[error("{path}: {reason}")]
    Input { path: PathBuf, reason: String },

    #[error("lexicon {path}: line {line}: {reason}")]
    Lexicon {
        path: String,
        line: usize,
        reason: String,
    },

    #[error("model {path}: {reason}")]
    Model { path: PathBuf, reason: String },

    #[error("output {path}: {reason}")]
    Output { path: PathBuf, reason: String },

    /// A query over run directories failed (bad SQL, unknown column,
    /// unreadable Parquet): the engine's own message.
    #[error("query: {0}")]
    Query(String),

    #[error("{0}")]
    Usage(String),
}

impl From<datafusion::error::DataFusionError> for Error {
    fn from(e: datafusion::error::DataFusionError) -> Self {
        Error::Query(e.to_string())
    }
}

impl From<arrow::error::ArrowError> for Error {
    fn from(e: arrow::error::ArrowError) -> Self {
        Error::Query(e.to_string())
    }
}

impl Error {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    pub fn input(path: impl Into<PathBuf>, reason: impl Into<String>) -> Self {
        Error::Input {
            path: path.into(),
            reason: reason.into(),
        }
    }

    pub fn output(path: impl Into<PathBuf>, reason: impl std::fmt::Display) -> Self {
        Error::Output {
            path: path.into(),
            reason: reason.to_string(),
        }
    }
}
