//! The page's state and the actions that change it (Yew `use_reducer`). The simulation itself
//! lives in a [`Timeline`] behind a `RefCell`: a new `Rc` is returned on every action (so Yew
//! re-renders), but the timeline is mutated in place rather than copied each frame, and only
//! here. The reducer is pure: it never reads the clock, touches the browser or runs long
//! checks; it asks for them as [`Chore`]s, which the page carries out after rendering
//! (`super::chores`) and reports back with [`LabAction::ChoreDone`].

use std::cell::RefCell;
use std::rc::Rc;

use yew::Reducible;

use quorum_cluster::config::ProtocolKind;
use quorum_cluster::message::{MsgId, Payload};
use quorum_cluster::timeline::Timeline;
use quorum_cluster::trace::LaneMark;
use quorum_cluster::{Action, ClusterConfig, NodeId, Sim};
use quorum_core::time::{Time, MS, SECOND};
use quorum_scenario::{Comparison, PageParams};
use quorum_service::kv::KvOp;
use quorum_traffic::client::WorkloadConfig;

/// What the inspector shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Selection {
    /// Nothing.
    None,
    /// A server.
    Node(NodeId),
    /// A message in flight.
    Message(MsgId),
    /// The link between two servers (lower id first).
    Link(NodeId, NodeId),
    /// Something that happened to a server, picked on its space-time lane (an election won,
    /// a crash, a cut link).
    Event(LaneMark),
}

impl Selection {
    /// The server the selection is about, if one: the message filter's "touching the selected
    /// server" follows it.
    pub fn server(self) -> Option<NodeId> {
        match self {
            Selection::Node(id) => Some(id),
            Selection::Event(e) => Some(e.server),
            _ => None,
        }
    }
}

/// Which messages the diagram draws.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageFilter {
    /// Every message in flight.
    All,
    /// Only those to or from the server selected (all when none is).
    SelectedServer,
    /// All but heartbeats and health checks: the traffic that changes something.
    NoHeartbeats,
}

impl MessageFilter {
    /// Every choice, in the order offered.
    pub const ALL: [MessageFilter; 3] = [
        MessageFilter::All,
        MessageFilter::SelectedServer,
        MessageFilter::NoHeartbeats,
    ];

    /// The choice's label.
    pub fn label(self) -> &'static str {
        match self {
            MessageFilter::All => "all",
            MessageFilter::SelectedServer => "selected server",
            MessageFilter::NoHeartbeats => "no heartbeats",
        }
    }
}

/// How the diagram panel shows the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiagramMode {
    /// The servers on a ring with the messages in flight.
    Ring,
    /// A lane per server, time running right, every message an arrow (the run is traced).
    SpaceTime,
}

impl DiagramMode {
    /// Both, in the order offered.
    pub const ALL: [DiagramMode; 2] = [DiagramMode::Ring, DiagramMode::SpaceTime];

    /// The choice's label.
    pub fn label(self) -> &'static str {
        match self {
            DiagramMode::Ring => "ring",
            DiagramMode::SpaceTime => "space-time",
        }
    }
}

/// The control tabs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    /// Partitions, loss, latency, gray failures.
    Chaos,
    /// Timeouts and protocol switches.
    Timing,
    /// The load and a client by hand.
    Client,
    /// The load balancer.
    Balancer,
    /// Size, presets, files.
    Cluster,
    /// Both protocols side by side.
    Compare,
}

impl Tab {
    /// Every tab, in the order shown.
    pub const ALL: [Tab; 6] = [
        Tab::Chaos,
        Tab::Timing,
        Tab::Client,
        Tab::Balancer,
        Tab::Cluster,
        Tab::Compare,
    ];

    /// The tab's label.
    pub fn label(self) -> &'static str {
        match self {
            Tab::Chaos => "Chaos",
            Tab::Timing => "Timing",
            Tab::Client => "Client",
            Tab::Balancer => "Balancer",
            Tab::Cluster => "Cluster",
            Tab::Compare => "Compare",
        }
    }

    /// The name links and the page's markup use (`chaos`, `timing`, …).
    pub fn name(self) -> String {
        self.label().to_lowercase()
    }

    /// The tab a name stands for.
    pub fn named(name: &str) -> Option<Tab> {
        Tab::ALL.into_iter().find(|t| t.name() == name)
    }
}

