//! Browser test of a quick check: an instructor (1920×1080, the projector) and three students
//! (1280×720, a 390×844 phone, 1280×800) in separate headless Chromiums on one real server. The
//! instructor asks "what is the next value?" at a conv step; one student answers right, one
//! wrong, one not at all; the instructor's histogram counts them (not names); a late joiner lands
//! in the question; a reload keeps the answer; the reveal shows each student their own result.
//! A student who explores is asked back. Then "which class will it predict?" in the overview,
//! with the class bars veiled until the reveal, and "which cell wins the max-pool?" by a click.
//! Screenshots go to target/e2e-artifacts/.

use crate::live_support;

use anyhow::{Result, ensure};
use e2e::{Browser, TestServer};
use live_support::{CONV_LAYER, CONV_NEURON, ONE_CLASSROOM_AT_A_TIME, wait_conv_step, wait_status};
use models::builtin::tiny_vgg;
use models::explain;
use serde_json::json;

/// The sample image the instructor picks.
const SAMPLE: usize = 4;
/// The conv step the question is asked at.
const STEPS: u32 = 3;

/// Waits until the element matching `selector` has `attribute` equal to `value`.
async fn wait_attr(browser: &Browser, selector: &str, attribute: &str, value: &str) -> Result<()> {
    browser
        .wait_until(
            &format!("{selector} to have {attribute}={value:?}"),
            &format!(
                "document.querySelector({})?.getAttribute({}) === {}",
                json!(selector),
                json!(attribute),
                json!(value)
            ),
        )
        .await
}

/// Types `text` as the student's answer and sends it; waits until the server confirmed that
/// number (`data-answer` of the answer status).
async fn answer_with(student: &Browser, text: &str) -> Result<()> {
    let input = student.wait_for("answer-number").await?;
    input.clear().await?;
    input.send_keys(text).await?;
    student.click("answer-send").await?;
    wait_answer(student, text).await
}

/// Waits until the answer the server confirmed is the number `text`.
async fn wait_answer(student: &Browser, text: &str) -> Result<()> {
    let typed: f64 = text.parse()?;
    student
        .wait_until(
            &format!("the confirmed answer to be {text}"),
            &format!(
                r#"Math.abs(parseFloat(document.querySelector('[data-testid="answer-status"]')?.getAttribute("data-answer")) - {typed}) < 1e-5"#
            ),
        )
        .await
}

