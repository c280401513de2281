//! The polarity head's training ([`crate::polarity_head`]): its examples
//! are the mentions that the pipeline, with the sentiment weights and theme
//! heads just trained, finds in the labelled comments and in the lexicons'
//! golden comments.

use super::{
    averaged, class_of, descend, place_keys, Example, GoldSpan, LabelledComment, TrainOptions,
};
use crate::error::Result;
use crate::pipeline::Pipeline;
use crate::polarity_head::{MentionView, PolarityHead, PolarityHeader};
use crate::sentiment::linear::LinearModel;
use crate::sentiment::Model;
use rayon::prelude::*;
use std::path::Path;

/// The polarity head, trained on the mentions that `model` (sentiment and
/// theme heads, no polarity head yet) finds in the labelled comments, each
/// labelled with its gold mention's polarity.
pub(super) fn train(
    pipeline: &mut Pipeline,
    model: &LinearModel,
    labelled: &[LabelledComment],
    opts: &TrainOptions,
) -> Result<PolarityHead> {
    let trained = Model::from_bytes(Path::new("<being trained>"), &model.to_bytes())?;
    let before = pipeline.replace_model(trained);
    let buckets = opts.polarity_buckets;
    let per_comment: Vec<Vec<Example>> = labelled
        .par_iter()
        .map(|c| polarity_examples(pipeline, c, buckets))
        .collect();
    let per_golden: Vec<Vec<Example>> = pipeline
        .lexicon()
        .goldens
        .par_iter()
        .map(|g| golden_polarity_examples(pipeline, g, buckets))
        .collect();
    pipeline.replace_model(before);
    let goldens = per_golden.iter().map(Vec::len).sum();
    let mentions = per_comment.iter().map(Vec::len).sum();
    let examples: Vec<Example> = per_comment
        .into_iter()
        .chain(per_golden)
        .flatten()
        .collect();
    let sgd = TrainOptions {
        buckets,
        epochs: opts.polarity_epochs,
        l2: opts.polarity_l2,
        ..opts.clone()
    };
    let keys = place_keys(examples.iter().map(Example::content));
    let weights = averaged(opts.ensemble, |e| {
        descend(&examples, &keys, &sgd, opts.seed + e as u64)
    });
    Ok(PolarityHead {
        header: PolarityHeader {
            feature_set: crate::polarity_head::FEATURE_SET.into(),
            buckets,
            epochs: opts.polarity_epochs,
            learning_rate: opts.learning_rate,
            l2: opts.polarity_l2,
            mentions,
            goldens,
        },
        weights,
    })
}

/// The polarity head's examples of one labelled comment: each mention the
/// pipeline finds whose theme the gold labels share, labelled with the
/// polarity of the gold mention of that theme that overlaps its term most
/// (then its clause). A mention whose theme the gold gives two polarities
/// and that overlaps none of them is left out: which it means is unknown.
fn polarity_examples(pipeline: &Pipeline, c: &LabelledComment, buckets: u32) -> Vec<Example> {
    let overlap = |a: &std::ops::Range<usize>, b: &std::ops::Range<usize>| {
        a.end.min(b.end).saturating_sub(a.start.max(b.start))
    };
    let mut examples = Vec::new();
    let mut observe = |view: &MentionView<'_>, mention: &crate::Mention| {
        let gold: Vec<&GoldSpan> = c
            .gold
            .iter()
            .filter(|g| g.theme == mention.theme && g.polarity.is_some())
            .collect();
        // The first of equals: `max_by_key` keeps the last, so reversed.
        let Some(best) = gold.iter().rev().max_by_key(|g| {
            (
                overlap(&g.span, &mention.span),
                overlap(&g.span, &mention.evidence),
            )
        }) else {
            return;
        };
        let polarity = best.polarity.expect("kept only gold with a polarity");
        let unanimous = gold.iter().all(|g| g.polarity == Some(polarity));
        if !unanimous && overlap(&best.span, &mention.evidence) == 0 {
            return;
        }
        examples.push(Example {
            features: crate::polarity_head::features(view, buckets),
            class: class_of(polarity),
            weight: 1.0,
            lang: String::new(),
        });
    };
    pipeline.analyze_observed(&c.text, Some(&mut observe));
    examples
}

