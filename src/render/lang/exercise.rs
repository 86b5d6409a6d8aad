//! The words of the worksheets and answer keys of `backprop exercise`; the derivation's own
//! words are the documents' (see [`super::DocumentLabels`]).

/// The worksheet's sentences. `{…}` marks are filled in by `exercise`.
pub struct ExerciseLabels {
    pub worksheet_title: &'static str,
    pub key_title: &'static str,
    pub drawn: &'static str,
    pub instructions: &'static str,
    pub key_note: &'static str,
    pub hand_in_heading: &'static str,
    pub hand_in: &'static str,
    pub figure_alt: &'static str,
    pub figure_elsewhere: &'static str,
    pub seed_note: &'static str,
    pub class_done: &'static str,
    /// The words of the self-checking HTML worksheet (`--format html`).
    pub page: WorksheetPageLabels,
}

/// The HTML worksheet's own words; its script fills in the `{…}` marks.
#[derive(serde::Serialize)]
pub struct WorksheetPageLabels {
    pub check: &'static str,
    pub show_answer: &'static str,
    pub answer_for: &'static str,
    pub right: &'static str,
    pub wrong: &'static str,
    pub unreadable: &'static str,
    pub no_digits: &'static str,
    pub answer_is: &'static str,
    pub score: &'static str,
    pub score_revealed: &'static str,
    pub how_checked: &'static str,
    pub no_script: &'static str,
}

pub(super) const EXERCISE_EN: ExerciseLabels = ExerciseLabels {
    worksheet_title: "Backpropagation worksheet: {student}",
    key_title: "Answer key: {student}",
    drawn: "A {shape} network drawn for {student} from seed {seed} ({command} draws it again).",
    instructions: "Compute each boxed value in order, as the article does for its network, and write it in the hand-in file at the end. Write as many decimals as you trust (the article writes 9), and at least 3 significant digits: each answer is checked at the precision you write it. Keep every digit of the values you computed earlier: rounding them early shows in the later ones.",
    key_note: "Each value is numbered as its box on the worksheet; the JSON trace beside this key is what backprop verify and backprop grade check answers against.",
    hand_in_heading: "Hand in",
    hand_in: "Save these lines as {file}, write a value after each comma whose line is under a box's number, and hand the file in.",
    figure_alt: "The network: its inputs, hidden and output neurons, each weight on its line",
    figure_elsewhere: "The network's figure is written beside the worksheet when it goes to a file (-o FILE.md).",
    seed_note: "Seed {seed}: {command} draws it again.",
    class_done: "{count} students: worksheets in {worksheets}, keys in {keys} (keep those), the list in {list}.",
    page: WorksheetPageLabels {
        check: "Check",
        show_answer: "Show answer",
        answer_for: "Your value of ({number}) {symbol}",
        right: "✓ right",
        wrong: "✗ not right",
        unreadable: "✗ not a number: write it as 0.3775, -0.74, 1e-3 or 0,3775",
        no_digits: "? no significant digit: at that precision it agrees with any small value; write the value's digits",
        answer_is: "answer: {value}",
        score: "{right} right of {answered} answered ({total} boxes)",
        score_revealed: "{count} answers shown",
        how_checked: "Type a value in a box and press Enter or Check: it is checked at the precision you type (0.5933 must round the value to 4 decimals), and a wrong value is named where it is a known slip. Show answer reveals the value.",
        no_script: "This page checks answers with JavaScript, which is off: fill in the hand-in file at the end instead.",
    },
};

pub(super) const EXERCISE_ZH: ExerciseLabels = ExerciseLabels {
    worksheet_title: "反向传播练习:{student}",
    key_title: "参考答案:{student}",
    drawn: "为 {student} 随机生成的 {shape} 网络(种子 {seed};{command} 可再次生成同一个网络)。",
    instructions: "按顺序算出每个方框中的值,做法与原文对它的网络所做的一样,并把结果写进文末的提交文件。小数位数写到你有把握的位数(原文写 9 位),至少 3 位有效数字:每个答案都按你写的精度检查。前面算出的值请保留全部位数:过早四舍五入会在后面的值里显出来。",
    key_note: "每个值的编号与练习中方框的编号一一对应;本答案旁的 JSON 轨迹文件是 backprop verify 和 backprop grade 检查答案的依据。",
    hand_in_heading: "提交",
    hand_in: "把下面几行保存为 {file},在每个方框编号下面那一行的逗号后写上数值,然后提交该文件。",
    figure_alt: "网络:输入、隐藏层和输出层神经元,每个权重标在它的连线上",
    figure_elsewhere: "把练习写入文件时(-o FILE.md),网络图会写在它旁边。",
    seed_note: "种子 {seed}:{command} 可再次生成同一个练习。",
    class_done: "{count} 名学生:练习在 {worksheets},答案在 {keys}(请自己保管),名单在 {list}。",
    page: WorksheetPageLabels {
        check: "检查",
        show_answer: "显示答案",
        answer_for: "你算出的 ({number}) {symbol}",
        right: "✓ 正确",
        wrong: "✗ 不正确",
        unreadable: "✗ 不是数字:请写成 0.3775、-0.74、1e-3 或 0,3775 这样的形式",
        no_digits: "? 没有有效数字:在这个精度下它与任何很小的值都一致;请写出该值的有效数字",
        answer_is: "答案:{value}",
        score: "已答 {answered} 个,正确 {right} 个(共 {total} 个方框)",
        score_revealed: "已显示 {count} 个答案",
        how_checked: "在方框中输入数值,按 Enter 或“检查”:按你输入的精度检查(0.5933 须是该值四舍五入到 4 位小数的结果);错误的值若是常见失误,会指出是哪一种。“显示答案”会给出该值。",
        no_script: "本页用 JavaScript 检查答案,而 JavaScript 已关闭:请改为填写文末的提交文件。",
    },
};

impl ExerciseLabels {
    /// Every label, for the test that no English is left in another language's output.
    pub(super) fn all(&self) -> Vec<&'static str> {
        vec![
            self.worksheet_title,
            self.key_title,
            self.drawn,
            self.instructions,
            self.key_note,
            self.hand_in_heading,
            self.hand_in,
            self.figure_alt,
            self.figure_elsewhere,
            self.seed_note,
            self.class_done,
            self.page.check,
            self.page.show_answer,
            self.page.answer_for,
            self.page.right,
            self.page.wrong,
            self.page.unreadable,
            self.page.no_digits,
            self.page.answer_is,
            self.page.score,
            self.page.score_revealed,
            self.page.how_checked,
            self.page.no_script,
        ]
    }
}
