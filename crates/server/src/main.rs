//! The `biomend-server` binary: parses arguments and calls the library
//! (`biomend_server::admin`); errors are reported here, at the edge. The
//! administration commands' arguments and printing are in [`cli`].

mod cli;

use biomend_server::admin;
use biomend_server::http::TlsFiles;
use clap::{Parser, Subcommand};
use cli::Store;
use cli::places::{BuildingCommand, DepartmentCommand, LocationCommand, SiteCommand};
use cli::users::{InitArgs, UserCommand};
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;

/// Biomend's sync server: devices push their work here and pull their
/// sites' data.
#[derive(Parser, Debug)]
#[command(name = "biomend-server", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve the HTTP API until SIGTERM or ctrl-c.
    Serve {
        #[command(flatten)]
        store: Store,
        /// Address to listen on; port 0 picks a free port.
        #[arg(long, default_value = "127.0.0.1:8787")]
        listen: SocketAddr,
        /// PEM certificate chain; serves HTTPS with --tls-key.
        #[arg(long, requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// PEM private key for --tls-cert.
        #[arg(long, requires = "tls_cert")]
        tls_key: Option<PathBuf>,
    },
    /// Set up a new hospital in an empty database: its first site, its
    /// first administrator and its name, together.
    Init(InitArgs),
    /// Manage sites.
    Site {
        #[command(subcommand)]
        command: SiteCommand,
    },
    /// Manage buildings.
    Building {
        #[command(subcommand)]
        command: BuildingCommand,
    },
    /// Manage departments.
    Department {
        #[command(subcommand)]
        command: DepartmentCommand,
    },
    /// Manage locations (rooms).
    Location {
        #[command(subcommand)]
        command: LocationCommand,
    },
    /// Import an old CMMS's inventory or work history.
    Import {
        #[command(subcommand)]
        command: cli::import::ImportCommand,
    },
    /// Manage user accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage enrolled devices.
    Device {
        #[command(subcommand)]
        command: DeviceCommand,
    },
    /// Create the demo hospital in a new database (every demo user's
    /// password is `demo`), then serve it.
    Demo {
        /// The server database; the demo is created only if it is new.
        #[command(flatten)]
        store: Store,
        #[arg(long, default_value = "127.0.0.1:8787")]
        listen: SocketAddr,
        /// "Today" in the demo hospital (YYYY-MM-DD).
        #[arg(long)]
        as_of: Option<chrono::NaiveDate>,
    },
}

#[derive(Subcommand, Debug)]
enum DeviceCommand {
    /// Enrol a device for a user; prints its id and token (shown once).
    Enroll {
        #[command(flatten)]
        store: Store,
        #[arg(long)]
        username: String,
        /// What the device is called, e.g. "ICU tablet 3".
        #[arg(long)]
        name: String,
    },
    /// List enrolled devices.
    List {
        #[command(flatten)]
        store: Store,
    },
    /// Revoke a device: its token stops working at once.
    Revoke {
        #[command(flatten)]
        store: Store,
        /// The device id.
        id: uuid::Uuid,
    },
}

fn main() -> anyhow::Result<std::process::ExitCode> {
    match Cli::parse().command {
        Command::Import { command } => return cli::import::run(command),
        Command::Serve {
            store,
            listen,
            tls_cert,
            tls_key,
        } => {
            let tls = match (tls_cert, tls_key) {
                (Some(cert), Some(key)) => Some(TlsFiles { cert, key }),
                _ => None,
            };
            let scheme = if tls.is_some() { "https" } else { "http" };
            admin::serve(store.open()?, listen, tls, |addr| announce(scheme, addr))?;
        }
        Command::Demo {
            store,
            listen,
            as_of,
        } => {
            eprintln!("preparing the demo hospital in {} ...", store.database()?);
            let backend = store.open()?;
            match admin::create_demo(&backend, as_of)? {
                Some(s) => println!(
                    "demo hospital created: {} work orders, {} rows, {} users",
                    s.work_orders, s.rows, s.users
                ),
                None => println!("the database already holds data; serving it as it is"),
            }
            println!(
                "demo users (e.g. demo.tech, demo.super, demo.manager, demo.admin) all have the password '{}'",
                biomend_server::seed::DEMO_PASSWORD
            );
            admin::serve(backend, listen, None, |addr| announce("http", addr))?;
        }
        Command::Init(args) => cli::users::init(args)?,
        Command::Site { command } => cli::places::site(command)?,
        Command::Building { command } => cli::places::building(command)?,
        Command::Department { command } => cli::places::department(command)?,
        Command::Location { command } => cli::places::location(command)?,
        Command::User { command } => cli::users::user(command)?,
        Command::Device { command } => match command {
            DeviceCommand::Enroll {
                store,
                username,
                name,
            } => {
                let (device, token) = admin::enroll_device(&store.open()?, &username, &name)?;
                println!("device {}", device.id);
                println!("token {}", token.0);
                eprintln!("the token is shown only now; store it on the device");
            }
            DeviceCommand::List { store } => {
                let mut out = std::io::stdout().lock();
                for (d, user) in admin::list_devices(&store.open()?)? {
                    let state = match d.revoked_at {
                        Some(t) => format!("revoked {}", t.to_rfc3339()),
                        None => "active".to_string(),
                    };
                    writeln!(
                        out,
                        "{}\t{}\t{}\t{}\tlast_seq {}",
                        d.id, user, d.name, state, d.last_seq
                    )?;
                }
            }
            DeviceCommand::Revoke { store, id } => {
                admin::revoke_device(&store.open()?, id)?;
                println!("device {id} revoked");
            }
        },
    }
    Ok(std::process::ExitCode::SUCCESS)
}

fn announce(scheme: &str, addr: SocketAddr) {
    println!("listening on {scheme}://{addr}");
    // Tests and scripts read this line to learn the port.
    let _ = std::io::stdout().flush();
}
