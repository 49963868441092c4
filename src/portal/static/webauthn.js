// Passkey ceremonies for the hostpass portal. Loaded as a file because the pages' CSP forbids
// inline script. Each [data-passkey] block names its options and verify URLs and carries the
// page's CSRF token; the server decides everything else.

(() => {
  const fail = "That didn't work. Try again, or use another way to sign in.";

  function toBuffer(b64url) {
    const b64 = b64url.replace(/-/g, "+").replace(/_/g, "/");
    const bin = atob(b64 + "===".slice((b64.length + 3) % 4));
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out.buffer;
  }

  function toBase64url(buffer) {
    let bin = "";
    for (const byte of new Uint8Array(buffer)) bin += String.fromCharCode(byte);
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  async function post(url, fields) {
    const res = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { Accept: "application/json" },
      body: new URLSearchParams(fields),
    });
    const body = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(body.error || fail);
    return body;
  }

  function creationOptions(o) {
    return {
      ...o,
      challenge: toBuffer(o.challenge),
      user: { ...o.user, id: toBuffer(o.user.id) },
      excludeCredentials: (o.excludeCredentials || []).map((c) => ({ ...c, id: toBuffer(c.id) })),
    };
  }

  function requestOptions(o) {
    return {
      ...o,
      challenge: toBuffer(o.challenge),
      allowCredentials: (o.allowCredentials || []).map((c) => ({ ...c, id: toBuffer(c.id) })),
    };
  }

  function credentialJson(cred) {
    const r = cred.response;
    const response = { clientDataJSON: toBase64url(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = toBase64url(r.attestationObject);
      response.transports = r.getTransports ? r.getTransports() : [];
    } else {
      response.authenticatorData = toBase64url(r.authenticatorData);
      response.signature = toBase64url(r.signature);
      if (r.userHandle) response.userHandle = toBase64url(r.userHandle);
    }
    return {
      id: cred.id,
      rawId: toBase64url(cred.rawId),
      type: cred.type,
      response,
      clientExtensionResults: cred.getClientExtensionResults(),
      authenticatorAttachment: cred.authenticatorAttachment || undefined,
    };
  }

  async function run(block) {
    const csrf = block.querySelector('input[name="csrf"]').value;
    const options = await post(block.dataset.options, { csrf });
    const cred =
      block.dataset.passkey === "create"
        ? await navigator.credentials.create({ publicKey: creationOptions(options) })
        : await navigator.credentials.get({ publicKey: requestOptions(options) });
    if (!cred) throw new Error(fail);
    const result = await post(block.dataset.verify, {
      csrf,
      credential: JSON.stringify(credentialJson(cred)),
    });
    window.location.assign(result.redirect);
  }

  function start(block) {
    const button = block.querySelector("[data-passkey-start]");
    const error = block.querySelector("[data-passkey-error]");
    if (!window.PublicKeyCredential) {
      button.disabled = true;
      return;
    }
    button.addEventListener("click", () => {
      button.disabled = true;
      error.hidden = true;
      run(block).catch((e) => {
        // A cancelled browser prompt is a DOMException; show our own words, not the browser's.
        error.textContent = e instanceof DOMException ? fail : e.message || fail;
        error.hidden = false;
        button.disabled = false;
      });
    });
  }

  for (const block of document.querySelectorAll("[data-passkey]")) start(block);
})();
