//! Serving certificate: loaded from PEM files and swapped in place when they change.
//!
//! cert-manager and the kubelet rotate a mounted Secret by swapping a symlink, so the
//! files are re-read on a short poll and compared by content (mtimes of symlinked
//! Secret volumes are not reliable). The new key is handed to new handshakes through an
//! [`ArcSwap`]; connections already open keep the certificate they were set up with, so
//! a rotation never drops a request.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{anyhow, Context as _};
use arc_swap::ArcSwap;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use rustls::ServerConfig;

/// The crypto provider of every TLS endpoint in the binary (server and kube client).
pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// A certificate and key read from two PEM files, reloadable.
pub struct CertStore {
    cert_path: PathBuf,
    key_path: PathBuf,
    provider: Arc<CryptoProvider>,
    current: ArcSwap<CertifiedKey>,
    /// The file contents `current` was built from: a reload only happens when they differ.
    loaded_from: std::sync::Mutex<(Vec<u8>, Vec<u8>)>,
}

impl fmt::Debug for CertStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CertStore")
            .field("cert_path", &self.cert_path)
            .field("key_path", &self.key_path)
            .finish_non_exhaustive()
    }
}

impl CertStore {
    /// Reads both files; fails when they are missing, unreadable or do not match.
    pub fn load(cert_path: &Path, key_path: &Path) -> anyhow::Result<Arc<Self>> {
        let provider = provider();
        let (cert_pem, key_pem) = read_pair(cert_path, key_path)?;
        let key = certified_key(&cert_pem, &key_pem, &provider)?;
        Ok(Arc::new(Self {
            cert_path: cert_path.to_owned(),
            key_path: key_path.to_owned(),
            provider,
            current: ArcSwap::from_pointee(key),
            loaded_from: std::sync::Mutex::new((cert_pem, key_pem)),
        }))
    }

    /// Re-reads the files. Returns `Ok(true)` when a new certificate was installed,
    /// `Ok(false)` when nothing changed, and an error (keeping the old certificate)
    /// when the new files cannot be used — e.g. the certificate was replaced but the
    /// key not yet; the next poll picks up the completed pair.
    pub fn reload(&self) -> anyhow::Result<bool> {
        let (cert_pem, key_pem) = read_pair(&self.cert_path, &self.key_path)?;
        let mut loaded = self.loaded_from.lock().unwrap_or_else(|e| e.into_inner());
        if loaded.0 == cert_pem && loaded.1 == key_pem {
            return Ok(false);
        }
        let key = certified_key(&cert_pem, &key_pem, &self.provider)?;
        self.current.store(Arc::new(key));
        *loaded = (cert_pem, key_pem);
        Ok(true)
    }

    /// Polls the files every `every` until the returned task is aborted; calls
    /// `on_reload` after each certificate swap.
    pub fn watch(
        self: &Arc<Self>,
        every: Duration,
        on_reload: impl Fn() + Send + 'static,
    ) -> tokio::task::JoinHandle<()> {
        let store = Arc::clone(self);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                // File reads are small and rare; a blocking thread keeps them off the
                // reactor anyway.
                let s = Arc::clone(&store);
                match tokio::task::spawn_blocking(move || s.reload()).await {
                    Ok(Ok(true)) => {
                        tracing::info!(cert = %store.cert_path.display(), "serving certificate reloaded");
                        on_reload();
                    }
                    Ok(Ok(false)) => {}
                    Ok(Err(e)) => {
                        tracing::warn!(error = %format!("{e:#}"), "serving certificate not reloaded; keeping the current one")
                    }
                    Err(e) => tracing::error!(error = %e, "certificate reload task failed"),
                }
            }
        })
    }

    /// The rustls server configuration: TLS 1.3 and 1.2 only, HTTP/2 and HTTP/1.1.
    pub fn server_config(self: &Arc<Self>) -> anyhow::Result<Arc<ServerConfig>> {
        let mut config = ServerConfig::builder_with_provider(Arc::clone(&self.provider))
            .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
            .context("TLS protocol versions")?
            .with_no_client_auth()
            .with_cert_resolver(Arc::clone(self) as Arc<dyn ResolvesServerCert>);
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    }
}

impl ResolvesServerCert for CertStore {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.current.load_full())
    }
}

fn read_pair(cert_path: &Path, key_path: &Path) -> anyhow::Result<(Vec<u8>, Vec<u8>)> {
    let cert =
        std::fs::read(cert_path).with_context(|| format!("reading {}", cert_path.display()))?;
    let key = std::fs::read(key_path).with_context(|| format!("reading {}", key_path.display()))?;
    Ok((cert, key))
}

fn certified_key(
    cert_pem: &[u8],
    key_pem: &[u8],
    provider: &CryptoProvider,
) -> anyhow::Result<CertifiedKey> {
    let chain = CertificateDer::pem_slice_iter(cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| anyhow!("certificate PEM: {e}"))?;
    if chain.is_empty() {
        return Err(anyhow!("certificate PEM holds no certificate"));
    }
    let key =
        PrivateKeyDer::from_pem_slice(key_pem).map_err(|e| anyhow!("private key PEM: {e}"))?;
    CertifiedKey::from_der(chain, key, provider).map_err(|e| anyhow!("certificate and key: {e}"))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn pair() -> (String, String) {
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = rcgen::CertificateParams::new(vec!["localhost".to_owned()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        (cert.pem(), key.serialize_pem())
    }

    /// The layout the kubelet gives a mounted Secret: `tls.crt -> ..data/tls.crt`, and
    /// `..data` a symlink swapped atomically to a new timestamped directory on update.
    fn write_version(dir: &Path, version: &str, (cert, key): &(String, String)) {
        let target = dir.join(version);
        std::fs::create_dir(&target).unwrap();
        std::fs::write(target.join("tls.crt"), cert).unwrap();
        std::fs::write(target.join("tls.key"), key).unwrap();
        let tmp = dir.join("..data_tmp");
        symlink(version, &tmp).unwrap();
        std::fs::rename(&tmp, dir.join("..data")).unwrap();
    }

    #[test]
    fn follows_a_secret_volume_symlink_swap_and_keeps_the_old_pair_on_a_mismatch() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (pair(), pair());
        write_version(dir.path(), "..v1", &a);
        symlink("..data/tls.crt", dir.path().join("tls.crt")).unwrap();
        symlink("..data/tls.key", dir.path().join("tls.key")).unwrap();
        let store =
            CertStore::load(&dir.path().join("tls.crt"), &dir.path().join("tls.key")).unwrap();
        let served = |s: &CertStore| s.current.load().cert[0].clone();
        let first = served(&store);

        assert!(!store.reload().unwrap(), "nothing changed");
        write_version(dir.path(), "..v2", &b);
        assert!(store.reload().unwrap());
        let second = served(&store);
        assert_ne!(first, second);

        // A certificate whose key does not match is refused; the current pair stays.
        write_version(dir.path(), "..v3", &(a.0.clone(), b.1.clone()));
        assert!(store.reload().is_err());
        assert_eq!(served(&store), second);
    }
}
