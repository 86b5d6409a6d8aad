//! The network file: a fully-connected feed-forward network, its training sample (or a list
//! of samples) and the learning rate, read from JSON with every problem reported by field
//! path, and written back in the same form (a trace carries its network this way, so it can
//! be fed back in). Weights and biases the file leaves out are drawn uniformly from [0, 1),
//! as the article's code does, from a recorded seed.

use crate::loss::Loss;
use crate::optimizer::{self, Optimizer};
use crate::quote::excerpt;
use crate::random::{Random, Stream};
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Map, Value};
use std::cell::RefCell;
use std::fmt;

/// The article's network (traces/article.json), built in so that `backprop` alone runs it.
pub const ARTICLE_JSON: &str = include_str!("../traces/article.json");

/// Refused before anything is allocated: a typo like `[2, 20000000, 2]` should not take the
/// machine down.
pub const MAX_WEIGHTS: usize = 10_000_000;
/// The deepest network accepted, in weight layers.
pub const MAX_DEPTH: usize = 100;

/// The keys a network file may hold; anything else draws a warning with a suggestion.
pub const KNOWN_KEYS: [&str; 15] = [
    "layers",
    "activation",
    "loss",
    "optimizer",
    "optimizer_state",
    "batch_size",
    "reduction",
    "learning_rate",
    "weights",
    "biases",
    "update_biases",
    "input",
    "target",
    "samples",
    "seed",
];

/// An activation function, one per weight layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Activation {
    /// σ(x) = 1/(1 + e^(−x)), the article's ("logistic" in its text, and accepted as such).
    #[serde(alias = "logistic")]
    Sigmoid,
    /// tanh(x).
    Tanh,
    /// max(0, x).
    Relu,
    /// x.
    Linear,
    /// out_k = e^(net_k) / Σ_j e^(net_j): the whole output layer at once, as a probability
    /// distribution. Not element-wise (each out depends on every net of the layer), so it
    /// is only allowed on the output layer and the engine applies it to the layer whole.
    Softmax,
}

impl Activation {
    /// Every activation, in the order the help text lists them.
    pub const ALL: [Activation; 5] = [
        Activation::Sigmoid,
        Activation::Tanh,
        Activation::Relu,
        Activation::Linear,
        Activation::Softmax,
    ];

    /// The name used in network files.
    pub fn name(self) -> &'static str {
        match self {
            Activation::Sigmoid => "sigmoid",
            Activation::Tanh => "tanh",
            Activation::Relu => "relu",
            Activation::Linear => "linear",
            Activation::Softmax => "softmax",
        }
    }

    /// Looks up a name as written in a network file: one of the names above, or
    /// "logistic", the article's word for the sigmoid (read as sigmoid, and written back so).
    pub fn from_name(name: &str) -> Option<Activation> {
        if name == "logistic" {
            return Some(Activation::Sigmoid);
        }
        Activation::ALL.into_iter().find(|a| a.name() == name)
    }

    /// out = f(net) of an element-wise activation. Finite for every finite `net`. The softmax
    /// is not element-wise: see [`softmax`] (NaN here, so a misuse cannot pass unseen).
    #[inline]
    pub fn apply(self, net: f64) -> f64 {
        match self {
            // The two branches keep exp() from overflowing: e^(−net) for net ≥ 0 is at most 1,
            // and for net < 0 we use e^net / (1 + e^net) instead. The first branch is exactly
            // the article's 1/(1+e^(−net)).
            Activation::Sigmoid => {
                if net >= 0.0 {
                    1.0 / (1.0 + (-net).exp())
                } else {
                    let e = net.exp();
                    e / (1.0 + e)
                }
            }
            Activation::Tanh => net.tanh(),
            Activation::Relu => net.max(0.0),
            Activation::Linear => net,
            Activation::Softmax => f64::NAN,
        }
    }

    /// ∂out/∂net, from the neuron's net input and its output (sigmoid and tanh are cheapest
    /// from the output, as the article computes out_o1(1 − out_o1)). The softmax's derivative
    /// is a matrix, ∂out_j/∂net_k = out_j(δ_jk − out_k): NaN here.
    #[inline]
    pub fn derivative(self, net: f64, out: f64) -> f64 {
        match self {
            Activation::Sigmoid => out * (1.0 - out),
            Activation::Tanh => 1.0 - out * out,
            Activation::Relu => {
                if net > 0.0 {
                    1.0
                } else {
                    0.0
                }
            }
            Activation::Linear => 1.0,
            Activation::Softmax => f64::NAN,
        }
    }
}

/// The softmax of a layer's `nets` into `outs`, computed stably: the largest net is
/// subtracted before exponentiating (the result is the same, since e^(net − m) / Σ e^(net_j −
/// m) = e^net / Σ e^net_j, and no e^x can overflow). Returns the largest net and the sum of the
/// shifted exponentials, as the engine records them.
#[inline]
pub fn softmax(nets: &[f64], outs: &mut [f64]) -> (f64, f64) {
    let max = nets.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let sum: f64 = nets.iter().map(|&x| (x - max).exp()).sum();
    for (o, &x) in outs.iter_mut().zip(nets) {
        *o = (x - max).exp() / sum;
    }
    (max, sum)
}

impl fmt::Display for Activation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The bias of one weight layer: one value shared by every neuron of the layer (the
/// article's b1 and b2), or one value per neuron.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Bias {
    /// One value for the whole layer.
    Shared(f64),
    /// One value per receiving neuron.
    PerNeuron(Vec<f64>),
}

impl Bias {
    /// The bias added to neuron `j`'s net input.
    #[inline]
    pub fn get(&self, j: usize) -> f64 {
        match self {
            Bias::Shared(b) => *b,
            Bias::PerNeuron(b) => b[j],
        }
    }

    /// All the values this bias holds (one when shared).
    pub fn values(&self) -> &[f64] {
        match self {
            Bias::Shared(b) => std::slice::from_ref(b),
            Bias::PerNeuron(b) => b,
        }
    }

    /// The same values, writable.
    pub fn values_mut(&mut self) -> &mut [f64] {
        match self {
            Bias::Shared(b) => std::slice::from_mut(b),
            Bias::PerNeuron(b) => b,
        }
    }
}

/// One training sample: an input and the output wanted for it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sample {
    /// One value per input neuron.
    pub input: Vec<f64>,
    /// One value per output neuron.
    pub target: Vec<f64>,
}

