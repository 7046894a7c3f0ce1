// A small, independent ActivityPub server built on Fedify, for rejoinder's federation tests
// (tests/fixtures/fedify.py starts and stops it). One actor, "alice", on http://127.0.0.1:PORT.
// Fedify verifies the HTTP signatures of everything its inboxes take; what they took is listed at
// GET /_control/inbox. The test drives alice through POST /_control/* (follow, reply, update, delete,
// like, rotate-key), each answering the activity it sent or the error Fedify met.
import http from "node:http";
import { Temporal } from "@js-temporal/polyfill";
import {
  Activity, Create, Delete, Endpoints, Follow, Image, Like, Mention, Note, Person, PUBLIC_COLLECTION,
  Tombstone, Update, createFederation, generateCryptoKeyPair, MemoryKvStore,
} from "@fedify/fedify";

import { configure, getConsoleSink } from "@logtape/logtape";

await configure({
  sinks: { console: getConsoleSink() },
  loggers: [
    { category: "fedify", lowestLevel: "warning", sinks: ["console"] },
    { category: ["logtape", "meta"], lowestLevel: "warning", sinks: ["console"] },
  ],
});

const port = Number(process.argv[2] || 0);
const origin = `http://127.0.0.1:${port}`;
const kv = new MemoryKvStore(); // also where Fedify remembers which signature spec each server took
const federation = createFederation({
  kv,
  allowPrivateAddress: true, // the rejoinder under test is on loopback too
});
let keys = null; // alice's RSA key pair; /_control/rotate-key replaces it
const received = [];
let notes = 0;
// a 1x1 PNG: alice's avatar, fetched by rejoinder's avatar proxy (never by readers)
const AVATAR = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");
let avatarFetches = 0;

async function aliceKeys() {
  if (keys === null) keys = [await generateCryptoKeyPair("RSASSA-PKCS1-v1_5")];
  return keys;
}

federation.setActorDispatcher("/users/{identifier}", async (ctx, identifier) => {
  if (identifier !== "alice") return null;
  const pairs = await ctx.getActorKeyPairs(identifier);
  return new Person({
    id: ctx.getActorUri(identifier),
    preferredUsername: identifier,
    name: "Alice <b>Fedify</b>",
    url: new URL(`${origin}/@alice`),
    inbox: ctx.getInboxUri(identifier),
    endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
    icon: new Image({ url: new URL(`${origin}/avatar.png`), mediaType: "image/png" }),
    publicKey: pairs[0].cryptographicKey,
  });
}).setKeyPairsDispatcher(async (ctx, identifier) => identifier === "alice" ? await aliceKeys() : []);

federation.setInboxListeners("/users/{identifier}/inbox", "/inbox")
  .on(Activity, async (ctx, activity) => {
    // Fedify calls a listener only after the HTTP signature verified with the key of the activity's
    // actor (it refuses an activity whose signer is not its actor), so the actor is the signer.
    received.push({
      type: activity.constructor.name,
      signedBy: activity.actorId?.href ?? null,
      activity: await activity.toJsonLd({ format: "compact" }),
    });
  });

function context() {
  return federation.createContext(new URL(origin), undefined);
}

async function recipient(ctx, url) {
  const found = await ctx.lookupObject(url);
  if (found === null) throw new Error(`could not look up ${url}`);
  return found;
}