/// A future the person left by acting in the past, kept so they can return to it (Runway's
/// branches): the whole recorded run as it was, standing at the instant they acted.
#[derive(Clone, Debug)]
pub struct Branch {
    /// The run as it was.
    pub timeline: Timeline,
    /// The instant the runs part.
    pub parted_at: Time,
}

/// Branches kept at most; the oldest goes first.
pub const MAX_BRANCHES: usize = 5;

/// What can be downloaded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Export {
    /// The client history, in the JSON Lines format external checkers read.
    History,
    /// The run as a scenario file that replays it.
    Scenario,
    /// The space-time diagram as shown, as an SVG file.
    SpaceTime,
}

/// Slowest playback speed (virtual seconds per real second); the URL parameter's range too.
pub const MIN_SPEED: f64 = quorum_scenario::SPEEDS.0;
/// Fastest playback speed.
pub const MAX_SPEED: f64 = quorum_scenario::SPEEDS.1;
/// Default speed: a 10–20 ms message flight takes about a second and a half.
pub const DEFAULT_SPEED: f64 = 0.01;
/// The longest wall-clock frame counted (a background tab's first frame back is not a time jump).
const MAX_FRAME_MS: f64 = 100.0;

/// Work the reducer asks the page to do after rendering: what touches the browser (saving a
/// file) or takes long (checking the history, running the comparison).
#[derive(Clone, Debug, PartialEq)]
pub enum Chore {
    /// Check the client history for linearizability.
    CheckHistory,
    /// Run the recorded run under both protocols and compare them.
    Compare {
        /// Add a leader crash every 5 s.
        crash_leader: bool,
    },
    /// Save the history or the run as a file.
    Download(Export),
    /// Put the run's share link on the clipboard.
    CopyLink,
    /// Remember in the browser that the first-visit overlay was read.
    RememberWelcomed,
}

/// What a chore came to.
#[derive(Clone, Debug, PartialEq)]
pub enum ChoreOutcome {
    /// The history was checked.
    Checked(Rc<super::insights::CheckResult>),
    /// Both protocols ran, or the scenario was refused.
    Compared(Result<Rc<Comparison>, String>),
    /// The file was offered, or the browser refused.
    Saved(Result<(), String>),
    /// The link went to the clipboard (its length), or the browser refused.
    Copied(Result<usize, String>),
}

/// Everything behind the page.
pub struct LabInner {
    /// The simulation and its recorded past.
    pub timeline: Timeline,
    /// Configuration the cluster was built from (kept when the size changes).
    pub config: ClusterConfig,
    /// The generated load.
    pub workload: WorkloadConfig,
    /// Running or paused.
    pub playing: bool,
    /// Virtual seconds per real second.
    pub speed: f64,
    /// Inspector selection.
    pub selection: Selection,
    /// The control tab open.
    pub tab: Tab,
    /// Futures left by acting in the past, oldest first.
    pub branches: Vec<Branch>,
    /// Which messages the diagram draws.
    pub message_filter: MessageFilter,
    /// Ring or space-time.
    pub diagram_mode: DiagramMode,
    /// How much simulated time the space-time diagram spans.
    pub spacetime_span: Time,
    /// The space-time diagram draws the balancer's and the clients' lanes too.
    pub spacetime_clients: bool,
    /// The key whose "why?" is open in the inspector: only its writer is looked up.
    pub open_key_origin: Option<String>,
    /// What the panels showed at the last step, skip or start of play (see
    /// [`LabInner::step_diff`]).
    pub diff_base: Option<Rc<crate::step_diff::Snapshot>>,
    /// The help overlay is open.
    pub help_open: bool,
    /// The first-visit overlay is open.
    pub welcome_open: bool,
    /// Presentation mode: large type, the diagram, logs and feed only, the keys shown.
    pub presenting: bool,
    /// The lesson open, if any.
    pub lesson: Option<super::lesson_state::OpenLesson>,
    /// The list of lessons and misconceptions is open.
    pub lessons_open: bool,
    /// How far this browser got in each lesson.
    pub lesson_progress: crate::lessons::Progress,
    /// The browser would not keep the progress (said once).
    pub progress_unsaved: bool,
    /// Paused because the tab was hidden (resume when it shows again).
    pub paused_by_hidden: bool,
    /// Pause when an invariant breaks.
    pub pause_on_violation: bool,
    /// Violations already seen (to pause once per new one).
    pub violations_seen: usize,
    /// A problem to show (bad URL parameter, refused action).
    pub notice: Option<String>,
    /// The latest linearizability check.
    pub check: Option<Rc<super::insights::CheckResult>>,
    /// Re-check every two simulated seconds.
    pub auto_check: bool,
    /// The latest side-by-side run of both protocols.
    pub comparison: Option<Rc<Comparison>>,
    /// Chores asked for and not yet done, numbered in the order asked.
    pub chores: Vec<(u64, Chore)>,
    /// The number the next chore gets.
    next_chore: u64,
}

