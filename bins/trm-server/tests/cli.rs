//! The real `trm-server` binary's commands that need no store and no
//! server: `--help`, `config` and `completions`. Each runs in an empty
//! directory with an empty environment, so no `trm.toml` or `TRM__…`
//! variable of the machine running the tests leaks in.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

use std::path::PathBuf;
use std::process::{Command, Output};

/// An empty working directory, removed on drop.
struct EmptyDir(PathBuf);

impl EmptyDir {
    fn new() -> Self {
        let path = std::env::temp_dir().join(format!("trm-cli-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&path).unwrap();
        Self(path)
    }
}

impl Drop for EmptyDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs the binary with `args` and only the variables `env`.
fn trm_server(args: &[&str], env: &[(&str, &str)]) -> Output {
    let dir = EmptyDir::new();
    let output = Command::new(env!("CARGO_BIN_EXE_trm-server"))
        .args(args)
        .env_clear()
        .envs(env.iter().copied())
        .current_dir(&dir.0)
        .output()
        .expect("trm-server runs");
    drop(dir);
    output
}

fn stdout(output: &Output) -> String {
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout.clone()).unwrap()
}

#[test]
fn help_lists_every_setting_with_its_variable_and_default() {
    for args in [&["--help"][..], &["serve", "--help"][..]] {
        let help = stdout(&trm_server(args, &[]));
        for variable in
            ["TRM__SERVER__HOST", "TRM__DATABASE__URL", "TRM__DATABASE__PASSWORD", "TRM__CORS__ALLOWED_ORIGINS"]
        {
            assert!(help.contains(variable), "{args:?}: {variable} in {help}");
        }
        assert!(help.contains("sqlite://data/trm.db") && help.contains("--config"), "{args:?}: {help}");
    }
}

#[test]
fn config_prints_the_effective_settings_with_flags_first_and_secrets_redacted() {
    let env = [("TRM__DATABASE__PASSWORD", "hunter2"), ("TRM__SERVER__PORT", "9001"), ("TRM__LOG__FORMAT", "json")];
    let text = stdout(&trm_server(&["config", "--port", "9002"], &env));
    assert!(text.contains("port = 9002"), "the flag wins over the environment: {text}");
    assert!(text.contains("format = \"json\""), "{text}");
    assert!(text.contains("password = \"***\"") && !text.contains("hunter2"), "{text}");
}

#[test]
fn a_bad_setting_makes_config_fail_naming_it() {
    let output = trm_server(&["config"], &[("TRM__SERVER__PORT", "eighty")]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("server.port"));
}

#[test]
fn completions_for_bash_zsh_and_fish_name_the_subcommands() {
    for shell in ["bash", "zsh", "fish"] {
        let script = stdout(&trm_server(&["completions", shell], &[]));
        assert!(script.contains("trm-server") && script.contains("completions") && script.contains("keys"), "{shell}");
    }
}
