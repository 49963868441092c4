/**
 * "What if": the tenant's conditional access evaluated for a sign-in described by the caller (who,
 * from which address and platform, with which device, how they signed in, at which risk), without
 * signing anyone in. The same pure decision certificate issuance makes (src/policy), over the same
 * stored policies, named locations, group memberships and device records.
 */
import { Type } from "@fastify/type-provider-typebox";
import { getDevice, groupClosure } from "../../../directory/index.ts";
import {
  AUTH_METHODS,
  CLIENT_PLATFORMS,
  type ClientPlatform,
  evaluateConditionalAccess,
  LINUX_VM_SIGN_IN_APP,
  loadTenantPolicies,
  RISK_LEVELS,
} from "../../../policy/index.ts";
import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";
import { ValidationError } from "../../errors.ts";
import { principalOf } from "../../plugins/authenticate.ts";
import { DIRECTORY_SCOPE } from "../directory/dto.ts";

const literals = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));

const Body = Type.Object(
  {
    /** A UPN, an object id or an application id. */
    principal: Type.String({ minLength: 1, maxLength: 256 }),
    ipAddress: Type.String({ minLength: 2, maxLength: 64 }),
    platform: Type.Optional(literals(CLIENT_PLATFORMS)),
    /** A registered device, as if it had proven its key. */
    deviceId: Type.Optional(Type.String({ format: "uuid" })),
    /** How the sign-in was made (default: a password only). */
    authMethods: Type.Optional(Type.Array(literals(AUTH_METHODS), { maxItems: 4, uniqueItems: true })),
    signInRiskLevel: Type.Optional(literals(RISK_LEVELS)),
    /** Default: Linux VM Sign-In, the application policies protect. */
    appId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  },
  { additionalProperties: false },
);

export function registerEvaluateConditionalAccess(app: App, deps: RouteDeps): void {
  const repo = deps.conditionalAccess;
  if (repo === undefined) return;
  app.post(
    "/identity/conditionalAccess/evaluate",
    {
      config: {
        permission: { action: "Directory/conditionalAccess/read", scope: DIRECTORY_SCOPE },
        readOnly: true,
      },
      schema: {
        operationId: "ConditionalAccess_WhatIf",
        tags: ["Conditional access"],
        summary: "Evaluate the policies for a described sign-in (what if)",
        body: Body,
      },
    },
    async (request) => {
      const { tenantId } = principalOf(request);
      const body = request.body;
      const who = await deps.resolveAssignee(tenantId, body.principal);
      if (who.type === "Group")
        throw new ValidationError("conditional access applies to users and service principals, not groups");
      const [all, groups, device] = await Promise.all([
        loadTenantPolicies(repo, tenantId),
        groupClosure(deps.directory, tenantId, who.id),
        body.deviceId === undefined ? undefined : getDevice(deps.directory, tenantId, body.deviceId),
      ]);
      const now = new Date();
      const platform: ClientPlatform = device?.platform ?? body.platform ?? "linux";
      const result = evaluateConditionalAccess(
        all.policies,
        {
          principal: {
            id: who.id,
            kind: who.type === "User" ? "user" : "servicePrincipal",
            groupIds: [...groups],
          },
          appId: body.appId ?? LINUX_VM_SIGN_IN_APP,
          ip: body.ipAddress,
          platform,
          ...(device === undefined
            ? {}
            : {
                device: {
                  id: device.id,
                  registered: true,
                  compliant: device.compliant,
                  keyThumbprint: device.keyThumbprint,
                  platform: device.platform,
                },
              }),
          session: { authMethods: body.authMethods ?? ["pwd"], authTime: now, mfaTime: now },
          risk: body.signInRiskLevel ?? "none",
          now,
        },
        all.locations,
      );
      return { principal: { id: who.id, type: who.type }, platform, ...result };
    },
  );
}
