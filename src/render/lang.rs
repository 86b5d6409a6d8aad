//! The words of the tables, in English and in the article's Chinese (输入层, 隐含层, 前向传播 …).

use crate::notation::Typography;
use std::sync::OnceLock;

mod document;
mod exercise;
mod grade;
mod mistakes;
mod page;
mod quiz;
pub use document::DocumentLabels;
pub use exercise::ExerciseLabels;
pub use grade::GradeLabels;
pub use mistakes::MistakeLabels;
pub use page::PageLabels;
pub use quiz::QuizLabels;

/// The language of the labels.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// Chinese, in the article's own terms.
    Zh,
}

/// Every label a table uses. `{…}` marks are filled in by the renderer.
pub struct Labels {
    pub given: &'static str,
    pub forward: &'static str,
    pub error: &'static str,
    pub output_layer: &'static str,
    pub hidden_layer: &'static str,
    pub output_layer_gradients: &'static str,
    pub hidden_layer_gradients: &'static str,
    pub summary: &'static str,
    pub input_layer_name: &'static str,
    pub hidden_layer_name: &'static str,
    pub output_layer_name: &'static str,
    pub symbol: &'static str,
    pub formula: &'static str,
    pub numbers: &'static str,
    pub value: &'static str,
    pub article: &'static str,
    pub field: &'static str,
    pub before: &'static str,
    pub after: &'static str,
    pub title: &'static str,
    pub comparison_on: &'static str,
    pub comparison_off_biases: &'static str,
    pub which_weights_simultaneous: &'static str,
    pub loss_note: &'static str,
    pub softmax_forward_note: &'static str,
    pub softmax_backward_note: &'static str,
    pub shortcut_note: &'static str,
    pub shortcut_softmax: &'static str,
    pub shortcut_sigmoid: &'static str,
    pub which_weights_sequential: &'static str,
    pub other_order: &'static str,
    pub differs: &'static str,
    pub notes: &'static str,
    pub later_iterations: &'static str,
    pub after_iteration: &'static str,
    pub kind_typo: &'static str,
    pub kind_rounding: &'static str,
    pub kind_code: &'static str,
    pub kind_order: &'static str,
    pub simultaneous: &'static str,
    pub sequential: &'static str,
    /// The heading of the summary pass, where it is shown value by value.
    pub summary_pass: &'static str,
    pub batch_pass: &'static str,
    pub sample_of: &'static str,
    /// The note that replaces a table too long to print.
    pub too_many_rows: &'static str,
    /// The stepper's "step k of N".
    pub step_of: &'static str,
    /// The keys, at the bottom of the stepper.
    pub keys_hint: &'static str,
    /// At the bottom of the stepper on its last step.
    pub last_step: &'static str,
    /// The stepper's list of keys (`?`), one per line.
    pub help: &'static str,
    /// Where the drawing would be, when it does not fit.
    pub drawing_too_small: &'static str,
    /// The whole stepper, when even the step does not fit.
    pub terminal_too_small: &'static str,
    /// `step --plain`'s prompt.
    pub plain_prompt: &'static str,
    /// `step --plain`, after its last step.
    pub plain_end: &'static str,
    /// `step --plain`, for a line it does not know.
    pub plain_unknown: &'static str,
    /// `explain`, for a value whose derivation was shown earlier in the tree.
    pub derived_above: &'static str,
    /// `explain`, for a value read from the network file.
    pub given_from: &'static str,
    /// Where a value the network file left out came from (`show`'s "from" column, `explain`).
    pub drawn: &'static str,
}

