use k8s_openapi::api::core::v1::{Container, PodSpec};

use crate::engine::Severity;
use crate::objects::{Kind, PodTemplate};

use super::budget;
use super::images;
use super::{Context, Diagnostic};

/// Annotation (on the object or its pod template) that marks an ingress controller.
const ROLE_ANNOTATION: &str = "halint.io/role";
const ROLE: &str = "ingress-controller";

/// Repository paths of well-known ingress controllers, matched whole or as the trailing
/// components of an image's repository (so a mirror's prefix does not matter), never as a
/// substring: `nginx` and `nginx:ingress` are not ingress controllers.
const KNOWN: &[&str] = &[
    // kubernetes/ingress-nginx (registry.k8s.io/ingress-nginx/controller) and older builds.
    "ingress-nginx/controller",
    "ingress-nginx/controller-chroot",
    "nginx-ingress-controller",
    // NGINX Inc's NGINX Ingress Controller (nginx/nginx-ingress, nginx-ic/nginx-plus-ingress).
    "nginx/nginx-ingress",
    "nginx-plus-ingress",
    "traefik",
    "haproxy-ingress",
    "haproxytech/kubernetes-ingress",
    "kong",
    "kong-gateway",
    "kong/kubernetes-ingress-controller",
    // Contour; its Envoy pods carry Contour's shutdown-manager container.
    "contour",
];

/// Whether the image is a known ingress controller or one of the configured images: on
/// whole trailing path components, registry, tag, digest and Docker Hub's `library/` aside.
fn is_ingress_image(image: &str, extra: &[String]) -> bool {
    images::parse(image).is_one_of(KNOWN, extra)
}

/// Containers that run for the pod's life: the app containers and restartable sidecars.
fn long_running(spec: &PodSpec) -> impl Iterator<Item = (String, &Container)> {
    let main = spec
        .containers
        .iter()
        .enumerate()
        .map(|(i, c)| (format!("containers/{i}"), c));
    let sidecars = spec
        .init_containers
        .iter()
        .flatten()
        .enumerate()
        .filter(|(_, c)| c.restart_policy.as_deref() == Some("Always"))
        .map(|(i, c)| (format!("initContainers/{i}"), c));
    main.chain(sidecars)
}

/// Why the pod counts as an ingress controller, for messages.
pub(super) fn identify(cx: &Context<'_>, template: &PodTemplate<'_>) -> Option<String> {
    if cx.object.annotation(ROLE_ANNOTATION) == Some(ROLE) {
        return Some(format!("is marked {ROLE_ANNOTATION}: {ROLE}"));
    }
    long_running(template.spec)
        .filter_map(|(_, c)| c.image.as_deref().map(|image| (c, image)))
        .find(|(_, image)| is_ingress_image(image, &cx.config.ingress_images))
        .map(|(c, image)| {
            let shown = image.split('@').next().unwrap_or(image);
            format!("runs ingress controller {shown} (container {})", c.name)
        })
}

/// The first use of the node's network: hostNetwork, else a hostPort accepted by `port`.
fn host_binding(
    template: &PodTemplate<'_>,
    port: impl Fn(i32) -> bool,
) -> Option<(String, String)> {
    let spec_ptr = template.spec_pointer();
    if template.spec.host_network == Some(true) {
        return Some((format!("{spec_ptr}/hostNetwork"), "hostNetwork".to_string()));
    }
    long_running(template.spec).find_map(|(ptr, c)| {
        c.ports.iter().flatten().enumerate().find_map(|(j, p)| {
            let host = p.host_port.filter(|&h| h > 0 && port(h))?;
            Some((
                format!("{spec_ptr}/{ptr}/ports/{j}/hostPort"),
                format!("hostPort {host} (container {})", c.name),
            ))
        })
    })
}

pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(template) = cx.object.pod_template() else {
        return;
    };
    let Some(what) = identify(cx, &template) else {
        return;
    };
    let id = &cx.object.id;
    match &cx.object.kind {
        Kind::Deployment(_) => {
            if let Some(replicas) = cx.index.replicas_of(cx.object) {
                if replicas.count < 2 {
                    let mut d = Diagnostic::new(
                        "/spec/replicas",
                        format!(
                            "{id} {what} with {} replica(s) at the lowest: losing that pod cuts off every route into the cluster",
                            replicas.count
                        ),
                    )
                    .help("run the ingress controller as a DaemonSet, or with 2 or more replicas");
                    if let Some(hpa) = replicas.autoscaler {
                        d = budget::relate(d, &hpa, &hpa.info.min_pointer(), "the autoscaler's minimum");
                    }
                    out.push(d);
                }
            }
            if let Some((path, binding)) = host_binding(&template, |p| p == 80 || p == 443) {
                out.push(
                    Diagnostic::new(
                        path,
                        format!(
                            "{id} {what} with {binding}: a Deployment places these pods on arbitrary nodes, two cannot share one, and a rollout's surge pod has nowhere to go"
                        ),
                    )
                    .help("run a node-bound ingress controller as a DaemonSet, or expose it through a LoadBalancer Service")
                    .severity(Severity::Warning),
                );
            }
        }
        Kind::DaemonSet(ds) => {
            if let Some((_, binding)) = host_binding(&template, |_| true) {
                if let Some((path, surge)) = budget::daemonset_surge(ds) {
                    out.push(
                        Diagnostic::new(
                            path,
                            format!(
                                "{id} {what} with {binding} and maxSurge {}: the surge pod cannot bind the port its predecessor holds on the same node, so the rollout stalls",
                                budget::show(surge)
                            ),
                        )
                        .help("set maxSurge to 0 and maxUnavailable to 1"),
                    );
                }
            }
            if let Some((path, value)) = budget::daemonset_takes_all(ds) {
                out.push(
                    Diagnostic::new(
                        path,
                        format!(
                            "{id} {what} with maxUnavailable {}: an update stops the controller on every node at once, and all ingress traffic with it",
                            budget::show(value)
                        ),
                    )
                    .help("set maxUnavailable to 1 or a small percentage"),
                );
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_repository_is_parsed() {
        let repository = |image| {
            let r = images::parse(image);
            (r.registry, r.path)
        };
        assert_eq!(
            repository("registry.k8s.io/ingress-nginx/controller:v1.10.0@sha256:abc"),
            (Some("registry.k8s.io"), "ingress-nginx/controller")
        );
        assert_eq!(repository("docker.io/library/traefik:v3.0"), (Some("docker.io"), "traefik"));
        assert_eq!(repository("localhost:5000/kong"), (Some("localhost:5000"), "kong"));
        assert_eq!(repository("nginx"), (None, "nginx"));
    }

    #[test]
    fn known_controllers_match_and_lookalikes_do_not() {
        let none: &[String] = &[];
        for image in [
            "registry.k8s.io/ingress-nginx/controller:v1.10.0",
            "mirror.example.com/k8s/ingress-nginx/controller@sha256:abc",
            "nginx/nginx-ingress:3.5.0",
            "traefik:v3.0",
            "docker.io/traefik:v2.11",
            "quay.io/jcmoraisjr/haproxy-ingress:v0.14",
            "haproxytech/kubernetes-ingress:1.11",
            "kong:3.6",
            "kong/kubernetes-ingress-controller:3.1",
            "ghcr.io/projectcontour/contour:v1.28.0",
        ] {
            assert!(is_ingress_image(image, none), "{image}");
        }
        for image in [
            "nginx:1.25",
            "nginxinc/nginx-unprivileged:1.25",
            "registry.example.com/app:nginx-ingress",
            "traefik/whoami:v1.10",
            "envoyproxy/envoy:v1.29",
            "registry.example.com/kong-api-docs:1",
        ] {
            assert!(!is_ingress_image(image, none), "{image}");
        }
    }

    #[test]
    fn configured_images_match_on_component_boundaries() {
        let extra = vec!["registry.example.com/edge/proxy".to_string(), "gateway".to_string()];
        assert!(is_ingress_image("registry.example.com/edge/proxy:2", &extra));
        assert!(is_ingress_image("registry.example.com/team/gateway:2", &extra));
        assert!(!is_ingress_image("registry.example.com/edge/proxy-admin:2", &extra));
        assert!(!is_ingress_image("registry.example.com/api-gateway:2", &extra));
    }
}
