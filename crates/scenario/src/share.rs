//! Share links: the whole run — configuration, seed, protocol, every action at its exact instant —
//! plus the instant on screen and the tab open, packed into a URL fragment
//! (`#run=1.<base64url of deflated JSON>`). Opening the link replays the run to that instant, so
//! two people see the same servers, logs and key-value state. The leading number is the format
//! version: a link made by this page keeps opening in later ones, and a link from a newer page is
//! refused by name instead of misread.

use miniz_oxide::deflate::compress_to_vec;
use miniz_oxide::inflate::decompress_to_vec_with_limit;
use serde::{Deserialize, Serialize};

use super::format::{parse_scenario, Scenario};
use quorum_core::error::FieldError;
use quorum_core::time::Time;

/// The format version this page writes (and the newest it reads).
pub const SHARE_VERSION: u32 = 1;

/// The fragment key a share link uses: `#run=…`.
pub const SHARE_KEY: &str = "run=";

/// The largest decompressed link read: a long run with thousands of actions fits easily, and a
/// malicious link cannot make the page allocate without bound.
const MAX_JSON_BYTES: usize = 4 << 20;

/// The field name bad links are reported under.
const FIELD: &str = "link";

/// A moment of a run, as a link carries it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SharedRun {
    /// The run: configuration, workload, protocol, seed and every action at its instant.
    pub scenario: Scenario,
    /// The instant on screen, virtual µs.
    pub at_us: Time,
    /// The control tab open (its name on the page), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tab: Option<String>,
}

/// A [`SharedRun`] as a link's JSON holds it, its scenario not yet read.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SharedRunText {
    scenario: serde_json::Value,
    at_us: Time,
    #[serde(default)]
    tab: Option<String>,
}

/// The fragment (without `#`) that stands for `run`.
pub fn encode_link(run: &SharedRun) -> String {
    let json = serde_json::to_vec(run).unwrap_or_default();
    let packed = compress_to_vec(&json, 9);
    format!("{SHARE_KEY}{SHARE_VERSION}.{}", base64url(&packed))
}

