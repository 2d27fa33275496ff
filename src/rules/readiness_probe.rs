use crate::engine::Severity;
use crate::objects::catalog::Source;

use super::containers::running_containers;
use super::{Context, Diagnostic};

pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(template) = cx.object.pod_template() else {
        return;
    };
    // Restartable sidecars are left out: a container without a readiness probe counts as
    // ready once started, so a sidecar without one never holds back or admits traffic on
    // its own; the app containers' probes decide when the pod serves.
    let missing: Vec<_> = running_containers(&template)
        .into_iter()
        .filter(|c| !c.sidecar && c.container.readiness_probe.is_none())
        .collect();
    if missing.is_empty() {
        return;
    }
    let services = cx
        .index
        .services_selecting(cx.object.namespace(), template.labels());
    let mut names: Vec<&str> = services.iter().map(|s| s.info.name.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    for c in missing {
        let name = &c.container.name;
        let mut diagnostic = match names.as_slice() {
            [] => Diagnostic::new(
                c.pointer(),
                format!(
                    "{} has no readinessProbe in container {name}: its pods count as ready as soon as the process starts, so a rollout can replace every working pod with ones that do not work yet",
                    cx.object.id
                ),
            )
            .severity(Severity::Warning),
            _ => Diagnostic::new(
                c.pointer(),
                format!(
                    "{} has no readinessProbe in container {name}, and {} traffic to its pods: requests reach pods that cannot serve yet, and a rollout can replace every working pod",
                    cx.object.id,
                    match names.as_slice() {
                        [one] => format!("Service {one} sends"),
                        many => format!("Services {} send", many.join(", ")),
                    }
                ),
            )
            .severity(Severity::Error),
        };
        diagnostic = diagnostic.help(format!(
            "add a readinessProbe to container {name} that succeeds only once it can serve requests"
        ));
        for service in &services {
            if let Source::Set(i) = service.source {
                diagnostic = diagnostic.related(i, "/spec/selector", "selects these pods");
            }
        }
        out.push(diagnostic);
    }
}
