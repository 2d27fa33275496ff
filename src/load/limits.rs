//! Bounds on what one input may cost. Each is far above any real manifest and far below what
//! would hurt a CI runner or the webhook.

#[derive(Debug, Clone)]
pub struct Limits {
    /// Bytes in one file (a larger file is reported, not read).
    pub max_file_bytes: u64,
    /// Documents in one file.
    pub max_documents: usize,
    /// Nesting of collections in one document (Kubernetes objects need about 15).
    pub max_depth: usize,
    /// Nodes that YAML aliases may add to one document (defuses "billion laughs").
    pub max_alias_nodes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 256 * 1024 * 1024,
            max_documents: 1_000_000,
            max_depth: 100,
            max_alias_nodes: 100_000,
        }
    }
}
