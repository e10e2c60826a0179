//! Reference data: the organization (sites, buildings, departments,
//! rooms), users, the model master (manufacturers, device types, models),
//! safety editions, checklists, PM plans, vendors, contracts and parts.

use crate::names::{self, Area, DeptSpec, Net, TYPES, Tpl, TypeSpec};
use crate::params::DemoParams;
use crate::util::{Gen, day_ms};
use biomend_domain::Money;
use biomend_domain::catalog::{
    DeviceType, Manufacturer, Mds2, Model, NomenclatureSystem, SbomComponent,
};
use biomend_domain::checklist::{
    Checklist, ChecklistItem, ItemKind, Limit, SafetyEdition, SafetyLimit, SafetyTest,
};
use biomend_domain::dataset::Dataset;
use biomend_domain::ids::*;
use biomend_domain::inventory::{Coverage, Part, PartStock, ServiceContract, Vendor};
use biomend_domain::org::{Building, Department, Location, Site};
use biomend_domain::pm::{PmPlan, PmStrategy, ScheduleKind};
use biomend_domain::risk::EmScore;
use biomend_domain::user::{Role, User};
use biomend_domain::work_order::FailureArea;
use chrono::{Months, NaiveDate};

/// Failure areas that consume a stocked part (software fixes need none).
pub(crate) const PART_AREAS: [FailureArea; 5] = [
    FailureArea::Battery,
    FailureArea::PowerSupply,
    FailureArea::Display,
    FailureArea::Mechanical,
    FailureArea::AccessoryCable,
];

pub(crate) fn part_number(spec: &TypeSpec, area: FailureArea) -> String {
    let a = match area {
        FailureArea::Battery => "BAT",
        FailureArea::PowerSupply => "PSU",
        FailureArea::Display => "DSP",
        FailureArea::Mechanical => "MEC",
        FailureArea::AccessoryCable => "CBL",
        FailureArea::Software => "SW",
    };
    format!("{}-{}-01", spec.key, a)
}

/// The checklist a device type's PM and acceptance use, by name.
pub(crate) fn checklist_name(spec: &TypeSpec) -> String {
    format!("{} {} inspection", spec.code, spec.name)
}

pub(crate) fn vendor_name(maker: &str) -> String {
    format!("{maker} Service")
}

pub(crate) const EDITION_2012: &str = "NFPA 99-2012";
pub(crate) const EDITION_1999: &str = "NFPA 99-1999";

/// The CMS adoption date of NFPA 99-2012; readings before it use 1999.
pub(crate) fn edition_in_force(day: NaiveDate) -> &'static str {
    if day >= NaiveDate::from_ymd_opt(2016, 7, 5).unwrap_or(day) {
        EDITION_2012
    } else {
        EDITION_1999
    }
}

pub(crate) fn dept_specs(p: &DemoParams, site: usize) -> Vec<DeptSpec> {
    let base = if site == 0 {
        names::MAIN_DEPTS
    } else {
        names::OTHER_DEPTS
    };
    (0..usize::from(p.departments_per_site))
        .map(|i| match base.get(i) {
            Some(d) => *d,
            // Past the template list: more outpatient clinics.
            None => DeptSpec {
                name: "Outpatient Clinic",
                area: Area::Clinic,
                floor: 1 + (i % 4) as u8,
                rooms: 6,
                building: 1,
            },
        })
        .collect()
}

pub(crate) fn dept_name(spec: &DeptSpec, site: usize, i: usize) -> String {
    let base = if site == 0 {
        names::MAIN_DEPTS
    } else {
        names::OTHER_DEPTS
    };
    if i < base.len() {
        spec.name.to_string()
    } else {
        format!("{} {}", spec.name, i + 1 - base.len())
    }
}

