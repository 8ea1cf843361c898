//! Helpers of the live-lecture browser tests: a classroom of one instructor and several students
//! in separate headless Chromium sessions against one real server, and readers for what each
//! screen shows (follow status, conv view step and numbers, roster).

use anyhow::{Context, Result, bail, ensure};
use e2e::{Browser, BrowserOptions, TestServer, page};
use serde_json::{Value, json};
use tokio::sync::Mutex;

/// The live tests each run five or so Chromiums; running two at once on a small machine only
/// makes both slow and flaky, so they take turns.
pub static ONE_CLASSROOM_AT_A_TIME: Mutex<()> = Mutex::const_new(());

/// conv_1_2 has ten input channels, so products, channel sums and bias all matter.
pub const CONV_LAYER: usize = 2;
/// The neuron the instructor opens.
pub const CONV_NEURON: usize = 3;

/// A server with an instructor and students, all on the same lecture.
pub struct Classroom {
    /// The real server.
    pub server: TestServer,
    /// The instructor's browser.
    pub instructor: Browser,
    /// The students' browsers, in joining order (named `student-{i}`).
    pub students: Vec<Browser>,
    /// The room's join code.
    pub code: String,
}

impl Classroom {
    /// Starts a server, starts a lecture in one browser, and joins `students` more browsers to
    /// it through the join link.
    pub async fn open(students: usize) -> Result<Self> {
        let server = TestServer::start().await?;
        let instructor = launch("instructor").await?;
        let code = start_lecture(&instructor, &server).await?;
        let mut classroom = Self {
            server,
            instructor,
            students: Vec::new(),
            code,
        };
        for _ in 0..students {
            classroom.add_student().await?;
        }
        Ok(classroom)
    }

    /// One more student joins (a late joiner, if the lecture is under way).
    pub async fn add_student(&mut self) -> Result<&Browser> {
        let name = format!("student-{}", self.students.len());
        let browser = launch(&name).await?;
        join(&browser, &self.server, &self.code, &name).await?;
        self.students.push(browser);
        Ok(self.students.last().expect("just pushed"))
    }

    /// Waits until the instructor's roster lists `name` in `mode` ("following" or "exploring").
    pub async fn wait_roster(&self, name: &str, mode: &str) -> Result<()> {
        let selector = format!(
            r#"[data-testid="roster-entry"][data-name="{name}"][data-mode="{mode}"][data-connected="true"]"#
        );
        self.instructor
            .wait_until(
                &format!("the roster to show {name} {mode}"),
                &format!("document.querySelector({})", json!(selector)),
            )
            .await
    }

    /// Waits until the roster lists every student as following.
    pub async fn wait_all_following(&self) -> Result<()> {
        for i in 0..self.students.len() {
            self.wait_roster(&format!("student-{i}"), "following").await?;
        }
        Ok(())
    }

    /// Closes every browser.
    pub async fn close(self) -> Result<()> {
        for student in self.students {
            student.close().await?;
        }
        self.instructor.close().await
    }
}

/// A fresh Chromium named `name` (used in logs and failure screenshots).
pub async fn launch(name: &str) -> Result<Browser> {
    Browser::launch_with(BrowserOptions {
        name: name.into(),
        ..Default::default()
    })
    .await
}

/// Opens the app, starts a lecture, reads the code off the join screen and closes it.
pub async fn start_lecture(browser: &Browser, server: &TestServer) -> Result<String> {
    browser.goto(&server.url()).await?;
    browser.wait_ready().await?;
    browser.click("start-lecture").await?;
    browser.wait_for("join-screen-code").await?;
    let code = browser.text("join-screen-code").await?.trim().to_owned();
    ensure!(
        code.len() == 6,
        "the join screen shows {code:?}, not a six-letter code"
    );
    wait_join_screen_answered(browser).await?;
    if !server.listens_everywhere() {
        // No student could reach this server: the screen says so instead of a link.
        wait_text(browser, "join-unreachable", "--bind 0.0.0.0").await?;
        ensure!(
            !browser.exists("join-qr").await?,
            "a QR code of an unreachable link"
        );
        ensure!(
            browser.text("join-link").await?.is_empty(),
            "a link no student can open"
        );
    } else {
        let link = browser.text("join-link").await?;
        ensure!(
            link.ends_with(&format!("/join/{code}")),
            "the join link {link:?} does not end in /join/{code}"
        );
        ensure!(browser.exists("join-qr").await?, "the join screen has no QR code");
    }
    browser.screenshot("live-join-screen").await?;
    browser.click("join-screen-close").await?;
    wait_text(browser, "join-code", &code).await?;
    Ok(code)
}

