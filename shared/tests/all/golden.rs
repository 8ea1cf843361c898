//! Golden bytes: fails when the wire format changes by accident. If a change is intended, raise
//! `PROTOCOL_VERSION` and paste the new bytes printed by the failing assertion.

use shared::codec::{
    CodecError, MAX_CLIENT_FRAME_BYTES, decode_client, decode_server, encode_client, encode_server,
    peek_hello_version,
};
use shared::room::INPUT_RGB_BYTES;
use shared::*;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn sample_client_messages() -> Vec<ClientMsg> {
    let code = RoomCode::parse("KQXWTB").unwrap();
    vec![
        ClientMsg::Hello(Hello {
            version: PROTOCOL_VERSION,
            join: Join::CreateRoom,
        }),
        ClientMsg::Hello(Hello {
            version: PROTOCOL_VERSION,
            join: Join::Instruct {
                code: code.clone(),
                token: InstructorToken([7; 16]),
            },
        }),
        ClientMsg::Hello(Hello {
            version: PROTOCOL_VERSION,
            join: Join::Student {
                code: code.clone(),
                name: "Ada".into(),
            },
        }),
        ClientMsg::Hello(Hello {
            version: PROTOCOL_VERSION,
            join: Join::Rejoin {
                code,
                resume: ResumeToken([9; 16]),
            },
        }),
        ClientMsg::Control(Control::SetFocus(Focus {
            view: View::Operation,
            layer: 2,
            neuron: 3,
            channel: 1,
            step: 3599,
            playing: true,
            step_ms: 250,
            color_range: ColorRange::Block,
            show_detail: false,
            playground: Playground::default(),
        })),
        ClientMsg::Control(Control::SetFocus(Focus {
            view: View::Playground,
            step: 7,
            playground: Playground {
                input: 8,
                padding: 3,
                kernel: 5,
                stride: 4,
                map: 3,
                map_channel: 9,
                top: 300,
                left: 52,
                weights: KernelWeights::Hand(std::array::from_fn(|i| (i as i16 * 8 - 99) as i8)),
            },
            ..Focus::default()
        })),
        ClientMsg::Control(Control::SetFocus(Focus {
            playground: Playground {
                weights: KernelWeights::Model {
                    layer: 7,
                    neuron: 9,
                    channel: 8,
                },
                ..Playground::default()
            },
            ..Focus::default()
        })),
        ClientMsg::Control(Control::PickSample(4)),
        ClientMsg::Control(Control::UploadImage(vec![1, 2, 3])),
        ClientMsg::Control(Control::BringEveryoneBack),
        ClientMsg::Control(Control::SetLocked(true)),
        ClientMsg::Control(Control::CloseRoom),
        ClientMsg::Control(Control::UseModel(Some(ModelHash([3; 32])))),
        ClientMsg::Control(Control::UseModel(None)),
        ClientMsg::Student(StudentMsg::SetMode(Mode::Exploring)),
        ClientMsg::Session(SessionMsg::Ping(300)),
        ClientMsg::Session(SessionMsg::Leave),
        ClientMsg::Check(CheckMsg::Open {
            ask: Ask::PredictClass { classes: 10 },
            correct: Correct::Class(3),
        }),
        ClientMsg::Check(CheckMsg::Open {
            ask: Ask::NextValue,
            correct: Correct::Value {
                value: -0.75,
                tolerance: 0.125,
            },
        }),
        ClientMsg::Check(CheckMsg::Open {
            ask: Ask::PickCell {
                target: CellTarget::ImportantPixel,
                width: 3,
                height: 3,
            },
            correct: Correct::Cell(4),
        }),
        ClientMsg::Check(CheckMsg::Reveal),
        ClientMsg::Check(CheckMsg::Dismiss),
        ClientMsg::Check(CheckMsg::Answer {
            question: QuestionId(7),
            answer: Answer::Value(0.5),
        }),
        ClientMsg::Check(CheckMsg::Answer {
            question: QuestionId(7),
            answer: Answer::Cell(2),
        }),
        ClientMsg::Lesson(LessonMsg::ShowNote("**ReLU**".into())),
        ClientMsg::Lesson(LessonMsg::ShowNote(String::new())),
    ]
}

