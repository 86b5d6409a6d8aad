//! The optimizers a network file can choose (key `"optimizer"`): how a gradient becomes an
//! update. Plain gradient descent (the article's w⁺ = w − η·∂E/∂w), momentum (PyTorch's
//! convention, also Nesterov's form) and Adam. Momentum and Adam keep a state per parameter
//! from one iteration to the next (key `"optimizer_state"`); a network file written after
//! training holds it, so that training resumes exactly where it stopped.
//!
//! The engine calls [`Optimizer`] for each parameter with its gradient; the arithmetic of
//! every update is here, in [`Optimizer::step`], which the recorded formulas follow.

use crate::network::{Bias, NetworkError, field_error};
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

/// The most steps a state may count: beyond 2^53, t and t + 1 are the same f64.
pub const MAX_STEP: u64 = 1 << 53;

/// How a gradient becomes an update.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum Optimizer {
    /// w⁺ = w − η·∂E/∂w, the article's.
    #[default]
    Sgd,
    /// v⁺ = β·v + ∂E/∂w, w⁺ = w − η·v⁺ (PyTorch's SGD with momentum, no dampening); with
    /// `nesterov`, w⁺ = w − η·(∂E/∂w + β·v⁺).
    Momentum { beta: f64, nesterov: bool },
    /// m⁺ = β1·m + (1 − β1)·g, v⁺ = β2·v + (1 − β2)·g², m̂ = m⁺/(1 − β1ᵗ), v̂ = v⁺/(1 − β2ᵗ),
    /// w⁺ = w − η·m̂/(√v̂ + ε), with t the number of the step (1 for the first).
    Adam {
        beta1: f64,
        beta2: f64,
        epsilon: f64,
    },
}

/// What an optimizer keeps per parameter between iterations: for momentum the velocity;
/// for Adam the two moments and the step count. Laid out as the network's weights and biases.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct State {
    /// Updates made so far (Adam's t before this iteration's step).
    pub step: u64,
    /// The velocity (momentum) or the first moment m (Adam), per weight.
    pub first: Vec<Vec<f64>>,
    /// Adam's second moment v, per weight (empty otherwise).
    pub second: Vec<Vec<f64>>,
    /// As `first`, per bias value (one for a shared bias).
    pub bias_first: Vec<Vec<f64>>,
    /// As `second`, per bias value.
    pub bias_second: Vec<Vec<f64>>,
}

/// One parameter's update, with every value on the way, as the engine records them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Update {
    /// The new value of the parameter.
    pub new: f64,
    /// The new velocity (momentum) or first moment (Adam).
    pub first: f64,
    /// Adam's new second moment.
    pub second: f64,
    /// Nesterov's step direction ∂E/∂w + β·v⁺, or Adam's m̂.
    pub direction: f64,
    /// Adam's v̂.
    pub second_hat: f64,
}

/// The per-iteration factors of Adam's bias correction: 1 − β1ᵗ and 1 − β2ᵗ for this step's
/// t.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Corrections {
    pub first: f64,
    pub second: f64,
    /// 1/first and 1/second, computed once per iteration: each parameter's m̂ and v̂ are then
    /// a multiplication, not a division (within an ulp of m⁺/(1 − β1ᵗ), which is how the
    /// trace writes them; `verify` recomputes with a relative tolerance far above that).
    pub inv_first: f64,
    pub inv_second: f64,
}

