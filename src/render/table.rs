//! The tables: the iteration section by section, as the article lays out its hand
//! calculation (given values, Step 1 forward pass, total error, Step 2 backward pass through
//! the output layer and each hidden layer, summary), each value with its formula, the
//! numbers substituted, the value, and on the article's network the article's own number.

use crate::article::{self, ErratumKind, Printed, Verdict};
use crate::loss::Loss;
use crate::network::Activation;
use crate::notation::Typography;
use crate::number;
use crate::render::lang::{Labels, Lang};
use crate::render::layout::{self, Field, Grid, Shape};
use crate::render::symbols::Symbols;
use crate::trace::{Parameter, Role, Stage, Trace, TracedValue, UpdateOrder};
use colored::Colorize;
use comfy_table::Color;
use std::collections::HashMap;
use std::io::{self, Write};

/// How the tables are drawn.
#[derive(Clone, Debug, Default)]
pub struct TableOptions {
    /// The language of the labels.
    pub lang: Lang,
    /// Whether colour marks negative values and disagreements.
    pub color: bool,
    /// ASCII borders and ASCII symbols (dE_total/dw5), for terminals that draw ∂ and box
    /// lines double-width.
    pub ascii: bool,
    /// The width to fit (a terminal's, or `--width`): a table wider than this is written as
    /// one block per value, and prose is wrapped. None (a pipe, a file): nothing is wrapped.
    pub width: Option<usize>,
    /// Only these symbols (ASCII keys), each in its section; empty for every value.
    pub only: Vec<String>,
    /// Only this part of the iteration.
    pub section: Option<Section>,
    /// Lines under the title saying where the inputs came from: the seed that drew the
    /// values the file left out, the options a trace fed back in brought.
    pub heading: Vec<String>,
}

/// More rows than this in one table, and the table is replaced by a note saying how to
/// narrow it: a student learns nothing from ten thousand rows scrolling past.
pub const ROW_LIMIT: usize = 200;

/// A part of the iteration, as `show --section` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Section {
    /// The values read from the network file.
    Given,
    /// Step 1, the forward pass.
    Forward,
    /// The errors and the total error.
    Error,
    /// Step 2 through the output layer, with its weight updates.
    Output,
    /// The backward pass through the hidden layer(s), with their weight updates.
    Hidden,
    /// In an iteration over a batch: the batch's gradients and the weight updates.
    Batch,
    /// The weights, outputs and total error before → after the update.
    Summary,
}

impl Section {
    /// The section a stage belongs to.
    pub fn of(stage: Stage) -> Section {
        match stage {
            Stage::Given => Section::Given,
            Stage::Forward => Section::Forward,
            Stage::Error => Section::Error,
            Stage::OutputLayer => Section::Output,
            Stage::HiddenLayer => Section::Hidden,
            Stage::Batch => Section::Batch,
            Stage::Summary => Section::Summary,
        }
    }
}

/// Writes the tables for the first iteration of `trace`.
pub fn render(trace: &Trace, options: &TableOptions, out: &mut dyn Write) -> io::Result<()> {
    Renderer::new(trace, options).write(out)
}

type Comparison = HashMap<&'static str, Vec<(&'static Printed, Verdict<'static>)>>;

struct Renderer<'a> {
    trace: &'a Trace,
    options: &'a TableOptions,
    labels: &'static Labels,
    typography: Typography,
    symbols: Symbols<'a>,
    index: HashMap<&'a str, &'a TracedValue>,
    comparison: Option<Comparison>,
    /// Footnotes in the order they are first referred to.
    notes: Vec<String>,
}

impl<'a> Renderer<'a> {
    fn new(trace: &'a Trace, options: &'a TableOptions) -> Self {
        let typography = Typography::from_ascii(options.ascii);
        Renderer {
            trace,
            options,
            labels: options.lang.labels_in(typography),
            typography,
            symbols: Symbols::new(trace, typography),
            index: trace.first().index(),
            comparison: article::compare(trace),
            notes: Vec::new(),
        }
    }

