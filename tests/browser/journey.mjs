// The paper-dossier journey in headless Chromium, through the real desk UI:
// a registrar registers a scanned paper, an official of the first department
// forwards it to another department, that department's head resolves it, and
// the public tracking page, on a 360×740 phone viewport, shows every step.
//
//   node journey.mjs BASE_URL ARTIFACTS_DIR CONFIG_JSON
//
// BASE_URL is a running host with the desk and tracking (e.g. http://127.0.0.1:3000),
// ARTIFACTS_DIR receives the full-page screenshots, CONFIG_JSON is a file:
//
//   { "institution": "cjcluj", "registration_prefix": "CJC",
//     "document_type": "certificat-urbanism",
//     "registrar": {"username": "...", "password": "..."},
//     "official":  {"username": "...", "password": "..."},
//     "head":      {"username": "...", "password": "..."},
//     "forward_to": "juridic", "forward_note": "...", "resolve_note": "...",
//     "expected_steps": [{"label": "...", "department": "...", "note": "..."}, ...] }
//
// `tests/tests/api/browser.rs` writes it from the seed and the domain's own labels.
// Selectors go by URL, form `action`/`name`/`value` and ARIA roles, not by layout or
// wording. On success the last line is `RESULT {json}` (registration number, token,
// tracking URL, screenshots); on failure the page is saved as `failure.png` and the
// exit code is 1.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  JourneyError,
  check,
  deskSignIn,
  launch,
  noAlert,
  pathOf,
  screenshotter,
  scriptArgs,
  submit,
} from './common.mjs';

const STEP_TIMEOUT_MS = 20_000;

const { base, artifacts, config } = await scriptArgs('journey.mjs');

const started = Date.now();
const log = (msg) => console.log(`[journey +${((Date.now() - started) / 1000).toFixed(1)}s] ${msg}`);
const { files: screenshots, shot } = screenshotter(artifacts, log);
let current = null; // the page to save if something fails

async function signIn(page, who, role) {
  current = page;
  await deskSignIn(page, base, config.institution, who);
  log(`${role} ${who.username} signed in`);
}

async function signOut(page, who) {
  // Printable pages (the receipt) have no header: sign out from the inbox.
  if ((await page.locator('form[action="/desk/logout"]').count()) === 0) await page.goto(`${base}/desk`);
  const landed = await submit(page, page.locator('form[action="/desk/logout"]'));
  check(
    pathOf(page) === '/desk/login' && landed?.ok(),
    `sign-out of ${who.username} landed on ${page.url()} (${landed?.status()})`,
  );
  // The session is gone: the desk sends back to the sign-in form.
  await page.goto(`${base}/desk`);
  check(pathOf(page) === '/desk/login', `after sign-out /desk still opens (${page.url()})`);
  log(`${who.username} signed out`);
}

async function openDossier(page, id) {
  const r = await page.goto(`${base}/desk/dossiers/${id}`);
  check(r?.ok(), `GET /desk/dossiers/${id} answered ${r?.status()}`);
}

/// Fills and submits the dossier page's action form for `action`, then checks the
/// desk redirected back to the dossier (an error re-renders at .../actions).
async function act(page, id, action, fields) {
  const form = page.locator(
    `form[action="/desk/dossiers/${id}/actions"]:has(input[name="action"][value="${action}"])`,
  );
  check(
    (await form.count()) === 1,
    `the dossier page offers no "${action}" form to this official (${await form.count()} found)`,
  );
  // Actions other than the expected next step wait behind a disclosure.
  if (await form.isHidden()) await page.locator('details.more-actions > summary').click();
  for (const [name, value] of Object.entries(fields)) {
    const field = form.locator(`[name="${name}"]`);
    const tag = await field.evaluate((el) => el.tagName.toLowerCase());
    if (tag === 'select') await field.selectOption(value);
    else await field.fill(value);
  }
  const landed = await submit(page, form);
  await noAlert(page, `action ${action}`);
  check(
    pathOf(page) === `/desk/dossiers/${id}` && landed?.ok(),
    `action ${action} landed on ${page.url()} (${landed?.status()}), not the dossier page`,
  );
  log(`action ${action} applied`);
}

