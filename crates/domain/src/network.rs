//! Network profiles of connected devices: addressing, OS and firmware, patch
//! state, and what HTM and IT need to judge exposure.

use crate::ids::AssetId;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

crate::code_enum! {
    /// Whether the manufacturer has validated the OS patch level in use.
    pub enum PatchValidation {
        Validated => "validated",
        Pending => "pending",
        NotValidated => "not_validated",
        /// The manufacturer no longer validates patches for this model.
        Unsupported => "unsupported",
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NetworkProfile {
    pub asset_id: AssetId,
    pub hostname: Option<String>,
    pub ip_address: Option<String>,
    pub mac_address: Option<String>,
    pub vlan: Option<u16>,
    pub segment: Option<String>,
    pub os_name: Option<String>,
    pub os_version: Option<String>,
    pub firmware_version: Option<String>,
    pub patch_level: Option<String>,
    pub last_patched_on: Option<NaiveDate>,
    /// Can IT recover it remotely, or does it need hands on the device
    /// (as hundreds did in the July 2024 endpoint outage)?
    pub remote_recoverable: bool,
    pub stores_phi: bool,
    pub patch_validation: PatchValidation,
}

/// Operating systems past their vendor's end of support. Data, kept short
/// and explicit; the store may extend it.
pub const UNSUPPORTED_OS: &[&str] = &[
    "Windows XP",
    "Windows XP Embedded",
    "Windows 7",
    "Windows 7 Embedded",
    "Windows Embedded Standard 7",
    "Windows Server 2008",
    "Windows Vista",
    "Windows 2000",
    "Windows CE 6.0",
    "Windows 8.1",
];

impl NetworkProfile {
    pub fn os_label(&self) -> Option<String> {
        match (&self.os_name, &self.os_version) {
            (Some(n), Some(v)) if !v.is_empty() => Some(format!("{n} {v}")),
            (Some(n), _) => Some(n.clone()),
            _ => None,
        }
    }

    pub fn is_unsupported_os(&self) -> bool {
        self.patch_validation == PatchValidation::Unsupported
            || self.os_label().is_some_and(|os| {
                UNSUPPORTED_OS.iter().any(|u| {
                    os.eq_ignore_ascii_case(u)
                        || self
                            .os_name
                            .as_deref()
                            .is_some_and(|n| n.eq_ignore_ascii_case(u))
                })
            })
    }
}

/// A MAC address in canonical form `AA:BB:CC:DD:EE:FF`, from the forms
/// exports use (`aa-bb-…`, `aabb.ccdd.eeff`, bare hex).
pub fn normalize_mac(raw: &str) -> Option<String> {
    let hex: String = raw.chars().filter(|c| c.is_ascii_hexdigit()).collect();
    let seps_ok = raw
        .chars()
        .all(|c| c.is_ascii_hexdigit() || matches!(c, ':' | '-' | '.' | ' '));
    if hex.len() != 12 || !seps_ok {
        return None;
    }
    let up = hex.to_ascii_uppercase();
    Some(
        up.as_bytes()
            .chunks(2)
            .map(|c| std::str::from_utf8(c).unwrap_or("00"))
            .collect::<Vec<_>>()
            .join(":"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mac_forms_normalize() {
        assert_eq!(
            normalize_mac("aa-bb-cc-dd-ee-0f").as_deref(),
            Some("AA:BB:CC:DD:EE:0F")
        );
        assert_eq!(
            normalize_mac("aabb.ccdd.ee0f").as_deref(),
            Some("AA:BB:CC:DD:EE:0F")
        );
        assert_eq!(normalize_mac("zz:bb:cc:dd:ee:ff"), None);
        assert_eq!(normalize_mac("aa:bb:cc"), None);
    }

    #[test]
    fn unsupported_os_by_name_or_validation() {
        let mut p = NetworkProfile {
            asset_id: AssetId::new(0, [0; 10]),
            hostname: None,
            ip_address: None,
            mac_address: None,
            vlan: None,
            segment: None,
            os_name: Some("Windows 7".into()),
            os_version: None,
            firmware_version: None,
            patch_level: None,
            last_patched_on: None,
            remote_recoverable: false,
            stores_phi: true,
            patch_validation: PatchValidation::Validated,
        };
        assert!(p.is_unsupported_os());
        p.os_name = Some("Windows 10 IoT".into());
        assert!(!p.is_unsupported_os());
        p.patch_validation = PatchValidation::Unsupported;
        assert!(p.is_unsupported_os());
    }
}
