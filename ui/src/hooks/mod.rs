//! Hooks: load a command's view, tick on an interval, and reach the app's
//! shared context.

use crate::app::Ctx;
use crate::ipc::invoke;
use crate::state::load::Load;
use biomend_ipc::IpcError;
use serde::Serialize;
use serde::de::DeserializeOwned;
use yew::platform::spawn_local;
use yew::prelude::*;

/// The app's shared context; every screen after sign-in has it.
#[hook]
pub fn use_ctx() -> Ctx {
    use_context::<Ctx>().expect("screens render inside the signed-in frame")
}

/// Runs `cmd` with `args` when the screen mounts (and again when `args`
/// change or `reload` is called). A failure that means nobody is signed in
/// goes straight back to sign-in.
#[hook]
pub fn use_ipc<A, R>(cmd: &'static str, args: A) -> (UseStateHandle<Load<R>>, Callback<()>)
where
    A: Serialize + PartialEq + Clone + 'static,
    R: DeserializeOwned + 'static,
{
    let ctx = use_context::<Ctx>();
    let state = use_state(|| Load::Loading);
    let tick = use_state(|| 0u32);
    {
        let state = state.clone();
        use_effect_with((args, *tick), move |(args, _)| {
            let args = args.clone();
            spawn_local(async move {
                let r: Result<R, IpcError> = invoke(cmd, &args).await;
                if let (Err(e), Some(ctx)) = (&r, &ctx)
                    && crate::state::load::is_signed_out(e)
                {
                    ctx.signed_out.emit(());
                }
                state.set(r.into());
            });
        });
    }
    let reload = {
        let tick = tick.clone();
        Callback::from(move |_| tick.set(tick.wrapping_add(1)))
    };
    (state, reload)
}

/// Calls `tick` every `millis` while the component is mounted and `on` is
/// true.
#[hook]
pub fn use_interval(millis: u32, on: bool, tick: Callback<()>) {
    use_effect_with((millis, on), move |&(millis, on)| {
        let interval =
            on.then(|| gloo_timers::callback::Interval::new(millis, move || tick.emit(())));
        move || drop(interval)
    });
}

/// Makes a component re-render every `millis` while `on` (a ticking clock).
#[hook]
pub fn use_ticker(millis: u32, on: bool) {
    let update = use_force_update();
    let tick = Callback::from(move |_| update.force_update());
    use_interval(millis, on, tick);
}

/// `handle.reform(|e| Action)`: a callback that dispatches the action an
/// event maps to.
pub trait Reform<R: Reducible> {
    fn reform<E: 'static>(&self, f: impl Fn(E) -> R::Action + 'static) -> Callback<E>;
}

impl<R: Reducible + 'static> Reform<R> for UseReducerHandle<R> {
    fn reform<E: 'static>(&self, f: impl Fn(E) -> R::Action + 'static) -> Callback<E> {
        let handle = self.clone();
        Callback::from(move |e: E| handle.dispatch(f(e)))
    }
}