/// A network file: the network, its sample (or samples) and the learning rate.
///
/// Weights are stored as in the file: one flat list per weight layer, ordered by receiving
/// neuron, then sending neuron, so `weights[l][j * layers[l] + k]` connects neuron `k` of
/// layer `l` to neuron `j` of layer `l + 1`.
#[derive(Clone, Debug, PartialEq)]
pub struct Network {
    /// Neurons per layer, inputs first (the article's is `[2, 2, 2]`).
    pub layers: Vec<usize>,
    /// One activation per weight layer.
    pub activations: Vec<Activation>,
    /// E_total as a function of the outputs (the article's ½ squared error by default).
    pub loss: Loss,
    /// How a gradient becomes an update (the article's plain gradient descent by default).
    pub optimizer: Optimizer,
    /// What the optimizer keeps between iterations (empty for plain gradient descent).
    pub optimizer_state: optimizer::State,
    /// The samples one iteration trains on (1: one sample per iteration, the article's).
    pub batch_size: usize,
    /// How a batch's gradients make one: their mean or their sum.
    pub reduction: Reduction,
    /// η, the gradient-descent step.
    pub learning_rate: f64,
    /// One flat list per weight layer (see the type's documentation for the order).
    pub weights: Vec<Vec<f64>>,
    /// One bias per weight layer.
    pub biases: Vec<Bias>,
    /// Whether the biases are trained too (the article keeps them fixed).
    pub update_biases: bool,
    /// The input sample, one value per input neuron. With `samples`, the first sample's
    /// (what `show` runs).
    pub input: Vec<f64>,
    /// The target, one value per output neuron. With `samples`, the first sample's.
    pub target: Vec<f64>,
    /// The training set, when the file lists `samples` instead of one `input` and `target`;
    /// empty otherwise.
    pub samples: Vec<Sample>,
    /// The seed of the random draws: the weights and biases the file left out, and the
    /// sample order of `train --order random`. `None` when nothing was drawn.
    pub seed: Option<u64>,
    /// Which values were drawn from `seed` because the file left them out: they came from no
    /// field of the file, and every renderer says so. Not written to a file (the file form
    /// holds the drawn values themselves, so a trace's network has it cleared and its given
    /// values say it instead); cleared by the engine once an update replaces them.
    pub drawn: Drawn,
}

/// How the per-sample gradients of a batch make the batch's gradient (and its E_total).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Reduction {
    /// Their mean, (1/B) Σ_s, as most libraries do.
    #[default]
    Mean,
    /// Their sum, Σ_s.
    Sum,
}

impl Reduction {
    /// The name used in network files.
    pub fn name(self) -> &'static str {
        match self {
            Reduction::Mean => "mean",
            Reduction::Sum => "sum",
        }
    }
}

/// Which of a network's values were drawn at random rather than read from its file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Drawn {
    /// The weights (the file has no `weights`).
    pub weights: bool,
    /// The biases (the file has no `biases`).
    pub biases: bool,
}

impl Drawn {
    /// Whether anything was drawn.
    pub fn any(self) -> bool {
        self.weights || self.biases
    }
}

/// A problem with a network file, naming the field and what was expected.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum NetworkError {
    /// The text is not JSON.
    #[error("line {line}, column {column}: not valid JSON: {message}")]
    Syntax {
        /// 1-based line.
        line: usize,
        /// 1-based column, in characters.
        column: usize,
        /// serde_json's description.
        message: String,
    },
    /// A field is missing or holds the wrong thing.
    #[error("{field}: {expected}")]
    Field {
        /// The path of the field, e.g. `weights[1][2]`.
        field: String,
        /// What was expected and what was found.
        expected: String,
    },
}

pub(crate) fn field_error(field: impl Into<String>, expected: impl Into<String>) -> NetworkError {
    NetworkError::Field {
        field: field.into(),
        expected: expected.into(),
    }
}

/// A warning about a network file that does not stop it from loading.
pub type Warning = String;

/// A network file as read: a network file proper, or a trace (which carries its network and
/// the options it was recorded with).
#[derive(Clone, Debug)]
pub struct NetworkFile {
    /// The network.
    pub network: Network,
    /// When the file is a trace, the options it was recorded with: a trace fed back in is
    /// shown as it was written unless the command line says otherwise.
    pub trace_options: Option<crate::trace::Options>,
    /// Problems that did not stop it from loading.
    pub warnings: Vec<Warning>,
}

impl NetworkFile {
    /// Reads JSON text: a network file, or a trace. Weights or biases left out are drawn with
    /// `seed`, else the file's `seed`, else a fresh one.
    pub fn read(text: &str, seed: Option<u64>) -> Result<NetworkFile, NetworkError> {
        // An editor may start a UTF-8 file with a byte-order mark; it is not part of the JSON.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let value = parse_unique_keys(text)?;
        let mut warnings = Vec::new();
        if let Some(inner) = value
            .get("format")
            .filter(|f| f.as_str() == Some(crate::trace::FORMAT_NAME))
            .and_then(|_| value.get("network"))
        {
            crate::trace::check_version(value.get("version"))
                .map_err(|e| field_error("version", e))?;
            let network = Network::from_value_seeded(inner, "network.", seed, &mut warnings)?;
            let trace_options = value
                .get("options")
                .map(|o| {
                    serde_json::from_value(o.clone()).map_err(|e| {
                        field_error(
                            "options",
                            format!(
                                "expected update_order, update_biases and precision: {}",
                                crate::quote::shorten_quoted(&e.to_string())
                            ),
                        )
                    })
                })
                .transpose()?;
            return Ok(NetworkFile {
                network,
                trace_options,
                warnings,
            });
        }
        let network = Network::from_value_seeded(&value, "", seed, &mut warnings)?;
        Ok(NetworkFile {
            network,
            trace_options: None,
            warnings,
        })
    }
}

impl Network {
    /// The article's 2-2-2 network.
    pub fn article() -> Network {
        Network::from_json_str(ARTICLE_JSON)
            .expect("traces/article.json is valid")
            .0
    }

    /// The seed the values the file left out were drawn with, when any were.
    pub fn drawn_seed(&self) -> Option<u64> {
        self.seed.filter(|_| self.drawn.any())
    }

    /// Number of weight layers.
    pub fn depth(&self) -> usize {
        self.layers.len() - 1
    }

    /// Every training sample: the `samples` list, or the one `input` and `target`.
    pub fn training_set(&self) -> Vec<Sample> {
        if self.samples.is_empty() {
            vec![Sample {
                input: self.input.clone(),
                target: self.target.clone(),
            }]
        } else {
            self.samples.clone()
        }
    }

