//! Exemptions: annotations that say a rule does not apply to an object, or to one of its
//! containers, with a reason and an end date that reports show.
//!
//! - `halint.io/ignore: "rule-a,rule-b"` (or `all`) on the object or its pod template;
//! - `halint.io/ignore-containers: "istio-proxy=liveness-probe,readiness-probe; linkerd-proxy=all"`
//!   on the same places: only findings under those containers (injected sidecars);
//! - `halint.io/ignore-reason: "..."` and `halint.io/ignore-until: YYYY-MM-DD` beside them;
//!   after that date the exemption lapses and the finding comes back, saying so;
//! - opt-in, the peers' annotations ([`Peer`]).

mod date;
mod peers;

use std::collections::BTreeSet;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Serialize;

pub use date::Date;
pub use peers::Peer;

use crate::objects::Object;
use crate::pointer;

pub const IGNORE: &str = "halint.io/ignore";
pub const IGNORE_CONTAINERS: &str = "halint.io/ignore-containers";
pub const IGNORE_REASON: &str = "halint.io/ignore-reason";
pub const IGNORE_UNTIL: &str = "halint.io/ignore-until";

const KUBE_LINTER_PREFIX: &str = "ignore-check.kube-linter.io/";
const KUBE_SCORE_IGNORE: &str = "kube-score/ignore";
const POLARIS_PREFIX: &str = "polaris.fairwinds.com/";
const POLARIS_ALL: &str = "polaris.fairwinds.com/exempt";

/// Why a finding was exempted, for reports (human, JSON, SARIF suppressions).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Exemption {
    /// The annotation that grants it (`halint.io/ignore`, `kube-score/ignore`, ...).
    pub annotation: String,
    /// JSON pointer of that annotation inside the object, so reports can show where it is.
    pub path: String,
    /// The container it is scoped to, for `halint.io/ignore-containers`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// `halint.io/ignore-until` as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
}

/// What the exemptions say about one finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Judgement<'a> {
    /// No exemption covers it.
    None,
    /// Exempted: reported only as suppressed.
    Exempt(&'a Exemption),
    /// Only exemptions that have lapsed (or whose end date is not a date) cover it.
    Lapsed(&'a Exemption),
}

enum Rules {
    All,
    Ids(BTreeSet<String>),
}

impl Rules {
    fn parse(list: &str) -> Rules {
        let ids: BTreeSet<String> = list
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        if ids.contains("all") {
            Rules::All
        } else {
            Rules::Ids(ids)
        }
    }

    fn covers(&self, rule: &str) -> bool {
        match self {
            Rules::All => true,
            Rules::Ids(ids) => ids.contains(rule),
        }
    }
}

struct Grant {
    exemption: Exemption,
    rules: Rules,
    /// Pointer prefixes (one per container of that name); None: the whole object.
    scope: Option<Vec<String>>,
    /// The last day it applies; Err: `ignore-until` is not a date, so it never applies.
    until: Option<Result<Date, ()>>,
}

impl Grant {
    fn in_scope(&self, path: &str) -> bool {
        self.scope.as_ref().is_none_or(|prefixes| {
            prefixes.iter().any(|p| {
                path.strip_prefix(p.as_str())
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
            })
        })
    }

    fn active(&self, today: Date) -> bool {
        match self.until {
            None => true,
            Some(Ok(until)) => today <= until,
            Some(Err(())) => false,
        }
    }
}

/// Every exemption an object carries.
pub struct Exemptions {
    grants: Vec<Grant>,
}

impl Exemptions {
    pub fn of(object: &Object, peers: &[Peer]) -> Exemptions {
        let mut grants = Vec::new();
        let template = object.pod_template();
        let mut places: Vec<(&ObjectMeta, String)> = vec![(object.metadata(), "/metadata".into())];
        if let Some(t) = template.filter(|t| !t.pointer.is_empty()) {
            if let Some(meta) = t.meta {
                places.push((meta, format!("{}/metadata", t.pointer)));
            }
        }
        for (meta, at) in places {
            let Some(annotations) = meta.annotations.as_ref() else {
                continue;
            };
            let path_of = |key: &str| pointer::join(&at, &["annotations", key]);
            let reason = annotations.get(IGNORE_REASON).cloned();
            let until_raw = annotations.get(IGNORE_UNTIL).cloned();
            let until = until_raw
                .as_deref()
                .map(|u| u.trim().parse::<Date>().map_err(|_| ()));
            let base = |annotation: &str| Exemption {
                annotation: annotation.to_string(),
                path: path_of(annotation),
                container: None,
                reason: reason.clone(),
                until: until_raw.clone(),
            };
            if let Some(list) = annotations.get(IGNORE) {
                grants.push(Grant {
                    exemption: base(IGNORE),
                    rules: Rules::parse(list),
                    scope: None,
                    until,
                });
            }
            if let Some(spec) = annotations.get(IGNORE_CONTAINERS) {
                for (container, list) in container_entries(spec) {
                    let prefixes = template
                        .map(|t| container_pointers(&t, container))
                        .unwrap_or_default();
                    grants.push(Grant {
                        exemption: Exemption {
                            container: Some(container.to_string()),
                            ..base(IGNORE_CONTAINERS)
                        },
                        rules: Rules::parse(list),
                        scope: Some(prefixes),
                        until,
                    });
                }
            }
            for peer in peers {
                peer_grants(*peer, annotations, &path_of, &reason, &mut grants);
            }
        }
        Exemptions { grants }
    }

    pub fn is_empty(&self) -> bool {
        self.grants.is_empty()
    }

    /// Whether a finding of `rule` at `path` is exempt on `today`.
    pub fn judge(&self, rule: &str, path: &str, today: Date) -> Judgement<'_> {
        let mut lapsed = None;
        for grant in &self.grants {
            if !grant.rules.covers(rule) || !grant.in_scope(path) {
                continue;
            }
            if grant.active(today) {
                return Judgement::Exempt(&grant.exemption);
            }
            lapsed.get_or_insert(&grant.exemption);
        }
        lapsed.map_or(Judgement::None, Judgement::Lapsed)
    }
}

