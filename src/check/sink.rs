//! The sink `kitgen check` builds into: each output is read as it is rendered (on the worker
//! threads) and only what the checks that span outputs need is kept — ids and links of pages,
//! and the bytes of files that later outputs are made from (PDFs and images for the packs).

use std::collections::{BTreeMap, HashMap};
use std::io;
use std::sync::Mutex;

use super::scan::{self, Link};
use super::{Finding, files};
use crate::write::Sink;
use crate::write::index::Key;

/// What the checks keep of one output.
#[derive(Debug, Default)]
pub struct Facts {
    /// Ids (pages only).
    pub ids: Vec<String>,
    /// Links and resources, relative to the output.
    pub links: Vec<Link>,
    /// Output paths an XML file (sitemap, feed) names through absolute URLs.
    pub absolute: Vec<String>,
    /// Findings on this output alone.
    pub findings: Vec<Finding>,
}

/// The sink.
pub struct CheckSink {
    /// `base_url` with its trailing slash, to read sitemaps and feeds.
    base_url: String,
    facts: Mutex<BTreeMap<String, Facts>>,
    bytes: Mutex<HashMap<String, Vec<u8>>>,
}

impl CheckSink {
    /// An empty sink for a site published at `base_url`.
    pub fn new(base_url: &str) -> CheckSink {
        let mut base_url = base_url.to_string();
        if !base_url.ends_with('/') {
            base_url.push('/');
        }
        CheckSink { base_url, facts: Mutex::default(), bytes: Mutex::default() }
    }

    /// Every output with its facts, sorted by path.
    pub fn into_facts(self) -> BTreeMap<String, Facts> {
        self.facts.into_inner().unwrap_or_else(|e| e.into_inner())
    }

    fn analyse(&self, rel: &str, bytes: &[u8]) -> Facts {
        let ext = rel.rsplit_once('.').map_or("", |(_, e)| e).to_ascii_lowercase();
        let text = || String::from_utf8_lossy(bytes);
        match ext.as_str() {
            "html" | "htm" => {
                let p = scan::page(bytes);
                Facts { ids: p.ids, links: p.links, findings: p.findings, ..Facts::default() }
            }
            "css" => {
                let (links, findings) = files::css(&text());
                Facts { links, findings, ..Facts::default() }
            }
            "svg" => {
                let (links, findings) = files::svg(&text());
                Facts { links, findings, ..Facts::default() }
            }
            "js" | "mjs" => Facts { findings: files::script(&text()), ..Facts::default() },
            "pdf" => Facts { findings: files::pdf(bytes), ..Facts::default() },
            "png" | "jpg" | "jpeg" | "webp" => Facts { findings: files::image(bytes), ..Facts::default() },
            "xml" => Facts { absolute: self.absolute_urls(&text()), ..Facts::default() },
            _ => Facts::default(),
        }
    }

    /// Output paths of the site's own absolute URLs in a sitemap or feed (`<loc>`, `href`).
    fn absolute_urls(&self, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        for (open, close) in [("<loc>", "</loc>"), ("href=\"", "\"")] {
            let mut at = 0;
            while let Some(i) = text[at..].find(open) {
                let start = at + i + open.len();
                let end = text[start..].find(close).map_or(text.len(), |e| start + e);
                let url = text[start..end].trim().replace("&amp;", "&");
                if let Some(rest) = url.strip_prefix(&self.base_url) {
                    out.push(rest.to_string());
                } else if url.trim_end_matches('/') == self.base_url.trim_end_matches('/') {
                    out.push(String::new());
                }
                at = end;
            }
        }
        out
    }
}

impl Sink for CheckSink {
    fn is_fresh(&self, _: &str, _: &Key) -> bool {
        false
    }

    fn put(&self, rel: &str, bytes: &[u8], _: Option<Key>) -> io::Result<()> {
        let facts = self.analyse(rel, bytes);
        if !rel.ends_with(".html") {
            self.bytes.lock().unwrap_or_else(|e| e.into_inner()).insert(rel.to_string(), bytes.to_vec());
        }
        self.facts.lock().unwrap_or_else(|e| e.into_inner()).insert(rel.to_string(), facts);
        Ok(())
    }

    fn read(&self, rel: &str) -> Option<Vec<u8>> {
        self.bytes.lock().unwrap_or_else(|e| e.into_inner()).get(rel).cloned()
    }

    fn key(&self, _: &str) -> Option<Key> {
        None
    }
}
