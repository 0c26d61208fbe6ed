//! Counts in words for what wisp prints: "1 radio", "3 radios", never "1 radios".

/// `n` followed by the singular or the plural noun, as English wants it (0 takes the plural).
/// Both forms are given because wisp's nouns do not all add an "s" ("criterion", "criteria").
pub fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

#[cfg(test)]
mod tests {
    use super::count;

    #[test]
    fn one_is_singular_and_every_other_count_plural() {
        assert_eq!(count(0, "radio", "radios"), "0 radios");
        assert_eq!(count(1, "radio", "radios"), "1 radio");
        assert_eq!(count(2, "radio", "radios"), "2 radios");
        assert_eq!(count(11, "criterion", "criteria"), "11 criteria");
        assert_eq!(count(1, "criterion", "criteria"), "1 criterion");
    }
}
