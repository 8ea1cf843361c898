//! Property/fuzz harness on stable Rust for everything in `shared` that reads untrusted bytes:
//! `decode_client` (with `peek_hello_version`) and the `verify` table. Inputs are random bytes
//! and mutations (bit flips, truncations, insertions, overwritten lengths) of every valid client
//! message; the properties: never a panic, a decoded message re-encodes to bytes that decode to
//! the same message, and `verify` answers for every state.
//!
//! A short pass runs with the tests. For a long run (the figure in `docs/security.md`):
//! `FUZZ_ITERATIONS=1000000 cargo test --release -p shared --test all fuzz:: -- --nocapture`

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use shared::codec::{decode_client, encode_client, peek_hello_version};
use shared::verify::{ConnState, verify};
use shared::*;

fn iterations() -> u64 {
    std::env::var("FUZZ_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000)
}

fn seeds() -> Vec<Vec<u8>> {
    let code = RoomCode::parse("KQXWTB").unwrap();
    let hello = |join| {
        ClientMsg::Hello(Hello {
            version: PROTOCOL_VERSION,
            join,
        })
    };
    [
        hello(Join::CreateRoom),
        hello(Join::Instruct {
            code: code.clone(),
            token: InstructorToken([7; 16]),
        }),
        hello(Join::Student {
            code: code.clone(),
            name: "Ada".into(),
        }),
        hello(Join::Rejoin {
            code,
            resume: ResumeToken([9; 16]),
        }),
        ClientMsg::Control(Control::SetFocus(Focus::default())),
        ClientMsg::Control(Control::PickSample(4)),
        ClientMsg::Control(Control::UploadImage(vec![0x89, b'P', b'N', b'G', 1, 2, 3])),
        ClientMsg::Control(Control::BringEveryoneBack),
        ClientMsg::Control(Control::SetLocked(true)),
        ClientMsg::Control(Control::CloseRoom),
        ClientMsg::Student(StudentMsg::SetMode(Mode::Exploring)),
        ClientMsg::Session(SessionMsg::Ping(300)),
        ClientMsg::Session(SessionMsg::Leave),
    ]
    .iter()
    .map(encode_client)
    .collect()
}

fn mutate(rng: &mut StdRng, seed: &[u8]) -> Vec<u8> {
    let mut bytes = seed.to_vec();
    for _ in 0..rng.random_range(1..=4) {
        match rng.random_range(0..6) {
            0 if !bytes.is_empty() => {
                let at = rng.random_range(0..bytes.len());
                bytes[at] ^= 1 << rng.random_range(0..8);
            }
            1 if !bytes.is_empty() => {
                let at = rng.random_range(0..bytes.len());
                bytes[at] = rng.random();
            }
            2 => {
                let len = rng.random_range(0..=bytes.len());
                bytes.truncate(len);
            }
            3 => {
                let at = rng.random_range(0..=bytes.len());
                let n = rng.random_range(1..8);
                bytes.splice(at..at, (0..n).map(|_| rng.random::<u8>()));
            }
            4 if !bytes.is_empty() => {
                // A huge varint length (0xFD = u32, 0xFC = u16 in bincode's varint encoding).
                let at = rng.random_range(0..bytes.len());
                bytes.splice(at..=at, [0xFD, 0xFF, 0xFF, 0xFF, 0x7F]);
            }
            _ => bytes.extend((0..rng.random_range(0..16)).map(|_| rng.random::<u8>())),
        }
    }
    bytes
}

#[test]
fn decode_client_and_verify_never_panic_and_round_trip() {
    let seeds = seeds();
    let mut rng = StdRng::seed_from_u64(10);
    let n = iterations();
    let started = std::time::Instant::now();
    let mut decoded = 0u64;
    for i in 0..n {
        let input = if i % 4 == 0 {
            let len = rng.random_range(0..64);
            (0..len).map(|_| rng.random::<u8>()).collect()
        } else {
            let seed = rng.random_range(0..seeds.len());
            mutate(&mut rng, &seeds[seed])
        };
        let _ = peek_hello_version(&input);
        if let Ok(msg) = decode_client(&input) {
            decoded += 1;
            let again = decode_client(&encode_client(&msg)).expect("re-encoded messages decode");
            assert_eq!(again, msg);
            for state in [
                ConnState::AwaitingHello,
                ConnState::Member(Role::Instructor),
                ConnState::Member(Role::Student),
            ] {
                let _ = verify(state, &msg);
            }
        }
    }
    eprintln!(
        "fuzz decode_client+verify: {n} inputs ({decoded} decoded) in {:.2?}",
        started.elapsed()
    );
}
