// "My data" in headless Chromium (issue 20, item 5): a citizen signs up, follows
// "my data" from "my documents", reads what the platform holds, downloads the ZIP
// by the page's link, reads the page in Hungarian, sends the closing form wrong
// (no confirmation, a wrong password), then right, and reads what was erased and
// what is kept. Every page is checked by inspect.mjs (axe-core WCAG 2.1 AA, reflow
// at 320 px, the page's language, a screenshot).
//
//   node my_data.mjs BASE_URL ARTIFACTS_DIR CONFIG_JSON
//
// CONFIG_JSON (written by tests/tests/api/my_data.rs):
//   { "viewport": {"width": 320, "height": 640},
//     "account": {"name", "phone", "phone_e164", "password"} }
// Screenshots go to ARTIFACTS_DIR/pages/{nn}-{page}.png. On success the last line
// is `RESULT {json}` (the ZIP's size, the screenshots).

import path from 'node:path';
import {
  check,
  confirmAccount,
  failJourney,
  finishJourney,
  launch,
  pathOf,
  register,
  scriptArgs,
  submit,
} from './common.mjs';
import { inspector } from './inspect.mjs';

const { base, artifacts, config } = await scriptArgs('my_data.mjs');
const { width, height } = config.viewport;
const started = Date.now();
const log = (m) => console.log(`[my-data ${width}x${height} +${((Date.now() - started) / 1000).toFixed(1)}s] ${m}`);
const pages = path.join(artifacts, 'pages');
const ro = inspector(pages, log, { lang: 'ro' });
const hu = inspector(pages, log, { lang: 'hu' });
const problems = [ro.problems, hu.problems];
const result = { screenshots: ro.screenshots };

const browser = await launch();
let page;
try {
  const context = await browser.newContext({ viewport: { width, height }, locale: 'ro-RO', acceptDownloads: true });
  context.setDefaultTimeout(30_000);
  page = await context.newPage();
  ro.watch(page);
  await page.goto(`${base}/portal/register`);
  await register(page, config.account);
  await confirmAccount(page, base, config.account.phone_e164);
  check(pathOf(page) === '/portal', `signed in on ${page.url()}`);

  const link = page.locator('a[href="/portal/my-data"]');
  check((await link.count()) === 1, 'my documents link to my data');
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), link.click()]);
  check(pathOf(page) === '/portal/my-data', `the link opened ${page.url()}`);
  check((await page.locator('h1').innerText()) === 'Datele mele', 'the page is "Datele mele"');
  await ro.inspect(page, 'my-data');

  // The download, by the page's own link.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('a[href^="/portal/my-data.zip"]').click(),
  ]);
  const saved = path.join(artifacts, 'date-personale.zip');
  await download.saveAs(saved);
  check(download.suggestedFilename() === 'date-personale.zip', `downloaded ${download.suggestedFilename()}`);
  result.zip = saved;

  // The same page in Hungarian.
  await page.goto(`${base}/portal/my-data?lang=hu`);
  await hu.inspect(page, 'my-data-hu');
  await page.goto(`${base}/portal/my-data?lang=ro`);

  // Closing, sent without the confirmation and with a wrong password.
  let form = page.locator('form[action="/portal/my-data/close"]');
  await form.locator('[name="password"]').fill('nu este parola');
  await submit(page, form);
  const alert = page.getByRole('alert');
  check((await alert.count()) === 1, 'the refused form has an error summary');
  const said = await alert.innerText();
  check(said.includes('Bifați') && said.includes('Parola nu este corectă'), `the summary says: ${said}`);
  await ro.inspect(page, 'my-data-refused');

  // Sent right: closed.
  form = page.locator('form[action="/portal/my-data/close"]');
  await form.locator('[name="password"]').fill(config.account.password);
  await form.locator('[name="confirm"]').check();
  await submit(page, form);
  check((await page.locator('h1').innerText()) === 'Contul a fost închis', 'the account is closed');
  await ro.inspect(page, 'closed');

  // Signed out: "my documents" is the sign-in page.
  await page.goto(`${base}/portal`);
  check((await page.locator('form[action="/portal/login"]').count()) === 1, 'signed out');

  result.screenshots = [...ro.screenshots, ...hu.screenshots];
  await finishJourney(browser, problems.flat(), result);
} catch (e) {
  await failJourney(browser, page, artifacts, problems.flat(), e);
}
