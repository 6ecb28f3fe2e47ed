//! The lessons the page offers, and what the lesson player needs that is not drawing: the
//! bundled lesson files, the address of a lesson's step (`#lesson=raft-election&step=3`), a
//! caption cut into words and keywords (server names, message kinds, terms) so the keywords can
//! light up their things on the diagram, the progress a browser remembers, and the common
//! misconceptions, each opening the moment of a lesson that shows why it is wrong. Pure, so it
//! is tested natively.

use std::collections::BTreeMap;
use std::sync::Arc;

use quorum_cluster::message::MessageKind;
use quorum_core::error::FieldError;
use quorum_core::NodeId;
use quorum_scenario::{parse_lesson, Lesson};

/// The lesson files, in the order the page lists them.
pub const BUNDLED: &[(&str, &str)] = &[
    (
        "raft-replicated-state-machine",
        include_str!("../lessons/raft-replicated-state-machine.json"),
    ),
    (
        "raft-election",
        include_str!("../lessons/raft-election.json"),
    ),
    (
        "raft-log-replication",
        include_str!("../lessons/raft-log-replication.json"),
    ),
    ("raft-safety", include_str!("../lessons/raft-safety.json")),
    (
        "raft-partitions",
        include_str!("../lessons/raft-partitions.json"),
    ),
    ("raft-reads", include_str!("../lessons/raft-reads.json")),
    (
        "raft-membership",
        include_str!("../lessons/raft-membership.json"),
    ),
    (
        "raft-snapshots",
        include_str!("../lessons/raft-snapshots.json"),
    ),
    (
        "multi-paxos-duelling-proposers",
        include_str!("../lessons/multi-paxos-duelling-proposers.json"),
    ),
    (
        "multi-paxos-leader-change",
        include_str!("../lessons/multi-paxos-leader-change.json"),
    ),
    (
        "raft-and-multi-paxos",
        include_str!("../lessons/raft-and-multi-paxos.json"),
    ),
    (
        "load-balancing",
        include_str!("../lessons/load-balancing.json"),
    ),
    (
        "linearizability",
        include_str!("../lessons/linearizability.json"),
    ),
];

/// Every bundled lesson, parsed once (the list re-renders with the page; the suite proves each
/// one parses and runs to its end).
pub fn bundled() -> &'static [Arc<Lesson>] {
    static PARSED: std::sync::OnceLock<Vec<Arc<Lesson>>> = std::sync::OnceLock::new();
    PARSED.get_or_init(|| {
        BUNDLED
            .iter()
            .filter_map(|(_, text)| parse_lesson(text).ok().map(Arc::new))
            .collect()
    })
}

/// The bundled lesson called `id`.
pub fn find(id: &str) -> Option<Arc<Lesson>> {
    bundled().iter().find(|l| l.id == id).cloned()
}

/// A lesson's step as an address names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Anchor {
    /// The lesson's id.
    pub lesson: String,
    /// The step, counted from 0 (the address counts from 1).
    pub step: usize,
}

impl Anchor {
    /// The address fragment, without `#`: `lesson=raft-election&step=3`.
    pub fn fragment(&self) -> String {
        format!("lesson={}&step={}", self.lesson, self.step + 1)
    }

    /// Reads a fragment such as `lesson=raft-election&step=3` (the step may be left out: the
    /// first). `None` when the fragment is not about a lesson at all; an error naming the part
    /// of the address at fault otherwise.
    pub fn parse(fragment: &str) -> Option<Result<Anchor, FieldError>> {
        let fragment = fragment.trim_start_matches('#');
        let mut lesson = None;
        let mut step = None;
        for part in fragment.split('&') {
            match part.split_once('=') {
                Some(("lesson", v)) => lesson = Some(v.to_string()),
                Some(("step", v)) => step = Some(v.to_string()),
                _ => {}
            }
        }
        let lesson = lesson?;
        Some(Self::check(lesson, step))
    }

