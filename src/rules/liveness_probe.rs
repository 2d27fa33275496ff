use super::containers::running_containers;
use super::{Context, Diagnostic};

pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(template) = cx.object.pod_template() else {
        return;
    };
    // A Pod that is not restarted (Never, OnFailure) runs to completion, like a Job's pods;
    // workload templates must say Always.
    if template
        .spec
        .restart_policy
        .as_deref()
        .is_some_and(|p| p != "Always")
    {
        return;
    }
    for c in running_containers(&template) {
        if c.container.liveness_probe.is_some() {
            continue;
        }
        out.push(
            Diagnostic::new(
                c.pointer(),
                format!(
                    "{} has no livenessProbe in {}: if it hangs (deadlock, stuck event loop) it keeps running and is never restarted",
                    cx.object.id,
                    c.describe()
                ),
            )
            .help(format!(
                "add a livenessProbe to {} that checks the process can still make progress",
                c.describe()
            )),
        );
    }
}
