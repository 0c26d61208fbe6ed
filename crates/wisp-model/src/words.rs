//! Words for what wisp prints: counts ("1 radio", "3 radios", never "1 radios") and names cut
//! to a table's column.

/// `n` followed by the singular or the plural noun, as English wants it (0 takes the plural).
/// Both forms are given because wisp's nouns do not all add an "s" ("criterion", "criteria").
pub fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// `s` if it has at most `n` characters (`n` ≥ 1), else its first `n − 1` and an ellipsis: a
/// name cut to a text table's column.
pub fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        s.chars()
            .take(n.saturating_sub(1))
            .chain(std::iter::once('…'))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::{count, truncate};

    #[test]
    fn names_are_cut_to_the_column_with_an_ellipsis() {
        assert_eq!(truncate("Ward 9", 6), "Ward 9");
        assert_eq!(truncate("Ward 10", 6), "Ward …");
        assert_eq!(truncate("Sluice – Bay 3", 8), "Sluice …");
        assert_eq!(truncate("", 3), "");
    }

    #[test]
    fn one_is_singular_and_every_other_count_plural() {
        assert_eq!(count(0, "radio", "radios"), "0 radios");
        assert_eq!(count(1, "radio", "radios"), "1 radio");
        assert_eq!(count(2, "radio", "radios"), "2 radios");
        assert_eq!(count(11, "criterion", "criteria"), "11 criteria");
        assert_eq!(count(1, "criterion", "criteria"), "1 criterion");
    }
}