/// `name=rules; name=rules` (or one `name: rules` per line).
fn container_entries(spec: &str) -> impl Iterator<Item = (&str, &str)> {
    spec.split([';', '\n']).filter_map(|entry| {
        let (name, rules) = entry.split_once(['=', ':'])?;
        let name = name.trim();
        (!name.is_empty()).then_some((name, rules))
    })
}

fn container_pointers(template: &crate::objects::PodTemplate<'_>, name: &str) -> Vec<String> {
    let spec = template.spec;
    let base = template.spec_pointer();
    let mut out = Vec::new();
    let lists: [(&str, Vec<&str>); 3] = [
        (
            "containers",
            spec.containers.iter().map(|c| c.name.as_str()).collect(),
        ),
        (
            "initContainers",
            spec.init_containers
                .iter()
                .flatten()
                .map(|c| c.name.as_str())
                .collect(),
        ),
        (
            "ephemeralContainers",
            spec.ephemeral_containers
                .iter()
                .flatten()
                .map(|c| c.name.as_str())
                .collect(),
        ),
    ];
    for (field, names) in lists {
        for (i, n) in names.iter().enumerate() {
            if *n == name {
                out.push(pointer::join(&base, &[field, &i.to_string()]));
            }
        }
    }
    out
}

fn peer_grants(
    peer: Peer,
    annotations: &std::collections::BTreeMap<String, String>,
    path_of: &dyn Fn(&str) -> String,
    reason: &Option<String>,
    grants: &mut Vec<Grant>,
) {
    let mut grant = |key: &str, rules: BTreeSet<String>, reason: Option<String>| {
        if rules.is_empty() {
            return;
        }
        grants.push(Grant {
            exemption: Exemption {
                annotation: key.to_string(),
                path: path_of(key),
                container: None,
                reason,
                until: None,
            },
            rules: Rules::Ids(rules),
            scope: None,
            until: None,
        });
    };
    let rules_of = |checks: &mut dyn Iterator<Item = &str>| -> BTreeSet<String> {
        checks
            .flat_map(|c| peer.rules_of(c))
            .map(str::to_string)
            .collect()
    };
    for (key, value) in annotations {
        match peer {
            Peer::KubeLinter => {
                if let Some(check) = key.strip_prefix(KUBE_LINTER_PREFIX) {
                    // kube-linter's convention: the value is the justification.
                    let why = Some(value.trim().to_string()).filter(|v| !v.is_empty());
                    grant(
                        key,
                        rules_of(&mut std::iter::once(check)),
                        why.or(reason.clone()),
                    );
                }
            }
            Peer::KubeScore => {
                if key == KUBE_SCORE_IGNORE {
                    grant(
                        key,
                        rules_of(&mut value.split(',').map(str::trim)),
                        reason.clone(),
                    );
                }
            }
            Peer::Polaris => {
                if !value.trim().eq_ignore_ascii_case("true") {
                    continue;
                }
                if key == POLARIS_ALL {
                    let all = peer.mapping().iter().map(|(_, r)| r.to_string()).collect();
                    grant(key, all, reason.clone());
                } else if let Some(check) = key
                    .strip_prefix(POLARIS_PREFIX)
                    .and_then(|k| k.strip_suffix("-exempt"))
                {
                    grant(key, rules_of(&mut std::iter::once(check)), reason.clone());
                }
            }
        }
    }
}