impl Labels {
    /// Every label passed through `f`.
    fn map(&self, f: impl Fn(&'static str) -> &'static str) -> Labels {
        Labels {
            given: f(self.given),
            forward: f(self.forward),
            error: f(self.error),
            output_layer: f(self.output_layer),
            hidden_layer: f(self.hidden_layer),
            output_layer_gradients: f(self.output_layer_gradients),
            hidden_layer_gradients: f(self.hidden_layer_gradients),
            summary: f(self.summary),
            input_layer_name: f(self.input_layer_name),
            hidden_layer_name: f(self.hidden_layer_name),
            output_layer_name: f(self.output_layer_name),
            symbol: f(self.symbol),
            formula: f(self.formula),
            numbers: f(self.numbers),
            value: f(self.value),
            article: f(self.article),
            field: f(self.field),
            before: f(self.before),
            after: f(self.after),
            title: f(self.title),
            comparison_on: f(self.comparison_on),
            comparison_off_biases: f(self.comparison_off_biases),
            which_weights_simultaneous: f(self.which_weights_simultaneous),
            loss_note: f(self.loss_note),
            softmax_forward_note: f(self.softmax_forward_note),
            softmax_backward_note: f(self.softmax_backward_note),
            shortcut_note: f(self.shortcut_note),
            shortcut_softmax: f(self.shortcut_softmax),
            shortcut_sigmoid: f(self.shortcut_sigmoid),
            which_weights_sequential: f(self.which_weights_sequential),
            other_order: f(self.other_order),
            differs: f(self.differs),
            notes: f(self.notes),
            later_iterations: f(self.later_iterations),
            after_iteration: f(self.after_iteration),
            kind_typo: f(self.kind_typo),
            kind_rounding: f(self.kind_rounding),
            kind_code: f(self.kind_code),
            kind_order: f(self.kind_order),
            simultaneous: f(self.simultaneous),
            sequential: f(self.sequential),
            summary_pass: f(self.summary_pass),
            batch_pass: f(self.batch_pass),
            sample_of: f(self.sample_of),
            too_many_rows: f(self.too_many_rows),
            step_of: f(self.step_of),
            keys_hint: f(self.keys_hint),
            last_step: f(self.last_step),
            help: f(self.help),
            drawing_too_small: f(self.drawing_too_small),
            terminal_too_small: f(self.terminal_too_small),
            plain_prompt: f(self.plain_prompt),
            plain_end: f(self.plain_end),
            plain_unknown: f(self.plain_unknown),
            derived_above: f(self.derived_above),
            given_from: f(self.given_from),
            drawn: f(self.drawn),
        }
    }
}

const EN: Labels = Labels {
    given: "Given: the network file",
    forward: "Step 1 · Forward pass",
    error: "Total error",
    output_layer: "Step 2 · Backward pass: {from} → {to}, weight updates",
    hidden_layer: "Backward pass: {from} → {to}, weight updates",
    output_layer_gradients: "Step 2 · Backward pass: {from} → {to}, this sample's gradients",
    hidden_layer_gradients: "Backward pass: {from} → {to}, this sample's gradients",
    summary: "Summary",
    input_layer_name: "input layer",
    hidden_layer_name: "hidden layer",
    output_layer_name: "output layer",
    symbol: "symbol",
    formula: "formula",
    numbers: "with numbers",
    value: "value",
    article: "article",
    field: "from",
    before: "before",
    after: "after",
    title: "One training iteration of a {shape} network ({activation}), learning rate η = {eta}, update order: {order}",
    comparison_on: "This is the article's network: every number the article prints is in the \"article\" column, ✓ where it agrees with the computed value at the precision the article printed it.",
    comparison_off_biases: "The article does not update biases, so its numbers are not compared here.",
    loss_note: "The loss is {loss}: {formula}.",
    softmax_forward_note: "Softmax: each out is e^(net − net_max) over the sum of every output's, so the outs are one probability distribution (they sum to 1). The largest net is subtracted first: it cancels in the quotient, and it keeps e^x from overflowing.",
    softmax_backward_note: "The softmax is a layer-wide activation: each out depends on every net of the layer, so its derivative is a matrix, ∂out_j/∂net_k = out_j(1 − out_k) when j = k and −out_j·out_k otherwise, not the sigmoid's single out(1 − out). So δ_k sums over every output: δ_k = Σ_j ∂E_total/∂out_j·∂out_j/∂net_k.",
    shortcut_note: "Two routes to δ: the chain rule in full, and the shortcut δ = out − target, where the derivative of the loss and the activation's cancel ({why}). They agree: the largest difference is {difference}.",
    shortcut_softmax: "cross-entropy with softmax: Σ_j (−target_j/out_j)·out_j(δ_jk − out_k) = out_k·Σ_j target_j − target_k, and the targets sum to 1",
    shortcut_sigmoid: "binary cross-entropy with sigmoid: (out − target)/(out(1 − out))·out(1 − out)",
    which_weights_simultaneous: "Which weights? The chain uses the original {weights}, the weights the forward pass used, not the updated ones: every gradient of an iteration is taken at the same point (update order: simultaneous, as in the article's hand calculation).",
    which_weights_sequential: "Which weights? With --update-order sequential the chain uses the already-updated {weights} (as the version of the article's code that printed 0.291027924 did).",
    other_order: "The article computed this with the {order} update order (--update-order {order} reproduces it).",
    differs: "differs from the article, for no known reason",
    notes: "Notes",
    later_iterations: "The article's figures for later iterations (not part of this iteration):",
    after_iteration: "after iteration {n}",
    kind_typo: "typo",
    kind_rounding: "rounding",
    kind_code: "other code",
    kind_order: "other order",
    simultaneous: "simultaneous",
    sequential: "sequential",
    summary_pass: "Summary · forward pass and error again, with the updated weights",
    batch_pass: "The batch · its E_total and gradients from its samples', and the weight updates",
    sample_of: "Sample s{k} (samples[{index}])",
    too_many_rows: "({rows} rows, more than {limit}: not printed. Narrow it with --only SYMBOL[,SYMBOL…] (e.g. --only {example}), or read every value with --format json.)",
    step_of: "step {k} of {n}",
    keys_hint: "Enter/→ next · ← back · n/p section · g/G first/last · ? help · q quit",
    last_step: "The end of the iteration. ← back · p previous section · g first · q quit",
    help: "Keys\nEnter, Space, →   next step\n←, Backspace      previous step\nn / p             next / previous section (p goes to the start of this section first)\ng / G             first / last step\n?                 this list (any key hides it)\nq, Esc, Ctrl-C    quit\n\nIn the drawing, double lines (# with --ascii) mark the neurons and weights this step uses; a name ending in ⁺ (w5⁺) is its value after the update.",
    drawing_too_small: "(The network drawing needs {w}×{h} characters; this terminal is {cols}×{rows}. Enlarge the window to see it.)",
    terminal_too_small: "The terminal is too small ({cols}×{rows}): the stepper needs at least {w}×{h}. Enlarge the window, or use `backprop step --plain` or `backprop show`.",
    plain_prompt: "[Enter] next · b back · n/p next/previous section · g/G first/last · q quit",
    plain_end: "The end of the iteration.",
    plain_unknown: "Unknown command {line:?}.",
    derived_above: "derived above",
    given_from: "given: {field}",
    drawn: "drawn, seed {seed}",
};

const ZH: Labels = Labels {
    given: "初始值:网络文件",
    forward: "Step 1 前向传播",
    error: "总误差",
    output_layer: "Step 2 反向传播:{from}→{to}的权值更新",
    hidden_layer: "反向传播:{from}→{to}的权值更新",
    output_layer_gradients: "Step 2 反向传播:{from}→{to},本样本的梯度",
    hidden_layer_gradients: "反向传播:{from}→{to},本样本的梯度",
    summary: "总结",
    input_layer_name: "输入层",
    hidden_layer_name: "隐含层",
    output_layer_name: "输出层",
    symbol: "符号",
    formula: "公式",
    numbers: "代入数值",
    value: "计算值",
    article: "原文",
    field: "来源",
    before: "更新前",
    after: "更新后",
    title: "{shape} 网络({activation})的一次训练迭代,学习速率 η = {eta},更新顺序:{order}",
    comparison_on: "这是原文的网络:原文印出的每个数都在“原文”一栏,在原文的精度下与计算值一致的标 ✓。",
    comparison_off_biases: "原文不更新截距项,所以这里不与原文比较。",
    loss_note: "损失函数是 {loss}:{formula}。",
    softmax_forward_note: "Softmax:每个 out 等于 e^(net − net_max) 除以所有输出的这一项之和,所以各 out 构成一个概率分布(和为 1)。先减去最大的 net:它在商中约掉,又能防止 e^x 溢出。",
    softmax_backward_note: "Softmax 作用于整层:每个 out 都依赖该层所有的 net,所以它的导数是一个矩阵,j = k 时 ∂out_j/∂net_k = out_j(1 − out_k),否则为 −out_j·out_k,而不是 sigmoid 那样单个的 out(1 − out)。因此 δ_k 要对所有输出求和:δ_k = Σ_j ∂E_total/∂out_j·∂out_j/∂net_k。",
    shortcut_note: "求 δ 有两条路:完整的链式法则,以及捷径 δ = out − target,此时损失函数的导数与激活函数的导数相互约掉({why})。两者一致:最大差为 {difference}。",
    shortcut_softmax: "交叉熵配 softmax:Σ_j (−target_j/out_j)·out_j(δ_jk − out_k) = out_k·Σ_j target_j − target_k,而目标值之和为 1",
    shortcut_sigmoid: "二元交叉熵配 sigmoid:(out − target)/(out(1 − out))·out(1 − out)",
    which_weights_simultaneous: "用哪组权重?这里的链式求导用的是原来的 {weights},即前向传播用的权重,而不是更新后的:一次迭代的所有梯度都在同一点求(同时更新,与原文手算一致)。",
    which_weights_sequential: "用哪组权重?使用 --update-order sequential 时,这里用已经更新过的 {weights}(与原文打印 0.291027924 的那版代码一致)。",
    other_order: "原文此数按{order}计算(--update-order {order} 可复现)。",
    differs: "与原文不符,原因不明",
    notes: "说明",
    later_iterations: "原文关于之后迭代的数字(不属于本次迭代):",
    after_iteration: "第 {n} 次迭代后",
    kind_typo: "笔误",
    kind_rounding: "舍入",
    kind_code: "另一版代码",
    kind_order: "更新顺序",
    simultaneous: "同时更新",
    sequential: "顺序更新",
    summary_pass: "总结:用更新后的权重再做一次前向传播,再算误差",
    batch_pass: "整个批次:由各样本求出批次的 E_total 和梯度,再更新权重",
    sample_of: "样本 s{k}(samples[{index}])",
    too_many_rows: "(共 {rows} 行,超过 {limit} 行,未打印。可用 --only 符号[,符号…] 缩小范围(例如 --only {example}),或用 --format json 查看全部数值。)",
    step_of: "第 {k} 步,共 {n} 步",
    keys_hint: "Enter/→ 下一步 · ← 上一步 · n/p 下一/上一节 · g/G 首/末步 · ? 帮助 · q 退出",
    last_step: "本次迭代结束。← 上一步 · p 上一节 · g 第一步 · q 退出",
    help: "按键\nEnter、空格、→    下一步\n←、Backspace      上一步\nn / p             下一节 / 上一节(p 先回到本节开头)\ng / G             第一步 / 最后一步\n?                 本说明(按任意键关闭)\nq、Esc、Ctrl-C    退出\n\n网络图中,双线框(--ascii 时为 #)标出这一步用到的神经元和权重;名称后的 ⁺(如 w5⁺)表示更新后的值。",
    drawing_too_small: "(网络图需要 {w}×{h} 个字符,当前终端只有 {cols}×{rows}。请放大窗口。)",
    terminal_too_small: "终端太小({cols}×{rows}):至少需要 {w}×{h}。请放大窗口,或改用 `backprop step --plain` 或 `backprop show`。",
    plain_prompt: "[Enter] 下一步 · b 上一步 · n/p 下一节/上一节 · g/G 第一步/最后一步 · q 退出",
    plain_end: "本次迭代结束。",
    plain_unknown: "未知命令 {line:?}。",
    derived_above: "推导见上文",
    given_from: "初始值:{field}",
    drawn: "随机生成,种子 {seed}",
};

/// Fills the `{key}` marks of a label template with their values.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (key, value) in values {
        out = out.replace(&format!("{{{key}}}"), value);
    }
    out
}

