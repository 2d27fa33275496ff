//! An in-process webhook on 127.0.0.1 with a CA and certificate made here, and a
//! client that trusts only that CA.

#![allow(dead_code)] // each test binary uses part of this

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use halint_webhook::app::{self, AppState, Engine};
use halint_webhook::cache::ClusterCache;
use halint_webhook::handler::Mode;
use halint_webhook::metrics::Metrics;
use halint_webhook::server::{Server, Timeouts};
use halint_webhook::tls::{self, CertStore};
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1;
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, ServerName};
use serde_json::Value;
use tokio::sync::oneshot;
use tokio_rustls::TlsConnector;

/// A capture from testdata/admission/.
pub fn capture(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/admission")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("capture is JSON")
}

/// A private CA that issues serving certificates for localhost.
pub struct Pki {
    ca: CertifiedIssuer<'static, KeyPair>,
}

impl Pki {
    pub fn new() -> Self {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(DnType::CommonName, "halint test CA");
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca = CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap();
        Self { ca }
    }

    pub fn ca_der(&self) -> CertificateDer<'static> {
        self.ca.der().clone()
    }

    /// A fresh serving certificate and key, PEM.
    pub fn leaf(&self) -> (String, String) {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
        params
            .subject_alt_names
            .push(rcgen::SanType::IpAddress([127, 0, 0, 1].into()));
        let cert = params.signed_by(&key, &self.ca).unwrap();
        (cert.pem(), key.serialize_pem())
    }

    pub fn client_config(&self) -> Arc<rustls::ClientConfig> {
        let mut roots = rustls::RootCertStore::empty();
        roots.add(self.ca_der()).unwrap();
        let config = rustls::ClientConfig::builder_with_provider(tls::provider())
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
        Arc::new(config)
    }
}

pub struct Options {
    pub mode: Mode,
    pub cluster: Option<Arc<ClusterCache>>,
    pub reload_every: Duration,
    pub timeouts: Timeouts,
    /// Replaces `halint::lint` (fault injection).
    pub engine: Option<Engine>,
    pub deadline: Duration,
    pub in_flight: usize,
    pub max_connections: usize,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            mode: Mode::Enforce,
            cluster: None,
            reload_every: Duration::from_secs(60),
            timeouts: Timeouts::default(),
            engine: None,
            deadline: app::DECISION_DEADLINE,
            in_flight: app::MAX_IN_FLIGHT,
            max_connections: halint_webhook::server::MAX_CONNECTIONS,
        }
    }
}

pub struct TestServer {
    pub addr: SocketAddr,
    pub pki: Pki,
    pub dir: tempfile::TempDir,
    pub metrics: Arc<Metrics>,
    shutdown: Option<oneshot::Sender<()>>,
    pub served: tokio::task::JoinHandle<()>,
    _reloader: tokio::task::JoinHandle<()>,
}

impl TestServer {
    pub async fn start(options: Options) -> Self {
        let pki = Pki::new();
        let dir = tempfile::tempdir().unwrap();
        let (cert, key) = pki.leaf();
        std::fs::write(dir.path().join("tls.crt"), cert).unwrap();
        std::fs::write(dir.path().join("tls.key"), key).unwrap();
        let certs =
            CertStore::load(&dir.path().join("tls.crt"), &dir.path().join("tls.key")).unwrap();
        let metrics = Arc::new(Metrics::new());
        let m = Arc::clone(&metrics);
        let reloader = certs.watch(options.reload_every, move || m.cert_reloaded());
        let mut state = AppState::new(
            options.mode,
            halint::Config::default(),
            options.cluster,
            Arc::clone(&metrics),
        );
        if let Some(engine) = options.engine {
            state.engine = engine;
        }
        state.deadline = options.deadline;
        state.in_flight = Arc::new(tokio::sync::Semaphore::new(options.in_flight));
        let state = Arc::new(state);
        let server = Server::bind(
            "127.0.0.1:0".parse().unwrap(),
            certs.server_config().unwrap(),
            options.timeouts,
        )
        .await
        .unwrap()
        .max_connections(options.max_connections);
        let addr = server.local_addr().unwrap();
        let (tx, rx) = oneshot::channel();
        let served = tokio::spawn(server.serve(app::router(state), async {
            let _ = rx.await;
        }));
        Self {
            addr,
            pki,
            dir,
            metrics,
            shutdown: Some(tx),
            served,
            _reloader: reloader,
        }
    }

