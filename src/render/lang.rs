//! The words of the tables, in English and in the article's Chinese (输入层, 隐含层, 前向传播 …).

use crate::notation::Typography;
use std::sync::OnceLock;

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
