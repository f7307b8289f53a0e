//! The request handlers: the page, the scenario's controls, answers (a fast preview, then the
//! refined run; see [`job`](super::job)), progress, and the download of the changed file.
//! Simulation runs on blocking threads and the rayon pool, never on the async executor.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::Json;
use axum::extract::{Query, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::job::answer_unless_left as run;
use super::shapes::{AnswerRequest, InputError, Progress, Reply};
use super::state::App;

/// The page: one file, its script and style inline.
const PAGE: &str = include_str!("page.html");

/// Longest session id and `--set` argument accepted, and most `--set`s per request.
const MAX_SESSION: usize = 64;
const MAX_SET: usize = 4_000;
const MAX_SETS: usize = 200;

/// `GET /`: the page. The content security policy lets it reach this server only.
pub async fn page() -> Response {
    let mut response = axum::response::Html(PAGE).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; \
             img-src data:; connect-src 'self'; base-uri 'none'; form-action 'none'",
        ),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `GET /api/scenario`: the controls and the file's fields.
pub async fn scenario(State(app): State<Arc<App>>) -> Response {
    Json(app.info.clone()).into_response()
}

/// `POST /api/answer`.
pub async fn answer(State(app): State<Arc<App>>, Json(request): Json<AnswerRequest>) -> Response {
    if let Err(message) = check(&request.session, &request.sets) {
        return refused(StatusCode::BAD_REQUEST, message);
    }
    // Dropped with this handler when the client goes away: the work stops at its next check.
    let left = ClientLeft(Arc::new(AtomicBool::new(false)));
    let flag = left.0.clone();
    let job = tokio::task::spawn_blocking(move || run(&app, &request, &flag)).await;
    drop(left);
    match job {
        // A refusal is an answer too (status `invalid`): browsers log every 4xx as an error.
        Ok(reply) => Json(reply).into_response(),
        Err(error) => refused(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("the simulation failed: {error}"),
        ),
    }
}

/// Says, when dropped, that the client of a request left (or was answered).
struct ClientLeft(Arc<AtomicBool>);

impl Drop for ClientLeft {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// `?session=...` of `GET /api/progress`.
#[derive(serde::Deserialize)]
pub struct SessionQuery {
    session: String,
}

/// `GET /api/progress`.
pub async fn progress(
    State(app): State<Arc<App>>,
    Query(query): Query<SessionQuery>,
) -> Json<Progress> {
    Json(app.progress(&query.session))
}

/// `GET /api/download?set=...&set=...`: the scenario file with the `--set`s written in.
pub async fn download(State(app): State<Arc<App>>, RawQuery(query): RawQuery) -> Response {
    let sets: Vec<String> = form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .filter(|(key, _)| key == "set")
        .map(|(_, value)| value.into_owned())
        .collect();
    if let Err(message) = check("download", &sets) {
        return refused(StatusCode::BAD_REQUEST, message);
    }
    let job = tokio::task::spawn_blocking(move || app.base.rewritten(&sets)).await;
    match job {
        Ok(Ok((name, text))) => {
            let disposition = format!("attachment; filename=\"{}\"", name.replace('"', ""));
            let mut response = text.into_response();
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            );
            if let Ok(value) = HeaderValue::from_str(&disposition) {
                headers.insert(header::CONTENT_DISPOSITION, value);
            }
            response
        }
        Ok(Err(errors)) => {
            let text: Vec<String> = errors.into_iter().map(|e| e.message).collect();
            (StatusCode::UNPROCESSABLE_ENTITY, text.join("\n")).into_response()
        }
        Err(error) => refused(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("writing the file failed: {error}"),
        ),
    }
}

/// A refusal the page shows as it is.
fn refused(status: StatusCode, message: String) -> Response {
    let reply = Reply::Invalid {
        errors: vec![InputError { set: None, message }],
    };
    (status, Json(reply)).into_response()
}

/// Requests larger than a page sends are refused before any work.
fn check(session: &str, sets: &[String]) -> Result<(), String> {
    if session.is_empty()
        || session.len() > MAX_SESSION
        || !session
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(format!(
            "the session must be 1 to {MAX_SESSION} letters, digits, `-` or `_`"
        ));
    }
    if sets.len() > MAX_SETS {
        return Err(format!(
            "at most {MAX_SETS} --set assignments, got {}",
            sets.len()
        ));
    }
    if let Some(long) = sets.iter().find(|s| s.len() > MAX_SET) {
        return Err(format!(
            "a --set assignment is at most {MAX_SET} characters, got {}",
            long.len()
        ));
    }
    Ok(())
}
