// Drives the trainer-worker dashboard in Debian's headless chromium through playwright-core and
// prints what it saw as one JSON object on stdout (DashboardBrowserTest asserts on it).
//   node dashboard.mjs <base-url> <admin-key> <screenshot.png>
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [base, adminKey, screenshot] = process.argv.slice(2);
const profile = mkdtempSync(join(tmpdir(), 'speechalign-chromium-'));
const out = { console_errors: [], failed_requests: [], bad_responses: [] };
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
  viewport: { width: 1400, height: 1000 },
});
try {
  const page = context.pages()[0] || await context.newPage();
  page.setDefaultTimeout(30000);
  page.on('console', (m) => { if (m.type() === 'error') out.console_errors.push(m.text()); });
  page.on('requestfailed', (r) => out.failed_requests.push(r.url()));
  page.on('response', (r) => { if (r.status() >= 400) out.bad_responses.push(r.status() + ' ' + r.url()); });
  const response = await page.goto(base + '/dashboard', { waitUntil: 'load' });
  out.status = response.status();
  out.url = page.url();
  out.title = await page.title();
  await page.waitForSelector('body[data-loaded="true"]');
  const count = (sel) => page.locator(sel).count();
  out.charts = {
    ratings_series: await count('svg[data-chart="ratings"] path.series'),
    ratings_points: await count('svg[data-chart="ratings"] circle.point'),
    winrate_bars: await count('svg[data-chart="winrates"] rect.bar'),
    pairs_bars: await count('svg[data-chart="pairs"] rect.bar'),
    loss_series: await count('svg[data-chart="loss"] path.series'),
    accuracy_series: await count('svg[data-chart="accuracy"] path.series'),
  };
  out.loss_path_length = await page.locator('svg[data-chart="loss"] path.series').first().getAttribute('d').then((d) => (d || '').length);
  out.registry_rows = await count('#table-registry tbody tr');
  out.audio_players = await count('#table-syntheses audio');
  out.serving_before = (await page.locator('#serving').textContent()).trim();

  // Without a key the page refuses to act.
  await page.fill('#key', '');
  await page.click('#rollback');
  out.message_without_key = (await page.locator('#message').textContent()).trim();

  // With the admin key: roll back, wait for the registry to change.
  await page.fill('#key', adminKey);
  await page.evaluate(() => { const m = document.getElementById('message'); m.className = ''; m.textContent = ''; });
  await page.click('#rollback');
  await page.waitForSelector('#message.ok, #message.error');
  out.rollback_message = (await page.locator('#message').textContent()).trim();
  out.rollback_ok = await page.locator('#message.ok').count() === 1;
  await page.waitForFunction((before) => document.getElementById('serving').textContent.trim() !== before, out.serving_before);
  out.serving_after = (await page.locator('#serving').textContent()).trim();
  out.history_first_row = (await page.locator('#table-history tbody tr').first().textContent()).trim();
  await page.screenshot({ path: screenshot, fullPage: true });
} catch (e) {
  out.error = String(e && e.stack || e);
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
console.log(JSON.stringify(out));
