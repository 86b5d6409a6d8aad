//! A blank homework for `backprop verify --template`: every symbol of an iteration in
//! computation order, the given values filled in as the network file gives them and the
//! others empty, as CSV or JSON that [`crate::verify::homework::read`] reads back (an empty
//! value is one not answered).

use crate::trace::{Stage, Trace};

/// The file a template is written as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum TemplateFormat {
    /// `symbol,value` lines under a `symbol,value` header.
    Csv,
    /// One JSON object, `null` for each value to fill in.
    Json,
}

/// The template for the first iteration of `trace`, with the values whose stage `keep`
/// accepts. Given values are written as the network file has them (shortest text that reads
/// back as the same number), so they agree when checked.
pub fn template(trace: &Trace, keep: impl Fn(Stage) -> bool, format: TemplateFormat) -> String {
    let values: Vec<_> = trace
        .first()
        .values
        .iter()
        .filter(|v| keep(v.stage))
        .collect();
    let given =
        |v: &crate::trace::TracedValue| (v.stage == Stage::Given).then(|| v.value.to_string());
    match format {
        TemplateFormat::Csv => {
            let mut out = String::from(
                "# Your values for backprop verify: fill in the ones you computed, in the\n\
                 # precision you want them checked at; a value left empty is not answered.\n\
                 symbol,value\n",
            );
            for v in values {
                out.push_str(&v.symbol);
                out.push(',');
                out.push_str(&given(v).unwrap_or_default());
                out.push('\n');
            }
            out
        }
        TemplateFormat::Json => {
            // Written by hand to keep computation order (a JSON map would sort the keys).
            let lines: Vec<String> = values
                .iter()
                .map(|v| {
                    format!(
                        "  {}: {}",
                        serde_json::Value::from(v.symbol.as_str()),
                        given(v).unwrap_or_else(|| "null".to_string())
                    )
                })
                .collect();
            format!("{{\n{}\n}}\n", lines.join(",\n"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine;
    use crate::network::Network;
    use crate::trace::Options;
    use crate::verify::homework;

    #[test]
    fn a_template_reads_back_with_only_the_given_values_answered() {
        let trace = engine::trace_iteration(&Network::article(), &Options::default());
        let n = trace.first().values.len();
        for format in [TemplateFormat::Csv, TemplateFormat::Json] {
            let text = template(&trace, |_| true, format);
            let entries = homework::read(&text).unwrap();
            let given = trace
                .first()
                .values
                .iter()
                .filter(|v| v.stage == Stage::Given)
                .count();
            assert_eq!(entries.len(), given, "{format:?}\n{text}");
            assert!(given > 0 && given < n);
            let report =
                homework::check(&Network::article(), &Options::default(), entries).unwrap();
            assert!(report.all_agree(), "{format:?}");
        }
    }
}
