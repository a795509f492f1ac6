// The paper-dossier journey in headless Chromium, through the real desk UI:
// a registrar registers a scanned paper in the two-step intake (the type, then
// its form with the petitioner's name, phone, language and page count), reads
// the receipt page (its print button) and both receipt PDFs through the page's
// links (A6 and A4 page sizes with pdfinfo, the text with pdftotext, the QR
// code decoded with pdftoppm and zbarimg); an official of the first department
// forwards it to another department; that department's head is offered the
// expected step first, the rest behind a disclosure, a rejection held back
// until confirmed, and resolves it; the public tracking page, on a 360×740
// phone viewport, shows every step. Every desk page on the way is inspected
// (inspect.mjs: axe-core WCAG 2.1 AA, reflow at 320 px, Romanian only, no raw
// code) and saved at 1280 and 320 px into ARTIFACTS_DIR/pages/.
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
//     "document_type_title": "Certificat de urbanism (...)",
//     "petitioner": {"name": "...", "phone": "0740 123 456", "lang": "hu", "pages": 37},
//     "head_primary": {"action": "assign", "button": "Repartizează"},
//     "raw_codes": ["certificat-urbanism", "(paper)", ...],
//     "forward_to": "juridic", "forward_note": "...", "resolve_note": "...",
//     "expected_steps": [{"label": "...", "department": "...", "note": "..."}, ...] }
//
// `tests/tests/api/browser.rs` writes it from the seed and the domain's own labels.
// Selectors go by URL, form `action`/`name`/`value` and ARIA roles, not by layout or
// wording. On success the last line is `RESULT {json}` (registration number, token,
// tracking URL, screenshots); on failure the page is saved as `failure.png` and the
// exit code is 1.

import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  JourneyError,
  check,
  deskSignIn,
  fetchWithSession,
  launch,
  noAlert,
  pathOf,
  screenshotter,
  scriptArgs,
  shotAtWidth,
  submit,
} from './common.mjs';
import { inspector } from './inspect.mjs';

const STEP_TIMEOUT_MS = 20_000;

const { base, artifacts, config } = await scriptArgs('journey.mjs');

const started = Date.now();
const log = (msg) => console.log(`[journey +${((Date.now() - started) / 1000).toFixed(1)}s] ${msg}`);
const { files: screenshots, shot } = screenshotter(artifacts, log);
let current = null; // the page to save if something fails
// Every desk page on the way: axe-core, reflow at 320 px, all in Romanian and
// no raw code (a document type's code instead of its title); into pages/.
const { inspect: checkPage, problems, watch } = inspector(path.join(artifacts, 'pages'), log, {
  lang: 'ro',
  forbidden: config.raw_codes,
});
await mkdir(path.join(artifacts, 'pages'), { recursive: true });
/// Inspects `page`, then saves it as a phone shows it too (`pages/{name}-320.png`).
async function inspect(page, name) {
  await checkPage(page, name);
  await shotAtWidth(page, path.join(artifacts, 'pages', `${name}-320.png`));
}

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

/// Clicks `link` and waits for the page it opens.
async function follow(page, link) {
  const [r] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), link.click()]);
  check(r?.ok(), `${page.url()} answered ${r?.status()}`);
}

/// Runs `cmd args` and returns its standard output; fails with its error.
function run(cmd, args) {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    throw new JourneyError(`${cmd} ${args.join(' ')} failed (${e.status}): ${e.stderr ?? e.message}`);
  }
}

/// The paper sizes of the receipt, in millimetres.
const PAPER_MM = { a6: [105, 148], a4: [210, 297] };