/// A small but valid one-page PDF (correct xref offsets).
function minimalPdf() {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    null, // the content stream, below
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  const text = 'BT /F1 18 Tf 72 770 Td (Cerere - test Ghiseu) Tj ET';
  objects[3] = `<< /Length ${text.length} >>\nstream\n${text}\nendstream`;
  let out = '%PDF-1.4\n';
  const offsets = [];
  objects.forEach((body, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

const tmp = await mkdtemp(path.join(tmpdir(), 'ghiseu-journey-'));
let browser;
let exitCode = 0;
try {
  const pdf = path.join(tmp, 'cerere-scanata.pdf');
  await writeFile(pdf, minimalPdf());

  browser = await launch();
  log(`chromium ${browser.version()} launched`);

  // The desk, on an office screen.
  const desk = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'ro-RO' });
  desk.setDefaultTimeout(STEP_TIMEOUT_MS);
  const page = await desk.newPage();
  current = page;

  // 1. The registrar registers the paper.
  await signIn(page, config.registrar, 'registrar');
  await shot(page, '01-registrar-inbox');
  let r = await page.goto(`${base}/desk/intake`);
  check(r?.ok(), `GET /desk/intake answered ${r?.status()}`);
  // Step 1: the type; step 2: its form.
  const choice = page.locator('form.intake-choice');
  await choice.locator(`input[name="document_type"][value="${config.document_type}"]`).check();
  r = await submit(page, choice);
  check(r?.ok() && pathOf(page) === '/desk/intake', `step 1 of the intake answered ${r?.status()}`);
  const intake = page.locator('form#intake-form');
  check(
    (await intake.locator('select[name="document_type"]').inputValue()) === config.document_type,
    'step 2 of the intake is not the chosen type',
  );
  await intake.locator('[name="name"]').fill('Ioana Mureșan');
  await intake.locator('[name="pages"]').fill('2');
  await intake.locator('input[name="scan"]').setInputFiles(pdf);
  await intake.locator('[name="note"]').fill('Depus la ghișeu (test automat în browser).');
  await shot(page, '02-intake-filled');
  r = await submit(page, intake);
  await noAlert(page, 'intake');
  const receiptPath = pathOf(page).match(/^\/desk\/dossiers\/([^/]+)\/receipt$/);
  check(receiptPath && r?.ok(), `intake landed on ${page.url()} (${r?.status()}), not a receipt`);
  const id = receiptPath[1];
  const receiptText = await page.locator('body').innerText();
  const regnoRe = new RegExp(`\\b${config.registration_prefix}-\\d{4}-\\d{6}\\b`);
  const regno = receiptText.match(regnoRe)?.[0];
  check(regno, `no registration number ${regnoRe} on the receipt:\n${receiptText}`);
  const trackingUrl = receiptText.match(/https?:\/\/\S+\/q\/[0-9A-Za-z]{26}\b/)?.[0];
  check(trackingUrl, `no tracking link on the receipt:\n${receiptText}`);
  const token = trackingUrl.slice(-26);
  // The QR code on the receipt is an image that loads.
  const qr = page.locator(`img[src="/q/${token}.svg"]`);
  check((await qr.count()) === 1, 'the receipt has no QR code image for its token');
  check(
    await qr.evaluate((img) => img.complete && img.naturalWidth > 0),
    'the receipt QR code image did not load',
  );
  await shot(page, '03-receipt');
  log(`registered ${regno}, dossier ${id}, tracking ${trackingUrl}`);
  await signOut(page, config.registrar);

  // 2. An official of the first department forwards it.
  await signIn(page, config.official, 'official');
  await openDossier(page, id);
  check(
    (await page.locator('body').innerText()).includes(regno),
    `the dossier page does not show ${regno}`,
  );
  await act(page, id, 'forward', { to_department: config.forward_to, forward_note: config.forward_note });
  await shot(page, '04-forwarded');
  await signOut(page, config.official);

  // 3. The head of the receiving department resolves it.
  await signIn(page, config.head, 'head of department');
  await openDossier(page, id);
  await act(page, id, 'resolve', { resolve_note: config.resolve_note });
  await shot(page, '05-resolved');
  await signOut(page, config.head);
  await desk.close();

  // 4. The citizen scans the QR code: a phone, nobody signed in.
  const phone = await browser.newContext({
    viewport: { width: 360, height: 740 },
    isMobile: true,
    hasTouch: true,
    deviceScaleFactor: 2,
    locale: 'ro-RO',
  });
  phone.setDefaultTimeout(STEP_TIMEOUT_MS);
  const mobile = await phone.newPage();
  current = mobile;
  r = await mobile.goto(`${base}/q/${token}`);
  check(r?.ok(), `GET /q/${token} ended with ${r?.status()}`);
  check(pathOf(mobile) === `/track/${token}`, `the QR link led to ${mobile.url()}, not /track/${token}`);
  const main = mobile.getByRole('main');
  const mainText = await main.innerText();
  check(mainText.includes(regno), `the tracking page does not show ${regno}:\n${mainText}`);
  const steps = await main.getByRole('list').last().getByRole('listitem').allInnerTexts();
  const expected = config.expected_steps;
  check(
    steps.length === expected.length,
    `the tracking page shows ${steps.length} steps, expected ${expected.length}:\n${steps.join('\n---\n')}`,
  );
  expected.forEach((want, i) => {
    for (const part of [want.label, want.department, want.note].filter(Boolean)) {
      check(steps[i].includes(part), `tracking step ${i + 1} lacks "${part}":\n${steps[i]}`);
    }
  });
  // Nothing personal: the internal note stays inside.
  check(!mainText.includes('test automat'), 'the internal note leaked to the tracking page');
  const overflow = await mobile.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  if (overflow > 0) log(`warning: the tracking page is ${overflow}px wider than the 360px viewport`);
  await shot(mobile, '06-tracking-360x740');
  log(`the tracking page shows all ${steps.length} steps`);
  console.log(`RESULT ${JSON.stringify({ id, regno, token, trackingUrl, screenshots })}`);
} catch (e) {
  exitCode = 1;
  console.error(`journey FAILED at ${current?.url() ?? '(no page)'}: ${e instanceof JourneyError ? e.message : e.stack}`);
  if (current && !current.isClosed()) {
    try {
      const file = path.join(artifacts, 'failure.png');
      await current.screenshot({ path: file, fullPage: true });
      console.error(`the failing page: ${file}`);
    } catch (shotError) {
      console.error(`(no screenshot of the failing page: ${shotError.message})`);
    }
  }
} finally {
  await browser?.close().catch(() => {});
  await rm(tmp, { recursive: true, force: true });
}
process.exit(exitCode);
