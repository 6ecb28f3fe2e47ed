//! Geometry of the cluster diagram: where each server sits on the ring and where a message is
//! along a link at a given instant. Pure arithmetic, so it is tested natively and the page only
//! draws the numbers.

use quorum_cluster::message::MessageKind;

/// A point in diagram coordinates (the SVG view box is [`VIEW_SIZE`] square).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    /// Horizontal position, growing to the right.
    pub x: f64,
    /// Vertical position, growing downwards.
    pub y: f64,
}

/// Width and height of the diagram's view box.
pub const VIEW_SIZE: f64 = 600.0;
/// Radius of the ring the servers sit on.
pub const RING_RADIUS: f64 = 210.0;
/// Radius of one server's circle.
pub const SERVER_RADIUS: f64 = 40.0;

/// The centre of the diagram.
pub fn center() -> Point {
    Point {
        x: VIEW_SIZE / 2.0,
        y: VIEW_SIZE / 2.0,
    }
}

/// Position of server `index` of `count` on the ring, the first at the top, going clockwise
/// (as on a clock face, so S1 is always where people look first).
pub fn ring_position(index: usize, count: usize) -> Point {
    let c = center();
    if count <= 1 {
        return c;
    }
    let angle = -std::f64::consts::FRAC_PI_2 + std::f64::consts::TAU * index as f64 / count as f64;
    Point {
        x: c.x + RING_RADIUS * angle.cos(),
        y: c.y + RING_RADIUS * angle.sin(),
    }
}

/// Linear interpolation between two points; `t` is clamped to `[0, 1]`.
pub fn lerp(a: Point, b: Point, t: f64) -> Point {
    let t = t.clamp(0.0, 1.0);
    Point {
        x: a.x + (b.x - a.x) * t,
        y: a.y + (b.y - a.y) * t,
    }
}

/// How far along its flight a message is at `now`: 0 when sent, 1 when due (RaftScope's rule).
pub fn flight_progress(sent_at: u64, deliver_at: u64, now: u64) -> f64 {
    if deliver_at <= sent_at {
        return 1.0;
    }
    (now.saturating_sub(sent_at) as f64 / (deliver_at - sent_at) as f64).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn with_reduced_motion_a_message_steps_from_its_sender_to_its_receiver() {
        assert_eq!(drawn_progress(0.3, false), 0.3);
        let steps: Vec<f64> = [0.0, 0.2, 0.49, 0.5, 0.8, 1.0]
            .iter()
            .map(|&p| drawn_progress(p, true))
            .collect();
        assert_eq!(steps, vec![0.15, 0.15, 0.15, 0.85, 0.85, 0.85]);
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn first_server_sits_at_the_top_and_all_sit_on_the_ring() {
        let p = ring_position(0, 5);
        assert!(close(p.x, VIEW_SIZE / 2.0));
        assert!(close(p.y, VIEW_SIZE / 2.0 - RING_RADIUS));
        for i in 0..5 {
            let q = ring_position(i, 5);
            let r = ((q.x - center().x).powi(2) + (q.y - center().y).powi(2)).sqrt();
            assert!(close(r, RING_RADIUS));
        }
    }

    #[test]
    fn servers_go_clockwise() {
        // The second of four is on the right (east) of the centre.
        let p = ring_position(1, 4);
        assert!(p.x > center().x + RING_RADIUS - 1e-6);
    }

    #[test]
    fn single_server_is_centred() {
        assert_eq!(ring_position(0, 1), center());
    }

    #[test]
    fn flight_progress_is_clamped_fraction() {
        assert!(close(flight_progress(100, 200, 150), 0.5));
        assert!(close(flight_progress(100, 200, 50), 0.0));
        assert!(close(flight_progress(100, 200, 500), 1.0));
        assert!(close(flight_progress(100, 100, 100), 1.0));
        let mid = lerp(Point { x: 0.0, y: 0.0 }, Point { x: 10.0, y: 20.0 }, 0.5);
        assert_eq!(mid, Point { x: 5.0, y: 10.0 });
    }
}

/// Fill colours for terms: Paul Tol's pale scheme (with one warm tint), distinguishable with the
/// common forms of colour blindness and deliberately unlike the saturated message colours, so a
/// glyph is never read as a term. Term 0 (no election yet) is neutral; later terms cycle through
/// seven colours; the term number is always written inside, so colour is never the only code.
pub const TERM_COLORS: [&str; 7] = [
    "#EEEEBB", "#BBCCEE", "#CCDDAA", "#FFCCCC", "#CCEEFF", "#F4D6A8", "#DDCCEE",
];

/// The fill colour of a term.
pub fn term_color(term: u64) -> &'static str {
    if term == 0 {
        return "#d9dee6";
    }
    TERM_COLORS[((term - 1) % TERM_COLORS.len() as u64) as usize]
}

/// Text colour that stays readable on [`term_color`].
pub fn term_text_color(_term: u64) -> &'static str {
    // Every term colour is pale: dark text reads on all of them.
    "#1b2330"
}

/// Where along its link a message is drawn: gliding with its flight, or — when the person asked
/// for reduced motion — standing near its sender for the first half of the flight and near its
/// receiver for the second, so nothing moves continuously.
pub fn drawn_progress(progress: f64, reduced_motion: bool) -> f64 {
    match (reduced_motion, progress < 0.5) {
        (false, _) => progress,
        (true, true) => 0.15,
        (true, false) => 0.85,
    }
}

