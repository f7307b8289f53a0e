//! Who may talk to the server: requests must name it by the address it listens on (or
//! `localhost`) in `Host:`, and requests that change state must come from its own page.
//!
//! A web page the user visits elsewhere can point a DNS name of its own at 127.0.0.1 (DNS
//! rebinding): the browser then sends that page's requests here, with the attacker's name in
//! `Host:`, and lets the page read the answers (`/api/download` holds the scenario). Refusing
//! every `Host:` but this server's own addresses closes that door: a name the attacker owns is
//! never one of them. A cross-site page that cannot rebind can still send requests; those that
//! act (`POST`) are refused unless their `Origin:` is this server.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The names this server answers to.
#[derive(Clone, Debug)]
pub struct Allowed {
    /// The address it listens on.
    address: SocketAddr,
}

impl Allowed {
    /// The names of a server listening on `address`.
    pub fn new(address: SocketAddr) -> Allowed {
        Allowed { address }
    }

    /// Whether `host` (a `Host:` value, `name:port`) names this server: `localhost` or the
    /// address it listens on, with its port; any IP address when it listens on all of them
    /// (an address, unlike a name, cannot be rebound).
    fn host(&self, host: &str) -> bool {
        let port = self.address.port();
        let Some((name, given)) = split_port(host) else {
            return false;
        };
        if given != port {
            return false;
        }
        if name.eq_ignore_ascii_case("localhost") {
            return true;
        }
        let Ok(ip) = name.parse::<IpAddr>() else {
            return false;
        };
        ip == self.address.ip() || self.address.ip().is_unspecified()
    }

    /// Whether `origin` (an `Origin:` value) is this server's own page.
    fn origin(&self, origin: &str) -> bool {
        origin
            .strip_prefix("http://")
            .is_some_and(|host| self.host(host))
    }
}

/// `name:port` (`[v6]:port` for IPv6) split; `None` without a port.
fn split_port(host: &str) -> Option<(&str, u16)> {
    let (name, port) = host.rsplit_once(':')?;
    let name = name
        .strip_prefix('[')
        .and_then(|n| n.strip_suffix(']'))
        .unwrap_or(name);
    Some((name, port.parse().ok()?))
}

/// The check before every route: 421 for a `Host:` that is not this server, 403 for a
/// state-changing request from another origin.
pub async fn check(State(allowed): State<Arc<Allowed>>, request: Request, next: Next) -> Response {
    match refusal(&allowed, request.method(), request.headers()) {
        Some(refused) => refused,
        None => next.run(request).await,
    }
}

fn refusal(allowed: &Allowed, method: &Method, headers: &HeaderMap) -> Option<Response> {
    let value = |name| headers.get(name).map(|v| v.to_str().unwrap_or("\u{fffd}"));
    let host = value(header::HOST).unwrap_or("");
    if !allowed.host(host) {
        let message = format!(
            "this server answers only to http://localhost:{port}/ and http://{address}/, not to \
             `Host: {host}` (a web page cannot reach it through a name of its own)",
            port = allowed.address.port(),
            address = allowed.address,
            host = host.escape_debug(),
        );
        return Some(refused(StatusCode::MISDIRECTED_REQUEST, message));
    }
    let safe = matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
    match value(header::ORIGIN) {
        Some(origin) if !safe && !allowed.origin(origin) => Some(refused(
            StatusCode::FORBIDDEN,
            format!(
                "requests from `{}` may not change anything here: only this server's own page \
                 may",
                origin.escape_debug()
            ),
        )),
        _ => None,
    }
}

fn refused(status: StatusCode, message: String) -> Response {
    let mut response = (status, Body::from(message + "\n")).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_this_servers_own_names_are_answered() {
        let local = Allowed::new("127.0.0.1:8080".parse().unwrap());
        for host in ["127.0.0.1:8080", "localhost:8080", "LOCALHOST:8080"] {
            assert!(local.host(host), "{host}");
        }
        for host in [
            "evil.example:8080",
            "127.0.0.1:9090",
            "127.0.0.1",
            "localhost",
            "10.0.0.1:8080",
            "",
            "127.0.0.1.nip.io:8080",
        ] {
            assert!(!local.host(host), "{host}");
        }
        let v6 = Allowed::new("[::1]:80".parse().unwrap());
        assert!(v6.host("[::1]:80") && !v6.host("[::2]:80"));
        let all = Allowed::new("0.0.0.0:8080".parse().unwrap());
        assert!(all.host("192.168.1.20:8080") && !all.host("rebound.example:8080"));
        assert!(local.origin("http://localhost:8080"));
        assert!(!local.origin("http://evil.example:8080") && !local.origin("null"));
    }
}