    fn check(lesson: String, step: Option<String>) -> Result<Anchor, FieldError> {
        let Some(found) = find(&lesson) else {
            let known: Vec<&str> = BUNDLED.iter().map(|(id, _)| *id).collect();
            return Err(FieldError::new(
                "lesson",
                format!(
                    "there is no lesson called {lesson:?} (the lessons: {})",
                    known.join(", ")
                ),
            ));
        };
        let steps = found.steps.len();
        let step = match step {
            None => 0,
            Some(v) => match v.parse::<usize>() {
                Ok(n) if (1..=steps).contains(&n) => n - 1,
                _ => {
                    return Err(FieldError::new(
                        "step",
                        format!(
                            "must be a whole number between 1 and {steps} (the steps of “{}”; got {v:?})",
                            found.title
                        ),
                    ))
                }
            },
        };
        Ok(Anchor { lesson, step })
    }
}

/// A thing a caption's word names on the diagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keyword {
    /// A server (`S3`).
    Server(NodeId),
    /// A message kind (`RequestVote`).
    Message(MessageKind),
    /// A term (`term 4`).
    Term(u64),
}

/// A piece of a caption: plain words, or a keyword.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Span {
    /// The words as written.
    pub text: String,
    /// What they name, if anything.
    pub keyword: Option<Keyword>,
}

/// The message kinds a caption may name, by the word it uses.
fn message_kind(word: &str) -> Option<MessageKind> {
    MessageKind::ALL.iter().copied().find(|k| k.label() == word)
}

/// Cuts `caption` into plain words and keywords: `S1`…`S99`, a message kind's name, and
/// `term N`.
pub fn caption_spans(caption: &str) -> Vec<Span> {
    let mut out: Vec<Span> = Vec::new();
    let mut plain = String::new();
    let mut rest = caption;
    let flush = |plain: &mut String, out: &mut Vec<Span>| {
        if !plain.is_empty() {
            out.push(Span {
                text: std::mem::take(plain),
                keyword: None,
            });
        }
    };
    while !rest.is_empty() {
        let word_len = rest
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(rest.len());
        if word_len == 0 {
            let c = rest.chars().next().unwrap_or(' ');
            plain.push(c);
            rest = &rest[c.len_utf8()..];
            continue;
        }
        let word = &rest[..word_len];
        let at_word_start = plain
            .chars()
            .last()
            .is_none_or(|c| !c.is_ascii_alphanumeric());
        let server = word
            .strip_prefix('S')
            .and_then(|n| n.parse::<NodeId>().ok())
            .filter(|n| (1..=99).contains(n));
        let term = (word == "term").then(|| {
            let after = &rest[word_len..];
            let digits = after.strip_prefix(' ')?;
            let len = digits
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(digits.len());
            digits[..len].parse::<u64>().ok().map(|t| (t, 1 + len))
        });
        let (keyword, taken) = match (server, message_kind(word), term.flatten()) {
            (Some(n), _, _) => (Some(Keyword::Server(n)), word_len),
            (_, Some(k), _) => (Some(Keyword::Message(k)), word_len),
            (_, _, Some((t, extra))) => (Some(Keyword::Term(t)), word_len + extra),
            _ => (None, word_len),
        };
        match keyword.filter(|_| at_word_start) {
            Some(k) => {
                flush(&mut plain, &mut out);
                out.push(Span {
                    text: rest[..taken].to_string(),
                    keyword: Some(k),
                });
                rest = &rest[taken..];
            }
            None => {
                plain.push_str(word);
                rest = &rest[word_len..];
            }
        }
    }
    flush(&mut plain, &mut out);
    out
}

/// How far a reader got in one lesson.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reached {
    /// The furthest step opened, counted from 0.
    pub step: usize,
    /// The last step's condition was met.
    pub done: bool,
}

/// What a browser remembers of the lessons: how far each one got.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Progress(pub BTreeMap<String, Reached>);

/// The key the browser keeps [`Progress`] under.
pub const PROGRESS_KEY: &str = "quorum-lab.lessons";

impl Progress {
    /// The stored form: `raft-election:3:done;raft-reads:1`.
    pub fn encode(&self) -> String {
        self.0
            .iter()
            .map(|(id, r)| format!("{id}:{}{}", r.step + 1, if r.done { ":done" } else { "" }))
            .collect::<Vec<_>>()
            .join(";")
    }