    /// Starts the shutdown the server runs on SIGTERM.
    pub fn shutdown(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }

    /// A new TLS connection.
    pub async fn connect(&self) -> std::io::Result<Client> {
        connect_to(self.addr, self.pki.client_config()).await
    }

    /// A new HTTP/2 connection (ALPN h2), the protocol the API server's client prefers.
    pub async fn connect_h2(&self) -> hyper::client::conn::http2::SendRequest<Full<Bytes>> {
        let mut config = (*self.pki.client_config()).clone();
        config.alpn_protocols = vec![b"h2".to_vec()];
        let tcp = tokio::net::TcpStream::connect(self.addr).await.unwrap();
        let tls = TlsConnector::from(Arc::new(config))
            .connect(ServerName::try_from("localhost").unwrap(), tcp)
            .await
            .unwrap();
        assert_eq!(tls.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
        let (sender, conn) = hyper::client::conn::http2::handshake(
            hyper_util::rt::TokioExecutor::new(),
            TokioIo::new(tls),
        )
        .await
        .unwrap();
        tokio::spawn(async move {
            let _ = conn.await;
        });
        sender
    }

    /// A new TLS connection without an HTTP client on it, to write requests by hand.
    pub async fn connect_raw(
        &self,
    ) -> std::io::Result<tokio_rustls::client::TlsStream<tokio::net::TcpStream>> {
        let tcp = tokio::net::TcpStream::connect(self.addr).await?;
        let connector = TlsConnector::from(self.pki.client_config());
        connector
            .connect(ServerName::try_from("localhost").unwrap(), tcp)
            .await
    }

    /// One request on a new connection.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: impl Into<Bytes>,
    ) -> (StatusCode, Bytes) {
        let mut client = self.connect().await.expect("connect");
        client.request(method, path, body).await.expect("request")
    }

    /// POSTs an AdmissionReview and returns its response part.
    pub async fn review(&self, review: &Value) -> Value {
        let (status, body) = self
            .call(
                Method::POST,
                "/validate",
                serde_json::to_vec(review).unwrap(),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
        response_of(&body)
    }
}

/// A new TLS connection to `addr`, trusting what `config` trusts.
pub async fn connect_to(
    addr: SocketAddr,
    config: Arc<rustls::ClientConfig>,
) -> std::io::Result<Client> {
    let tcp = tokio::net::TcpStream::connect(addr).await?;
    tcp.set_nodelay(true)?;
    let connector = TlsConnector::from(config);

    let tls = connector
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await?;
    let peer = tls
        .get_ref()
        .1
        .peer_certificates()
        .and_then(|c| c.first())
        .cloned()
        .expect("server sent a certificate");
    let (sender, conn) = http1::handshake(TokioIo::new(tls))
        .await
        .map_err(std::io::Error::other)?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    Ok(Client { sender, peer })
}

/// The `response` of an AdmissionReview body, after checking the envelope.
pub fn response_of(body: &[u8]) -> Value {
    let review: Value = serde_json::from_slice(body).expect("response is JSON");
    assert_eq!(review["apiVersion"], "admission.k8s.io/v1");
    assert_eq!(review["kind"], "AdmissionReview");
    review["response"].clone()
}

pub struct Client {
    sender: http1::SendRequest<Full<Bytes>>,
    /// The leaf certificate the server presented.
    pub peer: CertificateDer<'static>,
}

impl Client {
    pub async fn request(
        &mut self,
        method: Method,
        path: &str,
        body: impl Into<Bytes>,
    ) -> Result<(StatusCode, Bytes), hyper::Error> {
        self.sender.ready().await?;
        let request = Request::builder()
            .method(method)
            .uri(path)
            .header("host", "localhost")
            .header("content-type", "application/json")
            .body(Full::new(body.into()))
            .unwrap();
        let response = self.sender.send_request(request).await?;
        let status = response.status();
        let body = response.into_body().collect().await?.to_bytes();
        Ok((status, body))
    }
}

/// The warnings of a response, empty when it has none.
pub fn warnings(response: &Value) -> Vec<String> {
    response["warnings"]
        .as_array()
        .map(|w| w.iter().map(|s| s.as_str().unwrap().to_owned()).collect())
        .unwrap_or_default()
}
