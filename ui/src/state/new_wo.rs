//! A new corrective work order in a few taps.

use biomend_domain::work_order::Priority;
use biomend_ipc::NewCorrective;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewWoForm {
    pub problem: String,
    pub reported_by: String,
    pub priority: Priority,
    pub device_down: bool,
    pub error: Option<String>,
    pub sending: bool,
}

impl Default for NewWoForm {
    fn default() -> Self {
        NewWoForm {
            problem: String::new(),
            reported_by: String::new(),
            priority: Priority::Routine,
            device_down: false,
            error: None,
            sending: false,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NewWoAction {
    Problem(String),
    ReportedBy(String),
    Priority(Priority),
    DeviceDown(bool),
    Invalid(String),
    Sending,
    Failed(String),
}

impl NewWoForm {
    pub fn reduce(mut self, a: NewWoAction) -> Self {
        match a {
            NewWoAction::Problem(s) => {
                self.problem = s;
                self.error = None;
            }
            NewWoAction::ReportedBy(s) => self.reported_by = s,
            NewWoAction::Priority(p) => self.priority = p,
            NewWoAction::DeviceDown(d) => {
                self.device_down = d;
                // A device taken out of patient care is at least urgent.
                if d && self.priority.rank() > Priority::Urgent.rank() {
                    self.priority = Priority::Urgent;
                }
            }
            NewWoAction::Invalid(m) | NewWoAction::Failed(m) => {
                self.error = Some(m);
                self.sending = false;
            }
            NewWoAction::Sending => {
                self.error = None;
                self.sending = true;
            }
        }
        self
    }

    pub fn args(&self, tag: &str) -> Result<NewCorrective, String> {
        let problem = self.problem.trim();
        if problem.is_empty() {
            return Err("Describe the problem as it was reported.".into());
        }
        Ok(NewCorrective {
            tag: tag.to_string(),
            problem: problem.to_string(),
            reported_by: self.reported_by.trim().to_string(),
            priority: self.priority,
            device_down: self.device_down,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_problem_is_required_and_the_rest_has_defaults() {
        let f = NewWoForm::default();
        assert!(f.args("BME-1").unwrap_err().contains("problem"));
        let f = f
            .reduce(NewWoAction::Problem("  occlusion alarm  ".into()))
            .reduce(NewWoAction::ReportedBy("RN Kim, 4W".into()));
        let a = f.args("BME-1").unwrap();
        assert_eq!(a.problem, "occlusion alarm");
        assert_eq!(a.priority, Priority::Routine);
        assert!(!a.device_down);
        assert_eq!(a.reported_by, "RN Kim, 4W");
    }

    #[test]
    fn marking_the_device_down_raises_a_low_priority_to_urgent_only() {
        let f = NewWoForm::default().reduce(NewWoAction::DeviceDown(true));
        assert_eq!(f.priority, Priority::Urgent);
        let f = NewWoForm::default()
            .reduce(NewWoAction::Priority(Priority::Emergency))
            .reduce(NewWoAction::DeviceDown(true));
        assert_eq!(f.priority, Priority::Emergency);
        // The technician may still lower it afterwards.
        let f = f.reduce(NewWoAction::Priority(Priority::Routine));
        assert_eq!(f.priority, Priority::Routine);
        assert!(f.device_down);
    }
}
