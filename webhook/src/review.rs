//! Reading an AdmissionReview body and writing the response.
//!
//! The envelope goes through kube's admission types. The `object` and `oldObject` are
//! kept as raw JSON text: the engine reads them itself and reports a type error with its
//! location, and an object halint cannot read must not turn the whole review into an
//! HTTP error (the API server would then apply failurePolicy without any explanation).
//!
//! A review is read in one pass over the body, straight into the envelope's types with
//! the objects left as text; no `serde_json::Value` tree is built (it cost about half
//! of each request). A body that pass cannot read is read again the slow way, which
//! says precisely what is wrong with it.

use std::borrow::Cow;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::core::admission::{AdmissionRequest, AdmissionResponse, AdmissionReview};
use kube::core::{DynamicObject, TypeMeta};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

/// One admission request, with its objects as raw JSON.
#[derive(Debug, Clone)]
pub struct Admission {
    /// The envelope; its `object` and `old_object` are always `None`.
    pub request: AdmissionRequest<DynamicObject>,
    pub object: Option<Box<RawValue>>,
    pub old_object: Option<Box<RawValue>>,
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
    match parse_direct(body) {
        Some(admission) => Ok(admission),
        None => parse_value(body),
    }
}

/// An object of a review as its JSON text. kube's request type wants a `Resource`;
/// nothing here reads the resource side of it.
#[derive(Debug, Clone, Deserialize)]
#[serde(transparent)]
struct RawObject {
    text: Box<RawValue>,
    #[serde(skip)]
    meta: ObjectMeta,
}

impl kube::Resource for RawObject {
    type DynamicType = ();
    type Scope = kube::core::DynamicResourceScope;

    fn kind(_: &()) -> Cow<'_, str> {
        Cow::Borrowed("")
    }
    fn group(_: &()) -> Cow<'_, str> {
        Cow::Borrowed("")
    }
    fn version(_: &()) -> Cow<'_, str> {
        Cow::Borrowed("")
    }
    fn plural(_: &()) -> Cow<'_, str> {
        Cow::Borrowed("")
    }
    fn meta(&self) -> &ObjectMeta {
        &self.meta
    }
    fn meta_mut(&mut self) -> &mut ObjectMeta {
        &mut self.meta
    }
}

/// The review's fields, without kube's `AdmissionReview`: its flattened type fields
/// make serde buffer the whole request before reading it.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Envelope<'a> {
    #[serde(borrow)]
    api_version: Cow<'a, str>,
    #[serde(borrow)]
    kind: Cow<'a, str>,
    request: AdmissionRequest<RawObject>,
}

/// The one-pass read of a well-formed v1 review; `None` for anything else.
fn parse_direct(body: &[u8]) -> Option<Admission> {
    let envelope: Envelope<'_> = serde_json::from_slice(body).ok()?;
    if envelope.api_version != "admission.k8s.io/v1"
        || envelope.kind != "AdmissionReview"
        || envelope.request.uid.is_empty()
    {
        return None;
    }
    let r = envelope.request;
    // `null` is no object, as in the slow path.
    let text = |o: Option<RawObject>| o.map(|o| o.text).filter(|t| t.get() != "null");
    Some(Admission {
        request: AdmissionRequest {
            types: TypeMeta {
                api_version: envelope.api_version.into_owned(),
                kind: envelope.kind.into_owned(),
            },
            uid: r.uid,
            kind: r.kind,
            resource: r.resource,
            sub_resource: r.sub_resource,
            request_kind: r.request_kind,
            request_resource: r.request_resource,
            request_sub_resource: r.request_sub_resource,
            name: r.name,
            namespace: r.namespace,
            operation: r.operation,
            user_info: r.user_info,
            object: None,
            old_object: None,
            dry_run: r.dry_run,
            options: r.options,
        },
        object: text(r.object),
        old_object: text(r.old_object),
    })
}

/// The slow read, through a `Value`: it tells a body that is not JSON from one that is
/// not a v1 review, from one with a field of the wrong type (and which).
fn parse_value(body: &[u8]) -> Result<Admission, ReviewError> {
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
        let object = request
            .get_mut(key)
            .map(Value::take)
            .filter(|v| !v.is_null())?;
        // Serializing a Value cannot fail.
        serde_json::value::to_raw_value(&object).ok()
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
