// Shared by the journeys: the demo credentials the e2e server wrote, TOTP codes, and checks.
import { expect, Page, ConsoleMessage, Browser } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createHmac } from "node:crypto";

export type DemoResident = { resident_id: number; my_number: string; password: string; role: string };
export type DemoStaff = {
  username: string;
  display_name: string;
  role: string;
  institution: string | null;
  password: string;
  totp_secret: string;
};
export const demo: { residents: DemoResident[]; staff: DemoStaff[] } = JSON.parse(
  readFileSync(join(__dirname, "../../target/e2e/demo.json"), "utf8"),
);

// Typed as people type it: in groups, with a space and full-width digits.
export const spaced = (n: string) => `${n.slice(0, 4)} ${n.slice(4, 8)} ${n.slice(8)}`;
export const fullWidth = (n: string) => n.replace(/[0-9]/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0));

export function collectProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on("console", (m: ConsoleMessage) => {
    if (m.type() === "error") problems.push(m.text());
  });
  page.on("pageerror", (e) => problems.push(String(e)));
  return problems;
}

/** WCAG 2.2 A/AA rules that axe-core can check automatically. */
export async function expectNoAxeViolations(page: Page) {
  const results = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"])
    .analyze();
  const summary = results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ") + " :: " + n.failureSummary).join(", ")})`);
  expect(summary, summary.join("\n")).toEqual([]);
}

/**
 * Waits until the page's islands run: the bundle marks `<html data-hydrated>` once it has loaded,
 * and each island its `<leptos-island>` once hydrated (pages are server-rendered; only islands
 * hydrate). Times out, and fails the journey, when the bundle or an island does not start.
 */
export async function waitForHydration(page: Page) {
  await page.waitForLoadState("networkidle");
  await page.waitForFunction(
    () =>
      document.documentElement.hasAttribute("data-hydrated") &&
      Array.from(document.querySelectorAll("leptos-island")).every((island) => island.hasAttribute("data-hydrated")),
    undefined,
    { timeout: 15_000 },
  );
}

function base32(s: string): Buffer {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of s.replace(/=+$/, "").toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** The 6-digit code an authenticator app shows now (RFC 6238, SHA-1, 30 s). */
export function totp(secret: string, at = Date.now()): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 1000 / 30)));
  const h = createHmac("sha1", base32(secret)).update(counter).digest();
  const o = h[h.length - 1] & 0xf;
  const n = (h.readUInt32BE(o) & 0x7fffffff) % 1_000_000;
  return String(n).padStart(6, "0");
}

/** A resident signed in, in a browser context of their own. */
export async function residentPage(browser: Browser, who: DemoResident): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto("/login");
  await page.getByLabel("マイナンバー（個人番号）").fill(who.my_number);
  await page.getByLabel("パスワード").fill(who.password);
  await page.getByRole("button", { name: "サインイン", exact: true }).click();
  await expect(page).toHaveURL(/\/me$/);
  return page;
}

/** A staff member signed in with password and TOTP code, in a browser context of their own. */
export async function staffPage(browser: Browser, who: DemoStaff): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto("/staff/login");
  await page.getByLabel("ユーザー名").fill(who.username);
  await page.getByLabel("パスワード").fill(who.password);
  await page.getByLabel(/確認コード/).fill(totp(who.totp_secret));
  await page.getByRole("button", { name: "サインイン", exact: true }).click();
  await expect(page).not.toHaveURL(/\/staff\/login/);
  return page;
}
