//! Stage 4, themes: find theme terms of the lexicon in the normalized text.
//!
//! Matching rules are those of [`crate::lexicon::matcher`]: longest match
//! wins, English on word boundaries, exclusions hide what they cover and are
//! dropped here. A hit is not yet a mention: the polarity stage decides what
//! its clause says about it.

use crate::lexicon::Lexicon;
use std::ops::Range;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermHit {
    /// Byte span in the normalized text.
    pub span: Range<usize>,
    /// Index into `Lexicon::themes`.
    pub theme: usize,
    /// Index into `Lexicon::terms`; `None` for a clause the theme model
    /// flagged (see [`crate::theme_model`]).
    pub term: Option<usize>,
}

pub fn find_terms(lexicon: &Lexicon, text: &str) -> Vec<TermHit> {
    lexicon
        .term_matcher
        .find(text)
        .into_iter()
        .filter_map(|h| {
            let term = lexicon.terms[h.pattern].as_ref()?;
            Some(TermHit {
                span: h.span,
                theme: term.theme,
                term: Some(h.pattern),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexicon::LexiconBuilder;

    fn lexicon() -> Lexicon {
        let mut b = LexiconBuilder::new();
        b.add_source(
            "staff_attitude.toml",
            r#"
id = "staff_attitude"
category = "service"
label_en = "staff attitude"
label_zh = "服务态度"
terms = [{ term = "态度" }, { term = "rude" }]
exclude = ["学习态度", "rude awakening"]
"#,
        )
        .unwrap();
        b.build().unwrap()
    }

    #[test]
    fn exclusions_hide_terms_and_are_not_hits() {
        let lex = lexicon();
        let text = "作者的学习态度值得学习,客服态度很差";
        let hits = find_terms(&lex, text);
        assert_eq!(hits.len(), 1);
        assert_eq!(&text[hits[0].span.clone()], "态度");
        assert!(hits[0].span.start > text.find("客服").unwrap());
        assert!(find_terms(&lex, "a rude awakening").is_empty());
        assert_eq!(find_terms(&lex, "so rude!").len(), 1);
    }
}
