//! Verifying a training run's summary (`train --format json`), which holds checkpoints and
//! networks but no intermediate values to recompute: the run is replayed from the summary's
//! own initial network and options, its summary written again, and the two compared field by
//! field, every number bit for bit. The first field that differs is named by its path
//! (`checkpoints[3].E_total`) with both values.

use crate::network::Network;
use crate::train::{self, Export, RunOptions, claims, export};
use serde_json::Value;

/// What replaying a summary found.
#[derive(Clone, Debug, PartialEq)]
pub struct RunReport {
    /// The iterations the summary says were completed.
    pub iterations: usize,
    /// How many numbers, strings and other leaves were compared.
    pub compared: usize,
    /// The first field that differs, if any.
    pub difference: Option<Difference>,
}

/// A field of the summary that is not what the replay gives.
#[derive(Clone, Debug, PartialEq)]
pub struct Difference {
    /// Where: `checkpoints[3].E_total`, `final_network.weights[1][0]`.
    pub path: String,
    /// What the replay gives there (JSON text; `absent` when it has no such field).
    pub replayed: String,
    /// What the summary has (likewise).
    pub found: String,
}

/// Replays the run `text` (a `train --format json` summary) summarises and compares. An
/// error (in a sentence) when the summary's network or options cannot be read.
pub fn check(text: &str) -> Result<RunReport, String> {
    let doc: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let (initial, _) = Network::from_json_str(&doc["initial_network"].to_string())
        .map_err(|e| format!("initial_network: {e}"))?;
    let mut options: RunOptions =
        serde_json::from_value(doc["options"].clone()).map_err(|e| format!("options: {e}"))?;
    let initial = train::prepare(&initial, &mut options);
    // The same extra checkpoints as the command: after the iterations the article's claims
    // are about, on its network.
    let extra: Vec<usize> = claims::claims(&initial, options.update_biases)
        .iter()
        .map(|c| c.after)
        .collect();
    let run = train::run(&initial, &options, &extra, Export::None, &mut |_| {})
        .map_err(|e| e.to_string())?;
    let mut written = Vec::new();
    export::write_summary(&run, &mut written).map_err(|e| e.to_string())?;
    let replayed: Value = serde_json::from_slice(&written).map_err(|e| e.to_string())?;
    let mut compared = 0;
    let difference = first_difference(&replayed, &doc, String::new(), &mut compared);
    Ok(RunReport {
        iterations: run.completed,
        compared,
        difference,
    })
}

/// The first place, in document order, where the JSON document `found` is not `replayed`:
/// numbers compared bit for bit.
pub fn difference(replayed: &Value, found: &Value) -> Option<Difference> {
    first_difference(replayed, found, String::new(), &mut 0)
}

/// The first place, in document order, where `found` is not `replayed`.
fn first_difference(
    replayed: &Value,
    found: &Value,
    path: String,
    compared: &mut usize,
) -> Option<Difference> {
    let differ = |replayed: Option<&Value>, found: Option<&Value>, path: String| Difference {
        path,
        replayed: replayed.map_or("absent".to_string(), Value::to_string),
        found: found.map_or("absent".to_string(), Value::to_string),
    };
    match (replayed, found) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, value) in a {
                let at = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                match b.get(key) {
                    Some(other) => {
                        if let Some(d) = first_difference(value, other, at, compared) {
                            return Some(d);
                        }
                    }
                    None => return Some(differ(Some(value), None, at)),
                }
            }
            // A field the replay does not write.
            b.iter()
                .find(|(key, _)| !a.contains_key(*key))
                .map(|(key, value)| differ(None, Some(value), format!("{path}.{key}")))
        }
        (Value::Array(a), Value::Array(b)) => {
            for (i, value) in a.iter().enumerate() {
                let at = format!("{path}[{i}]");
                match b.get(i) {
                    Some(other) => {
                        if let Some(d) = first_difference(value, other, at, compared) {
                            return Some(d);
                        }
                    }
                    None => return Some(differ(Some(value), None, at)),
                }
            }
            b.get(a.len())
                .map(|extra| differ(None, Some(extra), format!("{path}[{}]", a.len())))
        }
        (a, b) => {
            *compared += 1;
            // Numbers bit for bit: serde_json keeps an f64 read from its shortest text.
            let same = match (a.as_f64(), b.as_f64()) {
                (Some(x), Some(y)) if a.is_f64() || b.is_f64() => x.to_bits() == y.to_bits(),
                _ => a == b,
            };
            (!same).then(|| differ(Some(a), Some(b), path))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::SampleOrder;

    fn summary(iterations: usize) -> String {
        let mut options = RunOptions {
            iterations,
            update_order: Default::default(),
            update_biases: false,
            sample_order: SampleOrder::Cyclic,
            every: None,
            seed: None,
        };
        let initial = train::prepare(&Network::article(), &mut options);
        let run = train::run(&initial, &options, &[], Export::None, &mut |_| {}).unwrap();
        let mut out = Vec::new();
        export::write_summary(&run, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn an_untouched_summary_replays_and_a_changed_number_is_found() {
        let text = summary(20);
        let report = check(&text).unwrap();
        assert_eq!(report.difference, None);
        assert_eq!(report.iterations, 20);
        assert!(report.compared > 20);
        let mut doc: Value = serde_json::from_str(&text).unwrap();
        doc["checkpoints"][2]["E_total"] = serde_json::json!(0.25);
        let d = check(&doc.to_string()).unwrap().difference.unwrap();
        assert_eq!(d.path, "checkpoints[2].E_total");
        assert_eq!(d.found, "0.25");
    }
}

#[cfg(test)]
mod leaves {
    use super::*;
    use serde_json::json;

    /// Numbers are compared bit for bit: a zero's sign is a difference (== would call them
    /// equal), and so are two whole numbers above 2^53 that one f64 cannot tell apart.
    #[test]
    fn numbers_differ_by_their_bits_and_whole_numbers_exactly() {
        let compare = |a: Value, b: Value| first_difference(&a, &b, String::new(), &mut 0);
        assert!(compare(json!({"e": 0.0}), json!({"e": -0.0})).is_some());
        assert!(compare(json!({"e": 0.5}), json!({"e": 0.5})).is_none());
        // A whole number is the same number written with or without its ".0" (as jq and
        // JavaScript write 1.0): one f64 either way.
        assert!(compare(json!({"e": 1}), json!({"e": 1.0})).is_none());
        assert!(compare(json!({"e": 1.0}), json!({"e": 1})).is_none());
        let (big, next) = (9_007_199_254_740_992u64, 9_007_199_254_740_993u64);
        let d = compare(json!({"seed": big}), json!({"seed": next})).expect("they differ");
        assert_eq!(
            (d.path.as_str(), d.replayed.as_str(), d.found.as_str()),
            ("seed", "9007199254740992", "9007199254740993")
        );
        assert!(compare(json!({"seed": big}), json!({"seed": big})).is_none());
    }
}
