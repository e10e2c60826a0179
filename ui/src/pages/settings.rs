//! The hospital's settings (managers and administrators): every threshold
//! and weight the reports judge with, by section, each with its default
//! and a way back to it; a save sends only what changed, and a refusal
//! shows beside the setting it names.

use crate::app::reducible;
use crate::components::{input_value, load_view, select_value};
use crate::hooks::{Reform, use_ctx, use_ipc};
use crate::ipc::invoke;
use crate::state::load::{Load, is_signed_out};
use crate::state::settings::{Row, SettingsAction, SettingsForm};
use biomend_ipc::{NoArgs, SaveSettings, SavedSettings, SettingKind, SettingsView, cmd};
use yew::platform::spawn_local;
use yew::prelude::*;

reducible!(SettingsForm, SettingsAction);

#[function_component(SettingsPage)]
pub fn settings_page() -> Html {
    let ctx = use_ctx();
    let form = use_reducer(SettingsForm::default);
    let (load, reload) = use_ipc::<NoArgs, SettingsView>(cmd::SETTINGS, NoArgs {});
    {
        let form = form.clone();
        use_effect_with((*load).clone(), move |l| {
            if let Load::Ready(v) = l {
                form.dispatch(SettingsAction::Loaded(v.clone()));
            }
        });
    }
    let save = {
        let (form, ctx) = (form.clone(), ctx.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if !form.dirty() || form.saving {
                return;
            }
            let args = SaveSettings {
                changes: form.changes(),
            };
            form.dispatch(SettingsAction::Saving);
            let (form, ctx) = (form.clone(), ctx.clone());
            spawn_local(async move {
                match invoke::<_, SavedSettings>(cmd::SAVE_SETTINGS, &args).await {
                    Ok(saved) => {
                        form.dispatch(SettingsAction::Saved(saved));
                        ctx.refresh_status.emit(());
                    }
                    Err(e) if is_signed_out(&e) => ctx.signed_out.emit(()),
                    Err(e) => form.dispatch(SettingsAction::Refused(e)),
                }
            });
        })
    };
    let discard = form.reform(|_: MouseEvent| SettingsAction::Discard);
    let body = load_view::view(&load, &reload, |_| {
        if form.view.is_none() {
            return html! { <p class="muted" aria-busy="true">{ "Loading…" }</p> };
        }
        let editable = form.can_change();
        html! {
            <form id="settings-form" onsubmit={save.clone()}>
                <p class="muted" id="settings-saved-by">{ form.saved_by() }</p>
                if let Some(n) = &form.notice {
                    <p id="settings-notice" class="notice ok" role="status">{ n }</p>
                }
                if let Some(r) = &form.refusal {
                    <p id="settings-error" class="error-text" role="alert"
                        data-key={r.key.clone().unwrap_or_default()}>
                        { format!("Not saved: {}", r.message) }
                    </p>
                }
                { for form.sections().into_iter().map(|s| html! {
                    <fieldset class="card settings-section" data-section={s.code.clone()}>
                        <legend>{ s.title.clone() }</legend>
                        { for s.rows.into_iter().map(|r| setting_row(&form, r, editable)) }
                    </fieldset>
                }) }
                if editable {
                    <div class="actions settings-actions">
                        <button type="submit" id="settings-save" class="primary"
                            disabled={!form.dirty() || form.saving}>
                            { if form.saving { "Saving…" } else { "Save changes" } }
                        </button>
                        <button type="button" id="settings-discard"
                            disabled={!form.dirty() || form.saving} onclick={discard.clone()}>
                            { "Discard changes" }
                        </button>
                    </div>
                }
            </form>
        }
    });
    html! {
        <section id="settings" class="panel">
            <h1>{ "Hospital settings" }</h1>
            <p>{ "The thresholds and weights every report and every tablet judges with. A change is saved on this tablet at once and reaches the others at their next sync." }</p>
            { body }
        </section>
    }
}

/// One setting: its label, the input its kind calls for, its default with
/// a way back to it, its help, and a refusal that names it.
fn setting_row(form: &UseReducerHandle<SettingsForm>, r: Row, editable: bool) -> Html {
    let key = r.key.clone();
    let on_input = {
        let key = key.clone();
        form.reform(move |e: InputEvent| SettingsAction::Type {
            key: key.clone(),
            text: input_value(e),
        })
    };
    let on_choose = {
        let key = key.clone();
        form.reform(move |e: Event| SettingsAction::Type {
            key: key.clone(),
            text: select_value(e),
        })
    };
    let use_default = {
        let key = key.clone();
        form.reform(move |_: MouseEvent| SettingsAction::UseDefault(key.clone()))
    };
    let help_id = format!("{}-help", r.id);
    let input = match r.kind {
        SettingKind::YesNo => html! {
            <select id={r.id.clone()} onchange={on_choose} disabled={!editable}
                aria-describedby={help_id.clone()}>
                <option value="true" selected={r.text == "true"}>{ "Yes" }</option>
                <option value="false" selected={r.text != "true"}>{ "No" }</option>
            </select>
        },
        kind => {
            let (mode, placeholder) = match kind {
                SettingKind::Days | SettingKind::WholeNumber => ("numeric", ""),
                SettingKind::Cents => ("numeric", "none"),
                _ => ("decimal", ""),
            };
            html! {
                <input id={r.id.clone()} type="text" inputmode={mode} autocomplete="off"
                    placeholder={placeholder} value={r.text.clone()} oninput={on_input}
                    disabled={!editable} aria-describedby={help_id.clone()}
                    aria-invalid={r.error.is_some().then_some("true")} />
            }
        }
    };
    let unit = match r.kind {
        SettingKind::Days => Some("days"),
        SettingKind::Cents => Some("cents"),
        _ => None,
    };
    html! {
        <div class={classes!("setting", r.changed.then_some("changed"), r.error.is_some().then_some("invalid"))}
            data-key={r.key.clone()} data-default={r.is_default.to_string()}
            data-changed={r.changed.to_string()}>
            <label for={r.id.clone()}>{ r.label.clone() }</label>
            <div class="setting-value">
                { input }
                if let Some(u) = unit { <span class="muted">{ u }</span> }
                <span class="setting-default muted">
                    { if r.is_default { format!("{} (in use)", r.default_text) } else { r.default_text.clone() } }
                </span>
                if editable && !r.is_default {
                    <button type="button" class="setting-reset" onclick={use_default}>{ "Use default" }</button>
                }
            </div>
            <p id={help_id} class="setting-help muted">
                { r.help.clone() }{ " " }<code>{ r.key.clone() }</code>
            </p>
            if let Some(p) = &r.problem {
                <p class="setting-problem warn">{ format!("The stored value cannot be used here, so the default applies: {p}") }</p>
            }
            if let Some(e) = &r.error {
                <p class="error-text setting-error" role="alert">{ e.clone() }</p>
            }
        </div>
    }
}