    /// Reads a network from JSON text. A trace (the JSON `show --format json` writes) is
    /// accepted too: its `network` is used. Returns the network and any warnings. Weights or
    /// biases left out are drawn with the file's `seed`, or a fresh one (see
    /// [`Network::from_json_str_seeded`]).
    pub fn from_json_str(text: &str) -> Result<(Network, Vec<Warning>), NetworkError> {
        Network::from_json_str_seeded(text, None)
    }

    /// As [`Network::from_json_str`], with `seed` (when given) in place of the file's own.
    pub fn from_json_str_seeded(
        text: &str,
        seed: Option<u64>,
    ) -> Result<(Network, Vec<Warning>), NetworkError> {
        let file = NetworkFile::read(text, seed)?;
        Ok((file.network, file.warnings))
    }

    /// Reads a network from a parsed JSON value; `prefix` is put before every field path.
    pub fn from_value(
        value: &Value,
        prefix: &str,
        warnings: &mut Vec<Warning>,
    ) -> Result<Network, NetworkError> {
        Network::from_value_seeded(value, prefix, None, warnings)
    }

    /// As [`Network::from_value`], with `seed_override` (when given) in place of the file's
    /// `seed`. Values the file leaves out are drawn from the seed; without any seed, from a
    /// fresh one, which is recorded in [`Network::seed`].
    pub fn from_value_seeded(
        value: &Value,
        prefix: &str,
        seed_override: Option<u64>,
        warnings: &mut Vec<Warning>,
    ) -> Result<Network, NetworkError> {
        let path = |name: &str| format!("{prefix}{name}");
        let Some(obj) = value.as_object() else {
            return Err(field_error(
                if prefix.is_empty() {
                    "the file".to_string()
                } else {
                    prefix.trim_end_matches('.').to_string()
                },
                format!(
                    "expected a JSON object with keys layers, weights, biases, input, target (or samples); got {}",
                    describe(value)
                ),
            ));
        };
        for key in obj.keys() {
            if !KNOWN_KEYS.contains(&key.as_str()) {
                warnings.push(unknown_key_warning(&path(&excerpt(key)), key));
            }
        }

        let layers = read_layers(obj, &path("layers"))?;
        let depth = layers.len() - 1;

        let activations = match obj.get("activation") {
            None => vec![Activation::Sigmoid; depth],
            Some(Value::String(name)) => vec![read_activation(name, &path("activation"))?; depth],
            Some(Value::Array(names)) => {
                if names.len() != depth {
                    return Err(field_error(
                        path("activation"),
                        format!(
                            "expected {depth} names, one per weight layer, got {}",
                            names.len()
                        ),
                    ));
                }
                names
                    .iter()
                    .enumerate()
                    .map(|(l, v)| {
                        let field = path(&format!("activation[{l}]"));
                        match v.as_str() {
                            Some(name) => read_activation(name, &field),
                            None => Err(field_error(
                                field,
                                format!("expected an activation name, got {}", describe(v)),
                            )),
                        }
                    })
                    .collect::<Result<_, _>>()?
            }
            Some(other) => {
                return Err(field_error(
                    path("activation"),
                    format!(
                        "expected a name ({}) or a list of names, got {}",
                        activation_names(),
                        describe(other)
                    ),
                ));
            }
        };

        if let Some(l) = activations[..depth - 1]
            .iter()
            .position(|&a| a == Activation::Softmax)
        {
            let field = match obj.get("activation") {
                Some(Value::Array(_)) => path(&format!("activation[{l}]")),
                _ => path("activation"),
            };
            return Err(field_error(
                field,
                "softmax is allowed on the output layer only (it makes the layer one \
                 probability distribution); give one name per weight layer, e.g. \
                 [\"sigmoid\", \"softmax\"]",
            ));
        }
        let output_activation = activations[depth - 1];
        if output_activation == Activation::Softmax && layers[depth] < 2 {
            return Err(field_error(
                path("activation"),
                format!(
                    "softmax needs at least 2 outputs (with one, out is always 1); the output \
                     layer has {}",
                    layers[depth]
                ),
            ));
        }
        let loss = match obj.get("loss") {
            None => Loss::default(),
            Some(Value::String(name)) => Loss::from_name(name).ok_or_else(|| {
                field_error(
                    path("loss"),
                    format!(
                        "unknown loss \"{}\"; expected one of {}",
                        excerpt(name),
                        loss_names()
                    ),
                )
            })?,
            Some(other) => {
                return Err(field_error(
                    path("loss"),
                    format!(
                        "expected a loss name ({}), got {}",
                        loss_names(),
                        describe(other)
                    ),
                ));
            }
        };
        if let Some(needed) = loss.needs()
            && output_activation != needed
        {
            let why = match loss {
                Loss::CrossEntropy => "it reads the outputs as one probability distribution",
                _ => "it reads each output as a probability of its own",
            };
            return Err(field_error(
                path("loss"),
                format!(
                    "{loss} needs a {needed} output layer ({why}); the output layer is \
                     {output_activation}: set \"activation\" to [..., \"{needed}\"]"
                ),
            ));
        }

        let learning_rate = match obj.get("learning_rate") {
            None => 0.5,
            Some(v) => {
                let eta = read_number(v, &path("learning_rate"))?;
                if eta <= 0.0 {
                    return Err(field_error(
                        path("learning_rate"),
                        format!("expected a number greater than 0, got {eta}"),
                    ));
                }
                eta
            }
        };

        let file_seed = match obj.get("seed") {
            None => None,
            Some(v) => Some(v.as_u64().ok_or_else(|| {
                field_error(
                    path("seed"),
                    format!(
                        "expected a whole number from 0 to {}, got {}",
                        u64::MAX,
                        describe(v)
                    ),
                )
            })?),
        };
        let seed = seed_override.or(file_seed);
        let draws_needed = !obj.contains_key("weights") || !obj.contains_key("biases");
        let seed = match seed {
            None if draws_needed => Some(crate::random::fresh_seed()),
            s => s,
        };
        let mut draws = seed.map(|s| Random::new(s, Stream::InitialValues));

        let weights = match obj.get("weights") {
            Some(v) => read_weights(v, &layers, prefix)?,
            // As the article's code: every weight uniform in [0, 1).
            None => {
                let rng = draws.as_mut().expect("a seed exists when values are drawn");
                layers
                    .windows(2)
                    .map(|pair| (0..pair[0] * pair[1]).map(|_| rng.unit()).collect())
                    .collect()
            }
        };

        let biases = match obj.get("biases") {
            Some(v) => read_biases(v, &layers, prefix)?,
            // As the article's code: one bias per layer, shared by its neurons, uniform in [0, 1).
            None => {
                let rng = draws.as_mut().expect("a seed exists when values are drawn");
                (0..depth).map(|_| Bias::Shared(rng.unit())).collect()
            }
        };

        let update_biases = match obj.get("update_biases") {
            None => false,
            Some(Value::Bool(b)) => *b,
            Some(other) => {
                return Err(field_error(
                    path("update_biases"),
                    format!("expected true or false, got {}", describe(other)),
                ));
            }
        };

        let (input, target, samples) = match obj.get("samples") {
            None => (
                read_vector(obj, "input", layers[0], "input neuron", prefix)?,
                read_vector(obj, "target", layers[depth], "output neuron", prefix)?,
                Vec::new(),
            ),
            Some(v) => {
                if obj.contains_key("input") || obj.contains_key("target") {
                    return Err(field_error(
                        path("samples"),
                        "give either samples or one input and target, not both",
                    ));
                }
                let samples = read_samples(v, &layers, &path("samples"))?;
                let first = samples[0].clone();
                (first.input, first.target, samples)
            }
        };

        let optimizer = match obj.get("optimizer") {
            None => Optimizer::default(),
            Some(v) => optimizer::read(v, &path("optimizer"))?,
        };
        let optimizer_state = optimizer::read_state(
            obj.get("optimizer_state"),
            optimizer,
            &weights,
            &biases,
            &path("optimizer_state"),
        )?;

        let set_size = samples.len().max(1);
        let batch_size = match obj.get("batch_size") {
            None => 1,
            Some(v) => match whole_number(v).and_then(|n| usize::try_from(n).ok()) {
                Some(n) if n >= 1 && n <= set_size => n,
                _ => {
                    let has = if samples.is_empty() {
                        "the file has one input and target, no samples".to_string()
                    } else {
                        format!("the file has {} samples", samples.len())
                    };
                    return Err(field_error(
                        path("batch_size"),
                        format!(
                            "expected a whole number from 1 to {set_size} (the samples one \
                             iteration trains on; {has}), got {}",
                            describe(v)
                        ),
                    ));
                }
            },
        };
        let reduction = match obj.get("reduction") {
            None => Reduction::default(),
            Some(Value::String(name)) if name == "mean" => Reduction::Mean,
            Some(Value::String(name)) if name == "sum" => Reduction::Sum,
            Some(other) => {
                return Err(field_error(
                    path("reduction"),
                    format!(
                        "expected \"mean\" or \"sum\" (how a batch's gradients make one), got {}",
                        describe(other)
                    ),
                ));
            }
        };

        if loss.needs().is_some() {
            let each: Vec<(String, &[f64])> = if samples.is_empty() {
                vec![(path("target"), &target[..])]
            } else {
                samples
                    .iter()
                    .enumerate()
                    .map(|(s, sample)| (path(&format!("samples[{s}].target")), &sample.target[..]))
                    .collect()
            };
            for (field, target) in each {
                check_probabilities(loss, &field, target)?;
            }
        }

        Ok(Network {
            layers,
            activations,
            loss,
            optimizer,
            optimizer_state,
            batch_size,
            reduction,
            learning_rate,
            weights,
            biases,
            update_biases,
            input,
            target,
            samples,
            seed,
            drawn: Drawn {
                weights: !obj.contains_key("weights"),
                biases: !obj.contains_key("biases"),
            },
        })
    }