pub(crate) fn build(p: &DemoParams, g: &mut Gen) -> Dataset {
    let mut data = Dataset::default();
    // Reference records are "created" when the program was set up, before
    // the history starts, so their ids sort first.
    let setup = p
        .history_start()
        .checked_sub_months(Months::new(1))
        .unwrap_or(p.history_start());
    let t0 = day_ms(setup);
    org(p, g, t0, &mut data);
    users(p, g, t0, &mut data);
    catalog(p, g, t0, &mut data);
    safety_and_checklists(g, t0, &mut data);
    plans(g, t0, &mut data);
    vendors_contracts_parts(p, g, t0, &mut data);
    data
}

fn org(p: &DemoParams, g: &mut Gen, t0: u64, data: &mut Dataset) {
    for s in 0..usize::from(p.sites.max(1)) {
        let (code, label) = match s {
            0 => ("MAIN".to_string(), "Main Campus".to_string()),
            1 => ("NORTH".to_string(), "North Campus".to_string()),
            n => (format!("C{}", n + 1), format!("Campus {}", n + 1)),
        };
        let site = Site {
            id: SiteId::new(t0, g.bytes()),
            code: code.clone(),
            name: format!("{} {}", p.name, label),
        };
        let bnames = if s == 0 {
            vec![
                "Main Tower".to_string(),
                "Heart & Imaging Pavilion".to_string(),
            ]
        } else {
            vec![
                format!("{code} Hospital"),
                format!("{code} Outpatient Center"),
            ]
        };
        let buildings: Vec<Building> = bnames
            .into_iter()
            .map(|name| Building {
                id: BuildingId::new(t0, g.bytes()),
                site_id: site.id,
                name,
            })
            .collect();
        // Rooms are numbered per floor of a building, so departments that
        // share a floor never get the same room number.
        let mut next_room: std::collections::HashMap<(usize, String), usize> = Default::default();
        for (i, spec) in dept_specs(p, s).iter().enumerate() {
            let dept = Department {
                id: DepartmentId::new(t0, g.bytes()),
                site_id: site.id,
                name: dept_name(spec, s, i),
                short_name: names::dept_short_name(spec.name).map(str::to_string),
                cost_center: Some(format!("CC-{}{:03}", s + 1, 100 + i * 10)),
            };
            let bi = spec.building.min(buildings.len() - 1);
            let building = &buildings[bi];
            let floor = if spec.floor == 0 {
                "B".to_string()
            } else {
                spec.floor.to_string()
            };
            let next = next_room.entry((bi, floor.clone())).or_insert(100);
            let base = *next;
            *next += usize::from(spec.rooms) + 10;
            for r in 0..usize::from(spec.rooms) {
                data.locations.push(Location {
                    id: LocationId::new(t0, g.bytes()),
                    building_id: building.id,
                    floor: floor.clone(),
                    room: format!("{floor}.{:03}", base + r + 1),
                    department_id: Some(dept.id),
                });
            }
            data.locations.push(Location {
                id: LocationId::new(t0, g.bytes()),
                building_id: building.id,
                floor: floor.clone(),
                room: format!("{floor}.{:03}E", base),
                department_id: Some(dept.id),
            });
            data.departments.push(dept);
        }
        data.buildings.extend(buildings);
        data.sites.push(site);
    }
}

