import { test, expect, Page, CDPSession } from "@playwright/test";
import { demo, collectProblems, expectNoAxeViolations, waitForHydration, staffPage, totp } from "./support";

// Passkeys are bound to a domain name, never an IP address: these journeys run on localhost.
const PORT = Number(process.env.E2E_PORT ?? 3100);
test.use({ baseURL: `http://localhost:${PORT}` });

type Activation = { resident_id: number; my_number: string; code: string };
const activation: Activation[] = (demo as unknown as { activation: Activation[] }).activation;

/** Chromium's virtual authenticator (DevTools protocol): a platform authenticator with resident
 * keys and user verification, answering at once as a person unlocking their phone would. */
async function addAuthenticator(page: Page): Promise<{ cdp: CDPSession; id: string }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { cdp, id: authenticatorId };
}

async function signOut(page: Page) {
  await page.getByRole("button", { name: /サインアウト/ }).click();
  await expect(page).toHaveURL(/\/login/);
}

async function passkeySignIn(page: Page) {
  await page.goto("/login");
  await waitForHydration(page);
  await page.getByRole("button", { name: "パスキーでサインイン" }).click();
  await expect(page).toHaveURL(/\/me$/);
}

test("a resident activates with the code from the municipality, signs in with a passkey, adds one and removes one", async ({ page }) => {
  const problems = collectProblems(page);
  const who = activation[0];
  const auth = await addAuthenticator(page);

  await page.goto("/activate");
  await waitForHydration(page);
  await expect(page.getByRole("heading", { level: 1, name: "パスキーの登録（利用開始）" })).toBeVisible();
  await expectNoAxeViolations(page);
  // A wrong code is refused with a message that does not say whether the number has an account.
  await page.getByLabel("マイナンバー（個人番号）").fill(who.my_number);
  await page.getByLabel(/利用開始コード/).fill("AAAA-BBBB-CCCC-DDDD");
  await page.getByRole("button", { name: "パスキーを登録する" }).click();
  await expect(page.getByRole("alert")).toContainText("正しくない");
  // The right code, typed in lower case without hyphens.
  await page.getByLabel(/利用開始コード/).fill(who.code.replace(/-/g, "").toLowerCase());
  await page.getByLabel(/パスキーの名前/).fill("わたしのスマホ");
  await page.getByRole("button", { name: "パスキーを登録する" }).click();
  await expect(page).toHaveURL(/\/me$/);
  await expect(page.getByRole("heading", { level: 1, name: "わたしの情報" })).toBeVisible();
  const stored = await auth.cdp.send("WebAuthn.getCredentials", { authenticatorId: auth.id });
  expect(stored.credentials).toHaveLength(1);
  expect(stored.credentials[0].isResidentCredential).toBe(true);

  // The security page lists it; it is the only way in (no password), so it cannot be removed.
  await page.getByRole("link", { name: "サインインとセキュリティ" }).click();
  await expect(page).toHaveURL(/\/me\/security$/);
  await waitForHydration(page);
  await expect(page.getByRole("cell", { name: "わたしのスマホ", exact: true })).toBeVisible();
  await expect(page.getByText("最後のパスキーのため削除できません")).toBeVisible();
  await expect(page.getByText("パスワードは設定されていません")).toBeVisible();
  await expectNoAxeViolations(page);

  // Signed out, the code is spent: a second activation with it is refused.
  await signOut(page);
  await page.goto("/activate");
  await waitForHydration(page);
  await page.getByLabel("マイナンバー（個人番号）").fill(who.my_number);
  await page.getByLabel(/利用開始コード/).fill(who.code);
  await page.getByRole("button", { name: "パスキーを登録する" }).click();
  await expect(page.getByRole("alert")).toContainText("すでに使われています");

  // The passkey signs in: no number typed.
  await passkeySignIn(page);

  // Add a second passkey, on another device (a second virtual authenticator replaces the first).
  const first = stored.credentials[0];
  await auth.cdp.send("WebAuthn.removeVirtualAuthenticator", { authenticatorId: auth.id });
  const second = await addAuthenticator(page);
  await page.goto("/me/security");
  await waitForHydration(page);
  await page.getByLabel(/パスキーの名前/).fill("予備のパソコン");
  await page.getByRole("button", { name: "この端末にパスキーを追加" }).click();
  await expect(page).toHaveURL(/\/me\/security\?done=added/);
  await expect(page.getByText("パスキーを追加しました。")).toBeVisible();
  await expect(page.getByRole("cell", { name: "予備のパソコン", exact: true })).toBeVisible();

  // Remove the first (a lost phone): a plain form.
  await page.getByRole("button", { name: "削除 (わたしのスマホ)" }).click();
  await expect(page).toHaveURL(/\/me\/security\?done=removed/);
  await expect(page.getByRole("cell", { name: "わたしのスマホ", exact: true })).toHaveCount(0);
  await expect(page.getByText("最後のパスキーのため削除できません")).toBeVisible();

  // The second device signs in.
  await signOut(page);
  await passkeySignIn(page);
  await signOut(page);

  // The lost phone's passkey no longer gets in.
  await second.cdp.send("WebAuthn.removeVirtualAuthenticator", { authenticatorId: second.id });
  const lost = await addAuthenticator(page);
  await lost.cdp.send("WebAuthn.addCredential", { authenticatorId: lost.id, credential: first });
  await page.goto("/login");
  await waitForHydration(page);
  await page.getByRole("button", { name: "パスキーでサインイン" }).click();
  await expect(page.getByRole("alert")).toContainText("登録されていません");
  await expect(page).toHaveURL(/\/login/);
  expect(problems.filter((p) => !p.includes("403") && !p.includes("Failed to load resource"))).toEqual([]);
});