/// The notes under a title about where the iteration's inputs came from.
pub struct NoteLabels {
    pub seed: &'static str,
    pub weights_and_biases: &'static str,
    pub weights: &'static str,
    pub biases: &'static str,
    pub options_from: &'static str,
    pub update_order: &'static str,
    pub precision: &'static str,
    pub bias_updates_on: &'static str,
    pub list_separator: &'static str,
}

const NOTES_EN: NoteLabels = NoteLabels {
    seed: "Seed {seed} drew the {what} the network file leaves out, uniformly from [0, 1) (--seed {seed} repeats this).",
    weights_and_biases: "weights and biases",
    weights: "weights",
    biases: "biases",
    options_from: "Options from {name}, as it was written: {taken} (--update-order and --precision change them).",
    update_order: "update order {order}",
    precision: "precision {precision}",
    bias_updates_on: "bias updates on",
    list_separator: ", ",
};

const NOTES_ZH: NoteLabels = NoteLabels {
    seed: "网络文件未给出的{what}由种子 {seed} 在 [0, 1) 中均匀随机生成(--seed {seed} 可复现)。",
    weights_and_biases: "权重和偏置",
    weights: "权重",
    biases: "偏置",
    options_from: "选项取自 {name} 写入时的设置:{taken}(--update-order 和 --precision 可以改变)。",
    update_order: "更新顺序 {order}",
    precision: "精度 {precision}",
    bias_updates_on: "偏置也更新",
    list_separator: ",",
};

/// The words of `verify`'s reports.
pub struct VerifyLabels {
    pub about_file: &'static str,
    pub article_network: &'static str,
    pub intro: &'static str,
    pub biases_updated: &'static str,
    pub precision_note: &'static str,
    pub header_symbol: &'static str,
    pub header_yours: &'static str,
    pub header_correct: &'static str,
    pub header_verdict: &'static str,
    pub follows_from: &'static str,
    pub same_slip: &'static str,
    pub wrong: &'static str,
    pub first_wrong_lead: &'static str,
    pub new_mistake_lead: &'static str,
    pub first_wrong_title: &'static str,
    pub new_mistake_title: &'static str,
    pub detail: &'static str,
    pub given_drawn: &'static str,
    pub given_file: &'static str,
    pub formula: &'static str,
    pub with_numbers: &'static str,
    pub with_your_numbers: &'static str,
    pub the_article: &'static str,
    pub why: &'static str,
    pub likely_slip: &'static str,
    pub or: &'static str,
    pub which_gives: &'static str,
    pub slip_drawn: &'static str,
    pub slip_given: &'static str,
    pub slip_unknown: &'static str,
    pub not_a_value: &'static str,
    pub did_you_mean: &'static str,
    pub symbols_hint: &'static str,
    pub one_agrees: &'static str,
    pub all_agree: &'static str,
    pub recognised_agree: &'static str,
    pub disagree: &'static str,
    pub same_slip_count: &'static str,
    pub trace_all_agree: &'static str,
    pub trace_checked: &'static str,
    pub run_stream: &'static str,
    pub trace_kind: &'static str,
    pub run_chain: &'static str,
    pub stream_no_network: &'static str,
    pub stream_samples: &'static str,
    pub run_replayed: &'static str,
    pub run_differs: &'static str,
    pub summary_replayed: &'static str,
    pub summary_differs: &'static str,
    pub summary_longer: &'static str,
    pub header_iteration: &'static str,
    pub header_recorded: &'static str,
    pub header_problem: &'static str,
    pub inherited_from: &'static str,
    pub in_iteration: &'static str,
    pub inherited: &'static str,
    pub trace_disagree: &'static str,
}

