//! Sending through an SMTP server with lettre: the `--smtp` URL, TLS, the
//! password (never from the command line) and retries with backoff.

use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::transport::smtp::Error;
use lettre::{Message, SmtpTransport, Transport};
use std::net::IpAddr;
use std::time::Duration;
use url::{Host, Url};

/// The environment variable that may hold the SMTP password.
pub const PASSWORD_VAR: &str = "PLAN_SMTP_PASSWORD";

/// The waits between attempts: three attempts in all.
const BACKOFF: [Duration; 2] = [Duration::from_millis(500), Duration::from_secs(1)];

/// How long one SMTP command may take.
const TIMEOUT: Duration = Duration::from_secs(30);

/// How the connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// `smtps://`: TLS from the first byte.
    Tls,
    /// `smtp://` with a user name, to another machine: STARTTLS or no password is sent.
    StartTls,
    /// `smtp://` otherwise: STARTTLS when the server offers it.
    StartTlsIfOffered,
}

/// The server named by `--smtp`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Server {
    pub host: String,
    pub port: u16,
    /// The user name to authenticate as; None: no authentication.
    pub user: Option<String>,
    pub security: Security,
}

/// What `--smtp` expects, for messages.
const URL_FORM: &str = "smtp://[user@]host[:port] or smtps://[user@]host[:port]";

/// Parses `--smtp`. A password in the URL is refused, and no message repeats the URL.
pub fn parse_url(text: &str) -> Result<Server, String> {
    let url = Url::parse(text.trim()).map_err(|e| format!("--smtp: {e}; expected {URL_FORM}"))?;
    if url.password().is_some() {
        return Err(format!(
            "--smtp must not hold a password (the command line shows in process lists and shell history); \
             set the {PASSWORD_VAR} environment variable or [mail] password_file in the plan file"
        ));
    }
    let (tls, default_port) = match url.scheme() {
        "smtp" => (false, 25),
        "smtps" => (true, 465),
        other => {
            return Err(format!(
                "--smtp: unknown scheme {other:?}; expected {URL_FORM}"
            ))
        }
    };
    if !matches!(url.path(), "" | "/") || url.query().is_some() || url.fragment().is_some() {
        return Err(format!(
            "--smtp: only a server is expected, without path or query: {URL_FORM}"
        ));
    }
    let (host, loopback) = match url.host() {
        // Hosts of smtp: URLs are opaque to the url crate: an IPv4 address comes as a domain.
        Some(Host::Domain(d)) if !d.is_empty() => {
            let loopback = match d.parse::<IpAddr>() {
                Ok(ip) => ip.is_loopback(),
                Err(_) => d.eq_ignore_ascii_case("localhost"),
            };
            (d.to_string(), loopback)
        }
        Some(Host::Ipv4(a)) => (a.to_string(), IpAddr::V4(a).is_loopback()),
        Some(Host::Ipv6(a)) => (a.to_string(), IpAddr::V6(a).is_loopback()),
        _ => return Err(format!("--smtp: no server named; expected {URL_FORM}")),
    };
    let user = Some(percent_decode(url.username())?).filter(|u| !u.is_empty());
    let security = if tls {
        Security::Tls
    } else if user.is_some() && !loopback {
        Security::StartTls
    } else {
        Security::StartTlsIfOffered
    };
    Ok(Server {
        host,
        port: url.port().unwrap_or(default_port),
        user,
        security,
    })
}

/// `%40` → `@` in a URL's user name.
fn percent_decode(s: &str) -> Result<String, String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or("--smtp: a bad %-escape in the user name")?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| "--smtp: the user name is not UTF-8".to_string())
}

/// A connection setup to one server, with retries.
pub struct Mailer {
    transport: SmtpTransport,
}

impl Mailer {
    /// Sets up the transport; `password` is used when the server names a user.
    pub fn new(server: &Server, password: String) -> Result<Mailer, String> {
        let params =
            || TlsParameters::new(server.host.clone()).map_err(|e| format!("TLS setup: {e}"));
        let tls = match server.security {
            Security::Tls => Tls::Wrapper(params()?),
            Security::StartTls => Tls::Required(params()?),
            Security::StartTlsIfOffered => Tls::Opportunistic(params()?),
        };
        let mut builder = SmtpTransport::builder_dangerous(server.host.clone())
            .port(server.port)
            .tls(tls)
            .timeout(Some(TIMEOUT));
        if let Some(user) = &server.user {
            builder = builder.credentials(Credentials::new(user.clone(), password));
        }
        Ok(Mailer {
            transport: builder.build(),
        })
    }

    /// Connects, sets up TLS and logs in once, so that an unreachable server or
    /// a wrong password stops the run before any message.
    pub fn check(&self) -> Result<(), Error> {
        retry(|| self.transport.test_connection().map(|_| ()))
    }

    /// Sends one message, retrying what may pass later.
    pub fn send(&self, message: &Message) -> Result<(), Error> {
        retry(|| self.transport.send(message).map(|_| ()))
    }
}

/// Runs `attempt` up to three times, waiting between attempts, while the
/// failure may pass (a 4xx reply, a lost or refused connection, a timeout).
fn retry(mut attempt: impl FnMut() -> Result<(), Error>) -> Result<(), Error> {
    for wait in BACKOFF {
        match attempt() {
            Err(e) if may_pass(&e) => std::thread::sleep(wait),
            done => return done,
        }
    }
    attempt()
}

/// Whether trying again may succeed: not a 5xx reply, a TLS failure or a client-side error.
fn may_pass(e: &Error) -> bool {
    !(e.is_permanent() || e.is_tls() || e.is_client())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let s = parse_url("smtp://127.0.0.1:2525").unwrap();
        assert_eq!(
            s,
            Server {
                host: "127.0.0.1".into(),
                port: 2525,
                user: None,
                security: Security::StartTlsIfOffered
            }
        );
        let s = parse_url("smtp://ops%40example.com@mail.example.com:587").unwrap();
        assert_eq!(s.user.as_deref(), Some("ops@example.com"));
        assert_eq!(s.security, Security::StartTls);
        let s = parse_url("smtps://mail.example.com").unwrap();
        assert_eq!((s.port, s.security), (465, Security::Tls));
        let s = parse_url("smtp://bot@[::1]:25/").unwrap();
        assert_eq!(
            (s.host.as_str(), s.security),
            ("::1", Security::StartTlsIfOffered)
        );
        assert_eq!(parse_url("smtp://localhost").unwrap().port, 25);
        let s = parse_url("smtp://bot@127.0.0.1:2525").unwrap();
        assert_eq!(s.security, Security::StartTlsIfOffered);
        let s = parse_url("smtp://bot@10.0.0.1:2525").unwrap();
        assert_eq!(s.security, Security::StartTls);
    }

    #[test]
    fn bad_urls_never_repeat_the_password() {
        let e = parse_url("smtp://bob:hunter2@mail.example.com").unwrap_err();
        assert!(e.contains(PASSWORD_VAR) && !e.contains("hunter2"), "{e}");
        for bad in [
            "http://mail.example.com",
            "smtp://mail.example.com/x",
            "smtp://mail.example.com?tls=none",
            "mail.example.com:25",
            "smtp://",
        ] {
            assert!(parse_url(bad).is_err(), "{bad}");
        }
    }
}
