import { randomUUID } from "node:crypto";
import { isIP } from "node:net";
import { Type } from "@fastify/type-provider-typebox";
import { appendAuditEvent } from "../../../audit/index.ts";
import type { AgentCredential, Principal } from "../../../directory/index.ts";
import { hostLoginRefusal } from "../../../rbac/index.ts";
import {
  getMachine,
  isLoginExtension,
  type Machine,
  parseResourceId,
  putExtension,
} from "../../../resources/index.ts";
import type { AgentReport } from "../../../shared/host-protocol.ts";
import type { App } from "../../app.ts";
import type { HostAgentServices, RouteDeps } from "../../deps.ts";
import { ValidationError } from "../../errors.ts";
import { agentOf } from "./lib/agent-of.ts";

export const MAX_REPORTS = 500;
/** 500 reports of a few hundred bytes: more than the API's usual 64 KiB body limit. */
const REPORTS_BODY_LIMIT = 512 * 1024;
/** The sign-in log's app for logins a host saw (sshd), as opposed to the token and certificate sign-ins. */
export const HOST_LOGIN_APP = "hostpass-host-login";

const Time = Type.Integer({ minimum: 0, maximum: 8_640_000_000_000_000, description: "epoch ms" });
const Printable = (maxLength: number) => Type.String({ maxLength, pattern: "^[\\x20-\\x7e]*$" });

const LoginReport = Type.Object(
  {
    type: Type.Literal("login"),
    at: Time,
    linuxName: Type.String({ pattern: "^[a-z][a-z0-9._@-]{0,31}$" }),
    result: Type.Union([Type.Literal("success"), Type.Literal("failure")]),
    reason: Type.Optional(Printable(256)),
    sourceAddress: Type.String({ minLength: 2, maxLength: 45, pattern: "^[0-9a-fA-F:.]+$" }),
    certificateSerial: Type.Optional(Type.String({ pattern: "^(?:0|[1-9][0-9]{0,19})$" })),
    keyId: Type.Optional(Type.String({ pattern: "^[0-9a-f-]{36}@[0-9a-f-]{36}$" })),
    level: Type.Optional(Type.Union([Type.Literal("user"), Type.Literal("admin")])),
  },
  { additionalProperties: false },
);

const ExtensionReport = Type.Object(
  {
    type: Type.Literal("extension"),
    at: Time,
    name: Type.String({ minLength: 1, maxLength: 64, pattern: "^[A-Za-z0-9._-]+$" }),
    provisioningState: Type.Union([Type.Literal("Succeeded"), Type.Literal("Failed")]),
    exitCode: Type.Optional(Type.Integer({ minimum: 0, maximum: 255 })),
    message: Type.Optional(Printable(1024)),
  },
  { additionalProperties: false },
);

const AppliedReport = Type.Object(
  { type: Type.Literal("applied"), at: Time, version: Type.Integer({ minimum: 0, maximum: 2 ** 53 - 1 }) },
  { additionalProperties: false },
);

const GraceReport = Type.Object(
  {
    type: Type.Literal("grace"),
    at: Time,
    stage: Type.Union([Type.Literal("adminDropped"), Type.Literal("allDropped"), Type.Literal("restored")]),
  },
  { additionalProperties: false },
);

const Body = Type.Array(Type.Union([LoginReport, ExtensionReport, AppliedReport, GraceReport]), {
  maxItems: MAX_REPORTS,
});

type LoginReportT = Extract<AgentReport, { type: "login" }>;
type ExtensionReportT = Extract<AgentReport, { type: "extension" }>;

/**
 * Reports of a host agent: every login attempt its sshd saw (into the sign-in log, app
 * `hostpass-host-login`, resource = the machine), extension results (the machine's login
 * extension goes from Creating to Succeeded or Failed; the exit code and text in the activity
 * log), applied versions and grace transitions (activity log). At most 500 per request; one
 * report that breaks the schema refuses the whole request, nothing written.
 */
