//! The real page in a headless browser, driven through the DOM as a person would: clicks on
//! servers, links, messages and buttons, form input and keys. Every test starts paused and moves
//! simulated time with the "+1 s" button, so what it sees is deterministic.
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::rc::Rc;

use quorum_core::time::SECOND;
use quorum_lab::ui::state::LabAction;
use quorum_lab::ui::{App, AppProps};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlInputElement};
use yew::{AppHandle, Callback};

wasm_bindgen_test_configure!(run_in_browser);

struct Page {
    root: Element,
    handle: Option<AppHandle<App>>,
    dispatch: Rc<RefCell<Option<Callback<LabAction>>>>,
}

impl Page {
    async fn open(query: &str) -> Page {
        Page::mount(query, "").await
    }

    /// A page opened from a share link's fragment.
    async fn open_link(fragment: &str) -> Page {
        Page::mount("", fragment).await
    }

    async fn mount(query: &str, fragment: &str) -> Page {
        Page::mount_with(query, fragment, false, false).await
    }

    /// Mounts the page; only a page that `tracks` the address writes its run there, so pages
    /// of other tests never touch it.
    async fn mount_with(query: &str, fragment: &str, welcome: bool, tracks: bool) -> Page {
        let document = web_sys::window().unwrap().document().unwrap();
        let root = document.create_element("div").unwrap();
        document.body().unwrap().append_child(&root).unwrap();
        let dispatch = Rc::new(RefCell::new(None));
        let slot = dispatch.clone();
        let props = AppProps {
            query: Some(query.to_string()),
            on_ready: Some(Callback::from(move |d| *slot.borrow_mut() = Some(d))),
            fragment: Some(fragment.to_string()),
            static_address: !tracks,
            welcome: Some(welcome),
        };
        let handle = yew::Renderer::<App>::with_root_and_props(root.clone(), props).render();
        yew::scheduler::flush().await;
        Page {
            root,
            handle: Some(handle),
            dispatch,
        }
    }

    fn all(&self, selector: &str) -> Vec<Element> {
        let list = self.root.query_selector_all(selector).unwrap();
        (0..list.length())
            .filter_map(|i| list.item(i).and_then(|n| n.dyn_into::<Element>().ok()))
            .collect()
    }

    fn one(&self, selector: &str) -> Element {
        self.root
            .query_selector(selector)
            .unwrap()
            .unwrap_or_else(|| panic!("nothing matches {selector}"))
    }

    /// The text of the element `selector` picks (see [`Page::one`]).
    fn text(&self, selector: &str) -> String {
        self.one(selector).text_content().unwrap()
    }

    fn count(&self, selector: &str) -> usize {
        self.all(selector).len()
    }

    async fn click(&self, selector: &str) {
        click(&self.one(selector)).await;
        self.settle().await;
    }

    async fn skip(&self, seconds: u32) {
        for _ in 0..seconds {
            self.click("button[data-action=skip]").await;
        }
    }

    fn servers(&self) -> Vec<(String, String, u64)> {
        self.all("svg.cluster g.server")
            .iter()
            .map(|g| {
                (
                    g.get_attribute("data-server").unwrap_or_default(),
                    g.get_attribute("data-role").unwrap_or_default(),
                    g.get_attribute("data-term")
                        .and_then(|t| t.parse().ok())
                        .unwrap_or(0),
                )
            })
            .collect()
    }

    fn leaders(&self) -> Vec<(String, u64)> {
        self.servers()
            .into_iter()
            .filter(|(_, role, _)| role == "leader")
            .map(|(s, _, t)| (s, t))
            .collect()
    }

    async fn send(&self, action: LabAction) {
        let d = self
            .dispatch
            .borrow()
            .clone()
            .expect("the page reported its dispatcher");
        d.emit(action);
        yew::scheduler::flush().await;
        self.settle().await;
    }

    /// Waits until the chores the page asked for (checks, comparisons, files) are done: they
    /// run after a render, behind a zero-delay timer, or in the check worker (which loads the
    /// module on the first check), and the page is busy meanwhile.
    async fn settle(&self) {
        for round in 0..1_000 {
            if self.count("main[aria-busy=true]") == 0 {
                return;
            }
            gloo_timers::future::TimeoutFuture::new(if round < 50 { 0 } else { 20 }).await;
            yew::scheduler::flush().await;
        }
        panic!("the page stayed busy");
    }

    fn view(&self) -> serde_json::Value {
        let api = js_sys::Reflect::get(&web_sys::window().unwrap(), &"quorumLab".into()).unwrap();
        let f: js_sys::Function = js_sys::Reflect::get(&api, &"view".into())
            .unwrap()
            .dyn_into()
            .unwrap();
        let v = f.call0(&api).unwrap();
        let text: String = js_sys::JSON::stringify(&v).unwrap().into();
        serde_json::from_str(&text).unwrap()
    }
}

impl Drop for Page {
    fn drop(&mut self) {
        if let Some(h) = self.handle.take() {
            h.destroy();
        }
        self.root.remove();
    }
}

async fn click(el: &Element) {
    let event = web_sys::MouseEvent::new_with_mouse_event_init_dict("click", &{
        let init = web_sys::MouseEventInit::new();
        init.set_bubbles(true);
        init
    })
    .unwrap();
    el.dispatch_event(&event).unwrap();
    yew::scheduler::flush().await;
}

async fn set_input(el: &Element, value: &str, event: &str) {
    let input: HtmlInputElement = el.clone().dyn_into().unwrap();
    input.set_value(value);
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    input
        .dispatch_event(&web_sys::Event::new_with_event_init_dict(event, &init).unwrap())
        .unwrap();
    yew::scheduler::flush().await;
}

/// The still picture shown while the wasm downloads (scripts/prerender.mjs) goes once the page
/// has rendered, and the page writes its fields' first values into their markup — the picture
/// is made from that markup, which keeps no typed values otherwise.
#[wasm_bindgen_test]
async fn the_first_render_replaces_the_preview_picture_and_writes_field_values_down() {
    let document = web_sys::window().unwrap().document().unwrap();
    let preview = document.create_element("div").unwrap();
    preview.set_id("preview");
    document.body().unwrap().append_child(&preview).unwrap();
    let page = Page::open("?paused&seed=2").await;
    assert!(document.get_element_by_id("preview").is_none());
    let loss = page.one("input[data-field=loss]");
    assert_eq!(loss.get_attribute("value").as_deref(), Some("0"));
    let latency = page.one("input[data-field=latency-max]");
    assert_eq!(latency.get_attribute("value").as_deref(), Some("20"));
}

#[wasm_bindgen_test]
async fn it_renders_the_configured_servers_and_elects_exactly_one_leader() {
    let page = Page::open("?paused&servers=7&seed=3").await;
    assert_eq!(page.count("svg.cluster g.server"), 7);
    assert!(
        page.leaders().is_empty(),
        "no leader before any time passes"
    );
    page.skip(1).await;
    assert_eq!(
        page.leaders().len(),
        1,
        "exactly one leader after a second: {:?}",
        page.servers()
    );
}

#[wasm_bindgen_test]
async fn crashing_the_leader_in_the_inspector_brings_a_new_leader_of_a_higher_term() {
    let page = Page::open("?paused&seed=5").await;
    page.skip(1).await;
    let (old, old_term) = page.leaders()[0].clone();
    page.click(&format!("g.server[data-server={old}]")).await;
    assert!(page.text(".inspector").contains(&old));
    page.click("button[data-action=crash]").await;
    page.skip(2).await;
    let leaders = page.leaders();
    assert_eq!(leaders.len(), 1, "{:?}", page.servers());
    assert_ne!(leaders[0].0, old);
    assert!(
        leaders[0].1 > old_term,
        "new term {} > {old_term}",
        leaders[0].1
    );
    let crashed: Vec<_> = page
        .servers()
        .into_iter()
        .filter(|s| s.1 == "crashed")
        .collect();
    assert_eq!(crashed.len(), 1);
}

#[wasm_bindgen_test]
async fn cutting_every_link_of_a_server_isolates_it_and_healing_restores_it() {
    let page = Page::open("?paused&seed=7").await;
    page.skip(1).await;
    for link in page.all("g.link") {
        if link
            .get_attribute("data-link")
            .unwrap_or_default()
            .contains("S1-")
        {
            click(&link).await;
        }
    }
    assert_eq!(
        page.count("g.link.cut"),
        4,
        "all four links of S1 are drawn cut"
    );
    let lost_before = page.view()["stats"]["messages_lost"].as_u64().unwrap();
    page.skip(1).await;
    let view = page.view();
    assert!(
        view["stats"]["messages_lost"].as_u64().unwrap() > lost_before,
        "messages died"
    );
    let cut_losses = view["losses"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["cause"] == "cut")
        .count();
    assert!(cut_losses > 0, "they died at the cut");
    // S1 is cut off: it cannot be the leader the others follow.
    let others: Vec<_> = page.servers().into_iter().filter(|s| s.0 != "S1").collect();
    assert!(others.iter().any(|s| s.1 == "leader"), "{others:?}");
    page.click("button[data-tab=chaos]").await;
    page.click("button[data-action=heal]").await;
    assert_eq!(page.count("g.link.cut"), 0);
    page.skip(2).await;
    let servers = page.servers();
    assert_eq!(page.leaders().len(), 1);
    assert!(
        servers.iter().all(|s| s.2 == servers[0].2),
        "everyone agrees on the term: {servers:?}"
    );
}