/// Downloads the receipt's `size` PDF through the receipt page's link, with
/// the browser's session, and reads it as a person holding the paper would:
/// its page size (pdfinfo), its text (pdftotext) and its QR code, decoded from
/// the page rendered at 300 dpi (pdftoppm, zbarimg).
async function checkReceiptPdf(page, size, want) {
  const link = page.getByRole('main').locator(`a[href$="/receipt.pdf?size=${size}"]`);
  check((await link.count()) === 1, `the receipt page has no link to the ${size} PDF`);
  const url = new URL(await link.getAttribute('href'), page.url()).href;
  // Chromium shows the PDF in the tab: its response is the file.
  const receiptPage = page.url();
  const [r] = await Promise.all([page.waitForResponse((x) => x.url() === url), link.click()]);
  check(r.status() === 200, `GET ${url} answered ${r.status()}`);
  check(
    r.headers()['content-type'] === 'application/pdf',
    `the ${size} receipt is ${r.headers()['content-type']}, not application/pdf`,
  );
  await page.goto(receiptPage);
  // The bytes the tab showed, with the browser's session.
  const again = await fetchWithSession(page, url);
  check(again.ok, `GET ${url} with the browser's session answered ${again.status}`);
  const body = Buffer.from(await again.arrayBuffer());
  const file = path.join(artifacts, `receipt-${size}.pdf`);
  await writeFile(file, body);
  check(body.subarray(0, 5).toString('latin1') === '%PDF-', `the ${size} receipt is no PDF`);

  const info = run('pdfinfo', [file]);
  const pages = Number(info.match(/^Pages:\s+(\d+)/m)?.[1]);
  check(pages === 1, `the ${size} receipt has ${pages} pages, expected 1`);
  const box = info.match(/^Page size:\s+([\d.]+) x ([\d.]+) pts/m);
  check(box, `pdfinfo gave no page size for the ${size} receipt:\n${info}`);
  const [w, h] = [Number(box[1]), Number(box[2])].map((pt) => (pt * 25.4) / 72);
  const [ww, wh] = PAPER_MM[size];
  check(
    Math.abs(w - ww) < 1 && Math.abs(h - wh) < 1,
    `the ${size} receipt is ${w.toFixed(1)} × ${h.toFixed(1)} mm, expected ${ww} × ${wh} mm`,
  );

  const text = run('pdftotext', [file, '-']);
  const flat = text.replace(/\s+/g, ' ');
  for (const [what, part] of [
    ['the petitioner', want.petitioner],
    ['the registration number', want.regno],
    ['the short tracking URL', want.trackingUrl],
  ]) {
    check(flat.includes(part), `the ${size} receipt lacks ${what} "${part}":\n${text}`);
  }
  check(
    new RegExp(`(?<!\\d)${want.pages}(?!\\d)`).test(flat),
    `the ${size} receipt lacks the page count ${want.pages}:\n${text}`,
  );

  const png = path.join(artifacts, `receipt-${size}`);
  run('pdftoppm', ['-r', '300', '-png', '-singlefile', file, png]);
  const decoded = run('zbarimg', ['--quiet', '--raw', `${png}.png`]).trim();
  check(
    decoded === want.trackingUrl,
    `the ${size} receipt's QR code holds "${decoded}", not the tracking URL ${want.trackingUrl}`,
  );
  screenshots.push(`${png}.png`);
  log(`the ${size} receipt: ${w.toFixed(0)} × ${h.toFixed(0)} mm, its QR code holds ${decoded}`);
}

