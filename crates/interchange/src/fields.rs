//! The fields an inventory file can fill, the header names CMMS exports use
//! for them, and the explicit column mapping that overrides those names.
//!
//! Headers are compared after [`header_key`] folds case, spaces and
//! punctuation away, so `Serial #`, `serial_no.` and `SERIAL NO` all meet
//! the same alias without listing every spelling.

use crate::ImportError;
use std::collections::HashMap;

/// One importable asset attribute. The snake_case [`Field::code`] is what
/// an explicit mapping names (`"Equip Nbr=tag"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    Tag,
    Serial,
    Manufacturer,
    Model,
    DeviceTypeCode,
    DeviceTypeName,
    Site,
    Department,
    Building,
    Floor,
    Room,
    Ownership,
    Status,
    AcquiredOn,
    AcquisitionCost,
    WarrantyEnd,
    ExpectedLife,
    EmNumber,
    RiskFunction,
    RiskPhysical,
    RiskMaintenance,
    LifeSupport,
    ParentTag,
    Notes,
    Hostname,
    Ip,
    Mac,
    Vlan,
    OsName,
    OsVersion,
    Firmware,
}

impl Field {
    pub const ALL: &'static [Field] = &[
        Field::Tag,
        Field::Serial,
        Field::Manufacturer,
        Field::Model,
        Field::DeviceTypeCode,
        Field::DeviceTypeName,
        Field::Site,
        Field::Department,
        Field::Building,
        Field::Floor,
        Field::Room,
        Field::Ownership,
        Field::Status,
        Field::AcquiredOn,
        Field::AcquisitionCost,
        Field::WarrantyEnd,
        Field::ExpectedLife,
        Field::EmNumber,
        Field::RiskFunction,
        Field::RiskPhysical,
        Field::RiskMaintenance,
        Field::LifeSupport,
        Field::ParentTag,
        Field::Notes,
        Field::Hostname,
        Field::Ip,
        Field::Mac,
        Field::Vlan,
        Field::OsName,
        Field::OsVersion,
        Field::Firmware,
    ];

    /// Fields without which a row cannot become an asset. The app core needs
    /// the tag to identify the device and manufacturer + model + department
    /// to resolve it to a model and an owner.
    pub const REQUIRED: &'static [Field] = &[
        Field::Tag,
        Field::Manufacturer,
        Field::Model,
        Field::Department,
    ];

    pub fn is_required(self) -> bool {
        Field::REQUIRED.contains(&self)
    }

    /// Stable code used in explicit mappings and error messages.
    pub fn code(self) -> &'static str {
        match self {
            Field::Tag => "tag",
            Field::Serial => "serial",
            Field::Manufacturer => "manufacturer",
            Field::Model => "model",
            Field::DeviceTypeCode => "device_type_code",
            Field::DeviceTypeName => "device_type_name",
            Field::Site => "site",
            Field::Department => "department",
            Field::Building => "building",
            Field::Floor => "floor",
            Field::Room => "room",
            Field::Ownership => "ownership",
            Field::Status => "status",
            Field::AcquiredOn => "acquired_on",
            Field::AcquisitionCost => "acquisition_cost",
            Field::WarrantyEnd => "warranty_end",
            Field::ExpectedLife => "expected_life_years",
            Field::EmNumber => "em_number",
            Field::RiskFunction => "risk_function",
            Field::RiskPhysical => "risk_physical",
            Field::RiskMaintenance => "risk_maintenance",
            Field::LifeSupport => "life_support",
            Field::ParentTag => "parent_tag",
            Field::Notes => "notes",
            Field::Hostname => "hostname",
            Field::Ip => "ip",
            Field::Mac => "mac",
            Field::Vlan => "vlan",
            Field::OsName => "os_name",
            Field::OsVersion => "os_version",
            Field::Firmware => "firmware",
        }
    }

    /// Parses a field code as written in a mapping; case, spaces and
    /// punctuation are ignored (`Acquired On`, `acquired-on`).
    pub fn parse(s: &str) -> Option<Field> {
        let key = header_key(s);
        Field::ALL
            .iter()
            .copied()
            .find(|f| header_key(f.code()) == key)
    }

    /// The header this crate writes on export; always one of the aliases,
    /// so an exported file re-imports without a mapping.
    pub fn export_header(self) -> &'static str {
        self.aliases()[0]
    }

    /// Header names recognised for this field, best match first. When two
    /// columns of one file match the same field, the one whose alias comes
    /// earlier here wins (a file with both "Device Type" and "Description"
    /// uses "Device Type").
    pub fn aliases(self) -> &'static [&'static str] {
        match self {
            Field::Tag => &[
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
            Field::Serial => &[
                "Serial #",
                "Serial Number",
                "Serial No",
                "Serial",
                "SN",
                "S/N",
            ],
            Field::Manufacturer => &[
                "Manufacturer",
                "Mfr",
                "Mfg",
                "Make",
                "Vendor Mfr",
                "Manufacturer Name",
                "Mfr Name",
            ],
            Field::Model => &["Model", "Model #", "Model Number", "Model No", "Model Name"],
            Field::DeviceTypeCode => &[
                "Device Type Code",
                "UMDNS",
                "UMDNS Code",
                "Type Code",
                "GMDN",
                "GMDN Code",
                "Nomenclature Code",
                "Device Code",
            ],
            Field::DeviceTypeName => &[
                "Device Type",
                "Equipment Type",
                "Device Type Name",
                "Nomenclature",
                "Description",
                "Equipment Description",
                "Device Description",
            ],
            Field::Site => &["Site", "Facility", "Campus", "Hospital"],
            Field::Department => &[
                "Department",
                "Dept",
                "Dept Name",
                "Department Name",
                "Cost Center Name",
                "Location Dept",
                "Owning Department",
            ],
            Field::Building => &["Building", "Bldg"],
            Field::Floor => &["Floor", "Level"],
            Field::Room => &["Room", "Room #", "Room Number", "Location"],
            Field::Ownership => &[
                "Ownership",
                "Ownership Type",
                "Owned/Leased",
                "Acquisition Type",
            ],
            Field::Status => &["Status", "Asset Status", "Equipment Status"],
            Field::AcquiredOn => &[
                "Acquisition Date",
                "Acq Date",
                "Purchase Date",
                "In Service Date",
                "Acquired On",
                "Acquired",
                "Install Date",
                "Received Date",
            ],
            Field::AcquisitionCost => &[
                "Acquisition Cost",
                "Cost",
                "Acq Cost",
                "Purchase Price",
                "Purchase Cost",
                "Original Cost",
                "Price",
            ],
            Field::WarrantyEnd => &[
                "Warranty End",
                "Warranty End Date",
                "Warranty Expiration",
                "Warranty Exp",
                "Warranty Expires",
            ],
            Field::ExpectedLife => &[
                "Expected Life Years",
                "Expected Life",
                "Expected Life (Years)",
                "Useful Life",
                "Life Expectancy",
            ],
            Field::EmNumber => &[
                "EM Number",
                "EM",
                "Risk",
                "Risk Score",
                "Equipment Management Number",
                "EM #",
            ],
            Field::RiskFunction => &["Risk Function", "Function Score", "Function"],
            Field::RiskPhysical => &["Risk Physical", "Physical Risk", "Physical Risk Score"],
            Field::RiskMaintenance => &[
                "Risk Maintenance",
                "Maintenance Requirement",
                "Maintenance Score",
                "Maint Req",
            ],
            Field::LifeSupport => &["Life Support", "Life Support?", "Is Life Support"],
            Field::ParentTag => &[
                "Parent Tag",
                "Parent Asset Tag",
                "Parent Asset",
                "Parent",
                "System Tag",
            ],
            Field::Notes => &["Notes", "Comments", "Remarks", "Note"],
            Field::Hostname => &["Hostname", "Host Name", "Computer Name"],
            Field::Ip => &["IP Address", "IP", "IPv4"],
            Field::Mac => &["MAC Address", "MAC"],
            Field::Vlan => &["VLAN", "VLAN ID"],
            Field::OsName => &["OS Name", "OS", "Operating System"],
            Field::OsVersion => &["OS Version", "Operating System Version"],
            Field::Firmware => &[
                "Firmware",
                "Firmware Version",
                "FW Version",
                "Software Version",
            ],
        }
    }
}

