//! A deterministic corpus of realistic apps: each a Deployment (two containers, probes,
//! resources, a node spread on most), a Service, a PodDisruptionBudget and a
//! HorizontalPodAutoscaler. Some apps carry the mistakes halint exists to catch, so the
//! rules do real work.

use std::fmt::Write as _;

/// A small linear congruential generator: the same seed gives the same corpus everywhere.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The YAML of app number `i` (four documents, separated by `---`).
pub fn app(i: usize, seed: u64) -> String {
    let mut rng = Lcg(seed ^ (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let name = format!("app-{i:05}");
    let ns = format!("team-{:02}", i % 20);
    let replicas = [1, 2, 3, 3, 4, 6][rng.below(6) as usize];
    let spread = rng.below(4) != 0;
    let min_available = if rng.below(10) == 0 {
        "100%".to_string()
    } else {
        "1".to_string()
    };
    let hpa_min = if rng.below(5) == 0 { 1 } else { 2 };
    let mut out = String::with_capacity(4096);
    let _ = write!(
        out,
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: {ns}
  labels: {{app: {name}, team: team-{team}}}
spec:
  replicas: {replicas}
  selector:
    matchLabels: {{app: {name}}}
  strategy:
    type: RollingUpdate
    rollingUpdate: {{maxUnavailable: 25%, maxSurge: 25%}}
  template:
    metadata:
      labels: {{app: {name}, team: team-{team}}}
    spec:
"#,
        team = i % 20
    );
    if spread {
        let _ = write!(
            out,
            r#"      affinity:
        podAntiAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
            - weight: 100
              podAffinityTerm:
                topologyKey: kubernetes.io/hostname
                labelSelector:
                  matchLabels: {{app: {name}}}
"#
        );
    }
    let _ = write!(
        out,
        r#"      containers:
        - name: main
          image: registry.example.com/{ns}/{name}:1.{minor}.0
          ports:
            - {{name: http, containerPort: 8080}}
          readinessProbe:
            httpGet: {{path: /ready, port: http}}
            periodSeconds: 5
          livenessProbe:
            httpGet: {{path: /healthz, port: http}}
            periodSeconds: 10
            failureThreshold: 6
          resources:
            requests: {{cpu: 100m, memory: 128Mi}}
            limits: {{memory: 256Mi}}
        - name: proxy
          image: registry.example.com/mesh/proxy:2.3.1
          ports:
            - {{name: admin, containerPort: 9901}}
          readinessProbe:
            httpGet: {{path: /ready, port: admin}}
          resources:
            requests: {{cpu: 50m, memory: 64Mi}}
---
apiVersion: v1
kind: Service
metadata:
  name: {name}
  namespace: {ns}
spec:
  selector: {{app: {name}}}
  ports:
    - {{name: http, port: 80, targetPort: http}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {name}
  namespace: {ns}
spec:
  minAvailable: {min_available}
  selector:
    matchLabels: {{app: {name}}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {name}
  namespace: {ns}
spec:
  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: {name}}}
  minReplicas: {hpa_min}
  maxReplicas: 10
  metrics:
    - type: Resource
      resource:
        name: cpu
        target: {{type: Utilization, averageUtilization: 70}}
"#,
        minor = rng.below(30)
    );
    out
}

/// App number `i` as `kubectl get -o yaml` writes it back: the Deployment with its last
/// applied configuration, managed fields and status, which are most of an exported
/// object's bytes and which no rule reads.
#[allow(dead_code)] // The corpus is shared by the benches; only the engine's reads this.
pub fn exported(i: usize, seed: u64) -> String {
    let app = app(i, seed);
    let (deployment, rest) = app.split_once("---\n").expect("four documents");
    // The manifest as one line of JSON-ish text: its length matters here, not its shape.
    let flat: String = deployment
        .chars()
        .map(|c| if c == '\n' { ' ' } else { c })
        .filter(|c| *c != '"')
        .collect();
    let applied = format!("{{\"manifest\":\"{flat}\"}}");
    let mut out = String::with_capacity(app.len() * 3);
    for line in deployment.lines() {
        out.push_str(line);
        out.push('\n');
        if line == "metadata:" {
            let _ = write!(
                out,
                r#"  annotations:
    deployment.kubernetes.io/revision: "{revision}"
    kubectl.kubernetes.io/last-applied-configuration: |
      {applied}
  creationTimestamp: "2026-01-0{day}T10:00:00Z"
  generation: {revision}
  managedFields:
  - apiVersion: apps/v1
    fieldsType: FieldsV1
    fieldsV1:
      f:metadata:
        f:annotations:
          .: {{}}
          f:kubectl.kubernetes.io/last-applied-configuration: {{}}
        f:labels:
          .: {{}}
          f:app: {{}}
      f:spec:
        f:replicas: {{}}
        f:selector: {{}}
        f:strategy:
          f:rollingUpdate:
            .: {{}}
            f:maxSurge: {{}}
            f:maxUnavailable: {{}}
          f:type: {{}}
        f:template:
          f:metadata:
            f:labels:
              .: {{}}
              f:app: {{}}
          f:spec:
            f:containers:
              k:{{"name":"main"}}:
                .: {{}}
                f:image: {{}}
                f:name: {{}}
    manager: kubectl-client-side-apply
    operation: Update
    time: "2026-01-0{day}T10:00:00Z"
  - apiVersion: apps/v1
    fieldsType: FieldsV1
    fieldsV1:
      f:status:
        f:availableReplicas: {{}}
        f:conditions:
          .: {{}}
          k:{{"type":"Available"}}:
            .: {{}}
            f:lastTransitionTime: {{}}
            f:status: {{}}
            f:type: {{}}
        f:observedGeneration: {{}}
        f:readyReplicas: {{}}
    manager: kube-controller-manager
    operation: Update
    subresource: status
    time: "2026-01-0{day}T10:05:00Z"
  resourceVersion: "{version}"
  uid: 6f1c2b7e-0000-4000-8000-{i:012}
"#,
                revision = i % 7 + 1,
                day = i % 9 + 1,
                version = 100_000 + i,
            );
        }
    }
    let _ = write!(
        out,
        r#"status:
  availableReplicas: 2
  conditions:
  - lastTransitionTime: "2026-01-01T10:05:00Z"
    lastUpdateTime: "2026-01-01T10:05:00Z"
    message: Deployment has minimum availability.
    reason: MinimumReplicasAvailable
    status: "True"
    type: Available
  - lastTransitionTime: "2026-01-01T10:00:00Z"
    lastUpdateTime: "2026-01-01T10:05:00Z"
    message: ReplicaSet has successfully progressed.
    reason: NewReplicaSetAvailable
    status: "True"
    type: Progressing
  observedGeneration: 3
  readyReplicas: 2
  replicas: 2
  updatedReplicas: 2
---
{rest}"#
    );
    out
}
