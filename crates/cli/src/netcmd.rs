//! The commands that talk to the server: sign in, sync, sync status, and
//! the supervisor's conflicts, incoming work and sign-off queue. The HTTP transport is
//! built here and handed to the core.

#![allow(clippy::print_stderr)]

use crate::args::{ConflictsArgs, ConflictsCmd, LoginArgs};
use crate::output::Out;
use crate::{acting_user, open};
use anyhow::Context;
use biomend_core::sync::{LoginInput, Progress, TransportError};
use biomend_core::{App, CoreError};
use biomend_net::HttpTransport;
use std::io::BufRead;
use std::process::ExitCode;

/// Exit code when the server could not be reached: nothing is lost, the
/// changes stay on this device until the next sync.
pub const EXIT_OFFLINE: u8 = 4;

pub fn is_offline(e: &anyhow::Error) -> bool {
    e.downcast_ref::<CoreError>()
        .is_some_and(|c| c.code() == "offline")
}

fn transport(app: &App) -> anyhow::Result<HttpTransport> {
    let c = biomend_core::sync::credentials(app)?;
    warn_if_cleartext(&c.server_url);
    let ca = match &c.ca_cert_path {
        Some(path) => Some(std::fs::read(path).with_context(|| {
            format!("cannot read the CA certificate {path} this device was signed in with; sign in again with --ca-cert")
        })?),
        None => None,
    };
    Ok(HttpTransport::new_with_ca(
        &c.server_url,
        &c.token,
        ca.as_deref(),
    )?)
}

/// Plain http to another machine sends the password and the bearer token
/// in clear; allowed (a lab network, a demo) but never silently.
fn warn_if_cleartext(server_url: &str) {
    if biomend_net::is_cleartext_remote(server_url) {
        eprintln!(
            "warning: {server_url} uses plain http: the password and this device's token travel unencrypted; use https"
        );
    }
}

/// The CA file as an absolute path (a later `biomend sync` may run from
/// another folder) and its contents.
fn read_ca(path: &std::path::Path) -> anyhow::Result<(String, Vec<u8>)> {
    let abs = std::fs::canonicalize(path)
        .with_context(|| format!("cannot read the CA certificate {}", path.display()))?;
    let pem = std::fs::read(&abs)
        .with_context(|| format!("cannot read the CA certificate {}", abs.display()))?;
    let shown = abs
        .to_str()
        .with_context(|| {
            format!(
                "the CA certificate's path {} is not valid UTF-8",
                abs.display()
            )
        })?
        .to_string();
    Ok((shown, pem))
}

fn read_password(a: &LoginArgs) -> anyhow::Result<String> {
    let pw = if a.password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("cannot read the password from standard input")?;
        line.trim_end_matches(['\r', '\n']).to_string()
    } else {
        rpassword::prompt_password(format!("Password for {}: ", a.username))
            .context("cannot read the password")?
    };
    Ok(pw)
}

pub fn login(cli: &crate::args::Cli, a: &LoginArgs, out: &Out) -> anyhow::Result<ExitCode> {
    // A bad address or CA file is the user's mistake, not the server's
    // fault: say so before asking for a password.
    let ca = a.ca_cert.as_deref().map(read_ca).transpose()?;
    let ca_pem = ca.as_ref().map(|(_, pem)| pem.as_slice());
    if let Err(e) = HttpTransport::new_with_ca(&a.server, "", ca_pem) {
        return Err(match &ca {
            Some((path, _)) if matches!(e, biomend_net::NetError::BadCa(_)) => {
                anyhow::Error::new(e).context(format!("CA certificate {path}"))
            }
            _ => e.into(),
        });
    }
    warn_if_cleartext(&a.server);
    let password = read_password(a)?;
    let mut app = open(cli)?;
    let device_name = a
        .device_name
        .clone()
        .unwrap_or_else(|| std::env::var("HOSTNAME").unwrap_or_else(|_| "Biomend device".into()));
    let who = biomend_core::sync::login_with_ca(
        &mut app,
        &LoginInput {
            server_url: a.server.clone(),
            username: a.username.clone(),
            password,
            device_name,
        },
        ca.as_ref().map(|(path, _)| path.as_str()),
        |url, req| biomend_net::login_with_ca(url, ca_pem, req).map_err(TransportError::from),
    )?;
    out.show(&who, || {
        format!(
            "signed in as {} ({}) on {}\nthis device is {}; run `biomend sync` to download your site's data",
            who.display_name, who.role, who.server_url, who.device_id
        )
    });
    Ok(ExitCode::SUCCESS)
}

pub fn sync(cli: &crate::args::Cli, out: &Out) -> anyhow::Result<ExitCode> {
    let mut app = open(cli)?;
    let mut t = transport(&app)?;
    let bar = out.progress(0, "changes");
    let summary = biomend_core::sync::sync_now(&mut app, &mut t, &mut |p| match p {
        Progress::Pushed { done, total } => {
            bar.set_message("sending");
            bar.set_length(total);
            bar.set_position(done);
        }
        Progress::Pulled { rows, .. } => {
            bar.set_message("receiving");
            bar.set_length(rows);
            bar.set_position(rows);
        }
        Progress::Applying { rows } => {
            bar.set_message("saving");
            bar.set_length(rows);
            bar.set_position(rows);
        }
    });
    bar.finish_and_clear();
    let summary = summary?;
    out.show(&summary, || {
        let p = &summary.report.push;
        let mut s = format!(
            "sent {} change(s): {} applied, {} already there, {} rejected\nreceived {} change(s){}",
            p.applied + p.duplicates + p.rejected,
            p.applied,
            p.duplicates,
            p.rejected,
            summary.report.pull.rows,
            if summary.report.pull.resynced {
                " (downloaded everything again)"
            } else {
                ""
            }
        );
        for r in &summary.rejected {
            s.push_str(&format!(
                "\nrejected #{} {}@{}: {} ({})",
                r.seq, r.name, r.version, r.message, r.code
            ));
        }
        s
    });
    Ok(ExitCode::SUCCESS)
}