const VERIFY_EN: VerifyLabels = VerifyLabels {
    about_file: "the network in {name}",
    article_network: "the article's network",
    intro: "Your values against one iteration of {about}: {shape} ({activation}), {eta} = {rate}, update order: {order}{biases}.",
    biases_updated: ", biases updated",
    precision_note: "Each value is compared at the precision you wrote it (0.5933 agrees with 0.593269992; 0.5943 does not).",
    header_symbol: "symbol",
    header_yours: "yours",
    header_correct: "correct",
    header_verdict: "verdict",
    follows_from: "follows from your {names}",
    same_slip: "the same slip again: {what}",
    wrong: "wrong",
    first_wrong_lead: "first wrong value",
    new_mistake_lead: "new mistake",
    first_wrong_title: "First wrong value",
    new_mistake_title: "New mistake",
    detail: "[{n}] {title}: {symbol} = {yours} (yours), correct {correct}",
    given_drawn: "    given:             {symbol} = {value}, drawn with seed {seed} (the network file leaves it out; --seed {seed} repeats it)",
    given_file: "    given:             {formula} = {value} in the network file",
    formula: "    formula:           ",
    with_numbers: "    with numbers:      ",
    with_your_numbers: "    with your numbers: ",
    the_article: "    the article:       ",
    why: "    why:               ",
    likely_slip: "    likely slip:       ",
    or: "    or:                ",
    which_gives: "    which gives:       ",
    slip_drawn: "copied wrongly, or drawn with another seed: this value is drawn, not computed",
    slip_given: "copied wrongly: this value is read from the network file, not computed",
    slip_unknown: "not one this tool recognises; compare your working with the numbers above",
    not_a_value: "{mark} {written} = {printed}: not a value of this iteration{hint}",
    did_you_mean: "; did you mean {symbol}?",
    symbols_hint: "; symbols are written as in the trace: {examples} (see traces/README.md)",
    one_agrees: "The value agrees.",
    all_agree: "All {total} values agree.",
    recognised_agree: "All {total} recognised values agree; {unknown} symbol(s) not recognised.",
    disagree: "{wrong} of {total} values disagree: {new} new mistake(s){again}, {follows} following from an earlier one.",
    same_slip_count: " ({n} of them the same slip again)",
    trace_all_agree: "{name}: all {checked} values agree with a recomputation from their formulas, and every substituted formula matches its formula and numbers.",
    trace_checked: "{name}: {checked} values checked, each recomputed from its formula with the recorded values of its operands (agreeing to a relative {tolerance}).",
    trace_kind: "{name} is a trace (show --format json, format version {version}) of {iterations} iteration(s).",
    run_stream: "{name} is a training run's NDJSON stream (train --format ndjson) of {iterations} iteration(s), written at precision {precision}.",
    run_chain: "Each iteration after the first starts where the one before ended: its weights, biases and η equal the updated values before them, bit for bit, and the iterations are numbered in order.",
    stream_no_network: "The first iteration's given values are not checked against a network file: the stream does not carry one (give it with --network).",
    stream_samples: "Each iteration's sample is checked against the {order} sample order (--order, and --seed for a random one).",
    run_replayed: "{name} is a training run's summary (train --format json) of {iterations} iteration(s): replayed from its own initial network and options, the run gives the same checkpoints, final network and outcome, all {compared} fields bit for bit.",
    summary_replayed: "{name} is a training run's NDJSON stream written with --summary: its {lines} line(s) are what replaying {setup} writes, every number bit for bit.",
    summary_differs: "{name} is a training run's NDJSON stream written with --summary: replaying {setup}, line {line} differs: the replay writes {replay}, the file has {file}.",
    summary_longer: "{name} is a training run's NDJSON stream written with --summary: replaying {setup}, the run diverges in iteration {stopped}, but the file goes on.",
    run_differs: "{name} is a training run's summary (train --format json) of {iterations} iteration(s): replayed from its own initial network and options, the run differs first at {path}: the replay gives {replayed}, the file has {found}.",
    header_iteration: "iteration",
    header_recorded: "recorded",
    header_problem: "problem",
    inherited_from: "{symbol} (from {from})",
    in_iteration: "{name} in iteration {n}",
    inherited: "Computed from the values above before they changed (and consistent with them once corrected): {names}.",
    trace_disagree: "{n} value(s) disagree with their formulas.",
};