/// The reducer state: a handle on [`LabInner`] plus a version that changes on every action.
#[derive(Clone)]
pub struct Lab {
    /// The shared state.
    pub inner: Rc<RefCell<LabInner>>,
    /// Bumped on every action so Yew sees a change.
    pub version: u64,
}

impl PartialEq for Lab {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.inner, &other.inner) && self.version == other.version
    }
}

/// Everything the page can do to its state.
#[derive(Clone, Debug, PartialEq)]
pub enum LabAction {
    /// An animation frame: `wall_ms` of real time passed.
    Tick {
        /// Real milliseconds since the previous frame.
        wall_ms: f64,
    },
    /// Play or pause.
    TogglePlay,
    /// Play or pause explicitly.
    SetPlaying(bool),
    /// Process exactly one event.
    Step,
    /// Change the playback speed.
    SetSpeed(f64),
    /// Show another instant of the recorded run.
    Seek(Time),
    /// Scrub back (negative) or forward by steps of 1% of the recorded run (at least 20 ms).
    ScrubBy(i64),
    /// Run forward by this much virtual time at once.
    Skip(Time),
    /// Apply a simulation action now.
    Sim(Action),
    /// Issue a key-value operation from the client panel.
    Client {
        /// The operation.
        op: KvOp,
        /// The server to send it to (default: whoever the client thinks leads).
        server: Option<NodeId>,
        /// For a read: how consistent it must be.
        read: quorum_cluster::message::ReadConsistency,
    },
    /// Crash the leader and restart it at once (RaftScope's `R`).
    RestartLeader,
    /// Change what the inspector shows.
    Select(Selection),
    /// Open a control tab.
    SelectTab(Tab),
    /// Choose which messages the diagram draws.
    FilterMessages(MessageFilter),
    /// Show the run on the ring or as a space-time diagram.
    ShowDiagram(DiagramMode),
    /// How much time the space-time diagram spans.
    SetSpaceTimeSpan(Time),
    /// Draw the balancer's and clients' lanes in the space-time diagram, or not.
    SetSpaceTimeClients(bool),
    /// Open (or close, with `None`) the inspector's "why?" for a key's value.
    ShowKeyOrigin(Option<String>),
    /// Go back to a branch (by its place in the list); the run left becomes a branch.
    ReturnToBranch(usize),
    /// Open or close the help overlay.
    ToggleHelp,
    /// Enter or leave presentation mode.
    TogglePresenting,
    /// Close the first-visit overlay (for good), then maybe do something.
    CloseWelcome {
        /// What to do once it is closed.
        then: Option<Box<LabAction>>,
    },
    /// Close overlays and the inspector.
    Dismiss,
    /// The tab was hidden or shown again.
    Visibility {
        /// True when hidden.
        hidden: bool,
    },
    /// Start over with a fresh cluster of this size (same seed and settings).
    Resize(usize),
    /// Pause when an invariant breaks (or not).
    SetPauseOnViolation(bool),
    /// Show a problem to the person (bad form input).
    Notice(String),
    /// Check the current history for linearizability now.
    CheckLinearizability,
    /// Re-check automatically (or not).
    SetAutoCheck(bool),
    /// Replace the run with a scenario given as JSON text (errors name the field).
    LoadScenario(String),
    /// Download the history (JSON Lines) or the run as a scenario (JSON).
    Download(Export),
    /// Copy the run's share link.
    CopyLink,
    /// The page finished a chore.
    ChoreDone {
        /// Its number.
        id: u64,
        /// What it came to.
        outcome: ChoreOutcome,
    },
    /// A lesson button or key.
    Lesson(super::lesson_state::LessonAction),
    /// Run the same cluster, workload, faults and seed under the other protocol, replayed to
    /// the same instant.
    SwitchProtocol(ProtocolKind),
    /// Run the recorded run (at least 20 s) under both protocols and compare them; with
    /// `crash_leader`, the leader also crashes every 5 s.
    Compare {
        /// Add leader crashes to the schedule.
        crash_leader: bool,
    },
}