fn users(p: &DemoParams, g: &mut Gen, t0: u64, data: &mut Dataset) {
    let sites: Vec<SiteId> = data.sites.iter().map(|s| s.id).collect();
    let n = usize::from(p.technicians.max(1));
    for i in 0..n {
        let base = names::TECH_NAMES[i % names::TECH_NAMES.len()];
        let display = if i < names::TECH_NAMES.len() {
            base.to_string()
        } else {
            format!("{base} {}", i / names::TECH_NAMES.len() + 1)
        };
        data.users.push(User {
            id: UserId::new(t0, g.bytes()),
            username: if i == 0 {
                "demo.tech".into()
            } else {
                format!("tech{i:02}")
            },
            display_name: display,
            role: Role::Technician,
            sites: vec![sites[i % sites.len()]],
            active: true,
            loaded_rate_cents: Some(g.int(52, 74) * 100),
        });
    }
    for (s, site) in sites.iter().enumerate() {
        data.users.push(User {
            id: UserId::new(t0, g.bytes()),
            username: if s == 0 {
                "demo.super".into()
            } else {
                format!("super{:02}", s + 1)
            },
            display_name: ["Renee Castillo", "Frank Obi", "Joan Pike", "Ali Haddad"][s % 4].into(),
            role: Role::Supervisor,
            sites: vec![*site],
            active: true,
            loaded_rate_cents: Some(8_200),
        });
    }
    for (username, name, role, rate) in [
        ("demo.manager", "Diane Marsh", Role::Manager, Some(9_800)),
        ("demo.admin", "Chris Young", Role::Admin, None),
        ("demo.itsec", "Nadia Volkova", Role::ItSecurity, None),
    ] {
        data.users.push(User {
            id: UserId::new(t0, g.bytes()),
            username: username.into(),
            display_name: name.into(),
            role,
            sites: sites.clone(),
            active: true,
            loaded_rate_cents: rate,
        });
    }
    // A technician who left keeps their history but cannot sign in.
    data.users.push(User {
        id: UserId::new(t0, g.bytes()),
        username: "former.tech".into(),
        display_name: "Walter Grimes".into(),
        role: Role::Technician,
        sites: vec![sites[0]],
        active: false,
        loaded_rate_cents: Some(6_000),
    });
}

/// End of support for a model, relative to "today"; the planted model is
/// three years past, the legacy ultrasound two.
fn end_of_support(p: &DemoParams, model: &str) -> Option<NaiveDate> {
    let back = |m: u32| p.as_of.checked_sub_months(Months::new(m));
    let ahead = |m: u32| p.as_of.checked_add_months(Months::new(m));
    match model {
        names::EOS_MODEL => back(36),
        names::LEGACY_US_MODEL => back(24),
        "Zephyr 840" => back(14),
        "Renalis 4008" => ahead(10),
        "Novia LX" => ahead(30),
        _ => None,
    }
}

fn catalog(p: &DemoParams, g: &mut Gen, t0: u64, data: &mut Dataset) {
    for spec in TYPES {
        for (maker, _) in spec.makers {
            if !data.manufacturers.iter().any(|m| m.name == *maker) {
                data.manufacturers.push(Manufacturer {
                    id: ManufacturerId::new(t0, g.bytes()),
                    name: (*maker).into(),
                });
            }
        }
    }
    for spec in TYPES {
        let (f, r, m) = spec.em;
        let dt = DeviceType {
            id: DeviceTypeId::new(t0, g.bytes()),
            system: NomenclatureSystem::Umdns,
            code: spec.code.into(),
            name: spec.name.into(),
            life_support: spec.life_support,
            aem_exclusion: spec.aem_exclusion,
            default_risk: EmScore::new(f, r, m, 0).unwrap_or(EmScore {
                function: 2,
                physical_risk: 1,
                maintenance: 1,
                incident_history: 0,
            }),
            expected_life_years: spec.life_years,
        };
        for (maker, models) in spec.makers {
            let maker_id = data
                .manufacturers
                .iter()
                .find(|x| x.name == *maker)
                .map(|x| x.id)
                .unwrap_or(data.manufacturers[0].id);
            for name in *models {
                let mid = (spec.cost.0 + spec.cost.1) / 2;
                let legacy = *name == names::EOS_MODEL || *name == names::LEGACY_US_MODEL;
                let networked = spec.net != Net::None;
                let mds2 = networked.then(|| Mds2 {
                    document_ref: format!(
                        "MDS2-{}-{}",
                        maker.replace(' ', ""),
                        name.replace(' ', "")
                    ),
                    revision_date: p.as_of.checked_sub_months(Months::new(g.int(6, 60) as u32)),
                    stores_phi: Some(
                        spec.net == Net::Windows || spec.key == "MON" || spec.key == "CEN",
                    ),
                    transmits_phi: Some(true),
                    supports_encryption_at_rest: Some(!legacy && g.chance(0.7)),
                    supports_remote_service: Some(spec.net == Net::Windows),
                    malware_protection: Some(spec.net == Net::Windows && !legacy),
                });
                let sbom = if !networked {
                    Vec::new()
                } else if legacy {
                    sbom_of(&[
                        ("Microsoft Windows Embedded", "XP SP3"),
                        ("openssl", "0.9.8zh"),
                        ("Microsoft .NET Framework", "2.0"),
                    ])
                } else if spec.net == Net::Windows {
                    sbom_of(&[
                        ("Microsoft Windows 10 IoT Enterprise", "LTSC 2019"),
                        ("openssl", "3.0.13"),
                        ("Microsoft .NET Framework", "4.8"),
                    ])
                } else {
                    sbom_of(&[
                        ("linux-kernel", "5.10.180"),
                        ("busybox", "1.36.1"),
                        ("openssl", "3.0.13"),
                        ("zlib", "1.3"),
                    ])
                };
                data.models.push(Model {
                    id: ModelId::new(t0, g.bytes()),
                    manufacturer_id: maker_id,
                    device_type_id: dt.id,
                    name: (*name).into(),
                    expected_life_years: legacy.then_some(spec.life_years.saturating_sub(1).max(1)),
                    end_of_support: end_of_support(p, name),
                    replacement_cost: Some(Money::from_cents(mid * 100)),
                    mds2,
                    sbom,
                });
            }
        }
        data.device_types.push(dt);
    }
}

