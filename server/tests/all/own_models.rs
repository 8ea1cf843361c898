//! Bring your own network (issue 14), the server's half: the console uploads a model file over
//! HTTP, switches the room to it with `Control::UseModel`, students and late joiners follow onto
//! it (the picture predicted again by the new network), `GET /models/<hash>` serves the file
//! for good; and every refusal is a sentence that leaves the room as it was.

use crate::common;

use std::net::SocketAddr;

use common::networks::{
    fixture, fixture_bundle, small_colour, too_many_activations, too_many_multiply_adds, too_many_parameters,
};
use common::{Client, TestServer, upload_model};
use models::preprocess::CanonicalImage;
use server::focus_check::overview_focus;
use shared::model::{ModelHash, ModelInfo};
use shared::*;

/// The hash, size and name of a `200` upload answer (`{"hash","bytes","name"}`).
fn info_of(answer: &common::HttpAnswer) -> ModelInfo {
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert!(
        answer.headers.contains("content-type: application/json"),
        "{}",
        answer.headers
    );
    let json = models::json::parse(&answer.text()).expect("the answer is JSON");
    let hash = json.get("hash").and_then(|h| h.as_str()).expect("a hash");
    let bytes = match json.get("bytes") {
        Some(models::json::Json::Number(n)) => u32::try_from(*n).expect("a size"),
        other => panic!("no size: {other:?}"),
    };
    let name = json.get("name").and_then(|n| n.as_str()).expect("a name");
    ModelInfo {
        hash: hash.parse().expect("64 hex digits"),
        bytes,
        name: name.to_owned(),
    }
}

/// The model event the next frames bring.
async fn recv_model(client: &mut Client) -> (Option<ModelInfo>, Focus, Option<Box<InputImage>>) {
    client
        .recv_until(|m| match m {
            ServerMsg::Room(RoomEvent::Model {
                model, focus, input, ..
            }) => Some((model.clone(), *focus, input.clone())),
            _ => None,
        })
        .await
}

/// The probabilities `network` gives the room's picture `input`, computed here.
fn local_prediction(network: &models::Network, input: &InputImage) -> Vec<f32> {
    let image = CanonicalImage::new(input.rgb.clone(), u32::from(input.side)).expect("a canonical picture");
    network
        .forward(&image.input_for(network.input_shape()))
        .expect("runs")
        .final_output()
        .to_vec()
}

async fn pick_sample(instructor: &mut Client, index: u16) {
    instructor
        .send(&ClientMsg::Control(Control::PickSample(index)))
        .await;
    instructor
        .recv_until(|m| match m {
            ServerMsg::Room(RoomEvent::Input { .. }) => Some(()),
            _ => None,
        })
        .await;
}

