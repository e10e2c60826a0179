//! The one typed wrapper around the shell's `invoke`.
//!
//! Every command takes one argument, sent as `{ "args": <value> }`, and
//! answers its view or an [`IpcError`]. Values cross as JSON text through
//! the browser's own `JSON`, so they are encoded exactly as the shell's
//! serde decodes them.

use biomend_ipc::IpcError;
use serde::Serialize;
use serde::de::DeserializeOwned;

#[derive(Serialize)]
struct Wrapped<'a, A> {
    args: &'a A,
}

/// Calls `window.__TAURI__.core.invoke(cmd, { args })` and decodes the
/// answer, or the error as [`IpcError`].
pub async fn invoke<A: Serialize, R: DeserializeOwned>(cmd: &str, args: &A) -> Result<R, IpcError> {
    let body = serde_json::to_string(&Wrapped { args })
        .map_err(|e| IpcError::new("encode", format!("Could not send {cmd}: {e}")))?;
    let answer = bridge::call(cmd, &body)
        .await
        .map_err(|raw| decode_error(cmd, &raw))?;
    decode_answer(cmd, &answer)
}

/// The answer's JSON text as the command's view. A command that answers
/// nothing arrives as `null`.
pub fn decode_answer<R: DeserializeOwned>(cmd: &str, json: &str) -> Result<R, IpcError> {
    let text = if json.trim().is_empty() { "null" } else { json };
    serde_json::from_str(text).map_err(|e| {
        IpcError::new(
            "decode",
            format!("The answer to {cmd} could not be read: {e}"),
        )
    })
}

/// A rejection's JSON text as the one error shape; anything else the shell
/// or the browser threw is kept as its text.
pub fn decode_error(cmd: &str, raw: &str) -> IpcError {
    if let Ok(e) = serde_json::from_str::<IpcError>(raw) {
        return e;
    }
    let text = serde_json::from_str::<String>(raw).unwrap_or_else(|_| raw.to_string());
    IpcError::new("shell", format!("{cmd} failed: {text}"))
}

#[cfg(target_arch = "wasm32")]
mod bridge {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(catch, js_namespace = ["window", "__TAURI__", "core"], js_name = invoke)]
        async fn tauri_invoke(cmd: &str, args: JsValue) -> Result<JsValue, JsValue>;
    }

    fn to_text(v: &JsValue) -> String {
        if let Some(s) = v.as_string() {
            // A thrown string, or a plain-string rejection: keep it JSON.
            return serde_json::to_string(&s).unwrap_or(s);
        }
        if v.is_undefined() || v.is_null() {
            return "null".into();
        }
        if let Some(e) = v.dyn_ref::<js_sys::Error>() {
            let msg: String = e.message().into();
            return serde_json::to_string(&msg).unwrap_or(msg);
        }
        js_sys::JSON::stringify(v)
            .ok()
            .and_then(|s| s.as_string())
            .unwrap_or_else(|| "null".into())
    }

    /// The answer's JSON text, or the rejection's.
    pub async fn call(cmd: &str, body: &str) -> Result<String, String> {
        let args = js_sys::JSON::parse(body).map_err(|e| to_text(&e))?;
        match tauri_invoke(cmd, args).await {
            Ok(v) => Ok(to_text(&v)),
            Err(e) => Err(to_text(&e)),
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod bridge {
    /// Outside the desktop window there is no shell to call.
    pub async fn call(_cmd: &str, _body: &str) -> Result<String, String> {
        Err(serde_json::json!({
            "code": "no_shell",
            "message": "Biomend's window runs only inside the desktop app."
        })
        .to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use biomend_ipc::{NoArgs, SyncStatus, TagArg};

    #[test]
    fn arguments_travel_wrapped_as_args() {
        let body = serde_json::to_value(Wrapped {
            args: &TagArg {
                tag: "BME-1".into(),
            },
        })
        .unwrap();
        assert_eq!(body, serde_json::json!({"args": {"tag": "BME-1"}}));
        let none = serde_json::to_value(Wrapped { args: &NoArgs {} }).unwrap();
        assert_eq!(none, serde_json::json!({"args": {}}));
    }

    #[test]
    fn errors_decode_as_the_one_shape_and_anything_else_is_kept_as_text() {
        let e = decode_error("find", r#"{"code":"not_found","message":"No asset BME-9"}"#);
        assert_eq!(e, IpcError::new("not_found", "No asset BME-9"));
        let s = decode_error("find", r#""command find not found""#);
        assert_eq!(s.code, "shell");
        assert!(s.message.contains("command find not found"));
    }

    #[test]
    fn answers_decode_into_views_and_nothing_decodes_as_unit() {
        let s: SyncStatus = decode_answer(
            "status",
            r#"{"online":true,"syncing":false,"pending":3,"rejected":0,"refused":[],"last_success":null,"last_error":null,"server_url":null}"#,
        )
        .unwrap();
        assert_eq!(s.pending, 3);
        let unit: Result<(), _> = decode_answer("sign_out", "null");
        assert!(unit.is_ok());
        let bad: Result<SyncStatus, _> = decode_answer("status", "{}");
        assert_eq!(bad.unwrap_err().code, "decode");
    }

    #[test]
    fn outside_the_window_invoke_says_there_is_no_shell() {
        let r: Result<SyncStatus, _> = futures_lite_block_on(invoke("status", &NoArgs {}));
        assert_eq!(r.unwrap_err().code, "no_shell");
    }

    /// Polls a future that never waits (the native bridge answers at once).
    fn futures_lite_block_on<F: std::future::Future>(f: F) -> F::Output {
        use std::task::{Context, Poll, Waker};
        let mut f = std::pin::pin!(f);
        let mut cx = Context::from_waker(Waker::noop());
        match f.as_mut().poll(&mut cx) {
            Poll::Ready(v) => v,
            Poll::Pending => panic!("the native bridge answers at once"),
        }
    }
}
