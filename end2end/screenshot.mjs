// Takes the README screenshots from a running demo portal (scripts/demo.sh):
//   node end2end/screenshot.mjs [BASE_URL] [DEMO_JSON]
// It files a report as the first demo resident, claims it as caseworker1, looks it up as
// helpdesk1 and runs a scan as supervisor1, so run it on a fresh demo database.
import { chromium } from "@playwright/test";
import { readFileSync } from "node:fs";
import { createHmac } from "node:crypto";

const [base = "http://127.0.0.1:3000", demoPath = "var/demo/demo.json"] = process.argv.slice(2);
const demo = JSON.parse(readFileSync(demoPath, "utf8"));
const resident = demo.residents[0];
const staff = (u) => demo.staff.find((s) => s.username === u);

function totp(secret) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of secret) bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30000)));
  const h = createHmac("sha1", key).update(counter).digest();
  const o = h[h.length - 1] & 0xf;
  return String((h.readUInt32BE(o) & 0x7fffffff) % 1_000_000).padStart(6, "0");
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});
const viewport = { width: 1100, height: 1500 };

// The resident: sign-in, the data page, the match card, a report.
const page = await (await browser.newContext({ viewport })).newPage();
await page.goto(`${base}/login`);
await page.screenshot({ path: "docs/signin.png" });
await page.getByLabel("マイナンバー（個人番号）").fill(resident.my_number);
await page.getByLabel("パスワード").fill(resident.password);
await page.getByRole("button", { name: "サインイン" }).click();
await page.waitForURL(/\/me$/);
await page.screenshot({ path: "docs/my-data.png" });
const wrong = page.locator("#cat-health_insurance article.item", { has: page.locator("details.match-card[open]") }).first();
await wrong.scrollIntoViewIfNeeded();
await page.screenshot({ path: "docs/match-card.png" });
await wrong.getByRole("link", { name: /この情報について報告する/ }).click();
await page.getByLabel(/補足/).fill("この保険に加入したことはありません。");
await page.getByRole("button", { name: "報告する" }).click();
await page.waitForURL(/submitted=1/);
await page.screenshot({ path: "docs/report-submitted.png" });
const reference = page.url().match(/\/reports\/([0-9A-Z-]{13})/)[1];

// The caseworker: the queue and the case page.
async function staffPage(who) {
  const p = await (await browser.newContext({ viewport })).newPage();
  await p.goto(`${base}/staff/login`);
  await p.getByLabel("ユーザー名").fill(who.username);
  await p.getByLabel("パスワード").fill(who.password);
  await p.getByLabel(/確認コード/).fill(totp(who.totp_secret));
  await p.getByRole("button", { name: "サインイン" }).click();
  await p.waitForURL(/\/staff(\/helpdesk)?$/);
  return p;
}
const cw = await staffPage(staff("caseworker1"));
await cw.screenshot({ path: "docs/staff-queue.png" });
await cw.goto(`${base}/staff/cases/${reference}`);
await cw.getByRole("button", { name: "担当する" }).click();
await cw.waitForURL(/done=claim/);
await cw.screenshot({ path: "docs/staff-case.png" });

// The helpdesk: what may be told to a caller.
const hd = await staffPage(staff("helpdesk1"));
await hd.getByRole("textbox", { name: /受付番号/ }).fill(reference);
await hd.getByRole("button", { name: "照会する" }).click();
await hd.getByText(`受付番号 ${reference} の状況`).waitFor();
await hd.screenshot({ path: "docs/helpdesk.png" });

// The integrity inspection: a scan, its counts, and one finding's evidence.
const sup = await staffPage(staff("supervisor1"));
await sup.goto(`${base}/staff/inspection`);
await sup.getByRole("button", { name: /点検を始める/ }).click();
await sup.locator(".run-fields").getByText("完了", { exact: true }).waitFor({ timeout: 120_000 });
await sup.screenshot({ path: "docs/inspection.png" });
await sup.locator("table.finding-table tbody tr").first().getByRole("link", { name: /検出 \d+/ }).click();
await sup.getByRole("heading", { name: "根拠" }).waitFor();
await sup.screenshot({ path: "docs/finding.png", fullPage: true });
await browser.close();
console.log(`screenshots in docs/ (report ${reference})`);