    /// The network in the network-file format, as pretty JSON.
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).expect("a network serializes")
    }
}

/// The `weights` field: one list per weight layer, each of the right length.
fn read_weights(
    weights_v: &Value,
    layers: &[usize],
    prefix: &str,
) -> Result<Vec<Vec<f64>>, NetworkError> {
    let path = |name: &str| format!("{prefix}{name}");
    let depth = layers.len() - 1;
    let weight_lists = read_array(weights_v, &path("weights"), "a list of weight lists")?;
    if weight_lists.len() != depth {
        return Err(field_error(
            path("weights"),
            format!(
                "expected {depth} lists, one per weight layer of {}, got {}",
                shape(layers),
                weight_lists.len()
            ),
        ));
    }
    let mut weights = Vec::with_capacity(depth);
    for (l, list) in weight_lists.iter().enumerate() {
        let field = path(&format!("weights[{l}]"));
        let expected = layers[l] * layers[l + 1];
        let items = read_array(list, &field, &format!("a list of {expected} numbers"))?;
        if items.len() != expected {
            return Err(field_error(
                field,
                format!(
                    "expected {expected} numbers for a {}→{} layer, got {}",
                    layers[l],
                    layers[l + 1],
                    items.len()
                ),
            ));
        }
        weights.push(read_numbers(items, &field)?);
    }
    Ok(weights)
}

/// The `biases` field: one entry per weight layer, shared or one per neuron.
fn read_biases(
    biases_v: &Value,
    layers: &[usize],
    prefix: &str,
) -> Result<Vec<Bias>, NetworkError> {
    let path = |name: &str| format!("{prefix}{name}");
    let depth = layers.len() - 1;
    let bias_list = read_array(biases_v, &path("biases"), "a list of biases")?;
    if bias_list.len() != depth {
        return Err(field_error(
            path("biases"),
            format!(
                "expected {depth} entries, one per weight layer (a number shared by the layer, or a list with one per neuron), got {}",
                bias_list.len()
            ),
        ));
    }
    let mut biases = Vec::with_capacity(depth);
    for (l, b) in bias_list.iter().enumerate() {
        let field = path(&format!("biases[{l}]"));
        let n = layers[l + 1];
        biases.push(match b {
            Value::Array(items) => {
                if items.len() != n {
                    return Err(field_error(
                        field,
                        format!(
                            "expected {n} numbers, one per neuron of layer {}, got {}",
                            l + 1,
                            items.len()
                        ),
                    ));
                }
                Bias::PerNeuron(read_numbers(items, &field)?)
            }
            other => Bias::Shared(read_number(other, &field).map_err(|_| {
                field_error(
                    field.clone(),
                    format!(
                        "expected a number (shared by the layer) or a list of {n} numbers, got {}",
                        describe(other)
                    ),
                )
            })?),
        });
    }

    Ok(biases)
}

