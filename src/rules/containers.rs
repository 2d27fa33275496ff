//! What the pod-level rules share: the containers that run for the pod's whole life, and
//! probes compared the way the kubelet runs them.

use k8s_openapi::api::core::v1::{Container, Probe};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::objects::PodTemplate;

/// A container that runs as long as the pod does: an app container, or a restartable
/// sidecar (an init container with `restartPolicy: Always`).
pub struct RunningContainer<'a> {
    pub container: &'a Container,
    /// Pointer of the pod's metadata parent (`PodTemplate::pointer`).
    pod: &'static str,
    /// Index in `containers`, or in `initContainers` for a sidecar.
    index: usize,
    pub sidecar: bool,
}

impl RunningContainer<'_> {
    /// JSON pointer of the container in the object. Made when a finding asks: most
    /// containers have none.
    pub fn pointer(&self) -> String {
        let list = if self.sidecar {
            "initContainers"
        } else {
            "containers"
        };
        format!("{}/spec/{list}/{}", self.pod, self.index)
    }

    /// "container web" or "sidecar container proxy", for messages.
    pub fn describe(&self) -> String {
        if self.sidecar {
            format!("sidecar container {}", self.container.name)
        } else {
            format!("container {}", self.container.name)
        }
    }
}

/// Whether an init container is a restartable sidecar.
pub fn is_sidecar(container: &Container) -> bool {
    container.restart_policy.as_deref() == Some("Always")
}

/// App containers, then restartable sidecars, in manifest order. Plain init containers run
/// to completion before the pod starts and cannot carry probes: they are left out.
pub fn running_containers<'a>(template: &PodTemplate<'a>) -> Vec<RunningContainer<'a>> {
    let mut out: Vec<RunningContainer<'a>> = template
        .spec
        .containers
        .iter()
        .enumerate()
        .map(|(index, container)| RunningContainer {
            container,
            pod: template.pointer,
            index,
            sidecar: false,
        })
        .collect();
    out.extend(
        template
            .spec
            .init_containers
            .iter()
            .flatten()
            .enumerate()
            .filter(|(_, c)| is_sidecar(c))
            .map(|(index, container)| RunningContainer {
                container,
                pod: template.pointer,
                index,
                sidecar: true,
            }),
    );
    out
}

/// The container port a probe port refers to: the number itself, a name this container
/// declares in `ports`, or a number written as a string (the kubelet falls back to
/// parsing it). None when the name is not declared: the probe fails every time.
pub fn resolve_port(port: &IntOrString, container: &Container) -> Option<i32> {
    match port {
        IntOrString::Int(n) => Some(*n),
        IntOrString::String(name) => container
            .ports
            .iter()
            .flatten()
            .find(|p| p.name.as_deref() == Some(name.as_str()))
            .map(|p| p.container_port)
            .or_else(|| name.parse().ok()),
    }
}

