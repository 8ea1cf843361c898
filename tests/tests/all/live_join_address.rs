//! Browser tests of the lecture-day trap: the instructor opens the page at 127.0.0.1. On a server
//! listening on every interface the join link and QR code name the laptop's LAN address, and a
//! student really joins through that link; on a server listening on loopback only the join
//! screen says that students cannot reach it and how to fix it. Screenshots of both at three
//! screen sizes (light scheme) go to target/e2e-artifacts/.

use crate::live_support;

use std::net::{IpAddr, Ipv4Addr};

use anyhow::{Context, Result, ensure};
use e2e::{Browser, TestServer};
use live_support::{ONE_CLASSROOM_AT_A_TIME, launch, wait_join_screen_answered, wait_status};
use serde_json::json;

/// Projector, full-HD projector, phone.
const SCREENS: [(u32, u32); 3] = [(1280, 720), (1920, 1080), (390, 844)];

/// The machine's IPv4 addresses other machines could use, as `hostname -I` lists them.
fn lan_ipv4() -> Result<Vec<IpAddr>> {
    let output = std::process::Command::new("hostname")
        .arg("-I")
        .output()
        .context("`hostname -I` did not run")?;
    Ok(String::from_utf8_lossy(&output.stdout)
        .split_whitespace()
        .filter_map(|ip| ip.parse::<IpAddr>().ok())
        .filter(|ip| ip.is_ipv4() && !ip.is_loopback() && !ip.to_string().starts_with("169.254."))
        .collect())
}

/// Opens the app at the server's loopback address, starts a lecture and waits until the join
/// screen knows where students can reach the server; returns the code.
async fn open_join_screen(browser: &Browser, server: &TestServer) -> Result<String> {
    browser.goto(&server.url()).await?;
    browser.wait_ready().await?;
    browser.click("start-lecture").await?;
    browser.wait_for("join-screen-code").await?;
    wait_join_screen_answered(browser).await?;
    Ok(browser.text("join-screen-code").await?.trim().to_owned())
}

/// Screenshots of the join screen at each of [`SCREENS`] in the light scheme.
async fn screenshots(browser: &Browser, name: &str) -> Result<()> {
    browser
        .devtools(
            "Emulation.setEmulatedMedia",
            json!({ "features": [{ "name": "prefers-color-scheme", "value": "light" }] }),
        )
        .await?;
    for (width, height) in SCREENS {
        browser
            .devtools(
                "Emulation.setDeviceMetricsOverride",
                json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600 }),
            )
            .await?;
        browser.screenshot(&format!("{name}-{width}x{height}")).await?;
    }
    browser
        .devtools("Emulation.clearDeviceMetricsOverride", json!({}))
        .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn on_every_interface_the_join_link_names_the_lan_address_and_works() -> Result<()> {
    let _turn = ONE_CLASSROOM_AT_A_TIME.lock().await;
    let lan = lan_ipv4()?;
    ensure!(
        !lan.is_empty(),
        "this machine has no LAN address; the test would prove nothing"
    );
    let server = TestServer::start_on(Ipv4Addr::UNSPECIFIED.into(), Box::new(|_| {})).await?;
    let port = server.addr().port();
    let instructor = launch("instructor").await?;
    let code = open_join_screen(&instructor, &server).await?;
    let page_host = instructor.eval("return location.hostname;", vec![]).await?;
    ensure!(
        page_host == json!("127.0.0.1"),
        "the instructor is on {page_host}, not loopback"
    );

    let link = instructor.text("join-link").await?;
    let host = link
        .strip_prefix("http://")
        .and_then(|rest| rest.split_once(&format!(":{port}/join/{code}")))
        .map(|(host, _)| host.to_owned())
        .with_context(|| format!("the join link {link:?} is not http://HOST:{port}/join/{code}"))?;
    let ip: IpAddr = host
        .parse()
        .with_context(|| format!("{host:?} is not an IP address"))?;
    ensure!(!ip.is_loopback(), "the join link {link} names a loopback address");
    ensure!(
        lan.contains(&ip),
        "the join link {link} is none of this machine's {lan:?}"
    );
    ensure!(instructor.exists("join-qr").await?, "no QR code");
    ensure!(
        !instructor.exists("join-unreachable").await?,
        "a warning although students can reach the server"
    );
    screenshots(&instructor, "live-join-screen-lan").await?;

    // A student opens exactly the projected link (the LAN address) and follows the lecture.
    let student = launch("student-lan").await?;
    student.goto(&link).await?;
    student.wait_ready().await?;
    student
        .wait_for("join-name-input")
        .await?
        .send_keys("Lan")
        .await?;
    student.click("join-submit").await?;
    wait_status(&student, "following").await?;
    instructor
        .wait_until(
            "the join screen to count the student",
            r#"document.querySelector(".live-join-count")?.textContent.includes("1 joined")"#,
        )
        .await?;
    student.close().await?;
    instructor.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn on_loopback_only_the_join_screen_says_students_cannot_reach_it() -> Result<()> {
    let _turn = ONE_CLASSROOM_AT_A_TIME.lock().await;
    let server = TestServer::start().await?;
    let port = server.addr().port();
    let instructor = launch("instructor").await?;
    open_join_screen(&instructor, &server).await?;
    let warning = instructor.text("join-unreachable").await?;
    for needle in [
        "Students cannot reach this server".to_owned(),
        format!("--bind 0.0.0.0:{port}"),
        format!("CNN_CLASSROOM_BIND=0.0.0.0:{port}"),
    ] {
        ensure!(
            warning.contains(&needle),
            "the warning {warning:?} lacks {needle:?}"
        );
    }
    let link = instructor.text("join-link").await?;
    ensure!(link.is_empty(), "a join link no student can open: {link:?}");
    ensure!(
        !instructor.exists("join-qr").await?,
        "a QR code no student can open"
    );
    screenshots(&instructor, "live-join-screen-loopback").await?;
    instructor.close().await
}
