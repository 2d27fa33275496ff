//! Reading a YAML document by hand, field by field, so that every mistake is reported at
//! its line and column. serde's errors carry no position for a `serde_json::Value`, and a
//! config or rule mistake must never pass silently.

use serde_json::{Map, Value};

use crate::load::span::SpanTree;
use crate::load::yaml::{self, SpanMode};
use crate::load::{InputError, Limits, Position};
use crate::pointer;

/// One parsed file and the errors found in it so far.
pub(crate) struct Doc {
    pub file: String,
    spans: Option<SpanTree>,
    start: Position,
    pub errors: Vec<InputError>,
}

impl Doc {
    /// Parses `text`, which must hold at most one document. `None` (with the errors in
    /// `Err`) when it is not YAML.
    pub fn parse(file: &str, text: &str) -> Result<(Doc, Option<Value>), Vec<InputError>> {
        let mut parsed = yaml::parse(text, SpanMode::Record, &Limits::default());
        let fail = |position: Position, message: String| InputError {
            file: file.to_string(),
            position: Some(position),
            message,
        };
        if !parsed.errors.is_empty() {
            return Err(parsed
                .errors
                .into_iter()
                .map(|e| fail(e.position, e.message))
                .collect());
        }
        if let Some(second) = parsed.documents.get(1) {
            return Err(vec![fail(
                second.position,
                "a second YAML document; this file holds one".to_string(),
            )]);
        }
        let mut doc = Doc {
            file: file.to_string(),
            spans: None,
            start: Position::new(1, 1),
            errors: Vec::new(),
        };
        let Some(first) = parsed.documents.pop() else {
            return Ok((doc, None));
        };
        doc.spans = first.spans;
        doc.start = first.position;
        Ok((doc, Some(first.value)))
    }

    pub fn position(&self, ptr: &str) -> Position {
        self.spans
            .as_ref()
            .map_or(self.start, |s| s.locate(ptr).node.position())
    }

    pub fn error(&mut self, ptr: &str, message: impl Into<String>) {
        let position = self.position(ptr);
        self.errors.push(InputError {
            file: self.file.clone(),
            position: Some(position),
            message: message.into(),
        });
    }

    /// The mapping at `ptr`, or an error naming what was expected.
    pub fn map<'v>(
        &mut self,
        value: &'v Value,
        ptr: &str,
        what: &str,
    ) -> Option<&'v Map<String, Value>> {
        match value {
            Value::Object(map) => Some(map),
            other => {
                self.error(
                    ptr,
                    format!("{what} must be a mapping, not {}", describe(other)),
                );
                None
            }
        }
    }

    pub fn string<'v>(&mut self, value: &'v Value, ptr: &str, what: &str) -> Option<&'v str> {
        match value {
            Value::String(s) => Some(s),
            other => {
                self.error(
                    ptr,
                    format!("{what} must be a string, not {}", describe(other)),
                );
                None
            }
        }
    }

    pub fn bool(&mut self, value: &Value, ptr: &str, what: &str) -> Option<bool> {
        match value {
            Value::Bool(b) => Some(*b),
            other => {
                self.error(
                    ptr,
                    format!("{what} must be true or false, not {}", describe(other)),
                );
                None
            }
        }
    }

    /// A list of strings; a single string is not accepted, so that `kinds: Deployment`
    /// is caught rather than read as one letter per kind.
    pub fn strings(
        &mut self,
        value: &Value,
        ptr: &str,
        what: &str,
    ) -> Option<Vec<(String, String)>> {
        let Value::Array(items) = value else {
            self.error(
                ptr,
                format!("{what} must be a list of strings, not {}", describe(value)),
            );
            return None;
        };
        let mut out = Vec::new();
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            let item_ptr = pointer::join(ptr, &[i.to_string()]);
            match self.string(item, &item_ptr, what) {
                Some(s) => out.push((s.to_string(), item_ptr)),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    /// Reports every key of `map` that is not in `known`.
    pub fn only_keys(&mut self, map: &Map<String, Value>, ptr: &str, what: &str, known: &[&str]) {
        for key in map.keys() {
            if !known.contains(&key.as_str()) {
                let at = pointer::join(ptr, &[key]);
                self.error(
                    &at,
                    format!(
                        "unknown key `{key}` in {what} (expected {})",
                        known.join(", ")
                    ),
                );
            }
        }
    }

    /// The errors, or `ok` when there were none.
    pub fn finish<T>(self, ok: T) -> Result<T, Vec<InputError>> {
        if self.errors.is_empty() {
            Ok(ok)
        } else {
            Err(self.into_errors())
        }
    }

    /// The errors in the order of the file: fields are checked in the code's order, and
    /// a mapping's keys come sorted.
    pub fn into_errors(mut self) -> Vec<InputError> {
        self.errors.sort_by_key(|e| e.position);
        self.errors
    }
}

/// What kind of YAML value this is, for messages.
pub(crate) fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".to_string(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("the string `{s}`"),
        Value::Array(_) => "a list".to_string(),
        Value::Object(_) => "a mapping".to_string(),
    }
}

/// `file:line:col: message`, the shape editors and terminals turn into links.
pub fn display(error: &InputError) -> String {
    match error.position {
        Some(p) => format!("{}:{}:{}: {}", error.file, p.line, p.column, error.message),
        None => format!("{}: {}", error.file, error.message),
    }
}
