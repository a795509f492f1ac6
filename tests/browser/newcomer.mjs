// A new citizen's journey (issue 17, item 10) in headless Chromium, by the links a
// person follows: the front door, the county council's page, its "certificat de
// urbanism", an account (the SMS code from the sandbox outbox), the form with its
// fields and a photo, the fee when the page asks for one (the sandbox's hosted
// checkout), the PDF that will be signed, a signing certificate when the page
// asks for one (paid in the checkout, the identity checked on the provider's
// hosted page), the signature with the SMS code, "my documents", and the
// tracking page in Hungarian. Every page on the way is checked by inspect.mjs
// (axe-core WCAG 2.1 AA, reflow at 320 px, a screenshot).
//
//   node newcomer.mjs BASE_URL ARTIFACTS_DIR CONFIG_JSON
//
// CONFIG_JSON (written by tests/tests/api/browser_newcomer.rs):
//   { "viewport": {"width": 360, "height": 740},
//     "institution": "cjcluj", "service": "certificat-urbanism", "fee": "25 lei",
//     "account": {"name", "phone", "phone_e164", "password"},
//     "fields": {"f_adresa_imobil": "...", "f_scop": "construire", "f_declaratie": true, ...},
//     "card": "4111 1111 1111 1111",
//     "identity": {"kind": "ci", "series": "CJ", "number": "123456", "cnp": "...",
//                  "surname": "...", "given_name": "..."},
//     "lang": "hu",                       (optional: choose it first, check every page is in it)
//     "tour": {"registration_number": "CJC-2026-000001", "receipt_code": "ABCD-EFGH"} }
//                                         (optional: also the citizen pages off the journey)
// Screenshots go to ARTIFACTS_DIR/{nn}-{page}.png. On success the last line is
// `RESULT {json}` (registration number, tracking token, what was paid, the
// screenshots); on failure, or when any page failed a check, the exit code is 1
// and every problem is printed.

import path from 'node:path';
import {
  JourneyError,
  check,
  failJourney,
  finishJourney,
  codeSentBy,
  confirmAccount,
  launch,
  noAlert,
  pathOf,
  register,
  scriptArgs,
  submit,
} from './common.mjs';
import { inspector } from './inspect.mjs';

const { base, artifacts, config } = await scriptArgs('newcomer.mjs');
const { width, height } = config.viewport;
const started = Date.now();
const log = (m) => console.log(`[newcomer ${width}x${height} +${((Date.now() - started) / 1000).toFixed(1)}s] ${m}`);
const { inspect, problems, screenshots, watch } = inspector(artifacts, log, { lang: config.lang });
const result = { paid: [], screenshots };

/// Follows the link `selector` (the first one) and waits for its page.
async function follow(page, selector, what) {
  const link = page.locator(selector).first();
  check((await link.count()) === 1, `${pathOf(page)} has no link to ${what} (${selector})`);
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), link.click()]);
}

/// A photo as a phone takes it: a JPEG drawn by the browser's own encoder.
async function photo(context) {
  const scratch = await context.newPage();
  const dataUrl = await scratch.evaluate(() => {
    const c = document.createElement('canvas');
    c.width = 1600;
    c.height = 1200;
    const g = c.getContext('2d');
    const sky = g.createLinearGradient(0, 0, 0, 1200);
    sky.addColorStop(0, '#f4f1e8');
    sky.addColorStop(1, '#d9d2bf');
    g.fillStyle = sky;
    g.fillRect(0, 0, 1600, 1200);
    g.strokeStyle = '#333';
    g.lineWidth = 6;
    g.strokeRect(300, 250, 900, 600);
    g.strokeRect(650, 500, 300, 250);
    g.font = '64px sans-serif';
    g.fillStyle = '#222';
    g.fillText('Plan de situație 1:500', 320, 200);
    for (let i = 0; i < 4000; i += 1) {
      g.fillStyle = `rgba(${(i * 37) % 255},${(i * 91) % 255},${(i * 53) % 255},0.08)`;
      g.fillRect((i * 997) % 1600, (i * 613) % 1200, 9, 9);
    }
    return c.toDataURL('image/jpeg', 0.85);
  });
  await scratch.close();
  const bytes = Buffer.from(dataUrl.split(',')[1], 'base64');
  check(bytes[0] === 0xff && bytes[1] === 0xd8, 'the browser did not make a JPEG');
  return { name: 'plan-situatie.jpg', mimeType: 'image/jpeg', buffer: bytes };
}

