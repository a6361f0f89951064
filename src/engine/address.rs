//! The one email-address check: `plan mail` refuses what it refuses, and the
//! reps table is checked against it when it is read.

use lettre::Address;

/// An address as lettre parses it; refused when it holds a control character
/// or a space, or does not parse. The error reads "not an email address: …".
pub fn parse(email: &str) -> Result<Address, String> {
    if email.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err("not an email address: it holds a control character or a space".into());
    }
    email
        .parse()
        .map_err(|e| format!("not an email address: {e}"))
}

#[cfg(test)]
mod tests {
    use crate::engine::address::parse;

    #[test]
    fn addresses_that_mail_can_send_to() {
        assert!(parse("jun.li.2@example.com").is_ok());
        let bad = parse("jun.li.2example.com").unwrap_err();
        assert!(bad.starts_with("not an email address: "), "{bad}");
        assert!(parse("jun li@example.com").is_err());
        assert!(parse("jun@example.com\r\nBcc: x@y.z").is_err());
        assert!(parse("").is_err());
    }
}
