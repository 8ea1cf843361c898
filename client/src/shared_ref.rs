//! `Shared<T>`: an `Rc` compared by identity, so large derived data (a traced scene, painted
//! maps) can be a component prop without a deep comparison on every render.

use std::ops::Deref;
use std::rc::Rc;

/// A shared value whose equality is identity.
#[derive(Debug)]
pub struct Shared<T>(pub Rc<T>);

impl<T> Shared<T> {
    /// Wraps `value`.
    pub fn new(value: T) -> Self {
        Self(Rc::new(value))
    }
}

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

impl<T> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl<T> Deref for Shared<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clone_shares_the_value_instead_of_copying_it() {
        let a = Shared::new(vec![1, 2]);
        let b = a.clone();
        assert!(Rc::ptr_eq(&a.0, &b.0), "the clone points at the same value");
        assert_eq!(Rc::strong_count(&a.0), 2);
        assert!(a == b, "so a prop passed on unchanged compares equal");
    }

    #[test]
    fn equal_content_in_another_allocation_is_a_change() {
        let a = Shared::new(vec![1, 2]);
        let rebuilt = Shared::new(a.to_vec());
        assert_eq!(*a, *rebuilt, "same content");
        assert!(a != rebuilt, "but a new value, so components re-render");
        // Wrapping the very same `Rc` again is no change.
        assert!(a == Shared(Rc::clone(&a.0)));
    }
}
