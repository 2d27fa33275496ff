use super::containers::is_sidecar;
use super::images;
use super::{Context, Diagnostic};

pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    if cx.index.replicas_of(cx.object).is_none() {
        return;
    }
    let Some(template) = cx.object.pod_template() else {
        return;
    };
    let spec = template.spec_pointer();
    // Init containers too: a pod whose init container cannot be pulled never starts.
    let init = template
        .spec
        .init_containers
        .iter()
        .flatten()
        .enumerate()
        .map(|(i, c)| (format!("{spec}/initContainers/{i}"), c, if is_sidecar(c) { "sidecar container" } else { "init container" }));
    let main = template
        .spec
        .containers
        .iter()
        .enumerate()
        .map(|(i, c)| (format!("{spec}/containers/{i}"), c, "container"));
    let id = &cx.object.id;
    for (ptr, c, what) in init.chain(main) {
        let Some(image) = c.image.as_deref() else {
            continue;
        };
        let name = &c.name;
        let (path, why) = match c.image_pull_policy.as_deref() {
            Some("Always") => (
                format!("{ptr}/imagePullPolicy"),
                format!("{what} {name} has imagePullPolicy Always"),
            ),
            Some(_) => continue,
            None if images::parse(image).default_pull_policy() == "Always" => (
                format!("{ptr}/image"),
                format!(
                    "{what} {name} runs {image} without a version tag or digest, which makes its imagePullPolicy Always"
                ),
            ),
            None => continue,
        };
        out.push(
            Diagnostic::new(
                path,
                format!(
                    "{id}: {why}: every container start, even a restart on a node that has the image, asks the registry first, so a registry outage stops every reschedule and every new replica"
                ),
            )
            .help(format!(
                "pin {what} {name} to a version tag or digest and use imagePullPolicy IfNotPresent"
            )),
        );
    }
}
