//! Bytes as an AdmissionReview body: parse, decide (alone and against an empty
//! cluster view), answer. Nothing may panic; every parsed review is answered with its
//! uid.
#![no_main]

use halint::objects::catalog::Catalog;
use halint_webhook::handler::{decide, Context, Mode};
use halint_webhook::review;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(admission) = review::parse(data) else {
        // The handler still answers a body with a uid; that must not panic either.
        if let Some(uid) = review::salvage_uid(data) {
            review::respond_unread(&uid, "unreadable");
        }
        return;
    };
    let config = halint::Config::default();
    let cluster = Catalog::default();
    for (mode, cluster) in [(Mode::Enforce, None), (Mode::Warn, Some(&cluster))] {
        let decision = decide(
            &admission,
            &Context {
                mode,
                config: &config,
                cluster,
                namespace_mode: None,
                scale_exemptions: None,
                today: halint::Date::from_unix_days(20_000),
            },
        );
        let answer = serde_json::to_value(review::respond(&admission.request, &decision.verdict))
            .unwrap();
        assert_eq!(answer["response"]["uid"].as_str(), Some(admission.request.uid.as_str()));
    }
});
