//! `biomend-server import assets|history`: arguments and the row-by-row
//! report; the reading, planning and writing are `biomend_server::import`.

use super::Store;
use anyhow::Context;
use biomend_interchange::{
    ClosureMap, ColumnMapping, DateOrder, HistoryMapping, HistoryOptions, ImportOptions,
};
use clap::{Args, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// Exit code when problems stopped an import (as on a tablet).
const EXIT_IMPORT_PROBLEMS: u8 = 3;

#[derive(Subcommand, Debug)]
pub enum ImportCommand {
    /// Import an inventory file (CSV or XLSX) with the same header aliases,
    /// mapping and validation as a tablet's import. Rows whose tag is
    /// already in the inventory update that asset (blank cells keep the
    /// stored value). All or nothing unless --only-good-rows; exit code 3
    /// when problems stopped the import.
    Assets {
        #[command(flatten)]
        store: Store,
        #[command(flatten)]
        file: FileArgs,
        /// Map headers to fields, e.g. "Equip No=tag,Bldg=building".
        #[arg(long)]
        mapping: Option<String>,
    },
    /// Import past work orders from an old CMMS (CSV or XLSX): tag, number,
    /// kind, dates, problem, findings, closure code, labor, parts and
    /// vendor cost, downtime. Old closure codes are mapped with
    /// --closure-map or reported, never guessed. All or nothing unless
    /// --only-good-rows; exit code 3 when problems stopped the import.
    History {
        #[command(flatten)]
        store: Store,
        #[command(flatten)]
        file: FileArgs,
        /// Map headers to fields, e.g. "Ticket=number,Fix=findings".
        #[arg(long)]
        mapping: Option<String>,
        /// The old system's closure codes onto Biomend's, e.g.
        /// "F12=failure:battery,NPF=cnd".
        #[arg(long, value_name = "OLD=OURS,...")]
        closure_map: Option<String>,
        /// A two-column CSV (old,ours) of closure-code mappings.
        #[arg(long, value_name = "FILE")]
        closure_map_file: Option<PathBuf>,
        /// The administrator the imported work is recorded under.
        #[arg(long = "as", value_name = "USERNAME")]
        imported_by: String,
        /// The old system's name, kept in every imported work order's note.
        #[arg(long, default_value = "the previous CMMS")]
        source: String,
    },
}

#[derive(Args, Debug)]
pub struct FileArgs {
    /// The file to import.
    file: PathBuf,
    /// How to read slash dates: us (04/05/2024 is April 5) or day (4 May);
    /// ISO dates always work.
    #[arg(long, default_value = "us", value_parser = ["us", "day"])]
    date_order: String,
    /// Worksheet of an XLSX workbook [default: the first].
    #[arg(long)]
    sheet: Option<String>,
    /// Import the good rows even when others have problems.
    #[arg(long)]
    only_good_rows: bool,
}

impl FileArgs {
    fn date_order(&self) -> DateOrder {
        if self.date_order == "day" {
            DateOrder::Day
        } else {
            DateOrder::Us
        }
    }
}

pub fn run(cmd: ImportCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        ImportCommand::Assets {
            store,
            file,
            mapping,
        } => {
            let mut opts = ImportOptions {
                date_order: file.date_order(),
                sheet: file.sheet.clone(),
                ..ImportOptions::default()
            };
            if let Some(m) = mapping {
                opts.mapping = Some(ColumnMapping::parse(&m)?);
            }
            let backend = store.open()?;
            let out = biomend_server::import::import_assets(
                &backend,
                &file.file,
                &opts,
                file.only_good_rows,
            )
            .with_context(|| format!("could not import {}", file.file.display()))?;
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
                Ok(ExitCode::SUCCESS)
            } else {
                println!(
                    "{}: {} rows read, {} problems: nothing was imported (fix the file, or pass --only-good-rows)",
                    out.file,
                    out.rows_read,
                    out.problems.len()
                );
                Ok(ExitCode::from(EXIT_IMPORT_PROBLEMS))
            }
        }
        ImportCommand::History {
            store,
            file,
            mapping,
            closure_map,
            closure_map_file,
            imported_by,
            source,
        } => {
            let mut map = ClosureMap::default();
            if let Some(spec) = closure_map {
                map.add_spec(&spec)?;
            }
            if let Some(path) = closure_map_file {
                let f = std::fs::File::open(&path)
                    .with_context(|| format!("cannot open {}", path.display()))?;
                map.add_csv(f)
                    .with_context(|| format!("cannot read {}", path.display()))?;
            }
            let mut opts = HistoryOptions {
                date_order: file.date_order(),
                sheet: file.sheet.clone(),
                closure_map: map,
                ..HistoryOptions::default()
            };
            if let Some(m) = mapping {
                opts.mapping = Some(HistoryMapping::parse(&m)?);
            }
            let backend = store.open()?;
            let out = biomend_server::import::import_history(
                &backend,
                &file.file,
                &opts,
                &imported_by,
                &source,
                file.only_good_rows,
            )
            .with_context(|| format!("could not import {}", file.file.display()))?;
            for n in &out.notes {
                eprintln!("note: {n}");
            }
            for p in &out.problems {
                eprintln!("{}: {p}", out.file);
            }
            if out.committed {
                println!(
                    "{}: {} rows read: {} work orders imported ({} rows), {} problems",
                    out.file,
                    out.rows_read,
                    out.work_orders,
                    out.rows_written,
                    out.problems.len()
                );
                Ok(ExitCode::SUCCESS)
            } else {
                println!(
                    "{}: {} rows read, {} problems: nothing was imported (fix the file or map the codes, or pass --only-good-rows)",
                    out.file,
                    out.rows_read,
                    out.problems.len()
                );
                Ok(ExitCode::from(EXIT_IMPORT_PROBLEMS))
            }
        }
    }
}
