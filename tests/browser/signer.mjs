// The signer's batch (issue 6) in headless Chromium, through the real desk UI:
// the signer signs in, opens "De semnat", selects every waiting document,
// starts the batch, checks that each document is listed with its SHA-256,
// opens the batch's first and last documents from the batch page before any
// code ("sign what you see": a PDF with the SHA-256 shown),
// types the one code the sandbox provider "sent" by SMS, and sees every
// document signed and issued; one document's verification link opens the
// public page, which says the signature is valid. Every desk page on the way
// is inspected (inspect.mjs: axe-core, reflow at 320 px, Romanian only, no raw
// code) and saved at 1280 and 320 px into ARTIFACTS_DIR/pages/.
//
//   node signer.mjs BASE_URL ARTIFACTS_DIR CONFIG_JSON
//
// CONFIG_JSON (written by `tests/tests/api/browser_signer.rs`):
//
//   { "institution": "alfa", "signer": {"username": "...", "password": "...", "name": "..."},
//     "phone": "+40700000101", "registration_numbers": ["ALF-2025-000001", ...],
//     "raw_codes": ["certificat-urbanism", ...] }
//
// On success the last line is `RESULT {json}` (batch id, the registration
// numbers and verification tokens as the page showed them, screenshots); on
// failure the page is saved as `failure.png` and the exit code is 1.

import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import {
  JourneyError,
  check,
  deskSignIn,
  fetchWithSession,
  launch,
  latestCode,
  noAlert,
  outbox,
  pathOf,
  screenshotter,
  scriptArgs,
  shotAtWidth,
  submit,
} from './common.mjs';
import { inspector } from './inspect.mjs';

const STEP_TIMEOUT_MS = 20_000;
/// Signing, issuing and publishing every document happens in the code's POST.
const SIGNING_TIMEOUT_MS = 150_000;

const { base, artifacts, config } = await scriptArgs('signer.mjs');
const expected = config.registration_numbers;
const count = expected.length;
/// "1 document", "2 documente", "20 de documente": Romanian puts "de" from 20 on.
const documents = (n) =>
  n === 1 ? '1 document' : n % 100 >= 20 || (n >= 100 && n % 100 === 0) ? `${n} de documente` : `${n} documente`;

const started = Date.now();
const log = (msg) => console.log(`[signer +${((Date.now() - started) / 1000).toFixed(1)}s] ${msg}`);
const { files, shot } = screenshotter(artifacts, log);
// Every desk page on the way: axe-core, reflow at 320 px, all in Romanian and
// no raw code (a document type's code instead of its title); into pages/.
const { inspect: checkPage, problems, watch } = inspector(path.join(artifacts, 'pages'), log, {
  lang: 'ro',
  forbidden: config.raw_codes ?? [],
});
await mkdir(path.join(artifacts, 'pages'), { recursive: true });
/// Inspects `page`, then saves it as a phone shows it too (`pages/{name}-320.png`).
async function inspect(page, name) {
  await checkPage(page, name);
  await shotAtWidth(page, path.join(artifacts, 'pages', `${name}-320.png`));
}

/// "Sign what you see": opens the batch's `n`th document from its link on the
/// batch page, as the president would (a new tab), and checks that it is the
/// PDF to be signed: the tab's response is application/pdf, and its bytes
/// (fetched again with the browser's session) start with %PDF and hash to the SHA-256 the
/// batch page shows for it.
async function openDocument(page, batch, n, sha256) {
  const href = `/desk/sign/batches/${batch}/documents/${n}`;
  const link = page.locator(`#items a[href="${href}"]`);
  check((await link.count()) === 1, `the batch page has no link to its document ${n} (${href})`);
  const shown = page.context().waitForEvent('response', (r) => new URL(r.url()).pathname === href);
  const [tab] = await Promise.all([page.waitForEvent('popup'), link.click()]);
  const r = await shown;
  check(r.status() === 200, `opening document ${n} answered ${r.status()}`);
  const type = r.headers()['content-type'];
  check(type === 'application/pdf', `document ${n} opened as ${type}, not application/pdf`);
  await tab.close();
  const again = await fetchWithSession(page, new URL(href, base).href);
  check(again.ok, `GET ${href} with the browser's session answered ${again.status}`);
  const bytes = Buffer.from(await again.arrayBuffer());
  check(bytes.subarray(0, 5).toString('latin1') === '%PDF-', `document ${n} does not start with %PDF-`);
  const digest = createHash('sha256').update(bytes).digest('hex');
  check(digest === sha256, `document ${n} hashes to ${digest}, the batch page shows ${sha256}`);
  log(`document ${n} of the batch opened: a PDF of ${bytes.length} bytes, its SHA-256 as shown`);
}

/// The batch table's rows as text: number, document, SHA-256, result.
async function batchRows(page) {
  return page
    .locator('#items tbody tr')
    .evaluateAll((rows) => rows.map((r) => [...r.cells].map((c) => c.innerText.trim())));
}

