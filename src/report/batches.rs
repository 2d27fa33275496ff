//! A long list rendered on every core, a batch at a time, and written in order: a large
//! report is neither held rendered nor written on one core.

use std::io;

use rayon::prelude::*;

/// Items rendered per batch: enough to keep every core busy, few enough that a large
/// report is never held rendered.
pub(super) const BATCH: usize = 1024;

/// Each item as `render` makes it, handed to `write` in the items' order.
pub fn rendered_in_order<'a, T: Sync, R: Send>(
    items: &'a [T],
    render: impl Fn(&'a T) -> io::Result<R> + Sync,
    mut write: impl FnMut(&'a T, R) -> io::Result<()>,
) -> io::Result<()> {
    for batch in items.chunks(BATCH) {
        let rendered: Vec<R> = batch.par_iter().map(&render).collect::<io::Result<_>>()?;
        for (item, rendered) in batch.iter().zip(rendered) {
            write(item, rendered)?;
        }
    }
    Ok(())
}
