//! The softmax explanation: logits → exponentials → their sum → probabilities, term by term;
//! the step reveals the sum's terms one class at a time.

use models::explain;
use shared::Focus;
use yew::prelude::*;

use crate::components::hint::Hint;
use crate::components::playback_bar::PlaybackBar;
use crate::format;
use crate::model;
use crate::navigation;
use crate::playback;
use crate::scene::Scene;
use crate::shared_ref::Shared;

/// Props of [`SoftmaxView`].
#[derive(Properties, PartialEq)]
pub struct SoftmaxViewProps {
    /// The traced input.
    pub scene: Shared<Scene>,
    /// Which class and step.
    pub focus: Focus,
    /// Navigate to a new focus.
    pub onnavigate: Callback<Focus>,
    /// The class linked with its logit in the network above (pointed at in either).
    #[prop_or_default]
    pub linked: Option<usize>,
    /// Pointing at a class's row (`Some(class)`) or leaving it.
    #[prop_or_default]
    pub onlink: Callback<Option<usize>>,
}

/// The softmax view.
#[component]
pub fn SoftmaxView(props: &SoftmaxViewProps) -> Html {
    let net = model::network();
    let focus = props.focus;
    let layer = usize::from(focus.layer);
    let softmax = match explain::softmax(net, &props.scene.trace, layer) {
        Ok(s) => s,
        Err(e) => return html! { <p class="view-error">{ format!("Cannot explain softmax: {e}") }</p> },
    };
    let steps = navigation::steps(net, &focus);
    let step = playback::clamp(focus.step, steps) as usize;
    let class = usize::from(focus.neuron).min(softmax.logits.len().saturating_sub(1));
    let names = net.class_names();
    let partial: f64 = softmax.exponentials.iter().take(step + 1).sum();
    let rows = softmax.logits.iter().enumerate().map(|(i, &logit)| {
        let shown = i <= step;
        let select = {
            let onnavigate = props.onnavigate.clone();
            move |_| {
                onnavigate.emit(Focus {
                    neuron: i as u16,
                    step: i as u32,
                    playing: false,
                    ..focus
                })
            }
        };
        let p = softmax.probabilities[i];
        let enter = {
            let onlink = props.onlink.clone();
            move |_: PointerEvent| onlink.emit(Some(i))
        };
        let leave = {
            let onlink = props.onlink.clone();
            move |_: PointerEvent| onlink.emit(None)
        };
        html! {
            <tr key={i} class={classes!((i == class).then_some("selected"), (!shown).then_some("pending"), (i == step).then_some("current"),
                                        (props.linked == Some(i)).then_some("linked"))}
                data-testid={format!("softmax-row-{i}")} data-linked={(props.linked == Some(i)).to_string()}
                onclick={select.clone()} onpointerenter={enter} onpointerleave={leave}>
                <th scope="row"><button class="link" onclick={select}>{ names.get(i).cloned().unwrap_or_default() }</button></th>
                <td data-testid={format!("softmax-logit-{i}")} data-value={format::exact(logit)}>{ format::value(logit) }</td>
                <td data-testid={format!("softmax-exp-{i}")} data-value={softmax.exponentials[i].to_string()}>{ format::wide(softmax.exponentials[i]) }</td>
                <td data-testid={format!("softmax-prob-{i}")} data-value={format::exact(p)}>
                    { if shown { format::percent(p) } else { "…".to_owned() } }
                </td>
            </tr>
        }
    });
    let class_name = names.get(class).cloned().unwrap_or_default();
    html! {
        <section class="view view-softmax" data-testid="view-softmax" data-step={step.to_string()}
                 aria-label={format!("Softmax for {class_name}")}>
            <p class="lead">{ "Softmax turns the logits into probabilities: raise e to each logit, add the results, and divide each by the sum. Bigger logits win by much more." }</p>
            <div class="view-body softmax-body">
                <div class="table-scroll">
                <table class="softmax-table">
                    <thead><tr><th scope="col">{ "class" }</th><th scope="col">{ "logit" }</th><th scope="col">{ "e" }<sup>{ "logit" }</sup></th><th scope="col">{ "probability" }</th></tr></thead>
                    <tbody>{ for rows }</tbody>
                </table>
                </div>
                <div class="formula big-formula softmax-formula" aria-live="polite">
                    <div>{ format!("p(“{class_name}”) = e") }<sup>{ format::value(softmax.logits[class]) }</sup>{ " ÷ Σ e" }<sup>{ "logit" }</sup></div>
                    <div>
                        { format!("= {} ÷ ", format::wide(softmax.exponentials[class])) }
                        <span data-testid="softmax-sum" data-value={softmax.sum.to_string()}>{ format::wide(softmax.sum) }</span>
                    </div>
                    <div>
                        { "= " }
                        <span class="big-number" data-testid="softmax-probability" data-value={format::exact(softmax.probabilities[class])}>
                            { format::percent(softmax.probabilities[class]) }
                        </span>
                    </div>
                    <Hint>{ format!("e to the logit turns every score into a positive number, and a bigger logit grows much faster. \
                             Dividing by the sum makes the {} probabilities add up to 100 %.", count_words(names.len())) }</Hint>
                    <p class="running">{ format!("Sum of {}: {}", format::first(step + 1, "term", "terms"), format::wide(partial)) }</p>
                </div>
            </div>
            <PlaybackBar focus={Focus { step: step as u32, ..focus }} steps={steps}
                position={AttrValue::from(format!("adding the term of {}", names.get(step).cloned().unwrap_or_default()))}
                onnavigate={props.onnavigate.clone()} />
        </section>
    }
}

/// A small count in words, as the hint reads ("the ten probabilities"); larger ones in digits.
fn count_words(n: usize) -> String {
    const WORDS: [&str; 11] = [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    ];
    WORDS.get(n).map_or_else(|| n.to_string(), |w| (*w).to_owned())
}
