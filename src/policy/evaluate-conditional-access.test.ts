import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { claimsChallenge } from "./claims-challenge.ts";
import { AccessBlockedError, InteractionRequiredError } from "./errors.ts";
import { evaluateConditionalAccess } from "./evaluate-conditional-access.ts";
import {
  ADMINS,
  BOB,
  BREAK_GLASS,
  COMPLIANT_LINUX,
  ctx,
  MFA_SESSION,
  NOW,
  policy,
} from "./lib/policy-fixture.ts";
import { SEED_LINUX_VM_SIGN_IN_APP } from "./types.ts";

const grant = (operator: "AND" | "OR", ...controls: string[]) => ({ grantControls: { operator, controls } });

describe("evaluateConditionalAccess: grant controls", () => {
  it("grants when no policy is in scope", () => {
    const r = evaluateConditionalAccess([], ctx());
    assert.deepEqual(r, { decision: "grant", missing: [], evaluated: [] });
  });

  it("require MFA: challenges a password session for exactly mfa, grants an MFA session", () => {
    const p = policy(grant("AND", "mfa"));
    const r = evaluateConditionalAccess([p], ctx());
    assert.equal(r.decision, "challenge");
    assert.deepEqual(r.missing, ["mfa"]);
    assert.deepEqual(r.evaluated[0], {
      policyId: p.id,
      name: p.name,
      state: "enabled",
      applied: true,
      result: "interrupted",
      reason: "requires mfa",
      unmet: ["mfa"],
    });
    assert.equal(evaluateConditionalAccess([p], ctx({ session: MFA_SESSION })).decision, "grant");
  });

  it("counts passkey, and password plus OTP, as MFA; OTP alone is not", () => {
    const p = [policy(grant("AND", "mfa"))];
    assert.equal(
      evaluateConditionalAccess(p, ctx({ session: { authMethods: ["passkey"] } })).decision,
      "grant",
    );
    assert.equal(
      evaluateConditionalAccess(p, ctx({ session: { authMethods: ["pwd", "otp"] } })).decision,
      "grant",
    );
    assert.equal(
      evaluateConditionalAccess(p, ctx({ session: { authMethods: ["otp"] } })).decision,
      "challenge",
    );
  });

  it("require compliant device: any platform, registered and compliant", () => {
    const p = [policy(grant("AND", "compliantDevice"))];
    assert.deepEqual(evaluateConditionalAccess(p, ctx()).missing, ["compliantDevice"]);
    for (const platform of ["linux", "macos", "windows", "other"] as const) {
      const device = { ...COMPLIANT_LINUX, platform };
      assert.equal(evaluateConditionalAccess(p, ctx({ platform, device })).decision, "grant", platform);
    }
    const notCompliant = { ...COMPLIANT_LINUX, compliant: false };
    assert.deepEqual(evaluateConditionalAccess(p, ctx({ device: notCompliant })).missing, [
      "compliantDevice",
    ]);
    // a compliant record whose key was not proven in this request does not count
    const unproven = { ...COMPLIANT_LINUX, registered: false };
    assert.deepEqual(evaluateConditionalAccess(p, ctx({ device: unproven })).missing, ["compliantDevice"]);
  });

  it("AND needs every control, OR needs one", () => {
    const and = [policy(grant("AND", "mfa", "compliantDevice"))];
    const or = [policy(grant("OR", "mfa", "compliantDevice"))];
    assert.deepEqual(evaluateConditionalAccess(and, ctx()).missing, ["mfa", "compliantDevice"]);
    assert.deepEqual(evaluateConditionalAccess(and, ctx({ session: MFA_SESSION })).missing, [
      "compliantDevice",
    ]);
    assert.equal(
      evaluateConditionalAccess(and, ctx({ session: MFA_SESSION, device: COMPLIANT_LINUX })).decision,
      "grant",
    );
    assert.equal(evaluateConditionalAccess(or, ctx({ session: MFA_SESSION })).decision, "grant");
    assert.equal(evaluateConditionalAccess(or, ctx({ device: COMPLIANT_LINUX })).decision, "grant");
    // unmet OR: the log lists both alternatives, the challenge asks for the one a prompt can give
    const r = evaluateConditionalAccess(or, ctx());
    assert.deepEqual(r.evaluated[0]?.unmet, ["mfa", "compliantDevice"]);
    assert.equal(r.evaluated[0]?.reason, "requires mfa or compliantDevice");
    assert.deepEqual(r.missing, ["mfa"]);
  });

  it("asks for the least across policies: an OR policy is covered by what an AND policy already needs", () => {
    const r = evaluateConditionalAccess(
      [policy(grant("OR", "mfa", "compliantDevice")), policy(grant("AND", "compliantDevice"))],
      ctx(),
    );
    assert.deepEqual(r.missing, ["compliantDevice"]);
  });

  it("all applicable enabled policies must be satisfied", () => {
    const r = evaluateConditionalAccess(
      [policy(grant("AND", "mfa")), policy(grant("AND", "compliantDevice"))],
      ctx({ session: MFA_SESSION }),
    );
    assert.deepEqual(r.missing, ["compliantDevice"]);
    assert.deepEqual(
      r.evaluated.map((e) => e.result),
      ["success", "interrupted"],
    );
  });

  it("block wins over everything, and the error names nothing", () => {
    const r = evaluateConditionalAccess(
      [policy(grant("AND", "mfa")), policy(grant("AND", "block")), policy(grant("AND", "compliantDevice"))],
      ctx(),
    );
    assert.equal(r.decision, "block");
    assert.deepEqual(r.missing, []);
    assert.equal(r.evaluated[1]?.result, "failure");
    const e = claimsChallenge(r);
    assert.ok(e instanceof AccessBlockedError);
    assert.equal(e.code, "ERR_ACCESS_BLOCKED");
    assert.equal(e.kind, "forbidden");
    assert.equal(e.message, "Access has been blocked by conditional access policies.");
  });

  it("a claims challenge lists exactly what is missing", () => {
    assert.equal(claimsChallenge(evaluateConditionalAccess([], ctx())), undefined);
    const e = claimsChallenge(
      evaluateConditionalAccess(
        [
          policy({
            ...grant("AND", "mfa"),
            sessionControls: { signInFrequency: { value: 1, unit: "hours" } },
          }),
        ],
        ctx({ session: { authTime: new Date(NOW.getTime() - 2 * 3600_000) } }),
      ),
    );
    assert.ok(e instanceof InteractionRequiredError);
    assert.equal(e.kind, "unauthenticated");
    assert.deepEqual(e.toJSON(), {
      code: "ERR_INTERACTION_REQUIRED",
      message: "Conditional access requires: mfa, reauthenticate",
      requirements: ["mfa", "reauthenticate"],
      maxAge: 0,
    });
  });
});

