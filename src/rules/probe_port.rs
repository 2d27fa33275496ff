use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::containers::{probes, running_containers};
use super::{Context, Diagnostic};

pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(template) = cx.object.pod_template() else {
        return;
    };
    for c in running_containers(&template) {
        for (field, probe) in probes(c.container) {
            let Some(probe) = probe else { continue };
            // A gRPC probe's port is a number in the API: it cannot name a port.
            let (action, port) = match (&probe.http_get, &probe.tcp_socket) {
                (Some(http), _) => ("httpGet", &http.port),
                (None, Some(tcp)) => ("tcpSocket", &tcp.port),
                (None, None) => continue,
            };
            let IntOrString::String(name) = port else {
                continue;
            };
            // The kubelet looks the name up in this container's ports only, then falls back
            // to reading it as a number.
            let declared = c
                .container
                .ports
                .iter()
                .flatten()
                .any(|p| p.name.as_deref() == Some(name.as_str()));
            if declared || name.trim().parse::<i32>().is_ok() {
                continue;
            }
            out.push(
                Diagnostic::new(
                    format!("{}/{field}/{action}/port", c.pointer()),
                    format!(
                        "{} probes port `{name}` in the {field} of {}, which declares no port by that name: the probe fails every time",
                        cx.object.id,
                        c.describe()
                    ),
                )
                .help(format!(
                    "declare a port named `{name}` in the ports of {}, or probe its number",
                    c.describe()
                )),
            );
        }
    }
}
