// Puts a still picture of the page into trunk's dist/index.html, drawn before the WebAssembly
// arrives: on a slow connection the wasm takes seconds to download, and the tab would stay blank
// for all of them. The picture is the page itself as it first opens, rendered by headless
// Chromium from the self-contained file, without the first-visit overlay and without ids; it is
// faded, inert (no focus, no clicks), says the simulator is loading, and the page removes it on
// its first render. Run after `trunk build --release`; running it again replaces the picture.
//
//   node scripts/prerender.mjs [dist]
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { inlineStylesheet } from "./inline-stylesheet.mjs";
import { CHROMEDRIVER, CHROMIUM, openChromium, sleep, wd } from "./webdriver.mjs";

const dist = path.resolve(process.argv[2] || "dist");
const index = path.join(dist, "index.html");
const START = '<div id="preview"';
const END = "<!-- /preview -->";

/// The end of the element whose start tag begins at `from` (elements are divs; the app's text
/// is escaped, so a literal `<div` only ever opens one).
function endOfDiv(html, from) {
  const tag = /<div\b|<\/div>/g;
  tag.lastIndex = from;
  let depth = 0;
  for (let m; (m = tag.exec(html)); ) {
    depth += m[0] === "</div>" ? -1 : 1;
    if (depth === 0) return m.index + m[0].length;
  }
  throw new Error("prerender: an element is not closed");
}

/// The page's markup as soon as it has drawn itself in headless Chromium. The page compiles its
/// wasm in real time, so this waits for the app to appear (up to a minute) rather than for a
/// fixed time: a `--dump-dom` with a virtual time budget could run out of virtual time before
/// the compile finished on a busy machine.
async function drawPage(file) {
  const { base, s, close } = await openChromium(["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--window-size=1280,800"]);
  try {
    await wd(base, "POST", `${s}/url`, { url: `file://${file}` });
    const drawn = "return document.querySelector('#app .app') !== null;";
    for (let waited = 0; !(await wd(base, "POST", `${s}/execute/sync`, { script: drawn, args: [] })); waited += 200) {
      if (waited > 60000) throw new Error("prerender: the page did not render in headless Chromium within a minute");
      await sleep(200);
    }
    return await wd(base, "POST", `${s}/execute/sync`, { script: "return document.documentElement.outerHTML;", args: [] });
  } finally {
    await close();
  }
}

for (const tool of [CHROMIUM, CHROMEDRIVER]) {
  if (!fs.existsSync(tool)) {
    console.log(`prerender: no ${tool} (scripts/setup.sh test installs it); dist/index.html keeps no picture, and the page stays blank until its wasm arrives`);
    process.exit(0);
  }
}

const page = fs.readFileSync(index, "utf8");
const bare = page.includes(START) ? page.slice(0, page.indexOf(START)) + page.slice(page.indexOf(END) + END.length) : page;

// The self-contained file opens from disk, so no server is needed to draw the page.
const work = fs.mkdtempSync(path.join(os.tmpdir(), "quorum-prerender-"));
try {
  fs.writeFileSync(path.join(dist, "index.html"), bare);
  const single = path.join(work, "page.html");
  execFileSync("node", [path.join(path.dirname(new URL(import.meta.url).pathname), "single-file.mjs"), dist, single]);
  const dom = await drawPage(single);
  const appStart = dom.indexOf('<div class="app');
  if (appStart < 0) throw new Error("prerender: the page's markup has no app in it");
  let app = dom.slice(appStart, endOfDiv(dom, appStart));
  const dialog = app.indexOf('<div role="dialog"');
  if (dialog >= 0) app = app.slice(0, dialog) + app.slice(endOfDiv(app, dialog));
  app = app.replace(/\s(id|aria-labelledby|aria-describedby|aria-controls|for)="[^"]*"/g, "");
  // Screen readers hear that the simulator is loading; the picture itself is hidden from them.
  const preview =
    `${START}><p class="preview-note" role="status">Loading the simulator…</p>` +
    `<div class="preview-page" inert aria-hidden="true">${app}</div></div>${END}`;
  const out = bare.replace(/(<div id="app">[\s\S]*?<\/div>)/, `$1${preview}`);
  if (out === bare) throw new Error('prerender: no <div id="app"> in index.html');
  // The stylesheet inline: the picture paints one round trip sooner on a slow connection.
  fs.writeFileSync(index, inlineStylesheet(out, dist));
  console.log(`prerender: ${path.relative(process.cwd(), index)} shows the page (${(app.length / 1024).toFixed(0)} KiB of markup) until the wasm starts`);
} catch (e) {
  fs.writeFileSync(index, page);
  throw e;
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
