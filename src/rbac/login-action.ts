import {
  LOGIN_ACTION,
  LOGIN_AS_ADMIN_ACTION,
  SCALE_SET_LOGIN_ACTION,
  SCALE_SET_LOGIN_AS_ADMIN_ACTION,
} from "./built-in-roles.ts";
import { parseScope } from "./scope.ts";

const SCALE_SET_INSTANCE = /\/virtualmachinescalesets\/[^/]+\/virtualmachines\/[^/]+$/;

/**
 * The data action a login to `resourceId` needs: the scale-set variant for a scale-set instance
 * (`.../virtualMachineScaleSets/<ss>/virtualMachines/<n>`), the VM one otherwise. The CA asks
 * for the admin action first (sudo) and falls back to the user action.
 */
export function loginDataAction(resourceId: string, asAdmin: boolean): string {
  const scaleSet = SCALE_SET_INSTANCE.test(parseScope(resourceId).key);
  if (scaleSet) return asAdmin ? SCALE_SET_LOGIN_AS_ADMIN_ACTION : SCALE_SET_LOGIN_ACTION;
  return asAdmin ? LOGIN_AS_ADMIN_ACTION : LOGIN_ACTION;
}
