//! The columns a work-history file can fill, the header names CMMS exports
//! use for them, and the explicit mapping that overrides those names.
//!
//! This mirrors [`crate::Field`] for inventory files; the two sets are
//! separate because the same header means different things in the two
//! kinds of file ("Description" is the device type in an inventory and the
//! reported problem in a work history; "Status" is the asset's status in
//! one and the work order's in the other). Headers are compared after
//! [`header_key`] folds case, spaces and punctuation away.

use crate::ImportError;
use crate::fields::header_key;
use std::collections::HashMap;

/// One column of a work-history file. The snake_case
/// [`HistoryField::code`] is what an explicit mapping names
/// (`"Equip Nbr=tag"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HistoryField {
    /// The asset tag the work was done on (required).
    Tag,
    /// The old system's work-order number, kept as the Biomend number.
    Number,
    /// Corrective, PM, acceptance, recall or security (old words aliased).
    Kind,
    /// Open, closed or cancelled, when the file says so.
    Status,
    /// When the work order was opened (required).
    Opened,
    /// When the work was completed; blank for open work.
    Completed,
    /// A PM's scheduled due date.
    DueOn,
    /// The problem as reported.
    Problem,
    /// Who reported it.
    ReportedBy,
    /// What the technician found and did.
    Findings,
    /// The old system's failure, result or closure code.
    Closure,
    /// Labor in minutes.
    LaborMinutes,
    /// Labor in hours (`1.5` or `1:30`).
    LaborHours,
    /// Total parts cost of the work order.
    PartsCost,
    /// Total outside-vendor cost of the work order.
    VendorCost,
    /// The outside vendor's name.
    Vendor,
    /// Downtime as a number of hours from the opening.
    DowntimeHours,
    /// Start of the downtime period.
    DownStart,
    /// End of the downtime period.
    DownEnd,
    /// The technician's name, free text.
    Technician,
}