    fn write(mut self, out: &mut dyn Write) -> io::Result<()> {
        let l = self.labels;
        writeln!(out, "{}", self.heading(&title(self.trace, l)))?;
        for line in &self.options.heading {
            self.prose(&self.text(line), "", "", out)?;
        }
        if self.comparison.is_some() {
            self.prose(l.comparison_on, "", "", out)?;
        } else if self.trace.options.update_biases
            && article::is_article_network(&self.trace.network, false)
        {
            self.prose(l.comparison_off_biases, "", "", out)?;
        }

        for section in sections(&self.trace.first().values) {
            let group: Vec<TracedValue> =
                section.iter().filter(|v| self.wanted(v)).cloned().collect();
            if !group.is_empty() {
                self.section(&group, out)?;
            }
        }
        if self.options.only.is_empty()
            && self.options.section.is_none_or(|s| s == Section::Summary)
        {
            self.summary(out)?;
        }
        self.write_notes(out)
    }

    /// Whether `v` passes `--only` and `--section`.
    fn wanted(&self, v: &TracedValue) -> bool {
        let o = self.options;
        o.section.is_none_or(|s| s == Section::of(v.stage))
            && (o.only.is_empty() || o.only.contains(&v.symbol))
    }

    /// The note printed instead of a table of `rows` rows, when that is over [`ROW_LIMIT`].
    fn too_many_rows(&self, rows: usize, out: &mut dyn Write) -> io::Result<()> {
        let example = self
            .trace
            .first()
            .values
            .iter()
            .find(|v| v.stage == Stage::Forward)
            .map_or("net_h1", |v| v.symbol.as_str());
        let note = self
            .labels
            .too_many_rows
            .replace("{rows}", &rows.to_string())
            .replace("{limit}", &ROW_LIMIT.to_string())
            .replace("{example}", example);
        self.prose(&note, "", "", out)
    }

    /// `text` wrapped to the width (kept whole when there is none).
    fn prose(&self, text: &str, first: &str, rest: &str, out: &mut dyn Write) -> io::Result<()> {
        for line in layout::wrap(text, self.options.width, first, rest) {
            writeln!(out, "{line}")?;
        }
        Ok(())
    }

    fn section(&mut self, group: &[TracedValue], out: &mut dyn Write) -> io::Result<()> {
        let first = &group[0];
        let depth = self.trace.network.depth();
        let layer = first.layer.unwrap_or(0);
        // The summary pass is shown by `summary`, as before → after, unless single values of
        // it were asked for with --only.
        if first.stage == Stage::Summary && self.options.only.is_empty() {
            return Ok(());
        }
        let title = section_title(
            self.trace,
            self.labels,
            self.typography,
            first.stage,
            first.layer,
            first.sample,
        );
        writeln!(out)?;
        writeln!(out, "{}", self.heading(&title))?;
        if group.len() > ROW_LIMIT && self.options.only.is_empty() {
            return self.too_many_rows(group.len(), out);
        }
        // The note reads the section's ∂net/∂out rows, which --only may have left out.
        if first.stage == Stage::HiddenLayer && layer < depth && self.options.only.is_empty() {
            self.prose(&self.which_weights(group), "", "", out)?;
        }
        if self.options.only.is_empty() {
            for note in loss_notes(self.trace, self.labels, first.stage, first.layer) {
                self.prose(&self.text(&note), "", "", out)?;
            }
        }
        let grid = if first.stage == Stage::Given {
            self.given_table(group)
        } else {
            self.formula_table(group)
        };
        grid.write(self.options.width, out)
    }

    /// The note on the question most asked under the article: which w5…w8 the hidden layer's
    /// chain rule uses. Read off the recorded ∂net_o/∂out_h values of this section.
    fn which_weights(&self, group: &[TracedValue]) -> String {
        // Each ∂net_o/∂out_h reads one weight (w5, or w5+ sequentially): in the order of
        // the weights, by their roles.
        let mut sorted: Vec<(Parameter, &str)> = group
            .iter()
            .filter(|v| matches!(v.role, Some(Role::DNetDOut { .. })))
            .filter_map(|v| {
                let weight = v.from.first()?;
                let of = match self.index.get(weight.as_str())?.role? {
                    Role::Weight { layer, index } => Parameter::Weight { layer, index },
                    Role::Updated { of } => of,
                    _ => return None,
                };
                Some((of, weight.as_str()))
            })
            .collect();
        sorted.sort();
        let sorted: Vec<&str> = sorted.into_iter().map(|(_, w)| w).collect();
        let span = match (sorted.first(), sorted.last()) {
            (Some(a), Some(b)) if a != b => {
                self.text(&format!("{}…{}", self.symbol(a), self.symbol(b)))
            }
            (Some(a), _) => self.symbol(a),
            _ => String::new(),
        };
        let template = match self.trace.options.update_order {
            UpdateOrder::Simultaneous => self.labels.which_weights_simultaneous,
            UpdateOrder::Sequential => self.labels.which_weights_sequential,
        };
        template.replace("{weights}", &span)
    }

