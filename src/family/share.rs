//! Sharing cards: a 1200 × 630 PNG per language (`share/card-<lang>.png`) with the site's title
//! in the campaign's colours, the `og:image` of every page that has no image of its own (a
//! commune's page and the poster gallery show a poster's preview instead; see
//! `partials/head_meta.html`).

use std::sync::Arc;

use super::{Artifact, Family, Kind, PlanCx, Planned, RenderCx};
use crate::deps::{self, Dep};
use crate::diag::Diagnostic;
use crate::render::card;
use crate::render::fonts::Fonts;

/// The sharing cards family.
pub struct Cards;

impl Family for Cards {
    type Job = usize;
    type State = Arc<Fonts>;
    type Input = ();

    fn name(&self) -> &'static str {
        "cards"
    }

    fn plan(&self, cx: &PlanCx<'_>) -> Planned<usize, Arc<Fonts>> {
        let langs = &cx.site().config.languages;
        let outputs = langs.iter().enumerate().map(|(i, l)| (card::path(&l.code), i)).collect();
        Planned::new(cx.inputs.fonts.clone(), outputs)
    }

    fn render(
        &self,
        cx: &RenderCx<'_, Self>,
        fonts: &Arc<Fonts>,
        lang: &usize,
    ) -> Result<Artifact, Diagnostic> {
        deps::record(Dep::Config);
        let c = &cx.site.config;
        let title = &c.languages[*lang].title;
        let png = card::png(title, &card::address(&c.base_url), fonts).map_err(|e| {
            Diagnostic::error(
                "K843",
                format!("the sharing card of `{}` cannot be drawn: {e}", c.languages[*lang].code),
            )
            .hint("check the theme's fonts (themes/<theme>/fonts/)")
        })?;
        Ok(Artifact::file(Kind::Png, png))
    }
}
