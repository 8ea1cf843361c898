//! Browser test of the hyperparameter playground in a lecture: the instructor opens it, changes
//! the padding and the stride, borrows another neuron's kernel, types a weight and steps the
//! animation; two following students show the same settings, step and numbers (read from their
//! DOM), and a late joiner arrives in the same playground.

use crate::live_support;

use anyhow::{Result, ensure};
use e2e::Browser;
use live_support::{Classroom, ONE_CLASSROOM_AT_A_TIME, wait_status};
use serde_json::json;

/// Sets a control (range input or select) of the instructor's page as a user would.
async fn set(browser: &Browser, id: &str, value: &str, event: &str) -> Result<()> {
    browser
        .eval(
            r#"const e = document.querySelector(`[data-testid="${arguments[0]}"]`);
               e.value = arguments[1];
               e.dispatchEvent(new Event(arguments[2], { bubbles: true }));
               return true;"#,
            vec![json!(id), json!(value), json!(event)],
        )
        .await?;
    Ok(())
}

/// Waits until `browser`'s playground shows `settings` (`n.p.k.s`) at `step`.
async fn wait_playground(browser: &Browser, settings: &str, step: u32) -> Result<()> {
    browser
        .wait_until(
            &format!("the playground at {settings}, step {step}"),
            &format!(
                r#"(() => {{ const v = document.querySelector('[data-testid="view-playground"]');
                    return v && v.getAttribute("data-settings") === "{settings}"
                        && v.getAttribute("data-step") === "{step}"; }})()"#
            ),
        )
        .await
}

/// Every number the playground shows: padded input, kernel, output and the current sum.
async fn playground_numbers(browser: &Browser) -> Result<Vec<(String, String)>> {
    let values = browser
        .eval(
            r#"return [...document.querySelectorAll('[data-testid="view-playground"] [data-value]')]
                 .map(e => [e.getAttribute("data-testid"), e.getAttribute("data-value")]);"#,
            vec![],
        )
        .await?;
    Ok(serde_json::from_value(values)?)
}

#[tokio::test(flavor = "multi_thread")]
async fn students_follow_the_instructors_playground() -> Result<()> {
    let _turn = ONE_CLASSROOM_AT_A_TIME.lock().await;
    let mut classroom = Classroom::open(2).await?;
    classroom.wait_all_following().await?;
    let instructor = &classroom.instructor;
    instructor.click("open-playground").await?;
    wait_playground(instructor, "6.0.3.1", 0).await?;
    set(instructor, "pg-size-padding", "1", "input").await?;
    wait_playground(instructor, "6.1.3.1", 0).await?;
    set(instructor, "pg-size-input", "7", "input").await?;
    wait_playground(instructor, "7.1.3.1", 0).await?;
    set(instructor, "pg-size-stride", "2", "input").await?;
    wait_playground(instructor, "7.1.3.2", 0).await?;
    set(instructor, "pg-kernel-neuron", "4", "change").await?;
    instructor
        .wait_until(
            "the kernel of neuron 4",
            "location.hash.includes('kernel=m.0.4.0')",
        )
        .await?;
    set(instructor, "pg-kernel-source", "hand", "change").await?;
    instructor
        .wait_until("a typed kernel", "location.hash.includes('kernel=h.')")
        .await?;
    instructor
        .eval(
            r#"const e = document.querySelector('[data-testid="pg-weights-1-1"] input');
               e.value = "2.5";
               e.dispatchEvent(new Event("change", { bubbles: true }));
               return true;"#,
            vec![],
        )
        .await?;
    instructor
        .wait_until(
            "the typed weight",
            r#"document.querySelector('[data-testid="pg-weights-1-1"]').getAttribute("data-value") === "2.5""#,
        )
        .await?;
    for _ in 0..6 {
        instructor.click("step-forward").await?;
    }
    wait_playground(instructor, "7.1.3.2", 6).await?;
    let wanted = playground_numbers(instructor).await?;
    ensure!(
        wanted.iter().any(|(id, _)| id == "pg-output-1-2") && wanted.len() > 80,
        "the instructor's playground shows too few numbers: {wanted:?}"
    );

    for (i, student) in classroom.students.iter().enumerate() {
        wait_playground(student, "7.1.3.2", 6).await?;
        wait_status(student, "following").await?;
        let shown = playground_numbers(student).await?;
        ensure!(
            shown == wanted,
            "student-{i} shows other playground numbers than the instructor:\n{shown:?}\nvs\n{wanted:?}"
        );
    }
    classroom.students[0]
        .screenshot("live-student-playground")
        .await?;

    // A late joiner lands in the same playground.
    let late = classroom.add_student().await?;
    wait_playground(late, "7.1.3.2", 6).await?;
    ensure!(
        playground_numbers(late).await? == wanted,
        "the late joiner shows other numbers"
    );
    for (i, student) in classroom.students.iter().enumerate() {
        let errors = student.console_errors().await?;
        ensure!(errors.is_empty(), "student-{i} logged console errors: {errors:?}");
    }
    classroom.instructor.assert_no_console_errors().await?;
    classroom.close().await
}
