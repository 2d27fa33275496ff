use super::budget;
use super::images;
use super::{Context, Diagnostic};

/// Quorum systems whose members vote (Raft or ZAB): etcd, ZooKeeper (with Confluent's
/// build) and Consul servers.
const QUORUM: &[&str] = &[
    "etcd",
    "zookeeper",
    "cp-zookeeper",
    "consul",
    "consul-enterprise",
];

pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    if budget::is_controlled(cx.object) {
        return;
    }
    let Some(replicas) = cx.index.replicas_of(cx.object) else {
        return;
    };
    let Some(template) = cx.object.pod_template() else {
        return;
    };
    // App containers only: an init container that runs etcdctl is not a member.
    let Some(system) = template.spec.containers.iter().find_map(|c| {
        let image = images::parse(c.image.as_deref()?);
        image
            .is_one_of(QUORUM, &cx.config.quorum_images)
            .then(|| image.path.rsplit('/').next().unwrap_or(image.path).to_string())
    }) else {
        return;
    };
    let n = replicas.count;
    // 0 is scaled down on purpose: nothing runs to lose quorum.
    if n <= 0 || (n >= 3 && n % 2 == 1) {
        return;
    }
    let tolerated = (n - 1) / 2;
    let why = if n < 3 {
        format!(
            "its quorum is {} of {n}, so losing a single member stops it",
            n / 2 + 1
        )
    } else {
        format!(
            "a quorum of {} out of {n} survives {tolerated} lost {}, as {} members would, with one more member to fail and a larger quorum to wait for on every write",
            n / 2 + 1,
            if tolerated == 1 { "member" } else { "members" },
            n - 1
        )
    };
    let count = match replicas.autoscaler {
        Some(hpa) => format!(
            "and may scale down to {n} members (HorizontalPodAutoscaler {} has minReplicas {n})",
            hpa.info.name
        ),
        None => format!("with {n} {}", if n == 1 { "member" } else { "members" }),
    };
    let mut d = Diagnostic::new(
        "/spec/replicas",
        format!("{} runs {system} {count}: {why}", cx.object.id),
    )
    .help(if n < 3 {
        "run 3 members (5 to survive two failures)"
    } else {
        "run an odd number of members: 3, 5 or 7"
    });
    if let Some(hpa) = replicas.autoscaler {
        d = budget::relate(d, &hpa, "/spec/minReplicas", "the autoscaler's minimum");
    }
    out.push(d);
}
