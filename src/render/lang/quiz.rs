//! The words of `backprop step --quiz`, in both languages: the prompt, the marks of an
//! answer, the slip named, the score. Kept apart from the stepper's labels because the quiz
//! writes sentences of its own from what `verify` recognised.

/// The quiz's words. `{…}` marks are filled in by the caller.
pub struct QuizLabels {
    /// Printed once, before the first question.
    pub intro: &'static str,
    /// Before each answer.
    pub prompt: &'static str,
    /// A right answer: the mark and the value in full.
    pub right: &'static str,
    /// A wrong answer: the mark, then why (a sentence below, or nothing).
    pub wrong: &'static str,
    /// The slip recognised, in a sentence.
    pub likely_slip: &'static str,
    /// An answer that follows from the student's own earlier values.
    pub follows_from: &'static str,
    /// An answer that is one of the article's own printed numbers.
    pub the_article: &'static str,
    /// After a wrong answer, with `--plain`.
    pub retry_plain: &'static str,
    /// After a wrong answer, on the full screen.
    pub retry_screen: &'static str,
    /// A value shown at the student's request (or after giving up).
    pub revealed: &'static str,
    /// A line that is not a number.
    pub not_a_number: &'static str,
    /// A number without a significant digit that agrees only for that.
    pub too_few_digits: &'static str,
    /// The score.
    pub score: &'static str,
    /// After the score, when the quiz ended before its last question.
    pub not_asked: &'static str,
    /// The heading of the list of steps missed.
    pub missed: &'static str,
    /// The heading of the list of steps right only after a retry.
    pub retried: &'static str,
    /// A step of those lists: `{symbol} = {value}` and what the student typed.
    pub step_line: &'static str,
    /// What the student typed first, in a step line.
    pub yours: &'static str,
    /// What the student typed first, and the slip it was.
    pub yours_slip: &'static str,
    /// A step missed without any answer typed.
    pub no_answer: &'static str,
    /// Every step right at the first try.
    pub all_right: &'static str,
    /// The keys, at the bottom of the full screen.
    pub keys: &'static str,
    /// At the bottom of the final screen.
    pub leave: &'static str,
}

pub(super) const QUIZ_EN: QuizLabels = QuizLabels {
    intro: "Quiz: type each value before it is shown. It is judged at the precision you type (0.5933 is right for 0.593269992, 0.5943 is not). An empty line shows the value; q ends the quiz.",
    prompt: "{symbol} = ? ",
    right: "{mark} {symbol} = {value}",
    wrong: "{mark} Not right. {why}",
    likely_slip: "Likely slip: {slip}.",
    follows_from: "It follows from your {names}.",
    the_article: "That is {what}.",
    retry_plain: "Type another answer, or an empty line to see it.",
    retry_screen: "Type another answer, or press Enter with nothing typed to see it.",
    revealed: "{mark} {symbol} = {value} (shown: counted as missed)",
    not_a_number: "{line} is not a number: type the value (as 0.3775, -0.74 or 1e-3), an empty line to see it, or q to end the quiz.",
    too_few_digits: "{line} has no significant digit: at that precision it agrees with any small value. Type the value's digits.",
    score: "Score: {first} of {total} right at the first try, {retry} after a retry, {missed} missed.",
    not_asked: "{n} not asked: the quiz ended at step {k} of {total}.",
    missed: "Steps missed:",
    retried: "Right after a retry:",
    step_line: "{mark} {symbol} = {value} ({yours})",
    yours: "you typed {typed}",
    yours_slip: "you typed {typed}: {slip}",
    no_answer: "not answered",
    all_right: "Every step right at the first try.",
    keys: "type the value · Enter answers · Enter with nothing typed shows it · Esc/q ends the quiz",
    leave: "Press any key to leave (the score stays on the screen).",
};

pub(super) const QUIZ_ZH: QuizLabels = QuizLabels {
    intro: "测验:每个值显示之前,先输入你算出的值。按你输入的精度判断(0.5933 对于 0.593269992 算对,0.5943 不对)。输入空行显示该值;输入 q 结束测验。",
    prompt: "{symbol} = ? ",
    right: "{mark} {symbol} = {value}",
    wrong: "{mark} 不对。{why}",
    likely_slip: "可能的错误:{slip}。",
    follows_from: "它由你的 {names} 推出。",
    the_article: "这是{what}。",
    retry_plain: "再输入一个答案,或输入空行查看正确值。",
    retry_screen: "再输入一个答案,或不输入直接按 Enter 查看正确值。",
    revealed: "{mark} {symbol} = {value}(已显示:计为未答对)",
    not_a_number: "{line} 不是数:请输入值(如 0.3775、-0.74 或 1e-3),输入空行查看正确值,或输入 q 结束测验。",
    too_few_digits: "{line} 没有有效数字:在这个精度下它与任何很小的值都一致。请输入该值的有效数字。",
    score: "得分:共 {total} 步,{first} 步一次答对,{retry} 步重试后答对,{missed} 步未答对。",
    not_asked: "{n} 步未作答:测验在第 {k} 步(共 {total} 步)结束。",
    missed: "未答对的步骤:",
    retried: "重试后答对的步骤:",
    step_line: "{mark} {symbol} = {value}({yours})",
    yours: "你输入了 {typed}",
    yours_slip: "你输入了 {typed}:{slip}",
    no_answer: "未作答",
    all_right: "每一步都一次答对。",
    keys: "输入值 · Enter 提交 · 不输入直接按 Enter 显示正确值 · Esc/q 结束测验",
    leave: "按任意键退出(得分会留在屏幕上)。",
};

impl QuizLabels {
    /// Every label, for the test that no English is left in another language's output.
    pub(super) fn all(&self) -> Vec<&'static str> {
        vec![
            self.intro,
            self.prompt,
            self.right,
            self.wrong,
            self.likely_slip,
            self.follows_from,
            self.the_article,
            self.retry_plain,
            self.retry_screen,
            self.revealed,
            self.not_a_number,
            self.too_few_digits,
            self.score,
            self.not_asked,
            self.missed,
            self.retried,
            self.step_line,
            self.yours,
            self.yours_slip,
            self.no_answer,
            self.all_right,
            self.keys,
            self.leave,
        ]
    }
}