impl LabInner {
    fn fresh_timeline(
        config: &ClusterConfig,
        workload: &WorkloadConfig,
    ) -> Result<Timeline, String> {
        Sim::new(config.clone(), workload.clone())
            .map(Timeline::new)
            .map_err(|e| e.to_string())
    }

    /// The page's starting state, from URL parameters (and a problem with them to show).
    pub fn new(params: &PageParams, problem: Option<String>) -> LabInner {
        let (mut config, mut workload) = params.start();
        let (timeline, notice) = match Self::fresh_timeline(&config, &workload) {
            Ok(t) => (t, problem),
            Err(e) => {
                config = ClusterConfig::default();
                workload = WorkloadConfig::default();
                let t = Self::fresh_timeline(&config, &workload).unwrap_or_else(|_| {
                    Timeline::new(
                        Sim::new(ClusterConfig::default(), WorkloadConfig::default())
                            .expect("the default cluster is valid"),
                    )
                });
                (t, Some(format!("Started with defaults: {e}")))
            }
        };
        let mut lab = LabInner::around(timeline, config, workload);
        lab.playing = !params.paused;
        lab.speed = params.speed.unwrap_or(DEFAULT_SPEED);
        lab.notice = notice;
        lab
    }

    /// The page's state around a run just built: playing at the default speed, nothing
    /// selected or asked for yet.
    fn around(timeline: Timeline, config: ClusterConfig, workload: WorkloadConfig) -> LabInner {
        let (lesson_progress, unread) = super::lesson_state::load_progress();
        LabInner {
            timeline,
            config,
            workload,
            playing: true,
            speed: DEFAULT_SPEED,
            selection: Selection::None,
            tab: Tab::Chaos,
            branches: Vec::new(),
            message_filter: MessageFilter::All,
            diagram_mode: DiagramMode::Ring,
            spacetime_span: 2 * SECOND,
            spacetime_clients: false,
            diff_base: None,
            open_key_origin: None,
            help_open: false,
            welcome_open: false,
            presenting: false,
            lesson: None,
            lessons_open: false,
            lesson_progress,
            progress_unsaved: false,
            paused_by_hidden: false,
            pause_on_violation: true,
            violations_seen: 0,
            notice: (!unread.is_empty()).then(|| {
                format!(
                    "Lesson progress partly unreadable ({}): those lessons start afresh.",
                    unread.join(", ")
                )
            }),
            check: None,
            auto_check: true,
            comparison: None,
            chores: Vec::new(),
            next_chore: 1,
        }
    }

