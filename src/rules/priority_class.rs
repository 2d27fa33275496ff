use crate::objects::PodTemplate;

use super::containers::running_containers;
use super::daemonset_ingress;
use super::images;
use super::{Context, Diagnostic};

/// Cluster DNS servers: CoreDNS, the older kube-dns, and NodeLocal DNSCache.
const DNS: &[&str] = &["coredns", "k8s-dns-kube-dns", "k8s-dns-node-cache"];

pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(template) = cx.object.pod_template() else {
        return;
    };
    if template
        .spec
        .priority_class_name
        .as_deref()
        .is_some_and(|p| !p.is_empty())
    {
        return;
    }
    let Some(role) = critical_role(cx, &template) else {
        return;
    };
    out.push(
        Diagnostic::new(
            template.spec_pointer(),
            format!(
                "{} {role} and has no priorityClassName: its pods get the cluster's default priority (0 unless a PriorityClass is the global default), so they are preempted by any higher-priority pod and evicted among the first under node pressure",
                cx.object.id
            ),
        )
        .help("set priorityClassName: system-cluster-critical (or a PriorityClass of your own above your applications')"),
    );
}

/// Why the pods are critical to the cluster, for the message.
fn critical_role(cx: &Context<'_>, template: &PodTemplate<'_>) -> Option<String> {
    if cx.object.namespace() == "kube-system" {
        return Some("runs in kube-system".to_string());
    }
    if let Some(ingress) = daemonset_ingress::identify(cx, template) {
        return Some(ingress);
    }
    running_containers(template).into_iter().find_map(|c| {
        let image = c.container.image.as_deref()?;
        let parsed = images::parse(image);
        if parsed.is_one_of(DNS, &[]) {
            Some(format!("runs DNS server {} ({})", parsed.repository(), c.describe()))
        } else if parsed.is_one_of(&[], &cx.config.priority_images) {
            Some(format!(
                "runs {} ({}), configured as critical",
                parsed.repository(),
                c.describe()
            ))
        } else {
            None
        }
    })
}