impl std::fmt::Display for Field {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// Folds a header to lowercase ASCII letters and digits only, so `Serial #`,
/// `SERIAL_NO.` and ` serial no ` compare by their words. Non-ASCII letters
/// are kept (lowercased) so accented headers still distinguish.
pub fn header_key(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Alias lookup table: folded header → (field, rank within that field's aliases).
fn alias_table() -> &'static HashMap<String, (Field, usize)> {
    static TABLE: std::sync::OnceLock<HashMap<String, (Field, usize)>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut m = HashMap::new();
        for &f in Field::ALL {
            for (rank, a) in f.aliases().iter().enumerate() {
                // A folded alias must belong to one field only; the first
                // listing wins (also checked by a unit test).
                m.entry(header_key(a)).or_insert((f, rank));
            }
        }
        m
    })
}

/// The field a header names by alias, with the alias rank (lower is better).
pub fn field_for_header(header: &str) -> Option<(Field, usize)> {
    alias_table().get(&header_key(header)).copied()
}

/// What an explicit mapping says about one header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MappingTarget {
    Field(Field),
    /// The column must not be read even if its name is an alias
    /// (`Description=ignore` when "Description" is free text).
    Ignore,
}

/// An explicit header → field mapping, for files whose headers no alias
/// covers or where an alias would pick the wrong column. Entries override
/// aliases: a field named here is never filled from another column by alias.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ColumnMapping {
    entries: Vec<(String, MappingTarget)>,
}