impl HistoryField {
    /// Every field, in declaration order (`field as usize` indexes it).
    pub const ALL: &'static [HistoryField] = &[
        HistoryField::Tag,
        HistoryField::Number,
        HistoryField::Kind,
        HistoryField::Status,
        HistoryField::Opened,
        HistoryField::Completed,
        HistoryField::DueOn,
        HistoryField::Problem,
        HistoryField::ReportedBy,
        HistoryField::Findings,
        HistoryField::Closure,
        HistoryField::LaborMinutes,
        HistoryField::LaborHours,
        HistoryField::PartsCost,
        HistoryField::VendorCost,
        HistoryField::Vendor,
        HistoryField::DowntimeHours,
        HistoryField::DownStart,
        HistoryField::DownEnd,
        HistoryField::Technician,
    ];

    /// Columns a file must have. The kind is required too unless
    /// [`crate::HistoryOptions::default_kind`] is set.
    pub const REQUIRED: &'static [HistoryField] = &[HistoryField::Tag, HistoryField::Opened];

    /// Stable code used in explicit mappings and error messages.
    pub fn code(self) -> &'static str {
        match self {
            HistoryField::Tag => "tag",
            HistoryField::Number => "number",
            HistoryField::Kind => "kind",
            HistoryField::Status => "status",
            HistoryField::Opened => "opened",
            HistoryField::Completed => "completed",
            HistoryField::DueOn => "due_on",
            HistoryField::Problem => "problem",
            HistoryField::ReportedBy => "reported_by",
            HistoryField::Findings => "findings",
            HistoryField::Closure => "closure_code",
            HistoryField::LaborMinutes => "labor_minutes",
            HistoryField::LaborHours => "labor_hours",
            HistoryField::PartsCost => "parts_cost",
            HistoryField::VendorCost => "vendor_cost",
            HistoryField::Vendor => "vendor",
            HistoryField::DowntimeHours => "downtime_hours",
            HistoryField::DownStart => "down_start",
            HistoryField::DownEnd => "down_end",
            HistoryField::Technician => "technician",
        }
    }

    /// Parses a field code as written in a mapping; case, spaces and
    /// punctuation are ignored (`Labor Minutes`, `labor-minutes`).
    pub fn parse(s: &str) -> Option<HistoryField> {
        let key = header_key(s);
        HistoryField::ALL
            .iter()
            .copied()
            .find(|f| header_key(f.code()) == key)
    }

    /// Header names recognised for this field, best match first: when two
    /// columns of one file match the same field, the one whose alias comes
    /// earlier here wins.
    pub fn aliases(self) -> &'static [&'static str] {
        match self {
            HistoryField::Tag => &[
                "Asset Tag",
                "Tag",
                "Tag Number",
                "Equipment Control #",
                "Equipment Control Number",
                "Equipment Control No",
                "Control Number",
                "Control #",
                "Equip #",
                "Equipment #",
                "Equipment Number",
                "Asset #",
                "Asset Number",
                "Asset No",
                "Asset ID",
                "Equipment ID",
            ],
            HistoryField::Number => &[
                "WO #",
                "WO Number",
                "WO No",
                "Work Order #",
                "Work Order Number",
                "Work Order No",
                "Work Order",
                "Work Order ID",
                "WO ID",
                "WO",
                "Ticket #",
                "Ticket Number",
                "Service Order #",
            ],
            HistoryField::Kind => &[
                "WO Type",
                "Work Order Type",
                "Type",
                "Work Type",
                "Kind",
                "Order Type",
                "Job Type",
                "Service Type",
            ],
            HistoryField::Status => &["WO Status", "Work Order Status", "Status", "State"],
            HistoryField::Opened => &[
                "Date Opened",
                "Opened",
                "Open Date",
                "Opened On",
                "Opened At",
                "Request Date",
                "Date Requested",
                "Requested",
                "Date Reported",
                "Reported Date",
                "Date Created",
                "Created Date",
                "Created",
            ],
            HistoryField::Completed => &[
                "Date Completed",
                "Completion Date",
                "Completed",
                "Completed On",
                "Completed At",
                "Date Closed",
                "Closed Date",
                "Close Date",
                "Closed",
                "Closed On",
                "Finished",
                "Done Date",
            ],
            HistoryField::DueOn => &[
                "Due Date",
                "Date Due",
                "Due",
                "PM Due Date",
                "Scheduled Date",
                "Scheduled Due",
            ],
            HistoryField::Problem => &[
                "Problem",
                "Request",
                "Complaint",
                "Problem Description",
                "Reported Problem",
                "Problem Reported",
                "Request Description",
                "Description",
                "Symptom",
                "Issue",
            ],
            HistoryField::ReportedBy => &[
                "Reported By",
                "Requested By",
                "Requester",
                "Requestor",
                "Caller",
                "Reporter",
            ],
            HistoryField::Findings => &[
                "Findings",
                "Action Taken",
                "Actions Taken",
                "Resolution",
                "Work Performed",
                "Work Done",
                "Corrective Action",
                "Repair Description",
                "Remarks",
            ],
            HistoryField::Closure => &[
                "Closure Code",
                "Failure Code",
                "Result Code",
                "Close Code",
                "Closing Code",
                "Resolution Code",
                "Cause Code",
                "Completion Code",
                "Outcome",
            ],
            HistoryField::LaborMinutes => &[
                "Labor Minutes",
                "Labor Min",
                "Labor Mins",
                "Labor (min)",
                "Minutes",
                "Time Minutes",
            ],
            HistoryField::LaborHours => &[
                "Labor Hours",
                "Labor Hrs",
                "Labor (hrs)",
                "Labor Time",
                "Hours",
                "Tech Hours",
                "Time Spent",
            ],
            HistoryField::PartsCost => &[
                "Parts Cost",
                "Parts",
                "Parts Total",
                "Part Cost",
                "Material Cost",
                "Materials",
                "Parts $",
            ],
            HistoryField::VendorCost => &[
                "Vendor Cost",
                "Outside Service Cost",
                "Outside Services",
                "Outside Service",
                "Outside Cost",
                "Vendor Charges",
                "Vendor Total",
                "Service Cost",
            ],
            HistoryField::Vendor => &[
                "Vendor",
                "Vendor Name",
                "Service Vendor",
                "Outside Vendor",
                "Service Company",
            ],
            HistoryField::DowntimeHours => &[
                "Downtime Hours",
                "Downtime",
                "Down Time",
                "Downtime (hrs)",
                "Down Hours",
                "Hours Down",
            ],
            HistoryField::DownStart => &[
                "Down Start",
                "Downtime Start",
                "Down Since",
                "Date Down",
                "Down Date",
                "Out of Service Date",
            ],
            HistoryField::DownEnd => &[
                "Down End",
                "Downtime End",
                "Date Up",
                "Up Date",
                "Back in Service",
                "Returned to Service",
                "Return to Service Date",
            ],
            HistoryField::Technician => &[
                "Technician",
                "Tech",
                "Technician Name",
                "Tech Name",
                "Assigned To",
                "Assigned Tech",
                "Performed By",
                "Completed By",
                "Employee",
            ],
        }
    }
}

impl std::fmt::Display for HistoryField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

