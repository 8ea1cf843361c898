//! A connection's byte stream with two jobs on the side: it counts the bytes read (so a
//! WebSocket message that started arriving but never completes can be noticed), and it holds
//! the connection's admission ticket, so the connection is counted for exactly as long as its
//! socket is open, whether HTTP or WebSocket owns it.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::admission::Ticket;

/// Bytes read from one connection so far.
#[derive(Debug, Clone, Default)]
pub struct ReadMeter(Arc<AtomicU64>);

impl ReadMeter {
    /// Bytes read so far.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// A stream that counts what is read from it and keeps its ticket until dropped.
pub struct MeteredIo<S> {
    inner: S,
    meter: ReadMeter,
    _ticket: Ticket,
}

impl<S> MeteredIo<S> {
    /// Wraps `inner`.
    pub fn new(inner: S, ticket: Ticket) -> Self {
        Self {
            inner,
            meter: ReadMeter::default(),
            _ticket: ticket,
        }
    }

    /// The meter of this stream.
    pub fn meter(&self) -> ReadMeter {
        self.meter.clone()
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for MeteredIo<S> {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let result = Pin::new(&mut this.inner).poll_read(cx, buf);
        let read = buf.filled().len().saturating_sub(before) as u64;
        if read > 0 {
            this.meter.0.fetch_add(read, Ordering::Relaxed);
        }
        result
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for MeteredIo<S> {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}
