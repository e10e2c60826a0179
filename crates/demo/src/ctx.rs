//! Lookups over a generated [`Dataset`], rebuilt by every stage that needs
//! them. `history` and `planted` receive only the params and the dataset,
//! so everything they need must be derivable from those two.

use crate::names::{self, TYPES, TypeSpec};
use crate::params::DemoParams;
use crate::reference::{EDITION_1999, EDITION_2012, checklist_name, vendor_name};
use crate::util::{mix, stream, unit};
use biomend_domain::asset::{Asset, AssetStatus};
use biomend_domain::dataset::Dataset;
use biomend_domain::ids::*;
use biomend_domain::user::Role;
use chrono::{Months, NaiveDate};
use std::collections::HashMap;

#[derive(Debug)]
pub(crate) struct Ctx<'a> {
    pub data: &'a Dataset,
    pub model_idx: HashMap<ModelId, usize>,
    /// Per model: index into [`TYPES`].
    pub model_spec: Vec<usize>,
    /// Per model: index into `data.manufacturers`.
    pub model_maker: Vec<usize>,
    pub dept_idx: HashMap<DepartmentId, usize>,
    pub dept_site: Vec<usize>,
    /// Per department: the technician (user index) who covers it.
    pub zone_tech: Vec<usize>,
    pub techs_by_site: Vec<Vec<usize>>,
    pub supervisor_of_site: Vec<usize>,
    pub plan_of_model: HashMap<ModelId, usize>,
    /// Per entry of [`TYPES`]: its checklist index.
    pub checklist_of_spec: Vec<Option<usize>>,
    pub part_of: HashMap<String, usize>,
    /// Per manufacturer: its service vendor index.
    pub vendor_of_maker: Vec<usize>,
    pub contract_idx: HashMap<ContractId, usize>,
    pub edition_2012: Option<usize>,
    pub edition_1999: Option<usize>,
}