/// A probe's action with the kubelet's defaults applied and named ports resolved, so that
/// two probes doing the same check compare equal however they are written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handler {
    Exec(Vec<String>),
    Http {
        scheme: String,
        host: String,
        port: Port,
        path: String,
        headers: Vec<(String, String)>,
    },
    Tcp {
        host: String,
        port: Port,
    },
    Grpc {
        port: i32,
        service: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Port {
    Number(i32),
    /// A name the container does not declare (compared by name).
    Unresolved(String),
}

fn port_of(port: &IntOrString, container: &Container) -> Port {
    match resolve_port(port, container) {
        Some(n) => Port::Number(n),
        None => match port {
            IntOrString::String(s) => Port::Unresolved(s.clone()),
            IntOrString::Int(n) => Port::Number(*n),
        },
    }
}

/// None for a probe without an action (the API server rejects those).
pub fn handler(probe: &Probe, container: &Container) -> Option<Handler> {
    if let Some(exec) = &probe.exec {
        return Some(Handler::Exec(exec.command.clone().unwrap_or_default()));
    }
    if let Some(http) = &probe.http_get {
        let path = http.path.clone().unwrap_or_default();
        let mut headers: Vec<(String, String)> = http
            .http_headers
            .iter()
            .flatten()
            .map(|h| (h.name.to_ascii_lowercase(), h.value.clone()))
            .collect();
        headers.sort();
        return Some(Handler::Http {
            scheme: http
                .scheme
                .as_deref()
                .unwrap_or("HTTP")
                .to_ascii_uppercase(),
            host: http.host.clone().unwrap_or_default(),
            port: port_of(&http.port, container),
            // The kubelet requests "/" for an empty path.
            path: if path.is_empty() { "/".into() } else { path },
            headers,
        });
    }
    if let Some(tcp) = &probe.tcp_socket {
        return Some(Handler::Tcp {
            host: tcp.host.clone().unwrap_or_default(),
            port: port_of(&tcp.port, container),
        });
    }
    if let Some(grpc) = &probe.grpc {
        return Some(Handler::Grpc {
            port: grpc.port,
            service: grpc.service.clone().unwrap_or_default(),
        });
    }
    None
}

/// How long a probe tolerates consecutive failures before it acts, in seconds:
/// failureThreshold (default 3) × periodSeconds (default 10).
pub fn failure_window(probe: &Probe) -> i64 {
    let threshold = probe.failure_threshold.unwrap_or(3).max(1);
    let period = probe.period_seconds.unwrap_or(10).max(1);
    i64::from(threshold) * i64::from(period)
}

/// probeTimeout (default 1 s).
pub fn timeout(probe: &Probe) -> i32 {
    probe.timeout_seconds.unwrap_or(1).max(1)
}

/// The probes of a container with their field names, for rules that treat all three alike.
pub fn probes(container: &Container) -> [(&'static str, Option<&Probe>); 3] {
    [
        ("livenessProbe", container.liveness_probe.as_ref()),
        ("readinessProbe", container.readiness_probe.as_ref()),
        ("startupProbe", container.startup_probe.as_ref()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{ContainerPort, HTTPGetAction};

    fn container(ports: &[(&str, i32)]) -> Container {
        Container {
            name: "app".into(),
            ports: Some(
                ports
                    .iter()
                    .map(|(n, p)| ContainerPort {
                        name: Some(n.to_string()),
                        container_port: *p,
                        ..Default::default()
                    })
                    .collect(),
            ),
            ..Default::default()
        }
    }

    fn http(port: IntOrString, path: Option<&str>) -> Probe {
        Probe {
            http_get: Some(HTTPGetAction {
                port,
                path: path.map(String::from),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    #[test]
    fn ports_resolve_by_name_then_as_numbers() {
        let c = container(&[("http", 8080)]);
        let name = |s: &str| IntOrString::String(s.into());
        assert_eq!(resolve_port(&name("http"), &c), Some(8080));
        assert_eq!(resolve_port(&name("9090"), &c), Some(9090));
        assert_eq!(resolve_port(&name("metrics"), &c), None);
        assert_eq!(resolve_port(&IntOrString::Int(80), &c), Some(80));
    }

    #[test]
    fn handlers_compare_after_defaults_and_names() {
        let c = container(&[("http", 8080)]);
        let a = handler(&http(IntOrString::String("http".into()), None), &c);
        let b = handler(&http(IntOrString::Int(8080), Some("/")), &c);
        let other = handler(&http(IntOrString::Int(8080), Some("/ready")), &c);
        assert_eq!(a, b);
        assert_ne!(a, other);
    }

    #[test]
    fn failure_window_uses_defaults() {
        assert_eq!(failure_window(&Probe::default()), 30);
        let p = Probe {
            failure_threshold: Some(6),
            period_seconds: Some(5),
            ..Default::default()
        };
        assert_eq!(failure_window(&p), 30);
    }
}
