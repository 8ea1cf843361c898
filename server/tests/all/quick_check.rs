//! Quick checks over real sockets: the instructor asks, students answer and change their answer,
//! the instructor's tally counts (never names), the reveal shows everyone the right answer and
//! the spread; late joiners and reloads land in the question; answers survive a restart; and
//! every refusal (roles, one open question, answer shape and size, rate limits) is a sentence.

use std::net::SocketAddr;
use std::time::Duration;

use crate::common;

use common::{Client, ServerProcess, TestServer};
use shared::*;

fn value_question(value: f32) -> ClientMsg {
    ClientMsg::Check(CheckMsg::Open {
        ask: Ask::NextValue,
        correct: Correct::Value {
            value,
            tolerance: 0.1,
        },
    })
}

fn answer(question: QuestionId, value: f32) -> ClientMsg {
    ClientMsg::Check(CheckMsg::Answer {
        question,
        answer: Answer::Value(value),
    })
}

/// Waits for the room's question (skipping other messages).
async fn recv_question(client: &mut Client) -> Option<Question> {
    client
        .recv_until(|m| match m {
            ServerMsg::Check(CheckEvent::Question { question, .. }) => Some(question.as_deref().cloned()),
            _ => None,
        })
        .await
}

async fn recv_mine(client: &mut Client) -> (QuestionId, Option<Answer>) {
    client
        .recv_until(|m| match m {
            ServerMsg::Check(CheckEvent::Mine { question, answer }) => Some((*question, *answer)),
            _ => None,
        })
        .await
}

/// Waits for a tally matching `done`.
async fn recv_tally(client: &mut Client, done: impl Fn(&Tally) -> bool) -> Tally {
    client
        .recv_until(|m| match m {
            ServerMsg::Check(CheckEvent::Tally(tally)) if done(tally) => Some(tally.clone()),
            _ => None,
        })
        .await
}

/// Every protocol message that arrives within `limit`.
async fn quiet_for(client: &mut Client, limit: Duration) -> Vec<ServerMsg> {
    use futures_util::StreamExt;
    use tokio_tungstenite::tungstenite::Message;
    let mut seen = Vec::new();
    let until = tokio::time::Instant::now() + limit;
    while let Ok(Some(Ok(frame))) = tokio::time::timeout_at(until, client.ws.next()).await {
        if let Message::Binary(bytes) = frame {
            seen.push(shared::codec::decode_server(&bytes).expect("server frames decode"));
        }
    }
    seen
}