/// Colour of a message glyph by type.
pub fn message_color(kind: MessageKind) -> &'static str {
    match kind {
        MessageKind::RequestVote | MessageKind::RequestVoteReply => "#0072B2",
        MessageKind::PreVote | MessageKind::PreVoteReply => "#56B4E9",
        MessageKind::AppendEntries | MessageKind::AppendEntriesReply => "#009E73",
        MessageKind::Heartbeat => "#7fcdb5",
        MessageKind::ClientRequest | MessageKind::ClientReply => "#CC79A7",
        MessageKind::InstallSnapshot => "#D55E00",
        MessageKind::HealthCheck | MessageKind::HealthReply => "#9aa3ad",
        MessageKind::Prepare | MessageKind::Promise => "#0072B2",
        MessageKind::Accept | MessageKind::Accepted => "#009E73",
        MessageKind::PaxosHeartbeat | MessageKind::PaxosHeartbeatAck => "#7fcdb5",
        MessageKind::Learn => "#D55E00",
        MessageKind::Probe | MessageKind::ProbeReply => "#56B4E9",
        MessageKind::Nack => "#b2182b",
    }
}

/// The outline of a message glyph. Raft's messages are discs; Multi-Paxos' phase 1 (prepare,
/// promise) are diamonds and phase 2 (accept, accepted) squares, so the two protocols' traffic
/// is told apart at a glance even where the colours match.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GlyphShape {
    /// Raft, clients, health checks.
    Disc,
    /// Paxos phase 1 and refusals.
    Diamond,
    /// Paxos phase 2.
    Square,
    /// Paxos catch-up (chosen values).
    Triangle,
}

/// The glyph shape for a message kind.
pub fn glyph_shape(kind: MessageKind) -> GlyphShape {
    match kind {
        MessageKind::Prepare
        | MessageKind::Promise
        | MessageKind::Nack
        | MessageKind::Probe
        | MessageKind::ProbeReply => GlyphShape::Diamond,
        MessageKind::Accept | MessageKind::Accepted => GlyphShape::Square,
        MessageKind::Learn => GlyphShape::Triangle,
        _ => GlyphShape::Disc,
    }
}

/// An SVG path for `shape` of radius `r` around the origin (discs are drawn as circles).
pub fn glyph_path(shape: GlyphShape, r: f64) -> Option<String> {
    match shape {
        GlyphShape::Disc => None,
        GlyphShape::Diamond => {
            let d = r * 1.3;
            Some(format!("M0,{:.1} L{d:.1},0 L0,{d:.1} L{:.1},0 Z", -d, -d))
        }
        GlyphShape::Square => Some(format!("M{0:.1},{0:.1} H{1:.1} V{1:.1} H{0:.1} Z", -r, r)),
        GlyphShape::Triangle => {
            let h = r * 1.3;
            Some(format!(
                "M0,{:.1} L{h:.1},{:.1} L{:.1},{:.1} Z",
                -h,
                h * 0.8,
                -h,
                h * 0.8
            ))
        }
    }
}

/// Where client `index` of `count` sits: in a column left of the ring, so client traffic
/// flows from left to right through the load balancer.
pub fn client_position(index: usize, count: usize) -> Point {
    let c = center();
    let spacing = (VIEW_SIZE * 0.85 / count.max(1) as f64).min(48.0);
    let offset = index as f64 - (count.max(1) - 1) as f64 / 2.0;
    Point {
        x: c.x - RING_RADIUS - 170.0,
        y: c.y + offset * spacing,
    }
}

/// Where the load balancer sits: between the clients and the ring.
pub fn balancer_position() -> Point {
    let c = center();
    Point {
        x: c.x - RING_RADIUS - 85.0,
        y: c.y,
    }
}

#[cfg(test)]
mod palette_tests {
    use super::*;

    #[test]
    fn paxos_phases_have_their_own_glyphs_and_raft_keeps_discs() {
        assert_eq!(glyph_shape(MessageKind::Prepare), GlyphShape::Diamond);
        assert_eq!(glyph_shape(MessageKind::Promise), GlyphShape::Diamond);
        assert_eq!(glyph_shape(MessageKind::Accept), GlyphShape::Square);
        assert_eq!(glyph_shape(MessageKind::Accepted), GlyphShape::Square);
        assert_eq!(glyph_shape(MessageKind::AppendEntries), GlyphShape::Disc);
        assert_eq!(glyph_shape(MessageKind::RequestVote), GlyphShape::Disc);
        assert!(glyph_path(GlyphShape::Disc, 5.0).is_none());
        assert!(glyph_path(GlyphShape::Square, 5.0).is_some_and(|p| p.ends_with('Z')));
        assert_ne!(
            message_color(MessageKind::Nack),
            message_color(MessageKind::Accept)
        );
    }

    #[test]
    fn terms_cycle_through_the_palette_and_stay_readable() {
        assert_eq!(term_color(1), TERM_COLORS[0]);
        assert_eq!(term_color(8), TERM_COLORS[0]);
        assert_ne!(term_color(1), term_color(2));
        // No term colour is a message colour.
        for kind in MessageKind::ALL {
            assert!(!TERM_COLORS.contains(&message_color(kind)), "{kind}");
        }
        for term in 1..=7 {
            assert_eq!(
                term_text_color(term),
                "#1b2330",
                "dark text on every pale fill"
            );
        }
    }

    #[test]
    fn clients_sit_left_of_the_ring_and_the_balancer_between() {
        let lb = balancer_position();
        for i in 0..10 {
            let p = client_position(i, 10);
            assert!(
                p.x < lb.x && lb.x < center().x - RING_RADIUS - SERVER_RADIUS,
                "client {i} at {p:?}"
            );
            assert!(p.y > 0.0 && p.y < VIEW_SIZE);
        }
        assert!(
            client_position(0, 3).y < client_position(2, 3).y,
            "top to bottom"
        );
    }
}
