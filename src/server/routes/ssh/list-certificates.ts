import { Type } from "@fastify/type-provider-typebox";
import { parseCertificateSerial } from "../../../ca/index.ts";
import type { App } from "../../app.ts";
import type { RouteDeps, SshServices } from "../../deps.ts";
import { PageOf, pageRequest, pageResponse, Top } from "../../lib/pagination.ts";
import { principalOf } from "../../plugins/authenticate.ts";
import { CertificateDto, certificateHolder, SSH_ADMIN_SCOPE, toCertificateDto } from "./dto.ts";

const Query = Type.Object(
  {
    top: Type.Optional(Top),
    skipToken: Type.Optional(Type.String({ minLength: 1, maxLength: 2048, pattern: "^[A-Za-z0-9_-]+$" })),
    principal: Type.Optional(
      Type.String({ minLength: 1, maxLength: 256, description: "UPN, object id or app id of the holder" }),
    ),
    serial: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: "decimal, 1..2^63-1" })),
    status: Type.Optional(
      Type.Union([Type.Literal("active"), Type.Literal("revoked"), Type.Literal("all")], {
        description: "active (default): valid now and not revoked",
      }),
    ),
  },
  { additionalProperties: false },
);

/** `GET /ssh/certificates` (`hostpass ssh cert list`): the tenant's issued certificates, newest first. */
export function registerListCertificates(app: App, ssh: SshServices, deps: RouteDeps): void {
  app.get(
    "/ssh/certificates",
    {
      config: { permission: { action: "Ssh/certificates/read", scope: SSH_ADMIN_SCOPE } },
      schema: {
        operationId: "SshCertificates_List",
        tags: ["SSH"],
        summary: "List issued certificates (by holder, serial, status)",
        querystring: Query,
        response: { 200: PageOf(CertificateDto) },
      },
    },
    async (request) => {
      const tenantId = principalOf(request).tenantId;
      const { principal, serial, status = "active" } = request.query;
      const now = new Date();
      const objectId =
        principal === undefined ? undefined : await certificateHolder(deps, tenantId, principal);
      if (serial !== undefined) {
        const found = await ssh.ledger.get(parseCertificateSerial(serial));
        const dto = found?.tenantId === tenantId ? toCertificateDto(found, now) : undefined;
        const matches =
          dto !== undefined &&
          (objectId === undefined || dto.objectId === objectId) &&
          (status === "all" || dto.status === status);
        return { value: matches ? [dto] : [] };
      }
      const page = await ssh.ledger.list(
        {
          tenantId,
          ...(objectId === undefined ? {} : { objectId }),
          ...(status === "active" ? { validAt: now, revoked: false } : {}),
          ...(status === "revoked" ? { revoked: true } : {}),
        },
        pageRequest(request.query),
      );
      return pageResponse(request, page, (c) => toCertificateDto(c, now));
    },
  );
}
