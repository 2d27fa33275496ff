//! Directories that are not plain manifests: a Kustomize kustomization, rendered with
//! `kubectl kustomize`, and a Helm chart, rendered with `helm template`. The rendered stream
//! becomes one source named after the kustomization or chart file, so findings say where
//! they came from; their lines are lines of the rendered stream.
//!
//! This is the only place that runs other programs. The engine never depends on it.

use std::ffi::OsString;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::{InputError, Limits, SourceFile};

/// File names that make a directory a kustomization, in kustomize's order of preference.
const KUSTOMIZATION_FILES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Renderer {
    Kustomize,
    Helm,
}

/// How rendered inputs are produced.
#[derive(Debug, Clone, Default)]
pub struct RenderOptions {
    /// `--values FILE` for every chart, in order.
    pub helm_values: Vec<PathBuf>,
}

/// The renderer a directory needs and the file that says so; None for plain directories.
pub fn detect(dir: &Path) -> Option<(Renderer, PathBuf)> {
    for name in KUSTOMIZATION_FILES {
        let file = dir.join(name);
        if file.is_file() {
            return Some((Renderer::Kustomize, file));
        }
    }
    let chart = dir.join("Chart.yaml");
    chart.is_file().then_some((Renderer::Helm, chart))
}

/// Renders a kustomization or chart directory into one source.
pub fn render(
    dir: &Path,
    options: &RenderOptions,
    limits: &Limits,
) -> Result<SourceFile, InputError> {
    let Some((renderer, marker)) = detect(dir) else {
        return Err(InputError {
            file: dir.display().to_string(),
            position: None,
            message: "neither a kustomization nor a Helm chart".to_string(),
        });
    };
    let name = marker.display().to_string();
    let fail = |message: String| InputError {
        file: name.clone(),
        position: None,
        message,
    };
    let (program, args): (&str, Vec<OsString>) = match renderer {
        Renderer::Kustomize => ("kubectl", vec!["kustomize".into(), dir.into()]),
        Renderer::Helm => {
            let mut args: Vec<OsString> = vec!["template".into(), dir.into()];
            for values in &options.helm_values {
                args.push("--values".into());
                args.push(values.into());
            }
            ("helm", args)
        }
    };
    let shown = format!(
        "{program} {}",
        args.iter()
            .map(|a| a.to_string_lossy())
            .collect::<Vec<_>>()
            .join(" ")
    );
    let child = Command::new(program)
        .args(&args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            return Err(fail(match renderer {
                Renderer::Kustomize => format!(
                    "is a kustomization, and rendering it needs `kubectl` on PATH, which was \
                     not found: install kubectl (it bundles kustomize), or render it yourself \
                     and lint standard input: `kustomize build {0} | halint -`",
                    dir.display()
                ),
                Renderer::Helm => format!(
                    "is a Helm chart, and rendering it needs `helm` on PATH, which was not \
                     found: install Helm 3, or render the chart yourself and lint standard \
                     input: `helm template {0} | halint -`",
                    dir.display()
                ),
            }));
        }
        Err(err) => return Err(fail(format!("cannot run `{shown}`: {err}"))),
    };
    // stderr is read on its own thread so that neither pipe can fill up and stall the child.
    let mut stderr = child.stderr.take().expect("stderr is piped");
    let stderr = std::thread::spawn(move || {
        let mut text = Vec::new();
        let _ = stderr.by_ref().take(64 * 1024).read_to_end(&mut text);
        String::from_utf8_lossy(&text).trim().to_string()
    });
    let mut stdout = Vec::new();
    let read = child
        .stdout
        .take()
        .expect("stdout is piped")
        .take(limits.max_file_bytes + 1)
        .read_to_end(&mut stdout);
    if stdout.len() as u64 > limits.max_file_bytes {
        let _ = child.kill();
    }
    let status = child.wait();
    let stderr = stderr.join().unwrap_or_default();
    read.map_err(|err| fail(format!("cannot read the output of `{shown}`: {err}")))?;
    let status = status.map_err(|err| fail(format!("`{shown}` did not finish: {err}")))?;
    if stdout.len() as u64 > limits.max_file_bytes {
        return Err(fail(format!(
            "`{shown}` rendered more than {} bytes; not read",
            limits.max_file_bytes
        )));
    }
    if !status.success() {
        let detail = if stderr.is_empty() {
            String::new()
        } else {
            format!(": {stderr}")
        };
        return Err(fail(format!("`{shown}` failed ({status}){detail}")));
    }
    let text = String::from_utf8(stdout)
        .map_err(|_| fail(format!("`{shown}` rendered bytes that are not UTF-8")))?;
    Ok(SourceFile { name, text })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_kustomizations_and_charts() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(detect(dir.path()), None);
        std::fs::write(dir.path().join("Chart.yaml"), "name: x\n").unwrap();
        assert_eq!(detect(dir.path()).unwrap().0, Renderer::Helm);
        std::fs::write(dir.path().join("Kustomization"), "resources: []\n").unwrap();
        let (renderer, file) = detect(dir.path()).unwrap();
        assert_eq!(renderer, Renderer::Kustomize);
        assert!(file.ends_with("Kustomization"));
    }
}
