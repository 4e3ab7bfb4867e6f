//! "Did you mean …?": the closest name in scope to a misspelt one.

/// The candidate closest to `wrong`, if one is close enough to be a likely typo.
///
/// A candidate that *sounds* the same comes first: a Chinese name typed with a pinyin input
/// method goes wrong by picking another character of the same reading (`还款意原` for
/// `还款意愿`), so a name of the same length whose every character shares a reading with the
/// one typed is suggested whatever the characters. Otherwise closeness is the edit distance in
/// characters (so Chinese names work), where swapping two neighbouring letters counts as one
/// mistake, allowing about one mistake in three characters. Ties go to the candidate listed
/// first, so the answer does not depend on hash order.
pub(crate) fn did_you_mean<'a>(
    wrong: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let wrong_lower = wrong.to_lowercase();
    let budget = (wrong.chars().count() / 3).max(1);
    // (sounds different, distance): lower is better.
    let mut best: Option<((bool, usize), &str)> = None;
    for candidate in candidates {
        if candidate == wrong {
            continue;
        }
        let distance = strsim::osa_distance(&wrong_lower, &candidate.to_lowercase());
        let alike = sounds_alike(wrong, candidate);
        if !alike && distance > budget {
            continue;
        }
        let rank = (!alike, distance);
        if best.is_none_or(|(best_rank, _)| rank < best_rank) {
            best = Some((rank, candidate));
        }
    }
    best.map(|(_, name)| name)
}

/// Whether two names read the same in pinyin, tones aside: the same number of characters, and
/// each pair the same character or two Chinese characters sharing a reading (a character
/// with several, such as 还 `huan`/`hai`, matches any of them). Names without a Chinese
/// character in the difference never sound alike: spelling covers them.
fn sounds_alike(a: &str, b: &str) -> bool {
    use pinyin::ToPinyinMulti;
    let readings = |c: char| -> Vec<&'static str> {
        c.to_pinyin_multi()
            .map(|multi| multi.into_iter().map(|p| p.plain()).collect())
            .unwrap_or_default()
    };
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    a.len() == b.len()
        && a != b
        && a.iter().zip(&b).all(|(x, y)| {
            x == y || {
                let theirs = readings(*y);
                readings(*x).iter().any(|r| theirs.contains(r))
            }
        })
}

#[cfg(test)]
mod tests {
    use super::did_you_mean;

    #[test]
    fn finds_the_closest_name() {
        let names = ["principal_outstanding", "product", "promises"];
        assert_eq!(
            did_you_mean("principal_outstandng", names),
            Some("principal_outstanding")
        );
        assert_eq!(did_you_mean("prodcut", names), Some("product"));
        assert_eq!(did_you_mean("region", names), None);
        assert_eq!(did_you_mean("crad", ["sme", "card"]), Some("card"));
    }

    #[test]
    fn works_on_chinese_names() {
        assert_eq!(
            did_you_mean("逾期天", ["逾期天数", "本金余额"]),
            Some("逾期天数")
        );
    }

    #[test]
    fn a_chinese_name_that_sounds_the_same_comes_first() {
        // 原 and 愿 are both `yuan`: the input-method slip.
        assert_eq!(
            did_you_mean("还款意原", ["还款能力", "还款意愿"]),
            Some("还款意愿")
        );
        // Two characters of the same reading off: still the name meant.
        assert_eq!(
            did_you_mean("逾七天树", ["逾期天数", "本金余额"]),
            Some("逾期天数")
        );
        // A different sound and more than one character off: no guess.
        assert_eq!(did_you_mean("还钱意思", ["还款意愿"]), None);
    }
}