/// Selecting a message says why it was sent: the rule (Figure 2) and the values that decided
/// it — for a vote request, the timeout and the candidate's last entry; for a vote answer, the
/// receiver's rule.
#[wasm_bindgen_test]
async fn selecting_a_message_shows_the_rule_that_sent_it_figure_2() {
    let page = Page::open("?paused&seed=9").await;
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..600 {
        for kind in ["RequestVote", "RequestVoteReply"] {
            let selector = format!("g.message[data-kind={kind}]");
            if seen.contains(kind) || page.count(&selector) == 0 {
                continue;
            }
            click(&page.all(&selector)[0]).await;
            yew::scheduler::flush().await;
            let rule = page.text(".why-sent .why-rule");
            let text = page.text(".why-sent .why-text");
            if kind == "RequestVote" {
                assert!(rule.contains("Rules for servers, candidates"), "{rule}");
                assert!(text.contains("starts an election for term"), "{text}");
            } else {
                assert!(rule.contains("RequestVote receiver"), "{rule}");
                assert!(text.contains("term"), "{text}");
            }
            seen.insert(kind);
        }
        if seen.len() == 2 {
            return;
        }
        page.click("button[data-action=step]").await;
    }
    panic!("saw only {seen:?}");
}

/// The space-time view: arrows for the recent messages; clicking one selects the same message
/// the ring draws; a selected message's causal past and future are picked out; the focus mode
/// hides heartbeats; the arrow keys walk the messages; a delivered message says what it caused.
#[wasm_bindgen_test]
async fn the_space_time_view_selects_the_ring_s_message_and_shows_causality() {
    let page = Page::open("?paused&seed=9").await;
    page.skip(2).await;
    page.click("button[data-view=space-time]").await;
    assert!(page.count("svg.spacetime g.st-arrow") > 20);
    assert_eq!(page.count("svg.cluster"), 0, "the ring gives way");
    // An arrow still in flight is the ring's message.
    let flying = page.all("g.st-arrow[data-fate=in-flight]")[0].clone();
    let id = flying.get_attribute("data-message").unwrap();
    click(&flying).await;
    assert_eq!(
        page.one(".inspector [data-inspect]")
            .get_attribute("data-inspect"),
        Some(format!("#{id}"))
    );
    page.click("button[data-view=ring]").await;
    assert_eq!(
        page.count(&format!(
            "svg.cluster g.message.selected[data-message=\"{id}\"]"
        )),
        1
    );
    // A delivered vote request: its answer is in its future, and it says what it caused.
    page.click("button[data-view=space-time]").await;
    page.click("button[data-action=zoom-out]").await;
    let delivered = page.all("g.st-arrow[data-fate=delivered][data-kind=AppendEntries]");
    click(&delivered[delivered.len() / 2]).await;
    yew::scheduler::flush().await;
    assert_eq!(page.count("g.st-arrow.selected"), 1);
    assert!(page.count("g.st-arrow.past") > 0, "a causal past");
    assert!(page.count("g.st-arrow.future") > 0, "a causal future");
    assert!(
        page.count("g.st-arrow.unrelated") > 0,
        "and concurrent messages"
    );
    let caused = page.text(".inspector .caused");
    assert!(caused.contains("AppendEntriesReply"), "{caused}");
    // Heartbeats hidden.
    assert!(page.count("g.st-arrow[data-kind=Heartbeat]") > 0);
    page.click("button[data-filter=\"no heartbeats\"]").await;
    assert_eq!(page.count("g.st-arrow[data-kind=Heartbeat]"), 0);
    // The keyboard walks the messages in the order sent.
    let svg = page.one("svg.spacetime");
    let before = page
        .one(".inspector [data-inspect]")
        .get_attribute("data-inspect");
    key(&svg, "ArrowRight").await;
    page.settle().await;
    let after = page
        .one(".inspector [data-inspect]")
        .get_attribute("data-inspect");
    assert_ne!(before, after, "the next message is selected");
}

/// An election won is a ★ on the winner's lane: clicking it selects the event everywhere —
/// the inspector says what happened and which message tipped it, the pseudocode marks the
/// Candidates' "majority → leader" line, the ring marks the server, and the diagram picks out
/// its causal past; the message that tipped it, once delivered, stays on the ring as a trail
/// (Figure 2, Candidates).
#[wasm_bindgen_test]
async fn an_election_on_the_space_time_lane_is_selected_everywhere_figure_2() {
    let page = Page::open("?paused&seed=9").await;
    page.skip(2).await;
    page.click("button[data-view=space-time]").await;
    page.click("button[data-action=zoom-out]").await;
    page.click("button[data-action=zoom-out]").await;
    let won = page.all("g.st-glyph[data-event=\"★\"]");
    assert!(!won.is_empty(), "an election won is drawn");
    let server = won[0].get_attribute("data-server").unwrap();
    click(&won[0]).await;
    yew::scheduler::flush().await;
    assert_eq!(page.count("g.st-glyph.selected"), 1);
    assert!(page.count("g.st-arrow.past") > 0, "the votes are its past");
    let heading = page.text(".inspect-event h3");
    assert!(
        heading.contains(&format!("S{server} became leader of term")),
        "{heading}"
    );
    let why = page.text(".inspect-event .why-text");
    assert!(why.contains("RequestVoteReply"), "{why}");
    page.click("button[data-tab=pseudocode]").await;
    assert_eq!(page.count(".pseudocode li.ran[data-line=c3]"), 1);
    page.click("button[data-view=ring]").await;
    assert_eq!(
        page.count(&format!(
            "svg.cluster g.server.selected[data-server=\"S{server}\"]"
        )),
        1,
        "the ring marks the server"
    );
    // The vote that tipped it has been delivered: the ring draws it as a trail.
    page.click(".inspect-event button[data-action=select-cause]")
        .await;
    assert_eq!(page.count("svg.cluster g.departed"), 1);
    let trail = page.text("svg.cluster g.departed");
    assert!(
        trail.contains("RequestVoteReply") && trail.contains("delivered at"),
        "{trail}"
    );
}

/// A lesson walked end to end as a reader would: opened from the list, each step's keywords
/// marked on the ring, Next only once the step's condition holds (skipping ahead or doing the
/// step's action), PageDown for Next, a quiz answered wrong then right, Back to exactly where
/// the previous step began (its action not yet done), and the progress remembered.
#[wasm_bindgen_test]
async fn a_lesson_is_walked_end_to_end_with_back_and_a_quiz() {
    let page = Page::open("?paused&seed=9").await;
    page.click("button[data-action=lessons]").await;
    assert!(page.count(".overlay-card.lessons li[data-lesson]") >= 12);
    assert!(page.count(".misconceptions li") >= 8);
    page.click("li[data-lesson=raft-replicated-state-machine] button[data-action=lesson-start]")
        .await;
    assert_eq!(page.count(".overlay-card.lessons"), 0, "the list closes");
    let step = |page: &Page| page.one(".lesson-bar").get_attribute("data-step").unwrap();
    assert_eq!(step(&page), "1");
    assert!(page.text("[data-field=lesson-step]").contains("of 4"));
    // Keywords are marked in the caption and on the ring.
    assert!(page.count(".lesson-caption mark.kw[data-keyword=S5]") == 1);
    assert_eq!(page.count("svg.cluster g.server.lesson-mark"), 5);
    let next = || page.one("button[data-action=lesson-next]");
    assert!(next().has_attribute("disabled"), "Next waits for a leader");
    page.click("button[data-action=lesson-skip]").await;
    assert!(page.text("[data-field=lesson-status]").contains("Done"));
    assert!(!next().has_attribute("disabled"));
    page.click("button[data-action=lesson-next]").await;
    assert_eq!(step(&page), "2");
    page.click("button[data-action=lesson-skip]").await;
    // PageDown is Next (a presenter's clicker).
    key(&page.one(".lesson-bar"), "PageDown").await;
    page.settle().await;
    assert_eq!(step(&page), "3");
    // An action step: "Do it for me" sends the write.
    assert!(next().has_attribute("disabled"));
    let began = page.view()["now"].as_u64().unwrap();
    page.click("button[data-action=lesson-act]").await;
    assert!(!next().has_attribute("disabled"));
    page.click("button[data-action=lesson-next]").await;
    assert_eq!(step(&page), "4");
    page.click("button[data-action=lesson-skip]").await;
    // The quiz: a wrong answer is explained, then the right one.
    page.click(".quiz button[data-choice=\"0\"]").await;
    assert_eq!(
        page.one(".quiz-verdict")
            .get_attribute("data-verdict")
            .as_deref(),
        Some("wrong")
    );
    page.click(".quiz button[data-choice=\"1\"]").await;
    assert_eq!(
        page.one(".quiz-verdict")
            .get_attribute("data-verdict")
            .as_deref(),
        Some("right")
    );
    assert!(page.text("[data-field=lesson-status]").contains("complete"));
    // Back: the start of step 3, before the write was sent.
    page.click("button[data-action=lesson-back]").await;
    assert_eq!(step(&page), "3");
    assert_eq!(page.view()["now"].as_u64().unwrap(), began);
    assert!(
        next().has_attribute("disabled"),
        "the write lies ahead again"
    );
    assert_eq!(page.count("button[data-action=lesson-act]"), 1);
    let stored = web_sys::window()
        .unwrap()
        .local_storage()
        .unwrap()
        .unwrap()
        .get_item("quorum-lab.lessons")
        .unwrap()
        .unwrap_or_default();
    assert!(
        stored.contains("raft-replicated-state-machine:4:done"),
        "{stored}"
    );
}

/// Every lesson can be walked to its end on the page with its buttons alone: "Do it for me"
/// on an action step, "Skip ahead" otherwise, then Next.
#[wasm_bindgen_test]
async fn every_lesson_walks_to_its_end_with_the_lesson_buttons() {
    for (id, _) in quorum_lab::lessons::BUNDLED {
        let page = Page::open_link(&format!("#lesson={id}")).await;
        let steps = quorum_lab::lessons::find(id).unwrap().steps.len();
        for step in 1..=steps {
            assert_eq!(
                page.one(".lesson-bar").get_attribute("data-step"),
                Some(step.to_string()),
                "{id}"
            );
            if page.count("button[data-action=lesson-act]") == 1 {
                page.click("button[data-action=lesson-act]").await;
            } else if page.count("button[data-action=lesson-skip]") == 1 {
                page.click("button[data-action=lesson-skip]").await;
            }
            let status = page.text("[data-field=lesson-status]");
            assert!(status.contains("Done"), "{id} step {step}: {status}");
            if step < steps {
                page.click("button[data-action=lesson-next]").await;
            }
        }
    }
}