/// Fills the form's fields from the config, every file input with `file`.
async function fillForm(form, file) {
  for (const [name, value] of Object.entries(config.fields)) {
    const field = form.locator(`[name="${name}"]`);
    check((await field.count()) === 1, `the form has no field ${name}`);
    const kind = await field.evaluate((el) => (el.tagName === 'INPUT' ? el.type : el.tagName.toLowerCase()));
    if (kind === 'select') await field.selectOption(value);
    else if (kind === 'checkbox') await field.setChecked(Boolean(value));
    else await field.fill(String(value));
  }
  const files = form.locator('input[type="file"]');
  for (let i = 0; i < (await files.count()); i += 1) await files.nth(i).setInputFiles(file);
}

/// On the sandbox's hosted checkout: pays with the test card and comes back.
async function checkout(page, what) {
  check(pathOf(page).startsWith('/sandbox/pay/checkout/'), `${what}: expected the checkout, got ${page.url()}`);
  await inspect(page, `checkout-${what}`);
  const amount = (await page.locator('.amount').innerText()).trim();
  const form = page.locator('form[action^="/sandbox/pay/checkout/"]');
  await form.locator('[name="card"]').fill(config.card);
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), form.locator('button[value="pay"]').click()]);
  await noAlert(page, `paying ${what}`);
  // The provider's page after paying links back to the merchant; a redirect skips it.
  if (pathOf(page).startsWith('/sandbox/pay/')) {
    await inspect(page, `paid-${what}`);
    await follow(page, 'a[href]', 'the way back from the checkout');
  }
  result.paid.push({ what, amount });
  log(`paid ${amount} for ${what}`);
}

/// When the page offers a payment (the fee, which another part of issue 17 adds),
/// takes it: a form or a link to the provider, then the checkout.
async function payIfOffered(page, what) {
  if (pathOf(page).startsWith('/sandbox/pay/checkout/')) return checkout(page, what);
  const offer = page.locator('main form[action*="pay"], main a[href^="/sandbox/pay/"], main a[href*="/pay"]');
  if ((await offer.count()) === 0) return false;
  await inspect(page, `${what}-to-pay`);
  const first = offer.first();
  const isForm = await first.evaluate((el) => el.tagName === 'FORM');
  if (isForm) await submit(page, first);
  else await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), first.click()]);
  await checkout(page, what);
  return true;
}

/// Sends a multipart `form` and waits for the page that answers: with JavaScript
/// the portal uploads it in the background (a progress bar) and then either goes
/// to the answer's address or writes the answer (a refused form) in place of the
/// page, which is no navigation; a marker on the old document tells them apart.
async function submitUpload(page, form) {
  await page.evaluate(() => document.documentElement.setAttribute('data-journey-before', ''));
  await form.locator('[type="submit"]').first().click();
  const deadline = Date.now() + 60_000;
  for (;;) {
    const replaced = await page
      .evaluate(() => !document.documentElement.hasAttribute('data-journey-before') && document.readyState === 'complete')
      .catch(() => false); // between two documents
    if (replaced) break;
    check(Date.now() < deadline, `no answer to the form on ${page.url()} within 60 s`);
    await page.waitForTimeout(100);
  }
  await page.waitForLoadState('load');
}

