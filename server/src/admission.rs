//! Which new connections get in: at most a total that the file limit allows (the last few
//! places kept for an instructor who reconnects), and at most so many per client address.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

/// What a new connection may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admitted {
    /// Anything.
    Normal,
    /// The server is nearly full: only an instructor's reconnect may use this place.
    InstructorOnly,
}

/// Why a connection was turned away (the sentence goes into a `503` answer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    /// The server holds as many connections as it can.
    #[error("The classroom server is full right now; try again in a minute.")]
    Full,
    /// Too many connections from this address.
    #[error(
        "Too many connections from your address; close some tabs, or ask whoever runs the server to \
         raise --max-connections-per-address."
    )]
    PerAddress,
}

#[derive(Debug, Default)]
struct Counts {
    total: usize,
    by_address: HashMap<IpAddr, usize>,
}

/// Connection counting; shared by the accept loop and every connection's [`Ticket`].
#[derive(Debug)]
pub struct Admission {
    capacity: usize,
    reserve: usize,
    per_address: usize,
    /// std mutex: held for a counter update only.
    counts: Mutex<Counts>,
}

impl Admission {
    /// At most `capacity` connections, of which the last `reserve` only for instructors, and at
    /// most `per_address` from one address.
    pub fn new(capacity: usize, reserve: usize, per_address: usize) -> Arc<Self> {
        Arc::new(Self {
            capacity,
            reserve: reserve.min(capacity / 2),
            per_address,
            counts: Mutex::new(Counts::default()),
        })
    }

    /// Admits a connection from `ip`, or says why not; the ticket counts it until dropped.
    pub fn admit(self: &Arc<Self>, ip: IpAddr) -> Result<(Ticket, Admitted), Refused> {
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        if counts.total >= self.capacity {
            return Err(Refused::Full);
        }
        let from_ip = counts.by_address.entry(ip).or_insert(0);
        if *from_ip >= self.per_address {
            return Err(Refused::PerAddress);
        }
        *from_ip += 1;
        counts.total += 1;
        let admitted = if counts.total > self.capacity - self.reserve {
            Admitted::InstructorOnly
        } else {
            Admitted::Normal
        };
        Ok((
            Ticket {
                admission: Arc::clone(self),
                ip,
            },
            admitted,
        ))
    }

    /// Connections open now.
    pub fn open(&self) -> usize {
        self.counts.lock().unwrap_or_else(|e| e.into_inner()).total
    }
}

/// Keeps one admitted connection counted while alive.
#[derive(Debug)]
pub struct Ticket {
    admission: Arc<Admission>,
    ip: IpAddr,
}

impl Drop for Ticket {
    fn drop(&mut self) {
        let mut counts = self.admission.counts.lock().unwrap_or_else(|e| e.into_inner());
        counts.total -= 1;
        if let Some(n) = counts.by_address.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                counts.by_address.remove(&self.ip);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_per_address_and_keeps_the_last_places_for_instructors() {
        let admission = Admission::new(10, 2, 4);
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let mut held: Vec<Ticket> = (0..4).map(|_| admission.admit(a).unwrap().0).collect();
        assert_eq!(admission.admit(a).unwrap_err(), Refused::PerAddress);
        for i in 2..6u8 {
            let ip = IpAddr::from([10, 0, 0, i]);
            let (ticket, admitted) = admission.admit(ip).unwrap();
            assert_eq!(admitted, Admitted::Normal);
            held.push(ticket);
        }
        let (ticket, admitted) = admission.admit(IpAddr::from([10, 0, 1, 1])).unwrap();
        assert_eq!(admitted, Admitted::InstructorOnly, "9th of 10 is in the reserve");
        held.push(ticket);
        held.push(admission.admit(IpAddr::from([10, 0, 1, 2])).unwrap().0);
        assert_eq!(
            admission.admit(IpAddr::from([10, 0, 1, 3])).unwrap_err(),
            Refused::Full
        );
        drop(held);
        assert_eq!(admission.open(), 0);
        assert_eq!(admission.admit(a).unwrap().1, Admitted::Normal);
    }
}
