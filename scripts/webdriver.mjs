// The little of the WebDriver protocol the scripts use, over chromedriver (no npm packages):
// a free local port, one command, and a Chromium session that can be closed again.
import net from "node:net";
import { spawn } from "node:child_process";

export const CHROMEDRIVER = process.env.CHROMEDRIVER || "/usr/bin/chromedriver";
export const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/// A port nothing listens on, on 127.0.0.1.
export function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/// One WebDriver command; its `value`, or an error naming the command.
export async function wd(base, method, route, body) {
  const res = await fetch(base + route, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${method} ${route}: ${JSON.stringify(json.value)}`);
  return json.value;
}

/// Runs `script` in the page of session `s` (a function body: `return` gives the result).
export function execute(base, s, script) {
  return wd(base, "POST", `${s}/execute/sync`, { script, args: [] });
}

/// Starts chromedriver on a free port and waits until it is ready: its base URL, and a function
/// that stops it.
export async function startDriver() {
  const port = await freePort();
  const driver = spawn(CHROMEDRIVER, [`--port=${port}`, "--allowed-ips=127.0.0.1"], { stdio: "ignore" });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      const status = await wd(base, "GET", "/status");
      if (status.ready) break;
    } catch (_) {
      /* not up yet */
    }
    if (i > 100) {
      driver.kill();
      throw new Error("chromedriver did not start");
    }
    await sleep(100);
  }
  return { base, stop: () => driver.kill() };
}

/// A Chromium session through a chromedriver of its own, started with `args` (other
/// capabilities in `extra`): the driver's base URL, the session's route (`/session/<id>`), the
/// capabilities the driver granted, and `close`, which ends the session and the driver.
export async function openChromium(args, extra = {}) {
  const { base, stop } = await startDriver();
  try {
    const created = await wd(base, "POST", "/session", {
      capabilities: { alwaysMatch: { browserName: "chrome", ...extra, "goog:chromeOptions": { binary: CHROMIUM, args } } },
    });
    const s = `/session/${created.sessionId}`;
    const close = async () => {
      await wd(base, "DELETE", s).catch(() => {});
      stop();
    };
    return { base, s, capabilities: created.capabilities, close };
  } catch (e) {
    stop();
    throw e;
  }
}
