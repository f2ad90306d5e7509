// Passkeys (WebAuthn) for the portal: the browser half of the ceremonies that the server verifies
// with webauthn-rs. Loaded only by the pages that offer passkeys. Every text shown comes from the
// page (data-msg-* attributes, rendered in the reader's language) or from the server's answer.
//
//   <button data-passkey="signin|staff-signin|add|staff-add" data-status="ID" [data-label="INPUT-ID"]>
//   <form data-passkey="activate" data-status="ID"> (fields my_number, code, label)
//   <div id="ID" data-msg-waiting=… data-msg-cancelled=… …> (the live region, see ui/components/passkey.rs)
//
// Without JavaScript these controls do nothing harmful: the pages say so and offer the password.
(() => {
  "use strict";

  const b64urlToBytes = (s) => {
    const pad = "=".repeat((4 - (s.length % 4)) % 4);
    const bin = atob((s + pad).replace(/-/g, "+").replace(/_/g, "/"));
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  };
  const bytesToB64url = (buf) => {
    const bytes = new Uint8Array(buf);
    let bin = "";
    for (const b of bytes) bin += String.fromCharCode(b);
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  };

  // The server's options (binary fields base64url) as the browser wants them (ArrayBuffers).
  const creationOptions = (o) => {
    const pk = structuredClone(o.publicKey);
    pk.challenge = b64urlToBytes(pk.challenge);
    pk.user.id = b64urlToBytes(pk.user.id);
    if (pk.excludeCredentials) {
      pk.excludeCredentials = pk.excludeCredentials.map((c) => ({ ...c, id: b64urlToBytes(c.id) }));
    }
    return { publicKey: pk };
  };
  const requestOptions = (o) => {
    const pk = structuredClone(o.publicKey);
    pk.challenge = b64urlToBytes(pk.challenge);
    if (pk.allowCredentials) {
      pk.allowCredentials = pk.allowCredentials.map((c) => ({ ...c, id: b64urlToBytes(c.id) }));
    }
    return { publicKey: pk };
  };

  const registration = (cred) => ({
    id: cred.id,
    rawId: bytesToB64url(cred.rawId),
    type: cred.type,
    response: {
      attestationObject: bytesToB64url(cred.response.attestationObject),
      clientDataJSON: bytesToB64url(cred.response.clientDataJSON),
      transports: cred.response.getTransports ? cred.response.getTransports() : [],
    },
    extensions: cred.getClientExtensionResults ? cred.getClientExtensionResults() : {},
  });
  const assertion = (cred) => ({
    id: cred.id,
    rawId: bytesToB64url(cred.rawId),
    type: cred.type,
    response: {
      authenticatorData: bytesToB64url(cred.response.authenticatorData),
      clientDataJSON: bytesToB64url(cred.response.clientDataJSON),
      signature: bytesToB64url(cred.response.signature),
      userHandle: cred.response.userHandle ? bytesToB64url(cred.response.userHandle) : null,
    },
    extensions: cred.getClientExtensionResults ? cred.getClientExtensionResults() : {},
  });

  class Refused extends Error {}

  const post = async (url, body) => {
    const res = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body ?? {}),
    });
    let data = null;
    try {
      data = await res.json();
    } catch (_) {
      data = null;
    }
    if (!res.ok) throw new Refused((data && data.message) || "");
    return data;
  };

  const ENDPOINTS = {
    signin: ["/auth/passkey/signin/start", "/auth/passkey/signin/finish", "get"],
    "staff-signin": ["/staff/auth/passkey/signin/start", "/staff/auth/passkey/signin/finish", "get"],
    add: ["/me/passkeys/add/start", "/me/passkeys/add/finish", "create"],
    "staff-add": ["/staff/passkeys/add/start", "/staff/passkeys/add/finish", "create"],
    activate: ["/auth/passkey/activate/start", "/auth/passkey/activate/finish", "create"],
  };

  // The live region named by data-status; it also holds the texts (data-msg-*) in the page's language.
  const statusOf = (el) => document.getElementById(el.dataset.status || "");
  const say = (el, text, kind) => {
    const out = statusOf(el);
    if (!out) return;
    out.textContent = text;
    out.className = "alert alert-" + kind;
    out.setAttribute("role", kind === "error" ? "alert" : "status");
    out.hidden = !text;
    if (kind === "error") out.focus();
  };
  const msg = (el, key) => {
    const out = statusOf(el);
    return (out && out.dataset["msg" + key]) || "";
  };

  const run = async (el, startBody, label) => {
    const [start, finish, kind] = ENDPOINTS[el.dataset.passkey];
    if (!window.PublicKeyCredential || !navigator.credentials) {
      say(el, msg(el, "Unsupported"), "error");
      return;
    }
    el.setAttribute("aria-busy", "true");
    say(el, msg(el, "Waiting"), "info");
    try {
      const challenge = await post(start, startBody);
      let credential;
      try {
        credential =
          kind === "create"
            ? await navigator.credentials.create(creationOptions(challenge.options))
            : await navigator.credentials.get(requestOptions(challenge.options));
      } catch (e) {
        // The person closed the prompt, or the device refused (NotAllowedError, InvalidStateError).
        say(el, e && e.name === "InvalidStateError" ? msg(el, "Duplicate") : msg(el, "Cancelled"), "error");
        return;
      }
      if (!credential) {
        say(el, msg(el, "Cancelled"), "error");
        return;
      }
      const body = { ceremony: challenge.ceremony };
      body.credential = kind === "create" ? registration(credential) : assertion(credential);
      if (kind === "create") body.label = label || "";
      const done = await post(finish, body);
      say(el, msg(el, "Done"), "success");
      window.location.assign(done.redirect);
    } catch (e) {
      say(el, (e instanceof Refused && e.message) || msg(el, "Failed"), "error");
    } finally {
      el.removeAttribute("aria-busy");
    }
  };

  // Delegated, so it works whatever the hydration does to the elements.
  document.addEventListener("click", (ev) => {
    const el = ev.target.closest("button[data-passkey]");
    if (!el || el.form) return;
    ev.preventDefault();
    const field = el.dataset.label ? document.getElementById(el.dataset.label) : null;
    run(el, {}, field ? field.value : "");
  });
  document.addEventListener("submit", (ev) => {
    const form = ev.target.closest("form[data-passkey]");
    if (!form) return;
    ev.preventDefault();
    const f = new FormData(form);
    run(
      form,
      { my_number: String(f.get("my_number") || ""), code: String(f.get("code") || "") },
      String(f.get("label") || ""),
    );
  });
  // The passkey controls are hidden until this script runs (they need it).
  const reveal = () => {
    for (const el of document.querySelectorAll("[data-needs-js]")) el.hidden = false;
    for (const el of document.querySelectorAll("[data-without-js]")) el.hidden = true;
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", reveal);
  else reveal();
  new MutationObserver(reveal).observe(document.documentElement, { childList: true, subtree: true });
})();