impl Optimizer {
    /// The name used in network files.
    pub fn name(self) -> &'static str {
        match self {
            Optimizer::Sgd => "sgd",
            Optimizer::Momentum { .. } => "momentum",
            Optimizer::Adam { .. } => "adam",
        }
    }

    /// Whether this optimizer keeps a state between iterations.
    pub fn has_state(self) -> bool {
        self != Optimizer::Sgd
    }

    /// Adam's bias corrections for the step after `done` steps: 1 − β1^(done+1), 1 − β2^(done+1).
    #[inline]
    pub fn corrections(self, done: u64) -> Corrections {
        match self {
            Optimizer::Adam { beta1, beta2, .. } => {
                let t = done.saturating_add(1) as f64;
                let (first, second) = (1.0 - beta1.powf(t), 1.0 - beta2.powf(t));
                Corrections {
                    first,
                    second,
                    inv_first: 1.0 / first,
                    inv_second: 1.0 / second,
                }
            }
            _ => Corrections {
                first: 1.0,
                second: 1.0,
                inv_first: 1.0,
                inv_second: 1.0,
            },
        }
    }

    /// The update of a parameter at `old` with gradient `g`, learning rate `eta`, and its
    /// state `first` and `second` (as they were before this iteration).
    #[inline(always)]
    pub fn step(
        self,
        old: f64,
        g: f64,
        eta: f64,
        first: f64,
        second: f64,
        c: Corrections,
    ) -> Update {
        match self {
            Optimizer::Sgd => Update {
                new: old - eta * g,
                first: 0.0,
                second: 0.0,
                direction: g,
                second_hat: 0.0,
            },
            Optimizer::Momentum { beta, nesterov } => {
                let v = beta * first + g;
                let direction = if nesterov { g + beta * v } else { v };
                Update {
                    new: old - eta * direction,
                    first: v,
                    second: 0.0,
                    direction,
                    second_hat: 0.0,
                }
            }
            Optimizer::Adam {
                beta1,
                beta2,
                epsilon,
            } => {
                let m = beta1 * first + (1.0 - beta1) * g;
                let v = beta2 * second + (1.0 - beta2) * (g * g);
                let m_hat = m * c.inv_first;
                let v_hat = v * c.inv_second;
                Update {
                    new: old - eta * (m_hat / (v_hat.sqrt() + epsilon)),
                    first: m,
                    second: v,
                    direction: m_hat,
                    second_hat: v_hat,
                }
            }
        }
    }

    /// A fresh state (all zeros, no steps) shaped for `weights` and `biases`; empty for
    /// plain gradient descent.
    pub fn fresh_state(self, weights: &[Vec<f64>], biases: &[Bias]) -> State {
        if !self.has_state() {
            return State::default();
        }
        let zeros = |w: &[Vec<f64>]| w.iter().map(|l| vec![0.0; l.len()]).collect::<Vec<_>>();
        let bias_zeros = || {
            biases
                .iter()
                .map(|b| vec![0.0; b.values().len()])
                .collect::<Vec<_>>()
        };
        let adam = matches!(self, Optimizer::Adam { .. });
        State {
            step: 0,
            first: zeros(weights),
            second: if adam { zeros(weights) } else { Vec::new() },
            bias_first: bias_zeros(),
            bias_second: if adam { bias_zeros() } else { Vec::new() },
        }
    }
}

