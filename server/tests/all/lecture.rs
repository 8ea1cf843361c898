//! A lecture over real sockets: students see the instructor's focus in order, every step when it
//! moves slowly, the newest state after a burst, and late joiners and rejoiners get the present.

use crate::common;

use common::{Client, TestServer, step_focus};
use shared::*;

const STUDENTS: usize = 12;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn students_follow_the_instructor_in_order_and_end_on_the_last_state() {
    let server = TestServer::start().await;
    let (mut instructor, code, _token) = Client::create_room(server.addr).await;
    let mut students = Vec::new();
    for i in 0..STUDENTS {
        students.push(Client::join(server.addr, &code, &format!("student {i}")).await.0);
    }

    // Slowly: each step is sent only after every student saw the previous one, so nothing may
    // be coalesced and every single step must arrive.
    for step in 1..=5 {
        instructor.set_focus(step_focus(step)).await;
        for student in &mut students {
            let msg = student.recv().await;
            let ServerMsg::Room(RoomEvent::Focus { focus, .. }) = msg else {
                panic!("expected the focus update for step {step}, got {msg:?}");
            };
            assert_eq!(focus.step, step, "a slow step was skipped");
        }
    }

    // A burst: students may see fewer states, but never an older one after a newer one, and
    // they all end on the last.
    const LAST: u32 = 300;
    for step in 6..=LAST {
        instructor.set_focus(step_focus(step)).await;
    }
    let mut seen_counts = Vec::new();
    for student in &mut students {
        let mut last_version = StateVersion::default();
        let mut last_step = 5;
        let mut seen = 0;
        while last_step != LAST {
            let msg = student.recv().await;
            let ServerMsg::Room(RoomEvent::Focus { version, focus }) = msg else {
                panic!("expected only focus updates, got {msg:?}");
            };
            assert!(
                version > last_version,
                "version went backwards: {version:?} after {last_version:?}"
            );
            assert!(
                focus.step > last_step,
                "step went backwards: {} after {last_step}",
                focus.step
            );
            last_version = version;
            last_step = focus.step;
            seen += 1;
        }
        seen_counts.push(seen);
    }
    eprintln!(
        "focus updates seen per student for a burst of {} steps: {seen_counts:?}",
        LAST - 5
    );

    // A late joiner starts from the current state.
    let (_late, _, snapshot) = Client::join(server.addr, &code, "late").await;
    assert_eq!(snapshot.focus.step, LAST);
    server.stop().await.expect("clean shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reconnecting_student_keeps_its_seat_and_gets_the_current_state() {
    let server = TestServer::start().await;
    let (mut instructor, code, token) = Client::create_room(server.addr).await;
    let (mut student, resume, _) = Client::join(server.addr, &code, "Ada").await;
    let member = instructor
        .recv_until(|m| match m {
            ServerMsg::Roster(RosterEvent::Full(r)) if r.len() == 1 && r[0].connected => Some(r[0].member),
            _ => None,
        })
        .await;

    student
        .send(&ClientMsg::Student(StudentMsg::SetMode(Mode::Exploring)))
        .await;
    instructor
        .recv_until(|m| match m {
            ServerMsg::Roster(RosterEvent::Full(r)) if r[0].mode == Mode::Exploring => Some(()),
            _ => None,
        })
        .await;

    drop(student);
    instructor
        .recv_until(|m| match m {
            ServerMsg::Roster(RosterEvent::Full(r)) if !r[0].connected => Some(()),
            _ => None,
        })
        .await;
    instructor.set_focus(step_focus(42)).await;
    instructor.recv_focus_step(42).await;

    let rejoined = Client::hello(
        server.addr,
        Join::Rejoin {
            code: code.clone(),
            resume: resume.clone(),
        },
    )
    .await
    .expect("rejoin works");
    assert_eq!(rejoined.welcome.member, member, "same seat");
    assert_eq!(
        rejoined.welcome.credentials,
        Credentials::Student {
            resume,
            name: "Ada".into()
        },
        "same name and token"
    );
    assert_eq!(rejoined.snapshot.focus.step, 42, "resynced from the snapshot");

    // The instructor reconnects with its token and keeps control.
    drop(instructor);
    let again = Client::hello(
        server.addr,
        Join::Instruct {
            code: code.clone(),
            token,
        },
    )
    .await
    .expect("instructor reconnects");
    let mut instructor = again.client;
    assert_eq!(again.snapshot.focus.step, 42);
    instructor.set_focus(step_focus(43)).await;
    let mut student = rejoined.client;
    student.recv_focus_step(43).await;
    server.stop().await.expect("clean shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lock_recall_and_close_reach_members() {
    let server = TestServer::start().await;
    let (mut instructor, code, _) = Client::create_room(server.addr).await;
    let (mut student, resume, _) = Client::join(server.addr, &code, "Ada").await;

    instructor
        .send(&ClientMsg::Control(Control::SetLocked(true)))
        .await;
    student
        .recv_until(|m| matches!(m, ServerMsg::Room(RoomEvent::Locked { locked: true, .. })).then_some(()))
        .await;
    let refused = Client::hello(
        server.addr,
        Join::Student {
            code: code.clone(),
            name: "Bob".into(),
        },
    )
    .await
    .err()
    .expect("locked room refuses new students");
    assert_eq!(refused.kind, ErrorKind::RoomLocked);
    drop(student);
    let rejoined = Client::hello(
        server.addr,
        Join::Rejoin {
            code: code.clone(),
            resume,
        },
    )
    .await
    .expect("a rejoin works while locked");
    assert!(rejoined.snapshot.locked);
    let mut student = rejoined.client;

    instructor
        .send(&ClientMsg::Control(Control::BringEveryoneBack))
        .await;
    let recall = student
        .recv_until(|m| match m {
            ServerMsg::Room(RoomEvent::Recall { recall, .. }) => Some(*recall),
            _ => None,
        })
        .await;
    assert_eq!(recall, 1);

    instructor.send(&ClientMsg::Control(Control::CloseRoom)).await;
    let reason = student
        .recv_until(|m| match m {
            ServerMsg::Session(SessionEvent::Closing(reason)) => Some(*reason),
            _ => None,
        })
        .await;
    assert_eq!(reason, CloseReason::RoomClosed);
    let gone = Client::hello(
        server.addr,
        Join::Student {
            code,
            name: "Cy".into(),
        },
    )
    .await
    .err();
    assert_eq!(gone.map(|e| e.kind), Some(ErrorKind::RoomNotFound));
    server.stop().await.expect("clean shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_tells_connected_clients_why() {
    let server = TestServer::start().await;
    let (_instructor, code, _) = Client::create_room(server.addr).await;
    let (mut student, _, _) = Client::join(server.addr, &code, "Ada").await;
    let stopping = tokio::spawn(server.stop());
    let reason = student
        .recv_until(|m| match m {
            ServerMsg::Session(SessionEvent::Closing(reason)) => Some(*reason),
            _ => None,
        })
        .await;
    assert_eq!(reason, CloseReason::ServerShutdown);
    assert!(student.next().await.is_none(), "closed after the goodbye");
    stopping.await.unwrap().expect("clean shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_room_expires_but_a_used_one_does_not() {
    let server = TestServer::start_with(|config| {
        config.room_expiry = std::time::Duration::from_secs(1);
    })
    .await;
    let (instructor, idle_code, _) = Client::create_room(server.addr).await;
    drop(instructor);
    let (_kept, kept_code, _) = Client::create_room(server.addr).await;

    // Expiry 1 s, checked every second: the empty room is gone after a bounded wait. (Wrong
    // instructor tokens cannot probe it: a wrong token and a missing room answer alike.)
    tokio::time::sleep(std::time::Duration::from_millis(3500)).await;
    let gone = Client::hello(
        server.addr,
        Join::Student {
            code: idle_code.clone(),
            name: "Probe".into(),
        },
    )
    .await
    .err()
    .expect("the idle room expired");
    assert_eq!(gone.kind, ErrorKind::RoomNotFound);
    // The room with its instructor still connected stays.
    let (_student, _, _) = Client::join(server.addr, &kept_code, "Bob").await;
    server.stop().await.expect("clean shutdown");
}
