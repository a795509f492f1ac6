// The citizen's journey (issue 5) in headless Chromium on a 360×740 phone:
// create an account, confirm it with the SMS code from the sandbox outbox,
// submit a request with two attachments, answer the institution's question,
// and see the request resolved in "my documents"; then buy the qualified
// signature credential: pay on the provider's hosted page, go through the
// signing provider's identification page (document, CNP, name) and see the
// credential active in the verified name. The desk's steps in between
// (asking, resolving) are done by the Rust test over HTTP.
//
//   node citizen.mjs BASE_URL ARTIFACTS_DIR CONFIG_JSON MODE
//
// MODE is `submit`, `reply`, `final` or `credential`; the browser's cookies are kept in
// CONFIG.state between modes. CONFIG_JSON:
//   { "name": "...", "phone": "0745...", "phone_e164": "+40745...", "password": "...",
//     "form_path": "/portal/new/alfa/aviz", "fields": {"f_adresa": "...", ...},
//     "files": ["f_plan", "f_act"], "pages": "f_act" (two photos at once, sent as one PDF),
//     "reply": "...", "state": "/path/state.json",
//     "identity": {"kind": "ci", "series": "CJ", "number": "123456", "cnp": "...",
//                  "surname": "...", "given_name": "..."} }
// On success the last line is `RESULT {json}`; on failure the page is saved as
// `failure-MODE.png` and the exit code is 1.

