import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { calculateJwkThumbprint, type JWK } from "jose";
import { testKeyPair, testSigner } from "../../test/helpers/ssh-fixtures.ts";
import { HostpassError } from "../shared/errors.ts";
import { formatPublicKey, publicKeyToJwk } from "../ssh/index.ts";
import {
  CaProofInvalidError,
  CaSubjectRejectedError,
  CaTokenUnboundError,
  type CertificateRequestDeps,
  createKeyProof,
  type IssuedCertificate,
  MemoryReplayCache,
  requestCertificate,
  type VerifiedSignInToken,
} from "./index.ts";

const URL_ = "https://hostpass.test/ssh/certificates";
const user = testKeyPair("ssh-ed25519", "user");
const other = testKeyPair("ecdsa-sha2-nistp256", "user");
const jktOf = (key: typeof user) => calculateJwkThumbprint(publicKeyToJwk(key.publicKey) as JWK, "sha256");
const userJkt = await jktOf(user);

class Blocked extends HostpassError {
  readonly code = "ERR_ACCESS_BLOCKED";
  readonly kind = "forbidden";
}

function deps(
  token: Partial<VerifiedSignInToken> = {},
  options: { enabled?: boolean; missing?: boolean; block?: boolean } = {},
) {
  const ledger: IssuedCertificate[] = [];
  const d: CertificateRequestDeps = {
    async verifyAccessToken(t) {
      if (t !== "good-token") throw new CaProofInvalidError("bad token");
      return {
        tokenId: "jti-1",
        objectId: "oid-1",
        tenantId: "tid-1",
        identityType: "user",
        amr: ["pwd"],
        authTime: 0,
        confirmationJkt: userJkt,
        ...token,
      };
    },
    replay: new MemoryReplayCache(),
    async findSubject(t) {
      if (options.missing) return undefined;
      return {
        kind: "user",
        tenantId: t.tenantId,
        objectId: t.objectId,
        linuxName: "alice@contoso.com",
        enabled: options.enabled ?? true,
      };
    },
    async decideAccess() {
      if (options.block) throw new Blocked("blocked by policy");
      return { lifetimeCapSeconds: 600, policiesApplied: ["p-mfa"] };
    },
    issuer: {
      signer: testSigner("ssh-ed25519"),
      caKeyId: "ca-1",
      ledger: { record: async (i) => void ledger.push(i) },
      reservedKeys: { isReserved: () => false },
      now: () => new Date(),
    },
  };
  return { d, ledger };
}

async function request(
  d: CertificateRequestDeps,
  opts: { scheme?: string; proofKey?: typeof user; bodyKey?: typeof user; authorization?: string } = {},
) {
  const proofKey = opts.proofKey ?? user;
  const dpop = await createKeyProof(proofKey.privateKey, proofKey.publicKey, {
    method: "POST",
    url: URL_,
    accessToken: "good-token",
  });
  return requestCertificate(d, {
    authorization: opts.authorization ?? `${opts.scheme ?? "DPoP"} good-token`,
    dpop,
    method: "POST",
    url: URL_,
    publicKey: formatPublicKey((opts.bodyKey ?? user).publicKey),
    ip: "127.0.0.1",
    userAgent: "test",
  });
}

describe("certificate requests", () => {
  test("a valid token and proof give a certificate capped by conditional access, recorded in the ledger", async () => {
    const { d, ledger } = deps();
    const { certificate, issued } = await request(d);
    assert.deepEqual(certificate.principals, ["alice@contoso.com"]);
    assert.equal(certificate.validBefore - certificate.validAfter, 600n + 120n);
    assert.deepEqual(issued.policies, ["p-mfa"]);
    assert.equal(ledger.length, 1);
  });

  test("a DPoP-bound token works only with its own key and the DPoP scheme", async () => {
    assert.ok(await request(deps({ confirmationJkt: userJkt }).d, { scheme: "DPoP" }));
    await assert.rejects(
      request(deps({ confirmationJkt: userJkt }).d, { scheme: "Bearer" }),
      CaProofInvalidError,
    );
    await assert.rejects(
      request(deps({ confirmationJkt: "another-thumbprint" }).d, { scheme: "DPoP" }),
      CaProofInvalidError,
    );
  });

  test("an unbound (bearer) token is refused whatever the scheme, before any proof is checked", async () => {
    for (const scheme of ["Bearer", "DPoP"]) {
      const { d, ledger } = deps({ confirmationJkt: undefined });
      await assert.rejects(request(d, { scheme }), (error: unknown) => {
        assert.ok(error instanceof CaTokenUnboundError);
        assert.equal(error.code, "ERR_CA_TOKEN_UNBOUND");
        assert.equal(error.kind, "unauthenticated");
        return true;
      });
      assert.equal(ledger.length, 0);
    }
  });

  test("a token bound to key A, with a proof and request for key B, is refused", async () => {
    const { d, ledger } = deps({ confirmationJkt: userJkt });
    await assert.rejects(request(d, { proofKey: other, bodyKey: other }), /bound to another key/);
    assert.equal(ledger.length, 0);
    assert.ok(
      await request(deps({ confirmationJkt: await jktOf(other) }).d, { proofKey: other, bodyKey: other }),
    );
  });

  test("the key to certify must be the key that made the proof", async () => {
    await assert.rejects(request(deps().d, { proofKey: other, bodyKey: user }), CaProofInvalidError);
  });

  test("missing or malformed authorization, or a bad token, is refused", async () => {
    await assert.rejects(request(deps().d, { authorization: "" }), CaProofInvalidError);
    await assert.rejects(request(deps().d, { authorization: "Basic abc" }), CaProofInvalidError);
    await assert.rejects(request(deps().d, { authorization: "Bearer other-token" }), CaProofInvalidError);
  });

  test("unknown or disabled principals and blocking policies get nothing, and nothing is recorded", async () => {
    await assert.rejects(request(deps({}, { missing: true }).d), CaSubjectRejectedError);
    await assert.rejects(request(deps({}, { enabled: false }).d), CaSubjectRejectedError);
    const blocked = deps({}, { block: true });
    await assert.rejects(request(blocked.d), Blocked);
    assert.equal(blocked.ledger.length, 0);
  });
});
