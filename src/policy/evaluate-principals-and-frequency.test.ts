import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InvalidSignInContextError } from "./errors.ts";
import { evaluateConditionalAccess } from "./evaluate-conditional-access.ts";
import {
  ADMINS,
  ALICE,
  BREAK_GLASS,
  COMPLIANT_LINUX,
  ctx,
  MFA_SESSION,
  NOW,
  policy,
  ROBOT,
} from "./lib/policy-fixture.ts";

const grant = (operator: "AND" | "OR", ...controls: string[]) => ({ grantControls: { operator, controls } });
const sp = { principal: { id: ROBOT, kind: "servicePrincipal" as const } };
const spPolicy = (over: Record<string, unknown> = {}) =>
  policy({
    assignments: { servicePrincipals: { include: "All" }, applications: { include: "All" } },
    ...over,
  });

describe("evaluateConditionalAccess: service principals", () => {
  it("user policies ('All users', groups) never reach a service principal", () => {
    const p = policy({
      ...grant("AND", "block"),
      assignments: {
        users: { include: "All" },
        groups: { include: [ADMINS] },
        applications: { include: "All" },
      },
    });
    const r = evaluateConditionalAccess([p], ctx({ principal: { ...sp.principal, groupIds: [ADMINS] } }));
    assert.equal(r.decision, "grant");
    assert.equal(r.evaluated[0]?.reason, "service principal not included");
  });

  it("requiring MFA of a service principal blocks, unless it is excluded", () => {
    const r = evaluateConditionalAccess(
      [spPolicy(grant("AND", "mfa"))],
      ctx({ ...sp, session: { authMethods: ["pwd"] } }),
    );
    assert.equal(r.decision, "block");
    assert.equal(r.evaluated[0]?.reason, "requires MFA, which a service principal cannot do");
    // a service principal's session claiming MFA changes nothing
    const claimed = ctx({ ...sp, session: MFA_SESSION });
    assert.equal(evaluateConditionalAccess([spPolicy(grant("AND", "mfa"))], claimed).decision, "block");
    const excluded = spPolicy({
      ...grant("AND", "mfa"),
      assignments: {
        servicePrincipals: { include: "All", exclude: [ROBOT] },
        applications: { include: "All" },
      },
    });
    assert.equal(evaluateConditionalAccess([excluded], ctx(sp)).decision, "grant");
    assert.equal(evaluateConditionalAccess([spPolicy(grant("OR", "mfa"))], ctx(sp)).decision, "block");
  });

  it("OR with another option asks the service principal for that option instead", () => {
    const p = [spPolicy(grant("OR", "mfa", "compliantDevice"))];
    assert.deepEqual(evaluateConditionalAccess(p, ctx(sp)).missing, ["compliantDevice"]);
    assert.equal(evaluateConditionalAccess(p, ctx({ ...sp, device: COMPLIANT_LINUX })).decision, "grant");
    assert.equal(evaluateConditionalAccess([spPolicy(grant("AND", "block"))], ctx(sp)).decision, "block");
  });
});

describe("evaluateConditionalAccess: sign-in frequency", () => {
  const tenMinutes = { sessionControls: { signInFrequency: { value: 10, unit: "minutes" } } };

  it("caps the certificate lifetime at 600 s and forces re-authentication after 10 minutes", () => {
    const p = [policy({ ...grant("AND", "mfa"), ...tenMinutes })];
    const at = (ageSeconds: number) =>
      ctx({ session: { ...MFA_SESSION, authTime: new Date(NOW.getTime() - ageSeconds * 1000) } });
    const fresh = evaluateConditionalAccess(p, at(60));
    assert.equal(fresh.decision, "grant");
    assert.equal(fresh.certificateLifetimeCap, 600);
    assert.equal(evaluateConditionalAccess(p, at(600)).decision, "grant");
    const stale = evaluateConditionalAccess(p, at(601));
    assert.equal(stale.decision, "challenge");
    assert.deepEqual(stale.missing, ["mfa", "reauthenticate"]); // the MFA is as old as the session
    assert.equal(stale.evaluated[0]?.reason, "sign-in frequency exceeded; requires mfa");
  });

  it("a recent step-up MFA counts even in an older session; the lowest frequency wins", () => {
    const p = [
      policy({ ...grant("AND", "mfa"), sessionControls: { signInFrequency: { value: 1, unit: "hours" } } }),
      policy({ grantControls: undefined, ...tenMinutes }),
      policy({ grantControls: undefined, sessionControls: { signInFrequency: { value: 1, unit: "days" } } }),
    ];
    const r = evaluateConditionalAccess(
      p,
      ctx({
        session: {
          ...MFA_SESSION,
          authTime: new Date(NOW.getTime() - 700_000),
          mfaTime: new Date(NOW.getTime() - 5_000),
        },
      }),
    );
    assert.deepEqual(r.missing, ["reauthenticate"]);
    assert.equal(r.certificateLifetimeCap, 600);
  });
});

describe("evaluateConditionalAccess: context and scale", () => {
  it("refuses a context it cannot evaluate rather than guessing", () => {
    for (const ip of ["", "localhost", "10.0.0.1 ", "fe80::1%eth0", "0x7f.1"]) {
      assert.throws(() => evaluateConditionalAccess([], ctx({ ip })), InvalidSignInContextError, ip);
    }
    assert.throws(
      () => evaluateConditionalAccess([], ctx({ now: new Date(Number.NaN) })),
      InvalidSignInContextError,
    );
  });

  it("evaluates 1,000 policies", () => {
    const policies = Array.from({ length: 1000 }, (_, i) =>
      policy({
        state: i % 3 === 0 ? "reportOnly" : "enabled",
        assignments: {
          users: {
            include: i % 2 ? "All" : Array.from({ length: 50 }, (_, j) => `user-${j}`),
            exclude: [BREAK_GLASS],
          },
          groups: { include: [`group-${i}`] },
          applications: { include: "All" },
        },
        conditions: {
          platforms: { include: "All", exclude: ["ios"] },
          signInRiskLevels: ["none", "low", "medium", "high"],
        },
        ...grant(i % 2 ? "OR" : "AND", "mfa", "compliantDevice"),
        sessionControls: { signInFrequency: { value: 60 + (i % 30), unit: "minutes" } },
      }),
    );
    const c = ctx({
      principal: { id: ALICE, groupIds: Array.from({ length: 200 }, (_, j) => `group-${j}`) },
      session: MFA_SESSION,
      device: COMPLIANT_LINUX,
    });
    for (let n = 0; n < 20; n++) {
      const r = evaluateConditionalAccess(policies, c);
      assert.equal(r.evaluated.length, 1000);
      assert.equal(r.decision, "grant");
      // 60 minutes is only on report-only policies (i % 30 === 0 implies i % 3 === 0): 61 is the least enforced
      assert.equal(r.certificateLifetimeCap, 3660);
    }
  });
});
