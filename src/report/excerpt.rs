//! A file's text as miette reads it, cut to the lines a snippet shows. miette finds a
//! span's line by scanning its source from the start, so handing it the whole file made
//! every snippet cost the file's length, and the report of a large file quadratic.

use std::sync::Arc;

use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

/// Where each line of a file starts: built once per file, searched per snippet.
pub struct Lines {
    text: Arc<str>,
    starts: Vec<usize>,
}

impl Lines {
    pub fn new(text: &str) -> Lines {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Lines {
            text: Arc::from(text),
            starts,
        }
    }

    /// 0-based line of a byte offset.
    fn line_of(&self, offset: usize) -> usize {
        self.starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1)
    }

    fn start_of(&self, line: usize) -> usize {
        self.starts.get(line).copied().unwrap_or(self.text.len())
    }

    /// The lines around the spans, `context` lines more on each side than the snippet
    /// shows.
    pub fn excerpt(&self, name: &str, spans: &[(usize, usize)], context: usize) -> Excerpt {
        let first = spans.iter().map(|s| s.0).min().unwrap_or(0);
        let last = spans.iter().map(|s| s.0 + s.1).max().unwrap_or(0);
        let first_line = self.line_of(first).saturating_sub(context);
        let end_line = self.line_of(last) + context + 1;
        Excerpt {
            name: name.to_string(),
            text: Arc::clone(&self.text),
            start: self.start_of(first_line),
            end: self.start_of(end_line),
            first_line,
        }
    }
}

#[derive(Debug)]
pub struct Excerpt {
    name: String,
    text: Arc<str>,
    start: usize,
    end: usize,
    first_line: usize,
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let offset = span
            .offset()
            .checked_sub(self.start)
            .ok_or(MietteError::OutOfBounds)?;
        let window = &self.text[self.start..self.end];
        let local = window.read_span(
            &SourceSpan::new(offset.into(), span.len()),
            context_lines_before,
            context_lines_after,
        )?;
        // Back to the file's coordinates: offsets and line numbers as if miette had the
        // whole text.
        let span = SourceSpan::new(
            (local.span().offset() + self.start).into(),
            local.span().len(),
        );
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            local.data(),
            span,
            local.line() + self.first_line,
            local.column(),
            // miette counts the lines it scanned from the start of the source (and merges
            // two labels' snippets by it): count the lines before the window too.
            local.line_count() + self.first_line,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_excerpt_reads_like_the_whole_text() {
        let text: String = (1..=40).map(|i| format!("line {i}: value\n")).collect();
        let lines = Lines::new(&text);
        let at = text.find("line 20:").unwrap();
        let span = SourceSpan::new(at.into(), 7);
        let excerpt = lines.excerpt("f.yaml", &[(at, 7)], 3);
        let whole = text.as_str().read_span(&span, 2, 2).unwrap();
        let part = excerpt.read_span(&span, 2, 2).unwrap();
        assert_eq!(part.data(), whole.data());
        assert_eq!(part.span(), whole.span());
        assert_eq!(part.line(), whole.line());
        assert_eq!(part.column(), whole.column());
        assert_eq!(part.line_count(), whole.line_count());
        assert_eq!(part.name(), Some("f.yaml"));
        // Near the start and the end of the file, the context is cut as it would be.
        for needle in ["line 1:", "line 40:"] {
            let at = text.find(needle).unwrap();
            let span = SourceSpan::new(at.into(), 4);
            let whole = text.as_str().read_span(&span, 2, 2).unwrap();
            let excerpt = lines.excerpt("f", &[(at, 4)], 3);
            let part = excerpt.read_span(&span, 2, 2).unwrap();
            assert_eq!(part.data(), whole.data());
            assert_eq!(part.line(), whole.line());
        }
    }
}
