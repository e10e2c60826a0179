//! The signature pad: a canvas drawn with pointer events (touch, pen and
//! mouse alike), kept as SVG path data, with Clear.

use crate::state::signature::Pad;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, PointerEvent};
use yew::prelude::*;

#[derive(Debug, Properties, PartialEq)]
pub struct PadProps {
    /// The path once signed, `None` when cleared.
    pub on_change: Callback<Option<String>>,
}

fn context(canvas: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok())
}

/// Where the pointer is on the pad, in the pad's own pixels.
fn at(canvas: &HtmlCanvasElement, e: &PointerEvent) -> (f64, f64) {
    let r = canvas.get_bounding_client_rect();
    (
        f64::from(e.client_x()) - r.left(),
        f64::from(e.client_y()) - r.top(),
    )
}

fn pen(ctx: &CanvasRenderingContext2d) {
    ctx.set_line_width(2.5);
    ctx.set_line_cap("round");
    ctx.set_line_join("round");
    ctx.set_stroke_style_str("#13232d");
}

/// Keeps the canvas's drawing size equal to its size on screen, so a
/// stroke lands under the pen.
fn fit(canvas: &HtmlCanvasElement) {
    let (w, h) = (
        canvas.client_width().max(1) as u32,
        canvas.client_height().max(1) as u32,
    );
    if canvas.width() != w || canvas.height() != h {
        canvas.set_width(w);
        canvas.set_height(h);
    }
}

#[function_component(SignaturePad)]
pub fn signature_pad(p: &PadProps) -> Html {
    let canvas_ref = use_node_ref();
    let pad = use_mut_ref(Pad::default);
    let signed = use_state(|| false);

    {
        let canvas_ref = canvas_ref.clone();
        use_effect_with((), move |_| {
            if let Some(c) = canvas_ref.cast::<HtmlCanvasElement>() {
                fit(&c);
            }
        });
    }

    let down = {
        let canvas_ref = canvas_ref.clone();
        let pad = pad.clone();
        Callback::from(move |e: PointerEvent| {
            e.prevent_default();
            let Some(c) = canvas_ref.cast::<HtmlCanvasElement>() else {
                return;
            };
            if pad.borrow().path().is_empty() {
                fit(&c);
            }
            let _ = c.set_pointer_capture(e.pointer_id());
            let (x, y) = at(&c, &e);
            pad.borrow_mut().begin(x, y);
        })
    };
    let moved = {
        let canvas_ref = canvas_ref.clone();
        let pad = pad.clone();
        Callback::from(move |e: PointerEvent| {
            if !pad.borrow().is_drawing() {
                return;
            }
            e.prevent_default();
            let Some(c) = canvas_ref.cast::<HtmlCanvasElement>() else {
                return;
            };
            let (x, y) = at(&c, &e);
            let seg = pad.borrow_mut().extend(x, y);
            if let Some(((x0, y0), (x1, y1))) = seg
                && let Some(ctx) = context(&c)
            {
                pen(&ctx);
                ctx.begin_path();
                ctx.move_to(f64::from(x0), f64::from(y0));
                ctx.line_to(f64::from(x1), f64::from(y1));
                ctx.stroke();
            }
        })
    };
    let up = {
        let pad = pad.clone();
        let on_change = p.on_change.clone();
        let signed = signed.clone();
        Callback::from(move |_e: PointerEvent| {
            if !pad.borrow().is_drawing() {
                return;
            }
            pad.borrow_mut().end();
            let sig = pad.borrow().signature();
            signed.set(sig.is_some());
            on_change.emit(sig);
        })
    };
    let clear = {
        let canvas_ref = canvas_ref.clone();
        let pad = pad.clone();
        let on_change = p.on_change.clone();
        let signed = signed.clone();
        Callback::from(move |_| {
            pad.borrow_mut().clear();
            if let Some(c) = canvas_ref.cast::<HtmlCanvasElement>()
                && let Some(ctx) = context(&c)
            {
                ctx.clear_rect(0.0, 0.0, f64::from(c.width()), f64::from(c.height()));
            }
            signed.set(false);
            on_change.emit(None);
        })
    };
    html! {
        <div class="signature-wrap">
            <canvas id="signature-pad" ref={canvas_ref}
                role="img" aria-label="Signature pad: sign with a finger, pen or mouse"
                data-signed={signed.to_string()}
                onpointerdown={down} onpointermove={moved}
                onpointerup={up.clone()} onpointercancel={up.clone()} onpointerleave={up} />
            <div class="actions">
                <button type="button" id="signature-clear" onclick={clear}>{ "Clear signature" }</button>
                <span class="muted">{ if *signed { "Signed" } else { "Sign above" } }</span>
            </div>
        </div>
    }
}
