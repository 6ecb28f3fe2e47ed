//! The one error type for bad input: it always names the field that is wrong and says why, so a
//! person can fix a scenario file, a URL parameter or a form field without reading code.

use std::fmt;

/// A problem with one named field of some input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// Dotted path of the field, e.g. `cluster.network.loss` or `schedule[3].at_ms`.
    pub field: String,
    /// What is wrong with it, in plain words.
    pub problem: String,
}

impl FieldError {
    /// An error about `field`.
    pub fn new(field: impl Into<String>, problem: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            problem: problem.into(),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.problem)
    }
}

impl std::error::Error for FieldError {}
