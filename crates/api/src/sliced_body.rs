//! Large JSON bodies handed to the connection a slice at a time.
//!
//! # Why
//! actix-web copies a response body into the connection's write buffer
//! before sending it, and a connection keeps that buffer, grown to the
//! largest body it sent, for as long as it lives (it frees it only past
//! 128 KiB). A page of 100 tasks is ~52 KB, so every keep-alive connection
//! that was ever sent one held a ~53 KB buffer: at 256 connections, 13 MiB
//! of a server meant to run in 64. A [`SlicedJson`] body gives the
//! connection [`SLICE_BYTES`] at a time, and the write buffer is as large
//! as a slice ([`WRITE_BUFFER_BYTES`]), so a connection's buffer stays near
//! 32 KiB whatever it sends. The body is still serialized once, and its
//! slices share that one allocation; it keeps its `Content-Length`.
//!
//! A page goes out in two writes instead of one, so the server sets
//! `TCP_NODELAY`: with Nagle's algorithm the second write waited for the
//! client's delayed acknowledgement of the first, and lists at 64
//! connections served 2.6 times fewer pages (`docs/benchmarks.md`). With
//! it, 32 KiB slices cost no measurable throughput; 16 KiB slices (four
//! writes a page) saved a few MiB more and cost ~7% of the lists.

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};

use actix_web::body::{BodySize, MessageBody};
use actix_web::web::Bytes;

/// The most of a body handed to the connection at once.
pub(crate) const SLICE_BYTES: usize = 32 * 1024;

/// What a connection gathers in its write buffer before it writes to the
/// socket: one slice (`HttpServer::h1_write_buffer_size`). It is
/// actix-web's default too; set from here so that the two stay one size.
pub const WRITE_BUFFER_BYTES: usize = SLICE_BYTES;

/// A serialized JSON body, sent in slices of at most [`SLICE_BYTES`].
#[derive(Debug)]
pub(crate) struct SlicedJson {
    /// What is left to send.
    rest: Bytes,
    /// The whole body's length, for `Content-Length`.
    length: u64,
}

impl SlicedJson {
    /// The body `bytes`.
    pub(crate) fn new(bytes: Bytes) -> Self {
        let length = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
        Self { rest: bytes, length }
    }
}

impl MessageBody for SlicedJson {
    type Error = Infallible;

    fn size(&self) -> BodySize {
        BodySize::Sized(self.length)
    }

    fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Result<Bytes, Self::Error>>> {
        if self.rest.is_empty() {
            return Poll::Ready(None);
        }
        let take = self.rest.len().min(SLICE_BYTES);
        Poll::Ready(Some(Ok(self.rest.split_to(take))))
    }
}

#[cfg(test)]
mod tests {
    use actix_web::body::{self, MessageBody as _};

    use super::*;

    #[tokio::test]
    async fn a_sliced_body_sends_every_byte_in_order_and_declares_its_length() {
        let whole: Vec<u8> = (0..SLICE_BYTES * 3 + 17).map(|i| u8::try_from(i % 251).unwrap()).collect();
        let sliced = SlicedJson::new(Bytes::from(whole.clone()));
        assert_eq!(sliced.size(), BodySize::Sized(whole.len() as u64));
        assert_eq!(body::to_bytes(sliced).await.unwrap(), Bytes::from(whole));
    }

    #[tokio::test]
    async fn a_sliced_body_is_handed_over_no_more_than_a_slice_at_a_time() {
        let mut sliced = SlicedJson::new(Bytes::from(vec![b'x'; SLICE_BYTES * 2 + 1]));
        let mut slices = Vec::new();
        while let Some(slice) = std::future::poll_fn(|cx| Pin::new(&mut sliced).poll_next(cx)).await {
            slices.push(slice.unwrap().len());
        }
        assert_eq!(slices, vec![SLICE_BYTES, SLICE_BYTES, 1]);
    }
}
