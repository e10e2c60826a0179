//! The `biomend-server` binary: parses arguments and calls the library
//! (`biomend_server::admin`); errors are reported here, at the edge.

use anyhow::{Context, bail};
use biomend_domain::user::Role;
use biomend_interchange::{ColumnMapping, DateOrder, ImportOptions};
use biomend_server::admin;
use biomend_server::auth::NewUser;
use biomend_server::backend::{AnyBackend, Database, PostgresTarget};
use biomend_server::http::TlsFiles;
use clap::{Args, Parser, Subcommand};
use std::io::{BufRead, Write};
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
    /// Import records from an old CMMS's export.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
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

/// Where the server's data lives: a SQLite file or a PostgreSQL
/// database, exactly one of them.
#[derive(Args, Debug)]
#[group(required = true, multiple = false)]
struct Store {
    /// The server database, a SQLite file (created if missing).
    #[arg(long, value_name = "FILE")]
    db: Option<PathBuf>,
    /// A PostgreSQL database instead (it must exist; its tables are
    /// created): a connection string such as "host=/run/postgresql
    /// dbname=biomend user=biomend" or a postgres:// URL. It is never
    /// printed; to keep a password out of the process list, set
    /// BIOMEND_SERVER_POSTGRES instead or sign in over the local socket.
    #[arg(
        long,
        value_name = "CONNINFO",
        env = "BIOMEND_SERVER_POSTGRES",
        hide_env_values = true
    )]
    postgres: Option<String>,
}

impl Store {
    fn database(&self) -> anyhow::Result<Database> {
        Ok(match (&self.db, &self.postgres) {
            (Some(path), None) => Database::Sqlite(path.clone()),
            (None, Some(conninfo)) => Database::Postgres(PostgresTarget::parse(conninfo)?),
            _ => bail!("give exactly one of --db and --postgres"),
        })
    }

    fn open(&self) -> anyhow::Result<AnyBackend> {
        let db = self.database()?;
        admin::open(&db).with_context(|| format!("cannot open the server database {db}"))
    }
}

#[derive(Subcommand, Debug)]
enum UserCommand {
    /// Add a user. The password is read from stdin (--password-stdin) or
    /// prompted for; empty, short (<10 characters) or username-equal
    /// passwords are refused.
    Add {
        #[command(flatten)]
        store: Store,
        #[arg(long)]
        username: String,
        #[arg(long)]
        display_name: String,
        /// technician, supervisor, manager, admin or it_security.
        #[arg(long)]
        role: String,
        /// A site code the user works at (repeat for several).
        #[arg(long = "site", value_name = "CODE")]
        sites: Vec<String>,
        /// Read the password from the first line of stdin.
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Subcommand, Debug)]
enum ImportCommand {
    /// Import an inventory file (CSV or XLSX) with the same header aliases,
    /// mapping and validation as a tablet's import. Rows whose tag is
    /// already in the inventory update that asset (blank cells keep the
    /// stored value). All or nothing unless --only-good-rows; exit code 3
    /// when the file has problems.
    Assets {
        #[command(flatten)]
        store: Store,
        /// The file to import.
        file: PathBuf,
        /// Map headers to fields, e.g. "Equip No=tag,Bldg=building".
        #[arg(long)]
        mapping: Option<String>,
        /// How to read slash dates: us (04/05/2024 is April 5) or day
        /// (4 May); ISO dates always work.
        #[arg(long, default_value = "us", value_parser = ["us", "day"])]
        date_order: String,
        /// Worksheet of an XLSX workbook [default: the first].
        #[arg(long)]
        sheet: Option<String>,
        /// Import the good rows even when others have problems.
        #[arg(long)]
        only_good_rows: bool,
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

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
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
        Command::User {
            command:
                UserCommand::Add {
                    store,
                    username,
                    display_name,
                    role,
                    sites,
                    password_stdin,
                },
        } => {
            let role = Role::parse(&role).with_context(|| {
                format!(
                    "unknown role '{role}': technician, supervisor, manager, admin or it_security"
                )
            })?;
            let password = if password_stdin {
                let mut line = String::new();
                std::io::stdin()
                    .lock()
                    .read_line(&mut line)
                    .context("could not read the password from stdin")?;
                line.trim_end_matches(['\r', '\n']).to_string()
            } else {
                let first = rpassword::prompt_password("password: ")
                    .context("could not read the password")?;
                let again = rpassword::prompt_password("password again: ")
                    .context("could not read the password")?;
                if first != again {
                    bail!("the passwords differ; nothing was changed");
                }
                first
            };
            let id = admin::add_user(
                &store.open()?,
                &NewUser {
                    username: username.clone(),
                    display_name,
                    role,
                    site_codes: sites,
                    password,
                },
            )?;
            println!("user {username} added: {id}");
        }
        Command::Import {
            command:
                ImportCommand::Assets {
                    store,
                    file,
                    mapping,
                    date_order,
                    sheet,
                    only_good_rows,
                },
        } => {
            let mut opts = ImportOptions::default();
            if let Some(m) = mapping {
                opts.mapping = Some(ColumnMapping::parse(&m)?);
            }
            if date_order == "day" {
                opts.date_order = DateOrder::Day;
            }
            opts.sheet = sheet;
            let backend = store.open()?;
            let out = biomend_server::import::import_assets(&backend, &file, &opts, only_good_rows)
                .with_context(|| format!("could not import {}", file.display()))?;
            for n in &out.notes {
                eprintln!("note: {n}");
            }
            for p in &out.problems {
                eprintln!("{}: {p}", out.file);
            }
            for (line, tag, fields) in &out.changes {
                println!("row {line}: {tag} updated: {}", fields.join(", "));
            }
            if out.committed {
                println!(
                    "{}: {} rows read: {} assets created, {} updated, {} unchanged, {} problems",
                    out.file,
                    out.rows_read,
                    out.created,
                    out.updated,
                    out.unchanged,
                    out.problems.len()
                );
            } else {
                println!(
                    "{}: {} rows read, {} problems: nothing was imported (fix the file, or pass --only-good-rows)",
                    out.file,
                    out.rows_read,
                    out.problems.len()
                );
            }
            // As on a tablet: 3 when problems stopped the import.
            if !out.committed {
                std::process::exit(3);
            }
        }
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
    Ok(())
}

fn announce(scheme: &str, addr: SocketAddr) {
    println!("listening on {scheme}://{addr}");
    // Tests and scripts read this line to learn the port.
    let _ = std::io::stdout().flush();
}
