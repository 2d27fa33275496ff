//! halint-webhook: flags, start-up, serve until SIGTERM.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use clap::Parser;
use halint_webhook::app::{self, AppState};
use halint_webhook::cache::{self, ClusterCache};
use halint_webhook::handler::Mode;
use halint_webhook::metrics::Metrics;
use halint_webhook::server::{self, Server, Timeouts};
use halint_webhook::{custom, settings, tls};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// halint's high-availability rules as a ValidatingAdmissionWebhook.
///
/// Serves POST /validate (AdmissionReview admission.k8s.io/v1), /healthz, /readyz and
/// /metrics over HTTPS. Logs are JSON lines on stderr; set RUST_LOG (default info).
#[derive(Debug, Parser)]
#[command(version)]
struct Flags {
    /// Address and port to serve HTTPS on.
    #[arg(long, default_value = "0.0.0.0:8443", value_name = "ADDR")]
    listen: SocketAddr,

    /// PEM file with the serving certificate (chain, leaf first). Re-read when it
    /// changes: a rotated certificate is used for new connections without a restart.
    #[arg(long, value_name = "FILE")]
    tls_cert: PathBuf,

    /// PEM file with the certificate's private key (PKCS#8, PKCS#1 or SEC1). Re-read
    /// together with --tls-cert.
    #[arg(long, value_name = "FILE")]
    tls_key: PathBuf,

    /// What error findings do [default: the config's `webhook.mode`, else enforce].
    #[arg(long, value_enum)]
    mode: Option<Mode>,

    /// Do not watch the cluster: judge each object alone, with no PDBs, HPAs or
    /// Services for context and no namespace opt-out. For local use and tests.
    #[arg(long)]
    no_cluster: bool,

    /// The .halint.yaml to use (rule levels and options, custom rule directories,
    /// exemption settings, a `webhook:` section), as the CLI reads it. Without it, every
    /// rule runs at its default severity.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

/// How often the certificate files are compared with what is loaded.
const TLS_RELOAD_INTERVAL: Duration = Duration::from_secs(5);

fn main() -> ExitCode {
    let flags = Flags::parse();
    init_logging();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            tracing::error!(error = %e, "cannot start the async runtime");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(flags)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = format!("{e:#}"), "halint-webhook stopped");
            ExitCode::FAILURE
        }
    }
}

async fn run(flags: Flags) -> anyhow::Result<()> {
    // kube's client and our server share one crypto provider.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();

    // Rule metadata is parsed once: now, rather than on the first admission request.
    let rules = halint::catalog::all().len();
    let (config, mode) = match &flags.config {
        Some(path) => {
            let settings = settings::load(path)?;
            let custom = settings.config.custom.len();
            tracing::info!(config = %path.display(), custom_rules = custom, "config loaded");
            (settings.config, flags.mode.or(settings.mode))
        }
        None => (halint::Config::default(), flags.mode),
    };
    let mode = mode.unwrap_or(Mode::Enforce);
    let metrics = Arc::new(Metrics::new());
    let certs = tls::CertStore::load(&flags.tls_cert, &flags.tls_key)
        .context("loading the serving certificate")?;
    let reload_metrics = Arc::clone(&metrics);
    let _reloader = certs.watch(TLS_RELOAD_INTERVAL, move || reload_metrics.cert_reloaded());

    let cluster = if flags.no_cluster {
        tracing::info!("--no-cluster: judging each object alone");
        None
    } else {
        let client = kube::Client::try_default()
            .await
            .context("connecting to the API server (use --no-cluster to run without one)")?;
        let cache = Arc::new(ClusterCache::default());
        let _watches = cache::start(client.clone(), &cache);
        let _custom = custom::start(client, &cache, custom::REDISCOVERY);
        Some(cache)
    };

    let state = Arc::new(AppState::new(mode, config, cluster, metrics));
    let server = Server::bind(flags.listen, certs.server_config()?, Timeouts::default())
        .await
        .with_context(|| format!("listening on {}", flags.listen))?;
    tracing::info!(listen = %server.local_addr()?, mode = mode.as_str(), rules, "serving");
    server
        .serve(app::router(state), server::shutdown_signal())
        .await;
    tracing::info!("stopped");
    Ok(())
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .json()
        .flatten_event(true)
        .with_current_span(false)
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}
