//! kitgen's integration tests: one binary, a module per feature, fixture sites beside them.

// `pub` in a test binary only says "shared between test modules".
#![allow(unreachable_pub)]

mod architecture;
mod build;
mod check;
mod communes;
mod diagnostics;
mod families;
mod fuzz;
mod guide;
mod i18n;
mod import;
mod integrity;
mod kill;
mod kits;
mod offline;
mod posters;
mod publish;
mod search;
mod serve;
mod serve_e2e;
mod serve_http;
mod snapshots;
mod util;
