/** The directory pages' shared pieces: the tabs, the search box, the create forms. */
import { html, type SafeHtml } from "../../lib/html.ts";
import { csrfField } from "../../views/layout.ts";

export type DirectoryTab = "users" | "groups" | "service-principals" | "devices" | "identity-providers";

const TABS: readonly (readonly [DirectoryTab, string])[] = [
  ["users", "Users"],
  ["groups", "Groups"],
  ["service-principals", "Service principals"],
  ["devices", "Devices"],
  ["identity-providers", "Identity providers"],
];

export function directoryTabs(base: string, current: DirectoryTab): SafeHtml {
  return html`<nav aria-label="Directory" class="tabs"><ul>${TABS.map(
    ([tab, label]) =>
      html`<li><a href="${base}/directory/${tab}"${tab === current ? html` aria-current="page"` : ""}>${label}</a></li>`,
  )}</ul></nav>`;
}

export function searchBox(action: string, value: string | undefined, label: string): SafeHtml {
  return html`<form method="get" action="${action}" class="toolbar" role="search">
<label for="dir-search">${label}<input id="dir-search" name="search" type="search" maxlength="128" value="${value ?? ""}"></label>
<button type="submit" class="secondary">Search</button></form>`;
}

export function createUserForm(base: string, csrf: string): SafeHtml {
  return html`<form method="post" action="${base}/directory/users" class="panel"><h2 id="new-user">New user</h2>${csrfField(csrf)}
<div class="form-grid">
<label for="u-upn">User principal name</label><input id="u-upn" name="userPrincipalName" type="text" required maxlength="256" placeholder="name@example.com" autocomplete="off">
<label for="u-name">Display name</label><input id="u-name" name="displayName" type="text" required maxlength="256" autocomplete="off">
<label for="u-password">Temporary password</label><input id="u-password" name="password" type="password" minlength="12" maxlength="1024" autocomplete="new-password" aria-describedby="u-password-hint">
<p id="u-password-hint" class="muted hint">At least 12 characters. Leave empty for a generated one, shown once.</p>
</div>
<label class="check"><input type="checkbox" name="forceChange" value="on" checked> <span>Must choose a new password at the first sign-in</span></label>
<button type="submit" class="primary">Create user</button></form>`;
}

export function createGroupForm(base: string, csrf: string): SafeHtml {
  return html`<form method="post" action="${base}/directory/groups" class="panel"><h2 id="new-group">New group</h2>${csrfField(csrf)}
<div class="form-grid">
<label for="g-name">Name</label><input id="g-name" name="displayName" type="text" required maxlength="256">
<label for="g-about">Description</label><input id="g-about" name="description" type="text" maxlength="256">
</div><button type="submit" class="primary">Create group</button></form>`;
}

export function createServicePrincipalForm(base: string, csrf: string): SafeHtml {
  return html`<form method="post" action="${base}/directory/service-principals" class="panel"><h2 id="new-sp">New service principal</h2>${csrfField(csrf)}
<div class="form-grid"><label for="sp-name">Name</label><input id="sp-name" name="displayName" type="text" required maxlength="256"></div>
<button type="submit" class="primary">Create service principal</button></form>`;
}
