//! kitgen: the static-site generator of the campaign against algorithmic video surveillance.
//!
//! One command turns a site tree (Markdown chapters, commune data, SVG posters, kit templates
//! and a Tera theme) into a multilingual static website plus printable kits. The pipeline is
//! `load → model → plan → render → write`; see `docs/architecture.md`.

pub mod config;
pub mod diag;
pub mod markdown;
pub mod slug;
pub mod yaml;
pub mod i18n;
pub mod load;