    fn apply(&mut self, action: Action) {
        // Acting in the past forks the run: the recorded future is kept as a branch.
        let left = self.timeline.in_past().then(|| self.timeline.clone());
        match self.timeline.apply(action) {
            Ok(()) => {
                if let Some(timeline) = left {
                    let parted_at = timeline.now();
                    self.keep_branch(Branch {
                        timeline,
                        parted_at,
                    });
                    self.notice = Some(format!(
                        "You acted in the past: a new run goes on from {}; the future you left is kept under the time slider.",
                        quorum_core::time::format_time(parted_at)
                    ));
                }
            }
            Err(e) => self.notice = Some(format!("Not done: {e}")),
        }
    }

    fn keep_branch(&mut self, branch: Branch) {
        if self.branches.len() == MAX_BRANCHES {
            self.branches.remove(0);
        }
        self.branches.push(branch);
    }

    fn return_to_branch(&mut self, i: usize) {
        if i >= self.branches.len() {
            return;
        }
        let branch = self.branches.remove(i);
        let parted_at = branch.parted_at;
        let left = std::mem::replace(&mut self.timeline, branch.timeline);
        self.keep_branch(Branch {
            timeline: left,
            parted_at,
        });
        self.playing = false;
        self.selection = Selection::None;
        self.violations_seen = self.timeline.sim().violations().len();
        self.check = None;
        self.notice = Some(format!(
            "Back on the run you left at {}; the one you were on is kept as a branch.",
            quorum_core::time::format_time(parted_at)
        ));
    }

    fn check_violations(&mut self) {
        let n = self.timeline.sim().violations().len();
        if n > self.violations_seen {
            self.violations_seen = n;
            if self.pause_on_violation {
                self.playing = false;
            }
        }
    }