/// Reads the `optimizer` field: `{"name": "sgd"}`, `{"name": "momentum", "beta": 0.9,
/// "nesterov": false}` or `{"name": "adam", "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8}`
/// (the hyperparameters have those defaults, PyTorch's).
pub fn read(v: &Value, field: &str) -> Result<Optimizer, NetworkError> {
    let expected = "an object such as {\"name\": \"adam\"}: name sgd, momentum (beta, nesterov) \
                    or adam (beta1, beta2, epsilon)";
    let Some(obj) = v.as_object() else {
        return Err(field_error(field, format!("expected {expected}")));
    };
    let name = match obj.get("name") {
        Some(Value::String(s)) => s.as_str(),
        _ => {
            return Err(field_error(
                format!("{field}.name"),
                "expected the optimizer's name: sgd, momentum or adam",
            ));
        }
    };
    let known: &[&str] = match name {
        "sgd" => &["name"],
        "momentum" => &["name", "beta", "nesterov"],
        "adam" => &["name", "beta1", "beta2", "epsilon"],
        other => {
            return Err(field_error(
                format!("{field}.name"),
                format!(
                    "unknown optimizer \"{}\"; expected sgd, momentum or adam",
                    crate::quote::excerpt(other)
                ),
            ));
        }
    };
    if let Some(key) = obj.keys().find(|k| !known.contains(&k.as_str())) {
        return Err(field_error(
            format!("{field}.{}", crate::quote::excerpt(key)),
            format!(
                "{name} has no such setting; it takes {}",
                known[1..].join(", ")
            ),
        ));
    }
    // A factor from 0 (inclusive) to 1 (exclusive): a β of 1 never forgets, and Adam's
    // bias correction 1 − βᵗ would be 0.
    let beta = |key: &str, default: f64| -> Result<f64, NetworkError> {
        let Some(v) = obj.get(key) else {
            return Ok(default);
        };
        match v.as_f64() {
            Some(b) if (0.0..1.0).contains(&b) => Ok(b),
            _ => Err(field_error(
                format!("{field}.{key}"),
                format!("expected a number from 0 to below 1, got {v}"),
            )),
        }
    };
    Ok(match name {
        "sgd" => Optimizer::Sgd,
        "momentum" => Optimizer::Momentum {
            beta: beta("beta", 0.9)?,
            nesterov: match obj.get("nesterov") {
                None => false,
                Some(Value::Bool(b)) => *b,
                Some(other) => {
                    return Err(field_error(
                        format!("{field}.nesterov"),
                        format!("expected true or false, got {other}"),
                    ));
                }
            },
        },
        _ => Optimizer::Adam {
            beta1: beta("beta1", 0.9)?,
            beta2: beta("beta2", 0.999)?,
            epsilon: match obj.get("epsilon") {
                None => 1e-8,
                Some(v) => match v.as_f64() {
                    Some(e) if e > 0.0 && e.is_finite() => e,
                    _ => {
                        return Err(field_error(
                            format!("{field}.epsilon"),
                            format!("expected a number greater than 0, got {v}"),
                        ));
                    }
                },
            },
        },
    })
}

/// Reads the `optimizer_state` field for `optimizer`, shaped as `weights` and `biases`:
/// `{"step": 3, "m": {"weights": […], "biases": […]}, "v": {…}}` for Adam,
/// `{"velocity": {"weights": […], "biases": […]}}` for momentum. Left out: a fresh state.
pub fn read_state(
    v: Option<&Value>,
    optimizer: Optimizer,
    weights: &[Vec<f64>],
    biases: &[Bias],
    field: &str,
) -> Result<State, NetworkError> {
    let mut state = optimizer.fresh_state(weights, biases);
    let Some(v) = v else {
        return Ok(state);
    };
    if !optimizer.has_state() {
        return Err(field_error(
            field,
            "plain gradient descent (sgd) keeps no state; remove optimizer_state or choose \
             momentum or adam",
        ));
    }
    let Some(obj) = v.as_object() else {
        return Err(field_error(field, "expected an object"));
    };
    let names: &[&str] = match optimizer {
        Optimizer::Adam { .. } => &["step", "m", "v"],
        _ => &["velocity"],
    };
    if let Some(key) = obj.keys().find(|k| !names.contains(&k.as_str())) {
        return Err(field_error(
            format!("{field}.{}", crate::quote::excerpt(key)),
            format!("{} keeps {}", optimizer.name(), names.join(", ")),
        ));
    }
    if let Some(step) = obj.get("step") {
        // Up to 2^53, where t and t + 1 are still different numbers.
        state.step = step.as_u64().filter(|&t| t <= MAX_STEP).ok_or_else(|| {
            field_error(
                format!("{field}.step"),
                format!("expected a whole number of steps from 0 to 2^53, got {step}"),
            )
        })?;
    }
    let adam = matches!(optimizer, Optimizer::Adam { .. });
    let keys: &[(&str, bool)] = if adam {
        &[("m", true), ("v", false)]
    } else {
        &[("velocity", true)]
    };
    for &(key, first) in keys {
        let Some(moment) = obj.get(key) else {
            continue;
        };
        let (w, b) = if first {
            (&mut state.first, &mut state.bias_first)
        } else {
            (&mut state.second, &mut state.bias_second)
        };
        let at = format!("{field}.{key}");
        let Some(moment) = moment.as_object() else {
            return Err(field_error(
                at,
                "expected {\"weights\": […], \"biases\": […]}",
            ));
        };
        if let Some(k) = moment
            .keys()
            .find(|k| !["weights", "biases"].contains(&k.as_str()))
        {
            return Err(field_error(
                format!("{at}.{}", crate::quote::excerpt(k)),
                "expected weights and biases only",
            ));
        }
        // Adam's v is a mean of squares: never below 0 (its square root is taken).
        let floor = if first { f64::NEG_INFINITY } else { 0.0 };
        if let Some(values) = moment.get("weights") {
            fill(values, w, &format!("{at}.weights"), floor)?;
        }
        if let Some(values) = moment.get("biases") {
            fill(values, b, &format!("{at}.biases"), floor)?;
        }
    }
    Ok(state)
}

