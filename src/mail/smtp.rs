//! Sending through an SMTP server with lettre: the `--smtp` URL, TLS, the
//! password (never from the command line), retries with backoff, and the
//! bounds of each conversation (a timeout per reply, a deadline, at most
//! [`MAX_REPLIES`] bytes of replies).

use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::transport::smtp::{Error, SmtpTransportBuilder};
use lettre::{Message, SmtpTransport, Transport};
use std::io::{ErrorKind, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Shutdown, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use url::{Host, Url};

/// The environment variable that may hold the SMTP password.
pub const PASSWORD_VAR: &str = "PLAN_SMTP_PASSWORD";

/// The waits between attempts: three attempts in all.
const BACKOFF: [Duration; 2] = [Duration::from_millis(500), Duration::from_secs(1)];

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

/// The bounds of one conversation with the server (connect, TLS, login, one
/// message or the first check, and every reply).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The wait for a connection, for each reply and for each write (`[mail] timeout_seconds`).
    pub timeout: Duration,
    /// The whole conversation (`[mail] deadline_seconds`).
    pub deadline: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            timeout: Duration::from_secs(30),
            deadline: Duration::from_secs(300),
        }
    }
}

/// The most the server's replies in one conversation may total: a few
/// hundred bytes in practice, some kilobytes with a TLS certificate chain.
pub const MAX_REPLIES: u64 = 1 << 20;

/// Why a conversation failed.
#[derive(Debug)]
pub enum Failure {
    /// A reply of the server, or the network, as lettre tells.
    Smtp(Error),
    /// Cut by [`Limits`] or [`MAX_REPLIES`], or the server unreachable;
    /// `retry` when trying again may help.
    Cut { reason: String, retry: bool },
}

impl Failure {
    /// Whether the server answered (a reply with a code).
    pub fn answered(&self) -> bool {
        matches!(self, Failure::Smtp(e) if e.status().is_some())
    }

    /// Whether trying again may succeed: not a 5xx reply, a TLS failure, a
    /// client-side error or a server that broke a bound.
    fn may_pass(&self) -> bool {
        match self {
            Failure::Smtp(e) => !(e.is_permanent() || e.is_tls() || e.is_client()),
            Failure::Cut { retry, .. } => *retry,
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Smtp(e) => write!(f, "{e}"),
            Failure::Cut { reason, .. } => f.write_str(reason),
        }
    }
}

/// A connection setup to one server, with retries. Each conversation goes
/// through a [`Guard`] of its own, which bounds what lettre reads.
pub struct Mailer {
    server: Server,
    limits: Limits,
    /// Everything but the port of the guard.
    builder: SmtpTransportBuilder,
}

impl Mailer {
    /// Sets up the transport; `password` is used when the server names a user.
    pub fn new(server: &Server, password: String, limits: Limits) -> Result<Mailer, String> {
        let params =
            || TlsParameters::new(server.host.clone()).map_err(|e| format!("TLS setup: {e}"));
        let tls = match server.security {
            Security::Tls => Tls::Wrapper(params()?),
            Security::StartTls => Tls::Required(params()?),
            Security::StartTlsIfOffered => Tls::Opportunistic(params()?),
        };
        let mut builder = SmtpTransport::builder_dangerous(Ipv4Addr::LOCALHOST.to_string())
            .tls(tls)
            .timeout(Some(limits.timeout));
        if let Some(user) = &server.user {
            builder = builder.credentials(Credentials::new(user.clone(), password));
        }
        Ok(Mailer {
            server: server.clone(),
            limits,
            builder,
        })
    }

    /// Connects, sets up TLS and logs in once, so that an unreachable server or
    /// a wrong password stops the run before any message.
    pub fn check(&self) -> Result<(), Failure> {
        retry(|| self.talk(|t| t.test_connection().map(|_| ())))
    }

    /// Sends one message, retrying what may pass later.
    pub fn send(&self, message: &Message) -> Result<(), Failure> {
        retry(|| self.talk(|t| t.send(message).map(|_| ())))
    }

    /// One conversation through a guard of its own.
    fn talk(&self, f: impl FnOnce(&SmtpTransport) -> Result<(), Error>) -> Result<(), Failure> {
        let guard = Guard::open(&self.server, self.limits)?;
        let transport = self.builder.clone().port(guard.port).build();
        let result = f(&transport);
        let cut = guard.cut.lock().unwrap_or_else(|e| e.into_inner()).take();
        match cut {
            Some(cut) => Err(cut),
            None if result.as_ref().is_err_and(timed_out) => Err(Failure::Cut {
                reason: format!(
                    "no reply within the timeout of {} s ([mail] timeout_seconds)",
                    self.limits.timeout.as_secs()
                ),
                retry: true,
            }),
            None => result.map_err(Failure::Smtp),
        }
    }
}