fn sbom_of(items: &[(&str, &str)]) -> Vec<SbomComponent> {
    items
        .iter()
        .map(|(n, v)| SbomComponent {
            name: (*n).into(),
            version: (*v).into(),
            purl: Some(format!(
                "pkg:generic/{}@{}",
                n.to_lowercase().replace(' ', "-"),
                v.replace(' ', "-")
            )),
        })
        .collect()
}

fn safety_and_checklists(g: &mut Gen, t0: u64, data: &mut Dataset) {
    let ua = |test, max: f64| SafetyLimit {
        test,
        limit: Limit::at_most(max),
        unit: "µA".into(),
    };
    data.safety_editions.push(SafetyEdition {
        id: SafetyEditionId::new(t0, g.bytes()),
        name: EDITION_2012.into(),
        limits: vec![
            ua(SafetyTest::TouchCurrentGroundIntact, 100.0),
            ua(SafetyTest::TouchCurrentGroundOpen, 500.0),
        ],
    });
    data.safety_editions.push(SafetyEdition {
        id: SafetyEditionId::new(t0, g.bytes()),
        name: EDITION_1999.into(),
        limits: vec![
            SafetyLimit {
                test: SafetyTest::GroundResistance,
                limit: Limit::at_most(0.5),
                unit: "Ω".into(),
            },
            // The older edition's chassis leakage limit.
            ua(SafetyTest::TouchCurrentGroundIntact, 300.0),
        ],
    });
    for spec in TYPES {
        data.checklists.push(Checklist {
            id: ChecklistId::new(t0, g.bytes()),
            name: checklist_name(spec),
            items: checklist_items(spec.tpl),
        });
    }
}

fn pf(key: &str, prompt: &str) -> ChecklistItem {
    ChecklistItem {
        key: key.into(),
        prompt: prompt.into(),
        kind: ItemKind::PassFail,
    }
}

fn meas(key: &str, prompt: &str, unit: &str, limit: Limit) -> ChecklistItem {
    ChecklistItem {
        key: key.into(),
        prompt: prompt.into(),
        kind: ItemKind::Measurement {
            unit: unit.into(),
            limit,
        },
    }
}

