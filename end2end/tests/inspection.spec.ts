// The integrity inspection (総点検) in the portal: a supervisor starts a scan of every linked item
// and watches it run; from the counts by institution and category, a finding's evidence is two
// clicks away, with the engine's explanation (a waterfall chart and its table); the finding becomes a
// correction case. The pages pass axe in both languages.
import { test, expect } from "@playwright/test";
import { demo, collectProblems, expectNoAxeViolations as axe, staffPage, waitForHydration } from "./support";
import type { Page } from "@playwright/test";

async function expectNoAxeViolations(page: Page) {
  await waitForHydration(page);
  await axe(page);
}

const staff = (username: string) => {
  const s = demo.staff.find((x) => x.username === username);
  if (!s) throw new Error(`no demo staff ${username}`);
  return s;
};

test("start a scan → live progress → counts → list → evidence (two clicks) → a case", async ({ browser }) => {
  test.setTimeout(120_000);
  const sup = await staffPage(browser, staff("supervisor2"));
  const problems = collectProblems(sup);

  await sup.getByRole("link", { name: "総点検" }).click();
  await expect(sup.getByRole("heading", { level: 1, name: "総点検" })).toBeVisible();
  await waitForHydration(sup);
  await sup.getByRole("button", { name: /点検を始める/ }).click();
  await expect(sup.getByText("点検を受け付けました")).toBeVisible();

  // The page follows the run by itself (no reload) until it has finished.
  const progress = sup.getByRole("progressbar", { name: /の進み具合/ });
  await expect(progress).toBeVisible();
  await expect(sup.locator(".run-fields").getByText("完了", { exact: true })).toBeVisible({ timeout: 60_000 });
  await expect(progress).toHaveAttribute("value", "100");
  await expect(sup.getByRole("heading", { name: /機関・分類別の検出件数/ })).toBeVisible();
  await expectNoAxeViolations(sup);

  // Click 1: a count of "likely another person" opens those findings.
  const counts = sup.getByRole("table", { name: /機関・分類別の検出件数/ });
  const firstCount = counts.locator("tbody tr").first().locator("td").nth(1).getByRole("link");
  await firstCount.click();
  await expect(sup).toHaveURL(/\/staff\/inspection\/\d+\?institution=\d+&category=[a-z_]+&verdict=wrong_person$/);
  await expect(sup.getByText(/表示中：/)).toBeVisible();
  await expectNoAxeViolations(sup);

  // Click 2: the most suspicious finding, with its evidence side by side.
  await sup.locator("table.finding-table tbody tr").first().getByRole("link", { name: /検出 \d+/ }).click();
  await expect(sup).toHaveURL(/\/staff\/findings\/\d+$/);
  await expect(sup.getByRole("heading", { name: "根拠", exact: true })).toBeVisible();
  await expect(sup.getByText("別人の可能性").first()).toBeVisible();
  await expect(sup.getByRole("region", { name: /住民票の比較/ }).first()).toBeVisible();
  const html = await sup.content();
  for (const r of demo.residents) expect(html).not.toContain(r.my_number);
  const findingUrl = sup.url();

  // Its explanation: the weights as a chart (an image with a summary) and a table a screen reader
  // reads, row by row, ending with the probability that the link is wrong.
  await expect(sup.getByRole("heading", { name: "判定の根拠（項目ごとの重み）" })).toBeVisible();
  await expect(sup.getByText(/＋1ビットごとに/)).toBeVisible();
  await expect(sup.getByRole("img", { name: /判定の根拠の滝グラフ/ })).toBeVisible();
  const weights = sup.getByRole("table", { name: "判定の根拠の内訳（重みの単位はビット）" });
  await expect(weights).toBeVisible();
  await expect(weights.getByRole("columnheader", { name: "重み（ビット）" })).toBeVisible();
  // An attribute's row: its name, the comparison level in words, a signed weight, the running total.
  const attributes = /^(氏名（漢字）|氏名（カナ）|氏名（ローマ字）|生年月日|性別|住所)$/;
  const attribute = weights.getByRole("row").filter({ has: sup.getByRole("rowheader", { name: attributes }) }).first();
  await expect(attribute.getByRole("cell").nth(0)).toHaveText(/\S/);
  await expect(attribute.getByRole("cell").nth(1)).toHaveText(/^[+−]\d+\.\d$|^0\.0$/);
  await expect(weights.getByRole("row", { name: /^事前の見込み/ })).toBeVisible();
  await expect(weights.getByRole("row", { name: /^ひも付けが誤りである確率/ })).toContainText(/\d+(\.\d)?%/);
  await expectNoAxeViolations(sup);

  // At 390 px the chart scales down and only the table's own region scrolls sideways.
  await sup.setViewportSize({ width: 390, height: 844 });
  const chart = await sup.getByRole("img", { name: /判定の根拠の滝グラフ/ }).boundingBox();
  expect(chart && chart.x >= 0 && chart.x + chart.width <= 390).toBeTruthy();
  expect(await sup.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await expect(sup.getByRole("region", { name: /判定の根拠の内訳の表/ })).toBeVisible();
  await expectNoAxeViolations(sup);
  await sup.setViewportSize({ width: 1280, height: 720 });

  // The finding becomes a case in the correction workflow.
  await sup.getByRole("button", { name: "この検出結果から案件を作成する" }).click();
  await expect(sup).toHaveURL(/\/staff\/cases\/[0-9A-Z-]{13}\?done=raised$/);
  await expect(sup.getByText("検出結果から案件を作成しました")).toBeVisible();
  await expect(sup.getByText("総点検で誤ったひも付けの可能性が見つかり、確認を始めました")).toBeVisible();
  // The case's pre-check carries the same explanation.
  await expect(sup.getByRole("heading", { name: "事前確認の根拠（項目ごとの重み）" })).toBeVisible();
  await expect(sup.getByRole("table", { name: "判定の根拠の内訳（重みの単位はビット）" })).toBeVisible();
  await expectNoAxeViolations(sup);

  // In English, too.
  await sup.goto("/lang/en?next=/staff/inspection");
  await expect(sup.getByRole("heading", { level: 1, name: "Integrity inspection" })).toBeVisible();
  await expectNoAxeViolations(sup);
  await sup.goto(findingUrl);
  await expect(sup.getByRole("heading", { name: "Why: the weight of each attribute" })).toBeVisible();
  await expect(sup.getByRole("img", { name: /Waterfall chart of the evidence/ })).toBeVisible();
  const weightsEn = sup.getByRole("table", { name: "How the evidence adds up (weights in bits)" });
  const attributesEn = /^(Name \(kanji\)|Name \(kana\)|Name \(romaji\)|Date of birth|Sex|Address)$/;
  const attributeEn = weightsEn.getByRole("row").filter({ has: sup.getByRole("rowheader", { name: attributesEn }) }).first();
  await expect(attributeEn.getByRole("cell").nth(1)).toHaveText(/^[+−]\d+\.\d$|^0\.0$/);
  await expect(weightsEn.getByRole("row", { name: /^Probability that the link is wrong/ })).toContainText(/\d+(\.\d)?%/);
  await expectNoAxeViolations(sup);
  expect(problems).toEqual([]);
});