/// The run a fragment (with or without `#`) stands for; the error names what is wrong with it.
pub fn decode_link(fragment: &str) -> Result<SharedRun, FieldError> {
    let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
    let Some(body) = fragment.strip_prefix(SHARE_KEY) else {
        return Err(FieldError::new(
            FIELD,
            "this address does not hold a Quorum Lab run (it should start with #run=)",
        ));
    };
    let (version, data) = body.split_once('.').ok_or_else(|| {
        FieldError::new(
            FIELD,
            "the run is cut short: no version number before the data",
        )
    })?;
    let version: u32 = version
        .parse()
        .map_err(|_| FieldError::new(FIELD, "the run's version is not a number"))?;
    if version > SHARE_VERSION {
        return Err(FieldError::new(
            FIELD,
            format!(
                "the run was saved by a newer Quorum Lab (format {version}; this page reads up to {SHARE_VERSION})"
            ),
        ));
    }
    if version == 0 {
        return Err(FieldError::new(FIELD, "format 0 does not exist"));
    }
    let packed = from_base64url(data).ok_or_else(|| {
        FieldError::new(
            FIELD,
            "the run is damaged: it has characters a link cannot hold (was it cut or edited?)",
        )
    })?;
    let json = decompress_to_vec_with_limit(&packed, MAX_JSON_BYTES).map_err(|_| {
        FieldError::new(
            FIELD,
            "the run is damaged: its data does not unpack (was the link cut short?)",
        )
    })?;
    let text = String::from_utf8(json)
        .map_err(|_| FieldError::new(FIELD, "the run is damaged: its data is not a saved run"))?;
    // The scenario inside is kept as text here and checked like any scenario file, errors
    // naming its fields (and the page reads scenarios with one parser only).
    let wire: SharedRunText = serde_json::from_str(&text)
        .map_err(|e| FieldError::new(FIELD, format!("the run does not fit this page: {e}")))?;
    let scenario = parse_scenario(&wire.scenario.to_string())
        .map_err(|e| FieldError::new(format!("{FIELD}.{}", e.field), e.problem.clone()))?;
    let run = SharedRun {
        scenario,
        at_us: wire.at_us,
        tab: wire.tab,
    };
    Ok(run)
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Base64url without padding (RFC 4648 §5): safe in a URL fragment as it is.
fn base64url(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | (b as u32) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

/// The bytes of a base64url text, `None` if it holds anything else.
fn from_base64url(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let digits: Vec<u32> = text
        .bytes()
        .map(|c| ALPHABET.iter().position(|&a| a == c).map(|p| p as u32))
        .collect::<Option<_>>()?;
    for chunk in digits.chunks(4) {
        if chunk.len() == 1 {
            return None;
        }
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &d)| n | d << (18 - 6 * i));
        for i in 0..chunk.len() - 1 {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preset;

    fn sample() -> SharedRun {
        let scenario = preset("leader-crash").expect("a preset");
        SharedRun {
            scenario,
            at_us: 4_321_987,
            tab: Some("faults".into()),
        }
    }

    #[test]
    fn base64url_round_trips_every_length() {
        for len in 0..40 {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
            let text = base64url(&bytes);
            assert!(text.bytes().all(|c| ALPHABET.contains(&c)));
            assert_eq!(from_base64url(&text), Some(bytes), "length {len}");
        }
    }

    #[test]
    fn a_link_gives_back_the_same_run_instant_and_tab() {
        let run = sample();
        let link = encode_link(&run);
        assert!(link.starts_with("run=1."), "{link}");
        assert!(link.len() < 2_000, "compact: {} characters", link.len());
        assert_eq!(decode_link(&format!("#{link}")), Ok(run.clone()));
        assert_eq!(decode_link(&link), Ok(run));
    }

    #[test]
    fn newer_foreign_and_damaged_links_are_refused_by_name() {
        let link = encode_link(&sample());
        let err = |fragment: &str| decode_link(fragment).unwrap_err();
        assert!(err("#seed=3")
            .problem
            .contains("does not hold a Quorum Lab run"));
        assert!(err("#run=").problem.contains("no version"));
        assert!(err("#run=x.abc")
            .problem
            .contains("version is not a number"));
        let newer = link.replacen("run=1.", "run=2.", 1);
        let problem = err(&newer).problem;
        assert!(problem.contains("newer Quorum Lab (format 2"), "{problem}");
        let cut = &link[..link.len() / 2];
        assert!(err(cut).problem.contains("damaged"), "{}", err(cut).problem);
        let edited = link.replacen('A', "*", 1);
        assert!(err(&edited)
            .problem
            .contains("characters a link cannot hold"));
        assert_eq!(err("#run=1.").field, "link");
    }

    #[test]
    fn a_link_whose_run_breaks_the_rules_names_the_field_inside() {
        let mut run = sample();
        run.scenario.cluster.servers = 40;
        let e = decode_link(&encode_link(&run)).unwrap_err();
        assert_eq!(e.field, "link.cluster.servers", "{e:?}");
    }
}
#[cfg(test)]
mod replay_tests {
    use super::*;
    use crate::{parse_params, scenario_of};
    use quorum_cluster::timeline::Timeline;
    use quorum_cluster::{Action, Sim};
    use quorum_core::time::SECOND;

    /// A run made on the page — its starting cluster, an action, time — comes back from its
    /// link as the very same run: the trace hashes agree at the instant the link holds.
    #[test]
    fn a_page_run_comes_back_from_its_link_with_the_same_trace() {
        let (config, workload) = parse_params("?seed=21").unwrap().start();
        let mut run = Timeline::new(Sim::new(config, workload).unwrap());
        run.advance_to(2 * SECOND);
        run.apply(Action::CrashLeader { label: None }).unwrap();
        run.advance_to(3 * SECOND);
        let shared = SharedRun {
            scenario: scenario_of(&run, "shared"),
            at_us: run.now(),
            tab: None,
        };
        let back = decode_link(&encode_link(&shared)).unwrap();
        let mut replayed = back.scenario.timeline().unwrap();
        replayed.advance_to(back.at_us);
        assert_eq!(replayed.now(), run.now());
        assert_eq!(replayed.sim().trace_hash(), run.sim().trace_hash());
    }
}
