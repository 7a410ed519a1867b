// Opens GraphiQL from the reference server in headless Chromium with every other host blocked,
// runs the seed's login mutation from the editor and waits for the session in the result pane.
//
//   node graphiql.mjs http://127.0.0.1:4000/client/graphql
import { chromium } from "playwright-core";

const url = process.argv[2];
if (!url) {
  console.error("usage: node graphiql.mjs <GraphQL endpoint URL>");
  process.exit(2);
}
const origin = new URL(url).origin;

const LOGIN = `mutation Login($email: String!, $password: String!) {
  login(email: $email, password: $password) {
    session { _id jwt expires user { _id email firstName lastName } }
    sessionsCount
  }
}`;
const VARIABLES = JSON.stringify({
  email: Buffer.from("buyer@example.com").toString("base64"),
  password: Buffer.from("demo-password").toString("base64"),
});

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  // As root in a container, without GPU; no background traffic to Google's hosts.
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});
const elsewhere = [];
const failures = [];
try {
  const page = await browser.newPage();
  // No internet: anything not served by the server under test is refused and remembered.
  await page.route("**/*", (route) => {
    const target = route.request().url();
    if (target.startsWith(origin) || target.startsWith("data:")) {
      return route.continue();
    }
    elsewhere.push(target);
    return route.abort();
  });
  page.on("pageerror", (e) => failures.push(`page error: ${e.message}`));
  page.on("requestfailed", (r) => {
    if (r.url().startsWith(origin)) failures.push(`request failed: ${r.url()}`);
  });

  await page.goto(url, { waitUntil: "load" });
  // The editors are CodeMirror 5 instances; GraphiQL's own API is not reachable from outside,
  // so the text goes in through CodeMirror, as typing would put it.
  await page.waitForSelector(".graphiql-query-editor .CodeMirror", { timeout: 30_000 });
  await page.evaluate((query) => {
    document.querySelector(".graphiql-query-editor .CodeMirror").CodeMirror.setValue(query);
  }, LOGIN);
  await page.locator(".graphiql-editor-tools button", { hasText: "Variables" }).first().click();
  await page.evaluate((variables) => {
    const editors = [...document.querySelectorAll(".graphiql-editor-tool .CodeMirror")];
    const visible = editors.find((e) => e.offsetParent !== null);
    visible.CodeMirror.setValue(variables);
  }, VARIABLES);
  await page.locator(".graphiql-execute-button").click();
  const result = page.locator(".graphiql-response");
  await result.getByText("sessionsCount").waitFor({ timeout: 30_000 });
  const text = await page.evaluate(() =>
    document.querySelector(".graphiql-response .CodeMirror").CodeMirror.getValue(),
  );
  const body = JSON.parse(text);
  const session = body?.data?.login?.session;
  if (!session?.jwt || session?.user?.email !== "buyer@example.com") {
    failures.push(`no session in the result pane: ${text}`);
  }
  if (elsewhere.length > 0) {
    failures.push(`the page asked other hosts: ${elsewhere.join(", ")}`);
  }
  if (failures.length > 0) {
    throw new Error(failures.join("\n"));
  }
  console.log(
    `GraphiQL at ${url}: login ran from the editor, session for ${session.user.email} in the result pane; no request left ${origin}`,
  );
} finally {
  await browser.close();
}
