//! The `biomend-server` binary's administration commands: setting up a
//! hospital, its places and its accounts. Each parses its arguments, calls
//! `biomend_server::admin` and prints; no rule lives here.

pub mod import;
pub mod places;
pub mod users;

use anyhow::{Context, bail};
use biomend_server::admin;
use biomend_server::backend::{AnyBackend, Database, PostgresTarget};
use clap::Args;
use std::io::BufRead;
use std::path::PathBuf;

/// Where the server's data lives: a SQLite file or a PostgreSQL
/// database, exactly one of them.
#[derive(Args, Debug)]
#[group(required = true, multiple = false)]
pub struct Store {
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
    /// The database the operator named.
    pub fn database(&self) -> anyhow::Result<Database> {
        Ok(match (&self.db, &self.postgres) {
            (Some(path), None) => Database::Sqlite(path.clone()),
            (None, Some(conninfo)) => Database::Postgres(PostgresTarget::parse(conninfo)?),
            _ => bail!("give exactly one of --db and --postgres"),
        })
    }

    /// Opens (creating or migrating if needed) the database.
    pub fn open(&self) -> anyhow::Result<AnyBackend> {
        let db = self.database()?;
        admin::open(&db).with_context(|| format!("cannot open the server database {db}"))
    }
}

/// A new password: the first line of stdin (`--password-stdin`), or
/// prompted for twice without echo.
pub fn read_password(from_stdin: bool) -> anyhow::Result<String> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("could not read the password from stdin")?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_string());
    }
    let first = rpassword::prompt_password("password: ").context("could not read the password")?;
    let again =
        rpassword::prompt_password("password again: ").context("could not read the password")?;
    if first != again {
        bail!("the passwords differ; nothing was changed");
    }
    Ok(first)
}