/// The `samples` field: a non-empty list of {"input": [...], "target": [...]}.
fn read_samples(v: &Value, layers: &[usize], field: &str) -> Result<Vec<Sample>, NetworkError> {
    let items = read_array(
        v,
        field,
        "a list of samples, each {\"input\": [...], \"target\": [...]}",
    )?;
    if items.is_empty() {
        return Err(field_error(
            field,
            "expected at least one sample, got an empty list",
        ));
    }
    let (n_in, n_out) = (layers[0], layers[layers.len() - 1]);
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let prefix = format!("{field}[{i}].");
            let Some(obj) = item.as_object() else {
                return Err(field_error(
                    format!("{field}[{i}]"),
                    format!(
                        "expected an object {{\"input\": [...], \"target\": [...]}}, got {}",
                        describe(item)
                    ),
                ));
            };
            if let Some(key) = obj.keys().find(|k| *k != "input" && *k != "target") {
                return Err(field_error(
                    format!("{prefix}{}", excerpt(key)),
                    "unknown key; a sample has only input and target",
                ));
            }
            Ok(Sample {
                input: read_vector(obj, "input", n_in, "input neuron", &prefix)?,
                target: read_vector(obj, "target", n_out, "output neuron", &prefix)?,
            })
        })
        .collect()
}

impl Serialize for Network {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        /// The file's key order; the activation is written as one name when all layers share it.
        #[derive(Serialize)]
        struct File<'a> {
            layers: &'a [usize],
            activation: ActivationSpec<'a>,
            // Written only when not the article's, so that a file (and a trace's network)
            // without a loss reads and writes back unchanged.
            #[serde(skip_serializing_if = "is_default_loss")]
            loss: Loss,
            #[serde(skip_serializing_if = "Option::is_none")]
            optimizer: Option<Optimizer>,
            // The state the training so far left, so that a run resumes exactly.
            #[serde(skip_serializing_if = "Option::is_none")]
            optimizer_state: Option<Value>,
            #[serde(skip_serializing_if = "Option::is_none")]
            batch_size: Option<usize>,
            #[serde(skip_serializing_if = "Option::is_none")]
            reduction: Option<Reduction>,
            learning_rate: f64,
            weights: &'a [Vec<f64>],
            biases: &'a [Bias],
            update_biases: bool,
            #[serde(skip_serializing_if = "Option::is_none")]
            input: Option<&'a [f64]>,
            #[serde(skip_serializing_if = "Option::is_none")]
            target: Option<&'a [f64]>,
            #[serde(skip_serializing_if = "<[Sample]>::is_empty")]
            samples: &'a [Sample],
            #[serde(skip_serializing_if = "Option::is_none")]
            seed: Option<u64>,
        }
        #[derive(Serialize)]
        #[serde(untagged)]
        enum ActivationSpec<'a> {
            One(Activation),
            PerLayer(&'a [Activation]),
        }
        let first = self.activations[0];
        let activation = if self.activations.iter().all(|&a| a == first) {
            ActivationSpec::One(first)
        } else {
            ActivationSpec::PerLayer(&self.activations)
        };
        File {
            layers: &self.layers,
            activation,
            loss: self.loss,
            optimizer: self.optimizer.has_state().then_some(self.optimizer),
            optimizer_state: self
                .optimizer
                .has_state()
                .then(|| optimizer::state_json(self.optimizer, &self.optimizer_state)),
            batch_size: (self.batch_size != 1).then_some(self.batch_size),
            reduction: (self.reduction != Reduction::default()).then_some(self.reduction),
            learning_rate: self.learning_rate,
            weights: &self.weights,
            biases: &self.biases,
            update_biases: self.update_biases,
            input: self.samples.is_empty().then_some(&self.input[..]),
            target: self.samples.is_empty().then_some(&self.target[..]),
            samples: &self.samples,
            seed: self.seed,
        }
        .serialize(serializer)
    }
}

fn is_default_loss(loss: &Loss) -> bool {
    *loss == Loss::default()
}

impl<'de> Deserialize<'de> for Network {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        Network::from_value(&value, "network.", &mut Vec::new()).map_err(serde::de::Error::custom)
    }
}

/// Parses JSON as `serde_json::from_str::<Value>` does, but refuses a key given twice in one
/// object: serde_json keeps the last, silently, so `"learning_rate"` written twice would
/// train with the second. The error names the key by its field path.
fn parse_unique_keys(text: &str) -> Result<Value, NetworkError> {
    let repeated = RefCell::new(None);
    let mut de = serde_json::Deserializer::from_str(text);
    let parsed = UniqueKeys {
        at: &Where::Root,
        repeated: &repeated,
    }
    .deserialize(&mut de)
    .and_then(|value| de.end().map(|()| value));
    parsed.map_err(|e| match repeated.into_inner() {
        Some(field) => field_error(
            field,
            format!(
                "given twice (again on line {}); give each key once",
                e.line()
            ),
        ),
        None => syntax_error(text, &e),
    })
}

/// Where a value is in the file, for naming a repeated key; written out only when one is.
enum Where<'a> {
    Root,
    Key(&'a Where<'a>, &'a str),
    Index(&'a Where<'a>, usize),
}

impl fmt::Display for Where<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Where::Root => Ok(()),
            Where::Key(Where::Root, key) => write!(f, "{}", excerpt(key)),
            Where::Key(parent, key) => write!(f, "{parent}.{}", excerpt(key)),
            Where::Index(parent, i) => write!(f, "{parent}[{i}]"),
        }
    }
}

/// Reads one JSON value into a [`Value`], noting in `repeated` the path of a key given twice.
struct UniqueKeys<'a> {
    at: &'a Where<'a>,
    repeated: &'a RefCell<Option<String>>,
}

impl<'de> DeserializeSeed<'de> for UniqueKeys<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for UniqueKeys<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Value, E> {
        Ok(Value::from(n))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Value, E> {
        Ok(Value::from(n))
    }

