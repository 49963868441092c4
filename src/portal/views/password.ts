/** Choosing a new password: at sign-in (a temporary one must go) and from Security info. */
import { html } from "../lib/html.ts";
import { alert, csrfField, layout } from "./layout.ts";

interface PasswordForm {
  readonly base: string;
  readonly csrf: string;
  readonly upn: string;
  readonly error?: string;
}

const RULE = "At least 12 characters. A few unrelated words make a good one.";

function newPasswordFields() {
  return html`<label for="new_password">New password</label>
<input id="new_password" name="new_password" type="password" autocomplete="new-password" minlength="12" required aria-describedby="rule">
<p id="rule" class="muted">${RULE}</p>
<label for="confirm_password">Confirm new password</label>
<input id="confirm_password" name="confirm_password" type="password" autocomplete="new-password" minlength="12" required>`;
}

/** At sign-in: the password just used was temporary (the first administrator's, or one an administrator set). */
export function newPasswordPage(input: PasswordForm): string {
  const { base, csrf } = input;
  const body = html`<h1>Choose a new password</h1>
<p class="sub">The password you used for <strong>${input.upn}</strong> was temporary and works only once. Choose your own to continue.</p>${alert(input.error)}
<form method="post" action="${base}/signin/new-password" class="stack">${csrfField(csrf)}
${newPasswordFields()}
<button type="submit" class="primary">Set password and continue</button>
</form>`;
  return layout({ base, title: "Choose a new password", body });
}

/** Self-service change from Security info: the current password proves it is the user. */
export function changePasswordPage(input: PasswordForm): string {
  const { base, csrf } = input;
  const body = html`<h1>Change your password</h1><p class="who">Signed in as <strong>${input.upn}</strong></p>${alert(input.error)}
<form method="post" action="${base}/security/password" class="stack">${csrfField(csrf)}
<label for="current_password">Current password</label>
<input id="current_password" name="current_password" type="password" autocomplete="current-password" required>
${newPasswordFields()}
<button type="submit" class="primary">Change password</button>
</form>
<p class="links"><a href="${base}/security">Back</a></p>`;
  return layout({ base, title: "Change your password", body });
}
