//! Prometheus metrics, served at `/metrics` in the text exposition format.

use std::fmt::Write as _;

use prometheus_client::encoding::{EncodeLabelSet, EncodeLabelValue, LabelValueEncoder};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

/// What the webhook answered.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
pub enum Outcome {
    /// Judged, nothing found.
    Allowed,
    /// Judged, allowed with warnings.
    Warned,
    /// Judged, denied.
    Denied,
    /// Not judged: DELETE/CONNECT, a kind or subresource halint has no rules for, or a
    /// namespace that opted out.
    Skipped,
    /// Allowed because halint could not read the object (see the README).
    Unreadable,
    /// Allowed unchecked: the engine panicked.
    Failed,
    /// Allowed unchecked: no decision within the deadline.
    TimedOut,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Allowed => "allowed",
            Self::Warned => "warned",
            Self::Denied => "denied",
            Self::Skipped => "skipped",
            Self::Unreadable => "unreadable",
            Self::Failed => "failed",
            Self::TimedOut => "timed_out",
        }
    }
}

impl EncodeLabelValue for Outcome {
    fn encode(&self, encoder: &mut LabelValueEncoder<'_>) -> Result<(), std::fmt::Error> {
        encoder.write_str(self.as_str())
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    kind: String,
    operation: String,
    decision: Outcome,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct FindingLabels {
    rule: String,
    severity: String,
    /// `deny` when the finding denied the request, `warn` when it went back as a warning.
    action: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabels {
    kind: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StatusLabels {
    status: u16,
}

pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    findings: Family<FindingLabels, Counter>,
    latency: Histogram,
    cache_objects: Family<KindLabels, Gauge>,
    cache_synced: Family<KindLabels, Gauge>,
    http_errors: Family<StatusLabels, Counter>,
    cert_reloads: Counter,
    engine_panics: Counter,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("halint_webhook");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "admission_requests",
            "AdmissionReview requests by object kind, operation and decision",
            requests.clone(),
        );
        let findings = Family::<FindingLabels, Counter>::default();
        registry.register(
            "findings",
            "Findings reported by rule, severity and action (deny or warn)",
            findings.clone(),
        );
        // 50 µs .. ~1.6 s: admission decisions take tens of microseconds; anything
        // near a second is a problem worth seeing in its own bucket.
        let latency = Histogram::new(exponential_buckets(0.000_05, 2.0, 16));
        registry.register(
            "admission_duration_seconds",
            "Time from a complete request body to the response, per admission",
            latency.clone(),
        );
        let cache_objects = Family::<KindLabels, Gauge>::default();
        registry.register(
            "cache_objects",
            "Objects held in the cluster cache, by kind",
            cache_objects.clone(),
        );
        let cache_synced = Family::<KindLabels, Gauge>::default();
        registry.register(
            "cache_synced",
            "1 when the cache of that kind finished its initial list",
            cache_synced.clone(),
        );
        let http_errors = Family::<StatusLabels, Counter>::default();
        registry.register(
            "http_errors",
            "Requests answered with an HTTP error status (not an AdmissionReview response)",
            http_errors.clone(),
        );
        let cert_reloads = Counter::default();
        registry.register(
            "certificate_reloads",
            "Times a rotated serving certificate was loaded",
            cert_reloads.clone(),
        );
        let engine_panics = Counter::default();
        registry.register(
            "engine_panics",
            "Admission requests allowed unchecked because a rule panicked",
            engine_panics.clone(),
        );
        Self {
            registry,
            requests,
            findings,
            latency,
            cache_objects,
            cache_synced,
            http_errors,
            cert_reloads,
            engine_panics,
        }
    }

    pub fn admission(&self, kind: &str, operation: &str, decision: Outcome, seconds: f64) {
        self.requests
            .get_or_create(&RequestLabels {
                kind: kind.to_owned(),
                operation: operation.to_owned(),
                decision,
            })
            .inc();
        self.latency.observe(seconds);
    }

    pub fn finding(&self, rule: &str, severity: &str, denied: bool) {
        self.findings
            .get_or_create(&FindingLabels {
                rule: rule.to_owned(),
                severity: severity.to_owned(),
                action: if denied { "deny" } else { "warn" }.to_owned(),
            })
            .inc();
    }

    pub fn http_error(&self, status: u16) {
        self.http_errors
            .get_or_create(&StatusLabels { status })
            .inc();
    }

    pub fn engine_panic(&self) {
        self.engine_panics.inc();
    }

    pub fn cert_reloaded(&self) {
        self.cert_reloads.inc();
    }

    pub fn cache(&self, kind: &str, objects: usize, synced: bool) {
        let labels = KindLabels {
            kind: kind.to_owned(),
        };
        self.cache_objects
            .get_or_create(&labels)
            .set(i64::try_from(objects).unwrap_or(i64::MAX));
        self.cache_synced
            .get_or_create(&labels)
            .set(i64::from(synced));
    }

    /// The registry in the Prometheus/OpenMetrics text format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}
