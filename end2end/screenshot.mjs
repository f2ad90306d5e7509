// Takes the README screenshots from a running portal: node end2end/screenshot.mjs BASE_URL NUMBER PASSWORD
import { chromium } from "@playwright/test";

const [base = "http://127.0.0.1:3000", number, password] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});
const page = await browser.newPage({ viewport: { width: 1100, height: 1500 } });
await page.goto(`${base}/login`);
await page.screenshot({ path: "docs/signin.png" });
await page.getByLabel("マイナンバー（個人番号）").fill(number);
await page.getByLabel("パスワード").fill(password);
await page.getByRole("button", { name: "サインイン" }).click();
await page.waitForURL(/\/me$/);
await page.screenshot({ path: "docs/my-data.png" });
await page.locator("#cat-health_insurance details.match-card[open]").first().scrollIntoViewIfNeeded();
await page.screenshot({ path: "docs/match-card.png" });
await browser.close();
