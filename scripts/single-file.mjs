// Builds one self-contained HTML file from trunk's dist/: the stylesheet, the wasm-bindgen glue
// and the wasm itself (base64) inlined, so the page opens by double-click from disk and works
// offline — a module script may run from file:// but cannot fetch other files there, and
// wasm-bindgen's init accepts the wasm bytes themselves. The glue stays a module of its own,
// imported from a Blob URL: the linearizability check worker imports the same glue from that
// address (the glue's `import.meta.url`).
//
//   node scripts/single-file.mjs [dist] [out.html]      (default: dist, dist/quorum-lab.html)
import fs from "node:fs";
import path from "node:path";
import { inlineStylesheet } from "./inline-stylesheet.mjs";

const dist = path.resolve(process.argv[2] || "dist");
const out = path.resolve(process.argv[3] || path.join(dist, "quorum-lab.html"));
const html = fs.readFileSync(path.join(dist, "index.html"), "utf8");

const find = (re, what) => {
  const m = html.match(re);
  if (!m) throw new Error(`single-file: no ${what} in ${dist}/index.html`);
  return m;
};
const script = find(/<script type="module">[\s\S]*?<\/script>/, "module script");
const jsName = find(/from '([^']+\.js)'/, "glue import")[1];
const wasmName = find(/module_or_path: '([^']+\.wasm)'/, "wasm path")[1];
const read = (name) => fs.readFileSync(path.join(dist, name.replace(/^\.?\//, "")));

// The glue, kept as text in an inert script element until the boot script imports it.
const glue = read(jsName).toString("utf8");
if (/<\/script/i.test(glue)) throw new Error("single-file: the glue contains </script>");
const wasm = read(wasmName).toString("base64");

const boot = `<script type="text/plain" id="quorum-lab-glue">
${glue}
</script>
<script type="module">
const glueText = document.getElementById("quorum-lab-glue").textContent;
const glueUrl = URL.createObjectURL(new Blob([glueText], { type: "text/javascript" }));
const { default: init } = await import(glueUrl);
const wasmBytes = Uint8Array.from(atob("${wasm}"), (c) => c.charCodeAt(0));
const started = await init({ module_or_path: wasmBytes });
dispatchEvent(new CustomEvent("TrunkApplicationStarted", { detail: { wasm: started } }));
</script>`;

// The stylesheet is a link in trunk's output, or already inline (scripts/prerender.mjs).
const page = inlineStylesheet(html, dist)
  .replace(script[0], () => boot)
  .replace(/<link rel="(modulepreload|preload)"[^>]*>/g, "");
fs.writeFileSync(out, page);
const kib = (fs.statSync(out).size / 1024).toFixed(0);
console.log(`single-file: ${path.relative(process.cwd(), out)} (${kib} KiB), opens from disk`);
