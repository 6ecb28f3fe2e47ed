// End-to-end check of the release build: serves dist/ on 127.0.0.1, loads it in headless
// Chromium through chromedriver's WebDriver API (no npm packages needed), and fails if the app
// did not render, a panic banner shows, or the browser console logged an error.
//
//   node scripts/e2e.mjs [--dist dist] [--query "?speed=0.1"] [--screenshot out.png]
//                        [--screenshot-protocol raft|multi_paxos] [--dark]
//                        [--viewport 1280x800] [--zoom 2] [--wait-ms 3000]
//                        [--eval "JS run before the screenshot, e.g. quorumLab.apply(…)"]
//   node scripts/e2e.mjs --probe   (frame-time figures instead of the check)
//   node scripts/e2e.mjs --hour [--cpu-profile]   (an hour reached in big steps, then frames at 1×;
//        with a DevTools CPU profile of those frames — build with `data-keep-debug` on the rust
//        link to read the wasm functions' names)
//   node --experimental-websocket scripts/e2e.mjs --hour --trace   (and a DevTools timeline trace
//        of those frames: what each task over 25 ms on the page's thread spent its time on)
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { execute, openChromium, sleep, wd } from "./webdriver.mjs";

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const DIST = path.resolve(opt("--dist", "dist"));
const SCREENSHOT = opt("--screenshot", "");
const WAIT_MS = Number(opt("--wait-ms", "3000"));
const QUERY = opt("--query", "");
const SCREENSHOT_PROTOCOL = opt("--screenshot-protocol", "raft");
const PROBE = args.includes("--probe");
// An hour-long run reached in big steps, then frames measured at 1× (and wasm memory).
const HOUR = args.includes("--hour");
// The first render with the network throttled as DevTools' "Fast 3G".
const THROTTLED = args.includes("--throttled");
// With --hour: record a CPU profile of the frames measured at 1× and print where the time went
// (build the page with function names kept to read the wasm frames).
const CPU_PROFILE = args.includes("--cpu-profile");
// With --hour: a DevTools timeline trace of those frames, long tasks broken down by event.
const TRACE = args.includes("--trace");
const DARK = args.includes("--dark");
// The screen: width × height in device pixels, and the browser zoom (2: everything twice as
// large, as at 200 % — the page then lays out in half as many CSS pixels).
const [VIEW_W, VIEW_H] = opt("--viewport", "1280x800").split("x").map(Number);
const ZOOM = Number(opt("--zoom", "1"));
// The screen as the messages name it: "1280x800", or "1280x800 (200%)".
const SCREEN = `${VIEW_W}x${VIEW_H}${ZOOM !== 1 ? ` (${ZOOM * 100}%)` : ""}`;
const EVAL = opt("--eval", "");
// Leave the first-visit overlay open (to look at it in a screenshot).
const KEEP_WELCOME = process.argv.includes("--keep-welcome");
// axe-core (npm) to audit the page with; serious or critical findings fail the check.
const AXE = opt("--axe", "");
// Where the page is also served, to prove relative asset URLs.
const SUB_PATH = "/lab/";
// The self-contained file scripts/single-file.mjs writes, opened from disk.
const SINGLE_FILE = path.join(DIST, "quorum-lab.html");

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".wasm": "application/wasm",
  ".css": "text/css",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".json": "application/json",
};

