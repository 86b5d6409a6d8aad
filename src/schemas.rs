//! The JSON Schemas (draft 2020-12) of every JSON document the tool reads or writes, shipped
//! in `schemas/` and printed by `backprop schema NAME`. The tests validate every output the
//! suite produces, and every file in `traces/`, against them with a real validator
//! (tests/schemas.rs), so a change of format that forgets its schema fails.

/// A published schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Schema {
    /// The network file (traces/README.md, "The network file").
    Network,
    /// The trace, versions 1 and 2 (show --format json).
    Trace,
    /// One line of train --format ndjson, with or without --summary.
    NdjsonLine,
    /// The run's summary (train --format json).
    TrainingRun,
    /// Your values for verify, as JSON.
    Homework,
    /// A value's derivation (explain --format json).
    Explain,
    /// traces/article-numbers.json: the article's printed numbers and errata.
    ArticleNumbers,
    /// The gradient check's verdict (check --format json).
    GradientCheck,
    /// verify's verdict (verify --format json).
    Verdict,
    /// A student's worksheet for a program (exercise --format json).
    Exercise,
    /// A class's gradebook (grade --format json).
    Gradebook,
}

impl Schema {
    /// Every schema, in the order listed.
    pub const ALL: [Schema; 11] = [
        Schema::Network,
        Schema::Trace,
        Schema::NdjsonLine,
        Schema::TrainingRun,
        Schema::Homework,
        Schema::Explain,
        Schema::ArticleNumbers,
        Schema::GradientCheck,
        Schema::Verdict,
        Schema::Exercise,
        Schema::Gradebook,
    ];

    /// The schema's text, as the file in `schemas/` holds it.
    pub fn text(self) -> &'static str {
        match self {
            Schema::Network => include_str!("../schemas/network.schema.json"),
            Schema::Trace => include_str!("../schemas/trace.schema.json"),
            Schema::NdjsonLine => include_str!("../schemas/ndjson-line.schema.json"),
            Schema::TrainingRun => include_str!("../schemas/training-run.schema.json"),
            Schema::Homework => include_str!("../schemas/homework.schema.json"),
            Schema::Explain => include_str!("../schemas/explain.schema.json"),
            Schema::ArticleNumbers => include_str!("../schemas/article-numbers.schema.json"),
            Schema::GradientCheck => include_str!("../schemas/gradient-check.schema.json"),
            Schema::Verdict => include_str!("../schemas/verdict.schema.json"),
            Schema::Exercise => include_str!("../schemas/exercise.schema.json"),
            Schema::Gradebook => include_str!("../schemas/gradebook.schema.json"),
        }
    }

    /// The name `backprop schema` takes, which is also the file's: `schemas/NAME.schema.json`.
    pub fn name(self) -> &'static str {
        match self {
            Schema::Network => "network",
            Schema::Trace => "trace",
            Schema::NdjsonLine => "ndjson-line",
            Schema::TrainingRun => "training-run",
            Schema::Homework => "homework",
            Schema::Explain => "explain",
            Schema::ArticleNumbers => "article-numbers",
            Schema::GradientCheck => "gradient-check",
            Schema::Verdict => "verdict",
            Schema::Exercise => "exercise",
            Schema::Gradebook => "gradebook",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::ValueEnum;

    #[test]
    fn each_schema_is_json_named_by_its_file_and_its_id() {
        for schema in Schema::ALL {
            let value: serde_json::Value = serde_json::from_str(schema.text()).unwrap();
            assert_eq!(
                value["$id"],
                format!("urn:backprop-tracer:schema:{}", schema.name())
            );
            assert_eq!(
                value["$schema"],
                "https://json-schema.org/draft/2020-12/schema"
            );
            // The command line spells it as the file does.
            assert_eq!(
                schema.to_possible_value().unwrap().get_name(),
                schema.name()
            );
        }
    }
}
