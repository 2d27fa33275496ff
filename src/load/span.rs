//! Source positions of a parsed document, looked up by JSON pointer.

use super::Position;
use crate::pointer;

/// Positions of one document's nodes. The nodes sit in one array and the mapping keys in
/// one string: recording a document's positions costs no allocation per node, and
/// dropping them two frees (the second pass records them for every document it reads).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpanTree {
    /// Every node, each collection's children side by side, the root last.
    nodes: Vec<SpanNode>,
    keys: String,
}

/// Position of one node. For a mapping entry it is the position of the key, which is where
/// a reader's eye goes (`replicas: 1` is found by `replicas`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpanNode {
    pub line: u32,
    pub column: u32,
    /// Length in characters of the key or scalar (1 for a collection).
    pub len: u32,
    children: Children,
    /// For an entry of a mapping, its key's bytes in [`SpanTree::keys`].
    key: (u32, u32),
}

/// A collection's children: `count` nodes from index `first`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Children {
    Leaf,
    Seq { first: u32, count: u32 },
    Map { first: u32, count: u32 },
}

/// Where a JSON pointer lands: the node itself, or its nearest existing parent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Located<'a> {
    pub node: &'a SpanNode,
    /// False when the pointer names a field that is absent and `node` is a parent.
    pub exact: bool,
}

/// Where a tree without nodes (never built so) lands every pointer.
static ORIGIN: SpanNode = SpanNode::leaf(Position { line: 1, column: 1 }, 1);

impl SpanNode {
    pub fn position(&self) -> Position {
        Position {
            line: self.line,
            column: self.column,
        }
    }

    /// A scalar or an alias.
    pub const fn leaf(at: Position, len: u32) -> SpanNode {
        SpanNode {
            line: at.line,
            column: at.column,
            len,
            children: Children::Leaf,
            key: (0, 0),
        }
    }
}

impl SpanTree {
    pub fn locate(&self, ptr: &str) -> Located<'_> {
        let mut node = self.nodes.last().unwrap_or(&ORIGIN);
        for segment in pointer::segments(ptr) {
            match self.child(node, &segment) {
                Some(next) => node = next,
                None => return Located { node, exact: false },
            }
        }
        Located { node, exact: true }
    }

    fn child(&self, node: &SpanNode, segment: &str) -> Option<&SpanNode> {
        let children = |first: u32, count: u32| {
            let first = first as usize;
            self.nodes
                .get(first..first + count as usize)
                .unwrap_or_default()
        };
        match node.children {
            Children::Leaf => None,
            Children::Seq { first, count } => {
                let i = segment.parse::<usize>().ok()?;
                children(first, count).get(i)
            }
            Children::Map { first, count } => children(first, count)
                .iter()
                .find(|n| self.key(n) == segment),
        }
    }

    fn key(&self, node: &SpanNode) -> &str {
        let (start, len) = (node.key.0 as usize, node.key.1 as usize);
        self.keys.get(start..start + len).unwrap_or_default()
    }
}

/// Builds a document's [`SpanTree`] from its nodes as a YAML event stream completes them:
/// children before their collection.
#[derive(Debug)]
pub struct SpanBuilder {
    tree: SpanTree,
    /// Completed nodes whose collection is still open, in order.
    open: Vec<SpanNode>,
}

impl Default for SpanBuilder {
    fn default() -> Self {
        SpanBuilder {
            tree: SpanTree {
                nodes: Vec::new(),
                keys: String::new(),
            },
            open: Vec::new(),
        }
    }
}

impl SpanBuilder {
    /// Forgets a document left unfinished (one that failed).
    pub fn clear(&mut self) {
        self.tree.nodes.clear();
        self.tree.keys.clear();
        self.open.clear();
    }

    /// Where the children of a collection opening now begin: give it back to [`close`].
    ///
    /// [`close`]: SpanBuilder::close
    pub fn mark(&self) -> usize {
        self.open.len()
    }

    /// A collection completed: its children are the nodes added since `mark`.
    pub fn close(&mut self, mark: usize, map: bool, at: Position) -> SpanNode {
        let first = self.tree.nodes.len() as u32;
        let count = self.open.len().saturating_sub(mark) as u32;
        self.tree
            .nodes
            .extend(self.open.drain(mark.min(self.open.len())..));
        let children = match map {
            true => Children::Map { first, count },
            false => Children::Seq { first, count },
        };
        SpanNode {
            children,
            ..SpanNode::leaf(at, 1)
        }
    }

    /// Adds a completed node to the sequence being read.
    pub fn item(&mut self, node: SpanNode) {
        self.open.push(node);
    }

    /// Adds a completed node to the mapping being read as the value of `key`, placed at
    /// the key.
    pub fn entry(&mut self, key: &str, at: Position, len: u32, value: SpanNode) {
        let start = self.tree.keys.len() as u32;
        self.tree.keys.push_str(key);
        self.open.push(SpanNode {
            line: at.line,
            column: at.column,
            len,
            children: value.children,
            key: (start, key.len() as u32),
        });
    }

    /// The document's root completed: its tree, and the builder ready for the next one.
    pub fn finish(&mut self, root: SpanNode) -> SpanTree {
        self.open.clear();
        self.tree.nodes.push(root);
        let next = SpanTree {
            nodes: Vec::with_capacity(self.tree.nodes.len()),
            keys: String::with_capacity(self.tree.keys.len()),
        };
        std::mem::replace(&mut self.tree, next)
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

    /// Every collection's children sit side by side in one array: positions under
    /// sequences, beside a merge key, at an alias, and in the document after a failed one
    /// land as they would alone.
    #[test]
    fn positions_hold_through_sequences_merges_aliases_and_failed_documents() {
        let text = "\
base: &base {a: 1}
list:
  - x
  - {k: v}
  - - deep
merged:
  <<: *base
  b: 2
again: *base
---
dup: 1
dup: 2
---
after:
  - one
";
        let parsed = parse(text, SpanMode::Record, &Limits::default());
        let at = |doc: usize, ptr: &str| {
            let spans = parsed.documents[doc].spans.as_ref().unwrap();
            let located = spans.locate(ptr);
            (located.node.line, located.node.column, located.exact)
        };
        assert_eq!(at(0, "/list/0"), (3, 5, true));
        assert_eq!(at(0, "/list/1/k"), (4, 6, true));
        assert_eq!(at(0, "/list/2/0"), (5, 7, true));
        assert_eq!(at(0, "/list/3"), (2, 1, false));
        assert_eq!(at(0, "/merged/b"), (8, 3, true));
        // Merged in: no key of its own, so the mapping that merged it.
        assert_eq!(at(0, "/merged/a"), (6, 1, false));
        assert_eq!(at(0, "/again"), (9, 1, true));
        // The second document fails on its duplicate key; the third reads as if alone.
        assert_eq!(parsed.documents.len(), 2);
        assert_eq!(parsed.documents[1].index, 2);
        assert_eq!(at(1, "/after/0"), (15, 5, true));
        assert_eq!(at(1, ""), (14, 1, true));
    }
}
