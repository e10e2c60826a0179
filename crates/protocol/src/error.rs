//! What can be wrong with data on the wire.

/// A wire value this build cannot accept. Each variant names what was
/// wrong, so a rejected mutation can say why.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProtocolError {
    /// A mutation name or version this build does not know.
    #[error("unsupported mutation {name}@{version}")]
    Unsupported { name: String, version: u16 },
    /// A code (status, kind, closure, ...) that is not one of the known ones.
    #[error("{field}: unknown code '{value}'")]
    BadCode { field: &'static str, value: String },
    /// A payload that does not have the shape its name and version promise.
    #[error("malformed {name}@{version} payload: {detail}")]
    Malformed {
        name: String,
        version: u16,
        detail: String,
    },
    /// A value outside what its field allows (e.g. a risk score off its
    /// scale, a checklist item with the fields of another kind).
    #[error("{field}: {detail}")]
    BadValue { field: &'static str, detail: String },
    /// A pulled record whose body does not fit its kind.
    #[error("malformed {kind} record: {detail}")]
    BadRecord { kind: String, detail: String },
    /// A hybrid logical clock value that is not in its text form.
    #[error("'{0}' is not a hybrid logical clock value")]
    BadHlc(String),
}
