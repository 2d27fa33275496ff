//! The built-in rules: one module per rule, one registry table. A rule is a plain function
//! over one object and the index; whether it runs, and at what severity, is the
//! dispatcher's business (src/engine.rs).

use std::borrow::Cow;

use crate::config::Config;
use crate::engine::Severity;
use crate::objects::index::{Index, Replicas};
use crate::objects::Object;

/// What a rule sees.
pub struct Context<'a> {
    pub object: &'a Object,
    pub index: &'a Index<'a>,
    pub config: &'a Config,
}

impl<'a> Context<'a> {
    /// The object's effective replicas when it runs two or more: spreading, disruption
    /// budgets and shared volumes mean nothing for a single replica.
    pub fn replicated(&self) -> Option<Replicas<'a>> {
        self.index
            .replicas_of(self.object)
            .filter(|replicas| replicas.count >= 2)
    }
}

/// Another object a finding involves, labelled in reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    /// Index of the object in the linted set.
    pub object: usize,
    pub path: String,
    pub label: String,
}

/// What a rule reports; the dispatcher turns it into a `Finding`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub path: String,
    pub message: String,
    /// None: the rule's summary. Most rules' help is a literal, kept borrowed.
    pub help: Option<Cow<'static, str>>,
    /// None: the rule's default severity (rules with two levels set the other one).
    pub severity: Option<Severity>,
    pub related: Vec<Related>,
}

impl Diagnostic {
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            path: path.into(),
            message: message.into(),
            help: None,
            severity: None,
            related: Vec::new(),
        }
    }

    pub fn help(mut self, help: impl Into<Cow<'static, str>>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = Some(severity);
        self
    }

    pub fn related(
        mut self,
        object: usize,
        path: impl Into<String>,
        label: impl Into<String>,
    ) -> Self {
        self.related.push(Related {
            object,
            path: path.into(),
            label: label.into(),
        });
        self
    }
}

pub type Check = fn(&Context<'_>, &mut Vec<Diagnostic>);

pub struct Rule {
    pub id: &'static str,
    pub check: Check,
    /// `rules/<id>.yaml`, compiled in.
    pub data: &'static str,
}

macro_rules! registry {
    ($($module:ident => $id:literal,)*) => {
        $(mod $module;)*

        /// Every built-in rule, in the order reports list them.
        pub static REGISTRY: &[Rule] = &[
            $(Rule {
                id: $id,
                check: $module::check,
                data: include_str!(concat!("../../rules/", $id, ".yaml")),
            },)*
        ];
    };
}

mod budget;
mod containers;
mod images;
mod placement;

registry! {
    replicas => "replicas",
    anti_affinity => "anti-affinity",
    liveness_probe => "liveness-probe",
    readiness_probe => "readiness-probe",
    startup_probe => "startup-probe",
    probe_identical => "probe-identical",
    probe_port => "probe-port",
    pdb_missing => "pdb-missing",
    pdb_blocking => "pdb-blocking",
    pdb_selector => "pdb-selector",
    rolling_update => "rolling-update",
    daemonset_ingress => "daemonset-ingress",
    hpa_min_replicas => "hpa-min-replicas",
    rwo_volume_shared => "rwo-volume-shared",
    service_selector => "service-selector",
    hpa_target => "hpa-target",
    statefulset_service => "statefulset-service",
    webhook_config => "webhook-config",
    zone_spread => "zone-spread",
    node_pinning => "node-pinning",
    quorum_odd => "quorum-odd",
    image_pull_always => "image-pull-always",
    priority_class => "priority-class",
    resource_requests => "resource-requests",
    graceful_shutdown => "graceful-shutdown",
    pdb_unhealthy_eviction => "pdb-unhealthy-eviction",
    ignore_annotation => "ignore-annotation",
}

pub fn find(id: &str) -> Option<&'static Rule> {
    REGISTRY.iter().find(|r| r.id == id)
}
