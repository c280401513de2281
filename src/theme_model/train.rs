//! Training the theme heads: one logistic regression per theme, fitted
//! by SGD on the clauses and whole comments of the labelled data (and on
//! background texts known to carry no theme). `voctag train` calls
//! [`train`]; the run-time side (features, scoring, `flag`) is the parent
//! module's.

use super::{idf, sigmoid, tf_idf, ThemeHeader, ThemeHeads, FEATURE_SET};
use crate::sentiment::features::Features;
use crate::train::{place_keys, ContentKey, Order};

/// One clause of a labelled comment (its [`clause_terms`]), and the heads
/// it is an example of. A `background` unit comes from a text known to
/// carry no theme: negative for every head, and left out of the class
/// balance, so that many of them teach the heads where themes are not
/// without making the labelled positives weigh more.
#[derive(Clone)]
pub struct ClauseExample {
    pub terms: Vec<u32>,
    pub positive: Vec<usize>,
    pub background: bool,
}

impl ClauseExample {
    /// What the unit is, for its place in the [`Order`]: its terms (not
    /// their tf-idf, which depends on all the data), heads and kind.
    fn content(&self) -> u64 {
        let key = self.terms.iter().fold(ContentKey::new(), |k, &t| k.u32(t));
        let key = self
            .positive
            .iter()
            .fold(key.u32(u32::MAX), |k, &h| k.u32(h as u32));
        key.u32(self.background as u32).finish()
    }
}

/// How to train: the header to write (its `feature_set` and `clauses`
/// are filled in by [`train`]) and the seed of the examples' order.
pub struct ThemeTraining {
    pub header: ThemeHeader,
    pub seed: u64,
}

/// Fits every head by stochastic gradient descent on the logistic loss,
/// each class weighted by the inverse of its frequency (a theme is in a few
/// percent of clauses), averaging the weights over epochs, and over
/// `ensemble` runs ordered from seeds `seed`, `seed + 1`, … (each on one
/// thread, summed in order): the same examples give the same bytes.
pub fn train(examples: &[ClauseExample], training: &ThemeTraining, ensemble: usize) -> ThemeHeads {
    let opts = &training.header;
    let idf = idf(examples.iter().map(|e| e.terms.as_slice()), opts.buckets);
    let features: Vec<Features> = examples
        .iter()
        .map(|e| tf_idf(e.terms.clone(), &idf))
        .collect();
    let k = opts.themes.len();
    let labelled = examples.iter().filter(|e| !e.background).count();
    let n = labelled as f32;
    let mut positives = vec![0usize; k];
    for ex in examples {
        for &h in &ex.positive {
            positives[h] += 1;
        }
    }
    // Balanced class weights over the labelled units, n / (2 · count), as
    // scikit-learn's "balanced".
    let class_weight: Vec<[f32; 2]> = positives
        .iter()
        .map(|&p| {
            let pos = p.max(1) as f32;
            let neg = (labelled - p).max(1) as f32;
            [n / (2.0 * neg), n / (2.0 * pos)]
        })
        .collect();
    let keys = place_keys(examples.iter().map(ClauseExample::content));
    let weights = crate::train::averaged(ensemble, |e| {
        descend(
            &features,
            examples,
            &keys,
            &class_weight,
            opts,
            training.seed + e as u64,
        )
    });
    ThemeHeads {
        header: ThemeHeader {
            feature_set: FEATURE_SET.into(),
            clauses: examples.len(),
            ..opts.clone()
        },
        weights,
        idf,
    }
}

