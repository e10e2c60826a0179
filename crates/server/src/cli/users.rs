//! `init` (a new hospital) and `user` (accounts).

use super::{Store, read_password};
use anyhow::Context;
use biomend_domain::user::Role;
use biomend_server::admin::{self, InitRequest, UserChange};
use biomend_server::auth::NewUser;
use clap::{Args, Subcommand};
use std::io::Write;

/// `init`: set up a new hospital.
#[derive(Args, Debug)]
pub struct InitArgs {
    #[command(flatten)]
    store: Store,
    /// The hospital's (or health system's) name, shown on every tablet.
    #[arg(long)]
    hospital: String,
    /// The first site's code, e.g. MAIN.
    #[arg(long)]
    site_code: String,
    /// The first site's name, e.g. "Main Campus".
    #[arg(long)]
    site_name: String,
    /// The first administrator's username.
    #[arg(long)]
    admin: String,
    /// The administrator's display name (default: the username).
    #[arg(long)]
    admin_name: Option<String>,
    /// Read the administrator's password from the first line of stdin.
    #[arg(long)]
    password_stdin: bool,
}

/// `user ...`.
#[derive(Subcommand, Debug)]
pub enum UserCommand {
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
    /// List users: id, username, display name, role, sites, active or
    /// inactive.
    List {
        #[command(flatten)]
        store: Store,
    },
    /// Change a user's role, sites or display name.
    Set {
        #[command(flatten)]
        store: Store,
        /// The username (or id).
        username: String,
        /// technician, supervisor, manager, admin or it_security.
        #[arg(long)]
        role: Option<String>,
        /// The sites the user works at, replacing the old ones (repeat for
        /// several).
        #[arg(long = "site", value_name = "CODE")]
        sites: Vec<String>,
        #[arg(long)]
        display_name: Option<String>,
    },
    /// Deactivate a user: they cannot sign in, and every device of theirs
    /// is revoked at once.
    Deactivate {
        #[command(flatten)]
        store: Store,
        /// The username (or id).
        username: String,
    },
    /// Set a new password for a user (prompted, or --password-stdin).
    ResetPassword {
        #[command(flatten)]
        store: Store,
        /// The username (or id).
        username: String,
        /// Read the password from the first line of stdin.
        #[arg(long)]
        password_stdin: bool,
    },
}

fn role(code: &str) -> anyhow::Result<Role> {
    Role::parse(code).with_context(|| {
        format!("unknown role '{code}': technician, supervisor, manager, admin or it_security")
    })
}

/// Runs `init`.
pub fn init(args: InitArgs) -> anyhow::Result<()> {
    let backend = args.store.open()?;
    // Before the password is asked for: a used database is refused anyway.
    admin::require_empty(&backend)?;
    let password = read_password(args.password_stdin)?;
    let req = InitRequest {
        hospital_name: args.hospital,
        site_code: args.site_code,
        site_name: args.site_name,
        admin_display_name: args.admin_name.unwrap_or_else(|| args.admin.clone()),
        admin_username: args.admin,
        password,
    };
    let done = admin::init(&backend, &req)?;
    println!("hospital '{}' set up", req.hospital_name.trim());
    println!(
        "site {} ({}): {}",
        done.site.code, done.site.name, done.site.id
    );
    println!("administrator {}: {}", done.admin.username, done.admin.id);
    Ok(())
}

/// Runs a `user` command.
pub fn user(command: UserCommand) -> anyhow::Result<()> {
    match command {
        UserCommand::Add {
            store,
            username,
            display_name,
            role: code,
            sites,
            password_stdin,
        } => {
            let role = role(&code)?;
            let password = read_password(password_stdin)?;
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
        UserCommand::List { store } => {
            let mut out = std::io::stdout().lock();
            for (u, codes) in admin::list_users(&store.open()?)? {
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    u.id,
                    u.username,
                    u.display_name,
                    u.role,
                    codes.join(","),
                    if u.active { "active" } else { "inactive" }
                )?;
            }
        }
        UserCommand::Set {
            store,
            username,
            role: code,
            sites,
            display_name,
        } => {
            let change = UserChange {
                role: code.as_deref().map(role).transpose()?,
                site_codes: (!sites.is_empty()).then_some(sites),
                display_name,
            };
            if change == UserChange::default() {
                anyhow::bail!("nothing to change: give --role, --site or --display-name");
            }
            let u = admin::set_user(&store.open()?, &username, &change)?;
            println!(
                "user {} changed: {}\t{}",
                u.username, u.display_name, u.role
            );
        }
        UserCommand::Deactivate { store, username } => {
            let revoked = admin::deactivate_user(&store.open()?, &username)?;
            println!("user {username} deactivated; {revoked} device(s) revoked");
        }
        UserCommand::ResetPassword {
            store,
            username,
            password_stdin,
        } => {
            let backend = store.open()?;
            admin::require_user(&backend, &username)?;
            let password = read_password(password_stdin)?;
            admin::reset_password(&backend, &username, &password)?;
            println!("password of {username} reset");
        }
    }
    Ok(())
}
