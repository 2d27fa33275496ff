//! `POST /validate`: an AdmissionReview in, a verdict out.
//!
//! The HTTP handler is thin: it parses the review, takes the cluster view under a read
//! lock, and calls [`decide`], a plain synchronous function around the engine that the
//! tests call directly with a catalog they fill themselves.

use std::collections::{BTreeSet, HashMap};
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use axum::Json;
use halint::config::Config;
use halint::objects::catalog::Catalog;
use halint::objects::{json_without_managed_fields, Object, ObjectError};
use halint::{Finding, LintInput, Severity};
use kube::core::admission::Operation;
use serde_json::value::RawValue;
use serde_json::Value;

use crate::app::{AppState, ErrorDetail, Slot};
use crate::cache::NamespaceMode;
use crate::metrics::Outcome;
use crate::review::{self, Admission, Verdict};
use crate::scale;

/// What error findings do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Mode {
    /// Error findings deny the request; the others come back as warnings.
    Enforce,
    /// Never deny: every finding comes back as a warning.
    Warn,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Enforce => "enforce",
            Self::Warn => "warn",
        }
    }
}

/// Everything a decision reads besides the request.
pub struct Context<'a> {
    pub mode: Mode,
    pub config: &'a Config,
    /// The cluster's workloads, PDBs, HPAs and Services; `None` judges objects alone.
    pub cluster: Option<&'a Catalog>,
    /// The request's namespace opted out (`halint.io/mode` label).
    pub namespace_mode: Option<NamespaceMode>,
    /// `halint.io/ignore` of the workload a scale request targets (the catalog keeps
    /// no annotations).
    pub scale_exemptions: Option<&'a str>,
    /// The UTC date exemptions' `halint.io/ignore-until` is compared with.
    pub today: halint::Date,
}

/// A decision and what led to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub outcome: Outcome,
    pub verdict: Verdict,
    /// Each finding reported, and whether it denied.
    pub findings: Vec<(&'static str, Severity, bool)>,
    /// Why the request was not judged (for the log), when it was not.
    pub skipped: Option<&'static str>,
}

impl Decision {
    fn skip(reason: &'static str) -> Self {
        Self {
            outcome: Outcome::Skipped,
            verdict: Verdict::default(),
            findings: Vec::new(),
            skipped: Some(reason),
        }
    }

    /// Allowed without a verdict of halint's: failurePolicy would allow it too, but
    /// silently, after the API server's timeout. This says so at once.
    fn unjudged(outcome: Outcome, reason: &'static str, warning: &str) -> Self {
        Self {
            outcome,
            verdict: Verdict {
                deny: None,
                warnings: vec![warning.to_owned()],
                rules: Vec::new(),
            },
            findings: Vec::new(),
            skipped: Some(reason),
        }
    }
}

/// The most warnings sent back: the API server caps their total size, and a screenful is
/// enough for a human to act on.
const MAX_WARNINGS: usize = 16;
/// kubectl prints warnings as they come; the API server truncates longer ones.
const MAX_WARNING_CHARS: usize = 255;