#[tokio::test]
async fn an_uploaded_model_is_served_and_the_whole_class_follows_onto_it() {
    let server = TestServer::start().await;
    let addr = server.addr;
    let (mut instructor, code, token) = Client::create_room(addr).await;
    let (mut student, _, snapshot) = Client::join(addr, &code, "Ada").await;
    assert_eq!(snapshot.model, None, "a new room teaches with Tiny VGG");
    pick_sample(&mut instructor, 3).await;
    instructor
        .set_focus(Focus {
            view: View::Operation,
            layer: 9,
            ..Focus::default()
        })
        .await;

    let bytes = fixture_bundle("grey");
    let info = info_of(&upload_model(addr, &code, &token, "grey%20shapes.model", &bytes).await);
    assert_eq!(info.name, "grey shapes.model");
    assert_eq!(info.bytes as usize, bytes.len(), "the canonical bytes are stored");
    assert_eq!(info.hash, ModelHash(models::bundle::hash(&bytes)));

    // Uploading does not switch the room; the console does, with the hash.
    instructor
        .send(&ClientMsg::Control(Control::UseModel(Some(info.hash))))
        .await;
    let grey = fixture("grey");
    for client in [&mut instructor, &mut student] {
        let (model, focus, input) = recv_model(client).await;
        assert_eq!(model.as_ref(), Some(&info));
        assert_eq!(
            focus,
            overview_focus(&grey),
            "the focus went back to the overview"
        );
        assert_eq!((focus.view, focus.layer), (View::Overview, 0));
        let input = input.expect("the picture stays");
        assert_eq!(input.source, InputSource::Sample(3));
        assert_eq!(
            input.prediction.probabilities.len(),
            4,
            "the grey network's 4 classes"
        );
        let expected = local_prediction(&grey, &input);
        for (got, want) in input.prediction.probabilities.iter().zip(&expected) {
            assert!((got - want).abs() < 1e-5, "{got} vs {want}");
        }
        assert_eq!(input.prediction.layer_sums.len(), grey.layers().len());
    }

    // Students fetch the file once by its hash.
    let file = common::http(addr, "GET", &info.path(), &[], b"").await;
    assert_eq!(file.status, 200);
    assert_eq!(file.body, bytes);
    assert!(
        file.headers
            .contains("cache-control: public, max-age=31536000, immutable"),
        "{}",
        file.headers
    );
    assert!(
        file.headers.contains("content-type: application/octet-stream"),
        "{}",
        file.headers
    );
    for missing in [
        format!("/models/{}", ModelHash([9; 32])),
        "/models/not-a-hash".to_owned(),
    ] {
        let answer = common::http(addr, "GET", &missing, &[], b"").await;
        assert_eq!(answer.status, 404, "{missing}");
        assert!(
            answer.text().contains("no model with this hash"),
            "{}",
            answer.text()
        );
        assert!(
            !answer.headers.contains("immutable"),
            "a 404 is not cached for good"
        );
    }

    // A late joiner lands on the new network, with the picture's new prediction.
    let (_late, _, snapshot) = Client::join(addr, &code, "Grace").await;
    assert_eq!(snapshot.model.as_ref(), Some(&info));
    assert_eq!(snapshot.focus, overview_focus(&grey));
    assert_eq!(
        snapshot.input.expect("a picture").prediction.probabilities.len(),
        4
    );

    // The focus is checked against the room's network now: 10 layers, not 13.
    instructor
        .set_focus(Focus {
            layer: 11,
            ..Focus::default()
        })
        .await;
    let error = instructor.recv_error().await;
    assert_eq!(error.kind, ErrorKind::BadFocus);
    assert!(
        error
            .message
            .contains(&format!("The network has {} layers", grey.layers().len())),
        "{}",
        error.message
    );

    // A new picture is predicted by the room's network.
    pick_sample(&mut instructor, 5).await;
    let (_, _, snapshot) = Client::join(addr, &code, "Alan").await;
    let input = snapshot.input.expect("a picture");
    assert_eq!(input.source, InputSource::Sample(5));
    assert_eq!(input.prediction.probabilities.len(), 4);

    // "Which class?" must offer the room's classes.
    instructor
        .send(&ClientMsg::Check(CheckMsg::Open {
            ask: Ask::PredictClass { classes: 10 },
            correct: Correct::Class(0),
        }))
        .await;
    let error = instructor.recv_error().await;
    assert_eq!(error.kind, ErrorKind::BadCheck);
    assert!(error.message.contains("4 classes"), "{}", error.message);

    // Back to Tiny VGG with `None`.
    instructor
        .send(&ClientMsg::Control(Control::UseModel(None)))
        .await;
    let (model, _, input) = recv_model(&mut student).await;
    assert_eq!(model, None);
    let input = input.expect("the picture stays");
    assert_eq!(input.prediction.probabilities.len(), 10);
    let expected = local_prediction(models::builtin::tiny_vgg(), &input);
    assert!((input.prediction.probabilities[0] - expected[0]).abs() < 1e-5);
    server.stop().await.unwrap();
}

/// Uploads `network` and returns the refusal's status and sentence.
async fn refused(addr: SocketAddr, code: &RoomCode, token: &InstructorToken, bytes: &[u8]) -> (u16, String) {
    let answer = upload_model(addr, code, token, "m", bytes).await;
    assert!(
        answer.headers.contains("cache-control: no-store"),
        "{}",
        answer.headers
    );
    (answer.status, answer.text())
}