fn alias_table() -> &'static HashMap<String, (HistoryField, usize)> {
    static TABLE: std::sync::OnceLock<HashMap<String, (HistoryField, usize)>> =
        std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut m = HashMap::new();
        for &f in HistoryField::ALL {
            for (rank, a) in f.aliases().iter().enumerate() {
                m.entry(header_key(a)).or_insert((f, rank));
            }
        }
        m
    })
}

/// The history field a header names by alias, with the alias rank (lower
/// is better).
pub fn history_field_for_header(header: &str) -> Option<(HistoryField, usize)> {
    alias_table().get(&header_key(header)).copied()
}

/// An explicit header → history field mapping; entries override aliases.
/// A target of `None` means the column is not read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HistoryMapping {
    entries: Vec<(String, Option<HistoryField>)>,
}

impl HistoryMapping {
    /// Parses `"Header Name=field,Other=field"`; field codes are those of
    /// [`HistoryField::code`], and `ignore` (or `-`) skips a column.
    pub fn parse(spec: &str) -> Result<Self, ImportError> {
        let mut m = HistoryMapping::default();
        for entry in spec.split(',') {
            if entry.trim().is_empty() {
                continue;
            }
            let (h, f) = entry
                .split_once('=')
                .ok_or_else(|| ImportError::BadMapping {
                    entry: entry.trim().to_string(),
                    reason: "expected 'Header Name=field'".into(),
                })?;
            let (h, f) = (h.trim(), f.trim());
            let target = if f == "-" || f.eq_ignore_ascii_case("ignore") {
                None
            } else {
                Some(
                    HistoryField::parse(f).ok_or_else(|| ImportError::BadMapping {
                        entry: format!("{h}={f}"),
                        reason: format!(
                            "'{f}' is not a history field; fields are: {}",
                            HistoryField::ALL
                                .iter()
                                .map(|f| f.code())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    })?,
                )
            };
            m.insert(h, target)?;
        }
        Ok(m)
    }

    /// Adds one entry (`None` ignores the column).
    pub fn insert(
        &mut self,
        header: &str,
        target: Option<HistoryField>,
    ) -> Result<(), ImportError> {
        let key = header_key(header);
        if key.is_empty() {
            return Err(ImportError::BadMapping {
                entry: header.to_string(),
                reason: "the header name is empty".into(),
            });
        }
        if self.entries.iter().any(|(h, _)| header_key(h) == key) {
            return Err(ImportError::BadMapping {
                entry: header.to_string(),
                reason: "this header is mapped twice".into(),
            });
        }
        if let Some(f) = target
            && let Some((h, _)) = self.entries.iter().find(|(_, t)| *t == Some(f))
        {
            return Err(ImportError::BadMapping {
                entry: header.to_string(),
                reason: format!("field {f} is already mapped from '{h}'"),
            });
        }
        self.entries.push((header.to_string(), target));
        Ok(())
    }

    /// The entries in the order given.
    pub fn entries(&self) -> &[(String, Option<HistoryField>)] {
        &self.entries
    }

    fn target_for(&self, header: &str) -> Option<Option<HistoryField>> {
        let key = header_key(header);
        self.entries
            .iter()
            .find(|(h, _)| header_key(h) == key)
            .map(|(_, t)| *t)
    }

    fn maps_field(&self, f: HistoryField) -> bool {
        self.entries.iter().any(|(_, t)| *t == Some(f))
    }
}

/// How the columns of one history file map to fields.
#[derive(Clone, Debug)]
pub(crate) struct HistoryLayout {
    pub headers: Vec<String>,
    column: [Option<usize>; HistoryField::ALL.len()],
    /// Columns read by nothing, with the reason, for the report's notes.
    pub unused: Vec<(usize, String)>,
}

impl HistoryLayout {
    /// Resolves headers: explicit mapping first, then aliases. Returns the
    /// mapping's headers that the file does not have.
    pub fn resolve(
        headers: Vec<String>,
        mapping: Option<&HistoryMapping>,
    ) -> (HistoryLayout, Vec<String>) {
        let n = HistoryField::ALL.len();
        let mut column = [None; HistoryField::ALL.len()];
        let mut rank = vec![usize::MAX; n];
        let mut unused = Vec::new();
        let mut claimed = vec![false; headers.len()];
        if let Some(m) = mapping {
            for (i, h) in headers.iter().enumerate() {
                match m.target_for(h) {
                    Some(Some(f)) if column[f as usize].is_none() => {
                        column[f as usize] = Some(i);
                        rank[f as usize] = 0;
                        claimed[i] = true;
                    }
                    Some(Some(f)) => {
                        claimed[i] = true;
                        unused.push((
                            i,
                            format!("mapped to {f}, which an earlier column already fills"),
                        ));
                    }
                    Some(None) => {
                        claimed[i] = true;
                        unused.push((i, "ignored by the column mapping".into()));
                    }
                    None => {}
                }
            }
        }
        for (i, h) in headers.iter().enumerate() {
            if claimed[i] || header_key(h).is_empty() {
                continue;
            }
            match history_field_for_header(h) {
                Some((f, _)) if mapping.is_some_and(|m| m.maps_field(f)) => {
                    unused.push((
                        i,
                        format!("the column mapping takes {f} from another column"),
                    ));
                }
                Some((f, r)) => {
                    let slot = f as usize;
                    match column[slot] {
                        Some(prev) if rank[slot] <= r => {
                            unused
                                .push((i, format!("{f} is already read from '{}'", headers[prev])));
                        }
                        Some(prev) => {
                            unused.push((prev, format!("{f} is read from '{h}' instead")));
                            column[slot] = Some(i);
                            rank[slot] = r;
                        }
                        None => {
                            column[slot] = Some(i);
                            rank[slot] = r;
                        }
                    }
                }
                None => unused.push((i, "not a known column".into())),
            }
        }
        unused.sort_by_key(|(i, _)| *i);
        let missing_mapped = mapping
            .map(|m| {
                m.entries
                    .iter()
                    .filter(|(h, _)| !headers.iter().any(|x| header_key(x) == header_key(h)))
                    .map(|(h, _)| h.clone())
                    .collect()
            })
            .unwrap_or_default();
        (
            HistoryLayout {
                headers,
                column,
                unused,
            },
            missing_mapped,
        )
    }