impl<'a> Ctx<'a> {
    pub fn new(data: &'a Dataset) -> Ctx<'a> {
        let type_spec: HashMap<DeviceTypeId, usize> = data
            .device_types
            .iter()
            .filter_map(|d| {
                TYPES
                    .iter()
                    .position(|t| t.code == d.code)
                    .map(|i| (d.id, i))
            })
            .collect();
        let maker_idx: HashMap<ManufacturerId, usize> = data
            .manufacturers
            .iter()
            .enumerate()
            .map(|(i, m)| (m.id, i))
            .collect();
        let model_idx = data
            .models
            .iter()
            .enumerate()
            .map(|(i, m)| (m.id, i))
            .collect();
        let model_spec = data
            .models
            .iter()
            .map(|m| type_spec.get(&m.device_type_id).copied().unwrap_or(0))
            .collect();
        let model_maker = data
            .models
            .iter()
            .map(|m| maker_idx.get(&m.manufacturer_id).copied().unwrap_or(0))
            .collect();
        let site_idx: HashMap<SiteId, usize> = data
            .sites
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id, i))
            .collect();
        let dept_idx = data
            .departments
            .iter()
            .enumerate()
            .map(|(i, d)| (d.id, i))
            .collect();
        let dept_site: Vec<usize> = data
            .departments
            .iter()
            .map(|d| site_idx.get(&d.site_id).copied().unwrap_or(0))
            .collect();
        let site_of_user = |u: &biomend_domain::user::User| {
            u.sites
                .first()
                .and_then(|s| site_idx.get(s))
                .copied()
                .unwrap_or(0)
        };
        let mut techs_by_site = vec![Vec::new(); data.sites.len().max(1)];
        let mut supervisor_of_site = vec![usize::MAX; data.sites.len().max(1)];
        for (i, u) in data.users.iter().enumerate() {
            match u.role {
                Role::Technician if u.active => techs_by_site[site_of_user(u)].push(i),
                Role::Supervisor if supervisor_of_site[site_of_user(u)] == usize::MAX => {
                    supervisor_of_site[site_of_user(u)] = i
                }
                _ => {}
            }
        }
        let all_techs: Vec<usize> = techs_by_site.iter().flatten().copied().collect();
        let fallback_super = data
            .users
            .iter()
            .position(|u| u.role.can_sign_off())
            .unwrap_or(0);
        for s in supervisor_of_site.iter_mut() {
            if *s == usize::MAX {
                *s = fallback_super;
            }
        }
        for techs in techs_by_site.iter_mut() {
            if techs.is_empty() {
                techs.clone_from(&all_techs);
            }
            if techs.is_empty() {
                techs.push(fallback_super);
            }
        }
        // Each site's departments are dealt round-robin to its technicians.
        let mut rank_in_site = vec![0usize; data.sites.len().max(1)];
        let zone_tech = dept_site
            .iter()
            .map(|&s| {
                let techs = &techs_by_site[s];
                let t = techs[rank_in_site[s] % techs.len()];
                rank_in_site[s] += 1;
                t
            })
            .collect();
        let plan_of_model = data
            .pm_plans
            .iter()
            .enumerate()
            .filter_map(|(i, pl)| pl.model_id.map(|m| (m, i)))
            .collect();
        let checklist_of_spec = TYPES
            .iter()
            .map(|t| {
                data.checklists
                    .iter()
                    .position(|c| c.name == checklist_name(t))
            })
            .collect();
        let part_of = data
            .parts
            .iter()
            .enumerate()
            .map(|(i, p)| (p.part_number.clone(), i))
            .collect();
        let vendor_of_maker = data
            .manufacturers
            .iter()
            .map(|m| {
                data.vendors
                    .iter()
                    .position(|v| v.name == vendor_name(&m.name))
                    .unwrap_or(0)
            })
            .collect();
        let contract_idx = data
            .contracts
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id, i))
            .collect();
        Ctx {
            data,
            model_idx,
            model_spec,
            model_maker,
            dept_idx,
            dept_site,
            zone_tech,
            techs_by_site,
            supervisor_of_site,
            plan_of_model,
            checklist_of_spec,
            part_of,
            vendor_of_maker,
            contract_idx,
            edition_2012: data
                .safety_editions
                .iter()
                .position(|e| e.name == EDITION_2012),
            edition_1999: data
                .safety_editions
                .iter()
                .position(|e| e.name == EDITION_1999),
        }
    }

    pub fn model_of(&self, a: &Asset) -> usize {
        self.model_idx.get(&a.model_id).copied().unwrap_or(0)
    }

    pub fn spec_of(&self, a: &Asset) -> &'static TypeSpec {
        &TYPES[self.model_spec[self.model_of(a)]]
    }

    pub fn maker_name(&self, model: usize) -> &str {
        &self.data.manufacturers[self.model_maker[model]].name
    }

    pub fn is_planted_pump(&self, model: usize) -> bool {
        TYPES[self.model_spec[model]].code == names::PUMP_TYPE_CODE
            && self.maker_name(model) == names::FAILING_PUMP_MAKER
    }

    pub fn is_eos_model(&self, model: usize) -> bool {
        self.data.models[model].name == names::EOS_MODEL
    }

    pub fn dept_of(&self, a: &Asset) -> usize {
        self.dept_idx.get(&a.department_id).copied().unwrap_or(0)
    }
}

/// When a unit entered service and left it. Retirement and disappearance
/// dates are not asset fields, so they are derived from the seed and the
/// asset's position: the inventory and the history agree without storing
/// them.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Life {
    pub start: NaiveDate,
    pub retired_on: Option<NaiveDate>,
    pub missing_since: Option<NaiveDate>,
}

impl Life {
    /// The last day the unit could receive work.
    pub fn end(&self, as_of: NaiveDate) -> NaiveDate {
        self.retired_on.unwrap_or(as_of)
    }
}

pub(crate) fn life(p: &DemoParams, idx: usize, a: &Asset) -> Life {
    let start = a.acquired_on.unwrap_or(p.history_start());
    let h = mix(p.seed, stream::LIFECYCLE, idx as u64);
    let span = |lo: NaiveDate, hi: NaiveDate| {
        let n = (hi - lo).num_days().max(0);
        lo + chrono::Duration::days((unit(h) * n as f64) as i64)
    };
    let retired_on = (a.status == AssetStatus::Retired).then(|| {
        let lo = (start + chrono::Duration::days(365)).max(
            p.history_start()
                .checked_sub_months(Months::new(24))
                .unwrap_or(start),
        );
        let hi = p.as_of - chrono::Duration::days(30);
        span(lo.min(hi), hi).max(start)
    });
    let missing_since = (a.status == AssetStatus::Missing).then(|| {
        let lo = (p.as_of - chrono::Duration::days(240)).max(start + chrono::Duration::days(30));
        span(lo.min(p.as_of), p.as_of - chrono::Duration::days(20)).max(start)
    });
    Life {
        start,
        retired_on,
        missing_since,
    }
}
