//! Browser tests of a live lecture: one instructor and three students in separate headless
//! Chromiums on one real server. The students mirror the instructor's conv neuron, animation step
//! and numbers; a student breaks away, explores and returns; "bring everyone back" recalls an
//! explorer; the instructor's roster shows each change. Screenshots go to target/e2e-artifacts/.

use crate::live_support;

use anyhow::{Context, Result, ensure};
use live_support::{
    CONV_LAYER, CONV_NEURON, Classroom, ONE_CLASSROOM_AT_A_TIME, assert_same_numbers, conv_numbers,
    wait_conv_step, wait_status,
};
use models::builtin::tiny_vgg;
use models::explain;

/// The sample image the instructor picks (not the first one, which every page starts with).
const SAMPLE: usize = 4;
/// Steps the instructor takes before the students' numbers are compared.
const STEPS: u32 = 4;

#[tokio::test(flavor = "multi_thread")]
async fn students_follow_the_instructor_break_away_and_return() -> Result<()> {
    let _turn = ONE_CLASSROOM_AT_A_TIME.lock().await;
    let classroom = Classroom::open(3).await?;
    let instructor = &classroom.instructor;
    classroom.wait_all_following().await?;
    live_support::wait_text(instructor, "participant-count", "3 joined").await?;

    // The instructor picks an input: every student computes the same prediction from it, and
    // its own trace agrees with the server's digest (no warning).
    let expected = e2e::expected::for_sample(SAMPLE)?;
    instructor.click(&format!("sample-{SAMPLE}")).await?;
    for student in &classroom.students {
        e2e::page::wait_for_prediction(student, &expected).await?;
        ensure!(
            !student.exists("live-warning").await?,
            "a student's trace disagrees with the server's"
        );
    }

    // The instructor opens a conv neuron: every student's network opens around it too, with
    // the same intermediate maps (models::explain's).
    let network = tiny_vgg();
    instructor
        .click(&format!("neuron-{CONV_LAYER}-{CONV_NEURON}"))
        .await?;
    instructor.wait_for("elastic-conv").await?;
    let maps = explain::conv_intermediate_maps(network, &expected.trace, CONV_LAYER, CONV_NEURON)?;
    for (i, student) in classroom.students.iter().enumerate() {
        student.wait_for("elastic-conv").await?;
        for c in 0..maps.shape()[0] {
            let shown = student
                .attr(&format!("elastic-intermediate-{c}"), "data-sum")
                .await?
                .with_context(|| format!("student-{i}: intermediate map {c} has no data-sum"))?;
            let sum: f32 = maps.index_axis(ndarray::Axis(0), c).iter().sum();
            let shown = e2e::expected::parse_value(&shown)?;
            ensure!(
                (shown - sum).abs() <= 1e-3 * sum.abs().max(1.0),
                "student-{i}: intermediate map {c} sums to {shown}, models::explain to {sum}"
            );
        }
    }
    classroom.students[1]
        .screenshot("live-student-opened-network")
        .await?;
    // Then the arithmetic, and steps its animation.
    live_support::step_conv_arithmetic(instructor, STEPS).await?;
    let wanted = conv_numbers(instructor).await?;

    // Every student shows the same neuron, step and numbers...
    for (i, student) in classroom.students.iter().enumerate() {
        wait_conv_step(student, STEPS).await?;
        wait_status(student, "following").await?;
        assert_same_numbers(&format!("student-{i}"), &conv_numbers(student).await?, &wanted)?;
    }
    // ...which are the models crate's numbers for that neuron and output pixel.
    let width = network.output_shapes()[CONV_LAYER][2];
    let (y, x) = (STEPS as usize / width, STEPS as usize % width);
    let explanation = explain::conv(network, &expected.trace, CONV_LAYER, CONV_NEURON, y, x)?;
    let total = wanted
        .iter()
        .find(|(id, _)| id == "conv-total")
        .map(|(_, value)| *value);
    ensure!(total.is_some(), "the conv view has no conv-total");
    e2e::page::assert_close("conv-total", total.unwrap_or_default(), explanation.total)?;
    classroom.students[0].screenshot("live-student-following").await?;

    // Student 0 breaks away (goes back up to the overview) and explores.
    let explorer = &classroom.students[0];
    explorer.click("back").await?;
    wait_status(explorer, "exploring").await?;
    classroom.wait_roster("student-0", "exploring").await?;
    explorer.screenshot("live-student-exploring").await?;

    // The lecture moves on without the explorer.
    instructor.click("step-forward").await?;
    wait_conv_step(instructor, STEPS + 1).await?;
    wait_conv_step(&classroom.students[1], STEPS + 1).await?;
    ensure!(
        !explorer.exists("view-conv").await?,
        "the explorer was pulled back into the conv view"
    );

    // One click returns to the live focus, which moved on meanwhile.
    explorer.click("return-live").await?;
    wait_status(explorer, "following").await?;
    wait_conv_step(explorer, STEPS + 1).await?;
    classroom.wait_roster("student-0", "following").await?;

    // The "L" key returns too.
    let keyboardist = &classroom.students[1];
    keyboardist.click("back").await?;
    wait_status(keyboardist, "exploring").await?;
    keyboardist
        .eval(
            "document.body.dispatchEvent(new KeyboardEvent('keydown', { key: 'l', bubbles: true })); return true;",
            vec![],
        )
        .await?;
    wait_status(keyboardist, "following").await?;
    wait_conv_step(keyboardist, STEPS + 1).await?;

    // "Bring everyone back" recalls an explorer.
    let wanderer = &classroom.students[2];
    wanderer.click("back").await?;
    wait_status(wanderer, "exploring").await?;
    classroom.wait_roster("student-2", "exploring").await?;
    instructor.click("bring-back").await?;
    wait_status(wanderer, "following").await?;
    wait_conv_step(wanderer, STEPS + 1).await?;
    classroom.wait_roster("student-2", "following").await?;

    // The console with its roster open, for the docs.
    instructor.find_css(".live-roster summary").await?.click().await?;
    instructor.screenshot("live-instructor-console").await?;

    for (i, student) in classroom.students.iter().enumerate() {
        let errors = student.console_errors().await?;
        ensure!(errors.is_empty(), "student-{i} logged console errors: {errors:?}");
    }
    instructor.assert_no_console_errors().await?;
    classroom.close().await
}
