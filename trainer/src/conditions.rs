//! Named, deterministic ways of colouring the test images, to measure whether the network
//! recognises a garment whatever its colours — not only under the colouring it was trained on.
//! Each test image gets its own appearance per condition, the same on every run and machine.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::appearance::Appearance;
use crate::colourise::Palette;

/// One way of showing the test set to the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Condition {
    /// Drawn from the training distribution itself (its own seed stream).
    Training,
    /// The dataset as it is: a white garment on black.
    Grey,
    /// The dataset inverted: a black garment on white.
    InvertedGrey,
    /// A dark garment of any hue on a pale, light background: a product photo.
    DarkOnLight,
    /// A light garment of any hue on a dark background of any hue.
    LightOnDark,
    /// One of the four plain conditions above at random, with noise, uneven light, up to two
    /// pixels off centre and half of them at 85–110 % size.
    Mixed,
}

impl Condition {
    /// Every condition, in report order.
    pub const ALL: [Condition; 6] = [
        Condition::Training,
        Condition::Grey,
        Condition::InvertedGrey,
        Condition::DarkOnLight,
        Condition::LightOnDark,
        Condition::Mixed,
    ];

    /// Short name for tables and the command line.
    pub fn name(self) -> &'static str {
        match self {
            Condition::Training => "training",
            Condition::Grey => "grey",
            Condition::InvertedGrey => "inverted",
            Condition::DarkOnLight => "dark-on-light",
            Condition::LightOnDark => "light-on-dark",
            Condition::Mixed => "mixed",
        }
    }

    /// The condition called `name`, if any.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.name() == name)
    }

    /// The appearance of test image `index` under this condition.
    pub fn appearance(self, index: usize) -> Appearance {
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed());
        rng.set_stream(index as u64);
        match self {
            Condition::Training => Appearance::random(&mut rng),
            Condition::Grey => Appearance::plain(Palette::GREY),
            Condition::InvertedGrey => Appearance::plain(Palette::INVERTED_GREY),
            Condition::DarkOnLight => Appearance::plain(Palette::dark_on_light(&mut rng)),
            Condition::LightOnDark => Appearance::plain(Palette::light_on_dark(&mut rng)),
            Condition::Mixed => {
                let palette = match rng.random_range(0..4) {
                    0 => Palette::GREY,
                    1 => Palette::INVERTED_GREY,
                    2 => Palette::dark_on_light(&mut rng),
                    _ => Palette::light_on_dark(&mut rng),
                };
                Appearance {
                    palette,
                    ..Appearance::random_texture_and_placement(&mut rng, 0.5, 0.05, 0.1, 2.0, (0.85, 1.1))
                }
            }
        }
    }

    /// A seed of its own per condition, apart from every training seed.
    fn seed(self) -> u64 {
        0x7e57_c010_0000 + self as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::colourise::Polarity;

    #[test]
    fn names_round_trip_and_differ() {
        for c in Condition::ALL {
            assert_eq!(Condition::from_name(c.name()), Some(c));
        }
        assert_eq!(Condition::from_name("sepia"), None);
    }

    #[test]
    fn appearances_are_deterministic_per_image_and_have_the_named_polarity() {
        for c in Condition::ALL {
            assert_eq!(c.appearance(17), c.appearance(17), "{c:?}");
        }
        assert_ne!(
            Condition::DarkOnLight.appearance(1),
            Condition::DarkOnLight.appearance(2)
        );
        for i in 0..200 {
            assert_eq!(
                Condition::DarkOnLight.appearance(i).palette.polarity(),
                Polarity::DarkOnLight
            );
            assert_eq!(
                Condition::LightOnDark.appearance(i).palette.polarity(),
                Polarity::LightOnDark
            );
        }
        let inverted_in_mixed = (0..400)
            .filter(|&i| Condition::Mixed.appearance(i).palette.polarity() == Polarity::DarkOnLight)
            .count();
        assert!(
            (150..250).contains(&inverted_in_mixed),
            "{inverted_in_mixed} of 400"
        );
    }
}