/// Whether lettre gave up waiting on a read or a write.
fn timed_out(e: &Error) -> bool {
    let mut source = std::error::Error::source(e);
    while let Some(err) = source {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            return matches!(io.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut);
        }
        source = err.source();
    }
    false
}

/// Runs `attempt` up to three times, waiting between attempts, while the
/// failure may pass (a 4xx reply, a lost or refused connection, a timeout).
fn retry(mut attempt: impl FnMut() -> Result<(), Failure>) -> Result<(), Failure> {
    for wait in BACKOFF {
        match attempt() {
            Err(e) if e.may_pass() => std::thread::sleep(wait),
            done => return done,
        }
    }
    attempt()
}

/// A relay on loopback between lettre and the server, for one conversation:
/// lettre reads a reply line without bound and waits on each read only, so
/// the guard passes the server's bytes on within [`MAX_REPLIES`] and the
/// deadline, and ends the conversation (telling why) when one is broken.
struct Guard {
    port: u16,
    cut: Arc<Mutex<Option<Failure>>>,
}

impl Guard {
    /// Listens on a free loopback port and relays its first connection to `server`.
    fn open(server: &Server, limits: Limits) -> Result<Guard, Failure> {
        let local = |e: std::io::Error| Failure::Cut {
            reason: format!("cannot open a loopback port: {e}"),
            retry: false,
        };
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).map_err(local)?;
        let port = listener.local_addr().map_err(local)?.port();
        listener.set_nonblocking(true).map_err(local)?;
        let cut = Arc::new(Mutex::new(None));
        let (server, shared) = (server.clone(), Arc::clone(&cut));
        std::thread::spawn(move || relay(&listener, &server, limits, &shared));
        Ok(Guard { port, cut })
    }
}

/// Accepts lettre's connection (until the deadline), connects to the server
/// and passes bytes both ways until either side ends or a bound is broken.
fn relay(listener: &TcpListener, server: &Server, limits: Limits, cut: &Mutex<Option<Failure>>) {
    let end = Instant::now() + limits.deadline;
    let client = loop {
        match listener.accept() {
            Ok((client, _)) => break client,
            Err(e) if e.kind() == ErrorKind::WouldBlock && Instant::now() < end => {
                std::thread::sleep(Duration::from_millis(5))
            }
            Err(_) => return,
        }
    };
    let upstream = match connect(server, limits.timeout) {
        Ok(s) => s,
        Err(e) => {
            *cut.lock().unwrap_or_else(|e| e.into_inner()) = Some(Failure::Cut {
                reason: format!("cannot connect: {}", crate::os::reason(&e)),
                retry: true,
            });
            return;
        }
    };
    let streams = (client.try_clone(), upstream.try_clone());
    let (Ok(mut from_client), Ok(mut to_server)) = streams else {
        return;
    };
    let _ = client.set_nonblocking(false);
    let _ = to_server.set_write_timeout(Some(limits.timeout));
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut from_client, &mut to_server);
        let _ = to_server.shutdown(Shutdown::Write);
    });
    if let Some(why) = pass_replies(&upstream, &client, end, limits) {
        *cut.lock().unwrap_or_else(|e| e.into_inner()) = Some(Failure::Cut {
            reason: why,
            retry: false,
        });
    }
    let _ = upstream.shutdown(Shutdown::Both);
    let _ = client.shutdown(Shutdown::Both);
}

/// Passes the server's bytes on to lettre until the server ends; the broken
/// bound, if any.
fn pass_replies(
    mut upstream: &TcpStream,
    mut client: &TcpStream,
    end: Instant,
    limits: Limits,
) -> Option<String> {
    let mut buf = [0u8; 8192];
    let mut total = 0u64;
    loop {
        let left = end.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Some(format!(
                "the conversation did not end within the deadline of {} s ([mail] deadline_seconds)",
                limits.deadline.as_secs()
            ));
        }
        let _ = upstream.set_read_timeout(Some(left));
        match upstream.read(&mut buf) {
            Ok(0) => return None,
            Ok(n) => {
                total += n as u64;
                if total > MAX_REPLIES {
                    return Some(format!(
                        "the server sent more than {MAX_REPLIES} bytes of replies in one conversation"
                    ));
                }
                if client.write_all(&buf[..n]).is_err() {
                    return None;
                }
            }
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted
                ) => {}
            Err(_) => return None,
        }
    }
}

/// A connection to the server, each of its addresses tried within `timeout`.
fn connect(server: &Server, timeout: Duration) -> std::io::Result<TcpStream> {
    let mut last = std::io::Error::new(ErrorKind::NotFound, "the host has no address");
    for addr in (server.host.as_str(), server.port).to_socket_addrs()? {
        match TcpStream::connect_timeout(&addr, timeout) {
            Ok(s) => return Ok(s),
            Err(e) => last = e,
        }
    }
    Err(last)
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
