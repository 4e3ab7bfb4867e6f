//! "Did you mean …?": the closest name in scope to a misspelt one.

/// The candidate closest to `wrong`, if one is close enough to be a likely typo.
///
/// Closeness is the edit distance in characters (so Chinese names work), where swapping two
/// neighbouring letters counts as one mistake, allowing about one mistake in three characters; ties go to the candidate listed first, so the answer does not
/// depend on hash order.
pub(crate) fn did_you_mean<'a>(
    wrong: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let wrong_lower = wrong.to_lowercase();
    let budget = (wrong.chars().count() / 3).max(1);
    let mut best: Option<(usize, &str)> = None;
    for candidate in candidates {
        if candidate == wrong {
            continue;
        }
        let distance = strsim::osa_distance(&wrong_lower, &candidate.to_lowercase());
        let better = best.is_none_or(|(best_distance, _)| distance < best_distance);
        if distance <= budget && better {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, name)| name)
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
}
