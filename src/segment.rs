//! Stage 2, segment: split normalized text into words.
//!
//! Runs of Han characters go to jieba-rs, whose dictionary also holds the
//! word-length Chinese lexicon terms (so 转接 or 退款 stays one word; longer
//! phrases are matched on the text and stay several words); everything else is
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
    /// jieba's default dictionary plus the Chinese words of the lexicon.
    pub fn new(lexicon: &Lexicon) -> Segmenter {
        Segmenter::with_dictionary(Jieba::new(), lexicon)
    }

    /// `jieba` (its default dictionary, loaded elsewhere: see
    /// [`crate::Pipeline::load`]) plus the Chinese words of the lexicon.
    pub fn with_dictionary(mut jieba: Jieba, lexicon: &Lexicon) -> Segmenter {
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
    if text.is_ascii() {
        return push_ascii_words(tokens, text, base);
    }
    // Chinese punctuation left over after normalizing (。、…) splits the run
    // into pieces that are segmented on their own, most of them ASCII.
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let next_plain = chars
            .peek()
            .is_none_or(|&(_, n)| n.is_ascii() || is_hard_break(n));
        if is_hard_break(c) && next_plain {
            push_piece(tokens, &text[start..at], base + start);
            start = at + c.len_utf8();
        }
    }
    push_piece(tokens, &text[start..], base + start);
}

/// Characters of Unicode word-break class Other that join nothing: there is
/// a word boundary on both sides of them whatever the context, unless an
/// extending character follows (which is why [`push_words`] only splits
/// there when the next character is ASCII or another of these). Cutting the
/// text there gives the same words as segmenting it whole.
fn is_hard_break(c: char) -> bool {
    matches!(
        c,
        '。' | '、' | '…' | '《' | '》' | '「' | '」' | '『' | '』' | '【' | '】' | '—'
    )
}

fn push_piece(tokens: &mut Vec<Token>, text: &str, base: usize) {
    if text.is_ascii() {
        push_ascii_words(tokens, text, base);
    } else {
        for (at, word) in text.split_word_bound_indices() {
            push_word(tokens, word, base + at);
        }
    }
}

fn push_word(tokens: &mut Vec<Token>, word: &str, at: usize) {
    if !word.chars().any(char::is_alphanumeric) {
        return;
    }
    let script = if word.chars().all(|c| c.is_numeric() || c == '.' || c == ',') {
        Script::Number
    } else {
        Script::Latin
    };
    tokens.push(Token {
        span: at..at + word.len(),
        script,
    });
}

/// UAX #29 word boundaries restricted to ASCII, which is all most English
/// comments are; `unicode-segmentation` looks every character up in its
/// tables. On ASCII the rules that join characters into one word are: letters,
/// digits and `_` join each other (WB5, WB8-WB10, WB13a/b); a letter, one of
/// `:` `.` `'`, and a letter join (WB6/7: `don't`, `e.g`); a digit, one of
/// `,` `;` `.` `'`, and a digit join (WB11/12: `3.5`, `1,000`). Everything
/// else is a boundary, and pieces without a letter or digit are dropped, as
/// in [`push_words`]'s general path (a test compares the two).
fn push_ascii_words(tokens: &mut Vec<Token>, text: &str, base: usize) {
    let b = text.as_bytes();
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let mut i = 0;
    while i < b.len() {
        if !word(b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        i += 1;
        loop {
            if i < b.len() && word(b[i]) {
                i += 1;
            } else if i + 1 < b.len() && joins(b[i - 1], b[i], b[i + 1]) {
                i += 2;
            } else {
                break;
            }
        }
        push_word(tokens, &text[start..i], base + start);
    }
}

/// Whether `mid` between `before` and `after` stays inside one word.
fn joins(before: u8, mid: u8, after: u8) -> bool {
    let letters = before.is_ascii_alphabetic() && after.is_ascii_alphabetic();
    let digits = before.is_ascii_digit() && after.is_ascii_digit();
    (letters && matches!(mid, b':' | b'.' | b'\''))
        || (digits && matches!(mid, b',' | b';' | b'.' | b'\''))
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

    /// The general path, for any text: Unicode's word boundaries.
    fn uax29_words(text: &str) -> Vec<Token> {
        let mut tokens = Vec::new();
        for (at, word) in text.split_word_bound_indices() {
            push_word(&mut tokens, word, at);
        }
        tokens
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(5000))]
        #[test]
        fn splitting_at_chinese_punctuation_equals_unicode_word_boundaries(
            text in "[ab9_ :.',。、…《》—é😀\u{301}\u{200d}\u{ff0c}\u{30a2}\u{1f1e8}]{0,30}"
        ) {
            let mut split = Vec::new();
            push_words(&mut split, &text, 0);
            proptest::prop_assert_eq!(split, uax29_words(&text));
        }

        #[test]
        fn the_ascii_path_equals_unicode_word_boundaries(text in "[ab9_ :.',;\"!?()-]{0,30}|[ -~]{0,40}|(?s)[\\x00-\\x7f]{0,40}") {
            let mut fast = Vec::new();
            push_ascii_words(&mut fast, &text, 0);
            proptest::prop_assert_eq!(fast, uax29_words(&text));
        }
    }

    #[test]
    fn the_ascii_path_equals_unicode_word_boundaries_on_the_sample() {
        let sample = include_str!("../testdata/comments_sample.csv");
        for line in sample.lines().filter(|l| l.is_ascii()) {
            let mut fast = Vec::new();
            push_ascii_words(&mut fast, line, 0);
            assert_eq!(fast, uax29_words(line), "{line:?}");
        }
    }

    #[test]
    fn punctuation_and_emoji_are_not_tokens() {
        assert_eq!(words("👍！！…"), Vec::<&str>::new());
    }
}
