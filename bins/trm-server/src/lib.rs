//! # The TRM task API server
//!
//! Reads the configuration ([`configuration`]), opens the store its database
//! URL names ([`store`]), wires repositories into services and services into
//! the HTTP API ([`startup::Application`]), relays events between instances
//! when NATS is configured ([`nats`]), and serves until told to stop.
//! The binary's `main` only calls these; end-to-end tests call them too, on
//! a free port with a fresh store each.

pub mod access;
pub mod cli;
pub mod configuration;
pub mod keys;
pub mod nats;
pub mod startup;
pub mod store;
pub mod telemetry;
pub mod webhooks;

pub use startup::Application;
