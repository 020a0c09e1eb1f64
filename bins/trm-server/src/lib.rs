//! # The TRM task API server
//!
//! Reads the configuration ([`configuration`]), opens the store its database
//! URL names ([`store`]), wires repositories into services and services into
//! the HTTP API ([`startup::Application`]), and serves until told to stop.
//! The binary's `main` only calls these; end-to-end tests call them too, on
//! a free port with a fresh store each.

pub mod configuration;
pub mod startup;
pub mod store;
pub mod telemetry;

pub use startup::Application;
