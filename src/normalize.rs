//! Stage 1, normalize: fold the text into the form the lexicons are written
//! in, and remember where every byte came from.
//!
//! * full-width ASCII (`ＡＰＰ`, `，`) → half-width, ideographic space → space;
//! * lower case;
//! * curly quotes → ASCII quotes, so `don’t` matches `don't`;
//! * every run of whitespace and control characters (NUL included) → one space.
//!
//! It does not convert traditional to simplified Chinese or apply NFKC beyond
//! the width folding above. Like tokenizers' `NormalizedString`, it keeps an
//! alignment: for every byte of the normalized text, the byte offset of the
//! original character it came from, so spans found later map back exactly.

use std::ops::Range;

#[derive(Debug, Clone)]
pub struct Normalized<'a> {
    pub original: &'a str,
    pub text: String,
    /// For each byte of `text`, the start of the original character it came from.
    origin: Vec<u32>,
}

impl Normalized<'_> {
    /// Maps a byte span of the normalized text back to the original text: it
    /// starts at the original character of its first byte and ends after the
    /// original character of its last byte, so it always lies on char boundaries.
    pub fn to_original(&self, span: Range<usize>) -> Range<usize> {
        if span.start >= span.end || span.start >= self.text.len() {
            let at = self
                .origin
                .get(span.start)
                .map_or(self.original.len(), |&o| o as usize);
            return at..at;
        }
        let start = self.origin[span.start] as usize;
        let last = self.origin[span.end.min(self.text.len()) - 1] as usize;
        let last_len = self.original[last..]
            .chars()
            .next()
            .map_or(0, char::len_utf8);
        start..last + last_len
    }
}

fn fold(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{2018}' | '\u{2019}' | '\u{2032}' => '\'',
        '\u{201C}' | '\u{201D}' => '"',
        _ => c,
    }
}

fn is_space(c: char) -> bool {
    c.is_whitespace() || c.is_control() || c == '\u{FEFF}'
}

pub fn normalize(original: &str) -> Normalized<'_> {
    assert!(
        original.len() < u32::MAX as usize,
        "a single comment of 4 GiB or more cannot be aligned"
    );
    let mut text = String::with_capacity(original.len());
    let mut origin = Vec::with_capacity(original.len());
    let mut last_was_space = true; // drops leading whitespace
    for (at, c) in original.char_indices() {
        // Fast paths for the two scripts that make up nearly all comments:
        // ASCII needs only its own tests, and a Han character is neither
        // space nor control, has no width form and no case.
        if c.is_ascii() {
            let b = c as u8;
            if b <= b' ' || b == 0x7F {
                // ASCII whitespace and controls: exactly `is_space` on ASCII.
                if !last_was_space {
                    text.push(' ');
                    origin.push(at as u32);
                    last_was_space = true;
                }
            } else {
                last_was_space = false;
                text.push(b.to_ascii_lowercase() as char);
                origin.push(at as u32);
            }
            continue;
        }
        if crate::segment::is_han(c) {
            last_was_space = false;
            text.push(c);
            origin.resize(text.len(), at as u32);
            continue;
        }
        if is_space(c) {
            if !last_was_space {
                text.push(' ');
                origin.push(at as u32);
                last_was_space = true;
            }
            continue;
        }
        last_was_space = false;
        let folded = fold(c);
        let before = text.len();
        if folded.is_ascii() {
            text.push(folded.to_ascii_lowercase());
        } else {
            text.extend(folded.to_lowercase());
        }
        origin.resize(text.len(), at as u32);
        debug_assert!(text.len() > before);
    }
    if text.ends_with(' ') {
        text.pop();
        origin.pop();
    }
    Normalized {
        original,
        text,
        origin,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The normalizer as first written, one rule for every character: the
    /// fast paths must give the same text and the same alignment.
    fn normalize_reference(original: &str) -> (String, Vec<u32>) {
        let mut text = String::new();
        let mut origin = Vec::new();
        let mut last_was_space = true;
        for (at, c) in original.char_indices() {
            if is_space(c) {
                if !last_was_space {
                    text.push(' ');
                    origin.push(at as u32);
                    last_was_space = true;
                }
                continue;
            }
            last_was_space = false;
            let folded = fold(c);
            if folded.is_ascii() {
                text.push(folded.to_ascii_lowercase());
            } else {
                text.extend(folded.to_lowercase());
            }
            origin.resize(text.len(), at as u32);
        }
        if text.ends_with(' ') {
            text.pop();
            origin.pop();
        }
        (text, origin)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn fast_paths_equal_the_reference(text in "(?s).{0,60}|[a-zA-Z \\t\\n\\x00\\x7f回复太慢ＡＢ，\u{3000}\u{85}\u{a0}İ’😀]{0,40}") {
            let n = normalize(&text);
            prop_assert_eq!((n.text, n.origin), normalize_reference(&text));
        }
    }

    #[test]
    fn every_ascii_character_and_the_sample_equal_the_reference() {
        let ascii: String = (0u8..=127).map(char::from).collect();
        let sample = include_str!("../testdata/comments_sample.csv");
        for text in [ascii.as_str(), sample] {
            let n = normalize(text);
            assert_eq!((n.text, n.origin), normalize_reference(text));
        }
    }

    #[test]
    fn folds_width_case_quotes_and_space() {
        let cases = [
            ("ＡＰＰ很难用", "app很难用"),
            ("Not  Very\tHelpful", "not very helpful"),
            ("don’t", "don't"),
            ("  回复\u{3000}太慢\n\n", "回复 太慢"),
            ("a\u{0}b", "a b"),
            ("客服Response太慢了！", "客服response太慢了!"),
        ];
        for (input, want) in cases {
            assert_eq!(normalize(input).text, want, "input {input:?}");
        }
    }

    #[test]
    fn spans_map_back_to_the_original_characters() {
        let original = "客服ＲＥＳＰＯＮＳＥ太慢";
        let n = normalize(original);
        let at = n.text.find("response").unwrap();
        let back = n.to_original(at..at + "response".len());
        assert_eq!(&original[back], "ＲＥＳＰＯＮＳＥ");
    }

    #[test]
    fn expanding_lowercase_maps_to_whole_characters() {
        let original = "İstanbul";
        let n = normalize(original);
        // 'İ' lowercases to two chars; any span inside maps to the whole 'İ'.
        let back = n.to_original(0..1);
        assert_eq!(&original[back], "İ");
    }
}