    fn given_table(&mut self, group: &[TracedValue]) -> Grid {
        let l = self.labels;
        let mut header = vec![l.symbol, l.value, l.field];
        if self.comparison.is_some() {
            header.push(l.article);
        }
        let mut table = self.new_table(header, Shape::Fields);
        for v in group {
            // A value the file left out comes from no field of it.
            let from = match v.drawn {
                Some(d) => l.drawn.replace("{seed}", &d.seed.to_string()),
                None => v.formula.clone(),
            };
            let mut row = vec![
                Field::new(self.symbols.value(v)),
                self.value_cell(v.value),
                Field::new(&from),
            ];
            if self.comparison.is_some() {
                row.push(self.article_cell(&v.symbol));
            }
            table.rows.push(row);
        }
        table
    }

    fn formula_table(&mut self, group: &[TracedValue]) -> Grid {
        let l = self.labels;
        let mut header = vec![l.symbol, l.formula, l.numbers, l.value];
        if self.comparison.is_some() {
            header.push(l.article);
        }
        let mut table = self.new_table(header, Shape::Derivation);
        for v in group {
            let mut row = vec![
                Field::new(self.symbols.value(v)),
                Field::new(self.formula(v)),
                Field::new(&v.substituted),
                self.value_cell(v.value),
            ];
            if self.comparison.is_some() {
                row.push(self.article_cell(&v.symbol));
            }
            table.rows.push(row);
        }
        table
    }

    /// Every weight (and trained bias) before → after, then the outputs and E_total before →
    /// after, all read from the trace.
    fn summary(&mut self, out: &mut dyn Write) -> io::Result<()> {
        let l = self.labels;
        writeln!(out)?;
        writeln!(out, "{}", self.heading(l.summary))?;
        let mut header = vec![
            l.symbol.to_string(),
            l.before.to_string(),
            self.symbol("dE_total/dw"),
            l.after.to_string(),
        ];
        if self.comparison.is_some() {
            header.push(l.article.to_string());
        }
        let mut table = self.new_table(header, Shape::Fields);
        let trained: Vec<&TracedValue> = self
            .trace
            .first()
            .values
            .iter()
            .filter(|v| matches!(v.role, Some(Role::Weight { .. } | Role::Bias { .. })))
            .filter(|v| self.index.contains_key(format!("{}+", v.symbol).as_str()))
            .collect();
        if trained.len() > ROW_LIMIT {
            return self.too_many_rows(trained.len(), out);
        }
        for v in trained {
            let after = format!("{}+", v.symbol);
            let gradient = format!("dE_total/d{}", v.symbol);
            let mut row = vec![
                Field::new(self.symbols.value(v)),
                self.value_cell(v.value),
                self.lookup_cell(&gradient),
                self.lookup_cell(&after),
            ];
            if self.comparison.is_some() {
                row.push(self.article_cell(&after));
            }
            table.rows.push(row);
        }
        table.write(self.options.width, out)?;

        let mut header = vec![l.symbol, l.before, l.after];
        if self.comparison.is_some() {
            header.push(l.article);
        }
        let mut table = self.new_table(header, Shape::Fields);
        let before: Vec<&TracedValue> = self
            .trace
            .first()
            .values
            .iter()
            .filter(|v| match v.role {
                Some(Role::Out {
                    layer,
                    updated: false,
                    ..
                }) => layer == self.trace.network.depth(),
                Some(Role::Loss { updated: false }) => true,
                _ => false,
            })
            .collect();
        for v in before {
            let after = crate::trace::updated_key(v);
            let mut row = vec![
                Field::new(self.symbols.value(v)),
                self.value_cell(v.value),
                self.lookup_cell(&after),
            ];
            if self.comparison.is_some() {
                row.push(self.article_cell(&after));
            }
            table.rows.push(row);
        }
        table.write(self.options.width, out)
    }