fn safety(key: &str, prompt: &str, test: SafetyTest) -> ChecklistItem {
    ChecklistItem {
        key: key.into(),
        prompt: prompt.into(),
        kind: ItemKind::Safety { test },
    }
}

fn checklist_items(tpl: Tpl) -> Vec<ChecklistItem> {
    let mut v = vec![pf("physical", "Housing, mounts and labels intact")];
    let electrical = !matches!(tpl, Tpl::Basic | Tpl::Oximetry | Tpl::Imaging | Tpl::Xray);
    if electrical {
        v.push(pf("cord", "Power cord, plug and strain relief intact"));
        v.push(safety(
            "ground_resistance",
            "Ground resistance",
            SafetyTest::GroundResistance,
        ));
        v.push(safety(
            "touch_intact",
            "Touch current, ground intact",
            SafetyTest::TouchCurrentGroundIntact,
        ));
        v.push(safety(
            "touch_open",
            "Touch current, ground open",
            SafetyTest::TouchCurrentGroundOpen,
        ));
    }
    match tpl {
        Tpl::Infusion => {
            v.push(meas(
                "flow_accuracy",
                "Flow accuracy at 100 mL/h",
                "%",
                Limit::between(-5.0, 5.0),
            ));
            v.push(meas(
                "occlusion_pressure",
                "Downstream occlusion alarm pressure",
                "psi",
                Limit::between(6.0, 15.0),
            ));
            v.push(pf("battery", "Runs on battery, charge indicator correct"));
            v.push(pf("alarms", "Air-in-line and door-open alarms"));
        }
        Tpl::Monitor => {
            v.push(meas(
                "nibp_static",
                "NIBP static pressure error at 150 mmHg",
                "mmHg",
                Limit::between(-3.0, 3.0),
            ));
            v.push(meas(
                "ecg_rate",
                "ECG heart rate at 80 bpm simulated",
                "bpm",
                Limit::between(78.0, 82.0),
            ));
            v.push(meas(
                "spo2_error",
                "SpO2 error at 97% simulated",
                "%",
                Limit::between(-2.0, 2.0),
            ));
            v.push(pf("alarms", "Alarms audible and visible"));
        }
        Tpl::Oximetry => {
            v.push(meas(
                "spo2_error",
                "SpO2 error at 97% simulated",
                "%",
                Limit::between(-2.0, 2.0),
            ));
            v.push(pf("alarms", "Alarms audible and visible"));
        }
        Tpl::Defib => {
            v.push(meas(
                "energy_200",
                "Energy delivered at 200 J setting",
                "J",
                Limit::between(170.0, 230.0),
            ));
            v.push(meas(
                "charge_time",
                "Charge time to maximum energy",
                "s",
                Limit::at_most(10.0),
            ));
            v.push(pf(
                "sync",
                "Synchronized cardioversion discharges on R-wave",
            ));
            v.push(pf("pads", "Pads, paddles and therapy cable intact"));
        }
        Tpl::Vent => {
            v.push(meas(
                "tidal_volume",
                "Tidal volume error at 500 mL",
                "%",
                Limit::between(-10.0, 10.0),
            ));
            v.push(meas(
                "fio2",
                "FiO2 error at 50%",
                "%",
                Limit::between(-3.0, 3.0),
            ));
            v.push(meas(
                "peep",
                "PEEP at 5 cmH2O setting",
                "cmH2O",
                Limit::between(4.0, 6.0),
            ));
            v.push(pf("alarms", "Disconnect and high-pressure alarms"));
        }
        Tpl::Anesthesia => {
            v.push(meas(
                "leak",
                "Low-pressure system leak",
                "mL/min",
                Limit::at_most(150.0),
            ));
            v.push(meas(
                "o2_cell",
                "O2 sensor reading in room air",
                "%",
                Limit::between(19.0, 23.0),
            ));
            v.push(pf("scavenging", "Scavenging system functional"));
            v.push(pf("alarms", "Low O2 and apnea alarms"));
        }
        Tpl::Esu => {
            v.push(meas(
                "output_power",
                "Output power error at 50 W into 300 Ω",
                "%",
                Limit::between(-20.0, 20.0),
            ));
            v.push(meas(
                "hf_leakage",
                "HF leakage current",
                "mA",
                Limit::at_most(150.0),
            ));
            v.push(pf("rem", "Return electrode monitor alarm"));
        }
        Tpl::Xray => {
            v.push(meas(
                "kvp_error",
                "kVp error at 80 kVp",
                "%",
                Limit::between(-5.0, 5.0),
            ));
            v.push(pf("interlocks", "Emergency stop and interlocks"));
            v.push(pf("vendor_report", "Vendor PM report reviewed and filed"));
        }
        Tpl::Imaging => {
            v.push(pf("interlocks", "Emergency stop and interlocks"));
            v.push(pf("vendor_report", "Vendor PM report reviewed and filed"));
        }
        Tpl::General => {
            v.push(pf("function", "Performs to manufacturer specification"));
            v.push(pf("alarms", "Alarms and indicators"));
        }
        Tpl::Basic => v.push(pf("function", "Performs to manufacturer specification")),
    }
    v
}

