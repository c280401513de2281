//! The order in which stochastic gradient descent visits its examples.
//!
//! Each example's place in an epoch is drawn from a hash of its content,
//! the seed and the epoch, never from its index. Why: a shuffle of indices
//! (Fisher–Yates from a seeded generator) gives every example a new place
//! as soon as one example is added or dropped, and descent run for a fixed
//! number of epochs then ends somewhere else. In session 25 one golden
//! comment added and one reworded moved the holdout's theme+polarity F1 by
//! 0.010; in session 26 such a change moved round twenty-three's themes on
//! as many comments as a new seed did (26 of 880). Keyed by content, the
//! other examples keep their relative order in every epoch and the new one
//! slots in among them, so a model moves by what its data says.

use crate::sentiment::features::Fnv;
use std::collections::HashMap;

/// The content key of one example: a hash of what it is (its features and
/// label), the same wherever it sits in the training data.
pub(crate) struct ContentKey(Fnv);

impl ContentKey {
    pub(crate) fn new() -> ContentKey {
        ContentKey(Fnv::new(b'o'))
    }
    pub(crate) fn u32(self, v: u32) -> ContentKey {
        ContentKey(self.0.bytes(&v.to_le_bytes()))
    }
    pub(crate) fn f32(self, v: f32) -> ContentKey {
        self.u32(v.to_bits())
    }
    pub(crate) fn finish(self) -> u64 {
        (self.0).0
    }
}

/// Every example's place key: its [`ContentKey`], told apart from the
/// identical examples before it by their count, so copies get places of
/// their own. It depends on the data alone, so a trainer computes it once
/// and each seed of an ensemble orders by it.
pub(crate) fn place_keys(contents: impl IntoIterator<Item = u64>) -> Vec<u64> {
    let mut seen: HashMap<u64, u64> = HashMap::new();
    contents
        .into_iter()
        .map(|c| {
            let copy = seen.entry(c).or_insert(0);
            *copy += 1;
            mix(c ^ mix(*copy))
        })
        .collect()
}

/// The examples' order, epoch by epoch, for one seed.
pub(crate) struct Order<'a> {
    /// From [`place_keys`].
    keys: &'a [u64],
    salt: u64,
    places: Vec<(u64, u32)>,
}

impl<'a> Order<'a> {
    pub(crate) fn new(keys: &'a [u64], seed: u64) -> Order<'a> {
        Order {
            keys,
            salt: mix(seed ^ 0x5eed),
            places: Vec::with_capacity(keys.len()),
        }
    }

    /// The examples' indices in the order of `epoch`. Two keys that collide
    /// (one chance in 2^64 a pair) fall back to index order.
    pub(crate) fn epoch(&mut self, epoch: usize) -> impl Iterator<Item = usize> + '_ {
        let salt = mix(self.salt ^ mix(epoch as u64 + 1));
        self.places.clear();
        self.places.extend(
            self.keys
                .iter()
                .enumerate()
                .map(|(i, &k)| (mix(k ^ salt), i as u32)),
        );
        self.places.sort_unstable();
        self.places.iter().map(|&(_, i)| i as usize)
    }
}

/// splitmix64's finaliser: every bit of `x` reaches every bit of the result.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn orders(contents: &[u64], seed: u64, epochs: usize) -> Vec<Vec<u64>> {
        let keys = place_keys(contents.iter().copied());
        let mut order = Order::new(&keys, seed);
        (0..epochs)
            .map(|e| order.epoch(e).map(|i| contents[i]).collect())
            .collect()
    }

    #[test]
    fn one_more_example_leaves_the_others_in_their_order() {
        let base: Vec<u64> = (0..200).map(|i| i * 7919).collect();
        let mut more = base.clone();
        more.insert(57, 123_456_789);
        for (before, after) in orders(&base, 42, 5).iter().zip(orders(&more, 42, 5)) {
            let kept: Vec<u64> = after.into_iter().filter(|&c| c != 123_456_789).collect();
            assert_eq!(&kept, before);
        }
    }

    #[test]
    fn epochs_and_seeds_draw_different_orders_of_every_example() {
        let contents: Vec<u64> = (0..200).collect();
        let by_epoch = orders(&contents, 42, 3);
        assert_ne!(by_epoch[0], by_epoch[1]);
        assert_ne!(by_epoch[1], by_epoch[2]);
        assert_ne!(by_epoch[0], orders(&contents, 43, 1)[0]);
        let mut sorted = by_epoch[2].clone();
        sorted.sort_unstable();
        assert_eq!(sorted, contents);
    }

    #[test]
    fn copies_of_one_example_are_spread_not_bunched() {
        // Ten copies of one example among 190 others: placed by content
        // alone they would sit side by side in every epoch.
        let mut contents: Vec<u64> = (0..190).collect();
        contents.extend([999; 10]);
        let order = &orders(&contents, 42, 1)[0];
        let at: Vec<usize> = (0..order.len()).filter(|&i| order[i] == 999).collect();
        assert!(at.last().unwrap() - at[0] > 50, "{at:?}");
    }
}
