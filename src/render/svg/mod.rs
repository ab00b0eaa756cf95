//! SVG: the census charts and the map of France, drawn in Rust (no chart or map library, no
//! JavaScript), deterministic, with classes instead of `style` attributes for the site's CSP.

pub mod charts;
pub mod fit;
pub mod map;
pub mod qr;
pub mod sanitize;
pub mod tree;