function serveStatic(root) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://127.0.0.1");
    // The same files under a sub-path too, as a host that serves the page at /lab/ would.
    const local = url.pathname.startsWith(SUB_PATH) ? url.pathname.slice(SUB_PATH.length - 1) : url.pathname;
    let file = path.join(root, decodeURIComponent(local));
    if (!file.startsWith(root)) {
      res.writeHead(403).end();
      return;
    }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, "index.html");
    fs.readFile(file, (err, body) => {
      if (err) {
        res.writeHead(404).end("not found");
        return;
      }
      const headers = { "content-type": TYPES[path.extname(file)] || "application/octet-stream" };
      // Compressed as any real host serves it (the throttled first render depends on it).
      if (/\bgzip\b/.test(req.headers["accept-encoding"] || "")) {
        headers["content-encoding"] = "gzip";
        body = zlib.gzipSync(body, { level: 9 });
      }
      res.writeHead(200, headers);
      res.end(body);
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

// The smallest text on screen, in CSS pixels as rendered: in the diagram (SVG text scaled with
// the drawing) and in the panels around it.
const TEXT_SIZES = `
  const own = (el) => Array.from(el.childNodes).some((n) => n.nodeType === 3 && n.textContent.trim());
  const smallest = (selector) => {
    let least = [Infinity, "none"];
    for (const el of document.querySelectorAll(selector)) {
      if (!own(el) || !el.getClientRects().length) continue;
      const cs = getComputedStyle(el);
      if (cs.visibility === "hidden" || cs.display === "none" || el.closest(".sr-only")) continue;
      let size = parseFloat(cs.fontSize);
      if (el instanceof SVGElement && el.getScreenCTM()) {
        const m = el.getScreenCTM();
        size *= Math.hypot(m.a, m.b);
      }
      if (size < least[0]) least = [size, (el.getAttribute("class") || el.tagName) + " “" + el.textContent.trim().slice(0, 18) + "”"];
    }
    return least;
  };
  // Panels: their words; the glyph marks in log cells (● ▲ ✓) and the drawings of the charts
  // are pictures, not text to read.
  const panelText = ".side *:not(svg *):not(.mark), .bottom *:not(svg *):not(.mark), .topbar *:not(svg *), .legend li";
  // Diagram: its words; the + and − on replies are glyphs.
  return { diagram: smallest("svg.cluster text:not(.message-sign), svg.spacetime text"), panels: smallest(panelText) };
`;

// The top bar's controls that are off the screen or covered at their centre by something else.
// Also the presenter's keys strip, when it is shown.
const TOPBAR_COVERED = `
  const hidden = [];
  for (const el of document.querySelectorAll(".topbar button, .topbar input, .topbar select, .topbar .badge, .keys-strip button")) {
    // The keys strip ends a page that scrolls on a narrow screen: look at it where it is.
    if (el.closest(".keys-strip")) el.scrollIntoView({ block: "nearest" });
    const r = el.getBoundingClientRect();
    const name = (el.textContent.trim() || el.getAttribute("data-control") || el.tagName).slice(0, 24);
    if (r.width === 0 || r.height === 0) continue;
    if (r.left < 0 || r.right > window.innerWidth + 0.5 || r.top < 0) {
      hidden.push(name + " is off the screen");
      continue;
    }
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    if (!hit || !(el === hit || el.contains(hit))) {
      hidden.push(name + " is under " + (hit ? (hit.textContent.trim().slice(0, 24) || hit.tagName) : "nothing"));
    }
  }
  return hidden;
`;

// How tall the ring of servers is drawn, in CSS pixels (labels included).
const RING_HEIGHT = `
  const boxes = [...document.querySelectorAll("svg.cluster g.server")].map((g) => g.getBoundingClientRect());
  return boxes.length ? Math.max(...boxes.map((b) => b.bottom)) - Math.min(...boxes.map((b) => b.top)) : 0;
`;

// The rows the presenter's keys strip takes (items of one row share a centre line).
const KEYS_ROWS = `
  const centres = [...document.querySelectorAll(".keys-strip > *")]
    .map((el) => { const r = el.getBoundingClientRect(); return (r.top + r.bottom) / 2; })
    .sort((a, b) => a - b);
  return centres.filter((c, i) => i === 0 || c - centres[i - 1] > 4).length;
`;

// Choices in the side panels whose current name would be cut short: each tab in turn, every
// option measured in the select's own font against the room left beside its arrow.
const CHOICES_CUT = `
  const cut = [];
  const measure = document.createElement("canvas").getContext("2d");
  const tabs = [...document.querySelectorAll(".side [role=tab]")];
  for (const tab of tabs) {
    tab.click();
    await new Promise((r) => setTimeout(r, 250));
    for (const select of document.querySelectorAll(".side select")) {
      const style = getComputedStyle(select);
      measure.font = style.font;
      const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 20;
      for (const option of select.options) {
        if (measure.measureText(option.text).width > room) cut.push(tab.textContent + ": " + option.text);
      }
    }
  }
  tabs[0]?.click();
  return cut;
`;

/** Presentation mode shows the diagram larger than the normal page does, with every control of
 *  the top bar and the keys strip on the screen, and (on a screen as wide as a projector's) the
 *  keys on one row. Leaves presentation mode again. */
async function checkPresentationMode(base, s) {
  const normal = await execute(base, s, RING_HEIGHT);
  await execute(base, s, `document.querySelector("button[data-action=present]").click();`);
  await sleep(400);
  const presented = await execute(base, s, RING_HEIGHT);
  const hidden = await execute(base, s, TOPBAR_COVERED);
  const rows = await execute(base, s, KEYS_ROWS);
  await execute(base, s, `document.querySelector(".keys-strip button[data-action=present]").click(); window.scrollTo(0, 0);`);
  await sleep(200);
  if (hidden.length) {
    throw new Error(`at ${SCREEN} presentation mode hides: ${hidden.join("; ")}`);
  }
  // (A pixel's rounding aside: on a narrow screen both are the page's full width.)
  if (presented < normal - 2) {
    throw new Error(`at ${SCREEN} presentation mode draws the servers smaller (${presented.toFixed(0)} px tall) than the normal page (${normal.toFixed(0)} px)`);
  }
  if (VIEW_W / ZOOM >= 1280 && rows > 1) {
    throw new Error(`at ${SCREEN} the presenter's keys take ${rows} rows, not one`);
  }
  console.log(`e2e: presentation mode at ${SCREEN}: servers drawn ${presented.toFixed(0)} px tall (normal page ${normal.toFixed(0)} px), keys on ${rows} row(s), every control on screen and uncovered`);
}

async function main() {
  if (!fs.existsSync(path.join(DIST, "index.html"))) {
    throw new Error(`${DIST}/index.html is missing: run trunk build --release first`);
  }
  const server = await serveStatic(DIST);
  const pagePort = server.address().port;
  const { base, s, capabilities, close } = await openChromium(
    [
      "--headless=new",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      `--window-size=${VIEW_W},${VIEW_H}`,
    ],
    { "goog:loggingPrefs": { browser: "ALL" } },
  );
  try {
    const debuggerAddress = capabilities?.["goog:chromeOptions"]?.debuggerAddress;
    // An exact viewport, whatever the window decorations; zoom as a browser zooms.
    await wd(base, "POST", `${s}/goog/cdp/execute`, {
      cmd: "Emulation.setDeviceMetricsOverride",
      params: {
        width: Math.round(VIEW_W / ZOOM),
        height: Math.round(VIEW_H / ZOOM),
        deviceScaleFactor: ZOOM,
        mobile: VIEW_W < 800,
      },
    });
    if (DARK) {
      await wd(base, "POST", `${s}/goog/cdp/execute`, {
        cmd: "Emulation.setEmulatedMedia",
        params: { features: [{ name: "prefers-color-scheme", value: "dark" }] },
      });
    }
    if (PROBE) {
      await frameProbe(base, s, pagePort);
      return;
    }
    if (HOUR) {
      await hourProbe(base, s, pagePort, debuggerAddress);
      return;
    }
    if (THROTTLED) {
      await throttledFirstRender(base, s, pagePort);
      return;
    }
    const url = `http://127.0.0.1:${pagePort}/${QUERY}`;
    await wd(base, "POST", `${s}/url`, { url });

    // The still picture of the page (scripts/prerender.mjs) is in the served file, and gone once
    // the page runs: only the running page's servers count.
    if (!fs.readFileSync(path.join(DIST, "index.html"), "utf8").includes('<div id="preview"')) {
      throw new Error("dist/index.html has no preview: run scripts/prerender.mjs after trunk build");
    }
    const probe = `return {
      preview: document.getElementById('preview') !== null,
      servers: document.querySelectorAll('#app svg.cluster g.server').length,
      labels: Array.from(document.querySelectorAll('svg.cluster .server-label')).map(e => e.textContent),
      panic: (document.getElementById('panic-banner') || {}).textContent || null,
      title: document.title,
    };`;
    let state = null;
    for (let waited = 0; waited < 20000; waited += 200) {
      state = await execute(base, s, probe);
      if ((state.servers > 0 && !state.preview) || state.panic) break;
      await sleep(200);
    }
    if (state.preview) throw new Error("the page ran but its preview picture is still shown");
    await sleep(WAIT_MS);
    state = await execute(base, s, probe);
    const logs = await wd(base, "POST", `${s}/se/log`, { type: "browser" });
    const errors = logs.filter((l) => l.level === "SEVERE");
    for (const l of logs) console.log(`e2e: console ${l.level}: ${l.message}`);

    const problems = [];
    if (state.panic) problems.push(`panic banner shown: ${state.panic}`);
    if (state.servers === 0) problems.push("the app root did not render any server");
    if (errors.length) problems.push(`${errors.length} console error(s)`);
    if (problems.length) throw new Error(problems.join("; "));
    console.log(`e2e: page rendered ${state.servers} servers (${state.labels.join(", ")}), no console errors`);

    // A first visit shows the welcome overlay; it is closed with its button and the browser
    // remembers, so the later loads of this origin start without it.
    if (!KEEP_WELCOME) {
      const closed = await execute(
        base,
        s,
        `const b = document.querySelector('[data-action=welcome-close]');
         if (!b) return false; b.click(); return true;`,
      );
      if (!closed) throw new Error("the first visit did not show the welcome overlay");
      await sleep(300);
      const again = await execute(base, s, "return localStorage.getItem('quorum-lab.welcomed')");
      if (again !== "1") throw new Error("closing the welcome overlay was not remembered");
      console.log("e2e: first visit showed the welcome overlay; closed and remembered");
    }

    // The first minute, as a figure (not a pass/fail on wall time): how long a newcomer waits at
    // the default speed for the first election and the first client request.
    {
      await wd(base, "POST", `${s}/url`, { url: `http://127.0.0.1:${pagePort}/${QUERY}` });
      const opened = Date.now();
      const look = `return {
        election: document.querySelectorAll('g.server[data-role=candidate], g.server[data-role=pre-candidate], g.server[data-role=leader]').length,
        client: document.querySelectorAll('g.message[data-kind=ClientRequest]').length,
      };`;
      let election = null, client = null;
      while (Date.now() - opened < 30000 && (election === null || client === null)) {
        const now = await execute(base, s, look);
        const t = ((Date.now() - opened) / 1000).toFixed(1);
        if (election === null && now.election > 0) election = t;
        if (client === null && now.client > 0) client = t;
        await sleep(100);
      }
      console.log(`e2e: first minute at the default speed: first election after ${election ?? ">30"} s, first client request in flight after ${client ?? ">30"} s`);
    }

    // A running cluster, under each protocol: within a few seconds at a brisk speed there is a
    // leader, messages in flight and committed log entries (chosen slots under Multi-Paxos).
    for (const protocol of ["raft", "multi_paxos"]) {
      await wd(base, "POST", `${s}/url`, { url: `http://127.0.0.1:${pagePort}/?speed=0.1&seed=1&protocol=${protocol}` });
      const live = `return {
        leaders: document.querySelectorAll('g.server[data-role=leader]').length,
        messages: document.querySelectorAll('g.message').length,
        committed: document.querySelectorAll('.log-matrix td.cell.committed').length,
        pressed: (document.querySelector('.protocol-switch [aria-pressed=true]') || {}).dataset?.protocol || null,
        panic: (document.getElementById('panic-banner') || {}).textContent || null,
      };`;
      let seen = { leaders: 0, messages: 0, committed: 0, pressed: null };
      for (let waited = 0; waited < 30000; waited += 250) {
        const now = await execute(base, s, live);
        if (now.panic) throw new Error(`panic banner shown: ${now.panic}`);
        seen = {
          leaders: Math.max(seen.leaders, now.leaders),
          messages: Math.max(seen.messages, now.messages),
          committed: Math.max(seen.committed, now.committed),
          pressed: now.pressed,
        };
        if (now.leaders === 1 && now.messages > 0 && now.committed >= 10) break;
        await sleep(250);
      }
      if (seen.pressed !== protocol) {
        throw new Error(`the protocol switch shows ${seen.pressed}, not ${protocol}`);
      }
      if (!(seen.leaders >= 1 && seen.messages > 0 && seen.committed > 0)) {
        throw new Error(`${protocol}: the running page never showed a leader, messages and committed entries: ${JSON.stringify(seen)}`);
      }
      console.log(`e2e: ${protocol}: running cluster shows a leader, ${seen.messages} messages in flight, ${seen.committed} committed cells`);
      // Every control of the top bar is on the screen and not covered by another: a row too
      // narrow for them must wrap, never hide the live / past badge under a button.
      if (protocol === "raft") {
        const hidden = await execute(base, s, TOPBAR_COVERED);
        if (hidden.length) {
          throw new Error(`at ${SCREEN} the top bar hides: ${hidden.join("; ")}`);
        }
        console.log(`e2e: top bar at ${SCREEN}: every control on screen and uncovered`);
        await checkPresentationMode(base, s);
        const cut = await execute(base, s, CHOICES_CUT);
        if (cut.length) {
          throw new Error(`at ${SCREEN} a choice in the side panels is cut short: ${cut.join("; ")}`);
        }
        console.log(`e2e: side panels at ${SCREEN}: every choice shows its whole name`);
      }
      if (SCREENSHOT && protocol === SCREENSHOT_PROTOCOL) {
        if (EVAL) {
          await execute(base, s, EVAL);
          await sleep(WAIT_MS);
        }
        const png = await wd(base, "GET", `${s}/screenshot`);
        fs.writeFileSync(SCREENSHOT, Buffer.from(png, "base64"));
        console.log(`e2e: screenshot of the running cluster written to ${SCREENSHOT}`);
        const sizes = await execute(base, s, TEXT_SIZES);
        console.log(`e2e: smallest text at ${SCREEN}: diagram ${sizes.diagram[0].toFixed(1)} px (${sizes.diagram[1]}), panels ${sizes.panels[0].toFixed(1)} px (${sizes.panels[1]})`);
      }
    }
    // Typing as a person does, through WebDriver's send-keys (real key events), into fields of
    // the running page: the text stays while typing, Enter applies it, a bad value is refused by
    // the field's name and range.
    {
      await wd(base, "POST", `${s}/url`, { url: `http://127.0.0.1:${pagePort}/?seed=1&speed=1` });
      await sleep(1500);
      const ENTER = "\uE007";
      const typeInto = async (selector, text) => {
        const found = await wd(base, "POST", `${s}/element`, { using: "css selector", value: selector });
        const id = Object.values(found)[0];
        // Select what is there (Ctrl+A, then release the modifier) and type over it.
        await wd(base, "POST", `${s}/element/${id}/value`, { text: "\uE009a\uE000" + text });
        await sleep(300);
        return id;
      };
      for (const [field, typed, expect] of [
        ["loss", "30", "30% loss"],
        ["latency-max", "45", "10–45 ms latency"],
      ]) {
        const id = await typeInto(`input[data-field=${field}]`, typed);
        const kept = await wd(base, "GET", `${s}/element/${id}/property/value`);
        if (kept !== typed) throw new Error(`send-keys: ${field} shows ${JSON.stringify(kept)} after typing ${typed}`);
        await wd(base, "POST", `${s}/element/${id}/value`, { text: ENTER });
        await sleep(300);
        const feed = await execute(base, s, `return document.querySelector('section.feed').textContent;`);
        if (!feed.includes(expect)) throw new Error(`send-keys: typing ${typed} into ${field} did not apply (${expect})`);
      }
      const id = await typeInto("input[data-field=loss]", "101" + ENTER);
      await sleep(300);
      const error = await execute(base, s, `return (document.querySelector('.field-error') || {}).textContent || null;`);
      if (error !== "Loss % must be between 0 and 100 % (got 101)") {
        throw new Error(`send-keys: 101 in Loss % was not refused by name and range: ${error}`);
      }
      await wd(base, "POST", `${s}/element/${id}/value`, { text: "\uE009a\uE0000" + ENTER });
      console.log("e2e: typed with WebDriver send-keys into Loss % and Latency max ms while running: kept, applied on Enter, 101 refused by name and range");
    }

    // Accessibility audit of the running page (light and dark), with axe-core.
    if (AXE) {
      const source = fs.readFileSync(AXE, "utf8");
      // The ring as it opens, and the explaining views: the space-time diagram with a message
      // selected (why it was sent, what it caused) and the pseudocode marking its lines.
      const explaining = `quorumLab.pause();
        document.querySelector("button[data-view=space-time]").click();
        await new Promise((r) => setTimeout(r, 300));
        const arrows = document.querySelectorAll("g.st-arrow[data-fate=delivered]");
        arrows[Math.floor(arrows.length / 2)].dispatchEvent(new MouseEvent("click", { bubbles: true }));
        document.querySelector("button[data-tab=pseudocode]").click();
        await new Promise((r) => setTimeout(r, 300));`;
      const explained = "return document.querySelectorAll('svg.spacetime g.st-arrow.selected').length === 1 && document.querySelectorAll('.pseudocode li.ran').length > 0;";
      // A lesson step with its quiz answered and its "what if" run, then the list of lessons.
      const lesson = `document.querySelector(".quiz button[data-choice='0']").click();
        await new Promise((r) => setTimeout(r, 200));
        document.querySelector("button[data-action=lesson-branch]")?.click();
        await new Promise((r) => setTimeout(r, 300));`;
      const lessonShown = "return !!document.querySelector('.lesson-bar .quiz-verdict');";
      const list = `document.querySelector("button[data-action=lessons]").click();
        await new Promise((r) => setTimeout(r, 300));`;
      const listShown = "return document.querySelectorAll('.overlay-card.lessons li[data-lesson]').length >= 12;";
      const audits = [
        ["light", "", "", "", "light"],
        ["dark", "", "", "", "dark"],
        ["light", explaining, explained, "", "light, space-time view and pseudocode"],
        ["dark", explaining, explained, "", "dark, space-time view and pseudocode"],
        ["light", lesson, lessonShown, "#lesson=raft-partitions&step=9", "light, a lesson step with its quiz"],
        ["dark", lesson, lessonShown, "#lesson=raft-partitions&step=9", "dark, a lesson step with its quiz"],
        ["light", list, listShown, "", "light, the list of lessons"],
        ["dark", list, listShown, "", "dark, the list of lessons"],
      ];
      for (const [scheme, views, shownCheck, hash, where] of audits) {
        await wd(base, "POST", `${s}/goog/cdp/execute`, {
          cmd: "Emulation.setEmulatedMedia",
          params: { features: [{ name: "prefers-color-scheme", value: scheme }] },
        });
        // A fresh document each time (a new address, not only a new fragment).
        await wd(base, "POST", `${s}/url`, { url: "about:blank" });
        await wd(base, "POST", `${s}/url`, { url: `http://127.0.0.1:${pagePort}/?seed=1&speed=0.1${hash}` });
        await sleep(2500);
        if (views) {
          const failed = await wd(base, "POST", `${s}/execute/async`, {
            script: `const done = arguments[arguments.length - 1]; (async () => { ${views} })().then(() => done(null), (e) => done(String(e)));`,
            args: [],
          });
          const shown = await execute(base, s, shownCheck);
          if (failed || !shown) throw new Error(`could not open the view to audit (${where}): ${failed || shown}`);
        }
        await execute(base, s, `${source}; return true;`);
        const found = await wd(base, "POST", `${s}/execute/async`, {
          script: `const done = arguments[arguments.length - 1];
            axe.run(document, { resultTypes: ["violations"] }).then(
              (r) => done(r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.length, first: v.nodes[0] && v.nodes[0].target.join(" ") }))),
              (e) => done([{ id: "axe-error", impact: "critical", help: String(e), nodes: 0 }]));`,
          args: [],
        });
        for (const v of found) console.log(`e2e: axe (${where}): ${v.impact} ${v.id} — ${v.help} (${v.nodes} nodes, e.g. ${v.first})`);
        const bad = found.filter((v) => v.impact === "serious" || v.impact === "critical");
        if (bad.length) throw new Error(`axe-core found ${bad.length} serious or critical problem(s) (${where})`);
        console.log(`e2e: axe-core (${where}): no serious or critical findings (${found.length} minor)`);
      }
    }

    // Any host and from disk: the page under a sub-path, and the single file over file://.
    const places = [[`http://127.0.0.1:${pagePort}${SUB_PATH}?seed=1&speed=0.1`, "under the sub-path " + SUB_PATH]];
    if (fs.existsSync(SINGLE_FILE)) places.push([`file://${SINGLE_FILE}?seed=1&speed=0.1`, "as one file from disk"]);
    else throw new Error(`${SINGLE_FILE} is missing: run node scripts/single-file.mjs first`);
    for (const [where, label] of places) {
      await wd(base, "POST", `${s}/url`, { url: where });
      const look = `return {
        servers: document.querySelectorAll('svg.cluster g.server').length,
        leaders: document.querySelectorAll('g.server[data-role=leader]').length,
        panic: (document.getElementById('panic-banner') || {}).textContent || null,
      };`;
      let seen = { servers: 0, leaders: 0 };
      for (let waited = 0; waited < 20000; waited += 250) {
        seen = await execute(base, s, look);
        if (seen.panic) throw new Error(`${label}: panic banner shown: ${seen.panic}`);
        if (seen.servers > 0 && seen.leaders === 1) break;
        await sleep(250);
      }
      if (!(seen.servers > 0 && seen.leaders === 1)) {
        throw new Error(`${label}: the page did not run (${JSON.stringify(seen)})`);
      }
      console.log(`e2e: loaded ${label}: ${seen.servers} servers, a leader elected`);
      // The periodic linearizability check runs in a Web Worker, not on the page's thread.
      await execute(base, s, "quorumLab.skip(5); return null;");
      let check = null;
      for (let waited = 0; waited < 20000 && !check; waited += 250) {
        check = await execute(base, s, "return quorumLab.lastCheck();");
        if (check && check.operations === 0) check = null;
        if (!check) await sleep(250);
      }
      if (!check) throw new Error(`${label}: no linearizability verdict within 20 s`);
      if (!check.inWorker) {
        const log = await wd(base, "POST", `${s}/se/log`, { type: "browser" });
        const why = log.filter((l) => /main thread/.test(l.message)).map((l) => l.message).join("; ");
        throw new Error(`${label}: the check ran on the page's thread, not in a worker (${why})`);
      }
      console.log(`e2e: ${label}: ${check.verdict} over ${check.operations} operations, checked in a worker`);
    }

    const later = await wd(base, "POST", `${s}/se/log`, { type: "browser" });
    const laterErrors = later.filter((l) => l.level === "SEVERE");
    if (laterErrors.length) throw new Error(`${laterErrors.length} console error(s) while running: ${laterErrors.map((l) => l.message).join(" | ")}`);
  } finally {
    await close();
    server.close();
  }
}

/// Frame-time probe: 9 servers, 100 client operations per second, for each protocol and speed; prints the
/// simulation + render time per frame (p50, p95, max, frames over 33 ms) the page measures, and
/// frames per second.
async function frameProbe(base, s, pagePort) {
  for (const [protocol, speed] of [["raft", "0.01"], ["raft", "0.1"], ["raft", "1"], ["multi_paxos", "0.1"], ["multi_paxos", "1"]]) {
    const url = `http://127.0.0.1:${pagePort}/?servers=9&clients=10&rate=100&speed=${speed}&seed=1&protocol=${protocol}`;
    await wd(base, "POST", `${s}/url`, { url });
    await sleep(3000); // let the cluster settle and the frame buffer fill
    // Frame intervals as the browser delivers them: what a person sees, layout and paint included.
    const { timing, stats } = await measureFrames(base, s, 5000, { reset: false });
    console.log(
      `frame probe (${protocol}, 9 servers, 100 ops/s, speed ${speed}×): sim+render per frame p50 ${stats.p50.toFixed(2)} ms, ` +
        `p95 ${stats.p95.toFixed(2)} ms, max ${stats.max.toFixed(1)} ms, ${stats.longFrames} over 33 ms, over ${stats.frames} frames; ${timing.fps.toFixed(1)} frames/s, ` +
        `p95 frame interval ${timing.p95.toFixed(1)} ms`,
    );
  }
}

/// Frames a person sees: requestAnimationFrame intervals over `ms`, with the page's own
/// simulation + render figures (from now on with `reset`, else since the page opened).
/// Intervals include everything the main thread did in between (checks run after the render
/// included), so a stall shows here even if no frame measured it.
async function measureFrames(base, s, ms, { reset }) {
  if (reset) {
    await execute(base, s, "window.quorumLab.resetFrameStats();");
  }
  const timing = await wd(base, "POST", `${s}/execute/async`, {
    script: `const done = arguments[arguments.length - 1];
      const gaps = []; const start = performance.now(); let last = start;
      function tick(t) { gaps.push(t - last); last = t;
        if (t - start < ${ms}) requestAnimationFrame(tick);
        else { const sorted = gaps.slice().sort((a, b) => a - b);
               done({ fps: gaps.length * 1000 / (t - start), p95: sorted[Math.floor(sorted.length * 0.95)],
                      max: sorted[sorted.length - 1], long: gaps.filter((g) => g > 33.4).length, frames: gaps.length }); } }
      requestAnimationFrame(tick);`,
    args: [],
  });
  const stats = await execute(base, s, "return window.quorumLab.frameStats();");
  return { timing, stats };
}

/// The hour-long probe: 9 servers, 10 clients, 100 operations per second at 1×, run ahead to an
/// hour a minute at a time (faster than real time), then frames measured for 10 s at 1×.
async function hourProbe(base, s, pagePort, debuggerAddress) {
  for (const protocol of ["raft", "multi_paxos"]) {
    const url = `http://127.0.0.1:${pagePort}/?servers=9&clients=10&rate=100&speed=1&seed=1&protocol=${protocol}`;
    await wd(base, "POST", `${s}/url`, { url });
    await sleep(2000);
    const started = Date.now();
    for (let minute = 1; minute <= 60; minute++) {
      const err = await execute(base, s, "return window.quorumLab.skip(60);");
      if (err) throw new Error(err);
      await sleep(250); // a frame or two, and the periodic check, between the steps
      if (minute === 10 || minute === 30 || minute === 60) {
        const bytes = await execute(base, s, "return window.quorumLab.wasmMemory();");
        console.log(`hour probe (${protocol}): after ${minute} simulated min, wasm memory ${(bytes / 1e6).toFixed(1)} MB`);
      }
    }
    const reached = (Date.now() - started) / 1000;
    if (CPU_PROFILE) {
      await wd(base, "POST", `${s}/goog/cdp/execute`, { cmd: "Profiler.enable", params: {} });
      await wd(base, "POST", `${s}/goog/cdp/execute`, { cmd: "Profiler.setSamplingInterval", params: { interval: 200 } });
      await wd(base, "POST", `${s}/goog/cdp/execute`, { cmd: "Profiler.start", params: {} });
    }
    const trace = TRACE ? await startTrace(debuggerAddress, pagePort) : null;
    const { timing, stats } = await measureFrames(base, s, 10000, { reset: true });
    if (trace) printLongTasks(protocol, await trace.stop());
    if (CPU_PROFILE) {
      const { profile } = await wd(base, "POST", `${s}/goog/cdp/execute`, { cmd: "Profiler.stop", params: {} });
      printProfile(protocol, profile);
    }
    console.log(
      `hour probe (${protocol}, 9 servers, 100 ops/s, reached the hour in ${reached.toFixed(0)} s): at 1× sim+render per frame p50 ${stats.p50.toFixed(2)} ms, ` +
        `p95 ${stats.p95.toFixed(2)} ms, max ${stats.max.toFixed(1)} ms, ${stats.longFrames} over 33 ms; frame intervals p95 ${timing.p95.toFixed(1)} ms, ` +
        `max ${timing.max.toFixed(1)} ms, ${timing.long} over 33 ms of ${timing.frames} (${timing.fps.toFixed(1)} frames/s)`,
    );
  }
}

/// Starts a DevTools timeline trace of the page over the browser's own debugging socket (WebDriver
/// cannot carry the trace's events); `stop()` ends it and returns the events.
async function startTrace(debuggerAddress, pagePort) {
  if (typeof WebSocket === "undefined") throw new Error("--trace needs node --experimental-websocket");
  const targets = await (await fetch(`http://${debuggerAddress}/json`)).json();
  const page = targets.find((t) => t.type === "page" && t.url.includes(`127.0.0.1:${pagePort}`));
  if (!page) throw new Error("--trace: the page's debugging target was not found");
  const socket = new WebSocket(page.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = reject;
  });
  const events = [];
  let complete = null;
  const done = new Promise((resolve) => (complete = resolve));
  socket.onmessage = ({ data }) => {
    const message = JSON.parse(data);
    if (message.method === "Tracing.dataCollected") events.push(...message.params.value);
    if (message.method === "Tracing.tracingComplete") complete();
  };
  let id = 0;
  const send = (method, params = {}) => socket.send(JSON.stringify({ id: ++id, method, params }));
  send("Tracing.start", {
    categories: "devtools.timeline,v8,v8.execute,disabled-by-default-devtools.timeline,disabled-by-default-v8.gc",
    transferMode: "ReportEvents",
  });
  await sleep(200);
  return {
    stop: async () => {
      send("Tracing.end");
      await done;
      socket.close();
      return events;
    },
  };
}

/// The tasks over 25 ms on the page's main thread, each with the events inside it that took the
/// most time (self time: an event's duration minus the events nested in it).
function printLongTasks(protocol, events) {
  const main = events.find((e) => e.ph === "M" && e.name === "thread_name" && e.args?.name === "CrRendererMain");
  const onMain = events.filter((e) => e.ph === "X" && main && e.pid === main.pid && e.tid === main.tid && e.dur !== undefined);
  onMain.sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  const long = onMain.filter((e) => e.name === "RunTask" && e.dur > 25000);
  const total = (name) => onMain.filter((e) => e.name === name).reduce((n, e) => n + e.dur, 0) / 1000;
  const parts = ["FunctionCall", "UpdateLayoutTree", "Layout", "PrePaint", "Paint", "Layerize", "Commit"];
  console.log(
    `trace (${protocol}): ${long.length} tasks over 25 ms on the page's thread; ms in the trace: ` +
      parts.map((p) => `${p} ${total(p).toFixed(0)}`).join(", "),
  );
  for (const task of long.slice(0, 12)) {
    const inside = onMain.filter((e) => e !== task && e.ts >= task.ts && e.ts + e.dur <= task.ts + task.dur);
    const own = new Map();
    for (const e of inside) {
      const nested = inside.filter((c) => c !== e && c.ts >= e.ts && c.ts + c.dur <= e.ts + e.dur && c.ts !== e.ts + e.dur);
      const child = nested.filter((c) => !nested.some((p) => p !== c && c.ts >= p.ts && c.ts + c.dur <= p.ts + p.dur));
      const self = e.dur - child.reduce((n, c) => n + c.dur, 0);
      own.set(e.name, (own.get(e.name) || 0) + self);
    }
    const top = [...own].sort((a, b) => b[1] - a[1]).slice(0, 6);
    console.log(`  ${(task.dur / 1000).toFixed(1)} ms: ${top.map(([n, d]) => `${n} ${(d / 1000).toFixed(1)}`).join(", ")}`);
  }
}

/// Self and total time per function of a DevTools CPU profile, the heaviest first.
function printProfile(protocol, profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children || []) parent.set(c, n.id);
  const hits = new Map();
  for (const id of profile.samples) hits.set(id, (hits.get(id) || 0) + 1);
  const self = new Map();
  const total = new Map();
  const name = (n) => (n.callFrame.functionName || "(anonymous)").replace(/::h[0-9a-f]{16}$/, "").slice(0, 150);
  for (const [id, count] of hits) {
    const own = name(byId.get(id));
    self.set(own, (self.get(own) || 0) + count);
    const seen = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const f = name(byId.get(at));
      if (!seen.has(f)) total.set(f, (total.get(f) || 0) + count);
      seen.add(f);
    }
  }
  const all = profile.samples.length;
  const show = (map, what) => {
    console.log(`cpu profile (${protocol}), ${what}:`);
    for (const [f, c] of [...map].sort((a, b) => b[1] - a[1]).slice(0, 100)) console.log(`  ${((100 * c) / all).toFixed(1).padStart(5)} %  ${f}`);
  };
  show(self, "self time");
  show(total, "total time");
}

