//! The accept loop and one task per HTTP connection (our own rather than `axum::serve`, so the
//! server decides): how long a client may take to send a request head (slowloris) or sit idle on
//! a keep-alive connection, who is admitted (see [`crate::admission`]), TLS, and that shutdown
//! ends every connection by a deadline.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio::time::{Instant, timeout, timeout_at};
use tokio_rustls::TlsAcceptor;
use tower_service::Service;

use crate::admission::{Admission, Admitted, Refused};
use crate::metered_io::{MeteredIo, ReadMeter};

/// What the HTTP layer knows about a connection; every request on it carries a copy.
#[derive(Debug, Clone)]
pub struct ConnInfo {
    /// The client's address.
    pub peer: SocketAddr,
    /// Admitted into the reserve: only an instructor's reconnect may proceed.
    pub instructor_only: bool,
    /// Bytes read from the socket so far.
    pub meter: ReadMeter,
    /// Whether the connection is HTTPS.
    pub tls: bool,
}

/// Settings of the loop.
#[derive(Clone)]
pub struct AcceptSettings {
    /// Request-head (and keep-alive idle) timeout.
    pub header_timeout: Duration,
    /// How long shutdown waits for connections before dropping them.
    pub shutdown_deadline: Duration,
    /// HTTPS when set.
    pub tls: Option<TlsAcceptor>,
}

/// Accepts connections on `listener` until `shutdown` completes, then closes them: idle ones at
/// once, the rest within the deadline. Returns once every HTTP connection is gone.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    admission: Arc<Admission>,
    settings: AcceptSettings,
    shutdown: impl Future<Output = ()>,
) {
    let (stop, stopping) = watch::channel(false);
    let mut tasks = JoinSet::new();
    let mut shutdown = pin!(shutdown);
    let mut last_accept_warning: Option<Instant> = None;
    loop {
        let accepted = tokio::select! {
            () = &mut shutdown => break,
            Some(_) = tasks.join_next(), if !tasks.is_empty() => continue,
            accepted = listener.accept() => accepted,
        };
        let (tcp, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(error) => {
                // Out of file descriptors (or a transient error): say so at most every few
                // seconds, and back off instead of spinning on the error.
                if last_accept_warning.is_none_or(|at| at.elapsed() > Duration::from_secs(5)) {
                    tracing::warn!(%error, open = admission.open(), "could not accept a connection");
                    last_accept_warning = Some(Instant::now());
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = tcp.set_nodelay(true);
        match admission.admit(peer.ip()) {
            Ok((ticket, admitted)) => {
                let io = MeteredIo::new(tcp, ticket);
                let info = ConnInfo {
                    peer,
                    instructor_only: admitted == Admitted::InstructorOnly,
                    meter: io.meter(),
                    tls: settings.tls.is_some(),
                };
                tasks.spawn(connection(
                    io,
                    info,
                    app.clone(),
                    settings.clone(),
                    stopping.clone(),
                ));
            }
            Err(refused) => {
                tracing::debug!(%peer, %refused, "connection refused");
                if settings.tls.is_none() {
                    tasks.spawn(refuse(tcp, refused));
                }
            }
        }
    }
    drop(listener);
    let _ = stop.send(true);
    let deadline = Instant::now() + settings.shutdown_deadline;
    let drained = timeout_at(deadline, async { while tasks.join_next().await.is_some() {} }).await;
    if drained.is_err() {
        tracing::info!(
            remaining = tasks.len(),
            "shutdown deadline reached; dropping connections"
        );
        tasks.shutdown().await;
    }
}

/// Tells a turned-away client why, in plain HTTP, and closes.
async fn refuse(mut tcp: TcpStream, refused: Refused) {
    let body = format!("{refused}\n");
    let response = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain; charset=utf-8\r\n\
         retry-after: 10\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    );
    let _ = timeout(Duration::from_secs(1), tcp.write_all(response.as_bytes())).await;
}

async fn connection(
    io: MeteredIo<TcpStream>,
    info: ConnInfo,
    app: Router,
    settings: AcceptSettings,
    stopping: watch::Receiver<bool>,
) {
    match settings.tls.clone() {
        Some(acceptor) => {
            let handshake = timeout(settings.header_timeout, acceptor.accept(io)).await;
            match handshake {
                Ok(Ok(tls)) => http(tls, info, app, settings, stopping).await,
                Ok(Err(error)) => tracing::debug!(peer = %info.peer, %error, "TLS handshake failed"),
                Err(_) => tracing::debug!(peer = %info.peer, "TLS handshake timed out"),
            }
        }
        None => http(io, info, app, settings, stopping).await,
    }
}

/// Serves HTTP/1.1 (with upgrades) on one connection.
async fn http<S>(
    io: S,
    info: ConnInfo,
    app: Router,
    settings: AcceptSettings,
    mut stopping: watch::Receiver<bool>,
) where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let peer = info.peer;
    let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(peer));
        request.extensions_mut().insert(info.clone());
        let mut app = app.clone();
        async move {
            Ok::<_, Infallible>(
                Service::call(&mut app, request)
                    .await
                    .unwrap_or_else(|e| match e {}),
            )
        }
    });
    let connection = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(settings.header_timeout)
        .keep_alive(true)
        .serve_connection(TokioIo::new(io), service)
        .with_upgrades();
    let mut connection = pin!(connection);
    tokio::select! {
        result = connection.as_mut() => {
            if let Err(error) = result {
                tracing::debug!(%peer, %error, "HTTP connection ended with an error");
            }
        }
        () = stopped(&mut stopping) => {
            connection.as_mut().graceful_shutdown();
            let _ = connection.await;
        }
    }
}

/// Completes once shutdown begins (the guard `wait_for` returns is not `Send`).
async fn stopped(stopping: &mut watch::Receiver<bool>) {
    let _ = stopping.wait_for(|stop| *stop).await;
}