impl ColumnMapping {
    pub fn new() -> Self {
        Self::default()
    }

    /// Parses `"Header Name=field,Other=field"`. Field codes are those of
    /// [`Field::code`]; `ignore` (or `-`) skips a column. Headers may not
    /// contain `,` or `=` in this form; use [`ColumnMapping::from_pairs`]
    /// for those.
    pub fn parse(spec: &str) -> Result<Self, ImportError> {
        let mut pairs = Vec::new();
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
            pairs.push((h.trim(), f.trim()));
        }
        Self::from_pairs(pairs)
    }

    /// Builds a mapping from (header, field code) pairs, e.g. from a UI list.
    pub fn from_pairs<H: AsRef<str>, F: AsRef<str>>(
        pairs: impl IntoIterator<Item = (H, F)>,
    ) -> Result<Self, ImportError> {
        let mut m = ColumnMapping::new();
        for (h, f) in pairs {
            let (h, f) = (h.as_ref().trim(), f.as_ref().trim());
            if header_key(h).is_empty() {
                return Err(ImportError::BadMapping {
                    entry: format!("{h}={f}"),
                    reason: "the header name is empty".into(),
                });
            }
            let target = if f == "-" || f.eq_ignore_ascii_case("ignore") {
                MappingTarget::Ignore
            } else {
                MappingTarget::Field(Field::parse(f).ok_or_else(|| ImportError::UnknownField {
                    name: f.to_string(),
                    header: h.to_string(),
                })?)
            };
            m.insert(h, target)?;
        }
        Ok(m)
    }

    /// Adds one entry; builder style for code.
    pub fn map(mut self, header: &str, field: Field) -> Result<Self, ImportError> {
        self.insert(header, MappingTarget::Field(field))?;
        Ok(self)
    }

    /// Marks a column as not to be read.
    pub fn ignore(mut self, header: &str) -> Result<Self, ImportError> {
        self.insert(header, MappingTarget::Ignore)?;
        Ok(self)
    }

    fn insert(&mut self, header: &str, target: MappingTarget) -> Result<(), ImportError> {
        let key = header_key(header);
        if self.entries.iter().any(|(h, _)| header_key(h) == key) {
            return Err(ImportError::BadMapping {
                entry: header.to_string(),
                reason: "this header is mapped twice".into(),
            });
        }
        if let MappingTarget::Field(f) = target
            && let Some((h, _)) = self
                .entries
                .iter()
                .find(|(_, t)| *t == MappingTarget::Field(f))
        {
            return Err(ImportError::BadMapping {
                entry: header.to_string(),
                reason: format!("field {f} is already mapped from '{h}'"),
            });
        }
        self.entries.push((header.to_string(), target));
        Ok(())
    }

    pub fn entries(&self) -> &[(String, MappingTarget)] {
        &self.entries
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn target_for(&self, header: &str) -> Option<MappingTarget> {
        let key = header_key(header);
        self.entries
            .iter()
            .find(|(h, _)| header_key(h) == key)
            .map(|(_, t)| *t)
    }

    fn maps_field(&self, f: Field) -> bool {
        self.entries
            .iter()
            .any(|(_, t)| *t == MappingTarget::Field(f))
    }
}

/// How the columns of one file map to fields.
#[derive(Clone, Debug)]
pub(crate) struct Layout {
    /// The header cells as written (trimmed).
    pub headers: Vec<String>,
    /// Column index for each field, indexed by `Field as usize`.
    pub column: [Option<usize>; Field::ALL.len()],
    /// Columns read by nothing, with the reason, for the report's notes.
    pub unused: Vec<(usize, String)>,
}

