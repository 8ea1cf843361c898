//! Whether a page fits its window, measured in the page from computed layout: content that
//! spills out of its box (text clipped or running past its container), text that runs into other
//! text, elements outside the window, page scrolling, and whether the playback bar is on screen. Scroll
//! containers (overflow `auto`/`scroll`) are allowed to hold more than they show: that is what
//! they are for, and what is scrolled out of sight is not checked against what is in sight.

use anyhow::{Context, Result};
use serde_json::Value;

use crate::browser::Browser;

/// What [`measure`] found.
#[derive(Debug, Clone)]
pub struct FitReport {
    /// The window's inner width and height.
    pub viewport: (f64, f64),
    /// The page's scrollable width and height (larger than the window: the page scrolls).
    pub page: (f64, f64),
    /// Elements whose content is larger than their box, or that stick out of the window.
    pub overflowing: Vec<String>,
    /// Pairs of text runs drawn over each other.
    pub overlapping: Vec<String>,
    /// The playback bar's visible box (`left, top, right, bottom`), if the view has one.
    pub playback: Option<(f64, f64, f64, f64)>,
    /// Whether the whole playback bar is inside the window and inside every scroll container
    /// around it (so it is on screen without scrolling anything).
    pub playback_visible: bool,
}

impl FitReport {
    /// Whether the page scrolls horizontally or vertically.
    pub fn page_scrolls(&self) -> bool {
        self.page.0 > self.viewport.0 + 0.5 || self.page.1 > self.viewport.1 + 0.5
    }

    /// Whether the page scrolls sideways.
    pub fn page_scrolls_sideways(&self) -> bool {
        self.page.0 > self.viewport.0 + 0.5
    }
}

