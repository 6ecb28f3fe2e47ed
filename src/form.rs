//! The rules of the page's number fields, apart from the page so they are tested natively: what
//! a field accepts and the message that refuses the rest. A message names the field as the page
//! labels it and gives the range in the page's units ("Loss % must be between 0 and 100 %");
//! nothing is ever clamped into range.

/// What one number field accepts.
#[derive(Clone, Debug, PartialEq)]
pub struct NumberRule {
    /// The field's label on the page.
    pub label: String,
    /// Smallest allowed value.
    pub min: f64,
    /// Largest allowed value.
    pub max: f64,
    /// Whole numbers only.
    pub whole: bool,
    /// Unit for messages, e.g. `ms` (empty: none).
    pub unit: String,
}

impl NumberRule {
    /// A rule for whole numbers in `[min, max]`.
    pub fn whole(label: &str, min: f64, max: f64, unit: &str) -> Self {
        NumberRule {
            label: label.to_string(),
            min,
            max,
            whole: true,
            unit: unit.to_string(),
        }
    }

    /// A rule for any number in `[min, max]`.
    pub fn decimal(label: &str, min: f64, max: f64, unit: &str) -> Self {
        NumberRule {
            whole: false,
            ..Self::whole(label, min, max, unit)
        }
    }

    /// The value typed, or the message that refuses it.
    pub fn check(&self, text: &str) -> Result<f64, String> {
        let unit = if self.unit.is_empty() {
            String::new()
        } else {
            format!(" {}", self.unit)
        };
        let range = format!("{} and {}{unit}", show(self.min), show(self.max));
        let kind = if self.whole {
            "a whole number"
        } else {
            "a number"
        };
        let typed = text.trim();
        let value: f64 = typed.parse().map_err(|_| {
            format!(
                "{} must be {kind} between {range} (got “{typed}”)",
                self.label
            )
        })?;
        if !value.is_finite() || value < self.min || value > self.max {
            return Err(format!(
                "{} must be between {range} (got {typed})",
                self.label
            ));
        }
        if self.whole && value.fract() != 0.0 {
            return Err(format!(
                "{} must be a whole number between {range}",
                self.label
            ));
        }
        Ok(value)
    }
}

/// A number as people write it: no trailing `.0`.
pub fn show(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_in_range_pass_and_others_are_refused_by_the_fields_label_and_range() {
        let loss = NumberRule::decimal("Loss %", 0.0, 100.0, "%");
        assert_eq!(loss.check("30"), Ok(30.0));
        assert_eq!(loss.check(" 2.5 "), Ok(2.5));
        assert_eq!(
            loss.check("101"),
            Err("Loss % must be between 0 and 100 % (got 101)".into())
        );
        assert_eq!(
            loss.check("abc"),
            Err("Loss % must be a number between 0 and 100 % (got “abc”)".into())
        );
        assert!(loss.check("1e12").is_err());
        assert!(loss.check("inf").is_err());
        let clients = NumberRule::whole("Clients", 0.0, 64.0, "");
        assert_eq!(
            clients.check("-5"),
            Err("Clients must be between 0 and 64 (got -5)".into())
        );
        assert_eq!(
            clients.check("2.5"),
            Err("Clients must be a whole number between 0 and 64".into())
        );
        assert!(clients.check("NaN").is_err());
        assert!(clients.check("").is_err());
        let latency = NumberRule::whole("Latency max ms", 10.0, 600_000.0, "ms");
        assert_eq!(
            latency.check("5"),
            Err("Latency max ms must be between 10 and 600000 ms (got 5)".into())
        );
    }

    #[test]
    fn numbers_are_shown_as_people_write_them() {
        assert_eq!(show(30.0), "30");
        assert_eq!(show(0.25), "0.25");
    }
}
