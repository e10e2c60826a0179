//! `site`, `building`, `department` and `location`: the hospital's places.
//! Parents are named by site code and names; `set` finds what it changes
//! by code or name (or id) and changes only the fields given.

use super::Store;
use biomend_protocol::admin::{BuildingEdit, DepartmentEdit, NewSite, SiteEdit};
use biomend_server::admin::{
    self, DepartmentByName, LocationByName, LocationChange, LocationSelector,
};
use clap::Subcommand;
use std::io::Write;

/// `site ...`.
#[derive(Subcommand, Debug)]
pub enum SiteCommand {
    /// Add a site (a campus or hospital of the health system).
    Add {
        #[command(flatten)]
        store: Store,
        /// Short code printed on reports, e.g. MAIN; unique.
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: String,
    },
    /// List sites: id, code, name.
    List {
        #[command(flatten)]
        store: Store,
    },
    /// Change a site's code or name.
    Set {
        #[command(flatten)]
        store: Store,
        /// The site's code or id.
        site: String,
        /// The new code.
        #[arg(long)]
        code: Option<String>,
        /// The new name.
        #[arg(long)]
        name: Option<String>,
    },
}

/// `building ...`.
#[derive(Subcommand, Debug)]
pub enum BuildingCommand {
    /// Add a building at a site.
    Add {
        #[command(flatten)]
        store: Store,
        /// The site's code.
        #[arg(long)]
        site: String,
        /// Unique within the site.
        #[arg(long)]
        name: String,
    },
    /// List buildings: id, site code, name.
    List {
        #[command(flatten)]
        store: Store,
        /// Only this site's.
        #[arg(long)]
        site: Option<String>,
    },
    /// Rename a building.
    Set {
        #[command(flatten)]
        store: Store,
        /// The site's code (needed when the building is named, not its id).
        #[arg(long)]
        site: Option<String>,
        /// The building's name or id.
        building: String,
        /// The new name.
        #[arg(long)]
        name: Option<String>,
    },
}

/// `department ...`.
#[derive(Subcommand, Debug)]
pub enum DepartmentCommand {
    /// Add a department at a site.
    Add {
        #[command(flatten)]
        store: Store,
        /// The site's code.
        #[arg(long)]
        site: String,
        /// Unique within the site, e.g. "Emergency Department".
        #[arg(long)]
        name: String,
        /// What staff call it, e.g. ED; unique within the site.
        #[arg(long)]
        short_name: Option<String>,
        #[arg(long)]
        cost_center: Option<String>,
    },
    /// List departments: id, site code, name, short name, cost center.
    List {
        #[command(flatten)]
        store: Store,
        /// Only this site's.
        #[arg(long)]
        site: Option<String>,
    },
    /// Change a department's name, short name or cost center (an empty
    /// value clears the short name or cost center).
    Set {
        #[command(flatten)]
        store: Store,
        /// The site's code (needed when the department is named, not its id).
        #[arg(long)]
        site: Option<String>,
        /// The department's name, short name or id.
        department: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        short_name: Option<String>,
        #[arg(long)]
        cost_center: Option<String>,
    },
}

/// `location ...`.
#[derive(Subcommand, Debug)]
pub enum LocationCommand {
    /// Add a location (a room, bay or closet) in a building.
    Add {
        #[command(flatten)]
        store: Store,
        /// The site's code.
        #[arg(long)]
        site: String,
        /// The building's name at the site.
        #[arg(long)]
        building: String,
        /// Empty when unknown.
        #[arg(long, default_value = "")]
        floor: String,
        /// Unique on its floor of the building.
        #[arg(long)]
        room: String,
        /// The department that normally occupies it (name or short name).
        #[arg(long)]
        department: Option<String>,
    },
    /// List locations: id, site code, building, floor, room, department.
    List {
        #[command(flatten)]
        store: Store,
        /// Only this site's.
        #[arg(long)]
        site: Option<String>,
        /// Only this building's (at --site).
        #[arg(long, requires = "site")]
        building: Option<String>,
    },
    /// Change a location's floor, room or department.
    Set {
        #[command(flatten)]
        store: Store,
        /// The site's code (when the location is named by its room).
        #[arg(long)]
        site: Option<String>,
        /// The building's name (when the location is named by its room).
        #[arg(long, requires = "site")]
        building: Option<String>,
        /// The floor the room is on, when its number repeats.
        #[arg(long, value_name = "FLOOR")]
        on_floor: Option<String>,
        /// The location's room or id.
        location: String,
        /// The new floor.
        #[arg(long)]
        floor: Option<String>,
        /// The new room.
        #[arg(long)]
        room: Option<String>,
        /// The new department (name or short name).
        #[arg(long, conflicts_with = "no_department")]
        department: Option<String>,
        /// The room belongs to no department.
        #[arg(long)]
        no_department: bool,
    },
}

