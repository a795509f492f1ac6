// What the browser scripts share: launching the installed Chromium (never a
// downloaded one), screenshots, form submission, the error summary, the desk's
// sign-in, the codes the sandbox "sent" by SMS, a citizen's new account and
// the scripts' command line.

import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { chromium } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

/// A failed expectation: reported as its message, without a stack.
export class JourneyError extends Error {}

export function check(cond, msg) {
  if (!cond) throw new JourneyError(msg);
}

export const pathOf = (page) => new URL(page.url()).pathname;

export function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
    timeout: 60_000,
  });
}

/// Full-page screenshots into `artifacts`; `files` lists them for the RESULT line.
export function screenshotter(artifacts, log) {
  const files = [];
  return {
    files,
    async shot(page, name) {
      const file = path.join(artifacts, `${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      files.push(file);
      log(`screenshot ${file}`);
    },
  };
}

/// Submits `form` with its submit button and waits for the page the browser lands
/// on; returns its response. (Not `getByRole('button')`: a file input is a button too.)
export async function submit(page, form, timeout) {
  const [response] = await Promise.all([
    page.waitForNavigation({ waitUntil: 'load', timeout }),
    form.locator('[type="submit"]').first().click(),
  ]);
  return response;
}

/// Fails with the page's error summary (role=alert) if it has one.
export async function noAlert(page, what) {
  const alerts = page.getByRole('alert');
  if ((await alerts.count()) > 0) {
    const text = (await alerts.allInnerTexts()).join(' | ');
    throw new JourneyError(`${what}: the page shows an error: ${text}`);
  }
}

/// Signs `who` in at the desk of `institution` and checks the inbox opened.
export async function deskSignIn(page, base, institution, who) {
  const r = await page.goto(`${base}/desk/login`);
  check(r?.ok(), `GET /desk/login answered ${r?.status()}`);
  const form = page.locator('form[action="/desk/login"]');
  await form.locator('select[name="institution"]').selectOption(institution);
  await form.locator('input[name="username"]').fill(who.username);
  await form.locator('input[name="password"]').fill(who.password);
  const landed = await submit(page, form);
  await noAlert(page, `sign-in of ${who.username}`);
  check(
    pathOf(page) === '/desk' && landed?.ok(),
    `sign-in of ${who.username} landed on ${page.url()} (${landed?.status()}), not /desk`,
  );
  // Signed in: the page offers the sign-out form.
  check(
    (await page.locator('form[action="/desk/logout"]').count()) === 1,
    `no sign-out form after signing in ${who.username}`,
  );
}

/// The sandbox outbox's messages to `phone`, newest first (what the phone received).
export async function outbox(base, phone) {
  const r = await fetch(`${base}/api/v1/sandbox/outbox?to=${encodeURIComponent(phone)}`);
  check(r.ok, `the outbox answered ${r.status}`);
  return (await r.json()).messages;
}

/// The six-digit code of the newest message to `phone`.
export async function latestCode(base, phone) {
  const messages = await outbox(base, phone);
  const m = messages.length > 0 && messages[0].text.match(/\b(\d{6})\b/);
  check(m, `no code in the outbox for ${phone}: ${JSON.stringify(messages)}`);
  return m[1];
}

/// Fills and sends the registration form open on `page` for `account` ({name,
/// phone, password}); `before(page)` runs on the filled form (a screenshot, a
/// check). Lands on the code page.
export async function register(page, account, before = async () => {}) {
  check(pathOf(page) === '/portal/register', `expected the registration page, got ${page.url()}`);
  const form = page.locator('form[action="/portal/register"]');
  await form.locator('[name="name"]').fill(account.name);
  await form.locator('[name="phone"]').fill(account.phone);
  await form.locator('[name="password"]').fill(account.password);
  await form.locator('[name="password2"]').fill(account.password);
  await before(page);
  await submit(page, form);
  await noAlert(page, 'registration');
  check(pathOf(page) === '/portal/verify', `registration landed on ${page.url()}`);
}

/// On the code page after registering: types the code the outbox got for
/// `phoneE164` and sends it; `before(page)` runs first. Signs in.
export async function confirmAccount(page, base, phoneE164, before = async () => {}) {
  await before(page);
  const form = page.locator('form[action="/portal/verify"]');
  await form.locator('[name="contact"]').fill(phoneE164);
  await form.locator('[name="code"]').fill(await latestCode(base, phoneE164));
  await submit(page, form);
  await noAlert(page, 'verification');
}

/// The command line every journey script takes, `BASE_URL ARTIFACTS_DIR
/// CONFIG_JSON`: the base URL, the screenshots' folder (made if missing) and
/// the parsed config; exits 2 with the usage otherwise.
export async function scriptArgs(script) {
  const [base, artifacts, configPath] = process.argv.slice(2);
  if (!base || !artifacts || !configPath) {
    console.error(`usage: node ${script} BASE_URL ARTIFACTS_DIR CONFIG_JSON`);
    process.exit(2);
  }
  const config = JSON.parse(await readFile(configPath, 'utf8'));
  await mkdir(artifacts, { recursive: true });
  return { base, artifacts, config };
}

/// The six-digit code of the first message to `phone` that `action` makes the
/// platform send, waiting up to 10 s for it. Other messages that arrive in
/// between (news of a payment, a registration) are passed over: a number
/// inside a registration number (`CJC-2026-000010`) is no code.
export async function codeSentBy(base, phone, action) {
  const before = (await outbox(base, phone)).length;
  await action();
  const deadline = Date.now() + 10_000;
  for (;;) {
    const messages = await outbox(base, phone);
    const fresh = messages.slice(0, messages.length - before).reverse();
    for (const m of fresh) {
      const code = m.text.match(/(?<![\d-])(\d{6})(?!\d)/);
      if (code) return code[1];
    }
    check(Date.now() < deadline, `no code came to ${phone} within 10 s: ${JSON.stringify(fresh)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/// A full-page screenshot of `page` at `width` CSS pixels (a phone's 320 by
/// default) saved as `file`; the viewport is restored afterwards.
export async function shotAtWidth(page, file, width = 320) {
  const size = page.viewportSize();
  await page.setViewportSize({ width, height: size.height });
  try {
    await page.screenshot({ path: file, fullPage: true });
  } finally {
    await page.setViewportSize(size);
  }
}

/// GET `url` from Node with the browser's session cookies of `page`: the bytes
/// of a file the browser showed (Chromium's PDF viewer keeps them from
/// `response.body()`). Chromium sends its Secure cookies to 127.0.0.1, a secure
/// context, but `context.cookies(url)` of an http URL and Playwright's own
/// request context leave them out, so they are matched by host and path here.
export async function fetchWithSession(page, url) {
  const { hostname, pathname } = new URL(url);
  const cookie = (await page.context().cookies())
    .filter((c) => c.domain.replace(/^\./, '') === hostname && pathname.startsWith(c.path))
    .map((c) => `${c.name}=${c.value}`)
    .join('; ');
  return fetch(url, { headers: { cookie }, redirect: 'manual' });
}

/// The end of a journey that inspects pages: fails if any page check failed,
/// else prints `RESULT {json}` for the Rust driver; the browser is closed.
export async function finishJourney(browser, problems, result) {
  if (problems.length > 0) {
    throw new JourneyError(`${problems.length} page check(s) failed:\n${problems.join('\n')}`);
  }
  console.log(`RESULT ${JSON.stringify(result)}`);
  await browser.close();
}

/// A journey that failed with `e` on `page`: says where and why (and the page
/// checks that had failed before), saves the page as `failure.png` into
/// `artifacts`, closes the browser and exits with 1.
export async function failJourney(browser, page, artifacts, problems, e) {
  console.error(`FAILED at ${page?.url()}: ${e.message}`);
  if (!(e instanceof JourneyError)) console.error(e.stack);
  if (problems.length > 0 && !e.message.includes('page check(s) failed')) {
    console.error(`and earlier page checks:\n${problems.join('\n')}`);
  }
  if (page) await page.screenshot({ path: path.join(artifacts, 'failure.png'), fullPage: true }).catch(() => {});
  await browser.close();
  process.exit(1);
}