/// The PDF link on the signing page answers the PDF itself: fetched by the page,
/// as the link would be opened, with the session's cookies.
async function previewPdf(page) {
  const link = page.locator('main a[href$="/cerere.pdf"]');
  check((await link.count()) === 1, `the signing page offers no PDF to read first (${page.url()})`);
  const pdf = await page.evaluate(async (href) => {
    const r = await fetch(href, { credentials: 'same-origin' });
    const bytes = new Uint8Array(await r.arrayBuffer());
    return {
      status: r.status,
      type: r.headers.get('content-type') ?? '',
      magic: String.fromCharCode(...bytes.subarray(0, 5)),
      length: bytes.length,
    };
  }, await link.getAttribute('href'));
  check(pdf.status === 200, `the PDF to sign answered ${pdf.status}`);
  check(pdf.type.startsWith('application/pdf'), `the PDF to sign answered ${pdf.type}`);
  check(pdf.magic === '%PDF-', `the PDF to sign is not a PDF (${pdf.magic})`);
  log(`the PDF to sign opens: ${pdf.length} bytes`);
}

/// The signing certificate, as the pages lead: pay, identify, enrol.
async function getCertificate(page) {
  await follow(page, 'main a[href^="/portal/signature"]', 'getting a signing certificate');
  await inspect(page, 'certificate');
  const buy = page.locator('form[action="/portal/signature/buy"]');
  check((await buy.count()) === 1, 'the certificate page offers no purchase');
  await submit(page, buy);
  await checkout(page, 'certificate');
  // Whatever the provider asks next, as its pages lead (another part of issue 17).
  for (let step = 0; step < 6; step += 1) {
    if (pathOf(page).startsWith('/sandbox/identity/')) {
      await inspect(page, 'identity');
      const form = page.locator('form[action^="/sandbox/identity/"]');
      const id = config.identity;
      await form.locator('[name="kind"]').selectOption(id.kind);
      for (const name of ['series', 'number', 'cnp', 'surname', 'given_name']) {
        await form.locator(`[name="${name}"]`).fill(id[name]);
      }
      await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), form.locator('button[value="verify"]').click()]);
      await noAlert(page, 'identification');
      log('identity checked by the provider');
      continue;
    }
    await noAlert(page, 'the certificate');
    const next = page.locator('main form[action="/portal/signature/identity"], main form[action="/portal/signature/enroll"]');
    if ((await next.count()) === 0) break;
    await inspect(page, `certificate-step-${step}`);
    await submit(page, next.first());
  }
  await inspect(page, 'certificate-ready');
  log('signing certificate ready');
}

/// The code page of signing: the OTP from the outbox, then the registration.
async function signWithCode(page) {
  const start = page.locator('main form[action^="/portal/sign/"]:not([action$="/confirm"])').first();
  const code = await codeSentBy(base, config.account.phone_e164, () => submit(page, start));
  await noAlert(page, 'asking for the signing code');
  await inspect(page, 'signing-code');
  const form = page.locator('form[action$="/confirm"]');
  check((await form.count()) === 1, `no code form on ${page.url()}`);
  await form.locator('[name="code"]').fill(code);
  await submit(page, form);
  await noAlert(page, 'signing');
}

/// Sends the GET form `form` (the tracking lookup) and waits for its page.
async function lookUp(page, form, number, code) {
  await form.locator('[name="number"]').fill(number);
  await form.locator('[name="code"]').fill(code);
  await submit(page, form);
}