/// A step's address opens it along the lesson's path; a bad one says which part is wrong and
/// the range, and the page still works.
#[wasm_bindgen_test]
async fn a_lesson_address_opens_its_step_and_a_bad_one_is_explained() {
    let page = Page::open_link("#lesson=raft-election&step=4").await;
    assert_eq!(
        page.one(".lesson-bar")
            .get_attribute("data-step")
            .as_deref(),
        Some("4")
    );
    assert!(
        page.text(".lesson-caption").contains("crash the leader")
            || page.text(".lesson-caption").contains("Crash the leader")
    );
    // A step with a "what if": both runs side by side, where they part, what differs.
    let what_if = Page::open_link("#lesson=raft-partitions&step=8").await;
    what_if.click("button[data-action=lesson-branch]").await;
    let parted = what_if.one("[data-field=diverged]").text_content().unwrap();
    assert!(parted.contains("they part at"), "{parted}");
    assert!(
        what_if.count(".branch-table tr.differs") >= 2,
        "the term and the elections differ"
    );
    drop(what_if);
    // A step met by skipping ahead brings the Linearizability panel up to date with it.
    let stale = Page::open_link("#lesson=linearizability&step=6").await;
    stale.click("button[data-action=lesson-skip]").await;
    stale.click("button[data-tab=linearizability]").await;
    assert_eq!(
        stale
            .one(".lin-verdict")
            .get_attribute("data-verdict")
            .as_deref(),
        Some("bad"),
        "the checker's verdict on the stale read is shown"
    );
    drop(stale);
    let bad = Page::open_link("#lesson=raft-election&step=99").await;
    assert_eq!(bad.count(".lesson-bar"), 0);
    let notice = bad.one(".notice").text_content().unwrap();
    assert!(
        notice.contains("step") && notice.contains("between 1 and 9"),
        "{notice}"
    );
    assert!(
        bad.count("svg.cluster g.server") == 5,
        "the page still works"
    );
}

/// While paused, a step that commits marks the commit index it moved (Δ, and in words for
/// screen readers), the log cells it committed, and says so in the summary; the next step
/// that changes nothing says nothing changed.
#[wasm_bindgen_test]
async fn a_step_that_commits_marks_the_commit_index_it_moved() {
    let page = Page::open("?paused&seed=9").await;
    page.skip(2).await;
    let commits = |page: &Page| -> Vec<String> {
        page.all(".log-matrix .commit")
            .iter()
            .map(|c| c.text_content().unwrap_or_default())
            .collect()
    };
    for _ in 0..2_000 {
        let before = commits(&page);
        page.click("button[data-action=step]").await;
        let after = commits(&page);
        let moved: Vec<usize> = (0..after.len())
            .filter(|i| before.get(*i) != after.get(*i))
            .collect();
        let marked: Vec<usize> = page
            .all(".log-matrix .commit")
            .iter()
            .enumerate()
            .filter(|(_, c)| {
                c.get_attribute("class")
                    .is_some_and(|k| k.split_whitespace().any(|w| w == "changed"))
            })
            .map(|(i, _)| i)
            .collect();
        assert_eq!(
            moved, marked,
            "exactly the commit indexes that moved are marked"
        );
        if !moved.is_empty() {
            assert!(
                page.count(".log-matrix .cell.changed") > 0,
                "the cells it committed"
            );
            let summary = page.text("[data-field=diff]");
            assert!(summary.contains("commit index"), "{summary}");
            return;
        }
    }
    panic!("no step committed anything");
}

/// A server's term says what last changed it: "why?" opens the event (the vote request it
/// handled, or its own election timer) and the rule behind it.
#[wasm_bindgen_test]
async fn why_next_to_a_servers_term_names_the_event_that_changed_it_section_5_2() {
    let page = Page::open("?paused&seed=9").await;
    page.skip(2).await;
    let leader = page.leaders()[0].0.clone();
    let follower = page
        .servers()
        .into_iter()
        .find(|s| s.0 != leader)
        .unwrap()
        .0;
    click(&page.one(&format!("g.server[data-server={follower}]"))).await;
    page.settle().await;
    let why = page.one(".inspector button[data-why=Term]");
    assert_eq!(why.get_attribute("aria-expanded").as_deref(), Some("false"));
    click(&why).await;
    page.settle().await;
    let origin = page.text(".inspector [data-origin=Term]");
    assert!(origin.contains("Changed from 0"), "{origin}");
    assert!(
        origin.contains("RequestVote")
            || origin.contains("PreVote")
            || origin.contains("timer fired")
            || origin.contains("Heartbeat")
            || origin.contains("AppendEntries"),
        "{origin}"
    );
    assert_eq!(
        page.one(".inspector button[data-why=Term]")
            .get_attribute("aria-expanded")
            .as_deref(),
        Some("true")
    );
    // A key's value names the agreed command that wrote it.
    page.skip(2).await;
    let why_key = page.all(".inspector button[data-why-key]");
    assert!(!why_key.is_empty(), "a key written by now");
    click(&why_key[0]).await;
    page.settle().await;
    let written = page.text(".inspector [data-key-origin]");
    assert!(
        written.contains("written by client session") && written.contains("agreed at index"),
        "{written}"
    );
}

/// A feed line's time goes to that instant, paused: the leader's election line shows the
/// cluster as it was then; named phenomena carry their name as a tag.
#[wasm_bindgen_test]
async fn a_feed_lines_time_goes_to_that_instant_paused() {
    let page = Page::open("?paused&seed=9").await;
    page.skip(3).await;
    let elected = page
        .all(".feed-list li")
        .into_iter()
        .find(|li| {
            li.text_content()
                .unwrap_or_default()
                .contains("became leader")
        })
        .expect("an election in the feed");
    let go = elected.query_selector("button.at").unwrap().unwrap();
    let at: u64 = go.get_attribute("data-at").unwrap().parse().unwrap();
    click(&go).await;
    page.settle().await;
    assert_eq!(page.view()["now"].as_u64(), Some(at));
    assert_eq!(
        page.leaders().len(),
        1,
        "the leader it names, at that instant"
    );
    let play = page.text("button[data-action=play]");
    assert!(play.contains("Play"), "paused: {play}");
}

/// The Pseudocode tab marks the lines a selected vote answer's sending ran — Figure 2's
/// RequestVote receiver — with the values its guards saw.
#[wasm_bindgen_test]
async fn the_pseudocode_marks_the_lines_a_vote_answer_ran_figure_2() {
    let page = Page::open("?paused&seed=9").await;
    page.click("button[data-tab=pseudocode]").await;
    assert!(page.count(".pseudocode details[data-block=rv]") == 1);
    assert_eq!(
        page.count(".pseudocode li.ran"),
        0,
        "nothing selected, nothing marked"
    );
    for _ in 0..600 {
        if page.count("g.message[data-kind=RequestVoteReply]") > 0 {
            break;
        }
        page.click("button[data-action=step]").await;
    }
    click(&page.all("g.message[data-kind=RequestVoteReply]")[0]).await;
    page.settle().await;
    let block = page.one(".pseudocode details[data-block=rv]");
    assert!(block.has_attribute("open"), "the receiver's block opens");
    let ran: Vec<String> = page
        .all(".pseudocode details[data-block=rv] li.ran")
        .iter()
        .map(|l| l.get_attribute("data-line").unwrap())
        .collect();
    assert_eq!(ran.first().map(String::as_str), Some("rv1"), "{ran:?}");
    let first = page.text(".pseudocode li.ran[data-line=rv1]");
    assert!(first.contains("candidate's term"), "{first}");
}

#[wasm_bindgen_test]
async fn a_dropped_message_disappears_and_never_arrives() {
    let page = Page::open("?paused&seed=9").await;
    // Step until a message is in flight.
    for _ in 0..400 {
        if page.count("g.message") > 0 {
            break;
        }
        page.click("button[data-action=step]").await;
    }
    let msg = page.all("g.message")[0].clone();
    let id = msg.get_attribute("data-message").unwrap();
    let id_number: u64 = id.parse().unwrap();
    click(&msg).await;
    assert!(page.text(".inspector").contains(&format!("#{id}")));
    page.click("button[data-action=drop]").await;
    assert_eq!(
        page.count(&format!("g.message[data-message=\"{id}\"]")),
        0,
        "gone from the diagram"
    );
    page.skip(1).await;
    let view = page.view();
    let dropped = view["losses"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["id"] == id_number && l["cause"] == "dropped");
    assert!(dropped, "recorded as dropped, not delivered");
    assert!(view["messages"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["id"] != id_number));
}

#[wasm_bindgen_test]
async fn a_put_from_the_client_panel_reaches_every_live_servers_kv_table() {
    let page = Page::open("?paused&seed=11&clients=0").await;
    page.skip(1).await;
    page.click("button[data-tab=client]").await;
    type_into(&page.one("input[data-field=key]"), "answer").await;
    type_into(&page.one("input[data-field=value]"), "42").await;
    page.click("button[data-action=send]").await;
    page.skip(1).await;
    let rows = page.all("tr[data-kv]");
    assert_eq!(rows.len(), 5);
    for row in rows {
        let text = row.text_content().unwrap();
        assert!(text.contains("42"), "every replica applied the put: {text}");
    }
    let ops = page.text("table.ops");
    assert!(ops.contains("put answer=42") && ops.contains("ok"), "{ops}");
}

