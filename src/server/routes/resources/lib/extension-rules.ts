import { NoManagedIdentityError } from "../../../../directory/index.ts";
import { isLegacyLoginExtension, isLoginExtension, type Machine } from "../../../../resources/index.ts";
import { HostpassError } from "../../../../shared/errors.ts";

/** The seed's exit 23: the legacy password-login extension is still installed. */
export class ExtensionLegacyInstalledError extends HostpassError {
  static readonly code = "ERR_EXTENSION_LEGACY_INSTALLED";
  readonly code = ExtensionLegacyInstalledError.code;
  readonly kind = "conflict";
  constructor() {
    super(
      "Detected obsolete packages. Please uninstall AADLoginForLinux first (hostpass vm extension delete --name AADLoginForLinux).",
    );
  }
}

/**
 * The checks the seed's installer makes before enabling SSH login, made here so the CLI can
 * answer at once with the seed's exit codes. (An unknown type is refused by the domain's
 * putExtension, ERR_EXTENSION_UNKNOWN.) NoManagedIdentityError comes from directory/, which
 * resources/ does not import, so the check stays here.
 */
export function checkExtensionAllowed(machine: Machine, type: string): void {
  if (!isLoginExtension(type)) return;
  if (machine.identityPrincipalId === undefined) throw new NoManagedIdentityError();
  if (machine.extensions.some((e) => isLegacyLoginExtension(e.type))) {
    throw new ExtensionLegacyInstalledError();
  }
}
