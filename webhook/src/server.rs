//! The HTTPS accept loop: TLS by rustls, HTTP/1.1 and HTTP/2, and a graceful drain.
//!
//! The loop is small and ours so that every limit that protects the API server's
//! admission path is explicit: TCP_NODELAY on every socket (without it small responses
//! wait for delayed ACKs), a TLS handshake timeout, a header read timeout, and on
//! shutdown: stop accepting, let in-flight requests finish, then return.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use rustls::ServerConfig;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_rustls::TlsAcceptor;

/// Open connections served at once. The API server keeps a few pooled connections per
/// instance; more than this waits in the kernel's accept backlog (and is served as
/// others close) instead of each costing TLS and HTTP/2 buffers.
pub const MAX_CONNECTIONS: usize = 128;

/// HTTP/2 streams per connection; the in-flight cap of the app bounds them all.
const MAX_STREAMS: u32 = 32;

/// Timeouts of the connection layer. The API server gives a webhook `timeoutSeconds`
/// (3 s in deploy/) for the whole call; each of these is well under it.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// From TCP accept to a finished TLS handshake.
    pub handshake: Duration,
    /// From the first byte of a request to the end of its headers (HTTP/1.1).
    pub header_read: Duration,
    /// How long a shutdown waits for in-flight requests before giving up on them.
    pub drain: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            handshake: Duration::from_secs(2),
            header_read: Duration::from_secs(2),
            // Below the Deployment's terminationGracePeriodSeconds minus its preStop pause.
            drain: Duration::from_secs(10),
        }
    }
}

/// A bound, not yet serving, HTTPS server.
pub struct Server {
    listener: TcpListener,
    acceptor: TlsAcceptor,
    timeouts: Timeouts,
    max_connections: usize,
}

impl Server {
    /// Binds `addr` (port 0 picks a free port; see [`Server::local_addr`]).
    pub async fn bind(
        addr: SocketAddr,
        tls: Arc<ServerConfig>,
        timeouts: Timeouts,
    ) -> std::io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        Ok(Self {
            listener,
            acceptor: TlsAcceptor::from(tls),
            timeouts,
            max_connections: MAX_CONNECTIONS,
        })
    }

    /// Replaces [`MAX_CONNECTIONS`].
    pub fn max_connections(mut self, max: usize) -> Self {
        self.max_connections = max.max(1);
        self
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves `app` until `shutdown` completes, then stops accepting and waits (up to
    /// the drain timeout) for the requests in flight.
    pub async fn serve(self, app: Router, shutdown: impl Future<Output = ()>) {
        let Self {
            listener,
            acceptor,
            timeouts,
            max_connections,
        } = self;
        let slots = Arc::new(Semaphore::new(max_connections));
        let mut builder = auto::Builder::new(TokioExecutor::new());
        builder
            .http1()
            .timer(TokioTimer::new())
            .header_read_timeout(timeouts.header_read);
        builder
            .http2()
            .timer(TokioTimer::new())
            // Dead peers are noticed even on idle HTTP/2 connections.
            .keep_alive_interval(Duration::from_secs(20))
            .max_concurrent_streams(MAX_STREAMS);
        let builder = Arc::new(builder);
        let graceful = GracefulShutdown::new();
        tokio::pin!(shutdown);

        loop {
            // A free slot first, then accept: at the cap, new connections queue in the
            // backlog rather than being accepted and starved.
            let slot = tokio::select! {
                slot = Arc::clone(&slots).acquire_owned() => match slot {
                    Ok(slot) => slot,
                    Err(_) => break,
                },
                () = &mut shutdown => break,
            };
            let (tcp, peer) = tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok(pair) => pair,
                    Err(e) => {
                        // EMFILE and friends: back off briefly instead of spinning.
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                },
                () = &mut shutdown => break,
            };
            if let Err(e) = tcp.set_nodelay(true) {
                tracing::debug!(%peer, error = %e, "TCP_NODELAY not set");
            }
            let acceptor = acceptor.clone();
            let builder = Arc::clone(&builder);
            let service = TowerToHyperService::new(app.clone());
            let watcher = graceful.watcher();
            tokio::spawn(async move {
                let _slot = slot;
                let tls = match tokio::time::timeout(timeouts.handshake, acceptor.accept(tcp)).await
                {
                    Ok(Ok(tls)) => tls,
                    Ok(Err(e)) => {
                        tracing::debug!(%peer, error = %e, "TLS handshake failed");
                        return;
                    }
                    Err(_) => {
                        tracing::debug!(%peer, "TLS handshake timed out");
                        return;
                    }
                };
                let conn = builder.serve_connection(TokioIo::new(tls), service);
                if let Err(e) = watcher.watch(conn.into_owned()).await {
                    tracing::debug!(%peer, error = %e, "connection closed with an error");
                }
            });
        }

        // Closing the listener makes new connections fail fast, so the API server's
        // client moves on to another endpoint at once.
        drop(listener);
        tracing::info!(
            connections = graceful.count(),
            "shutting down: draining in-flight requests"
        );
        if tokio::time::timeout(timeouts.drain, graceful.shutdown())
            .await
            .is_err()
        {
            tracing::warn!("drain timeout reached; closing remaining connections");
        }
    }
}

/// Completes on SIGTERM (the kubelet's stop signal) or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!("Ctrl-C received"),
        () = term => tracing::info!("SIGTERM received"),
    }
}