/// The first render with DevTools' "Fast 3G" conditions (562.5 ms round trip, 1.44 Mbit/s down
/// at 90 %, 675 kbit/s up at 90 %) and a cold cache: when the page's first render marked itself,
/// and when the browser first painted (the preview picture, before the wasm arrives).
async function throttledFirstRender(base, s, pagePort) {
  await wd(base, "POST", `${s}/goog/cdp/execute`, { cmd: "Network.enable", params: {} });
  await wd(base, "POST", `${s}/goog/cdp/execute`, { cmd: "Network.setCacheDisabled", params: { cacheDisabled: true } });
  await wd(base, "POST", `${s}/goog/cdp/execute`, {
    cmd: "Network.emulateNetworkConditions",
    params: { offline: false, latency: 562.5, downloadThroughput: (1.44e6 * 0.9) / 8, uploadThroughput: (675e3 * 0.9) / 8 },
  });
  for (const [name, path] of [["served files", "/"]]) {
    await wd(base, "POST", `${s}/url`, { url: `http://127.0.0.1:${pagePort}${path}` });
    let mark = null;
    for (let waited = 0; waited < 30000 && !mark; waited += 250) {
      mark = await execute(base, s, "const m = performance.getEntriesByName('quorum-lab-first-render')[0]; return m ? m.startTime : null;");
      if (!mark) await sleep(250);
    }
    const bytes = await execute(base, s, "return performance.getEntriesByType('resource').concat(performance.getEntriesByType('navigation')).reduce((n, e) => n + (e.transferSize || 0), 0);");
    const paint = await execute(base, s, "const p = performance.getEntriesByName('first-contentful-paint')[0]; return p ? p.startTime : null;");
    console.log(`first render under Fast 3G (${name}): ${mark === null ? "none within 30 s" : `${(mark / 1000).toFixed(2)} s`} after navigation, ${(bytes / 1e3).toFixed(0)} kB transferred; first paint (the preview picture) ${paint === null ? "none" : `${(paint / 1000).toFixed(2)} s`}`);
  }
}

main().then(
  () => {
    console.log("e2e: 1 passed, 0 failed");
  },
  (err) => {
    console.error(`e2e: FAILED: ${err.message}`);
    console.log("e2e: 0 passed, 1 failed");
    process.exit(1);
  },
);