export function registerPostAgentReports(app: App, deps: RouteDeps, host: HostAgentServices): void {
  app.post(
    "/agents/v1/reports",
    {
      bodyLimit: REPORTS_BODY_LIMIT,
      config: { permission: "self" },
      schema: {
        operationId: "Agents_Reports",
        tags: ["Host agents"],
        summary: "Report login attempts, extension results, applied versions and grace transitions",
        body: Body,
        response: {
          202: Type.Object({ accepted: Type.Integer() }, { additionalProperties: false }),
        },
      },
    },
    async (request, reply) => {
      const credential = await agentOf(request, host.agents);
      const reports = request.body as readonly AgentReport[];
      for (const r of reports)
        if (r.type === "login" && !isIP(r.sourceAddress))
          throw new ValidationError("sourceAddress must be an IP address");
      const logins = reports.filter((r): r is LoginReportT => r.type === "login");
      await recordLogins(deps, host, credential, logins, request.id);
      await deps.transaction(credential.tenantId, async (tx) => {
        const audit = (action: string, at: number, details: Record<string, unknown>) =>
          appendAuditEvent(tx.audit, {
            tenantId: credential.tenantId,
            actor: credential.identityId,
            action,
            target: credential.machineId,
            result: "success",
            correlationId: request.id,
            details: { reportedAt: new Date(at).toISOString(), ...details },
          });
        for (const r of reports) {
          if (r.type === "extension") await recordExtension(tx.resources, credential, r, host.now);
          if (r.type === "extension")
            await audit("Agents/extension/report", r.at, {
              name: r.name,
              provisioningState: r.provisioningState,
              ...(r.exitCode !== undefined ? { exitCode: r.exitCode } : {}),
              ...(r.message !== undefined ? { message: r.message } : {}),
            });
          else if (r.type === "applied") await audit("Agents/applied/report", r.at, { version: r.version });
          else if (r.type === "grace") await audit("Agents/grace/report", r.at, { stage: r.stage });
        }
      });
      request.auditRecorded = true;
      return reply.code(202).send({ accepted: reports.length });
    },
  );
}

async function recordLogins(
  deps: RouteDeps,
  host: HostAgentServices,
  credential: AgentCredential,
  logins: readonly LoginReportT[],
  correlationId: string,
): Promise<void> {
  const tenantId = credential.tenantId;
  const known = new Map<string, Principal | undefined>();
  const principalOf = async (r: LoginReportT): Promise<Principal | undefined> => {
    const [objectId, keyTenant] = r.keyId?.split("@") ?? [];
    const key = objectId && keyTenant === tenantId ? `id:${objectId}` : `name:${r.linuxName}`;
    if (!known.has(key)) {
      known.set(
        key,
        key.startsWith("id:")
          ? await deps.directory.getPrincipal(tenantId, objectId as string)
          : r.linuxName === "unknown"
            ? undefined
            : await deps.directory.findPrincipalByLinuxName(tenantId, r.linuxName),
      );
    }
    return known.get(key);
  };
  const engine = logins.some((r) => r.result === "failure") ? await deps.rbac(tenantId) : undefined;
  for (const r of logins) {
    const p = await principalOf(r);
    const name = p?.kind === "user" ? p.upn : (p?.displayName ?? r.linuxName);
    // The host refused someone the directory knows: the service says why (a removed role, a
    // disabled account), with the host's own words after it ("unknown user" once it dropped them).
    const why =
      r.result === "failure" && p !== undefined && engine !== undefined
        ? await hostLoginRefusal(engine, p, credential.machineId)
        : undefined;
    const failureReason = why === undefined ? r.reason : `${why} (the host: ${r.reason ?? "refused"})`;
    await host.signInLog.append({
      id: randomUUID(),
      time: new Date(r.at),
      tenantId,
      ...(p && p.kind !== "group" ? { principalId: p.id, principalKind: p.kind } : {}),
      principalName: name,
      appId: HOST_LOGIN_APP,
      resource: credential.machineId,
      ip: r.sourceAddress,
      userAgent: "sshd",
      result: r.result,
      ...(failureReason !== undefined ? { failureReason } : {}),
      policies: [
        {
          hostLogin: {
            linuxName: r.linuxName,
            ...(r.level !== undefined ? { level: r.level } : {}),
            ...(r.certificateSerial !== undefined ? { certificateSerial: r.certificateSerial } : {}),
            ...(r.keyId !== undefined ? { keyId: r.keyId } : {}),
          },
        },
      ],
      correlationId,
    });
  }
}

/** The login extension of the machine (or, for a scale-set instance, of its set) takes the reported state. */
async function recordExtension(
  resources: Parameters<typeof getMachine>[0],
  credential: AgentCredential,
  r: ExtensionReportT,
  now: () => Date,
): Promise<void> {
  if (!isLoginExtension(r.name)) return;
  const machine = await getMachine(resources, credential.machineId);
  const owners: Machine[] = [machine];
  const parent = machine.kind === "virtualMachineScaleSetVm" ? parseResourceId(machine.id).parent : undefined;
  if (parent) owners.push(await getMachine(resources, parent.id));
  for (const owner of owners) {
    const extension = owner.extensions.find((e) => isLoginExtension(e.type));
    if (extension === undefined) continue;
    if (extension.provisioningState === r.provisioningState) return;
    await putExtension(resources, owner.id, { ...extension, provisioningState: r.provisioningState, now });
    return;
  }
}
