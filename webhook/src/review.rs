//! Reading an AdmissionReview body and writing the response.
//!
//! The envelope goes through kube's admission types. The `object` and `oldObject` are
//! taken out first and kept as raw JSON: the engine reads them itself and reports a
//! type error with its location, and an object halint cannot read must not turn the
//! whole review into an HTTP error (the API server would then apply failurePolicy
//! without any explanation).

use kube::core::admission::{AdmissionRequest, AdmissionResponse, AdmissionReview};
use kube::core::DynamicObject;
use serde_json::Value;

/// One admission request, with its objects as raw JSON.
#[derive(Debug, Clone)]
pub struct Admission {
    /// The envelope; its `object` and `old_object` are always `None`.
    pub request: AdmissionRequest<DynamicObject>,
    pub object: Option<Value>,
    pub old_object: Option<Value>,
}

/// Why a body is not an AdmissionReview we can answer. Each becomes an HTTP 400.
#[derive(Debug)]
pub enum ReviewError {
    NotJson(serde_json::Error),
    WrongType { api_version: String, kind: String },
    NoRequest,
    Invalid(String),
}

impl std::fmt::Display for ReviewError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotJson(e) => write!(f, "request body is not JSON: {e}"),
            Self::WrongType { api_version, kind } => write!(
                f,
                "expected an admission.k8s.io/v1 AdmissionReview, got apiVersion {api_version:?} kind {kind:?} \
                 (register the webhook with admissionReviewVersions: [v1])"
            ),
            Self::NoRequest => write!(f, "AdmissionReview has no request"),
            Self::Invalid(e) => write!(f, "invalid AdmissionReview: {e}"),
        }
    }
}

impl std::error::Error for ReviewError {}

/// Parses a request body.
pub fn parse(body: &[u8]) -> Result<Admission, ReviewError> {
    let mut value: Value = serde_json::from_slice(body).map_err(ReviewError::NotJson)?;
    let type_field = |v: &Value, k: &str| {
        v.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let (api_version, kind) = (type_field(&value, "apiVersion"), type_field(&value, "kind"));
    if api_version != "admission.k8s.io/v1" || kind != "AdmissionReview" {
        return Err(ReviewError::WrongType { api_version, kind });
    }
    let request = match value.get_mut("request") {
        Some(r @ Value::Object(_)) => r,
        _ => return Err(ReviewError::NoRequest),
    };
    let mut take = |key: &str| {
        let mut object = request
            .get_mut(key)
            .map(Value::take)
            .filter(|v| !v.is_null())?;
        // No rule reads managedFields, and they are often the larger part of an object.
        if let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut) {
            meta.remove("managedFields");
        }
        Some(object)
    };
    let object = take("object");
    let old_object = take("oldObject");

    let review: AdmissionReview<DynamicObject> = serde_path_to_error::deserialize(value)
        .map_err(|e| ReviewError::Invalid(format!("{}: {}", e.path(), e.inner())))?;
    let request: AdmissionRequest<DynamicObject> =
        review.try_into().map_err(|_| ReviewError::NoRequest)?;
    if request.uid.is_empty() {
        return Err(ReviewError::Invalid("request.uid is empty".into()));
    }
    Ok(Admission {
        request,
        object,
        old_object,
    })
}

/// The `request.uid` of a body that is not an AdmissionReview we can read, when it has
/// one: the API server then gets an answer it can match, rather than an HTTP error.
pub fn salvage_uid(body: &[u8]) -> Option<String> {
    let value: Value = serde_json::from_slice(body).ok()?;
    let uid = value.get("request")?.get("uid")?.as_str()?;
    (!uid.is_empty()).then(|| uid.to_owned())
}

/// An allowing AdmissionReview for a request halint could not read, with the reason
/// as a warning.
pub fn respond_unread(uid: &str, warning: &str) -> Value {
    serde_json::json!({
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "response": {"uid": uid, "allowed": true, "warnings": [warning]},
    })
}

/// The answer to one admission request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verdict {
    /// `Some(message)` denies.
    pub deny: Option<String>,
    pub warnings: Vec<String>,
    /// Rule ids behind the verdict, for the audit log.
    pub rules: Vec<&'static str>,
}

/// The AdmissionReview sent back: the request's uid, allowed or denied, warnings.
pub fn respond(
    request: &AdmissionRequest<DynamicObject>,
    verdict: &Verdict,
) -> AdmissionReview<DynamicObject> {
    let mut response = AdmissionResponse::from(request);
    if let Some(message) = &verdict.deny {
        response = response.deny(message);
        response.result.code = 403;
        response.result.reason = "Forbidden".into();
    }
    if !verdict.warnings.is_empty() {
        response.warnings = Some(verdict.warnings.clone());
    }
    if !verdict.rules.is_empty() {
        // Prefixed by the API server with the webhook's name in the audit log.
        response
            .audit_annotations
            .insert("rules".into(), verdict.rules.join(","));
    }
    response.into_review()
}