/// Waits until the join screen has heard from the server where students can reach it.
pub async fn wait_join_screen_answered(browser: &Browser) -> Result<()> {
    browser
        .wait_until(
            "the join screen to learn where students can reach the server",
            r#"document.querySelector('.live-join-card[data-reach="answered"]')"#,
        )
        .await
}

/// Opens the join link, types `name`, joins, and waits until the screen follows the lecture.
pub async fn join(browser: &Browser, server: &TestServer, code: &str, name: &str) -> Result<()> {
    browser.goto(&format!("{}/join/{code}", server.url())).await?;
    browser.wait_ready().await?;
    let code_input = browser.wait_for("join-code-input").await?;
    let prefilled = code_input.prop("value").await?.unwrap_or_default();
    ensure!(
        prefilled == code,
        "the join link did not fill in the code (shows {prefilled:?})"
    );
    browser.wait_for("join-name-input").await?.send_keys(name).await?;
    browser.click("join-submit").await?;
    wait_status(browser, "following").await
}

/// Waits until the element's text contains `needle` (case-insensitive).
pub async fn wait_text(browser: &Browser, test_id: &str, needle: &str) -> Result<()> {
    let condition = format!(
        "(document.querySelector({}) || {{}}).textContent?.toLowerCase().includes({})",
        json!(e2e::browser::test_id_selector(test_id)),
        json!(needle.to_lowercase())
    );
    browser
        .wait_until(&format!("{test_id} to say {needle:?}"), &condition)
        .await
}

/// Waits until the follow indicator says `status` ("following", "exploring", "reconnecting").
pub async fn wait_status(browser: &Browser, status: &str) -> Result<()> {
    wait_text(browser, "live-status", status).await
}

/// Waits until the conv view is open at `step`.
pub async fn wait_conv_step(browser: &Browser, step: u32) -> Result<()> {
    browser
        .wait_until(
            &format!("the conv view at step {step}"),
            &format!(r#"document.querySelector('[data-testid="view-conv"]')?.getAttribute("data-step") === "{step}""#),
        )
        .await
}

/// From the network opened around a conv neuron, the instructor opens its arithmetic and takes
/// `steps` steps; returns once the conv view shows that step.
pub async fn step_conv_arithmetic(instructor: &Browser, steps: u32) -> Result<()> {
    instructor.click("open-arithmetic").await?;
    instructor.wait_for("view-conv").await?;
    for _ in 0..steps {
        instructor.click("step-forward").await?;
    }
    wait_conv_step(instructor, steps).await
}

/// Every number of the open conv view (products, channel sums, bias, total) by `data-testid`,
/// read in one round trip.
pub async fn conv_numbers(browser: &Browser) -> Result<Vec<(String, f32)>> {
    let values = browser
        .eval(
            r#"const view = document.querySelector('[data-testid="view-conv"]');
               if (!view) return null;
               return [...view.querySelectorAll('[data-testid^="conv-"][data-value]')]
                 .map(e => [e.getAttribute("data-testid"), e.getAttribute("data-value")]);"#,
            vec![],
        )
        .await?;
    let Value::Array(pairs) = values else {
        bail!("{}: no conv view is open", "conv_numbers")
    };
    let mut numbers = Vec::with_capacity(pairs.len());
    for pair in pairs {
        let id = pair[0]
            .as_str()
            .context("a conv number without a test id")?
            .to_owned();
        let value = e2e::expected::parse_value(pair[1].as_str().unwrap_or_default())?;
        numbers.push((id, value));
    }
    ensure!(
        !numbers.is_empty(),
        "the conv view shows no numbers with data-value"
    );
    Ok(numbers)
}

/// Asserts two screens show the same conv numbers (same elements, same values).
pub fn assert_same_numbers(who: &str, shown: &[(String, f32)], wanted: &[(String, f32)]) -> Result<()> {
    ensure!(
        shown.len() == wanted.len(),
        "{who} shows {} conv numbers, the instructor {}",
        shown.len(),
        wanted.len()
    );
    for ((id, value), (wanted_id, wanted_value)) in shown.iter().zip(wanted) {
        ensure!(
            id == wanted_id,
            "{who} shows {id} where the instructor shows {wanted_id}"
        );
        page::assert_close(&format!("{who} {id}"), *value, *wanted_value)?;
    }
    Ok(())
}