fn plans(g: &mut Gen, t0: u64, data: &mut Dataset) {
    for model in &data.models {
        let Some(spec_i) = data
            .device_types
            .iter()
            .position(|d| d.id == model.device_type_id)
        else {
            continue;
        };
        let spec = &TYPES[spec_i];
        if spec.pm_months == 0 {
            continue;
        }
        // AEM never applies to imaging or lasers (CMS, December 2013).
        let aem = spec.aem_ok && spec.aem_exclusion.is_none() && !spec.life_support;
        let interval = if aem { 12 } else { spec.pm_months };
        let fixed = spec.life_support || spec.aem_exclusion.is_some() || g.chance(0.4);
        data.pm_plans.push(PmPlan {
            id: PmPlanId::new(t0, g.bytes()),
            name: format!(
                "{} {}-month {}",
                model.name,
                interval,
                if aem { "AEM PM" } else { "PM" }
            ),
            model_id: Some(model.id),
            device_type_id: Some(model.device_type_id),
            interval_months: interval,
            schedule: if fixed {
                ScheduleKind::Fixed
            } else {
                ScheduleKind::Floating
            },
            strategy: if aem {
                PmStrategy::Aem
            } else {
                PmStrategy::Manufacturer
            },
            aem_evidence: aem.then(|| {
                format!(
                    "Risk assessment reviewed by the EC committee: manufacturer interval 6 months; \
                     {} months of history on this model with no PM-related failures; \
                     interval set to 12 months under the AEM program, reverts on any PM-related failure.",
                    g.int(30, 60)
                )
            }),
            checklist_id: data
                .checklists
                .iter()
                .find(|c| c.name == checklist_name(spec))
                .map(|c| c.id),
            estimated_minutes: spec.pm_minutes,
        });
    }
}

/// Which device types are covered by service contracts, how, and for
/// what share of their units.
pub(crate) fn contract_terms(spec: &TypeSpec) -> Option<(Coverage, f64)> {
    if spec.aem_exclusion.is_some() {
        return Some((Coverage::FullService, 0.9));
    }
    match spec.key {
        "HDU" => Some((Coverage::PmOnly, 1.0)),
        "ANE" => Some((Coverage::PmOnly, 0.5)),
        "VNT" => Some((Coverage::PartsOnly, 0.4)),
        "ECM" => Some((Coverage::FullService, 1.0)),
        _ => None,
    }
}