fn opt(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or("")
}

/// Runs a `site` command.
pub fn site(command: SiteCommand) -> anyhow::Result<()> {
    match command {
        SiteCommand::Add { store, code, name } => {
            let s = admin::add_site(&store.open()?, &NewSite { code, name })?;
            println!("site {} added: {}", s.code, s.id);
        }
        SiteCommand::List { store } => {
            let mut out = std::io::stdout().lock();
            for s in admin::list_sites(&store.open()?)? {
                writeln!(out, "{}\t{}\t{}", s.id, s.code, s.name)?;
            }
        }
        SiteCommand::Set {
            store,
            site,
            code,
            name,
        } => {
            let s = admin::set_site(&store.open()?, &site, &SiteEdit { code, name })?;
            println!("site {} changed: {}\t{}", s.id, s.code, s.name);
        }
    }
    Ok(())
}

/// Runs a `building` command.
pub fn building(command: BuildingCommand) -> anyhow::Result<()> {
    match command {
        BuildingCommand::Add { store, site, name } => {
            let b = admin::add_building(&store.open()?, &site, &name)?;
            println!("building {} added: {}", b.name, b.id);
        }
        BuildingCommand::List { store, site } => {
            let mut out = std::io::stdout().lock();
            for (b, code) in admin::list_buildings(&store.open()?, site.as_deref())? {
                writeln!(out, "{}\t{}\t{}", b.id, code, b.name)?;
            }
        }
        BuildingCommand::Set {
            store,
            site,
            building,
            name,
        } => {
            let b = admin::set_building(
                &store.open()?,
                site.as_deref(),
                &building,
                &BuildingEdit { name },
            )?;
            println!("building {} changed: {}", b.id, b.name);
        }
    }
    Ok(())
}

/// Runs a `department` command.
pub fn department(command: DepartmentCommand) -> anyhow::Result<()> {
    match command {
        DepartmentCommand::Add {
            store,
            site,
            name,
            short_name,
            cost_center,
        } => {
            let new = DepartmentByName {
                site_code: site,
                name,
                short_name,
                cost_center,
            };
            let d = admin::add_department(&store.open()?, &new)?;
            println!("department {} added: {}", d.name, d.id);
        }
        DepartmentCommand::List { store, site } => {
            let mut out = std::io::stdout().lock();
            for (d, code) in admin::list_departments(&store.open()?, site.as_deref())? {
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}\t{}",
                    d.id,
                    code,
                    d.name,
                    opt(&d.short_name),
                    opt(&d.cost_center)
                )?;
            }
        }
        DepartmentCommand::Set {
            store,
            site,
            department,
            name,
            short_name,
            cost_center,
        } => {
            // An empty value clears the field.
            let clearable = |v: Option<String>| v.map(|s| Some(s).filter(|s| !s.trim().is_empty()));
            let edit = DepartmentEdit {
                name,
                short_name: clearable(short_name),
                cost_center: clearable(cost_center),
            };
            let d = admin::set_department(&store.open()?, site.as_deref(), &department, &edit)?;
            println!(
                "department {} changed: {}\t{}\t{}",
                d.id,
                d.name,
                opt(&d.short_name),
                opt(&d.cost_center)
            );
        }
    }
    Ok(())
}

/// Runs a `location` command.
pub fn location(command: LocationCommand) -> anyhow::Result<()> {
    match command {
        LocationCommand::Add {
            store,
            site,
            building,
            floor,
            room,
            department,
        } => {
            let at = LocationByName {
                site_code: site,
                building,
                floor,
                room,
                department,
            };
            let l = admin::add_location(&store.open()?, &at)?;
            println!("location {} added: {}", l.room, l.id);
        }
        LocationCommand::List {
            store,
            site,
            building,
        } => {
            let mut out = std::io::stdout().lock();
            for l in admin::list_locations(&store.open()?, site.as_deref(), building.as_deref())? {
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    l.location.id,
                    l.site_code,
                    l.building,
                    l.location.floor,
                    l.location.room,
                    opt(&l.department)
                )?;
            }
        }
        LocationCommand::Set {
            store,
            site,
            building,
            on_floor,
            location,
            floor,
            room,
            department,
            no_department,
        } => {
            let which = LocationSelector {
                site_code: site,
                building,
                floor: on_floor,
                room_or_id: location,
            };
            let change = LocationChange {
                floor,
                room,
                department: if no_department {
                    Some(None)
                } else {
                    department.map(Some)
                },
            };
            let l = admin::set_location(&store.open()?, &which, &change)?;
            println!(
                "location {} changed: floor {}\troom {}",
                l.id, l.floor, l.room
            );
        }
    }
    Ok(())
}