/// The head's dossier page: the first action offered is the expected step
/// (`config.head_primary`), the other actions wait behind a closed disclosure,
/// and the destructive one (rejecting) is not sent without its confirmation.
async function headsActions(page, id) {
  const next = page.getByRole('region', { name: 'Pasul următor', exact: true });
  check((await next.count()) === 1, 'the dossier page has no "Pasul următor" region');
  const want = config.head_primary;
  // Before opening anything, one action is offered: the expected step.
  const offered = next.locator('form').getByRole('button');
  const names = (await offered.allInnerTexts()).map((t) => t.trim());
  check(
    names.length === 1 && names[0] === want.button,
    `the head is first offered ${JSON.stringify(names)}, expected only "${want.button}"`,
  );
  const primaryForm = offered.first().locator('xpath=ancestor::form');
  check(
    (await primaryForm.locator(`input[name="action"][value="${want.action}"]`).count()) === 1,
    `the first button "${names[0]}" does not take the action ${want.action}`,
  );
  // The rest: behind a closed disclosure.
  const more = next.locator('details');
  check((await more.count()) === 1, `the region has ${await more.count()} disclosures, expected 1`);
  check(!(await more.evaluate((d) => d.open)), 'the other actions are not behind a closed disclosure');
  const resolve = next.getByRole('button', { name: 'Soluționează', exact: true });
  const reject = next.getByRole('button', { name: 'Respinge cererea', exact: true });
  check((await resolve.count()) === 0 && (await reject.count()) === 0, 'resolving or rejecting is offered outside the disclosure');
  await more.locator('summary').click();
  check(await resolve.isVisible(), 'no "Soluționează" behind the disclosure');
  check(await reject.isVisible(), 'no "Respinge cererea" behind the disclosure');
  // Rejecting looks unlike the primary action and needs its confirmation.
  const background = (l) => l.evaluate((b) => getComputedStyle(b).backgroundColor);
  const [primaryBg, rejectBg] = [await background(offered.first()), await background(reject)];
  check(primaryBg !== rejectBg, `"Respinge cererea" looks like "${want.button}" (${rejectBg})`);
  const rejectForm = reject.locator('xpath=ancestor::form');
  const confirm = rejectForm.getByRole('checkbox', { name: /^Confirm:/ });
  check((await confirm.count()) === 1, 'rejecting asks for no confirmation');
  const reason = rejectForm.getByLabel(/^Motivul, pentru petent/);
  await reason.fill('Cerere de probă, nu se trimite.');
  // Only the confirmation is missing: the browser holds the form for it.
  check(await reason.evaluate((t) => t.validity.valid), 'the rejection reason is not accepted');
  let navigated = false;
  const onNav = (f) => {
    if (f === page.mainFrame()) navigated = true;
  };
  page.on('framenavigated', onNav);
  await reject.click();
  await page.waitForTimeout(500);
  page.off('framenavigated', onNav);
  check(!navigated && pathOf(page) === `/desk/dossiers/${id}`, `rejecting without the confirmation left for ${page.url()}`);
  check(
    await confirm.evaluate((c) => c.validity.valueMissing),
    'the browser does not hold the unconfirmed rejection back',
  );
  await reason.fill('');
  log(`the head is offered "${want.button}" first; rejecting waits for its confirmation`);
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
  watch(page);
  current = page;

  // 1. The registrar registers the paper: the type first, then its form.
  await signIn(page, config.registrar, 'registrar');
  await shot(page, '01-registrar-inbox');
  await inspect(page, 'inbox');
  await follow(page, page.getByRole('navigation').getByRole('link', { name: 'Înregistrare', exact: true }));
  check(pathOf(page) === '/desk/intake', `"Înregistrare" opened ${page.url()}, not /desk/intake`);
  await inspect(page, 'intake-type');
  const choice = page.locator('form.intake-choice');
  await choice.getByRole('radio', { name: config.document_type_title, exact: true }).check();
  let r = await submit(page, choice);
  check(r?.ok() && pathOf(page) === '/desk/intake', `step 1 of the intake answered ${r?.status()}`);
  const intake = page.locator('form#intake-form');
  check(
    (await intake.getByLabel('Tipul documentului', { exact: true }).inputValue()) === config.document_type,
    'step 2 of the intake is not the chosen type',
  );
  const who = config.petitioner;
  await intake.getByLabel('Nume și prenume', { exact: true }).fill(who.name);
  await intake.getByLabel('Telefon', { exact: true }).fill(who.phone);
  await intake.getByLabel('Limba notificărilor și a recipisei', { exact: true }).selectOption(who.lang);
  await intake.getByLabel(/^Număr de pagini/).fill(String(who.pages));
  await intake.locator('input[name="scan"]').setInputFiles(pdf);
  await intake.locator('[name="note"]').fill('Depus la ghișeu (test automat în browser).');
  await shot(page, '02-intake-filled');
  await inspect(page, 'intake-form');
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
  check(receiptText.includes(who.name), `the receipt does not name the petitioner ${who.name}:\n${receiptText}`);
  // The QR code on the receipt is an image that loads.
  const qr = page.locator(`img[src="/q/${token}.svg"]`);
  check((await qr.count()) === 1, 'the receipt has no QR code image for its token');
  check(
    await qr.evaluate((img) => img.complete && img.naturalWidth > 0),
    'the receipt QR code image did not load',
  );
  // The print button (shown by the page's script) and the two PDFs.
  check(
    await page.getByRole('button', { name: 'Tipărește pagina', exact: true }).isVisible(),
    'the receipt page shows no "Tipărește pagina" button',
  );
  await shot(page, '03-receipt');
  await inspect(page, 'receipt');
  const want = { regno, trackingUrl, petitioner: who.name, pages: who.pages };
  for (const size of ['a6', 'a4']) await checkReceiptPdf(page, size, want);
  log(`registered ${regno}, dossier ${id}, tracking ${trackingUrl}`);
  // The registrar's account page, from the navigation.
  await follow(page, page.getByRole('navigation').getByRole('link', { name: 'Contul meu', exact: true }));
  check(pathOf(page) === '/desk/account', `"Contul meu" opened ${page.url()}, not /desk/account`);
  await inspect(page, 'account');
  await signOut(page, config.registrar);

  // 2. An official of the first department forwards it.
  await signIn(page, config.official, 'official');
  await openDossier(page, id);
  check(
    (await page.locator('body').innerText()).includes(regno),
    `the dossier page does not show ${regno}`,
  );
  await inspect(page, 'dossier-official');
  await act(page, id, 'forward', { to_department: config.forward_to, forward_note: config.forward_note });
  await shot(page, '04-forwarded');
  await signOut(page, config.official);

  // 3. The head of the receiving department: the expected step first, the
  // rest behind a disclosure, a rejection confirmed; then resolves it.
  await signIn(page, config.head, 'head of department');
  await openDossier(page, id);
  await headsActions(page, id);
  await inspect(page, 'dossier-head');
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
  if (problems.length > 0) {
    throw new JourneyError(`${problems.length} desk page check(s) failed:\n${problems.join('\n')}`);
  }
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
