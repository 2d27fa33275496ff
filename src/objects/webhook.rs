//! One view of the webhooks of a ValidatingWebhookConfiguration or a
//! MutatingWebhookConfiguration: their fields that matter for availability are the same.

use k8s_openapi::api::admissionregistration::v1::{
    MatchCondition, RuleWithOperations, ServiceReference,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

use super::{Kind, Object};

/// admissionregistration.k8s.io/v1 defaults.
pub const DEFAULT_TIMEOUT_SECONDS: i32 = 10;
pub const DEFAULT_FAILURE_POLICY: &str = "Fail";

#[derive(Debug, Clone, Copy)]
pub struct Webhook<'a> {
    pub name: &'a str,
    /// Pointer of the webhook: `/webhooks/0`.
    pub index: usize,
    pub failure_policy: Option<&'a str>,
    pub timeout_seconds: Option<i32>,
    pub service: Option<&'a ServiceReference>,
    pub namespace_selector: Option<&'a LabelSelector>,
    pub match_conditions: &'a [MatchCondition],
    pub rules: &'a [RuleWithOperations],
}

impl Webhook<'_> {
    pub fn pointer(&self) -> String {
        format!("/webhooks/{}", self.index)
    }

    /// Whether a failed call rejects the request (the default).
    pub fn fails_closed(&self) -> bool {
        self.failure_policy.unwrap_or(DEFAULT_FAILURE_POLICY) == "Fail"
    }

    pub fn timeout(&self) -> i32 {
        self.timeout_seconds.unwrap_or(DEFAULT_TIMEOUT_SECONDS)
    }
}

macro_rules! view {
    ($hooks:expr) => {
        $hooks
            .iter()
            .flatten()
            .enumerate()
            .map(|(index, w)| Webhook {
                name: &w.name,
                index,
                failure_policy: w.failure_policy.as_deref(),
                timeout_seconds: w.timeout_seconds,
                service: w.client_config.service.as_ref(),
                namespace_selector: w.namespace_selector.as_ref(),
                match_conditions: w.match_conditions.as_deref().unwrap_or_default(),
                rules: w.rules.as_deref().unwrap_or_default(),
            })
            .collect()
    };
}

impl Object {
    /// The webhooks of a webhook configuration; empty for any other object.
    pub fn webhooks(&self) -> Vec<Webhook<'_>> {
        match &self.kind {
            Kind::ValidatingWebhookConfiguration(c) => view!(c.webhooks),
            Kind::MutatingWebhookConfiguration(c) => view!(c.webhooks),
            _ => Vec::new(),
        }
    }
}