    fn reduce(&mut self, action: LabAction) {
        match action {
            LabAction::Tick { wall_ms } => {
                if self.playing {
                    let sim = self.timeline.sim();
                    let t = crate::playback::frame_target(
                        self.timeline.now(),
                        wall_ms.clamp(0.0, MAX_FRAME_MS),
                        self.speed,
                        // Health checks are background: only protocol and client traffic holds
                        // time at the chosen speed.
                        sim.in_flight()
                            .values()
                            .all(|m| matches!(m.payload, Payload::Ping | Payload::Pong)),
                        sim.next_event_time(),
                    );
                    self.timeline.advance_to(t);
                }
                let due = self.check.as_ref().is_none_or(|c| {
                    self.timeline.now() >= c.at + AUTO_CHECK_EVERY || self.timeline.now() < c.at
                });
                self.keep_tracing();
                self.watch_lesson();
                let asked = self.chores.iter().any(|(_, c)| *c == Chore::CheckHistory);
                if self.auto_check && due && !asked && self.timeline.now() > 0 {
                    self.ask(Chore::CheckHistory);
                }
            }
            LabAction::TogglePlay => self.set_playing(!self.playing),
            LabAction::SetPlaying(p) => self.set_playing(p),
            LabAction::Step => {
                self.playing = false;
                self.remember_for_diff();
                self.timeline.step();
            }
            LabAction::SetSpeed(s) => self.speed = s.clamp(MIN_SPEED, MAX_SPEED),
            LabAction::Seek(t) => self.timeline.seek(t),
            LabAction::ScrubBy(steps) => {
                self.playing = false;
                let step = (self.timeline.horizon() / 100).max(20 * MS) as i64;
                let t = (self.timeline.now() as i64 + steps * step).max(0) as Time;
                self.timeline.seek(t);
            }
            LabAction::Skip(d) => {
                self.remember_for_diff();
                let t = self.timeline.now() + d;
                self.timeline.advance_to(t);
            }
            LabAction::Sim(a) => self.apply(a),
            LabAction::Client { op, server, read } => {
                self.apply(Action::ClientRequest { op, server, read })
            }
            LabAction::RestartLeader => match self.timeline.sim().leader() {
                Some(node) => {
                    self.apply(Action::Crash { node: node.into() });
                    self.apply(Action::Restart { node: node.into() });
                }
                None => self.notice = Some("There is no leader to restart.".into()),
            },
            LabAction::Select(s) => {
                self.selection = s;
                self.keep_tracing();
            }
            LabAction::SelectTab(t) => self.tab = t,
            LabAction::FilterMessages(f) => self.message_filter = f,
            LabAction::ShowDiagram(mode) => {
                self.diagram_mode = mode;
                self.keep_tracing();
            }
            LabAction::SetSpaceTimeSpan(span) => {
                self.spacetime_span = span;
                self.keep_tracing();
            }
            LabAction::SetSpaceTimeClients(on) => self.spacetime_clients = on,
            LabAction::ShowKeyOrigin(key) => self.open_key_origin = key,
            LabAction::ReturnToBranch(i) => self.return_to_branch(i),
            LabAction::ToggleHelp => self.help_open = !self.help_open,
            LabAction::TogglePresenting => self.presenting = !self.presenting,
            LabAction::CloseWelcome { then } => {
                self.welcome_open = false;
                self.ask(Chore::RememberWelcomed);
                if let Some(action) = then {
                    self.reduce(*action);
                }
            }
            LabAction::Dismiss => {
                self.help_open = false;
                if self.welcome_open {
                    self.welcome_open = false;
                    self.ask(Chore::RememberWelcomed);
                }
                self.selection = Selection::None;
                self.notice = None;
            }
            LabAction::Visibility { hidden } => {
                if hidden && self.playing {
                    self.playing = false;
                    self.paused_by_hidden = true;
                } else if !hidden && self.paused_by_hidden {
                    self.playing = true;
                    self.paused_by_hidden = false;
                }
            }
            LabAction::Resize(n) => {
                let config = ClusterConfig {
                    servers: n,
                    ..self.config.clone()
                };
                match Self::fresh_timeline(&config, &self.workload) {
                    Ok(t) => {
                        self.timeline = t;
                        self.config = config;
                        self.selection = Selection::None;
                        self.violations_seen = 0;
                    }
                    Err(e) => self.notice = Some(format!("Not done: {e}")),
                }
            }
            LabAction::SetPauseOnViolation(p) => self.pause_on_violation = p,
            LabAction::Notice(text) => self.notice = Some(text),
            LabAction::LoadScenario(text) => self.load_scenario(&text),
            LabAction::CheckLinearizability => self.ask(Chore::CheckHistory),
            LabAction::SetAutoCheck(on) => self.auto_check = on,
            LabAction::Download(what) => self.ask(Chore::Download(what)),
            LabAction::CopyLink => self.ask(Chore::CopyLink),
            LabAction::ChoreDone { id, outcome } => {
                self.chores.retain(|(n, _)| *n != id);
                match outcome {
                    // A verdict on a history the run no longer starts with (a seek back or
                    // another run while it was made) is dropped; the next check replaces it.
                    ChoreOutcome::Checked(result) => {
                        let history = self.timeline.sim().history();
                        if history.len() >= result.len
                            && history.prefix_digest(result.len) == result.digest
                        {
                            self.check = Some(result);
                        }
                    }
                    ChoreOutcome::Compared(Ok(c)) => self.comparison = Some(c),
                    ChoreOutcome::Compared(Err(e)) => {
                        self.notice = Some(format!("Not compared — {e}"))
                    }
                    ChoreOutcome::Saved(Ok(())) => {}
                    ChoreOutcome::Saved(Err(e)) => self.notice = Some(e),
                    ChoreOutcome::Copied(Ok(length)) => {
                        self.notice = Some(format!(
                            "Link copied ({length} characters): it opens this run at {}, paused.",
                            quorum_core::time::format_time(self.timeline.now())
                        ))
                    }
                    ChoreOutcome::Copied(Err(e)) => self.notice = Some(e),
                }
            }
            LabAction::Lesson(a) => self.lesson_action(a),
            LabAction::SwitchProtocol(protocol) => self.switch_protocol(protocol),
            LabAction::Compare { crash_leader } => self.ask(Chore::Compare { crash_leader }),
        }
        self.check_violations();
    }

