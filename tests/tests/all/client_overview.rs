//! Browser test: the overview loads with no console errors, shows every neuron, and prints the
//! same class probabilities and prediction as the `models` crate; picking a sample updates them.

use anyhow::{Result, ensure};
use e2e::{expected, page};
use models::builtin::tiny_vgg;

#[tokio::test(flavor = "multi_thread")]
async fn overview_matches_the_models_prediction_and_logs_no_errors() -> Result<()> {
    let (_server, browser) = page::open_client("overview").await?;

    // The first screen shows the first sample.
    page::wait_for_prediction(&browser, &expected::for_sample(0)?).await?;
    browser.screenshot("overview").await?;

    // Every input channel, every spatial neuron and every class is on the overview.
    let network = tiny_vgg();
    let mut missing = Vec::new();
    for c in 0..network.input_shape()[0] {
        if !browser.exists(&format!("input-{c}")).await? {
            missing.push(format!("input-{c}"));
        }
    }
    for (layer, shape) in network.output_shapes().iter().enumerate() {
        if shape.len() == 3 {
            for c in 0..shape[0] {
                if !browser.exists(&format!("neuron-{layer}-{c}")).await? {
                    missing.push(format!("neuron-{layer}-{c}"));
                }
            }
        }
    }
    ensure!(missing.is_empty(), "the overview lacks {missing:?}");

    // Another sample, from a class the first one is not predicted as.
    let first = expected::for_sample(0)?;
    let other = (1..models::samples::SAMPLES.len())
        .find(|&i| expected::for_sample(i).is_ok_and(|e| e.predicted != first.predicted))
        .expect("the shipped samples cover more than one predicted class");
    browser.click(&format!("sample-{other}")).await?;
    page::wait_for_prediction(&browser, &expected::for_sample(other)?).await?;
    browser.screenshot("overview-other-sample").await?;

    browser.assert_no_console_errors().await?;
    browser.close().await
}
