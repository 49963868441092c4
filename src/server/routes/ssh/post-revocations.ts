import { Type } from "@fastify/type-provider-typebox";
import { parseCertificateSerial, revokeCertificate, revokeCertificatesOf } from "../../../ca/index.ts";
import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";
import { ValidationError } from "../../errors.ts";
import { revokedForAudit } from "../../lib/sessions.ts";
import { inChange } from "../../plugins/audit.ts";
import { principalOf } from "../../plugins/authenticate.ts";
import { certificateHolder, SSH_ADMIN_SCOPE } from "./dto.ts";

const Body = Type.Object(
  {
    serial: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: "decimal, 1..2^63-1" })),
    principal: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 256,
        description: "UPN, object id or app id: every certificate it holds that is still valid",
      }),
    ),
    reason: Type.Optional(
      Type.String({ minLength: 1, maxLength: 256, pattern: "^[^\\u0000-\\u001f\\u007f]+$" }),
    ),
  },
  { additionalProperties: false },
);

const Revoked = Type.Object(
  {
    revoked: Type.Array(Type.String(), { description: "serials this call revoked" }),
    alreadyRevoked: Type.Array(Type.String(), { description: "serials that were revoked before" }),
  },
  { additionalProperties: false },
);

const DEFAULT_REASON = "revoked by an administrator";

/**
 * `POST /ssh/revocations` (`hostpass ssh cert revoke --serial N | --principal P`): the revocations
 * and their `revocation.added` change-log entries (the KRL hosts fetch) commit with the activity-log
 * event. Revoking a revoked certificate again changes nothing and says so.
 */
export function registerPostRevocations(app: App, deps: RouteDeps): void {
  app.post(
    "/ssh/revocations",
    {
      config: { permission: { action: "Ssh/certificates/revoke/action", scope: SSH_ADMIN_SCOPE } },
      schema: {
        operationId: "SshRevocations_Create",
        tags: ["SSH"],
        summary: "Revoke a certificate by serial, or every valid certificate of a principal",
        body: Body,
        response: { 200: Revoked },
      },
    },
    async (request) => {
      const { serial: serialText, principal, reason = DEFAULT_REASON } = request.body;
      if ((serialText === undefined) === (principal === undefined))
        throw new ValidationError("give exactly one of serial and principal");
      const tenantId = principalOf(request).tenantId;
      const at = new Date();
      if (serialText !== undefined) {
        const serial = parseCertificateSerial(serialText);
        request.auditTarget = `/ssh/certificates/${serial}`;
        const fresh = await inChange(request, deps, async (tx, note) => {
          const done = await revokeCertificate(tx.certificates, { tenantId, serial, at, reason });
          note(`/ssh/certificates/${serial}`, { serial: serial.toString(), reason, revoked: done });
          return done;
        });
        return fresh
          ? { revoked: [serial.toString()], alreadyRevoked: [] }
          : { revoked: [], alreadyRevoked: [serial.toString()] };
      }
      const objectId = await certificateHolder(deps, tenantId, principal as string);
      request.auditTarget = objectId;
      const serials = await inChange(request, deps, async (tx, note) => {
        const done = await revokeCertificatesOf(tx.certificates, { tenantId, objectId, at, reason });
        note(objectId, { principal: objectId, reason, ...revokedForAudit(done) });
        return done;
      });
      return { revoked: serials.map(String), alreadyRevoked: [] };
    },
  );
}
