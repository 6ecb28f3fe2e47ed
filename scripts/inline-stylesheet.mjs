// Puts dist's stylesheet into a page as a <style> element, for the pages that must not wait on a
// second file (the preview in dist/index.html) or cannot fetch one (the self-contained file).
import fs from "node:fs";
import path from "node:path";

/// `html` (dist's index.html) with its stylesheet link replaced by the stylesheet's text;
/// unchanged when the stylesheet is inline already. Throws when there is neither.
export function inlineStylesheet(html, dist) {
  const link = html.match(/<link rel="stylesheet" href="\.?\/?([^"]+)"[^>]*>/);
  if (!link) {
    if (html.includes("<style>")) return html;
    throw new Error(`no stylesheet in ${dist}/index.html`);
  }
  const css = fs.readFileSync(path.join(dist, link[1]), "utf8");
  return html.replace(link[0], () => `<style>\n${css}\n</style>`);
}
