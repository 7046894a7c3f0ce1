/* rejoinder: the passkey page (/auth/NAME/start of a passkey provider). Runs the WebAuthn ceremony the
   server prepared (options in #rj-options, base64url fields) and posts the browser's answer, as JSON with
   base64url fields, to the page's own form. Everything the reader reads is in the page; this file only
   shows and hides it. A file rather than inline code, so the page's CSP needs no 'unsafe-inline'. */
(function () {
  "use strict";
  var form = document.getElementById("rj-passkey");
  var button = document.getElementById("rj-passkey-go");
  if (!form || !button) return;
  var options = JSON.parse(document.getElementById("rj-options").textContent);
  var create = form.getAttribute("data-ceremony") === "create";
  var status = document.getElementById("rj-status");
  var notes = ["rj-none", "rj-exists", "rj-unsupported", "rj-failed"];

  function show(id) {
    notes.forEach(function (other) {
      var el = document.getElementById(other);
      if (el) el.hidden = other !== id;
    });
  }

  function bytes(text) {
    var b64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) b64 += "=";
    var raw = atob(b64);
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }

  function text(buffer) {
    var view = new Uint8Array(buffer);
    var raw = "";
    for (var i = 0; i < view.length; i++) raw += String.fromCharCode(view[i]);
    return btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function descriptors(list) {
    return (list || []).map(function (d) {
      return { type: d.type, id: bytes(d.id), transports: d.transports };
    });
  }

  function publicKey() {
    var o = Object.assign({}, options, { challenge: bytes(options.challenge) });
    if (create) {
      o.user = Object.assign({}, options.user, { id: bytes(options.user.id) });
      o.excludeCredentials = descriptors(options.excludeCredentials);
    } else {
      o.allowCredentials = descriptors(options.allowCredentials);
    }
    return o;
  }

  function answer(cred) {
    var r = cred.response;
    var out = {
      id: cred.id,
      rawId: text(cred.rawId),
      type: cred.type,
      authenticatorAttachment: cred.authenticatorAttachment || null,
      clientExtensionResults: cred.getClientExtensionResults ? cred.getClientExtensionResults() : {},
      response: { clientDataJSON: text(r.clientDataJSON) }
    };
    if (create) {
      out.response.attestationObject = text(r.attestationObject);
      out.response.transports = r.getTransports ? r.getTransports() : [];
    } else {
      out.response.authenticatorData = text(r.authenticatorData);
      out.response.signature = text(r.signature);
      out.response.userHandle = r.userHandle ? text(r.userHandle) : null;
    }
    return out;
  }

  function failed(err) {
    button.disabled = false;
    status.textContent = "";
    var name = (err && err.name) || "Error";
    if (name === "NotAllowedError" || name === "AbortError") {
      show("rj-none"); // cancelled, timed out, or no passkey for this site on the device
    } else if (create && name === "InvalidStateError") {
      show("rj-exists"); // the authenticator already holds one of this account's passkeys
    } else {
      document.getElementById("rj-failed-name").textContent = name;
      show("rj-failed");
      console.warn("[rejoinder] passkey request failed:", name);
    }
  }

  button.addEventListener("click", function () {
    if (!window.PublicKeyCredential || !navigator.credentials) {
      show("rj-unsupported");
      return;
    }
    show(null);
    button.disabled = true;
    status.textContent = form.dataset.wait; // the page's language (templates/auth/passkey.html)
    // Started from the click: Safari allows WebAuthn only with a user gesture, which a popup's own
    // page load is not.
    var call = create
      ? navigator.credentials.create({ publicKey: publicKey() })
      : navigator.credentials.get({ publicKey: publicKey() });
    call.then(function (cred) {
      if (!cred) return failed({ name: "NotAllowedError" });
      form.elements.credential.value = JSON.stringify(answer(cred));
      status.textContent = form.dataset.checking;
      form.submit();
    }, failed);
  });
})();
