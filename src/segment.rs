//! Stage 2, segment: split normalized text into words.
//!
//! Runs of Han characters go to jieba-rs, whose dictionary also holds every
//! Chinese lexicon term (so 转接 or 退款 stays one word); everything else is
//! split by Unicode word rules (UAX #29), which keeps `don't` and `3.5` whole.
//! Punctuation, spaces and emoji are not tokens. A mixed comment such as
//! `客服response太慢了` gives 客服 / response / 太慢 / 了.
//!
//! Token spans index the normalized text; the pipeline maps spans back to the
//! original before they leave it.

use crate::lexicon::Lexicon;
use jieba_rs::Jieba;
use std::ops::Range;
use unicode_segmentation::UnicodeSegmentation;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Script {
    Han,
    Latin,
    Number,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub span: Range<usize>,
    pub script: Script,
}

pub fn is_han(c: char) -> bool {
    matches!(c,
        '\u{4E00}'..='\u{9FFF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2A6DF}'
        | '\u{2A700}'..='\u{2EBEF}'
        | '\u{3007}')
}

pub struct Segmenter {
    jieba: Jieba,
}

impl std::fmt::Debug for Segmenter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Segmenter")
    }
}

impl Segmenter {
    /// jieba's default dictionary plus every Chinese word of the lexicon.
    pub fn new(lexicon: &Lexicon) -> Segmenter {
        let mut jieba = Jieba::new();
        for word in lexicon.han_words() {
            jieba.add_word(word, None, None);
        }
        Segmenter { jieba }
    }

    pub fn segment(&self, text: &str) -> Vec<Token> {
        let mut tokens = Vec::with_capacity(text.len() / 3 + 1);
        let mut rest_start = 0;
        while rest_start < text.len() {
            let rest = &text[rest_start..];
            let han_at = rest.find(is_han).unwrap_or(rest.len());
            if han_at > 0 {
                push_words(&mut tokens, &rest[..han_at], rest_start);
            }
            let han = &rest[han_at..];
            let han_len = han.find(|c| !is_han(c)).unwrap_or(han.len());
            if han_len > 0 {
                let base = rest_start + han_at;
                for t in self.jieba.cut(&han[..han_len], true) {
                    tokens.push(Token {
                        span: base + t.byte_start..base + t.byte_end,
                        script: Script::Han,
                    });
                }
            }
            rest_start += han_at + han_len;
        }
        tokens
    }
}

fn push_words(tokens: &mut Vec<Token>, text: &str, base: usize) {
    for (at, word) in text.split_word_bound_indices() {
        if !word.chars().any(char::is_alphanumeric) {
            continue;
        }
        let script = if word.chars().all(|c| c.is_numeric() || c == '.' || c == ',') {
            Script::Number
        } else {
            Script::Latin
        };
        tokens.push(Token {
            span: base + at..base + at + word.len(),
            script,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::LazyLock;

    static SEGMENTER: LazyLock<Segmenter> =
        LazyLock::new(|| Segmenter::new(&Lexicon::bundled().expect("bundled lexicons load")));

    fn words(text: &str) -> Vec<&str> {
        SEGMENTER
            .segment(text)
            .into_iter()
            .map(|t| &text[t.span])
            .collect()
    }

    #[test]
    fn mixed_comments_split_by_script() {
        let w = words("客服response太慢了");
        assert_eq!(w.first(), Some(&"客服"));
        assert!(w.contains(&"response"), "{w:?}");
        assert_eq!(w.last(), Some(&"了"));
    }

    #[test]
    fn english_keeps_contractions_and_numbers() {
        assert_eq!(
            words("i don't know, waited 3.5 hours!"),
            vec!["i", "don't", "know", "waited", "3.5", "hours"]
        );
    }

    #[test]
    fn lexicon_terms_stay_one_word() {
        assert!(words("电话被转接了三次").contains(&"转接"));
        assert!(words("申请退款").contains(&"退款"));
    }

    #[test]
    fn punctuation_and_emoji_are_not_tokens() {
        assert_eq!(words("👍！！…"), Vec::<&str>::new());
    }
}
