use super::containers::running_containers;
use super::{Context, Diagnostic};

pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(template) = cx.object.pod_template() else {
        return;
    };
    for c in running_containers(&template) {
        if c.container.liveness_probe.is_some() {
            continue;
        }
        out.push(
            Diagnostic::new(
                c.pointer.clone(),
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