fn sample_server_messages() -> Vec<ServerMsg> {
    let code = RoomCode::parse("KQXWTB").unwrap();
    let version = StateVersion { epoch: 2, seq: 1000 };
    let input = InputImage {
        source: InputSource::Sample(1),
        side: 2,
        rgb: vec![0, 128, 255, 1, 2, 3, 4, 5, 6, 7, 8, 9],
        hash: [5; 32],
        prediction: Prediction {
            class: 1,
            probabilities: vec![0.25, 0.75],
            layer_sums: vec![1.5, -2.0],
        },
    };
    vec![
        ServerMsg::Session(SessionEvent::Welcome(Welcome {
            code: code.clone(),
            member: MemberId(0),
            credentials: Credentials::Instructor(InstructorToken([7; 16])),
        })),
        ServerMsg::Session(SessionEvent::Welcome(Welcome {
            code: code.clone(),
            member: MemberId(3),
            credentials: Credentials::Student {
                resume: ResumeToken([9; 16]),
                name: "Ada".into(),
            },
        })),
        ServerMsg::Session(SessionEvent::Pong(300)),
        ServerMsg::Session(SessionEvent::Saved(version)),
        ServerMsg::Session(SessionEvent::Closing(CloseReason::TooSlow)),
        ServerMsg::Room(RoomEvent::Snapshot(Box::new(RoomSnapshot {
            code,
            version,
            focus: Focus::default(),
            input: Some(input.clone()),
            locked: true,
            recall: 2,
            model: None,
        }))),
        ServerMsg::Room(RoomEvent::Focus {
            version,
            focus: Focus::default(),
        }),
        ServerMsg::Room(RoomEvent::Input {
            version,
            input: Box::new(input.clone()),
        }),
        ServerMsg::Room(RoomEvent::Recall { version, recall: 3 }),
        ServerMsg::Room(RoomEvent::Locked {
            version,
            locked: false,
        }),
        ServerMsg::Roster(RosterEvent::Full(vec![RosterEntry {
            member: MemberId(3),
            name: "Ada".into(),
            mode: Mode::Following,
            connected: true,
        }])),
        ServerMsg::Error(ErrorMsg {
            kind: ErrorKind::VersionMismatch { server: 1, client: 0 },
            message: "reload".into(),
        }),
        ServerMsg::Check(CheckEvent::Question {
            version,
            question: Some(Box::new(Question {
                id: QuestionId(7),
                ask: Ask::PickCell {
                    target: CellTarget::PoolWinner,
                    width: 2,
                    height: 2,
                },
                focus: Focus::default(),
                reveal: Some(Reveal {
                    correct: Correct::Cell(1),
                    tally: Tally {
                        question: QuestionId(7),
                        answered: 3,
                        waiting: 1,
                        spread: Spread::Cells(vec![0, 2, 1, 0]),
                    },
                    right: 2,
                }),
            })),
        }),
        ServerMsg::Check(CheckEvent::Question {
            version,
            question: None,
        }),
        ServerMsg::Check(CheckEvent::Mine {
            question: QuestionId(7),
            answer: Some(Answer::Class(2)),
        }),
        ServerMsg::Check(CheckEvent::Tally(Tally {
            question: QuestionId(7),
            answered: 1,
            waiting: 0,
            spread: Spread::Values {
                low: 0.5,
                width: 0.25,
                counts: vec![1],
            },
        })),
        ServerMsg::Error(ErrorMsg {
            kind: ErrorKind::BadCheck,
            message: "closed".into(),
        }),
        ServerMsg::Lesson(LessonEvent::Note {
            version,
            note: "é".into(),
        }),
        ServerMsg::Error(ErrorMsg {
            kind: ErrorKind::BadNote,
            message: "long".into(),
        }),
        ServerMsg::Room(RoomEvent::Model {
            version,
            model: Some(ModelInfo {
                hash: ModelHash([5; 32]),
                bytes: 1000,
                name: "net".into(),
            }),
            focus: Focus::default(),
            input: Some(Box::new(input.clone())),
        }),
        ServerMsg::Room(RoomEvent::Model {
            version,
            model: None,
            focus: Focus::default(),
            input: None,
        }),
        ServerMsg::Error(ErrorMsg {
            kind: ErrorKind::BadModel,
            message: "unknown".into(),
        }),
    ]
}

