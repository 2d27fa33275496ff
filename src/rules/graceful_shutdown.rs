use k8s_openapi::api::core::v1::LifecycleHandler;

use super::containers::running_containers;
use super::{Context, Diagnostic};

/// terminationGracePeriodSeconds when absent.
const DEFAULT_GRACE: i64 = 30;
/// Below this a pod is gone before its removal from the Service's endpoints has reached
/// every node and load balancer.
const MIN_GRACE: i64 = 5;

pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(template) = cx.object.pod_template() else {
        return;
    };
    let services = cx
        .index
        .services_selecting(cx.object.namespace(), template.labels());
    let Some(service) = services.iter().map(|s| s.info.name.as_str()).min() else {
        return;
    };
    let id = &cx.object.id;
    let spec = template.spec_pointer();
    let grace = template
        .spec
        .termination_grace_period_seconds
        .unwrap_or(DEFAULT_GRACE);
    let containers = running_containers(&template);
    let mut has_pre_stop = false;
    for c in &containers {
        let Some(hook) = c
            .container
            .lifecycle
            .as_ref()
            .and_then(|l| l.pre_stop.as_ref())
        else {
            continue;
        };
        has_pre_stop = true;
        let Some(sleep) = sleep_seconds(hook) else {
            continue;
        };
        if sleep >= grace {
            out.push(
                Diagnostic::new(
                    format!("{}/lifecycle/preStop", c.pointer()),
                    format!(
                        "{id}: the preStop hook of {} sleeps {sleep} s, the whole grace period of {grace} s: the process gets SIGTERM only when the kill is due, so in-flight requests are cut off",
                        c.describe()
                    ),
                )
                .help("make terminationGracePeriodSeconds the preStop sleep plus the time the process needs to drain"),
            );
        }
    }
    if has_pre_stop || grace >= MIN_GRACE {
        return;
    }
    let killed = if grace <= 0 {
        "is killed at once".to_string()
    } else {
        format!("is killed {grace} s later")
    };
    out.push(
        Diagnostic::new(
            format!("{spec}/terminationGracePeriodSeconds"),
            format!(
                "{id} is behind Service {service}, has no preStop hook and terminationGracePeriodSeconds {grace}: a stopping pod gets SIGTERM as its removal from the endpoints starts to spread, and {killed}, while nodes and load balancers may still send it requests"
            ),
        )
        .help("add a preStop hook that sleeps a few seconds (lifecycle.preStop.sleep.seconds: 5) and keep terminationGracePeriodSeconds above that plus the time to drain"),
    );
}

/// How long a preStop hook sleeps: the sleep action, or an exec of `sleep N` (directly or
/// through `sh -c`). None for hooks that do something else.
fn sleep_seconds(hook: &LifecycleHandler) -> Option<i64> {
    if let Some(sleep) = &hook.sleep {
        return Some(sleep.seconds);
    }
    let command = hook.exec.as_ref()?.command.as_ref()?;
    let words: Vec<&str> = match command.as_slice() {
        [shell, flag, script] if shell.ends_with("sh") && flag == "-c" => {
            script.split_whitespace().collect()
        }
        words => words.iter().map(String::as_str).collect(),
    };
    match words.as_slice() {
        [program, seconds] if *program == "sleep" || program.ends_with("/sleep") => {
            seconds.trim_end_matches('s').parse().ok()
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{ExecAction, SleepAction};

    fn exec(words: &[&str]) -> LifecycleHandler {
        LifecycleHandler {
            exec: Some(ExecAction {
                command: Some(words.iter().map(|w| w.to_string()).collect()),
            }),
            ..Default::default()
        }
    }

    #[test]
    fn sleeps_are_read_from_every_usual_spelling() {
        let action = LifecycleHandler {
            sleep: Some(SleepAction { seconds: 10 }),
            ..Default::default()
        };
        assert_eq!(sleep_seconds(&action), Some(10));
        assert_eq!(sleep_seconds(&exec(&["sleep", "15"])), Some(15));
        assert_eq!(sleep_seconds(&exec(&["/bin/sleep", "5s"])), Some(5));
        assert_eq!(sleep_seconds(&exec(&["/bin/sh", "-c", "sleep 20"])), Some(20));
        assert_eq!(sleep_seconds(&exec(&["sh", "-c", "sleep 5 && nginx -s quit"])), None);
        assert_eq!(sleep_seconds(&exec(&["/drain"])), None);
    }
}
