//! Exemption annotations that exempt nothing. A misspelt rule id or container name leaves
//! the finding in place while the manifest claims it is handled, and a later rename of the
//! rule or the sidecar turns a working exemption into dead text; both deserve a word.

use super::{Context, Diagnostic};
use crate::catalog;
use crate::exempt::{self, IGNORE, IGNORE_CONTAINERS};
use crate::pointer;

pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let object = cx.object;
    let template = object.pod_template();
    let mut places = vec![(object.metadata(), "/metadata".to_string())];
    if let Some(t) = template.as_ref().filter(|t| !t.pointer.is_empty()) {
        if let Some(meta) = t.meta {
            places.push((meta, format!("{}/metadata", t.pointer)));
        }
    }
    let containers: Vec<&str> = template
        .as_ref()
        .map(|t| {
            let spec = t.spec;
            spec.containers
                .iter()
                .chain(spec.init_containers.iter().flatten())
                .map(|c| c.name.as_str())
                .chain(
                    spec.ephemeral_containers
                        .iter()
                        .flatten()
                        .map(|c| c.name.as_str()),
                )
                .collect()
        })
        .unwrap_or_default();
    for (meta, at) in places {
        let Some(annotations) = meta.annotations.as_ref() else {
            continue;
        };
        let path_of = |key: &str| pointer::join(&at, &["annotations", key]);
        if let Some(list) = annotations.get(IGNORE) {
            unknown_rules(cx, IGNORE, list, &path_of(IGNORE), out);
        }
        if let Some(spec) = annotations.get(IGNORE_CONTAINERS) {
            containers_entry(cx, spec, template.is_some(), &containers, &path_of, out);
        }
    }
}

fn containers_entry(
    cx: &Context<'_>,
    spec: &str,
    has_pods: bool,
    containers: &[&str],
    path_of: &dyn Fn(&str) -> String,
    out: &mut Vec<Diagnostic>,
) {
    let path = path_of(IGNORE_CONTAINERS);
    for entry in exempt::container_entries(spec) {
        match entry {
            Err(entry) => out.push(
                Diagnostic::new(
                    &path,
                    format!(
                        "{IGNORE_CONTAINERS} entry `{entry}` is not `container=rule,rule`: it exempts nothing"
                    ),
                )
                .help("write each entry as `container=rule,rule` (entries separated by `;`)"),
            ),
            Ok((name, list)) => {
                if !has_pods {
                    out.push(Diagnostic::new(
                        &path,
                        format!(
                            "{IGNORE_CONTAINERS} on {}, which has no pods: it exempts nothing",
                            cx.object.id
                        ),
                    ));
                } else if !containers.contains(&name) {
                    let help = match closest(name, containers.iter().copied()) {
                        Some(near) => format!("did you mean `{near}`?"),
                        None => format!("the pod's containers are {}", containers.join(", ")),
                    };
                    out.push(
                        Diagnostic::new(
                            &path,
                            format!(
                                "{IGNORE_CONTAINERS} names container `{name}`, which the pod does not have: it exempts nothing"
                            ),
                        )
                        .help(help),
                    );
                }
                unknown_rules(cx, IGNORE_CONTAINERS, list, &path, out);
            }
        }
    }
}

fn unknown_rules(
    cx: &Context<'_>,
    annotation: &str,
    list: &str,
    path: &str,
    out: &mut Vec<Diagnostic>,
) {
    for id in exempt::rule_ids(list) {
        let known = id == "all"
            || catalog::rule_meta(id).is_some()
            || cx.config.custom_rule(id).is_some();
        if known {
            continue;
        }
        let ids = catalog::all()
            .iter()
            .map(|m| m.id.as_str())
            .chain(cx.config.custom.iter().map(|r| r.meta.id.as_str()));
        let help = match closest(id, ids) {
            Some(near) => format!("did you mean `{near}`? (`halint rules` lists every rule)"),
            None => "use a rule id that `halint rules` lists, or `all`".to_string(),
        };
        out.push(
            Diagnostic::new(
                path,
                format!("{annotation} names `{id}`, which is no rule: it exempts nothing"),
            )
            .help(help),
        );
    }
}

/// The candidate nearest to a misspelling, when it is near enough to be the one meant.
fn closest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score > 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}
