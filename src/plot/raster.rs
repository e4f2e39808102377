//! The PNG drawing backend: plotters' bitmap backend with its own text
//! renderer.
//!
//! plotters 0.3.7's `ab_glyph` text path places each glyph at the pen
//! position without the glyph's left side bearing, which makes letter spacing
//! uneven. [`TextBitmap`] forwards every drawing call to
//! [`BitMapBackend`] except text, which it lays out and rasterises itself
//! with `ab_glyph` from the embedded font: glyphs at their outline bounds,
//! kerning applied, baseline at the font's ascent below the top of the text
//! box, anchors and 90° rotations as plotters defines them.

use std::sync::OnceLock;

use ab_glyph::{Font, FontRef, PxScale, ScaleFont};
use plotters::prelude::BitMapBackend;
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
};

use super::FONT_BYTES;

/// The embedded font, parsed once.
fn font() -> Option<&'static FontRef<'static>> {
    static FONT: OnceLock<Option<FontRef<'static>>> = OnceLock::new();
    FONT.get_or_init(|| FontRef::try_from_slice(FONT_BYTES).ok())
        .as_ref()
}

/// Error when the embedded font cannot be parsed (checked by
/// `ensure_font` before any drawing, so not expected in practice).
#[derive(Debug)]
struct NoFont;

impl std::fmt::Display for NoFont {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the embedded font could not be parsed")
    }
}

impl std::error::Error for NoFont {}

/// One laid-out line of text: glyphs at horizontal pen positions.
struct Layout {
    glyphs: Vec<(ab_glyph::GlyphId, f32)>,
    width: f32,
    ascent: f32,
    height: f32,
    scale: PxScale,
}

/// Lay out `text` at pixel size `size` (the same size plotters passes to its
/// own `ab_glyph` renderer, so boxes agree closely with the SVG layout).
fn layout(font: &FontRef<'static>, text: &str, size: f64) -> Layout {
    let scale = PxScale::from(size.max(1.0) as f32);
    let scaled = font.as_scaled(scale);
    let mut pen = 0.0_f32;
    let mut prev = None;
    let mut glyphs = Vec::with_capacity(text.len());
    for c in text.chars().filter(|c| !c.is_control()) {
        let id = scaled.glyph_id(c);
        if let Some(p) = prev {
            pen += scaled.kern(p, id);
        }
        glyphs.push((id, pen));
        pen += scaled.h_advance(id);
        prev = Some(id);
    }
    let ascent = scaled.ascent();
    let height = ascent - scaled.descent();
    Layout {
        glyphs,
        width: pen.max(0.0),
        ascent,
        height,
        scale,
    }
}

/// [`BitMapBackend`] with a correct text renderer (see the module docs).
pub(super) struct TextBitmap<'a>(pub(super) BitMapBackend<'a>);

impl<'a> DrawingBackend for TextBitmap<'a> {
    type ErrorType = <BitMapBackend<'a> as DrawingBackend>::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.0.get_size()
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.present()
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.fill_polygon(vert, style)
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.blit_bitmap(pos, size, src)
    }

    fn estimate_text_size<TStyle: BackendTextStyle>(
        &self,
        text: &str,
        style: &TStyle,
    ) -> Result<(u32, u32), DrawingErrorKind<Self::ErrorType>> {
        let font = font().ok_or_else(|| DrawingErrorKind::FontError(Box::new(NoFont)))?;
        let l = layout(font, text, style.size());
        Ok((l.width.ceil() as u32, l.height.ceil() as u32))
    }

    fn draw_text<TStyle: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &TStyle,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        let font = font().ok_or_else(|| DrawingErrorKind::FontError(Box::new(NoFont)))?;
        let l = layout(font, text, style.size());
        let (width, height) = (l.width.ceil() as i32, l.height.ceil() as i32);
        let anchor = style.anchor();
        let dx = match anchor.h_pos {
            HPos::Left => 0,
            HPos::Right => -width,
            HPos::Center => -width / 2,
        };
        let dy = match anchor.v_pos {
            VPos::Top => 0,
            VPos::Center => -height / 2,
            VPos::Bottom => -height,
        };
        let trans = style.transform();
        let (w, h) = self.get_size();
        for &(id, x) in &l.glyphs {
            let glyph = id.with_scale_and_position(l.scale, ab_glyph::point(x, l.ascent));
            let Some(outline) = font.outline_glyph(glyph) else {
                continue;
            };
            let bounds = outline.px_bounds();
            let (bx, by) = (bounds.min.x as i32, bounds.min.y as i32);
            let mut pixels: Vec<(i32, i32, f32)> = Vec::new();
            outline.draw(|gx, gy, coverage| {
                if coverage > 0.0 {
                    pixels.push((bx + gx as i32, by + gy as i32, coverage));
                }
            });
            for (px, py, coverage) in pixels {
                let (tx, ty) = trans.transform(px + dx, py + dy);
                let (x, y) = (pos.0 + tx, pos.1 + ty);
                if x >= 0 && y >= 0 && (x as u32) < w && (y as u32) < h {
                    self.0.draw_pixel(
                        (x, y),
                        BackendColor {
                            alpha: color.alpha * f64::from(coverage.min(1.0)),
                            rgb: color.rgb,
                        },
                    )?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_width_is_sum_of_advances() {
        let font = font().expect("embedded font parses");
        let l = layout(font, "AV", 20.0);
        let scaled = font.as_scaled(PxScale::from(20.0));
        let a = scaled.glyph_id('A');
        let v = scaled.glyph_id('V');
        let expected = scaled.h_advance(a) + scaled.kern(a, v) + scaled.h_advance(v);
        assert!((l.width - expected).abs() < 1e-4);
        assert!(l.height > l.ascent && l.ascent > 0.0);
        assert_eq!(layout(font, "", 20.0).width, 0.0);
    }
}
