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
}

pub(super) const EXERCISE_EN: ExerciseLabels = ExerciseLabels {
    worksheet_title: "Backpropagation worksheet: {student}",
    key_title: "Answer key: {student}",
    drawn: "A {shape} network drawn for {student} from seed {seed} ({command} draws it again).",
    instructions: "Compute each boxed value in order, as the article does for its network, and write it in the hand-in file at the end. Write as many decimals as you trust (the article writes 9): each answer is checked at the precision you write it. Keep every digit of the values you computed earlier: rounding them early shows in the later ones.",
    key_note: "Each value is numbered as its box on the worksheet; the JSON trace beside this key is what backprop verify and backprop grade check answers against.",
    hand_in_heading: "Hand in",
    hand_in: "Save these lines as {file}, write a value after each comma whose line is under a box's number, and hand the file in.",
    figure_alt: "The network: its inputs, hidden and output neurons, each weight on its line",
    figure_elsewhere: "The network's figure is written beside the worksheet when it goes to a file (-o FILE.md).",
};

pub(super) const EXERCISE_ZH: ExerciseLabels = ExerciseLabels {
    worksheet_title: "反向传播练习:{student}",
    key_title: "参考答案:{student}",
    drawn: "为 {student} 随机生成的 {shape} 网络(种子 {seed};{command} 可再次生成同一个网络)。",
    instructions: "按顺序算出每个方框中的值,做法与原文对它的网络所做的一样,并把结果写进文末的提交文件。小数位数写到你有把握的位数(原文写 9 位):每个答案都按你写的精度检查。前面算出的值请保留全部位数:过早四舍五入会在后面的值里显出来。",
    key_note: "每个值的编号与练习中方框的编号一一对应;本答案旁的 JSON 轨迹文件是 backprop verify 和 backprop grade 检查答案的依据。",
    hand_in_heading: "提交",
    hand_in: "把下面几行保存为 {file},在每个方框编号下面那一行的逗号后写上数值,然后提交该文件。",
    figure_alt: "网络:输入、隐藏层和输出层神经元,每个权重标在它的连线上",
    figure_elsewhere: "把练习写入文件时(-o FILE.md),网络图会写在它旁边。",
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
        ]
    }
}
