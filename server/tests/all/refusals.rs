//! Bad input gets a clear error, and the server and the room keep working afterwards.

use crate::common;

use common::{Client, TestServer, bmp, step_focus};
use futures_util::SinkExt;
use shared::codec::{MAX_CLIENT_FRAME_BYTES, encode_client};
use shared::*;
use tokio_tungstenite::tungstenite::Message;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_student_cannot_change_the_room() {
    let server = TestServer::start().await;
    let (mut instructor, code, _) = Client::create_room(server.addr).await;
    instructor.set_focus(step_focus(7)).await;
    instructor.recv_focus_step(7).await;
    let (mut student, _, snapshot) = Client::join(server.addr, &code, "Mallory").await;
    assert_eq!(snapshot.focus.step, 7);

    for control in [
        Control::SetFocus(step_focus(666)),
        Control::SetLocked(true),
        Control::BringEveryoneBack,
        Control::CloseRoom,
    ] {
        student.send(&ClientMsg::Control(control)).await;
        let error = student.recv_error().await;
        assert_eq!(error.kind, ErrorKind::NotAllowed);
        assert!(error.message.contains("Only the instructor"), "{}", error.message);
    }

    // The room is unchanged and still works: a newcomer sees step 7, then the instructor's 8.
    let (mut other, _, snapshot) = Client::join(server.addr, &code, "Bob").await;
    assert_eq!(snapshot.focus.step, 7);
    assert!(!snapshot.locked);
    instructor.set_focus(step_focus(8)).await;
    other.recv_focus_step(8).await;
    student.recv_focus_step(8).await;
    server.stop().await.expect("clean shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_instructor_token_is_refused() {
    let server = TestServer::start().await;
    let (mut instructor, code, token) = Client::create_room(server.addr).await;
    let mut wrong = token.clone();
    wrong.0[0] ^= 1;
    let error = Client::hello(
        server.addr,
        Join::Instruct {
            code: code.clone(),
            token: wrong,
        },
    )
    .await
    .err()
    .expect("refused");
    assert_eq!(error.kind, ErrorKind::BadToken);
    // The real instructor still has control.
    instructor.set_focus(step_focus(3)).await;
    instructor.recv_focus_step(3).await;
    server.stop().await.expect("clean shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_frames_versions_sizes_and_uploads_get_clear_errors() {
    let server = TestServer::start().await;
    let (mut instructor, code, _) = Client::create_room(server.addr).await;

    // An unknown protocol version: "reload the page", then the connection closes.
    let mut old = Client::connect(server.addr).await;
    old.send(&ClientMsg::Hello(Hello {
        version: PROTOCOL_VERSION + 1,
        join: Join::CreateRoom,
    }))
    .await;
    let error = old.recv_error().await;
    assert_eq!(
        error.kind,
        ErrorKind::VersionMismatch {
            server: PROTOCOL_VERSION,
            client: PROTOCOL_VERSION + 1
        }
    );
    assert!(error.message.contains("reload the page"), "{}", error.message);
    assert!(old.next().await.is_none());

    // Garbage before the handshake.
    let mut garbage = Client::connect(server.addr).await;
    garbage.send_bytes(vec![0xff, 0x00, 0x13, 0x37]).await;
    assert_eq!(garbage.recv_error().await.kind, ErrorKind::Malformed);

    // A message other than Hello first.
    let mut rude = Client::connect(server.addr).await;
    rude.set_focus(step_focus(1)).await;
    assert_eq!(rude.recv_error().await.kind, ErrorKind::NotAllowed);

    // After joining: garbage, text and an oversized frame each get an error, the connection stays.
    instructor.send_bytes(vec![0x01, 0xff, 0xff]).await;
    assert_eq!(instructor.recv_error().await.kind, ErrorKind::Malformed);
    instructor.ws.send(Message::text("hello?")).await.unwrap();
    assert_eq!(instructor.recv_error().await.kind, ErrorKind::Malformed);
    instructor
        .send_bytes(vec![0; MAX_CLIENT_FRAME_BYTES as usize + 10])
        .await;
    assert_eq!(instructor.recv_error().await.kind, ErrorKind::TooLarge);

    // An upload over the limit, a non-image upload and an unknown sample.
    let too_big = vec![0u8; MAX_UPLOAD_BYTES as usize + 1];
    let frame = encode_client(&ClientMsg::Control(Control::UploadImage(too_big)));
    assert!(
        frame.len() <= MAX_CLIENT_FRAME_BYTES as usize,
        "fits the frame, not the upload limit"
    );
    instructor.send_bytes(frame).await;
    assert_eq!(instructor.recv_error().await.kind, ErrorKind::TooLarge);
    instructor
        .send(&ClientMsg::Control(Control::UploadImage(
            b"%PDF-1.7 not a picture".to_vec(),
        )))
        .await;
    let error = instructor.recv_error().await;
    assert_eq!(error.kind, ErrorKind::BadImage);
    assert!(error.message.contains("Upload a PNG, JPEG"), "{}", error.message);
    instructor
        .send(&ClientMsg::Control(Control::PickSample(u16::MAX)))
        .await;
    assert_eq!(instructor.recv_error().await.kind, ErrorKind::UnknownSample);
    instructor
        .set_focus(Focus {
            layer: 999,
            ..step_focus(1)
        })
        .await;
    assert_eq!(instructor.recv_error().await.kind, ErrorKind::BadFocus);

    // A bad name.
    let error = Client::hello(
        server.addr,
        Join::Student {
            code: code.clone(),
            name: "  ".into(),
        },
    )
    .await
    .err()
    .expect("empty names are refused");
    assert_eq!(error.kind, ErrorKind::BadName);

    // Everything still works: a real image upload reaches a student with the prediction.
    let (mut student, _, snapshot) = Client::join(server.addr, &code, "Ada").await;
    assert!(snapshot.input.is_none());
    instructor
        .send(&ClientMsg::Control(Control::UploadImage(bmp(80, [200, 30, 30]))))
        .await;
    let input = student
        .recv_until(|m| match m {
            ServerMsg::Room(RoomEvent::Input { input, .. }) => Some(input.clone()),
            _ => None,
        })
        .await;
    assert_eq!(input.source, InputSource::Upload);
    assert_eq!(input.rgb.len(), shared::room::INPUT_RGB_BYTES);
    assert_eq!(&input.rgb[..3], &[200, 30, 30]);
    assert_eq!(input.prediction.probabilities.len(), 10);
    assert_eq!(input.prediction.layer_sums.len(), 13);
    let sum: f32 = input.prediction.probabilities.iter().sum();
    assert!((sum - 1.0).abs() < 1e-3, "probabilities sum to {sum}");
    instructor.set_focus(step_focus(9)).await;
    student.recv_focus_step(9).await;
    server.stop().await.expect("clean shutdown");
}
