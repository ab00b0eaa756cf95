//! `kitgen serve`: build, serve on localhost, watch, rebuild what changed, reload the browser.

pub mod http;