    fn visit_f64<E>(self, x: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.to_string()))
    }

    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        loop {
            let at = Where::Index(self.at, items.len());
            let seed = UniqueKeys {
                at: &at,
                repeated: self.repeated,
            };
            match seq.next_element_seed(seed)? {
                Some(item) => items.push(item),
                None => return Ok(Value::Array(items)),
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let at = Where::Key(self.at, &key);
            if object.contains_key(&key) {
                *self.repeated.borrow_mut() = Some(at.to_string());
                return Err(serde::de::Error::custom("a key is given twice"));
            }
            let value = map.next_value_seed(UniqueKeys {
                at: &at,
                repeated: self.repeated,
            })?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

fn syntax_error(text: &str, e: &serde_json::Error) -> NetworkError {
    let line = e.line();
    // serde_json counts columns in bytes; a student's editor counts characters.
    let column = text
        .lines()
        .nth(line.saturating_sub(1))
        .map(|l| {
            let byte = e.column().min(l.len());
            let mut b = byte;
            while !l.is_char_boundary(b) {
                b -= 1;
            }
            l[..b].chars().count().max(1)
        })
        .unwrap_or(e.column());
    let full = e.to_string();
    let message = full
        .strip_suffix(&format!(" at line {} column {}", e.line(), e.column()))
        .unwrap_or(&full)
        .to_string();
    NetworkError::Syntax {
        line,
        column,
        message,
    }
}

fn unknown_key_warning(field: &str, key: &str) -> Warning {
    let best = KNOWN_KEYS
        .iter()
        .map(|k| (strsim::levenshtein(key, k), *k))
        .min()
        .filter(|(d, _)| *d <= 3);
    match best {
        Some((_, k)) => format!("{field}: unknown key; did you mean {k}?"),
        None => format!(
            "{field}: unknown key, ignored (known keys: {})",
            KNOWN_KEYS.join(", ")
        ),
    }
}

fn shape(layers: &[usize]) -> String {
    layers
        .iter()
        .map(|n| n.to_string())
        .collect::<Vec<_>>()
        .join("-")
}

fn loss_names() -> String {
    Loss::ALL
        .iter()
        .map(|l| l.name())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The targets of a cross-entropy loss are probabilities: each from 0 to 1 (ln of an output
/// is weighed by them) and, for the softmax's cross-entropy, summing to 1 (only then is δ =
/// out − target).
fn check_probabilities(loss: Loss, field: &str, target: &[f64]) -> Result<(), NetworkError> {
    if let Some((k, t)) = target
        .iter()
        .enumerate()
        .find(|(_, t)| !(0.0..=1.0).contains(*t))
    {
        return Err(field_error(
            format!("{field}[{k}]"),
            format!("{loss} needs targets that are probabilities, from 0 to 1; got {t}"),
        ));
    }
    let sum: f64 = target.iter().sum();
    if loss == Loss::CrossEntropy && (sum - 1.0).abs() > 1e-9 {
        return Err(field_error(
            field,
            format!(
                "cross_entropy needs targets that sum to 1 (one distribution over the outputs, \
                 e.g. [0, 1, 0] for the second class); these sum to {sum}"
            ),
        ));
    }
    Ok(())
}

fn activation_names() -> String {
    Activation::ALL
        .iter()
        .map(|a| a.name())
        .collect::<Vec<_>>()
        .join(", ")
}

fn read_activation(name: &str, field: &str) -> Result<Activation, NetworkError> {
    Activation::from_name(name).ok_or_else(|| {
        let hint = Activation::ALL
            .iter()
            .map(|a| (strsim::levenshtein(name, a.name()), a.name()))
            .min()
            .filter(|(d, _)| *d <= 3)
            .map(|(_, n)| format!(" (did you mean {n}?)"))
            .unwrap_or_default();
        field_error(
            field,
            format!(
                "unknown activation \"{}\"; expected one of {}{hint}",
                excerpt(name),
                activation_names()
            ),
        )
    })
}

fn read_layers(obj: &Map<String, Value>, field: &str) -> Result<Vec<usize>, NetworkError> {
    let Some(v) = obj.get("layers") else {
        return Err(field_error(
            field,
            "missing; expected the layer sizes, inputs first, e.g. [2, 2, 2]",
        ));
    };
    let items = read_array(v, field, "a list of layer sizes, e.g. [2, 2, 2]")?;
    if items.len() < 2 {
        return Err(field_error(
            field,
            format!(
                "expected at least 2 layer sizes (inputs and outputs), got {}",
                items.len()
            ),
        ));
    }
    if items.len() - 1 > MAX_DEPTH {
        return Err(field_error(
            field,
            format!(
                "expected at most {MAX_DEPTH} weight layers, got {}",
                items.len() - 1
            ),
        ));
    }
    let mut layers = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let n = whole_number(item)
            .filter(|&n| n >= 1)
            .and_then(|n| usize::try_from(n).ok())
            .ok_or_else(|| {
                field_error(
                    format!("{field}[{i}]"),
                    format!(
                        "expected a whole number of neurons, at least 1, got {}",
                        describe(item)
                    ),
                )
            })?;
        layers.push(n);
    }
    // None when the count overflows: then it is only known to be over the limit.
    let total = layers.windows(2).try_fold(0usize, |total, pair| {
        pair[0].checked_mul(pair[1])?.checked_add(total)
    });
    let needs = match total {
        Some(n) if n <= MAX_WEIGHTS => return Ok(layers),
        Some(n) => n.to_string(),
        None => format!("more than {MAX_WEIGHTS}"),
    };
    Err(field_error(
        field,
        format!(
            "{} needs {needs} weights; at most {MAX_WEIGHTS} are accepted",
            shape(&layers)
        ),
    ))
}

/// A whole number as JSON may write it: `1000`, or `1e3` and `1000.0`, which are the same
/// number (serde_json reads them as floats).
fn whole_number(v: &Value) -> Option<u64> {
    // 2^64: every whole float below it fits in a u64.
    const LIMIT: f64 = 18_446_744_073_709_551_616.0;
    v.as_u64().or_else(|| {
        v.as_f64()
            .filter(|x| x.fract() == 0.0 && (0.0..LIMIT).contains(x))
            .map(|x| x as u64)
    })
}

fn read_array<'a>(v: &'a Value, field: &str, what: &str) -> Result<&'a [Value], NetworkError> {
    v.as_array()
        .map(Vec::as_slice)
        .ok_or_else(|| field_error(field, format!("expected {what}, got {}", describe(v))))
}

fn read_number(v: &Value, field: &str) -> Result<f64, NetworkError> {
    match v.as_f64() {
        Some(x) if x.is_finite() => Ok(x),
        _ => Err(field_error(
            field,
            format!("expected a finite number, got {}", describe(v)),
        )),
    }
}

fn read_numbers(items: &[Value], field: &str) -> Result<Vec<f64>, NetworkError> {
    items
        .iter()
        .enumerate()
        .map(|(i, v)| read_number(v, &format!("{field}[{i}]")))
        .collect()
}

fn read_vector(
    obj: &Map<String, Value>,
    key: &str,
    n: usize,
    what: &str,
    prefix: &str,
) -> Result<Vec<f64>, NetworkError> {
    let field = format!("{prefix}{key}");
    let v = obj.get(key).ok_or_else(|| {
        field_error(
            &field,
            format!("missing; expected {n} numbers, one per {what}"),
        )
    })?;
    let items = read_array(v, &field, &format!("a list of {n} numbers"))?;
    if items.len() != n {
        return Err(field_error(
            &field,
            format!("expected {n} numbers, one per {what}, got {}", items.len()),
        ));
    }
    read_numbers(items, &field)
}

/// What a JSON value is, for error messages ("a string \"0.4\"", "null").
fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".to_string(),
        Value::Bool(b) => format!("{b}"),
        Value::Number(n) => format!("{n}"),
        Value::String(s) => format!("a string \"{}\"", excerpt(s)),
        Value::Array(a) => format!("a list of {}", a.len()),
        Value::Object(_) => "an object".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_of(text: &str) -> String {
        Network::from_json_str(text).unwrap_err().to_string()
    }

    #[test]
    fn article_network_loads() {
        let net = Network::article();
        assert_eq!(net.layers, vec![2, 2, 2]);
        assert_eq!(net.weights[1], vec![0.40, 0.45, 0.50, 0.55]);
        assert_eq!(net.biases, vec![Bias::Shared(0.35), Bias::Shared(0.60)]);
        assert!(!net.update_biases);
    }

    #[test]
    fn written_and_read_back_is_identical() {
        let mut net = Network::article();
        net.activations[1] = Activation::Tanh;
        net.biases[0] = Bias::PerNeuron(vec![0.1, -0.2]);
        let back = Network::from_json_str(&net.to_json_pretty()).unwrap().0;
        assert_eq!(back, net);
    }

    #[test]
    fn wrong_weight_count_names_the_layer() {
        let text = ARTICLE_JSON.replace("[0.40, 0.45, 0.50, 0.55]", "[0.40, 0.45, 0.50]");
        assert_eq!(
            error_of(&text),
            "weights[1]: expected 4 numbers for a 2→2 layer, got 3"
        );
    }

    #[test]
    fn strings_and_nulls_are_refused_where_numbers_belong() {
        let text = ARTICLE_JSON.replace("0.45,", "\"0.45\",");
        assert_eq!(
            error_of(&text),
            "weights[1][1]: expected a finite number, got a string \"0.45\""
        );
        let text = ARTICLE_JSON.replace("[0.05, 0.10]", "[0.05, null]");
        assert_eq!(
            error_of(&text),
            "input[1]: expected a finite number, got null"
        );
    }

    #[test]
    fn syntax_errors_have_line_and_column() {
        let err = error_of("{\n  \"layers\": [2, 2,, 2]\n}");
        assert!(
            err.starts_with("line 2, column 19: not valid JSON"),
            "{err}"
        );
    }

    #[test]
    fn unknown_activation_suggests_the_closest() {
        let text = ARTICLE_JSON.replace("\"sigmoid\"", "\"sigmod\"");
        assert!(error_of(&text).contains("did you mean sigmoid?"));
    }

    #[test]
    fn logistic_is_the_articles_name_for_sigmoid() {
        let text = ARTICLE_JSON.replace("\"sigmoid\"", "\"logistic\"");
        assert_ne!(text, ARTICLE_JSON);
        let (net, warnings) = Network::from_json_str(&text).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(net, Network::article());
        assert_eq!(Activation::from_name("logistic"), Some(Activation::Sigmoid));
        let traced: Activation = serde_json::from_str("\"logistic\"").unwrap();
        assert_eq!(traced, Activation::Sigmoid);
    }

    #[test]
    fn unknown_key_warns_with_a_suggestion() {
        let text = ARTICLE_JSON.replace("\"learning_rate\"", "\"learnig_rate\"");
        let (_, warnings) = Network::from_json_str(&text).unwrap();
        assert_eq!(
            warnings,
            vec!["learnig_rate: unknown key; did you mean learning_rate?"]
        );
    }

    #[test]
    fn limits_are_checked_before_allocating() {
        let err = error_of(r#"{"layers": [2, 20000000, 2]}"#);
        assert!(err.contains("at most 10000000"), "{err}");
        let err = error_of(r#"{"layers": [2, 0, 2]}"#);
        assert!(
            err.starts_with("layers[1]: expected a whole number"),
            "{err}"
        );
    }

    #[test]
    fn learning_rate_must_be_positive() {
        let text = ARTICLE_JSON.replace("0.5,", "0,");
        assert!(error_of(&text).starts_with("learning_rate: expected a number greater than 0"));
    }

    const XOR: &str = r#"{"layers": [2, 3, 1], "samples": [
        {"input": [0, 0], "target": [0]}, {"input": [0, 1], "target": [1]},
        {"input": [1, 0], "target": [1]}, {"input": [1, 1], "target": [0]}], "seed": 5}"#;

    #[test]
    fn a_sample_set_loads_with_its_first_sample_as_input_and_target() {
        let (net, warnings) = Network::from_json_str(XOR).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(net.samples.len(), 4);
        assert_eq!(
            (net.input.clone(), net.target.clone()),
            (vec![0.0, 0.0], vec![0.0])
        );
        assert_eq!(net.training_set()[3].target, vec![0.0]);
        assert_eq!(Network::article().training_set().len(), 1);
    }

    #[test]
    fn left_out_values_are_drawn_from_the_seed() {
        let a = Network::from_json_str(XOR).unwrap().0;
        let b = Network::from_json_str(XOR).unwrap().0;
        assert_eq!(a.weights, b.weights);
        assert_eq!(a.seed, Some(5));
        assert_eq!(a.weights[0].len(), 6);
        assert!(a.weights.iter().flatten().all(|w| (0.0..1.0).contains(w)));
        // One shared bias per layer, as the article's code.
        assert!(matches!(a.biases[..], [Bias::Shared(_), Bias::Shared(_)]));
        let c = Network::from_json_str_seeded(XOR, Some(6)).unwrap().0;
        assert_eq!(c.seed, Some(6));
        assert_ne!(a.weights, c.weights);
        // Given weights are kept; only the biases are drawn.
        let text = XOR.replace(
            "\"samples\"",
            "\"weights\": [[1, 2, 3, 4, 5, 6], [7, 8, 9]], \"samples\"",
        );
        let d = Network::from_json_str(&text).unwrap().0;
        assert_eq!(d.weights[1], vec![7.0, 8.0, 9.0]);
        assert!(d.biases[0].get(0) < 1.0);
        // Each network knows which of its values are drawn.
        assert_eq!(
            (a.drawn, d.drawn),
            (
                Drawn {
                    weights: true,
                    biases: true
                },
                Drawn {
                    weights: false,
                    biases: true
                }
            )
        );
        assert_eq!((a.drawn_seed(), d.drawn_seed()), (Some(5), Some(5)));
        // Its file form holds the drawn values, so read back nothing is drawn, but the
        // seed is kept (it still orders the samples of `train --order random`).
        let back = Network::from_json_str(&a.to_json_pretty()).unwrap().0;
        assert_eq!((back.drawn.any(), back.seed), (false, Some(5)));
        assert_eq!(back.drawn_seed(), None);
        assert_eq!(Network::article().drawn, Drawn::default());
    }

    #[test]
    fn without_a_seed_a_fresh_one_is_recorded() {
        let text = XOR.replace(", \"seed\": 5", "");
        let net = Network::from_json_str(&text).unwrap().0;
        let seed = net.seed.expect("a seed was drawn");
        let again = Network::from_json_str_seeded(&text, Some(seed)).unwrap().0;
        assert_eq!(net.weights, again.weights);
        // Nothing drawn, no seed.
        assert_eq!(Network::article().seed, None);
    }

    #[test]
    fn a_sample_set_is_written_and_read_back_identically() {
        let net = Network::from_json_str(XOR).unwrap().0;
        let text = net.to_json_pretty();
        assert!(text.contains("\"samples\"") && !text.contains("\"input\": [\n    0"));
        // Identical but for where the values came from: written out, they are in the file.
        let back = Network::from_json_str(&text).unwrap().0;
        assert_eq!(
            back,
            Network {
                drawn: Drawn::default(),
                ..net
            }
        );
    }

    #[test]
    fn sample_and_seed_errors_name_the_field() {
        let text = XOR.replace(
            "{\"input\": [1, 0], \"target\": [1]}",
            "{\"input\": [1], \"target\": [1]}",
        );
        assert_eq!(
            error_of(&text),
            "samples[2].input: expected 2 numbers, one per input neuron, got 1"
        );
        let text = XOR.replace(
            "{\"input\": [0, 0], \"target\": [0]}",
            "{\"input\": [0, 0], \"taget\": [0]}",
        );
        assert_eq!(
            error_of(&text),
            "samples[0].taget: unknown key; a sample has only input and target"
        );
        assert_eq!(
            error_of(&XOR.replace("\"samples\": [", "\"samples\": [], \"x\": [")),
            "samples: expected at least one sample, got an empty list"
        );
        assert!(error_of(&XOR.replace("5}", "-1}")).starts_with("seed: expected a whole number"));
        let both = ARTICLE_JSON.replace(
            "\"input\"",
            "\"samples\": [{\"input\": [0, 0], \"target\": [0, 0]}], \"input\"",
        );
        assert_eq!(
            error_of(&both),
            "samples: give either samples or one input and target, not both"
        );
    }

    #[test]
    fn a_key_given_twice_is_refused_naming_its_path() {
        let text = ARTICLE_JSON.replace(
            "\"learning_rate\": 0.5",
            "\"learning_rate\": 0.5, \"learning_rate\": 0.1",
        );
        let err = error_of(&text);
        assert!(
            err.starts_with("learning_rate: given twice (again on line "),
            "{err}"
        );
        let nested = XOR.replace(
            "{\"input\": [1, 0],",
            "{\"input\": [1, 0], \"input\": [1, 0],",
        );
        assert!(error_of(&nested).starts_with("samples[2].input: given twice"));
        let trace = r#"{"format": "backprop-tracer/trace", "version": 1,
            "network": {"layers": [1, 1], "seed": 1, "seed": 2}}"#;
        assert!(error_of(trace).starts_with("network.seed: given twice"));
        // The same key in two objects is no repeat.
        assert!(Network::from_json_str(XOR).is_ok());
    }

    #[test]
    fn a_byte_order_mark_is_skipped() {
        let (net, _) = Network::from_json_str(&format!("\u{feff}{ARTICLE_JSON}")).unwrap();
        assert_eq!(net, Network::article());
    }

    #[test]
    fn a_trace_is_read_only_in_the_versions_this_build_reads() {
        let trace = |version: &str| {
            format!(
                r#"{{"format": "backprop-tracer/trace", {version}
                "network": {{"layers": [1, 1], "seed": 1, "input": [0], "target": [0]}}}}"#
            )
        };
        assert!(Network::from_json_str(&trace(r#""version": 1,"#)).is_ok());
        assert!(Network::from_json_str(&trace(r#""version": 2,"#)).is_ok());
        assert_eq!(
            error_of(&trace(r#""version": 3,"#)),
            "version: version 3 is not one this build reads (it reads trace versions 1, 2)"
        );
        assert_eq!(
            error_of(&trace("")),
            "version: missing; this build reads trace versions 1, 2"
        );
    }

    #[test]
    fn layer_sizes_may_be_written_as_whole_floats() {
        let net = Network::from_json_str(
            r#"{"layers": [2e0, 1.0, 1e1], "seed": 1, "input": [0, 0],
            "target": [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]}"#,
        )
        .unwrap()
        .0;
        assert_eq!(net.layers, vec![2, 1, 10]);
        assert_eq!(
            error_of(r#"{"layers": [2, 1.5]}"#),
            "layers[1]: expected a whole number of neurons, at least 1, got 1.5"
        );
        assert_eq!(
            error_of(r#"{"layers": [4294967296, 4294967296, 4294967296]}"#),
            "layers: 4294967296-4294967296-4294967296 needs more than 10000000 weights; at \
             most 10000000 are accepted"
        );
    }

    #[test]
    fn sigmoid_is_finite_everywhere() {
        for x in [-1e308, -1000.0, -1.0, 0.0, 1.0, 1000.0, 1e308] {
            let y = Activation::Sigmoid.apply(x);
            assert!(y.is_finite() && (0.0..=1.0).contains(&y), "σ({x}) = {y}");
        }
        assert_eq!(Activation::Sigmoid.apply(-1000.0), 0.0);
        assert_eq!(Activation::Tanh.apply(1e308), 1.0);
    }
}
