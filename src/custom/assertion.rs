//! What a custom rule's selected values must be.

use regex::Regex;
use serde_json::Value;

#[derive(Debug, Clone)]
pub enum Assertion {
    /// The path selects at least one value (flagged at the path when it selects none).
    Exists,
    /// The path selects nothing (each value it selects is flagged).
    Absent,
    Equals(Value),
    OneOf(Vec<Value>),
    /// A number (or a numeric string, as `"3"`) of at least this.
    Min(f64),
    Max(f64),
    /// A string the regular expression matches (anchor it with ^ and $ for a whole match).
    Matches(Regex),
}

/// The assertion names, as the rule file writes them.
pub const NAMES: &[&str] = &[
    "exists", "absent", "equals", "oneOf", "min", "max", "matches",
];

impl Assertion {
    /// In words, for `halint explain`.
    pub fn describe(&self) -> String {
        match self {
            Assertion::Exists => "it selects something".to_string(),
            Assertion::Absent => "it selects nothing".to_string(),
            Assertion::Equals(v) => format!("each value equals {v}"),
            Assertion::OneOf(vs) => format!("each value is one of {}", Value::Array(vs.clone())),
            Assertion::Min(n) => format!("each value is a number of at least {n}"),
            Assertion::Max(n) => format!("each value is a number of at most {n}"),
            Assertion::Matches(re) => format!("each value is a string matching /{re}/"),
        }
    }

    /// Whether one selected value passes.
    pub fn holds(&self, value: &Value) -> bool {
        match self {
            Assertion::Exists => true,
            Assertion::Absent => false,
            Assertion::Equals(expected) => same(value, expected),
            Assertion::OneOf(allowed) => allowed.iter().any(|a| same(value, a)),
            Assertion::Min(min) => number(value).is_some_and(|n| n >= *min),
            Assertion::Max(max) => number(value).is_some_and(|n| n <= *max),
            Assertion::Matches(re) => value.as_str().is_some_and(|s| re.is_match(s)),
        }
    }
}

/// Numbers compare by value (`3` equals `3.0`); everything else structurally.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

fn number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn each_assertion() {
        assert!(Assertion::Equals(json!(3)).holds(&json!(3.0)));
        assert!(!Assertion::Equals(json!("3")).holds(&json!(3)));
        assert!(Assertion::OneOf(vec![json!("a"), json!("b")]).holds(&json!("b")));
        assert!(!Assertion::OneOf(vec![json!("a")]).holds(&json!("c")));
        assert!(Assertion::Min(2.0).holds(&json!(2)));
        assert!(Assertion::Min(2.0).holds(&json!("3")));
        assert!(!Assertion::Min(2.0).holds(&json!(1)));
        assert!(!Assertion::Min(2.0).holds(&json!("many")));
        assert!(Assertion::Max(5.0).holds(&json!(5)));
        assert!(!Assertion::Max(5.0).holds(&json!(6)));
        let re = Assertion::Matches(Regex::new("^[a-z]+$").unwrap());
        assert!(re.holds(&json!("web")));
        assert!(!re.holds(&json!("Web")));
        assert!(!re.holds(&json!(1)));
        assert!(!Assertion::Absent.holds(&json!(null)));
    }
}