/// The measuring script (a function body returning the report as JSON).
const SCRIPT: &str = r#"
const root = document.querySelector('[data-testid="app"]') || document.body;
const vw = window.innerWidth, vh = window.innerHeight;
// On a phone the page may scroll up and down: then what lies below the fold is not "outside".
const pageScrolls = Boolean(arguments[0]);
const bottom = pageScrolls ? Infinity : vh;
const name = (e) => {
  let n = e.tagName.toLowerCase();
  if (e.dataset && e.dataset.testid) n += `[${e.dataset.testid}]`;
  if (typeof e.className === 'string' && e.className.trim()) n += '.' + e.className.trim().split(/\s+/).join('.');
  return n;
};
const scrolls = (s) => /(auto|scroll)/.test(s.overflowX) || /(auto|scroll)/.test(s.overflowY);
const inScroller = (e) => {
  for (let a = e.parentElement; a; a = a.parentElement) if (scrolls(getComputedStyle(a))) return true;
  return false;
};
// The part of rect r that is visible through every clipping ancestor of e and the window.
const visible = (e, r) => {
  let c = { l: Math.max(r.left, 0), t: pageScrolls ? r.top : Math.max(r.top, 0), r: Math.min(r.right, vw), b: Math.min(r.bottom, bottom) };
  for (let a = e; a; a = a.parentElement) {
    const s = getComputedStyle(a);
    if (s.overflowX !== 'visible' || s.overflowY !== 'visible') {
      const b = a.getBoundingClientRect();
      c = { l: Math.max(c.l, b.left), t: Math.max(c.t, b.top), r: Math.min(c.r, b.right), b: Math.min(c.b, b.bottom) };
    }
  }
  return c;
};
const skipped = new Set(['CANVAS', 'INPUT', 'SELECT', 'OPTION', 'TEXTAREA', 'BR', 'STYLE', 'SCRIPT']);
const overflowing = [];
for (const e of root.querySelectorAll('*')) {
  if (!(e instanceof HTMLElement) || skipped.has(e.tagName)) continue;
  const s = getComputedStyle(e);
  if (s.display === 'none' || s.visibility === 'hidden' || s.display === 'contents') continue;
  const r = e.getBoundingClientRect();
  if (r.width === 0 && r.height === 0) continue;
  if (s.display !== 'inline' && !scrolls(s)) {
    if (e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1) {
      overflowing.push(`${name(e)}: content ${e.scrollWidth}×${e.scrollHeight} in a ${e.clientWidth}×${e.clientHeight} box`);
    }
  }
  if (!inScroller(e) && (r.left < -0.5 || (!pageScrolls && r.top < -0.5) || r.right > vw + 0.5 || r.bottom > bottom + 0.5)) {
    overflowing.push(`${name(e)}: at ${Math.round(r.left)},${Math.round(r.top)}–${Math.round(r.right)},${Math.round(r.bottom)}, outside the ${vw}×${vh} window`);
  }
}
const runs = [];
const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
while (walker.nextNode()) {
  const t = walker.currentNode;
  const el = t.parentElement;
  if (!t.data.trim() || !el || el.closest('select, option, style, script')) continue;
  const s = getComputedStyle(el);
  if (s.visibility === 'hidden' || Number(s.opacity) === 0) continue;
  const range = document.createRange();
  range.selectNodeContents(t);
  for (const r of range.getClientRects()) {
    if (r.width < 1 || r.height < 1) continue;
    const c = visible(el, r);
    if (c.r - c.l < 1 || c.b - c.t < 1) continue;
    // Text on a bar that stays put while the page scrolls under it is compared only with its own.
    const pinned = el.closest('.playback') && /(sticky|fixed)/.test(getComputedStyle(el.closest('.playback')).position);
    runs.push({ text: t.data.trim().slice(0, 24), owner: name(el), pinned: Boolean(pinned), ...c });
  }
}
const overlapping = [];
const slack = 2;
for (let i = 0; i < runs.length; i++) {
  for (let j = i + 1; j < runs.length; j++) {
    const a = runs[i], b = runs[j];
    if (a.pinned !== b.pinned) continue;
    const w = Math.min(a.r, b.r) - Math.max(a.l, b.l), h = Math.min(a.b, b.b) - Math.max(a.t, b.t);
    if (w > slack && h > slack) overlapping.push(`"${a.text}" (${a.owner}) and "${b.text}" (${b.owner}) overlap by ${Math.round(w)}×${Math.round(h)} px`);
  }
}
const bar = document.querySelector('.playback');
let playback = null, playbackVisible = false;
if (bar) {
  const r = bar.getBoundingClientRect();
  const c = visible(bar, r);
  playback = [r.left, r.top, r.right, r.bottom];
  playbackVisible = r.top >= -0.5 && r.bottom <= vh + 0.5 && Math.abs(c.l - r.left) < 1 && Math.abs(c.t - r.top) < 1
    && Math.abs(c.r - r.right) < 1 && Math.abs(c.b - r.bottom) < 1;
}
const doc = document.documentElement;
return JSON.stringify({
  viewport: [vw, vh],
  page: [Math.max(doc.scrollWidth, document.body.scrollWidth), Math.max(doc.scrollHeight, document.body.scrollHeight)],
  overflowing: overflowing.slice(0, 40),
  overlapping: overlapping.slice(0, 40),
  playback,
  playbackVisible,
});
"#;

/// Measures how the page in `browser` fits its window now. `page_scrolls`: the page may scroll
/// up and down (a phone), so what lies below the fold is not outside the window.
pub async fn measure(browser: &Browser, page_scrolls: bool) -> Result<FitReport> {
    let json = browser.eval(SCRIPT, vec![Value::Bool(page_scrolls)]).await?;
    let text = json.as_str().context("the fit script returned no text")?;
    let report: Value =
        serde_json::from_str(text).with_context(|| format!("the fit report does not parse: {text}"))?;
    let pair = |key: &str| -> Result<(f64, f64)> {
        let v = &report[key];
        Ok((
            v[0].as_f64().with_context(|| format!("{key}: {v}"))?,
            v[1].as_f64().with_context(|| format!("{key}: {v}"))?,
        ))
    };
    let strings = |key: &str| -> Vec<String> {
        report[key]
            .as_array()
            .map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_owned)).collect())
            .unwrap_or_default()
    };
    let playback = report["playback"].as_array().and_then(|a| {
        Some((
            a.first()?.as_f64()?,
            a.get(1)?.as_f64()?,
            a.get(2)?.as_f64()?,
            a.get(3)?.as_f64()?,
        ))
    });
    Ok(FitReport {
        viewport: pair("viewport")?,
        page: pair("page")?,
        overflowing: strings("overflowing"),
        overlapping: strings("overlapping"),
        playback,
        playback_visible: report["playbackVisible"].as_bool().unwrap_or(false),
    })
}