#[wasm_bindgen_test]
async fn scrubbing_back_shows_the_earlier_state_and_acting_there_forks() {
    let page = Page::open("?paused&seed=13").await;
    page.skip(2).await;
    let then_servers = page.servers();
    let then_logs = page.text("section.logs");
    let then_ms = page
        .one("input[data-control=time]")
        .dyn_into::<HtmlInputElement>()
        .unwrap()
        .value();
    // Act a moment later (one event on), so the instant we come back to is before the action.
    page.click("button[data-action=step]").await;
    page.send(LabAction::RestartLeader).await;
    page.skip(2).await;
    assert_ne!(page.text("section.logs"), then_logs);
    set_input(&page.one("input[data-control=time]"), &then_ms, "input").await;
    assert_eq!(
        page.servers(),
        then_servers,
        "same leader and terms as before"
    );
    assert_eq!(page.text("section.logs"), then_logs, "same logs");
    assert!(
        page.count(".badge.past") == 1,
        "the page says we are in the past"
    );
    // Acting in the past forks: the recorded future is gone.
    let victim = then_servers
        .iter()
        .find(|s| s.1 != "leader")
        .unwrap()
        .0
        .clone();
    page.click(&format!("g.server[data-server={victim}]")).await;
    page.click("button[data-action=crash]").await;
    assert_eq!(page.count(".badge.live"), 1);
    let slider = page.one("input[data-control=time]");
    assert_eq!(
        slider.get_attribute("max").unwrap(),
        then_ms,
        "the future was discarded"
    );
}

#[wasm_bindgen_test]
async fn the_question_mark_opens_help_and_a_broken_invariant_turns_safety_red() {
    let page = Page::open("?paused&seed=15").await;
    assert_eq!(page.count(".overlay"), 0);
    let init = web_sys::KeyboardEventInit::new();
    init.set_key("?");
    init.set_bubbles(true);
    let key = web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    web_sys::window()
        .unwrap()
        .document()
        .unwrap()
        .dispatch_event(&key)
        .unwrap();
    yew::scheduler::flush().await;
    assert_eq!(page.count(".overlay"), 1, "help is open");
    assert!(page.text(".overlay").contains("align election timers"));
    assert_eq!(page.count("[data-safety=ok]"), 1);
    // A deliberately broken Raft (test builds only) whose candidates lead without votes: with
    // the election timers aligned, several servers lead term 1 and the alarm must go off.
    page.send(LabAction::LoadScenario(
        r#"{"cluster": {"raft": {"mutation": "candidate_wins_alone"}},
            "workload": {"clients": 0}, "duration_ms": 5000,
            "schedule": [{"at_ms": 0, "action": {"type": "align_timers"}}]}"#
            .into(),
    ))
    .await;
    page.send(LabAction::Skip(SECOND)).await;
    assert_eq!(
        page.count("[data-safety=violated]"),
        1,
        "{}",
        page.root.text_content().unwrap_or_default()
    );
    let text = page.text("[data-safety=violated]");
    assert!(text.contains("Election Safety"), "{text}");
    let _: HtmlElement = page.one(".safety").dyn_into().unwrap();
}

#[wasm_bindgen_test]
async fn hiding_the_tab_pauses_the_run_and_showing_it_resumes() {
    let page = Page::open("?seed=17").await;
    let play = || page.text("button[data-action=play]");
    assert!(play().contains("Pause"), "running at first: {}", play());
    page.send(LabAction::Visibility { hidden: true }).await;
    assert!(play().contains("Play"), "paused while hidden");
    page.send(LabAction::Visibility { hidden: false }).await;
    assert!(play().contains("Pause"), "resumed when shown again");
    // A run paused by hand stays paused when the tab comes back.
    page.click("button[data-action=play]").await;
    page.send(LabAction::Visibility { hidden: true }).await;
    page.send(LabAction::Visibility { hidden: false }).await;
    assert!(play().contains("Play"));
}

#[wasm_bindgen_test]
async fn adding_a_server_draws_it_as_a_learner_then_a_voter_and_removing_it_greys_it_out() {
    let page = Page::open("?paused&seed=19&clients=0").await;
    page.skip(1).await;
    page.click("button[data-tab=cluster]").await;
    page.click("button[data-action=add-server]").await;
    assert_eq!(
        page.count("svg.cluster g.server"),
        6,
        "the new server is drawn on the ring"
    );
    page.skip(1).await;
    let s6 = page.one("g.server[data-server=S6]");
    assert_eq!(
        s6.get_attribute("data-member").as_deref(),
        Some("voter"),
        "promoted once caught up"
    );
    click(&s6).await;
    page.click("button[data-action=remove]").await;
    page.skip(1).await;
    let s6 = page.one("g.server[data-server=S6]");
    assert_eq!(s6.get_attribute("data-member").as_deref(), Some("removed"));
    let feed = page.text("section.feed");
    assert!(feed.contains("proposes the configuration"), "{feed}");
}

fn api_call(name: &str, arg: Option<&str>) -> wasm_bindgen::JsValue {
    let api = js_sys::Reflect::get(&web_sys::window().unwrap(), &"quorumLab".into()).unwrap();
    let f: js_sys::Function = js_sys::Reflect::get(&api, &name.into())
        .unwrap()
        .dyn_into()
        .unwrap();
    match arg {
        Some(a) => f.call1(&api, &a.into()).unwrap(),
        None => f.call0(&api).unwrap(),
    }
}

