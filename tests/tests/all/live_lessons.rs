//! Browser tests of recorded lessons, in real headless Chromiums against the real server:
//! an instructor records a three-step lesson from the live view (notes typed, one with markup
//! that must show as text), saves it (the bytes the page hands to the download), loads it into
//! a new lecture and steps through it forward and back while two students follow (each
//! student's focus, picture and note checked at every step); a student replays it offline; and a
//! lesson link opens a built-in lesson self-paced, with no lecture. Screenshots at 1280×720,
//! 1920×1080 and a 390×844 phone go to target/e2e-artifacts/ (`lesson-*`).

use crate::live_support;

use anyhow::{Context, Result, ensure};
use e2e::{Browser, expected, page, paths};
use live_support::{Classroom, ONE_CLASSROOM_AT_A_TIME, wait_text};
use serde_json::json;

/// The pictures of the recorded steps: sample indices into `models::samples::SAMPLES`.
const FIRST_PICTURE: usize = 4;
const LAST_PICTURE: usize = 21;

/// What each recorded step shows: the picture, the focus fields of the address bar, the note.
const STEPS: [(usize, &str, &str); 3] = [
    (
        FIRST_PICTURE,
        "view=overview&",
        "Step **one**: the <b>whole</b> network.",
    ),
    (
        FIRST_PICTURE,
        "view=neuron&layer=0&neuron=7&",
        "Step two: *one* neuron of `conv_1_1`.",
    ),
    (
        LAST_PICTURE,
        "view=operation&layer=2&neuron=3&",
        "Step three:\n- a sneaker\n- its arithmetic",
    ),
];

/// What a note shows once rendered (markup as text, emphasis dropped).
const SHOWN: [&str; 3] = [
    "Step one: the <b>whole</b> network.",
    "Step two: one neuron of conv_1_1.",
    "Step three:",
];

/// Clicks an element by test id through the page (a sample tile may be scrolled out of view).
async fn click_js(browser: &Browser, test_id: &str) -> Result<()> {
    let clicked = browser
        .eval(
            "const e = document.querySelector(arguments[0]); if (!e) return false; e.click(); return true;",
            vec![json!(e2e::browser::test_id_selector(test_id))],
        )
        .await?;
    ensure!(clicked == json!(true), "no {test_id} to click");
    Ok(())
}

/// Types `text` into the text field `test_id`, replacing what it held.
async fn type_into(browser: &Browser, test_id: &str, text: &str) -> Result<()> {
    let field = browser.wait_for(test_id).await?;
    field.clear().await?;
    field.send_keys(text).await?;
    Ok(())
}

/// Waits until the address bar shows `fields` (the focus the screen is at).
async fn wait_address(browser: &Browser, fields: &str) -> Result<()> {
    browser
        .wait_until(
            &format!("the address to show {fields}"),
            &format!("(location.hash + '&').includes({})", json!(fields)),
        )
        .await
}