/// With `config.tour`, the citizen pages the journey does not pass through, each
/// checked like the journey's (and, in `config.lang`, for its language): the
/// statements, following a paper document by number and receipt code (a wrong
/// code, then the right one), and signing in, by SMS, resetting a password and
/// registering, each sent wrong once so that its errors are checked too. The
/// language was chosen once, on the front door; the pages are opened by their
/// plain addresses, so it must have been remembered.
async function tourSignedOut(page) {
  const tour = config.tour;
  for (const [where, name] of [['/accessibility', 'accessibility'], ['/privacy', 'privacy'], ['/track', 'follow']]) {
    const r = await page.goto(`${base}${where}`);
    check(r?.ok(), `GET ${where} answered ${r?.status()}`);
    await inspect(page, name);
  }
  await lookUp(page, page.locator('main form[action="/track"]'), tour.registration_number, 'AAAA-AAAA');
  check((await page.getByRole('alert').count()) > 0, 'a wrong receipt code was not refused');
  await inspect(page, 'follow-refused');
  await lookUp(page, page.locator('main form[action="/track"]'), tour.registration_number, tour.receipt_code);
  check(pathOf(page).startsWith('/track/'), `the right receipt code led to ${page.url()}`);
  await inspect(page, 'tracking-paper');

  await page.goto(`${base}/portal/login`);
  await inspect(page, 'sign-in-first');
  const login = page.locator('form[action="/portal/login"]');
  await login.locator('[name="contact"]').fill(config.account.phone);
  await login.locator('[name="password"]').fill('not the password of anyone');
  await submit(page, login);
  check((await page.getByRole('alert').count()) > 0, 'a wrong password was not refused');
  await inspect(page, 'sign-in-refused');
  for (const [link, name] of [['/portal/login/sms', 'sign-in-by-sms'], ['/portal/reset', 'reset']]) {
    await follow(page, `main a[href^="${link}"]`, name);
    await inspect(page, name);
    await submit(page, page.locator(`main form[action="${link}"]`));
    check((await page.getByRole('alert').count()) > 0, `${link} sent empty was not refused`);
    await inspect(page, `${name}-refused`);
    await page.goto(`${base}/portal/login`);
  }
  await follow(page, 'main a[href^="/portal/register"]', 'creating an account');
  await submit(page, page.locator('form[action="/portal/register"]'));
  check((await page.getByRole('alert').count()) > 0, 'an empty registration was not refused');
  await inspect(page, 'register-refused');
}

/// With `config.tour`, signed in: claiming a paper dossier, sent empty once.
async function tourSignedIn(page) {
  await page.goto(`${base}/portal/claim`);
  await inspect(page, 'claim');
  await submit(page, page.locator('main form[action="/portal/claim"]'));
  check((await page.getByRole('alert').count()) > 0, 'an empty claim was not refused');
  await inspect(page, 'claim-refused');
}

