//! Browser test of a student's input picker during a lecture: when the instructor picks one of
//! the samples, the student's picker names that sample and marks its tile (it used to say "the
//! instructor's picture" with no tile marked); a picture that is no sample is still called the
//! instructor's.

use crate::live_support;

use anyhow::{Result, ensure};
use e2e::{expected, page};
use live_support::{Classroom, ONE_CLASSROOM_AT_A_TIME};

/// A sample other than the first, which every page starts with.
const SAMPLE: usize = 9;

#[tokio::test(flavor = "multi_thread")]
async fn a_students_picker_names_and_marks_the_instructors_sample() -> Result<()> {
    let _turn = ONE_CLASSROOM_AT_A_TIME.lock().await;
    let classroom = Classroom::open(1).await?;
    let (instructor, student) = (&classroom.instructor, &classroom.students[0]);
    instructor.click(&format!("sample-{SAMPLE}")).await?;
    page::wait_for_prediction(student, &expected::for_sample(SAMPLE)?).await?;

    let sample = &models::samples::SAMPLES[SAMPLE];
    student
        .wait_until(
            "the student's picker to name the instructor's sample",
            &format!(
                "document.querySelector('.current-input')?.textContent.includes({})",
                serde_json::json!(sample.name)
            ),
        )
        .await?;
    let pressed = student.attr(&format!("sample-{SAMPLE}"), "aria-pressed").await?;
    ensure!(
        pressed.as_deref() == Some("true"),
        "the student's tile of the instructor's sample is not marked (aria-pressed {pressed:?})"
    );
    let marked = student
        .eval(
            "return document.querySelectorAll('.samples [aria-pressed=\"true\"]').length;",
            vec![],
        )
        .await?;
    ensure!(
        marked.as_u64() == Some(1),
        "{marked} tiles are marked on the student's picker"
    );
    student.screenshot("live-student-picker").await?;
    classroom.close().await
}
