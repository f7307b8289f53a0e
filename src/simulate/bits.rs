//! Serde for floats by their IEEE-754 bits, for statistics written to a shard and read back by
//! `fulcrum merge`: a decimal number would lose infinities (an empty sketch's min and max) and
//! could come back a bit off, and a merge must reproduce a single run's bits exactly.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// One `f64` as its bits (`#[serde(with = "bits")]`).
pub fn serialize<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
    x.to_bits().serialize(s)
}

pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    u64::deserialize(d).map(f64::from_bits)
}

/// A list of `f64` as their bits (`#[serde(with = "bits::list")]`).
pub mod list {
    use super::*;

    pub fn serialize<S: Serializer>(xs: &[f64], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(xs.iter().map(|x| x.to_bits()))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<f64>, D::Error> {
        Vec::<u64>::deserialize(d).map(|v| v.into_iter().map(f64::from_bits).collect())
    }
}

/// Values and their counts, the values as bits (`#[serde(with = "bits::counted")]`).
pub mod counted {
    use super::*;

    pub fn serialize<S: Serializer>(xs: &[(f64, u64)], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(xs.iter().map(|&(x, n)| (x.to_bits(), n)))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(f64, u64)>, D::Error> {
        Vec::<(u64, u64)>::deserialize(d)
            .map(|v| v.into_iter().map(|(x, n)| (f64::from_bits(x), n)).collect())
    }
}

#[cfg(test)]
mod tests {
    #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
    struct Floats {
        #[serde(with = "super")]
        one: f64,
        #[serde(with = "super::list")]
        many: Vec<f64>,
        #[serde(with = "super::counted")]
        counted: Vec<(f64, u64)>,
        wide: i128,
    }

    #[test]
    fn floats_and_wide_sums_come_back_to_the_bit() {
        let floats = Floats {
            one: f64::INFINITY,
            many: vec![0.1 + 0.2, -0.0, f64::NEG_INFINITY, 1e-310],
            counted: vec![(1.0 / 3.0, 7)],
            wide: -(1_i128 << 100) + 12345,
        };
        let json = serde_json::to_vec(&floats).unwrap();
        let back: Floats = serde_json::from_slice(&json).unwrap();
        assert_eq!(back.one.to_bits(), floats.one.to_bits());
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&back.many), bits(&floats.many));
        assert_eq!(back.counted[0].0.to_bits(), floats.counted[0].0.to_bits());
        assert_eq!(back.wide, floats.wide);
    }
}