    /// Reads the stored form; an entry that does not read (a lesson since renamed, a damaged
    /// value) is an error naming it, so the page can say so and start that lesson afresh.
    pub fn decode(text: &str) -> (Progress, Vec<String>) {
        let mut progress = Progress::default();
        let mut unread = Vec::new();
        for entry in text.split(';').filter(|e| !e.is_empty()) {
            let parts: Vec<&str> = entry.split(':').collect();
            let parsed = match parts.as_slice() {
                [id, step] => step.parse::<usize>().ok().map(|s| (id, s, false)),
                [id, step, "done"] => step.parse::<usize>().ok().map(|s| (id, s, true)),
                _ => None,
            };
            match parsed {
                Some((id, step, done)) if step >= 1 && find(id).is_some() => {
                    progress.0.insert(
                        id.to_string(),
                        Reached {
                            step: step - 1,
                            done,
                        },
                    );
                }
                _ => unread.push(entry.to_string()),
            }
        }
        (progress, unread)
    }

    /// Notes that step `step` of `lesson` was opened (and whether the lesson is done): the
    /// furthest step stays remembered.
    pub fn reached(&mut self, lesson: &str, step: usize, done: bool) {
        let entry = self
            .0
            .entry(lesson.to_string())
            .or_insert(Reached { step, done: false });
        entry.step = entry.step.max(step);
        entry.done |= done;
    }
}

/// A belief people often hold about consensus, why it is wrong, and where a lesson shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Misconception {
    /// The belief, as people put it.
    pub claim: &'static str,
    /// Why it is wrong.
    pub why_wrong: &'static str,
    /// The lesson that shows it.
    pub lesson: &'static str,
    /// The step of that lesson, counted from 0.
    pub step: usize,
}