const browser = await launch();
let page;
try {
  const context = await browser.newContext({ viewport: { width, height }, locale: 'ro-RO' });
  context.setDefaultTimeout(30_000);
  page = await context.newPage();
  watch(page);
  const cspErrors = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) cspErrors.push(`${pathOf(page)}: ${m.text()}`);
  });
  const image = await photo(context);

  // The language, chosen once on the front door; the pages off the journey.
  if (config.lang) {
    await page.goto(`${base}/`);
    await follow(page, `a[hreflang="${config.lang}"]`, `the pages in "${config.lang}"`);
  }
  if (config.tour) await tourSignedOut(page);

  // The front door, then the county council and its service.
  const r = await page.goto(`${base}/`);
  check(r?.ok(), `GET / answered ${r?.status()}`);
  await inspect(page, 'front-door');
  await follow(page, `main a[href^="/institutions/${config.institution}"]`, 'the county council');
  await inspect(page, 'institution');
  const card = page.locator(`#${config.service}`);
  check((await card.count()) === 1, `the institution page lists no ${config.service}`);
  const cardText = await card.innerText();
  check(cardText.includes(config.fee), `the service does not show its fee ${config.fee}:\n${cardText}`);
  await follow(page, `#${config.service} a[href*="/portal/new/${config.institution}/${config.service}"]`, 'applying online');

  // Not signed in: an account, as the pages lead.
  if (pathOf(page) === '/portal/login') {
    await inspect(page, 'sign-in');
    await follow(page, 'main a[href^="/portal/register"]', 'creating an account');
  }
  await register(page, config.account, (p) => inspect(p, 'register'));
  await confirmAccount(page, base, config.account.phone_e164, (p) => inspect(p, 'verify'));
  log(`account confirmed, landed on ${pathOf(page)}`);

  if (config.tour) {
    await tourSignedIn(page);
    await page.goto(`${base}/portal`);
  }

  // Back to the service: straight there, or from my documents as a citizen would.
  const formPath = `/portal/new/${config.institution}/${config.service}`;
  if (pathOf(page) !== formPath) {
    check(pathOf(page) === '/portal', `verification landed on ${page.url()}`);
    await inspect(page, 'my-documents-empty');
    if ((await page.locator(`main a[href^="${formPath}"]`).count()) === 0) {
      await follow(page, 'main a[href^="/portal/new"]', 'a new request');
      await inspect(page, 'catalogue');
    }
    await follow(page, `main a[href^="${formPath}"]`, 'the certificat de urbanism form');
  }
  check(pathOf(page) === formPath, `expected the form, got ${page.url()}`);
  await inspect(page, 'form');

  // Sent empty: the error summary; then filled, with the photo on every attachment.
  await submitUpload(page, page.locator('form[enctype="multipart/form-data"]'));
  check((await page.getByRole('alert').count()) > 0, 'an empty certificat de urbanism was not refused');
  await inspect(page, 'form-errors');
  await fillForm(page.locator('form[enctype="multipart/form-data"]'), image);
  await inspect(page, 'form-filled');
  await submitUpload(page, page.locator('form[enctype="multipart/form-data"]'));
  await noAlert(page, 'submission');
  log(`submitted, landed on ${pathOf(page)}`);

  // The fee, when the page asks for it.
  if (await payIfOffered(page, 'fee')) await noAlert(page, 'after paying the fee');

  // Signing: from my documents, where the request waits for its signature; read
  // the PDF first, get a certificate if asked, sign with the code.
  if (pathOf(page) === '/portal') {
    await inspect(page, 'my-documents-submitted');
    await follow(page, 'main a[href^="/portal/sign/"]', 'the request waiting for a signature');
  }
  check(pathOf(page).startsWith('/portal/sign/'), `expected the signing page, got ${page.url()}`);
  const signing = page.url();
  await inspect(page, 'signing');
  await previewPdf(page);
  if ((await page.locator('main a[href^="/portal/signature"]').count()) > 0) {
    await getCertificate(page);
    // Back to the request: the certificate page leads to it.
    await follow(page, `main a[href^="${new URL(signing).pathname}"]`, 'the request waiting for a signature');
    await inspect(page, 'signing-with-certificate');
  }
  await signWithCode(page);

  // Registered: my documents show it, then its tracking page, in Hungarian.
  if (pathOf(page) !== '/portal') await page.goto(`${base}/portal`);
  await inspect(page, 'my-documents');
  const main = await page.locator('main').innerText();
  const regno = main.match(/\b[A-Z]{2,8}-\d{4}-\d{6}\b/)?.[0];
  check(regno, `my documents show no registration number:\n${main}`);
  result.regno = regno;
  log(`registered ${regno}`);
  await follow(page, 'main a[href^="/track/"]', 'the tracking page');
  result.token = pathOf(page).split('/').pop();
  await follow(page, 'a[hreflang="hu"], a[lang="hu"]', 'the Hungarian page');
  check((await page.getAttribute('html', 'lang')) === 'hu', `the tracking page is not in Hungarian (${page.url()})`);
  const tracking = await page.locator('main').innerText();
  check(tracking.includes(regno), `the Hungarian tracking page does not name ${regno}`);
  await inspect(page, 'tracking-hu');

  for (const e of cspErrors) problems.push(`CSP: ${e}`);
  await finishJourney(browser, problems, result);
} catch (e) {
  await failJourney(browser, page, artifacts, problems, e);
}
