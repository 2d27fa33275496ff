//! `IntOrString` fields resolved as the controllers resolve them.

use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rounding {
    Down,
    Up,
}

/// A count or percentage as written, before it is resolved against a total.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Amount {
    Count(i32),
    Percent(i32),
}

impl Amount {
    /// None for a string that is not `N%` (the API server rejects those).
    pub fn parse(value: &IntOrString) -> Option<Amount> {
        match value {
            IntOrString::Int(n) => Some(Amount::Count(*n)),
            IntOrString::String(s) => {
                let s = s.trim();
                match s.strip_suffix('%') {
                    Some(p) => p.trim().parse().ok().map(Amount::Percent),
                    // The API server accepts a plain number in the string form too.
                    None => s.parse().ok().map(Amount::Count),
                }
            }
        }
    }

    /// As the Argo Rollouts controller reads it: through apimachinery's deprecated
    /// `GetValueFromIntOrPercent`, which takes every string for a percentage, `"3"` as 3%.
    pub fn parse_as_argo(value: &IntOrString) -> Option<Amount> {
        match value {
            IntOrString::Int(n) => Some(Amount::Count(*n)),
            IntOrString::String(s) => s.replace('%', "").trim().parse().ok().map(Amount::Percent),
        }
    }

    pub fn resolve(self, total: i32, rounding: Rounding) -> i32 {
        match self {
            Amount::Count(n) => n,
            Amount::Percent(p) => {
                let scaled = i64::from(p) * i64::from(total);
                let n = match rounding {
                    Rounding::Down => scaled.div_euclid(100),
                    Rounding::Up => (scaled + 99).div_euclid(100),
                };
                n.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32
            }
        }
    }

    pub fn is_zero(self) -> bool {
        matches!(self, Amount::Count(0) | Amount::Percent(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_round_as_controllers_do() {
        let p = |s: &str| Amount::parse(&IntOrString::String(s.into())).unwrap();
        assert_eq!(p("25%").resolve(3, Rounding::Down), 0);
        assert_eq!(p("25%").resolve(3, Rounding::Up), 1);
        assert_eq!(p("50%").resolve(4, Rounding::Up), 2);
        assert_eq!(p("100%").resolve(5, Rounding::Down), 5);
        assert_eq!(p("3").resolve(10, Rounding::Down), 3);
        assert!(Amount::parse(&IntOrString::String("lots".into())).is_none());
    }

    #[test]
    fn argo_reads_every_string_as_a_percentage() {
        let p = |s: &str| Amount::parse_as_argo(&IntOrString::String(s.into()));
        assert_eq!(p("25"), Some(Amount::Percent(25)));
        assert_eq!(p("25%"), Some(Amount::Percent(25)));
        assert_eq!(p("many"), None);
        assert_eq!(
            Amount::parse_as_argo(&IntOrString::Int(3)),
            Some(Amount::Count(3))
        );
    }
}