    /// The client history so far (outstanding operations as `info`), JSON Lines.
    pub fn history_text(&self) -> String {
        self.timeline
            .sim()
            .final_history()
            .iter()
            .map(|op| op.to_json_line() + "\n")
            .collect()
    }

    /// The run so far as a scenario (JSON) that replays it.
    pub fn scenario_text(&self) -> String {
        serde_json::to_string_pretty(&quorum_scenario::scenario_of(
            &self.timeline,
            "Recorded run",
        ))
        .unwrap_or_default()
    }

    /// Asks the page for a chore (see [`Chore`]).
    pub(super) fn ask(&mut self, chore: Chore) {
        self.chores.push((self.next_chore, chore));
        self.next_chore += 1;
    }

    /// The page opened from a share link: the run replayed to the instant the link holds,
    /// paused, with its tab open. The error says what is wrong with the link.
    pub fn from_link(fragment: &str) -> Result<LabInner, String> {
        let run = quorum_scenario::decode_link(fragment).map_err(|e| e.to_string())?;
        let mut timeline = run.scenario.timeline().map_err(|e| format!("link.{e}"))?;
        timeline.advance_to(run.at_us);
        let mut lab = LabInner::around(
            timeline,
            run.scenario.cluster_config(),
            run.scenario.workload.clone(),
        );
        lab.playing = false;
        if let Some(speed) = run.scenario.speed {
            lab.speed = speed;
        }
        if let Some(tab) = run.tab.as_deref().and_then(Tab::named) {
            lab.tab = tab;
        }
        lab.notice = Some(format!(
            "Opened a shared run at {}, paused: the same servers, workload, faults and seed.",
            quorum_core::time::format_time(run.at_us)
        ));
        Ok(lab)
    }

    /// The share link of the run so far, at the instant shown and with the tab open (the
    /// fragment, without `#`).
    pub fn share_link(&self) -> String {
        let mut scenario = quorum_scenario::scenario_of(&self.timeline, "Shared run");
        scenario.speed = Some(self.speed);
        quorum_scenario::encode_link(&quorum_scenario::SharedRun {
            scenario,
            at_us: self.timeline.now(),
            tab: Some(self.tab.name()),
        })
    }

    /// Starts or stops the run; starting remembers what the panels show, so that pausing marks
    /// what changed meanwhile.
    fn set_playing(&mut self, playing: bool) {
        if playing && !self.playing {
            self.remember_for_diff();
        }
        self.playing = playing;
    }

    /// Remembers what the panels show now: the next pause marks what changed since.
    fn remember_for_diff(&mut self) {
        let view = self
            .timeline
            .sim()
            .view_with(quorum_cluster::view::ViewOptions { log_tail: 24 });
        self.diff_base = Some(Rc::new(crate::step_diff::Snapshot::of(&view)));
    }

    /// What changed since the last step, skip or start of play, while paused.
    pub fn step_diff(&self, view: &quorum_cluster::View) -> Option<crate::step_diff::StepDiff> {
        let base = self.diff_base.as_ref().filter(|_| !self.playing)?;
        Some(crate::step_diff::StepDiff::between(
            base,
            &crate::step_diff::Snapshot::of(view),
        ))
    }

    /// Traces the run exactly while the space-time diagram shows it or a message or lane event
    /// is selected (a new run — a loaded scenario, another protocol, a branch — starts
    /// untraced).
    pub fn keep_tracing(&mut self) {
        // The space-time view draws the trace; a selected message or lane event needs it too
        // (its journey, its trail on the ring, what made the event happen).
        let needed = self.diagram_mode == DiagramMode::SpaceTime
            || matches!(self.selection, Selection::Message(_) | Selection::Event(_));
        let wanted = needed.then_some(self.spacetime_span);
        if self.timeline.traced_span() != wanted {
            self.timeline.set_tracing(wanted);
        }
    }

