//! Searching a tree that is shown in its order (regions, categories). A search keeps each match's
//! ancestors, so that a match is still seen where it sits in the hierarchy.

use std::collections::{HashMap, HashSet};
use std::hash::Hash;

/// The nodes that match, each with its ancestors, in the order given. A node whose parent is
/// not among the nodes (out of the reader's sight) counts as a root.
pub fn matches_with_ancestors<T, K: Copy + Eq + Hash>(
    nodes: Vec<T>,
    id: impl Fn(&T) -> K,
    parent: impl Fn(&T) -> Option<K>,
    matches: impl Fn(&T) -> bool,
) -> Vec<T> {
    let parents: HashMap<K, Option<K>> = nodes.iter().map(|node| (id(node), parent(node))).collect();
    let mut kept = HashSet::new();
    for node in nodes.iter().filter(|node| matches(node)) {
        let mut next = Some(id(node));
        // Stops at a node already kept: its ancestors were kept with it.
        while let Some(current) = next.filter(|current| kept.insert(*current)) {
            next = parents.get(&current).copied().flatten();
        }
    }
    nodes.into_iter().filter(|node| kept.contains(&id(node))).collect()
}

/// Whether any of the texts holds the search, in any letter case of any script. An empty
/// search is held by every text.
pub fn text_matches(search: &str, texts: &[&str]) -> bool {
    let search = search.trim().to_lowercase();
    texts.iter().any(|text| text.to_lowercase().contains(&search))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (id, parent, name) in tree order.
    fn tree() -> Vec<(i64, Option<i64>, &'static str)> {
        vec![
            (1, None, "Russia"),
            (2, Some(1), "Central"),
            (3, Some(2), "Moscow"),
            (4, Some(2), "Tver"),
            (5, Some(1), "Volga"),
            (6, None, "China"),
            (7, Some(6), "Shanghai"),
        ]
    }

    fn search(text: &str) -> Vec<&'static str> {
        matches_with_ancestors(tree(), |n| n.0, |n| n.1, |n| text_matches(text, &[n.2]))
            .into_iter()
            .map(|n| n.2)
            .collect()
    }

    #[test]
    fn a_match_deep_in_the_tree_keeps_its_ancestors_and_nothing_else() {
        assert_eq!(search("mosc"), ["Russia", "Central", "Moscow"]);
    }

    #[test]
    fn matches_under_one_parent_keep_it_once_and_in_tree_order() {
        assert_eq!(search("v"), ["Russia", "Central", "Tver", "Volga"]);
    }

    #[test]
    fn a_matching_parent_does_not_bring_its_children() {
        assert_eq!(search("china"), ["China"]);
    }

    #[test]
    fn no_match_gives_an_empty_tree() {
        assert!(search("Paris").is_empty());
    }

    #[test]
    fn a_node_whose_parent_is_out_of_sight_stands_as_a_root() {
        let visible = vec![(3, Some(2), "Moscow"), (4, Some(2), "Tver")];
        let kept = matches_with_ancestors(visible, |n| n.0, |n| n.1, |n| text_matches("tver", &[n.2]));
        assert_eq!(kept, [(4, Some(2), "Tver")]);
    }

    #[test]
    fn letter_case_is_ignored_in_every_script() {
        assert!(text_matches("МОСК", &["Москва"]));
        assert!(text_matches("  shang ", &["SHANGHAI"]));
        assert!(text_matches("上海", &["Shanghai", "上海市"]));
        assert!(!text_matches("Тверь", &["Москва"]));
        assert!(text_matches(" ", &["Москва"]));
    }
}