const VERIFY_ZH: VerifyLabels = VerifyLabels {
    about_file: "{name} 中的网络",
    article_network: "原文的网络",
    intro: "你的数值与{about}的一次迭代对照:{shape}({activation}),{eta} = {rate},更新顺序:{order}{biases}。",
    biases_updated: ",偏置也更新",
    precision_note: "每个数值按你写出的精度比较(0.5933 与 0.593269992 一致;0.5943 则不一致)。",
    header_symbol: "符号",
    header_yours: "你的值",
    header_correct: "正确值",
    header_verdict: "判断",
    follows_from: "由你的 {names} 推出",
    same_slip: "同样的错误再次出现:{what}",
    wrong: "错误",
    first_wrong_lead: "第一个错误值",
    new_mistake_lead: "新的错误",
    first_wrong_title: "第一个错误值",
    new_mistake_title: "新的错误",
    detail: "[{n}] {title}:{symbol} = {yours}(你的值),正确值 {correct}",
    given_drawn: "    初始值:        {symbol} = {value},由种子 {seed} 随机生成(网络文件未给出;--seed {seed} 可复现)",
    given_file: "    初始值:        网络文件中 {formula} = {value}",
    formula: "    公式:          ",
    with_numbers: "    代入数值:      ",
    with_your_numbers: "    代入你的数值:  ",
    the_article: "    原文:          ",
    why: "    原因:          ",
    likely_slip: "    可能的错误:    ",
    or: "    或:            ",
    which_gives: "    结果为:        ",
    slip_drawn: "抄错了,或用了另一个种子:这个值是随机生成的,不是计算出来的",
    slip_given: "抄错了:这个值读自网络文件,不是计算出来的",
    slip_unknown: "本工具无法识别这个错误;请把你的计算过程与上面的数值对照",
    not_a_value: "{mark} {written} = {printed}:不是本次迭代中的值{hint}",
    did_you_mean: ";你是不是想写 {symbol}?",
    symbols_hint: ";符号的写法与 trace 中相同:{examples}(见 traces/README.md)",
    one_agrees: "这个值正确。",
    all_agree: "全部 {total} 个值都正确。",
    recognised_agree: "识别出的 {total} 个值都正确;{unknown} 个符号无法识别。",
    disagree: "{total} 个值中有 {wrong} 个不一致:{new} 个新的错误{again},{follows} 个由之前的错误推出。",
    same_slip_count: "(其中 {n} 个是同样的错误再次出现)",
    trace_all_agree: "{name}:全部 {checked} 个值都与按公式重新计算的结果一致,每个代入数值的公式都与其公式和数值相符。",
    trace_checked: "{name}:检查了 {checked} 个值,每个都用其操作数的记录值按公式重新计算(相对误差在 {tolerance} 以内为一致)。",
    trace_kind: "{name} 是一份 trace(show --format json,格式版本 {version}),共 {iterations} 次迭代。",
    run_stream: "{name} 是训练过程的 NDJSON 流(train --format ndjson),共 {iterations} 次迭代,精度为 {precision} 位。",
    run_chain: "第一次之后的每次迭代都从上一次结束处开始:其权重、偏置和 η 与上一次更新后的值逐位相同,迭代编号依次相连。",
    stream_no_network: "第一次迭代的已知值没有与网络文件核对:流中不含网络文件(可用 --network 给出)。",
    stream_samples: "每次迭代所用的样本都按 {order} 样本顺序核对(--order;随机顺序还需 --seed)。",
    run_replayed: "{name} 是训练过程的汇总(train --format json),共 {iterations} 次迭代:按其自带的初始网络和选项重新训练,检查点、最终网络和结果全部 {compared} 个字段逐位相同。",
    summary_replayed: "{name} 是带 --summary 的训练过程 NDJSON 流:按 {setup} 重新训练,写出的 {lines} 行与文件相同,每个数逐位相同。",
    summary_differs: "{name} 是带 --summary 的训练过程 NDJSON 流:按 {setup} 重新训练,第 {line} 行不同:重新训练写出 {replay},文件中是 {file}。",
    summary_longer: "{name} 是带 --summary 的训练过程 NDJSON 流:按 {setup} 重新训练,第 {stopped} 次迭代发散,但文件还有后续。",
    run_differs: "{name} 是训练过程的汇总(train --format json),共 {iterations} 次迭代:按其自带的初始网络和选项重新训练,第一处不同在 {path}:重新训练得 {replayed},文件中是 {found}。",
    header_iteration: "迭代",
    header_recorded: "记录值",
    header_problem: "问题",
    inherited_from: "{symbol}(来自 {from})",
    in_iteration: "第 {n} 次迭代的 {name}",
    inherited: "以下各值是由上面那些值在改动之前算出的(改正之后与它们一致):{names}。",
    trace_disagree: "{n} 个值与其公式不符。",
};