    fn write_notes(&mut self, out: &mut dyn Write) -> io::Result<()> {
        let lang = self.options.lang;
        let mut later = Vec::new();
        let mut general = Vec::new();
        // The article's general notes belong to the whole iteration, not to a narrowed view.
        let whole = self.options.only.is_empty() && self.options.section.is_none();
        if self.comparison.is_some() && whole {
            let numbers = article::numbers();
            // Both editions' figures, each tagged with the edition that prints it.
            let claims: Vec<&Printed> = numbers
                .numbers
                .iter()
                .filter(|p| p.iteration != 1)
                .collect();
            let mut iterations: Vec<usize> = claims.iter().map(|p| p.iteration).collect();
            iterations.dedup();
            for i in iterations {
                let figures: Vec<String> = claims
                    .iter()
                    .filter(|p| p.iteration == i)
                    .map(|p| {
                        let symbol = self.symbol(&p.symbol);
                        let edition = lang.pick(p.edition.tag(), p.edition.tag_zh());
                        format!("{symbol} = {}{edition}", p.printed)
                    })
                    .collect();
                later.push(format!(
                    "{}: {}",
                    self.labels.after_iteration.replace("{n}", &i.to_string()),
                    figures.join(", ")
                ));
                for e in claims
                    .iter()
                    .filter(|p| p.iteration == i)
                    .filter_map(|p| p.erratum.as_ref())
                {
                    later.push(self.text(lang.pick(&e.en, &e.zh)));
                }
            }
            for n in &numbers.notes {
                general.push(self.text(lang.pick(&n.en, &n.zh)));
            }
        }
        if self.notes.is_empty() && later.is_empty() && general.is_empty() {
            return Ok(());
        }
        writeln!(out)?;
        writeln!(out, "{}", self.heading(self.labels.notes))?;
        for (n, text) in self.notes.iter().enumerate() {
            let mark = format!("[{}] ", n + 1);
            self.prose(text, &mark, &" ".repeat(mark.len()), out)?;
        }
        if !later.is_empty() {
            self.prose(self.labels.later_iterations, "", "", out)?;
            for line in later {
                self.prose(&line, "  ", "    ", out)?;
            }
        }
        for text in general {
            self.prose(&text, "", "", out)?;
        }
        Ok(())
    }

    fn new_table<T: ToString>(&self, header: Vec<T>, shape: Shape) -> Grid {
        Grid {
            header: header.iter().map(T::to_string).collect(),
            rows: Vec::new(),
            shape,
            ascii: self.options.ascii,
            color: self.options.color,
        }
    }

    /// A heading, wrapped to the width, in bold when colour is on.
    fn heading(&self, text: &str) -> String {
        let lines = layout::wrap(text, self.options.width, "", "");
        let lines: Vec<String> = if self.options.color {
            lines.iter().map(|l| l.bold().to_string()).collect()
        } else {
            lines
        };
        lines.join("\n")
    }

    fn symbol(&self, symbol: &str) -> String {
        self.symbols.of(symbol)
    }

    /// A sentence from outside the labels (the article's errata and notes) in the chosen
    /// typography.
    fn text(&self, text: &str) -> String {
        self.typography.text(text).into_owned()
    }

    /// The formula with each symbol in the article's typography.
    fn formula(&self, v: &TracedValue) -> String {
        self.symbols.formula(v)
    }

    fn value_cell(&self, value: f64) -> Field {
        Field {
            text: number::fixed(value, self.trace.options.precision),
            right: true,
            color: (value < 0.0).then_some(Color::Cyan),
        }
    }

    fn lookup_cell(&self, symbol: &str) -> Field {
        match self.index.get(symbol) {
            Some(v) => self.value_cell(v.value),
            None => Field::new(""),
        }
    }

    /// The article's number(s) for `symbol`, each with its verdict.
    fn article_cell(&mut self, symbol: &str) -> Field {
        let Some(entries) = self
            .comparison
            .as_ref()
            .and_then(|c| c.get(symbol))
            .cloned()
        else {
            return Field::new("");
        };
        let mut lines = Vec::new();
        let mut worst = 0;
        for (printed, verdict) in entries {
            let (mark, level) = self.mark(verdict);
            worst = worst.max(level);
            lines.push(format!("{} {mark}", printed.printed));
        }
        Field {
            text: lines.join("\n"),
            right: false,
            color: Some(match worst {
                0 => Color::Green,
                1 => Color::Yellow,
                _ => Color::Red,
            }),
        }
    }

