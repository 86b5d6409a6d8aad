//! Exercises for a class (`backprop exercise`, `backprop grade`): each student's own network,
//! drawn from their name with friendly numbers, so that no two students can copy one
//! another's answers (nor the article's), and every answer can still be graded by `verify`.
//!
//! - [`slug`] and [`seed_of`]: a student's name as a file name, and as the seed of their
//!   network, the same on every machine and in every version.

/// A student's name as the stem of their files (`Alice Martin` → `alice-martin`, `王小明`
/// stays `王小明`): lower case, every run of characters that are neither letters nor digits
/// one `-`, none at either end. `None` for a name with no letter or digit.
///
/// The worksheets and keys `exercise --class` writes, and the submissions `grade` matches to
/// them, are named by it: `alice-martin.json` in the keys folder is graded against
/// `alice-martin.csv` (or `Alice Martin.csv`) in the submissions folder.
pub fn slug(name: &str) -> Option<String> {
    let mut out = String::with_capacity(name.len());
    let mut gap = false;
    for c in name.chars() {
        if c.is_alphanumeric() {
            if gap && !out.is_empty() {
                out.push('-');
            }
            gap = false;
            out.extend(c.to_lowercase());
        } else {
            gap = true;
        }
    }
    (!out.is_empty()).then_some(out)
}

/// The seed of a student's exercise: FNV-1a (64 bits) of their [`slug`]'s UTF-8 bytes, cut to
/// nine digits to be short enough to type (`--seed`), so `Alice`, `alice` and ` alice ` get
/// the same network. Written out here rather than taken from the standard library, whose
/// hasher may change between Rust versions: a student's exercise must not.
pub fn seed_of(name: &str) -> Option<u64> {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let slug = slug(name)?;
    let hash = slug
        .bytes()
        .fold(OFFSET, |h, b| (h ^ u64::from(b)).wrapping_mul(PRIME));
    Some(hash % 1_000_000_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slug("Alice Martin").as_deref(), Some("alice-martin"));
        assert_eq!(
            slug("  J. O'Neil--Smith ").as_deref(),
            Some("j-o-neil-smith")
        );
        assert_eq!(slug("王小明").as_deref(), Some("王小明"));
        assert_eq!(slug("Zoë_2").as_deref(), Some("zoë-2"));
        assert_eq!(slug(" -- "), None);
    }

    #[test]
    fn seeds_are_pinned() {
        // If these change, every worksheet handed out gives another network than its key.
        assert_eq!(seed_of("alice"), seed_of(" Alice "));
        assert_ne!(seed_of("alice"), seed_of("bob"));
        assert_eq!(seed_of("alice"), Some(149_266_183));
        assert_eq!(seed_of(""), None);
    }
}
