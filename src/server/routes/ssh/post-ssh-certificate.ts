import { Type } from "@fastify/type-provider-typebox";
import type { CertificateIssuance } from "../../../ca/index.ts";
import type { App } from "../../app.ts";
import { dpopChallenge } from "./dpop-challenge.ts";

const Body = Type.Object(
  {
    publicKey: Type.String({
      minLength: 1,
      maxLength: 16_384,
      description: "The key to certify, `type base64` form",
    }),
  },
  { additionalProperties: false },
);

const Issued = Type.Object(
  {
    certificate: Type.String({ description: "OpenSSH certificate, `type base64 comment` form" }),
    serial: Type.String(),
    keyId: Type.String(),
    principal: Type.String(),
    validAfter: Type.String({ format: "date-time" }),
    validBefore: Type.String({ format: "date-time" }),
  },
  { additionalProperties: false },
);

/**
 * `POST /ssh/certificates`: a user certificate for a key whose possession the DPoP proof shows. It
 * authenticates with a Linux VM Sign-In access token itself, so it is not behind the API's token check.
 */
export function registerPostSshCertificate(app: App, certificates: CertificateIssuance): void {
  app.post(
    "/ssh/certificates",
    {
      config: { public: true },
      schema: {
        operationId: "SshCertificates_Issue",
        tags: ["SSH"],
        summary:
          "Issue a short-lived SSH user certificate (Authorization: DPoP <Linux VM Sign-In token, DPoP-bound to the key>, DPoP: <proof made with the key>)",
        body: Body,
        response: { 201: Issued },
      },
    },
    async (request, reply) => {
      const { dpop, authorization } = request.headers;
      const device = request.headers["x-hostpass-device"];
      try {
        const out = await certificates.request({
          authorization,
          dpop: typeof dpop === "string" ? dpop : undefined,
          device: typeof device === "string" ? device : undefined,
          publicKey: request.body.publicKey,
          ip: request.ip,
          userAgent: String(request.headers["user-agent"] ?? "").slice(0, 256),
        });
        return reply.code(201).send(out);
      } catch (error) {
        const challenge = dpopChallenge(error, authorization);
        if (challenge !== undefined) reply.header("www-authenticate", challenge);
        throw error;
      }
    },
  );
}