    /// Checks the history recorded so far (a chore: it can take a while on long runs), resuming
    /// from what `checker` proved in earlier checks of the same run.
    pub fn check_history(
        &self,
        checker: &mut quorum_cluster::check::linearizability::IncrementalChecker,
    ) -> super::insights::CheckResult {
        let sim = self.timeline.sim();
        let checked = checker.check(sim.history(), &sim.outstanding_operations());
        let len = sim.history().len();
        super::insights::CheckResult {
            at: self.timeline.now(),
            len,
            digest: sim.history().prefix_digest(len),
            place: super::insights::CheckPlace::MainThread,
            report: checked.report,
            history: Rc::new(checked.history.unwrap_or_default()),
        }
    }

    /// Runs the recorded run under both protocols (a chore: it simulates a whole run thrice).
    pub fn compare(&self, crash_leader: bool) -> Result<Comparison, String> {
        let scenario = quorum_scenario::comparison_scenario(&self.timeline, crash_leader);
        quorum_scenario::compare(&scenario, None).map_err(|e| e.to_string())
    }

    /// Replays the run so far under `protocol`: same configuration, workload, seed and every
    /// action at the instant it was taken, up to the instant shown now.
    fn switch_protocol(&mut self, protocol: ProtocolKind) {
        if self.config.protocol == protocol {
            return;
        }
        let mut scenario = quorum_scenario::scenario_of(&self.timeline, "Recorded run");
        scenario.protocol = protocol;
        let now = self.timeline.now();
        match scenario.timeline() {
            Ok(mut timeline) => {
                timeline.advance_to(now);
                self.timeline = timeline;
                self.config.protocol = protocol;
                self.selection = Selection::None;
                self.violations_seen = 0;
                self.check = None;
                self.notice = Some(format!(
                    "Now running {}: the same servers, workload, faults and seed, replayed to {}.",
                    protocol.label(),
                    quorum_core::time::format_time(now)
                ));
            }
            Err(e) => self.notice = Some(format!("Not switched — {e}")),
        }
    }

    fn load_scenario(&mut self, text: &str) {
        match quorum_scenario::parse_scenario(text).and_then(|s| s.timeline().map(|t| (s, t))) {
            Ok((scenario, timeline)) => {
                self.timeline = timeline;
                self.config = scenario.cluster_config();
                self.workload = scenario.workload.clone();
                self.selection = Selection::None;
                self.violations_seen = 0;
                if let Some(speed) = scenario.speed {
                    self.speed = speed;
                }
                let n = scenario.schedule.len();
                let caption = if scenario.description.is_empty() {
                    String::new()
                } else {
                    format!(" {}", scenario.description)
                };
                self.notice = Some(format!(
                    "Loaded “{}” ({n} scheduled action{}, at {}).{caption}",
                    if scenario.name.is_empty() {
                        "scenario"
                    } else {
                        &scenario.name
                    },
                    if n == 1 { "" } else { "s" },
                    super::controls::describe_speed(self.speed)
                ));
            }
            Err(e) => self.notice = Some(format!("Scenario not loaded — {e}")),
        }
    }
}

impl Lab {
    /// A page state made elsewhere (opened from a share link).
    pub fn from_inner(inner: LabInner) -> Self {
        Lab {
            inner: Rc::new(RefCell::new(inner)),
            version: 0,
        }
    }

    /// The starting state (and a problem with the link's settings to show).
    pub fn new(params: &PageParams, problem: Option<String>) -> Self {
        Lab {
            inner: Rc::new(RefCell::new(LabInner::new(params, problem))),
            version: 0,
        }
    }
}

impl Reducible for Lab {
    type Action = LabAction;

    fn reduce(self: Rc<Self>, action: LabAction) -> Rc<Self> {
        self.inner.borrow_mut().reduce(action);
        Rc::new(Lab {
            inner: self.inner.clone(),
            version: self.version + 1,
        })
    }
}

/// A monotonic clock in milliseconds (the page may read the wall clock; the core never does).
pub fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or(0.0)
}

/// How often (simulated time) the history is re-checked automatically.
const AUTO_CHECK_EVERY: Time = 2 * SECOND;

/// One virtual second, for the skip buttons.
pub const SKIP: Time = SECOND;