/// The common misconceptions, each with its demonstration.
pub const MISCONCEPTIONS: &[Misconception] = &[
    Misconception {
        claim: "An entry stored on a majority is committed.",
        why_wrong: "Only an entry of the leader's own term commits by counting replicas. An older entry on a majority can still be overwritten by a leader elected without it (Figure 8, §5.4.2); it commits only with the first entry of the new term.",
        lesson: "raft-safety",
        step: 2,
    },
    Misconception {
        claim: "The server with the newest log always wins the election.",
        why_wrong: "The first server whose timer runs out usually wins. Its log must only be at least as up to date as a majority's, not the newest of all (§5.4.1).",
        lesson: "raft-safety",
        step: 0,
    },
    Misconception {
        claim: "A leader can answer reads from its own state without asking anyone.",
        why_wrong: "A leader cut off from the others does not know it was replaced. It must confirm with a majority (ReadIndex), or hold a lease — and a lease measured on a slow clock outlives the leadership, so the old leader serves a stale read (§6.4).",
        lesson: "raft-reads",
        step: 9,
    },
    Misconception {
        claim: "More replicas make writes faster.",
        why_wrong: "Every write waits for a majority; more replicas mean a larger majority and more messages per entry. Replicas add fault tolerance and read capacity, not write speed.",
        lesson: "raft-and-multi-paxos",
        step: 1,
    },
    Misconception {
        claim: "Two leaders can never exist at the same time.",
        why_wrong: "Two servers can both believe they lead, in different terms: an old leader cut off from the majority keeps its role until it hears a higher term. Safety holds because the old one can no longer commit anything.",
        lesson: "raft-partitions",
        step: 1,
    },
    Misconception {
        claim: "A random election timeout rules out split votes.",
        why_wrong: "It makes them rare, not impossible. When timers run out close together, candidates split the votes, nobody wins, and the term is wasted until a timer runs out again.",
        lesson: "raft-election",
        step: 7,
    },
    Misconception {
        claim: "Reading from any replica returns the latest write.",
        why_wrong: "A follower may lag the leader, so a read served from its own state can return an old value after a newer write was acknowledged: not linearizable, and the checker shows where.",
        lesson: "load-balancing",
        step: 5,
    },
    Misconception {
        claim: "Paxos and Raft are different kinds of algorithm.",
        why_wrong: "Multi-Paxos with a stable leader and Raft do the same work: a phase to become leader and learn what may have been chosen, then one round trip per entry to a majority. Raft fixes more of the details.",
        lesson: "raft-and-multi-paxos",
        step: 0,
    },
    Misconception {
        claim: "A crashed follower must replay the whole log when it comes back.",
        why_wrong: "When the entries it lacks were compacted, the leader sends its snapshot instead: the follower takes the state at once and only the entries after it (§7).",
        lesson: "raft-snapshots",
        step: 3,
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    /// Every file in `lessons/` is bundled, under its own name.
    #[test]
    fn every_lesson_file_is_bundled_and_parses() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/lessons");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .expect("lessons/")
            .filter_map(Result::ok)
            .filter_map(|e| {
                e.file_name()
                    .to_str()?
                    .strip_suffix(".json")
                    .map(String::from)
            })
            .collect();
        files.sort();
        let mut ids: Vec<String> = BUNDLED.iter().map(|(id, _)| id.to_string()).collect();
        ids.sort();
        assert_eq!(files, ids);
        assert_eq!(bundled().len(), BUNDLED.len());
        for (id, text) in BUNDLED {
            assert_eq!(parse_lesson(text).expect("parses").id, *id);
        }
    }

    /// A lesson's address round-trips; a wrong lesson or step names the part of the address
    /// at fault and the range.
    #[test]
    fn a_step_address_round_trips_and_a_bad_one_names_its_part() {
        let a = Anchor {
            lesson: "raft-election".into(),
            step: 2,
        };
        assert_eq!(Anchor::parse(&format!("#{}", a.fragment())), Some(Ok(a)));
        assert_eq!(
            Anchor::parse("lesson=raft-election"),
            Some(Ok(Anchor {
                lesson: "raft-election".into(),
                step: 0
            }))
        );
        assert_eq!(Anchor::parse("run=abc"), None);
        let e = Anchor::parse("lesson=nope")
            .expect("about a lesson")
            .expect_err("unknown");
        assert_eq!(e.field, "lesson");
        assert!(e.to_string().contains("raft-election"), "{e}");
        let steps = find("raft-election").expect("bundled").steps.len();
        for bad in ["0", "99", "two", "-1"] {
            let e = Anchor::parse(&format!("lesson=raft-election&step={bad}"))
                .expect("about a lesson")
                .expect_err(bad);
            assert_eq!(e.field, "step");
            assert!(
                e.to_string().contains(&format!("between 1 and {steps}")),
                "{e}"
            );
        }
    }

    /// Server names, message kinds and terms become keywords; words that merely contain them
    /// do not.
    #[test]
    fn a_caption_marks_servers_message_kinds_and_terms() {
        let spans = caption_spans("S2 sends RequestVote for term 4; SS2 and S2x are words.");
        let keywords: Vec<(String, Keyword)> = spans
            .iter()
            .filter_map(|s| s.keyword.map(|k| (s.text.clone(), k)))
            .collect();
        assert_eq!(
            keywords,
            vec![
                ("S2".to_string(), Keyword::Server(2)),
                (
                    "RequestVote".to_string(),
                    Keyword::Message(MessageKind::RequestVote)
                ),
                ("term 4".to_string(), Keyword::Term(4)),
            ]
        );
        let text: String = spans.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(
            text,
            "S2 sends RequestVote for term 4; SS2 and S2x are words."
        );
    }

    /// Progress keeps the furthest step and survives storage; an entry that no longer reads
    /// is reported, not silently dropped.
    #[test]
    fn progress_round_trips_and_reports_what_it_cannot_read() {
        let mut p = Progress::default();
        p.reached("raft-election", 2, false);
        p.reached("raft-election", 1, false);
        p.reached("raft-reads", 0, true);
        assert_eq!(p.0["raft-election"].step, 2);
        let (back, unread) = Progress::decode(&p.encode());
        assert_eq!(back, p);
        assert!(unread.is_empty());
        let (_, unread) = Progress::decode("raft-election:x;gone:2;raft-reads:1:done");
        assert_eq!(
            unread,
            vec!["raft-election:x".to_string(), "gone:2".to_string()]
        );
    }

    /// At least eight misconceptions, each opening a step that exists.
    #[test]
    fn every_misconception_opens_a_step_that_exists() {
        assert!(MISCONCEPTIONS.len() >= 8);
        for m in MISCONCEPTIONS {
            let lesson = find(m.lesson).unwrap_or_else(|| panic!("{}", m.lesson));
            assert!(m.step < lesson.steps.len(), "{} step {}", m.lesson, m.step);
        }
    }
}
