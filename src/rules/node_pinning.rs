use super::placement;
use super::{Context, Diagnostic};

const HOSTNAME: &str = "kubernetes.io/hostname";
/// The node field a matchFields requirement can name (the DaemonSet controller pins its pods
/// this way; in a workload's template it pins every replica).
const NODE_NAME_FIELD: &str = "metadata.name";

pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(replicas) = cx.index.replicas_of(cx.object) else {
        return;
    };
    let Some(template) = cx.object.pod_template() else {
        return;
    };
    let id = &cx.object.id;
    let pods = match replicas.count {
        1 => "its pod".to_string(),
        n => format!("all {n} replicas"),
    };
    let (path, node, how) = if let Some(node) = &template.spec.node_name {
        (
            format!("{}/nodeName", template.spec_pointer()),
            node.clone(),
            "nodeName bypasses the scheduler and binds",
        )
    } else if let Some(pin) = placement::pinned(&template, &[HOSTNAME], Some(NODE_NAME_FIELD)) {
        (pin.path, pin.value, "its node selection admits one node only, and binds")
    } else {
        return;
    };
    out.push(
        Diagnostic::new(
            path,
            format!(
                "{id} is pinned to node {node}: {how} {pods} there, so a drain, an upgrade or a failure of that node takes the workload down and no other node can take over"
            ),
        )
        .help(format!(
            "remove the pin; select nodes by a label many nodes share (a node pool, an instance type), or list several nodes under {HOSTNAME}"
        )),
    );
}
