//! Browser tests of a lecture surviving real trouble: a student reloads mid-lecture, a late
//! joiner arrives (and is refused while the room is locked), the server is killed and started
//! again on the same data dir while students wait, and the instructor reloads and still leads.

use crate::live_support;

use anyhow::{Result, ensure};
use live_support::{
    Classroom, ONE_CLASSROOM_AT_A_TIME, assert_same_numbers, conv_numbers, wait_conv_step, wait_status,
    wait_text,
};

/// The sample image the instructor picks.
const SAMPLE: usize = 7;
/// The conv neuron the instructor opens (conv_2_1, neuron 5).
const NEURON: &str = "neuron-5-5";
/// Its layer and channel, for the models crate.
const CONV_LAYER: usize = 5;
const CONV_NEURON: usize = 5;

/// The open conv view's total at `step` is the models crate's number for the lecture's image:
/// proof that the page is on the lecture's image as well as on its step (the explanation views
/// replace the overview, so the class bars are not on screen to compare).
async fn assert_conv_total_is_models(
    browser: &e2e::Browser,
    expected: &e2e::expected::Expected,
    step: u32,
) -> Result<()> {
    wait_conv_step(browser, step).await?;
    let network = models::builtin::tiny_vgg();
    let width = network.output_shapes()[CONV_LAYER][2];
    let (y, x) = (step as usize / width, step as usize % width);
    let explanation = models::explain::conv(network, &expected.trace, CONV_LAYER, CONV_NEURON, y, x)?;
    let total = conv_numbers(browser)
        .await?
        .into_iter()
        .find(|(id, _)| id == "conv-total")
        .map(|(_, value)| value);
    ensure!(total.is_some(), "the conv view has no conv-total");
    e2e::page::assert_close("conv-total", total.unwrap_or_default(), explanation.total)
}

#[tokio::test(flavor = "multi_thread")]
async fn reload_late_join_lock_and_server_restart_keep_the_lecture() -> Result<()> {
    let _turn = ONE_CLASSROOM_AT_A_TIME.lock().await;
    let mut classroom = Classroom::open(2).await?;
    let expected = e2e::expected::for_sample(SAMPLE)?;
    {
        let instructor = &classroom.instructor;
        instructor.click(&format!("sample-{SAMPLE}")).await?;
        e2e::page::open_conv_arithmetic(instructor, NEURON).await?;
        for _ in 0..2 {
            instructor.click("step-forward").await?;
        }
        wait_conv_step(instructor, 2).await?;
        for student in &classroom.students {
            wait_conv_step(student, 2).await?;
        }
    }

    // A student reloads mid-lecture: same seat, current state.
    let reloader = &classroom.students[0];
    reloader.reload().await?;
    reloader.wait_ready().await?;
    wait_status(reloader, "following").await?;
    wait_conv_step(reloader, 2).await?;
    assert_conv_total_is_models(reloader, &expected, 2).await?;
    classroom.wait_roster("student-0", "following").await?;

    // Locked: a newcomer is refused with a sentence that says so; rejoins still work.
    classroom.instructor.click("lock-room").await?;
    wait_text(&classroom.instructor, "lock-room", "unlock").await?;
    let newcomer = live_support::launch("newcomer").await?;
    newcomer
        .goto(&format!("{}/join/{}", classroom.server.url(), classroom.code))
        .await?;
    newcomer.wait_ready().await?;
    newcomer
        .wait_for("join-name-input")
        .await?
        .send_keys("newcomer")
        .await?;
    newcomer.click("join-submit").await?;
    wait_text(&newcomer, "live-notice", "lock").await?;
    newcomer.screenshot("live-join-refused-locked").await?;
    newcomer.close().await?;
    classroom.students[1].reload().await?;
    wait_status(&classroom.students[1], "following").await?;

    // Unlocked: a late joiner starts on the current state.
    classroom.instructor.click("lock-room").await?;
    wait_text(&classroom.instructor, "lock-room", "lock joins").await?;
    let late = classroom.add_student().await?;
    wait_conv_step(late, 2).await?;
    assert_conv_total_is_models(late, &expected, 2).await?;
    assert_same_numbers(
        "late joiner",
        &conv_numbers(late).await?,
        &conv_numbers(&classroom.instructor).await?,
    )?;
    // The instructor's roster, which the server sends, lists exactly the students who are in:
    // the late joiner, and not the newcomer the lock refused.
    classroom.wait_roster("student-2", "following").await?;
    live_support::wait_text(&classroom.instructor, "participant-count", "3 joined").await?;
    let roster = classroom
        .instructor
        .eval(
            r#"return [...document.querySelectorAll('[data-testid="roster-entry"][data-connected="true"]')]
                 .map(e => e.getAttribute("data-name")).sort();"#,
            vec![],
        )
        .await?;
    ensure!(
        roster == serde_json::json!(["student-0", "student-1", "student-2"]),
        "the roster lists {roster}, not the three students in the room"
    );

    // The server dies without a goodbye; students say so and keep trying.
    classroom.server.kill().await?;
    for student in &classroom.students {
        wait_status(student, "reconnecting").await?;
    }
    classroom.students[0]
        .screenshot("live-student-reconnecting")
        .await?;
    // The page keeps showing the lecture as it was, not a broken page.
    wait_conv_step(&classroom.students[1], 2).await?;

    // Back on the same data dir: everyone reconnects on their own and the lecture continues.
    classroom.server.restart().await?;
    for student in &classroom.students {
        wait_status(student, "following").await?;
    }
    wait_text(&classroom.instructor, "live-status", "live").await?;
    classroom.instructor.click("step-forward").await?;
    for student in &classroom.students {
        wait_conv_step(student, 3).await?;
    }

    // The instructor's tab reloads: the token in localStorage brings back the console, the room
    // and the lecture's state, and the instructor still leads. (The reload revalidates the cached
    // page and gets a 304, whose headers the browser keeps: it must carry the page's CSP.)
    classroom.instructor.reload().await?;
    classroom.instructor.wait_ready().await?;
    wait_text(&classroom.instructor, "join-code", &classroom.code).await?;
    wait_conv_step(&classroom.instructor, 3).await?;
    assert_conv_total_is_models(&classroom.instructor, &expected, 3).await?;
    classroom.instructor.click("step-forward").await?;
    for student in &classroom.students {
        wait_conv_step(student, 4).await?;
    }
    classroom.close().await
}