/// What a request is about.
enum Target {
    /// The object itself: a workload, PDB or HPA.
    Object,
    /// The `scale` subresource of a workload of this kind.
    Scale(&'static str),
}

fn target(admission: &Admission) -> Option<Target> {
    let r = &admission.request.resource;
    let sub = admission.request.sub_resource.as_deref();
    match (
        r.group.as_str(),
        r.version.as_str(),
        r.resource.as_str(),
        sub,
    ) {
        ("apps", "v1", "deployments" | "statefulsets" | "daemonsets" | "replicasets", None) => {
            Some(Target::Object)
        }
        ("apps", "v1", "deployments", Some("scale")) => Some(Target::Scale("Deployment")),
        ("apps", "v1", "statefulsets", Some("scale")) => Some(Target::Scale("StatefulSet")),
        ("apps", "v1", "replicasets", Some("scale")) => Some(Target::Scale("ReplicaSet")),
        ("policy", "v1", "poddisruptionbudgets", None) => Some(Target::Object),
        ("autoscaling", "v1" | "v2", "horizontalpodautoscalers", None) => Some(Target::Object),
        _ => None,
    }
}

/// Judges one admission request. Pure: no I/O, the same input gives the same answer.
pub fn decide(admission: &Admission, cx: &Context<'_>) -> Decision {
    decide_with(admission, cx, &halint::lint)
}

/// [`decide`] with the lint function given: the server passes its [`crate::app::Engine`].
pub fn decide_with(
    admission: &Admission,
    cx: &Context<'_>,
    engine: &dyn Fn(&LintInput<'_>) -> Vec<Finding>,
) -> Decision {
    let request = &admission.request;
    if matches!(request.operation, Operation::Delete | Operation::Connect) {
        return Decision::skip("operation");
    }
    let Some(target) = target(admission) else {
        return Decision::skip("resource not checked");
    };
    let mut mode = cx.mode;
    match cx.namespace_mode {
        Some(NamespaceMode::Off) => return Decision::skip("namespace opted out"),
        Some(NamespaceMode::Warn) => mode = Mode::Warn,
        None => {}
    }

    let (new, old) = match target {
        Target::Object => (
            admission.object.as_deref().map(Raw::Text),
            admission.old_object.as_deref().map(Raw::Text),
        ),
        Target::Scale(kind) => {
            let synth = |scale: &Option<Box<RawValue>>| {
                // Raw text is valid JSON; a Scale is a few hundred bytes.
                let scale: Value = serde_json::from_str(scale.as_deref()?.get()).ok()?;
                let workload = scale::workload(kind, &scale, cx.cluster, cx.scale_exemptions);
                Some(Raw::Value(workload))
            };
            (synth(&admission.object), synth(&admission.old_object))
        }
    };
    let Some(new) = new.map(read) else {
        return Decision::skip("no object");
    };

    match new.controller.as_deref() {
        // The Deployment was judged when it was written; denying its controller's
        // ReplicaSet writes would only wedge the rollout.
        Some("Deployment") if matches!(request.kind.kind.as_str(), "ReplicaSet") => {
            return Decision::skip("managed by a Deployment");
        }
        // A controller cannot read a denial or act on it: tell, never block.
        Some(_) => mode = Mode::Warn,
        None => {}
    }

    let new = match new.object {
        Ok(Some(object)) => object,
        Ok(None) => return Decision::skip("kind not checked"),
        Err(e) => return unreadable(&e),
    };
    let findings = lint(engine, &new, cx);

    // Ratcheting: what already held before this change, at the same or a higher
    // severity, does not deny. An old object halint cannot read holds nothing.
    // Only error findings (which deny, or are marked as held before) and scale requests
    // read it, so an UPDATE without errors skips linting the old object.
    let needs_old = matches!(target, Target::Scale(_))
        || findings.iter().any(|f| f.severity == Severity::Error);
    let mut before: HashMap<(&'static str, String), Severity> = HashMap::new();
    if let Some(old) = old
        .filter(|_| needs_old)
        .and_then(|old| read(old).object.ok().flatten())
    {
        for f in lint(engine, &old, cx) {
            let held = before.entry((f.rule, f.path)).or_insert(f.severity);
            *held = (*held).max(f.severity);
        }
    }

    let mut decision = Decision {
        outcome: Outcome::Allowed,
        verdict: Verdict::default(),
        findings: Vec::new(),
        skipped: None,
    };
    let mut denials = Vec::new();
    let mut warnings = Vec::new();
    for f in findings {
        let preexisting = before
            .get(&(f.rule, f.path.clone()))
            .is_some_and(|held| *held >= f.severity);
        if matches!(target, Target::Scale(_)) && preexisting {
            // A scale changes the replica count only: what held before it is not about
            // this request (and parts of the synthesized workload are unknown).
            continue;
        }
        let deny = mode == Mode::Enforce && f.severity == Severity::Error && !preexisting;
        decision.findings.push((f.rule, f.severity, deny));
        if !decision.verdict.rules.contains(&f.rule) {
            decision.verdict.rules.push(f.rule);
        }
        if deny {
            denials.push(denial_line(&f));
        } else {
            warnings.push(warning_line(
                &f,
                preexisting && f.severity == Severity::Error,
            ));
        }
    }
    if warnings.len() > MAX_WARNINGS {
        let more = warnings.len() - (MAX_WARNINGS - 1);
        warnings.truncate(MAX_WARNINGS - 1);
        warnings.push(format!(
            "halint: {more} more findings not shown; run `halint` on the manifest"
        ));
    }
    decision.verdict.warnings = warnings;
    if !denials.is_empty() {
        decision.outcome = Outcome::Denied;
        let denied: Vec<&str> = decision
            .findings
            .iter()
            .filter(|(_, _, denied)| *denied)
            .map(|(rule, _, _)| *rule)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        decision.verdict.deny = Some(format!(
            "halint: {}. To exempt this object, annotate it halint.io/ignore={}",
            denials.join("; "),
            denied.join(",")
        ));
    } else if !decision.verdict.warnings.is_empty() {
        decision.outcome = Outcome::Warned;
    }
    decision
}

fn lint(
    engine: &dyn Fn(&LintInput<'_>) -> Vec<Finding>,
    object: &Object,
    cx: &Context<'_>,
) -> Vec<Finding> {
    engine(&LintInput {
        objects: std::slice::from_ref(object),
        context: &[],
        cluster: cx.cluster,
        config: cx.config,
        today: cx.today,
    })
}

/// A request's object, not yet read.
enum Raw<'a> {
    /// As the API server sent it.
    Text(&'a RawValue),
    /// Built here (the workload behind a scale request).
    Value(Value),
}

/// A request's object, read.
struct Read {
    object: Result<Option<Object>, ObjectError>,
    /// The kind of its controlling owner, if it has one.
    controller: Option<String>,
}

fn read(raw: Raw<'_>) -> Read {
    match raw {
        // Typed straight from the text when it types; anything else (a kind halint
        // does not read, a field of the wrong type) goes the Value way, which names
        // the field and reads the owner from whatever shape the object has.
        Raw::Text(text) => match Object::typed_from_text(text.get()) {
            Some(object) => {
                let controller = object
                    .metadata()
                    .owner_references
                    .iter()
                    .flatten()
                    .find(|r| r.controller == Some(true))
                    .map(|r| r.kind.clone());
                Read {
                    object: Ok(Some(object)),
                    controller,
                }
            }
            // Raw text is valid JSON.
            None => read(Raw::Value(
                json_without_managed_fields(text.get()).unwrap_or(Value::Null),
            )),
        },
        Raw::Value(value) => Read {
            controller: controller(&value).map(str::to_owned),
            object: Object::from_json(value),
        },
    }
}

/// The kind of the object's controlling owner, if it has one.
fn controller(object: &Value) -> Option<&str> {
    object
        .pointer("/metadata/ownerReferences")?
        .as_array()?
        .iter()
        .find(|r| r.get("controller").and_then(Value::as_bool) == Some(true))?
        .get("kind")?
        .as_str()
}

/// The API server has already validated the object against its schema, so a field
/// halint cannot read means halint's model is older than the cluster, not that the
/// object is broken. Denying would turn halint's limit into a blocked deploy: allow,
/// and say why nothing was checked.
fn unreadable(error: &halint::objects::ObjectError) -> Decision {
    Decision {
        outcome: Outcome::Unreadable,
        verdict: Verdict {
            deny: None,
            warnings: vec![truncate(format!(
                "halint could not read the object, so did not check it: {error}"
            ))],
            rules: Vec::new(),
        },
        findings: Vec::new(),
        skipped: None,
    }
}

fn field(path: &str) -> String {
    if path.is_empty() {
        String::new()
    } else {
        format!("{}: ", halint::pointer::to_field_path(path))
    }
}

fn denial_line(f: &Finding) -> String {
    one_line(format!(
        "[{}] {}{} (fix: {})",
        f.rule,
        field(&f.path),
        f.message,
        f.help
    ))
}

fn warning_line(f: &Finding, ratcheted: bool) -> String {
    let note = if ratcheted {
        ", not denied: already present before this change"
    } else {
        ""
    };
    let line = format!("halint [{}{note}] {}{}", f.rule, field(&f.path), f.message);
    // The fix when it fits; a fix cut in half helps nobody.
    let with_fix = format!("{line} (fix: {})", f.help);
    if with_fix.chars().count() <= MAX_WARNING_CHARS {
        one_line(with_fix)
    } else {
        truncate(one_line(line))
    }
}

/// Warnings travel in HTTP headers: no line breaks.
fn one_line(s: String) -> String {
    if s.contains(['\n', '\r']) {
        s.replace(['\n', '\r'], " ")
    } else {
        s
    }
}

fn truncate(s: String) -> String {
    if s.chars().count() <= MAX_WARNING_CHARS {
        return s;
    }
    let mut out: String = s.chars().take(MAX_WARNING_CHARS - 1).collect();
    out.push('…');
    out
}

/// `POST /validate`.
pub async fn validate(
    State(app): State<Arc<AppState>>,
    slot: Option<Extension<Slot>>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let started = Instant::now();
    let body = match body {
        Ok(body) => body,
        Err(rejection) => {
            let detail = ErrorDetail(rejection.body_text());
            let mut response = rejection.into_response();
            response.extensions_mut().insert(detail);
            return response;
        }
    };
    let admission = match review::parse(&body) {
        Ok(admission) => Arc::new(admission),
        Err(e) => {
            let text = e.to_string();
            if let (review::ReviewError::Invalid(_), Some(uid)) = (&e, review::salvage_uid(&body)) {
                // The envelope carries a uid: answer it, allowing, and say why nothing
                // was checked (a 400 would be applied as failurePolicy, unexplained).
                tracing::warn!(uid, error = text, "unreadable admission request allowed");
                app.metrics
                    .admission("", "", Outcome::Unreadable, started.elapsed().as_secs_f64());
                let warning = truncate(format!(
                    "halint could not read this admission request, so did not check it: {text}"
                ));
                return Json(review::respond_unread(&uid, &warning)).into_response();
            }
            let mut response = (StatusCode::BAD_REQUEST, text.clone()).into_response();
            response.extensions_mut().insert(ErrorDetail(text));
            return response;
        }
    };
    drop(body);

    // The engine runs on a blocking thread: a rule that loops cannot stall the
    // reactor, and the deadline below still answers. The slot goes with it, so a
    // decision that outlives its request still counts against the in-flight cap.
    let judging = {
        let (app, admission) = (Arc::clone(&app), Arc::clone(&admission));
        tokio::task::spawn_blocking(move || {
            let _slot = slot;
            let judged = std::panic::catch_unwind(AssertUnwindSafe(|| judge(&app, &admission)));
            // Counted here, so that a panic after the deadline is counted too.
            if let Err(panic) = &judged {
                tracing::error!(
                    uid = %admission.request.uid,
                    panic = panic_text(panic.as_ref()),
                    "the engine panicked; allowing the request unchecked"
                );
                app.metrics.engine_panic();
            }
            judged.ok()
        })
    };
    let decision = match tokio::time::timeout(app.deadline, judging).await {
        Ok(Ok(Some(decision))) => decision,
        Ok(Ok(None)) => Decision::unjudged(
            Outcome::Failed,
            "engine panicked",
            "halint failed with an internal error while checking this object, so it was \
                 allowed unchecked; please report it with the object",
        ),
        Ok(Err(join)) => {
            tracing::error!(uid = %admission.request.uid, error = %join, "decision task failed");
            Decision::unjudged(
                Outcome::Failed,
                "decision task failed",
                "halint failed with an internal error while checking this object, so it was \
                 allowed unchecked",
            )
        }
        Err(_) => {
            tracing::warn!(
                uid = %admission.request.uid,
                deadline_ms = u64::try_from(app.deadline.as_millis()).unwrap_or(u64::MAX),
                "decision deadline reached; allowing the request unchecked"
            );
            Decision::unjudged(
                Outcome::TimedOut,
                "deadline reached",
                "halint could not check this object in time, so it was allowed unchecked",
            )
        }
    };
    let request = &admission.request;
    let namespace = request.namespace.as_deref().unwrap_or_default();
    let response = review::respond(request, &decision.verdict);
    let elapsed = started.elapsed();

    let kind = request.kind.kind.as_str();
    let operation = operation_str(&request.operation);
    app.metrics
        .admission(kind, operation, decision.outcome, elapsed.as_secs_f64());
    for (rule, severity, denied) in &decision.findings {
        app.metrics.finding(rule, severity.as_str(), *denied);
    }
    tracing::info!(
        uid = %request.uid,
        kind,
        subresource = request.sub_resource.as_deref().unwrap_or(""),
        namespace,
        name = %request.name,
        operation,
        dry_run = request.dry_run,
        user = request.user_info.username.as_deref().unwrap_or(""),
        decision = decision.outcome.as_str(),
        skipped = decision.skipped.unwrap_or(""),
        rules = %decision.verdict.rules.join(","),
        duration_us = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX),
        "admission"
    );
    Json(response).into_response()
}

fn today() -> halint::Date {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    halint::Date::from_unix_seconds(seconds)
}

/// One decision with the cluster's view, on the calling (blocking) thread.
fn judge(app: &AppState, admission: &Admission) -> Decision {
    let request = &admission.request;
    let namespace = request.namespace.as_deref().unwrap_or_default();
    let catalog = app.cluster.as_ref().map(|c| c.catalog());
    let exemptions = match (target(admission), &app.cluster) {
        (Some(Target::Scale(kind)), Some(c)) => c.exemption(namespace, kind, &request.name),
        _ => None,
    };
    let cx = Context {
        mode: app.mode,
        config: &app.config,
        cluster: catalog.as_deref(),
        namespace_mode: app
            .cluster
            .as_ref()
            .and_then(|c| c.namespace_mode(namespace)),
        scale_exemptions: exemptions.as_deref(),
        today: today(),
    };
    decide_with(admission, &cx, app.engine.as_ref())
}

fn panic_text(payload: &(dyn std::any::Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(not a string)")
}

fn operation_str(op: &Operation) -> &'static str {
    match op {
        Operation::Create => "CREATE",
        Operation::Update => "UPDATE",
        Operation::Delete => "DELETE",
        Operation::Connect => "CONNECT",
    }
}
