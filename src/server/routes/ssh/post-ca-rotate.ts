import { Type } from "@fastify/type-provider-typebox";
import { type CaPurpose, describeCaKey, nextRotationStep, planRotation } from "../../../ca/index.ts";
import type { App } from "../../app.ts";
import type { RouteDeps, SshServices } from "../../deps.ts";
import { inChange } from "../../plugins/audit.ts";
import { CaKeyDto, Purpose, SSH_ADMIN_SCOPE, toCaKeyDto } from "./dto.ts";

const Step = (options = {}) =>
  Type.Union([Type.Literal("announce"), Type.Literal("activate"), Type.Literal("retire")], options);

const Body = Type.Object(
  {
    purpose: Type.Optional(Purpose),
    step: Type.Optional(
      Step({
        description:
          "default: the step the keys are at (activate an announced key, retire a previous one, or announce)",
      }),
    ),
    force: Type.Optional(
      Type.Boolean({
        description: "retire even though certificates the previous key signed may still be valid",
      }),
    ),
  },
  { additionalProperties: false },
);

const Rotated = Type.Object(
  {
    purpose: Purpose,
    step: Step(),
    keys: Type.Array(CaKeyDto, { description: "the purpose's keys after the step" }),
  },
  { additionalProperties: false },
);

/**
 * `POST /ssh/ca/rotate` (`hostpass ssh ca rotate`): one rotation step of the user or host CA.
 * The step, its `caKeys.changed` change-log entries (how connected hosts hear of it) and its
 * activity-log event commit together; then this process's issuer signs with the key now active.
 */
export function registerPostCaRotate(app: App, ssh: SshServices, deps: RouteDeps): void {
  app.post(
    "/ssh/ca/rotate",
    {
      config: {
        permission: { action: "Ssh/certificateAuthorities/rotate/action", scope: SSH_ADMIN_SCOPE },
      },
      schema: {
        operationId: "SshCa_Rotate",
        tags: ["SSH"],
        summary: "Rotate a CA key one step: announce, activate or retire",
        body: Body,
        response: { 200: Rotated },
      },
    },
    async (request) => {
      const purpose: CaPurpose = request.body.purpose ?? "user";
      const now = new Date();
      const done = await inChange(request, deps, async (tx, note) => {
        const caKeys = tx.caKeys;
        if (caKeys === undefined) throw new TypeError("the change's transaction has no CA key store");
        const before = await caKeys.list();
        const step = request.body.step ?? nextRotationStep(before, purpose);
        const plan = planRotation(before, purpose, step, {
          now,
          newKey: () => ssh.newCaKey(purpose, now),
          // Host certificates are renewed through the hosts' channel when the host CA changes.
          ...(purpose === "user" ? { signedLifetimeSeconds: ssh.certificateLifetimeSeconds } : {}),
          force: request.body.force === true,
        });
        if (plan.insert) await caKeys.insert(plan.insert);
        if (plan.states.length > 0) await caKeys.saveStates(plan.states);
        const stateBefore = new Map(before.map((r) => [r.id, r.state]));
        const changed = [...(plan.insert ? [plan.insert] : []), ...plan.states].map((r) => ({
          id: r.id,
          fingerprint: describeCaKey(r).fingerprint,
          from: stateBefore.get(r.id) ?? null,
          to: r.state,
        }));
        note(`/ssh/ca/${purpose}`, {
          purpose,
          step,
          ...(request.body.force ? { forced: true } : {}),
          changed,
        });
        return { step, after: (await caKeys.list()).filter((r) => r.purpose === purpose) };
      });
      ssh.caKeysChanged();
      return { purpose, step: done.step, keys: done.after.map(toCaKeyDto) };
    },
  );
}
