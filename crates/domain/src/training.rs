//! In-service training events: which department learned which device type,
//! when, and how many attended. Analytics compare rates before and after.

use crate::ids::{DepartmentId, DeviceTypeId, TrainingEventId};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainingEvent {
    pub id: TrainingEventId,
    pub department_id: DepartmentId,
    pub device_type_id: DeviceTypeId,
    pub held_on: NaiveDate,
    pub topic: String,
    pub trainer: String,
    pub attendees: u32,
}
