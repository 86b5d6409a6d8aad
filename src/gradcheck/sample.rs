//! Which parameters a check compares. A network above [`super::SAMPLE_ABOVE`] parameters has
//! too many for a central difference each (every one costs two forward passes), so a seeded
//! sample is drawn, as gradient checkers in practice do. The sample is stratified: each
//! weight layer, and each layer's biases when they are trained, is a group with an equal
//! share of the count (what a small group cannot take goes to the others), so that a bug
//! confined to one layer's gradients is caught however few parameters that layer holds.

use crate::engine::Param;
use crate::network::Network;
use crate::random::{Random, Stream};
use std::collections::BTreeSet;

/// The weights of one layer, or its biases.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// The layer's weights.
    Weights,
    /// The layer's biases (one when the layer shares it).
    Biases,
}

/// A group of parameters the sample is stratified by.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    /// Weights or biases.
    pub kind: Kind,
    /// The weight layer (0-based).
    pub layer: usize,
    /// How many parameters the group holds.
    pub size: usize,
    /// How many of them are checked.
    pub checked: usize,
}

impl Group {
    /// Parameter `index` of the group.
    pub fn param(&self, index: usize) -> Param {
        match self.kind {
            Kind::Weights => Param::Weight {
                layer: self.layer,
                index,
            },
            Kind::Biases => Param::Bias {
                layer: self.layer,
                index,
            },
        }
    }
}

/// The groups of `net`'s trained parameters, every weight layer's first, then (when they
/// are trained) every layer's biases: the order the report lists them in.
pub fn groups(net: &Network, update_biases: bool) -> Vec<Group> {
    let weights = net.weights.iter().enumerate().map(|(layer, w)| Group {
        kind: Kind::Weights,
        layer,
        size: w.len(),
        checked: 0,
    });
    let biases = net.biases.iter().enumerate().map(|(layer, b)| Group {
        kind: Kind::Biases,
        layer,
        size: b.values().len(),
        checked: 0,
    });
    weights
        .chain(biases.take(if update_biases { usize::MAX } else { 0 }))
        .collect()
}

/// How many of each group's `sizes` a sample of `count` takes: equal shares, each at most
/// the whole group, what a group cannot take shared again among the others; when fewer are
/// left than there are groups with room, one each to groups spread evenly among them.
pub fn allocate(sizes: &[usize], count: usize) -> Vec<usize> {
    let mut taken = vec![0; sizes.len()];
    let mut left = count.min(sizes.iter().sum());
    while left > 0 {
        let open: Vec<usize> = (0..sizes.len()).filter(|&g| taken[g] < sizes[g]).collect();
        let share = left / open.len();
        if share == 0 {
            // Spread over the network rather than bunched in its first layers.
            for i in 0..left {
                taken[open[(2 * i + 1) * open.len() / (2 * left)]] += 1;
            }
            break;
        }
        for g in open {
            let more = share.min(sizes[g] - taken[g]);
            taken[g] += more;
            left -= more;
        }
    }
    taken
}

/// What one central difference's two passes cost for a parameter of `group`, in
/// multiply-adds: the check's passes recompute only what the parameter reaches (see
/// `forward`). An activation with its share of the error counts as 15, what an exp() costs
/// beside a multiply-add in the passes' loops (measured).
pub fn cost(net: &Network, group: &Group) -> f64 {
    const ACTIVATION: f64 = 15.0;
    let l = group.layer;
    let depth = net.depth();
    let n = |layer: usize| net.layers[layer] as f64;
    let one = group.kind == Kind::Weights || group.size > 1;
    let mut cost = if one {
        ACTIVATION
    } else {
        n(l + 1) * ACTIVATION
    };
    // From the first layer every neuron of which moves: the next, for a single neuron.
    let from = if one { l + 2 } else { l + 1 };
    if one && l + 1 < depth {
        cost += n(l + 2) * (1.0 + ACTIVATION);
    }
    for m in from..depth {
        cost += n(m) * n(m + 1) + n(m + 1) * ACTIVATION;
    }
    2.0 * cost
}

