import { test, expect } from "@playwright/test";
import { demo, collectProblems, expectNoAxeViolations, waitForHydration, spaced, fullWidth } from "./support";

// The resident who has another person's health insurance linked.
const resident = demo.residents[0];

test("a resident signs in, reads the six categories and a match card, switches to English and signs out", async ({ page }) => {
  const problems = collectProblems(page);
  await page.goto("/login");
  await waitForHydration(page);
  await expect(page.getByRole("heading", { level: 1, name: "サインイン" })).toBeVisible();
  await expectNoAxeViolations(page);

  await page.getByLabel("マイナンバー（個人番号）").fill(spaced(resident.my_number));
  await page.getByLabel("パスワード").fill(resident.password);
  await page.getByRole("button", { name: "サインイン", exact: true }).click();

  await expect(page).toHaveURL(/\/me$/);
  await expect(page.getByRole("heading", { level: 1, name: "わたしの情報" })).toBeVisible();
  const nav = page.getByRole("navigation", { name: "カテゴリ" });
  for (const name of ["住民票・世帯", "税・所得", "健康保険", "年金", "障害者手帳", "公金受取口座"]) {
    await expect(page.getByRole("heading", { level: 2, name: new RegExp(name) })).toBeVisible();
    await expect(nav.getByRole("link", { name: new RegExp(name) })).toBeVisible();
  }
  // The full number is never on the page; the masked one is.
  const html = await page.content();
  expect(html).not.toContain(resident.my_number);
  await expect(page.getByText(`**** **** ${resident.my_number.slice(8)}`)).toBeVisible();

  // The wrongly linked health insurance: its match card is open and shows a difference.
  const health = page.locator("#cat-health_insurance");
  const card = health.locator("details.match-card[open]").first();
  await expect(card).toBeVisible();
  await expect(card.getByRole("table")).toBeVisible();
  await expect(card.locator(".badge-differs").first()).toBeVisible();
  await expect(card.getByRole("rowheader", { name: "生年月日" })).toBeVisible();
  await expectNoAxeViolations(page);

  // Reveal a masked identifier and hide it again.
  const reveal = page.getByRole("button", { name: /番号を表示/ }).first();
  await reveal.click();
  await expect(page.getByRole("link", { name: "番号を隠す" })).toBeVisible();

  // English, and it persists across pages.
  await page.getByRole("link", { name: "English" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "My linked data" })).toBeVisible();
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await expectNoAxeViolations(page);
  await page.getByRole("link", { name: "Home" }).click();
  await expect(page.getByRole("link", { name: "Sign in to check" })).toBeVisible();

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login\?error=signed_out/);
  await expect(page.getByText("You have signed out.")).toBeVisible();
  // After sign-out the data page is closed.
  await page.goto("/me");
  await expect(page).toHaveURL(/\/login/);
  expect(problems, problems.join("\n")).toEqual([]);
});

test("the check digit is checked in the browser before anything is sent", async ({ page }) => {
  const problems = collectProblems(page);
  await page.goto("/login");
  await waitForHydration(page);
  const n = resident.my_number;
  const wrong = n.slice(0, 11) + String((Number(n[11]) + 1) % 10);
  await page.getByLabel("マイナンバー（個人番号）").fill(wrong);
  await page.getByLabel("パスワード").fill("anything");
  await page.getByRole("button", { name: "サインイン", exact: true }).click();
  await expect(page.getByText("検査用数字が一致しません", { exact: false })).toBeVisible();
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByLabel("マイナンバー（個人番号）")).toHaveAttribute("aria-invalid", "true");
  // Full-width digits are fine.
  await page.getByLabel("マイナンバー（個人番号）").fill(fullWidth(n));
  await page.getByLabel("パスワード").fill(resident.password);
  await page.getByRole("button", { name: "サインイン", exact: true }).click();
  await expect(page).toHaveURL(/\/me$/);
  expect(problems, problems.join("\n")).toEqual([]);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("sign-in, reading and the server's messages all work", async ({ page }) => {
    await page.goto("/login");
    await page.getByLabel("マイナンバー（個人番号）").fill("1234");
    await page.getByLabel("パスワード").fill("x");
    await page.getByRole("button", { name: "サインイン", exact: true }).click();
    await expect(page.getByText("マイナンバーは12桁です。")).toBeVisible();

    await page.getByLabel("マイナンバー（個人番号）").fill(resident.my_number);
    await page.getByLabel("パスワード").fill(resident.password);
    await page.getByRole("button", { name: "サインイン", exact: true }).click();
    await expect(page).toHaveURL(/\/me$/);
    await expect(page.getByRole("heading", { level: 2, name: /公金受取口座/ })).toBeVisible();
    await page.getByRole("button", { name: /番号を表示/ }).first().click();
    await expect(page).toHaveURL(/reveal=\d+/);
    await expect(page.getByRole("link", { name: "番号を隠す" })).toBeVisible();
    await page.getByRole("button", { name: "サインアウト" }).click();
    await expect(page.getByText("サインアウトしました。")).toBeVisible();
  });
});

test("mobile width: no horizontal scrolling of the page", async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 800 });
  await page.goto("/login");
  await page.getByLabel("マイナンバー（個人番号）").fill(resident.my_number);
  await page.getByLabel("パスワード").fill(resident.password);
  await page.getByRole("button", { name: "サインイン", exact: true }).click();
  await expect(page).toHaveURL(/\/me$/);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await page.screenshot({ path: "../target/e2e/mobile.png", fullPage: false });
});

test("keyboard: the skip link comes first and the sign-in form works without a mouse", async ({ page }) => {
  await page.goto("/login");
  await waitForHydration(page);
  await page.keyboard.press("Tab");
  const skip = page.getByRole("link", { name: "本文へ移動" });
  await expect(skip).toBeFocused();
  await expect(skip).toBeVisible();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/#main$/);
  await page.getByLabel("マイナンバー（個人番号）").focus();
  await page.keyboard.type(resident.my_number);
  await page.keyboard.press("Tab");
  await expect(page.getByLabel("パスワード")).toBeFocused();
  await page.keyboard.type(resident.password);
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/me$/);
});