#[tokio::test]
async fn bad_files_are_refused_with_sentences_naming_the_layer() {
    let server = TestServer::start_with(|config| {
        config.model_upload_rate = server::config::Rate::new(100, std::time::Duration::from_millis(1));
    })
    .await;
    let addr = server.addr;
    let (mut instructor, code, token) = Client::create_room(addr).await;

    let (status, text) = refused(addr, &code, &token, b"not a model at all").await;
    assert_eq!(status, 400);
    assert!(
        text.starts_with("This file is not a model the classroom can use:"),
        "{text}"
    );

    let mut truncated = fixture_bundle("colour");
    truncated.truncate(truncated.len() / 2);
    let (status, text) = refused(addr, &code, &token, &truncated).await;
    assert_eq!(status, 400, "{text}");

    for (network, limit) in [
        (too_many_parameters(), "parameters"),
        (too_many_activations(), "activation values"),
        (too_many_multiply_adds(), "multiply-adds"),
    ] {
        let (status, text) = refused(addr, &code, &token, &models::bundle::write(&network)).await;
        assert_eq!(status, 400, "{text}");
        assert!(text.contains(limit), "{limit}: {text}");
        assert!(text.contains("at layer"), "names the layer: {text}");
        if limit == "multiply-adds" {
            // 128·128·64 outputs × (3 + 64)·7·7, the example in docs/own-networks.md.
            assert!(
                text.contains("3,442,475,008 multiply-adds at layer 2 (Conv2d c2)"),
                "{text}"
            );
        }
    }

    // Too large: refused from the declared length, before the body is read.
    let too_large = (models::bundle::MAX_BYTES + 1).to_string();
    let answer = common::http(
        addr,
        "POST",
        "/api/models",
        &[
            ("x-room", code.as_str()),
            ("x-instructor-token", &token.to_hex()),
            ("content-length", &too_large),
        ],
        b"",
    )
    .await;
    assert_eq!(answer.status, 413, "{}", answer.text());
    assert!(
        answer.text().contains("the most a model may have"),
        "{}",
        answer.text()
    );

    // The room never moved.
    let (_, _, snapshot) = Client::join(addr, &code, "Ada").await;
    assert_eq!(snapshot.model, None);
    instructor.send(&ClientMsg::Session(SessionMsg::Ping(1))).await;
    server.stop().await.unwrap();
}