test("a stranger's wrong passwords on a resident's number never stop the owner's passkey", async ({ page, playwright }) => {
  // A resident of their own (the demo residents' numbers must stay free of waits for the other
  // journeys): activated with a code, so signed in with a passkey.
  const who = activation[1];
  const auth = await addAuthenticator(page);
  await page.goto("/activate");
  await waitForHydration(page);
  await page.getByLabel("マイナンバー（個人番号）").fill(who.my_number);
  await page.getByLabel(/利用開始コード/).fill(who.code);
  await page.getByRole("button", { name: "パスキーを登録する" }).click();
  await expect(page).toHaveURL(/\/me$/);
  await page.goto("/me/security");
  await expect(page.getByRole("cell", { name: "パスキー 1", exact: true })).toBeVisible();
  await signOut(page);

  // A stranger, from elsewhere, tries 50 passwords on the number and on a number without an
  // account: slowed down, then throttled, with the same answers for both.
  const stranger = await playwright.request.newContext({ baseURL: `http://localhost:${PORT}` });
  const unknown = "012345678903";
  const answer = async (number: string, from: string, i: number) => {
    const res = await stranger.post("/auth/login", {
      form: { my_number: number, password: `guess-${i}` },
      headers: { "X-Forwarded-For": from },
      maxRedirects: 0,
    });
    return `${res.status()} ${res.headers()["location"] ?? ""} ${res.headers()["retry-after"] ?? ""}`;
  };
  // The Retry-After of the per-address limit counts down in whole seconds between the two calls,
  // so the two answers may differ by one second there; everything else must be identical.
  const split = (a: string) => {
    const m = a.match(/^(.*?)(\d*)$/)!;
    return { rest: m[1], wait: m[2] === "" ? null : Number(m[2]) };
  };
  const seen: string[] = [];
  for (let i = 0; i < 50; i++) {
    const known = await answer(who.my_number, "198.51.100.7", i);
    const other = await answer(unknown, "198.51.100.8", i);
    const [k, o] = [split(known), split(other)];
    expect(o.rest).toEqual(k.rest);
    expect(o.wait === null).toEqual(k.wait === null);
    if (k.wait !== null && o.wait !== null) expect(Math.abs(o.wait - k.wait)).toBeLessThanOrEqual(1);
    seen.push(known);
  }
  expect(seen[0]).toMatch(/^303 \/login\?error=bad_credentials/);
  expect(seen[2]).toMatch(/^303 \/login\?error=try_later/);
  expect(seen[49]).toMatch(/^429  \d+$/);
  await stranger.dispose();

  // The owner's passkey gets in at once, and the owner is told of the attempts.
  await passkeySignIn(page);
  await expect(page.getByRole("heading", { level: 1, name: "わたしの情報" })).toBeVisible();
  await page.goto("/inbox");
  await expect(page.getByRole("heading", { name: /失敗したサインインの試行がありました/ })).toBeVisible();
  expect((await auth.cdp.send("WebAuthn.getCredentials", { authenticatorId: auth.id })).credentials).toHaveLength(1);
});

test("a staff member adds a passkey after signing in with password and code, then signs in with it", async ({ browser }) => {
  // A staff member no other journey signs in: a TOTP code is accepted once, so two sign-ins of
  // the same person within one 30-second step would refuse the second.
  const who = demo.staff.find((s) => s.username === "caseworker2")!;
  const context = await browser.newContext({ baseURL: `http://localhost:${PORT}` });
  const page = await context.newPage();
  const problems = collectProblems(page);
  const auth = await addAuthenticator(page);
  await page.goto("/staff/login");
  await page.getByLabel("ユーザー名").fill(who.username);
  await page.getByLabel("パスワード").fill(who.password);
  await page.getByLabel(/確認コード/).fill(totp(who.totp_secret));
  await page.getByRole("button", { name: "サインイン", exact: true }).click();
  await expect(page).toHaveURL(/\/staff$/);

  await page.getByRole("link", { name: "サインインとセキュリティ" }).click();
  await expect(page).toHaveURL(/\/staff\/security$/);
  await waitForHydration(page);
  await expect(page.getByText("パスワードと認証アプリの確認コードでもサインインできます")).toBeVisible();
  await page.getByLabel(/パスキーの名前/).fill("職場の端末");
  await page.getByRole("button", { name: "この端末にパスキーを追加" }).click();
  await expect(page).toHaveURL(/\/staff\/security\?done=added/);
  await expect(page.getByRole("cell", { name: "職場の端末", exact: true })).toBeVisible();
  await expectNoAxeViolations(page);

  await page.getByRole("button", { name: /サインアウト/ }).click();
  await expect(page).toHaveURL(/\/staff\/login/);
  await waitForHydration(page);
  await page.getByRole("button", { name: "パスキーでサインイン" }).click();
  await expect(page).toHaveURL(/\/staff$/);

  // A staff passkey is not a resident's: the resident sign-in refuses it.
  await page.goto("/login");
  await waitForHydration(page);
  await page.getByRole("button", { name: "パスキーでサインイン" }).click();
  await expect(page.getByRole("alert")).toContainText("登録されていません");
  expect(problems.filter((p) => !p.includes("403") && !p.includes("Failed to load resource"))).toEqual([]);
  await context.close();
  void staffPage;
});