/// The words of `check`'s report.
pub struct CheckLabels {
    pub progress: &'static str,
    pub title: &'static str,
    pub each: &'static str,
    pub step: &'static str,
    pub pass: &'static str,
    pub sequential: &'static str,
    pub table_lists: &'static str,
    pub first_rows: &'static str,
    pub headers: [&'static str; 7],
    pub ok: &'static str,
    pub below_floor: &'static str,
    pub fail: &'static str,
    pub kink: &'static str,
    pub and_more: &'static str,
    pub sampled: &'static str,
    pub failed: &'static str,
    pub not_passed: &'static str,
    pub another_seed: &'static str,
    pub passed: &'static str,
    pub not_judged: &'static str,
    pub end: &'static str,
    pub sample: &'static str,
    pub cut: &'static str,
    pub weights_of_layer: &'static str,
    pub biases_of_layer: &'static str,
    pub group: &'static str,
    pub range: &'static str,
}

const CHECK_EN: CheckLabels = CheckLabels {
    progress: "{bar:32} {human_pos}/{human_len} gradients checked, {eta} left",
    title: "Gradient check of a {shape} network ({activation}), E_total = {e}",
    each: "Each {dw} from backpropagation beside the central difference (E(w + h) - E(w - h)) / 2h.",
    step: "Step h = cbrt(eps) * max(1, |w|) = {cbrt} * max(1, |w|), eps = {eps} (machine epsilon): the central difference errs by about h^2 * E'''/6 (truncation) plus eps * E / h (rounding in E), and this h balances the two.",
    pass: "Pass: relative error |backprop - difference| / max(|backprop|, |difference|) below {threshold}, or, for gradients too small for a finite difference to resolve, |backprop - difference| below the absolute floor {floor} * max(1, E_total) = {value}.",
    sequential: "Update order sequential: the hidden layers' recorded gradients are taken through the already-updated weights above them, so they are not the gradient at this point, and this check is expected to say so.",
    table_lists: "The table lists the {notable} of the {checked} checked that failed or got no verdict{first}, and the {worst} others with the largest relative errors; --all-rows lists all {checked}, --format json holds them.",
    first_rows: ", the first {n}",
    headers: [
        "parameter",
        "value",
        "backprop",
        "central difference",
        "h",
        "relative error",
        "verdict",
    ],
    ok: "ok",
    below_floor: "ok (below the floor)",
    fail: "FAIL",
    kink: "no verdict: relu kink at net_{neuron}",
    and_more: "and {n} more",
    sampled: " sampled",
    failed: "FAILED: {failed} of {checked}{sampled} gradients disagree with the central difference: {names}.",
    not_passed: "Not passed: no gradient could be checked: each of the {checked}{sampled} is at a ReLU kink (a ReLU's input is within h of 0, where E has no derivative)",
    another_seed: "; another --seed, or --all, may find some that can be",
    passed: "Passed: all {judged}{sampled} gradients agree",
    not_judged: "; {n} not judged (a ReLU's input is within h of 0, where E has no derivative)",
    end: ".",
    sample: "Checked {checked} of {total} parameters, drawn with seed {seed} ({again} repeats it; --all checks every one), evenly from each layer:",
    cut: "  (fewer than the {n} of a default sample: here each central difference recomputes whole layers of many neurons, and these are what fit in about 20 seconds)",
    weights_of_layer: "weights of layer {n}",
    biases_of_layer: "biases of layer {n}",
    group: "  {what} ({range}): {checked} of {size}",
    range: "{first} to {last}",
};

const CHECK_ZH: CheckLabels = CheckLabels {
    progress: "{bar:32} 已检查 {human_pos}/{human_len} 个梯度,剩余 {eta}",
    title: "{shape} 网络({activation})的梯度检验,E_total = {e}",
    each: "反向传播求得的每个 {dw},与中心差分 (E(w + h) - E(w - h)) / 2h 并列对照。",
    step: "步长 h = cbrt(eps) * max(1, |w|) = {cbrt} * max(1, |w|),eps = {eps}(机器精度):中心差分的误差约为 h^2 * E'''/6(截断误差)加 eps * E / h(E 的舍入误差),这个 h 使两者平衡。",
    pass: "通过的条件:相对误差 |backprop - difference| / max(|backprop|, |difference|) 小于 {threshold};对于小到有限差分无法分辨的梯度,|backprop - difference| 小于绝对下限 {floor} * max(1, E_total) = {value}。",
    sequential: "更新顺序为顺序更新:隐含层记录的梯度是经过上面已更新的权重求得的,所以不是这一点的梯度,本检验预期会指出这一点。",
    table_lists: "表中列出检验的 {checked} 个参数中未通过或无法判断的 {notable} 个{first},以及其余参数中相对误差最大的 {worst} 个;--all-rows 列出全部 {checked} 个,--format json 包含全部。",
    first_rows: ",只列前 {n} 个",
    headers: [
        "参数",
        "计算值",
        "反向传播",
        "中心差分",
        "h",
        "相对误差",
        "判断",
    ],
    ok: "通过",
    below_floor: "通过(低于下限)",
    fail: "未通过",
    kink: "无法判断:net_{neuron} 处于 ReLU 的拐点",
    and_more: "另有 {n} 个",
    sampled: "抽样",
    failed: "未通过:{checked} 个{sampled}梯度中有 {failed} 个与中心差分不一致:{names}。",
    not_passed: "未通过:没有可以检验的梯度:{checked} 个{sampled}梯度都处于 ReLU 的拐点(ReLU 的输入与 0 相差不到 h,E 在那里不可导)",
    another_seed: ";换一个 --seed 或用 --all 也许能找到可以检验的",
    passed: "通过:全部 {judged} 个{sampled}梯度一致",
    not_judged: ";{n} 个无法判断(ReLU 的输入与 0 相差不到 h,E 在那里不可导)",
    end: "。",
    sample: "检验了 {total} 个参数中的 {checked} 个,由种子 {seed} 从每一层均匀抽取({again} 可复现;--all 检验全部):",
    cut: "  (少于默认抽样的 {n} 个:这里每次中心差分都要重新计算含许多神经元的整层,约 20 秒内只能算这么多)",
    weights_of_layer: "第 {n} 层的权重",
    biases_of_layer: "第 {n} 层的偏置",
    group: "  {what}({range}):{size} 个中的 {checked} 个",
    range: "{first} 到 {last}",
};

/// The words of `train`'s report.
pub struct TrainLabels {
    pub progress: &'static str,
    pub final_line: &'static str,
    pub iterations_one: &'static str,
    pub iterations_many: &'static str,
    pub title: &'static str,
    pub biases_trained: &'static str,
    pub one_sample: &'static str,
    pub samples: &'static str,
    pub batches: &'static str,
    pub in_epoch: &'static str,
    pub in_turn: &'static str,
    pub at_random: &'static str,
    pub seed: &'static str,
    pub seed_samples: &'static str,
    pub e_total_after: &'static str,
    pub summed_over: &'static str,
    pub header_after: &'static str,
    pub header_outputs: &'static str,
    pub header_article: &'static str,
    pub header_verdict: &'static str,
    pub agrees_at: &'static str,
    pub other_order: &'static str,
    pub differs: &'static str,
    pub at_most: &'static str,
    pub footnote_order: &'static str,
    pub stalled: &'static str,
    pub diverged: &'static str,
    pub header_initial: &'static str,
    pub header_final: &'static str,
    pub parameters: &'static str,
    pub biases_not_trained: &'static str,
    pub more_parameters: &'static str,
    pub curve_caption: &'static str,
}

const TRAIN_EN: TrainLabels = TrainLabels {
    progress: "{bar:32} {human_pos}/{human_len} iterations, {eta} left",
    final_line: "after {iterations}: E_total {e}, outputs {outputs}",
    iterations_one: "{n} iteration",
    iterations_many: "{n} iterations",
    title: "Training a {shape} network ({activation}), learning rate {eta} = {rate}, update order: {order}{biases}: {iterations} on {samples}",
    biases_trained: ", biases trained",
    one_sample: "its one sample",
    samples: "{n} samples, one per iteration, {order}",
    in_epoch: "{k} (epoch {e})",
    batches: "{n} samples in batches of {b} ({reduction} of their gradients; an epoch, every sample once, is {epoch} iterations), {order}",
    in_turn: "in turn",
    at_random: "picked at random",
    seed: "Seed {seed} (--seed {seed} repeats this run) draws the weights and biases the file leaves out, uniformly from [0, 1){samples}.",
    seed_samples: ", and the sample each iteration trains on",
    e_total_after: "\"E_total after iteration k\" is the error with the weights iteration k produced (after 0: the initial weights){summed}.",
    summed_over: ", summed over the {n} samples",
    header_after: "after iteration",
    header_outputs: "outputs",
    header_article: "the article says",
    header_verdict: "verdict",
    agrees_at: "{mark} agrees at {digits} decimals",
    other_order: "{mark} {order} order {footnote}",
    differs: "{mark} differs",
    at_most: "At most {max} are kept: showing {shown} of {planned} checkpoints; use --format ndjson for every iteration.",
    footnote_order: "{footnote} The article's figure comes from the {order} update order (its code took the hidden-layer deltas through the already-updated w5…w8); this run used the {used} order, and --update-order {order_option} reproduces the figure.",
    stalled: "E_total and the outputs have not changed since iteration {since}: the gradients are 0, or so small that η·∂E/∂w is below a weight's last digit, because neurons are saturated (out(1 − out) or 1 − out² is 0, or nearly, once out nears its limit) or, with ReLU, dead. A smaller learning rate avoids it.",
    diverged: "Stopped in iteration {iteration}: {symbol} = {value}, not a finite number. The table ends with the last iteration whose values were all finite.",
    header_initial: "initial",
    header_final: "final",
    parameters: "Weights and biases before the first iteration and after iteration {n}{biases}:",
    biases_not_trained: " (the biases are not trained)",
    more_parameters: "… and {n} more (--format json has them all).",
    curve_caption: "E_total after each iteration (log scale)",
};

const TRAIN_ZH: TrainLabels = TrainLabels {
    progress: "{bar:32} 已迭代 {human_pos}/{human_len} 次,剩余 {eta}",
    final_line: "{iterations}后:E_total {e},输出 {outputs}",
    iterations_one: "{n} 次迭代",
    iterations_many: "{n} 次迭代",
    title: "训练 {shape} 网络({activation}),学习速率 {eta} = {rate},更新顺序:{order}{biases}:在{samples}上训练 {iterations}",
    biases_trained: ",偏置也训练",
    one_sample: "唯一的样本",
    samples: "{n} 个样本({order},每次迭代一个)",
    in_epoch: "{k}(第 {e} 轮)",
    batches: "{n} 个样本,每批 {b} 个(梯度取{reduction};一轮为 {epoch} 次迭代),{order}",
    in_turn: "轮流",
    at_random: "随机抽取",
    seed: "网络文件未给出的权重和偏置{samples}由种子 {seed} 在 [0, 1) 中均匀随机生成(--seed {seed} 可复现这次训练)。",
    seed_samples: ",以及每次迭代所用的样本,",
    e_total_after: "“第 k 次迭代后的 E_total”是用第 k 次迭代得到的权重算出的误差(第 0 次之后:初始权重){summed}。",
    summed_over: ",对 {n} 个样本求和",
    header_after: "迭代次数",
    header_outputs: "输出",
    header_article: "原文",
    header_verdict: "判断",
    agrees_at: "{mark} 在 {digits} 位小数上一致",
    other_order: "{mark} {order} {footnote}",
    differs: "{mark} 不一致",
    at_most: "最多保留 {max} 个检查点:显示 {planned} 个中的 {shown} 个;用 --format ndjson 可得到每次迭代。",
    footnote_order: "{footnote} 原文的数字来自{order}(其代码经由已更新的 w5…w8 求隐含层的 δ);这次训练用的是{used},--update-order {order_option} 可复现原文的数字。",
    stalled: "从第 {since} 次迭代起 E_total 和输出不再变化:梯度为 0,或小到 η·∂E/∂w 低于权重的最后一位,因为神经元已饱和(out 接近极限时 out(1 − out) 或 1 − out² 为 0 或接近 0),或 ReLU 神经元已死亡。减小学习速率可以避免。",
    diverged: "在第 {iteration} 次迭代中停止:{symbol} = {value},不是有限数。表格到最后一次所有值都有限的迭代为止。",
    header_initial: "初始值",
    header_final: "最终值",
    parameters: "第一次迭代前和第 {n} 次迭代后的权重和偏置{biases}:",
    biases_not_trained: "(偏置不训练)",
    more_parameters: "… 另有 {n} 个(--format json 中有全部)。",
    curve_caption: "每次迭代后的 E_total(对数坐标)",
};

impl NoteLabels {
    /// Every label, for the test that no English is left in another language's output.
    fn all(&self) -> Vec<&'static str> {
        vec![
            self.seed,
            self.weights_and_biases,
            self.weights,
            self.biases,
            self.options_from,
            self.update_order,
            self.precision,
            self.bias_updates_on,
            self.list_separator,
        ]
    }
}

