// The correction workflow across five people, each in a browser context of their own: a resident
// reports an item that is not theirs, the caseworker of the institution that linked it
// investigates, asks, and proposes a relink; the same caseworker cannot approve, a supervisor
// does; the item moves to its owner, both are told, and the helpdesk can answer a caller about
// the case with masked identifiers only.
import { test, expect } from "@playwright/test";
import { demo, collectProblems, expectNoAxeViolations as axe, residentPage, staffPage, waitForHydration } from "./support";
import type { Page } from "@playwright/test";

/** The accessibility check once the page has settled (stylesheet, hydration). */
async function expectNoAxeViolations(page: Page) {
  await waitForHydration(page);
  await axe(page);
}

const reporter = demo.residents[0]; // has another person's health insurance linked
const owner = demo.residents[1]; // the person it belongs to
const staff = (username: string) => {
  const s = demo.staff.find((x) => x.username === username);
  if (!s) throw new Error(`no demo staff ${username}`);
  return s;
};
const caseworker = staff("caseworker1");
const supervisor = staff("supervisor1");
const helpdesk = staff("helpdesk1");

test("not mine → pre-check → question → answer → relink proposal → second-person approval → moved, notified, logged", async ({ browser }) => {
  test.setTimeout(180_000);
  const institution = caseworker.institution!;

  // The resident reports the wrongly linked health insurance as not theirs.
  const r = await residentPage(browser, reporter);
  const rProblems = collectProblems(r);
  const item = r.locator("#cat-health_insurance article.item", { hasText: institution }).first();
  await expect(item).toBeVisible();
  await item.getByRole("link", { name: /この情報について報告する/ }).click();
  await expect(r.getByRole("radio", { name: /自分の情報ではない/ })).toBeChecked();
  await r.getByLabel(/補足/).fill("この保険に加入したことはありません。");
  await expectNoAxeViolations(r);
  await r.getByRole("button", { name: "報告する" }).click();
  await expect(r).toHaveURL(/\/reports\/[0-9A-Z-]{13}\?submitted=1$/);
  const reference = r.url().match(/\/reports\/([0-9A-Z-]{13})/)![1];
  await expect(r.locator(".reference").first()).toHaveText(reference);
  await expect(r.getByText("これからの流れ")).toBeVisible();
  await expectNoAxeViolations(r);
  await r.goto("/me");
  await expect(r.locator("#cat-health_insurance article.item", { hasText: institution }).first().getByText("確認中").first()).toBeVisible();

  // The caseworker of that institution finds it in the queue with the pre-check verdict.
  const cw = await staffPage(browser, caseworker);
  const cwProblems = collectProblems(cw);
  await expect(cw).toHaveURL(/\/staff$/);
  const row = cw.getByRole("row", { name: new RegExp(reference) });
  await expect(row).toBeVisible();
  await expect(row.getByText("別人の可能性が高い")).toBeVisible();
  await expectNoAxeViolations(cw);
  await row.getByRole("link", { name: reference }).click();
  await expect(cw.getByRole("heading", { level: 1, name: new RegExp(reference) })).toBeVisible();
  await expect(cw.getByText("別人の可能性が高い").first()).toBeVisible();
  await expect(cw.getByText("この保険に加入したことはありません。")).toBeVisible();
  await cw.getByRole("button", { name: "担当する" }).click();
  await expect(cw).toHaveURL(/done=claim/);
  await cw.getByLabel("住民の方への質問").fill("お勤め先の健康保険証の記号番号を教えてください。");
  await cw.getByRole("button", { name: "情報の提供を依頼する" }).click();
  await expect(cw).toHaveURL(/done=request_info/);
  await expectNoAxeViolations(cw);

  // The resident sees the question, in the inbox and on the report, and answers.
  await r.goto("/inbox");
  await expect(r.getByText("情報の提供をお願いします").first()).toBeVisible();
  await r.goto(`/reports/${reference}`);
  await expect(r.getByText("お勤め先の健康保険証の記号番号を教えてください。").first()).toBeVisible();
  await r.getByRole("textbox", { name: /^回答/ }).fill("記号 1234 番号 56 です。");
  await r.getByRole("button", { name: "回答を送信する" }).click();
  await expect(r).toHaveURL(/done=answered/);

  // The caseworker searches the register on the institution's own record and proposes a relink.
  await cw.goto(`/staff/cases/${reference}`);
  const card = cw.locator(".match-table").first();
  const cell = async (label: string) =>
    (await card.getByRole("row", { name: new RegExp(label) }).locator("td").first().innerText()).trim();
  const birth = await cell("生年月日");
  const kana = await cell("氏名（カナ）");
  await cw.getByRole("link", { name: "正しい本人を検索" }).click();
  await cw.getByLabel(/氏名（漢字またはカナ）/).fill(kana);
  await cw.getByLabel(/生年月日/).fill(birth);
  await cw.getByLabel(/検索の目的/).fill("誤紐付けの報告について、情報の本来の持ち主を確認するため");
  await cw.getByRole("button", { name: "住民基本台帳を検索する" }).click();
  const candidate = cw.locator("li, article, tr", { hasText: owner.my_number.slice(8) }).filter({ has: cw.getByRole("button", { name: /紐付け直す案を提出/ }) }).first();
  await expect(candidate).toBeVisible();
  await candidate.getByLabel(/この人と判断した理由/).fill("提供元の記録の氏名・生年月日・住所がこの方と一致するため");
  await candidate.getByRole("button", { name: /紐付け直す案を提出/ }).click();
  await expect(cw).toHaveURL(/done=propose/);

  // The proposer cannot approve: no button, and the server refuses a forged request.
  await expect(cw.getByRole("button", { name: "承認して反映する" })).toHaveCount(0);
  const forged = await cw.request.post(`/staff/cases/${reference}/approve`, {
    headers: { origin: new URL(cw.url()).origin, "sec-fetch-site": "same-origin" },
    form: {},
    maxRedirects: 0,
  });
  expect(forged.status()).toBe(403);

  // A supervisor approves.
  const sup = await staffPage(browser, supervisor);
  await sup.goto(`/staff/cases/${reference}`);
  await expect(sup.getByText("正しい本人に紐付け直す").first()).toBeVisible();
  await sup.getByRole("button", { name: "承認して反映する" }).click();
  await expect(sup).toHaveURL(/done=approve/);

  // The item left the reporter's view; the timeline shows the outcome; notices arrived.
  await r.goto("/me");
  await expect(r.locator("#cat-health_insurance article.item", { hasText: institution })).toHaveCount(0);
  await r.goto(`/reports/${reference}`);
  await expect(r.getByText("対応が承認され、反映されました")).toBeVisible();
  await expect(r.getByText("正しい本人に紐付け直す").first()).toBeVisible();
  await r.goto("/inbox");
  await expect(r.getByText("報告への対応が決まりました").first()).toBeVisible();
  await expect(r.getByText("誤って紐付いていた情報について").first()).toBeVisible();
  // Who viewed my data: the caseworker's accesses, by organisation and role, without names.
  await r.goto("/me/access");
  const accesses = r.getByRole("row", { name: new RegExp(`${institution}.*担当職員`) });
  expect(await accesses.count()).toBeGreaterThan(0);
  await expect(r.getByText(caseworker.display_name)).toHaveCount(0);
  await expectNoAxeViolations(r);

  // The owner now has the item, and a notice that it was visible to someone else.
  const o = await residentPage(browser, owner);
  await expect(o.locator("#cat-health_insurance article.item", { hasText: institution }).first()).toBeVisible();
  await o.goto("/inbox");
  await expect(o.getByText("あなたの情報が別の方に紐付いていました").first()).toBeVisible();

  // The helpdesk finds the case by its reference (typed in lower case, without hyphens) and
  // sees masked identifiers only.
  const hd = await staffPage(browser, helpdesk);
  await expect(hd).toHaveURL(/\/staff\/helpdesk$/);
  await hd.getByRole("textbox", { name: /受付番号/ }).fill(reference.toLowerCase().replaceAll("-", ""));
  await hd.getByRole("button", { name: "照会する" }).click();
  await expect(hd.getByText(`受付番号 ${reference} の状況`)).toBeVisible();
  await expect(hd.getByText(`**** **** ${reporter.my_number.slice(8)}`)).toBeVisible();
  const html = await hd.content();
  expect(html).not.toContain(reporter.my_number);
  expect(html).not.toContain("この保険に加入したことはありません。");
  await expectNoAxeViolations(hd);

  expect(rProblems, rProblems.join("\n")).toEqual([]);
  expect(cwProblems, cwProblems.join("\n")).toEqual([]);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("a resident reports, reads the report and withdraws it; a caseworker signs in and reads the queue", async ({ browser }) => {
    const guardian = demo.residents[2]; // has a dependant's disability certificate linked
    const r = await residentPage(browser, guardian);
    await r.goto("/me");
    const item = r.locator("#cat-disability article.item").first();
    await item.getByRole("link", { name: /この情報について報告する/ }).click();
    await r.getByRole("radio", { name: /自分の情報ではない/ }).check();
    await r.getByRole("button", { name: "報告する" }).click();
    await expect(r).toHaveURL(/\/reports\/[0-9A-Z-]{13}\?submitted=1$/);
    await expect(r.getByText("報告を受け付けました").first()).toBeVisible();
    await r.getByRole("link", { name: "報告の状況" }).first().click();
    await expect(r.getByRole("row", { name: /障害者手帳/ }).first()).toBeVisible();
    await r.getByRole("row", { name: /障害者手帳/ }).first().getByRole("link").first().click();
    await r.getByRole("button", { name: "報告を取り下げる" }).click();
    await expect(r).toHaveURL(/done=withdrawn/);
    await expect(r.getByText("取り下げ").first()).toBeVisible();

    const cw = await staffPage(browser, staff("caseworker3"));
    await expect(cw.getByRole("heading", { level: 1, name: "案件一覧" })).toBeVisible();
  });
});

test("the workflow pages in English pass the accessibility checks", async ({ browser }) => {
  test.setTimeout(120_000);
  const r = await residentPage(browser, reporter);
  await r.getByRole("link", { name: "English" }).click();
  await expect(r.locator("html")).toHaveAttribute("lang", "en");
  await r.goto("/reports");
  const first = await r.locator("a[href^='/reports/']").first().getAttribute("href");
  for (const url of ["/reports", first!, "/inbox", "/me/access", "/help", "/me/report?category=pension"]) {
    await r.goto(url);
    await expectNoAxeViolations(r);
  }
  const s = await staffPage(browser, staff("supervisor2"));
  await s.getByRole("link", { name: "English" }).click();
  await expect(s.getByRole("heading", { level: 1, name: "Case queue" })).toBeVisible();
  await expectNoAxeViolations(s);
  await s.goto(`/staff/cases/${first!.split("/")[2]}`);
  await expectNoAxeViolations(s);
});
