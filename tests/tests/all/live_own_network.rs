//! Browser test of own networks in a live lecture: one instructor and two students in separate
//! headless Chromiums on one real server. Mid-lecture the instructor sends a network exported
//! from PyTorch (the greyscale fixture, as one model file) from the console; both students
//! switch to it with no reload (downloaded by its hash, checked, computed in their browsers),
//! follow the instructor into a strided conv step with `models::explain`'s numbers, a late
//! joiner lands on it, and "Back to Tiny VGG" takes everyone back.

use crate::live_support;

use anyhow::{Context, Result, ensure};
use e2e::{Browser, expected, own_model, page};
use live_support::{Classroom, ONE_CLASSROOM_AT_A_TIME, assert_same_numbers, conv_numbers, wait_conv_step};
use models::{Layer, Network, explain};

/// The sample picture of the lecture.
const SAMPLE: usize = 3;
/// The grey fixture's 3×3 convolution with stride 2 and padding 1.
const CONV_LAYER: usize = 3;
/// The neuron the instructor opens there.
const CONV_NEURON: usize = 1;
/// Steps the instructor takes in its arithmetic.
const STEPS: u32 = 3;

/// Waits until `browser` shows `network`'s classes with the probabilities `models` computes for
/// the lecture's picture.
async fn wait_for_network(
    who: &str,
    browser: &Browser,
    network: &Network,
    probabilities: &[f32],
) -> Result<()> {
    let first = network.class_names()[0].clone();
    browser
        .wait_until(
            &format!("{who} to show the network of {first:?}"),
            &format!(
                r#"(document.querySelector('[data-testid="class-0"]')?.innerText ?? '').includes({first:?})"#
            ),
        )
        .await?;
    let shown = page::shown_prediction(browser).await?;
    ensure!(
        shown.percents.len() == probabilities.len(),
        "{who} shows {} classes, the network has {}",
        shown.percents.len(),
        probabilities.len()
    );
    for (i, (shown, p)) in shown.percents.iter().zip(probabilities).enumerate() {
        ensure!(
            (shown - p * 100.0).abs() <= page::PERCENT_TOLERANCE,
            "{who}: class {i} shows {shown}%, models computes {}%",
            p * 100.0
        );
    }
    ensure!(
        !browser.exists("live-warning").await?,
        "{who}: a warning is shown: {:?}",
        browser.text("live-warning").await.ok()
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_instructor_switches_the_class_to_a_pytorch_network_mid_lecture() -> Result<()> {
    let _turn = ONE_CLASSROOM_AT_A_TIME.lock().await;
    let mut classroom = Classroom::open(2).await?;
    classroom.wait_all_following().await?;
    let instructor = &classroom.instructor;
    let sample = expected::for_sample(SAMPLE)?;
    instructor.click(&format!("sample-{SAMPLE}")).await?;
    for student in &classroom.students {
        page::wait_for_prediction(student, &sample).await?;
    }

    // The instructor sends the greyscale network from the console.
    let (file, network) = own_model::bundle_file("grey")?;
    let trace = own_model::trace(&network, &sample.image)?;
    let probabilities = trace.final_output().to_vec();
    instructor.click("network-open").await?;
    instructor.upload("model-file", &file).await?;
    live_support::wait_text(instructor, "model-status", "sent to the class").await?;
    wait_for_network("the instructor", instructor, &network, &probabilities).await?;
    for (i, student) in classroom.students.iter().enumerate() {
        wait_for_network(&format!("student-{i}"), student, &network, &probabilities).await?;
        live_support::wait_status(student, "following").await?;
    }
    classroom.students[0]
        .screenshot("live-own-network-student-overview")
        .await?;
    instructor.screenshot("live-own-network-instructor").await?;

    // The instructor opens a strided conv neuron and steps its arithmetic: both students show
    // the same step with the numbers of models::explain for the grey network.
    ensure!(
        matches!(&network.layers()[CONV_LAYER].layer, Layer::Conv2d(c) if c.stride == 2 && c.padding == 1),
        "layer {CONV_LAYER} of the grey fixture is the strided, padded convolution"
    );
    instructor
        .click(&format!("neuron-{CONV_LAYER}-{CONV_NEURON}"))
        .await?;
    instructor.wait_for("elastic-conv").await?;
    live_support::step_conv_arithmetic(instructor, STEPS).await?;
    let wanted = conv_numbers(instructor).await?;
    let width = network.output_shapes()[CONV_LAYER][2];
    let (y, x) = (STEPS as usize / width, STEPS as usize % width);
    let explanation = explain::conv(&network, &trace, CONV_LAYER, CONV_NEURON, y, x)?;
    let total = wanted
        .iter()
        .find(|(id, _)| id == "conv-total")
        .map(|(_, value)| *value)
        .context("the conv view has no conv-total")?;
    page::assert_close("conv-total", total, explanation.total)?;
    for (i, student) in classroom.students.iter().enumerate() {
        wait_conv_step(student, STEPS).await?;
        assert_same_numbers(&format!("student-{i}"), &conv_numbers(student).await?, &wanted)?;
    }
    classroom.students[1]
        .screenshot("live-own-network-student-conv")
        .await?;

    // A late joiner lands on the room's network and focus.
    let late = classroom.add_student().await?;
    let late_name = "student-2";
    wait_conv_step(late, STEPS).await?;
    assert_same_numbers(late_name, &conv_numbers(late).await?, &wanted)?;

    // Back to Tiny VGG: everyone shows its prediction again.
    let instructor = &classroom.instructor;
    instructor.click("network-open").await?;
    instructor.click("model-builtin").await?;
    for (i, student) in classroom.students.iter().enumerate() {
        page::wait_for_prediction(student, &sample)
            .await
            .with_context(|| format!("student-{i} back on Tiny VGG"))?;
    }
    for browser in classroom.students.iter().chain([&classroom.instructor]) {
        browser.assert_no_console_errors().await?;
    }
    classroom.close().await
}
