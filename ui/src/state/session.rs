//! Who is signed in, and the sign-in form.
//!
//! The flow: `Checking` (asking the shell for the session) → `SignedOut`
//! with the form prefilled from the tablet's last sign-in → `Submitting` →
//! `SignedIn`, or back to `SignedOut` with a message that says what to do.

use biomend_ipc::{IpcError, Session, SessionState, SignIn, codes};
use std::rc::Rc;

#[derive(Clone, Debug, PartialEq)]
pub enum Phase {
    Checking,
    SignedOut,
    Submitting,
    SignedIn(Rc<Session>),
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SignInForm {
    pub server_url: String,
    pub username: String,
    pub password: String,
    pub error: Option<String>,
    /// The last user who signed in on this tablet, who may sign in offline.
    pub last_username: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SessionModel {
    pub phase: Phase,
    pub form: SignInForm,
}

impl Default for SessionModel {
    fn default() -> Self {
        SessionModel {
            phase: Phase::Checking,
            form: SignInForm::default(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    ServerUrl,
    Username,
    Password,
}

#[derive(Clone, Debug, PartialEq)]
pub enum SessionAction {
    /// The shell's answer to `session`.
    Loaded(Result<SessionState, IpcError>),
    Edit(Field, String),
    /// The form was checked and sent.
    Submitting,
    /// The form failed its own check before anything was sent.
    Invalid(String),
    /// The shell's answer to `sign_in`.
    SignedIn(Result<Session, IpcError>),
    /// Signed out, or a command said nobody is signed in.
    SignedOut,
}

impl SessionModel {
    pub fn reduce(mut self, action: SessionAction) -> SessionModel {
        match action {
            SessionAction::Loaded(Ok(state)) => {
                if let Some(url) = state.server_url {
                    self.form.server_url = url;
                }
                if let Some(user) = state.last_username {
                    self.form.username = user.clone();
                    self.form.last_username = Some(user);
                }
                self.phase = match state.session {
                    Some(s) => Phase::SignedIn(Rc::new(s)),
                    None => Phase::SignedOut,
                };
            }
            SessionAction::Loaded(Err(e)) => {
                self.phase = Phase::SignedOut;
                self.form.error = Some(e.message);
            }
            SessionAction::Edit(field, value) => {
                match field {
                    Field::ServerUrl => self.form.server_url = value,
                    Field::Username => self.form.username = value,
                    Field::Password => self.form.password = value,
                }
                self.form.error = None;
            }
            SessionAction::Submitting => {
                self.phase = Phase::Submitting;
                self.form.error = None;
            }
            SessionAction::Invalid(msg) => {
                self.phase = Phase::SignedOut;
                self.form.error = Some(msg);
            }
            SessionAction::SignedIn(Ok(s)) => {
                self.form.password.clear();
                self.form.error = None;
                self.form.last_username = Some(s.username.clone());
                self.form.server_url = s.server_url.clone();
                self.phase = Phase::SignedIn(Rc::new(s));
            }
            SessionAction::SignedIn(Err(e)) => {
                self.form.password.clear();
                self.form.error = Some(sign_in_error(&e, &self.form));
                self.phase = Phase::SignedOut;
            }
            SessionAction::SignedOut => {
                if let Phase::SignedIn(s) = &self.phase {
                    self.form.username = s.username.clone();
                }
                self.form.password.clear();
                self.phase = Phase::SignedOut;
            }
        }
        self
    }

    /// What to send for the form as typed, or why it cannot be sent.
    pub fn sign_in_args(&self) -> Result<SignIn, String> {
        let f = &self.form;
        let server_url = f.server_url.trim();
        let username = f.username.trim();
        if server_url.is_empty() {
            return Err("Enter the server address, e.g. https://biomend.hospital.org".into());
        }
        if username.is_empty() {
            return Err("Enter your username.".into());
        }
        if f.password.is_empty() {
            return Err("Enter your password.".into());
        }
        Ok(SignIn {
            server_url: server_url.to_string(),
            username: username.to_string(),
            password: f.password.clone(),
        })
    }

    /// The line under the form about working offline.
    pub fn offline_hint(&self) -> String {
        match &self.form.last_username {
            Some(u) => format!(
                "Works offline: {u} has signed in on this tablet before and can sign in without a connection."
            ),
            None => "The first sign-in on this tablet needs a connection to the server; after that it works offline.".into(),
        }
    }

    pub fn session(&self) -> Option<&Rc<Session>> {
        match &self.phase {
            Phase::SignedIn(s) => Some(s),
            _ => None,
        }
    }
}

/// A failed sign-in in words that say what to do next.
pub fn sign_in_error(e: &IpcError, form: &SignInForm) -> String {
    match e.code.as_str() {
        codes::WRONG_PASSWORD => "Wrong username or password.".into(),
        codes::OFFLINE => {
            let known = form
                .last_username
                .as_deref()
                .is_some_and(|u| u.eq_ignore_ascii_case(form.username.trim()));
            if known {
                format!("Can't reach the server: {}", e.message)
            } else {
                format!(
                    "Can't reach the server at {}. The first sign-in on this tablet needs a connection; after that you can sign in offline.",
                    form.server_url.trim()
                )
            }
        }
        _ => e.message.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use biomend_domain::user::Role;

    fn session(name: &str) -> Session {
        Session {
            username: name.into(),
            display_name: "Dana Tech".into(),
            role: Role::Technician,
            sites: vec!["MAIN".into()],
            server_url: "https://biomend.example".into(),
            offline: false,
            supervises: false,
            sees_kpis: false,
            sees_reports: false,
        }
    }

    fn signed_out() -> SessionModel {
        SessionModel::default().reduce(SessionAction::Loaded(Ok(SessionState {
            session: None,
            server_url: Some("https://biomend.example".into()),
            last_username: Some("dana".into()),
        })))
    }

    #[test]
    fn a_tablet_with_a_past_sign_in_prefills_the_form_and_says_it_works_offline() {
        let m = signed_out();
        assert_eq!(m.phase, Phase::SignedOut);
        assert_eq!(m.form.server_url, "https://biomend.example");
        assert_eq!(m.form.username, "dana");
        assert!(m.offline_hint().contains("dana"));
        assert!(m.offline_hint().contains("without a connection"));
        let fresh = SessionModel::default().reduce(SessionAction::Loaded(Ok(SessionState {
            session: None,
            server_url: None,
            last_username: None,
        })));
        assert!(fresh.offline_hint().contains("first sign-in"));
        assert_eq!(fresh.form.server_url, "");
    }

    #[test]
    fn an_existing_session_skips_the_form() {
        let m = SessionModel::default().reduce(SessionAction::Loaded(Ok(SessionState {
            session: Some(session("dana")),
            server_url: None,
            last_username: None,
        })));
        assert_eq!(m.session().map(|s| s.username.as_str()), Some("dana"));
    }

    #[test]
    fn the_form_names_what_is_missing_before_sending() {
        let mut m = signed_out();
        assert_eq!(m.sign_in_args(), Err("Enter your password.".into()));
        m = m.reduce(SessionAction::Edit(Field::Username, "  ".into()));
        assert_eq!(m.sign_in_args(), Err("Enter your username.".into()));
        m = m.reduce(SessionAction::Edit(Field::ServerUrl, "".into()));
        assert!(m.sign_in_args().unwrap_err().contains("server address"));
        m = m
            .reduce(SessionAction::Edit(
                Field::ServerUrl,
                " https://b.example ".into(),
            ))
            .reduce(SessionAction::Edit(Field::Username, " dana ".into()))
            .reduce(SessionAction::Edit(Field::Password, "pw".into()));
        let args = m.sign_in_args().unwrap();
        assert_eq!(args.server_url, "https://b.example");
        assert_eq!(args.username, "dana");
        assert_eq!(args.password, "pw");
    }

    #[test]
    fn a_wrong_password_clears_the_password_and_says_so() {
        let m = signed_out()
            .reduce(SessionAction::Edit(Field::Password, "bad".into()))
            .reduce(SessionAction::Submitting);
        assert_eq!(m.phase, Phase::Submitting);
        let m = m.reduce(SessionAction::SignedIn(Err(IpcError::new(
            codes::WRONG_PASSWORD,
            "no",
        ))));
        assert_eq!(m.phase, Phase::SignedOut);
        assert_eq!(m.form.password, "");
        assert_eq!(m.form.error.as_deref(), Some("Wrong username or password."));
        // Typing again clears the message.
        let m = m.reduce(SessionAction::Edit(Field::Password, "x".into()));
        assert_eq!(m.form.error, None);
    }

    #[test]
    fn offline_first_sign_in_explains_the_connection_is_needed_once() {
        let m = signed_out()
            .reduce(SessionAction::Edit(Field::Username, "newtech".into()))
            .reduce(SessionAction::SignedIn(Err(IpcError::new(
                codes::OFFLINE,
                "timed out",
            ))));
        let err = m.form.error.unwrap();
        assert!(err.contains("first sign-in on this tablet needs a connection"));
        assert!(err.contains("https://biomend.example"));
    }

    #[test]
    fn signing_in_then_out_keeps_the_username_and_drops_the_password() {
        let m = signed_out()
            .reduce(SessionAction::Edit(Field::Password, "pw".into()))
            .reduce(SessionAction::Submitting)
            .reduce(SessionAction::SignedIn(Ok(session("dana"))));
        assert!(m.session().is_some());
        assert_eq!(m.form.password, "");
        let m = m.reduce(SessionAction::SignedOut);
        assert_eq!(m.phase, Phase::SignedOut);
        assert_eq!(m.form.username, "dana");
        assert_eq!(m.form.last_username.as_deref(), Some("dana"));
    }
}
