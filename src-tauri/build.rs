//! Tauri's build step: the embedded config and frontend, and an app
//! manifest naming every window command, so the capability file grants
//! exactly those (an unknown command is refused by Tauri, not by us).

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(biomend_ipc::cmd::ALL)),
    )
    .expect("tauri build step");
}