impl VerifyLabels {
    /// Every label, for the test that no English is left in another language's output.
    fn all(&self) -> Vec<&'static str> {
        vec![
            self.about_file,
            self.article_network,
            self.intro,
            self.biases_updated,
            self.precision_note,
            self.header_symbol,
            self.header_yours,
            self.header_correct,
            self.header_verdict,
            self.follows_from,
            self.same_slip,
            self.wrong,
            self.first_wrong_lead,
            self.new_mistake_lead,
            self.first_wrong_title,
            self.new_mistake_title,
            self.detail,
            self.given_drawn,
            self.given_file,
            self.formula,
            self.with_numbers,
            self.with_your_numbers,
            self.the_article,
            self.why,
            self.likely_slip,
            self.or,
            self.which_gives,
            self.slip_drawn,
            self.slip_given,
            self.slip_unknown,
            self.not_a_value,
            self.did_you_mean,
            self.symbols_hint,
            self.one_agrees,
            self.all_agree,
            self.recognised_agree,
            self.disagree,
            self.same_slip_count,
            self.trace_all_agree,
            self.trace_checked,
            self.run_stream,
            self.trace_kind,
            self.run_chain,
            self.stream_no_network,
            self.stream_samples,
            self.run_replayed,
            self.run_differs,
            self.summary_replayed,
            self.summary_differs,
            self.summary_longer,
            self.header_iteration,
            self.header_recorded,
            self.header_problem,
            self.inherited_from,
            self.in_iteration,
            self.inherited,
            self.trace_disagree,
        ]
    }
}

