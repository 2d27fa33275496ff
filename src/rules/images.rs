//! Image references read the way the kubelet and the API server's defaulting read them.

/// An image reference split into its parts. `path` has no registry, tag or digest, and
/// Docker Hub's `library/` prefix is dropped (`docker.io/library/etcd` is `etcd`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageRef<'a> {
    pub registry: Option<&'a str>,
    pub path: &'a str,
    pub tag: Option<&'a str>,
    pub digest: Option<&'a str>,
}

pub fn parse(image: &str) -> ImageRef<'_> {
    let (name, digest) = match image.split_once('@') {
        Some((name, digest)) => (name, Some(digest)),
        None => (image, None),
    };
    // A colon after the last slash starts the tag; one before it is a registry's port.
    let (name, tag) = match name.rfind(':') {
        Some(colon) if !name[colon..].contains('/') => (&name[..colon], Some(&name[colon + 1..])),
        _ => (name, None),
    };
    let (registry, path) = match name.split_once('/') {
        Some((first, rest))
            if first.contains('.') || first.contains(':') || first == "localhost" =>
        {
            (Some(first), rest)
        }
        _ => (None, name),
    };
    ImageRef {
        registry,
        path: path.strip_prefix("library/").unwrap_or(path),
        tag,
        digest,
    }
}

impl ImageRef<'_> {
    /// The imagePullPolicy the API server writes when none is given. Its defaulting parses the
    /// image and takes the tag `latest` when there is neither tag nor digest; the policy is
    /// Always when that tag is `latest` (so `app:latest@sha256:…` is Always too), else
    /// IfNotPresent.
    pub fn default_pull_policy(&self) -> &'static str {
        let tag = match (self.tag, self.digest) {
            (None, None) => Some("latest"),
            (tag, _) => tag,
        };
        if tag == Some("latest") {
            "Always"
        } else {
            "IfNotPresent"
        }
    }

    /// `registry/path`, or `path` without a registry.
    pub fn repository(&self) -> String {
        match self.registry {
            Some(registry) => format!("{registry}/{}", self.path),
            None => self.path.to_string(),
        }
    }

    /// Whether the repository is one of `names` (compared with its trailing path components,
    /// so a mirror's prefix does not matter), or one of `extra` (configured entries, with
    /// or without registry, matched on whole components too).
    pub fn is_one_of(&self, names: &[&str], extra: &[String]) -> bool {
        if names.iter().any(|n| ends_with_components(self.path, n)) {
            return true;
        }
        let full = self.repository();
        extra
            .iter()
            .any(|e| ends_with_components(&full, &parse(e).repository()))
    }
}

/// Whether `path` is `suffix` or ends with `/suffix`: `bitnami/etcd` ends with `etcd`,
/// `etcd-operator` does not.
fn ends_with_components(path: &str, suffix: &str) -> bool {
    let suffix = suffix.trim_matches('/');
    !suffix.is_empty()
        && (path == suffix
            || path
                .strip_suffix(suffix)
                .is_some_and(|rest| rest.ends_with('/')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_split_into_their_parts() {
        let r = parse("registry.k8s.io/etcd:3.5.12-0");
        assert_eq!(
            (r.registry, r.path, r.tag, r.digest),
            (Some("registry.k8s.io"), "etcd", Some("3.5.12-0"), None)
        );
        let r = parse("localhost:5000/team/app@sha256:abc");
        assert_eq!(
            (r.registry, r.path, r.tag, r.digest),
            (Some("localhost:5000"), "team/app", None, Some("sha256:abc"))
        );
        let r = parse("docker.io/library/zookeeper:3.9");
        assert_eq!((r.path, r.tag), ("zookeeper", Some("3.9")));
        assert_eq!(parse("bitnami/etcd").tag, None);
    }

    #[test]
    fn pull_policy_defaults_like_the_api_server() {
        assert_eq!(parse("nginx").default_pull_policy(), "Always");
        assert_eq!(parse("nginx:latest").default_pull_policy(), "Always");
        assert_eq!(
            parse("nginx:latest@sha256:abc").default_pull_policy(),
            "Always"
        );
        assert_eq!(
            parse("nginx@sha256:abc").default_pull_policy(),
            "IfNotPresent"
        );
        assert_eq!(parse("nginx:1.25").default_pull_policy(), "IfNotPresent");
        assert_eq!(
            parse("localhost:5000/nginx").default_pull_policy(),
            "Always"
        );
        // Tags are case-sensitive: only `latest` is the default tag.
        assert_eq!(parse("nginx:Latest").default_pull_policy(), "IfNotPresent");
    }

    #[test]
    fn repositories_match_on_whole_components() {
        let none: &[String] = &[];
        assert!(parse("quay.io/coreos/etcd:v3.5").is_one_of(&["etcd"], none));
        assert!(!parse("quay.io/coreos/etcd-operator:v0.9").is_one_of(&["etcd"], none));
        let extra = vec!["registry.example.com/data/raftd".to_string()];
        assert!(parse("registry.example.com/data/raftd:2").is_one_of(&[], &extra));
        assert!(!parse("registry.example.com/raftd:2").is_one_of(&[], &extra));
    }
}