    /// The mark for a verdict and how bad it is (0 agrees, 1 explained, 2 unexplained).
    fn mark(&mut self, verdict: Verdict<'static>) -> (String, u8) {
        let l = self.labels;
        let lang = self.options.lang;
        match verdict {
            Verdict::Agrees => (self.typography.agrees().to_string(), 0),
            Verdict::Explained(e) => {
                let kind = match e.kind {
                    ErratumKind::Typo => l.kind_typo,
                    ErratumKind::Rounding => l.kind_rounding,
                    ErratumKind::Code => l.kind_code,
                };
                let n = self.note(self.text(lang.pick(&e.en, &e.zh)));
                (format!("{} {kind} [{n}]", self.differs_mark()), 1)
            }
            Verdict::OtherOrder(order) => {
                let text = l.other_order.replace("{order}", order.name());
                let n = self.note(text);
                (format!("{} {} [{n}]", self.differs_mark(), l.kind_order), 1)
            }
            Verdict::Differs => (format!("{} {}", self.differs_mark(), l.differs), 2),
        }
    }

    fn differs_mark(&self) -> &'static str {
        self.typography.differs()
    }

    /// The number of the footnote with `text`, adding it if new.
    fn note(&mut self, text: String) -> usize {
        match self.notes.iter().position(|t| *t == text) {
            Some(i) => i + 1,
            None => {
                self.notes.push(text);
                self.notes.len()
            }
        }
    }
}

/// The heading of the section of `stage` (and `layer`, for the forward and backward
/// passes) in `typography`: "Step 1 · Forward pass · 1. input layer → hidden layer". The
/// stepper heads its screens with the same words.
pub fn section_title(
    trace: &Trace,
    l: &Labels,
    typography: Typography,
    stage: Stage,
    layer: Option<usize>,
    sample: Option<usize>,
) -> String {
    let title = stage_title(trace, l, typography, stage, layer, sample.is_some());
    match sample {
        // In a batch, each sample's sections say whose they are.
        Some(s) => {
            let of = l
                .sample_of
                .replace("{k}", &(s + 1).to_string())
                .replace("{index}", &s.to_string());
            format!("{} · {title}", typography.text(&of))
        }
        None => title,
    }
}

/// The heading of a stage's section, without the sample; `gradients_only` for a sample's
/// backward pass in a batch, which updates nothing.
fn stage_title(
    trace: &Trace,
    l: &Labels,
    typography: Typography,
    stage: Stage,
    layer: Option<usize>,
    gradients_only: bool,
) -> String {
    let layer = layer.unwrap_or(0);
    let name = |layer: usize| layer_name(trace, l, layer);
    let title = match stage {
        Stage::Given => l.given.to_string(),
        Stage::Forward => format!(
            "{} · {}. {} → {}",
            l.forward,
            layer,
            name(layer.saturating_sub(1)),
            name(layer)
        ),
        Stage::Error => l.error.to_string(),
        Stage::OutputLayer | Stage::HiddenLayer => {
            let template = match (stage == Stage::OutputLayer, gradients_only) {
                (true, false) => l.output_layer,
                (false, false) => l.hidden_layer,
                (true, true) => l.output_layer_gradients,
                (false, true) => l.hidden_layer_gradients,
            };
            template
                .replace("{from}", &name(layer.saturating_sub(1)))
                .replace("{to}", &name(layer))
        }
        Stage::Batch => l.batch_pass.to_string(),
        Stage::Summary => l.summary_pass.to_string(),
    };
    typography.text(&title).into_owned()
}

