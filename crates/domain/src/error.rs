//! Rule violations: what a user tried that the rules forbid, in words a
//! technician can act on.

use crate::work_order::WorkOrderStatus;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RuleError {
    #[error("a work order cannot go from {from} to {to}")]
    IllegalTransition {
        from: WorkOrderStatus,
        to: WorkOrderStatus,
    },
    #[error("a work order cannot be completed without a closure code")]
    MissingClosureCode,
    #[error("a work order cannot be completed without the technician's signature")]
    MissingSignature,
    #[error("a preventive-only closure code is for scheduled maintenance, not a {0} work order")]
    ClosureCodeNotAllowed(&'static str),
    #[error("{field} must be between {min} and {max}, got {value}")]
    OutOfRange {
        field: &'static str,
        min: i64,
        max: i64,
        value: i64,
    },
    #[error("{0} must not be empty")]
    Empty(&'static str),
    #[error("{field}: {reason}")]
    Invalid { field: &'static str, reason: String },
}
