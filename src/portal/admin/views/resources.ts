/** Pieces of the resource pages: breadcrumbs from an id, and the create forms. */
import type { ResourceId } from "../../../resources/index.ts";
import { html, type SafeHtml } from "../../lib/html.ts";
import { csrfField } from "../../views/layout.ts";
import { linksFor } from "../lib/links.ts";

/** Resources › subscription › resource group › … (the current page itself is added by the frame). */
export function crumbsFor(base: string, id: ResourceId, _url?: string): [string, string][] {
  const links = linksFor(base);
  const chain: ResourceId[] = [];
  for (let p = id.parent; p !== undefined; p = p.parent) chain.unshift(p);
  return [
    [`Resources`, `${base}/resources`],
    ...chain.map((p): [string, string] => [p.name, links.resource(p.id)]),
  ];
}

export function resourceGroupForm(base: string, csrf: string, subscriptionId: string): SafeHtml {
  return html`<form method="post" action="${base}/create-resource-group${subscriptionId}" class="panel">
<h3 id="new-rg">Create a resource group</h3>${csrfField(csrf)}
<div class="form-grid">
<label for="rg-name">Name</label><input id="rg-name" name="name" type="text" required maxlength="90" pattern="[A-Za-z0-9._()\\-]+" aria-describedby="rg-hint">
<p id="rg-hint" class="muted hint">Letters, digits and . _ ( ) - (up to 90).</p>
<label for="rg-location">Location</label><input id="rg-location" name="location" type="text" value="local" maxlength="32">
</div>
<button type="submit" class="primary">Create</button>
</form>`;
}

export interface MachineFormInput {
  readonly base: string;
  readonly csrf: string;
  readonly resourceGroupId: string;
  readonly values?: Readonly<Record<string, string>>;
  readonly login?: boolean;
}

/** The seed's portal step: a machine with "login with directory identity" ticked. */
export function machineForm(input: MachineFormInput): SafeHtml {
  const v = input.values ?? {};
  const login = input.login ?? true;
  return html`<form method="post" action="${input.base}/create-machine${input.resourceGroupId}" class="panel">${csrfField(input.csrf)}
<div class="form-grid">
<label for="vm-name">Virtual machine name</label><input id="vm-name" name="name" type="text" required maxlength="64" value="${v.name ?? ""}" aria-describedby="vm-name-hint">
<p id="vm-name-hint" class="muted hint">1–64 letters, digits, . _ -; starts with a letter or digit.</p>
<label for="vm-image">Image</label><input id="vm-image" name="image" type="text" required value="${v.image ?? "debian-12"}">
<label for="vm-size">Size</label><input id="vm-size" name="size" type="text" value="${v.size ?? ""}" placeholder="default">
<label for="vm-admin">Administrator user name</label><input id="vm-admin" name="adminUsername" type="text" required maxlength="32" value="${v.adminUsername ?? "localadmin"}" aria-describedby="vm-admin-hint">
<p id="vm-admin-hint" class="muted hint">A local break-glass account; directory users log in with their own names.</p>
<label for="vm-ip">Private address</label><input id="vm-ip" name="privateIp" type="text" value="${v.privateIp ?? ""}" placeholder="assigned by the host" aria-describedby="vm-ip-hint">
<p id="vm-ip-hint" class="muted hint">For a machine you join yourself; local machines get one.</p>
</div>
<fieldset><legend>Management</legend>
<label class="check"><input type="checkbox" name="login" value="on"${login ? html` checked` : ""} aria-describedby="login-hint"> <span>Login with directory identity</span></label>
<p id="login-hint" class="muted">Gives the machine a system-assigned managed identity and enables the SSH login extension, so users with Virtual Machine User Login or Administrator Login can sign in with <code>hostpass ssh vm</code>.</p>
</fieldset>
<button type="submit" class="primary">Create</button>
</form>`;
}