#[wasm_bindgen_test]
async fn an_exported_scenario_loads_back_to_the_same_run() {
    let page = Page::open("?paused&seed=23").await;
    page.skip(1).await;
    page.send(LabAction::RestartLeader).await;
    page.skip(1).await;
    let servers = page.servers();
    let logs = page.text("section.logs");
    let kv = page.text("section.kv");
    let json = api_call("exportScenario", None).as_string().unwrap();
    assert!(json.contains("\"at_us\""), "{json}");
    // Load it back: a fresh run from time zero with the same seed, settings and actions.
    assert!(api_call("loadScenario", Some(&json)).is_null());
    yew::scheduler::flush().await;
    assert!(page.text(".notice").contains("Loaded"));
    page.skip(2).await;
    assert_eq!(page.servers(), servers);
    assert_eq!(page.text("section.logs"), logs);
    assert_eq!(page.text("section.kv"), kv);
    // A broken file is refused with the field named.
    let err = api_call(
        "loadScenario",
        Some(r#"{"duration_ms": 5, "cluster": {"servers": 40}}"#),
    );
    assert!(err.as_string().unwrap().contains("cluster.servers"));
}

fn routed(page: &Page) -> Vec<u64> {
    page.view()["balancer"]["backends"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["routed"].as_u64().unwrap())
        .collect()
}

#[wasm_bindgen_test]
async fn switching_the_balancer_strategy_changes_where_requests_go() {
    let page = Page::open("?paused&seed=29&clients=6&rate=60").await;
    assert_eq!(page.count("g.balancer"), 1, "the balancer is drawn");
    page.click("button[data-tab=balancer]").await;
    let select = page.one("select[data-field=strategy]");
    set_input_select(&select, "round-robin").await;
    page.skip(2).await;
    let before = routed(&page);
    page.skip(2).await;
    let after = routed(&page);
    let busy = |a: &[u64], b: &[u64]| a.iter().zip(b).filter(|(x, y)| x > y).count();
    assert_eq!(
        busy(&after, &before),
        5,
        "round robin uses every server: {after:?}"
    );
    assert!(page
        .one("g.balancer")
        .get_attribute("data-strategy")
        .unwrap()
        .contains("round robin"));
    // Consistent hashing over three keys: at most three servers get requests.
    set_input_select(&page.one("select[data-field=strategy]"), "consistent-hash").await;
    let before = routed(&page);
    page.skip(2).await;
    let after = routed(&page);
    assert!(
        busy(&after, &before) <= 3,
        "keys stay on their servers: {before:?} → {after:?}"
    );
    assert!(page.text("table.backends").contains("S5"));
    // The metrics panel compares the two strategies and shows each server's load.
    page.click("button[data-tab=metrics]").await;
    let comparison = page.text("table.comparison");
    assert!(
        comparison.contains("round robin") && comparison.contains("consistent hashing"),
        "{comparison}"
    );
    assert!(page.count("table.load-table tr") > 1);
}

async fn set_input_select(el: &Element, value: &str) {
    let select: web_sys::HtmlSelectElement = el.clone().dyn_into().unwrap();
    select.set_value(value);
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    select
        .dispatch_event(&web_sys::Event::new_with_event_init_dict("change", &init).unwrap())
        .unwrap();
    yew::scheduler::flush().await;
}

#[wasm_bindgen_test]
async fn the_metrics_and_linearizability_panels_show_numbers_and_a_verdict() {
    let page = Page::open("?paused&seed=31&clients=4&rate=40").await;
    page.skip(3).await;
    page.click("button[data-tab=metrics]").await;
    let readout = page.text(".metrics .readout");
    assert!(
        readout.contains("ops/s") && readout.contains("p95"),
        "{readout}"
    );
    assert_eq!(
        page.count("svg.chart polyline"),
        4,
        "throughput and three latency lines"
    );
    page.click("button[data-tab=linearizability]").await;
    page.click("button[data-action=check]").await;
    let verdict = page
        .one(".lin-verdict")
        .get_attribute("data-verdict")
        .unwrap();
    assert_eq!(verdict, "ok", "{}", page.text(".lin-verdict"));
    assert!(page.text(".lin-verdict").contains("Linearizable"));
}

/// Sends reads to any replica, cuts a follower of a three-server cluster off while writes go
/// on, runs 4 s and checks the history: some read is then stale.
async fn stale_reads_from_a_cut_off_follower(page: &Page) {
    page.click("button[data-tab=balancer]").await;
    click(&page.one("input[data-field=stale-reads]")).await;
    let leader: String = page.leaders()[0].0.clone();
    let follower = page
        .servers()
        .into_iter()
        .find(|s| s.0 != leader)
        .unwrap()
        .0;
    let id: u32 = follower[1..].parse().unwrap();
    let others: Vec<u32> = (1..=3).filter(|&n| n != id).collect();
    page.send(LabAction::Sim(quorum_cluster::Action::Partition {
        groups: vec![vec![id], others],
        replace: false,
    }))
    .await;
    page.skip(4).await;
    page.click("button[data-tab=linearizability]").await;
    page.click("button[data-action=check]").await;
}

/// The check runs in a Web Worker (the page's thread only sends what is new) and its verdict
/// is the whole-history checker's, clean and failing alike; after a seek back the next verdict
/// is about the run as it now stands.
#[wasm_bindgen_test]
async fn the_linearizability_check_runs_in_a_worker_and_agrees_with_the_whole_history() {
    use quorum_cluster::check::linearizability::{check_history, Verdict};
    let page = Page::open("?paused&seed=33&clients=4&rate=60&servers=3").await;
    page.skip(3).await;
    page.click("button[data-tab=linearizability]").await;
    page.click("button[data-action=check]").await;
    let place = page.one("[data-check-place]");
    assert_eq!(
        place.get_attribute("data-check-place").as_deref(),
        Some("Worker")
    );
    assert!(place.text_content().unwrap().contains("in the background"));
    let whole = || {
        let api = js_sys::Reflect::get(&web_sys::window().unwrap(), &"quorumLab".into()).unwrap();
        let history: js_sys::Function = js_sys::Reflect::get(&api, &"history".into())
            .unwrap()
            .dyn_into()
            .unwrap();
        let text = history.call0(&api).unwrap().as_string().unwrap();
        check_history(&quorum_traffic::client::parse_history(&text).unwrap()).verdict
    };
    let shown = |page: &Page| {
        page.one(".lin-verdict")
            .get_attribute("data-verdict")
            .unwrap()
    };
    assert_eq!(whole(), Verdict::Linearizable);
    assert_eq!(shown(&page), "ok");
    // Stale reads from a cut-off follower: the worker finds the history not linearizable.
    stale_reads_from_a_cut_off_follower(&page).await;
    assert_eq!(whole(), Verdict::NotLinearizable);
    assert_eq!(shown(&page), "bad");
    assert_eq!(
        page.count("svg.timeline .op.culprit"),
        1,
        "the diagnosis came back"
    );
    // Back to before the partition: the worker drops what no longer stands.
    page.send(LabAction::Seek(2 * quorum_core::time::SECOND))
        .await;
    page.click("button[data-action=check]").await;
    assert_eq!(whole(), Verdict::Linearizable);
    assert_eq!(shown(&page), "ok");
    assert_eq!(
        page.one("[data-check-place]")
            .get_attribute("data-check-place")
            .as_deref(),
        Some("Worker")
    );
}

#[wasm_bindgen_test]
async fn a_stale_read_shows_up_red_on_the_linearizability_timeline() {
    let page = Page::open("?paused&seed=33&clients=4&rate=60&servers=3").await;
    page.skip(2).await;
    // Reads may go to any replica; then a follower is cut off while writes go on.
    stale_reads_from_a_cut_off_follower(&page).await;
    assert_eq!(
        page.one(".lin-verdict")
            .get_attribute("data-verdict")
            .as_deref(),
        Some("bad")
    );
    assert_eq!(
        page.count("svg.timeline .op.culprit"),
        1,
        "the first operation that cannot be placed"
    );
    assert!(page.count("svg.timeline .op.placed") > 0);
}

#[wasm_bindgen_test]
async fn the_load_can_be_changed_while_running_and_a_read_can_be_stale() {
    let page = Page::open("?paused&seed=37&clients=2&rate=10").await;
    page.skip(1).await;
    page.click("button[data-tab=client]").await;
    type_into(&page.one("input[data-field=clients]"), "8").await;
    key(&page.one("input[data-field=clients]"), "Enter").await;
    type_into(&page.one("input[data-field=rate]"), "120").await;
    key(&page.one("input[data-field=rate]"), "Enter").await;
    page.skip(1).await;
    let generating = page.view()["clients"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["manual"] == false)
        .count();
    assert_eq!(generating, 8, "eight clients generate load now");
    let feed = page.text("section.feed");
    assert!(feed.contains("8 clients at 120 ops/s"), "{feed}");
    // A stale read from the client panel goes through and is labelled as such.
    set_input_select(&page.one("select[data-field=op]"), "get").await;
    set_input_select(&page.one("select[data-field=consistency]"), "stale").await;
    page.click("button[data-action=send]").await;
    assert!(page.text("section.feed").contains("(stale read)"));
}

const PAXOS_KINDS: [&str; 7] = [
    "Prepare",
    "Promise",
    "Accept",
    "Accepted",
    "PaxosHeartbeat",
    "PaxosHeartbeatAck",
    "Learn",
];

fn pressed_protocol(page: &Page) -> Option<String> {
    page.one(".protocol-switch [aria-pressed=true]")
        .get_attribute("data-protocol")
}

#[wasm_bindgen_test]
async fn the_protocol_switch_replays_the_run_under_multi_paxos_and_back() {
    let page = Page::open("?paused&seed=4").await;
    page.skip(2).await;
    let before = page.view()["now"].as_u64().unwrap();
    assert_eq!(pressed_protocol(&page).as_deref(), Some("raft"));
    page.click(".protocol-switch [data-protocol=multi_paxos]")
        .await;
    assert_eq!(pressed_protocol(&page).as_deref(), Some("multi_paxos"));
    let view = page.view();
    assert_eq!(view["protocol"], "multi_paxos");
    assert_eq!(
        view["now"].as_u64().unwrap(),
        before,
        "replayed to the same instant"
    );
    assert_eq!(page.count("svg.cluster g.server"), 5, "same cluster size");
    let roles: Vec<String> = page.servers().into_iter().map(|s| s.1).collect();
    assert_eq!(
        roles.iter().filter(|r| *r == "leader").count(),
        1,
        "{roles:?}"
    );
    assert_eq!(
        roles.iter().filter(|r| *r == "acceptor").count(),
        4,
        "{roles:?}"
    );
    // Servers show the ballot they promised, e.g. "1.3".
    let ballots: Vec<String> = page
        .all("svg.cluster g.server")
        .iter()
        .filter_map(|g| g.get_attribute("data-ballot"))
        .collect();
    assert_eq!(ballots.len(), 5);
    assert!(ballots.iter().all(|b| b.contains('.')), "{ballots:?}");
    assert!(page.text("ul.legend").contains("phase 1"));
    // And back: Raft's roles and log matrix again, at the same instant.
    page.click(".protocol-switch [data-protocol=raft]").await;
    assert_eq!(page.view()["now"].as_u64().unwrap(), before);
    assert!(page.servers().iter().any(|s| s.1 == "follower"));
    assert_eq!(
        page.one("section.logs")
            .get_attribute("data-matrix")
            .as_deref(),
        Some("log")
    );
}

#[wasm_bindgen_test]
async fn paxos_messages_have_their_own_glyphs_and_the_slot_matrix_shows_ballots() {
    let page = Page::open("?paused&seed=2&protocol=multi_paxos").await;
    // Step event by event until Paxos messages are in flight.
    let mut kinds = Vec::new();
    for _ in 0..400 {
        page.click("button[data-action=step]").await;
        kinds = page
            .all("g.message")
            .iter()
            .filter_map(|m| m.get_attribute("data-kind"))
            .collect();
        if kinds.iter().any(|k| PAXOS_KINDS.contains(&k.as_str())) {
            break;
        }
    }
    assert!(
        kinds.iter().any(|k| PAXOS_KINDS.contains(&k.as_str())),
        "Paxos messages in flight: {kinds:?}"
    );
    // Phase 1 and 2 messages are drawn as paths (diamonds, squares), not Raft's discs.
    let shaped = page
        .all("g.message")
        .into_iter()
        .filter(|m| {
            matches!(
                m.get_attribute("data-kind").as_deref(),
                Some("Prepare" | "Promise" | "Accept" | "Accepted")
            )
        })
        .all(|m| m.query_selector("path").unwrap().is_some());
    assert!(shaped, "phase 1 and 2 glyphs are shaped");
    page.skip(3).await;
    assert_eq!(
        page.one("section.logs")
            .get_attribute("data-matrix")
            .as_deref(),
        Some("slots")
    );
    let cells = page.all(".log-matrix td.cell[data-slot]");
    assert!(!cells.is_empty(), "slots are drawn");
    assert!(
        cells.iter().all(|c| c
            .get_attribute("data-ballot")
            .is_some_and(|b| b.contains('.'))),
        "each accepted slot is labelled with its ballot"
    );
    assert!(
        page.count(".log-matrix td.cell.committed") > 0,
        "some slots are chosen"
    );
    // The inspector speaks Paxos.
    let leader = page.leaders()[0].0.clone();
    page.click(&format!("g.server[data-server={leader}]")).await;
    let text = page.text(".inspector");
    for field in [
        "Promised",
        "Own ballot",
        "Leader known",
        "Accepted per slot",
    ] {
        assert!(text.contains(field), "inspector shows {field}: {text}");
    }
    // The feed too.
    let feed = page.view()["feed"].to_string();
    assert!(feed.contains("was promised by"), "{feed}");
}

#[wasm_bindgen_test]
async fn the_compare_tab_lines_up_raft_and_multi_paxos() {
    let page = Page::open("?paused&seed=3").await;
    page.skip(1).await;
    page.click("button[data-tab=compare]").await;
    page.click("button[data-action=compare-crashes]").await;
    let table = page.one("table[data-field=comparison]");
    let header = table.text_content().unwrap();
    assert!(
        header.contains("Raft")
            && header.contains("Multi-Paxos")
            && header.contains("Multi-Paxos without probing or stickiness"),
        "{header}"
    );
    for row in [
        "messages-per-op",
        "p50",
        "p99",
        "to-leader",
        "to-service",
        "leader-changes",
    ] {
        let cells = page.all(&format!("tr[data-compare={row}] td"));
        assert_eq!(
            cells.len(),
            3,
            "{row}: Raft, Multi-Paxos, and Multi-Paxos with its stability switches flipped"
        );
        for c in cells {
            let text = c.text_content().unwrap();
            assert!(
                text.chars().any(|ch| ch.is_ascii_digit()),
                "{row} has a figure: {text:?}"
            );
        }
    }
    let passed = page.all("tr[data-compare=passed] td");
    assert!(passed
        .iter()
        .all(|c| c.text_content().unwrap().contains('✓')));
}

#[wasm_bindgen_test]
async fn the_duelling_proposers_preset_loads_under_multi_paxos_and_ballots_rise() {
    let page = Page::open("?paused&seed=1").await;
    page.click("button[data-tab=cluster]").await;
    set_input_select(
        &page.one("select[data-field=preset]"),
        "paxos-dueling-proposers",
    )
    .await;
    assert_eq!(pressed_protocol(&page).as_deref(), Some("multi_paxos"));
    page.skip(3).await;
    let view = page.view();
    let feed = view["feed"].to_string();
    assert!(feed.contains("was preempted by"), "proposers duel: {feed}");
    let highest_round = view["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n["term"].as_u64())
        .max()
        .unwrap_or(0);
    assert!(
        highest_round > 5,
        "ballots keep rising: round {highest_round}"
    );
    assert!(view["violations"].as_array().unwrap().is_empty());
}

/// Lets the browser run a few animation frames (the running page renders on each).
async fn frames() {
    gloo_timers::future::TimeoutFuture::new(40).await;
    yew::scheduler::flush().await;
}

/// Types `text` into a field one character at a time, as a browser does: each keystroke changes
/// the value by one character, fires an `input` event and lets the page render — with
/// `running`, through animation frames of a running page — and the field must still show what
/// has been typed so far (a re-render must not throw keystrokes away).
async fn type_keys(el: &Element, text: &str, running: bool) {
    let input: HtmlInputElement = el.clone().dyn_into().unwrap();
    input.set_value("");
    let mut typed = String::new();
    for c in text.chars() {
        typed.push(c);
        input.set_value(&typed);
        let init = web_sys::EventInit::new();
        init.set_bubbles(true);
        input
            .dispatch_event(&web_sys::Event::new_with_event_init_dict("input", &init).unwrap())
            .unwrap();
        if running {
            frames().await;
        } else {
            yew::scheduler::flush().await;
        }
        assert_eq!(input.value(), typed, "the keystrokes so far stay");
    }
}

/// Types into a field of a paused page (see [`type_keys`]).
async fn type_into(el: &Element, text: &str) {
    type_keys(el, text, false).await;
}

#[wasm_bindgen_test]
async fn pausing_a_server_in_the_inspector_marks_it_and_resuming_clears_the_mark() {
    let page = Page::open("?paused&seed=5").await;
    page.skip(1).await;
    page.click("g.server[data-server=S2]").await;
    page.click("button[data-action=pause]").await;
    assert_eq!(page.count("g.server.paused[data-server=S2]"), 1);
    assert_eq!(page.count("g.server.paused .paused-badge"), 1);
    page.skip(1).await;
    let inspector = page.text(".inspector");
    assert!(inspector.contains("paused —"), "{inspector}");
    page.click("button[data-action=resume]").await;
    assert_eq!(page.count("g.server.paused"), 0);
    page.skip(1).await;
    assert_eq!(page.leaders().len(), 1, "{:?}", page.servers());
}

#[wasm_bindgen_test]
async fn a_fault_on_one_message_kind_is_typed_in_applied_listed_and_refused_when_out_of_range() {
    let page = Page::open("?paused&seed=9").await;
    page.skip(1).await;
    set_input_select(
        &page.one("select[data-field=fault-kind]"),
        "AppendEntriesReply",
    )
    .await;
    type_into(&page.one("input[data-field=fault-drop]"), "150").await;
    let drop: HtmlInputElement = page.one("input[data-field=fault-drop]").dyn_into().unwrap();
    assert_eq!(drop.value(), "150", "typed text stays while typing");
    page.click("button[data-action=set-fault]").await;
    let error = page.text(".gray-faults .error");
    assert!(
        error.contains("Drop % must be between 0 and 100"),
        "{error}"
    );
    assert_eq!(page.count("li[data-fault]"), 0, "nothing applied");
    type_into(&page.one("input[data-field=fault-drop]"), "100").await;
    type_into(&page.one("input[data-field=fault-delay]"), "40").await;
    page.click("button[data-action=set-fault]").await;
    assert_eq!(page.count(".gray-faults .error"), 0);
    let listed = page.text("li[data-fault=AppendEntriesReply]");
    assert!(listed.contains("100% dropped, delayed 40 ms"), "{listed}");
    // With every AppendEntries reply lost, nothing new commits and the leader cannot confirm.
    page.skip(1).await;
    let faults = page.view()["message_faults"].as_array().unwrap().len();
    assert_eq!(faults, 1);
    page.click("li[data-fault=AppendEntriesReply] button[data-action=remove-fault]")
        .await;
    assert_eq!(page.count("li[data-fault]"), 0);
}

#[wasm_bindgen_test]
async fn a_client_cut_off_from_a_server_is_drawn_with_the_cut() {
    let page = Page::open("?paused&seed=4").await;
    page.skip(1).await;
    let first = page
        .one("select[data-field=client-end] option")
        .get_attribute("value")
        .unwrap();
    set_input_select(&page.one("select[data-field=client-server]"), "S2").await;
    page.click("button[data-action=cut-client-link]").await;
    let marked = page.all(".cut-off .cut-note");
    assert_eq!(marked.len(), 1, "the cut is drawn on {first}");
    assert!(marked[0].text_content().unwrap().contains("S2"));
    page.click("button[data-action=restore-client-link]").await;
    assert_eq!(page.count(".cut-off"), 0);
}

#[wasm_bindgen_test]
async fn a_cluster_that_stays_stuck_after_the_faults_stop_turns_liveness_amber_not_safety_red() {
    let page = Page::open("?paused&seed=7").await;
    assert_eq!(page.count("[data-liveness=watching]"), 1);
    // Timeouts this narrow make votes split again and again (the split-vote preset).
    let scenario = include_str!("../scenarios/split-vote.json");
    assert!(api_call("loadScenario", Some(scenario)).is_null());
    yew::scheduler::flush().await;
    page.skip(3).await;
    assert_eq!(page.count("[data-safety=ok]"), 1, "safety holds");
    let stuck = page.text("[data-liveness=stuck]");
    assert!(stuck.contains("no server leads"), "{stuck}");
}

/// Every number field, typed into character by character while the cluster runs at 1× (the page
/// renders frames between keystrokes): the text stays while typing, Enter applies it, and an
/// out-of-range value is refused with the field's label and range, never clamped.
#[wasm_bindgen_test]
async fn typing_into_every_number_field_while_running_keeps_the_text_and_applies_it() {
    let page = Page::open("?speed=1&seed=3").await;
    let cases: [(&str, &str, &str, &str); 13] = [
        ("chaos", "loss", "30", "30% loss"),
        ("chaos", "duplicate", "10", "10% duplication"),
        ("chaos", "latency-max", "40", "10–40 ms latency"),
        ("chaos", "latency-min", "5", "5–40 ms latency"),
        ("chaos", "jitter", "7", "network set to 5–40 ms latency"),
        (
            "timing",
            "election-max",
            "450",
            "election timeout set to 150–450 ms",
        ),
        (
            "timing",
            "election-min",
            "200",
            "election timeout set to 200–450 ms",
        ),
        ("timing", "heartbeat", "60", "heartbeat 60 ms"),
        ("timing", "snapshot-every", "32", "Raft options changed"),
        ("client", "clients", "6", "6 clients"),
        ("client", "rate", "55", "at 55 ops/s"),
        ("client", "keys", "4", "4 keys"),
        ("client", "zipf", "1.5", "the load is now"),
    ];
    for (tab, field, text, feed) in cases {
        page.click(&format!("button[data-tab={tab}]")).await;
        let selector = format!("input[data-field={field}]");
        type_keys(&page.one(&selector), text, true).await;
        key(&page.one(&selector), "Enter").await;
        frames().await;
        assert_eq!(page.count(".field-error"), 0, "{field}: accepted");
        let shown = page.text("section.feed");
        assert!(
            shown.contains(feed),
            "{field}: {feed:?} in the feed: {shown}"
        );
    }
    // Out of range: refused by name and range, the text kept for correcting, nothing applied.
    page.click("button[data-tab=chaos]").await;
    type_into(&page.one("input[data-field=loss]"), "101").await;
    key(&page.one("input[data-field=loss]"), "Enter").await;
    let error = page.text(".field-error");
    assert_eq!(error, "Loss % must be between 0 and 100 % (got 101)");
    let loss: HtmlInputElement = page.one("input[data-field=loss]").dyn_into().unwrap();
    assert_eq!(loss.value(), "101");
    assert_eq!(
        page.one("input[data-field=loss]")
            .get_attribute("aria-invalid")
            .as_deref(),
        Some("true")
    );
    // Correcting it applies on blur too.
    type_into(&page.one("input[data-field=loss]"), "0").await;
    let blur = web_sys::FocusEvent::new("blur").unwrap();
    page.one("input[data-field=loss]")
        .dispatch_event(&blur)
        .unwrap();
    frames().await;
    assert_eq!(page.count(".field-error"), 0);
    // A pause in typing applies it as well.
    type_into(&page.one("input[data-field=jitter]"), "3").await;
    gloo_timers::future::TimeoutFuture::new(1_000).await;
    yew::scheduler::flush().await;
    let shown = page.text("section.feed");
    assert!(shown.contains("network set to"), "{shown}");
    let jitter: HtmlInputElement = page.one("input[data-field=jitter]").dyn_into().unwrap();
    assert_eq!(jitter.value(), "3");
}

async fn key(el: &Element, name: &str) {
    let init = web_sys::KeyboardEventInit::new();
    init.set_key(name);
    init.set_bubbles(true);
    init.set_cancelable(true);
    let event =
        web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    el.dispatch_event(&event).unwrap();
    yew::scheduler::flush().await;
}

/// Keyboard only: the diagram is one tab stop; arrow keys move among servers, links and
/// messages, each with an accessible name; Enter opens the inspector, whose Crash button then
/// crashes the server reached.
#[wasm_bindgen_test]
async fn a_server_is_reached_with_arrow_keys_inspected_with_enter_and_crashed() {
    let page = Page::open("?paused&seed=5").await;
    page.skip(1).await;
    let svg = page.one("svg.cluster");
    assert_eq!(svg.get_attribute("tabindex").as_deref(), Some("0"));
    assert_eq!(page.count("svg.cluster [tabindex]"), 0, "one tab stop");
    let focus: js_sys::Function = js_sys::Reflect::get(&svg, &"focus".into())
        .unwrap()
        .dyn_into()
        .unwrap();
    focus.call0(&svg).unwrap();
    // Starts at S1; two steps right reach S3.
    key(&svg, "ArrowRight").await;
    key(&svg, "ArrowRight").await;
    assert_eq!(
        svg.get_attribute("aria-activedescendant").as_deref(),
        Some("dg-s3")
    );
    let name = page.one("#dg-s3").get_attribute("aria-label").unwrap();
    assert!(
        name.starts_with("S3, ") && name.contains("term") && name.contains("commit index"),
        "{name}"
    );
    key(&svg, "Enter").await;
    assert!(page.text(".inspector").contains("S3"));
    let crash: HtmlElement = page
        .one(".inspector button[data-action=crash]")
        .dyn_into()
        .unwrap();
    crash.focus().unwrap();
    crash.click();
    yew::scheduler::flush().await;
    let crashed: Vec<_> = page
        .servers()
        .into_iter()
        .filter(|s| s.1 == "crashed")
        .collect();
    assert_eq!(crashed.len(), 1);
    assert_eq!(crashed[0].0, "S3");
    // Links and messages come after the servers; End reaches the last thing drawn.
    for _ in 0..5 {
        key(&svg, "ArrowRight").await;
    }
    let on = svg.get_attribute("aria-activedescendant").unwrap();
    assert!(on.starts_with("dg-l"), "a link after the servers: {on}");
    let link = page
        .one(&format!("#{on}"))
        .get_attribute("aria-label")
        .unwrap();
    assert!(link.starts_with("link S"), "{link}");
    // The diagram's arrow keys do not scrub time.
    assert_eq!(page.count(".badge.past"), 0);
}

/// The control tabs are a tablist: one tab stop, arrow keys move and select, the panel is named
/// by its tab (WAI-ARIA tabs pattern).
#[wasm_bindgen_test]
async fn the_control_tabs_are_a_tablist_walked_with_arrow_keys() {
    let page = Page::open("?paused&seed=2").await;
    assert_eq!(page.count("[role=tablist] [role=tab]"), 6);
    assert_eq!(page.count("[role=tab][tabindex='0']"), 1);
    let chaos = page.one("#tab-chaos");
    assert_eq!(
        chaos.get_attribute("aria-selected").as_deref(),
        Some("true")
    );
    key(&chaos, "ArrowRight").await;
    let timing = page.one("#tab-timing");
    assert_eq!(
        timing.get_attribute("aria-selected").as_deref(),
        Some("true")
    );
    assert_eq!(
        page.one("[role=tabpanel]")
            .get_attribute("aria-labelledby")
            .as_deref(),
        Some("tab-timing")
    );
    assert_eq!(
        page.count("input[data-field=election-min]"),
        1,
        "the Timing panel shows"
    );
    key(&timing, "End").await;
    assert_eq!(
        page.one("#tab-compare")
            .get_attribute("aria-selected")
            .as_deref(),
        Some("true")
    );
    key(&page.one("#tab-compare"), "ArrowRight").await;
    assert_eq!(
        page.one("#tab-chaos")
            .get_attribute("aria-selected")
            .as_deref(),
        Some("true"),
        "wraps around"
    );
}

/// Help is a modal dialog: it takes focus, keeps Tab inside, and gives focus back on close; a
/// polite live region announces what happens (a new leader, a crash).
#[wasm_bindgen_test]
async fn help_takes_and_returns_focus_and_a_live_region_announces_events() {
    let page = Page::open("?paused&seed=5").await;
    let document = web_sys::window().unwrap().document().unwrap();
    let help_button: HtmlElement = page.one("#tab-chaos").dyn_into().unwrap();
    help_button.focus().unwrap();
    key(&help_button, "?").await;
    let dialog = page.one("[role=dialog]");
    assert_eq!(dialog.get_attribute("aria-modal").as_deref(), Some("true"));
    let active = document.active_element().unwrap();
    assert_eq!(
        active.get_attribute("data-action").as_deref(),
        Some("close-help")
    );
    key(&active, "Tab").await;
    assert_eq!(
        document
            .active_element()
            .unwrap()
            .get_attribute("data-action")
            .as_deref(),
        Some("close-help"),
        "Tab stays in the dialog"
    );
    page.click("button[data-action=close-help]").await;
    assert_eq!(page.count("[role=dialog]"), 0);
    assert_eq!(
        document.active_element().unwrap().id(),
        "tab-chaos",
        "focus returns to where it was"
    );
    page.skip(1).await;
    let said = page.text("[aria-live=polite]");
    assert!(said.contains("became leader"), "{said}");
    page.send(LabAction::RestartLeader).await;
    let said = page.text("[aria-live=polite]");
    assert!(
        said.contains("crashed") || said.contains("became leader"),
        "{said}"
    );
}

/// The time slider's end is the live instant exactly (it counts whole milliseconds, the run
/// rarely stops on one); the protocol switch works part way through a preset, keeping its later
/// actions; the client panel's server choice follows the cluster's members.
#[wasm_bindgen_test]
async fn the_slider_reaches_live_and_the_protocol_switch_works_mid_preset() {
    let page = Page::open("?paused&seed=3").await;
    page.skip(1).await;
    for _ in 0..3 {
        page.click("button[data-action=step]").await;
    }
    let slider = page.one("input[data-control=time]");
    let max = slider.get_attribute("max").unwrap();
    set_input(&slider, "200", "input").await;
    assert_eq!(page.count(".badge.past"), 1, "in the past");
    set_input(&page.one("input[data-control=time]"), &max, "input").await;
    assert_eq!(
        page.count(".badge.live"),
        1,
        "the slider's end is live again"
    );

    let preset = include_str!("../scenarios/leader-crash.json");
    assert!(api_call("loadScenario", Some(preset)).is_null());
    yew::scheduler::flush().await;
    page.skip(1).await;
    page.send(LabAction::SwitchProtocol(
        quorum_cluster::config::ProtocolKind::MultiPaxos,
    ))
    .await;
    let notice = page.text(".notice");
    assert!(notice.contains("Now running Multi-Paxos"), "{notice}");
    page.skip(4).await;
    let feed = page.text("section.feed");
    assert!(
        feed.contains("(leader) crashed") || feed.contains("the leader, was crashed"),
        "{feed}"
    );

    page.click("button[data-tab=client]").await;
    let options: Vec<String> = page
        .all("select[data-field=server] option")
        .iter()
        .map(|o| o.text_content().unwrap())
        .collect();
    assert!(
        options[0].starts_with("any server") || options[0].starts_with("the leader"),
        "{options:?}"
    );
    assert_eq!(options.len(), 1 + 5, "one per member: {options:?}");
}

/// A preset declares its playback speed and caption: loading it switches the speed and shows
/// what it is about.
#[wasm_bindgen_test]
async fn a_preset_brings_its_speed_and_caption() {
    let page = Page::open("?paused&seed=1").await;
    assert!(page.text(".speed-value").contains("1/100×"));
    let preset = include_str!("../scenarios/leader-crash.json");
    assert!(api_call("loadScenario", Some(preset)).is_null());
    yew::scheduler::flush().await;
    assert_eq!(page.text(".speed-value"), "1/10×");
    let notice = page.text(".notice");
    assert!(notice.contains("at 1/10×"), "{notice}");
    let scenario: serde_json::Value = serde_json::from_str(preset).unwrap();
    let caption = scenario["description"].as_str().unwrap();
    assert!(notice.contains(caption), "{notice}");
}

/// A share link holds the whole run: opened in a fresh page it shows the same servers, logs,
/// key-value state and instant, paused, with the same tab open; a damaged link gives a notice
/// naming the problem and the page starts with defaults.
#[wasm_bindgen_test]
async fn a_share_link_opens_the_same_run_at_the_same_instant_and_a_damaged_one_is_refused() {
    let page = Page::mount_with("?paused&seed=21", "", false, true).await;
    page.skip(2).await;
    page.send(LabAction::Sim(quorum_cluster::Action::CrashLeader {
        label: None,
    }))
    .await;
    page.skip(1).await;
    page.click("button[data-tab=client]").await;
    page.click("button[data-action=copy-link]").await;
    let fragment = web_sys::window().unwrap().location().hash().unwrap();
    assert!(fragment.starts_with("#run=1."), "{fragment}");
    let before = page.view();
    let clock = page.text("[data-control=clock]");
    drop(page);

    let shared = Page::open_link(&fragment).await;
    let after = shared.view();
    for part in ["now", "nodes", "feed", "voters"] {
        assert_eq!(
            before[part], after[part],
            "{part} differs (link {fragment})"
        );
    }
    assert_eq!(
        shared.one("[data-control=clock]").text_content().unwrap(),
        clock
    );
    let play = shared
        .one("button[data-action=play]")
        .text_content()
        .unwrap();
    assert!(play.contains("Play"), "opened paused: {play}");
    assert_eq!(
        shared
            .one("button[data-tab=client]")
            .get_attribute("aria-selected")
            .as_deref(),
        Some("true")
    );
    drop(shared);

    let damaged = Page::open_link(&fragment[..fragment.len() / 2]).await;
    let notice = damaged.one(".notice").text_content().unwrap();
    assert!(
        notice.contains("link: the run is damaged"),
        "the notice names the problem: {notice}"
    );
    assert_eq!(damaged.count("svg.cluster g.server"), 5, "defaults");
}

/// Acting in the past keeps the future it discards as a branch, and the person can go back to
/// it (and from there back again: the run left becomes a branch in turn).
#[wasm_bindgen_test]
async fn acting_in_the_past_keeps_the_discarded_future_as_a_branch_to_return_to() {
    let page = Page::open("?paused&seed=23").await;
    page.skip(3).await;
    let horizon_clock = page.text("[data-control=clock]");
    page.send(LabAction::Seek(SECOND)).await;
    assert_eq!(page.count(".badge.past"), 1);
    page.send(LabAction::Sim(quorum_cluster::Action::Crash {
        node: 2.into(),
    }))
    .await;
    assert_eq!(page.count("button[data-action=branch-return]"), 1);
    let branch = page.text("button[data-action=branch-return]");
    assert!(branch.contains("went on to 3.000 s"), "{branch}");
    let crashed = |page: &Page| {
        page.servers()
            .iter()
            .any(|(s, role, _)| s == "S2" && role == "crashed")
    };
    assert!(crashed(&page), "the new run has S2 down");
    page.click("button[data-action=branch-return]").await;
    assert!(!crashed(&page), "the old run never crashed S2");
    assert_eq!(page.count(".badge.past"), 1, "standing where the runs part");
    page.send(LabAction::Seek(3 * SECOND)).await;
    assert_eq!(
        page.text("[data-control=clock]"),
        horizon_clock,
        "its future is all there"
    );
    assert_eq!(
        page.count("button[data-action=branch-return]"),
        1,
        "the run left is the branch now"
    );
}

/// Log cells show the term by default and the command on request.
#[wasm_bindgen_test]
async fn log_cells_switch_between_terms_and_commands() {
    let page = Page::open("?paused&seed=5&clients=2&rate=20").await;
    page.skip(2).await;
    let cells = |page: &Page| -> Vec<String> {
        page.all("tr[data-log] td.cell.committed")
            .iter()
            .filter_map(|c| c.text_content())
            .collect()
    };
    assert!(
        cells(&page).iter().any(|t| t == "1"),
        "terms: {:?}",
        cells(&page)
    );
    page.click("button[data-action=log-cells]").await;
    assert_eq!(
        page.one("button[data-action=log-cells]")
            .get_attribute("aria-pressed")
            .as_deref(),
        Some("true")
    );
    let shown = cells(&page);
    assert!(
        shown
            .iter()
            .any(|t| t.contains('=') || t.starts_with("get")),
        "commands: {shown:?}"
    );
}

/// A first visit shows what is on the screen and three things to try; the dialog takes focus,
/// keeps Tab among its buttons, and a button both closes it for good and does what it says.
#[wasm_bindgen_test]
async fn the_first_visit_overlay_offers_three_things_and_is_remembered_once_closed() {
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    storage.remove_item("quorum-lab.welcomed").unwrap();
    let page = Page::mount_with("?paused&seed=9", "", true, false).await;
    page.skip(1).await;
    let dialog = page.one("[role=dialog][aria-labelledby=welcome-title]");
    assert_eq!(dialog.get_attribute("aria-modal").as_deref(), Some("true"));
    let document = web_sys::window().unwrap().document().unwrap();
    let focused = || {
        document
            .active_element()
            .and_then(|e| e.get_attribute("data-action"))
            .unwrap_or_default()
    };
    assert_eq!(focused(), "welcome-crash", "the first button has focus");
    for expected in [
        "welcome-cut",
        "welcome-write",
        "welcome-lesson",
        "welcome-lessons",
        "welcome-close",
        "welcome-crash",
    ] {
        let active = document.active_element().unwrap();
        key(&active, "Tab").await;
        assert_eq!(focused(), expected, "Tab stays in the dialog");
    }
    page.click("button[data-action=welcome-write]").await;
    assert_eq!(page.count("[aria-labelledby=welcome-title]"), 0, "closed");
    page.skip(1).await;
    let feed = page.text(".feed");
    assert!(feed.contains("put x=42"), "{feed}");
    assert_eq!(
        storage.get_item("quorum-lab.welcomed").unwrap().as_deref(),
        Some("1"),
        "remembered"
    );
}

/// Presentation mode (key p or the Present button): large type, the control panels hidden, the
/// keys shown along the bottom; p again leaves it.
#[wasm_bindgen_test]
async fn presentation_mode_hides_the_panels_and_shows_the_keys() {
    let page = Page::open("?paused&seed=4").await;
    page.click("button[data-action=present]").await;
    assert_eq!(page.count(".app.presenting"), 1);
    assert_eq!(
        page.count(".keys-strip kbd"),
        7,
        "the presenter's keys are shown"
    );
    assert_eq!(page.count(".side"), 0, "the control panels are hidden");
    assert_eq!(page.count("[data-matrix]"), 1, "the logs stay");
    let body = web_sys::window()
        .unwrap()
        .document()
        .unwrap()
        .body()
        .unwrap();
    key(&body, "p").await;
    assert_eq!(
        page.count(".app.presenting"),
        0,
        "p leaves presentation mode"
    );
    assert_eq!(page.count(".side"), 1);
}

/// Keyboard only: the Present button hides itself in presentation mode, so the focus moves to
/// `Leave presentation` in the keys strip, and back to `Present` on leaving; a `p` pressed on
/// another control leaves the focus there.
#[wasm_bindgen_test]
async fn presentation_mode_hands_the_focus_to_the_button_that_leaves_it() {
    let page = Page::open("?paused&seed=4").await;
    let document = web_sys::window().unwrap().document().unwrap();
    let focused = || {
        let active = document.active_element().unwrap();
        let strip = active.closest(".keys-strip").unwrap().is_some();
        (active.get_attribute("data-action"), strip)
    };
    let present: HtmlElement = page
        .one(".controls button[data-action=present]")
        .dyn_into()
        .unwrap();
    present.focus().unwrap();
    page.click(".controls button[data-action=present]").await;
    assert_eq!(page.count(".app.presenting"), 1);
    assert_eq!(
        focused(),
        (Some("present".to_string()), true),
        "Leave presentation has the focus"
    );
    page.click(".keys-strip button[data-action=present]").await;
    assert_eq!(page.count(".app.presenting"), 0);
    assert_eq!(
        focused(),
        (Some("present".to_string()), false),
        "Present has the focus again"
    );
    let step: HtmlElement = page.one("button[data-action=step]").dyn_into().unwrap();
    step.focus().unwrap();
    key(&step, "p").await;
    page.settle().await;
    assert_eq!(page.count(".app.presenting"), 1);
    assert_eq!(
        focused(),
        (Some("step".to_string()), false),
        "p pressed elsewhere leaves the focus there"
    );
}

/// `window.quorumLab` speaks objects: `apply` takes an action object (or its JSON text) and
/// says what is wrong with a bad one; `view` and `frameStats` give plain objects.
#[wasm_bindgen_test]
async fn the_javascript_api_takes_and_gives_objects_and_names_bad_fields() {
    let page = Page::open("?paused&seed=6").await;
    page.skip(1).await;
    let api = js_sys::Reflect::get(&web_sys::window().unwrap(), &"quorumLab".into()).unwrap();
    let call = |name: &str, arg: &wasm_bindgen::JsValue| {
        let f: js_sys::Function = js_sys::Reflect::get(&api, &name.into())
            .unwrap()
            .dyn_into()
            .unwrap();
        f.call1(&api, arg).unwrap()
    };
    let crash = js_sys::JSON::parse(r#"{"type": "crash", "node": 2}"#).unwrap();
    assert!(call("apply", &crash).is_null(), "accepted");
    yew::scheduler::flush().await;
    let view = call("view", &wasm_bindgen::JsValue::NULL);
    let nodes = js_sys::Reflect::get(&view, &"nodes".into()).unwrap();
    let s2 = js_sys::Reflect::get(&nodes, &1.into()).unwrap();
    assert_eq!(
        js_sys::Reflect::get(&s2, &"up".into()).unwrap().as_bool(),
        Some(false),
        "S2 crashed"
    );
    let bad = js_sys::JSON::parse(r#"{"type": "crash", "node": -3}"#).unwrap();
    let error = call("apply", &bad).as_string().unwrap_or_default();
    assert!(
        error.starts_with("action") && error.contains("-3 is not a server number"),
        "{error}"
    );
    let stats = call("frameStats", &wasm_bindgen::JsValue::NULL);
    assert!(js_sys::Reflect::has(&stats, &"longFrames".into()).unwrap());
}

/// The diagram can draw every message, only those of the selected server, or all but
/// heartbeats and health checks.
#[wasm_bindgen_test]
async fn message_focus_shows_all_the_selected_servers_or_no_heartbeats() {
    let page = Page::open("?paused&seed=8").await;
    page.skip(1).await;
    let kinds = |page: &Page| -> Vec<String> {
        page.all("svg.cluster g.message")
            .iter()
            .filter_map(|m| m.get_attribute("data-kind"))
            .collect()
    };
    assert!(
        kinds(&page)
            .iter()
            .any(|k| k == "Heartbeat" || k == "HealthCheck"),
        "{:?}",
        kinds(&page)
    );
    page.click("button[data-filter='no heartbeats']").await;
    assert!(
        kinds(&page)
            .iter()
            .all(|k| !matches!(k.as_str(), "Heartbeat" | "HealthCheck" | "HealthReply")),
        "{:?}",
        kinds(&page)
    );
    page.send(LabAction::Select(quorum_lab::ui::state::Selection::Node(1)))
        .await;
    page.click("button[data-filter='selected server']").await;
    let labels: Vec<String> = page
        .all("svg.cluster g.message")
        .iter()
        .filter_map(|m| m.get_attribute("aria-label"))
        .collect();
    assert!(!labels.is_empty(), "S1 has messages in flight");
    assert!(
        labels
            .iter()
            .all(|l| l.contains("from S1 ") || l.contains("to S1:")),
        "{labels:?}"
    );
    assert_eq!(
        page.one("button[data-filter='selected server']")
            .get_attribute("aria-pressed")
            .as_deref(),
        Some("true")
    );
}
