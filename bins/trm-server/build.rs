//! Finds the commit the server is built from, for the `trm_build_info`
//! metric: `TRM_BUILD_COMMIT` when set (a build without a checkout, such as
//! a container build from a source archive, can pass it), else
//! `git rev-parse --short HEAD`, else `unknown`. It never fails the build.

use std::path::Path;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=TRM_BUILD_COMMIT");
    let commit = std::env::var("TRM_BUILD_COMMIT")
        .ok()
        .map(|commit| commit.trim().to_owned())
        .filter(|commit| !commit.is_empty())
        .or_else(|| git(&["rev-parse", "--short", "HEAD"]))
        .unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=TRM_BUILD_COMMIT={commit}");
    // Run again when HEAD moves (a commit, a checkout), not on every
    // change of the crate's sources. Only files that exist are named: cargo
    // reruns a build script on every build while a named file is missing.
    let mut watched = vec![git(&["rev-parse", "--git-path", "HEAD"])];
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
        watched.push(git(&["rev-parse", "--git-path", &branch]));
        watched.push(git(&["rev-parse", "--git-path", "packed-refs"]));
    }
    for path in watched.into_iter().flatten().filter(|path| Path::new(path).exists()) {
        println!("cargo:rerun-if-changed={path}");
    }
}

/// A git command's trimmed output, if git is there and succeeds.
fn git(args: &[&str]) -> Option<String> {
    let output = Command::new("git").args(args).output().ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    Some(text.trim().to_owned()).filter(|text| output.status.success() && !text.is_empty())
}