/// The polarity head's examples of one golden comment of the lexicons:
/// each mention of a theme it expects, labelled with the polarity the rules
/// must give it. Where the rules judged nothing (the comment's sentiment
/// spoke) the golden says nothing about the mention; where it expects its
/// theme twice, which mention is which is not written down.
fn golden_polarity_examples(
    pipeline: &Pipeline,
    golden: &crate::lexicon::Golden,
    buckets: u32,
) -> Vec<Example> {
    let themes = &pipeline.lexicon().themes;
    let mut examples = Vec::new();
    let mut observe = |view: &MentionView<'_>, mention: &crate::Mention| {
        let id = &themes[mention.theme].id;
        let mut expected = golden.expect.iter().filter(|(t, _)| t == id);
        let (Some((_, polarity)), None) = (expected.next(), expected.next()) else {
            return;
        };
        if mention.from == crate::polarity::PolarityFrom::Comment {
            return;
        }
        examples.push(Example {
            features: crate::polarity_head::features(view, buckets),
            class: class_of(*polarity),
            weight: 1.0,
            lang: String::new(),
        });
    };
    pipeline.analyze_observed(&golden.text, Some(&mut observe));
    examples
}

#[cfg(test)]
mod tests {
    use super::super::tests::write;
    use super::super::train;
    use super::*;
    use crate::lexicon::{Golden, Lexicon};
    use crate::Polarity;

    #[test]
    fn the_polarity_head_learns_where_the_rules_misread_a_mention() {
        // "可以再便宜点" asks for a lower price: a complaint, though its cue
        // (可以) praises. The rules read it as praise; the labels say not.
        let dir = tempfile::tempdir().unwrap();
        let labelled = |text: &str, polarity: &str| {
            serde_json::json!({"text": text, "sentiment": polarity,
                "themes": [{"theme": "price_value", "polarity": polarity, "evidence": text}]})
        };
        let gold = write(
            dir.path(),
            "gold.jsonl",
            &[
                labelled("价格可以再便宜点", "negative"),
                labelled("价钱可以再低一点", "negative"),
                labelled("房价可以再便宜一些", "negative"),
                labelled("价格可以再优惠些", "negative"),
                labelled("价格很实惠", "positive"),
                labelled("价格还可以", "positive"),
                serde_json::json!({"text": "快递很快", "sentiment": "positive"}),
            ],
        );
        let mut lexicon = Lexicon::bundled().unwrap();
        lexicon.goldens = vec![
            Golden {
                file: "price.toml".into(),
                line: 1,
                text: "价格很实惠".into(),
                expect: vec![("price_value".into(), Polarity::Positive)],
            },
            // Expects its theme twice: which mention is which is unknown.
            Golden {
                file: "price.toml".into(),
                line: 2,
                text: "价格很实惠，但是价格标签很乱".into(),
                expect: vec![
                    ("price_value".into(), Polarity::Positive),
                    ("price_value".into(), Polarity::Negative),
                ],
            },
        ];
        let mut pipeline = Pipeline::new(lexicon, Model::lexical());
        let opts = TrainOptions {
            data: vec![(gold, 1.0)],
            buckets: 1 << 10,
            theme_epochs: 0,
            polarity_buckets: 1 << 12,
            polarity_epochs: 20,
            ..TrainOptions::default()
        };
        let model = train(&mut pipeline, &opts).unwrap();
        // The lexical model is back in the pipeline that trained.
        assert!(pipeline.model_version().starts_with("lexical-"));
        let head = model.polarity.as_ref().expect("labelled rows train a head");
        // One mention per labelled row with a theme (the row without
        // `themes` teaches it nothing), and the first golden's.
        assert_eq!((head.header.mentions, head.header.goldens), (6, 1));
        assert_eq!(
            train(&mut pipeline, &opts).unwrap().to_bytes(),
            model.to_bytes()
        );

        let model = Model::from_bytes(Path::new("<test>"), &model.to_bytes()).unwrap();
        let trained = Pipeline::new(Lexicon::bundled().unwrap(), model);
        let price = |p: &Pipeline, text: &str| {
            let a = p.analyze(text);
            let m = a
                .mentions
                .iter()
                .find(|m| m.term.is_some())
                .unwrap()
                .clone();
            (m.polarity, m.from, m.lexicon_polarity())
        };
        use crate::polarity::PolarityFrom;
        assert_eq!(
            price(&trained, "价格可以再实惠点"),
            (Polarity::Negative, PolarityFrom::Model, Polarity::Positive)
        );
        assert_eq!(
            price(&trained, "价格很实惠").0,
            Polarity::Positive,
            "plain praise stays praise"
        );
        let rules = trained.with_rule_polarity(true);
        assert_eq!(
            price(&rules, "价格可以再实惠点"),
            (Polarity::Positive, PolarityFrom::Cue, Polarity::Positive)
        );

        // No labelled mentions to learn from, or no epochs: no head.
        let none = TrainOptions {
            polarity_epochs: 0,
            ..opts.clone()
        };
        assert!(train(&mut pipeline, &none).unwrap().polarity.is_none());
    }
}