let browser;
let page;
let exitCode = 0;
try {
  browser = await launch();
  log(`chromium ${browser.version()} launched`);
  // A president's desk: an office screen.
  const desk = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'ro-RO' });
  desk.setDefaultTimeout(STEP_TIMEOUT_MS);
  page = await desk.newPage();
  watch(page);

  // 1. Sign in and open "De semnat" from the menu.
  await deskSignIn(page, base, config.institution, config.signer);
  log(`signer ${config.signer.username} signed in`);
  await shot(page, '01-signer-inbox');
  await inspect(page, 'inbox');
  await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    page.getByRole('navigation').getByRole('link', { name: 'De semnat', exact: true }).click(),
  ]);
  check(pathOf(page) === '/desk/sign', `"De semnat" opened ${page.url()}, not /desk/sign`);
  const queue = page.locator('form[action="/desk/sign/batches"]');
  const boxes = queue.locator('input[type="checkbox"][name="d"]');
  check(
    (await boxes.count()) === count,
    `the queue lists ${await boxes.count()} documents, expected ${count}`,
  );
  const queueText = await page.getByRole('main').innerText();
  for (const number of expected) check(queueText.includes(number), `the queue does not list ${number}`);
  // Each checkbox has an accessible name that says which document it selects.
  for (const number of expected) {
    check(
      (await page.getByRole('checkbox', { name: `Selectează ${number}`, exact: true }).count()) === 1,
      `no checkbox labelled "Selectează ${number}"`,
    );
  }
  await shot(page, '02-queue');
  await inspect(page, 'queue');

  // 2. Select all: a plain link (the page needs no JavaScript for it).
  await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    page.getByRole('link', { name: 'Selectează tot', exact: true }).click(),
  ]);
  check(pathOf(page) === '/desk/sign', `"Selectează tot" opened ${page.url()}`);
  const ticked = await boxes.evaluateAll((all) => all.filter((b) => b.checked).length);
  check(ticked === count, `"Selectează tot" ticked ${ticked} of ${count} documents`);
  await shot(page, '03-queue-all-selected');

  // 3. Start the batch: "sign what you see", every document with its SHA-256.
  const button = queue.getByRole('button', { name: 'Semnează documentele selectate', exact: true });
  let landed;
  [landed] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), button.click()]);
  await noAlert(page, 'starting the batch');
  const batchPath = pathOf(page).match(/^\/desk\/sign\/batches\/([0-9A-Za-z]{26})$/);
  check(batchPath && landed?.ok(), `the batch landed on ${page.url()} (${landed?.status()})`);
  const batch = batchPath[1];
  let rows = await batchRows(page);
  check(rows.length === count, `the batch lists ${rows.length} documents, expected ${count}`);
  const heading = await page.getByRole('heading', { level: 1 }).innerText();
  check(heading === `Semnare: ${documents(count)}`, `the batch page's heading says "${heading}"`);
  const numbers = rows.map((r) => r[0]);
  check(
    [...numbers].sort().join() === [...expected].sort().join(),
    `the batch lists ${numbers.join(', ')}; expected ${expected.join(', ')}`,
  );
  const hashes = rows.map((r) => r[2]);
  for (const [i, h] of hashes.entries()) {
    check(/^[0-9a-f]{64}$/.test(h), `document ${numbers[i]} shows no SHA-256 ("${h}")`);
  }
  check(new Set(hashes).size === count, 'two documents of the batch show the same SHA-256');
  check(rows.every((r) => r[3] === 'De semnat'), `not every document waits: ${rows.map((r) => r[3])}`);
  const progress = page.locator('#progress');
  check(
    (await progress.innerText()) === `0 semnate, 0 eșuate, ${count} de semnat.`,
    `the progress line says "${await progress.innerText()}"`,
  );
  // Before any code: the first and the last document open from the batch page.
  await openDocument(page, batch, 1, hashes[0]);
  await openDocument(page, batch, count, hashes[count - 1]);
  check(pathOf(page) === `/desk/sign/batches/${batch}`, `opening the documents left the batch page (${page.url()})`);
  // The phone received exactly one code for the whole batch.
  const sms = await outbox(base, config.phone);
  check(sms.length === 1, `the signer's phone received ${sms.length} messages, expected one code`);
  await shot(page, '04-batch');
  await inspect(page, 'batch');
  // The same page on a phone: the SHA-256 wraps instead of widening the page.
  await page.setViewportSize({ width: 360, height: 740 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 0, `the batch page is ${overflow}px wider than the 360px viewport`);
  await shot(page, '05-batch-360x740');
  await page.setViewportSize({ width: 1280, height: 900 });
  log(`batch ${batch}: ${count} documents with their SHA-256, one code sent`);

  // 4. Type the code from the SMS and sign. The progress script polls the
  // batch's JSON while the POST runs; count its requests (timing decides how many).
  const code = await latestCode(base, config.phone);
  const otp = page.getByLabel('Codul primit prin SMS', { exact: true });
  check((await otp.getAttribute('id')) === 'otp', 'the code field labelled "Codul primit prin SMS" is not #otp');
  await otp.fill(code);
  let polls = 0;
  page.on('request', (r) => {
    if (r.url().endsWith(`/desk/sign/batches/${batch}.json`)) polls++;
  });
  const form = page.locator('#sign-form');
  check(
    (await form.getByRole('button').innerText()) === `Semnează ${documents(count)}`,
    `the sign button says "${await form.getByRole('button').innerText()}"`,
  );
  landed = await submit(page, form, SIGNING_TIMEOUT_MS);
  await noAlert(page, 'signing');
  check(
    pathOf(page) === `/desk/sign/batches/${batch}` && landed?.ok(),
    `signing landed on ${page.url()} (${landed?.status()})`,
  );
  log(`signed (the progress script polled ${polls} times)`);

  // 5. The results: every document signed and issued.
  check(
    (await progress.innerText()) === `${count} semnate, 0 eșuate, 0 de semnat.`,
    `after signing the progress line says "${await progress.innerText()}"`,
  );
  rows = await batchRows(page);
  check(rows.length === count, `after signing the batch lists ${rows.length} documents`);
  for (const r of rows) check(r[3].startsWith('Semnat și emis'), `${r[0]}: "${r[3]}"`);
  check((await page.locator('#otp').count()) === 0, 'the code field is still offered with nothing left to sign');
  const verifyLinks = page.locator('#items tbody tr').getByRole('link', { name: 'verificare', exact: true });
  check((await verifyLinks.count()) === count, `${await verifyLinks.count()} verification links, expected ${count}`);
  const verify = (await verifyLinks.evaluateAll((as) => as.map((a) => a.getAttribute('href')))).map((h) =>
    h.replace(/^\/verify\//, ''),
  );
  await shot(page, '06-signed');
  await inspect(page, 'batch-signed');

  // Nothing waits any more.
  await page.goto(`${base}/desk/sign`);
  const empty = await page.getByRole('main').innerText();
  check(empty.includes('Nu aveți documente de semnat.'), `the queue after signing:\n${empty}`);
  await inspect(page, 'queue-empty');

  // 6. The public verification page of one document.
  await page.goBack();
  check(pathOf(page) === `/desk/sign/batches/${batch}`, `back led to ${page.url()}`);
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), verifyLinks.first().click()]);
  check(pathOf(page) === `/verify/${verify[0]}`, `"verificare" opened ${page.url()}`);
  const verdict = await page.getByRole('main').innerText();
  for (const part of ['Semnătură validă', config.signer.name, numbers[0]]) {
    check(verdict.includes(part), `the verification page lacks "${part}":\n${verdict}`);
  }
  await shot(page, '07-verification');
  log(`the verification page of ${numbers[0]} says the signature is valid`);

  // The president's account page, from the desk's navigation.
  await page.goto(`${base}/desk`);
  await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    page.getByRole('navigation').getByRole('link', { name: 'Contul meu', exact: true }).click(),
  ]);
  check(pathOf(page) === '/desk/account', `"Contul meu" opened ${page.url()}, not /desk/account`);
  await inspect(page, 'account');
  // Its QR code (to enrol an authenticator app) stays inside its box on a
  // phone: nothing after it is drawn over.
  const size = page.viewportSize();
  await page.setViewportSize({ width: 320, height: size.height });
  const qrOverlap = await page.evaluate(() => {
    const box = document.querySelector('main div.qr');
    const svg = box?.querySelector('svg');
    const next = box?.nextElementSibling;
    return svg && next ? svg.getBoundingClientRect().bottom - next.getBoundingClientRect().top : null;
  });
  await page.setViewportSize(size);
  check(qrOverlap !== null, 'the account page shows no QR code to enrol an authenticator');
  check(qrOverlap <= 0, `at 320 px the account page's QR code covers ${qrOverlap} px of the text after it`);
  if (problems.length > 0) {
    throw new JourneyError(`${problems.length} desk page check(s) failed:\n${problems.join('\n')}`);
  }

  console.log(`RESULT ${JSON.stringify({ batch, numbers, verify, polls, screenshots: files })}`);
} catch (e) {
  exitCode = 1;
  console.error(`signer FAILED at ${page?.url() ?? '(no page)'}: ${e instanceof JourneyError ? e.message : e.stack}`);
  if (page && !page.isClosed()) {
    const file = path.join(artifacts, 'failure.png');
    await page
      .screenshot({ path: file, fullPage: true })
      .then(() => console.error(`the failing page: ${file}`))
      .catch((err) => console.error(`(no screenshot of the failing page: ${err.message})`));
  }
} finally {
  await browser?.close().catch(() => {});
}
process.exit(exitCode);
