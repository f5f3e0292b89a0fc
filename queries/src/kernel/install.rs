//! `sunlight kernel install`: the kernelspec Jupyter finds the kernel by.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use jupyter_protocol::JupyterKernelspec;

use crate::error::{Error, Result};

/// The kernelspec's folder name (`jupyter kernelspec list` shows it).
pub const KERNEL_NAME: &str = "sunlight";

/// What Jupyter shows in its kernel menu.
pub const DISPLAY_NAME: &str = "Sunlight SQL";

/// Where the kernelspec goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// The user's Jupyter data folder (`$JUPYTER_DATA_DIR`, else e.g. `~/.local/share/jupyter`).
    User,
    /// `PREFIX/share/jupyter`, as `jupyter kernelspec install --prefix`.
    Prefix(PathBuf),
    /// The `sys.prefix` of the `python3` on `PATH` (a virtualenv's, when it is active).
    SysPrefix,
}

/// The kernelspec for running `exe kernel -f {connection_file}`.
pub fn kernelspec(exe: &Path) -> JupyterKernelspec {
    JupyterKernelspec {
        argv: vec![
            exe.to_string_lossy().into_owned(),
            "kernel".to_owned(),
            "-f".to_owned(),
            "{connection_file}".to_owned(),
        ],
        display_name: DISPLAY_NAME.to_owned(),
        language: "sql".to_owned(),
        metadata: Some(HashMap::from([(
            "debugger".to_owned(),
            serde_json::Value::Bool(false),
        )])),
        // Interrupts come as messages on the control channel: a signal would end the process.
        interrupt_mode: Some("message".to_owned()),
        // Jupyter wants an object here, not null.
        env: Some(HashMap::new()),
    }
}

/// The Jupyter data folder of `destination`.
pub fn data_dir(destination: &Destination) -> Result<PathBuf> {
    match destination {
        Destination::User => {
            if let Some(d) = std::env::var_os("JUPYTER_DATA_DIR") {
                return Ok(PathBuf::from(d));
            }
            jupyter_zmq_client::user_data_dir()
                .map_err(|e| Error::Usage(format!("cannot find the Jupyter data folder: {e}")))
        }
        Destination::Prefix(p) => Ok(p.join("share").join("jupyter")),
        Destination::SysPrefix => Ok(python_prefix()?.join("share").join("jupyter")),
    }
}

fn python_prefix() -> Result<PathBuf> {
    let mut last = String::new();
    for python in ["python3", "python"] {
        match Command::new(python)
            .args(["-c", "import sys; print(sys.prefix)"])
            .output()
        {
            Ok(out) if out.status.success() => {
                let prefix = String::from_utf8_lossy(&out.stdout).trim().to_owned();
                if !prefix.is_empty() {
                    return Ok(PathBuf::from(prefix));
                }
            }
            Ok(out) => last = format!("{python} exited with {}", out.status),
            Err(e) => last = format!("{python}: {e}"),
        }
    }
    Err(Error::Usage(format!(
        "--sys-prefix needs a Python on PATH to ask for sys.prefix ({last})"
    )))
}

/// Writes the kernelspec for the running `sunlight` executable; returns its folder.
pub fn install(destination: &Destination) -> Result<PathBuf> {
    let exe = std::env::current_exe()
        .map_err(|e| Error::io("finding the sunlight executable", Path::new("-"), e))?;
    let exe = exe.canonicalize().unwrap_or(exe);
    install_for(&exe, destination)
}

/// Writes the kernelspec for `exe` under `destination`; returns its folder.
pub fn install_for(exe: &Path, destination: &Destination) -> Result<PathBuf> {
    let dir = data_dir(destination)?.join("kernels").join(KERNEL_NAME);
    std::fs::create_dir_all(&dir)
        .map_err(|e| Error::io("creating the kernelspec folder", &dir, e))?;
    let path = dir.join("kernel.json");
    let text = serde_json::to_string_pretty(&kernelspec(exe))
        .map_err(|e| Error::Usage(format!("cannot write the kernelspec: {e}")))?;
    std::fs::write(&path, text + "\n")
        .map_err(|e| Error::io("writing the kernelspec", &path, e))?;
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_a_kernelspec_under_a_prefix() {
        let prefix =
            std::env::temp_dir().join(format!("sunlight-kernelspec-{}", std::process::id()));
        let dir = install_for(
            Path::new("/opt/sunlight/bin/sunlight"),
            &Destination::Prefix(prefix.clone()),
        )
        .expect("installs");
        assert_eq!(dir, prefix.join("share/jupyter/kernels/sunlight"));
        let text = std::fs::read_to_string(dir.join("kernel.json")).expect("written");
        let spec: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        assert_eq!(spec["display_name"], "Sunlight SQL");
        assert_eq!(spec["language"], "sql");
        assert_eq!(spec["interrupt_mode"], "message");
        assert_eq!(
            spec["argv"],
            serde_json::json!([
                "/opt/sunlight/bin/sunlight",
                "kernel",
                "-f",
                "{connection_file}"
            ])
        );
        std::fs::remove_dir_all(&prefix).ok();
    }
}
