//! What a screen holds while it waits for the shell, and how a failure reads.

use biomend_ipc::{IpcError, codes};

/// A screen's data: waiting, there, or failed with the shell's error.
#[derive(Clone, Debug, PartialEq)]
pub enum Load<T> {
    Loading,
    Ready(T),
    Failed(IpcError),
}

impl<T> From<Result<T, IpcError>> for Load<T> {
    fn from(r: Result<T, IpcError>) -> Self {
        match r {
            Ok(v) => Load::Ready(v),
            Err(e) => Load::Failed(e),
        }
    }
}

/// The supervisor's screens need the server; offline they say so plainly
/// instead of showing an error.
pub const NEEDS_CONNECTION: &str = "This needs a connection to the server. It will work again once the tablet is back on the network.";

/// The sentence shown for a failed command.
pub fn error_text(e: &IpcError) -> String {
    match e.code.as_str() {
        codes::OFFLINE => NEEDS_CONNECTION.to_string(),
        _ if e.message.trim().is_empty() => format!("Something went wrong ({}).", e.code),
        _ => e.message.clone(),
    }
}

/// The error means nobody is signed in: the window goes back to sign-in.
pub fn is_signed_out(e: &IpcError) -> bool {
    e.code == codes::NOT_SIGNED_IN
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offline_reads_as_needing_a_connection_and_others_keep_their_message() {
        let off = IpcError::new(codes::OFFLINE, "connection refused (os error 111)");
        assert_eq!(error_text(&off), NEEDS_CONNECTION);
        let nf = IpcError::new(codes::NOT_FOUND, "No asset tagged BME-9");
        assert_eq!(error_text(&nf), "No asset tagged BME-9");
        assert_eq!(
            error_text(&IpcError::new("boom", " ")),
            "Something went wrong (boom)."
        );
        assert!(is_signed_out(&IpcError::new(codes::NOT_SIGNED_IN, "x")));
        assert!(!is_signed_out(&off));
    }
}
