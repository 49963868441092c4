/**
 * A small OpenID Connect provider for the relying-party tests: real HTTPS (its own self-signed
 * certificate, which hostpass trusts through the provider's `caCertificate`), discovery, an
 * authorization endpoint that signs the configured user in at once (no page), a token endpoint
 * that checks the code, PKCE and the client secret, and ES256 ID tokens. `misbehave` makes it
 * send what a hostile or broken provider would: another issuer, another audience, no or another
 * nonce, another `iss` in the redirect (mix-up), a replayed code.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import { loadOrCreateTls } from "../../src/server/tls.ts";

export interface UpstreamUser {
  readonly sub: string;
  readonly [claim: string]: unknown;
}

export interface Misbehaviour {
  idTokenIssuer?: string;
  audience?: string;
  nonce?: string | null;
  redirectIss?: string;
  /** Sign with a key that is not in the published key set. */
  foreignKey?: boolean;
}

export interface FakeUpstream {
  readonly issuer: string;
  readonly ca: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Who the next authorization signs in. */
  user: UpstreamUser;
  misbehave: Misbehaviour;
  /** Token requests seen (to check that a refused callback never redeemed twice, etc.). */
  readonly tokenRequests: number;
  close(): Promise<void>;
}

export async function startFakeUpstream(): Promise<FakeUpstream> {
  const dir = await mkdtemp(join(tmpdir(), "hostpass-fake-idp-"));
  const tls = await loadOrCreateTls(dir, ["127.0.0.1"]);
  const { privateKey, publicKey } = await generateKeyPair("ES256");
  const foreign = await generateKeyPair("ES256");
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: "k1", alg: "ES256", use: "sig" };
  const clientId = "hostpass-rp";
  const clientSecret = randomBytes(24).toString("base64url");
  const codes = new Map<
    string,
    { user: UpstreamUser; nonce?: string; challenge: string; redirectUri: string }
  >();
  let tokenRequests = 0;
  let issuer = "";
  const state: { user: UpstreamUser; misbehave: Misbehaviour } = { user: { sub: "nobody" }, misbehave: {} };

  const server: Server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    const url = new URL(req.url ?? "/", issuer);
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === "/.well-known/openid-configuration") {
      return json(200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ["code"],
        subject_types_supported: ["public"],
        id_token_signing_alg_values_supported: ["ES256"],
        code_challenge_methods_supported: ["S256"],
        token_endpoint_auth_methods_supported: ["client_secret_basic"],
        authorization_response_iss_parameter_supported: true,
      });
    }
    if (url.pathname === "/jwks") return json(200, { keys: [jwk] });
    if (url.pathname === "/authorize") {
      const p = url.searchParams;
      if (p.get("client_id") !== clientId || p.get("code_challenge_method") !== "S256")
        return json(400, { error: "invalid_request" });
      const code = randomBytes(16).toString("base64url");
      codes.set(code, {
        user: state.user,
        ...(p.get("nonce") ? { nonce: p.get("nonce") as string } : {}),
        challenge: p.get("code_challenge") ?? "",
        redirectUri: p.get("redirect_uri") ?? "",
      });
      if (!URL.canParse(p.get("redirect_uri") ?? "")) return json(400, { error: "invalid_request" });
      const back = new URL(p.get("redirect_uri") ?? "");
      back.searchParams.set("code", code);
      back.searchParams.set("state", p.get("state") ?? "");
      back.searchParams.set("iss", state.misbehave.redirectIss ?? issuer);
      res.writeHead(302, { location: back.href });
      return res.end();
    }
    if (url.pathname === "/token" && req.method === "POST") {
      tokenRequests++;
      let body = "";
      req.on("data", (c: Buffer) => {
        body += c.toString();
      });
      req.on("end", async () => {
        const form = new URLSearchParams(body);
        // RFC 6749 §2.3.1: both parts form-urlencoded, then base64.
        const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? "")?.[1] ?? "";
        const [id, secret] = Buffer.from(basic, "base64")
          .toString()
          .split(":")
          .map((p) => decodeURIComponent(p.replace(/\+/g, " ")));
        if (id !== clientId || secret !== clientSecret) return json(401, { error: "invalid_client" });
        const grant = codes.get(form.get("code") ?? "");
        codes.delete(form.get("code") ?? "");
        if (!grant || grant.redirectUri !== form.get("redirect_uri"))
          return json(400, { error: "invalid_grant" });
        const verifier = form.get("code_verifier") ?? "";
        if (createHash("sha256").update(verifier).digest("base64url") !== grant.challenge)
          return json(400, { error: "invalid_grant", error_description: "PKCE verification failed" });
        const m = state.misbehave;
        const nonce = m.nonce === null ? undefined : (m.nonce ?? grant.nonce);
        const { sub, ...claims } = grant.user;
        const idToken = await new SignJWT({ ...claims, ...(nonce === undefined ? {} : { nonce }) })
          .setProtectedHeader({ alg: "ES256", kid: "k1" })
          .setIssuer(m.idTokenIssuer ?? issuer)
          .setSubject(sub)
          .setAudience(m.audience ?? clientId)
          .setIssuedAt()
          .setExpirationTime("5m")
          .sign(m.foreignKey ? foreign.privateKey : privateKey);
        return json(200, {
          access_token: randomBytes(16).toString("base64url"),
          token_type: "Bearer",
          expires_in: 300,
          id_token: idToken,
        });
      });
      return;
    }
    json(404, { error: "not_found" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  issuer = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    ca: tls.cert,
    clientId,
    clientSecret,
    get user() {
      return state.user;
    },
    set user(u) {
      state.user = u;
    },
    get misbehave() {
      return state.misbehave;
    },
    set misbehave(m) {
      state.misbehave = m;
    },
    get tokenRequests() {
      return tokenRequests;
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
