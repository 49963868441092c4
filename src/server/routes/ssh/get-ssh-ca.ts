import { Type } from "@fastify/type-provider-typebox";
import type { CertificateIssuance } from "../../../ca/index.ts";
import type { App } from "../../app.ts";

const CaKeys = Type.Object(
  {
    userCaKeys: Type.Array(Type.String(), {
      description: "TrustedUserCAKeys lines (active, announced and previous)",
    }),
    hostCaKeys: Type.Array(Type.String(), {
      description: "host CA keys, for @cert-authority known_hosts lines",
    }),
  },
  { additionalProperties: false },
);

/** `GET /ssh/ca`: the CA public keys hosts and clients trust; public by nature. */
export function registerGetSshCa(app: App, certificates: CertificateIssuance): void {
  app.get(
    "/ssh/ca",
    {
      config: { public: true },
      schema: {
        operationId: "SshCa_Get",
        tags: ["SSH"],
        summary: "CA public keys",
        response: { 200: CaKeys },
      },
    },
    async () => certificates.caKeys(),
  );
}
