//! Source positions of a parsed document, looked up by JSON pointer.

use super::Position;
use crate::pointer;

/// Position of one node. For a mapping entry it is the position of the key, which is where
/// a reader's eye goes (`replicas: 1` is found by `replicas`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpanNode {
    pub line: u32,
    pub column: u32,
    /// Length in characters of the key or scalar (1 for a collection).
    pub len: u32,
    pub children: Children,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Children {
    Leaf,
    Seq(Vec<SpanNode>),
    Map(Vec<(String, SpanNode)>),
}

/// Where a JSON pointer lands: the node itself, or its nearest existing parent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Located<'a> {
    pub node: &'a SpanNode,
    /// False when the pointer names a field that is absent and `node` is a parent.
    pub exact: bool,
}

impl SpanNode {
    pub fn position(&self) -> Position {
        Position {
            line: self.line,
            column: self.column,
        }
    }

    pub fn child(&self, segment: &str) -> Option<&SpanNode> {
        match &self.children {
            Children::Leaf => None,
            Children::Seq(items) => segment.parse::<usize>().ok().and_then(|i| items.get(i)),
            Children::Map(entries) => entries.iter().find(|(k, _)| k == segment).map(|(_, n)| n),
        }
    }

    pub fn locate(&self, ptr: &str) -> Located<'_> {
        let mut node = self;
        for segment in pointer::segments(ptr) {
            match node.child(&segment) {
                Some(next) => node = next,
                None => return Located { node, exact: false },
            }
        }
        Located { node, exact: true }
    }
}

#[cfg(test)]
mod tests {
    use crate::load::limits::Limits;
    use crate::load::yaml::{parse, SpanMode};

    #[test]
    fn pointer_lands_on_key_or_nearest_parent() {
        let text = "kind: Deployment\nspec:\n  template:\n    metadata:\n      annotations:\n        halint.io/ignore: x\n  selector: {}\n";
        let doc = parse(text, SpanMode::Record, &Limits::default())
            .documents
            .remove(0);
        let spans = doc.spans.unwrap();
        let hit = spans.locate("/spec/selector");
        assert!(hit.exact);
        assert_eq!((hit.node.line, hit.node.column, hit.node.len), (7, 3, 8));
        let miss = spans.locate("/spec/replicas");
        assert!(!miss.exact);
        assert_eq!(miss.node.line, 2);
        let escaped = spans.locate("/spec/template/metadata/annotations/halint.io~1ignore");
        assert!(escaped.exact);
        assert_eq!(escaped.node.line, 6);
    }
}
