//! The names a policy uses for what it reads: a Chinese policy writes `还款意愿 = 拒绝` and
//! `评估日` where the schema's names are `willingness`, `refuses` and `as_of`, and its
//! traces, explanations and witness loans should read the same way.

use crate::schema::Schema;

/// Which of two names the policy writes, for each field, each choice, `as_of` and days.
#[derive(Clone, Debug, Default)]
pub(crate) struct Wording {
    /// By slot: the policy writes the field's other name (`经营状况`).
    field_alias: Vec<bool>,
    /// By enum, then choice: the policy writes the choice's other name (`拒绝`).
    choice_alias: Vec<Vec<bool>>,
    /// The policy writes `评估日` for `as_of`.
    as_of_chinese: bool,
    /// The policy writes day counts as `30天`.
    days_chinese: bool,
    /// Yes, no and missing are shown as `是`, `否` and `缺失` (a Chinese reader's).
    values_chinese: bool,
}

impl Wording {
    /// How `text`, a policy's own text, names what `schema` declares: a name counts as used
    /// when it stands in the text as a word of its own, and the other name is chosen when only
    /// it is used.
    pub(crate) fn of(schema: &Schema, text: &str) -> Wording {
        let alias_only = |name: &str, alias: Option<&str>| {
            alias.is_some_and(|alias| uses(text, alias) && !uses(text, name))
        };
        Wording {
            field_alias: schema
                .fields
                .iter()
                .map(|f| alias_only(&f.name, f.alias.as_deref()))
                .collect(),
            choice_alias: schema
                .enums
                .iter()
                .enumerate()
                .map(|(id, names)| {
                    names
                        .iter()
                        .enumerate()
                        .map(|(index, name)| {
                            let alias = schema
                                .choice_aliases
                                .get(id)
                                .and_then(|a| a.get(index))
                                .and_then(Option::as_deref);
                            alias_only(name, alias)
                        })
                        .collect()
                })
                .collect(),
            as_of_chinese: uses(text, "评估日") && !uses(text, "as_of"),
            days_chinese: text.contains("天") && !uses(text, "days") && !uses(text, "day"),
            values_chinese: false,
        }
    }

    /// Whether the policy names the field in `slot` by its other name.
    pub(crate) fn field_alias(&self, slot: usize) -> bool {
        self.field_alias.get(slot).copied().unwrap_or(false)
    }

    /// Whether the policy names choice `index` of enum `id` by its other name.
    pub(crate) fn choice_alias(&self, id: usize, index: usize) -> bool {
        self.choice_alias
            .get(id)
            .and_then(|c| c.get(index))
            .copied()
            .unwrap_or(false)
    }

    /// Whether the policy writes Chinese names: some field's or choice's other name, `评估日`
    /// or `天`.
    pub(crate) fn chinese(&self) -> bool {
        self.as_of_chinese
            || self.days_chinese
            || self.field_alias.iter().any(|a| *a)
            || self.choice_alias.iter().flatten().any(|a| *a)
    }

    /// Day counts written as a reader of `lang` writes them: `3天` in Chinese; in English, as
    /// the policy writes them.
    pub(crate) fn speak(&mut self, lang: crate::lang::Lang) {
        if lang == crate::lang::Lang::Zh {
            self.days_chinese = true;
            self.values_chinese = true;
        }
    }

    /// `true`, `false` and `missing`, or `是`, `否` and `缺失`.
    pub(crate) fn yes_no_missing(&self) -> [&'static str; 3] {
        if self.values_chinese {
            ["是", "否", "缺失"]
        } else {
            ["true", "false", "missing"]
        }
    }

    /// An amount of money: as the data writes it, or for a Chinese reader grouped in
    /// thousands with the unit (`2,300,000.00元`).
    pub(crate) fn money(&self, amount: rust_decimal::Decimal) -> Option<String> {
        self.values_chinese
            .then(|| format!("{}元", crate::value::grouped(amount)))
    }

    /// An empty list: `[] (empty)`, or `[]（无）`.
    pub(crate) fn empty_list(&self) -> &'static str {
        if self.values_chinese {
            "[]（无）"
        } else {
            "[] (empty)"
        }
    }

    /// `as_of`, or `评估日`.
    pub(crate) fn as_of(&self) -> &'static str {
        if self.as_of_chinese {
            "评估日"
        } else {
            "as_of"
        }
    }

    /// `3 days`, or `3天`.
    pub(crate) fn days(&self, count: i64) -> String {
        if self.days_chinese {
            format!("{count}天")
        } else {
            format!("{count} day{}", if count == 1 { "" } else { "s" })
        }
    }
}

/// Whether `word` stands in `text` as a word of its own (not inside a longer name), outside
/// comments.
fn uses(text: &str, word: &str) -> bool {
    let part_of_name = |c: char| c.is_alphanumeric() || c == '_';
    text.lines()
        .map(|line| line.split_once('#').map_or(line, |(code, _)| code))
        .any(|line| {
            line.match_indices(word).any(|(at, _)| {
                let before = line.get(..at).and_then(|b| b.chars().next_back());
                let after = line.get(at + word.len()..).and_then(|a| a.chars().next());
                // Chinese names run into each other (`逾期天数>28天`); only letters and digits
                // of the Latin kind join a word.
                let joins = |c: Option<char>| c.is_some_and(|c| c.is_ascii() && part_of_name(c));
                !joins(before) && !joins(after)
            })
        })
}

#[cfg(test)]
mod tests {
    use super::uses;

    #[test]
    fn a_word_counts_only_on_its_own_and_outside_comments() {
        assert!(uses("rule T1 when as_of > x", "as_of"));
        assert!(!uses("rule T1 when as_of_2 > x", "as_of"));
        assert!(!uses("# as_of in a comment", "as_of"));
        assert!(uses("when 评估日 - 最早未还日 > 3天", "评估日"));
        assert!(!uses("let days_overdue = 1", "days"));
    }
}