import { mkdtemp, readFile, writeFile, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { check, confirmAccount, launch, noAlert, pathOf, register, screenshotter, submit } from './common.mjs';

const [base, artifacts, configPath, mode] = process.argv.slice(2);
if (!base || !artifacts || !configPath || !['submit', 'reply', 'final', 'credential'].includes(mode)) {
  console.error('usage: node citizen.mjs BASE_URL ARTIFACTS_DIR CONFIG_JSON submit|reply|final|credential');
  process.exit(2);
}
const config = JSON.parse(await readFile(configPath, 'utf8'));
await mkdir(artifacts, { recursive: true });
const log = (m) => console.log(`[citizen ${mode}] ${m}`);
const { files: screenshots, shot } = screenshotter(artifacts, log);

async function pdfFile(dir, name) {
  const file = path.join(dir, name);
  await writeFile(file, `%PDF-1.4\n% ${name}\n1 0 obj<<>>endobj\n%%EOF\n`);
  return file;
}

const browser = await launch();
let page;
/// Chooses two camera photos at once for the file field `name` (one that takes
/// PDF and JPEG) and checks that the page's script made them one PDF of two pages.
async function attachPages(page, form, name) {
  const input = form.locator(`input[type="file"][name="${name}"]`);
  check(await input.evaluate((i) => i.multiple), `${name} does not take several photos at once`);
  const hint = await page.locator(`#${name}-pages`).innerText();
  check(hint.length > 20, `no hint that ${name} takes several photos`);
  const photos = await page.evaluate(async () => {
    const out = [];
    for (const colour of ['#a33', '#33a']) {
      const canvas = document.createElement('canvas');
      canvas.width = 1200;
      canvas.height = 1600;
      const g = canvas.getContext('2d');
      g.fillStyle = colour;
      g.fillRect(0, 0, 1200, 1600);
      const blob = await new Promise((r) => canvas.toBlob(r, 'image/jpeg', 0.8));
      const bytes = new Uint8Array(await blob.arrayBuffer());
      let s = '';
      for (const b of bytes) s += String.fromCharCode(b);
      out.push(btoa(s));
    }
    return out;
  });
  await input.setInputFiles(photos.map((b64, i) => ({
    name: `pagina-${i + 1}.jpg`, mimeType: 'image/jpeg', buffer: Buffer.from(b64, 'base64'),
  })));
  await page.waitForFunction((n) => {
    const f = document.querySelector(`input[name="${n}"]`).files;
    return f.length === 1 && f[0].type === 'application/pdf';
  }, name, { timeout: 15_000 });
  const pdf = await input.evaluate(async (i) => {
    const text = new TextDecoder('latin1').decode(await i.files[0].arrayBuffer());
    return { name: i.files[0].name, head: text.slice(0, 5), pages: (text.match(/\/Type \/Page\b/g) || []).length };
  });
  check(pdf.head === '%PDF-' && pdf.pages === 2, `the two photos became ${JSON.stringify(pdf)}, not a PDF of two pages`);
  log(`two photos for ${name} became ${pdf.name}, a PDF of ${pdf.pages} pages`);
}

// The files this run uploads; removed at the end either way.
let tmp;
const cleanUp = () => (tmp ? rm(tmp, { recursive: true, force: true }) : Promise.resolve());
try {
  const context = await browser.newContext({
    viewport: { width: 360, height: 740 },
    locale: 'ro-RO',
    ...(mode === 'submit' ? {} : { storageState: config.state }),
  });
  context.setDefaultTimeout(20_000);
  page = await context.newPage();
  tmp = await mkdtemp(path.join(tmpdir(), 'ghiseu-citizen-'));
  const result = { mode };

  if (mode === 'submit') {
    await page.goto(`${base}/portal/register`);
    await register(page, config, (p) => shot(p, '01-register'));
    await confirmAccount(page, base, config.phone_e164);
    check(pathOf(page) === '/portal', `verification landed on ${page.url()}`);
    log('account created and confirmed');

    await page.goto(`${base}${config.form_path}`);
    const form = page.locator('form[enctype="multipart/form-data"]');
    for (const [name, value] of Object.entries(config.fields)) {
      await form.locator(`[name="${name}"]`).fill(value);
    }
    for (const name of config.files) {
      if (name === config.pages) continue;
      await form.locator(`input[type="file"][name="${name}"]`).setInputFiles(await pdfFile(tmp, `${name}.pdf`));
    }
    if (config.pages) await attachPages(page, form, config.pages);
    await shot(page, '02-form-filled');
    await submit(page, form);
    await noAlert(page, 'submission');
    check(pathOf(page) === '/portal', `submission landed on ${page.url()}`);
    // With JavaScript on, the upload went through the progress bar to 100 %.
    const progress = await page.evaluate(() => sessionStorage.getItem('ghiseu-upload-progress'));
    check(progress === '100', `the upload progress bar ended at ${progress}, not 100`);
    const number = await page.locator('p.notice strong').first().innerText();
    check(/^[A-Z]{2,8}-\d{4}-\d{6}$/.test(number.trim()), `no registration number shown (${number})`);
    result.regno = number.trim();
    await shot(page, '03-registered');
    await context.storageState({ path: config.state });
    log(`registered ${result.regno}`);
  }

  if (mode === 'reply') {
    await page.goto(`${base}/portal`);
    const link = page.locator('a[href$="/reply"]');
    check((await link.count()) === 1, 'my documents offer no reply link');
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), link.click()]);
    const form = page.locator('form[enctype="multipart/form-data"]');
    await form.locator('[name="message"]').fill(config.reply);
    await form.locator('input[type="file"][name="files"]').setInputFiles(await pdfFile(tmp, 'raspuns-petent.pdf'));
    await shot(page, '04-reply');
    await submit(page, form);
    await noAlert(page, 'reply');
    check(pathOf(page) === '/portal', `the reply landed on ${page.url()}`);
    check((await page.locator('a[href$="/reply"]').count()) === 0, 'still asked to reply after replying');
    await shot(page, '05-replied');
    log('replied');
  }

  if (mode === 'final') {
    await page.goto(`${base}/portal`);
    const text = await page.locator('main').innerText();
    check(text.includes('Soluționat'), `my documents do not show the request resolved:\n${text}`);
    await shot(page, '06-resolved');
    const details = page.locator('article.document a[href^="/track/"]').first();
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), details.click()]);
    check(pathOf(page).startsWith('/track/'), `the details link opened ${page.url()}`);
    await shot(page, '07-tracking');
    log('resolved and tracked');
  }

  if (mode === 'credential') {
    await page.goto(`${base}/portal/signature`);
    const buy = page.locator('form[action="/portal/signature/buy"]');
    check((await buy.count()) === 1, 'the signature page offers no purchase');
    await submit(page, buy);
    check(pathOf(page).startsWith('/sandbox/pay/checkout/'), `"Cumpără" opened ${page.url()}`);
    await shot(page, '08-payment');
    // The test card is filled in; "Plătește" pays, and the portal sends the
    // browser on to the signing provider's identification page.
    await submit(page, page.locator('form'));
    check(pathOf(page).startsWith('/sandbox/identity/'), `after paying the browser is on ${page.url()}`);
    const id = config.identity;
    const form = page.locator('form');
    await form.locator('[name="kind"]').selectOption(id.kind);
    for (const name of ['series', 'number', 'cnp', 'surname', 'given_name']) {
      await form.locator(`[name="${name}"]`).fill(id[name]);
    }
    await shot(page, '09-identity');
    await submit(page, form);
    await noAlert(page, 'identification');
    check(pathOf(page) === '/portal/signature', `the identification returned to ${page.url()}`);
    const text = await page.locator('main').innerText();
    const verified = `${id.given_name} ${id.surname}`;
    check(text.includes('este activă') && text.includes(verified),
      `the credential is not active in the name ${verified}:\n${text}`);
    await shot(page, '10-credential');
    log(`credential active in the name ${verified}`);
  }

  result.screenshots = screenshots;
  console.log(`RESULT ${JSON.stringify(result)}`);
  await cleanUp();
  await browser.close();
} catch (e) {
  console.error(`FAILED (${mode}): ${e.message}`);
  if (page) await page.screenshot({ path: path.join(artifacts, `failure-${mode}.png`), fullPage: true }).catch(() => {});
  await cleanUp().catch(() => {});
  await browser.close();
  process.exit(1);
}