#[tokio::test]
async fn credentials_rates_unknown_models_and_students_are_refused() {
    let server = TestServer::start().await;
    let addr = server.addr;
    let (mut instructor, code, token) = Client::create_room(addr).await;
    let (mut student, _, _) = Client::join(addr, &code, "Ada").await;
    let bytes = models::bundle::write(&small_colour());

    let none = common::http(addr, "POST", "/api/models", &[], &bytes).await;
    assert_eq!(none.status, 401, "{}", none.text());
    assert!(none.text().contains("Only the instructor"), "{}", none.text());
    let wrong = upload_model(addr, &code, &InstructorToken([0; 16]), "m", &bytes).await;
    assert_eq!(wrong.status, 403, "{}", wrong.text());
    let other = RoomCode::parse(if code.as_str() == "ABCDEF" {
        "ABCDEG"
    } else {
        "ABCDEF"
    })
    .unwrap();
    let unknown_room = upload_model(addr, &other, &token, "m", &bytes).await;
    assert_eq!(
        (unknown_room.status, unknown_room.text()),
        (wrong.status, wrong.text()),
        "a wrong room and a wrong token answer alike"
    );
    let foreign = common::http(
        addr,
        "POST",
        "/api/models",
        &[
            ("origin", "http://evil.example"),
            ("x-room", code.as_str()),
            ("x-instructor-token", &token.to_hex()),
        ],
        &bytes,
    )
    .await;
    assert_eq!(foreign.status, 403, "{}", foreign.text());

    // A few uploads per minute per room (3 in a row by default).
    let info = info_of(&upload_model(addr, &code, &token, "colour", &bytes).await);
    for _ in 0..2 {
        assert_eq!(
            upload_model(addr, &code, &token, "colour", &bytes).await.status,
            200
        );
    }
    let limited = upload_model(addr, &code, &token, "colour", &bytes).await;
    assert_eq!(limited.status, 429, "{}", limited.text());
    assert!(
        limited.text().contains("Too many models uploaded in a row; wait"),
        "{}",
        limited.text()
    );

    // Only the instructor switches.
    student
        .send(&ClientMsg::Control(Control::UseModel(Some(info.hash))))
        .await;
    assert_eq!(student.recv_error().await.kind, ErrorKind::NotAllowed);

    instructor
        .send(&ClientMsg::Control(Control::UseModel(Some(ModelHash([3; 32])))))
        .await;
    let error = instructor.recv_error().await;
    assert_eq!(error.kind, ErrorKind::BadModel);
    assert!(
        error.message.contains("upload the model file first"),
        "{}",
        error.message
    );

    // Not while a question about the current network is open.
    pick_sample(&mut instructor, 0).await;
    instructor
        .send(&ClientMsg::Check(CheckMsg::Open {
            ask: Ask::PredictClass { classes: 10 },
            correct: Correct::Class(0),
        }))
        .await;
    instructor
        .recv_until(|m| match m {
            ServerMsg::Check(CheckEvent::Question {
                question: Some(_), ..
            }) => Some(()),
            _ => None,
        })
        .await;
    instructor
        .send(&ClientMsg::Control(Control::UseModel(Some(info.hash))))
        .await;
    let error = instructor.recv_error().await;
    assert_eq!(error.kind, ErrorKind::BadModel);
    assert!(error.message.contains("reveal or close it"), "{}", error.message);
    let (_, _, snapshot) = Client::join(addr, &code, "Grace").await;
    assert_eq!(snapshot.model, None, "every refusal left the room as it was");
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_full_model_store_refuses_the_next_upload_with_a_sentence() {
    let small = models::bundle::write(&small_colour());
    let room_for_one = small.len() as u64 + 10;
    let server = TestServer::start_with(|config| config.model_storage_bytes = room_for_one).await;
    let addr = server.addr;
    let (_instructor, code, token) = Client::create_room(addr).await;
    assert_eq!(upload_model(addr, &code, &token, "a", &small).await.status, 200);
    assert_eq!(
        upload_model(addr, &code, &token, "a again", &small).await.status,
        200,
        "the same model is stored once"
    );
    let full = upload_model(addr, &code, &token, "b", &fixture_bundle("grey")).await;
    assert_eq!(full.status, 507, "{}", full.text());
    assert!(full.text().contains("--model-storage-mib"), "{}", full.text());
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_slow_upload_holds_up_nobody_and_times_out_with_a_sentence() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let server =
        TestServer::start_with(|config| config.message_timeout = std::time::Duration::from_secs(2)).await;
    let addr = server.addr;
    let (_slow_instructor, slow_code, slow_token) = Client::create_room(addr).await;
    let (_instructor, code, token) = Client::create_room(addr).await;
    let mut slow = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST /api/models HTTP/1.1\r\nHost: {addr}\r\nx-room: {}\r\nx-instructor-token: {}\r\n\
         Content-Length: 100000\r\n\r\n",
        slow_code.as_str(),
        slow_token.to_hex()
    );
    slow.write_all(head.as_bytes()).await.unwrap();
    slow.write_all(&[0; 10]).await.unwrap();

    let started = std::time::Instant::now();
    let answer = upload_model(addr, &code, &token, "m", &models::bundle::write(&small_colour())).await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert!(
        started.elapsed() < std::time::Duration::from_secs(2),
        "not held up"
    );

    let mut response = Vec::new();
    tokio::time::timeout(common::RECV_TIMEOUT, slow.read_to_end(&mut response))
        .await
        .expect("an answer in time")
        .unwrap();
    let text = String::from_utf8_lossy(&response);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(text.contains("took too long to arrive"), "{text}");
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_large_upload_does_not_stall_the_lecture() {
    use std::time::{Duration, Instant};
    let server = TestServer::start().await;
    let addr = server.addr;
    let (mut instructor, code, token) = Client::create_room(addr).await;
    let (mut student, _, _) = Client::join(addr, &code, "Ada").await;
    let bytes = models::bundle::write(&common::networks::large_within_budget());
    let (upload_code, upload_token, upload_bytes) = (code.clone(), token.clone(), bytes.clone());
    let started = Instant::now();
    let upload = tokio::spawn(async move {
        let answer = upload_model(addr, &upload_code, &upload_token, "large", &upload_bytes).await;
        (answer, started.elapsed())
    });
    // The lecture goes on meanwhile: every focus step reaches the student promptly.
    let mut slowest = Duration::ZERO;
    let mut step = 0;
    while !upload.is_finished() || step < 5 {
        step += 1;
        let sent = Instant::now();
        instructor.set_focus(common::step_focus(step)).await;
        student.recv_focus_step(step).await;
        slowest = slowest.max(sent.elapsed());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (answer, took) = upload.await.unwrap();
    let info = info_of(&answer);
    eprintln!(
        "a {} byte model uploaded and checked in {took:.2?}; {step} focus steps meanwhile, the slowest took {slowest:.2?}",
        bytes.len()
    );
    assert!(
        slowest < Duration::from_millis(500),
        "a focus step took {slowest:?}"
    );

    let switched = Instant::now();
    instructor
        .send(&ClientMsg::Control(Control::UseModel(Some(info.hash))))
        .await;
    let (model, _, _) = recv_model(&mut student).await;
    assert_eq!(model, Some(info));
    eprintln!("switched in {:.2?}", switched.elapsed());
    server.stop().await.unwrap();
}