fn vendors_contracts_parts(p: &DemoParams, g: &mut Gen, t0: u64, data: &mut Dataset) {
    for (i, m) in data.manufacturers.iter().enumerate() {
        let slug: String = m
            .name
            .to_lowercase()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect();
        data.vendors.push(Vendor {
            id: VendorId::new(t0, g.bytes()),
            name: vendor_name(&m.name),
            phone: Some(format!("+1-800-555-{:04}", 100 + i * 7)),
            email: Some(format!("service@{slug}.example")),
            account: Some(format!("ACCT-{:05}", 10_000 + i * 137)),
        });
    }
    for (name, phone) in [
        ("TriState Biomedical Services", "+1-610-555-0199"),
        ("Keystone Imaging Solutions", "+1-717-555-0142"),
    ] {
        data.vendors.push(Vendor {
            id: VendorId::new(t0, g.bytes()),
            name: name.into(),
            phone: Some(phone.into()),
            email: None,
            account: None,
        });
    }
    let mut n = 0;
    for model in &data.models {
        let Some(spec_i) = data
            .device_types
            .iter()
            .position(|d| d.id == model.device_type_id)
        else {
            continue;
        };
        let spec = &TYPES[spec_i];
        let Some((coverage, _)) = contract_terms(spec) else {
            continue;
        };
        let maker = data
            .manufacturers
            .iter()
            .find(|m| m.id == model.manufacturer_id)
            .map(|m| m.name.clone())
            .unwrap_or_default();
        let vendor = data
            .vendors
            .iter()
            .find(|v| v.name == vendor_name(&maker))
            .map(|v| v.id)
            .unwrap_or(data.vendors[0].id);
        let starts = p
            .as_of
            .checked_sub_months(Months::new(g.int(6, 30) as u32))
            .unwrap_or(p.as_of);
        let ends = starts.checked_add_months(Months::new(36)).unwrap_or(starts);
        n += 1;
        data.contracts.push(ServiceContract {
            id: ContractId::new(t0, g.bytes()),
            vendor_id: vendor,
            number: format!("SC-{}-{:04}", starts.format("%Y"), n),
            coverage,
            starts_on: starts,
            ends_on: ends,
            // Set from the covered units once the inventory exists.
            annual_cost: Money::ZERO,
            hours_cap: (coverage == Coverage::PmOnly).then_some(120),
            cost_cap: None,
            uptime_guarantee_pct: (coverage == Coverage::FullService).then_some(
                if spec.key == "CT" || spec.key == "MRI" {
                    97.0
                } else {
                    95.0
                },
            ),
        });
    }
    for spec in TYPES {
        let avg = (spec.cost.0 + spec.cost.1) / 2;
        for area in PART_AREAS {
            let (what, share, floor, cap) = match area {
                FailureArea::Battery => ("Battery pack", 0.03, 45, 1_500),
                FailureArea::PowerSupply => ("Power supply board", 0.06, 90, 6_000),
                FailureArea::Display => ("Display assembly", 0.08, 120, 9_000),
                FailureArea::Mechanical => (
                    "Mechanical assembly (latch, hinge, caster)",
                    0.04,
                    35,
                    4_000,
                ),
                _ => ("Patient cable / lead set", 0.02, 25, 900),
            };
            let dollars = ((avg as f64 * share) as i64).clamp(floor, cap);
            data.parts.push(Part {
                id: PartId::new(t0, g.bytes()),
                part_number: part_number(spec, area),
                description: format!("{what}, {}", spec.name),
                manufacturer: Some(spec.makers[0].0.into()),
                unit_cost: Money::from_cents(dollars * 100 + g.int(0, 99)),
            });
        }
    }
    for site in &data.sites {
        for (i, part) in data.parts.iter().enumerate() {
            data.part_stock.push(PartStock {
                part_id: part.id,
                site_id: site.id,
                on_hand: g.int(0, 12),
                reorder_point: g.int(1, 4),
                bin: format!(
                    "{}-{:02}-{}",
                    ["A", "B", "C", "D"][i % 4],
                    1 + i / 20,
                    1 + i % 5
                ),
            });
        }
    }
}