impl CheckLabels {
    /// Every label, for the test that no English is left in another language's output.
    fn all(&self) -> Vec<&'static str> {
        let mut all = vec![
            self.progress,
            self.title,
            self.each,
            self.step,
            self.pass,
            self.sequential,
            self.table_lists,
            self.first_rows,
            self.ok,
            self.below_floor,
            self.fail,
            self.kink,
            self.and_more,
            self.sampled,
            self.failed,
            self.not_passed,
            self.another_seed,
            self.passed,
            self.not_judged,
            self.end,
            self.sample,
            self.cut,
            self.weights_of_layer,
            self.biases_of_layer,
            self.group,
            self.range,
        ];
        all.extend(self.headers);
        all
    }
}

impl TrainLabels {
    /// Every label, for the test that no English is left in another language's output.
    fn all(&self) -> Vec<&'static str> {
        vec![
            self.progress,
            self.final_line,
            self.iterations_one,
            self.iterations_many,
            self.title,
            self.biases_trained,
            self.one_sample,
            self.samples,
            self.in_turn,
            self.at_random,
            self.seed,
            self.seed_samples,
            self.e_total_after,
            self.summed_over,
            self.header_after,
            self.header_outputs,
            self.header_article,
            self.header_verdict,
            self.agrees_at,
            self.other_order,
            self.differs,
            self.at_most,
            self.footnote_order,
            self.stalled,
            self.diverged,
            self.header_initial,
            self.header_final,
            self.parameters,
            self.biases_not_trained,
            self.more_parameters,
            self.curve_caption,
        ]
    }
}

impl Lang {
    /// The labels in this language, in the article's typography.
    pub fn labels(self) -> &'static Labels {
        match self {
            Lang::En => &EN,
            Lang::Zh => &ZH,
        }
    }

    /// The labels in this language and `typography`: in ASCII, each one set by
    /// [`Typography::text`] (once, the first time they are asked for).
    pub fn labels_in(self, typography: Typography) -> &'static Labels {
        static ASCII_EN: OnceLock<Labels> = OnceLock::new();
        static ASCII_ZH: OnceLock<Labels> = OnceLock::new();
        let ascii = match (typography, self) {
            (Typography::Article, _) => return self.labels(),
            (Typography::Ascii, Lang::En) => &ASCII_EN,
            (Typography::Ascii, Lang::Zh) => &ASCII_ZH,
        };
        // Leaked once per language: the labels live as long as the program, as the
        // originals do.
        ascii.get_or_init(|| {
            self.labels()
                .map(|label| Box::leak(typography.text(label).into_owned().into_boxed_str()))
        })
    }

    /// The notes under a title, in this language.
    pub fn notes(self) -> &'static NoteLabels {
        self.pick_labels(&NOTES_EN, &NOTES_ZH)
    }

    /// `verify`'s words in this language.
    pub fn verify(self) -> &'static VerifyLabels {
        self.pick_labels(&VERIFY_EN, &VERIFY_ZH)
    }

    /// `check`'s words in this language.
    pub fn check(self) -> &'static CheckLabels {
        self.pick_labels(&CHECK_EN, &CHECK_ZH)
    }

    /// `train`'s words in this language.
    pub fn train(self) -> &'static TrainLabels {
        self.pick_labels(&TRAIN_EN, &TRAIN_ZH)
    }

    /// `grade`'s words in this language.
    pub fn grade(self) -> &'static GradeLabels {
        self.pick_labels(&grade::GRADE_EN, &grade::GRADE_ZH)
    }

    /// The names and sentences of mistakes (slips, trace problems, the article's numbers).
    pub fn mistakes(self) -> &'static MistakeLabels {
        self.pick_labels(&mistakes::MISTAKES_EN, &mistakes::MISTAKES_ZH)
    }

    /// The words of the documents (`show --format markdown`).
    pub fn document(self) -> &'static DocumentLabels {
        self.pick_labels(&document::DOCUMENT_EN, &document::DOCUMENT_ZH)
    }

    /// The words of the worksheets and keys (`backprop exercise`).
    pub fn exercise(self) -> &'static ExerciseLabels {
        self.pick_labels(&exercise::EXERCISE_EN, &exercise::EXERCISE_ZH)
    }

    /// The words of the web page (`show --format html`).
    pub fn page(self) -> &'static PageLabels {
        self.pick_labels(&page::PAGE_EN, &page::PAGE_ZH)
    }

    /// The words of `step --quiz`.
    pub fn quiz(self) -> &'static QuizLabels {
        self.pick_labels(&quiz::QUIZ_EN, &quiz::QUIZ_ZH)
    }

    /// Every label of every report in this language (the English ones are what no other
    /// language's output may contain).
    pub fn every_label(self) -> Vec<&'static str> {
        let all = std::cell::RefCell::new(Vec::new());
        self.labels().map(|label| {
            all.borrow_mut().push(label);
            label
        });
        let mut all = all.into_inner();
        all.extend(self.notes().all());
        all.extend(self.verify().all());
        all.extend(self.check().all());
        all.extend(self.train().all());
        all.extend(self.mistakes().all());
        all.extend(self.document().all());
        all.extend(self.exercise().all());
        all.extend(self.page().all());
        all.extend(self.quiz().all());
        all.extend(self.grade().all());
        all
    }

    fn pick_labels<T>(self, en: &'static T, zh: &'static T) -> &'static T {
        match self {
            Lang::En => en,
            Lang::Zh => zh,
        }
    }

    /// The explanation of an erratum in this language.
    pub fn pick<'a>(self, en: &'a str, zh: &'a str) -> &'a str {
        match self {
            Lang::En => en,
            Lang::Zh => zh,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_labels_have_no_other_characters_than_ascii_and_chinese() {
        let en = Lang::En.labels_in(Typography::Ascii);
        assert_eq!(
            en.keys_hint,
            "Enter/-> next | <- back | n/p section | g/G first/last | ? help | q quit"
        );
        en.map(|label| {
            assert!(label.is_ascii(), "{label}");
            label
        });
        Lang::Zh.labels_in(Typography::Ascii).map(|label| {
            assert!(
                !label.contains("\\u{"),
                "a character without an ASCII spelling: {label}"
            );
            label
        });
        assert_eq!(
            Lang::En.labels_in(Typography::Article).keys_hint,
            EN.keys_hint
        );
    }
}