/// Shows pages at `width` × `height` CSS pixels from now on (as `Browser::launch_at` does).
async fn emulate(browser: &Browser, width: u32, height: u32, mobile: bool) -> Result<()> {
    browser
        .devtools(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile }),
        )
        .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_numeric_question_at_a_conv_step_is_answered_counted_and_revealed() -> Result<()> {
    let _turn = ONE_CLASSROOM_AT_A_TIME.lock().await;
    let server = TestServer::start().await?;
    let instructor = Browser::launch_at("instructor", 1920, 1080).await?;
    let code = live_support::start_lecture(&instructor, &server).await?;
    let mut students = Vec::new();
    for (i, (width, height)) in [(1280, 720), (390, 844), (1280, 800)].into_iter().enumerate() {
        let student = Browser::launch_at(&format!("student-{i}"), width, height).await?;
        live_support::join(&student, &server, &code, &format!("student-{i}")).await?;
        students.push(student);
    }
    live_support::wait_text(&instructor, "participant-count", "3 joined").await?;

    let expected = e2e::expected::for_sample(SAMPLE)?;
    instructor.click(&format!("sample-{SAMPLE}")).await?;
    for student in &students {
        e2e::page::wait_for_prediction(student, &expected).await?;
    }
    e2e::page::open_conv_arithmetic(&instructor, &format!("neuron-{CONV_LAYER}-{CONV_NEURON}")).await?;
    for _ in 0..STEPS {
        instructor.click("step-forward").await?;
    }
    for student in &students {
        wait_conv_step(student, STEPS).await?;
    }

    // The instructor asks for the next value; its right answer is the models crate's.
    instructor
        .find_css(r#"[data-testid="ask-menu"] summary"#)
        .await?
        .click()
        .await?;
    instructor.screenshot("quick-check-ask-menu").await?;
    instructor.click("ask-value").await?;
    instructor.wait_for("question-panel").await?;
    for student in &students {
        student.wait_for("answer-card").await?;
    }
    let network = tiny_vgg();
    let width = network.output_shapes()[CONV_LAYER][2];
    let (y, x) = (STEPS as usize / width, STEPS as usize % width);
    let total = explain::conv(network, &expected.trace, CONV_LAYER, CONV_NEURON, y, x)?.total;
    let veiled = students[0]
        .eval(
            r#"return getComputedStyle(document.querySelector('[data-testid="conv-total"]')).filter;"#,
            vec![],
        )
        .await?;
    ensure!(
        veiled.as_str().is_some_and(|f| f.contains("blur")),
        "the value asked for is not veiled on the student's screen: {veiled}"
    );

    // One right, one wrong (and changed), one silent.
    let right = format!("{total:.3}");
    answer_with(&students[0], &right).await?;
    answer_with(&students[1], "99").await?;
    answer_with(&students[1], &format!("{:.2}", total + 7.0)).await?;
    wait_attr(
        &instructor,
        r#"[data-testid="question-counts"]"#,
        "data-answered",
        "2",
    )
    .await?;
    wait_attr(
        &instructor,
        r#"[data-testid="question-counts"]"#,
        "data-waiting",
        "1",
    )
    .await?;
    let names_on_projector = instructor
        .eval(
            r#"return document.querySelector('[data-testid="question-panel"]').textContent;"#,
            vec![],
        )
        .await?;
    ensure!(
        !names_on_projector
            .as_str()
            .unwrap_or_default()
            .contains("student-"),
        "the projected histogram names students: {names_on_projector}"
    );
    // A student who explores on their own is asked to come back to answer.
    students[2].click("back").await?;
    wait_status(&students[2], "exploring").await?;
    students[2].wait_for("answer-come-back").await?;
    students[2]
        .screenshot("quick-check-student-asked-back-1280x800")
        .await?;
    students[2].click("answer-come-back").await?;
    wait_status(&students[2], "following").await?;
    wait_conv_step(&students[2], STEPS).await?;
    instructor.screenshot("quick-check-instructor-open-1920").await?;
    // The same screens at the other sizes: the instructor's card on a laptop and a phone, a
    // student's on a projector.
    for (width, height, mobile, name) in [(1280, 720, false, "1280x720"), (390, 844, true, "phone")] {
        emulate(&instructor, width, height, mobile).await?;
        instructor
            .screenshot(&format!("quick-check-instructor-open-{name}"))
            .await?;
    }
    instructor.click("question-fold").await?;
    instructor
        .screenshot("quick-check-instructor-folded-phone")
        .await?;
    instructor.click("question-fold").await?;
    emulate(&instructor, 1920, 1080, false).await?;
    emulate(&students[0], 1920, 1080, false).await?;
    students[0].screenshot("quick-check-student-open-1920").await?;
    emulate(&students[0], 1280, 720, false).await?;
    students[0]
        .screenshot("quick-check-student-open-1280x720")
        .await?;
    students[1].screenshot("quick-check-student-open-phone").await?;

    // A late joiner lands in the open question; a reload keeps the answer given.
    let late = Browser::launch_at("late", 1280, 800).await?;
    live_support::join(&late, &server, &code, "late").await?;
    late.wait_for("answer-card").await?;
    wait_attr(
        &instructor,
        r#"[data-testid="question-counts"]"#,
        "data-waiting",
        "2",
    )
    .await?;
    students[0].reload().await?;
    students[0].wait_ready().await?;
    wait_status(&students[0], "following").await?;
    wait_answer(&students[0], &right).await?;

    // The reveal: each student sees their own result and the class's spread.
    instructor.click("question-reveal").await?;
    wait_attr(
        &students[0],
        r#"[data-testid="answer-result"]"#,
        "data-right",
        "true",
    )
    .await?;
    wait_attr(
        &students[1],
        r#"[data-testid="answer-result"]"#,
        "data-right",
        "false",
    )
    .await?;
    wait_attr(
        &students[2],
        r#"[data-testid="answer-result"]"#,
        "data-answered",
        "false",
    )
    .await?;
    for student in &students {
        student.wait_for("spread").await?;
    }
    wait_attr(
        &instructor,
        r#"[data-testid="question-panel"]"#,
        "data-revealed",
        "true",
    )
    .await?;
    let unveiled = students[0]
        .eval(
            r#"return getComputedStyle(document.querySelector('[data-testid="conv-total"]')).filter;"#,
            vec![],
        )
        .await?;
    ensure!(
        unveiled.as_str() == Some("none"),
        "the view does not show the real value after the reveal: {unveiled}"
    );
    instructor
        .screenshot("quick-check-instructor-revealed-1920")
        .await?;
    instructor.click("toggle-projector").await?;
    instructor
        .screenshot("quick-check-instructor-revealed-projector-1920")
        .await?;
    instructor.click("toggle-projector").await?;
    students[0]
        .screenshot("quick-check-student-right-1280x720")
        .await?;
    students[1].screenshot("quick-check-student-wrong-phone").await?;
    students[2]
        .screenshot("quick-check-student-silent-1280x800")
        .await?;

    // Closing takes it off every screen.
    instructor.click("question-close").await?;
    for student in &students {
        student
            .wait_until(
                "the question card to go",
                r#"!document.querySelector('[data-testid="answer-card"]')"#,
            )
            .await?;
    }

    // "Which class will it predict?" in the overview: the class bars are veiled until the reveal.
    // Back twice: from the arithmetic to the network opened around the neuron, then to the overview.
    instructor.click("back").await?;
    instructor.wait_for("elastic-conv").await?;
    instructor.click("back").await?;
    let overview =
        r#"document.querySelector('[data-testid="overview"]')?.getAttribute('data-stage') === 'overview'"#;
    instructor.wait_until("the overview", overview).await?;
    students[1].wait_until("the overview", overview).await?;
    instructor
        .find_css(r#"[data-testid="ask-menu"] summary"#)
        .await?
        .click()
        .await?;
    instructor.click("ask-class").await?;
    students[1].wait_for("answer-card").await?;
    let predicted = expected.trace.predicted_class();
    students[1].click(&format!("answer-class-{predicted}")).await?;
    wait_attr(
        &students[1],
        r#"[data-testid="answer-status"]"#,
        "data-answer",
        &format!("class-{predicted}"),
    )
    .await?;
    let bars_veiled = students[0]
        .eval(
            r#"return getComputedStyle(document.querySelector('.class-percent')).filter;"#,
            vec![],
        )
        .await?;
    ensure!(
        bars_veiled.as_str().is_some_and(|f| f.contains("blur")),
        "the class bars are not veiled while the class is asked: {bars_veiled}"
    );
    students[1].screenshot("quick-check-class-open-phone").await?;
    students[0].screenshot("quick-check-class-open-1280x720").await?;
    instructor.click("question-reveal").await?;
    wait_attr(
        &students[1],
        r#"[data-testid="answer-result"]"#,
        "data-right",
        "true",
    )
    .await?;
    students[1].screenshot("quick-check-class-revealed-phone").await?;
    instructor.screenshot("quick-check-class-revealed-1920").await?;
    instructor.click("question-close").await?;

    // "Which cell wins the max-pool?": a click on the window's cells.
    const POOL_LAYER: usize = 4;
    const POOL_NEURON: usize = 0;
    instructor
        .click(&format!("neuron-{POOL_LAYER}-{POOL_NEURON}"))
        .await?;
    instructor.wait_for("view-pool").await?;
    // A window near the middle of the picture where the four values differ.
    let pool_width = network.output_shapes()[POOL_LAYER][2];
    let (step, pool) = (pool_width * pool_width / 2..pool_width * pool_width)
        .find_map(|step| {
            let pool = explain::max_pool(
                network,
                &expected.trace,
                POOL_LAYER,
                POOL_NEURON,
                step / pool_width,
                step % pool_width,
            )
            .ok()?;
            pool.window
                .iter()
                .any(|&v| v != pool.value)
                .then_some((step, pool))
        })
        .expect("max_pool_1 #0 has a window with a winner");
    instructor
        .eval(
            "const scrub = document.querySelector('[data-testid=\"scrub\"]'); \
             scrub.value = arguments[0]; scrub.dispatchEvent(new Event('input', { bubbles: true })); return true;",
            vec![json!(step)],
        )
        .await?;
    wait_attr(
        &students[0],
        r#"[data-testid="view-pool"]"#,
        "data-step",
        &step.to_string(),
    )
    .await?;
    instructor
        .find_css(r#"[data-testid="ask-menu"] summary"#)
        .await?
        .click()
        .await?;
    instructor.click("ask-cell").await?;
    students[0].wait_for("answer-cell-0").await?;
    let winner = pool.winner.0 * pool.window.ncols() + pool.winner.1;
    students[0].click(&format!("answer-cell-{winner}")).await?;
    wait_attr(
        &students[0],
        r#"[data-testid="answer-status"]"#,
        "data-answer",
        &format!("cell-{winner}"),
    )
    .await?;
    students[0].screenshot("quick-check-pool-open-1280x720").await?;
    instructor.click("question-reveal").await?;
    wait_attr(
        &students[0],
        r#"[data-testid="answer-result"]"#,
        "data-right",
        "true",
    )
    .await?;
    students[0]
        .screenshot("quick-check-pool-revealed-1280x720")
        .await?;
    instructor.screenshot("quick-check-pool-revealed-1920").await?;

    for (i, student) in students.iter().enumerate() {
        let errors = student.console_errors().await?;
        ensure!(errors.is_empty(), "student-{i} logged console errors: {errors:?}");
    }
    instructor.assert_no_console_errors().await?;
    late.close().await?;
    for student in students {
        student.close().await?;
    }
    instructor.close().await
}