async fn students(addr: SocketAddr, code: &RoomCode, names: &[&str]) -> Vec<(Client, ResumeToken)> {
    let mut joined = Vec::new();
    for name in names {
        let (client, resume, _) = Client::join(addr, code, name).await;
        joined.push((client, resume));
    }
    joined
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn students_answer_the_instructor_counts_and_the_reveal_shows_each_their_own_result() {
    let server = TestServer::start().await;
    let (mut instructor, code, _) = Client::create_room(server.addr).await;
    let mut class = students(server.addr, &code, &["Ada", "Bob", "Cy"]).await;

    instructor.send(&value_question(2.0)).await;
    let mut id = QuestionId(0);
    for (student, _) in &mut class {
        let question = recv_question(student).await.expect("a question");
        assert_eq!(question.ask, Ask::NextValue);
        assert_eq!(question.reveal, None, "no right answer before the reveal");
        id = question.id;
    }

    class[0].0.send(&answer(id, 2.05)).await;
    assert_eq!(recv_mine(&mut class[0].0).await, (id, Some(Answer::Value(2.05))));
    class[1].0.send(&answer(id, 7.0)).await;
    assert_eq!(recv_mine(&mut class[1].0).await.1, Some(Answer::Value(7.0)));
    class[1].0.send(&answer(id, 9.0)).await;
    assert_eq!(
        recv_mine(&mut class[1].0).await.1,
        Some(Answer::Value(9.0)),
        "an answer can change until the reveal"
    );

    let tally = recv_tally(&mut instructor, |t| t.answered == 2).await;
    assert_eq!(tally.waiting, 1, "Cy has not answered");
    let Spread::Values { counts, .. } = &tally.spread else {
        panic!("a numeric question gives a histogram, got {:?}", tally.spread);
    };
    assert_eq!(counts.iter().sum::<u32>(), 2, "the changed answer counts once");

    // Students never see the tally nor anyone else's answer.
    let seen = quiet_for(&mut class[2].0, Duration::from_millis(400)).await;
    assert!(
        seen.iter().all(|m| !matches!(m, ServerMsg::Check(_))),
        "a student saw {seen:?}"
    );

    // One open question per room.
    instructor.send(&value_question(1.0)).await;
    let refused = instructor.recv_error().await;
    assert_eq!(refused.kind, ErrorKind::BadCheck);
    assert!(refused.message.contains("already open"), "{}", refused.message);

    // A late joiner lands in the open question.
    let (mut late, _, _) = Client::join(server.addr, &code, "Late").await;
    assert_eq!(recv_question(&mut late).await.map(|q| q.id), Some(id));
    assert_eq!(recv_mine(&mut late).await, (id, None));

    instructor.send(&ClientMsg::Check(CheckMsg::Reveal)).await;
    for (student, _) in &mut class {
        let question = recv_question(student).await.expect("still the question");
        let reveal = question.reveal.expect("revealed");
        assert_eq!(
            reveal.correct,
            Correct::Value {
                value: 2.0,
                tolerance: 0.1
            }
        );
        assert_eq!((reveal.right, reveal.tally.answered), (1, 2));
    }
    class[2].0.send(&answer(id, 2.0)).await;
    let late_answer = class[2].0.recv_error().await;
    assert_eq!(late_answer.kind, ErrorKind::BadCheck);
    assert!(late_answer.message.contains("closed"), "{}", late_answer.message);

    // A reload (rejoin) brings back the question and the student's own answer.
    let resume = class[1].1.clone();
    let rejoined = Client::hello(
        server.addr,
        Join::Rejoin {
            code: code.clone(),
            resume,
        },
    )
    .await
    .expect("rejoins");
    let mut again = rejoined.client;
    assert!(
        recv_question(&mut again)
            .await
            .is_some_and(|q| q.reveal.is_some())
    );
    assert_eq!(recv_mine(&mut again).await, (id, Some(Answer::Value(9.0))));

    instructor.send(&ClientMsg::Check(CheckMsg::Dismiss)).await;
    assert_eq!(
        recv_question(&mut again).await,
        None,
        "dismissed from every screen"
    );

    // A student who leaves for good takes their answer along.
    instructor.send(&value_question(5.0)).await;
    let next = recv_question(&mut again).await.expect("a new question").id;
    again.send(&answer(next, 5.0)).await;
    recv_mine(&mut again).await;
    recv_tally(&mut instructor, |t| t.question == next && t.answered == 1).await;
    again.send(&ClientMsg::Session(SessionMsg::Leave)).await;
    recv_tally(&mut instructor, |t| t.question == next && t.answered == 0).await;
    server.stop().await.expect("clean shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn questions_and_answers_that_break_the_rules_are_refused_with_a_sentence() {
    let server = TestServer::start().await;
    let (mut instructor, code, _) = Client::create_room(server.addr).await;
    let (mut student, _, _) = Client::join(server.addr, &code, "Ada").await;

    // Roles: students cannot ask, the instructor cannot answer.
    student.send(&value_question(1.0)).await;
    assert_eq!(student.recv_error().await.kind, ErrorKind::NotAllowed);
    student.send(&ClientMsg::Check(CheckMsg::Reveal)).await;
    assert_eq!(student.recv_error().await.kind, ErrorKind::NotAllowed);
    instructor.send(&answer(QuestionId(1), 1.0)).await;
    assert_eq!(instructor.recv_error().await.kind, ErrorKind::NotAllowed);

    // Nothing is open yet.
    student.send(&answer(QuestionId(1), 1.0)).await;
    assert_eq!(student.recv_error().await.kind, ErrorKind::BadCheck);
    instructor.send(&ClientMsg::Check(CheckMsg::Reveal)).await;
    assert_eq!(instructor.recv_error().await.kind, ErrorKind::BadCheck);

    // Questions that do not hold together.
    let bad_questions = [
        CheckMsg::Open {
            ask: Ask::PickCell {
                target: CellTarget::PoolWinner,
                width: 2,
                height: 2,
            },
            correct: Correct::Cell(4),
        },
        CheckMsg::Open {
            ask: Ask::PickCell {
                target: CellTarget::ImportantPixel,
                width: 300,
                height: 3,
            },
            correct: Correct::Cell(0),
        },
        CheckMsg::Open {
            ask: Ask::NextValue,
            correct: Correct::Value {
                value: f32::NAN,
                tolerance: 0.1,
            },
        },
        CheckMsg::Open {
            ask: Ask::NextValue,
            correct: Correct::Class(1),
        },
        // "Which class?" needs a picture first.
        CheckMsg::Open {
            ask: Ask::PredictClass { classes: 10 },
            correct: Correct::Class(0),
        },
    ];
    for bad in bad_questions {
        instructor.send(&ClientMsg::Check(bad.clone())).await;
        let error = instructor.recv_error().await;
        assert_eq!(error.kind, ErrorKind::BadCheck, "{bad:?}");
        assert!(error.message.ends_with('.'), "a sentence: {}", error.message);
    }

    // Answers that do not fit: wrong question, wrong shape, not a number, out of range.
    instructor.send(&value_question(1.0)).await;
    let id = recv_question(&mut student).await.expect("a question").id;
    let bad_answers = [
        answer(QuestionId(id.0 + 1), 1.0),
        ClientMsg::Check(CheckMsg::Answer {
            question: id,
            answer: Answer::Class(1),
        }),
        answer(id, f32::NAN),
        answer(id, f32::INFINITY),
        answer(id, 5.0e6),
    ];
    for bad in bad_answers {
        student.send(&bad).await;
        let error = student.recv_error().await;
        assert_eq!(error.kind, ErrorKind::BadCheck, "{bad:?}");
    }
    // An answer cannot be large: anything after the answer's fixed bytes is a malformed frame.
    let mut padded = shared::codec::encode_client(&answer(id, 1.0));
    padded.extend_from_slice(&[0; 4000]);
    student.send_bytes(padded).await;
    assert_eq!(student.recv_error().await.kind, ErrorKind::Malformed);

    // Rate limits: a burst of answers, then a sentence saying how long to wait.
    let mut refused = None;
    for i in 0..30 {
        student.send(&answer(id, i as f32)).await;
        match student
            .recv_until(|m| match m {
                ServerMsg::Check(CheckEvent::Mine { .. }) => Some(None),
                ServerMsg::Error(e) => Some(Some(e.clone())),
                _ => None,
            })
            .await
        {
            None => {}
            Some(error) => {
                refused = Some((i, error));
                break;
            }
        }
    }
    let (after, error) = refused.expect("a burst of answers is limited");
    assert!(
        after >= 3,
        "a few changes of mind are fine (refused after {after})"
    );
    assert_eq!(error.kind, ErrorKind::BadCheck);
    assert!(error.message.contains("wait"), "{}", error.message);

    // And a burst of questions.
    let mut asked = 1;
    let error = loop {
        instructor.send(&ClientMsg::Check(CheckMsg::Dismiss)).await;
        instructor.send(&value_question(1.0)).await;
        let outcome = instructor
            .recv_until(|m| match m {
                ServerMsg::Check(CheckEvent::Question {
                    question: Some(_), ..
                }) => Some(None),
                ServerMsg::Error(e) => Some(Some(e.clone())),
                _ => None,
            })
            .await;
        match outcome {
            None => asked += 1,
            Some(error) => break error,
        }
        assert!(asked < 40, "questions are rate-limited");
    };
    assert!(error.message.contains("Too many questions"), "{}", error.message);
    server.stop().await.expect("clean shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn confirmed_answers_survive_a_crash() {
    // The real binary, killed with SIGKILL once every answer was confirmed (`Mine`), then
    // started again on the same port and data directory.
    let data = tempfile::tempdir().unwrap();
    let args = [std::ffi::OsStr::new("--data-dir"), data.path().as_os_str()];
    let child = ServerProcess::start("127.0.0.1:0", args);
    let addr = child.addr;
    let (mut instructor, code, token) = Client::create_room(addr).await;
    let mut class = students(addr, &code, &["Ada", "Bob"]).await;
    instructor.send(&value_question(3.0)).await;
    let id = recv_question(&mut class[0].0).await.expect("a question").id;
    class[0].0.send(&answer(id, 3.0)).await;
    recv_mine(&mut class[0].0).await;
    class[1].0.send(&answer(id, -1.0)).await;
    recv_mine(&mut class[1].0).await;
    child.kill();

    let child = ServerProcess::start(&addr.to_string(), args);
    let resume = class[0].1.clone();
    let mut ada = Client::hello(
        child.addr,
        Join::Rejoin {
            code: code.clone(),
            resume,
        },
    )
    .await
    .expect("rejoins after the crash")
    .client;
    assert_eq!(
        recv_question(&mut ada).await.map(|q| q.id),
        Some(id),
        "lands in the question"
    );
    assert_eq!(
        recv_mine(&mut ada).await,
        (id, Some(Answer::Value(3.0))),
        "keeps the answer"
    );
    let mut instructor = Client::hello(child.addr, Join::Instruct { code, token })
        .await
        .expect("the instructor reclaims the room")
        .client;
    let tally = recv_tally(&mut instructor, |t| t.answered == 2).await;
    assert_eq!(tally.question, id);
    instructor.send(&ClientMsg::Check(CheckMsg::Reveal)).await;
    let reveal = recv_question(&mut ada)
        .await
        .and_then(|q| q.reveal)
        .expect("revealed");
    assert_eq!((reveal.right, reveal.tally.answered), (1, 2));
    child.kill();
}
