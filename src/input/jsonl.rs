//! JSON Lines: one object per line. The pass-through columns are the keys of
//! the first object (other than the text), as strings: JSON strings as they
//! are, other values as their JSON text, absent keys as null. Keys that
//! first appear later are counted in the run report, not silently kept.
//!
//! A line that is not valid UTF-8, not JSON, or not an object is a reject.
//! Lone surrogates in `\u` escapes (common in exports cut at a byte limit)
//! become U+FFFD instead of failing the whole comment.

use super::{
    excerpt, missing_column, passthrough_name, Comment, FileChunk, FileInfo, InputOptions, Reject,
};
use crate::error::{Error, Result};
use arrow::array::StringBuilder;
use arrow::datatypes::{DataType, Field, Schema};
use serde_json::{Map, Value};
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::sync::Arc;

fn parse_object(line: &str) -> std::result::Result<Map<String, Value>, String> {
    let value: Value = match serde_json::from_str(line) {
        Ok(v) => v,
        Err(e) => {
            let repaired = replace_lone_surrogates(line);
            if repaired == line {
                return Err(format!("invalid JSON: {e}"));
            }
            serde_json::from_str(&repaired).map_err(|e| format!("invalid JSON: {e}"))?
        }
    };
    match value {
        Value::Object(map) => Ok(map),
        other => Err(format!("not a JSON object but {}", kind(&other))),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Rewrites `\uD800`–`\uDFFF` escapes that are not a proper high+low pair as `\uFFFD`.
fn replace_lone_surrogates(line: &str) -> String {
    let bytes = line.as_bytes();
    let hex_at = |i: usize| -> Option<u32> {
        if i + 6 <= bytes.len() && bytes[i] == b'\\' && bytes[i + 1] == b'u' {
            u32::from_str_radix(std::str::from_utf8(&bytes[i + 2..i + 6]).ok()?, 16).ok()
        } else {
            None
        }
    };
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' && i + 1 < bytes.len() && bytes[i + 1] != b'u' {
            out.push_str(&line[i..i + 2]);
            i += 2;
            continue;
        }
        match hex_at(i) {
            Some(hi @ 0xD800..=0xDBFF) if matches!(hex_at(i + 6), Some(0xDC00..=0xDFFF)) => {
                let _ = hi;
                out.push_str(&line[i..i + 12]);
                i += 12;
            }
            Some(0xD800..=0xDFFF) => {
                out.push_str("\\uFFFD");
                i += 6;
            }
            _ => {
                let c = line[i..].chars().next().expect("i is on a char boundary");
                out.push(c);
                i += c.len_utf8();
            }
        }
    }
    out
}

fn value_to_string(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// The first object line of the file, with its keys in file order.
fn first_object(path: &Path) -> Result<Vec<String>> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut reader = BufReader::new(file);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let n = reader
            .read_until(b'\n', &mut buf)
            .map_err(|e| Error::io(path, e))?;
        if n == 0 {
            return Err(Error::input(path, "no JSON object found in the file"));
        }
        let Ok(line) = std::str::from_utf8(&buf) else {
            continue;
        };
        let line = line.trim_start_matches('\u{feff}').trim();
        if line.is_empty() {
            continue;
        }
        if let Ok(map) = parse_object(line) {
            return Ok(map.keys().cloned().collect());
        }
    }
}

/// (key in the file, output name) for every pass-through key.
fn passthrough_keys(keys: &[String], opts: &InputOptions) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for k in keys {
        if *k == opts.text_col {
            continue;
        }
        let taken: Vec<String> = out.iter().map(|(_, n)| n.clone()).collect();
        out.push((k.clone(), passthrough_name(k, &taken)));
    }
    out
}

pub(super) fn probe(path: &Path, opts: &InputOptions) -> Result<Vec<Field>> {
    let keys = first_object(path)?;
    for (role, wanted) in [("id", &opts.id_col), ("text", &opts.text_col)] {
        if !keys.contains(wanted) {
            return Err(missing_column(path, role, wanted, &keys));
        }
    }
    Ok(passthrough_keys(&keys, opts)
        .into_iter()
        .map(|(_, name)| Field::new(name, DataType::Utf8, true))
        .collect())
}