impl Layout {
    /// Resolves headers to fields: explicit mapping first, then aliases.
    /// Mapping entries whose header is absent are returned as missing
    /// headers rather than silently dropped.
    pub fn resolve(headers: Vec<String>, mapping: Option<&ColumnMapping>) -> (Layout, Vec<String>) {
        let mut column = [None; Field::ALL.len()];
        let mut rank = [usize::MAX; Field::ALL.len()];
        let mut unused = Vec::new();
        let mut claimed = vec![false; headers.len()];
        if let Some(m) = mapping {
            for (i, h) in headers.iter().enumerate() {
                match m.target_for(h) {
                    Some(MappingTarget::Field(f)) if column[f as usize].is_none() => {
                        column[f as usize] = Some(i);
                        rank[f as usize] = 0;
                        claimed[i] = true;
                    }
                    Some(MappingTarget::Field(f)) => {
                        claimed[i] = true;
                        unused.push((
                            i,
                            format!("mapped to {f}, which an earlier column already fills"),
                        ));
                    }
                    Some(MappingTarget::Ignore) => {
                        claimed[i] = true;
                        unused.push((i, "ignored by the column mapping".into()));
                    }
                    None => {}
                }
            }
        }
        for (i, h) in headers.iter().enumerate() {
            if claimed[i] {
                continue;
            }
            if header_key(h).is_empty() {
                // Unnamed columns (trailing commas, spacer columns) are noise.
                continue;
            }
            match field_for_header(h) {
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
            Layout {
                headers,
                column,
                unused,
            },
            missing_mapped,
        )
    }

    pub fn get(&self, f: Field) -> Option<usize> {
        self.column[f as usize]
    }

    pub fn missing_required(&self) -> Vec<Field> {
        Field::REQUIRED
            .iter()
            .copied()
            .filter(|f| self.get(*f).is_none())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_alias_belongs_to_one_field_only() {
        let mut seen: HashMap<String, Field> = HashMap::new();
        for &f in Field::ALL {
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
        for (i, f) in Field::ALL.iter().enumerate() {
            assert_eq!(*f as usize, i);
            assert_eq!(Field::parse(f.code()), Some(*f));
            assert_eq!(field_for_header(f.export_header()).map(|x| x.0), Some(*f));
        }
    }

    #[test]
    fn headers_match_regardless_of_case_space_and_punctuation() {
        for (h, f) in [
            ("Equipment Control #", Field::Tag),
            ("EQUIPMENT_CONTROL_NO", Field::Tag),
            ("equip #", Field::Tag),
            ("Serial #", Field::Serial),
            ("serial_number", Field::Serial),
            ("S/N", Field::Serial),
            ("MFR", Field::Manufacturer),
            ("Model No.", Field::Model),
            ("Cost Center Name", Field::Department),
            ("Acq. Date", Field::AcquiredOn),
            ("Purchase Price", Field::AcquisitionCost),
            ("UMDNS Code", Field::DeviceTypeCode),
            ("Nomenclature", Field::DeviceTypeName),
            ("Risk Score", Field::EmNumber),
            ("MAC Address", Field::Mac),
        ] {
            assert_eq!(field_for_header(h).map(|x| x.0), Some(f), "{h}");
        }
        assert_eq!(field_for_header("Favourite Colour"), None);
    }

    #[test]
    fn better_alias_wins_over_column_order() {
        let headers = ["Description", "Tag", "Device Type"]
            .map(String::from)
            .to_vec();
        let (layout, _) = Layout::resolve(headers, None);
        assert_eq!(layout.get(Field::DeviceTypeName), Some(2));
        assert_eq!(layout.unused.len(), 1);
        assert_eq!(layout.unused[0].0, 0);
    }

    #[test]
    fn mapping_parses_and_rejects_unknown_fields() {
        let m =
            ColumnMapping::parse("Equip Nbr=tag, Description = ignore,Maker=manufacturer").unwrap();
        assert_eq!(m.entries().len(), 3);
        assert!(matches!(
            ColumnMapping::parse("Equip Nbr=tagg"),
            Err(ImportError::UnknownField { .. })
        ));
        assert!(matches!(
            ColumnMapping::parse("Equip Nbr"),
            Err(ImportError::BadMapping { .. })
        ));
        assert!(matches!(
            ColumnMapping::parse("A=tag,B=tag"),
            Err(ImportError::BadMapping { .. })
        ));
    }
}
