//! The words of the documents (`show --format markdown`) that the tables do not have; the
//! section titles and the column names are the tables' own.

/// The document's own sentences. `{…}` marks are filled in by the renderer.
pub struct DocumentLabels {
    pub intro: &'static str,
    pub article_network: &'static str,
    pub cut: &'static str,
    pub article_prints: &'static str,
    pub closing: &'static str,
}

pub(super) const DOCUMENT_EN: DocumentLabels = DocumentLabels {
    intro: "Every value of the iteration, in the order it is computed: its formula, the formula with the numbers substituted, and its value.",
    article_network: "This is the article's network: where the article prints another number, a note says which and why.",
    cut: "This part has {count} values: the first {shown} are written out, then the table lists them all.",
    article_prints: "The article prints {printed} here: {why}",
    closing: "After this iteration the total error falls from {before} to {after}.",
};

pub(super) const DOCUMENT_ZH: DocumentLabels = DocumentLabels {
    intro: "本次迭代的每一个值,按计算顺序列出:公式、代入数值后的公式和结果。",
    article_network: "这是原文的网络:凡原文印出的数与此处不同,注释会说明是哪个数以及原因。",
    cut: "这一部分共有 {count} 个值:先写出前 {shown} 个,再在表中全部列出。",
    article_prints: "原文此处印的是 {printed}:{why}",
    closing: "经过这次迭代,总误差由 {before} 下降至 {after}。",
};

impl DocumentLabels {
    /// Every label, for the test that no English is left in another language's output.
    pub(super) fn all(&self) -> Vec<&'static str> {
        vec![
            self.intro,
            self.article_network,
            self.cut,
            self.article_prints,
            self.closing,
        ]
    }
}