// Protocol version 5 adds own networks (`Control::UseModel`, variant 6; `RoomEvent::Model`,
// variant 5; `ErrorKind::BadModel`; `RoomSnapshot::model` ends the snapshot: `00` for Tiny VGG).
// Protocol version 4 adds recorded lessons' notes (`ClientMsg::Lesson`, variant 5;
// `ServerMsg::Lesson`, variant 5; `ErrorKind::BadNote`); the hellos carry 04.
// Protocol version 3 adds quick checks (`ClientMsg::Check`, variant 4; `ServerMsg::Check`,
// variant 4; `ErrorKind::BadCheck`); nothing else changed, so the bytes before them are the same.
// Protocol version 2: the focus carries the hyperparameter playground (its default ends every
// focus: `06 00 03 01 00 00 1d 1d 00 00 00 00`); the second `SetFocus` is a playground with a
// kernel typed by hand (25 weights of one byte each), the third one with a model kernel.
const GOLDEN_CLIENT: &[&str] = &[
    "000500",
    "000501064b515857544207070707070707070707070707070707",
    "000502064b515857544203416461",
    "000503064b515857544209090909090909090909090909090909",
    "010002020301fb0f0e01fa01000600030100001d1d00000000",
    "0100030000000700fa0001080305040309fb2c0134019da5adb5bdc5cdd5dde5edf5fd050d151d252d353d454d555d",
    "0100000000000000fa00010600030100001d1d00070908",
    "010104",
    "010203010203",
    "0103",
    "010401",
    "0105",
    "0106010303030303030303030303030303030303030303030303030303030303030303",
    "010600",
    "020001",
    "0300fb2c01",
    "0301",
    "0400000a0003",
    "04000101000040bf0000003e",
    "0400020103030204",
    "0401",
    "0402",
    "040307010000003f",
    "0403070202",
    "0500082a2a52654c552a2a",
    "050000",
];
const GOLDEN_SERVER: &[&str] = &[
    "0000064b5158575442000007070707070707070707070707070707",
    "0000064b515857544203010909090909090909090909090909090903416461",
    "0001fb2c01",
    "000202fbe803",
    "000303",
    "0100064b515857544202fbe803000000000000fa00010600030100001d1d00000000010001020c0080ff010203040506070809050505050505050505050505050505050505050505050505050505050505050501020000803e0000403f020000c03f000000c0010200",
    "010102fbe803000000000000fa00010600030100001d1d00000000",
    "010202fbe8030001020c0080ff010203040506070809050505050505050505050505050505050505050505050505050505050505050501020000803e0000403f020000c03f000000c0",
    "010302fbe80303",
    "010402fbe80300",
    "02000103034164610001",
    "030001000672656c6f6164",
    "040002fbe803010702000202000000000000fa00010600030100001d1d0000000001020107030101040002010002",
    "040002fbe80300",
    "040107010002",
    "0402070100020000003f0000803e0101",
    "030c06636c6f736564",
    "050002fbe80302c3a9",
    "030d046c6f6e67",
    "010502fbe803010505050505050505050505050505050505050505050505050505050505050505fbe803036e6574000000000000fa00010600030100001d1d00000000010001020c0080ff010203040506070809050505050505050505050505050505050505050505050505050505050505050501020000803e0000403f020000c03f000000c0",
    "010502fbe80300000000000000fa00010600030100001d1d0000000000",
    "030e07756e6b6e6f776e",
];

#[test]
fn client_messages_match_golden_bytes_and_round_trip() {
    let encoded: Vec<String> = sample_client_messages()
        .iter()
        .map(|m| hex(&encode_client(m)))
        .collect();
    assert_eq!(
        encoded, GOLDEN_CLIENT,
        "client wire format changed:\n{encoded:#?}"
    );
    for msg in sample_client_messages() {
        assert_eq!(decode_client(&encode_client(&msg)).unwrap(), msg);
    }
}

#[test]
fn server_messages_match_golden_bytes_and_round_trip() {
    let encoded: Vec<String> = sample_server_messages()
        .iter()
        .map(|m| hex(&encode_server(m)))
        .collect();
    assert_eq!(
        encoded, GOLDEN_SERVER,
        "server wire format changed:\n{encoded:#?}"
    );
    for msg in sample_server_messages() {
        assert_eq!(decode_server(&encode_server(&msg)).unwrap(), msg);
    }
}

#[test]
fn the_version_is_readable_from_any_hello() {
    let mut future_hello = encode_client(&ClientMsg::Hello(Hello {
        version: 999,
        join: Join::CreateRoom,
    }));
    future_hello.extend_from_slice(&[0xff, 0xfe, 0xfd]);
    assert_eq!(peek_hello_version(&future_hello), Some(999));
    assert!(decode_client(&future_hello).is_err());
    let ping = encode_client(&ClientMsg::Session(SessionMsg::Ping(1)));
    assert_eq!(peek_hello_version(&ping), None);
}

#[test]
fn bad_frames_are_errors_not_panics() {
    assert!(matches!(decode_client(&[]), Err(CodecError::Malformed(_))));
    assert!(matches!(
        decode_client(&[0xff; 40]),
        Err(CodecError::Malformed(_))
    ));
    let oversized = vec![0u8; MAX_CLIENT_FRAME_BYTES as usize + 1];
    assert!(matches!(
        decode_client(&oversized),
        Err(CodecError::TooLarge { .. })
    ));
    // A length prefix claiming far more bytes than the frame holds must not allocate them.
    let mut lying = encode_client(&ClientMsg::Control(Control::UploadImage(vec![])));
    lying.pop();
    lying.extend_from_slice(&[0xfc, 0xff, 0xff, 0xff, 0x7f]);
    assert!(decode_client(&lying).is_err());
}

#[test]
fn a_canonical_input_frame_stays_small() {
    let input = InputImage {
        source: InputSource::Upload,
        side: 64,
        rgb: vec![200; INPUT_RGB_BYTES],
        hash: [0; 32],
        prediction: Prediction {
            class: 0,
            probabilities: vec![0.1; 10],
            layer_sums: vec![1.0; 13],
        },
    };
    let frame = encode_server(&ServerMsg::Room(RoomEvent::Input {
        version: StateVersion::default(),
        input: Box::new(input),
    }));
    assert!(frame.len() < INPUT_RGB_BYTES + 200, "{} bytes", frame.len());
}
