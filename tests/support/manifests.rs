//! Structure-aware generators for the property tests: Kubernetes-shaped objects whose
//! fields sometimes hold the wrong type, written out as YAML with random YAML features
//! (flow and block styles, quoting, anchors and aliases, comments, document markers)
//! and sometimes damaged. Shared by the engine's and the webhook's property suites.

#![allow(dead_code)] // each suite uses part of this

use proptest::prelude::*;
use serde_json::{json, Map, Value};

/// The suites' config: `default` cases unless PROPTEST_CASES says otherwise, and no
/// failure files written into the source tree.
pub fn cases(default: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Any small JSON value: what a field of the wrong type may hold.
pub fn wild() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (-1e20f64..1e20).prop_map(Value::from),
        Just(json!(u64::MAX)),
        "[a-zA-Z0-9%:/._ -]{0,12}".prop_map(Value::from),
        Just(json!("50%")),
        Just(json!("")),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map("[a-z]{1,6}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A plausible value most of the time, a wild one sometimes.
fn or_wild(plausible: impl Strategy<Value = Value> + 'static) -> BoxedStrategy<Value> {
    prop_oneof![12 => plausible, 1 => wild()].boxed()
}

fn labels() -> BoxedStrategy<Value> {
    or_wild(
        prop::collection::btree_map(
            prop_oneof![Just("app".to_owned()), "[a-z]{1,5}"],
            prop_oneof![Just("web".to_owned()), "[a-z0-9]{0,5}"],
            0..3,
        )
        .prop_map(|m| json!(m)),
    )
}

fn probe() -> BoxedStrategy<Value> {
    or_wild(
        (
            prop_oneof![Just("/healthz"), Just("/ready")],
            prop_oneof![Just(json!(8080)), Just(json!("http")), wild()],
            0..30i64,
        )
            .prop_map(|(path, port, period)| {
                json!({"httpGet": {"path": path, "port": port}, "periodSeconds": period})
            }),
    )
}

fn container() -> BoxedStrategy<Value> {
    (
        or_wild("[a-z]{1,6}".prop_map(Value::from)),
        or_wild("[a-z/]{1,10}(:[a-z0-9.]{1,5})?".prop_map(Value::from)),
        prop::option::of(probe()),
        prop::option::of(probe()),
        prop::option::of(probe()),
        prop::option::of(or_wild(Just(
            json!({"requests": {"cpu": "100m", "memory": "64Mi"}}),
        ))),
        prop::option::of(or_wild(Just(
            json!([{"containerPort": 8080, "name": "http"}]),
        ))),
    )
        .prop_map(|(name, image, live, ready, start, resources, ports)| {
            let mut c = Map::new();
            c.insert("name".into(), name);
            c.insert("image".into(), image);
            for (k, v) in [
                ("livenessProbe", live),
                ("readinessProbe", ready),
                ("startupProbe", start),
                ("resources", resources),
                ("ports", ports),
            ] {
                if let Some(v) = v {
                    c.insert(k.into(), v);
                }
            }
            Value::Object(c)
        })
        .boxed()
}

fn pod_template() -> BoxedStrategy<Value> {
    or_wild(
        (
            labels(),
            or_wild(prop::collection::vec(container(), 0..3).prop_map(Value::from)),
            prop::option::of(or_wild(Just(json!({"podAntiAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": [{
                    "topologyKey": "kubernetes.io/hostname",
                    "labelSelector": {"matchLabels": {"app": "web"}}}]}})))),
            prop::option::of(or_wild(Just(json!([{
                "maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone",
                "whenUnsatisfiable": "DoNotSchedule",
                "labelSelector": {"matchLabels": {"app": "web"}}}])))),
        )
            .prop_map(|(labels, containers, affinity, spread)| {
                let mut spec = Map::new();
                spec.insert("containers".into(), containers);
                if let Some(a) = affinity {
                    spec.insert("affinity".into(), a);
                }
                if let Some(s) = spread {
                    spec.insert("topologySpreadConstraints".into(), s);
                }
                json!({"metadata": {"labels": labels}, "spec": spec})
            }),
    )
}

fn selector() -> BoxedStrategy<Value> {
    or_wild(labels().prop_map(|l| json!({"matchLabels": l})))
}

fn metadata(kind: &str) -> BoxedStrategy<Value> {
    let kind = kind.to_owned();
    (
        or_wild("[a-z][a-z0-9-]{0,8}".prop_map(Value::from)),
        prop::option::of(or_wild(Just(json!("shop")))),
        labels(),
        prop::option::of(or_wild(
            prop_oneof![
                Just(json!({"halint.io/ignore": "replicas"})),
                Just(json!({"halint.io/ignore": "all"})),
                Just(json!({"halint.io/ignore": ",,nope"})),
            ]
            .boxed(),
        )),
        any::<bool>(),
    )
        .prop_map(move |(name, namespace, labels, annotations, owned)| {
            let mut m = Map::new();
            m.insert("name".into(), name);
            if let Some(ns) = namespace {
                m.insert("namespace".into(), ns);
            }
            m.insert("labels".into(), labels);
            if let Some(a) = annotations {
                m.insert("annotations".into(), a);
            }
            if owned && kind == "ReplicaSet" {
                m.insert(
                    "ownerReferences".into(),
                    json!([{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web",
                            "uid": "u", "controller": true}]),
                );
            }
            Value::Object(m)
        })
        .boxed()
}

/// A kind and the apiVersion that goes with it (sometimes the wrong one).
fn kind() -> impl Strategy<Value = (String, Value)> {
    let pairs = [
        ("Deployment", "apps/v1"),
        ("StatefulSet", "apps/v1"),
        ("DaemonSet", "apps/v1"),
        ("ReplicaSet", "apps/v1"),
        ("PodDisruptionBudget", "policy/v1"),
        ("HorizontalPodAutoscaler", "autoscaling/v2"),
        ("HorizontalPodAutoscaler", "autoscaling/v1"),
        ("Service", "v1"),
        ("Pod", "v1"),
        ("ConfigMap", "v1"),
        ("PersistentVolumeClaim", "v1"),
        ("Ingress", "networking.k8s.io/v1"),
        ("Widget", "example.com/v1"),
        ("List", "v1"),
    ];
    (
        prop::sample::select(pairs.to_vec()),
        prop_oneof![9 => Just(None), 1 => wild().prop_map(Some)],
    )
        .prop_map(|((kind, api), wrong)| (kind.to_owned(), wrong.unwrap_or(json!(api))))
}

fn spec(kind: &str) -> BoxedStrategy<Value> {
    match kind {
        "Deployment" | "StatefulSet" | "ReplicaSet" | "DaemonSet" => (
            prop::option::of(or_wild((0..6i64).prop_map(Value::from))),
            selector(),
            pod_template(),
            prop::option::of(or_wild(Just(json!({"type": "RollingUpdate",
                "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": 1}})))),
            prop::option::of(or_wild(Just(json!("web")))),
            prop::option::of(or_wild(Just(json!([{"metadata": {"name": "data"},
                "spec": {"accessModes": ["ReadWriteOnce"]}}])))),
        )
            .prop_map(|(replicas, selector, template, strategy, service, claims)| {
                let mut s = Map::new();
                if let Some(r) = replicas {
                    s.insert("replicas".into(), r);
                }
                s.insert("selector".into(), selector);
                s.insert("template".into(), template);
                if let Some(st) = strategy {
                    s.insert("strategy".into(), st);
                }
                if let Some(svc) = service {
                    s.insert("serviceName".into(), svc);
                }
                if let Some(c) = claims {
                    s.insert("volumeClaimTemplates".into(), c);
                }
                Value::Object(s)
            })
            .boxed(),
        "PodDisruptionBudget" => (
            selector(),
            prop_oneof![
                Just(json!({"minAvailable": 1})),
                Just(json!({"minAvailable": "100%"})),
                Just(json!({"maxUnavailable": 0})),
                Just(json!({"maxUnavailable": "0%"})),
                Just(json!({"minAvailable": 1, "maxUnavailable": 1})),
                wild(),
            ],
        )
            .prop_map(|(selector, budget)| {
                let mut s = match budget {
                    Value::Object(m) => m,
                    other => Map::from_iter([("minAvailable".to_owned(), other)]),
                };
                s.insert("selector".into(), selector);
                Value::Object(s)
            })
            .boxed(),
        "HorizontalPodAutoscaler" => (
            or_wild((0..5i64).prop_map(Value::from)),
            or_wild((0..10i64).prop_map(Value::from)),
            or_wild(Just(
                json!({"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}),
            )),
        )
            .prop_map(|(min, max, target)| {
                json!({"minReplicas": min, "maxReplicas": max, "scaleTargetRef": target})
            })
            .boxed(),
        "Service" => or_wild(
            (labels(), prop_oneof![Just("ClusterIP"), Just("LoadBalancer")])
                .prop_map(|(selector, ty)| json!({"selector": selector, "type": ty})),
        ),
        _ => wild().boxed(),
    }
}

/// A Kubernetes-shaped object, sometimes with fields of the wrong type or missing.
pub fn object() -> impl Strategy<Value = Value> {
    kind()
        .prop_flat_map(|(kind, api)| {
            (
                Just(kind.clone()),
                Just(api),
                metadata(&kind),
                spec(&kind),
                prop::collection::vec(0..6usize, 0..2),
            )
        })
        .prop_map(|(kind, api, metadata, spec, dropped)| {
            let mut o = Map::new();
            o.insert("apiVersion".into(), api);
            o.insert("kind".into(), json!(kind));
            o.insert("metadata".into(), metadata);
            if kind == "List" {
                o.insert("items".into(), json!([spec]));
            } else {
                o.insert("spec".into(), spec);
            }
            // Now and then a top-level field is missing altogether.
            for d in dropped {
                let key = ["apiVersion", "kind", "metadata", "spec", "items", "none"][d];
                o.remove(key);
            }
            Value::Object(o)
        })
}

/// Choices for the YAML writer, consumed in turn.
#[derive(Debug, Clone)]
pub struct Style {
    picks: Vec<u8>,
    anchors: bool,
    /// Block scalars and directives too; without them, and without anchors, what is
    /// left is mostly what the reader of plain YAML reads.
    block_scalars: bool,
}

impl Style {
    pub fn new(picks: Vec<u8>) -> Self {
        Style {
            picks,
            anchors: true,
            block_scalars: true,
        }
    }

    /// Without anchors, aliases and merge keys: text the CLI's skimming reads.
    pub fn without_anchors(picks: Vec<u8>) -> Self {
        Style {
            picks,
            anchors: false,
            block_scalars: true,
        }
    }

    /// Without anchors, block scalars and directives: text the reader of plain YAML
    /// reads, where its scalars allow.
    pub fn plain(picks: Vec<u8>) -> Self {
        Style {
            picks,
            anchors: false,
            block_scalars: false,
        }
    }

    fn pick(&mut self, n: u8) -> u8 {
        let b = self.picks.pop().unwrap_or(0);
        self.picks.insert(0, b.rotate_left(3));
        b % n
    }
}

/// Writes documents as YAML with varied syntax: block or flow collections, plain,
/// quoted or block scalars, anchors with aliases, comments, `---` and `...` markers.
pub fn to_yaml(documents: &[Value], style: &mut Style) -> String {
    let mut out = String::new();
    let directive = style.pick(3) == 0 && style.block_scalars;
    if directive {
        out.push_str("%YAML 1.2\n");
    }
    for (i, doc) in documents.iter().enumerate() {
        if i > 0 || directive || style.pick(2) == 0 {
            out.push_str("---");
            if style.pick(3) == 0 {
                out.push_str(" # next");
            }
            out.push('\n');
        }
        let mut anchors = Vec::new();
        block(doc, 0, style, &mut anchors, &mut out);
        if style.pick(6) == 0 {
            out.push_str("...\n");
        }
    }
    out
}

fn scalar(v: &Value, style: &mut Style) -> String {
    match v {
        Value::String(s) => match style.pick(4) {
            0 => format!("'{}'", s.replace('\'', "''")),
            1 => serde_json::to_string(s).unwrap(),
            _ if s.is_empty() || s.contains([':', '#', '%', ' ']) || s.parse::<f64>().is_ok() => {
                serde_json::to_string(s).unwrap()
            }
            _ if matches!(s.as_str(), "null" | "true" | "false" | "~" | "yes" | "no") => {
                serde_json::to_string(s).unwrap()
            }
            _ => s.clone(),
        },
        Value::Null => ["null", "~", ""][style.pick(3) as usize].to_owned(),
        other => other.to_string(),
    }
}

fn flow(v: &Value, style: &mut Style) -> String {
    match v {
        Value::Object(m) => {
            let items: Vec<String> = m
                .iter()
                .map(|(k, v)| format!("{}: {}", serde_json::to_string(k).unwrap(), flow(v, style)))
                .collect();
            format!("{{{}}}", items.join(", "))
        }
        Value::Array(a) => {
            let items: Vec<String> = a.iter().map(|v| flow(v, style)).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Null => "null".into(),
        other => {
            let s = scalar(other, style);
            if s.is_empty() {
                "null".into()
            } else if s.contains([',', '[', ']', '{', '}']) && !s.starts_with(['"', '\'']) {
                serde_json::to_string(&other.to_string()).unwrap()
            } else {
                s
            }
        }
    }
}

fn block(v: &Value, indent: usize, style: &mut Style, anchors: &mut Vec<String>, out: &mut String) {
    let pad = " ".repeat(indent);
    match v {
        Value::Object(m) if !m.is_empty() => {
            for (k, v) in m {
                let key = if style.pick(5) == 0 {
                    serde_json::to_string(k).unwrap()
                } else {
                    scalar(&Value::String(k.clone()), style)
                };
                out.push_str(&format!("{pad}{key}:"));
                value_after_key(v, indent, style, anchors, out);
            }
        }
        Value::Array(a) if !a.is_empty() => {
            for v in a {
                out.push_str(&format!("{pad}-"));
                value_after_key(v, indent, style, anchors, out);
            }
        }
        other => out.push_str(&format!("{pad}{}\n", flow(other, style))),
    }
}

fn value_after_key(
    v: &Value,
    indent: usize,
    style: &mut Style,
    anchors: &mut Vec<String>,
    out: &mut String,
) {
    let nested = matches!(v, Value::Object(m) if !m.is_empty())
        || matches!(v, Value::Array(a) if !a.is_empty());
    if nested {
        match style.pick(8) {
            0 => {
                out.push_str(&format!(" {}\n", flow(v, style)));
                return;
            }
            1 if style.anchors => {
                // An anchor, for later aliases in the same document to point at
                // (once the anchored node is complete).
                let name = format!("x{}", out.len());
                out.push_str(&format!(" &{name}\n"));
                block(v, indent + 2, style, anchors, out);
                anchors.push(name);
                return;
            }
            2 => out.push_str(" # nested\n"),
            3 if !anchors.is_empty() => {
                // An alias to an earlier node instead of this value.
                let k = usize::from(style.pick(8)) % anchors.len();
                out.push_str(&format!(" *{}\n", anchors[k]));
                return;
            }
            4 if !anchors.is_empty() && matches!(v, Value::Object(_)) => {
                // A merge key: an earlier node's entries under this mapping's (an error
                // when that node is not a mapping, which is worth trying too).
                let k = usize::from(style.pick(8)) % anchors.len();
                out.push_str(&format!(
                    "\n{}<<: *{}\n",
                    " ".repeat(indent + 2),
                    anchors[k]
                ));
            }
            _ => out.push('\n'),
        }
        block(v, indent + 2, style, anchors, out);
    } else if let (Value::String(s), 0, true) = (v, style.pick(6), style.block_scalars) {
        // A literal block scalar.
        out.push_str(" |-\n");
        for line in s.split('\n') {
            out.push_str(&format!("{}{line}\n", " ".repeat(indent + 2)));
        }
    } else {
        let s = flow(v, style);
        if s.is_empty() {
            out.push('\n');
        } else {
            out.push_str(&format!(" {s}\n"));
        }
    }
}

/// Damages a text the way bad edits do: cut a range, or insert YAML punctuation.
pub fn damage(text: &str, edits: &[(usize, u8)]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    const NOISE: &[char] = &[
        ':', '-', '{', '}', '[', ']', '&', '*', '!', '|', '>', '#', '\'', '"', '\t', '\n', ' ',
        '%', '@', '`', '?', ',', '\u{feff}', 'é',
    ];
    for &(at, what) in edits {
        if chars.is_empty() {
            break;
        }
        let at = at % chars.len();
        if what % 3 == 0 {
            let end = (at + usize::from(what % 17)).min(chars.len());
            chars.drain(at..end);
        } else {
            chars.insert(at, NOISE[usize::from(what) % NOISE.len()]);
        }
    }
    chars.into_iter().collect()
}