/// The largest sample of at most `count` whose central differences cost at most `budget`
/// (at least one parameter), by [`cost`].
pub fn within(net: &Network, groups: &[Group], count: usize, budget: f64) -> usize {
    let sizes: Vec<usize> = groups.iter().map(|g| g.size).collect();
    let costs: Vec<f64> = groups.iter().map(|g| cost(net, g)).collect();
    (1..=count)
        .rev()
        .find(|&c| {
            let shares = allocate(&sizes, c);
            shares
                .iter()
                .zip(&costs)
                .map(|(&k, c)| k as f64 * c)
                .sum::<f64>()
                <= budget
        })
        .unwrap_or(1)
}

/// The parameters a sample of `count` drawn with `seed` checks, group by group in
/// ascending order; sets each group's `checked`.
pub fn draw(groups: &mut [Group], count: usize, seed: u64) -> Vec<Param> {
    let sizes: Vec<usize> = groups.iter().map(|g| g.size).collect();
    let shares = allocate(&sizes, count);
    let mut rng = Random::new(seed, Stream::ParameterSample);
    let mut drawn = Vec::with_capacity(count);
    for (group, share) in groups.iter_mut().zip(shares) {
        group.checked = share;
        drawn.extend(choose(&mut rng, group.size, share).map(|i| group.param(i)));
    }
    drawn
}

/// Every parameter of every group, in order; sets each group's `checked`.
pub fn every(groups: &mut [Group]) -> Vec<Param> {
    let mut all = Vec::with_capacity(groups.iter().map(|g| g.size).sum());
    for group in groups.iter_mut() {
        group.checked = group.size;
        all.extend((0..group.size).map(|i| group.param(i)));
    }
    all
}

/// `k` distinct indices of 0..n, uniformly, ascending: Floyd's algorithm, which draws `k`
/// numbers however large `n` is.
fn choose(rng: &mut Random, n: usize, k: usize) -> impl Iterator<Item = usize> {
    let mut chosen = BTreeSet::new();
    for top in n - k..n {
        let t = rng.below(top + 1);
        if !chosen.insert(t) {
            chosen.insert(top);
        }
    }
    chosen.into_iter()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_are_equal_and_what_a_group_cannot_take_goes_to_the_others() {
        assert_eq!(allocate(&[1000, 1000], 500), [250, 250]);
        assert_eq!(allocate(&[1_000_000, 1, 1000], 500), [249, 1, 250]);
        assert_eq!(allocate(&[4, 4, 4], 500), [4, 4, 4]);
        assert_eq!(allocate(&[10, 10, 10], 7), [2, 3, 2]);
        assert_eq!(allocate(&[10, 10, 10], 2), [1, 0, 1]);
        assert_eq!(allocate(&[1; 10], 3), [0, 1, 0, 0, 0, 1, 0, 0, 1, 0]);
        assert_eq!(allocate(&[3, 100, 2], 50), [3, 45, 2]);
    }

    #[test]
    fn a_draw_is_distinct_ascending_and_repeats_with_its_seed() {
        let draw = |seed| {
            let mut rng = Random::new(seed, Stream::ParameterSample);
            choose(&mut rng, 1000, 100).collect::<Vec<_>>()
        };
        let a = draw(1);
        assert_eq!(a.len(), 100);
        assert!(a.windows(2).all(|p| p[0] < p[1]), "{a:?}");
        assert!(a.iter().all(|&i| i < 1000));
        assert_eq!(a, draw(1));
        assert_ne!(a, draw(2));
        let mut rng = Random::new(3, Stream::ParameterSample);
        assert_eq!(choose(&mut rng, 5, 5).collect::<Vec<_>>(), [0, 1, 2, 3, 4]);
    }

    #[test]
    fn every_index_can_be_drawn() {
        // Floyd's algorithm is uniform: over many seeds each of 0..10 is picked about 3/10
        // of the time.
        let mut seen = [0usize; 10];
        for seed in 0..2000 {
            let mut rng = Random::new(seed, Stream::ParameterSample);
            for i in choose(&mut rng, 10, 3) {
                seen[i] += 1;
            }
        }
        assert!(seen.iter().all(|&n| (500..700).contains(&n)), "{seen:?}");
    }
}
