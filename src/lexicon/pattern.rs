//! Lexicon patterns, `{a|b}` groups included, and the strings they stand for.
//!
//! A term such as `took {over|about|} {n} {day|days|week|weeks}` stands for
//! thousands of literal strings, its forms. The matcher does not compile
//! every form: it searches for each pattern's heads (its text up to the first
//! piece that every form spells with text of its own, the pieces before that
//! spelled out; see [`Pattern::heads`]) and checks the pieces after a head
//! where one is found. The forms are still walked
//! once when the lexicons load, to find duplicates and conflicts between
//! terms, but never stored.
//!
//! Spaces close up as they do in the text: an empty alternative leaves no
//! double space, and a form has no space at either end (`took {over|} 3` is
//! `took over 3` or `took 3`).

use crate::normalize::normalize;

/// Number words that `{n}` in a term stands for, in both languages. Digits
/// need only one form per length: the matcher folds every ASCII digit to `0`,
/// so `0` is any one-digit number and `00` any two-digit one.
pub const NUMBER_FORMS: &[&str] = &[
    "0",
    "00",
    "000",
    "0-0",
    "0-00",
    "00-00",
    "a",
    "an",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "fifteen",
    "twenty",
    "thirty",
    "forty",
    "forty-five",
    "fifty",
    "a few",
    "few",
    "several",
    "a couple of",
    "a couple",
    "couple of",
    "many",
    "two or three",
    "three or four",
    "一",
    "两",
    "二",
    "三",
    "四",
    "五",
    "六",
    "七",
    "八",
    "九",
    "十",
    "十几",
    "二十",
    "二十几",
    "三十",
    "四十",
    "五十",
    "几",
    "好几",
    "半",
    "一两",
    "两三",
    "三四",
    "三五",
    "五六",
    "七八",
];

/// One piece of a pattern: literal text, or a group of alternatives (an
/// alternative may be empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Literal(String),
    Group(Vec<String>),
}

impl Piece {
    /// A piece that every form spells with some text of its own, so that
    /// searching for it finds every form. `{n}` is left out too: its
    /// alternatives (`a`, `一`, `0`) occur everywhere and would make the
    /// matcher check the rest of the pattern at nearly every character.
    fn anchors(&self) -> bool {
        match self {
            Piece::Literal(s) => !s.trim().is_empty(),
            Piece::Group(alternatives) => {
                alternatives.iter().all(|a| !a.trim().is_empty())
                    && alternatives.as_slice() != NUMBER_FORMS
            }
        }
    }
}

/// One pattern as written in a lexicon, normalized.
#[derive(Debug, Clone)]
pub struct Pattern {
    /// The normalized term as written, groups included, without a trailing `*`.
    pub text: String,
    /// A trailing `*` in the lexicon: the match may end inside a word.
    pub prefix: bool,
    pieces: Vec<Piece>,
}

impl Pattern {
    /// Parses a lexicon term: normalizes it, strips a trailing `*` and reads
    /// its groups. Errors say what is wrong with a group.
    pub fn parse(raw: &str) -> Result<Pattern, String> {
        let normalized = normalize(raw.trim()).text;
        let trimmed = normalized.trim();
        let (text, prefix) = match trimmed.strip_suffix('*') {
            Some(stem) => (stem.trim_end(), true),
            None => (trimmed, false),
        };
        Ok(Pattern {
            text: text.to_string(),
            prefix,
            pieces: pieces(text)?,
        })
    }

    /// A pattern with no groups (cue words, which are never grouped).
    pub fn literal(text: String, prefix: bool) -> Pattern {
        Pattern {
            pieces: vec![Piece::Literal(text.clone())],
            text,
            prefix,
        }
    }

    pub fn has_groups(&self) -> bool {
        self.pieces.iter().any(|p| matches!(p, Piece::Group(_)))
    }

    /// Calls `f` with every form, spaces closed up.
    pub fn for_each_form(&self, f: &mut impl FnMut(&str)) {
        let mut buf = String::new();
        let mut closed = String::new();
        walk(&self.pieces, &mut buf, &mut |form| {
            f(close_up(form, &mut closed))
        });
    }

    /// Every form, spaces closed up.
    #[cfg(test)]
    pub fn forms(&self) -> Vec<String> {
        let mut out = Vec::new();
        self.for_each_form(&mut |form| out.push(form.to_string()));
        out
    }

    /// The heads the matcher searches for, each with whether a space follows
    /// it (a form may not run a word on: `took {over|} 3` needs a space after
    /// `took`), and the pieces left to check after any head. A head runs to
    /// the end of the first piece that [anchors](Piece::anchors) (a literal,
    /// or a group with no empty alternative), the pieces before it spelled
    /// out: `{waited|wait} {over |}{n} minutes` has the heads `waited` and
    /// `wait`, not its 22,680 forms. A pattern with no such piece is all
    /// heads, with nothing after them.
    pub fn heads(&self) -> (Vec<(String, bool)>, &[Piece]) {
        let split = self
            .pieces
            .iter()
            .position(Piece::anchors)
            .map_or(self.pieces.len(), |i| i + 1);
        let (lead, rest) = self.pieces.split_at(split);
        let mut heads = Vec::new();
        let mut buf = String::new();
        let mut closed = String::new();
        walk(lead, &mut buf, &mut |head| {
            let space_after = !rest.is_empty() && head.ends_with(' ');
            heads.push((close_up(head, &mut closed).to_string(), space_after));
        });
        heads.sort();
        heads.dedup();
        heads.retain(|(h, _)| !h.is_empty());
        (heads, rest)
    }
}

