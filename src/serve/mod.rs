//! `fulcrum serve`: a local web server with one interactive what-if page. Controls over the
//! scenario become `--set` assignments; each change gets a fast preview, then the refined run,
//! both paired with the file's own run on common random numbers. The server writes no files.
//!
//! It answers only requests that name it by its own address ([`guard`]), reads a request's
//! headers within [`HEADER_TIMEOUT`] (also the most a connection may sit idle between
//! requests), and holds at most [`MAX_CONNECTIONS`] connections.

mod api;
mod engine;
pub mod guard;
mod job;
mod pool;
pub mod shapes;
mod state;

use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::routing::{get, post};

pub use engine::Base;
pub use job::{answer, answer_unless_left};
pub use state::{App, PAIRED_MAX, Settings};

/// The most a client may take to send a request's headers, and the most a connection may sit
/// idle between requests: then it is closed (its file descriptor freed).
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// Connections held at most; one more is closed at once (a page uses two or three).
pub const MAX_CONNECTIONS: usize = 256;

/// The fewest and most trials a calibrated preview runs.
pub const PREVIEW_TRIALS: (u64, u64) = (1_000, 2_000);
/// The simulation time a calibrated preview aims at, leaving room for the rest of the
/// answer within about 300 ms.
const PREVIEW_BUDGET: f64 = 0.25;

/// The routes of the page and its API.
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(api::page))
        .route("/api/scenario", get(api::scenario))
        .route("/api/answer", post(api::answer))
        .route("/api/progress", get(api::progress))
        .route("/api/download", get(api::download))
        .with_state(app)
}

/// [`router`] behind the [`guard`] for a server listening on `address`.
pub fn guarded(app: Arc<App>, address: SocketAddr) -> Router {
    let allowed = Arc::new(guard::Allowed::new(address));
    router(app).layer(axum::middleware::from_fn_with_state(allowed, guard::check))
}

/// Reads the scenario and builds the server's state; a file `fulcrum run` refuses is
/// refused here with the same messages.
pub fn load(
    path: &Path,
    settings: Settings,
    pool: rayon::ThreadPool,
) -> Result<App, crate::scenario::LoadError> {
    let base = Base::read(path)?;
    let preview = settings
        .preview_trials
        .unwrap_or_else(|| pool.install(|| preview_trials(&base)));
    let info = base.info(settings.trials, settings.seed, preview);
    Ok(App::new(base, info, settings, preview, pool))
}

/// As many preview trials as this machine simulates in 250 ms when every
/// strategy of the scenario is simulated, within [`PREVIEW_TRIALS`], in hundreds: timed on a
/// short run of the file once, at start-up (on the ambient rayon pool).
pub fn preview_trials(base: &Base) -> u64 {
    let (fewest, most) = PREVIEW_TRIALS;
    let seconds = base.scenario.seconds_per_strategy_trial();
    let strategies = base.scenario.strategy_names().len().max(1) as f64;
    let fit = (PREVIEW_BUDGET / (seconds * strategies) / 100.0).floor() as u64 * 100;
    fit.clamp(fewest, most)
}

/// A bound server, not yet answering.
pub struct Server {
    listener: TcpListener,
    app: Arc<App>,
}

impl Server {
    /// Binds `host:port` (port 0: any free port).
    pub fn bind(app: App, host: IpAddr, port: u16) -> std::io::Result<Server> {
        let listener = TcpListener::bind(SocketAddr::new(host, port))?;
        listener.set_nonblocking(true)?;
        Ok(Server {
            listener,
            app: Arc::new(app),
        })
    }

    /// The address it listens on.
    pub fn address(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Computes the file's own runs in the background, so the first answers need not. The
    /// refined one gives way to the first request (which then computes it, if it needs it).
    pub fn warm_up(&self) {
        let app = self.app.clone();
        std::thread::spawn(move || {
            let (trials, seed) = app.base.scenario.trials_and_seed();
            let full = app.settings.trials.unwrap_or(trials);
            let seed = app.settings.seed.unwrap_or(seed);
            let preview = full.min(app.preview_trials);
            let paired = |trials: u64| trials.min(state::PAIRED_MAX);
            app.baseline(seed, preview, paired(preview), &|_| {}, &|| false);
            let quiet = app.requests();
            let busy = || app.requests() != quiet;
            app.baseline(seed, full, paired(full), &|_| {}, &busy);
        });
    }

    /// Answers requests until the process ends. The executor has one thread for the network;
    /// simulations run on blocking threads and the rayon pool.
    pub fn run(self) -> std::io::Result<()> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .max_blocking_threads(8)
            .build()?;
        let address = self.address()?;
        let routes = guarded(self.app, address);
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(self.listener)?;
            serve(listener, routes).await
        })
    }
}

/// Serves `routes` on `listener`: each connection on its own task, its headers read within
/// [`HEADER_TIMEOUT`], at most [`MAX_CONNECTIONS`] at once.
async fn serve(listener: tokio::net::TcpListener, routes: Router) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    let open = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    loop {
        let (stream, _) = match listener.accept().await {
            Ok(accepted) => accepted,
            // Out of file descriptors or a connection reset before it was accepted: wait a
            // moment rather than spin, and go on.
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let Ok(permit) = open.clone().try_acquire_owned() else {
            drop(stream);
            continue;
        };
        let service = hyper_util::service::TowerToHyperService::new(routes.clone());
        tokio::spawn(async move {
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_TIMEOUT)
                .serve_connection(TokioIo::new(stream), service);
            // A client that breaks off is no concern of the server's.
            connection.await.ok();
            drop(permit);
        });
    }
}
