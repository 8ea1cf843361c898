//! The hyperparameter playground over real sockets: the instructor's playground (sizes, crop,
//! hand-typed kernel) reaches a student byte for byte, an invalid combination (a stride that does
//! not divide) is a lesson and goes through, and sizes or sources the network cannot have are
//! refused with a sentence while the lecture carries on.

use crate::common;

use common::{Client, TestServer};
use shared::*;

fn playground_focus(playground: Playground) -> Focus {
    Focus {
        view: View::Playground,
        step: 3,
        playground,
        ..Focus::default()
    }
}

async fn student_sees(student: &mut Client, focus: Focus) {
    let seen = student
        .recv_until(|msg| match msg {
            ServerMsg::Room(RoomEvent::Focus { focus, .. }) => Some(*focus),
            _ => None,
        })
        .await;
    assert_eq!(seen, focus);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_playground_reaches_students_and_bad_sizes_are_refused() {
    let server = TestServer::start().await;
    let (mut instructor, code, _token) = Client::create_room(server.addr).await;
    let (mut student, _resume, _snapshot) = Client::join(server.addr, &code, "Ada").await;

    let mut weights = [0i8; MAX_KERNEL_CELLS];
    weights[..9].copy_from_slice(&[-10, 0, 10, -20, 0, 20, -10, 0, 10]);
    let sobel = Playground {
        input: 8,
        padding: 1,
        kernel: 3,
        stride: 1,
        map: 3,
        map_channel: 4,
        top: 40,
        left: 12,
        weights: KernelWeights::Hand(weights),
    };
    instructor.set_focus(playground_focus(sobel)).await;
    student_sees(&mut student, playground_focus(sobel)).await;

    // (8 + 2·1 − 3) = 7 is not divisible by 2: the class is meant to see why.
    let lesson = Playground { stride: 2, ..sobel };
    instructor.set_focus(playground_focus(lesson)).await;
    student_sees(&mut student, playground_focus(lesson)).await;

    for (bad, says) in [
        (
            Playground { kernel: 9, ..sobel },
            "The playground's kernel size must be from 1 to 5; 9 is outside that range.",
        ),
        (Playground { input: 0, ..sobel }, "input size must be from 1 to 8"),
        (
            Playground { top: 58, ..sobel },
            "does not fit inside conv_1_2's 60×60 map",
        ),
        (Playground { map: 11, ..sobel }, "not a stack of maps"),
        (
            Playground {
                kernel: 5,
                weights: KernelWeights::Model {
                    layer: 2,
                    neuron: 0,
                    channel: 0,
                },
                ..sobel
            },
            "conv_1_2's kernels are 3×3",
        ),
    ] {
        instructor.set_focus(playground_focus(bad)).await;
        let error = instructor.recv_error().await;
        assert_eq!(error.kind, ErrorKind::BadFocus, "{bad:?}");
        assert!(error.message.contains(says), "{bad:?}: {}", error.message);
    }

    // Nothing reached the student, and the lecture goes on.
    let next = playground_focus(Playground {
        weights: KernelWeights::Model {
            layer: 2,
            neuron: 3,
            channel: 4,
        },
        ..sobel
    });
    instructor.set_focus(next).await;
    student_sees(&mut student, next).await;
}
