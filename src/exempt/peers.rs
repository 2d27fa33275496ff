//! The ignore annotations of the peers teams migrate from, and the halint rules each of
//! their checks matches. Honoured only when the config or `--peer-exemptions` asks.

use std::fmt;

/// A linter whose ignore annotations halint can honour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Peer {
    /// `ignore-check.kube-linter.io/<check>: "<reason>"`.
    KubeLinter,
    /// `kube-score/ignore: "<check>,<check>"`.
    KubeScore,
    /// `polaris.fairwinds.com/<check>-exempt: "true"`, `polaris.fairwinds.com/exempt: "true"`.
    Polaris,
}

impl Peer {
    pub const ALL: [Peer; 3] = [Peer::KubeLinter, Peer::KubeScore, Peer::Polaris];

    pub fn as_str(self) -> &'static str {
        match self {
            Peer::KubeLinter => "kube-linter",
            Peer::KubeScore => "kube-score",
            Peer::Polaris => "polaris",
        }
    }

    /// (peer check, halint rule) pairs: an exemption from the check exempts from the rule.
    pub fn mapping(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Peer::KubeLinter => KUBE_LINTER,
            Peer::KubeScore => KUBE_SCORE,
            Peer::Polaris => POLARIS,
        }
    }

    /// The halint rules a peer check maps to.
    pub fn rules_of(self, check: &str) -> impl Iterator<Item = &'static str> + '_ {
        self.mapping()
            .iter()
            .filter(move |(c, _)| *c == check)
            .map(|(_, rule)| *rule)
    }
}

impl fmt::Display for Peer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Peer {
    type Err = String;
    fn from_str(s: &str) -> Result<Peer, String> {
        Peer::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| {
                format!("unknown peer `{s}` (expected kube-linter, kube-score or polaris)")
            })
    }
}

/// kube-linter's check names (docs/generated/checks.md of stackrox/kube-linter).
const KUBE_LINTER: &[(&str, &str)] = &[
    ("minimum-three-replicas", "replicas"),
    ("no-anti-affinity", "anti-affinity"),
    ("no-liveness-probe", "liveness-probe"),
    ("no-readiness-probe", "readiness-probe"),
    ("liveness-port", "probe-port"),
    ("readiness-port", "probe-port"),
    ("startup-port", "probe-port"),
    ("pdb-max-unavailable", "pdb-blocking"),
    ("pdb-min-available", "pdb-blocking"),
    (
        "pdb-unhealthy-pod-eviction-policy",
        "pdb-unhealthy-eviction",
    ),
    ("no-rolling-update-strategy", "rolling-update"),
    ("hpa-minimum-three-replicas", "hpa-min-replicas"),
    ("latest-tag", "image-pull-always"),
    ("unset-cpu-requirements", "resource-requests"),
    ("unset-memory-requirements", "resource-requests"),
    ("dangling-service", "service-selector"),
    ("dangling-horizontalpodautoscaler", "hpa-target"),
];

/// kube-score's check ids (README_CHECKS.md of zegl/kube-score).
const KUBE_SCORE: &[(&str, &str)] = &[
    ("deployment-replicas", "replicas"),
    ("deployment-has-host-podantiaffinity", "anti-affinity"),
    ("statefulset-has-host-podantiaffinity", "anti-affinity"),
    ("pod-probes", "liveness-probe"),
    ("pod-probes", "readiness-probe"),
    ("pod-probes-identical", "probe-identical"),
    ("deployment-has-poddisruptionbudget", "pdb-missing"),
    ("statefulset-has-poddisruptionbudget", "pdb-missing"),
    ("poddisruptionbudget-has-policy", "pdb-selector"),
    ("deployment-strategy", "rolling-update"),
    ("horizontalpodautoscaler-replicas", "hpa-min-replicas"),
    ("horizontalpodautoscaler-has-target", "hpa-target"),
    ("container-image-tag", "image-pull-always"),
    ("container-resources", "resource-requests"),
    ("service-targets-pod", "service-selector"),
    ("statefulset-has-servicename", "statefulset-service"),
];

/// Polaris's check ids (checks/*.yaml of FairwindsOps/polaris). `exempt` (all checks) is
/// handled apart: it covers every rule in this table.
const POLARIS: &[(&str, &str)] = &[
    ("deploymentMissingReplicas", "replicas"),
    ("livenessProbeMissing", "liveness-probe"),
    ("readinessProbeMissing", "readiness-probe"),
    ("missingPodDisruptionBudget", "pdb-missing"),
    ("pdbDisruptionsIsZero", "pdb-blocking"),
    ("pdbMinAvailableGreaterThanHPAMinReplicas", "pdb-blocking"),
    ("hpaMinAvailability", "hpa-min-replicas"),
    ("topologySpreadConstraint", "zone-spread"),
    ("priorityClassNotSet", "priority-class"),
    ("tagNotSpecified", "image-pull-always"),
    ("cpuRequestsMissing", "resource-requests"),
    ("memoryRequestsMissing", "resource-requests"),
];
