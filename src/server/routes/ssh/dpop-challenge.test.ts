import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CaKeyRejectedError, CaProofInvalidError, CaTokenUnboundError } from "../../../ca/index.ts";
import { AccessBlockedError, InteractionRequiredError } from "../../../policy/index.ts";
import { dpopChallenge } from "./dpop-challenge.ts";

const algs = 'algs="EdDSA Ed25519 ES256 ES384 ES512 RS256 RS384 RS512 PS256 PS384 PS512"';

describe("dpopChallenge (RFC 9449 §7.1)", () => {
  it("names the error of a request that carried a token", () => {
    const token = "DPoP abc.def.ghi";
    assert.equal(dpopChallenge(new CaTokenUnboundError(), token), `DPoP error="invalid_token", ${algs}`);
    assert.equal(
      dpopChallenge(new CaProofInvalidError("x"), token),
      `DPoP error="invalid_dpop_proof", ${algs}`,
    );
    assert.equal(
      dpopChallenge(new InteractionRequiredError(["mfa"]), token),
      `DPoP error="insufficient_user_authentication", ${algs}`,
    );
  });

  it("no error without a credential; no challenge for what is not a 401", () => {
    assert.equal(dpopChallenge(new CaProofInvalidError("x"), undefined), `DPoP ${algs}`);
    assert.equal(dpopChallenge(new CaProofInvalidError("x"), "Basic dXNlcg=="), `DPoP ${algs}`);
    assert.equal(dpopChallenge(new AccessBlockedError(), "DPoP a"), undefined);
    assert.equal(dpopChallenge(new CaKeyRejectedError("x"), "DPoP a"), undefined);
    assert.equal(dpopChallenge(new Error("bug"), "DPoP a"), undefined);
  });
});
