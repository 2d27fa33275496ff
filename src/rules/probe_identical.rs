use super::containers::{failure_window, handler, running_containers, timeout};
use super::{Context, Diagnostic};

pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(template) = cx.object.pod_template() else {
        return;
    };
    for c in running_containers(&template) {
        let (Some(liveness), Some(readiness)) =
            (&c.container.liveness_probe, &c.container.readiness_probe)
        else {
            continue;
        };
        let Some(check) = handler(liveness, c.container) else {
            continue;
        };
        if handler(readiness, c.container).as_ref() != Some(&check) {
            continue;
        }
        // Same check: what matters is which probe gives up first. A liveness probe that
        // tolerates failures longer than readiness (and waits at least as long for an
        // answer) lets an overloaded pod leave rotation and recover before any restart.
        let live = failure_window(liveness);
        let ready = failure_window(readiness);
        if live > ready && timeout(liveness) >= timeout(readiness) {
            continue;
        }
        let name = c.describe();
        let (detail, help) = if live > ready {
            (
                format!(
                    "the liveness probe waits {}s for an answer where readiness waits {}s",
                    timeout(liveness),
                    timeout(readiness)
                ),
                format!(
                    "give the livenessProbe of {name} a timeoutSeconds at least as long as the readiness probe's"
                ),
            )
        } else {
            (
                format!(
                    "the liveness probe gives up after {live}s of failures, readiness after {ready}s"
                ),
                format!(
                    "make the livenessProbe of {name} check only that the process is alive, or give it a failureThreshold × periodSeconds well above the readiness probe's"
                ),
            )
        };
        out.push(
            Diagnostic::new(
                format!("{}/livenessProbe", c.pointer()),
                format!(
                    "{} runs the same check for liveness and readiness in {name}, and {detail}: an overloaded pod is restarted instead of taken out of rotation, and under load the restarts cascade",
                    cx.object.id,
                ),
            )
            .help(help),
        );
    }
}
