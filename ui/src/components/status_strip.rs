//! The always-visible sync strip: online or offline, changes waiting, the
//! last sync, "Sync now", and why the last sync failed. Polls `status`
//! every 3 s.

use crate::browser::{now_utc, utc_offset_minutes};
use crate::hooks::{use_ctx, use_interval};
use crate::ipc::invoke;
use crate::state::sync_strip::strip;
use biomend_ipc::{NoArgs, SyncStatus, cmd};
use yew::platform::spawn_local;
use yew::prelude::*;

#[derive(Debug, Properties, PartialEq)]
pub struct StripProps {
    /// Changes when a screen changed data, to read the status at once.
    pub tick: u32,
}

const POLL_MS: u32 = 3_000;

#[function_component(StatusStrip)]
pub fn status_strip(p: &StripProps) -> Html {
    let ctx = use_ctx();
    let status = use_state(|| None::<SyncStatus>);
    let busy = use_state(|| false);

    let fetch = {
        let status = status.clone();
        let signed_out = ctx.signed_out.clone();
        Callback::from(move |_| {
            let status = status.clone();
            let signed_out = signed_out.clone();
            spawn_local(async move {
                match invoke::<_, SyncStatus>(cmd::STATUS, &NoArgs {}).await {
                    Ok(s) => status.set(Some(s)),
                    Err(e) if crate::state::load::is_signed_out(&e) => signed_out.emit(()),
                    // A status that cannot be read keeps the last one shown.
                    Err(_) => {}
                }
            });
        })
    };
    {
        let fetch = fetch.clone();
        use_effect_with(p.tick, move |_| fetch.emit(()));
    }
    use_interval(POLL_MS, true, fetch);

    let sync_now = {
        let status = status.clone();
        let busy = busy.clone();
        let fail = ctx.fail.clone();
        Callback::from(move |_| {
            if *busy {
                return;
            }
            busy.set(true);
            let status = status.clone();
            let busy = busy.clone();
            let fail = fail.clone();
            spawn_local(async move {
                match invoke::<_, SyncStatus>(cmd::SYNC_NOW, &NoArgs {}).await {
                    Ok(s) => status.set(Some(s)),
                    Err(e) => fail.emit(e),
                }
                busy.set(false);
            });
        })
    };

    let Some(s) = (*status).clone() else {
        return html! {
            <div id="sync-status" class="strip" data-online="false" aria-live="polite">
                <span class="state">{ "Checking sync…" }</span>
                <span>{ "Changes waiting: " }<strong id="pending-count">{ "0" }</strong></span>
                <span id="last-sync"></span>
                <span class="spacer"></span>
                <button type="button" id="sync-now" onclick={sync_now} disabled={*busy}>{ "Sync now" }</button>
            </div>
        };
    };
    let v = strip(&s, now_utc(), utc_offset_minutes());
    let syncing = *busy || s.syncing;
    html! {
        <div id="sync-status" class="strip" data-online={v.online.to_string()} aria-live="polite">
            <span class="state" title={v.headline.clone()}>{ &v.state }</span>
            <span title={v.pending_text.clone()}>
                { "Changes waiting: " }<strong id="pending-count">{ v.pending }</strong>
            </span>
            <span id="last-sync">{ &v.last_sync }</span>
            <span class="spacer"></span>
            <button type="button" id="sync-now" onclick={sync_now} disabled={syncing}>
                { if syncing { "Syncing…" } else { "Sync now" } }
            </button>
            if v.error.is_some() || !v.refused.is_empty() {
                <div id="sync-error" class="sync-error" role="status">
                    if let Some(err) = &v.error { <div>{ err }</div> }
                    if !v.refused.is_empty() {
                        <ul class="refused">
                            { for v.refused.iter().map(|r| html! { <li>{ r }</li> }) }
                        </ul>
                    }
                </div>
            }
        </div>
    }
}
