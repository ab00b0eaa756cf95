//! PDFs of documents with Typst, in-process: letters, the flyer, the brochure as a book.
//!
//! kitgen writes the Typst source itself (see [`markup`] for Markdown, and the layouts of the
//! kits and books families) and compiles it here with the site's fonts only. Typst is called on
//! plain threads, never inside rayon's pool (its own parallelism nested badly there); its memo
//! cache is evicted after each document; every document is compiled under one file name, so
//! its global file-id table does not grow; its warnings (an unknown font, above all) are
//! errors. No author, creator or date is written: two builds give the same bytes.

pub mod markup;

use std::sync::OnceLock;

use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Smart};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World, WorldExt};
use typst_layout::PagedDocument;

use crate::render::fonts::Fonts;

/// The Typst standard library and the site's fonts, shared by every document of a build.
pub struct Engine {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("typst::Engine").field("fonts", &self.fonts.len()).finish()
    }
}

/// A file id from a fixed set of names: Typst never frees its file ids, so documents reuse them.
fn file_id(name: &'static str) -> FileId {
    static IDS: OnceLock<std::sync::Mutex<std::collections::HashMap<&'static str, FileId>>> = OnceLock::new();
    let mut ids = IDS.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    *ids.entry(name).or_insert_with(|| {
        let vpath = VirtualPath::new(name).unwrap_or_else(|_| unreachable!("`{name}` is a valid path"));
        RootedPath::new(VirtualRoot::Project, vpath).intern()
    })
}

/// The one file name every document is compiled under.
fn main_id() -> FileId {
    file_id("/kitgen.typ")
}

/// The images a document may show, under fixed names (`#image("qr.svg")`).
pub const FILE_NAMES: &[&str] = &["/qr.svg", "/logo.svg", "/image-1.svg", "/image-2.svg"];

/// A document being compiled.
struct Doc<'a> {
    engine: &'a Engine,
    source: Source,
    files: &'a [(&'static str, Bytes)],
}

impl World for Doc<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.engine.library
    }
    fn book(&self) -> &LazyHash<FontBook> {
        &self.engine.book
    }
    fn main(&self) -> FileId {
        main_id()
    }
    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == main_id() {
            Ok(self.source.clone())
        } else {
            Err(FileError::NotFound(id.vpath().get_without_slash().into()))
        }
    }
    fn file(&self, id: FileId) -> FileResult<Bytes> {
        self.files
            .iter()
            .find(|(name, _)| file_id(name) == id)
            .map(|(_, b)| b.clone())
            .ok_or_else(|| FileError::NotFound(id.vpath().get_without_slash().into()))
    }
    fn font(&self, index: usize) -> Option<Font> {
        self.engine.fonts.get(index).cloned()
    }
    fn today(&self, _: Option<typst::foundations::Duration>) -> Option<Datetime> {
        None
    }
}

/// What went wrong compiling a document, with the Typst source lines involved.
fn explain(doc: &Doc<'_>, diags: &[SourceDiagnostic]) -> String {
    let source = &doc.source;
    diags
        .iter()
        .map(|d| {
            let at = doc
                .range(d.span)
                .filter(|r| r.end <= source.text().len())
                .map(|r| {
                    let line = source.text()[..r.start].matches('\n').count() + 1;
                    let text = source.text().lines().nth(line - 1).unwrap_or("").trim();
                    format!(" (generated Typst line {line}: `{}`)", text.chars().take(80).collect::<String>())
                })
                .unwrap_or_default();
            format!("{}{at}", d.message)
        })
        .collect::<Vec<_>>()
        .join("; ")
}

impl Engine {
    /// The engine with these fonts (and none of the machine's).
    pub fn new(files: &Fonts) -> Engine {
        let fonts: Vec<Font> = files
            .files
            .iter()
            .flat_map(|data| {
                let bytes = Bytes::new(data.to_vec());
                (0..ttf_count(data)).filter_map(move |i| Font::new(bytes.clone(), i))
            })
            .collect();
        Engine {
            library: LazyHash::new(Library::default()),
            book: LazyHash::new(FontBook::from_fonts(&fonts)),
            fonts,
        }
    }

    /// The families of the fonts.
    pub fn families(&self) -> Vec<String> {
        let mut v: Vec<String> = self.fonts.iter().map(|f| f.info().family.clone()).collect();
        v.sort();
        v.dedup();
        v
    }

    /// Compiles Typst source into a PDF and the number of its pages. `files` are the images
    /// it may show, named from [`FILE_NAMES`].
    pub fn pdf(&self, text: String, files: &[(&'static str, Vec<u8>)]) -> Result<(Vec<u8>, usize), String> {
        let source = Source::new(main_id(), text);
        let files: Vec<(&'static str, Bytes)> =
            files.iter().map(|(n, b)| (*n, Bytes::new(b.clone()))).collect();
        let doc = Doc { engine: self, source, files: &files };
        let warned = typst::compile::<PagedDocument>(&doc);
        let result = match warned.output {
            Err(errors) => Err(explain(&doc, &errors)),
            Ok(_) if !warned.warnings.is_empty() => Err(explain(&doc, &warned.warnings)),
            Ok(document) => {
                let pages = document.pages().len();
                let options = typst_pdf::PdfOptions {
                    ident: Smart::Custom("kitgen".into()),
                    creator: Smart::Custom(None),
                    timestamp: None,
                    ..typst_pdf::PdfOptions::default()
                };
                typst_pdf::pdf(&document, &options).map(|b| (b, pages)).map_err(|e| explain(&doc, &e[..]))
            }
        };
        // Typst's memo cache grows with every document: keep only what the last ones used.
        comemo::evict(4);
        result
    }
}

/// Faces in a font file (a collection holds several).
fn ttf_count(data: &[u8]) -> u32 {
    if data.starts_with(b"ttcf") {
        u32::from_be_bytes([data[8], data[9], data[10], data[11]]).min(64)
    } else {
        1
    }
}