    pub fn get(&self, f: HistoryField) -> Option<usize> {
        self.column[f as usize]
    }

    /// The header as the file writes it, for problems.
    pub fn header(&self, f: HistoryField) -> Option<String> {
        self.get(f).map(|i| self.headers[i].clone())
    }

    pub fn missing_required(&self, kind_required: bool) -> Vec<HistoryField> {
        let mut v: Vec<HistoryField> = HistoryField::REQUIRED
            .iter()
            .copied()
            .filter(|f| self.get(*f).is_none())
            .collect();
        if kind_required && self.get(HistoryField::Kind).is_none() {
            v.push(HistoryField::Kind);
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_alias_belongs_to_one_field_only() {
        let mut seen: HashMap<String, HistoryField> = HashMap::new();
        for &f in HistoryField::ALL {
            for a in f.aliases() {
                if let Some(prev) = seen.insert(header_key(a), f)
                    && prev != f
                {
                    panic!("alias {a:?} is listed for both {prev} and {f}");
                }
            }
        }
    }

    #[test]
    fn field_order_matches_all() {
        for (i, f) in HistoryField::ALL.iter().enumerate() {
            assert_eq!(*f as usize, i);
            assert_eq!(HistoryField::parse(f.code()), Some(*f));
        }
    }

    #[test]
    fn common_cmms_headers() {
        for (h, f) in [
            ("Equipment Control #", HistoryField::Tag),
            ("Control Number", HistoryField::Tag),
            ("WO #", HistoryField::Number),
            ("Work Order Number", HistoryField::Number),
            ("WO Type", HistoryField::Kind),
            ("Date Opened", HistoryField::Opened),
            ("Request Date", HistoryField::Opened),
            ("Completion Date", HistoryField::Completed),
            ("Closed", HistoryField::Completed),
            ("Complaint", HistoryField::Problem),
            ("Action Taken", HistoryField::Findings),
            ("Result Code", HistoryField::Closure),
            ("Failure Code", HistoryField::Closure),
            ("Labor Min", HistoryField::LaborMinutes),
            ("Labor Hours", HistoryField::LaborHours),
            ("Outside Service Cost", HistoryField::VendorCost),
            ("Down Start", HistoryField::DownStart),
            ("Downtime Hours", HistoryField::DowntimeHours),
        ] {
            assert_eq!(history_field_for_header(h).map(|x| x.0), Some(f), "{h}");
        }
    }

    #[test]
    fn mapping_parses_and_rejects() {
        let m = HistoryMapping::parse("Ctl=tag, Memo = ignore, Job=kind").unwrap();
        assert_eq!(m.entries().len(), 3);
        assert!(HistoryMapping::parse("Ctl=tagg").is_err());
        assert!(HistoryMapping::parse("Ctl").is_err());
        assert!(HistoryMapping::parse("A=tag,B=tag").is_err());
    }
}