pub(super) struct JsonlChunks {
    path: PathBuf,
    reader: BufReader<File>,
    keys: Vec<(String, String)>,
    schema: Arc<Schema>,
    id_col: String,
    text_col: String,
    file: usize,
    chunk_rows: usize,
    line_index: u64,
    bytes: u64,
}

impl JsonlChunks {
    pub(super) fn open(info: &FileInfo, file: usize, opts: &InputOptions) -> Result<Self> {
        let keys = passthrough_keys(&first_object(&info.path)?, opts);
        let schema = Arc::new(Schema::new(
            keys.iter()
                .map(|(_, n)| Field::new(n, DataType::Utf8, true))
                .collect::<Vec<_>>(),
        ));
        let raw = File::open(&info.path).map_err(|e| Error::io(&info.path, e))?;
        Ok(JsonlChunks {
            path: info.path.clone(),
            reader: BufReader::with_capacity(256 * 1024, raw),
            keys,
            schema,
            id_col: opts.id_col.clone(),
            text_col: opts.text_col.clone(),
            file,
            chunk_rows: opts.chunk_rows.max(1),
            line_index: 0,
            bytes: 0,
        })
    }

    fn analyse_line(
        &self,
        line: &str,
    ) -> std::result::Result<(String, String, Map<String, Value>), String> {
        let map = parse_object(line)?;
        let id = match map.get(&self.id_col) {
            None | Some(Value::Null) => return Err(format!("no {:?} value", self.id_col)),
            Some(v) => value_to_string(v).unwrap_or_default(),
        };
        if id.trim().is_empty() {
            return Err("empty id".into());
        }
        let text = match map.get(&self.text_col) {
            None => return Err(format!("no {:?} key", self.text_col)),
            Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.clone(),
            Some(other) => {
                return Err(format!(
                    "{:?} is {}, not a string",
                    self.text_col,
                    kind(other)
                ))
            }
        };
        Ok((id.trim().to_string(), text, map))
    }
}

impl super::ChunkReader for JsonlChunks {
    fn next_chunk(&mut self) -> Result<Option<FileChunk>> {
        let mut comments = Vec::new();
        let mut rejects = Vec::new();
        let mut builders: Vec<StringBuilder> =
            (0..self.keys.len()).map(|_| StringBuilder::new()).collect();
        let mut rows = 0;
        let mut buf = Vec::new();
        while rows < self.chunk_rows {
            buf.clear();
            let n = self
                .reader
                .read_until(b'\n', &mut buf)
                .map_err(|e| Error::io(&self.path, e))?;
            if n == 0 {
                break;
            }
            self.bytes += n as u64;
            let row = self.line_index;
            self.line_index += 1;
            let reject = |reason: String| Reject {
                file: self.file,
                row,
                line: Some(row + 1),
                reason,
                raw: excerpt(String::from_utf8_lossy(&buf).trim_end()),
            };
            let line = match std::str::from_utf8(&buf) {
                Ok(l) => l.trim_start_matches('\u{feff}').trim(),
                Err(e) => {
                    rows += 1;
                    rejects.push(reject(format!("invalid UTF-8 at byte {}", e.valid_up_to())));
                    continue;
                }
            };
            if line.is_empty() {
                continue; // blank lines are not rows
            }
            rows += 1;
            match self.analyse_line(line) {
                Ok((id, text, map)) => {
                    for (b, (key, _)) in builders.iter_mut().zip(&self.keys) {
                        b.append_option(map.get(key).and_then(value_to_string));
                    }
                    comments.push(Comment {
                        id,
                        text,
                        file: self.file,
                        row,
                    });
                }
                Err(reason) => rejects.push(reject(reason)),
            }
        }
        if rows == 0 {
            return Ok(None);
        }
        let passthrough = super::string_batch(&self.schema, builders, comments.len());
        Ok(Some(FileChunk {
            comments,
            passthrough,
            rejects,
            progress: self.bytes,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lone_surrogates_become_replacement_characters() {
        let map = parse_object(r#"{"id":1,"text":"bad \ud800 ok 😀 \ud83d\ude00"}"#).unwrap();
        assert_eq!(map["text"], Value::String("bad \u{fffd} ok 😀 😀".into()));
    }

    #[test]
    fn non_objects_are_named() {
        assert_eq!(
            parse_object("[1,2]").unwrap_err(),
            "not a JSON object but an array"
        );
        assert!(parse_object("{oops")
            .unwrap_err()
            .starts_with("invalid JSON"));
    }
}
