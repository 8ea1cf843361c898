//! The wire protocol between the classroom server and its clients.
#![forbid(unsafe_code)]
