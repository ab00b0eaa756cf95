//! The connection loop: accepts TCP connections and runs each through hyper's HTTP/1.1 server
//! with the router, until the shutdown future completes.
//!
//! hyper is used directly rather than through `axum::serve` because the limits live in its
//! connection builder: the size of a request head (a bigger one gets 431 and the connection is
//! closed), and the time a client may take to send it, which is also how long an idle
//! keep-alive connection is kept, so hundreds of idle sockets cost a task each and expire.
//! Only HTTP/1.1 is spoken: browsers use HTTP/2 only over TLS.

use std::future::Future;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

use super::{ServeState, router};

/// Largest request head hyper buffers; a 100 KB URL still fits, so it gets its proper 414.
const MAX_HEAD_BYTES: usize = 128 * 1024;

/// Most header lines in one request (hyper's default; more gets 431).
const MAX_HEADERS: usize = 100;

/// Time a client has to send a request head, counted from when the connection waits for one.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Time open connections (event streams included) get to finish after shutdown is asked.
const SHUTDOWN_GRACE: Duration = Duration::from_millis(500);

/// Serves the site on `listener` until `shutdown` completes, then closes every connection
/// (after a short grace period for requests in flight) and returns.
///
/// Failing connections never stop the server; accept errors (such as running out of file
/// descriptors) are waited out. The only error returned is a listener without an address.
pub async fn serve(
    listener: TcpListener,
    state: Arc<ServeState>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    listener.local_addr()?;
    let app = router(state);
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .max_buf_size(MAX_HEAD_BYTES)
        .max_headers(MAX_HEADERS)
        .keep_alive(true);
    let (stop, stopped) = watch::channel(false);
    let mut connections = JoinSet::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    // Events must not wait for more bytes to fill a packet.
                    let _ = stream.set_nodelay(true);
                    let service = TowerToHyperService::new(app.clone());
                    let connection = builder.serve_connection(TokioIo::new(stream), service);
                    let mut stopped = stopped.clone();
                    connections.spawn(async move {
                        let mut connection = std::pin::pin!(connection);
                        tokio::select! {
                            // Client errors (resets, timeouts, bad requests) end that connection only.
                            _ = connection.as_mut() => {}
                            () = async { let _ = stopped.wait_for(|stop| *stop).await; } => {
                                connection.as_mut().graceful_shutdown();
                                let _ = connection.await;
                            }
                        }
                    });
                }
                Err(err) if is_per_connection(&err) => {}
                // Out of file descriptors or memory: let connections finish, then go on.
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    let _ = stop.send(true);
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, async { while connections.join_next().await.is_some() {} })
        .await;
    // Event streams never end by themselves: cut them, pages reconnect to the next server.
    connections.shutdown().await;
    Ok(())
}

/// Accept errors that concern one connection only.
fn is_per_connection(err: &io::Error) -> bool {
    matches!(
        err.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionRefused
            | io::ErrorKind::Interrupted
            | io::ErrorKind::WouldBlock
    )
}