/// SGD on the weighted logistic loss of every head at once, in the
/// [`Order`] of the examples' `keys` ([`place_keys`]) drawn from `seed`;
/// the weights averaged over epochs.
fn descend(
    features: &[Features],
    examples: &[ClauseExample],
    keys: &[u64],
    class_weight: &[[f32; 2]],
    opts: &ThemeHeader,
    seed: u64,
) -> Vec<f32> {
    let buckets = opts.buckets as usize;
    let k = opts.themes.len();
    let mut weights = vec![0.0f32; buckets * k];
    let mut average = vec![0.0f32; weights.len()];
    let mut order = Order::new(keys, seed);
    let mut z = vec![0.0f32; k];
    let mut target = vec![false; k];
    for epoch in 0..opts.epochs {
        let lr = opts.learning_rate / (1.0 + epoch as f32);
        for i in order.epoch(epoch) {
            let ex = &examples[i];
            target.iter_mut().for_each(|t| *t = false);
            for &h in &ex.positive {
                target[h] = true;
            }
            z.iter_mut().for_each(|v| *v = 0.0);
            for &(b, v) in &features[i].entries {
                let row = &weights[b as usize * k..(b as usize + 1) * k];
                for (zh, w) in z.iter_mut().zip(row) {
                    *zh += w * v;
                }
            }
            for h in 0..k {
                let y = target[h] as usize;
                z[h] = (sigmoid(z[h]) - y as f32) * class_weight[h][y];
            }
            for &(b, v) in &features[i].entries {
                let row = &mut weights[b as usize * k..(b as usize + 1) * k];
                for (w, g) in row.iter_mut().zip(&z) {
                    *w -= lr * (g * v + opts.l2 * *w);
                }
            }
        }
        for (a, w) in average.iter_mut().zip(&weights) {
            *a += w / opts.epochs as f32;
        }
    }
    average
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::theme_model::clause_terms;
    use crate::theme_model::tests::{settings, tokens};

    fn example(words: &str, positive: &[usize]) -> ClauseExample {
        let toks = tokens(words);
        ClauseExample {
            background: false,
            terms: clause_terms(words, &toks, 0..words.len(), 1 << 12),
            positive: positive.to_vec(),
        }
    }

    #[test]
    fn background_units_quiet_a_head_without_reweighing_its_positives() {
        let mut examples = Vec::new();
        for _ in 0..20 {
            examples.push(example("the agent fixed my phone fast", &[0]));
            examples.push(example("the room was lovely", &[]));
        }
        let opts = ThemeTraining {
            header: settings(vec!["resolution".into()]),
            seed: 7,
        };
        let p = |heads: &ThemeHeads, text: &str| {
            let terms = clause_terms(text, &tokens(text), 0..text.len(), heads.header.buckets);
            heads.probability(&heads.weigh(terms), 0)
        };
        let plain = train(&examples, &opts, 1);
        let mut with_background = examples;
        for _ in 0..200 {
            let mut film = example("a film that fixed its gaze on the agent", &[]);
            film.background = true;
            with_background.push(film);
        }
        let quiet = train(&with_background, &opts, 1);
        let film = "a film that fixed its gaze on the agent";
        assert!(
            p(&quiet, film) < p(&plain, film) - 0.2,
            "{} vs {}",
            p(&quiet, film),
            p(&plain, film)
        );
        // Ten times more negatives than labelled units, yet the positives
        // are not weighed up: the head still finds its theme.
        let fixed = "the agent fixed my phone fast";
        assert!(p(&quiet, fixed) > 0.8, "{}", p(&quiet, fixed));
    }

    #[test]
    fn one_more_example_moves_the_heads_less_than_another_order_does() {
        // Session 26, the full recipe: with a shuffle of indices, one
        // labelled comment more changed the themes of 37 of round
        // twenty-three's 880 comments, more than a new seed did (26);
        // ordered by content, it changed none.
        let words = [
            "bot", "looping", "waited", "days", "reply", "room", "lovely", "agent", "rude", "fast",
        ];
        let mut examples = Vec::new();
        for i in 0..400usize {
            let text: Vec<&str> = (0..4)
                .map(|j| words[(i * 7 + j * 3 + i / 5) % words.len()])
                .collect();
            let text = text.join(" ");
            let heads: Vec<usize> = [text.contains("bot"), text.contains("waited")]
                .iter()
                .enumerate()
                .filter(|(_, &on)| on)
                .map(|(h, _)| h)
                .collect();
            examples.push(example(&text, &heads));
        }
        let opts = |seed| ThemeTraining {
            header: settings(vec!["chatbot".into(), "response_speed".into()]),
            seed,
        };
        let base = train(&examples, &opts(7), 1);
        let mut more = examples.clone();
        more.insert(40, examples[3].clone());
        let one_more = train(&more, &opts(7), 1);
        let reordered = train(&examples, &opts(8), 1);
        // How far two models' probabilities lie apart on the base examples.
        let distance = |a: &ThemeHeads, b: &ThemeHeads| -> f32 {
            let mut sum = 0.0;
            for ex in &examples {
                let (mut pa, mut pb) = ([0.0f32; 2], [0.0f32; 2]);
                a.probabilities(&a.weigh(ex.terms.clone()), &mut pa);
                b.probabilities(&b.weigh(ex.terms.clone()), &mut pb);
                sum += pa.iter().zip(&pb).map(|(x, y)| (x - y).abs()).sum::<f32>();
            }
            sum
        };
        let (by_example, by_order) = (distance(&base, &one_more), distance(&base, &reordered));
        assert!(by_example < by_order / 3.0, "{by_example} vs {by_order}");
    }

    #[test]
    fn heads_learn_their_theme_and_round_trip() {
        let mut examples = Vec::new();
        for _ in 0..20 {
            examples.push(example("the bot kept looping", &[0]));
            examples.push(example("waited three days for a reply", &[1]));
            examples.push(example("the room was lovely", &[]));
        }
        let opts = ThemeTraining {
            header: settings(vec!["chatbot".into(), "response_speed".into()]),
            seed: 7,
        };
        let heads = train(&examples, &opts, 1);
        let p = |text: &str| {
            let mut p = [0.0f32; 2];
            let terms = clause_terms(text, &tokens(text), 0..text.len(), heads.header.buckets);
            heads.probabilities(&heads.weigh(terms), &mut p);
            p
        };
        let bot = p("the bot kept looping");
        assert!(bot[0] > 0.9 && bot[1] < 0.1, "{bot:?}");
        let room = p("the room was lovely");
        assert!(room[0] < 0.1 && room[1] < 0.1, "{room:?}");
        // Same examples and seed, same weights.
        assert_eq!(train(&examples, &opts, 1).weights, heads.weights);

        let body: Vec<u8> = heads.to_bytes().collect();
        let back = ThemeHeads::from_parts(heads.header.clone(), &body).unwrap();
        assert_eq!(
            (back.weights, back.idf),
            (heads.weights.clone(), heads.idf.clone())
        );
        let err = ThemeHeads::from_parts(heads.header.clone(), &body[4..]).unwrap_err();
        assert!(err.contains("truncated"), "{err}");
        let mut other = heads.header.clone();
        other.feature_set = "t0".into();
        let err = ThemeHeads::from_parts(other, &body).unwrap_err();
        assert!(err.contains("retrain"), "{err}");
        // A threshold that is no probability, a theme named twice, an idf
        // below 1: a corrupt file, not a model that tags oddly.
        let mut other = heads.header.clone();
        other.threshold = -1.0;
        let err = ThemeHeads::from_parts(other, &body).unwrap_err();
        assert!(err.contains("probability"), "{err}");
        let mut other = heads.header.clone();
        other.veto = 1.5;
        let err = ThemeHeads::from_parts(other, &body).unwrap_err();
        assert!(err.contains("veto 1.5"), "{err}");
        let mut other = heads.header.clone();
        other.themes[1] = other.themes[0].clone();
        let err = ThemeHeads::from_parts(other, &body).unwrap_err();
        assert!(err.contains("twice"), "{err}");
        let mut zero_idf = body.clone();
        let last = zero_idf.len() - 4;
        zero_idf[last..].copy_from_slice(&0.0f32.to_le_bytes());
        let err = ThemeHeads::from_parts(heads.header.clone(), &zero_idf).unwrap_err();
        assert!(err.contains("idf"), "{err}");
    }
}