/// Reads lists of numbers, none below `floor`, into `into`, whose shape they must have.
fn fill(v: &Value, into: &mut [Vec<f64>], field: &str, floor: f64) -> Result<(), NetworkError> {
    let shape = |x: &[Vec<f64>]| {
        x.iter()
            .map(|l| l.len().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let lists = v.as_array().filter(|a| a.len() == into.len());
    let Some(lists) = lists else {
        return Err(field_error(
            field,
            format!(
                "expected {} lists, of {} numbers (the shape of the parameters)",
                into.len(),
                shape(into)
            ),
        ));
    };
    for (l, (list, to)) in lists.iter().zip(into.iter_mut()).enumerate() {
        let at = format!("{field}[{l}]");
        let items = list
            .as_array()
            .filter(|a| a.len() == to.len())
            .ok_or_else(|| {
                let n = to.len();
                let numbers = if n == 1 { "number" } else { "numbers" };
                field_error(at.clone(), format!("expected a list of {n} {numbers}"))
            })?;
        for (i, (item, x)) in items.iter().zip(to.iter_mut()).enumerate() {
            *x = item
                .as_f64()
                .filter(|x| x.is_finite() && *x >= floor)
                .ok_or_else(|| {
                    let what = if floor == 0.0 {
                        "a number of at least 0 (a mean of squares)"
                    } else {
                        "a number"
                    };
                    field_error(format!("{at}[{i}]"), format!("expected {what}, got {item}"))
                })?;
        }
    }
    Ok(())
}

impl Serialize for Optimizer {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("name", self.name())?;
        match *self {
            Optimizer::Sgd => {}
            Optimizer::Momentum { beta, nesterov } => {
                map.serialize_entry("beta", &beta)?;
                map.serialize_entry("nesterov", &nesterov)?;
            }
            Optimizer::Adam {
                beta1,
                beta2,
                epsilon,
            } => {
                map.serialize_entry("beta1", &beta1)?;
                map.serialize_entry("beta2", &beta2)?;
                map.serialize_entry("epsilon", &epsilon)?;
            }
        }
        map.end()
    }
}

/// The state in its file form, for `optimizer`.
pub fn state_json(optimizer: Optimizer, state: &State) -> Value {
    let moment = |w: &Vec<Vec<f64>>, b: &Vec<Vec<f64>>| {
        let mut m = Map::new();
        m.insert("weights".into(), serde_json::json!(w));
        m.insert("biases".into(), serde_json::json!(b));
        Value::Object(m)
    };
    let mut obj = Map::new();
    match optimizer {
        Optimizer::Sgd => {}
        Optimizer::Momentum { .. } => {
            obj.insert("velocity".into(), moment(&state.first, &state.bias_first));
        }
        Optimizer::Adam { .. } => {
            obj.insert("step".into(), Value::from(state.step));
            obj.insert("m".into(), moment(&state.first, &state.bias_first));
            obj.insert("v".into(), moment(&state.second, &state.bias_second));
        }
    }
    Value::Object(obj)
}
