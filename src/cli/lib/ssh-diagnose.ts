/**
 * Why `ssh vm` could not get in (ssh exited 255), in the seed's troubleshooting words: the
 * machine's managed identity is off, directory login is not enabled on it, or the caller has no
 * login role there. Thrown as an error (its code and exit status); nothing found, nothing said.
 */
import type { CliContext } from "../command.ts";
import { LoginNotEnabledError, LoginRoleMissingError } from "../errors.ts";
import { apiFor } from "../session/api.ts";
import type { Session } from "../session/context.ts";
import type { MachineDto } from "./machines.ts";
import { scopePath } from "./resource-paths.ts";

const LOGIN = "Compute/virtualMachines/login/action";
const LOGIN_AS_ADMIN = "Compute/virtualMachines/loginAsAdmin/action";

export async function diagnoseLogin(ctx: CliContext, session: Session, machine: MachineDto): Promise<void> {
  const where = `-g ${machine.resourceGroup} -n ${machine.name}`;
  if (!machine.identity)
    throw new LoginNotEnabledError(
      `The system-assigned managed identity of ${machine.name} is disabled, so directory logins to it are refused. Enable it (\`hostpass vm identity assign ${where}\`) and try again in a few moments.`,
    );
  const login = machine.extensions.find((e) => /^(aad)?sshloginforlinux$/i.test(e.type));
  if (login?.provisioningState !== "Succeeded")
    throw new LoginNotEnabledError(
      `Directory login is not enabled on ${machine.name}${login ? ` (SSHLoginForLinux is ${login.provisioningState})` : ""}: \`hostpass vm extension set -n SSHLoginForLinux -g ${machine.resourceGroup} --vm-name ${machine.name}\`.`,
    );
  const api = apiFor(session, ctx);
  const check = async (action: string) =>
    (
      (await api
        .post(`${scopePath(machine.id)}/providers/Authorization/checkAccess`, { action })
        .catch(() => ({
          allowed: true,
        }))) as { allowed: boolean }
    ).allowed;
  if (!(await check(LOGIN)) && !(await check(LOGIN_AS_ADMIN)))
    throw new LoginRoleMissingError(
      `Access denied: role not assigned. ${session.account.user.name} holds neither Virtual Machine Administrator Login nor Virtual Machine User Login on ${machine.name} or above it; ask an owner to run \`hostpass role assignment create --role "Virtual Machine User Login" --assignee ${session.account.user.name} --scope ${machine.id}\`.`,
    );
}