const control = {
  async follow(ctx, body) {
    const target = await recipient(ctx, body.actor);
    const follow = new Follow({
      id: new URL(`${origin}/follows/${++notes}`), actor: ctx.getActorUri("alice"), object: target.id,
    });
    await ctx.sendActivity({ identifier: "alice" }, target, follow, { immediate: true });
    return { id: follow.id.href, actor: target.id.href };
  },
  async reply(ctx, body) {
    const target = await recipient(ctx, body.to);
    const id = new URL(`${origin}/notes/${++notes}`);
    const note = new Note({
      id, attribution: ctx.getActorUri("alice"), content: body.content,
      replyTarget: new URL(body.inReplyTo), url: new URL(`${origin}/@alice/${notes}`),
      to: PUBLIC_COLLECTION, tags: [new Mention({ href: target.id })], published: Temporal.Now.instant(),
    });
    const create = new Create({
      id: new URL(`${id.href}/create`), actor: ctx.getActorUri("alice"), object: note, to: PUBLIC_COLLECTION,
      ccs: [target.id],
    });
    await ctx.sendActivity({ identifier: "alice" }, target, create, { immediate: true });
    return { id: id.href };
  },
  async update(ctx, body) {
    const target = await recipient(ctx, body.to);
    const note = new Note({
      id: new URL(body.id), attribution: ctx.getActorUri("alice"), content: body.content,
      replyTarget: new URL(body.inReplyTo), to: PUBLIC_COLLECTION, updated: Temporal.Now.instant(),
    });
    const update = new Update({
      id: new URL(`${body.id}/update/${++notes}`), actor: ctx.getActorUri("alice"), object: note,
      to: PUBLIC_COLLECTION,
    });
    await ctx.sendActivity({ identifier: "alice" }, target, update, { immediate: true });
    return { id: update.id.href };
  },
  async delete(ctx, body) {
    const target = await recipient(ctx, body.to);
    const del = new Delete({
      id: new URL(`${body.id}/delete`), actor: ctx.getActorUri("alice"),
      object: new Tombstone({ id: new URL(body.id) }), to: PUBLIC_COLLECTION,
    });
    await ctx.sendActivity({ identifier: "alice" }, target, del, { immediate: true });
    return { id: del.id.href };
  },
  async like(ctx, body) {
    const target = await recipient(ctx, body.to);
    const like = new Like({
      id: new URL(`${origin}/likes/${++notes}`), actor: ctx.getActorUri("alice"), object: new URL(body.object),
    });
    await ctx.sendActivity({ identifier: "alice" }, target, like, { immediate: true });
    return { id: like.id.href };
  },
  async "rotate-key"() {
    keys = [await generateCryptoKeyPair("RSASSA-PKCS1-v1_5")];
    return { rotated: true };
  },
};

async function toRequest(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const body = Buffer.concat(chunks);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  return new Request(`${origin}${req.url}`, {
    method: req.method, headers, body: ["GET", "HEAD"].includes(req.method) ? undefined : body,
  });
}

async function handle(req, res) {
  const request = await toRequest(req);
  const path = new URL(request.url).pathname;
  if (path === "/avatar.png") {
    avatarFetches++;
    res.writeHead(200, { "content-type": "image/png" }).end(AVATAR);
    return;
  }
  if (path === "/_control/spec") {
    // The signature spec Fedify remembered for an origin after delivering there: the first it tried
    // (rfc9421) when that was accepted, else the one it fell back to (draft-cavage-http-signatures-12).
    const of = new URL(request.url).searchParams.get("origin");
    const spec = await kv.get(["_fedify", "httpMessageSignaturesSpec", of]);
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ spec: spec ?? null }));
    return;
  }
  if (path === "/_control/inbox") {
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ received, avatarFetches }));
    return;
  }
  if (path.startsWith("/_control/") && request.method === "POST") {
    const action = control[path.slice("/_control/".length)];
    if (!action) { res.writeHead(404).end(); return; }
    try {
      const result = await action(context(), await request.json());
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(result));
    } catch (error) {
      res.writeHead(502, { "content-type": "application/json" }).end(JSON.stringify({ error: String(error) }));
    }
    return;
  }
  const response = await federation.fetch(request, { contextData: undefined });
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(Buffer.from(await response.arrayBuffer()));
}

const server = http.createServer((req, res) => {
  handle(req, res).catch((error) => {
    console.error(error);
    if (!res.headersSent) res.writeHead(500);
    res.end();
  });
});
server.listen(port, "127.0.0.1", () => console.log(`READY ${server.address().port}`));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
