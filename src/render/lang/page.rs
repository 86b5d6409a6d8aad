//! The words of the web page (`show --format html`) that the tables and the stepper do not
//! have. The page carries both languages and switches between them without a reload.

use serde::Serialize;

/// The page's own words. `{…}` marks are filled in by the page's script.
#[derive(Serialize)]
pub struct PageLabels {
    pub first: &'static str,
    pub previous_section: &'static str,
    pub previous: &'static str,
    pub next: &'static str,
    pub next_section: &'static str,
    pub last: &'static str,
    pub show_all: &'static str,
    pub step_through: &'static str,
    pub keys: &'static str,
    pub figure: &'static str,
    pub used: &'static str,
    pub more: &'static str,
    pub more_given: &'static str,
    pub value: &'static str,
    pub no_script: &'static str,
    pub all_terms: &'static str,
    pub fewer_terms: &'static str,
}

pub(super) const PAGE_EN: PageLabels = PageLabels {
    first: "First",
    previous_section: "Previous section",
    previous: "Previous",
    next: "Next",
    next_section: "Next section",
    last: "Last",
    show_all: "Show all",
    step_through: "Step through",
    keys: "Keys: Enter/Space/→ next · ←/Backspace back · n/p next/previous section · g/G first/last · a show all",
    figure: "The network. What the current step uses is drawn with thick lines, its labels in bold.",
    used: "used by this step",
    more: "{count} more values in this section: step through them one by one.",
    more_given: "{count} more given values: the JSON trace (show --format json) lists them all.",
    value: "value",
    no_script: "This page needs JavaScript to step through the iteration; the figure above is the network.",
    all_terms: "Show all {count} terms",
    fewer_terms: "Fewer terms",
};

pub(super) const PAGE_ZH: PageLabels = PageLabels {
    first: "第一步",
    previous_section: "上一节",
    previous: "上一步",
    next: "下一步",
    next_section: "下一节",
    last: "最后一步",
    show_all: "全部显示",
    step_through: "逐步查看",
    keys: "按键:Enter/空格/→ 下一步 · ←/退格 上一步 · n/p 下一/上一节 · g/G 首/末步 · a 全部显示",
    figure: "网络图。当前一步用到的部分以粗线画出,标签加粗。",
    used: "本步用到",
    more: "本节另有 {count} 个值:请逐步查看。",
    more_given: "另有 {count} 个已知值:JSON 轨迹(show --format json)列出全部。",
    value: "值",
    no_script: "逐步查看本次迭代需要 JavaScript;上图即为网络。",
    all_terms: "显示全部 {count} 项",
    fewer_terms: "收起",
};

impl PageLabels {
    /// Every label, for the test that no English is left in another language's output.
    pub(super) fn all(&self) -> Vec<&'static str> {
        vec![
            self.first,
            self.previous_section,
            self.previous,
            self.next,
            self.next_section,
            self.last,
            self.show_all,
            self.step_through,
            self.keys,
            self.figure,
            self.used,
            self.more,
            self.more_given,
            self.value,
            self.no_script,
            self.all_terms,
            self.fewer_terms,
        ]
    }
}
