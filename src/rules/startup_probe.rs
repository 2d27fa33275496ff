use super::containers::running_containers;
use super::{Context, Diagnostic};

/// A liveness delay at or above this many seconds marks a slow starter.
const SLOW_START: i32 = 30;

pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(template) = cx.object.pod_template() else {
        return;
    };
    for c in running_containers(&template) {
        let Some(delay) = c
            .container
            .liveness_probe
            .as_ref()
            .and_then(|p| p.initial_delay_seconds)
        else {
            continue;
        };
        if delay < SLOW_START || c.container.startup_probe.is_some() {
            continue;
        }
        out.push(
            Diagnostic::new(
                format!("{}/livenessProbe/initialDelaySeconds", c.pointer()),
                format!(
                    "{} delays the livenessProbe of {} by {delay}s instead of using a startupProbe: after every restart a hang goes unnoticed that long, and a slower start can still be killed before it finishes",
                    cx.object.id,
                    c.describe()
                ),
            )
            .help(format!(
                "add a startupProbe to {} whose failureThreshold × periodSeconds covers the slowest start, and drop the liveness delay",
                c.describe()
            )),
        );
    }
}