/// Every concatenation of one choice per piece, in order.
fn walk(pieces: &[Piece], buf: &mut String, f: &mut impl FnMut(&str)) {
    let Some((first, rest)) = pieces.split_first() else {
        f(buf);
        return;
    };
    let at = buf.len();
    match first {
        Piece::Literal(s) => {
            buf.push_str(s);
            walk(rest, buf, f);
        }
        Piece::Group(alternatives) => {
            for alt in alternatives {
                buf.push_str(alt);
                walk(rest, buf, f);
                buf.truncate(at);
            }
        }
    }
    buf.truncate(at);
}

/// `s` with no space at either end and no double space, borrowed when it
/// has none already.
fn close_up<'a>(s: &'a str, scratch: &'a mut String) -> &'a str {
    if !s.starts_with(' ') && !s.ends_with(' ') && !s.contains("  ") {
        return s;
    }
    scratch.clear();
    for word in s.split(' ').filter(|w| !w.is_empty()) {
        if !scratch.is_empty() {
            scratch.push(' ');
        }
        scratch.push_str(word);
    }
    scratch
}

fn pieces(text: &str) -> Result<Vec<Piece>, String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        if rest[..open].contains('}') {
            return Err("unmatched } (a group is written {a|b|c})".into());
        }
        if open > 0 {
            out.push(Piece::Literal(rest[..open].to_string()));
        }
        let close = rest[open..]
            .find('}')
            .map(|c| open + c)
            .ok_or("unclosed { (a group is written {a|b|c})")?;
        let group = &rest[open + 1..close];
        if group.contains('{') {
            return Err("nested { (a group is written {a|b|c})".into());
        }
        let alternatives = if group == "n" {
            NUMBER_FORMS.iter().map(|s| s.to_string()).collect()
        } else {
            group.split('|').map(str::to_string).collect()
        };
        out.push(Piece::Group(alternatives));
        rest = &rest[close + 1..];
    }
    if rest.contains('}') {
        return Err("unmatched } (a group is written {a|b|c})".into());
    }
    if !rest.is_empty() {
        out.push(Piece::Literal(rest.to_string()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forms(term: &str) -> Vec<String> {
        Pattern::parse(term).unwrap().forms()
    }

    #[test]
    fn groups_stand_for_each_alternative_with_spaces_closed_up() {
        assert_eq!(
            forms("took {over|} {two|3} {day|days}"),
            [
                "took over two day",
                "took over two days",
                "took over 3 day",
                "took over 3 days",
                "took two day",
                "took two days",
                "took 3 day",
                "took 3 days",
            ]
        );
        assert_eq!(forms("{|被}转了 {n}次").len(), 2 * NUMBER_FORMS.len());
        assert!(forms("等了{n}天").contains(&"等了三天".to_string()));
        assert_eq!(forms("plain"), ["plain"]);
        assert_eq!(forms("{a|} end"), ["a end", "end"]);
    }

    #[test]
    fn bad_groups_are_errors() {
        let err = |t: &str| Pattern::parse(t).unwrap_err();
        assert!(err("took {a|b").contains("unclosed"));
        assert!(err("took a|b}").contains("unmatched"));
        assert!(err("took a} {b|c}").contains("unmatched"));
        assert!(err("{a{b}}").contains("nested"));
    }

    #[test]
    fn terms_are_normalized_and_a_star_is_a_prefix() {
        let p = Pattern::parse(" Ｔransfer* ").unwrap();
        assert_eq!((p.text.as_str(), p.prefix), ("transfer", true));
        assert!(!p.has_groups());
        assert!(Pattern::parse("{a|b}c").unwrap().has_groups());
    }

    #[test]
    fn heads_run_to_the_first_literal_and_cover_every_form() {
        let p = Pattern::parse("took {over|} {n} {day|days}").unwrap();
        let (heads, rest) = p.heads();
        assert_eq!(heads, [("took".to_string(), true)]);
        assert_eq!(rest.len(), 5);

        let p = Pattern::parse("{又|再|}转接了{n}次").unwrap();
        let (heads, rest) = p.heads();
        let names: Vec<&str> = heads.iter().map(|(h, _)| h.as_str()).collect();
        assert_eq!(names, ["再转接了", "又转接了", "转接了"]);
        assert_eq!(rest.len(), 2);

        // A group with no empty alternative is a head of its own.
        let p = Pattern::parse("{又转接|再转接}").unwrap();
        let (heads, rest) = p.heads();
        assert_eq!(heads.len(), 2);
        assert!(rest.is_empty() && heads.iter().all(|(_, space)| !space));
        let p = Pattern::parse("{waited|wait} {over |}{n} {minutes|hours}").unwrap();
        let (heads, rest) = p.heads();
        assert_eq!(
            heads,
            [("wait".to_string(), false), ("waited".to_string(), false)]
        );
        assert_eq!(rest.len(), 5);

        // {n} is too common to search for: the head runs on past it.
        let p = Pattern::parse("{n}{天|周}{了|后}").unwrap();
        let (heads, rest) = p.heads();
        assert_eq!(heads.len(), 2 * NUMBER_FORMS.len());
        assert_eq!(rest.len(), 1);

        // Only empty-able groups: every form is a head.
        let p = Pattern::parse("{又|}{转|}").unwrap();
        let (heads, rest) = p.heads();
        assert_eq!(heads.len(), 3);
        assert!(rest.is_empty());
    }
}