/// Waits until the screen's input is sample `picture` (its picker tile is the selected one: the
/// page recognises a sample's pixels however they arrived), and, in the overview, shows the
/// models crate's prediction for it.
async fn wait_picture(browser: &Browser, picture: usize) -> Result<()> {
    browser
        .wait_until(
            &format!("sample {picture} to be the input"),
            &format!(r#"document.querySelector('[data-testid="sample-{picture}"]')?.getAttribute("aria-pressed") === "true""#),
        )
        .await?;
    let overview = browser
        .eval("return location.hash.includes('view=overview');", vec![])
        .await?;
    if overview == json!(true) {
        page::wait_for_prediction(browser, &expected::for_sample(picture)?).await?;
    }
    Ok(())
}

/// Waits until the lesson panel is at `step` (from 1) of `count`.
async fn wait_position(browser: &Browser, step: usize, count: usize) -> Result<()> {
    browser
        .wait_until(
            &format!("the lesson at step {step} of {count}"),
            &format!(
                r#"(e => e && e.dataset.step === "{step}" && e.dataset.count === "{count}")(document.querySelector('[data-testid="lesson-position"]'))"#
            ),
        )
        .await
}

/// The text of the note shown in `within` (`lesson-panel` or `live-note`).
async fn note_text(browser: &Browser, within: &str) -> Result<String> {
    let text = browser
        .eval(
            "const e = document.querySelector(arguments[0] + ' [data-testid=\"lesson-note\"]'); return e ? e.textContent : null;",
            vec![json!(e2e::browser::test_id_selector(within))],
        )
        .await?;
    Ok(text.as_str().unwrap_or_default().to_owned())
}

/// Waits until the note in `within` reads `wanted` at its start, and checks that markup in it
/// stayed text (no `<b>` element inside the note).
async fn wait_note(browser: &Browser, within: &str, wanted: &str) -> Result<()> {
    browser
        .wait_until(
            &format!("the note to read {wanted:?}"),
            &format!(
                "(document.querySelector({} + ' [data-testid=\"lesson-note\"]') || {{}}).textContent?.startsWith({})",
                json!(e2e::browser::test_id_selector(within)),
                json!(wanted)
            ),
        )
        .await?;
    let injected = browser
        .eval(
            "return document.querySelectorAll('[data-testid=\"lesson-note\"] b, [data-testid=\"lesson-note\"] script').length;",
            vec![],
        )
        .await?;
    ensure!(injected == json!(0), "a note's markup became elements");
    Ok(())
}

/// Records the three steps in the instructor's lecture and returns the saved lesson file.
async fn record(instructor: &Browser) -> Result<std::path::PathBuf> {
    // The download's bytes, as the page hands them to the browser.
    instructor
        .eval(
            "window.__blobs = []; const make = URL.createObjectURL; \
             URL.createObjectURL = b => { window.__blobs.push(b); return make.call(URL, b); }; return true;",
            vec![],
        )
        .await?;
    for (i, (picture, fields, note)) in STEPS.iter().enumerate() {
        // Each moment starts from the overview, as an instructor would walk to it.
        instructor
            .eval("location.hash = '#view=overview'; return true;", vec![])
            .await?;
        wait_address(instructor, "view=overview").await?;
        click_js(instructor, &format!("sample-{picture}")).await?;
        wait_picture(instructor, *picture).await?;
        // Then to the view, by its address (clicking neurons is `live_lecture`'s business).
        if i > 0 {
            instructor
                .eval(
                    "location.hash = '#' + arguments[0]; return true;",
                    vec![json!(fields.trim_end_matches('&'))],
                )
                .await?;
        }
        // The screen shows the moment (its address is written after it rendered).
        wait_address(instructor, fields).await?;
        instructor.click("add-moment").await?;
        wait_position(instructor, i + 1, i + 1).await?;
        type_into(instructor, "lesson-note-input", note).await?;
        if i == 0 {
            // The address bar's view must not move on while recording.
            instructor.screenshot("lesson-record-first-step").await?;
        }
    }
    type_into(instructor, "lesson-title-input", "Three moments").await?;
    // Reorder and back: the list follows.
    instructor
        .eval(
            "document.querySelectorAll('[aria-label=\"Move step 3 up\"]')[0].click(); return true;",
            vec![],
        )
        .await?;
    instructor
        .wait_until(
            "step 3 to move up",
            "document.querySelectorAll('[data-testid=\"lesson-item\"]')[1]?.textContent.includes('sneaker_1')",
        )
        .await?;
    instructor
        .eval(
            "document.querySelectorAll('[aria-label=\"Move step 2 down\"]')[0].click(); return true;",
            vec![],
        )
        .await?;
    instructor
        .wait_until(
            "step 3 to move back",
            "document.querySelectorAll('[data-testid=\"lesson-item\"]')[2]?.textContent.includes('sneaker_1')",
        )
        .await?;
    instructor.screenshot("lesson-editor-1280x720").await?;
    instructor.click("lesson-save").await?;
    instructor
        .wait_until("the lesson to be saved", "window.__blobs.length === 1")
        .await?;
    let text = instructor
        .eval("return await window.__blobs[0].text();", vec![])
        .await?;
    let text = text.as_str().context("the saved lesson is not text")?;
    let file: serde_json::Value = serde_json::from_str(text).context("the saved lesson is not JSON")?;
    ensure!(file["title"] == "Three moments", "title {}", file["title"]);
    let steps = file["steps"].as_array().context("no steps")?;
    ensure!(steps.len() == 3, "{} steps saved", steps.len());
    for (step, (_, fields, note)) in steps.iter().zip(STEPS) {
        ensure!(step["note"] == note, "saved note {}", step["note"]);
        let focus = step["focus"].as_str().unwrap_or_default();
        ensure!(
            format!("{focus}&").starts_with(fields),
            "saved focus {focus}, wanted {fields}"
        );
    }
    let path = paths::scratch_dir().join("three-moments.lesson.json");
    std::fs::write(&path, text)?;
    Ok(path)
}

/// Every student's screen at step `index` of the recording.
async fn students_at(classroom: &Classroom, index: usize) -> Result<()> {
    let (picture, fields, _) = STEPS[index];
    for student in &classroom.students {
        wait_address(student, fields).await?;
        wait_picture(student, picture).await?;
        wait_note(student, "live-note", SHOWN[index]).await?;
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_recorded_lesson_is_saved_loaded_into_a_new_lecture_followed_and_replayed_offline() -> Result<()> {
    let _turn = ONE_CLASSROOM_AT_A_TIME.lock().await;
    // 1. Record and save in one lecture.
    let recording = Classroom::open(0).await?;
    let saved = record(&recording.instructor).await?;
    recording.close().await?;

    // 2. A new lecture with two students; the instructor opens the file.
    let mut classroom = Classroom::open(2).await?;
    let instructor = &classroom.instructor;
    instructor.click("lessons-open").await?;
    instructor.upload("lesson-file", &saved).await?;
    wait_position(instructor, 1, 3).await?;
    wait_text(instructor, "lesson-title", "Three moments").await?;
    students_at(&classroom, 0).await?;
    // Forward through every step, and back one.
    for (index, shown) in SHOWN.iter().enumerate().skip(1) {
        instructor.click("lesson-next").await?;
        wait_position(instructor, index + 1, 3).await?;
        wait_note(instructor, "lesson-panel", shown).await?;
        students_at(&classroom, index).await?;
    }
    instructor.screenshot("lesson-present-1280x720").await?;
    classroom.students[0]
        .screenshot("lesson-student-note-1280x720")
        .await?;
    instructor.click("lesson-back").await?;
    wait_position(instructor, 2, 3).await?;
    students_at(&classroom, 1).await?;
    // A late joiner lands on the current step, note included.
    classroom.add_student().await?;
    students_at(&classroom, 1).await?;

    // 3. A student replays it alone, offline: the worker has cached the app.
    let student = &classroom.students[0];
    page::wait_until_cached_for_offline(student).await?;
    classroom.server.kill().await?;
    student.reload().await?;
    student.wait_ready().await?;
    student.click("lessons-open").await?;
    student.upload("lesson-file", &saved).await?;
    wait_position(student, 1, 3).await?;
    for (index, (picture, fields, _)) in STEPS.iter().enumerate() {
        if index > 0 {
            student.click("lesson-next").await?;
            wait_position(student, index + 1, 3).await?;
        }
        wait_address(student, fields).await?;
        wait_picture(student, *picture).await?;
        wait_note(student, "lesson-panel", SHOWN[index]).await?;
    }
    student.screenshot("lesson-offline-replay").await?;
    let note = note_text(student, "lesson-panel").await?;
    ensure!(note.contains("a sneaker"), "the list item of the note: {note:?}");
    classroom.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lesson_link_opens_a_built_in_lesson_self_paced() -> Result<()> {
    let server = e2e::TestServer::start().await?;
    let boot = expected::for_sample(29)?;
    for (width, height) in [(1280, 720), (1920, 1080), (390, 844)] {
        let browser = Browser::launch_at(&format!("lesson-link-{width}x{height}"), width, height).await?;
        browser
            .goto(&format!("{}/#lesson=what-is-a-cnn", server.url()))
            .await?;
        browser.wait_ready().await?;
        wait_position(&browser, 1, 7).await?;
        wait_text(&browser, "lesson-title", "What is a CNN").await?;
        page::wait_for_prediction(&browser, &boot).await?;
        wait_note(&browser, "lesson-panel", "This is the whole network").await?;
        browser
            .screenshot(&format!("lesson-built-in-{width}x{height}"))
            .await?;
        // The editor a self-learner (or an instructor) gets with "Edit".
        browser.click("lesson-edit").await?;
        browser.wait_for("lesson-note-input").await?;
        browser
            .screenshot(&format!("lesson-built-in-edit-{width}x{height}"))
            .await?;
        browser.click("lesson-done").await?;
        wait_note(&browser, "lesson-panel", "This is the whole network").await?;
        // Step through: the conv arithmetic at the window the note talks about.
        browser.click("lesson-next").await?;
        wait_address(&browser, "view=neuron&layer=0&neuron=7&").await?;
        browser.click("lesson-next").await?;
        wait_position(&browser, 3, 7).await?;
        browser
            .wait_until(
                "the conv arithmetic at step 1027",
                r#"document.querySelector('[data-testid="view-conv"]')?.dataset.step === "1027""#,
            )
            .await?;
        wait_text(&browser, "lesson-note", "1.25").await?;
        if width == 1280 {
            browser.screenshot("lesson-built-in-conv-1280x720").await?;
            // The address names the step: a reload comes back to it.
            wait_address(&browser, "lesson=what-is-a-cnn&lesson-step=3").await?;
            browser.reload().await?;
            browser.wait_ready().await?;
            wait_position(&browser, 3, 7).await?;
            // The other built-in lesson, from the menu: the misclassified shirt.
            browser.click("lessons-open").await?;
            browser.click("lesson-builtin-why-wrong").await?;
            wait_position(&browser, 1, 6).await?;
            page::wait_for_prediction(&browser, &expected::for_sample(30)?).await?;
            wait_note(&browser, "lesson-panel", "This picture is labelled Shirt").await?;
            // A damaged file is refused with a sentence and nothing changes.
            let broken = paths::scratch_dir().join("broken.lesson.json");
            std::fs::write(
                &broken,
                "{\"format\": \"cnn-classroom-lesson\", \"version\": 1, \"title\": \"x\", \"steps\": [",
            )?;
            browser.click("lessons-open").await?;
            browser.upload("lesson-file", &broken).await?;
            wait_text(&browser, "lesson-status", "ends in the middle").await?;
            wait_position(&browser, 1, 6).await?;
        }
        browser.assert_no_console_errors().await?;
        browser.close().await?;
    }
    Ok(())
}