/// What a section says about the loss and the output activation when they are not the
/// article's: the loss's formula (the error section), how the softmax is computed (its
/// forward section) and why its derivative is a matrix, and the two routes to δ that agree
/// (the output layer's backward section). The article's own network has none of these.
pub fn loss_notes(trace: &Trace, l: &Labels, stage: Stage, layer: Option<usize>) -> Vec<String> {
    let net = &trace.network;
    let depth = net.depth();
    let softmax = net.activations[depth - 1] == Activation::Softmax;
    let mut notes = Vec::new();
    match stage {
        Stage::Error if net.loss != Loss::default() => {
            let mut formula = net.loss.statement().to_string();
            if net.loss == Loss::MeanSquaredError {
                formula.push_str(&format!(", n = {}", net.layers[depth]));
            }
            notes.push(
                l.loss_note
                    .replace("{loss}", net.loss.name())
                    .replace("{formula}", &formula),
            );
        }
        Stage::Forward if softmax && layer == Some(depth) => {
            notes.push(l.softmax_forward_note.to_string());
        }
        Stage::OutputLayer => {
            if softmax {
                notes.push(l.softmax_backward_note.to_string());
            }
            if net.loss.has_shortcut()
                && let Some(difference) = shortcut_difference(trace)
            {
                let why = if softmax {
                    l.shortcut_softmax
                } else {
                    l.shortcut_sigmoid
                };
                notes.push(
                    l.shortcut_note
                        .replace("{why}", why)
                        .replace("{difference}", &number::compact(difference, 3)),
                );
            }
        }
        _ => {}
    }
    notes
}

/// The largest |δ − δ by the shortcut| over the outputs of the trace's first iteration.
fn shortcut_difference(trace: &Trace) -> Option<f64> {
    let values = &trace.iterations.first()?.values;
    let delta = |layer: usize, neuron: usize| {
        values
            .iter()
            .find(|v| v.role == Some(Role::Delta { layer, neuron }))
            .map(|v| v.value)
    };
    let mut largest = None;
    for v in values {
        if let Some(Role::DeltaShortcut { layer, neuron }) = v.role {
            let d = (delta(layer, neuron)? - v.value).abs();
            largest = Some(largest.map_or(d, |m: f64| m.max(d)));
        }
    }
    largest
}

/// The title of an iteration: "One training iteration of a 2-2-2 network (sigmoid),
/// learning rate η = 0.5, update order: simultaneous" (the tables' and the documents').
pub fn title(trace: &Trace, l: &Labels) -> String {
    let net = &trace.network;
    let shape = net
        .layers
        .iter()
        .map(|n| n.to_string())
        .collect::<Vec<_>>()
        .join("-");
    let mut activations: Vec<&str> = net.activations.iter().map(|a| a.name()).collect();
    activations.dedup();
    // The loss and the optimizer, when they are not the article's.
    if net.loss != Loss::default() {
        activations.push(net.loss.name());
    }
    if net.optimizer.has_state() {
        activations.push(net.optimizer.name());
    }
    let batch = format!("batch of {}, {}", net.batch_size, net.reduction.name());
    if net.batch_size > 1 {
        activations.push(&batch);
    }
    let order = match trace.options.update_order {
        UpdateOrder::Simultaneous => l.simultaneous,
        UpdateOrder::Sequential => l.sequential,
    };
    l.title
        .replace("{shape}", &shape)
        .replace("{activation}", &activations.join(", "))
        .replace("{eta}", &number::compact(net.learning_rate, 9))
        .replace("{order}", order)
}

/// "input layer", "hidden layer" (numbered when there are several), "output layer".
pub fn layer_name(trace: &Trace, l: &Labels, layer: usize) -> String {
    let depth = trace.network.depth();
    if layer == 0 {
        l.input_layer_name.to_string()
    } else if layer == depth {
        l.output_layer_name.to_string()
    } else if depth > 2 {
        format!("{} {layer}", l.hidden_layer_name)
    } else {
        l.hidden_layer_name.to_string()
    }
}

/// The values cut into their sections (see [`group_key`]), in order.
pub fn sections(values: &[TracedValue]) -> impl Iterator<Item = &[TracedValue]> {
    values.chunk_by(|a, b| group_key(a) == group_key(b) && a.sample == b.sample)
}

/// Values are shown in sections: one per stage, and per layer within the forward and
/// backward passes.
pub fn group_key(v: &TracedValue) -> (Stage, Option<usize>) {
    match v.stage {
        Stage::Forward | Stage::OutputLayer | Stage::HiddenLayer => (v.stage, v.layer),
        other => (other, None),
    }
}