describe("evaluateConditionalAccess: states and exclusions", () => {
  it("report-only is evaluated and logged but never enforced; disabled is ignored", () => {
    const ro = policy({ state: "reportOnly", ...grant("AND", "block") });
    const ro2 = policy({ state: "reportOnly", ...grant("AND", "mfa") });
    const roScoped = policy({
      state: "reportOnly",
      assignments: { users: { include: [BOB] }, applications: { include: "All" } },
    });
    const off = policy({ state: "disabled", ...grant("AND", "block") });
    const r = evaluateConditionalAccess([ro, ro2, roScoped, off], ctx());
    assert.equal(r.decision, "grant");
    assert.deepEqual(
      r.evaluated.map((e) => [e.result, e.applied]),
      [
        ["reportOnlyFailure", false],
        ["reportOnlyInterrupted", false],
        ["reportOnlyNotApplied", false],
        ["notEnabled", false],
      ],
    );
    assert.deepEqual(r.evaluated[1]?.unmet, ["mfa"]);
    const ok = evaluateConditionalAccess([ro2], ctx({ session: MFA_SESSION }));
    assert.equal(ok.evaluated[0]?.result, "reportOnlySuccess");
    // a report-only sign-in frequency does not cap certificates either
    const freq = policy({
      state: "reportOnly",
      sessionControls: { signInFrequency: { value: 10, unit: "minutes" } },
    });
    assert.equal(
      evaluateConditionalAccess([freq], ctx({ session: MFA_SESSION })).certificateLifetimeCap,
      undefined,
    );
  });

  it("an excluded user or group wins over any include", () => {
    const p = policy({
      ...grant("AND", "block"),
      assignments: {
        users: { include: "All", exclude: [BREAK_GLASS] },
        groups: { include: [ADMINS], exclude: ["contractors"] },
        applications: { include: "All" },
      },
    });
    assert.equal(evaluateConditionalAccess([p], ctx()).decision, "block");
    const bg = evaluateConditionalAccess([p], ctx({ principal: { id: BREAK_GLASS, groupIds: [ADMINS] } }));
    assert.equal(bg.decision, "grant");
    assert.equal(bg.evaluated[0]?.reason, "user excluded");
    const contractor = evaluateConditionalAccess(
      [p],
      ctx({ principal: { groupIds: [ADMINS, "contractors"] } }),
    );
    assert.equal(contractor.evaluated[0]?.reason, "group excluded");
  });

  it("targets users by id and by transitive group, and applications by id (seed id as alias)", () => {
    const p = policy({
      assignments: {
        users: { include: [BOB] },
        groups: { include: [ADMINS] },
        applications: { include: [SEED_LINUX_VM_SIGN_IN_APP] },
      },
    });
    assert.equal(evaluateConditionalAccess([p], ctx()).evaluated[0]?.reason, "user not included");
    assert.equal(evaluateConditionalAccess([p], ctx({ principal: { id: BOB } })).decision, "challenge");
    assert.equal(
      evaluateConditionalAccess([p], ctx({ principal: { groupIds: ["x", ADMINS] } })).decision,
      "challenge",
    );
    assert.equal(
      evaluateConditionalAccess([p], ctx({ principal: { id: BOB.toUpperCase() } })).decision,
      "challenge",
    );
    const other = evaluateConditionalAccess([p], ctx({ principal: { id: BOB }, appId: "portal" }));
    assert.equal(other.evaluated[0]?.reason, "application not included");
    const excluded = policy({
      assignments: {
        users: { include: "All" },
        applications: { include: "All", exclude: [SEED_LINUX_VM_SIGN_IN_APP] },
      },
    });
    assert.equal(evaluateConditionalAccess([excluded], ctx()).evaluated[0]?.reason, "application excluded");
  });
});
