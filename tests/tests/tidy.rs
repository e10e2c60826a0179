//! Tidy checks: the architecture rules in ARCHITECTURE.md, as tests, so
//! they cannot drift from the code.

use std::fs;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

fn crates() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(root().join("crates"))
        .expect("crates/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.join("Cargo.toml").exists())
        .collect();
    v.push(root().join("tests"));
    // The desktop shell and window, and the window tests.
    for app in ["src-tauri", "ui", "tests/e2e"] {
        if root().join(app).join("Cargo.toml").exists() {
            v.push(root().join(app));
        }
    }
    v.sort();
    v
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The `[dependencies]` section of a manifest (not dev-dependencies).
fn dependencies(manifest: &Path) -> Vec<String> {
    let text = fs::read_to_string(manifest).expect("manifest");
    let mut in_deps = false;
    let mut deps = Vec::new();
    for line in text.lines() {
        let l = line.trim();
        if l.starts_with('[') {
            in_deps = l == "[dependencies]";
            continue;
        }
        if in_deps && let Some((name, _)) = l.split_once('=') {
            let name = name.trim();
            if !name.is_empty() && !name.starts_with('#') {
                deps.push(name.split('.').next().unwrap_or(name).to_string());
            }
        }
    }
    deps
}

#[test]
fn every_crate_root_opens_with_a_doc_of_what_it_owns() {
    for c in crates() {
        let root_file = if c.join("src/lib.rs").exists() {
            c.join("src/lib.rs")
        } else {
            c.join("src/main.rs")
        };
        let text = fs::read_to_string(&root_file).unwrap_or_default();
        assert!(
            text.trim_start().starts_with("//!"),
            "{} must open with a //! doc",
            root_file.display()
        );
    }
}

#[test]
fn domain_does_no_io_and_depends_on_no_other_crate_of_ours() {
    let deps = dependencies(&root().join("crates/domain/Cargo.toml"));
    for forbidden in [
        "rusqlite",
        "tokio",
        "reqwest",
        "axum",
        "tauri",
        "getrandom",
        "csv",
        "calamine",
    ] {
        assert!(
            !deps.iter().any(|d| d == forbidden),
            "domain must not depend on {forbidden}"
        );
    }
    assert!(
        !deps.iter().any(|d| d.starts_with("biomend-")),
        "domain depends on nothing internal: {deps:?}"
    );
    let mut files = Vec::new();
    rust_files(&root().join("crates/domain/src"), &mut files);
    for f in files {
        let text = fs::read_to_string(&f).expect("source");
        for io in [
            "std::fs",
            "std::net",
            "std::process",
            "SystemTime::now",
            "Utc::now",
            "Local::now",
        ] {
            assert!(
                !text.contains(io),
                "{} uses {io}; the domain does no I/O and reads no clock",
                f.display()
            );
        }
    }
}

#[test]
fn analytics_does_no_io_and_reads_no_clock() {
    let deps = dependencies(&root().join("crates/analytics/Cargo.toml"));
    for forbidden in ["rusqlite", "tokio", "reqwest", "axum", "getrandom"] {
        assert!(
            !deps.iter().any(|d| d == forbidden),
            "analytics must not depend on {forbidden}"
        );
    }
    let mut files = Vec::new();
    rust_files(&root().join("crates/analytics/src"), &mut files);
    for f in files {
        let text = fs::read_to_string(&f).expect("source");
        for io in [
            "std::fs",
            "std::net",
            "std::process",
            "SystemTime::now",
            "Utc::now",
            "Local::now",
        ] {
            assert!(
                !text.contains(io),
                "{} uses {io}; analytics are pure functions of their inputs",
                f.display()
            );
        }
    }
}

#[test]
fn dependencies_point_inward() {
    // crate -> internal crates it may depend on (normal dependencies).
    let allowed: &[(&str, &[&str])] = &[
        ("domain", &[]),
        ("interchange", &["biomend-domain"]),
        ("demo", &["biomend-domain"]),
        // The store fills the analytics crate's per-asset facts with SQL.
        ("store", &["biomend-domain", "biomend-analytics"]),
        ("protocol", &["biomend-domain"]),
        ("analytics", &["biomend-domain"]),
        // What the desktop window and its shell exchange: plain data only,
        // so the wasm UI can use it (the supervisor views are the wire's,
        // the dashboards' figures the analytics crate's explained types).
        (
            "ipc",
            &["biomend-domain", "biomend-protocol", "biomend-analytics"],
        ),
        // The survey report's layout (HTML and PDF) over analytics outputs.
        ("report", &["biomend-domain", "biomend-analytics"]),
        (
            "sync",
            &["biomend-domain", "biomend-protocol", "biomend-store"],
        ),
        (
            "core",
            &[
                "biomend-domain",
                "biomend-store",
                "biomend-protocol",
                "biomend-sync",
                "biomend-demo",
                "biomend-interchange",
                "biomend-analytics",
            ],
        ),
        ("net", &["biomend-protocol", "biomend-sync"]),
        // The shell is a thin adapter over the desktop service; the window
        // shares only the IPC contract and the domain's pure rules.
        ("src-tauri", &["biomend-desktop", "biomend-ipc"]),
        ("ui", &["biomend-ipc", "biomend-domain"]),
        // The window tests see the app only from outside: everything they
        // use is a dev-dependency.
        ("e2e", &[]),
        // The service behind the desktop window: sessions, the background
        // sync, and the core's answers as IPC views.
        (
            "desktop",
            &[
                "biomend-domain",
                "biomend-store",
                "biomend-protocol",
                "biomend-sync",
                "biomend-core",
                "biomend-net",
                "biomend-ipc",
                "biomend-analytics",
                "biomend-report",
            ],
        ),
        (
            "cli",
            &[
                "biomend-domain",
                "biomend-store",
                "biomend-core",
                "biomend-net",
                "biomend-demo",
                "biomend-interchange",
                // Report types it prints; the figures come from the core.
                "biomend-analytics",
                "biomend-report",
            ],
        ),
        (
            "server",
            &[
                "biomend-domain",
                "biomend-protocol",
                "biomend-demo",
                // Pure: checks a hospital's settings before storing them.
                "biomend-analytics",
                // Pure: reads and plans inventory and history files the
                // way a tablet's import does (no database, no clock).
                "biomend-interchange",
            ],
        ),
        // Benchmarks measure the whole system, the server beside the
        // device side; nothing depends on them.
        (
            "bench",
            &[
                "biomend-domain",
                "biomend-store",
                "biomend-core",
                "biomend-demo",
                "biomend-interchange",
                "biomend-analytics",
                "biomend-sync",
                "biomend-net",
                "biomend-server",
            ],
        ),
    ];
    for c in crates() {
        let name = c
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        let deps: Vec<String> = dependencies(&c.join("Cargo.toml"))
            .into_iter()
            .filter(|d| d.starts_with("biomend-"))
            .collect();
        let Some((_, ok)) = allowed.iter().find(|(n, _)| *n == name) else {
            if c.starts_with(root().join("crates")) {
                panic!(
                    "crates/{name} is not in the dependency rules; add it here and to ARCHITECTURE.md"
                );
            }
            continue;
        };
        for d in deps {
            assert!(
                ok.contains(&d.as_str()),
                "crates/{name} must not depend on {d}"
            );
        }
    }
}

#[test]
fn no_ignored_or_should_panic_tests() {
    let mut files = Vec::new();
    for c in crates() {
        rust_files(&c, &mut files);
    }
    let ignore = ["#[", "ignore]"].concat();
    let should_panic = ["#[", "should_panic"].concat();
    for f in files {
        let text = fs::read_to_string(&f).expect("source");
        assert!(
            !text.contains(&ignore),
            "{}: tests are never skipped silently",
            f.display()
        );
        assert!(
            !text.contains(&should_panic),
            "{}: assert on the error instead of should_panic",
            f.display()
        );
    }
}

#[test]
fn architecture_doc_names_every_crate() {
    let doc = fs::read_to_string(root().join("ARCHITECTURE.md")).expect("ARCHITECTURE.md exists");
    for c in crates() {
        let rel = c.strip_prefix(root()).unwrap_or(&c).display().to_string();
        assert!(
            doc.contains(&format!("`{rel}`")),
            "ARCHITECTURE.md must describe `{rel}`"
        );
    }
}

#[test]
fn ci_runs_the_readme_test_command() {
    let readme = fs::read_to_string(root().join("README.md")).expect("README.md");
    let ci = fs::read_to_string(root().join(".ci/run")).expect(".ci/run");
    assert!(
        readme.contains("./scripts/test"),
        "README names the test command"
    );
    assert!(
        ci.contains("./scripts/test"),
        ".ci/run calls the README's test command"
    );
}