pub fn status(cli: &crate::args::Cli, out: &Out) -> anyhow::Result<ExitCode> {
    let app = open(cli)?;
    let st = biomend_core::sync::status(&app)?;
    out.show(&st, || {
        let when = |t: Option<chrono::DateTime<chrono::Utc>>| {
            t.map_or_else(|| "never".to_string(), |t| t.to_rfc3339())
        };
        let mut s = match (&st.server_url, &st.username) {
            (Some(url), Some(user)) => format!("signed in as {user} on {url}\n"),
            _ => "not signed in (run `biomend login`)\n".to_string(),
        };
        s.push_str(&format!(
            "{} change(s) waiting to be sent, {} rejected\nlast sent: {}\nlast received: {} ({} change(s), up to version {})",
            st.status.pending,
            st.status.rejected,
            when(st.status.last_success),
            when(st.status.last_pull),
            st.status.rows_pulled,
            st.status.pull_cursor
        ));
        if let Some(e) = &st.status.last_error {
            s.push_str(&format!("\nlast problem: {e}"));
        }
        for r in &st.rejected_mutations {
            s.push_str(&format!(
                "\nrejected #{} {}@{}: {} ({})",
                r.seq, r.name, r.version, r.message, r.code
            ));
        }
        s
    });
    Ok(ExitCode::SUCCESS)
}

pub fn conflicts(cli: &crate::args::Cli, a: &ConflictsArgs, out: &Out) -> anyhow::Result<ExitCode> {
    let app = open(cli)?;
    let user = acting_user(cli, &app)?;
    let mut t = transport(&app)?;
    match &a.cmd {
        None => {
            let list = biomend_core::supervisor::conflicts(&app, &user, &mut t, a.all)?;
            out.show(&list, || {
                if list.is_empty() {
                    return "no conflicts".into();
                }
                list.iter()
                    .map(|c| {
                        format!(
                            "{}  {} {}: kept {} over {} ({}, {} by {}){}",
                            c.id,
                            c.label,
                            c.field,
                            c.kept,
                            c.set_aside,
                            c.rule,
                            c.detected_at.format("%Y-%m-%d %H:%M"),
                            c.user_name,
                            c.resolution
                                .as_ref()
                                .map(|r| format!(" — {} by {}", r.action, r.by_name))
                                .unwrap_or_default()
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        Some(ConflictsCmd::Resolve {
            id,
            accept,
            reverse: _,
            note,
        }) => {
            let how = if *accept {
                biomend_core::supervisor::Resolution::Accept
            } else {
                biomend_core::supervisor::Resolution::Reverse
            };
            let c = biomend_core::supervisor::resolve(&app, &user, &mut t, *id, how, note)?;
            out.show(&c, || {
                format!(
                    "{} {}: {}",
                    c.label,
                    c.field,
                    c.resolution
                        .as_ref()
                        .map_or("resolved".to_string(), |r| r.action.clone())
                )
            });
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn incoming(
    cli: &crate::args::Cli,
    since: Option<chrono::DateTime<chrono::Utc>>,
    out: &Out,
) -> anyhow::Result<ExitCode> {
    let app = open(cli)?;
    let user = acting_user(cli, &app)?;
    let mut t = transport(&app)?;
    let list = biomend_core::supervisor::incoming(&app, &user, &mut t, since)?;
    out.show(&list, || {
        if list.is_empty() {
            return "nothing came in".into();
        }
        list.iter()
            .map(|i| {
                format!(
                    "{}  {:<10} {:<24} {} ({}, {})",
                    i.received_at.format("%Y-%m-%d %H:%M"),
                    i.user_name,
                    i.mutation,
                    i.summary,
                    i.outcome,
                    i.device_name
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    });
    Ok(ExitCode::SUCCESS)
}

/// `wo queue --server`: the server's sign-off queue for the supervisor's
/// sites, oldest completion first, at most `limit` (1 to 1,000).
pub fn sign_off_queue(cli: &crate::args::Cli, limit: u32, out: &Out) -> anyhow::Result<ExitCode> {
    let app = open(cli)?;
    let user = acting_user(cli, &app)?;
    let mut t = transport(&app)?;
    let mut list = biomend_core::supervisor::sign_off_queue(&app, &user, &mut t)?;
    list.truncate(limit.clamp(1, 1000) as usize);
    out.show(&list, || {
        if list.is_empty() {
            return "nothing waits for sign-off".into();
        }
        list.iter()
            .map(|w| {
                format!(
                    "{:<13} {:<12} {:<11} {:<16} {:<20} {}{}",
                    w.number,
                    w.asset_tag,
                    w.kind,
                    w.completed_at
                        .map_or_else(String::new, |t| t.format("%Y-%m-%d %H:%M").to_string()),
                    w.completed_by_name,
                    w.closure.as_deref().unwrap_or(""),
                    match w.open_conflicts {
                        0 => String::new(),
                        n => format!("  ({n} open conflict(s): settle them first)"),
                    }
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    });
    Ok(ExitCode::SUCCESS)
}
