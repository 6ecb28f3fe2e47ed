//! The frame-time probe behind `quorumLab.frameStats()`: how long each frame's work took —
//! the simulation advanced by its tick plus the render — kept apart from the page's state, since
//! measuring is the page's business, not the reducer's.

use std::collections::VecDeque;

/// Bytes of WebAssembly memory the page holds. Wasm memory only grows, so this is the peak
/// so far — what `quorumLab.wasmMemory()` and the memory benchmarks report.
pub fn wasm_memory_bytes() -> u32 {
    use wasm_bindgen::JsCast;
    wasm_bindgen::memory()
        .unchecked_into::<js_sys::WebAssembly::Memory>()
        .buffer()
        .unchecked_into::<js_sys::ArrayBuffer>()
        .byte_length()
}

/// Frames remembered.
const FRAME_SAMPLES: usize = 600;

/// A frame longer than this misses two 60 Hz refreshes: a visible stutter.
pub const LONG_FRAME_MS: f64 = 33.0;

/// Recent frame times.
#[derive(Debug, Default)]
pub struct FrameProbe {
    /// Simulation + render milliseconds per frame, newest last.
    samples: VecDeque<f64>,
    /// Simulation work of the frame being drawn, ms.
    sim_ms: f64,
    /// Frames longer than [`LONG_FRAME_MS`] since the page opened.
    long_frames: u64,
    /// The longest frame since the page opened, ms.
    max_ms: f64,
}

/// What `frameStats()` reports.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FrameStats {
    /// Frames remembered.
    pub frames: usize,
    /// Median of the remembered frames, ms.
    pub p50: f64,
    /// 95th percentile of the remembered frames, ms.
    pub p95: f64,
    /// The longest frame since the page opened, ms.
    pub max: f64,
    /// Frames longer than [`LONG_FRAME_MS`] since the page opened.
    pub long_frames: u64,
}

impl FrameProbe {
    /// The tick of the frame being drawn took `ms` of simulation.
    pub fn simulated(&mut self, ms: f64) {
        self.sim_ms += ms;
    }

    /// The frame was drawn; rendering took `render_ms`.
    pub fn drawn(&mut self, render_ms: f64) {
        let total = self.sim_ms + render_ms;
        self.sim_ms = 0.0;
        if self.samples.len() == FRAME_SAMPLES {
            self.samples.pop_front();
        }
        self.samples.push_back(total);
        self.max_ms = self.max_ms.max(total);
        if total > LONG_FRAME_MS {
            self.long_frames += 1;
        }
    }

    /// Forgets every frame measured so far, so a probe can measure from a chosen moment (after
    /// jumping an hour ahead, say) without the jump's own frames.
    pub fn reset(&mut self) {
        *self = FrameProbe::default();
    }

    /// Percentiles of the remembered frames, the longest and the count of long ones.
    pub fn stats(&self) -> FrameStats {
        let mut v: Vec<f64> = self.samples.iter().copied().collect();
        v.sort_by(|a, b| a.total_cmp(b));
        let at = |p: f64| quorum_cluster::metrics::percentile(&v, p).unwrap_or(0.0);
        FrameStats {
            frames: v.len(),
            p50: at(0.5),
            p95: at(0.95),
            max: self.max_ms,
            long_frames: self.long_frames,
        }
    }
}
